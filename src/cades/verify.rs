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
use crate::x509::{
    CertSource, EkuPolicy, PathOptions, RevocationData, RevocationPolicy, RevocationSource,
    TrustStore,
};
use der::Decode;
use std::collections::HashMap;
use std::io::Read;
use std::time::SystemTime;

/// Options for verification.
#[derive(Clone, Debug, Default)]
pub struct VerifyOptions {
    /// Trust anchors. Without them the chain is not evaluated and no signature is TOTAL_PASSED.
    pub trust: Option<TrustStore>,
    /// Extra certificates to find signers and build chains with (besides the embedded ones).
    pub extra_certificates: Vec<CertificateDer>,
    /// CRLs and OCSP responses given by the user (those inside the signature are added).
    pub revocation: RevocationData,
    /// The time at which certificates are validated (default: now).
    pub validation_time: Option<SystemTime>,
    /// Extended key usage the signer certificate must allow (default: document signing).
    pub eku: EkuPolicy,
    /// Revocation policy (default: use the data available; none is not a failure).
    pub revocation_policy: RevocationPolicy,
}

/// Digests of the content, one per digest algorithm the SignerInfos use.
type ContentDigests = HashMap<DigestAlgorithm, Vec<u8>>;

/// The digest algorithms the SignerInfos name (each once, unknown ones skipped).
fn signer_digest_algorithms(sd: &SignedData<'_>) -> Vec<DigestAlgorithm> {
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
fn hash_all(reader: &mut dyn Read, algs: &[DigestAlgorithm]) -> Result<ContentDigests> {
    let mut hashers: Vec<alg::Hasher> = algs.iter().map(|a| a.hasher()).collect();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::io("reading the signed content", e)),
        };
        let chunk = buf.get(..n).unwrap_or_default();
        for h in &mut hashers {
            h.update(chunk);
        }
    }
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
    let (pool, sourced_pool, revocation) = build_pools(&sd, options, &[], &mut file_warnings);
    let ctx = Ctx {
        sd: &sd,
        digests: digests.as_ref(),
        pool: &pool,
        sourced_pool: &sourced_pool,
        revocation: &revocation,
        options,
    };
    let signatures: Vec<SignatureReport> = sd
        .signer_infos
        .iter()
        .enumerate()
        .map(|(i, si)| verify_signer_info(&ctx, si, format!("S{}", i + 1), None, 0))
        .collect();
    let mut report = ValidationReport::new("CAdES", signatures);
    if report.signatures.is_empty() {
        file_warnings.push("the SignedData has no SignerInfo".into());
    }
    report.warnings = file_warnings;
    Ok(report)
}

/// Verifies one SignerInfo of an attached SignedData (a timestamp token's) against its
/// eContent, with the CAdES rules: contentType against eContentType, messageDigest against the
/// eContent, the signature over the original signed attributes and the ESS
/// signing-certificate(-v2) reference. `pool` holds the certificates to find the signer in.
/// Trust is not evaluated (the report's `trust` check fails): the caller validates the chain
/// with its own purpose and time.
pub(crate) fn verify_attached_signer(
    sd: &SignedData<'_>,
    si: &SignerInfo<'_>,
    pool: &[CertificateDer],
) -> SignatureReport {
    let digests: ContentDigests = match sd.econtent {
        Some(c) => signer_digest_algorithms(sd)
            .into_iter()
            .map(|a| (a, a.digest(c)))
            .collect(),
        None => ContentDigests::new(),
    };
    let revocation = RevocationData::new();
    let options = VerifyOptions::default();
    let ctx = Ctx {
        sd,
        digests: Some(&digests),
        pool,
        sourced_pool: &[],
        revocation: &revocation,
        options: &options,
    };
    verify_signer_info(&ctx, si, "S1".into(), None, 0)
}

/// How the CMS of a PDF signature relates to the signed byte ranges: the `/SubFilter` of the
/// signature dictionary (ISO 32000-2 §12.8.3, ETSI EN 319 142-1 §6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PdfCmsProfile {
    /// `adbe.pkcs7.detached`: a detached CMS whose messageDigest (or, without signed
    /// attributes, whose signature) covers the ranges.
    AdbePkcs7Detached,
    /// `ETSI.CAdES.detached`: as `adbe.pkcs7.detached`, plus the PAdES baseline rules:
    /// signing-certificate-v2 required (signing-certificate accepted with a warning), a
    /// signingTime attribute reported as non-conformant (the claimed time is the PDF's `/M`).
    EtsiCadesDetached,
    /// `adbe.pkcs7.sha1` (legacy): the CMS encapsulates the SHA-1 digest of the ranges.
    AdbePkcs7Sha1,
    /// `ETSI.RFC3161` (document timestamp): the CMS is a timestamp token whose TSTInfo
    /// messageImprint is the digest of the ranges. The signer must be a timestamping
    /// authority (extended key usage id-kp-timeStamping).
    DocumentTimestamp,
}

