//! CAdES signed attributes: ESS signing-certificate (RFC 2634 §5.4) and signing-certificate-v2
//! (RFC 5035 §3), signature-policy-identifier and commitment-type-indication (ETSI EN 319 122-1
//! §5.2.9, §5.2.3), encoded and parsed without re-encoding what was read.

use super::cert::cert_fields;
use super::oid;
use super::tlv::{self, tag};
use crate::alg::DigestAlgorithm;
use crate::error::{Error, Result};
use der::Encode;
use der::asn1::ObjectIdentifier;

/// Encodes an OBJECT IDENTIFIER.
pub fn encode_oid(oid: &ObjectIdentifier) -> Vec<u8> {
    tlv::tlv(tag::OID, oid.as_bytes())
}

/// Decodes an OBJECT IDENTIFIER element.
pub fn decode_oid(t: tlv::Tlv<'_>, what: &'static str) -> Result<ObjectIdentifier> {
    let t = t.expect_tag(tag::OID, what)?;
    ObjectIdentifier::from_bytes(t.content).map_err(|e| Error::malformed(what, e))
}

/// Encodes an AlgorithmIdentifier for a digest (parameters absent).
pub fn digest_algorithm_identifier(d: DigestAlgorithm) -> Vec<u8> {
    tlv::constructed(tag::SEQUENCE, &[&encode_oid(&d.oid())])
}

/// Reads an AlgorithmIdentifier's OID (parameters ignored).
pub fn algorithm_oid(raw: &[u8], what: &'static str) -> Result<ObjectIdentifier> {
    let t = tlv::read_single(raw, what)?.expect_tag(tag::SEQUENCE, what)?;
    let mut r = t.children();
    decode_oid(r.read(what)?, what)
}

/// One ESSCertID / ESSCertIDv2: which certificate the signer meant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EssCertRef {
    /// The hash algorithm (SHA-1 for ESSCertID; SHA-256 by default for v2).
    pub hash_algorithm: Option<DigestAlgorithm>,
    /// OID of the hash algorithm as written (to report unknown ones).
    pub hash_algorithm_oid: ObjectIdentifier,
    /// The certificate hash.
    pub hash: Vec<u8>,
    /// issuerSerial: the issuer's directoryName (complete Name encoding) and the serial's
    /// content octets, when present.
    pub issuer_serial: Option<(Vec<u8>, Vec<u8>)>,
}

impl EssCertRef {
    /// Whether this reference designates the certificate `cert_der`.
    pub fn matches(&self, cert_der: &[u8]) -> bool {
        let Some(alg) = self.hash_algorithm else {
            return false;
        };
        if alg.digest(cert_der) != self.hash {
            return false;
        }
        match (&self.issuer_serial, cert_fields(cert_der)) {
            (None, Ok(_)) => true,
            (Some((issuer, serial)), Ok(f)) => issuer == f.issuer && serial == f.serial,
            (_, Err(_)) => false,
        }
    }
}

/// The value of a signing-certificate-v2 attribute for `cert_der`, hashed with `hash`.
///
/// ```asn1
/// SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2, policies SEQUENCE OF PolicyInformation OPTIONAL }
/// ESSCertIDv2 ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier DEFAULT {algorithm id-sha256},
///                            certHash Hash, issuerSerial IssuerSerial OPTIONAL }
/// IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber CertificateSerialNumber }
/// ```
pub fn signing_certificate_v2(cert_der: &[u8], hash: DigestAlgorithm) -> Result<Vec<u8>> {
    let f = cert_fields(cert_der)?;
    let digest = tlv::tlv(tag::OCTET_STRING, &hash.digest(cert_der));
    let general_names = tlv::tlv(tag::SEQUENCE, &tlv::tlv(0xa4, f.issuer));
    let issuer_serial = tlv::constructed(
        tag::SEQUENCE,
        &[&general_names, &tlv::tlv(tag::INTEGER, f.serial)],
    );
    let cert_id = if hash == DigestAlgorithm::Sha256 {
        tlv::constructed(tag::SEQUENCE, &[&digest, &issuer_serial])
    } else {
        tlv::constructed(
            tag::SEQUENCE,
            &[&digest_algorithm_identifier(hash), &digest, &issuer_serial],
        )
    };
    Ok(tlv::tlv(tag::SEQUENCE, &tlv::tlv(tag::SEQUENCE, &cert_id)))
}

