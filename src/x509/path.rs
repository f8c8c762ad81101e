//! Path building and validation (RFC 5280 §6) at a given time, with bounded work.
//!
//! Building is a depth-first search from the signer certificate towards the trust anchors:
//! at each step the candidate issuers are the certificates whose subject matches the current
//! issuer name (and whose subjectKeyIdentifier does not contradict the authorityKeyIdentifier),
//! anchors first; a candidate is used only if the current certificate's signature verifies with
//! its key. A certificate (or the same subject and key) never appears twice on a path, so cycles
//! end. Every path that reaches an anchor is then validated in full; the first valid one wins.
//! Work is bounded by a [`Budget`]: signature verifications, search steps, and path depth.

use super::cert::{Cert, ProblemKind, ku};
use super::names::NameRefusal;
use super::revocation::{Checker, RevocationData, Status};
use super::store::TrustStore;
use super::time::{format_unix, unix_seconds};
use super::{identity, policy};
use crate::alg::MIN_RSA_BITS;
use crate::alg::{AlgorithmStatus, signature_algorithm_from_identifier};
use crate::asn1::oid;
use crate::crypto::{PublicKeyKind, VerifyError, ec_curve_of, public_key_kind, verify_signature};
use crate::report::{
    ChainElement, Indication, RevocationReport, SignatureReport, SubIndication, TrustReport,
};
use crate::x509::CertificateDer;
use der::asn1::ObjectIdentifier;
use std::collections::HashMap;
use std::time::SystemTime;

/// Which extended key usages the signer certificate must allow, when it has the extension.
///
/// A signer certificate without extendedKeyUsage is accepted under every policy except
/// [`EkuPolicy::Require`].
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum EkuPolicy {
    /// Document signing: one of emailProtection, id-kp-documentSigning (1.3.6.1.5.5.7.3.36),
    /// Adobe authentic documents (1.2.840.113583.1.1.5), Microsoft document signing
    /// (1.3.6.1.4.1.311.10.3.12) or anyExtendedKeyUsage.
    #[default]
    DocumentSigning,
    /// No check of the purposes (the extension must still be well formed).
    Any,
    /// The extension must be present and contain one of these purposes (or
    /// anyExtendedKeyUsage).
    Require(Vec<ObjectIdentifier>),
}

/// The purposes [`EkuPolicy::DocumentSigning`] accepts.
pub const DOCUMENT_SIGNING_PURPOSES: [ObjectIdentifier; 5] = [
    oid::KP_EMAIL_PROTECTION,
    oid::KP_DOCUMENT_SIGNING,
    oid::ADOBE_AUTHENTIC_DOCUMENTS,
    oid::MS_DOCUMENT_SIGNING,
    oid::ANY_EKU,
];

/// What the signer certificate's keyUsage must allow, when it has the extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum KeyUsagePolicy {
    /// digitalSignature or nonRepudiation (contentCommitment).
    #[default]
    Signing,
    /// No check.
    Any,
}

/// Whether revocation status must be established.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum RevocationPolicy {
    /// Use the data supplied: a certificate shown revoked fails; without data the status is
    /// `not_checked`, which is not a failure.
    #[default]
    IfAvailable,
    /// Every certificate below the anchor needs fresh status (TRY_LATER otherwise).
    Require,
    /// Do not look at revocation data.
    Skip,
}

/// Limits on the work one validation may do (hostile certificate graphs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    /// Certificate signature verifications.
    pub signature_checks: usize,
    /// Path-extension steps of the search.
    pub build_calls: usize,
    /// Complete candidate paths validated.
    pub candidate_paths: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Self {
            signature_checks: 100,
            build_calls: 200,
            candidate_paths: 32,
        }
    }
}

