//! Adding timestamps and validation data to an existing `.p7s` (ours or another tool's): the
//! SignerInfos keep every byte except their unsignedAttrs, to which attributes are appended.

use super::archive;
use crate::alg::DigestAlgorithm;
use crate::asn1::ess::encode_oid;
use crate::asn1::oid;
use crate::asn1::tlv::{self, tag};
use crate::cades::parse::{SignedData, SignerInfo, encode_signed_data, parse_signed_data};
use crate::cades::sign::{add_unsigned_attribute, attribute};
use crate::error::{Error, Result};
use crate::tsp::{TimestampAuthority, TimestampToken};
use crate::x509::{RevocationData, RevocationSource};
use std::io::Read;

/// The digest algorithm of the timestamps sigform requests.
pub const TIMESTAMP_DIGEST: DigestAlgorithm = DigestAlgorithm::Sha256;

/// Validation data to embed for B-LT: certificates, CRLs and OCSP responses (DER).
#[derive(Clone, Debug, Default)]
pub struct ValidationData {
    /// Certificates (DER), e.g. the root and intermediates of the signer's and the TSA's chains.
    pub certificates: Vec<Vec<u8>>,
    /// CRLs (DER `CertificateList`, or PEM `X509 CRL` blocks).
    pub crls: Vec<Vec<u8>>,
    /// OCSP responses (DER `OCSPResponse`), embedded as OtherRevocationInfoFormat
    /// id-ri-ocsp-response (RFC 5940).
    pub ocsp_responses: Vec<Vec<u8>>,
}

impl ValidationData {
    /// True when there is nothing to embed.
    pub fn is_empty(&self) -> bool {
        self.certificates.is_empty() && self.crls.is_empty() && self.ocsp_responses.is_empty()
    }

    /// Checks that every certificate, CRL and OCSP response can be read (so no garbage is
    /// embedded); returns the CRLs as DER (a PEM file split into its blocks).
    pub(crate) fn checked_crls(&self) -> Result<Vec<Vec<u8>>> {
        for c in &self.certificates {
            crate::x509::CertificateDer::from_der(c)?;
        }
        let mut check = RevocationData::new();
        let mut out = Vec::new();
        for c in &self.crls {
            check.add_crl(c, RevocationSource::File)?;
            out.extend(crl_ders(c)?);
        }
        for o in &self.ocsp_responses {
            check.add_ocsp(o, RevocationSource::File)?;
        }
        Ok(out)
    }

    /// Checks the data (see [`Self::checked_crls`]) and returns the `crls` elements to add.
    fn revocation_choices(&self) -> Result<Vec<Vec<u8>>> {
        let mut out = self.checked_crls()?;
        for o in &self.ocsp_responses {
            out.push(tlv::constructed(
                tag::CTX1,
                &[&encode_oid(&oid::RI_OCSP_RESPONSE), o],
            ));
        }
        Ok(out)
    }
}

/// The DER CRLs of `data` (DER, or PEM `X509 CRL` blocks).
fn crl_ders(data: &[u8]) -> Result<Vec<Vec<u8>>> {
    if !crate::x509::pem::looks_like_pem(data) {
        return Ok(vec![data.to_vec()]);
    }
    let text =
        std::str::from_utf8(data).map_err(|_| Error::malformed("CRL", "PEM that is not UTF-8"))?;
    crate::x509::pem::pem_blocks(text, "X509 CRL")
        .into_iter()
        .collect()
}

/// One SignedData's parts, re-emitted with changes.
struct Rebuild {
    certificates: Vec<Vec<u8>>,
    crls: Vec<Vec<u8>>,
    signer_infos: Vec<Vec<u8>>,
}

impl Rebuild {
    fn of(sd: &SignedData<'_>) -> Self {
        Self {
            certificates: sd.certificates.iter().map(|c| c.to_vec()).collect(),
            crls: sd.crls.iter().map(|c| c.to_vec()).collect(),
            signer_infos: sd.signer_infos.iter().map(|s| s.raw.to_vec()).collect(),
        }
    }

    fn encode(self, sd: &SignedData<'_>) -> Vec<u8> {
        // RFC 5652 §5.1: version 5 when an "other" revocation format is present.
        let other = self.crls.iter().any(|c| c.first() == Some(&tag::CTX1));
        let version = if other { 5 } else { sd.version.max(1) };
        encode_signed_data(
            version,
            sd.digest_algorithms.iter().map(|a| a.to_vec()).collect(),
            &sd.econtent_type,
            sd.econtent,
            self.certificates,
            self.crls,
            self.signer_infos,
        )
    }
}

fn parse(p7s: &[u8]) -> Result<Vec<u8>> {
    Ok(tlv::normalize(p7s)?.into_owned())
}

/// The SignerInfos to extend: `Some(i)` that one, `None` all of them.
fn targets(sd: &SignedData<'_>, signer: Option<usize>) -> Result<Vec<usize>> {
    match signer {
        Some(i) if i < sd.signer_infos.len() => Ok(vec![i]),
        Some(i) => Err(Error::InvalidArgument(format!(
            "no SignerInfo {i} (the signature has {})",
            sd.signer_infos.len()
        ))),
        None if sd.signer_infos.is_empty() => Err(Error::InvalidArgument(
            "the SignedData has no SignerInfo to extend".into(),
        )),
        None => Ok((0..sd.signer_infos.len()).collect()),
    }
}

