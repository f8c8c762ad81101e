//! One review in progress: the two revisions, what changed, the graph of the newest revision,
//! the policy, and the verdicts so far (deduplicated, at most [`MAX_REPORTED`] listed). The
//! rules ask it about the revisions and record their verdicts through it.

use super::MAX_NESTING;
use super::changes::{Change, ChangeKind, eq};
use super::graph::{FieldInfo, Graph, Role};
use super::policy::{FillRefused, Policy};
use super::{Category, DiffResult, Modification, ModificationKind};
use crate::pdf::{Dictionary, ObjRef, Object, Reader};
use std::collections::{BTreeMap, HashSet};
use std::io::{Read, Seek};

/// Most modifications listed per signature (the rest are summarised).
const MAX_REPORTED: usize = 1_000;

/// Most values one deep comparison ([`Review::same_across`]) looks at.
const MAX_SAME_NODES: usize = 10_000;

/// The changes beyond [`MAX_REPORTED`].
#[derive(Debug, Clone, Copy)]
struct Unlisted {
    /// How many.
    count: usize,
    /// Whether any of them is refused.
    refused: bool,
    /// The highest category among them.
    top: Category,
}

/// The state of the review of the changes after one signed revision.
pub(super) struct Review<'a, R: Read + Seek> {
    /// The file.
    pub(super) reader: &'a Reader<R>,
    /// The signed revision.
    pub(super) signed: usize,
    /// The newest revision.
    pub(super) last: usize,
    /// What changed after the signed revision.
    pub(super) changes: &'a BTreeMap<u32, Change>,
    /// The uses of the changed objects in the newest revision.
    pub(super) graph: &'a Graph,
    /// What the signatures permit.
    pub(super) policy: Policy<'a>,
    out: Vec<Modification>,
    seen: HashSet<(String, ModificationKind, String)>,
    unlisted: Unlisted,
    warnings: Vec<String>,
}

impl<'a, R: Read + Seek> Review<'a, R> {
    /// A review of `changes` (between `signed` and `last`) under `policy`.
    pub(super) fn new(
        reader: &'a Reader<R>,
        (signed, last): (usize, usize),
        changes: &'a BTreeMap<u32, Change>,
        graph: &'a Graph,
        policy: Policy<'a>,
    ) -> Self {
        Review {
            reader,
            signed,
            last,
            changes,
            graph,
            policy,
            out: Vec::new(),
            seen: HashSet::new(),
            unlisted: Unlisted {
                count: 0,
                refused: false,
                top: Category::Untouched,
            },
            warnings: Vec::new(),
        }
    }

    /// A remark on an allowed change, for the signature's warnings (each text once).
    pub(super) fn warn(&mut self, text: String) {
        if !self.warnings.contains(&text) && self.warnings.len() < MAX_REPORTED {
            self.warnings.push(text);
        }
    }

    /// Records a verdict on `r` (`None`: the trailer); the same verdict twice counts once.
    pub(super) fn push(
        &mut self,
        r: Option<ObjRef>,
        kind: ModificationKind,
        detail: String,
        category: Category,
        allowed: bool,
    ) {
        let object = r.map_or_else(|| "trailer".to_string(), |r| r.to_string());
        if !self.seen.insert((object.clone(), kind, detail.clone())) {
            return;
        }
        if self.out.len() >= MAX_REPORTED {
            let u = &mut self.unlisted;
            u.count += 1;
            u.refused = u.refused || !allowed;
            u.top = u.top.max(category);
            return;
        }
        self.out.push(Modification {
            object,
            kind,
            detail,
            category,
            allowed,
        });
    }

    /// Refuses a change of `r`.
    pub(super) fn deny(&mut self, r: ObjRef, kind: ModificationKind, detail: String) {
        self.push(Some(r), kind, detail, Category::Other, false);
    }

    /// A change of `r` of `category`: allowed when the policy permits that category.
    pub(super) fn allow(
        &mut self,
        r: ObjRef,
        kind: ModificationKind,
        detail: String,
        category: Category,
    ) {
        let allowed = self.policy.permits(category);
        let detail = if allowed {
            self.policy.permitted(detail, category)
        } else {
            self.policy.refusal(&detail)
        };
        self.push(Some(r), kind, detail, category, allowed);
    }

