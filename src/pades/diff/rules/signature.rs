//! Signature fields, signature values and appearances. Allowed: new signature fields (with
//! their widgets and parts), signing an empty signature field (its `/V`, `/Rect`, `/Lock`,
//! `/SV`), new signature values, appearances of new signature fields and of fields that may be
//! filled, annotation appearances. Refused: a changed signature value, a new field holding an
//! existing signature, a new visible signature widget after a certification (it can cover the
//! certified content), signing a locked field, and appearances of fields that may not change.

use super::form::FieldState;
use super::{Changed, Rule, annot_visible, dss, rect_area, verb};
use crate::pades::diff::changes::ChangeKind;
use crate::pades::diff::graph::{Role, is_widget};
use crate::pades::diff::review::Review;
use crate::pades::diff::{Category, ModificationKind as K};
use crate::pdf::{Dictionary, ObjRef, Object};
use std::io::{Read, Seek};

/// Signature values and appearances.
pub(in crate::pades::diff) struct SignatureRule;

impl<R: Read + Seek> Rule<R> for SignatureRule {
    fn claims(&self, c: &Changed<'_>) -> bool {
        match c.role {
            Role::SigValue => !dss::is_new_doc_timestamp(c),
            Role::Appearance(_) => true,
            _ => false,
        }
    }

    fn judge(&self, rv: &mut Review<'_, R>, c: &Changed<'_>) {
        let (r, path) = (c.r, c.path);
        match c.role {
            Role::Appearance(owner) => appearance(rv, r, c.kind, owner, path),
            _ if c.kind == ChangeKind::New => rv.allow(
                r,
                K::Signature,
                format!("signature added ({path})"),
                Category::FormFilling,
            ),
            _ => rv.deny(
                r,
                K::Signature,
                format!("an existing signature dictionary was changed ({path})"),
            ),
        }
    }
}

/// An appearance (`/AP`, `/MK`) of the field or annotation `owner`, new or changed.
fn appearance<R: Read + Seek>(
    rv: &mut Review<'_, R>,
    r: ObjRef,
    kind: ChangeKind,
    owner: ObjRef,
    path: &str,
) {
    let verb = verb(kind);
    let owner_obj = rv.load_new(owner);
    let owner_dict = owner_obj.as_ref().and_then(Object::as_dict);
    let is_field = owner_dict.is_some_and(|d| is_widget(d) || d.contains_key("FT"))
        || rv.info(owner).is_some();
    if !is_field {
        if owner_dict.is_some() {
            rv.allow(
                r,
                K::Annotation,
                format!("annotation appearance {verb} ({path})"),
                Category::Annotations,
            );
        } else {
            rv.deny(r, K::Appearance, format!("appearance {verb} at {path}"));
        }
        return;
    }
    if rv.new_sig_field(owner) {
        // The appearance of an invisible field (a document timestamp's) shows nothing.
        let visible = owner_dict.is_some_and(annot_visible);
        rv.allow(
            r,
            K::Appearance,
            format!("appearance of a new signature field {verb} ({path})"),
            if visible {
                Category::FormFilling
            } else {
                Category::LtaUpdates
            },
        );
        return;
    }
    match rv.fillable(owner) {
        Ok(name) => rv.allow(
            r,
            K::Appearance,
            format!("appearance of field {name:?} {verb} ({path})"),
            Category::FormFilling,
        ),
        Err(why) => rv.deny(r, K::Appearance, format!("{why} ({path})")),
    }
}

/// A new field or widget `r` (`nd`) at `path`: only signature fields may be added, visible
/// ones not after a certification with DocMDP P<3, none but a document timestamp with P=1.
pub(super) fn new_field<R: Read + Seek>(
    rv: &mut Review<'_, R>,
    r: ObjRef,
    nd: &Dictionary,
    path: &str,
) {
    if !rv.new_sig_field(r) {
        let what = if is_widget(nd) {
            "widget annotation for an existing form field"
        } else {
            "non-signature form field"
        };
        rv.deny(r, K::FormField, format!("{what} added at {path}"));
        return;
    }
    let visible = annot_visible(nd)
        || rv
            .new_resolve(nd.get("Kids"))
            .as_array()
            .unwrap_or_default()
            .iter()
            .filter_map(|k| rv.new_resolve(Some(k)).as_dict().cloned())
            .any(|k| annot_visible(&k));
    if let Some(Object::Reference(v)) = nd.get("V")
        && !rv.is_new(*v)
    {
        rv.deny(
            r,
            K::Signature,
            format!("new signature field at {path} takes the value {v} of an existing signature"),
        );
        return;
    }
    let is_dts = dss::is_doc_timestamp(&rv.new_resolve(nd.get("V")));
    match (rv.policy.docmdp(), visible) {
        (Some(p), true) if p < 3 => rv.deny(
            r,
            K::Annotation,
            format!(
                "new visible signature widget at {path} after a certification signature (DocMDP P={p}): it can cover the certified content"
            ),
        ),
        (Some(1), false) if !is_dts => rv.deny(
            r,
            K::FormField,
            format!(
                "new signature field at {path}: the certification (DocMDP P=1) allows no changes"
            ),
        ),
        (Some(_), true) => rv.allow(
            r,
            K::Annotation,
            format!("new visible signature field at {path}"),
            Category::Annotations,
        ),
        (_, true) => rv.allow(
            r,
            K::FormField,
            format!("new visible signature field at {path}"),
            Category::FormFilling,
        ),
        (_, false) => rv.allow(
            r,
            K::FormField,
            format!("new invisible signature field at {path}"),
            Category::LtaUpdates,
        ),
    }
}

