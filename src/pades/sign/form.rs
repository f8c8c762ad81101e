//! The form side of a signature: the document's AcroForm and fields as they are, the
//! signature field to fill (an existing empty one, or a new one merged with its widget), and
//! the changes that attach it (`/Fields`, `/SigFlags`, the page's `/Annots`, `/Perms`).

use super::{PadesOptions, Widget, refuse};
use crate::error::{Error, Result};
use crate::pdf::object::{Dictionary, ObjRef, Object, PdfString};
use crate::pdf::reader::Reader;
use crate::pdf::writer::IncrementalWriter;
use std::io::{Read, Seek};

/// Deepest field tree walked.
const MAX_FIELD_DEPTH: usize = 32;
/// Most fields walked.
const MAX_FIELDS: usize = 10_000;

/// One field of the AcroForm.
#[derive(Debug, Clone)]
pub(super) struct FormField {
    /// Its fully qualified name.
    pub(super) name: String,
    /// Its object, when indirect.
    pub(super) r: Option<ObjRef>,
    pub(super) dict: Dictionary,
}

impl FormField {
    fn is_sig(&self) -> bool {
        self.dict.get_name("FT") == Some(b"Sig".as_slice())
    }

    fn is_signed(&self) -> bool {
        self.dict.get("V").is_some_and(|v| !v.is_null())
    }
}

/// The document's catalog and form, as the update will change them.
pub(super) struct Form {
    pub(super) catalog_ref: ObjRef,
    pub(super) catalog: Dictionary,
    acroform_ref: Option<ObjRef>,
    acroform: Dictionary,
    fields_ref: Option<ObjRef>,
    top_fields: Vec<Object>,
    /// Every field, depth-first.
    pub(super) all: Vec<FormField>,
}

/// Reads the catalog and the form; refuses a document whose DocMDP forbids the signature, and
/// a certification that would not be the first signature. A document timestamp (`doc_ts`) is
/// an LTA update, which DocMDP always permits (ETSI EN 319 142-1 §5.4).
pub(super) fn read_form<R: Read + Seek>(
    reader: &Reader<R>,
    options: &PadesOptions,
    doc_ts: bool,
) -> Result<Form> {
    let catalog_ref = reader
        .catalog_ref()
        .ok_or_else(|| Error::malformed("PDF trailer", "no /Root reference"))?;
    let catalog = reader.catalog()?;
    let existing_p = docmdp_p(reader, &catalog)?;
    if existing_p == Some(1) && !doc_ts {
        return Err(refuse(
            "the document is certified with DocMDP P=1: no changes, not even signatures, are allowed",
        ));
    }
    let acroform_ref = catalog.get("AcroForm").and_then(Object::as_reference);
    let acroform = match catalog.get("AcroForm") {
        Some(a) => reader.resolve(a)?.as_dict().cloned().unwrap_or_default(),
        None => Dictionary::new(),
    };
    let fields_obj = match acroform.get("Fields") {
        Some(f) => reader.resolve(f)?,
        None => Object::Array(Vec::new()),
    };
    let fields_ref = acroform.get("Fields").and_then(Object::as_reference);
    let top_fields: Vec<Object> = fields_obj
        .as_array()
        .map(<[Object]>::to_vec)
        .unwrap_or_default();
    let mut all = Vec::new();
    collect_fields(reader, &top_fields, "", 0, &mut all)?;
    let signed_before = all.iter().any(|f| f.is_sig() && f.is_signed());
    if options.certify.is_some() && (signed_before || existing_p.is_some()) {
        return Err(refuse(
            "a certification signature must be the document's first signature",
        ));
    }
    Ok(Form {
        catalog_ref,
        catalog,
        acroform_ref,
        acroform,
        fields_ref,
        top_fields,
        all,
    })
}

