//! Verifying CAdES / CMS signatures into a [`ValidationReport`].
//!
//! For each SignerInfo: locate the certificate (IssuerAndSerialNumber or SubjectKeyIdentifier),
//! check messageDigest against the content (given for detached signatures, eContent for attached
//! ones), verify the signature over the original bytes of the signed attributes re-tagged as SET
//! (or over the content when there are none), check contentType against eContentType and the
//! signing-certificate(-v2) reference against the certificate actually used, apply the algorithm
//! policy, verify counter-signatures, then evaluate trust in the certificate.

use super::parse::{
    MAX_COUNTER_SIGNATURE_DEPTH, SignedData, SignerId, SignerInfo, parse_signed_data,
    parse_signer_info,
};
use crate::alg::{self, AlgorithmStatus, DigestAlgorithm, SignatureAlgorithm};
use crate::asn1::cert::{cert_fields, subject_key_identifier};
use crate::asn1::ess::{self, SignaturePolicy, oid};
use crate::asn1::tlv;
use crate::crypto::{self, VerifyError};
use crate::error::{Error, Result};
use crate::report::{Indication, Level, SignatureReport, SubIndication, ValidationReport};
use crate::signer::CertificateDer;
use crate::verify::VerifyOptions;
use crate::x509::{CertSource, PathOptions, RevocationData, RevocationSource};
use der::Decode;
use std::collections::HashMap;
use std::io::Read;
use std::time::SystemTime;

/// Digests of the content, one per digest algorithm the SignerInfos use.
pub(crate) type ContentDigests = HashMap<DigestAlgorithm, Vec<u8>>;

/// The digest algorithms the SignerInfos name (each once, unknown ones skipped).
pub(crate) fn signer_digest_algorithms(sd: &SignedData<'_>) -> Vec<DigestAlgorithm> {
    let mut algs: Vec<DigestAlgorithm> = Vec::new();
    for si in &sd.signer_infos {
        if let Ok(o) = ess::algorithm_oid(si.digest_algorithm, "digestAlgorithm")
            && let Some(d) = DigestAlgorithm::from_oid(&o)
            && !algs.contains(&d)
        {
            algs.push(d);
        }
    }
    algs
}

/// Streams `reader` once through a hasher per algorithm.
pub(crate) fn hash_all(reader: &mut dyn Read, algs: &[DigestAlgorithm]) -> Result<ContentDigests> {
    let mut hashers: Vec<alg::Hasher> = algs.iter().map(|a| a.hasher()).collect();
    alg::hash_reader(reader, &mut hashers)
        .map_err(|e| Error::io("reading the signed content", e))?;
    Ok(hashers
        .into_iter()
        .map(|h| (h.algorithm(), h.finalize()))
        .collect())
}

fn content_digests(
    sd: &SignedData<'_>,
    detached: Option<&mut dyn Read>,
    report_warnings: &mut Vec<String>,
) -> Result<Option<ContentDigests>> {
    let algs = signer_digest_algorithms(sd);
    match (sd.econtent, detached) {
        (Some(c), None) => Ok(Some(algs.into_iter().map(|a| (a, a.digest(c))).collect())),
        // Content given: it is what the caller asks about, so it is what is checked, also
        // when the signature carries its own copy (which must then be the same).
        (econtent, Some(reader)) => {
            let digests = hash_all(reader, &algs)?;
            if let Some(c) = econtent {
                let same = digests.iter().all(|(a, d)| a.digest(c) == *d);
                report_warnings.push(if same {
                    "the signature is attached; the given content is the same as the attached one".into()
                } else {
                    "the given content DIFFERS from the content attached to the signature; the given content was checked".into()
                });
            }
            Ok(Some(digests))
        }
        (None, None) => Ok(None),
    }
}

struct Ctx<'a> {
    sd: &'a SignedData<'a>,
    digests: Option<&'a ContentDigests>,
    pool: &'a [CertificateDer],
    sourced_pool: &'a [(CertificateDer, CertSource)],
    revocation: &'a RevocationData,
    options: &'a VerifyOptions,
}

