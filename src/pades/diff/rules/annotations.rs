//! Annotations. Allowed (annotations: without a certification, or with DocMDP P=3):
//! annotations and their parts added, changed or removed, annotation actions that run no
//! script; (LTA updates) widgets of new signature fields added to `/Annots`. Refused: widgets
//! of existing form fields removed or added, direct widgets, annotations or actions with
//! JavaScript, launch, import or submit actions.

use super::{Changed, ListChange, Rule, is_javascript, show};
use crate::pades::diff::graph::{Role, is_widget};
use crate::pades::diff::review::Review;
use crate::pades::diff::{Category, ModificationKind as K};
use crate::pdf::{ObjRef, Object};
use std::io::{Read, Seek};

/// Annotations, their parts and actions, and the `/Annots` arrays.
pub(in crate::pades::diff) struct AnnotationRule;

impl<R: Read + Seek> Rule<R> for AnnotationRule {
    fn claims(&self, c: &Changed<'_>) -> bool {
        matches!(
            c.role,
            Role::Annots | Role::Annot | Role::AnnotPart(_) | Role::AnnotAction(_)
        )
    }

    fn judge(&self, rv: &mut Review<'_, R>, c: &Changed<'_>) {
        let (r, path, verb) = (c.r, c.path, c.verb());
        match c.role {
            Role::Annots => {
                let old = rv.old_list(r, c.kind, c.old.as_ref(), c.parent, path);
                let new = c.new.as_array().unwrap_or_default();
                annots(rv, &ListChange::new(r, &old, new, path));
            }
            Role::AnnotAction(_) if is_javascript(&c.new) => rv.deny(
                r,
                K::JavaScript,
                format!("annotation action with JavaScript/launch {verb} at {path}"),
            ),
            Role::AnnotAction(_) => rv.allow(
                r,
                K::Annotation,
                format!("annotation action {verb} at {path}"),
                Category::Annotations,
            ),
            Role::Annot => rv.allow(
                r,
                K::Annotation,
                format!("annotation {verb} at {path}"),
                Category::Annotations,
            ),
            _ => rv.allow(
                r,
                K::Annotation,
                format!("part of an annotation {verb} at {path}"),
                Category::Annotations,
            ),
        }
    }
}

/// An `/Annots` list changed.
pub(super) fn annots<R: Read + Seek>(rv: &mut Review<'_, R>, list: &ListChange<'_>) {
    let (r, path) = (list.holder, list.path);
    for &o in &list.removed {
        let od = rv.old_resolve(Some(o));
        if od.as_dict().is_some_and(is_widget) {
            rv.deny(
                r,
                K::Annotation,
                format!("form field widget {} removed from {path}", show(o)),
            );
        } else {
            rv.allow(
                r,
                K::Annotation,
                format!("annotation {} removed from {path}", show(o)),
                Category::Annotations,
            );
        }
    }
    for &n in &list.added {
        annot_added(rv, r, n, path);
    }
}