/// Adds a signature-time-stamp (id-aa-signatureTimeStampToken) over the signature value of
/// SignerInfo `signer` (`None`: every SignerInfo that has none yet) from `tsa`.
pub fn add_signature_timestamp(
    p7s: &[u8],
    signer: Option<usize>,
    tsa: &dyn TimestampAuthority,
) -> Result<Vec<u8>> {
    let der = parse(p7s)?;
    let sd = parse_signed_data(&der)?;
    let mut out = Rebuild::of(&sd);
    for i in targets(&sd, signer)? {
        let Some(si) = sd.signer_infos.get(i) else {
            continue;
        };
        if signer.is_none() && !si.unsigned_attr(&oid::SIGNATURE_TIMESTAMP).is_empty() {
            continue;
        }
        let token = tsa.timestamp(TIMESTAMP_DIGEST, &TIMESTAMP_DIGEST.digest(si.signature))?;
        let attr = attribute(&oid::SIGNATURE_TIMESTAMP, token.as_der());
        if let Some(slot) = out.signer_infos.get_mut(i) {
            *slot = add_unsigned_attribute(si, &attr)?;
        }
    }
    Ok(out.encode(&sd))
}

/// Adds validation data (B-LT): the caller's certificates, CRLs and OCSP responses, and the
/// certificates of the timestamp tokens, to `certificates` and `crls` (duplicates dropped).
pub fn add_validation_data(p7s: &[u8], data: &ValidationData) -> Result<Vec<u8>> {
    let der = parse(p7s)?;
    let sd = parse_signed_data(&der)?;
    let mut out = Rebuild::of(&sd);
    out.certificates.extend(data.certificates.iter().cloned());
    out.certificates
        .extend(super::certificates_to_validate(p7s)?);
    out.crls.extend(data.revocation_choices()?);
    Ok(out.encode(&sd))
}

/// The hash of the signed content with `alg`: eContent, or the detached `content`.
fn content_digest(
    sd: &SignedData<'_>,
    content: Option<&mut dyn Read>,
    alg: DigestAlgorithm,
) -> Result<Vec<u8>> {
    match (sd.econtent, content) {
        (Some(c), _) => Ok(alg.digest(c)),
        (None, Some(r)) => alg
            .digest_reader(r)
            .map_err(|e| Error::io("reading the signed content", e)),
        (None, None) => Err(Error::InvalidArgument(
            "the signature is detached: the signed content is needed for an archive timestamp"
                .into(),
        )),
    }
}

/// The token with `index_value` added as the ats-hash-index-v3 unsigned attribute of its
/// SignerInfo (the TSA's signature does not cover unsigned attributes).
fn token_with_index(token: &TimestampToken, index_value: &[u8]) -> Result<Vec<u8>> {
    let der = parse(token.as_der())?;
    let tsd = parse_signed_data(&der)?;
    let [tsi] = tsd.signer_infos.as_slice() else {
        return Err(Error::malformed(
            "timestamp token",
            "exactly one SignerInfo expected",
        ));
    };
    let mut out = Rebuild::of(&tsd);
    out.signer_infos = vec![add_unsigned_attribute(
        tsi,
        &attribute(&oid::ATS_HASH_INDEX_V3, index_value),
    )?];
    Ok(out.encode(&tsd))
}

/// Adds an archive-time-stamp-v3 (B-LTA) to every SignerInfo. `content` is the signed document
/// of a detached signature (unused for an attached one).
pub fn add_archive_timestamp(
    p7s: &[u8],
    content: Option<&mut dyn Read>,
    tsa: &dyn TimestampAuthority,
) -> Result<Vec<u8>> {
    let der = parse(p7s)?;
    let sd = parse_signed_data(&der)?;
    let digest = content_digest(&sd, content, TIMESTAMP_DIGEST)?;
    let mut out = Rebuild::of(&sd);
    for i in targets(&sd, None)? {
        let Some(si) = sd.signer_infos.get(i) else {
            continue;
        };
        let attr = archive_attribute(&sd, si, &digest, tsa)?;
        if let Some(slot) = out.signer_infos.get_mut(i) {
            *slot = add_unsigned_attribute(si, &attr)?;
        }
    }
    Ok(out.encode(&sd))
}

/// One archive-time-stamp-v3 attribute for `si`.
fn archive_attribute(
    sd: &SignedData<'_>,
    si: &SignerInfo<'_>,
    content_digest: &[u8],
    tsa: &dyn TimestampAuthority,
) -> Result<Vec<u8>> {
    let index = archive::build_index(sd, si, TIMESTAMP_DIGEST)?;
    let data = archive::imprint_data(sd, si, content_digest, &index)?;
    let token = tsa.timestamp(TIMESTAMP_DIGEST, &TIMESTAMP_DIGEST.digest(&data))?;
    let token = token_with_index(&token, &index)?;
    Ok(attribute(&oid::ARCHIVE_TIMESTAMP_V3, &token))
}
