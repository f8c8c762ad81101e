//! CAdES baseline levels above B-B (ETSI EN 319 122-1): creating and extending them.
//!
//! - B-T: a signature-time-stamp (id-aa-signatureTimeStampToken) over the SignerInfo's
//!   signature value ([`add_signature_timestamp`]);
//! - B-LT: the certificates and revocation values of the signer's and the TSAs' chains in the
//!   SignedData's `certificates` and `crls`, OCSP as OtherRevocationInfoFormat
//!   id-ri-ocsp-response ([`add_validation_data`]);
//! - B-LTA: an archive-time-stamp-v3 with its ats-hash-index-v3 (`archive`), over the original
//!   bytes of every element ([`add_archive_timestamp`]); adding one more to a B-LTA signature
//!   renews it.
//!
//! [`extend`] goes from any level to the one asked. The existing SignerInfos keep every byte
//! except their unsignedAttrs, to which attributes are appended. Verification of these levels
//! is in [`mod@crate::cades::verify`].

pub(crate) mod archive;
mod create;

pub use create::{
    TIMESTAMP_DIGEST, ValidationData, add_archive_timestamp, add_signature_timestamp,
    add_validation_data,
};

use crate::asn1::oid;
use crate::asn1::tlv;
use crate::cades::parse::parse_signed_data;
use crate::error::{Error, Result};
use crate::report::Level;
use crate::tsp::TimestampAuthority;
use std::io::Read;

/// Extends `p7s` to `level`: B-T timestamps every SignerInfo that has no signature timestamp
/// yet; B-LT also embeds `data` and the TSAs' certificates; B-LTA also adds an
/// archive-time-stamp-v3 (`content` is needed for a detached signature).
pub fn extend(
    p7s: &[u8],
    level: Level,
    content: Option<&mut dyn Read>,
    tsa: &dyn TimestampAuthority,
    data: &ValidationData,
) -> Result<Vec<u8>> {
    if level == Level::BB {
        return Err(Error::InvalidArgument(
            "extension goes to B-T, B-LT or B-LTA".into(),
        ));
    }
    let mut out = add_signature_timestamp(p7s, None, tsa)?;
    if level >= Level::BLT {
        out = add_validation_data(&out, data)?;
    }
    if level == Level::BLTA {
        out = add_archive_timestamp(&out, content, tsa)?;
    }
    Ok(out)
}

/// The certificates of `p7s` whose revocation status B-LT needs: the SignedData's and those of
/// its timestamp tokens (DER, each once).
pub fn certificates_to_validate(p7s: &[u8]) -> Result<Vec<Vec<u8>>> {
    let der = tlv::normalize(p7s)?;
    let sd = parse_signed_data(&der)?;
    let mut out: Vec<Vec<u8>> = sd
        .certificates
        .iter()
        .filter(|c| c.first() == Some(&tlv::tag::SEQUENCE))
        .map(|c| c.to_vec())
        .collect();
    for si in &sd.signer_infos {
        for a in &si.unsigned_attrs {
            if a.oid != oid::SIGNATURE_TIMESTAMP && a.oid != oid::ARCHIVE_TIMESTAMP_V3 {
                continue;
            }
            for v in &a.values {
                let der = tlv::normalize(v)?;
                let tsd = parse_signed_data(&der)?;
                out.extend(
                    tsd.certificates
                        .iter()
                        .filter(|c| c.first() == Some(&tlv::tag::SEQUENCE))
                        .map(|c| c.to_vec()),
                );
            }
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}
