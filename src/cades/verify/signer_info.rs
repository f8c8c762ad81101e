//! Verification of one SignerInfo, one function per step: the digest algorithm, the signer's
//! certificate (IssuerAndSerialNumber or SubjectKeyIdentifier) and signature algorithm, then
//! with signed attributes contentType against eContentType, messageDigest against the content
//! (given for detached signatures, eContent for attached ones), the signature over the original
//! bytes of the signed attributes re-tagged as SET, signingTime, the signing-certificate(-v2)
//! reference against the certificate actually used, policy and commitment types; without them,
//! the signature over the content. Then the counter-signatures, and trust in the certificate.

use super::Ctx;
use super::timestamps::Poe;
use crate::alg::{
    self, AlgorithmPolicy, AlgorithmStatus, DigestAlgorithm, RsaJudgement, SignatureAlgorithm,
};
use crate::asn1::cert::{cert_fields, subject_key_identifier};
use crate::asn1::ess::{self, SignaturePolicy};
use crate::asn1::oid;
use crate::asn1::tlv;
use crate::cades::parse::{
    MAX_COUNTER_SIGNATURE_DEPTH, SignedData, SignerId, SignerInfo, parse_signer_info,
};
use crate::crypto::{self, VerifyError};
use crate::report::{Indication, Level, SignatureReport, SubIndication};
use crate::time;
use crate::x509::CertificateDer;
use crate::x509::PathError;
use der::Decode;
use std::time::SystemTime;

/// The certificate of `pool` a SignerInfo's identifier designates.
pub(crate) fn find_certificate<'p>(
    sid: &SignerId<'_>,
    pool: &'p [CertificateDer],
) -> Option<&'p CertificateDer> {
    pool.iter().find(|c| match sid {
        SignerId::IssuerSerial { issuer, serial } => {
            cert_fields(c.der()).is_ok_and(|f| f.issuer == *issuer && f.serial == *serial)
        }
        SignerId::SubjectKeyId(ski) => {
            subject_key_identifier(c.certificate()).is_some_and(|k| k == *ski)
        }
    })
}

/// Exactly one attribute of this type with exactly one value, or an error message.
fn single_value<'a>(
    si: &SignerInfo<'a>,
    oid: &der::asn1::ObjectIdentifier,
    name: &str,
) -> std::result::Result<Option<&'a [u8]>, String> {
    let attrs = si.signed_attr(oid);
    match attrs.as_slice() {
        [] => Ok(None),
        [a] => match a.values.as_slice() {
            [v] => Ok(Some(*v)),
            _ => Err(format!("the {name} attribute must have exactly one value")),
        },
        _ => Err(format!("the {name} attribute appears more than once")),
    }
}

fn crypto_failure(report: &mut SignatureReport, e: VerifyError) {
    match e {
        VerifyError::WeakKey { .. }
        | VerifyError::UnsupportedKey(_)
        | VerifyError::MessageRequired(_) => report.fail(
            "signature-value",
            Indication::Indeterminate,
            SubIndication::CryptoConstraintsFailure,
            e.to_string(),
        ),
        VerifyError::MalformedKey(_) => report.fail_format("signature-value", e.to_string()),
        VerifyError::BadSignature | VerifyError::AlgorithmKeyMismatch { .. } => report.fail(
            "signature-value",
            Indication::TotalFailed,
            SubIndication::SigCryptoFailure,
            e.to_string(),
        ),
    }
}

/// The times at which a too-short key may have been acceptable.
struct WeakKeyTimes<'p> {
    /// The signature's proof of existence: its earliest verified timestamp covering the
    /// signature value.
    poe: Option<&'p Poe>,
    /// The validation time the caller set (a past validation: e.g. at the genTime of a later
    /// PDF document timestamp, `pades::verify::poe`).
    validation: Option<SystemTime>,
}

