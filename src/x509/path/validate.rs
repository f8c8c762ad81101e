//! RFC 5280 validation of one candidate path (signer first, anchor last), one function per
//! rule: encoding and profile problems, public keys, weak signature algorithms, the signer's
//! role and usages, CA roles, issuers, key identifiers, path length, name constraints,
//! certificate policies, then validity periods and revocation at the validation time.

use super::build::{Builder, PathResult};
use super::{
    DOCUMENT_SIGNING_PURPOSES, EkuPolicy, KeyUsagePolicy, PathError, PathOptions, RevocationPolicy,
};
use crate::alg::MIN_RSA_BITS;
use crate::alg::{AlgorithmStatus, signature_algorithm_from_identifier};
use crate::asn1::oid;
use crate::crypto::{PublicKeyKind, ec_curve_of, public_key_kind};
use crate::report::RevocationReport;
use crate::time::format_unix;
use crate::x509::cert::{Cert, ProblemKind, ku};
use crate::x509::names::NameRefusal;
use crate::x509::policy;
use crate::x509::revocation::Status;

impl Builder<'_> {
    /// Validates one complete path (indices, signer first, anchor last).
    pub(super) fn validate(&mut self, path: &[usize]) -> (PathResult, Result<(), PathError>) {
        let mut result = PathResult {
            path: path.to_vec(),
            ..Default::default()
        };
        let certs: Vec<Cert> = path.iter().filter_map(|i| self.cert(*i).cloned()).collect();
        if certs.len() != path.len() {
            return (
                result,
                Err(PathError::BudgetExceeded {
                    detail: "internal: path index".into(),
                }),
            );
        }
        if let Err(e) = self.check_structure(path, &certs, &mut result) {
            return (result, Err(e));
        }
        let validity_err = validity_error(&certs, self.time);
        let (revoked_err, unavailable_err) =
            if self.options.check_revocation != RevocationPolicy::Skip {
                self.check_revocation(&certs, &mut result)
            } else {
                (None, None)
            };
        if let Some(e) = revoked_err.or(validity_err).or(unavailable_err) {
            return (result, Err(e));
        }
        (result, Ok(()))
    }

    /// Everything but time: profile, keys, roles, path length, name constraints, policies.
    fn check_structure(
        &mut self,
        path: &[usize],
        certs: &[Cert],
        result: &mut PathResult,
    ) -> Result<(), PathError> {
        let anchor_last = path.last().is_some_and(|i| self.is_anchor(*i));
        check_profile(certs, anchor_last)?;
        check_keys(certs, self.options)?;
        result.warnings.extend(weak_algorithm_warnings(certs));
        check_signer(certs, self.options)?;
        check_ca_roles(certs)?;
        check_issuers(certs)?;
        self.check_key_identifiers(path, certs)?;
        check_path_length(certs)?;
        check_name_constraints(certs)?;
        check_policies(certs)
    }

    /// Whether the certificate at `pos` of `path` is self-issued and verifies with its own key.
    fn is_self_signed(&mut self, path: &[usize], pos: usize, c: &Cert) -> bool {
        c.is_self_issued()
            && path
                .get(pos)
                .is_some_and(|i| matches!(self.signature(*i, *i), Ok(())))
    }

    /// authorityKeyIdentifier: required except in self-signed certificates, where it must name
    /// the certificate's own key.
    fn check_key_identifiers(&mut self, path: &[usize], certs: &[Cert]) -> Result<(), PathError> {
        for (pos, c) in certs.iter().enumerate() {
            if let Some(aki) = &c.aki_key_id {
                if c.is_self_issued()
                    && c.ski.as_ref().is_some_and(|ski| ski != aki)
                    && self.is_self_signed(path, pos, c)
                {
                    return Err(constraint(
                        certs,
                        pos,
                        "self-signed certificate whose authorityKeyIdentifier is not its \
                         subjectKeyIdentifier"
                            .into(),
                    ));
                }
                continue;
            }
            if !self.is_self_signed(path, pos, c) {
                return Err(constraint(
                    certs,
                    pos,
                    "authorityKeyIdentifier missing in a certificate that is not self-signed"
                        .into(),
                ));
            }
        }
        Ok(())
    }

    /// Revocation status of every certificate below the anchor at the validation time: the
    /// first revocation error and the first missing-status error (under
    /// [`RevocationPolicy::Require`]); the signer's status goes to `result`.
    fn check_revocation(
        &mut self,
        certs: &[Cert],
        result: &mut PathResult,
    ) -> (Option<PathError>, Option<PathError>) {
        let mut revoked_err = None;
        let mut unavailable_err = None;
        for pos in 0..certs.len().saturating_sub(1) {
            let (Some(c), Some(issuer)) = (certs.get(pos), certs.get(pos + 1)) else {
                continue;
            };
            let status = self.checker.status(c, issuer, self.time, self.now);
            let report = match &status {
                Status::Good { source } => RevocationReport {
                    status: "good".into(),
                    source: source.clone(),
                    revoked_at: None,
                    reason: None,
                },
                Status::Revoked { at, reason, source } => {
                    if *at <= self.time {
                        revoked_err.get_or_insert(PathError::Revoked {
                            position: pos,
                            subject: c.subject_text(),
                            revoked_at: format_unix(*at),
                            reason: reason.clone(),
                            source_name: source.clone(),
                        });
                    } else {
                        result.warnings.push(format!(
                            "certificate {} was revoked at {} ({}), after the validation time {}",
                            c.subject_text(),
                            format_unix(*at),
                            source,
                            format_unix(self.time)
                        ));
                    }
                    RevocationReport {
                        status: if *at <= self.time {
                            "revoked".into()
                        } else {
                            "good".into()
                        },
                        source: source.clone(),
                        revoked_at: Some(format_unix(*at)),
                        reason: reason.clone(),
                    }
                }
                Status::Unknown { source } => RevocationReport {
                    status: "unknown".into(),
                    source: source.clone(),
                    revoked_at: None,
                    reason: None,
                },
                Status::NoData => RevocationReport {
                    status: "not_checked".into(),
                    source: "none".into(),
                    revoked_at: None,
                    reason: None,
                },
            };
            let has_status = matches!(status, Status::Good { .. } | Status::Revoked { .. });
            if !has_status && self.options.check_revocation == RevocationPolicy::Require {
                unavailable_err.get_or_insert(PathError::RevocationUnavailable {
                    position: pos,
                    subject: c.subject_text(),
                    detail: if matches!(status, Status::Unknown { .. }) {
                        "the responder does not know the certificate".into()
                    } else {
                        "no fresh CRL or OCSP response from its issuer".into()
                    },
                });
            }
            if pos == 0 {
                result.revocation = Some(report);
            }
        }
        for w in self.checker.warnings.drain(..) {
            if !self.warnings.contains(&w) {
                self.warnings.push(w);
            }
        }
        (revoked_err, unavailable_err)
    }
}

