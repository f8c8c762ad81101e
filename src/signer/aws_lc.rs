//! The optional AWS-LC backend for software keys (feature `aws-lc`): the same keys, loaded by the
//! pure-Rust code, are handed to AWS-LC (through `aws-lc-rs`) for the private-key operation,
//! which is several times faster for RSA (C and assembly, constant-time). Same algorithms, same
//! outputs that every verifier accepts; what AWS-LC does not cover falls back to the pure-Rust
//! signer.
//!
//! Covered: RSA PKCS#1 v1.5 with SHA-256/384/512, RSA-PSS with SHA-256/384/512, MGF1 with the
//! same digest and a salt as long as the digest (AWS-LC's fixed choice), ECDSA P-256 with SHA-256
//! and P-384 with SHA-384 (DER signatures). The key material crosses to AWS-LC once, as a PKCS#8
//! DER held in a [`Zeroizing`] buffer; AWS-LC clears its own copies when the key is freed.

use super::SignerError;
use super::software::PrivateKey;
use crate::alg::{DigestAlgorithm, EcCurve, SignatureAlgorithm};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self, EcdsaKeyPair, RsaKeyPair};
use pkcs8::EncodePrivateKey;
use zeroize::Zeroizing;

/// A key AWS-LC signs with, bound to one signature algorithm.
pub(crate) enum AwsLcKey {
    /// RSA, PKCS#1 v1.5 or PSS.
    Rsa {
        /// The key pair.
        pair: RsaKeyPair,
        /// The padding and digest.
        encoding: &'static dyn signature::RsaEncoding,
    },
    /// ECDSA, DER signatures.
    Ecdsa(EcdsaKeyPair),
}

impl std::fmt::Debug for AwsLcKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Rsa { .. } => "AwsLcKey(RSA)",
            Self::Ecdsa(_) => "AwsLcKey(ECDSA)",
        })
    }
}

impl AwsLcKey {
    /// The AWS-LC form of `key` for `algorithm`, or `None` when AWS-LC does not cover that
    /// combination (the pure-Rust signer is then used).
    pub(crate) fn new(key: &PrivateKey, algorithm: SignatureAlgorithm) -> Option<Self> {
        let pkcs8 = pkcs8_der(key)?;
        match (key, algorithm) {
            (PrivateKey::Rsa(_), SignatureAlgorithm::RsaPkcs1v15 { digest }) => {
                let encoding: &'static dyn signature::RsaEncoding = match digest {
                    DigestAlgorithm::Sha256 => &signature::RSA_PKCS1_SHA256,
                    DigestAlgorithm::Sha384 => &signature::RSA_PKCS1_SHA384,
                    DigestAlgorithm::Sha512 => &signature::RSA_PKCS1_SHA512,
                    _ => return None,
                };
                let pair = RsaKeyPair::from_pkcs8(&pkcs8).ok()?;
                Some(Self::Rsa { pair, encoding })
            }
            (PrivateKey::Rsa(_), SignatureAlgorithm::RsaPss { digest, salt_len })
                if salt_len as usize == digest.output_len() =>
            {
                let encoding: &'static dyn signature::RsaEncoding = match digest {
                    DigestAlgorithm::Sha256 => &signature::RSA_PSS_SHA256,
                    DigestAlgorithm::Sha384 => &signature::RSA_PSS_SHA384,
                    DigestAlgorithm::Sha512 => &signature::RSA_PSS_SHA512,
                    _ => return None,
                };
                let pair = RsaKeyPair::from_pkcs8(&pkcs8).ok()?;
                Some(Self::Rsa { pair, encoding })
            }
            (
                PrivateKey::P256(_) | PrivateKey::P384(_),
                SignatureAlgorithm::Ecdsa { curve, digest },
            ) => {
                let alg = match (curve, digest) {
                    (EcCurve::P256, DigestAlgorithm::Sha256) => {
                        &signature::ECDSA_P256_SHA256_ASN1_SIGNING
                    }
                    (EcCurve::P384, DigestAlgorithm::Sha384) => {
                        &signature::ECDSA_P384_SHA384_ASN1_SIGNING
                    }
                    _ => return None,
                };
                EcdsaKeyPair::from_pkcs8(alg, &pkcs8).ok().map(Self::Ecdsa)
            }
            _ => None,
        }
    }

    /// Signs `message` (AWS-LC hashes it with the algorithm's digest).
    pub(crate) fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignerError> {
        let rng = SystemRandom::new();
        let failed = |what: &str| SignerError::Crypto(format!("AWS-LC: {what} signing failed"));
        match self {
            Self::Rsa { pair, encoding } => {
                let mut sig = vec![0u8; pair.public_modulus_len()];
                pair.sign(*encoding, &rng, message, &mut sig)
                    .map_err(|_| failed("RSA"))?;
                Ok(sig)
            }
            Self::Ecdsa(pair) => pair
                .sign(&rng, message)
                .map(|s| s.as_ref().to_vec())
                .map_err(|_| failed("ECDSA")),
        }
    }
}

/// The key as PKCS#8 DER, in a buffer wiped when dropped.
fn pkcs8_der(key: &PrivateKey) -> Option<Zeroizing<Vec<u8>>> {
    let doc = match key {
        PrivateKey::Rsa(k) => k.to_pkcs8_der().ok()?,
        PrivateKey::P256(k) => k.to_pkcs8_der().ok()?,
        PrivateKey::P384(k) => k.to_pkcs8_der().ok()?,
    };
    Some(Zeroizing::new(doc.as_bytes().to_vec()))
}
