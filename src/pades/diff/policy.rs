//! The policy: what the signatures made at or before the signed revision permit (DocMDP of the
//! certification, FieldMDP locks), and the review that asks the rules about every changed
//! object in every place it is used. A change no rule claims is refused (deny by default);
//! structural changes (objects freed, numbers reused, xref-only redirections) always are.

use super::changes::{Change, ChangeKind};
use super::graph::{Graph, Role, Use};
use super::review::Review;
use super::rules::{
    self, AnnotationRule, CatalogRule, Changed, DssRule, FormRule, MetadataRule, PageTreeRule,
    Rule, SignatureRule,
};
use super::{Category, DiffResult, FieldLock, ModificationKind as K, Permissions};
use crate::pdf::{Object, Reader};
use std::collections::BTreeMap;
use std::io::{Read, Seek};

/// Why a form field may not be filled after the signature.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(super) enum FillRefused {
    /// The certification (DocMDP P=1) allows no changes.
    #[error("field {name:?} changed: the certification (DocMDP P=1) allows no changes")]
    NoChanges {
        /// The field.
        name: String,
    },
    /// A FieldMDP lock covers the field.
    #[error("field {name:?} changed, but signature {by} locks it (FieldMDP)")]
    Locked {
        /// The field.
        name: String,
        /// The signature that locks it.
        by: String,
    },
    /// The field is a signature field that was already signed.
    #[error("the appearance or value of signature field {name:?}, already signed, changed")]
    AlreadySigned {
        /// The field.
        name: String,
    },
}

/// What the permissions allow, per category of change and per field.
#[derive(Debug, Clone, Copy)]
pub(super) struct Policy<'a> {
    perms: &'a Permissions,
}

impl<'a> Policy<'a> {
    /// The policy of `perms`.
    pub(super) fn new(perms: &'a Permissions) -> Self {
        Policy { perms }
    }

    /// DocMDP `/P` of the certification, if any.
    pub(super) fn docmdp(&self) -> Option<i64> {
        self.perms.docmdp
    }

    /// Whether a change of `category` is permitted: LTA updates always, form filling unless
    /// DocMDP P=1, annotations unless DocMDP P<3, anything else never.
    pub(super) fn permits(&self, category: Category) -> bool {
        match category {
            Category::Untouched | Category::LtaUpdates => true,
            Category::FormFilling => self.perms.docmdp.is_none_or(|p| p >= 2),
            Category::Annotations => self.perms.docmdp.is_none_or(|p| p >= 3),
            Category::Other => false,
        }
    }

    /// The detail of a change the certification does not permit (the rule: ISO 32000-2
    /// §12.8.2.2, what each DocMDP level permits).
    pub(super) fn refusal(&self, detail: &str) -> String {
        format!(
            "{detail} — not allowed by the certification (DocMDP P={}; ISO 32000-2 §12.8.2.2)",
            self.perms.docmdp.unwrap_or(0)
        )
    }

    /// The detail of an allowed change, naming the certification rule that let it in when
    /// one did: annotations created, changed or removed under DocMDP P=3.
    pub(super) fn permitted(&self, detail: String, category: Category) -> String {
        match (self.perms.docmdp, category) {
            (Some(3), Category::Annotations) => format!(
                "{detail} (rule: DocMDP P=3 permits annotation creation, modification and deletion, ISO 32000-2 §12.8.2.2)"
            ),
            _ => detail,
        }
    }

    /// The first FieldMDP lock that covers the field `name`.
    pub(super) fn lock_of(&self, name: &str) -> Option<&'a FieldLock> {
        self.perms.locks.iter().find(|l| l.locks(name))
    }

    /// Whether the field `name` may be filled: not under DocMDP P=1, not locked, and not a
    /// signature field that was already signed (`signed_before`, asked only for those).
    pub(super) fn may_fill(
        &self,
        name: &str,
        is_sig: bool,
        signed_before: impl FnOnce() -> bool,
    ) -> Result<(), FillRefused> {
        if self.perms.docmdp == Some(1) {
            return Err(FillRefused::NoChanges { name: name.into() });
        }
        if let Some(l) = self.lock_of(name) {
            return Err(FillRefused::Locked {
                name: name.into(),
                by: l.by.clone(),
            });
        }
        if is_sig && signed_before() {
            return Err(FillRefused::AlreadySigned { name: name.into() });
        }
        Ok(())
    }
}