/// The subject of the certificate at `pos` (empty when there is none).
fn subject(certs: &[Cert], pos: usize) -> String {
    certs.get(pos).map(Cert::subject_text).unwrap_or_default()
}

/// A [`PathError::Constraint`] of the certificate at `pos`.
fn constraint(certs: &[Cert], pos: usize, detail: String) -> PathError {
    PathError::Constraint {
        position: pos,
        subject: subject(certs, pos),
        detail,
    }
}

/// The first certificate outside its validity period at `time` (Unix seconds).
fn validity_error(certs: &[Cert], time: i64) -> Option<PathError> {
    let mut validity_err = None;
    for (pos, c) in certs.iter().enumerate() {
        if time < c.not_before {
            validity_err.get_or_insert(PathError::NotYetValid {
                position: pos,
                subject: c.subject_text(),
                not_before: format_unix(c.not_before),
                time: format_unix(time),
            });
        } else if time > c.not_after {
            validity_err.get_or_insert(PathError::Expired {
                position: pos,
                subject: c.subject_text(),
                not_after: format_unix(c.not_after),
                time: format_unix(time),
            });
        }
    }
    validity_err
}

/// Encoding and profile problems found when parsing (a trust anchor's serial number is the
/// anchor's business: real roots with serial 0 exist). `anchor_last`: the last certificate is
/// a trust anchor.
fn check_profile(certs: &[Cert], anchor_last: bool) -> Result<(), PathError> {
    let n = certs.len();
    for (pos, c) in certs.iter().enumerate() {
        let is_anchor = pos + 1 == n && anchor_last;
        let problem = c
            .problems
            .iter()
            .find(|(_, d)| !(is_anchor && d.starts_with("serial number")));
        if let Some((kind, detail)) = problem {
            return Err(match kind {
                ProblemKind::Malformed => PathError::Malformed {
                    position: pos,
                    subject: subject(certs, pos),
                    detail: detail.clone(),
                },
                ProblemKind::Constraint => constraint(certs, pos, detail.clone()),
            });
        }
    }
    Ok(())
}