/// Options of one validation.
#[derive(Clone, Debug)]
pub struct PathOptions {
    /// The validation time: the claimed signing time, a timestamp's time, or now. Compared
    /// with validity periods at one-second precision (fractions are dropped).
    pub time: SystemTime,
    /// Signer extended key usage policy.
    pub eku: EkuPolicy,
    /// Signer key usage policy.
    pub key_usage: KeyUsagePolicy,
    /// Revocation policy.
    pub check_revocation: RevocationPolicy,
    /// Most intermediate certificates between the signer and the anchor (default 10).
    pub max_depth: usize,
    /// Accept a CA certificate (basicConstraints cA) as the signer (default false).
    pub allow_ca_signer: bool,
    /// Accept a signer certificate that is itself a trust anchor (default true: the user
    /// trusted exactly that certificate). Its validity, key usage and extensions still apply.
    pub allow_anchor_as_signer: bool,
    /// Refuse SHA-1 certificate signatures instead of accepting them with a warning.
    pub reject_sha1: bool,
    /// Work limits.
    pub budget: Budget,
}

impl Default for PathOptions {
    fn default() -> Self {
        Self::at(SystemTime::now())
    }
}

impl PathOptions {
    /// Default options at `time`.
    pub fn at(time: SystemTime) -> Self {
        Self {
            time,
            eku: EkuPolicy::default(),
            key_usage: KeyUsagePolicy::default(),
            check_revocation: RevocationPolicy::default(),
            max_depth: 10,
            allow_ca_signer: false,
            allow_anchor_as_signer: true,
            reject_sha1: false,
            budget: Budget::default(),
        }
    }
}

/// Where a certificate offered to the path builder came from (reported per chain element).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CertSource {
    /// The signature's certificate set.
    Signature,
    /// A PDF's Document Security Store.
    Dss,
    /// A pool given by the caller (e.g. `--untrusted`).
    Pool,
    /// The trust store.
    TrustStore,
}

impl CertSource {
    /// The name used in reports: `signature`, `dss`, `pool`, `trust-store`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Signature => "signature",
            Self::Dss => "dss",
            Self::Pool => "pool",
            Self::TrustStore => "trust-store",
        }
    }
}

/// Why a chain is not valid. `position` is the index in the chain: 0 is the signer, the last
/// is the anchor.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PathError {
    /// No path from the certificate to a trust anchor.
    #[error("no certificate chain to a trust anchor for {subject}: {detail}")]
    NoChain {
        /// The signer certificate's subject.
        subject: String,
        /// What was missing.
        detail: String,
    },
    /// A certificate expired before the validation time.
    #[error("certificate {subject} expired at {not_after} (validation time {time})")]
    Expired {
        /// Index in the chain.
        position: usize,
        /// Its subject.
        subject: String,
        /// Its notAfter (RFC 3339).
        not_after: String,
        /// The validation time (RFC 3339).
        time: String,
    },
    /// A certificate is not yet valid at the validation time.
    #[error("certificate {subject} is not valid before {not_before} (validation time {time})")]
    NotYetValid {
        /// Index in the chain.
        position: usize,
        /// Its subject.
        subject: String,
        /// Its notBefore (RFC 3339).
        not_before: String,
        /// The validation time (RFC 3339).
        time: String,
    },
    /// A certificate was revoked at or before the validation time.
    #[error("certificate {subject} revoked at {revoked_at}{} ({source_name})", reason.as_ref().map(|r| format!(", reason {r}")).unwrap_or_default())]
    Revoked {
        /// Index in the chain.
        position: usize,
        /// Its subject.
        subject: String,
        /// Revocation time (RFC 3339).
        revoked_at: String,
        /// CRL reason.
        reason: Option<String>,
        /// Which data said so, e.g. `crl (file)`.
        source_name: String,
    },
    /// A constraint of the path is violated: basic constraints, path length, key usage,
    /// extended key usage, name constraints, policies, a critical extension we do not process,
    /// or an RFC 5280 profile rule.
    #[error("certificate {subject}: {detail}")]
    Constraint {
        /// Index in the chain.
        position: usize,
        /// Its subject.
        subject: String,
        /// The rule violated.
        detail: String,
    },
    /// An algorithm or key is below the policy or not supported.
    #[error("certificate {subject}: {detail}")]
    Crypto {
        /// Index in the chain.
        position: usize,
        /// Its subject.
        subject: String,
        /// What is refused.
        detail: String,
    },
    /// A certificate is malformed.
    #[error("certificate {subject} is malformed: {detail}")]
    Malformed {
        /// Index in the chain.
        position: usize,
        /// Its subject.
        subject: String,
        /// What is wrong.
        detail: String,
    },
    /// Revocation status is required but no fresh data covers a certificate.
    #[error("no usable revocation data for {subject}: {detail}")]
    RevocationUnavailable {
        /// Index in the chain.
        position: usize,
        /// Its subject.
        subject: String,
        /// What was missing.
        detail: String,
    },
    /// The work budget ran out before a valid path was found.
    #[error("path building gave up: {detail}")]
    BudgetExceeded {
        /// Which limit.
        detail: String,
    },
}