    /// The verdicts, with the unlisted ones summarised, and the overall category.
    pub(super) fn finish(self) -> DiffResult {
        let Unlisted {
            count,
            refused,
            top,
        } = self.unlisted;
        let mut modifications = self.out;
        if count > 0 {
            modifications.push(Modification {
                object: "…".into(),
                kind: ModificationKind::Other,
                detail: format!("{count} more change(s) not listed"),
                category: if refused { Category::Other } else { top },
                allowed: !refused,
            });
        }
        let category = if modifications.iter().any(|m| !m.allowed) {
            Category::Other
        } else {
            modifications
                .iter()
                .map(|m| m.category)
                .max()
                .unwrap_or(Category::Untouched)
        };
        DiffResult {
            category,
            modifications,
            warnings: self.warnings,
        }
    }

    // --- the two revisions

    /// Object `r` in the signed revision.
    pub(super) fn load_old(&self, r: ObjRef) -> Option<Object> {
        self.reader.get_in_revision(r, self.signed).ok()
    }

    /// Object `r` in the newest revision.
    pub(super) fn load_new(&self, r: ObjRef) -> Option<Object> {
        self.reader.get_in_revision(r, self.last).ok()
    }

    /// `o` resolved in the signed revision (`null` when absent or unreadable).
    pub(super) fn old_resolve(&self, o: Option<&Object>) -> Object {
        o.and_then(|o| self.reader.resolve_in_revision(o, self.signed).ok())
            .unwrap_or(Object::Null)
    }

    /// `o` resolved in the newest revision (`null` when absent or unreadable).
    pub(super) fn new_resolve(&self, o: Option<&Object>) -> Object {
        o.and_then(|o| self.reader.resolve_in_revision(o, self.last).ok())
            .unwrap_or(Object::Null)
    }

    /// The array under `key` in the signed and in the last revision (resolved; not an array
    /// counts as empty), or `None` when both name the same indirect array: that object's own
    /// change is judged as that object.
    pub(super) fn changed_array(
        &self,
        old: &Dictionary,
        new: &Dictionary,
        key: &str,
    ) -> Option<(Vec<Object>, Vec<Object>)> {
        let (o, n) = (old.get(key), new.get(key));
        if let (Some(Object::Reference(a)), Some(Object::Reference(b))) = (o, n)
            && a == b
        {
            return None;
        }
        let o = self.old_resolve(o);
        let n = self.new_resolve(n);
        Some((
            o.as_array().unwrap_or_default().to_vec(),
            n.as_array().unwrap_or_default().to_vec(),
        ))
    }

    /// The list an indirect array (`/Annots`, `/Fields`, `/Kids`) replaced: its own old
    /// value, or for a new array object the list its holder had under the same key.
    pub(super) fn old_list(
        &self,
        r: ObjRef,
        kind: ChangeKind,
        old_obj: Option<&Object>,
        parent: ObjRef,
        path: &str,
    ) -> Vec<Object> {
        if kind != ChangeKind::New {
            return old_obj
                .and_then(Object::as_array)
                .map(<[Object]>::to_vec)
                .unwrap_or_default();
        }
        let key = path.rsplit('/').next().unwrap_or_default();
        let key = key.split('[').next().unwrap_or_default();
        let Some(Object::Dictionary(holder)) = self.load_old(parent) else {
            return Vec::new();
        };
        match holder.get(key) {
            // The holder pointed at this very number before: a dangling reference then.
            Some(Object::Reference(x)) if x.num == r.num => Vec::new(),
            v => self
                .old_resolve(v)
                .as_array()
                .map(<[Object]>::to_vec)
                .unwrap_or_default(),
        }
    }

    /// True when `r` is new since the signed revision.
    pub(super) fn is_new(&self, r: ObjRef) -> bool {
        self.changes
            .get(&r.num)
            .is_some_and(|c| c.kind == ChangeKind::New && c.new == Some(r))
    }

