//! Pages and the page tree. Only a page's `/Annots` may change (judged by the annotation
//! rule); its contents, resources, actions and any other entry may not, except that its
//! `/Resources` may be re-pointed to a dictionary identical to the one it had (compared deeply,
//! bounded: rule "resources re-pointed to an identical dictionary"); resources are claimed here
//! for that alone, any other change of them is refused. Page tree nodes (and the attributes
//! pages inherit from them: `/Resources`, `/MediaBox`, `/CropBox`, `/Rotate`), content streams,
//! fonts and XObjects are claimed by no rule: the policy refuses their changes.

use super::{Changed, ListChange, Rule, annotations};
use crate::pades::diff::changes::{changed_keys, key_text};
use crate::pades::diff::graph::Role;
use crate::pades::diff::review::Review;
use crate::pades::diff::{Category, ModificationKind as K};
use crate::pdf::{Dictionary, ObjRef, Object};
use std::io::{Read, Seek};

/// Pages.
pub(in crate::pades::diff) struct PageTreeRule;

impl<R: Read + Seek> Rule<R> for PageTreeRule {
    fn claims(&self, c: &Changed<'_>) -> bool {
        matches!(c.role, Role::Page | Role::Resources | Role::PageTree)
    }

    fn judge(&self, rv: &mut Review<'_, R>, c: &Changed<'_>) {
        match c.role {
            Role::Resources => return resources(rv, c),
            Role::PageTree => return page_tree_node(rv, c),
            _ => {}
        }
        match (&c.old, &c.new) {
            (Some(Object::Dictionary(o)), Object::Dictionary(n)) => page(rv, c.r, o, n, c.path),
            _ => rv.deny(c.r, K::Page, format!("page {} at {}", c.verb(), c.path)),
        }
    }
}

/// The changed entries of the page `r` at `path`.
fn page<R: Read + Seek>(
    rv: &mut Review<'_, R>,
    r: ObjRef,
    old: &Dictionary,
    new: &Dictionary,
    path: &str,
) {
    for k in changed_keys(old, new) {
        let key = key_text(&k);
        match k.as_slice() {
            b"Annots" => {
                if let Some((o, n)) = rv.changed_array(old, new, "Annots") {
                    let annots = format!("{path}/Annots");
                    annotations::annots(rv, &ListChange::new(r, &o, &n, &annots));
                }
            }
            b"Contents" => rv.deny(r, K::PageContent, format!("page {path}: /Contents changed")),
            b"Resources" if rv.same_across(
                old.get("Resources").unwrap_or(&Object::Null),
                new.get("Resources").unwrap_or(&Object::Null),
            ) =>
            {
                rv.allow(
                    r,
                    K::Resources,
                    format!("page {path}: /Resources re-pointed to an identical dictionary (rule: resources re-pointed to an identical dictionary)"),
                    Category::Untouched,
                )
            }
            b"Resources" => rv.deny(r, K::Resources, format!("page {path}: /Resources changed")),
            b"AA" => rv.deny(r, K::Action, format!("page {path}: actions (/AA) changed")),
            _ => rv.deny(r, K::Page, format!("page {path}: {key} changed")),
        }
    }
}

/// The keys ISO 32000-2 defines for a page or a page tree node (Tables 30 and 31): a key
/// outside this list, on a page tree node, is read by no conforming processor.
const PAGE_KEYS: [&[u8]; 40] = [
    b"Type",
    b"Parent",
    b"Kids",
    b"Count",
    b"Resources",
    b"MediaBox",
    b"CropBox",
    b"Rotate",
    b"LastModified",
    b"BleedBox",
    b"TrimBox",
    b"ArtBox",
    b"BoxColorInfo",
    b"Contents",
    b"Group",
    b"Thumb",
    b"B",
    b"Dur",
    b"Trans",
    b"Annots",
    b"AA",
    b"Metadata",
    b"PieceInfo",
    b"StructParents",
    b"ID",
    b"PZ",
    b"SeparationInfo",
    b"Tabs",
    b"TemplateInstantiated",
    b"PresSteps",
    b"UserUnit",
    b"VP",
    b"AF",
    b"OutputIntents",
    b"DPart",
    b"Lang",
    b"Length",
    b"Filter",
    b"DecodeParms",
    b"Name",
];

/// True for an entry no PDF processor interprets: a key ISO 32000 does not define for pages
/// or page tree nodes, holding a direct string, name, number or boolean (a producer's mark,
/// such as iText's `/ITXT (5.0.6)`): it cannot reach other objects or change what is shown.
fn private_entry(k: &[u8], v: Option<&Object>) -> bool {
    !PAGE_KEYS.contains(&k)
        && v.is_none_or(|v| {
            matches!(
                v,
                Object::String(_)
                    | Object::Name(_)
                    | Object::Integer(_)
                    | Object::Real(_)
                    | Object::Boolean(_)
            )
        })
}

