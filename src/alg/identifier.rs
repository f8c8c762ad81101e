//! Signature AlgorithmIdentifiers (of a SignerInfo, a certificate, a CRL or an OCSP response)
//! read into a [`SignatureAlgorithm`], or the reason they are not accepted.

use super::{DigestAlgorithm, EcCurve, RsaPssParams, SignatureAlgorithm};
use crate::asn1::oid;
use spki::AlgorithmIdentifierOwned;

/// Parses an AlgorithmIdentifier from a SignerInfo or certificate into a [`SignatureAlgorithm`].
///
/// `digest_hint` is the SignerInfo's digestAlgorithm, needed when the signature algorithm is the
/// bare `rsaEncryption` (as OpenSSL writes) or `id-ecPublicKey`; `curve` comes from the key.
pub fn signature_algorithm_from_identifier(
    alg: &AlgorithmIdentifierOwned,
    digest_hint: Option<DigestAlgorithm>,
    curve: Option<EcCurve>,
) -> Result<SignatureAlgorithm, UnsupportedAlgorithm> {
    let unsupported = || UnsupportedAlgorithm(alg.oid.to_string());
    let ec = |digest| match curve {
        Some(curve) => Ok(SignatureAlgorithm::Ecdsa { curve, digest }),
        None => Err(UnsupportedAlgorithm(format!(
            "{} without an EC key",
            alg.oid
        ))),
    };
    let by_oid = |make: fn(DigestAlgorithm) -> SignatureAlgorithm| {
        DigestAlgorithm::ALL
            .into_iter()
            .find(|d| make(*d).oid() == alg.oid)
    };
    let rsa_of = |digest| SignatureAlgorithm::RsaPkcs1v15 { digest };
    let ecdsa_of = |digest| SignatureAlgorithm::Ecdsa {
        curve: EcCurve::P256,
        digest,
    };
    match alg.oid {
        o if o == oid::RSA_ENCRYPTION => Ok(rsa_of(digest_hint.ok_or_else(unsupported)?)),
        o if o == oid::EC_PUBLIC_KEY => ec(digest_hint.ok_or_else(unsupported)?),
        o if o == oid::RSASSA_PSS => rsa_pss_from_parameters(alg.parameters.as_ref()),
        o if o == oid::ED25519 => match alg.parameters {
            None => Ok(SignatureAlgorithm::Ed25519),
            Some(_) => Err(UnsupportedAlgorithm(
                "Ed25519 with parameters (RFC 8410 §3: they must be absent)".into(),
            )),
        },
        o if o == oid::ED448 => Err(UnsupportedAlgorithm(
            "Ed448 (1.3.101.113): not verified, no maintained pure-Rust implementation is released"
                .into(),
        )),
        o if o == oid::MD5_WITH_RSA => Err(UnsupportedAlgorithm(
            "md5WithRSAEncryption (MD5 is refused)".into(),
        )),
        _ => {
            if let Some(d) = by_oid(rsa_of) {
                Ok(rsa_of(d))
            } else if let Some(d) = by_oid(ecdsa_of) {
                ec(d)
            } else {
                Err(unsupported())
            }
        }
    }
}

/// RSASSA-PSS from its AlgorithmIdentifier parameters: required with a signature (RFC 4055
/// §3.1), every field may take its default.
fn rsa_pss_from_parameters(
    parameters: Option<&der::asn1::Any>,
) -> Result<SignatureAlgorithm, UnsupportedAlgorithm> {
    let params: RsaPssParams = parameters
        .ok_or_else(|| {
            UnsupportedAlgorithm(
                "RSASSA-PSS without parameters (RFC 4055 §3.1 requires them with a signature)"
                    .into(),
            )
        })?
        .decode_as()
        .map_err(|_| UnsupportedAlgorithm("malformed RSASSA-PSS parameters".into()))?;
    let p = params
        .resolve()
        .map_err(|e| UnsupportedAlgorithm(e.to_string()))?;
    Ok(if p.mgf_digest == p.digest {
        SignatureAlgorithm::RsaPss {
            digest: p.digest,
            salt_len: p.salt_len,
        }
    } else {
        SignatureAlgorithm::RsaPssMgf {
            digest: p.digest,
            mgf_digest: p.mgf_digest,
            salt_len: p.salt_len,
        }
    })
}

/// An algorithm the policy does not know or refuses; carries the OID or a description.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unsupported algorithm {0}")]
pub struct UnsupportedAlgorithm(pub String);