    /// True when `r` is a new object that the appearance of a new signature field draws
    /// with (the resources a later signer's widget brings).
    pub(super) fn serves_new_signature(&self, r: ObjRef) -> bool {
        self.is_new(r)
            && self.graph.uses.get(&r.num).is_some_and(|uses| {
                uses.iter().any(|u| {
                    u.r == r
                        && matches!(u.role, Role::Appearance(owner) if self.new_sig_field(owner))
                })
            })
    }

    /// Deep equality of `old` (read in the signed revision) and `new` (read in the newest):
    /// references are followed on each side, except that the same reference counts as the
    /// same value (a change of that object is judged as that object); streams are equal only
    /// as the same reference. At most `MAX_SAME_NODES` values are compared.
    pub(super) fn same_across(&self, old: &Object, new: &Object) -> bool {
        let mut budget = MAX_SAME_NODES;
        self.same_depth(old, new, 0, &mut budget)
    }

    fn same_depth(&self, old: &Object, new: &Object, depth: usize, budget: &mut usize) -> bool {
        *budget = budget.saturating_sub(1);
        if *budget == 0 || depth > MAX_NESTING {
            return false;
        }
        match (old, new) {
            (Object::Reference(a), Object::Reference(b)) if a == b => true,
            (Object::Reference(_), _) | (_, Object::Reference(_)) => {
                let o = self.old_resolve(Some(old));
                let n = self.new_resolve(Some(new));
                !matches!(o, Object::Reference(_) | Object::Stream(_))
                    && !matches!(n, Object::Reference(_) | Object::Stream(_))
                    && self.same_depth(&o, &n, depth + 1, budget)
            }
            (Object::Dictionary(x), Object::Dictionary(y)) => {
                x.len() == y.len()
                    && x.iter().all(|(k, v)| {
                        y.get(k)
                            .is_some_and(|w| self.same_depth(v, w, depth + 1, budget))
                    })
            }
            (Object::Array(x), Object::Array(y)) => {
                x.len() == y.len()
                    && x.iter()
                        .zip(y.iter())
                        .all(|(v, w)| self.same_depth(v, w, depth + 1, budget))
            }
            (Object::Stream(_), _) | (_, Object::Stream(_)) => false,
            _ => eq(old, new),
        }
    }

    // --- form fields

    /// The form field (or widget) `r` of the newest revision.
    pub(super) fn info(&self, r: ObjRef) -> Option<&'a FieldInfo> {
        self.graph.fields.get(&r)
    }

    /// True when `r` is a new object that is (or is a widget of) a signature field.
    pub(super) fn new_sig_field(&self, r: ObjRef) -> bool {
        if !self.is_new(r) {
            return false;
        }
        match self.info(r) {
            Some(f) => f.is_sig() && (f.field == r || self.is_new(f.field)),
            None => {
                // Not reachable from /Fields: look at the object itself and its parent.
                let Some(Object::Dictionary(d)) = self.load_new(r) else {
                    return false;
                };
                if d.get_name("FT") == Some(b"Sig".as_slice()) {
                    return true;
                }
                match d.get_ref("Parent") {
                    Some(p) if self.is_new(p) => matches!(self.load_new(p),
                        Some(Object::Dictionary(pd)) if pd.get_name("FT") == Some(b"Sig".as_slice())),
                    _ => false,
                }
            }
        }
    }

    /// Whether the field owning `owner` may be filled after the signature: its name, or why
    /// not.
    pub(super) fn fillable(&self, owner: ObjRef) -> Result<String, FillRefused> {
        let (name, is_sig, field) = match self.info(owner) {
            Some(f) => (f.name.clone(), f.is_sig(), f.field),
            None => (owner.to_string(), false, owner),
        };
        let signed_before = || match self.load_old(field) {
            Some(Object::Dictionary(d)) => d.get("V").is_some_and(|v| !v.is_null()),
            _ => false,
        };
        self.policy.may_fill(&name, is_sig, signed_before)?;
        Ok(name)
    }
}
