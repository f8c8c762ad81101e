//! The interactive form, form fields and their values. Allowed (form filling, when DocMDP and
//! FieldMDP permit): field values and appearances, an interactive form added, `/NeedAppearances`,
//! `/DA`, `/Q`, default resources extended; (LTA updates): `/SigFlags`, field flags, a widget's
//! missing `/Type /Annot` or `/P` added, new signature fields in `/Fields` or `/Kids`.
//! Refused: fields removed, non-signature fields added, existing objects inserted as fields,
//! default resources changed or removed, values of locked fields or of already signed
//! signature fields, any other field or form entry.

use super::{Changed, ListChange, Rule, show, signature};
use crate::pades::diff::changes::{ChangeKind, changed_keys, eq, key_text};
use crate::pades::diff::graph::Role;
use crate::pades::diff::policy::FillRefused;
use crate::pades::diff::review::Review;
use crate::pades::diff::{Category, ModificationKind as K};
use crate::pdf::{Dictionary, ObjRef, Object};
use std::io::{Read, Seek};

/// The interactive form, its fields and their values.
pub(in crate::pades::diff) struct FormRule;

impl<R: Read + Seek> Rule<R> for FormRule {
    fn claims(&self, c: &Changed<'_>) -> bool {
        matches!(
            c.role,
            Role::AcroForm
                | Role::FormArray
                | Role::Field
                | Role::Widget
                | Role::FieldValue(_)
                | Role::FieldPart(_)
                | Role::FormResources
        )
    }

    fn judge(&self, rv: &mut Review<'_, R>, c: &Changed<'_>) {
        let (r, path, verb) = (c.r, c.path, c.verb());
        match c.role {
            Role::AcroForm => match (&c.old, &c.new) {
                (Some(Object::Dictionary(o)), Object::Dictionary(n)) => acroform(rv, r, o, n),
                (None, Object::Dictionary(_)) => rv.allow(
                    r,
                    K::FormField,
                    format!("interactive form dictionary added ({path})"),
                    Category::FormFilling,
                ),
                _ => rv.deny(
                    r,
                    K::FormField,
                    format!("interactive form replaced at {path}"),
                ),
            },
            Role::FormArray => {
                let old = rv.old_list(r, c.kind, c.old.as_ref(), c.parent, path);
                let new = c.new.as_array().unwrap_or_default();
                field_list(rv, &ListChange::new(r, &old, new, path));
            }
            Role::FieldValue(owner) => match rv.fillable(owner) {
                Ok(name) => rv.allow(
                    r,
                    K::FormField,
                    format!("value of field {name:?} {verb} ({path})"),
                    Category::FormFilling,
                ),
                Err(why) => rv.deny(r, K::FormField, format!("{why} ({path})")),
            },
            Role::FieldPart(owner) => {
                if c.kind == ChangeKind::New && rv.new_sig_field(owner) {
                    rv.allow(
                        r,
                        K::FormField,
                        format!("part of a new signature field ({path})"),
                        Category::FormFilling,
                    );
                } else {
                    rv.deny(r, K::FormField, format!("form field data {verb} at {path}"));
                }
            }
            Role::FormResources => {
                if c.kind == ChangeKind::New {
                    rv.allow(
                        r,
                        K::FormField,
                        format!("form default resource added ({path})"),
                        Category::FormFilling,
                    );
                } else {
                    rv.deny(
                        r,
                        K::Font,
                        format!("form default resource changed at {path}"),
                    );
                }
            }
            _ => field(rv, c),
        }
    }
}

/// The catalog `r`'s `/AcroForm` entry changed (`old` and `new`: the catalog).
pub(super) fn catalog_entry<R: Read + Seek>(
    rv: &mut Review<'_, R>,
    r: ObjRef,
    old: &Dictionary,
    new: &Dictionary,
) {
    let o = rv.old_resolve(old.get("AcroForm"));
    let n = rv.new_resolve(new.get("AcroForm"));
    match (o.as_dict(), n.as_dict()) {
        (Some(od), Some(nd)) => acroform(rv, r, od, nd),
        (None, Some(_)) => rv.allow(
            r,
            K::FormField,
            "interactive form added to the catalog".into(),
            Category::FormFilling,
        ),
        _ => rv.deny(
            r,
            K::Catalog,
            "the catalog's interactive form was removed or replaced".into(),
        ),
    }
}

