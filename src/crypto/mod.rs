//! Signature verification primitives shared by the CMS, timestamp and certificate verifiers.
//!
//! One entry point, [`verify_signature`]: a public key (SubjectPublicKeyInfo DER), an algorithm,
//! the signed message and the signature value. The algorithm policy is applied here: MD5 never
//! reaches this function (it has no [`crate::alg::DigestAlgorithm`]), RSA keys under 2048 bits
//! and unsupported curves fail with their own error.
//!
//! EdDSA (Ed25519) signs the message itself: [`verify_signature`] handles it, [`verify_digest`]
//! cannot. RSASSA-PSS is checked by `pss` (any hash, MGF1 hash and salt length).
//!
//! [`ecdsa_raw_to_der`] is the one conversion of raw fixed-width `r‖s` ECDSA signatures (as
//! PKCS#11 tokens and WebCrypto return them) into the DER `Ecdsa-Sig-Value` CMS carries.

use crate::alg::{EcCurve, MIN_RSA_BITS, SignatureAlgorithm, with_digest, with_ecdsa_signature};
use crate::asn1::oid;
use der::Decode;

mod pss;
use rsa::traits::PublicKeyParts;
use signature::hazmat::PrehashVerifier;
use spki::{DecodePublicKey, SubjectPublicKeyInfoRef};

/// Largest RSA modulus we accept (bounds the cost of hostile keys).
pub const MAX_RSA_BITS: usize = 16384;

/// Why a signature did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The signature value does not match.
    #[error("signature value does not verify")]
    BadSignature,
    /// The public key cannot be parsed.
    #[error("malformed public key: {0}")]
    MalformedKey(String),
    /// The algorithm does not fit the key (e.g. ECDSA with an RSA key).
    #[error("algorithm {algorithm} does not fit a {key} key")]
    AlgorithmKeyMismatch {
        /// The algorithm.
        algorithm: String,
        /// The key type.
        key: String,
    },
    /// The key is weaker than the policy allows.
    #[error("RSA key of {bits} bits is below the {min}-bit minimum")]
    WeakKey {
        /// The key's size.
        bits: usize,
        /// The minimum.
        min: usize,
    },
    /// The key type or curve is not supported.
    #[error("unsupported public key: {0}")]
    UnsupportedKey(String),
    /// The algorithm signs the whole message (EdDSA) but only its digest is at hand.
    #[error("{0} signs the message itself, and only its digest is available")]
    MessageRequired(String),
}

/// The kind and size of a public key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublicKeyKind {
    /// RSA with the modulus size in bits.
    Rsa(usize),
    /// EC on a supported curve.
    Ec(EcCurve),
    /// Ed25519 (RFC 8410).
    Ed25519,
}

impl std::fmt::Display for PublicKeyKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Rsa(bits) => write!(f, "RSA-{bits}"),
            Self::Ec(c) => write!(f, "EC-{}", c.name()),
            Self::Ed25519 => f.write_str("Ed25519"),
        }
    }
}

enum PublicKey {
    Rsa(rsa::PublicKey),
    P256(p256::ecdsa::VerifyingKey),
    P384(p384::ecdsa::VerifyingKey),
    P521(p521::ecdsa::VerifyingKey),
    Ed25519(ed25519_dalek::VerifyingKey),
}