impl PathError {
    /// The ETSI TS 119 102-1 indication and sub-indication for this error.
    pub fn indication(&self) -> (Indication, SubIndication) {
        use Indication::*;
        match self {
            Self::NoChain { .. } => (Indeterminate, SubIndication::NoCertificateChainFound),
            Self::Expired { .. } => (Indeterminate, SubIndication::OutOfBoundsNoPoe),
            Self::NotYetValid { position: 0, .. } => (TotalFailed, SubIndication::NotYetValid),
            Self::NotYetValid { .. } => (Indeterminate, SubIndication::OutOfBoundsNoPoe),
            Self::Revoked { position: 0, .. } => (Indeterminate, SubIndication::RevokedNoPoe),
            Self::Revoked { .. } => (Indeterminate, SubIndication::RevokedCaNoPoe),
            Self::Constraint { .. } => (Indeterminate, SubIndication::ChainConstraintsFailure),
            Self::Crypto { .. } => (Indeterminate, SubIndication::CryptoConstraintsFailure),
            Self::Malformed { .. } | Self::BudgetExceeded { .. } => {
                (Indeterminate, SubIndication::CertificateChainGeneralFailure)
            }
            Self::RevocationUnavailable { .. } => (Indeterminate, SubIndication::TryLater),
        }
    }

    /// The sub-indication alone.
    pub fn sub_indication(&self) -> SubIndication {
        self.indication().1
    }

    /// Index in the chain of the certificate at fault, when there is one.
    pub fn position(&self) -> Option<usize> {
        match self {
            Self::Expired { position, .. }
            | Self::NotYetValid { position, .. }
            | Self::Revoked { position, .. }
            | Self::Constraint { position, .. }
            | Self::Crypto { position, .. }
            | Self::Malformed { position, .. }
            | Self::RevocationUnavailable { position, .. } => Some(*position),
            Self::NoChain { .. } | Self::BudgetExceeded { .. } => None,
        }
    }
}

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

/// Outcome details of validating one complete path.
#[derive(Clone, Debug, Default)]
struct PathResult {
    path: Vec<usize>,
    warnings: Vec<String>,
    revocation: Option<RevocationReport>,
}

struct NodeEntry {
    cert: Cert,
    anchor: bool,
    source: Option<CertSource>,
}

enum Edge {
    Ok,
    /// Not an issuer (name, key identifier or signature mismatch).
    No,
    /// Could be the issuer but the algorithm or key is refused.
    Refused(String),
}