/// The changed entries of an interactive form dictionary (held by `r`).
fn acroform<R: Read + Seek>(rv: &mut Review<'_, R>, r: ObjRef, old: &Dictionary, new: &Dictionary) {
    for k in changed_keys(old, new) {
        let key = key_text(&k);
        match k.as_slice() {
            b"Fields" => {
                if let Some((o, n)) = rv.changed_array(old, new, "Fields") {
                    field_list(rv, &ListChange::new(r, &o, &n, "/Root/AcroForm/Fields"));
                }
            }
            b"SigFlags" => rv.allow(
                r,
                K::FormField,
                "AcroForm /SigFlags changed".into(),
                Category::LtaUpdates,
            ),
            b"NeedAppearances" | b"DA" | b"Q" => rv.allow(
                r,
                K::FormField,
                format!("AcroForm {key} changed"),
                Category::FormFilling,
            ),
            b"DR" => default_resources(rv, r, old, new),
            _ => rv.deny(r, K::FormField, format!("AcroForm {key} changed")),
        }
    }
}

/// A list of fields (`/Fields` or `/Kids`): old ones kept, new ones must be new signature
/// fields (judged as objects of their own).
fn field_list<R: Read + Seek>(rv: &mut Review<'_, R>, list: &ListChange<'_>) {
    let (r, path) = (list.holder, list.path);
    for &o in &list.removed {
        rv.deny(
            r,
            K::FormField,
            format!("form field {} removed from {path}", show(o)),
        );
    }
    for &n in &list.added {
        match n {
            Object::Reference(nr) if rv.new_sig_field(*nr) => rv.allow(
                r,
                K::FormField,
                format!("signature field {nr} added to {path}"),
                Category::LtaUpdates,
            ),
            Object::Reference(nr) if rv.is_new(*nr) => rv.deny(
                r,
                K::FormField,
                format!("non-signature form field {nr} added to {path}"),
            ),
            other => rv.deny(
                r,
                K::FormField,
                format!("existing object {} inserted into {path}", show(other)),
            ),
        }
    }
}

/// What a changed field is, for the rules on its entries.
pub(super) struct FieldState {
    /// Its full name (or its object number when not reachable from `/Fields`).
    pub(super) name: String,
    /// A signature field that had a value in the signed revision.
    pub(super) was_signed: bool,
    /// A signature field that has a value now and had none.
    pub(super) being_signed: bool,
    /// Whether it may be filled.
    fill: Result<String, FillRefused>,
    /// A signature field.
    ft_sig: bool,
}

/// A field or widget, new or changed.
fn field<R: Read + Seek>(rv: &mut Review<'_, R>, c: &Changed<'_>) {
    let (r, path) = (c.r, c.path);
    let Some(nd) = c.new.as_dict() else {
        rv.deny(
            r,
            K::FormField,
            format!("form field at {path} is not a dictionary"),
        );
        return;
    };
    if c.kind == ChangeKind::New {
        signature::new_field(rv, r, nd, path);
        return;
    }
    let Some(od) = c.old.as_ref().and_then(Object::as_dict) else {
        rv.deny(
            r,
            K::FormField,
            format!("object at {path} became a form field"),
        );
        return;
    };
    let f = field_state(rv, r, od, nd);
    for k in changed_keys(od, nd) {
        field_entry(rv, r, &f, &k, (od, nd), path);
    }
}