/// An intact signature whose RSA key is shorter than the policy's minimum: accepted when the
/// validation time (the caller's, or now) or the proof of existence (a verified timestamp) is
/// before the sunset date of such keys (ETSI EN 319 102-1 §5.6.2.5), else INDETERMINATE /
/// CRYPTO_CONSTRAINTS_FAILURE as without a proof.
fn judge_weak_key(
    report: &mut SignatureReport,
    check: usize,
    e: VerifyError,
    sig_alg: SignatureAlgorithm,
    policy: &AlgorithmPolicy,
    times: WeakKeyTimes<'_>,
) {
    let VerifyError::WeakKey { bits, .. } = e else {
        return settle(report, check, Err(e.to_string()));
    };
    let validation = times.validation.unwrap_or_else(SystemTime::now);
    let at = time::format_rfc3339;
    let judgement = policy.judge_rsa(bits, validation, times.poe.map(|p| p.time));
    let text = judgement.poe_text("the signature", times.poe.map(|p| p.by.as_str()));
    let outcome = match judgement {
        RsaJudgement::Always => Ok(sig_alg.name()),
        RsaJudgement::AtValidation { sunset } => Ok(match times.validation {
            Some(v) => format!(
                "{}; RSA key of {bits} bits acceptable at the validation time {}, before {}, the sunset date of such keys",
                sig_alg.name(),
                at(v),
                at(sunset)
            ),
            None => format!(
                "{}; RSA key of {bits} bits acceptable until {}, the sunset date of such keys",
                sig_alg.name(),
                at(sunset)
            ),
        }),
        RsaJudgement::AtPoe { .. } => Ok(format!(
            "{}; RSA key of {bits} bits accepted: {}",
            sig_alg.name(),
            text.unwrap_or_default()
        )),
        RsaJudgement::Refused { .. } => Err(match text {
            Some(t) => format!("{e}; {t}"),
            None => e.to_string(),
        }),
    };
    settle(report, check, outcome);
}

/// The outcome of the signature-value check recorded at `check`: passed with its detail, or
/// INDETERMINATE / CRYPTO_CONSTRAINTS_FAILURE with its reason.
fn settle(report: &mut SignatureReport, check: usize, outcome: Result<String, String>) {
    let failed = outcome.is_err();
    if let Some(c) = report.checks.get_mut(check) {
        c.passed = !failed;
        c.detail = Some(outcome.unwrap_or_else(|e| e));
    }
    if failed {
        report.set_verdict(
            Indication::Indeterminate,
            SubIndication::CryptoConstraintsFailure,
        );
    }
}

/// The signer of one SignerInfo once its certificate and algorithms are accepted.
struct SignerParts<'c> {
    cert: &'c CertificateDer,
    /// The certificate's SubjectPublicKeyInfo.
    spki: &'c [u8],
    digest: DigestAlgorithm,
    sig_alg: SignatureAlgorithm,
    /// A counter-signature (its digest covers the parent's signature value).
    is_counter: bool,
    /// The digest the signature must cover: the content's, or the parent signature value's
    /// (`None`: detached content not given).
    expected_digest: Option<Vec<u8>>,
}

