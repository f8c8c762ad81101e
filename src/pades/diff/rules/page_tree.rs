//! Pages and the page tree. Only a page's `/Annots` may change (judged by the annotation
//! rule); its contents, resources, actions and any other entry may not. Page tree nodes,
//! content streams, resources, fonts and XObjects are claimed by no rule: the policy refuses
//! their changes.

use super::{Changed, ListChange, Rule, annotations};
use crate::pades::diff::ModificationKind as K;
use crate::pades::diff::changes::{changed_keys, key_text};
use crate::pades::diff::graph::Role;
use crate::pades::diff::review::Review;
use crate::pdf::{Dictionary, ObjRef, Object};
use std::io::{Read, Seek};

/// Pages.
pub(in crate::pades::diff) struct PageTreeRule;

impl<R: Read + Seek> Rule<R> for PageTreeRule {
    fn claims(&self, c: &Changed<'_>) -> bool {
        c.role == Role::Page
    }

    fn judge(&self, rv: &mut Review<'_, R>, c: &Changed<'_>) {
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
            b"Resources" => rv.deny(r, K::Resources, format!("page {path}: /Resources changed")),
            b"AA" => rv.deny(r, K::Action, format!("page {path}: actions (/AA) changed")),
            _ => rv.deny(r, K::Page, format!("page {path}: {key} changed")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{approval, check, refused};
    use crate::pades::diff::testpdf::{Fixture, obj, stream, updated};
    use crate::pades::diff::{Modification, ModificationKind as K};

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
    fn a_new_page_object_is_refused() {
        let f = updated(&[
            obj(2, "<< /Type /Pages /Kids [3 0 R 21 0 R] /Count 2 >>"),
            obj(21, &format!("<< /Type /Page /Parent 2 0 R {SAME} >>")),
        ]);
        let added = refused("page added at trailer/Root/Pages/Kids[1]", K::Page);
        check(&f, approval(), &[added]);
    }
}
