//! [`CertificateDer`]: one certificate with the DER bytes it was read from, loaded from DER or
//! from a PEM bundle.

use super::pem::{looks_like_pem, pem_blocks};
use crate::alg::DigestAlgorithm;
use crate::error::{Error, Result};
use der::{Decode, Encode};
use x509_cert::Certificate;

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