/// Verifies one SignerInfo. `parent_signature` is set for counter-signatures.
pub(super) fn verify_signer_info(
    ctx: &Ctx<'_>,
    si: &SignerInfo<'_>,
    id: String,
    parent_signature: Option<&[u8]>,
    depth: usize,
) -> SignatureReport {
    let mut report = SignatureReport::new(id.clone());
    let Some(digest) = check_digest_algorithm(si, &mut report) else {
        return report;
    };
    let Some((cert, spki)) = find_signer_certificate(si, ctx.pool, &mut report) else {
        return report;
    };
    let Some(sig_alg) = check_signature_algorithm(si, digest, spki, &mut report) else {
        return report;
    };
    let expected_digest = match parent_signature {
        Some(parent) => Some(digest.digest(parent)),
        None => ctx.digests.and_then(|d| d.get(&digest).cloned()),
    };
    let signer = SignerParts {
        cert,
        spki,
        digest,
        sig_alg,
        is_counter: parent_signature.is_some(),
        expected_digest,
    };
    let mut weak_key = None;
    match si.signed_attrs_for_signature() {
        Some(signed_bytes) => {
            check_content_type(si, ctx.sd, signer.is_counter, &mut report);
            check_message_digest(si, &signer, &mut report);
            // Signature over the original signed attributes, re-tagged as SET; failing that,
            // over their DER order (the same attributes sorted, as RFC 5652 §5.4 signs them).
            let mut outcome = crypto::verify_signature(spki, sig_alg, &signed_bytes, si.signature);
            if matches!(outcome, Err(VerifyError::BadSignature))
                && let Some(sorted) = si.signed_attrs_der_sorted()
            {
                let again = crypto::verify_signature(spki, sig_alg, &sorted, si.signature);
                if !matches!(again, Err(VerifyError::BadSignature)) {
                    report.warnings.push(
                        "the signature covers the DER order of the signed attributes, not their order in the file (a BER encoding; the attributes are the same)"
                            .into(),
                    );
                    outcome = again;
                }
            }
            match outcome {
                Ok(()) => report.pass("signature-value", Some(sig_alg.name())),
                // Intact (`WeakKey` comes only after the value verified) but with a key too
                // short today: judged at the proof of existence.
                Err(e @ VerifyError::WeakKey { .. }) => {
                    // Its place in the report; the outcome once the timestamps are verified.
                    report.checks.push(crate::report::Check {
                        name: "signature-value".into(),
                        passed: false,
                        detail: None,
                    });
                    weak_key = Some((e, report.checks.len() - 1))
                }
                Err(e) => crypto_failure(&mut report, e),
            }
            check_signing_time(si, &mut report);
            check_signing_certificate(si, &signer, &mut report);
            check_policy_and_commitments(si, &mut report);
        }
        None => check_signature_over_content(si, ctx.sd, &signer, &mut report),
    }
    let poe = if !ctx.in_token && !signer.is_counter {
        super::timestamps::verify_timestamps(ctx, si, &id, &mut report)
    } else {
        None
    };
    match weak_key {
        // A timestamp token's: the token verifier judges its TSA's key size (`tsp::verify`).
        Some((VerifyError::WeakKey { bits, .. }, check)) if ctx.in_token => settle(
            &mut report,
            check,
            Ok(format!(
                "{}; RSA key of {bits} bits, judged by the token verifier",
                sig_alg.name()
            )),
        ),
        Some((e, check)) => {
            let times = WeakKeyTimes {
                poe: poe.as_ref(),
                validation: ctx.options.validation_time,
            };
            judge_weak_key(
                &mut report,
                check,
                e,
                sig_alg,
                &ctx.options.algorithms,
                times,
            );
        }
        None => {}
    }
    verify_counter_signatures(ctx, si, &id, depth, &mut report);
    evaluate_trust(&mut report, cert, ctx, poe.as_ref());
    report.conclude();
    report
}

/// The digest algorithm: known and not refused (MD5); a weak one is a warning.
fn check_digest_algorithm(
    si: &SignerInfo<'_>,
    report: &mut SignatureReport,
) -> Option<DigestAlgorithm> {
    let digest_oid = match ess::algorithm_oid(si.digest_algorithm, "digestAlgorithm") {
        Ok(o) => o,
        Err(e) => {
            report.fail_format("digest-algorithm", e.to_string());
            return None;
        }
    };
    let Some(digest) = DigestAlgorithm::from_oid(&digest_oid) else {
        let what = if digest_oid == oid::MD5 {
            "MD5 is refused".to_string()
        } else {
            format!("unsupported digest algorithm {digest_oid}")
        };
        report.fail(
            "digest-algorithm",
            Indication::Indeterminate,
            SubIndication::CryptoConstraintsFailure,
            what,
        );
        return None;
    };
    report.digest_algorithm = Some(digest.name().into());
    if digest.status() == AlgorithmStatus::Weak {
        report.warnings.push(format!(
            "{} is a weak digest algorithm (legacy)",
            digest.name()
        ));
    }
    Some(digest)
}

/// The certificate the SignerInfo's signer identifier designates, and its public key; the
/// signer of the report.
fn find_signer_certificate<'p>(
    si: &SignerInfo<'_>,
    pool: &'p [CertificateDer],
    report: &mut SignatureReport,
) -> Option<(&'p CertificateDer, &'p [u8])> {
    let Some(cert) = find_certificate(&si.sid, pool) else {
        report.fail(
            "signer-certificate",
            Indication::Indeterminate,
            SubIndication::NoSignerCertificateFound,
            "no certificate matches the SignerInfo's signer identifier",
        );
        return None;
    };
    report.signer = Some(crate::x509::signer_report(cert));
    report.pass("signer-certificate", Some(cert.subject()));
    match cert_fields(cert.der()) {
        Ok(f) => Some((cert, f.spki)),
        Err(e) => {
            report.fail_format("signer-certificate", e.to_string());
            None
        }
    }
}