struct Builder<'a> {
    nodes: Vec<NodeEntry>,
    /// Node indices by canonical subject name (the signer, index 0, excluded).
    by_subject: HashMap<Vec<u8>, Vec<usize>>,
    options: &'a PathOptions,
    checker: Checker<'a>,
    time: i64,
    now: i64,
    sig_cache: HashMap<(usize, usize), Result<(), EdgeFail>>,
    sig_checks: usize,
    build_calls: usize,
    paths_validated: usize,
    budget_hit: Option<String>,
    depth_hit: bool,
    first_failure: Option<(PathResult, PathError)>,
    edge_refusal: Option<PathError>,
    warnings: Vec<String>,
}

#[derive(Clone, Debug)]
enum EdgeFail {
    Bad,
    Refused(String),
}

impl<'a> Builder<'a> {
    fn new(
        leaf: Cert,
        pool: &[(CertificateDer, CertSource)],
        store: &TrustStore,
        revocation: &'a RevocationData,
        options: &'a PathOptions,
    ) -> Self {
        let leaf_is_anchor = store.contains(&leaf.der);
        let mut nodes = vec![NodeEntry {
            cert: leaf,
            anchor: leaf_is_anchor,
            source: leaf_is_anchor.then_some(CertSource::TrustStore),
        }];
        let mut push = |der: &CertificateDer, anchor: bool, source: CertSource| {
            if let Some(existing) = nodes.iter_mut().find(|n| n.cert.der == *der) {
                if anchor && !existing.anchor {
                    existing.anchor = true;
                    existing.source = Some(CertSource::TrustStore);
                }
                return;
            }
            if nodes.len() >= 2_000 {
                return;
            }
            if let Some(cert) = Cert::parse(der) {
                nodes.push(NodeEntry {
                    cert,
                    anchor,
                    source: Some(source),
                });
            }
        };
        for a in store.anchors() {
            push(a, true, CertSource::TrustStore);
        }
        for (c, s) in pool {
            push(c, false, *s);
        }
        let mut by_subject: HashMap<Vec<u8>, Vec<usize>> = HashMap::new();
        for (i, n) in nodes.iter().enumerate().skip(1) {
            by_subject
                .entry(n.cert.subject.key().to_vec())
                .or_default()
                .push(i);
        }
        Self {
            nodes,
            by_subject,
            options,
            checker: Checker::new(revocation),
            time: unix_seconds(options.time),
            now: unix_seconds(SystemTime::now()),
            sig_cache: HashMap::new(),
            sig_checks: 0,
            build_calls: 0,
            paths_validated: 0,
            budget_hit: None,
            depth_hit: false,
            first_failure: None,
            edge_refusal: None,
            warnings: Vec::new(),
        }
    }

    fn is_anchor(&self, i: usize) -> bool {
        self.nodes.get(i).is_some_and(|n| n.anchor)
    }

    fn cert(&self, i: usize) -> Option<&Cert> {
        self.nodes.get(i).map(|n| &n.cert)
    }

    /// Verifies that `child`'s signature verifies with `parent`'s key (cached, budgeted).
    fn signature(&mut self, child: usize, parent: usize) -> Result<(), EdgeFail> {
        if let Some(r) = self.sig_cache.get(&(child, parent)) {
            return r.clone();
        }
        if self.sig_checks >= self.options.budget.signature_checks {
            self.budget_hit
                .get_or_insert_with(|| "signature verification budget exhausted".into());
            return Err(EdgeFail::Bad);
        }
        self.sig_checks += 1;
        let (Some(c), Some(p)) = (self.cert(child), self.cert(parent)) else {
            return Err(EdgeFail::Bad);
        };
        let r = match signature_algorithm_from_identifier(
            &c.signature_algorithm,
            None,
            ec_curve_of(&p.spki),
        ) {
            Err(e) => Err(EdgeFail::Refused(format!(
                "signature algorithm refused: {e}"
            ))),
            Ok(alg) if self.options.reject_sha1 && alg.status() != AlgorithmStatus::Accepted => {
                Err(EdgeFail::Refused(format!(
                    "signature algorithm {alg} refused by policy"
                )))
            }
            Ok(alg) => match verify_signature(&p.spki, alg, &c.tbs, &c.signature) {
                Ok(()) => Ok(()),
                Err(VerifyError::BadSignature) => Err(EdgeFail::Bad),
                Err(VerifyError::MalformedKey(_)) => Err(EdgeFail::Bad),
                Err(e) => Err(EdgeFail::Refused(format!("issuer key refused: {e}"))),
            },
        };
        self.sig_cache.insert((child, parent), r.clone());
        r
    }