fn find_certificate<'p>(
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
        VerifyError::WeakKey { .. } | VerifyError::UnsupportedKey(_) => report.fail(
            "signature-value",
            Indication::Indeterminate,
            SubIndication::CryptoConstraintsFailure,
            e.to_string(),
        ),
        VerifyError::MalformedKey(_) => report.fail(
            "signature-value",
            Indication::TotalFailed,
            SubIndication::FormatFailure,
            e.to_string(),
        ),
        VerifyError::BadSignature | VerifyError::AlgorithmKeyMismatch { .. } => report.fail(
            "signature-value",
            Indication::TotalFailed,
            SubIndication::SigCryptoFailure,
            e.to_string(),
        ),
    }
}

/// Verifies one SignerInfo. `parent_signature` is set for counter-signatures.
fn verify_signer_info(
    ctx: &Ctx<'_>,
    si: &SignerInfo<'_>,
    id: String,
    parent_signature: Option<&[u8]>,
    depth: usize,
) -> SignatureReport {
    let mut report = SignatureReport::new(id.clone());
    let is_counter = parent_signature.is_some();

    // Digest algorithm.
    let digest_oid = match ess::algorithm_oid(si.digest_algorithm, "digestAlgorithm") {
        Ok(o) => o,
        Err(e) => {
            report.fail(
                "digest-algorithm",
                Indication::TotalFailed,
                SubIndication::FormatFailure,
                e.to_string(),
            );
            return report;
        }
    };
    let Some(digest) = DigestAlgorithm::from_oid(&digest_oid) else {
        let what = if digest_oid == alg::oid::MD5 {
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
        return report;
    };
    report.digest_algorithm = Some(digest.name().into());
    if digest.status() == AlgorithmStatus::Weak {
        report.warnings.push(format!(
            "{} is a weak digest algorithm (legacy)",
            digest.name()
        ));
    }

    // Signer certificate.
    let Some(cert) = find_certificate(&si.sid, ctx.pool) else {
        report.fail(
            "signer-certificate",
            Indication::Indeterminate,
            SubIndication::NoSignerCertificateFound,
            "no certificate matches the SignerInfo's signer identifier",
        );
        return report;
    };
    report.signer = Some(crate::x509::signer_report(cert));
    report.pass("signer-certificate", Some(cert.subject()));
    let spki = match cert_fields(cert.der()) {
        Ok(f) => f.spki,
        Err(e) => {
            report.fail(
                "signer-certificate",
                Indication::TotalFailed,
                SubIndication::FormatFailure,
                e.to_string(),
            );
            return report;
        }
    };

    // Signature algorithm.
    let sig_alg_id = match spki::AlgorithmIdentifierOwned::from_der(si.signature_algorithm) {
        Ok(a) => a,
        Err(e) => {
            report.fail(
                "signature-algorithm",
                Indication::TotalFailed,
                SubIndication::FormatFailure,
                e.to_string(),
            );
            return report;
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
            return report;
        }
    };
    report.signature_algorithm = Some(sig_alg.name());
    if sig_alg.digest() != digest {
        report.fail(
            "signature-algorithm",
            Indication::TotalFailed,
            SubIndication::FormatFailure,
            format!(
                "signature algorithm {} does not use the digest algorithm {}",
                sig_alg.name(),
                digest.name()
            ),
        );
        return report;
    }

    // The digest the signature must cover: content, or the parent's signature value.
    let expected_digest: Option<Vec<u8>> = match parent_signature {
        Some(parent) => Some(digest.digest(parent)),
        None => ctx.digests.and_then(|d| d.get(&digest).cloned()),
    };

    if let Some(signed_bytes) = si.signed_attrs_for_signature() {
        // contentType
        match single_value(si, &oid::CONTENT_TYPE, "contentType") {
            Err(e) => report.fail(
                "content-type",
                Indication::TotalFailed,
                SubIndication::FormatFailure,
                e,
            ),
            Ok(None) if !is_counter => report.fail(
                "content-type",
                Indication::TotalFailed,
                SubIndication::FormatFailure,
                "signed attributes without contentType (RFC 5652 §5.3)",
            ),
            Ok(None) => {}
            Ok(Some(_)) if is_counter => report.fail(
                "content-type",
                Indication::TotalFailed,
                SubIndication::FormatFailure,
                "a counter-signature must not carry contentType (RFC 5652 §11.4)",
            ),
            Ok(Some(v)) => match tlv::read_single(v, "contentType")
                .and_then(|t| ess::decode_oid(t, "contentType"))
            {
                Ok(ct) if ct == ctx.sd.econtent_type => {
                    report.pass("content-type", Some(ct.to_string()))
                }
                Ok(ct) => report.fail(
                    "content-type",
                    Indication::TotalFailed,
                    SubIndication::FormatFailure,
                    format!(
                        "contentType {ct} differs from eContentType {}",
                        ctx.sd.econtent_type
                    ),
                ),
                Err(e) => report.fail(
                    "content-type",
                    Indication::TotalFailed,
                    SubIndication::FormatFailure,
                    e.to_string(),
                ),
            },
        }
        // messageDigest
        match single_value(si, &oid::MESSAGE_DIGEST, "messageDigest") {
            Err(e) => report.fail(
                "message-digest",
                Indication::TotalFailed,
                SubIndication::FormatFailure,
                e,
            ),
            Ok(None) => report.fail(
                "message-digest",
                Indication::TotalFailed,
                SubIndication::FormatFailure,
                "signed attributes without messageDigest",
            ),
            Ok(Some(v)) => match tlv::read_single(v, "messageDigest")
                .and_then(|t| t.expect_tag(tlv::tag::OCTET_STRING, "messageDigest"))
            {
                Err(e) => report.fail(
                    "message-digest",
                    Indication::TotalFailed,
                    SubIndication::FormatFailure,
                    e.to_string(),
                ),
                Ok(md) => match &expected_digest {
                    None => report.fail(
                        "message-digest",
                        Indication::Indeterminate,
                        SubIndication::SignedDataNotFound,
                        "detached signature: the signed content was not given",
                    ),
                    Some(exp) if exp.as_slice() == md.content => {
                        report.pass("message-digest", Some(digest.name().into()))
                    }
                    Some(_) => report.fail(
                        "message-digest",
                        Indication::TotalFailed,
                        SubIndication::HashFailure,
                        if is_counter {
                            "the counter-signed signature value does not match messageDigest"
                        } else {
                            "the content does not match messageDigest"
                        },
                    ),
                },
            },
        }
        // Signature over the original signed attributes, re-tagged as SET.
        match crypto::verify_signature(spki, sig_alg, &signed_bytes, si.signature) {
            Ok(()) => report.pass("signature-value", Some(sig_alg.name())),
            Err(e) => crypto_failure(&mut report, e),
        }
        // signingTime
        match single_value(si, &oid::SIGNING_TIME, "signingTime") {
            Err(e) => report.fail(
                "signing-time",
                Indication::TotalFailed,
                SubIndication::FormatFailure,
                e,
            ),
            Ok(None) => {}
            Ok(Some(v)) => match ess::parse_time(v) {
                Ok(t) => report.claimed_signing_time = Some(ess::rfc3339(&t)),
                Err(e) => report.fail(
                    "signing-time",
                    Indication::TotalFailed,
                    SubIndication::FormatFailure,
                    e.to_string(),
                ),
            },
        }
        // signing-certificate(-v2): the certificate the signer meant is the one used.
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
            Err(e) => report.fail("signing-certificate", Indication::TotalFailed, SubIndication::FormatFailure, e),
            Ok(None) => report.warnings.push(
                "no signing-certificate(-v2) attribute: a plain CMS signature, not CAdES baseline".into(),
            ),
            Ok(Some(refs)) => match refs.first() {
                Some(r) if r.matches(cert.der()) => {
                    report.pass("signing-certificate", Some(format!("ESS reference matches ({})", r.hash_algorithm_oid)));
                    if !is_counter {
                        report.level = Some(Level::BB);
                    }
                }
                Some(_) => report.fail(
                    "signing-certificate",
                    Indication::Indeterminate,
                    SubIndication::NoSignerCertificateFound,
                    "the signing-certificate attribute designates another certificate than the one used",
                ),
                None => report.fail("signing-certificate", Indication::TotalFailed, SubIndication::FormatFailure, "empty ESS certificate list"),
            },
        }
        // Policy and commitment types (reported; the policy document itself is not fetched).
        match single_value(si, &oid::SIG_POLICY_ID, "signature-policy-identifier") {
            Err(e) => report.fail(
                "signature-policy",
                Indication::TotalFailed,
                SubIndication::FormatFailure,
                e,
            ),
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
                Err(e) => report.fail(
                    "signature-policy",
                    Indication::TotalFailed,
                    SubIndication::FormatFailure,
                    e.to_string(),
                ),
            },
        }
        for a in si.signed_attr(&oid::COMMITMENT_TYPE) {
            for v in &a.values {
                match ess::parse_commitment_type(v) {
                    Ok(o) => report.commitment_types.push(o.to_string()),
                    Err(e) => report.fail(
                        "commitment-type",
                        Indication::TotalFailed,
                        SubIndication::FormatFailure,
                        e.to_string(),
                    ),
                }
            }
        }
    } else {
        // No signed attributes: the signature is over the content itself (id-data only).
        report
            .warnings
            .push("no signed attributes: a plain CMS signature, not CAdES".into());
        if !is_counter && ctx.sd.econtent_type != oid::DATA {
            report.fail(
                "content-type",
                Indication::TotalFailed,
                SubIndication::FormatFailure,
                "signed attributes are required when the content type is not id-data",
            );
        }
        match &expected_digest {
            None => report.fail(
                "signature-value",
                Indication::Indeterminate,
                SubIndication::SignedDataNotFound,
                "detached signature: the signed content was not given",
            ),
            Some(d) => match crypto::verify_digest(spki, sig_alg, d, si.signature) {
                Ok(()) => {
                    report.pass("message-digest", Some("signature over the content".into()));
                    report.pass("signature-value", Some(sig_alg.name()));
                }
                Err(VerifyError::BadSignature) => report.fail(
                    "signature-value",
                    Indication::TotalFailed,
                    SubIndication::HashFailure,
                    "the signature does not verify over the content",
                ),
                Err(e) => crypto_failure(&mut report, e),
            },
        }
    }

    // Counter-signatures.
    let counters = si.unsigned_attr(&oid::COUNTER_SIGNATURE);
    let mut n = 0usize;
    for a in counters {
        for v in &a.values {
            n += 1;
            let cid = format!("{id}.C{n}");
            if depth >= MAX_COUNTER_SIGNATURE_DEPTH {
                let mut r = SignatureReport::new(cid);
                r.fail(
                    "counter-signature",
                    Indication::TotalFailed,
                    SubIndication::FormatFailure,
                    "counter-signatures nested too deep",
                );
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
                    r.fail(
                        "counter-signature",
                        Indication::TotalFailed,
                        SubIndication::FormatFailure,
                        e.to_string(),
                    );
                    report.counter_signatures.push(r);
                }
            }
        }
    }

    evaluate_trust(&mut report, cert, ctx);
    report.conclude();
    report
}

