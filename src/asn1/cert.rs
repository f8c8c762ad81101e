//! Byte-preserving access to the fields of an X.509 certificate.
//!
//! ```asn1
//! Certificate  ::=  SEQUENCE  { tbsCertificate TBSCertificate, signatureAlgorithm AlgorithmIdentifier,
//!                               signatureValue BIT STRING }
//! TBSCertificate  ::=  SEQUENCE  { version [0] EXPLICIT Version DEFAULT v1, serialNumber CertificateSerialNumber,
//!     signature AlgorithmIdentifier, issuer Name, validity Validity, subject Name,
//!     subjectPublicKeyInfo SubjectPublicKeyInfo, ... }
//! ```

use super::tlv::{self, tag};
use crate::error::Result;

/// Slices of a certificate's original encoding.
#[derive(Clone, Copy, Debug)]
pub struct CertFields<'a> {
    /// The whole TBSCertificate (what the issuer signed).
    pub tbs: &'a [u8],
    /// The signatureAlgorithm AlgorithmIdentifier (complete encoding).
    pub signature_algorithm: &'a [u8],
    /// The signature BIT STRING's content (first octet is the unused-bits count).
    pub signature_bits: &'a [u8],
    /// The serialNumber INTEGER's content octets.
    pub serial: &'a [u8],
    /// The issuer Name (complete encoding).
    pub issuer: &'a [u8],
    /// The subject Name (complete encoding).
    pub subject: &'a [u8],
    /// The SubjectPublicKeyInfo (complete encoding).
    pub spki: &'a [u8],
}

/// Splits a DER certificate into its fields without re-encoding anything.
pub fn cert_fields(der: &[u8]) -> Result<CertFields<'_>> {
    const W: &str = "Certificate";
    let cert = tlv::read_single(der, W)?.expect_tag(tag::SEQUENCE, W)?;
    let mut r = cert.children();
    let tbs = r.read_expect(tag::SEQUENCE, "TBSCertificate")?;
    let sig_alg = r.read_expect(tag::SEQUENCE, "Certificate signatureAlgorithm")?;
    let sig = r.read_expect(tag::BIT_STRING, "Certificate signatureValue")?;
    r.finish(W)?;
    let mut t = tbs.children();
    t.read_optional(tag::CTX0, "TBSCertificate version")?;
    let serial = t.read_expect(tag::INTEGER, "TBSCertificate serialNumber")?;
    t.read_expect(tag::SEQUENCE, "TBSCertificate signature")?;
    let issuer = t.read_expect(tag::SEQUENCE, "TBSCertificate issuer")?;
    t.read_expect(tag::SEQUENCE, "TBSCertificate validity")?;
    let subject = t.read_expect(tag::SEQUENCE, "TBSCertificate subject")?;
    let spki = t.read_expect(tag::SEQUENCE, "TBSCertificate subjectPublicKeyInfo")?;
    Ok(CertFields {
        tbs: tbs.raw,
        signature_algorithm: sig_alg.raw,
        signature_bits: sig.content,
        serial: serial.content,
        issuer: issuer.raw,
        subject: subject.raw,
        spki: spki.raw,
    })
}

/// The subjectKeyIdentifier extension's value, when present.
pub fn subject_key_identifier(cert: &x509_cert::Certificate) -> Option<Vec<u8>> {
    use der::Decode;
    cert.tbs_certificate()
        .extensions()?
        .iter()
        .find(|e| e.extn_id == super::oid::SUBJECT_KEY_IDENTIFIER)
        .and_then(|e| der::asn1::OctetString::from_der(e.extn_value.as_bytes()).ok())
        .map(|o| o.as_bytes().to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_an_error() {
        assert!(cert_fields(&[]).is_err());
        assert!(cert_fields(&[0x30, 0x00]).is_err());
        assert!(cert_fields(&[0x30, 0x03, 0x30, 0x01, 0x00]).is_err());
    }
}
