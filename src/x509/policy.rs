//! Certificate policy processing (RFC 5280 §6.1.2 (a), (d), (e), (f), (h)–(j), §6.1.3 (d)–(f),
//! §6.1.4 (a)–(b), (h)–(j), §6.1.5 (a)–(b), (g)) with user-initial-policy-set = {anyPolicy}
//! and all initial inhibit/explicit flags false.
//!
//! With those inputs the valid_policy_tree only decides the outcome when some certificate asks
//! for an explicit policy (policyConstraints requireExplicitPolicy): without one, explicit_policy
//! never reaches 0. The tree is then built, bounded in size.

use super::cert::Cert;
use crate::asn1::oid;
use der::asn1::ObjectIdentifier;

/// Most nodes the tree may hold (policy mappings can make it grow quickly).
const MAX_NODES: usize = 1_000;

/// Why policy processing refuses a path.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum PolicyError {
    /// The valid_policy_tree would exceed its node bound.
    #[error("certificate policy tree too large")]
    TreeTooLarge,
    /// No valid policy remains at a certificate while one is required (§6.1.3 (f)).
    #[error("no valid certificate policy at {subject} (explicit policy required)")]
    NoValidPolicyAt {
        /// The certificate's subject.
        subject: String,
    },
    /// No valid policy remains at the end of the path while one is required (§6.1.5 (g)).
    #[error("no valid certificate policy for the path (explicit policy required)")]
    NoValidPolicy,
}

#[derive(Clone, Debug)]
struct Node {
    policy: ObjectIdentifier,
    expected: Vec<ObjectIdentifier>,
    parent: usize,
    alive: bool,
}

impl Node {
    /// A live node for `policy` expecting itself, under node `parent` of the level above.
    fn leaf(policy: ObjectIdentifier, parent: usize) -> Self {
        Self {
            policy,
            expected: vec![policy],
            parent,
            alive: true,
        }
    }
}

/// The valid_policy_tree as levels of nodes; level 0 holds the root.
struct Tree {
    levels: Vec<Vec<Node>>,
    nodes: usize,
}

impl Tree {
    fn new() -> Self {
        Self {
            levels: vec![vec![Node::leaf(oid::ANY_POLICY, 0)]],
            nodes: 1,
        }
    }

    fn level(&self, d: usize) -> impl Iterator<Item = (usize, &Node)> {
        self.levels
            .get(d)
            .into_iter()
            .flatten()
            .enumerate()
            .filter(|(_, n)| n.alive)
    }

    fn push(&mut self, depth: usize, node: Node) -> Result<(), PolicyError> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(PolicyError::TreeTooLarge);
        }
        while self.levels.len() <= depth {
            self.levels.push(Vec::new());
        }
        if let Some(l) = self.levels.get_mut(depth) {
            l.push(node);
        }
        Ok(())
    }

    /// Deletes nodes of depth < `depth` without live children, bottom up.
    fn prune(&mut self, depth: usize) {
        for d in (0..depth).rev() {
            let mut has_child = vec![false; self.levels.get(d).map_or(0, Vec::len)];
            for (_, n) in self.level(d + 1) {
                if let Some(h) = has_child.get_mut(n.parent) {
                    *h = true;
                }
            }
            if let Some(l) = self.levels.get_mut(d) {
                for (n, h) in l.iter_mut().zip(has_child) {
                    if !h {
                        n.alive = false;
                    }
                }
            }
        }
    }

    fn is_null(&self) -> bool {
        self.level(0).next().is_none()
    }

    /// §6.1.3 (d): the nodes of depth `i` for certificate `i`'s `policies`; anyPolicy among
    /// them is processed only when `any_allowed` ((d)(2)); then the childless nodes above go.
    fn add_policies(
        &mut self,
        i: usize,
        policies: &[ObjectIdentifier],
        any_allowed: bool,
    ) -> Result<(), PolicyError> {
        let mut new_nodes = Vec::new();
        for p in policies.iter().filter(|p| **p != oid::ANY_POLICY) {
            let mut matched = false;
            for (k, parent) in self.level(i - 1) {
                if parent.expected.contains(p) {
                    matched = true;
                    new_nodes.push(Node::leaf(*p, k));
                }
            }
            if !matched {
                for (k, parent) in self.level(i - 1) {
                    if parent.policy == oid::ANY_POLICY {
                        new_nodes.push(Node::leaf(*p, k));
                    }
                }
            }
        }
        if policies.contains(&oid::ANY_POLICY) && any_allowed {
            for (k, parent) in self.level(i - 1) {
                for e in &parent.expected {
                    let exists = new_nodes.iter().any(|c| c.parent == k && c.policy == *e);
                    if !exists {
                        new_nodes.push(Node::leaf(*e, k));
                    }
                }
            }
        }
        for node in new_nodes {
            self.push(i, node)?;
        }
        self.prune(i);
        Ok(())
    }

    /// §6.1.4 (b): certificate `i`'s policy `mappings` (issuer, subject domain policy):
    /// with policy mapping allowed, the mapped nodes expect the subject policies; without,
    /// they are deleted. `false` when the tree becomes null.
    fn apply_mappings(
        &mut self,
        i: usize,
        mappings: &[(ObjectIdentifier, ObjectIdentifier)],
        mapping_allowed: bool,
    ) -> Result<bool, PolicyError> {
        let mut issuer_policies: Vec<ObjectIdentifier> = mappings.iter().map(|m| m.0).collect();
        issuer_policies.dedup();
        for idp in issuer_policies {
            let mapped: Vec<ObjectIdentifier> = mappings
                .iter()
                .filter(|m| m.0 == idp)
                .map(|m| m.1)
                .collect();
            if mapping_allowed {
                let mut found = false;
                if let Some(l) = self.levels.get_mut(i) {
                    for node in l.iter_mut().filter(|n| n.alive && n.policy == idp) {
                        node.expected = mapped.clone();
                        found = true;
                    }
                }
                if !found {
                    let any_parent = self
                        .level(i)
                        .find(|(_, n)| n.policy == oid::ANY_POLICY)
                        .map(|(_, n)| n.parent);
                    if let Some(parent) = any_parent {
                        self.push(
                            i,
                            Node {
                                policy: idp,
                                expected: mapped,
                                parent,
                                alive: true,
                            },
                        )?;
                    }
                }
            } else {
                if let Some(l) = self.levels.get_mut(i) {
                    for node in l.iter_mut().filter(|n| n.policy == idp) {
                        node.alive = false;
                    }
                }
                self.prune(i);
                if self.is_null() {
                    return Ok(false);
                }
            }
        }
        Ok(true)
    }
}