impl PdfCmsProfile {
    /// The `/SubFilter` name.
    pub fn subfilter(self) -> &'static str {
        match self {
            Self::AdbePkcs7Detached => "adbe.pkcs7.detached",
            Self::EtsiCadesDetached => "ETSI.CAdES.detached",
            Self::AdbePkcs7Sha1 => "adbe.pkcs7.sha1",
            Self::DocumentTimestamp => "ETSI.RFC3161",
        }
    }
}

/// What a timestamp token's TSTInfo says (RFC 3161 §2.4.2).
struct TstInfo {
    imprint_oid: der::asn1::ObjectIdentifier,
    imprint: Vec<u8>,
    gen_time: Option<String>,
}

/// `TSTInfo ::= SEQUENCE { version, policy, messageImprint SEQUENCE { hashAlgorithm,
/// hashedMessage OCTET STRING }, serialNumber, genTime GeneralizedTime, ... }`
fn parse_tst_info(econtent: &[u8]) -> Result<TstInfo> {
    const W: &str = "TSTInfo";
    let t = tlv::read_single(econtent, W)?.expect_tag(tlv::tag::SEQUENCE, W)?;
    let mut r = t.children();
    r.read_expect(tlv::tag::INTEGER, W)?;
    r.read_expect(tlv::tag::OID, W)?;
    let mi = r.read_expect(tlv::tag::SEQUENCE, "messageImprint")?;
    let mut m = mi.children();
    let alg = m.read_expect(tlv::tag::SEQUENCE, "messageImprint")?;
    let imprint_oid = ess::algorithm_oid(alg.raw, "messageImprint")?;
    let hashed = m.read_expect(tlv::tag::OCTET_STRING, "messageImprint")?;
    m.finish("messageImprint")?;
    r.read_expect(tlv::tag::INTEGER, W)?;
    let gen_el = r.read_expect(tlv::tag::GENERALIZED_TIME, "genTime")?;
    let gen_time = ess::parse_time(gen_el.raw).ok().map(|d| ess::rfc3339(&d));
    Ok(TstInfo {
        imprint_oid,
        imprint: hashed.content.to_vec(),
        gen_time,
    })
}

/// Verifies the CMS of a PDF signature (`p7s`, without the `/Contents` padding) over the
/// signed byte ranges, read once from `signed_ranges`, with the rules of `profile`.
/// `dss_certificates` are the PDF's Document Security Store certificates (offered to the path
/// builder as [`CertSource::Dss`]); add the DSS revocation data to `options.revocation`.
///
/// Returns `Err` only when `p7s` is not a CMS SignedData at all (or reading the ranges fails);
/// every problem with a signature is a verdict in the report, one entry per SignerInfo.
pub fn verify_pdf_cms(
    p7s: &[u8],
    signed_ranges: &mut dyn Read,
    profile: PdfCmsProfile,
    dss_certificates: &[CertificateDer],
    options: &VerifyOptions,
) -> Result<ValidationReport> {
    let der = tlv::normalize(p7s)?;
    let sd = parse_signed_data(&der)?;
    let mut file_warnings = Vec::new();
    let signer_algs = signer_digest_algorithms(&sd);
    let mut algs = signer_algs.clone();
    let tst = match (profile, sd.econtent) {
        (PdfCmsProfile::DocumentTimestamp, Some(c)) if sd.econtent_type == oid::TST_INFO => {
            Some(parse_tst_info(c))
        }
        _ => None,
    };
    let imprint_alg = match &tst {
        Some(Ok(t)) => DigestAlgorithm::from_oid(&t.imprint_oid),
        _ => None,
    };
    for a in [
        (profile == PdfCmsProfile::AdbePkcs7Sha1).then_some(DigestAlgorithm::Sha1),
        imprint_alg,
    ]
    .into_iter()
    .flatten()
    {
        if !algs.contains(&a) {
            algs.push(a);
        }
    }
    let range_digests = hash_all(signed_ranges, &algs)?;
    let attached = matches!(
        profile,
        PdfCmsProfile::AdbePkcs7Sha1 | PdfCmsProfile::DocumentTimestamp
    );
    let digests: ContentDigests = if attached {
        match sd.econtent {
            Some(c) => signer_algs.iter().map(|a| (*a, a.digest(c))).collect(),
            None => ContentDigests::new(),
        }
    } else {
        range_digests.clone()
    };
    let (pool, sourced_pool, revocation) =
        build_pools(&sd, options, dss_certificates, &mut file_warnings);
    let mut opts = options.clone();
    if profile == PdfCmsProfile::DocumentTimestamp {
        opts.eku = crate::x509::EkuPolicy::Require(vec![crate::x509::oid::KP_TIME_STAMPING]);
    }
    let ctx = Ctx {
        sd: &sd,
        digests: Some(&digests),
        pool: &pool,
        sourced_pool: &sourced_pool,
        revocation: &revocation,
        options: &opts,
    };
    let mut signatures = Vec::with_capacity(sd.signer_infos.len());
    for (i, si) in sd.signer_infos.iter().enumerate() {
        let mut r = verify_signer_info(&ctx, si, format!("S{}", i + 1), None, 0);
        pdf_profile_checks(&mut r, si, &sd, profile, &range_digests, tst.as_ref());
        r.conclude();
        signatures.push(r);
    }
    let mut report = ValidationReport::new("CAdES", signatures);
    if report.signatures.is_empty() {
        file_warnings.push("the SignedData has no SignerInfo".into());
    }
    report.warnings = file_warnings;
    Ok(report)
}