/// Public keys: supported, and RSA keys of at least [`MIN_RSA_BITS`], or shorter ones when the
/// validation time is before their sunset date (a validation at a proof of existence).
fn check_keys(certs: &[Cert], options: &PathOptions) -> Result<(), PathError> {
    for (pos, c) in certs.iter().enumerate() {
        match public_key_kind(&c.spki) {
            Ok(PublicKeyKind::Rsa(bits))
                if !options.algorithms.rsa_acceptable_at(bits, options.time) =>
            {
                return Err(PathError::Crypto {
                    position: pos,
                    subject: subject(certs, pos),
                    detail: format!("RSA key of {bits} bits (minimum {MIN_RSA_BITS})"),
                });
            }
            Ok(_) => {}
            Err(e) => {
                return Err(PathError::Crypto {
                    position: pos,
                    subject: subject(certs, pos),
                    detail: format!("public key refused: {e}"),
                });
            }
        }
    }
    Ok(())
}

/// Warnings for weak signature algorithms of the certificates below the anchor (the edges of
/// the search verified the signatures).
fn weak_algorithm_warnings(certs: &[Cert]) -> Vec<String> {
    let mut warnings = Vec::new();
    for (pos, c) in certs.iter().enumerate().take(certs.len().saturating_sub(1)) {
        if let Ok(alg) = signature_algorithm_from_identifier(
            &c.signature_algorithm,
            None,
            certs.get(pos + 1).and_then(|p| ec_curve_of(&p.spki)),
        ) && alg.status() != AlgorithmStatus::Accepted
        {
            warnings.push(format!(
                "certificate {} is signed with {alg} (weak)",
                subject(certs, pos)
            ));
        }
    }
    warnings
}