/// A node of the page tree, new or changed: only producer-private entries may be added or
/// changed (allowed with a warning: rule "producer-private key"); the inheritable attributes
/// (`/Resources`, `/MediaBox`, `/CropBox`, `/Rotate`), `/Kids`, `/Count` and any other key
/// are modifications, except `/Resources` re-pointed to an identical dictionary.
fn page_tree_node<R: Read + Seek>(rv: &mut Review<'_, R>, c: &Changed<'_>) {
    let (r, path) = (c.r, c.path);
    let (Some(Object::Dictionary(od)), Object::Dictionary(nd)) = (&c.old, &c.new) else {
        rv.deny(r, K::PageTree, format!("page tree {} at {path}", c.verb()));
        return;
    };
    for k in changed_keys(od, nd) {
        let key = key_text(&k);
        if private_entry(&k, od.get(&k)) && private_entry(&k, nd.get(&k)) {
            rv.allow(
                r,
                K::PageTree,
                format!("page tree {path}: {key} set, a key no PDF processor interprets (rule: producer-private key)"),
                Category::LtaUpdates,
            );
            rv.warn(format!(
                "a key no PDF processor interprets ({key}, on the page tree node {r}) was added or changed after this signature"
            ));
        } else if k == b"Resources"
            && rv.same_across(
                od.get("Resources").unwrap_or(&Object::Null),
                nd.get("Resources").unwrap_or(&Object::Null),
            )
        {
            rv.allow(
                r,
                K::Resources,
                format!("page tree {path}: /Resources re-pointed to an identical dictionary (rule: resources re-pointed to an identical dictionary)"),
                Category::Untouched,
            );
        } else {
            rv.deny(
                r,
                K::PageTree,
                format!("page tree changed at {path}: {key} changed"),
            );
        }
    }
}

