//! Revocation status from supplied data: CRLs (RFC 5280 §5, §6.3) and OCSP responses
//! (RFC 6960). Nothing is fetched: the data comes from the signature (CMS `crls`, revocation
//! values), a PDF's DSS or files given by the user.
//!
//! A CRL counts when its issuer is the certificate's issuer and its signature verifies with
//! that issuer's key (which, when it has a keyUsage, must allow cRLSign); CRL number present and
//! non-critical; no critical extension we do not process (delta and indirect CRLs are not
//! supported and are ignored). An OCSP response counts when it is signed by the issuer itself
//! or by a responder certificate the issuer issued with id-kp-OCSPSigning (RFC 6960 §4.2.2.2),
//! and its CertID names the certificate.
//!
//! Freshness: data proves "good" at validation time T only when T is not after its nextUpdate
//! (without nextUpdate, when it was issued at or after T); data dated in the future (beyond five
//! minutes of clock skew) is ignored. A revocation entry dated at or before T counts whatever
//! the freshness: revocation is permanent.
//!
//! The parts: here, the data ([`RevocationData`]: CRLs and OCSP responses read and checked
//! for their own consistency, with where they came from); `checker`, the status of one
//! certificate from that data (signatures, scope, freshness), with a signature budget.

use super::cert::Cert;
use super::names::Dn;
use crate::asn1::ocsp::{BasicOcspResponse, OcspResponse, OcspResponseStatus};
use crate::asn1::oid;
use crate::asn1::tlv::{self, tag};
use crate::error::{Error, Result};
use crate::x509::CertificateDer;
use der::{Decode, Encode};
use x509_cert::crl::CertificateList;
use x509_cert::ext::pkix::{CrlReason, IssuingDistributionPoint};

mod checker;

pub(crate) use checker::{Checker, Status};

/// Where revocation data came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RevocationSource {
    /// Embedded in the signature (CMS `crls`, CAdES revocation values).
    Signature,
    /// A PDF's Document Security Store.
    Dss,
    /// A file given by the user.
    File,
}

impl std::fmt::Display for RevocationSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Signature => "signature",
            Self::Dss => "dss",
            Self::File => "file",
        })
    }
}

/// Most CRLs or OCSP responses one [`RevocationData`] keeps.
const MAX_ITEMS: usize = 1_000;
/// Clock skew tolerated for data "from the future".
const SKEW: i64 = 300;

#[derive(Clone, Debug)]
struct Crl {
    tbs: Vec<u8>,
    list: CertificateList,
    issuer: Dn,
    signature: Option<Vec<u8>>,
    source: RevocationSource,
    this_update: i64,
    next_update: Option<i64>,
    /// Why the CRL cannot be used at all.
    problem: Option<String>,
    idp: Option<IssuingDistributionPoint>,
}

#[derive(Clone, Debug)]
struct Ocsp {
    tbs: Vec<u8>,
    basic: BasicOcspResponse,
    certs: Vec<Cert>,
    source: RevocationSource,
    produced_at: i64,
    problem: Option<String>,
}

/// CRLs and OCSP responses available to a validation.
#[derive(Clone, Debug, Default)]
pub struct RevocationData {
    crls: Vec<Crl>,
    ocsp: Vec<Ocsp>,
}

fn secs(t: &x509_cert::time::Time) -> i64 {
    i64::try_from(t.to_unix_duration().as_secs()).unwrap_or(i64::MAX)
}

fn gsecs(t: &der::asn1::GeneralizedTime) -> i64 {
    i64::try_from(t.to_unix_duration().as_secs()).unwrap_or(i64::MAX)
}

/// Names of CRL reasons (RFC 5280 §5.3.1).
pub(crate) fn reason_name(r: CrlReason) -> &'static str {
    match r {
        CrlReason::Unspecified => "unspecified",
        CrlReason::KeyCompromise => "keyCompromise",
        CrlReason::CaCompromise => "cACompromise",
        CrlReason::AffiliationChanged => "affiliationChanged",
        CrlReason::Superseded => "superseded",
        CrlReason::CessationOfOperation => "cessationOfOperation",
        CrlReason::CertificateHold => "certificateHold",
        CrlReason::RemoveFromCRL => "removeFromCRL",
        CrlReason::PrivilegeWithdrawn => "privilegeWithdrawn",
        CrlReason::AaCompromise => "aACompromise",
    }
}