fn parse_public_key(spki_der: &[u8]) -> Result<PublicKey, VerifyError> {
    let spki = SubjectPublicKeyInfoRef::from_der(spki_der)
        .map_err(|e| VerifyError::MalformedKey(e.to_string()))?;
    let alg = spki.algorithm.oid;
    if alg == oid::RSA_ENCRYPTION || alg == oid::RSASSA_PSS {
        // rsa's decoder only knows rsaEncryption; a PSS-restricted key has the same body.
        let raw = spki.subject_public_key.raw_bytes();
        let key = pkcs1::RsaPublicKey::<der::asn1::UintRef<'_>>::from_der(raw)
            .map_err(|e| VerifyError::MalformedKey(format!("RSA: {e}")))?;
        let n = rsa::BoxedUint::from_be_slice_vartime(key.modulus.as_bytes());
        let e = rsa::BoxedUint::from_be_slice_vartime(key.public_exponent.as_bytes());
        let pk = rsa::PublicKey::new_with_size_limits(n, e, 256..=MAX_RSA_BITS)
            .map_err(|e| VerifyError::MalformedKey(format!("RSA: {e}")))?;
        Ok(PublicKey::Rsa(pk))
    } else if alg == oid::EC_PUBLIC_KEY {
        let curve = EcCurve::named_by(&spki.algorithm)
            .map_err(|e| VerifyError::UnsupportedKey(e.to_string()))?;
        let key = match curve {
            EcCurve::P256 => {
                p256::ecdsa::VerifyingKey::from_public_key_der(spki_der).map(PublicKey::P256)
            }
            EcCurve::P384 => {
                p384::ecdsa::VerifyingKey::from_public_key_der(spki_der).map(PublicKey::P384)
            }
            EcCurve::P521 => {
                p521::ecdsa::VerifyingKey::from_public_key_der(spki_der).map(PublicKey::P521)
            }
        };
        key.map_err(|e| VerifyError::MalformedKey(format!("{}: {e}", curve.name())))
    } else if alg == oid::ED25519 {
        // RFC 8410 §3: parameters absent, the key is the 32-byte encoding of the point.
        if spki.algorithm.parameters.is_some() {
            return Err(VerifyError::MalformedKey(
                "Ed25519 key with parameters".into(),
            ));
        }
        let raw: &[u8; 32] = spki
            .subject_public_key
            .as_bytes()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| VerifyError::MalformedKey("Ed25519 key is not 32 bytes".into()))?;
        ed25519_dalek::VerifyingKey::from_bytes(raw)
            .map(PublicKey::Ed25519)
            .map_err(|e| VerifyError::MalformedKey(format!("Ed25519: {e}")))
    } else if alg == oid::ED448 {
        Err(VerifyError::UnsupportedKey(
            "Ed448 (no maintained pure-Rust implementation is released)".into(),
        ))
    } else {
        Err(VerifyError::UnsupportedKey(format!("algorithm {alg}")))
    }
}

impl PublicKey {
    /// The kind and size of this key.
    fn kind(&self) -> PublicKeyKind {
        match self {
            Self::Rsa(k) => PublicKeyKind::Rsa(k.n().bit_width_vartime() as usize),
            Self::P256(_) => PublicKeyKind::Ec(EcCurve::P256),
            Self::P384(_) => PublicKeyKind::Ec(EcCurve::P384),
            Self::P521(_) => PublicKeyKind::Ec(EcCurve::P521),
            Self::Ed25519(_) => PublicKeyKind::Ed25519,
        }
    }
}

/// The kind and size of the key in `spki_der` (SubjectPublicKeyInfo).
pub fn public_key_kind(spki_der: &[u8]) -> Result<PublicKeyKind, VerifyError> {
    Ok(parse_public_key(spki_der)?.kind())
}

/// Verifies `signature` over `message` (hashed here with `alg.digest()`, except for EdDSA,
/// which signs the message itself).
pub fn verify_signature(
    spki_der: &[u8],
    alg: SignatureAlgorithm,
    message: &[u8],
    signature: &[u8],
) -> Result<(), VerifyError> {
    if alg == SignatureAlgorithm::Ed25519 {
        return match parse_public_key(spki_der)? {
            PublicKey::Ed25519(k) => {
                let sig = ed25519_dalek::Signature::from_slice(signature)
                    .map_err(|_| VerifyError::BadSignature)?;
                k.verify_strict(message, &sig)
                    .map_err(|_| VerifyError::BadSignature)
            }
            other => Err(VerifyError::AlgorithmKeyMismatch {
                algorithm: alg.name(),
                key: other.kind().to_string(),
            }),
        };
    }
    let digest = alg.digest().digest(message);
    verify_digest(spki_der, alg, &digest, signature)
}