/// The state of the changed field `r` (`od` before, `nd` now).
fn field_state<R: Read + Seek>(
    rv: &Review<'_, R>,
    r: ObjRef,
    od: &Dictionary,
    nd: &Dictionary,
) -> FieldState {
    let info = rv.info(r);
    let name = info.map_or_else(|| r.to_string(), |f| f.name.clone());
    let ft_sig =
        info.and_then(|f| f.ft.as_deref()).or(nd.get_name("FT")) == Some(b"Sig".as_slice());
    let field_ref = info.map_or(r, |f| f.field);
    // The field's value in the signed revision and now (for a widget: its parent's).
    let (old_v, new_v) = if field_ref == r {
        (od.get("V").cloned(), nd.get("V").cloned())
    } else {
        let value = |o: Option<Object>| o.as_ref().and_then(Object::as_dict)?.get("V").cloned();
        (value(rv.load_old(field_ref)), value(rv.load_new(field_ref)))
    };
    let was_signed = ft_sig && old_v.as_ref().is_some_and(|v| !v.is_null());
    let being_signed = ft_sig && !was_signed && new_v.as_ref().is_some_and(|v| !v.is_null());
    FieldState {
        name,
        was_signed,
        being_signed,
        fill: rv.fillable(r),
        ft_sig,
    }
}

/// One changed entry `k` of the field `r` (`f`; `od` before, `nd` now).
fn field_entry<R: Read + Seek>(
    rv: &mut Review<'_, R>,
    r: ObjRef,
    f: &FieldState,
    k: &[u8],
    (od, nd): (&Dictionary, &Dictionary),
    path: &str,
) {
    let key = key_text(k);
    let name = &f.name;
    let shared = if k == b"AP" {
        shared_appearance(rv, r, od)
    } else {
        None
    };
    match k {
        b"V" if f.ft_sig => signature::value_changed(rv, r, f, nd),
        b"AP" if shared.is_some() => {
            let (ap, elsewhere) = shared.unwrap_or_default();
            rv.deny(
                r,
                K::Appearance,
                format!(
                    "field {name:?}: its appearance dictionary {ap} was replaced, but that dictionary is also used at {elsewhere}"
                ),
            );
        }
        // `/I`: the selected indices of a choice field, its value with `/V` (ISO 32000-2
        // §12.7.5.4).
        b"V" | b"I" | b"AP" | b"AS" | b"MK" | b"DA" | b"Q" | b"F" => {
            value_or_look(rv, r, f, (k, &key), od, nd)
        }
        b"Ff" => rv.allow(
            r,
            K::FormField,
            format!("field {name:?}: flags (/Ff) changed"),
            Category::LtaUpdates,
        ),
        b"Type" if !od.contains_key("Type") && nd.get_name("Type") == Some(b"Annot".as_slice()) => {
            rv.allow(
                r,
                K::FormField,
                format!("field {name:?}: /Type /Annot added"),
                Category::LtaUpdates,
            )
        }
        b"P" if !od.contains_key("P") => rv.allow(
            r,
            K::FormField,
            format!("field {name:?}: page reference added"),
            Category::LtaUpdates,
        ),
        b"Rect" if f.being_signed => signature::rect_set(rv, r, f, od, nd),
        b"Lock" | b"SV" if f.being_signed => signature::entry_set(rv, r, f, &key),
        b"Kids" => {
            let o = rv.old_resolve(od.get("Kids"));
            let n = rv.new_resolve(nd.get("Kids"));
            let o = o.as_array().unwrap_or_default();
            let n = n.as_array().unwrap_or_default();
            let kids = format!("{path}/Kids");
            field_list(rv, &ListChange::new(r, o, n, &kids));
        }
        _ => rv.deny(r, K::FormField, format!("field {name:?}: {key} changed")),
    }
}