fn min_set(v: &mut usize, n: Option<u32>) {
    if let Some(n) = n
        && (n as usize) < *v
    {
        *v = n as usize;
    }
}

/// The state variables explicit_policy, inhibit_anyPolicy and policy_mapping (§6.1.2 (d)–(f)).
struct Counters {
    explicit_policy: usize,
    inhibit_any: usize,
    policy_mapping: usize,
}

impl Counters {
    /// All n + 1 (the initial flags are false) for a path of `n` certificates.
    fn new(n: usize) -> Self {
        Self {
            explicit_policy: n + 1,
            inhibit_any: n + 1,
            policy_mapping: n + 1,
        }
    }

    /// §6.1.4 (h)–(j): after a certificate that is not the last.
    fn update(&mut self, cert: &Cert, self_issued: bool) {
        // (h)
        if !self_issued {
            self.explicit_policy = self.explicit_policy.saturating_sub(1);
            self.policy_mapping = self.policy_mapping.saturating_sub(1);
            self.inhibit_any = self.inhibit_any.saturating_sub(1);
        }
        // (i), (j)
        min_set(
            &mut self.explicit_policy,
            cert.policy.require_explicit_policy,
        );
        min_set(&mut self.policy_mapping, cert.policy.inhibit_policy_mapping);
        min_set(&mut self.inhibit_any, cert.policy.inhibit_any_policy);
    }
}

/// Runs policy processing over `path` (certificate 1 = the one issued by the anchor, …,
/// certificate n = the target). `Err` when no valid policy remains and one is required.
pub(crate) fn check(path: &[&Cert]) -> Result<(), PolicyError> {
    if !path
        .iter()
        .any(|c| c.policy.require_explicit_policy.is_some())
    {
        return Ok(());
    }
    let n = path.len();
    let mut tree = Some(Tree::new());
    let mut counters = Counters::new(n);
    for (idx, cert) in path.iter().enumerate() {
        let i = idx + 1;
        let self_issued = cert.is_self_issued();
        // (d) / (e)
        tree = match (&cert.policy.policies, tree) {
            (Some(policies), Some(mut t)) => {
                let any_allowed = counters.inhibit_any > 0 || (i < n && self_issued);
                t.add_policies(i, policies, any_allowed)?;
                (!t.is_null()).then_some(t)
            }
            _ => None,
        };
        // (f)
        if counters.explicit_policy == 0 && tree.is_none() {
            return Err(PolicyError::NoValidPolicyAt {
                subject: cert.subject_text(),
            });
        }
        if i == n {
            break;
        }
        // §6.1.4 (b): policy mappings
        if !cert.policy.mappings.is_empty()
            && let Some(t) = tree.as_mut()
            && !t.apply_mappings(i, &cert.policy.mappings, counters.policy_mapping > 0)?
        {
            tree = None;
        }
        counters.update(cert, self_issued);
    }
    // §6.1.5 (a), (b)
    let mut explicit_policy = counters.explicit_policy.saturating_sub(1);
    if path
        .last()
        .is_some_and(|c| c.policy.require_explicit_policy == Some(0))
    {
        explicit_policy = 0;
    }
    if explicit_policy == 0 && tree.is_none() {
        return Err(PolicyError::NoValidPolicy);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::PolicyError;

    #[test]
    fn errors_read_as_reported() {
        let at = PolicyError::NoValidPolicyAt {
            subject: "CN=CA".into(),
        };
        assert_eq!(
            at.to_string(),
            "no valid certificate policy at CN=CA (explicit policy required)"
        );
        assert_eq!(
            PolicyError::NoValidPolicy.to_string(),
            "no valid certificate policy for the path (explicit policy required)"
        );
        assert_eq!(
            PolicyError::TreeTooLarge.to_string(),
            "certificate policy tree too large"
        );
    }
}
