//! RSASSA-PSS parameters (RFC 4055 §3.1): reading every parameter set the RFC allows (hash,
//! MGF1 hash, salt length, trailer field 1, SHA-1 defaults when a field is absent) and writing
//! the ones sigform signs with.

use super::DigestAlgorithm;
use crate::asn1::oid;
use spki::AlgorithmIdentifierOwned;

/// RSASSA-PSS-params (RFC 4055 §3.1).
///
/// ```asn1
/// RSASSA-PSS-params  ::=  SEQUENCE  {
///     hashAlgorithm      [0] HashAlgorithm DEFAULT sha1Identifier,
///     maskGenAlgorithm   [1] MaskGenAlgorithm DEFAULT mgf1SHA1Identifier,
///     saltLength         [2] INTEGER DEFAULT 20,
///     trailerField       [3] INTEGER DEFAULT 1  }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, der::Sequence)]
pub struct RsaPssParams {
    /// hashAlgorithm.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub hash_algorithm: Option<AlgorithmIdentifierOwned>,
    /// maskGenAlgorithm.
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub mask_gen_algorithm: Option<AlgorithmIdentifierOwned>,
    /// saltLength.
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    pub salt_length: Option<u32>,
    /// trailerField.
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
    pub trailer_field: Option<u32>,
}

/// Why RSASSA-PSS parameters are not usable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PssParamsError {
    /// The hash algorithm is not one we compute.
    #[error("RSASSA-PSS with the unsupported hash {0}")]
    UnknownHash(String),
    /// The mask generation function is not MGF1.
    #[error("RSASSA-PSS with the mask generation function {0} (only MGF1 is defined)")]
    UnknownMgf(String),
    /// MGF1's parameters are missing or not an AlgorithmIdentifier.
    #[error("RSASSA-PSS with malformed MGF1 parameters")]
    MalformedMgf,
    /// The trailer field is not 1 (RFC 4055 §3.1: the only value defined).
    #[error("RSASSA-PSS with trailer field {0} (only 1 is defined)")]
    TrailerField(u32),
}

/// The meaning of an RSASSA-PSS parameter set, defaults applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PssParameters {
    /// The message hash.
    pub digest: DigestAlgorithm,
    /// The hash MGF1 uses.
    pub mgf_digest: DigestAlgorithm,
    /// Salt length in bytes.
    pub salt_len: u32,
}

impl RsaPssParams {
    /// Reads the parameters with the RFC 4055 defaults applied (SHA-1, MGF1-SHA-1, salt 20).
    pub fn resolve(&self) -> Result<PssParameters, PssParamsError> {
        let hash_of = |a: &AlgorithmIdentifierOwned| {
            DigestAlgorithm::from_oid(&a.oid)
                .ok_or_else(|| PssParamsError::UnknownHash(a.oid.to_string()))
        };
        let digest = match &self.hash_algorithm {
            None => DigestAlgorithm::Sha1,
            Some(a) => hash_of(a)?,
        };
        let mgf_digest = match &self.mask_gen_algorithm {
            None => DigestAlgorithm::Sha1,
            Some(m) => {
                if m.oid != oid::MGF1 {
                    return Err(PssParamsError::UnknownMgf(m.oid.to_string()));
                }
                let inner: AlgorithmIdentifierOwned = m
                    .parameters
                    .as_ref()
                    .ok_or(PssParamsError::MalformedMgf)?
                    .decode_as()
                    .map_err(|_| PssParamsError::MalformedMgf)?;
                hash_of(&inner)?
            }
        };
        match self.trailer_field.unwrap_or(1) {
            1 => Ok(PssParameters {
                digest,
                mgf_digest,
                salt_len: self.salt_length.unwrap_or(20),
            }),
            t => Err(PssParamsError::TrailerField(t)),
        }
    }
}

pub(super) fn pss_params_any(
    digest: DigestAlgorithm,
    mgf_digest: DigestAlgorithm,
    salt_len: u32,
) -> der::asn1::Any {
    let params = pss_params_with_mgf(digest, mgf_digest, salt_len);
    // Encoding a structure made of known-good values cannot fail; fall back to NULL (which a
    // verifier rejects) rather than panic if it ever did.
    der::Encode::to_der(&params)
        .ok()
        .and_then(|d| der::asn1::Any::from_der_bytes(&d))
        .unwrap_or_else(der::asn1::Any::null)
}

/// RSASSA-PSS-params for `digest` with MGF1 on the same digest.
pub fn pss_params(digest: DigestAlgorithm, salt_len: u32) -> RsaPssParams {
    pss_params_with_mgf(digest, digest, salt_len)
}

/// RSASSA-PSS-params for `digest` with MGF1 on `mgf_digest`.
pub fn pss_params_with_mgf(
    digest: DigestAlgorithm,
    mgf_digest: DigestAlgorithm,
    salt_len: u32,
) -> RsaPssParams {
    let mgf_inner = mgf_digest.algorithm_identifier();
    let mgf_param = der::Encode::to_der(&mgf_inner)
        .ok()
        .and_then(|d| der::asn1::Any::from_der_bytes(&d));
    RsaPssParams {
        hash_algorithm: Some(digest.algorithm_identifier()),
        mask_gen_algorithm: Some(AlgorithmIdentifierOwned {
            oid: oid::MGF1,
            parameters: mgf_param,
        }),
        salt_length: Some(salt_len),
        trailer_field: None,
    }
}

trait AnyFromDer: Sized {
    fn from_der_bytes(der: &[u8]) -> Option<Self>;
}

impl AnyFromDer for der::asn1::Any {
    fn from_der_bytes(der: &[u8]) -> Option<Self> {
        der::Decode::from_der(der).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_fields_take_the_rfc_4055_defaults() {
        let empty = RsaPssParams {
            hash_algorithm: None,
            mask_gen_algorithm: None,
            salt_length: None,
            trailer_field: None,
        };
        assert_eq!(
            empty.resolve(),
            Ok(PssParameters {
                digest: DigestAlgorithm::Sha1,
                mgf_digest: DigestAlgorithm::Sha1,
                salt_len: 20
            })
        );
        let mut t2 = empty.clone();
        t2.trailer_field = Some(2);
        assert_eq!(t2.resolve(), Err(PssParamsError::TrailerField(2)));
    }

    #[test]
    fn mixed_hashes_roundtrip() {
        let p = pss_params_with_mgf(DigestAlgorithm::Sha256, DigestAlgorithm::Sha512, 7);
        let der = der::Encode::to_der(&p).expect("encode");
        let back: RsaPssParams = der::Decode::from_der(&der).expect("decode");
        assert_eq!(
            back.resolve(),
            Ok(PssParameters {
                digest: DigestAlgorithm::Sha256,
                mgf_digest: DigestAlgorithm::Sha512,
                salt_len: 7
            })
        );
    }
}
