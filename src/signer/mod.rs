//! The [`Signer`] trait, which every key implements, and the signer's identity.
//!
//! A signer is anything that turns bytes to be signed into a signature value: a software key
//! ([`software::SoftwareSigner`], from PEM/DER or an A1 PKCS#12 file), a PKCS#11 token or HSM
//! (feature `pkcs11`), or a remote party reached through two-step signing (the formats'
//! `prepare`/`finish` functions, where the signature is computed outside this process).

#[cfg(feature = "pkcs11")]
pub mod pkcs11;
pub mod pkcs12;
pub mod software;

use crate::alg::{DigestAlgorithm, SignatureAlgorithm};
use crate::error::{Error, Result};
use der::{Decode, Encode};
use x509_cert::Certificate;

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

/// A certificate kept with its original DER bytes (signatures are verified over those, never
/// over a re-encoding).
#[derive(Clone, Debug)]
pub struct CertificateDer {
    der: Vec<u8>,
    cert: Certificate,
}

impl CertificateDer {
    /// Parses one DER certificate.
    pub fn from_der(der: &[u8]) -> Result<Self> {
        let cert = Certificate::from_der(der).map_err(|e| Error::Certificate {
            context: "DER".into(),
            detail: e.to_string(),
        })?;
        Ok(Self {
            der: der.to_vec(),
            cert,
        })
    }

    /// Wraps a parsed certificate; its DER is its encoding.
    pub fn from_certificate(cert: Certificate) -> Result<Self> {
        let der = cert.to_der().map_err(|e| Error::Certificate {
            context: "encoding".into(),
            detail: e.to_string(),
        })?;
        Ok(Self { der, cert })
    }

    /// Parses every certificate of a PEM bundle, or one DER certificate.
    pub fn parse_many(data: &[u8]) -> Result<Vec<Self>> {
        if looks_like_pem(data) {
            let text = std::str::from_utf8(data).map_err(|_| Error::Certificate {
                context: "PEM".into(),
                detail: "not UTF-8 text".into(),
            })?;
            pem_blocks(text, "CERTIFICATE")
                .into_iter()
                .enumerate()
                .map(|(i, block)| {
                    block.and_then(|der| {
                        Self::from_der(&der).map_err(|e| Error::Certificate {
                            context: format!("PEM block {}", i + 1),
                            detail: e.to_string(),
                        })
                    })
                })
                .collect()
        } else {
            Ok(vec![Self::from_der(data)?])
        }
    }

    /// The original DER bytes.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The parsed certificate.
    pub fn certificate(&self) -> &Certificate {
        &self.cert
    }

    /// The subject as an RFC 4514 string.
    pub fn subject(&self) -> String {
        self.cert.tbs_certificate().subject().to_string()
    }

    /// The issuer as an RFC 4514 string.
    pub fn issuer(&self) -> String {
        self.cert.tbs_certificate().issuer().to_string()
    }

    /// The serial number as hex.
    pub fn serial_hex(&self) -> String {
        hex::encode(self.cert.tbs_certificate().serial_number().as_bytes())
    }

    /// SHA-256 fingerprint of the DER, lowercase hex.
    pub fn fingerprint_sha256(&self) -> String {
        hex::encode(DigestAlgorithm::Sha256.digest(&self.der))
    }
}

impl PartialEq for CertificateDer {
    fn eq(&self, other: &Self) -> bool {
        self.der == other.der
    }
}
impl Eq for CertificateDer {}

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
}

pub(crate) fn looks_like_pem(data: &[u8]) -> bool {
    let start = data
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(data.len());
    data.get(start..)
        .is_some_and(|d| d.starts_with(b"-----BEGIN "))
}

/// Extracts every PEM block with the given label from `text` (other labels are skipped).
pub(crate) fn pem_blocks(text: &str, label: &str) -> Vec<Result<Vec<u8>>> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(b) = rest.find(&begin) {
        let after = rest.get(b..).unwrap_or_default();
        let Some(e) = after.find(&end) else {
            out.push(Err(Error::malformed(
                "PEM",
                format!("unterminated {label} block"),
            )));
            break;
        };
        let block_end = e + end.len();
        let block = after.get(..block_end).unwrap_or_default();
        out.push(
            der::pem::decode_vec(block.as_bytes())
                .map(|(_, der)| der)
                .map_err(|e| Error::malformed("PEM", e)),
        );
        rest = after.get(block_end..).unwrap_or_default();
    }
    out
}
