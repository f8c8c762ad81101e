//! The rules: one per kind of change that may be allowed after a signature. Each rule claims
//! the changed objects it knows (by the role they are used with, see [`Role`]) and records a
//! verdict for each: allowed in a [`Category`](super::Category) the policy then permits or not,
//! or refused. The parts:
//! - [`catalog`]: the document catalog, developer extensions, and the trailer;
//! - [`form`]: the interactive form, form fields and their values;
//! - [`signature`]: signature fields, signature values, and appearances;
//! - [`annotations`]: annotations and `/Annots` arrays;
//! - [`page_tree`]: pages (only their annotations may change);
//! - [`dss`]: the document security store and document timestamps;
//! - [`metadata`]: XMP metadata and the document information dictionary.

pub(super) mod annotations;
pub(super) mod catalog;
pub(super) mod dss;
pub(super) mod form;
pub(super) mod metadata;
pub(super) mod page_tree;
pub(super) mod signature;

pub(super) use annotations::AnnotationRule;
pub(super) use catalog::CatalogRule;
pub(super) use dss::DssRule;
pub(super) use form::FormRule;
pub(super) use metadata::MetadataRule;
pub(super) use page_tree::PageTreeRule;
pub(super) use signature::SignatureRule;

use super::changes::{ChangeKind, eq};
use super::graph::Role;
use super::review::Review;
use crate::pdf::{Dictionary, ObjRef, Object};
use std::collections::HashSet;
use std::io::{Read, Seek};

/// One kind of allowed change.
pub(super) trait Rule<R: Read + Seek> {
    /// Whether this rule judges the change `c` (rules claim disjoint sets of changes).
    fn claims(&self, c: &Changed<'_>) -> bool;
    /// Records the verdicts on `c` in `rv`.
    fn judge(&self, rv: &mut Review<'_, R>, c: &Changed<'_>);
}

/// One changed object (new or modified), in one place it is used.
#[derive(Debug)]
pub(super) struct Changed<'a> {
    /// The object.
    pub(super) r: ObjRef,
    /// New or modified.
    pub(super) kind: ChangeKind,
    /// What it is used for there.
    pub(super) role: Role,
    /// The path that reaches it there.
    pub(super) path: &'a str,
    /// The object holding the reference.
    pub(super) parent: ObjRef,
    /// Every path that reaches it.
    pub(super) used_at: &'a str,
    /// Its value in the newest revision (`null` when unreadable).
    pub(super) new: Object,
    /// Its value in the signed revision (modified objects only).
    pub(super) old: Option<Object>,
}

impl Changed<'_> {
    /// `added` or `changed`, for messages.
    pub(super) fn verb(&self) -> &'static str {
        verb(self.kind)
    }
}

/// `added` for new objects, `changed` otherwise.
fn verb(kind: ChangeKind) -> &'static str {
    if kind == ChangeKind::New {
        "added"
    } else {
        "changed"
    }
}

/// True for an action that runs JavaScript, launches, imports or submits.
pub(super) fn is_javascript(obj: &Object) -> bool {
    obj.as_dict().is_some_and(|d| {
        d.contains_key("JS")
            || matches!(
                d.get_name("S"),
                Some(b"JavaScript" | b"Launch" | b"ImportData" | b"SubmitForm")
            )
    })
}

/// Membership test for arrays of (mostly) references, without quadratic scans.
struct ListIndex<'a> {
    refs: HashSet<ObjRef>,
    direct: Vec<&'a Object>,
}

impl<'a> ListIndex<'a> {
    fn new(items: &'a [Object]) -> Self {
        let mut refs = HashSet::new();
        let mut direct = Vec::new();
        for i in items {
            match i {
                Object::Reference(r) => {
                    refs.insert(*r);
                }
                o => direct.push(o),
            }
        }
        ListIndex { refs, direct }
    }

    fn contains(&self, o: &Object) -> bool {
        match o {
            Object::Reference(r) => self.refs.contains(r),
            o => self.direct.iter().any(|d| eq(d, o)),
        }
    }
}

/// A list (`/Annots`, `/Fields`, `/Kids`) held by `holder` at `path` that changed: the
/// entries it lost and the entries it gained, each in list order.
struct ListChange<'a> {
    holder: ObjRef,
    path: &'a str,
    removed: Vec<&'a Object>,
    added: Vec<&'a Object>,
}

