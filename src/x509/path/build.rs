//! Path building: a depth-first search from the signer certificate towards the trust anchors,
//! within the work [`Budget`](super::Budget); the result of the search ([`Builder::finish`]) or the best
//! failure to report ([`Builder::failure`]).
//!
//! At each step the candidate issuers are the certificates whose subject matches the current
//! issuer name (and whose subjectKeyIdentifier does not contradict the authorityKeyIdentifier),
//! anchors first; a candidate is used only if the current certificate's signature verifies with
//! its key. A certificate (or the same subject and key) never appears twice on a path, so cycles
//! end. Every path that reaches an anchor is validated in full (`validate.rs`); the first valid
//! one wins.

use super::{CertSource, ChainValidation, PathError, PathOptions};
use crate::alg::{AlgorithmStatus, signature_algorithm_from_identifier};
use crate::crypto::{VerifyError, ec_curve_of, verify_signature};
use crate::report::RevocationReport;
use crate::time::unix_seconds;
use crate::x509::CertificateDer;
use crate::x509::cert::Cert;
use crate::x509::revocation::{Checker, RevocationData};
use crate::x509::store::TrustStore;
use std::collections::HashMap;
use std::time::SystemTime;

/// Outcome details of validating one complete path.
#[derive(Clone, Debug, Default)]
pub(super) struct PathResult {
    pub(super) path: Vec<usize>,
    pub(super) warnings: Vec<String>,
    pub(super) revocation: Option<RevocationReport>,
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

pub(super) struct Builder<'a> {
    nodes: Vec<NodeEntry>,
    /// Node indices by canonical subject name (the signer, index 0, excluded).
    by_subject: HashMap<Vec<u8>, Vec<usize>>,
    pub(super) options: &'a PathOptions,
    pub(super) checker: Checker<'a>,
    pub(super) time: i64,
    pub(super) now: i64,
    sig_cache: HashMap<(usize, usize), Result<(), EdgeFail>>,
    sig_checks: usize,
    build_calls: usize,
    paths_validated: usize,
    budget_hit: Option<String>,
    depth_hit: bool,
    first_failure: Option<(PathResult, PathError)>,
    edge_refusal: Option<PathError>,
    pub(super) warnings: Vec<String>,
}

#[derive(Clone, Debug)]
pub(super) enum EdgeFail {
    Bad,
    Refused(String),
}

impl<'a> Builder<'a> {
    pub(super) fn new(
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

    pub(super) fn is_anchor(&self, i: usize) -> bool {
        self.nodes.get(i).is_some_and(|n| n.anchor)
    }

    pub(super) fn cert(&self, i: usize) -> Option<&Cert> {
        self.nodes.get(i).map(|n| &n.cert)
    }

    /// Verifies that `child`'s signature verifies with `parent`'s key (cached, budgeted).
    pub(super) fn signature(&mut self, child: usize, parent: usize) -> Result<(), EdgeFail> {
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

    pub(super) fn search(&mut self) -> Option<PathResult> {
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

    /// The error to report when no path was valid, with the best candidate path.
    pub(super) fn failure(&mut self) -> (PathResult, PathError) {
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

    pub(super) fn finish(
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

    pub(super) fn finish_failure(
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
