//! The status of one certificate from a [`RevocationData`]: each CRL and OCSP response that
//! names it is checked (issuer, signature, scope, freshness) and the strongest answer wins:
//! revoked, then good, then unknown.

use super::{RevocationData, SKEW, gsecs, reason_name, secs};
use crate::alg::{DigestAlgorithm, UnsupportedAlgorithm, signature_algorithm_from_identifier};
use crate::asn1::ocsp::{CertStatus, ResponderId};
use crate::asn1::oid;
use crate::crypto::{VerifyError, ec_curve_of, verify_signature};
use crate::error::Result;
use crate::time::format_unix;
use crate::x509::cert::{Cert, ku};
use crate::x509::names::Dn;
use der::Decode;
use std::collections::HashMap;
use x509_cert::ext::pkix::CrlReason;
use x509_cert::ext::pkix::name::DistributionPointName;

/// Most signature verifications spent on revocation data in one validation.
pub(crate) const MAX_REVOCATION_SIGNATURES: usize = 64;

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

/// What one piece of revocation data is asked: the status of `cert`, issued by `issuer`, at
/// `time`; `now` bounds future-dated data.
#[derive(Clone, Copy)]
struct Query<'c> {
    cert: &'c Cert,
    issuer: &'c Cert,
    time: i64,
    now: i64,
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
        let q = Query {
            cert,
            issuer,
            time,
            now,
        };
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
            match self.crl_status(i, q) {
                Some(s @ Status::Revoked { .. }) => note(s, &mut revoked),
                Some(s @ Status::Good { .. }) => {
                    good.get_or_insert(s);
                }
                _ => {}
            }
        }
        for i in 0..self.data.ocsp.len() {
            match self.ocsp_status(i, q) {
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

    fn crl_status(&mut self, i: usize, q: Query<'_>) -> Option<Status> {
        let crl = self.data.crls.get(i)?;
        if !crl.issuer.matches(&q.cert.issuer) {
            return None;
        }
        let label = format!("crl ({})", crl.source);
        let what = format!("CRL of {} ({})", q.issuer.subject_text(), crl.source);
        if let Some(p) = &crl.problem {
            self.warn(format!("{what} ignored: {p}"));
            return None;
        }
        if let Some(k) = q.issuer.key_usage
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
            if (idp.only_contains_user_certs && q.cert.is_ca())
                || (idp.only_contains_ca_certs && !q.cert.is_ca())
            {
                return None;
            }
            if idp.only_some_reasons.is_some() {
                complete = false;
            }
            if let Some(DistributionPointName::FullName(idp_names)) = &idp.distribution_point
                && let Some(dps) = &q.cert.crl_distribution_points
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
            } else if idp.distribution_point.is_some() && q.cert.crl_distribution_points.is_some() {
                // nameRelativeToCRLIssuer: not matched here
                return None;
            }
        }
        let sig = crl.signature.clone()?;
        let key = (0u8, i, q.issuer.spki.clone());
        if let Err(e) = self.verify(
            key,
            &q.issuer.spki,
            &crl.list.signature_algorithm,
            &crl.tbs,
            &sig,
        ) {
            self.warn(format!("{what} ignored: signature: {e}"));
            return None;
        }
        if crl.this_update > q.now + SKEW {
            self.warn(format!("{what} ignored: thisUpdate is in the future"));
            return None;
        }
        let serial = q.cert.der.certificate().tbs_certificate().serial_number();
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
            Some(nu) => q.time <= nu,
            None => crl.this_update >= q.time,
        };
        if !fresh {
            self.warn(format!(
                "{what} is not fresh for {} (nextUpdate {}); ignored",
                format_unix(q.time),
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

    fn ocsp_status(&mut self, i: usize, q: Query<'_>) -> Option<Status> {
        let resp = self.data.ocsp.get(i)?;
        let serial = strip_zeros(&q.cert.serial);
        let single = resp.basic.tbs_response_data.responses.iter().find(|r| {
            let id = &r.cert_id;
            let Some(alg) = DigestAlgorithm::from_oid(&id.hash_algorithm.oid) else {
                return false;
            };
            strip_zeros(id.serial_number.as_bytes()) == serial
                && hash_eq(alg, &q.cert.issuer_raw, id.issuer_name_hash.as_bytes())
                && hash_eq(
                    alg,
                    &q.issuer.public_key_bits,
                    id.issuer_key_hash.as_bytes(),
                )
        })?;
        let label = format!("ocsp ({})", resp.source);
        let what = format!(
            "OCSP response for {} ({})",
            q.cert.subject_text(),
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
        if let Err(e) = self.ocsp_authorized(i, q.issuer, produced) {
            self.warn(format!("{what} ignored: {e}"));
            return None;
        }
        let this_update = gsecs(&single.this_update);
        let next_update = single.next_update.as_ref().map(gsecs);
        if this_update > q.now + SKEW || produced > q.now + SKEW {
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
            Some(nu) => q.time <= nu,
            None => this_update >= q.time,
        };
        if !fresh {
            self.warn(format!(
                "{what} is not fresh for {}; ignored",
                format_unix(q.time)
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
