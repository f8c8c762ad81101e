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

use super::cert::{Cert, ku};
use super::names::Dn;
use crate::alg::{DigestAlgorithm, UnsupportedAlgorithm, signature_algorithm_from_identifier};
use crate::asn1::ocsp::{
    BasicOcspResponse, CertStatus, OcspResponse, OcspResponseStatus, ResponderId,
};
use crate::asn1::oid;
use crate::asn1::tlv::{self, tag};
use crate::crypto::{VerifyError, ec_curve_of, verify_signature};
use crate::error::{Error, Result};
use crate::time::format_unix;
use crate::x509::CertificateDer;
use der::{Decode, Encode};
use std::collections::HashMap;
use x509_cert::crl::CertificateList;
use x509_cert::ext::pkix::name::DistributionPointName;
use x509_cert::ext::pkix::{CrlReason, IssuingDistributionPoint};

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
/// Most signature verifications spent on revocation data in one validation.
pub(crate) const MAX_REVOCATION_SIGNATURES: usize = 64;
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

/// What the data says about one certificate at the validation time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    /// Not revoked, proven by fresh data.
    Good { source: String },
    /// Revoked at `at` (Unix seconds).
    Revoked {
        at: i64,
        reason: Option<String>,
        source: String,
    },
    /// A responder said "unknown".
    Unknown { source: String },
    /// No usable data.
    NoData,
}

/// Why a signature over revocation data (or over a responder certificate) is not accepted.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum SignatureCheckError {
    /// [`MAX_REVOCATION_SIGNATURES`] verifications were already spent.
    #[error("revocation signature budget exhausted")]
    BudgetExhausted,
    /// The signature algorithm is unknown or refused.
    #[error(transparent)]
    Algorithm(#[from] UnsupportedAlgorithm),
    /// The signature does not verify with the key.
    #[error(transparent)]
    Verify(#[from] VerifyError),
}

/// Why an OCSP response is not accepted as signed by the CA or an authorised responder.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum OcspAuthorizationError {
    /// No response with that index.
    #[error("no such response")]
    NoSuchResponse,
    /// The signature BIT STRING has unused bits.
    #[error("malformed signature")]
    MalformedSignature,
    /// The CA named itself as responder and its signature is not accepted.
    #[error(transparent)]
    IssuerSignature(SignatureCheckError),
    /// No certificate in the response matches the responderID.
    #[error("no responder certificate matches the responderID")]
    NoMatchingResponder,
    /// The responder certificate was issued by another CA.
    #[error("responder certificate not issued by the CA")]
    ResponderNotIssuedByCa,
    /// The responder certificate has a recorded problem.
    #[error("responder certificate: {0}")]
    ResponderProblem(String),
    /// The responder certificate lacks id-kp-OCSPSigning.
    #[error("responder certificate lacks id-kp-OCSPSigning")]
    ResponderLacksOcspSigning,
    /// The responder certificate's keyUsage lacks digitalSignature.
    #[error("responder certificate keyUsage lacks digitalSignature")]
    ResponderLacksDigitalSignature,
    /// The responder certificate was not valid at producedAt.
    #[error("responder certificate not valid when the response was produced")]
    ResponderNotValid,
    /// The CA's signature on the responder certificate is not accepted.
    #[error("responder certificate signature: {0}")]
    ResponderCertificateSignature(SignatureCheckError),
    /// The responder's signature on the response is not accepted.
    #[error("response signature: {0}")]
    ResponseSignature(SignatureCheckError),
}

/// Checks certificates against a [`RevocationData`] with a signature budget and caches.
pub(crate) struct Checker<'a> {
    data: &'a RevocationData,
    signatures: usize,
    /// (kind, index, issuer key) → verified.
    cache: HashMap<(u8, usize, Vec<u8>), Result<(), SignatureCheckError>>,
    /// Notes about data that was ignored, deduplicated.
    pub warnings: Vec<String>,
}

fn hash_eq(alg: DigestAlgorithm, data: &[u8], expected: &[u8]) -> bool {
    alg.digest(data) == expected
}

fn strip_zeros(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|x| **x == 0).count();
    b.get(n..).unwrap_or_default()
}