/// Trust in the signer certificate: a chain to the trust anchors at the validation time, with
/// the revocation data available. Without a trust store the chain is reported as not evaluated
/// and the signature as INDETERMINATE (NO_CERTIFICATE_CHAIN_FOUND): never TOTAL_PASSED without
/// a trust decision.
fn evaluate_trust(report: &mut SignatureReport, cert: &CertificateDer, ctx: &Ctx<'_>) {
    let Some(store) = &ctx.options.trust else {
        report.trust.evaluated = false;
        report.fail(
            "trust",
            Indication::Indeterminate,
            SubIndication::NoCertificateChainFound,
            "no trust anchors given: the certificate chain was not evaluated",
        );
        return;
    };
    let mut path = PathOptions::at(ctx.options.validation_time.unwrap_or_else(SystemTime::now));
    path.eku = ctx.options.eku.clone();
    path.check_revocation = ctx.options.revocation_policy;
    let result =
        crate::x509::validate_chain_from(cert, ctx.sourced_pool, store, ctx.revocation, &path);
    result.apply_to(report);
}

/// `[1] OtherRevocationInfoFormat ::= SEQUENCE { otherRevInfoFormat OID, otherRevInfo ANY }`:
/// OCSP responses (id-ri-ocsp-response, RFC 5940) are added.
fn other_revocation_info(raw: &[u8], revocation: &mut RevocationData) -> Result<()> {
    const OCSP_RESPONSE: der::asn1::ObjectIdentifier =
        der::asn1::ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.16.2");
    let t = tlv::read_single(raw, "OtherRevocationInfoFormat")?;
    let mut r = t.children();
    let oid = ess::decode_oid(r.read("otherRevInfoFormat")?, "otherRevInfoFormat")?;
    if oid == OCSP_RESPONSE {
        let resp = r.read("otherRevInfo")?;
        revocation.add_ocsp(resp.raw, RevocationSource::Signature)?;
    }
    Ok(())
}