/// Verifies `signature` over a message whose digest (with `alg.digest()`) is `digest`. An RSA
/// key shorter than [`MIN_RSA_BITS`] gives [`VerifyError::WeakKey`] only once the value has
/// verified (a value that does not is [`VerifyError::BadSignature`] whatever the key).
pub fn verify_digest(
    spki_der: &[u8],
    alg: SignatureAlgorithm,
    digest: &[u8],
    signature: &[u8],
) -> Result<(), VerifyError> {
    if digest.len() != alg.digest().output_len() {
        return Err(VerifyError::BadSignature);
    }
    let key = parse_public_key(spki_der)?;
    match (&key, alg) {
        (PublicKey::Rsa(k), SignatureAlgorithm::RsaPkcs1v15 { digest: d }) => {
            // The mathematics first: a value that does not verify is a bad signature whatever
            // the key (EN 319 102-1 checks the cryptography before the constraints).
            let scheme = with_digest!(d, D => rsa::Pkcs1v15Sign::new::<D>());
            k.verify(scheme, digest, signature)
                .map_err(|_| VerifyError::BadSignature)?;
            check_rsa_size(k)
        }
        (
            PublicKey::Rsa(k),
            SignatureAlgorithm::RsaPss { .. } | SignatureAlgorithm::RsaPssMgf { .. },
        ) => {
            let p = alg.pss_parameters().ok_or(VerifyError::BadSignature)?;
            pss::verify_pss(k, p, digest, signature)?;
            check_rsa_size(k)
        }
        (
            PublicKey::P256(k),
            SignatureAlgorithm::Ecdsa {
                curve: EcCurve::P256,
                ..
            },
        ) => verify_ecdsa(k, p256::ecdsa::Signature::from_der, digest, signature),
        (
            PublicKey::P384(k),
            SignatureAlgorithm::Ecdsa {
                curve: EcCurve::P384,
                ..
            },
        ) => verify_ecdsa(k, p384::ecdsa::Signature::from_der, digest, signature),
        (
            PublicKey::P521(k),
            SignatureAlgorithm::Ecdsa {
                curve: EcCurve::P521,
                ..
            },
        ) => verify_ecdsa(k, p521::ecdsa::Signature::from_der, digest, signature),
        (PublicKey::Ed25519(_), SignatureAlgorithm::Ed25519) => {
            Err(VerifyError::MessageRequired(alg.name()))
        }
        _ => Err(VerifyError::AlgorithmKeyMismatch {
            algorithm: alg.name(),
            key: key.kind().to_string(),
        }),
    }
}

/// Verifies the DER ECDSA `signature` (read with `from_der`) over the prehashed `digest`.
fn verify_ecdsa<S, E>(
    key: &impl PrehashVerifier<S>,
    from_der: fn(&[u8]) -> Result<S, E>,
    digest: &[u8],
    signature: &[u8],
) -> Result<(), VerifyError> {
    let sig = from_der(signature).map_err(|_| VerifyError::BadSignature)?;
    key.verify_prehash(digest, &sig)
        .map_err(|_| VerifyError::BadSignature)
}

fn check_rsa_size(k: &rsa::PublicKey) -> Result<(), VerifyError> {
    let bits = k.n().bit_width_vartime() as usize;
    if bits < MIN_RSA_BITS {
        return Err(VerifyError::WeakKey {
            bits,
            min: MIN_RSA_BITS,
        });
    }
    Ok(())
}

/// The curve of an EC key, used to interpret `id-ecPublicKey`-style algorithm identifiers.
pub fn ec_curve_of(spki_der: &[u8]) -> Option<EcCurve> {
    match public_key_kind(spki_der) {
        Ok(PublicKeyKind::Ec(c)) => Some(c),
        _ => None,
    }
}

/// Why raw `r‖s` ECDSA signature bytes cannot be turned into DER.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RawEcdsaError {
    /// The bytes are not exactly twice the curve's scalar length.
    #[error("a raw {curve} ECDSA signature has {expected} bytes, not {actual}")]
    WrongLength {
        /// The curve's name.
        curve: &'static str,
        /// `2 ×` the scalar length.
        expected: usize,
        /// The length given.
        actual: usize,
    },
    /// `r` or `s` is zero or not below the curve order.
    #[error("r or s is zero or not below the curve order")]
    ScalarOutOfRange,
}

/// The length of a raw `r‖s` ECDSA signature on `curve`: twice the length of its order.
pub fn ecdsa_raw_len(curve: EcCurve) -> usize {
    match curve {
        EcCurve::P256 => 64,
        EcCurve::P384 => 96,
        EcCurve::P521 => 132,
    }
}

/// True when `sig` is a DER `Ecdsa-Sig-Value` (strict DER, scalars in range) for `curve`.
pub fn ecdsa_is_der(curve: EcCurve, sig: &[u8]) -> bool {
    with_ecdsa_signature!(curve, S => S::from_der(sig).is_ok())
}