impl<'a> Checker<'a> {
    pub fn new(data: &'a RevocationData) -> Self {
        Self {
            data,
            signatures: 0,
            cache: HashMap::new(),
            warnings: Vec::new(),
        }
    }

    fn warn(&mut self, w: String) {
        if !self.warnings.contains(&w) {
            self.warnings.push(w);
        }
    }

    fn verify(
        &mut self,
        key: (u8, usize, Vec<u8>),
        signer_spki: &[u8],
        alg: &spki::AlgorithmIdentifierOwned,
        tbs: &[u8],
        sig: &[u8],
    ) -> Result<(), SignatureCheckError> {
        if let Some(r) = self.cache.get(&key) {
            return r.clone();
        }
        let r = if self.signatures >= MAX_REVOCATION_SIGNATURES {
            Err(SignatureCheckError::BudgetExhausted)
        } else {
            self.signatures += 1;
            signature_algorithm_from_identifier(alg, None, ec_curve_of(signer_spki))
                .map_err(SignatureCheckError::from)
                .and_then(|a| Ok(verify_signature(signer_spki, a, tbs, sig)?))
        };
        self.cache.insert(key, r.clone());
        r
    }

    /// The status of `cert` (issued by `issuer`) at `time`; `now` bounds future-dated data.
    pub fn status(&mut self, cert: &Cert, issuer: &Cert, time: i64, now: i64) -> Status {
        let mut revoked: Option<Status> = None;
        let mut good: Option<Status> = None;
        let mut unknown: Option<Status> = None;
        let note = |s: Status, revoked: &mut Option<Status>| {
            if let (Status::Revoked { at, .. }, Some(Status::Revoked { at: prev, .. })) =
                (&s, &*revoked)
                && at >= prev
            {
                return;
            }
            *revoked = Some(s);
        };
        for i in 0..self.data.crls.len() {
            match self.crl_status(i, cert, issuer, time, now) {
                Some(s @ Status::Revoked { .. }) => note(s, &mut revoked),
                Some(s @ Status::Good { .. }) => {
                    good.get_or_insert(s);
                }
                _ => {}
            }
        }
        for i in 0..self.data.ocsp.len() {
            match self.ocsp_status(i, cert, issuer, time, now) {
                Some(s @ Status::Revoked { .. }) => note(s, &mut revoked),
                Some(s @ Status::Good { .. }) => {
                    good.get_or_insert(s);
                }
                Some(s @ Status::Unknown { .. }) => {
                    unknown.get_or_insert(s);
                }
                _ => {}
            }
        }
        revoked.or(good).or(unknown).unwrap_or(Status::NoData)
    }