/// The DocMDP permission of a certified document, if any.
fn docmdp_p<R: Read + Seek>(reader: &Reader<R>, catalog: &Dictionary) -> Result<Option<i64>> {
    let Some(perms) = catalog.get("Perms") else {
        return Ok(None);
    };
    let perms = reader.resolve(perms)?;
    let Some(sig) = perms.as_dict().and_then(|d| d.get("DocMDP")) else {
        return Ok(None);
    };
    let sig = reader.resolve(sig)?;
    let Some(refs) = sig.as_dict().and_then(|d| d.get("Reference")) else {
        return Ok(Some(2));
    };
    let refs = reader.resolve(refs)?;
    for r in refs.as_array().unwrap_or_default() {
        let r = reader.resolve(r)?;
        let Some(d) = r.as_dict() else { continue };
        if d.get_name("TransformMethod") == Some(b"DocMDP".as_slice()) {
            let params = match d.get("TransformParams") {
                Some(p) => reader.resolve(p)?,
                None => return Ok(Some(2)),
            };
            let p = params.as_dict().and_then(|p| p.get_int("P")).unwrap_or(2);
            return Ok(Some(p));
        }
    }
    Ok(Some(2))
}

/// Every field of the AcroForm (depth-first, bounded), with its name.
fn collect_fields<R: Read + Seek>(
    reader: &Reader<R>,
    fields: &[Object],
    prefix: &str,
    depth: usize,
    out: &mut Vec<FormField>,
) -> Result<()> {
    if depth > MAX_FIELD_DEPTH || out.len() > MAX_FIELDS {
        return Err(Error::malformed(
            "AcroForm",
            "field tree too deep or too large",
        ));
    }
    for f in fields {
        let r = f.as_reference();
        let obj = reader.resolve(f)?;
        let Some(d) = obj.as_dict() else { continue };
        if let Some(rr) = r
            && out.iter().any(|seen| seen.r == Some(rr))
        {
            return Err(Error::malformed("AcroForm", "the field tree has a loop"));
        }
        let part = d.get("T").and_then(|t| t.as_string()).map(|s| s.to_text());
        let name = match (&part, prefix.is_empty()) {
            (Some(p), true) => p.clone(),
            (Some(p), false) => format!("{prefix}.{p}"),
            (None, _) => prefix.to_string(),
        };
        out.push(FormField {
            name: name.clone(),
            r,
            dict: d.clone(),
        });
        if let Some(kids) = d.get("Kids") {
            let kids = reader.resolve(kids)?;
            if let Some(k) = kids.as_array() {
                collect_fields(reader, k, &name, depth + 1, out)?;
            }
        }
    }
    Ok(())
}

/// The existing signature field to fill: the one named in the options, or (without a name)
/// the first empty one. Refuses a field already signed and a name taken by another field.
pub(super) fn choose_field<'a>(
    all: &'a [FormField],
    options: &PadesOptions,
) -> Result<Option<&'a FormField>> {
    let existing = match &options.field_name {
        Some(name) => all
            .iter()
            .find(|f| f.name == *name && f.r.is_some() && f.is_sig()),
        None => all
            .iter()
            .find(|f| f.r.is_some() && f.is_sig() && !f.is_signed()),
    };
    if let Some(f) = existing
        && f.is_signed()
    {
        return Err(refuse(format!(
            "the signature field {:?} is already signed",
            f.name
        )));
    }
    if existing.is_none()
        && let Some(name) = &options.field_name
        && all.iter().any(|f| f.name == *name)
    {
        return Err(refuse(format!(
            "a non-signature field is already named {name:?}"
        )));
    }
    Ok(existing)
}

