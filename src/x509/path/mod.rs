//! Path building and validation (RFC 5280 §6) at a given time, with bounded work.
//!
//! The parts:
//! - `options`: what a validation checks ([`PathOptions`], the key usage, extended key usage
//!   and revocation policies, the work [`Budget`]) and where certificates came from
//!   ([`CertSource`]);
//! - `errors`: why a chain is not valid ([`PathError`]) and its ETSI indication;
//! - `build`: the depth-first search from the signer towards the trust anchors, bounded by the
//!   [`Budget`] (signature verifications, search steps, candidate paths) and the path depth;
//! - `validate`: the full RFC 5280 validation of one candidate path (profile, keys, roles,
//!   path length, name constraints, policies, validity periods, revocation);
//! - this file: the entry points [`validate_chain`] and [`validate_chain_from`], and their
//!   result [`ChainValidation`], which fills a signature report.

mod build;
mod errors;
mod options;
mod validate;

pub use errors::PathError;
pub use options::{
    Budget, CertSource, DOCUMENT_SIGNING_PURPOSES, EkuPolicy, KeyUsagePolicy, PathOptions,
    RevocationPolicy,
};

use super::cert::Cert;
use super::identity;
use super::revocation::RevocationData;
use super::store::TrustStore;
use crate::report::{ChainElement, RevocationReport, SignatureReport, TrustReport};
use crate::time::{format_unix, unix_seconds};
use crate::x509::CertificateDer;
use build::Builder;

/// The result of [`validate_chain`].
#[derive(Clone, Debug)]
pub struct ChainValidation {
    /// The chain found, signer first, anchor last (on failure: the best candidate, or just the
    /// signer when no path reached an anchor).
    pub chain: Vec<CertificateDer>,
    /// Where each chain element came from (same length as `chain`).
    pub sources: Vec<Option<CertSource>>,
    /// The anchor reached.
    pub anchor: Option<CertificateDer>,
    /// Valid, or why not.
    pub outcome: Result<(), PathError>,
    /// Revocation status of the signer certificate (`None` when revocation was skipped or no
    /// path was found).
    pub revocation: Option<RevocationReport>,
    /// Problems that do not fail the chain (SHA-1, ignored revocation data, …).
    pub warnings: Vec<String>,
    /// The validation time used (RFC 3339).
    pub validation_time: String,
}

impl ChainValidation {
    /// True when the chain is valid.
    pub fn is_valid(&self) -> bool {
        self.outcome.is_ok()
    }

    /// Fills `report`: trust, chain, revocation, the checks `certificate-chain` and
    /// `revocation`, warnings, the signer (when not set yet) and, on failure, the verdict
    /// through [`SignatureReport::fail`].
    pub fn apply_to(&self, report: &mut SignatureReport) {
        if report.signer.is_none()
            && let Some(leaf) = self.chain.first()
        {
            report.signer = Some(identity::signer_report(leaf));
        }
        report.trust = TrustReport {
            evaluated: true,
            validation_time: Some(self.validation_time.clone()),
            anchor: self.anchor.as_ref().map(CertificateDer::subject),
            error: self.outcome.as_ref().err().map(ToString::to_string),
        };
        report.chain = self
            .chain
            .iter()
            .enumerate()
            .map(|(i, c)| ChainElement {
                subject: c.subject(),
                fingerprint_sha256: c.fingerprint_sha256(),
                source: self
                    .sources
                    .get(i)
                    .copied()
                    .flatten()
                    .map(|s| s.as_str().to_string()),
            })
            .collect();
        report.revocation = self.revocation.clone();
        let mut warnings = self.warnings.clone();
        if let Some(s) = &report.signer {
            if let (Some(cpf), Some(false)) = (&s.cpf, s.cpf_valid) {
                warnings.push(format!("ICP-Brasil CPF {cpf} has wrong check digits"));
            }
            if let (Some(cnpj), Some(false)) = (&s.cnpj, s.cnpj_valid) {
                warnings.push(format!("ICP-Brasil CNPJ {cnpj} has wrong check digits"));
            }
        }
        for w in &warnings {
            if !report.warnings.contains(w) {
                report.warnings.push(w.clone());
            }
        }
        match &self.outcome {
            Ok(()) => {
                let anchor = self
                    .anchor
                    .as_ref()
                    .map(CertificateDer::subject)
                    .unwrap_or_default();
                report.pass(
                    "certificate-chain",
                    Some(format!(
                        "{} certificate(s) to trust anchor {anchor} at {}",
                        self.chain.len(),
                        self.validation_time
                    )),
                );
                if let Some(r) = &self.revocation {
                    report.pass(
                        "revocation",
                        Some(format!("signer certificate {} ({})", r.status, r.source)),
                    );
                }
            }
            Err(e) => {
                let (ind, sub) = e.indication();
                let name = match e {
                    PathError::Revoked { .. } | PathError::RevocationUnavailable { .. } => {
                        "revocation"
                    }
                    _ => "certificate-chain",
                };
                report.fail(name, ind, sub, e.to_string());
            }
        }
    }
}

/// Validates `leaf` at `options.time` against `store`, with `pool` as untrusted intermediates.
pub fn validate_chain(
    leaf: &CertificateDer,
    pool: &[CertificateDer],
    store: &TrustStore,
    revocation: &RevocationData,
    options: &PathOptions,
) -> ChainValidation {
    let pool: Vec<(CertificateDer, CertSource)> =
        pool.iter().map(|c| (c.clone(), CertSource::Pool)).collect();
    validate_chain_from(leaf, &pool, store, revocation, options)
}

/// As [`validate_chain`], with the source of every pool certificate (reported per element).
pub fn validate_chain_from(
    leaf: &CertificateDer,
    pool: &[(CertificateDer, CertSource)],
    store: &TrustStore,
    revocation: &RevocationData,
    options: &PathOptions,
) -> ChainValidation {
    let time = unix_seconds(options.time);
    let validation_time = format_unix(time);
    let Some(leaf_cert) = Cert::parse(leaf) else {
        return ChainValidation {
            chain: vec![leaf.clone()],
            sources: vec![None],
            anchor: None,
            outcome: Err(PathError::Malformed {
                position: 0,
                subject: leaf.subject(),
                detail: "the certificate structure cannot be read".into(),
            }),
            revocation: None,
            warnings: Vec::new(),
            validation_time,
        };
    };
    let mut b = Builder::new(leaf_cert, pool, store, revocation, options);
    let found = b.search();
    let warnings = std::mem::take(&mut b.warnings);
    match found {
        Some(v) => b.finish(v, Ok(()), warnings, validation_time),
        None => {
            let (path_and_result, err) = b.failure();
            b.finish_failure(path_and_result, err, warnings, validation_time)
        }
    }
}