/// The value or the look (`/V`, `/AP`, `/AS`, `/MK`, `/DA`, `/Q`, `/F`) of the field `r`
/// changed: hiding a signed field's widget is refused, hiding another an annotation change;
/// set while signing it is form filling; otherwise as the field may be filled.
fn value_or_look<R: Read + Seek>(
    rv: &mut Review<'_, R>,
    r: ObjRef,
    f: &FieldState,
    (k, key): (&[u8], &str),
    od: &Dictionary,
    nd: &Dictionary,
) {
    let name = &f.name;
    let hides = k == b"F" && {
        let of = od.get_int("F").unwrap_or(0);
        let nf = nd.get_int("F").unwrap_or(0);
        (nf & !of) & (2 | 32) != 0
    };
    if hides {
        if f.was_signed {
            rv.deny(
                r,
                K::Annotation,
                format!("widget of signed field {name:?} hidden"),
            );
        } else {
            rv.allow(
                r,
                K::Annotation,
                format!("widget of field {name:?} hidden ({key})"),
                Category::Annotations,
            );
        }
    } else if f.being_signed {
        rv.allow(
            r,
            K::Appearance,
            format!("signature field {name:?}: {key} set when signing"),
            Category::FormFilling,
        );
    } else {
        match &f.fill {
            Ok(n) => rv.allow(
                r,
                K::FormField,
                format!("field {n:?}: {key} changed"),
                Category::FormFilling,
            ),
            Err(why) => rv.deny(r, K::FormField, format!("{why} ({key})")),
        }
    }
}

/// When the field's old `/AP` is an indirect dictionary also used elsewhere: that
/// dictionary and the other places.
fn shared_appearance<R: Read + Seek>(
    rv: &Review<'_, R>,
    r: ObjRef,
    old: &Dictionary,
) -> Option<(String, String)> {
    let Some(Object::Reference(ap)) = old.get("AP") else {
        return None;
    };
    let others: Vec<&str> = rv
        .graph
        .uses
        .get(&ap.num)?
        .iter()
        .filter(|u| u.r == *ap && u.parent != r)
        .map(|u| u.path.as_str())
        .collect();
    if others.is_empty() {
        None
    } else {
        Some((ap.to_string(), others.join(", ")))
    }
}

/// The form's default resources (`/DR`) changed: entries may be added; an entry may be
/// replaced only by a new object that the appearance of a new signature field uses (a later
/// signer's appearance brings the resources its own widget draws with: rule "default
/// resources of a new signature"), and never a font (a viewer regenerating other fields'
/// appearances from their `/DA` would draw their values with it); anything else changed or
/// removed is refused.
fn default_resources<R: Read + Seek>(
    rv: &mut Review<'_, R>,
    r: ObjRef,
    old: &Dictionary,
    new: &Dictionary,
) {
    let o = rv.old_resolve(old.get("DR"));
    let n = rv.new_resolve(new.get("DR"));
    let mut replaced = Vec::new();
    let mut budget = MAX_RESOURCE_ENTRIES;
    if !resources_extend(rv, (&o, &n), "/DR", &mut replaced, &mut budget) {
        rv.deny(
            r,
            K::Font,
            "AcroForm default resources (/DR) changed or removed".into(),
        );
    } else if replaced.is_empty() {
        rv.allow(
            r,
            K::FormField,
            "AcroForm default resources extended".into(),
            Category::FormFilling,
        );
    } else {
        rv.allow(
            r,
            K::FormField,
            format!(
                "AcroForm default resources {} replaced by resources of a new signature's appearance (rule: default resources of a new signature)",
                replaced.join(", ")
            ),
            Category::FormFilling,
        );
    }
}

/// Most resource entries compared in one `/DR`.
const MAX_RESOURCE_ENTRIES: usize = 10_000;