/// Writes the signature field pointing at the signature dictionary: the existing one updated,
/// or a new field merged with its widget. Returns the field and, when new, its widget
/// annotation (the same object).
pub(super) fn write_field(
    writer: &mut IncrementalWriter,
    all: &[FormField],
    existing: Option<&FormField>,
    widget: Widget,
    options: &PadesOptions,
) -> (ObjRef, Option<ObjRef>) {
    let rect_obj = Object::Array(widget.rect.iter().map(|v| Object::Real(*v)).collect());
    if let Some((r, d)) = existing.and_then(|f| f.r.map(|r| (r, &f.dict))) {
        let mut d = d.clone();
        d.insert("V", Object::Reference(widget.sig_ref));
        if d.get_name("Subtype") == Some(b"Widget".as_slice()) {
            d.insert("AP", Object::Dictionary(widget.ap));
            if options.visible.is_some() {
                d.insert("Rect", rect_obj);
            }
        }
        writer.update(r, Object::Dictionary(d));
        return (r, None);
    }
    let name = match &options.field_name {
        Some(n) => n.clone(),
        None => (1..)
            .map(|i| format!("Signature{i}"))
            .find(|n| !all.iter().any(|f| f.name == *n))
            .unwrap_or_else(|| "Signature".into()),
    };
    let mut d = Dictionary::new();
    d.insert("FT", Object::name("Sig"));
    d.insert("T", Object::String(PdfString::text(&name)));
    d.insert("V", Object::Reference(widget.sig_ref));
    d.insert("Type", Object::name("Annot"));
    d.insert("Subtype", Object::name("Widget"));
    d.insert("F", Object::Integer(132)); // Print + Locked
    d.insert("Rect", rect_obj);
    d.insert("P", Object::Reference(widget.page));
    d.insert("AP", Object::Dictionary(widget.ap));
    let r = writer.add(Object::Dictionary(d));
    (r, Some(r))
}

/// Attaches the field: a new one to `/AcroForm /Fields` and to its page's `/Annots`; sets
/// `/SigFlags`. Returns whether the catalog changed (a new AcroForm).
pub(super) fn attach_field<R: Read + Seek>(
    reader: &Reader<R>,
    writer: &mut IncrementalWriter,
    form: &mut Form,
    field_ref: ObjRef,
    new_annot: Option<ObjRef>,
    page_ref: ObjRef,
) -> Result<bool> {
    let mut catalog_changed = false;
    let mut acroform = std::mem::take(&mut form.acroform);
    if new_annot.is_some() {
        let mut fields = form.top_fields.clone();
        fields.push(Object::Reference(field_ref));
        match form.fields_ref {
            Some(r) => writer.update(r, Object::Array(fields)),
            None => {
                acroform.insert("Fields", Object::Array(fields));
            }
        }
    }
    acroform.insert("SigFlags", Object::Integer(3));
    match form.acroform_ref {
        Some(r) => writer.update(r, Object::Dictionary(acroform)),
        None => {
            let r = writer.add(Object::Dictionary(acroform));
            form.catalog.insert("AcroForm", Object::Reference(r));
            catalog_changed = true;
        }
    }
    if let Some(annot) = new_annot {
        add_annotation(reader, writer, page_ref, annot)?;
    }
    Ok(catalog_changed)
}

/// Appends `annot` to the `/Annots` of page `page_ref`.
fn add_annotation<R: Read + Seek>(
    reader: &Reader<R>,
    writer: &mut IncrementalWriter,
    page_ref: ObjRef,
    annot: ObjRef,
) -> Result<()> {
    let mut page = reader
        .get(page_ref)?
        .as_dict()
        .cloned()
        .ok_or_else(|| Error::malformed("page", "not a dictionary"))?;
    match page.get("Annots").cloned() {
        Some(Object::Reference(r)) => {
            let mut arr = reader
                .get(r)?
                .as_array()
                .map(<[Object]>::to_vec)
                .unwrap_or_default();
            arr.push(Object::Reference(annot));
            writer.update(r, Object::Array(arr));
        }
        Some(Object::Array(mut arr)) => {
            arr.push(Object::Reference(annot));
            page.insert("Annots", Object::Array(arr));
            writer.update(page_ref, Object::Dictionary(page));
        }
        _ => {
            page.insert("Annots", Object::Array(vec![Object::Reference(annot)]));
            writer.update(page_ref, Object::Dictionary(page));
        }
    }
    Ok(())
}

/// A certification: the catalog's `/Perms /DocMDP` points at the signature dictionary.
pub(super) fn point_perms_at<R: Read + Seek>(
    reader: &Reader<R>,
    form: &mut Form,
    sig_ref: ObjRef,
) -> Result<()> {
    let mut perms = match form.catalog.get("Perms") {
        Some(p) => reader.resolve(p)?.as_dict().cloned().unwrap_or_default(),
        None => Dictionary::new(),
    };
    perms.insert("DocMDP", Object::Reference(sig_ref));
    form.catalog.insert("Perms", Object::Dictionary(perms));
    Ok(())
}