    fn crl_status(
        &mut self,
        i: usize,
        cert: &Cert,
        issuer: &Cert,
        time: i64,
        now: i64,
    ) -> Option<Status> {
        let crl = self.data.crls.get(i)?;
        if !crl.issuer.matches(&cert.issuer) {
            return None;
        }
        let label = format!("crl ({})", crl.source);
        let what = format!("CRL of {} ({})", issuer.subject_text(), crl.source);
        if let Some(p) = &crl.problem {
            self.warn(format!("{what} ignored: {p}"));
            return None;
        }
        if let Some(k) = issuer.key_usage
            && k & ku::CRL_SIGN == 0
        {
            self.warn(format!(
                "{what} ignored: the issuer's keyUsage does not allow cRLSign"
            ));
            return None;
        }
        // scope (RFC 5280 §6.3.3 (b))
        let mut complete = true;
        if let Some(idp) = &crl.idp {
            if (idp.only_contains_user_certs && cert.is_ca())
                || (idp.only_contains_ca_certs && !cert.is_ca())
            {
                return None;
            }
            if idp.only_some_reasons.is_some() {
                complete = false;
            }
            if let Some(DistributionPointName::FullName(idp_names)) = &idp.distribution_point
                && let Some(dps) = &cert.crl_distribution_points
            {
                let matched = dps.0.iter().any(|dp| match &dp.distribution_point {
                    Some(DistributionPointName::FullName(names)) => {
                        names.iter().any(|n| idp_names.contains(n))
                    }
                    _ => false,
                });
                if !matched {
                    return None;
                }
            } else if idp.distribution_point.is_some() && cert.crl_distribution_points.is_some() {
                // nameRelativeToCRLIssuer: not matched here
                return None;
            }
        }
        let sig = crl.signature.clone()?;
        let key = (0u8, i, issuer.spki.clone());
        if let Err(e) = self.verify(
            key,
            &issuer.spki,
            &crl.list.signature_algorithm,
            &crl.tbs,
            &sig,
        ) {
            self.warn(format!("{what} ignored: signature: {e}"));
            return None;
        }
        if crl.this_update > now + SKEW {
            self.warn(format!("{what} ignored: thisUpdate is in the future"));
            return None;
        }
        let serial = cert.der.certificate().tbs_certificate().serial_number();
        for entry in crl.list.tbs_cert_list.revoked_certificates.iter().flatten() {
            if &entry.serial_number != serial {
                continue;
            }
            let mut reason = None;
            for ext in entry.crl_entry_extensions.iter().flatten() {
                if ext.extn_id == oid::REASON_CODE {
                    reason = CrlReason::from_der(ext.extn_value.as_bytes()).ok();
                }
            }
            if reason == Some(CrlReason::RemoveFromCRL) {
                continue;
            }
            return Some(Status::Revoked {
                at: secs(&entry.revocation_date),
                reason: reason.map(|r| reason_name(r).to_string()),
                source: label,
            });
        }
        let fresh = match crl.next_update {
            Some(nu) => time <= nu,
            None => crl.this_update >= time,
        };
        if !fresh {
            self.warn(format!(
                "{what} is not fresh for {} (nextUpdate {}); ignored",
                format_unix(time),
                crl.next_update
                    .map(format_unix)
                    .unwrap_or_else(|| "absent".into())
            ));
            return None;
        }
        if !complete {
            return None; // a partial CRL cannot prove "good"
        }
        Some(Status::Good { source: label })
    }

    /// Finds who signed response `i` for certificates of `issuer`, and verifies it.
    fn ocsp_authorized(
        &mut self,
        i: usize,
        issuer: &Cert,
        at: i64,
    ) -> Result<(), OcspAuthorizationError> {
        use OcspAuthorizationError as E;
        let Some(resp) = self.data.ocsp.get(i) else {
            return Err(E::NoSuchResponse);
        };
        let sig = resp
            .basic
            .signature
            .as_bytes()
            .ok_or(E::MalformedSignature)?
            .to_vec();
        let matches_id = |c: &Cert| match &resp.basic.tbs_response_data.responder_id {
            ResponderId::ByName(n) => Dn::from_name(n).is_some_and(|d| d.matches(&c.subject)),
            ResponderId::ByKey(h) => {
                DigestAlgorithm::Sha1.digest(&c.public_key_bits) == h.as_bytes()
            }
        };
        // the CA itself
        if matches_id(issuer) {
            return self
                .verify(
                    (1, i, issuer.spki.clone()),
                    &issuer.spki,
                    &resp.basic.signature_algorithm,
                    &resp.tbs,
                    &sig,
                )
                .map_err(E::IssuerSignature);
        }
        // a delegated responder (RFC 6960 §4.2.2.2)
        let mut last = E::NoMatchingResponder;
        for (k, responder) in resp.certs.iter().enumerate() {
            if !matches_id(responder) {
                continue;
            }
            if !responder.issuer.matches(&issuer.subject) {
                last = E::ResponderNotIssuedByCa;
                continue;
            }
            if let Some((_, p)) = responder.first_problem() {
                last = E::ResponderProblem(p.clone());
                continue;
            }
            if !responder
                .eku
                .as_ref()
                .is_some_and(|e| e.contains(&oid::KP_OCSP_SIGNING))
            {
                last = E::ResponderLacksOcspSigning;
                continue;
            }
            if let Some(k) = responder.key_usage
                && k & ku::DIGITAL_SIGNATURE == 0
            {
                last = E::ResponderLacksDigitalSignature;
                continue;
            }
            if at < responder.not_before || at > responder.not_after {
                last = E::ResponderNotValid;
                continue;
            }
            // the CA issued the responder certificate
            let key = (2u8, i * 64 + k, issuer.spki.clone());
            if let Err(e) = self.verify(
                key,
                &issuer.spki,
                &responder.signature_algorithm,
                &responder.tbs,
                &responder.signature,
            ) {
                last = E::ResponderCertificateSignature(e);
                continue;
            }
            match self.verify(
                (3, i * 64 + k, responder.spki.clone()),
                &responder.spki,
                &resp.basic.signature_algorithm,
                &resp.tbs,
                &sig,
            ) {
                Ok(()) => {
                    if !responder.ocsp_nocheck {
                        self.warn(format!(
                            "revocation of OCSP responder {} not checked (no id-pkix-ocsp-nocheck)",
                            responder.subject_text()
                        ));
                    }
                    return Ok(());
                }
                Err(e) => last = E::ResponseSignature(e),
            }
        }
        Err(last)
    }