    fn edge(&mut self, child: usize, parent: usize) -> Edge {
        let (Some(c), Some(p)) = (self.cert(child), self.cert(parent)) else {
            return Edge::No;
        };
        if !p.subject.matches(&c.issuer) {
            return Edge::No;
        }
        if let (Some(aki), Some(ski)) = (&c.aki_key_id, &p.ski)
            && aki != ski
        {
            return Edge::No;
        }
        match self.signature(child, parent) {
            Ok(()) => Edge::Ok,
            Err(EdgeFail::Bad) => Edge::No,
            Err(EdgeFail::Refused(e)) => Edge::Refused(e),
        }
    }

    fn search(&mut self) -> Option<PathResult> {
        let leaf_anchor = self.nodes.first().is_some_and(|n| n.anchor);
        if leaf_anchor && self.options.allow_anchor_as_signer {
            match self.validate(&[0]) {
                (r, Ok(())) => return Some(r),
                (r, Err(e)) => {
                    self.first_failure.get_or_insert((r, e));
                }
            }
        }
        let mut path = vec![0usize];
        self.extend(&mut path)
    }

    fn same_entity(&self, a: usize, b: usize) -> bool {
        match (self.cert(a), self.cert(b)) {
            (Some(x), Some(y)) => x.spki == y.spki && x.subject.matches(&y.subject),
            _ => false,
        }
    }

    fn extend(&mut self, path: &mut Vec<usize>) -> Option<PathResult> {
        self.build_calls += 1;
        if self.build_calls > self.options.budget.build_calls {
            self.budget_hit
                .get_or_insert_with(|| "path search step budget exhausted".into());
            return None;
        }
        let cur = *path.last()?;
        let cur_cert = self.cert(cur)?;
        let mut candidates: Vec<(bool, bool, usize)> = Vec::new();
        for &i in self
            .by_subject
            .get(cur_cert.issuer.key())
            .into_iter()
            .flatten()
        {
            let Some(n) = self.nodes.get(i) else { continue };
            let aki_match =
                matches!((&cur_cert.aki_key_id, &n.cert.ski), (Some(a), Some(s)) if a == s);
            candidates.push((!n.anchor, !aki_match, i));
        }
        candidates.sort();
        for (_, _, cand) in candidates {
            if self.budget_hit.is_some() {
                return None;
            }
            if path.contains(&cand) || path.iter().any(|p| self.same_entity(*p, cand)) {
                continue;
            }
            let is_anchor = self.nodes.get(cand).is_some_and(|n| n.anchor);
            // Depth counts the intermediates that are not self-issued (RFC 5280 §6.1.4 (l)
            // exempts them from path length too); the physical length is capped as well.
            if !is_anchor {
                let cand_self_issued = self.cert(cand).is_some_and(Cert::is_self_issued);
                let logical = path
                    .iter()
                    .skip(1)
                    .filter(|i| !self.cert(**i).is_some_and(Cert::is_self_issued))
                    .count()
                    + usize::from(!cand_self_issued);
                if logical > self.options.max_depth || path.len() > 2 * self.options.max_depth + 2 {
                    self.depth_hit = true;
                    continue;
                }
            }
            match self.edge(cur, cand) {
                Edge::No => continue,
                Edge::Refused(detail) => {
                    let subject = self.cert(cand).map(Cert::subject_text).unwrap_or_default();
                    self.edge_refusal.get_or_insert(PathError::Crypto {
                        position: path.len(),
                        subject,
                        detail,
                    });
                    continue;
                }
                Edge::Ok => {}
            }
            path.push(cand);
            if is_anchor {
                if self.paths_validated >= self.options.budget.candidate_paths {
                    self.budget_hit
                        .get_or_insert_with(|| "candidate path budget exhausted".into());
                    path.pop();
                    return None;
                }
                self.paths_validated += 1;
                match self.validate(path) {
                    (r, Ok(())) => return Some(r),
                    (r, Err(e)) => {
                        if self.first_failure.is_none() {
                            self.first_failure = Some((r, e));
                        }
                    }
                }
            } else if let Some(found) = self.extend(path) {
                return Some(found);
            }
            path.pop();
        }
        None
    }