/// The signature algorithm: accepted for the signer's key, and using the digest algorithm.
fn check_signature_algorithm(
    si: &SignerInfo<'_>,
    digest: DigestAlgorithm,
    spki: &[u8],
    report: &mut SignatureReport,
) -> Option<SignatureAlgorithm> {
    let sig_alg_id = match spki::AlgorithmIdentifierOwned::from_der(si.signature_algorithm) {
        Ok(a) => a,
        Err(e) => {
            report.fail_format("signature-algorithm", e.to_string());
            return None;
        }
    };
    let sig_alg: SignatureAlgorithm = match alg::signature_algorithm_from_identifier(
        &sig_alg_id,
        Some(digest),
        crypto::ec_curve_of(spki),
    ) {
        Ok(a) => a,
        Err(e) => {
            report.fail(
                "signature-algorithm",
                Indication::Indeterminate,
                SubIndication::CryptoConstraintsFailure,
                e.to_string(),
            );
            return None;
        }
    };
    report.signature_algorithm = Some(sig_alg.name());
    if sig_alg.digest() != digest {
        report.fail_format(
            "signature-algorithm",
            format!(
                "signature algorithm {} does not use the digest algorithm {}",
                sig_alg.name(),
                digest.name()
            ),
        );
        return None;
    }
    Some(sig_alg)
}

/// contentType: present and equal to eContentType, except in counter-signatures, where it
/// must be absent (RFC 5652 §5.3, §11.4).
fn check_content_type(
    si: &SignerInfo<'_>,
    sd: &SignedData<'_>,
    is_counter: bool,
    report: &mut SignatureReport,
) {
    match single_value(si, &oid::CONTENT_TYPE, "contentType") {
        Err(e) => report.fail_format("content-type", e),
        Ok(None) if !is_counter => report.fail_format(
            "content-type",
            "signed attributes without contentType (RFC 5652 §5.3)",
        ),
        Ok(None) => {}
        Ok(Some(_)) if is_counter => report.fail_format(
            "content-type",
            "a counter-signature must not carry contentType (RFC 5652 §11.4)",
        ),
        Ok(Some(v)) => match tlv::read_single(v, "contentType")
            .and_then(|t| ess::decode_oid(t, "contentType"))
        {
            Ok(ct) if ct == sd.econtent_type => report.pass("content-type", Some(ct.to_string())),
            Ok(ct) => report.fail_format(
                "content-type",
                format!(
                    "contentType {ct} differs from eContentType {}",
                    sd.econtent_type
                ),
            ),
            Err(e) => report.fail_format("content-type", e.to_string()),
        },
    }
}

/// messageDigest: present, and the digest of the content (or of the counter-signed
/// signature value).
fn check_message_digest(
    si: &SignerInfo<'_>,
    signer: &SignerParts<'_>,
    report: &mut SignatureReport,
) {
    match single_value(si, &oid::MESSAGE_DIGEST, "messageDigest") {
        Err(e) => report.fail_format("message-digest", e),
        Ok(None) => report.fail_format("message-digest", "signed attributes without messageDigest"),
        Ok(Some(v)) => match tlv::read_single(v, "messageDigest")
            .and_then(|t| t.expect_tag(tlv::tag::OCTET_STRING, "messageDigest"))
        {
            Err(e) => report.fail_format("message-digest", e.to_string()),
            Ok(md) => match &signer.expected_digest {
                None => report.fail(
                    "message-digest",
                    Indication::Indeterminate,
                    SubIndication::SignedDataNotFound,
                    "detached signature: the signed content was not given",
                ),
                Some(exp) if exp.as_slice() == md.content => {
                    report.pass("message-digest", Some(signer.digest.name().into()))
                }
                Some(_) => report.fail(
                    "message-digest",
                    Indication::TotalFailed,
                    SubIndication::HashFailure,
                    if signer.is_counter {
                        "the counter-signed signature value does not match messageDigest"
                    } else {
                        "the content does not match messageDigest"
                    },
                ),
            },
        },
    }
}

/// signingTime: at most one, well formed; the report's claimed signing time.
fn check_signing_time(si: &SignerInfo<'_>, report: &mut SignatureReport) {
    match single_value(si, &oid::SIGNING_TIME, "signingTime") {
        Err(e) => report.fail_format("signing-time", e),
        Ok(None) => {}
        Ok(Some(v)) => match time::parse_time(v) {
            Ok(t) => report.claimed_signing_time = Some(time::rfc3339(&t)),
            Err(e) => report.fail_format("signing-time", e.to_string()),
        },
    }
}