/// Parses a signing-certificate (v1, `v2 = false`) or signing-certificate-v2 attribute value.
pub fn parse_signing_certificate(value: &[u8], v2: bool) -> Result<Vec<EssCertRef>> {
    const W: &str = "SigningCertificate";
    let outer = tlv::read_single(value, W)?.expect_tag(tag::SEQUENCE, W)?;
    let mut r = outer.children();
    let certs = r.read_expect(tag::SEQUENCE, W)?;
    let mut out = Vec::new();
    for item in certs.children() {
        let item = item?.expect_tag(tag::SEQUENCE, "ESSCertID")?;
        let mut c = item.children();
        let (alg_oid, alg) = if v2 && c.peek_tag() == Some(tag::SEQUENCE) {
            let a = c.read("ESSCertIDv2 hashAlgorithm")?;
            let oid = algorithm_oid(a.raw, "ESSCertIDv2 hashAlgorithm")?;
            (oid, DigestAlgorithm::from_oid(&oid))
        } else if v2 {
            (DigestAlgorithm::Sha256.oid(), Some(DigestAlgorithm::Sha256))
        } else {
            (DigestAlgorithm::Sha1.oid(), Some(DigestAlgorithm::Sha1))
        };
        let hash = c.read_expect(tag::OCTET_STRING, "ESSCertID certHash")?;
        let issuer_serial = match c.read_optional(tag::SEQUENCE, "IssuerSerial")? {
            None => None,
            Some(is) => {
                let mut s = is.children();
                let names = s.read_expect(tag::SEQUENCE, "IssuerSerial issuer")?;
                let serial = s.read_expect(tag::INTEGER, "IssuerSerial serialNumber")?;
                // The directoryName [4] among the GeneralNames.
                let mut dn = None;
                for gn in names.children() {
                    let gn = gn?;
                    if gn.tag == 0xa4 {
                        dn = Some(
                            tlv::read_single(gn.content, "IssuerSerial directoryName")?
                                .raw
                                .to_vec(),
                        );
                    }
                }
                dn.map(|dn| (dn, serial.content.to_vec()))
            }
        };
        out.push(EssCertRef {
            hash_algorithm: alg,
            hash_algorithm_oid: alg_oid,
            hash: hash.content.to_vec(),
            issuer_serial,
        });
    }
    Ok(out)
}

/// A signature policy reference (EPES; ICP-Brasil AD-RB names its policy this way).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SignaturePolicy {
    /// The policy OID, e.g. `2.16.76.1.7.1.1.2.3` (AD-RB v2.3).
    pub oid: String,
    /// Hash algorithm of the policy document.
    pub hash_algorithm: DigestAlgorithm,
    /// Hash of the policy document.
    #[serde(with = "crate::asn1::hexbytes")]
    pub hash: Vec<u8>,
    /// Where the policy document is published (SPuri qualifier).
    pub uri: Option<String>,
}

