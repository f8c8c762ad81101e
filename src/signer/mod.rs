//! The [`Signer`] trait, which every key implements, and the signer's identity.
//!
//! A signer is anything that turns bytes to be signed into a signature value: a software key
//! ([`software::SoftwareSigner`], from PEM/DER or an A1 PKCS#12 file), a PKCS#11 token or HSM
//! (feature `pkcs11`), or a remote party reached through two-step signing (the formats'
//! `prepare`/`finish` functions, where the signature is computed outside this process).

#[cfg(feature = "aws-lc")]
mod aws_lc;
#[cfg(feature = "pkcs11")]
pub mod pkcs11;
pub mod pkcs12;
pub mod software;

use crate::alg::SignatureAlgorithm;
use crate::x509::CertificateDer;

#[cfg(feature = "pkcs11")]
pub use pkcs11::Pkcs11Signer;
pub use software::SoftwareSigner;

/// Errors a [`Signer`] reports. Never contains key material or PINs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignerError {
    /// The cryptographic operation failed.
    #[error("signing failed: {0}")]
    Crypto(String),
    /// The signer cannot produce the requested algorithm.
    #[error("algorithm not supported by this signer: {0}")]
    UnsupportedAlgorithm(String),
    /// The signer (token, HSM, remote service) is not available.
    #[error("signer unavailable: {0}")]
    Unavailable(String),
    /// The signer refused (e.g. the user cancelled).
    #[error("signer refused: {0}")]
    Refused(String),
    /// The token refused the PIN (PKCS#11 `CKR_PIN_INCORRECT`). Carries the token label.
    #[error("wrong PIN for token {0}")]
    WrongPin(String),
    /// The PIN is locked after too many wrong attempts (`CKR_PIN_LOCKED`). Carries the token label.
    #[error("the PIN of token {0} is locked")]
    PinLocked(String),
    /// No token matches the selection (label or slot).
    #[error("token not found: {0}")]
    TokenNotFound(String),
    /// No key matches the selection (label or id) on the token.
    #[error("key not found: {0}")]
    KeyNotFound(String),
    /// The token does not offer the mechanism the algorithm needs, or refuses its parameters.
    #[error("mechanism not supported: {0}")]
    MechanismNotSupported(String),
    /// The token was removed (or its slot disappeared) and could not be reached again.
    #[error("token removed: {0}")]
    TokenRemoved(String),
}

/// Who signs: the signer's certificate and the chain to embed with it.
#[derive(Clone, Debug)]
pub struct SignerIdentity {
    certificate: CertificateDer,
    chain: Vec<CertificateDer>,
}

impl SignerIdentity {
    /// Identity from the signer certificate and the intermediates (and optionally the root) to
    /// embed. Duplicates of the signer certificate in `chain` are dropped.
    pub fn new(certificate: CertificateDer, chain: Vec<CertificateDer>) -> Self {
        let mut uniq: Vec<CertificateDer> = Vec::with_capacity(chain.len());
        for c in chain {
            if c != certificate && !uniq.contains(&c) {
                uniq.push(c);
            }
        }
        Self {
            certificate,
            chain: uniq,
        }
    }

    /// The signer certificate.
    pub fn certificate(&self) -> &CertificateDer {
        &self.certificate
    }

    /// The other certificates to embed.
    pub fn chain(&self) -> &[CertificateDer] {
        &self.chain
    }

    /// The signer certificate followed by the chain.
    pub fn all_certificates(&self) -> impl Iterator<Item = &CertificateDer> {
        std::iter::once(&self.certificate).chain(self.chain.iter())
    }
}

/// One trait for every key: software, PKCS#11 token or HSM, remote.
///
/// `sign` receives the complete bytes to be signed (for CMS, the DER of the signed attributes)
/// and hashes them with [`SignatureAlgorithm::digest`] itself, as a PKCS#11 `CKM_SHA256_RSA_PKCS`
/// token does. ECDSA signatures are returned DER-encoded (`Ecdsa-Sig-Value`).
pub trait Signer: Send + Sync {
    /// The signer certificate and chain to embed.
    fn identity(&self) -> &SignerIdentity;
    /// The algorithm `sign` produces.
    fn algorithm(&self) -> SignatureAlgorithm;
    /// Signs `to_be_signed`.
    fn sign(&self, to_be_signed: &[u8]) -> std::result::Result<Vec<u8>, SignerError>;
    /// True when every value [`Signer::sign`] returns is known to verify with the identity's
    /// certificate: the key was matched to the certificate when loaded and the private-key
    /// operation checks its own result (the RSA-CRT fault check, Boneh-DeMillo-Lipton, of the
    /// `rsa` crate and of AWS-LC). The one-shot signing functions then do not verify the value
    /// again; for any other signer (a token, a remote signer) they do, before writing a file.
    /// Default `false`.
    fn checks_own_signatures(&self) -> bool {
        false
    }
}

impl<S: Signer + ?Sized> Signer for &S {
    fn identity(&self) -> &SignerIdentity {
        (**self).identity()
    }
    fn algorithm(&self) -> SignatureAlgorithm {
        (**self).algorithm()
    }
    fn sign(&self, to_be_signed: &[u8]) -> std::result::Result<Vec<u8>, SignerError> {
        (**self).sign(to_be_signed)
    }
    fn checks_own_signatures(&self) -> bool {
        (**self).checks_own_signatures()
    }
}

impl<S: Signer + ?Sized> Signer for Box<S> {
    fn identity(&self) -> &SignerIdentity {
        (**self).identity()
    }
    fn algorithm(&self) -> SignatureAlgorithm {
        (**self).algorithm()
    }
    fn sign(&self, to_be_signed: &[u8]) -> std::result::Result<Vec<u8>, SignerError> {
        (**self).sign(to_be_signed)
    }
    fn checks_own_signatures(&self) -> bool {
        (**self).checks_own_signatures()
    }
}

impl<S: Signer + ?Sized> Signer for std::sync::Arc<S> {
    fn identity(&self) -> &SignerIdentity {
        (**self).identity()
    }
    fn algorithm(&self) -> SignatureAlgorithm {
        (**self).algorithm()
    }
    fn sign(&self, to_be_signed: &[u8]) -> std::result::Result<Vec<u8>, SignerError> {
        (**self).sign(to_be_signed)
    }
    fn checks_own_signatures(&self) -> bool {
        (**self).checks_own_signatures()
    }
}