impl RevocationData {
    /// No data.
    pub fn new() -> Self {
        Self::default()
    }

    /// True without any CRL or OCSP response.
    pub fn is_empty(&self) -> bool {
        self.crls.is_empty() && self.ocsp.is_empty()
    }

    /// Number of CRLs and OCSP responses held.
    pub fn len(&self) -> usize {
        self.crls.len() + self.ocsp.len()
    }

    /// Adds a CRL (DER, or PEM `X509 CRL` blocks). Malformed input is an error; a well-formed
    /// CRL that cannot be used (unsupported critical extension, delta CRL, …) is kept and
    /// reported as ignored when it matters.
    pub fn add_crl(&mut self, data: &[u8], source: RevocationSource) -> Result<()> {
        if super::pem::looks_like_pem(data) {
            let text = std::str::from_utf8(data)
                .map_err(|_| Error::malformed("CRL", "PEM that is not UTF-8"))?;
            let blocks = super::pem::pem_blocks(text, "X509 CRL");
            if blocks.is_empty() {
                return Err(Error::malformed("CRL", "no X509 CRL PEM block"));
            }
            for b in blocks {
                self.add_crl_der(&b?, source)?;
            }
            Ok(())
        } else {
            self.add_crl_der(data, source)
        }
    }

    fn add_crl_der(&mut self, der: &[u8], source: RevocationSource) -> Result<()> {
        if self.crls.len() >= MAX_ITEMS {
            return Err(Error::InvalidArgument("too many CRLs".into()));
        }
        let list = CertificateList::from_der(der).map_err(|e| Error::malformed("CRL", e))?;
        let outer = tlv::read_der_single(der).ok_or_else(|| Error::malformed("CRL", "not DER"))?;
        let (tbs, rest) = tlv::expect_der(outer.content, tag::SEQUENCE)
            .ok_or_else(|| Error::malformed("CRL", "no TBSCertList"))?;
        let (outer_alg, _) = tlv::expect_der(rest, tag::SEQUENCE)
            .ok_or_else(|| Error::malformed("CRL", "no signatureAlgorithm"))?;
        let mut fields = tbs.content;
        if let Some((v, r)) = tlv::expect_der(fields, tag::INTEGER) {
            let _ = v;
            fields = r;
        }
        let (tbs_alg, fields) = tlv::expect_der(fields, tag::SEQUENCE)
            .ok_or_else(|| Error::malformed("CRL", "no signature field"))?;
        let (issuer_tlv, _) = tlv::expect_der(fields, tag::SEQUENCE)
            .ok_or_else(|| Error::malformed("CRL", "no issuer"))?;
        let issuer =
            Dn::parse(issuer_tlv.raw).ok_or_else(|| Error::malformed("CRL", "bad issuer name"))?;

        let tbs_list = &list.tbs_cert_list;
        let mut problem = None;
        if outer_alg.raw != tbs_alg.raw {
            problem = Some("signatureAlgorithm differs from the TBSCertList's signature".into());
        }
        let mut idp = None;
        let mut has_number = false;
        for ext in tbs_list.crl_extensions.iter().flatten() {
            let v = ext.extn_value.as_bytes();
            match ext.extn_id {
                o if o == oid::CRL_NUMBER => {
                    has_number = true;
                    if ext.critical {
                        problem.get_or_insert("CRL number marked critical".into());
                    }
                }
                o if o == oid::DELTA_CRL_INDICATOR => {
                    problem.get_or_insert("delta CRLs are not supported".into());
                }
                o if o == oid::ISSUING_DISTRIBUTION_POINT => {
                    match IssuingDistributionPoint::from_der(v) {
                        Ok(p) if p.indirect_crl => {
                            problem.get_or_insert("indirect CRLs are not supported".into());
                        }
                        Ok(p) if p.only_contains_attribute_certs => {
                            problem.get_or_insert("attribute-certificate CRL".into());
                        }
                        Ok(p) => idp = Some(p),
                        Err(_) => {
                            problem.get_or_insert("malformed issuingDistributionPoint".into());
                        }
                    }
                }
                o if o == oid::AUTHORITY_KEY_IDENTIFIER
                    || o == oid::ISSUER_ALT_NAME
                    || o == oid::FRESHEST_CRL
                    || o == oid::AUTHORITY_INFO_ACCESS => {}
                other => {
                    if ext.critical {
                        problem
                            .get_or_insert(format!("unsupported critical CRL extension {other}"));
                    }
                }
            }
        }
        if !has_number {
            problem.get_or_insert("CRL without a CRL number (RFC 5280 §5.2.3)".into());
        }
        for entry in tbs_list.revoked_certificates.iter().flatten() {
            for ext in entry.crl_entry_extensions.iter().flatten() {
                let known = ext.extn_id == oid::REASON_CODE || ext.extn_id == oid::INVALIDITY_DATE;
                if ext.extn_id == oid::CERTIFICATE_ISSUER {
                    problem.get_or_insert("CRL entry with certificateIssuer (indirect)".into());
                } else if ext.critical && !known {
                    problem.get_or_insert(format!(
                        "unsupported critical CRL entry extension {}",
                        ext.extn_id
                    ));
                }
            }
        }
        self.crls.push(Crl {
            tbs: tbs.raw.to_vec(),
            this_update: secs(&tbs_list.this_update),
            next_update: tbs_list.next_update.as_ref().map(secs),
            issuer,
            signature: list.signature.as_bytes().map(<[u8]>::to_vec),
            list,
            source,
            problem,
            idp,
        });
        Ok(())
    }