/// signing-certificate(-v2): the certificate the signer meant is the one used (CAdES B-B).
fn check_signing_certificate(
    si: &SignerInfo<'_>,
    signer: &SignerParts<'_>,
    report: &mut SignatureReport,
) {
    let v2 = single_value(si, &oid::SIGNING_CERTIFICATE_V2, "signing-certificate-v2");
    let v1 = single_value(si, &oid::SIGNING_CERTIFICATE, "signing-certificate");
    let ess_ref = match (v2, v1) {
        (Err(e), _) | (_, Err(e)) => Err(e),
        (Ok(Some(v)), _) => ess::parse_signing_certificate(v, true)
            .map(Some)
            .map_err(|e| e.to_string()),
        (Ok(None), Ok(Some(v))) => ess::parse_signing_certificate(v, false)
            .map(Some)
            .map_err(|e| e.to_string()),
        (Ok(None), Ok(None)) => Ok(None),
    };
    match ess_ref {
        Err(e) => report.fail_format("signing-certificate", e),
        Ok(None) => report.warnings.push(
            "no signing-certificate(-v2) attribute: a plain CMS signature, not CAdES baseline"
                .into(),
        ),
        Ok(Some(refs)) => match refs.first() {
            Some(r) if r.matches(signer.cert.der()) => {
                report.pass(
                    "signing-certificate",
                    Some(format!("ESS reference matches ({})", r.hash_algorithm_oid)),
                );
                if !signer.is_counter {
                    report.level = Some(Level::BB);
                }
            }
            Some(_) => report.fail(
                "signing-certificate",
                Indication::Indeterminate,
                SubIndication::NoSignerCertificateFound,
                "the signing-certificate attribute designates another certificate than the one used",
            ),
            None => report.fail_format("signing-certificate", "empty ESS certificate list"),
        },
    }
}

/// Signature policy and commitment types (reported; the policy document is not fetched).
fn check_policy_and_commitments(si: &SignerInfo<'_>, report: &mut SignatureReport) {
    match single_value(si, &oid::SIG_POLICY_ID, "signature-policy-identifier") {
        Err(e) => report.fail_format("signature-policy", e),
        Ok(None) => {}
        Ok(Some(v)) => match SignaturePolicy::parse(v) {
            Ok(Some(p)) => {
                report.pass(
                    "signature-policy",
                    Some(format!("{} ({})", p.oid, p.uri.clone().unwrap_or_default())),
                );
                report.policy_oid = Some(p.oid);
            }
            Ok(None) => report.pass("signature-policy", Some("implied".into())),
            Err(e) => report.fail_format("signature-policy", e.to_string()),
        },
    }
    for a in si.signed_attr(&oid::COMMITMENT_TYPE) {
        for v in &a.values {
            match ess::parse_commitment_type(v) {
                Ok(o) => report.commitment_types.push(o.to_string()),
                Err(e) => report.fail_format("commitment-type", e.to_string()),
            }
        }
    }
}

/// No signed attributes: the signature is over the content itself (id-data only).
fn check_signature_over_content(
    si: &SignerInfo<'_>,
    sd: &SignedData<'_>,
    signer: &SignerParts<'_>,
    report: &mut SignatureReport,
) {
    report
        .warnings
        .push("no signed attributes: a plain CMS signature, not CAdES".into());
    if !signer.is_counter && sd.econtent_type != oid::DATA {
        report.fail_format(
            "content-type",
            "signed attributes are required when the content type is not id-data",
        );
    }
    match &signer.expected_digest {
        None => report.fail(
            "signature-value",
            Indication::Indeterminate,
            SubIndication::SignedDataNotFound,
            "detached signature: the signed content was not given",
        ),
        Some(d) => match signature_over_content(si, sd, signer, d) {
            Ok(()) => {
                report.pass("message-digest", Some("signature over the content".into()));
                report.pass("signature-value", Some(signer.sig_alg.name()));
            }
            Err(VerifyError::BadSignature) => report.fail(
                "signature-value",
                Indication::TotalFailed,
                SubIndication::HashFailure,
                "the signature does not verify over the content",
            ),
            Err(e) => crypto_failure(report, e),
        },
    }
}