    /// Validates one complete path (indices, signer first, anchor last).
    fn validate(&mut self, path: &[usize]) -> (PathResult, Result<(), PathError>) {
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
        match self.check_structure(path, &certs, &mut result) {
            Ok(()) => {}
            Err(e) => return (result, Err(e)),
        }
        // validity and revocation
        let n = certs.len();
        let mut validity_err = None;
        for (pos, c) in certs.iter().enumerate() {
            if self.time < c.not_before {
                validity_err.get_or_insert(PathError::NotYetValid {
                    position: pos,
                    subject: c.subject_text(),
                    not_before: format_unix(c.not_before),
                    time: format_unix(self.time),
                });
            } else if self.time > c.not_after {
                validity_err.get_or_insert(PathError::Expired {
                    position: pos,
                    subject: c.subject_text(),
                    not_after: format_unix(c.not_after),
                    time: format_unix(self.time),
                });
            }
        }
        let mut revoked_err = None;
        let mut unavailable_err = None;
        if self.options.check_revocation != RevocationPolicy::Skip {
            for pos in 0..n.saturating_sub(1) {
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
                                "certificate {} was revoked at {} ({}), after the validation \
                                 time {}",
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
        }
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
        let n = certs.len();
        let subject = |pos: usize| certs.get(pos).map(Cert::subject_text).unwrap_or_default();
        let constraint = |pos: usize, detail: String| PathError::Constraint {
            position: pos,
            subject: subject(pos),
            detail,
        };
        // encoding and profile problems (a trust anchor's serial number is the anchor's
        // business: real roots with serial 0 exist)
        for (pos, c) in certs.iter().enumerate() {
            let is_anchor = pos + 1 == n && path.get(pos).is_some_and(|i| self.is_anchor(*i));
            let problem = c
                .problems
                .iter()
                .find(|(_, d)| !(is_anchor && d.starts_with("serial number")));
            if let Some((kind, detail)) = problem {
                return Err(match kind {
                    ProblemKind::Malformed => PathError::Malformed {
                        position: pos,
                        subject: subject(pos),
                        detail: detail.clone(),
                    },
                    ProblemKind::Constraint => constraint(pos, detail.clone()),
                });
            }
        }
        // public keys
        for (pos, c) in certs.iter().enumerate() {
            match public_key_kind(&c.spki) {
                Ok(PublicKeyKind::Rsa(bits)) if bits < MIN_RSA_BITS => {
                    return Err(PathError::Crypto {
                        position: pos,
                        subject: subject(pos),
                        detail: format!("RSA key of {bits} bits (minimum {MIN_RSA_BITS})"),
                    });
                }
                Ok(_) => {}
                Err(e) => {
                    return Err(PathError::Crypto {
                        position: pos,
                        subject: subject(pos),
                        detail: format!("public key refused: {e}"),
                    });
                }
            }
        }
        // signature algorithms of certificates below the anchor (the edges verified them)
        for (pos, c) in certs.iter().enumerate().take(n.saturating_sub(1)) {
            if let Ok(alg) = signature_algorithm_from_identifier(
                &c.signature_algorithm,
                None,
                certs.get(pos + 1).and_then(|p| ec_curve_of(&p.spki)),
            ) && alg.status() != AlgorithmStatus::Accepted
            {
                result.warnings.push(format!(
                    "certificate {} is signed with {alg} (weak)",
                    subject(pos)
                ));
            }
        }
        // the signer
        let leaf = certs.first().ok_or_else(|| PathError::BudgetExceeded {
            detail: "internal: empty path".into(),
        })?;
        if leaf.is_ca() && !self.options.allow_ca_signer {
            return Err(constraint(
                0,
                "a CA certificate (basicConstraints cA) cannot be the signer".into(),
            ));
        }
        if self.options.key_usage == KeyUsagePolicy::Signing
            && let Some(k) = leaf.key_usage
            && k & (ku::DIGITAL_SIGNATURE | ku::NON_REPUDIATION) == 0
        {
            return Err(constraint(
                0,
                "keyUsage allows neither digitalSignature nor nonRepudiation".into(),
            ));
        }
        match (&self.options.eku, &leaf.eku) {
            (EkuPolicy::Any, _) | (EkuPolicy::DocumentSigning, None) => {}
            (EkuPolicy::DocumentSigning, Some(list)) => {
                if !list.iter().any(|p| DOCUMENT_SIGNING_PURPOSES.contains(p)) {
                    return Err(constraint(
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
                        0,
                        "extendedKeyUsage lacks the required purpose".into(),
                    ));
                }
            }
        }
        // every certificate: cA and keyCertSign, nameConstraints only in CAs
        for (pos, c) in certs.iter().enumerate() {
            if !c.is_ca() {
                if c.key_usage.is_some_and(|k| k & ku::KEY_CERT_SIGN != 0) {
                    return Err(constraint(
                        pos,
                        "keyCertSign asserted without basicConstraints cA".into(),
                    ));
                }
                if c.name_constraints.is_some() {
                    return Err(constraint(
                        pos,
                        "nameConstraints in a certificate that is not a CA".into(),
                    ));
                }
            }
        }
        // issuers (intermediates and the anchor)
        for (pos, c) in certs.iter().enumerate().skip(1) {
            match c.basic_constraints {
                None => {
                    return Err(constraint(
                        pos,
                        "issuer certificate without basicConstraints".into(),
                    ));
                }
                Some((_, false, _)) => {
                    return Err(constraint(
                        pos,
                        "issuer certificate is not a CA (basicConstraints cA false)".into(),
                    ));
                }
                Some((false, true, _)) => {
                    return Err(constraint(
                        pos,
                        "CA certificate with non-critical basicConstraints".into(),
                    ));
                }
                Some((true, true, _)) => {}
            }
            if let Some(k) = c.key_usage
                && k & ku::KEY_CERT_SIGN == 0
            {
                return Err(constraint(
                    pos,
                    "issuer keyUsage does not allow keyCertSign".into(),
                ));
            }
            if c.ski.is_none() {
                return Err(constraint(
                    pos,
                    "CA certificate without subjectKeyIdentifier".into(),
                ));
            }
            if c.subject.is_empty() {
                return Err(PathError::Malformed {
                    position: pos,
                    subject: subject(pos),
                    detail: "CA certificate with an empty subject".into(),
                });
            }
        }
        // authorityKeyIdentifier: required except in self-signed certificates, where it must
        // name the certificate's own key
        for (pos, c) in certs.iter().enumerate() {
            if let Some(aki) = &c.aki_key_id {
                if c.is_self_issued()
                    && c.ski.as_ref().is_some_and(|ski| ski != aki)
                    && path
                        .get(pos)
                        .is_some_and(|i| matches!(self.signature(*i, *i), Ok(())))
                {
                    return Err(constraint(
                        pos,
                        "self-signed certificate whose authorityKeyIdentifier is not its \
                         subjectKeyIdentifier"
                            .into(),
                    ));
                }
                continue;
            }
            let self_signed = c.is_self_issued()
                && path
                    .get(pos)
                    .is_some_and(|i| matches!(self.signature(*i, *i), Ok(())));
            if !self_signed {
                return Err(constraint(
                    pos,
                    "authorityKeyIdentifier missing in a certificate that is not self-signed"
                        .into(),
                ));
            }
        }
        // path length (RFC 5280 §6.1.4 (l), (m)); the anchor's constraint applies
        let mut max_path: Option<u32> = certs
            .last()
            .and_then(|a| a.basic_constraints)
            .and_then(|(_, _, p)| p.map(u32::from));
        for pos in (1..n.saturating_sub(1)).rev() {
            let Some(c) = certs.get(pos) else { continue };
            if !c.is_self_issued() {
                if max_path == Some(0) {
                    return Err(constraint(
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
        // name constraints (RFC 5280 §6.1.3 (b), (c), §6.1.4 (g)); self-issued intermediates
        // are exempt, the signer never is
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
                    subject: subject(j),
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
                            j,
                            format!("name constraints of {}: {e}", subject(i)),
                        ));
                    }
                }
            }
        }
        // certificate policies: the path without the anchor, from the anchor down
        let below_anchor: Vec<&Cert> = certs.iter().take(n.saturating_sub(1)).rev().collect();
        if !below_anchor.is_empty()
            && let Err(e) = policy::check(&below_anchor)
        {
            return Err(constraint(0, e.to_string()));
        }
        Ok(())
    }

