//! Signature verification primitives shared by the CMS, timestamp and certificate verifiers.
//!
//! One entry point, [`verify_signature`]: a public key (SubjectPublicKeyInfo DER), an algorithm,
//! the signed message and the signature value. The algorithm policy is applied here: MD5 never
//! reaches this function (it has no [`crate::alg::DigestAlgorithm`]), RSA keys under 2048 bits
//! and unsupported curves fail with their own error.

use crate::alg::{DigestAlgorithm, EcCurve, MIN_RSA_BITS, SignatureAlgorithm};
use crate::asn1::oid;
use der::Decode;
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
}

/// The kind and size of a public key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublicKeyKind {
    /// RSA with the modulus size in bits.
    Rsa(usize),
    /// EC on a supported curve.
    Ec(EcCurve),
}

impl std::fmt::Display for PublicKeyKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Rsa(bits) => write!(f, "RSA-{bits}"),
            Self::Ec(c) => write!(f, "EC-{}", c.name()),
        }
    }
}

enum PublicKey {
    Rsa(rsa::PublicKey),
    P256(p256::ecdsa::VerifyingKey),
    P384(p384::ecdsa::VerifyingKey),
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
        let curve = spki
            .algorithm
            .parameters_oid()
            .map_err(|_| VerifyError::UnsupportedKey("EC key without a named curve".into()))?;
        match EcCurve::from_oid(&curve) {
            Some(EcCurve::P256) => p256::ecdsa::VerifyingKey::from_public_key_der(spki_der)
                .map(PublicKey::P256)
                .map_err(|e| VerifyError::MalformedKey(format!("P-256: {e}"))),
            Some(EcCurve::P384) => p384::ecdsa::VerifyingKey::from_public_key_der(spki_der)
                .map(PublicKey::P384)
                .map_err(|e| VerifyError::MalformedKey(format!("P-384: {e}"))),
            None => Err(VerifyError::UnsupportedKey(format!("curve {curve}"))),
        }
    } else {
        Err(VerifyError::UnsupportedKey(format!("algorithm {alg}")))
    }
}

/// The kind and size of the key in `spki_der` (SubjectPublicKeyInfo).
pub fn public_key_kind(spki_der: &[u8]) -> Result<PublicKeyKind, VerifyError> {
    Ok(match parse_public_key(spki_der)? {
        PublicKey::Rsa(k) => PublicKeyKind::Rsa(k.n().bit_width_vartime() as usize),
        PublicKey::P256(_) => PublicKeyKind::Ec(EcCurve::P256),
        PublicKey::P384(_) => PublicKeyKind::Ec(EcCurve::P384),
    })
}

/// Verifies `signature` over `message` (hashed here with `alg.digest()`).
pub fn verify_signature(
    spki_der: &[u8],
    alg: SignatureAlgorithm,
    message: &[u8],
    signature: &[u8],
) -> Result<(), VerifyError> {
    let digest = alg.digest().digest(message);
    verify_digest(spki_der, alg, &digest, signature)
}

/// Verifies `signature` over a message whose digest (with `alg.digest()`) is `digest`.
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
    let mismatch = |key: &str| VerifyError::AlgorithmKeyMismatch {
        algorithm: alg.name(),
        key: key.to_string(),
    };
    match (&key, alg) {
        (PublicKey::Rsa(k), SignatureAlgorithm::RsaPkcs1v15 { digest: d }) => {
            check_rsa_size(k)?;
            let scheme = match d {
                DigestAlgorithm::Sha1 => rsa::Pkcs1v15Sign::new::<sha1::Sha1>(),
                DigestAlgorithm::Sha256 => rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
                DigestAlgorithm::Sha384 => rsa::Pkcs1v15Sign::new::<sha2::Sha384>(),
                DigestAlgorithm::Sha512 => rsa::Pkcs1v15Sign::new::<sha2::Sha512>(),
            };
            k.verify(scheme, digest, signature)
                .map_err(|_| VerifyError::BadSignature)
        }
        (
            PublicKey::Rsa(k),
            SignatureAlgorithm::RsaPss {
                digest: d,
                salt_len,
            },
        ) => {
            check_rsa_size(k)?;
            let salt = salt_len as usize;
            let r = match d {
                DigestAlgorithm::Sha1 => k.verify(
                    rsa::Pss::<sha1::Sha1>::new_with_salt(salt),
                    digest,
                    signature,
                ),
                DigestAlgorithm::Sha256 => k.verify(
                    rsa::Pss::<sha2::Sha256>::new_with_salt(salt),
                    digest,
                    signature,
                ),
                DigestAlgorithm::Sha384 => k.verify(
                    rsa::Pss::<sha2::Sha384>::new_with_salt(salt),
                    digest,
                    signature,
                ),
                DigestAlgorithm::Sha512 => k.verify(
                    rsa::Pss::<sha2::Sha512>::new_with_salt(salt),
                    digest,
                    signature,
                ),
            };
            r.map_err(|_| VerifyError::BadSignature)
        }
        (
            PublicKey::P256(k),
            SignatureAlgorithm::Ecdsa {
                curve: EcCurve::P256,
                ..
            },
        ) => {
            let sig = p256::ecdsa::Signature::from_der(signature)
                .map_err(|_| VerifyError::BadSignature)?;
            k.verify_prehash(digest, &sig)
                .map_err(|_| VerifyError::BadSignature)
        }
        (
            PublicKey::P384(k),
            SignatureAlgorithm::Ecdsa {
                curve: EcCurve::P384,
                ..
            },
        ) => {
            let sig = p384::ecdsa::Signature::from_der(signature)
                .map_err(|_| VerifyError::BadSignature)?;
            k.verify_prehash(digest, &sig)
                .map_err(|_| VerifyError::BadSignature)
        }
        (PublicKey::Rsa(k), _) => Err(mismatch(&format!("RSA-{}", k.n().bit_width_vartime()))),
        (PublicKey::P256(_), _) => Err(mismatch("EC-P-256")),
        (PublicKey::P384(_), _) => Err(mismatch("EC-P-384")),
    }
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