/// The signature of a SignerInfo without signed attributes, over the content whose digest is
/// `digest`: EdDSA signs the content itself (RFC 8419 §3.1), which only an attached content (not
/// a streamed detached one, nor a counter-signed signature value) gives here.
fn signature_over_content(
    si: &SignerInfo<'_>,
    sd: &SignedData<'_>,
    signer: &SignerParts<'_>,
    digest: &[u8],
) -> Result<(), VerifyError> {
    if signer.sig_alg.is_prehashed() {
        return crypto::verify_digest(signer.spki, signer.sig_alg, digest, si.signature);
    }
    match sd.econtent {
        Some(content) if !signer.is_counter => {
            crypto::verify_signature(signer.spki, signer.sig_alg, content, si.signature)
        }
        _ => Err(VerifyError::MessageRequired(signer.sig_alg.name())),
    }
}

/// The counter-signatures of `si` (`{id}.C1`, …), each verified as a SignerInfo over `si`'s
/// signature value, nested at most [`MAX_COUNTER_SIGNATURE_DEPTH`] deep.
fn verify_counter_signatures(
    ctx: &Ctx<'_>,
    si: &SignerInfo<'_>,
    id: &str,
    depth: usize,
    report: &mut SignatureReport,
) {
    let counters = si.unsigned_attr(&oid::COUNTER_SIGNATURE);
    let mut n = 0usize;
    for a in counters {
        for v in &a.values {
            n += 1;
            let cid = format!("{id}.C{n}");
            if depth >= MAX_COUNTER_SIGNATURE_DEPTH {
                let mut r = SignatureReport::new(cid);
                r.fail_format("counter-signature", "counter-signatures nested too deep");
                report.counter_signatures.push(r);
                continue;
            }
            match parse_signer_info(v) {
                Ok(csi) => report.counter_signatures.push(verify_signer_info(
                    ctx,
                    &csi,
                    cid,
                    Some(si.signature),
                    depth + 1,
                )),
                Err(e) => {
                    let mut r = SignatureReport::new(cid);
                    r.fail_format("counter-signature", e.to_string());
                    report.counter_signatures.push(r);
                }
            }
        }
    }
}

/// Without trust anchors: the chain is not evaluated, the signature INDETERMINATE
/// (NO_CERTIFICATE_CHAIN_FOUND).
pub(crate) fn no_trust_anchors(report: &mut SignatureReport) {
    report.trust.evaluated = false;
    report.fail(
        "trust",
        Indication::Indeterminate,
        SubIndication::NoCertificateChainFound,
        "no trust anchors given: the certificate chain was not evaluated",
    );
}

/// Trust in the signer certificate: a chain to the trust anchors at the validation time, with
/// the revocation data available. Without a trust store the chain is reported as not evaluated
/// and the signature as INDETERMINATE (NO_CERTIFICATE_CHAIN_FOUND): never TOTAL_PASSED without
/// a trust decision.
///
/// `poe` is the signature's proof of existence (its earliest verified timestamp):
/// when the chain fails at the validation time only because a certificate expired or was
/// revoked, it is validated again at the proof of existence (past signature validation, ETSI
/// EN 319 102-1 §5.6.2.4): a certificate that expired or was revoked after the timestamp still
/// validates, one revoked before it does not. Likewise for a certificate key that is too short
/// today but was acceptable before its sunset date (`alg::sunset`).
fn evaluate_trust(
    report: &mut SignatureReport,
    cert: &CertificateDer,
    ctx: &Ctx<'_>,
    poe: Option<&Poe>,
) {
    let Some(store) = &ctx.options.trust else {
        no_trust_anchors(report);
        return;
    };
    let path = ctx.options.signer_path_options();
    let mut result =
        crate::x509::validate_chain_from(cert, ctx.sourced_pool, store, ctx.revocation, &path);
    if let (Err(e), Some(poe)) = (&result.outcome, poe)
        && matches!(
            e,
            PathError::Expired { .. } | PathError::Revoked { .. } | PathError::Crypto { .. }
        )
    {
        let mut past = path.clone();
        past.time = poe.time;
        let at_poe =
            crate::x509::validate_chain_from(cert, ctx.sourced_pool, store, ctx.revocation, &past);
        if at_poe.outcome.is_ok() {
            report.warnings.push(format!(
                "the chain is not valid at the validation time ({e}) but was at {} {}, the proof of existence (past signature validation)",
                poe.by,
                time::format_rfc3339(poe.time)
            ));
            result = at_poe;
        }
    }
    result.apply_to(report);
}