/// The `/V` of the signature field `r` (`f`, now `nd`) changed: signing an empty field is
/// allowed unless a FieldMDP lock covers it; replacing or removing a signature is not.
pub(super) fn value_changed<R: Read + Seek>(
    rv: &mut Review<'_, R>,
    r: ObjRef,
    f: &FieldState,
    nd: &Dictionary,
) {
    let name = &f.name;
    if !f.being_signed {
        rv.deny(
            r,
            K::Signature,
            format!("the value of signature field {name:?} was replaced or removed"),
        );
    } else if let Some(l) = rv.policy.lock_of(name) {
        rv.deny(
            r,
            K::Signature,
            format!(
                "signature field {name:?} signed, but signature {} locks it",
                l.by
            ),
        );
    } else {
        let category = if dss::is_doc_timestamp(&rv.new_resolve(nd.get("V"))) {
            Category::LtaUpdates
        } else {
            Category::FormFilling
        };
        rv.allow(
            r,
            K::Signature,
            format!("signature field {name:?} signed"),
            category,
        );
    }
}

/// The `/Rect` of the signature field `r` (`f`, `od` before, `nd` now) set while signing it:
/// made visible after a certification with DocMDP P<3, it is refused.
pub(super) fn rect_set<R: Read + Seek>(
    rv: &mut Review<'_, R>,
    r: ObjRef,
    f: &FieldState,
    od: &Dictionary,
    nd: &Dictionary,
) {
    let name = &f.name;
    let newly_visible = rect_area(od) == 0.0 && rect_area(nd) > 0.0;
    match rv.policy.docmdp() {
        Some(p) if p < 3 && newly_visible => rv.deny(
            r,
            K::Annotation,
            format!(
                "signature field {name:?} made visible after a certification signature (DocMDP P={p})"
            ),
        ),
        _ => rv.allow(
            r,
            K::Appearance,
            format!("signature field {name:?}: /Rect set when signing"),
            Category::FormFilling,
        ),
    }
}