/// Reviews the changes after revision `signed` (up to `last`) under `perms`.
pub(super) fn review<R: Read + Seek>(
    reader: &Reader<R>,
    signed: usize,
    last: usize,
    changes: &BTreeMap<u32, Change>,
    graph: &Graph,
    perms: &Permissions,
) -> DiffResult {
    let mut rv = Review::new(reader, (signed, last), changes, graph, Policy::new(perms));
    for (num, c) in changes {
        review_change(&mut rv, graph, *num, c);
    }
    rules::catalog::trailer(&mut rv);
    rv.finish()
}

/// Reviews one changed object number in every role it is used with.
fn review_change<R: Read + Seek>(rv: &mut Review<'_, R>, graph: &Graph, num: u32, c: &Change) {
    let uses: Vec<&Use> = graph
        .uses
        .get(&num)
        .map(|v| {
            v.iter()
                .filter(|u| Some(u.r) == c.new || Some(u.r) == c.old)
                .collect()
        })
        .unwrap_or_default();
    let Some(first) = uses.first() else {
        return; // not reachable in the newest revision: not displayed
    };
    let r = first.r;
    let used_at = paths(&uses);
    match c.kind {
        ChangeKind::Redirected => rv.deny(
            r,
            K::XrefRedirect,
            format!(
                "a later xref points the object at offset {} inside the signed bytes, where another version of it lies (xref-only redefinition); used at {used_at}",
                c.new_offset.unwrap_or(0)
            ),
        ),
        ChangeKind::Reused => rv.deny(
            r,
            K::ObjectReuse,
            format!(
                "object number reused with another generation ({} → {}); used at {used_at}",
                c.old.map_or(0, |o| o.r#gen),
                c.new.map_or(0, |o| o.r#gen)
            ),
        ),
        ChangeKind::Deleted => rv.deny(
            r,
            K::Deleted,
            format!("object freed by a later xref but still referenced at {used_at}"),
        ),
        ChangeKind::New | ChangeKind::Modified => {
            let mut roles: Vec<Role> = Vec::new();
            for u in &uses {
                if !roles.contains(&u.role) {
                    roles.push(u.role);
                }
            }
            for role in roles {
                let Some(u) = uses.iter().find(|u| u.role == role) else {
                    continue;
                };
                let changed = Changed {
                    r,
                    kind: c.kind,
                    role,
                    path: &u.path,
                    parent: u.parent,
                    used_at: &used_at,
                    new: rv.load_new(r).unwrap_or(Object::Null),
                    old: if c.kind == ChangeKind::Modified {
                        rv.load_old(r)
                    } else {
                        None
                    },
                };
                judge(rv, &changed);
            }
        }
    }
}

/// The rules, asked in this order; the first that claims a change judges it.
fn rule_set<'x, R: Read + Seek + 'x>() -> [&'x dyn Rule<R>; 7] {
    [
        &CatalogRule,
        &MetadataRule,
        &DssRule,
        &SignatureRule,
        &FormRule,
        &AnnotationRule,
        &PageTreeRule,
    ]
}

/// Judges one use of a changed object: by the rule that claims it, or refused.
fn judge<R: Read + Seek>(rv: &mut Review<'_, R>, c: &Changed<'_>) {
    match rule_set::<R>().into_iter().find(|rule| rule.claims(c)) {
        Some(rule) => rule.judge(rv, c),
        None => refuse_unclaimed(rv, c),
    }
}

/// Deny by default: a change no rule claims, named by what the object is used for.
fn refuse_unclaimed<R: Read + Seek>(rv: &mut Review<'_, R>, c: &Changed<'_>) {
    let (verb, path) = (c.verb(), c.path);
    let js = rules::is_javascript(&c.new);
    let (kind, detail) = match c.role {
        Role::PageOther => (K::Page, format!("page data {verb} at {path}")),
        Role::PageContent => (K::PageContent, format!("page content {verb} at {path}")),
        Role::Font => (K::Font, format!("font {verb} at {path}")),
        Role::XObject => (K::XObject, format!("XObject {verb} at {path}")),
        Role::Action | Role::FieldAction => (
            if js { K::JavaScript } else { K::Action },
            format!("action {verb} at {path}"),
        ),
        Role::CatalogOther | Role::Perms => (
            if js { K::JavaScript } else { K::Catalog },
            format!("document-level data {verb} at {path}"),
        ),
        Role::AcroFormOther => (K::FormField, format!("form data {verb} at {path}")),
        Role::TrailerOther => (
            K::Other,
            format!(
                "object {verb}; it is referenced from the trailer at {path} (used at {})",
                c.used_at
            ),
        ),
        _ => (
            K::Other,
            format!("object {verb} at {path}: no rule allows it"),
        ),
    };
    rv.deny(c.r, kind, detail);
}

/// The paths of the uses, for messages.
fn paths(uses: &[&Use]) -> String {
    let mut v: Vec<&str> = uses.iter().map(|u| u.path.as_str()).collect();
    v.dedup();
    v.join(", ")
}

#[cfg(test)]
mod tests {
    use super::super::rules::test_support::{
        allowed, approval, certified, check, locking, refused,
    };
    use super::super::testpdf::{
        Fixture, base_objects, catalog, free, obj, obj_gen, pointing, stream, updated,
    };
    use super::*;
    use crate::pdf::ObjRef;
    use std::io::Cursor;

    #[test]
    fn categories_permitted_per_docmdp_level() {
        let cases = [
            (None, [true, true, true, false]),
            (Some(1), [true, false, false, false]),
            (Some(2), [true, true, false, false]),
            (Some(3), [true, true, true, false]),
        ];
        for (docmdp, expected) in cases {
            let perms = Permissions {
                docmdp,
                locks: Vec::new(),
            };
            let p = Policy::new(&perms);
            let got = [
                Category::LtaUpdates,
                Category::FormFilling,
                Category::Annotations,
                Category::Other,
            ]
            .map(|c| p.permits(c));
            assert_eq!(got, expected, "DocMDP {docmdp:?}");
            assert!(p.permits(Category::Untouched));
        }
        let perms = certified(2);
        assert_eq!(
            Policy::new(&perms).refusal("x"),
            "x — not allowed by the certification (DocMDP P=2; ISO 32000-2 §12.8.2.2)"
        );
    }

    #[test]
    fn filling_refusals_name_their_reason() {
        let p1 = certified(1);
        assert_eq!(
            Policy::new(&p1).may_fill("A", false, || false),
            Err(FillRefused::NoChanges { name: "A".into() })
        );
        let locked = locking(&["A"]);
        let e = Policy::new(&locked).may_fill("A.B", false, || false);
        assert_eq!(
            e.map_err(|e| e.to_string()),
            Err("field \"A.B\" changed, but signature Signature1 locks it (FieldMDP)".to_string())
        );
        let free_perms = approval();
        let p = Policy::new(&free_perms);
        assert_eq!(
            p.may_fill("S", true, || true),
            Err(FillRefused::AlreadySigned { name: "S".into() })
        );
        assert_eq!(p.may_fill("S", true, || false), Ok(()));
        // Whether a field was signed is asked only for signature fields.
        assert_eq!(p.may_fill("T", false, || panic!("not asked")), Ok(()));
        assert_eq!(
            FillRefused::AlreadySigned { name: "S".into() }.to_string(),
            "the appearance or value of signature field \"S\", already signed, changed"
        );
    }

    #[test]
    fn changes_no_rule_claims_are_refused() {
        let content = updated(&[obj(4, &stream("", "BT (other) Tj ET"))]);
        let font = updated(&[obj(
            5,
            "<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>",
        )]);
        let pages = updated(&[obj(
            2,
            "<< /Type /Pages /Kids [3 0 R] /Count 1 /Rotate 90 >>",
        )]);
        let trailer =
            Fixture::base().update_with_trailer(&[obj(20, "<< /Any (thing) >>")], " /Extra 20 0 R");
        for (f, needle, kind) in [
            (
                content,
                "page content changed at trailer/Root/Pages/Kids[0]/Contents",
                K::PageContent,
            ),
            (
                font,
                "font changed at trailer/Root/Pages/Kids[0]/Resources/Font/F1",
                K::Font,
            ),
            (
                pages,
                "page tree changed at trailer/Root/Pages",
                K::PageTree,
            ),
            (
                trailer,
                "object added; it is referenced from the trailer at trailer/Extra",
                K::Other,
            ),
        ] {
            check(&f, approval(), &[(needle, kind, false)]);
        }
    }

    #[test]
    fn a_change_must_be_allowed_everywhere_the_object_is_used() {
        // Object 4 is the page content and, after the update, also listed in the DSS: the
        // DSS use is allowed, the page content use is not.
        let r = check(
            &updated(&[
                obj(4, &stream("", "BT (other) Tj ET")),
                obj(20, "<< /Certs [4 0 R] >>"),
                catalog("/DSS 20 0 R"),
            ]),
            approval(),
            &[
                allowed(
                    "document security store changed (trailer/Root/DSS/Certs[0])",
                    K::Dss,
                ),
                refused("page content changed", K::PageContent),
            ],
        );
        assert_eq!(r.category, Category::Other);
    }

    #[test]
    fn structural_changes_are_refused() {
        let freed = updated(&[free(5, 1)]);
        let reused = updated(&[
            obj_gen(5, 1, "<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>"),
            obj(
                3,
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R \
                    /Resources << /Font << /F1 5 1 R >> >> /Annots [7 0 R 8 0 R 10 0 R] >>",
            ),
        ]);
        let decoy = "<< /Type /Font /Subtype /Type1 /BaseFont /Evil >>";
        let (f, at) = Fixture::with_decoy(&base_objects(), 5, decoy);
        let redirected = f.update(&[pointing(5, at)]);
        for (f, needle, kind) in [
            (
                freed,
                "object freed by a later xref but still referenced at",
                K::Deleted,
            ),
            (
                reused,
                "object number reused with another generation (0 → 1)",
                K::ObjectReuse,
            ),
            (redirected, "(xref-only redefinition)", K::XrefRedirect),
        ] {
            check(&f, approval(), &[(needle, kind, false)]);
        }
    }

    #[test]
    fn objects_nothing_reaches_are_not_judged() {
        let r = updated(&[obj(20, &stream("", "BT (orphan) Tj ET"))]).analyze(approval());
        assert_eq!(r.modifications, vec![]);
        assert_eq!(r.category, Category::Untouched);
    }

    #[test]
    fn rules_claim_disjoint_sets_of_changes() {
        let o = ObjRef::new(7, 0);
        // The roles some rule claims (each exactly one), then those no rule claims: their
        // changes are refused by default.
        let claimed = [
            Role::Catalog,
            Role::Info,
            Role::Page,
            Role::PageTree,
            Role::Resources,
            Role::Annots,
            Role::Annot,
            Role::AnnotPart(o),
            Role::AnnotAction(o),
            Role::Widget,
            Role::AcroForm,
            Role::FormArray,
            Role::FormResources,
            Role::Field,
            Role::FieldValue(o),
            Role::FieldPart(o),
            Role::SigValue,
            Role::Appearance(o),
            Role::Dss,
            Role::Metadata,
            Role::Extensions,
        ];
        let unclaimed = [
            Role::TrailerOther,
            Role::PageOther,
            Role::PageContent,
            Role::Font,
            Role::XObject,
            Role::AcroFormOther,
            Role::FieldAction,
            Role::Perms,
            Role::Action,
            Role::CatalogOther,
        ];
        let mut dts = crate::pdf::Dictionary::new();
        dts.insert("Type", Object::name("DocTimeStamp"));
        let roles = claimed.map(|r| (r, 1)).into_iter();
        for (role, expected) in roles.chain(unclaimed.map(|r| (r, 0))) {
            for kind in [ChangeKind::New, ChangeKind::Modified] {
                for new in [Object::Null, Object::Dictionary(dts.clone())] {
                    let c = Changed {
                        r: ObjRef::new(20, 0),
                        kind,
                        role,
                        path: "p",
                        parent: ObjRef::new(0, 0),
                        used_at: "p",
                        new,
                        old: None,
                    };
                    let n = rule_set::<Cursor<&[u8]>>()
                        .iter()
                        .filter(|r| r.claims(&c))
                        .count();
                    assert_eq!(n, expected, "{role:?} {kind:?}");
                }
            }
        }
    }
}