    /// Adds a DER OCSPResponse. Only `successful` responses of type id-pkix-ocsp-basic are
    /// accepted; anything else is an error.
    pub fn add_ocsp(&mut self, der: &[u8], source: RevocationSource) -> Result<()> {
        if self.ocsp.len() >= MAX_ITEMS {
            return Err(Error::InvalidArgument("too many OCSP responses".into()));
        }
        let resp = OcspResponse::from_der(der).map_err(|e| Error::malformed("OCSPResponse", e))?;
        if resp.response_status != OcspResponseStatus::Successful {
            return Err(Error::malformed(
                "OCSPResponse",
                format!("response status {:?}", resp.response_status),
            ));
        }
        let bytes = resp
            .response_bytes
            .ok_or_else(|| Error::malformed("OCSPResponse", "no responseBytes"))?;
        if bytes.response_type != oid::OCSP_BASIC {
            return Err(Error::Unsupported(format!(
                "OCSP response type {}",
                bytes.response_type
            )));
        }
        self.add_basic_ocsp(bytes.response.as_bytes(), source)
    }

    /// Adds a DER BasicOCSPResponse (as CAdES revocation values and PDF DSS may carry).
    pub fn add_basic_ocsp(&mut self, der: &[u8], source: RevocationSource) -> Result<()> {
        if self.ocsp.len() >= MAX_ITEMS {
            return Err(Error::InvalidArgument("too many OCSP responses".into()));
        }
        let basic = BasicOcspResponse::from_der(der)
            .map_err(|e| Error::malformed("BasicOCSPResponse", e))?;
        let outer = tlv::read_der_single(der)
            .ok_or_else(|| Error::malformed("BasicOCSPResponse", "not DER"))?;
        let (tbs, _) = tlv::expect_der(outer.content, tag::SEQUENCE)
            .ok_or_else(|| Error::malformed("BasicOCSPResponse", "no tbsResponseData"))?;
        let mut certs = Vec::new();
        for any in basic.certs.iter().flatten().take(16) {
            let d = any
                .to_der()
                .map_err(|e| Error::malformed("OCSP responder certificate", e))?;
            if let Some(c) = CertificateDer::from_der(&d)
                .ok()
                .as_ref()
                .and_then(Cert::parse)
            {
                certs.push(c);
            }
        }
        let mut problem = None;
        if basic.tbs_response_data.version.unwrap_or(0) != 0 {
            problem = Some("unsupported OCSP response version".to_string());
        }
        for ext in basic.tbs_response_data.response_extensions.iter().flatten() {
            let known = [
                oid::OCSP_NONCE,
                oid::OCSP_EXTENDED_REVOKE,
                oid::OCSP_ARCHIVE_CUTOFF,
            ]
            .contains(&ext.extn_id);
            if ext.critical && !known {
                problem.get_or_insert(format!(
                    "unsupported critical OCSP response extension {}",
                    ext.extn_id
                ));
            }
        }
        self.ocsp.push(Ocsp {
            tbs: tbs.raw.to_vec(),
            produced_at: gsecs(&basic.tbs_response_data.produced_at),
            basic,
            certs,
            source,
            problem,
        });
        Ok(())
    }
}
