//! The legacy `/SubFilter /adbe.x509.rsa_sha1` (ISO 32000-1 §12.8.3.2, deprecated by
//! ISO 32000-2): `/Contents` is a DER OCTET STRING holding a PKCS#1 v1.5 RSA signature over the
//! byte ranges, `/Cert` the signer's certificate (or an array: the signer first, then the
//! chain). There are no signed attributes, so no signing time or signing-certificate binding:
//! it verifies with a "legacy" warning, and its chain is evaluated as for any signature.
//!
//! Despite the name, Acrobat writes SHA-256/384/512 digests under it too; the digest is the
//! one the signature's DigestInfo names (each candidate is tried: PKCS#1 v1.5 binds the digest
//! algorithm in the DigestInfo, so one signature can verify under one algorithm only).

use crate::alg::{DigestAlgorithm, SignatureAlgorithm};
use crate::asn1::cert::cert_fields;
use crate::asn1::tlv;
use crate::cades::verify::{hash_all, no_trust_anchors};
use crate::crypto::{self, VerifyError};
use crate::pdf::{Dictionary, Object};
use crate::report::{Indication, SignatureReport, SubIndication};
use crate::x509::{CertSource, CertificateDer};
use std::io::Read;

/// Most certificates read from `/Cert`.
const MAX_CERTS: usize = 16;

/// The digests tried, most likely first.
const DIGESTS: [DigestAlgorithm; 4] = [
    DigestAlgorithm::Sha1,
    DigestAlgorithm::Sha256,
    DigestAlgorithm::Sha384,
    DigestAlgorithm::Sha512,
];

/// Verifies an `adbe.x509.rsa_sha1` signature: `contents` is the decoded `/Contents`,
/// `ranges` the signed bytes, `dss_certs` the Document Security Store's certificates.
pub(super) fn verify_x509_rsa_sha1(
    d: &Dictionary,
    contents: &[u8],
    ranges: &mut dyn Read,
    dss_certs: &[CertificateDer],
    options: &crate::VerifyOptions,
    report: &mut SignatureReport,
) {
    report.warnings.push(
        "legacy /SubFilter /adbe.x509.rsa_sha1: a bare PKCS#1 signature without signed attributes (no signing-certificate binding, no signed time); deprecated by ISO 32000-2".into(),
    );
    let certs = match read_certs(d) {
        Ok(c) => c,
        Err(e) => {
            report.fail_format("signer-certificate", e);
            return;
        }
    };
    let Some(signer) = certs.first() else {
        report.fail(
            "signer-certificate",
            Indication::Indeterminate,
            SubIndication::NoSignerCertificateFound,
            "/Cert holds no certificate",
        );
        return;
    };
    report.signer = Some(crate::x509::signer_report(signer));
    report.pass("signer-certificate", Some(signer.subject()));
    let sig = match tlv::split_first(contents)
        .and_then(|(el, _)| tlv::read_single(el, "/Contents"))
        .and_then(|t| t.expect_tag(tlv::tag::OCTET_STRING, "/Contents"))
    {
        Ok(t) => t.content.to_vec(),
        Err(e) => {
            report.fail_format(
                "signature-value",
                format!("/Contents is not a DER OCTET STRING holding the PKCS#1 signature: {e}"),
            );
            return;
        }
    };
    let spki = match cert_fields(signer.der()) {
        Ok(f) => f.spki.to_vec(),
        Err(e) => {
            report.fail_format("signer-certificate", e.to_string());
            return;
        }
    };
    let digests = match hash_all(ranges, &DIGESTS) {
        Ok(d) => d,
        Err(e) => {
            report.fail_format("signed-bytes", e.to_string());
            return;
        }
    };
    check_value(&spki, &sig, &digests, report);
    evaluate_chain(signer, &certs, dss_certs, options, report);
}

/// The certificates of `/Cert`: one string, or an array of strings (signer first).
fn read_certs(d: &Dictionary) -> Result<Vec<CertificateDer>, String> {
    let items: Vec<&Object> = match d.get("Cert") {
        None => return Err("no /Cert (the signer's certificate)".into()),
        Some(o @ Object::String(_)) => vec![o],
        Some(Object::Array(a)) => a.iter().take(MAX_CERTS).collect(),
        Some(o) => return Err(format!("/Cert is a {}", o.type_name())),
    };
    items
        .into_iter()
        .map(|o| {
            let s = o
                .as_string()
                .ok_or_else(|| format!("/Cert holds a {}", o.type_name()))?;
            CertificateDer::from_der(&s.bytes).map_err(|e| format!("/Cert: {e}"))
        })
        .collect()
}

/// The PKCS#1 v1.5 signature value over the ranges' digest, under each candidate digest.
fn check_value(
    spki: &[u8],
    sig: &[u8],
    digests: &std::collections::HashMap<DigestAlgorithm, Vec<u8>>,
    report: &mut SignatureReport,
) {
    let mut last = VerifyError::BadSignature;
    for d in DIGESTS {
        let Some(digest) = digests.get(&d) else {
            continue;
        };
        let alg = SignatureAlgorithm::RsaPkcs1v15 { digest: d };
        match crypto::verify_digest(spki, alg, digest, sig) {
            Ok(()) => {
                report.signature_algorithm = Some(alg.name());
                report.digest_algorithm = Some(d.name().into());
                report.pass("signature-value", Some(alg.name()));
                if d == DigestAlgorithm::Sha1 {
                    report
                        .warnings
                        .push("the signature uses SHA-1, a weak digest".into());
                }
                return;
            }
            Err(VerifyError::BadSignature) => {}
            Err(e) => last = e,
        }
    }
    match last {
        VerifyError::BadSignature | VerifyError::AlgorithmKeyMismatch { .. } => report.fail(
            "signature-value",
            Indication::TotalFailed,
            SubIndication::SigCryptoFailure,
            "the PKCS#1 signature does not verify over the byte ranges (SHA-1, SHA-256, SHA-384, SHA-512 tried)",
        ),
        VerifyError::MalformedKey(m) => report.fail_format("signature-value", m),
        e => report.fail(
            "signature-value",
            Indication::Indeterminate,
            SubIndication::CryptoConstraintsFailure,
            e.to_string(),
        ),
    }
}

/// The chain of the signer at the validation time, with `/Cert` and the DSS as intermediates.
fn evaluate_chain(
    signer: &CertificateDer,
    certs: &[CertificateDer],
    dss_certs: &[CertificateDer],
    options: &crate::VerifyOptions,
    report: &mut SignatureReport,
) {
    let Some(store) = &options.trust else {
        no_trust_anchors(report);
        return;
    };
    let pool: Vec<(CertificateDer, CertSource)> = certs
        .iter()
        .map(|c| (c.clone(), CertSource::Signature))
        .chain(dss_certs.iter().map(|c| (c.clone(), CertSource::Dss)))
        .chain(
            options
                .extra_certificates
                .iter()
                .map(|c| (c.clone(), CertSource::Pool)),
        )
        .collect();
    let path = options.signer_path_options();
    crate::x509::validate_chain_from(signer, &pool, store, &options.revocation, &path)
        .apply_to(report);
}