/// The signer: not a CA (unless allowed), and a key usage and extended key usage the policies
/// of `options` accept.
fn check_signer(certs: &[Cert], options: &PathOptions) -> Result<(), PathError> {
    let leaf = certs.first().ok_or_else(|| PathError::BudgetExceeded {
        detail: "internal: empty path".into(),
    })?;
    if leaf.is_ca() && !options.allow_ca_signer {
        return Err(constraint(
            certs,
            0,
            "a CA certificate (basicConstraints cA) cannot be the signer".into(),
        ));
    }
    if options.key_usage == KeyUsagePolicy::Signing
        && let Some(k) = leaf.key_usage
        && k & (ku::DIGITAL_SIGNATURE | ku::NON_REPUDIATION) == 0
    {
        return Err(constraint(
            certs,
            0,
            "keyUsage allows neither digitalSignature nor nonRepudiation".into(),
        ));
    }
    match (&options.eku, &leaf.eku) {
        (EkuPolicy::Any, _) | (EkuPolicy::DocumentSigning, None) => {}
        (EkuPolicy::DocumentSigning, Some(list)) => {
            if !list.iter().any(|p| DOCUMENT_SIGNING_PURPOSES.contains(p)) {
                return Err(constraint(
                    certs,
                    0,
                    format!(
                        "extendedKeyUsage ({}) does not allow document signing",
                        list.iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
        }
        (EkuPolicy::Require(want), list) => {
            let ok = list
                .as_ref()
                .is_some_and(|l| l.iter().any(|p| *p == oid::ANY_EKU || want.contains(p)));
            if !ok {
                return Err(constraint(
                    certs,
                    0,
                    "extendedKeyUsage lacks the required purpose".into(),
                ));
            }
        }
    }
    Ok(())
}

/// Every certificate: keyCertSign and nameConstraints only in CAs (basicConstraints cA).
fn check_ca_roles(certs: &[Cert]) -> Result<(), PathError> {
    for (pos, c) in certs.iter().enumerate().filter(|(_, c)| !c.is_ca()) {
        let problem = if c.key_usage.is_some_and(|k| k & ku::KEY_CERT_SIGN != 0) {
            Some("keyCertSign asserted without basicConstraints cA")
        } else if c.name_constraints.is_some() {
            Some("nameConstraints in a certificate that is not a CA")
        } else {
            None
        };
        if let Some(detail) = problem {
            return Err(constraint(certs, pos, detail.into()));
        }
    }
    Ok(())
}

/// Issuers (intermediates and the anchor): critical basicConstraints with cA, keyCertSign when
/// keyUsage is present, a subjectKeyIdentifier, a non-empty subject.
fn check_issuers(certs: &[Cert]) -> Result<(), PathError> {
    for (pos, c) in certs.iter().enumerate().skip(1) {
        let problem = match c.basic_constraints {
            None => Some("issuer certificate without basicConstraints"),
            Some((_, false, _)) => {
                Some("issuer certificate is not a CA (basicConstraints cA false)")
            }
            Some((false, true, _)) => Some("CA certificate with non-critical basicConstraints"),
            Some((true, true, _)) if c.key_usage.is_some_and(|k| k & ku::KEY_CERT_SIGN == 0) => {
                Some("issuer keyUsage does not allow keyCertSign")
            }
            Some((true, true, _)) if c.ski.is_none() => {
                Some("CA certificate without subjectKeyIdentifier")
            }
            Some((true, true, _)) => None,
        };
        if let Some(detail) = problem {
            return Err(constraint(certs, pos, detail.into()));
        }
        if c.subject.is_empty() {
            return Err(PathError::Malformed {
                position: pos,
                subject: subject(certs, pos),
                detail: "CA certificate with an empty subject".into(),
            });
        }
    }
    Ok(())
}

/// Path length (RFC 5280 §6.1.4 (l), (m)); the anchor's constraint applies.
fn check_path_length(certs: &[Cert]) -> Result<(), PathError> {
    let mut max_path: Option<u32> = certs
        .last()
        .and_then(|a| a.basic_constraints)
        .and_then(|(_, _, p)| p.map(u32::from));
    for pos in (1..certs.len().saturating_sub(1)).rev() {
        let Some(c) = certs.get(pos) else { continue };
        if !c.is_self_issued() {
            if max_path == Some(0) {
                return Err(constraint(
                    certs,
                    pos,
                    "path length constraint exceeded (pathLenConstraint)".into(),
                ));
            }
            max_path = max_path.map(|m| m - 1);
        }
        if let Some((_, _, Some(p))) = c.basic_constraints {
            let p = u32::from(p);
            max_path = Some(max_path.map_or(p, |m| m.min(p)));
        }
    }
    Ok(())
}

/// Name constraints (RFC 5280 §6.1.3 (b), (c), §6.1.4 (g)); self-issued intermediates are
/// exempt, the signer never is.
fn check_name_constraints(certs: &[Cert]) -> Result<(), PathError> {
    let mut comparisons = 0usize;
    for (i, ca) in certs.iter().enumerate().skip(1) {
        let Some(nc) = &ca.name_constraints else {
            continue;
        };
        for (j, c) in certs.iter().enumerate().take(i) {
            if j != 0 && c.is_self_issued() {
                continue;
            }
            let names = c.constrained_names().map_err(|e| PathError::Malformed {
                position: j,
                subject: subject(certs, j),
                detail: e.to_string(),
            })?;
            for name in &names {
                if let Err(e) = nc.check(name, &mut comparisons) {
                    if matches!(e, NameRefusal::TooManyComparisons) {
                        return Err(PathError::BudgetExceeded {
                            detail: e.to_string(),
                        });
                    }
                    return Err(constraint(
                        certs,
                        j,
                        format!("name constraints of {}: {e}", subject(certs, i)),
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Certificate policies: the path without the anchor, from the anchor down.
fn check_policies(certs: &[Cert]) -> Result<(), PathError> {
    let below_anchor: Vec<&Cert> = certs
        .iter()
        .take(certs.len().saturating_sub(1))
        .rev()
        .collect();
    if !below_anchor.is_empty()
        && let Err(e) = policy::check(&below_anchor)
    {
        return Err(constraint(certs, 0, e.to_string()));
    }
    Ok(())
}