/// `/Lock` or `/SV` (`key`) of the signature field `r` (`f`) set while signing it.
pub(super) fn entry_set<R: Read + Seek>(
    rv: &mut Review<'_, R>,
    r: ObjRef,
    f: &FieldState,
    key: &str,
) {
    rv.allow(
        r,
        K::FormField,
        format!("signature field {:?}: {key} set when signing", f.name),
        Category::FormFilling,
    );
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{allowed, approval, certified, check, locking, refused};
    use crate::pades::diff::testpdf::{Fixture, acroform, base_with, obj, page, stream, updated};
    use crate::pades::diff::{Category, ModificationKind as K, Permissions};

    const SIG1: &str = "/Type /Annot /Subtype /Widget /FT /Sig /T (Sig1) /P 3 0 R";
    const SIG_VALUE: &str = "<< /Type /Sig /Filter /Adobe.PPKLite /Contents <00> >>";

    /// The empty field Sig1 (8) signed with value 20 and `rect`.
    fn sign_sig1(rect: &str) -> Fixture {
        updated(&[
            obj(8, &format!("<< {SIG1} /Rect {rect} /V 20 0 R >>")),
            obj(20, SIG_VALUE),
        ])
    }

    /// The base with Sig1 already signed (value 12).
    fn signed_sig1() -> Fixture {
        base_with(vec![
            obj(8, &format!("<< {SIG1} /Rect [0 0 0 0] /V 12 0 R >>")),
            obj(12, SIG_VALUE),
        ])
    }

    /// A new signature field 21 with value 22 and `rect`, in /Fields and on page 3.
    fn new_sig_field(rect: &str) -> Fixture {
        updated(&[
            acroform("[7 0 R 8 0 R 21 0 R]", ""),
            page("[7 0 R 8 0 R 10 0 R 21 0 R]"),
            obj(
                21,
                &format!(
                    "<< /Type /Annot /Subtype /Widget /FT /Sig /T (Sig2) /Rect {rect} /P 3 0 R /V 22 0 R >>"
                ),
            ),
            obj(22, SIG_VALUE),
        ])
    }

    #[test]
    fn signing_an_empty_field_is_allowed() {
        let r = check(
            &sign_sig1("[0 0 0 0]"),
            approval(),
            &[
                allowed("signature field \"Sig1\" signed", K::Signature),
                allowed("signature added", K::Signature),
            ],
        );
        assert_eq!(r.category, Category::FormFilling);
        assert!(r.allowed());
    }

    #[test]
    fn signing_a_locked_field_is_refused() {
        let needle = "signature field \"Sig1\" signed, but signature Signature1 locks it";
        check(
            &sign_sig1("[0 0 0 0]"),
            locking(&["Sig1"]),
            &[refused(needle, K::Signature)],
        );
    }

    #[test]
    fn rect_set_when_signing_unless_certified_below_3() {
        for (perms, expected) in [
            (
                approval(),
                allowed(
                    "signature field \"Sig1\": /Rect set when signing",
                    K::Appearance,
                ),
            ),
            (
                certified(2),
                refused(
                    "signature field \"Sig1\" made visible after a certification signature \
                     (DocMDP P=2)",
                    K::Annotation,
                ),
            ),
        ] {
            check(&sign_sig1("[10 10 110 60]"), perms, &[expected]);
        }
    }

    #[test]
    fn existing_signatures_may_not_change() {
        let value_changed = signed_sig1().update(&[obj(
            12,
            "<< /Type /Sig /Filter /Adobe.PPKLite /Contents <01> >>",
        )]);
        let value_replaced = signed_sig1().update(&[
            obj(8, &format!("<< {SIG1} /Rect [0 0 0 0] /V 20 0 R >>")),
            obj(20, SIG_VALUE),
        ]);
        for (f, needle) in [
            (
                value_changed,
                "an existing signature dictionary was changed",
            ),
            (
                value_replaced,
                "the value of signature field \"Sig1\" was replaced or removed",
            ),
        ] {
            check(&f, approval(), &[refused(needle, K::Signature)]);
        }
    }

    #[test]
    fn new_signature_fields() {
        let invisible = "new invisible signature field at trailer/Root/AcroForm";
        let r = check(
            &new_sig_field("[0 0 0 0]"),
            approval(),
            &[allowed(invisible, K::FormField)],
        );
        assert_eq!(r.category, Category::FormFilling);
        assert!(r.allowed());
        let visible = "new visible signature field at trailer/Root/AcroForm";
        for (perms, kind) in [(approval(), K::FormField), (certified(3), K::Annotation)] {
            let r = check(
                &new_sig_field("[10 10 110 60]"),
                perms,
                &[(visible, kind, true)],
            );
            assert!(r.allowed());
        }
    }

    #[test]
    fn new_visible_signature_after_certification_is_refused() {
        let needle = "new visible signature widget at trailer/Root/AcroForm/Fields[2] after a \
                      certification signature (DocMDP P=2)";
        check(
            &new_sig_field("[10 10 110 60]"),
            certified(2),
            &[refused(needle, K::Annotation)],
        );
    }

    #[test]
    fn new_field_holding_an_existing_signature_is_refused() {
        let f = signed_sig1().update(&[
            acroform("[7 0 R 8 0 R 21 0 R]", ""),
            obj(21, "<< /FT /Sig /T (Sig2) /Rect [0 0 0 0] /V 12 0 R >>"),
        ]);
        let needle = "takes the value 12 0 R of an existing signature";
        check(&f, approval(), &[refused(needle, K::Signature)]);
    }

    #[test]
    fn appearances_follow_the_field() {
        let changed = updated(&[obj(
            11,
            &stream(
                "/Type /XObject /Subtype /Form /BBox [0 0 90 20]",
                "BT (new) Tj ET",
            ),
        )]);
        for (perms, expected) in [
            (
                approval(),
                allowed("appearance of field \"Name\" changed", K::Appearance),
            ),
            (
                certified(1),
                refused(
                    "field \"Name\" changed: the certification (DocMDP P=1) allows no changes",
                    K::Appearance,
                ),
            ),
        ] {
            check(&changed, perms, &[expected]);
        }
        // The appearance of a new invisible signature field shows nothing: LTA updates.
        let r = check(
            &updated(&[
                acroform("[7 0 R 8 0 R 21 0 R]", ""),
                obj(
                    21,
                    "<< /Type /Annot /Subtype /Widget /FT /Sig /T (Sig2) /Rect [0 0 0 0] /P 3 0 R /AP << /N 23 0 R >> >>",
                ),
                obj(
                    23,
                    &stream("/Type /XObject /Subtype /Form /BBox [0 0 0 0]", ""),
                ),
            ]),
            Permissions::default(),
            &[allowed(
                "appearance of a new signature field added",
                K::Appearance,
            )],
        );
        assert_eq!(r.category, Category::LtaUpdates);
    }

    #[test]
    fn annotation_appearances_are_annotation_changes() {
        let added = updated(&[
            obj(
                10,
                "<< /Type /Annot /Subtype /Square /Rect [50 50 80 80] /P 3 0 R /AP << /N 20 0 R >> >>",
            ),
            obj(
                20,
                &stream("/Type /XObject /Subtype /Form /BBox [0 0 30 30]", ""),
            ),
        ]);
        for (perms, allowed) in [(approval(), true), (certified(2), false)] {
            let expected = ("annotation appearance added", K::Annotation, allowed);
            check(&added, perms, &[expected]);
        }
    }
}