    fn ocsp_status(
        &mut self,
        i: usize,
        cert: &Cert,
        issuer: &Cert,
        time: i64,
        now: i64,
    ) -> Option<Status> {
        let resp = self.data.ocsp.get(i)?;
        let serial = strip_zeros(&cert.serial);
        let single = resp.basic.tbs_response_data.responses.iter().find(|r| {
            let id = &r.cert_id;
            let Some(alg) = DigestAlgorithm::from_oid(&id.hash_algorithm.oid) else {
                return false;
            };
            strip_zeros(id.serial_number.as_bytes()) == serial
                && hash_eq(alg, &cert.issuer_raw, id.issuer_name_hash.as_bytes())
                && hash_eq(alg, &issuer.public_key_bits, id.issuer_key_hash.as_bytes())
        })?;
        let label = format!("ocsp ({})", resp.source);
        let what = format!(
            "OCSP response for {} ({})",
            cert.subject_text(),
            resp.source
        );
        if let Some(p) = &resp.problem {
            self.warn(format!("{what} ignored: {p}"));
            return None;
        }
        for ext in single.single_extensions.iter().flatten() {
            if ext.critical && ext.extn_id != oid::OCSP_CRL_ID {
                self.warn(format!(
                    "{what} ignored: unsupported critical extension {}",
                    ext.extn_id
                ));
                return None;
            }
        }
        let produced = resp.produced_at;
        if let Err(e) = self.ocsp_authorized(i, issuer, produced) {
            self.warn(format!("{what} ignored: {e}"));
            return None;
        }
        let this_update = gsecs(&single.this_update);
        let next_update = single.next_update.as_ref().map(gsecs);
        if this_update > now + SKEW || produced > now + SKEW {
            self.warn(format!("{what} ignored: dated in the future"));
            return None;
        }
        if next_update.is_some_and(|nu| nu < this_update) {
            self.warn(format!("{what} ignored: nextUpdate before thisUpdate"));
            return None;
        }
        if let CertStatus::Revoked(info) = &single.cert_status {
            return Some(Status::Revoked {
                at: gsecs(&info.revocation_time),
                reason: info.revocation_reason.map(|r| reason_name(r).to_string()),
                source: label,
            });
        }
        let fresh = match next_update {
            Some(nu) => time <= nu,
            None => this_update >= time,
        };
        if !fresh {
            self.warn(format!(
                "{what} is not fresh for {}; ignored",
                format_unix(time)
            ));
            return None;
        }
        match single.cert_status {
            CertStatus::Good(_) => Some(Status::Good { source: label }),
            _ => Some(Status::Unknown { source: label }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{OcspAuthorizationError as E, SignatureCheckError, VerifyError};

    #[test]
    fn errors_read_as_reported() {
        let bad = SignatureCheckError::Verify(VerifyError::BadSignature);
        assert_eq!(E::IssuerSignature(bad.clone()).to_string(), bad.to_string());
        let resp = E::ResponseSignature(bad).to_string();
        assert_eq!(resp, "response signature: signature value does not verify");
        let budget = E::ResponderCertificateSignature(SignatureCheckError::BudgetExhausted);
        let text = "responder certificate signature: revocation signature budget exhausted";
        assert_eq!(budget.to_string(), text);
    }
}