/// The entry `n` added to an `/Annots` list (held by `r`).
fn annot_added<R: Read + Seek>(rv: &mut Review<'_, R>, r: ObjRef, n: &Object, path: &str) {
    let nd = rv.new_resolve(Some(n));
    let widget = nd.as_dict().is_some_and(is_widget);
    match n {
        Object::Reference(nr) if widget && rv.new_sig_field(*nr) => rv.allow(
            r,
            K::Annotation,
            format!("widget of new signature field {nr} added to {path}"),
            Category::LtaUpdates,
        ),
        Object::Reference(nr) if widget => rv.deny(
            r,
            K::Annotation,
            format!(
                "widget {nr} of a form field that is not a new signature field added to {path}"
            ),
        ),
        _ if widget => rv.deny(
            r,
            K::Annotation,
            format!("direct widget annotation added to {path}"),
        ),
        _ if is_javascript(&rv.new_resolve(nd.as_dict().and_then(|d| d.get("A")))) => rv.deny(
            r,
            K::JavaScript,
            format!(
                "annotation {} with a JavaScript/launch action added to {path}",
                show(n)
            ),
        ),
        _ => rv.allow(
            r,
            K::Annotation,
            format!("annotation {} added to {path}", show(n)),
            Category::Annotations,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{allowed, approval, certified, check, refused};
    use crate::pades::diff::testpdf::{Fixture, obj, page, updated};
    use crate::pades::diff::{Category, ModificationKind as K};

    const PAGE_ANNOTS: &str = "trailer/Root/Pages/Kids[0]/Annots";

    /// A new annotation 20 (`body`) added to page 3.
    fn add_annot(body: &str) -> Fixture {
        updated(&[page("[7 0 R 8 0 R 10 0 R 20 0 R]"), obj(20, body)])
    }

    const TEXT_NOTE: &str = "<< /Type /Annot /Subtype /Text /Rect [0 0 20 20] /Contents (hi) >>";

    #[test]
    fn annotations_may_be_added_without_certification_or_with_p3() {
        let added_to = format!("annotation 20 0 R added to {PAGE_ANNOTS}");
        for perms in [approval(), certified(3)] {
            let r = check(
                &add_annot(TEXT_NOTE),
                perms,
                &[
                    allowed(&added_to, K::Annotation),
                    allowed("annotation added at", K::Annotation),
                ],
            );
            assert_eq!(r.category, Category::Annotations);
        }
    }

    #[test]
    fn annotations_are_refused_under_docmdp_2() {
        let needle = "added to trailer/Root/Pages/Kids[0]/Annots — not allowed by the \
                      certification (DocMDP P=2; ISO 32000-2 §12.8.2.2)";
        check(
            &add_annot(TEXT_NOTE),
            certified(2),
            &[refused(needle, K::Annotation)],
        );
    }

    #[test]
    fn annotations_with_scripts_are_refused() {
        // An action object of its own: judged as the annotation's action.
        let linked = |action: &str| {
            updated(&[
                obj(
                    10,
                    "<< /Type /Annot /Subtype /Square /Rect [50 50 80 80] /P 3 0 R /A 20 0 R >>",
                ),
                obj(20, action),
            ])
        };
        for (f, expected) in [
            (
                add_annot(
                    "<< /Type /Annot /Subtype /Link /Rect [0 0 20 20] /A << /S /JavaScript /JS (x) >> >>",
                ),
                refused(
                    "annotation 20 0 R with a JavaScript/launch action added",
                    K::JavaScript,
                ),
            ),
            (
                linked("<< /S /URI /URI (https://example.com) >>"),
                allowed("annotation action added at", K::Annotation),
            ),
            (
                linked("<< /S /Launch /F (calc.exe) >>"),
                refused(
                    "annotation action with JavaScript/launch added",
                    K::JavaScript,
                ),
            ),
        ] {
            check(&f, approval(), &[expected]);
        }
    }

    #[test]
    fn annotations_may_be_removed_but_widgets_not() {
        for (annots, removed, allowed) in [
            ("[7 0 R 8 0 R]", "annotation 10 0 R", true),
            ("[8 0 R 10 0 R]", "form field widget 7 0 R", false),
        ] {
            let needle = format!("{removed} removed from {PAGE_ANNOTS}");
            let f = updated(&[page(annots)]);
            check(&f, approval(), &[(&needle, K::Annotation, allowed)]);
        }
    }

    #[test]
    fn remove_all_annotations_follows_docmdp() {
        // "Remove all annotations": the page keeps the widgets of its fields, loses the
        // square annotation 10. ISO 32000-2 §12.8.2.2: P=3 permits it (and the report says
        // so), P=1 and P=2 do not.
        let f = || updated(&[page("[7 0 R 8 0 R]")]);
        let needle = format!("annotation 10 0 R removed from {PAGE_ANNOTS}");
        let r = check(&f(), certified(3), &[allowed(&needle, K::Annotation)]);
        assert!(r.modifications.iter().any(|m| m.detail.contains(
            "(rule: DocMDP P=3 permits annotation creation, modification and deletion, ISO 32000-2 §12.8.2.2)"
        )));
        for p in [1, 2] {
            let r = check(&f(), certified(p), &[refused(&needle, K::Annotation)]);
            let rule =
                format!("not allowed by the certification (DocMDP P={p}; ISO 32000-2 §12.8.2.2)");
            assert!(r.modifications.iter().any(|m| m.detail.contains(&rule)));
        }
        // Removing the /Annots key: the widgets of the fields go too, refused at any level.
        let all = updated(&[obj(
            3,
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R \
             /Resources << /Font << /F1 5 0 R >> >> >>",
        )]);
        let widget = format!("form field widget 7 0 R removed from {PAGE_ANNOTS}");
        check(&all, certified(3), &[refused(&widget, K::Annotation)]);
    }

    #[test]
    fn widgets_of_other_fields_may_not_be_added() {
        for (f, needle) in [
            (
                add_annot("<< /Type /Annot /Subtype /Widget /Parent 7 0 R /Rect [0 0 9 9] >>"),
                "widget 20 0 R of a form field that is not a new signature field",
            ),
            (
                updated(&[page(
                    "[7 0 R 8 0 R 10 0 R << /Type /Annot /Subtype /Widget /Rect [0 0 9 9] >>]",
                )]),
                "direct widget annotation added",
            ),
        ] {
            check(&f, approval(), &[refused(needle, K::Annotation)]);
        }
    }

    #[test]
    fn an_indirect_annots_array_is_compared_with_the_list_it_replaced() {
        let r = updated(&[
            page("21 0 R"),
            obj(21, "[7 0 R 8 0 R 10 0 R 20 0 R]"),
            obj(20, TEXT_NOTE),
        ])
        .analyze(approval());
        // The page and the new array object both show the one addition; the entries that
        // were already there are not taken for new ones.
        let added: Vec<(&str, bool)> = r
            .modifications
            .iter()
            .filter(|m| m.detail == format!("annotation 20 0 R added to {PAGE_ANNOTS}"))
            .map(|m| (m.object.as_str(), m.allowed))
            .collect();
        assert_eq!(added, vec![("3 0 R", true), ("21 0 R", true)]);
        assert!(r.allowed(), "{:#?}", r.modifications);
    }
}