/// The certificate pool (embedded, DSS, caller's) and the revocation data (caller's plus the
/// signature's own) of one verification.
#[allow(clippy::type_complexity)]
fn build_pools(
    sd: &SignedData<'_>,
    options: &VerifyOptions,
    dss_certificates: &[CertificateDer],
    file_warnings: &mut Vec<String>,
) -> (
    Vec<CertificateDer>,
    Vec<(CertificateDer, CertSource)>,
    RevocationData,
) {
    let mut pool: Vec<CertificateDer> = Vec::new();
    for c in &sd.certificates {
        // Only plain certificates (CertificateChoices.certificate); others are skipped.
        if c.first() == Some(&tlv::tag::SEQUENCE) {
            match CertificateDer::from_der(c) {
                Ok(cert) => pool.push(cert),
                Err(e) => {
                    file_warnings.push(format!("an embedded certificate could not be parsed: {e}"))
                }
            }
        }
    }
    let mut sourced_pool: Vec<(CertificateDer, CertSource)> = pool
        .iter()
        .map(|c| (c.clone(), CertSource::Signature))
        .collect();
    sourced_pool.extend(
        dss_certificates
            .iter()
            .map(|c| (c.clone(), CertSource::Dss)),
    );
    sourced_pool.extend(
        options
            .extra_certificates
            .iter()
            .map(|c| (c.clone(), CertSource::Pool)),
    );
    pool.extend(dss_certificates.iter().cloned());
    pool.extend(options.extra_certificates.iter().cloned());
    let mut revocation = options.revocation.clone();
    for crl in &sd.crls {
        // RevocationInfoChoice: a CertificateList (SEQUENCE), or other formats ([1]): OCSP
        // responses in id-ri-ocsp-response are taken, anything else is skipped.
        let added = match crl.first() {
            Some(&tlv::tag::SEQUENCE) => revocation.add_crl(crl, RevocationSource::Signature),
            Some(&tlv::tag::CTX1) => other_revocation_info(crl, &mut revocation),
            _ => Ok(()),
        };
        if let Err(e) = added {
            file_warnings.push(format!("embedded revocation data could not be read: {e}"));
        }
    }
    (pool, sourced_pool, revocation)
}