/// The checks a PDF `/SubFilter` adds to the CMS ones.
fn pdf_profile_checks(
    r: &mut SignatureReport,
    si: &SignerInfo<'_>,
    sd: &SignedData<'_>,
    profile: PdfCmsProfile,
    range_digests: &ContentDigests,
    tst: Option<&Result<TstInfo>>,
) {
    let name = profile.subfilter();
    match profile {
        PdfCmsProfile::AdbePkcs7Detached | PdfCmsProfile::EtsiCadesDetached => {
            if sd.econtent.is_some() {
                r.fail(
                    "pdf-detached",
                    Indication::TotalFailed,
                    SubIndication::FormatFailure,
                    format!(
                        "a {name} signature must be detached, but the CMS encapsulates content"
                    ),
                );
            } else {
                r.pass(
                    "pdf-detached",
                    Some(format!("{name}: detached CMS over the byte ranges")),
                );
            }
        }
        PdfCmsProfile::AdbePkcs7Sha1 => {
            r.warnings.push(
                "adbe.pkcs7.sha1 is a legacy SubFilter: the CMS signs a SHA-1 digest of the document".into(),
            );
            let expected = range_digests.get(&DigestAlgorithm::Sha1);
            match (sd.econtent, expected) {
                (Some(c), Some(d)) if sd.econtent_type == oid::DATA && c == d.as_slice() => r.pass(
                    "pdf-sha1-digest",
                    Some("the encapsulated SHA-1 digest matches the byte ranges".into()),
                ),
                (Some(_), _) if sd.econtent_type != oid::DATA => r.fail(
                    "pdf-sha1-digest",
                    Indication::TotalFailed,
                    SubIndication::FormatFailure,
                    format!(
                        "adbe.pkcs7.sha1 needs id-data content, found {}",
                        sd.econtent_type
                    ),
                ),
                (Some(_), _) => r.fail(
                    "pdf-sha1-digest",
                    Indication::TotalFailed,
                    SubIndication::HashFailure,
                    "the encapsulated SHA-1 digest does not match the byte ranges",
                ),
                (None, _) => r.fail(
                    "pdf-sha1-digest",
                    Indication::TotalFailed,
                    SubIndication::FormatFailure,
                    "adbe.pkcs7.sha1 needs the SHA-1 digest encapsulated in the CMS",
                ),
            }
        }
        PdfCmsProfile::DocumentTimestamp => {
            r.level = None;
            match tst {
                None => r.fail(
                    "message-imprint",
                    Indication::TotalFailed,
                    SubIndication::FormatFailure,
                    format!(
                        "a document timestamp must encapsulate a TSTInfo (id-ct-TSTInfo), found {}",
                        sd.econtent_type
                    ),
                ),
                Some(Err(e)) => r.fail(
                    "message-imprint",
                    Indication::TotalFailed,
                    SubIndication::FormatFailure,
                    e.to_string(),
                ),
                Some(Ok(t)) => {
                    if let Some(g) = &t.gen_time {
                        r.timestamp_time = Some(g.clone());
                    }
                    match DigestAlgorithm::from_oid(&t.imprint_oid) {
                        None => r.fail(
                            "message-imprint",
                            Indication::Indeterminate,
                            SubIndication::CryptoConstraintsFailure,
                            format!("unsupported messageImprint algorithm {}", t.imprint_oid),
                        ),
                        Some(a) => match range_digests.get(&a) {
                            Some(d) if *d == t.imprint => r.pass(
                                "message-imprint",
                                Some(format!(
                                    "the timestamp covers the byte ranges ({})",
                                    a.name()
                                )),
                            ),
                            _ => r.fail(
                                "message-imprint",
                                Indication::TotalFailed,
                                SubIndication::HashFailure,
                                "the timestamp's messageImprint does not match the byte ranges",
                            ),
                        },
                    }
                }
            }
        }
    }
    if profile == PdfCmsProfile::EtsiCadesDetached {
        if !si.signed_attr(&oid::SIGNING_TIME).is_empty() {
            r.warnings.push(
                "ETSI.CAdES.detached with a signingTime attribute: not PAdES baseline (ETSI EN 319 142-1 §6.3: the claimed time belongs in /M)".into(),
            );
        }
        let v2 = !si.signed_attr(&oid::SIGNING_CERTIFICATE_V2).is_empty();
        let v1 = !si.signed_attr(&oid::SIGNING_CERTIFICATE).is_empty();
        if !v2 && !v1 {
            r.fail(
                "pades-signing-certificate",
                Indication::TotalFailed,
                SubIndication::FormatFailure,
                "ETSI.CAdES.detached requires the signing-certificate-v2 attribute (ETSI EN 319 142-1 §6.3)",
            );
        } else if !v2 {
            r.warnings.push(
                "ETSI.CAdES.detached with the old signing-certificate attribute (SHA-1) instead of signing-certificate-v2".into(),
            );
        }
    }
}