impl<'a> ListChange<'a> {
    /// The change of the list held by `holder` at `path` from `old` to `new`.
    fn new(holder: ObjRef, old: &'a [Object], new: &'a [Object], path: &'a str) -> Self {
        let (old_ix, new_ix) = (ListIndex::new(old), ListIndex::new(new));
        ListChange {
            holder,
            path,
            removed: old.iter().filter(|o| !new_ix.contains(o)).collect(),
            added: new.iter().filter(|n| !old_ix.contains(n)).collect(),
        }
    }
}

/// The area of an annotation's `/Rect` (0 when missing or malformed).
fn rect_area(d: &Dictionary) -> f64 {
    let Some(r) = d.get("Rect").and_then(Object::as_array) else {
        return 0.0;
    };
    let n: Vec<f64> = r.iter().filter_map(Object::as_number).collect();
    match n.as_slice() {
        [x1, y1, x2, y2] => ((x2 - x1) * (y2 - y1)).abs(),
        _ => 0.0,
    }
}

/// True when an annotation shows something: a non-empty `/Rect`, not hidden, not `NoView`.
fn annot_visible(d: &Dictionary) -> bool {
    let flags = d.get_int("F").unwrap_or(0);
    rect_area(d) > 0.0 && flags & 2 == 0 && flags & 32 == 0
}

/// A list entry for messages: `12 0 R`, or `(direct dictionary)`.
fn show(o: &Object) -> String {
    match o {
        Object::Reference(r) => r.to_string(),
        o => format!("(direct {})", o.type_name()),
    }
}

/// Test helpers shared by the rules' tests.
#[cfg(test)]
pub(super) mod test_support {
    use super::super::testpdf::Fixture;
    use super::super::{DiffResult, FieldLock, LockAction, ModificationKind, Permissions};

    /// Permissions of an approval signature (no certification, no locks).
    pub(crate) fn approval() -> Permissions {
        Permissions::default()
    }

    /// Permissions under a certification with DocMDP `/P p`.
    pub(crate) fn certified(p: i64) -> Permissions {
        Permissions {
            docmdp: Some(p),
            locks: Vec::new(),
        }
    }

    /// Permissions with a FieldMDP lock on `fields`.
    pub(crate) fn locking(fields: &[&str]) -> Permissions {
        Permissions {
            docmdp: None,
            locks: vec![FieldLock {
                action: LockAction::Include(fields.iter().map(|f| f.to_string()).collect()),
                by: "Signature1".into(),
            }],
        }
    }

    /// A verdict a test expects: the one modification whose detail contains the text has
    /// this kind and is allowed or not.
    pub(crate) type Expect<'a> = (&'a str, ModificationKind, bool);

    /// The modification whose detail contains `needle` is of `kind` and allowed.
    pub(crate) fn allowed(needle: &str, kind: ModificationKind) -> Expect<'_> {
        (needle, kind, true)
    }

    /// The modification whose detail contains `needle` is of `kind` and refused.
    pub(crate) fn refused(needle: &str, kind: ModificationKind) -> Expect<'_> {
        (needle, kind, false)
    }

    /// The analysis of `f` under `perms`, checked against every verdict of `expected`.
    pub(crate) fn check(f: &Fixture, perms: Permissions, expected: &[Expect<'_>]) -> DiffResult {
        let r = f.analyze(perms);
        for &(needle, kind, allowed) in expected {
            assert_eq!(verdict(&r, needle), (kind, allowed), "{needle}");
        }
        r
    }

    /// The (kind, allowed) of the one modification whose detail contains `needle`; panics
    /// unless there is exactly one.
    pub(crate) fn verdict(r: &DiffResult, needle: &str) -> (ModificationKind, bool) {
        let found: Vec<(ModificationKind, bool)> = r
            .modifications
            .iter()
            .filter(|m| m.detail.contains(needle))
            .map(|m| (m.kind, m.allowed))
            .collect();
        match found.as_slice() {
            [one] => *one,
            _ => panic!("{needle:?}: {found:?} in {:#?}", r.modifications),
        }
    }
}