    /// The error to report when no path was valid, with the best candidate path.
    fn failure(&mut self) -> (PathResult, PathError) {
        if let Some(f) = self.first_failure.take() {
            return f;
        }
        let leaf_path = PathResult {
            path: vec![0],
            ..Default::default()
        };
        if let Some(e) = self.edge_refusal.take() {
            return (leaf_path, e);
        }
        if let Some(b) = self.budget_hit.take() {
            return (leaf_path, PathError::BudgetExceeded { detail: b });
        }
        let (subject, issuer) = self
            .cert(0)
            .map(|c| (c.subject_text(), c.der.issuer()))
            .unwrap_or_default();
        let detail = if self.depth_hit {
            format!(
                "no trust anchor within {} intermediate certificates",
                self.options.max_depth
            )
        } else {
            format!("no trusted issuer found for {issuer}")
        };
        (leaf_path, PathError::NoChain { subject, detail })
    }

    fn finish(
        &mut self,
        r: PathResult,
        outcome: Result<(), PathError>,
        mut warnings: Vec<String>,
        validation_time: String,
    ) -> ChainValidation {
        warnings.extend(r.warnings.iter().cloned());
        let chain: Vec<CertificateDer> = r
            .path
            .iter()
            .filter_map(|i| self.cert(*i).map(|c| c.der.clone()))
            .collect();
        let sources = r
            .path
            .iter()
            .map(|i| self.nodes.get(*i).and_then(|n| n.source))
            .collect();
        let anchor = r
            .path
            .last()
            .filter(|i| self.nodes.get(**i).is_some_and(|n| n.anchor))
            .and_then(|i| self.cert(*i).map(|c| c.der.clone()));
        let mut dedup = Vec::new();
        for w in warnings {
            if !dedup.contains(&w) {
                dedup.push(w);
            }
        }
        ChainValidation {
            chain,
            sources,
            anchor,
            outcome,
            revocation: r.revocation,
            warnings: dedup,
            validation_time,
        }
    }

    fn finish_failure(
        &mut self,
        r: PathResult,
        e: PathError,
        warnings: Vec<String>,
        validation_time: String,
    ) -> ChainValidation {
        let mut v = self.finish(r, Err(e), warnings, validation_time);
        if v.chain.len() <= 1 && !self.nodes.first().is_some_and(|n| n.anchor) {
            v.anchor = None;
        }
        v
    }
}