/// Turns a raw fixed-width ECDSA signature (`r‖s`, each as long as the curve order, as PKCS#11
/// tokens and WebCrypto return it) into a DER `Ecdsa-Sig-Value` (`SEQUENCE { r INTEGER,
/// s INTEGER }`, minimal INTEGERs).
///
/// # Errors
/// [`RawEcdsaError::WrongLength`] unless `raw` has [`ecdsa_raw_len`] bytes;
/// [`RawEcdsaError::ScalarOutOfRange`] when `r` or `s` is not in `1..n`.
pub fn ecdsa_raw_to_der(curve: EcCurve, raw: &[u8]) -> Result<Vec<u8>, RawEcdsaError> {
    let expected = ecdsa_raw_len(curve);
    if raw.len() != expected {
        return Err(RawEcdsaError::WrongLength {
            curve: curve.name(),
            expected,
            actual: raw.len(),
        });
    }
    let der = with_ecdsa_signature!(curve, S => {
        S::from_slice(raw).map(|s| s.to_der().as_bytes().to_vec())
    });
    der.map_err(|_| RawEcdsaError::ScalarOutOfRange)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_ecdsa_starting_like_a_der_sequence_is_still_raw() {
        // r = 0x30 0x3e 0x02 …: the first bytes look like a DER SEQUENCE header, the value is not.
        let mut raw = vec![0x11u8; 64];
        raw[..3].copy_from_slice(&[0x30, 0x3e, 0x02]);
        assert!(!ecdsa_is_der(EcCurve::P256, &raw));
        let der = ecdsa_raw_to_der(EcCurve::P256, &raw).expect("in-range scalars");
        assert!(ecdsa_is_der(EcCurve::P256, &der));
        assert!(!ecdsa_is_der(EcCurve::P384, &der[..der.len() - 1]));
    }
    use crate::alg::DigestAlgorithm;
    use crate::asn1::tlv::{constructed, tag, tlv};

    /// `SEQUENCE { INTEGER r, INTEGER s }` from the INTEGER contents.
    fn sig_value(r: &[u8], s: &[u8]) -> Vec<u8> {
        constructed(
            tag::SEQUENCE,
            &[&tlv(tag::INTEGER, r), &tlv(tag::INTEGER, s)],
        )
    }

    #[test]
    fn raw_ecdsa_matches_the_signers_der() {
        use signature::hazmat::PrehashSigner;
        let key = p256::ecdsa::SigningKey::from_slice(&[7u8; 32]).expect("key");
        let digest = DigestAlgorithm::Sha256.digest(b"m");
        let sig: p256::ecdsa::Signature = key.sign_prehash(&digest).expect("sign");
        let der = ecdsa_raw_to_der(EcCurve::P256, &sig.to_bytes()).expect("der");
        assert_eq!(der, sig.to_der().as_bytes());
    }

    #[test]
    fn leading_zeros_are_dropped() {
        let mut raw = [0u8; 64];
        raw[2] = 0x01; // r = 0x01 followed by 29 bytes of zeros
        raw[63] = 0x05; // s = 5
        let mut r = vec![0x01];
        r.extend([0u8; 29]);
        assert_eq!(
            ecdsa_raw_to_der(EcCurve::P256, &raw),
            Ok(sig_value(&r, &[0x05]))
        );
    }

    #[test]
    fn high_bit_gets_a_zero_octet() {
        let mut raw = [0u8; 96];
        raw[0] = 0x80; // r = 0x80 followed by 47 bytes of zeros
        raw[48] = 0x7f; // s = 0x7f followed by 47 bytes of zeros
        let mut r = vec![0x00, 0x80];
        r.extend([0u8; 47]);
        let mut s = vec![0x7f];
        s.extend([0u8; 47]);
        assert_eq!(ecdsa_raw_to_der(EcCurve::P384, &raw), Ok(sig_value(&r, &s)));
    }

    #[test]
    fn wrong_length_and_bad_scalars_are_errors() {
        assert_eq!(
            ecdsa_raw_to_der(EcCurve::P384, &[1u8; 64]),
            Err(RawEcdsaError::WrongLength {
                curve: "P-384",
                expected: 96,
                actual: 64
            })
        );
        assert!(matches!(
            ecdsa_raw_to_der(EcCurve::P256, &[1u8; 63]),
            Err(RawEcdsaError::WrongLength { .. })
        ));
        assert!(matches!(
            ecdsa_raw_to_der(EcCurve::P256, &[]),
            Err(RawEcdsaError::WrongLength { .. })
        ));
        assert_eq!(
            ecdsa_raw_to_der(EcCurve::P256, &[0u8; 64]),
            Err(RawEcdsaError::ScalarOutOfRange)
        );
        // r = 2^256 - 1 is above the P-256 order.
        assert_eq!(
            ecdsa_raw_to_der(EcCurve::P256, &[0xffu8; 64]),
            Err(RawEcdsaError::ScalarOutOfRange)
        );
    }
}