/// `new` keeps every entry of `old` (resources may only be added), except entries replaced
/// by a new object a new signature field's appearance uses (listed in `replaced`).
fn resources_extend<R: Read + Seek>(
    rv: &Review<'_, R>,
    (old, new): (&Object, &Object),
    path: &str,
    replaced: &mut Vec<String>,
    budget: &mut usize,
) -> bool {
    match (old, new) {
        (Object::Null, _) => true,
        (Object::Dictionary(o), Object::Dictionary(n)) => o.iter().all(|(k, v)| {
            *budget = budget.saturating_sub(1);
            let p = format!("{path}{}", key_text(k));
            *budget > 0
                && n.get(k).is_some_and(|w| match (v, w) {
                    (Object::Dictionary(_), Object::Dictionary(_)) => {
                        resources_extend(rv, (v, w), &p, replaced, budget)
                    }
                    _ if eq(v, w) => true,
                    (_, Object::Reference(nr))
                        if !p.starts_with("/DR/Font/") && rv.serves_new_signature(*nr) =>
                    {
                        replaced.push(p);
                        true
                    }
                    _ => false,
                })
        }),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{allowed, approval, certified, check, locking, refused};
    use crate::pades::diff::testpdf::{Fixture, acroform, base_with, obj, page, stream, updated};
    use crate::pades::diff::{Category, ModificationKind as K};

    /// Field 7 (`Name`) without its value and appearance.
    const WIDGET: &str = "/Type /Annot /Subtype /Widget /FT /Tx /T (Name) \
                          /Rect [10 10 100 30] /P 3 0 R";

    /// Field 7 with its appearance and `entries`.
    fn field(entries: &str) -> Fixture {
        updated(&[obj(
            7,
            &format!("<< {WIDGET} /AP << /N 11 0 R >> {entries} >>"),
        )])
    }

    /// Field 7 with the value `v`.
    fn filled(v: &str) -> Fixture {
        field(&format!("/V {v}"))
    }

    /// The interactive form 6 with the fields of the base and `extra` entries.
    fn form_with(extra: &str) -> Fixture {
        updated(&[acroform("[7 0 R 8 0 R]", extra)])
    }

    #[test]
    fn field_values_may_be_filled() {
        let r = check(
            &filled("(new)"),
            approval(),
            &[allowed("field \"Name\": /V changed", K::FormField)],
        );
        assert_eq!(r.category, Category::FormFilling);
        // An indirect value: the value object is judged as the field's value.
        let indirect = updated(&[
            obj(7, &format!("<< {WIDGET} /AP << /N 11 0 R >> /V 20 0 R >>")),
            obj(20, "(new)"),
        ]);
        let expected = allowed("value of field \"Name\" added", K::FormField);
        check(&indirect, approval(), &[expected]);
    }

    #[test]
    fn field_values_are_refused_under_docmdp_1_and_locks() {
        for (perms, needle) in [
            (
                certified(1),
                "field \"Name\" changed: the certification (DocMDP P=1) allows no changes (/V)",
            ),
            (
                locking(&["Name"]),
                "field \"Name\" changed, but signature Signature1 locks it (FieldMDP) (/V)",
            ),
        ] {
            check(&filled("(new)"), perms, &[refused(needle, K::FormField)]);
        }
        // A lock on another field leaves this one free.
        assert!(filled("(new)").analyze(locking(&["Other"])).allowed());
    }

    #[test]
    fn field_flags_allowed_other_entries_refused() {
        let flags = allowed("field \"Name\": flags (/Ff) changed", K::FormField);
        let r = check(&field("/V (old) /Ff 1"), approval(), &[flags]);
        assert_eq!(r.category, Category::LtaUpdates);
        let tip = refused("field \"Name\": /TU changed", K::FormField);
        check(&field("/V (old) /TU (tip)"), approval(), &[tip]);
    }

    #[test]
    fn fields_may_not_be_added_or_removed() {
        check(
            &updated(&[
                acroform("[7 0 R 8 0 R 20 0 R]", ""),
                obj(20, "<< /FT /Tx /T (Extra) >>"),
            ]),
            approval(),
            &[
                refused(
                    "non-signature form field 20 0 R added to /Root/AcroForm/Fields",
                    K::FormField,
                ),
                refused("non-signature form field added at", K::FormField),
            ],
        );
        for (fields, needle) in [
            ("[8 0 R]", "form field 7 0 R removed from"),
            (
                "[7 0 R 8 0 R 10 0 R]",
                "existing object 10 0 R inserted into",
            ),
        ] {
            let needle = format!("{needle} /Root/AcroForm/Fields");
            let f = updated(&[acroform(fields, "")]);
            check(&f, approval(), &[refused(&needle, K::FormField)]);
        }
    }

    #[test]
    fn acroform_entries() {
        check(
            &form_with("/NeedAppearances true /SigFlags 3"),
            approval(),
            &[
                allowed("AcroForm /NeedAppearances changed", K::FormField),
                allowed("AcroForm /SigFlags changed", K::FormField),
            ],
        );
        let xfa = refused("AcroForm /XFA changed", K::FormField);
        check(&form_with("/XFA [(x) 4 0 R]"), approval(), &[xfa]);
    }

    #[test]
    fn default_resources_may_be_extended_not_changed() {
        let signed = || {
            base_with(vec![acroform(
                "[7 0 R 8 0 R]",
                "/DR << /Font << /Helv 5 0 R >> >>",
            )])
        };
        check(
            &signed().update(&[
                acroform(
                    "[7 0 R 8 0 R]",
                    "/DR << /Font << /Helv 5 0 R /ZaDb 20 0 R >> >>",
                ),
                obj(
                    20,
                    "<< /Type /Font /Subtype /Type1 /BaseFont /ZapfDingbats >>",
                ),
            ]),
            approval(),
            &[
                allowed("AcroForm default resources extended", K::FormField),
                allowed("form default resource added", K::FormField),
            ],
        );
        let changed = signed().update(&[acroform("[7 0 R 8 0 R]", "/DR << /Font << >> >>")]);
        let refused = refused(
            "AcroForm default resources (/DR) changed or removed",
            K::Font,
        );
        check(&changed, approval(), &[refused]);
    }

    /// A base whose form's default resources hold the XObject 5 as /FRM0, updated with a new
    /// signature field 21 (visible on page 3, value 22) whose appearance 23 draws the new
    /// object 24; `dr_frm0` is the /FRM0 of the new /DR.
    fn resigned_dr(dr_frm0: &str, extra: Vec<crate::pades::diff::testpdf::Obj>) -> Fixture {
        let signed = base_with(vec![acroform(
            "[7 0 R 8 0 R]",
            "/DR << /XObject << /FRM0 5 0 R >> >>",
        )]);
        let mut objs = vec![acroform(
            "[7 0 R 8 0 R 21 0 R]",
            &format!("/DR << /XObject << /FRM0 {dr_frm0} >> >>"),
        )];
        objs.extend(new_signature_field(
            "/XObject << /FRM0 24 0 R >>",
            "/FRM0 Do",
        ));
        objs.push(obj(
            24,
            &stream("/Type /XObject /Subtype /Form /BBox [0 0 50 20]", ""),
        ));
        objs.extend(extra);
        signed.update(&objs)
    }

    /// A new visible signature field 21 on page 3 (value 22) whose appearance 23 has the
    /// resources `ap_resources` and draws `ap_content`.
    fn new_signature_field(
        ap_resources: &str,
        ap_content: &str,
    ) -> Vec<crate::pades::diff::testpdf::Obj> {
        vec![
            page("[7 0 R 8 0 R 10 0 R 21 0 R]"),
            obj(
                21,
                "<< /Type /Annot /Subtype /Widget /FT /Sig /T (S2) /Rect [0 0 50 20] /P 3 0 R /V 22 0 R /AP << /N 23 0 R >> >>",
            ),
            obj(22, "<< /Type /Sig /Filter /Adobe.PPKLite /Contents <00> >>"),
            obj(
                23,
                &stream(
                    &format!(
                        "/Type /XObject /Subtype /Form /BBox [0 0 50 20] /Resources << {ap_resources} >>"
                    ),
                    ap_content,
                ),
            ),
        ]
    }

    #[test]
    fn default_resources_of_a_new_signature_may_replace_entries() {
        let r = check(
            &resigned_dr("24 0 R", Vec::new()),
            approval(),
            &[allowed(
                "AcroForm default resources /DR/XObject/FRM0 replaced by resources of a new signature's appearance (rule: default resources of a new signature)",
                K::FormField,
            )],
        );
        assert!(r.allowed(), "{:#?}", r.modifications);
        // Replaced by a new object no new signature's appearance uses: refused.
        let other = resigned_dr(
            "25 0 R",
            vec![obj(
                25,
                &stream("/Type /XObject /Subtype /Form /BBox [0 0 50 20]", "0 0 m"),
            )],
        );
        let dr_refused = refused(
            "AcroForm default resources (/DR) changed or removed",
            K::Font,
        );
        check(&other, approval(), &[dr_refused]);
        // Replaced by an existing object (the page content): refused.
        let existing = resigned_dr("4 0 R", Vec::new());
        check(&existing, approval(), &[dr_refused]);
        // A font of /DR replaced, even by the new signature's own: refused (other fields'
        // appearances regenerated from their /DA would use it).
        let signed = base_with(vec![acroform(
            "[7 0 R 8 0 R]",
            "/DR << /Font << /Helv 5 0 R >> >>",
        )]);
        let mut objs = vec![acroform(
            "[7 0 R 8 0 R 21 0 R]",
            "/DR << /Font << /Helv 24 0 R >> >>",
        )];
        objs.extend(new_signature_field(
            "/Font << /Helv 24 0 R >>",
            "BT /Helv 9 Tf (x) Tj ET",
        ));
        objs.push(obj(24, "<< /Type /Font /Subtype /Type1 /BaseFont /Evil >>"));
        let font = signed.update(&objs);
        check(&font, approval(), &[dr_refused]);
    }

    #[test]
    fn shared_appearance_dictionary_may_not_be_replaced() {
        // Field 7 with its appearance dictionary `ap`.
        let field_ap = |ap: &str| obj(7, &format!("<< {WIDGET} /V (old) /AP {ap} >>"));
        // Field 7's /AP dictionary 12 is also the square annotation's: replacing it in the
        // field changes what the annotation shows too.
        let signed = base_with(vec![
            field_ap("12 0 R"),
            obj(
                10,
                "<< /Type /Annot /Subtype /Square /Rect [50 50 80 80] /P 3 0 R /AP 12 0 R >>",
            ),
            obj(12, "<< /N 11 0 R >>"),
        ]);
        let replaced = signed.update(&[
            field_ap("20 0 R"),
            obj(20, "<< /N 21 0 R >>"),
            obj(
                21,
                &stream("/Type /XObject /Subtype /Form /BBox [0 0 90 20]", ""),
            ),
        ]);
        let refused = refused(
            "its appearance dictionary 12 0 R was replaced, but that dictionary is also used at",
            K::Appearance,
        );
        check(&replaced, approval(), &[refused]);
        // Without the second use, the same replacement is form filling.
        let alone = base_with(vec![field_ap("12 0 R"), obj(12, "<< /N 11 0 R >>")])
            .update(&[field_ap("20 0 R"), obj(20, "<< /N 11 0 R >>")]);
        let allowed = allowed("field \"Name\": /AP changed", K::FormField);
        check(&alone, approval(), &[allowed]);
    }

    #[test]
    fn interactive_form_may_be_added() {
        let no_form = base_with(vec![
            obj(1, "<< /Type /Catalog /Pages 2 0 R >>"),
            page("[10 0 R]"),
        ]);
        check(
            &no_form.update(&[
                obj(1, "<< /Type /Catalog /Pages 2 0 R /AcroForm 20 0 R >>"),
                obj(20, "<< /Fields [] >>"),
            ]),
            approval(),
            &[
                allowed("interactive form added to the catalog", K::FormField),
                allowed("interactive form dictionary added", K::FormField),
            ],
        );
        let removed = refused(
            "the catalog's interactive form was removed or replaced",
            K::Catalog,
        );
        check(
            &updated(&[obj(1, "<< /Type /Catalog /Pages 2 0 R >>")]),
            approval(),
            &[removed],
        );
    }
}
