//! Verifying CAdES / CMS signatures into a [`ValidationReport`].
//!
//! The parts:
//! - this file: [`verify()`] and the loop over the SignerInfos it shares with the PDF CMS
//!   profile ([`crate::pades::verify_pdf_cms`]): the digests of the content, the certificate
//!   pool and the revocation data of one verification;
//! - `signer_info`: the verification of one SignerInfo (and its counter-signatures), one
//!   function per step, then trust in its certificate.

use super::parse::{SignedData, SignerInfo, parse_signed_data};
use crate::alg::{self, DigestAlgorithm};
use crate::asn1::ess;
use crate::asn1::tlv;
use crate::error::{Error, Result};
use crate::report::{SignatureReport, ValidationReport};
use crate::verify::VerifyOptions;
use crate::x509::CertificateDer;
use crate::x509::{CertSource, RevocationData, RevocationSource};
use signer_info::verify_signer_info;
pub(crate) use signer_info::{find_certificate, no_trust_anchors};
use std::collections::HashMap;
use std::io::Read;

mod signer_info;
mod timestamps;

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

/// What every SignerInfo of one verification is checked against.
struct Ctx<'a> {
    sd: &'a SignedData<'a>,
    digests: Option<&'a ContentDigests>,
    pool: &'a [CertificateDer],
    sourced_pool: &'a [(CertificateDer, CertSource)],
    revocation: &'a RevocationData,
    options: &'a VerifyOptions,
    /// Inside a timestamp token: its own timestamps are not verified (no recursion), and a
    /// short RSA key is left to the token verifier, which judges it at the token's own proof
    /// of existence.
    in_token: bool,
    /// For a detached signature with archive-time-stamp-v2: per imprint algorithm, a hasher
    /// fed with the encapContentInfo and then the content (see `levels::archive::v2_suffix`).
    archive_v2_prefix: Option<&'a ArchiveV2Prefix>,
}

/// Hashers fed with the encapContentInfo and the detached content, one per algorithm.
pub(crate) type ArchiveV2Prefix = HashMap<DigestAlgorithm, alg::Hasher>;

/// The imprint algorithms of the archive-time-stamp-v2 tokens of `sd`.
fn archive_v2_algorithms(sd: &SignedData<'_>) -> Vec<DigestAlgorithm> {
    let mut algs = Vec::new();
    for si in &sd.signer_infos {
        for a in si.unsigned_attr(&crate::asn1::oid::ARCHIVE_TIMESTAMP_V2) {
            for v in &a.values {
                if let Ok(t) = crate::tsp::TimestampToken::from_der(v)
                    && let Some(alg) = t.imprint_algorithm()
                    && !algs.contains(&alg)
                {
                    algs.push(alg);
                }
            }
        }
    }
    algs
}

/// The detached content streamed once into the SignerInfos' digests and the
/// archive-time-stamp-v2 prefixed hashers.
fn detached_with_v2(
    sd: &SignedData<'_>,
    reader: &mut dyn Read,
    v2: &[DigestAlgorithm],
) -> Result<(ContentDigests, ArchiveV2Prefix)> {
    let algs = signer_digest_algorithms(sd);
    let mut hashers: Vec<alg::Hasher> = algs.iter().map(|a| a.hasher()).collect();
    for a in v2 {
        let mut h = a.hasher();
        h.update(sd.encap_content_info_raw);
        hashers.push(h);
    }
    alg::hash_reader(reader, &mut hashers)
        .map_err(|e| Error::io("reading the signed content", e))?;
    let prefixed = hashers.split_off(algs.len());
    Ok((
        hashers
            .into_iter()
            .map(|h| (h.algorithm(), h.finalize()))
            .collect(),
        prefixed.into_iter().map(|h| (h.algorithm(), h)).collect(),
    ))
}

/// `[1] OtherRevocationInfoFormat ::= SEQUENCE { otherRevInfoFormat OID, otherRevInfo ANY }`:
/// OCSP responses (id-ri-ocsp-response, RFC 5940) are added.
fn other_revocation_info(raw: &[u8], revocation: &mut RevocationData) -> Result<()> {
    let t = tlv::read_single(raw, "OtherRevocationInfoFormat")?;
    let mut r = t.children();
    let oid = ess::decode_oid(r.read("otherRevInfoFormat")?, "otherRevInfoFormat")?;
    if oid == crate::asn1::oid::RI_OCSP_RESPONSE {
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
    let mut file_warnings = Vec::new();
    let der = tlv::normalize(strip_zero_padding(p7s, &mut file_warnings)?)?;
    let sd = parse_signed_data(&der)?;
    let v2 = archive_v2_algorithms(&sd);
    let (digests, prefix) = match (sd.econtent, content) {
        (None, Some(reader)) if !v2.is_empty() => {
            let (d, p) = detached_with_v2(&sd, reader, &v2)?;
            (Some(d), Some(p))
        }
        (_, content) => (content_digests(&sd, content, &mut file_warnings)?, None),
    };
    Ok(verify_signed_data_with(
        &sd,
        digests.as_ref(),
        prefix.as_ref(),
        &[],
        options,
        file_warnings,
        |_, _| {},
    ))
}

/// The CMS without the zero bytes some tools pad a signature file with (the room reserved for
/// it was larger): tolerated with a warning, since no byte of the structure changes; any other
/// byte after the structure is refused by [`tlv::normalize`].
fn strip_zero_padding<'a>(p7s: &'a [u8], warnings: &mut Vec<String>) -> Result<&'a [u8]> {
    let Ok((cms, rest)) = tlv::split_first(p7s) else {
        return Ok(p7s);
    };
    if rest.is_empty() || rest.iter().any(|&b| b != 0) {
        return Ok(p7s);
    }
    warnings.push(format!(
        "tolerated defect (zero-padding): {} zero bytes after the CMS structure were ignored",
        rest.len()
    ));
    Ok(cms)
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
    file_warnings: Vec<String>,
    profile_checks: impl FnMut(&mut SignatureReport, &SignerInfo<'_>),
) -> ValidationReport {
    verify_signed_data_with(
        sd,
        digests,
        None,
        dss_certificates,
        options,
        file_warnings,
        profile_checks,
    )
}

/// [`verify_signed_data`] with the archive-time-stamp-v2 hashers of a detached content.
fn verify_signed_data_with(
    sd: &SignedData<'_>,
    digests: Option<&ContentDigests>,
    archive_v2_prefix: Option<&ArchiveV2Prefix>,
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
        in_token: false,
        archive_v2_prefix,
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

/// Verifies one SignerInfo of an attached SignedData (a timestamp token's) against its
/// eContent, with the CAdES rules: contentType against eContentType, messageDigest against the
/// eContent, the signature over the original signed attributes and the ESS
/// signing-certificate(-v2) reference. `pool` holds the certificates to find the signer in.
/// Trust is not evaluated (the report's `trust` check fails): the caller validates the chain
/// with its own purpose and time. An RSA key shorter than the minimum passes here, noted: the
/// caller judges it with its own dated policy and proof of existence.
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
        in_token: true,
        archive_v2_prefix: None,
    };
    verify_signer_info(&ctx, si, "S1".into(), None, 0)
}