/// A resource object, new or changed: allowed only when it is what its holder had under the
/// same key in the signed revision, compared deeply (a page's resources written again as a
/// new object with the same content); refused otherwise, as no rule allows it.
fn resources<R: Read + Seek>(rv: &mut Review<'_, R>, c: &Changed<'_>) {
    let (r, path) = (c.r, c.path);
    let before = match &c.old {
        Some(o) => o.clone(),
        None => {
            let key = path.rsplit('/').next().unwrap_or_default();
            match rv.load_old(c.parent) {
                Some(Object::Dictionary(holder)) if !key.contains('[') => holder
                    .get(key)
                    .filter(|v| !matches!(v, Object::Reference(x) if x.num == r.num))
                    .map(|v| rv.old_resolve(Some(v)))
                    .unwrap_or(Object::Null),
                _ => Object::Null,
            }
        }
    };
    if !before.is_null() && rv.same_across(&before, &c.new) {
        rv.allow(
            r,
            K::Resources,
            format!(
                "resources {} at {path}, identical to those of the signed revision (rule: resources re-pointed to an identical dictionary)",
                c.verb()
            ),
            Category::Untouched,
        );
    } else {
        rv.deny(r, K::Resources, format!("resources {} at {path}", c.verb()));
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{allowed, approval, check, refused};
    use crate::pades::diff::testpdf::{Fixture, obj, stream, updated};
    use crate::pades::diff::{Category, Modification, ModificationKind as K};

    /// Page 3 with `entries` instead of its contents and resources.
    fn page_with(entries: &str) -> Fixture {
        updated(&[
            obj(
                3,
                &format!("<< /Type /Page /Parent 2 0 R /Annots [7 0 R 8 0 R 10 0 R] {entries} >>"),
            ),
            obj(20, &stream("", "BT (other) Tj ET")),
        ])
    }

    const SAME: &str =
        "/MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >>";

    #[test]
    fn only_the_annotations_of_a_page_may_change() {
        let r = updated(&[obj(
            3,
            &format!("<< /Type /Page /Parent 2 0 R {SAME} /Annots [7 0 R 8 0 R] >>"),
        )])
        .analyze(approval());
        assert!(r.allowed(), "{:#?}", r.modifications);
        let page_kinds =
            |m: &Modification| matches!(m.kind, K::Page | K::PageContent | K::Resources);
        assert!(!r.modifications.iter().any(page_kinds));
    }

    #[test]
    fn contents_resources_and_other_entries_are_refused() {
        for (entries, changed, kind) in [
            (
                "/MediaBox [0 0 612 792] /Contents 20 0 R /Resources << /Font << /F1 5 0 R >> >>"
                    .to_string(),
                "/Contents changed",
                K::PageContent,
            ),
            (
                "/MediaBox [0 0 612 792] /Contents 4 0 R /Resources << >>".to_string(),
                "/Resources changed",
                K::Resources,
            ),
            (format!("{SAME} /Rotate 90"), "/Rotate changed", K::Page),
            (
                format!("{SAME} /AA << /O 20 0 R >>"),
                "actions (/AA) changed",
                K::Action,
            ),
        ] {
            let needle = format!("page trailer/Root/Pages/Kids[0]: {changed}");
            check(&page_with(&entries), approval(), &[(&needle, kind, false)]);
        }
    }

    #[test]
    fn resources_repointed_to_an_identical_dictionary_are_not_a_modification() {
        // The page's direct /Resources written again as the new object 20, same content.
        let page_res = |res: &str| {
            obj(
                3,
                &format!(
                    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources {res} /Annots [7 0 R 8 0 R 10 0 R] >>"
                ),
            )
        };
        let same = updated(&[page_res("20 0 R"), obj(20, "<< /Font << /F1 5 0 R >> >>")]);
        let r = check(
            &same,
            approval(),
            &[
                allowed(
                    "/Resources re-pointed to an identical dictionary",
                    K::Resources,
                ),
                allowed(
                    "resources added at trailer/Root/Pages/Kids[0]/Resources, identical to those of the signed revision",
                    K::Resources,
                ),
            ],
        );
        assert!(r.allowed());
        assert_eq!(r.category, Category::Untouched);
        // Different content (another font, or a font added): refused.
        for res in [
            "<< /Font << /F1 6 0 R >> >>",
            "<< /Font << /F1 5 0 R /F2 5 0 R >> >>",
            "<< /Font 21 0 R >>",
        ] {
            let f = updated(&[
                page_res("20 0 R"),
                obj(20, res),
                obj(21, "<< /F1 5 0 R /F9 5 0 R >>"),
            ]);
            check(
                &f,
                approval(),
                &[
                    refused(
                        "page trailer/Root/Pages/Kids[0]: /Resources changed",
                        K::Resources,
                    ),
                    refused(
                        "resources added at trailer/Root/Pages/Kids[0]/Resources",
                        K::Resources,
                    ),
                ],
            );
        }
        // Inheritable attributes stay modifications when they are set on the page.
        let boxed = updated(&[obj(
            3,
            &format!(
                "<< /Type /Page /Parent 2 0 R {SAME} /CropBox [0 0 10 10] /Annots [7 0 R 8 0 R 10 0 R] >>"
            ),
        )]);
        check(
            &boxed,
            approval(),
            &[refused(
                "page trailer/Root/Pages/Kids[0]: /CropBox changed",
                K::Page,
            )],
        );
    }

    #[test]
    fn producer_private_keys_on_the_page_tree_are_a_warning() {
        let pages = |extra: &str| {
            updated(&[obj(
                2,
                &format!("<< /Type /Pages /Kids [3 0 R] /Count 1 {extra} >>"),
            )])
        };
        let r = check(
            &pages("/ITXT (5.0.6)"),
            approval(),
            &[allowed(
                "page tree trailer/Root/Pages: /ITXT set, a key no PDF processor interprets (rule: producer-private key)",
                K::PageTree,
            )],
        );
        assert!(r.allowed());
        assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
        // Inheritable attributes, a reference in a private key, or a key of pages: refused.
        for (extra, key) in [
            ("/Rotate 90", "/Rotate"),
            ("/MediaBox [0 0 10 10]", "/MediaBox"),
            ("/CropBox [0 0 10 10]", "/CropBox"),
            ("/Resources << /Font << /F1 5 0 R >> >>", "/Resources"),
            ("/ITXT 4 0 R", "/ITXT"),
            ("/UserUnit 2", "/UserUnit"),
        ] {
            let needle = format!("page tree changed at trailer/Root/Pages: {key} changed");
            check(&pages(extra), approval(), &[refused(&needle, K::PageTree)]);
        }
    }

    #[test]
    fn a_new_page_object_is_refused() {
        let f = updated(&[
            obj(2, "<< /Type /Pages /Kids [3 0 R 21 0 R] /Count 2 >>"),
            obj(21, &format!("<< /Type /Page /Parent 2 0 R {SAME} >>")),
        ]);
        let added = refused("page added at trailer/Root/Pages/Kids[1]", K::Page);
        check(&f, approval(), &[added]);
    }
}