/// Verifies a `.p7s` (DER or BER). `content` is the signed document for a detached signature
/// (streamed; ignored with a warning for attached ones).
///
/// Returns `Err` only when the input is not a CMS SignedData at all; every problem with a
/// signature is a verdict in the report.
pub fn verify(
    p7s: &[u8],
    content: Option<&mut dyn Read>,
    options: &VerifyOptions,
) -> Result<ValidationReport> {
    let der = tlv::normalize(p7s)?;
    let sd = parse_signed_data(&der)?;
    let mut file_warnings = Vec::new();
    let digests = content_digests(&sd, content, &mut file_warnings)?;
    Ok(verify_signed_data(
        &sd,
        digests.as_ref(),
        &[],
        options,
        file_warnings,
        |_, _| {},
    ))
}

/// Verifies every SignerInfo of `sd` against the content `digests` into a report named
/// `CAdES`: `profile_checks` adds the checks of a profile to each signature's report (which
/// it must then conclude again). `dss_certificates` join the certificate pool as
/// [`CertSource::Dss`]; `file_warnings` are the report's warnings so far.
pub(crate) fn verify_signed_data(
    sd: &SignedData<'_>,
    digests: Option<&ContentDigests>,
    dss_certificates: &[CertificateDer],
    options: &VerifyOptions,
    mut file_warnings: Vec<String>,
    mut profile_checks: impl FnMut(&mut SignatureReport, &SignerInfo<'_>),
) -> ValidationReport {
    let (pool, sourced_pool, revocation) =
        build_pools(sd, options, dss_certificates, &mut file_warnings);
    let ctx = Ctx {
        sd,
        digests,
        pool: &pool,
        sourced_pool: &sourced_pool,
        revocation: &revocation,
        options,
    };
    let mut signatures = Vec::with_capacity(sd.signer_infos.len());
    for (i, si) in sd.signer_infos.iter().enumerate() {
        let mut r = verify_signer_info(&ctx, si, format!("S{}", i + 1), None, 0);
        profile_checks(&mut r, si);
        signatures.push(r);
    }
    let mut report = ValidationReport::new("CAdES", signatures);
    if report.signatures.is_empty() {
        file_warnings.push("the SignedData has no SignerInfo".into());
    }
    report.warnings = file_warnings;
    report
}