impl SignaturePolicy {
    /// Encodes the signature-policy-identifier attribute value.
    ///
    /// ```asn1
    /// SignaturePolicyIdentifier ::= CHOICE { signaturePolicyId SignaturePolicyId, signaturePolicyImplied NULL }
    /// SignaturePolicyId ::= SEQUENCE { sigPolicyId OBJECT IDENTIFIER, sigPolicyHash OtherHashAlgAndValue,
    ///                                  sigPolicyQualifiers SEQUENCE SIZE (1..MAX) OF SigPolicyQualifierInfo OPTIONAL }
    /// OtherHashAlgAndValue ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier, hashValue OCTET STRING }
    /// SigPolicyQualifierInfo ::= SEQUENCE { sigPolicyQualifierId OBJECT IDENTIFIER, sigQualifier ANY }
    /// SPuri ::= IA5String
    /// ```
    pub fn encode(&self) -> Result<Vec<u8>> {
        let oid: ObjectIdentifier = self
            .oid
            .parse()
            .map_err(|_| Error::InvalidArgument(format!("policy OID {:?}", self.oid)))?;
        if self.hash.len() != self.hash_algorithm.output_len() {
            return Err(Error::InvalidArgument(format!(
                "policy hash of {} bytes for {}",
                self.hash.len(),
                self.hash_algorithm
            )));
        }
        let hash = tlv::constructed(
            tag::SEQUENCE,
            &[
                &digest_algorithm_identifier(self.hash_algorithm),
                &tlv::tlv(tag::OCTET_STRING, &self.hash),
            ],
        );
        let mut parts = vec![encode_oid(&oid), hash];
        if let Some(uri) = &self.uri {
            let ia5 = der::asn1::Ia5StringRef::new(uri)
                .map_err(|_| Error::InvalidArgument("policy URI must be ASCII".into()))?
                .to_der()
                .map_err(|e| Error::InvalidArgument(e.to_string()))?;
            let q = tlv::constructed(tag::SEQUENCE, &[&encode_oid(&oid::SPQ_URI), &ia5]);
            parts.push(tlv::tlv(tag::SEQUENCE, &q));
        }
        let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
        Ok(tlv::constructed(tag::SEQUENCE, &refs))
    }

    /// Parses a signature-policy-identifier value. `Ok(None)` for signaturePolicyImplied.
    pub fn parse(value: &[u8]) -> Result<Option<Self>> {
        const W: &str = "SignaturePolicyIdentifier";
        let t = tlv::read_single(value, W)?;
        if t.tag == tag::NULL {
            return Ok(None);
        }
        let t = t.expect_tag(tag::SEQUENCE, W)?;
        let mut r = t.children();
        let oid = decode_oid(r.read(W)?, W)?;
        let h = r.read_expect(tag::SEQUENCE, "sigPolicyHash")?;
        let mut hr = h.children();
        let alg = hr.read_expect(tag::SEQUENCE, "sigPolicyHash hashAlgorithm")?;
        let alg_oid = algorithm_oid(alg.raw, "sigPolicyHash hashAlgorithm")?;
        let hash_algorithm = DigestAlgorithm::from_oid(&alg_oid)
            .ok_or_else(|| Error::Unsupported(format!("policy hash algorithm {alg_oid}")))?;
        let hash = hr
            .read_expect(tag::OCTET_STRING, "sigPolicyHash hashValue")?
            .content
            .to_vec();
        let mut uri = None;
        if let Some(q) = r.read_optional(tag::SEQUENCE, "sigPolicyQualifiers")? {
            for info in q.children() {
                let info = info?.expect_tag(tag::SEQUENCE, "SigPolicyQualifierInfo")?;
                let mut ir = info.children();
                let qid = decode_oid(ir.read("SigPolicyQualifierInfo")?, "SigPolicyQualifierInfo")?;
                if qid == oid::SPQ_URI
                    && let Ok(v) = ir.read_expect(tag::IA5_STRING, "SPuri")
                {
                    uri = Some(String::from_utf8_lossy(v.content).into_owned());
                }
            }
        }
        Ok(Some(Self {
            oid: oid.to_string(),
            hash_algorithm,
            hash,
            uri,
        }))
    }
}

/// Encodes a commitment-type-indication value (no qualifiers).
pub fn commitment_type(oid: &ObjectIdentifier) -> Vec<u8> {
    tlv::tlv(tag::SEQUENCE, &encode_oid(oid))
}

/// Parses a commitment-type-indication value into its OID.
pub fn parse_commitment_type(value: &[u8]) -> Result<ObjectIdentifier> {
    const W: &str = "CommitmentTypeIndication";
    let t = tlv::read_single(value, W)?.expect_tag(tag::SEQUENCE, W)?;
    decode_oid(t.children().read(W)?, W)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_round_trip() {
        let p = SignaturePolicy {
            oid: "2.16.76.1.7.1.1.2.3".into(),
            hash_algorithm: DigestAlgorithm::Sha256,
            hash: vec![7; 32],
            uri: Some("http://politicas.icpbrasil.gov.br/PA_AD_RB_v2_3.der".into()),
        };
        assert_eq!(
            SignaturePolicy::parse(&p.encode().unwrap()).unwrap(),
            Some(p)
        );
    }
}
