//! Finding the signatures of a PDF: every `/FT /Sig` form field with a value (walking
//! `/AcroForm /Fields` and `/Kids`, bounded, loops refused), then every signature dictionary in
//! any revision that no field of the newest revision reaches.

use crate::pdf::reader::Needles;
use crate::pdf::{Dictionary, ObjRef, Object, PdfError, Reader, XrefEntry};
use std::collections::HashSet;
use std::io::{Read, Seek};

/// Deepest form field tree walked.
const MAX_FIELD_DEPTH: usize = 32;
/// Most form field nodes walked.
const MAX_FIELDS: usize = 100_000;
/// Most signatures verified in one file.
const MAX_SIGNATURES: usize = 1_000;
/// Most xref entries looked at when searching for signature dictionaries no field reaches.
const MAX_ORPHAN_SCAN: usize = 4_000_000;

/// A signature dictionary found in the file.
#[derive(Debug, Clone)]
pub(crate) struct FoundSig {
    pub(crate) field: Option<String>,
    pub(crate) sig_ref: Option<ObjRef>,
    /// The object whose bytes hold the dictionary (the dictionary itself, or the field when
    /// `/V` is direct).
    pub(crate) container: Option<ObjRef>,
    /// The revision whose view holds this version of the container.
    pub(crate) view: usize,
    pub(crate) dict: Option<Dictionary>,
    pub(crate) problem: Option<String>,
    pub(crate) orphan: bool,
    /// An Adobe usage-rights signature (`/Perms /UR3` or `/UR` of the catalog).
    pub(crate) usage_rights: bool,
}

/// Why a dictionary entry of the catalog (`/AcroForm`, `/DSS`) is unusable.
#[derive(Debug, thiserror::Error)]
pub(super) enum CatalogEntryError {
    /// The entry is another kind of object.
    #[error("/{key} is a {type_name}, not a dictionary")]
    NotADictionary {
        key: &'static str,
        type_name: &'static str,
    },
    /// The entry cannot be loaded.
    #[error("/{key} cannot be read: {source}")]
    Unreadable { key: &'static str, source: PdfError },
}

/// The dictionary `/KEY` of the catalog: `None` when absent or null.
pub(super) fn catalog_dict<R: Read + Seek>(
    reader: &Reader<R>,
    catalog: &Dictionary,
    key: &'static str,
) -> Result<Option<Dictionary>, CatalogEntryError> {
    match reader.resolve_key(catalog, key) {
        Ok(Object::Dictionary(d)) => Ok(Some(d)),
        Ok(Object::Null) => Ok(None),
        Ok(o) => Err(CatalogEntryError::NotADictionary {
            key,
            type_name: o.type_name(),
        }),
        Err(source) => Err(CatalogEntryError::Unreadable { key, source }),
    }
}

/// Every signature to verify: the fields' (each dictionary once), then the orphans, at most
/// [`MAX_SIGNATURES`]. Structure problems go to `problems`, remarks to `warnings`.
pub(crate) fn find_signatures<R: Read + Seek>(
    reader: &Reader<R>,
    last: usize,
    problems: &mut Vec<String>,
    warnings: &mut Vec<String>,
) -> Vec<FoundSig> {
    let fields = find_field_signatures(reader, last, problems, warnings);
    let mut known: HashSet<ObjRef> = HashSet::new();
    let mut found = Vec::with_capacity(fields.len());
    for f in fields {
        if let Some(r) = f.sig_ref
            && !known.insert(r)
        {
            warnings.push(format!(
                "signature dictionary {r} is the value of more than one field ({})",
                f.field.clone().unwrap_or_default()
            ));
            continue;
        }
        found.push(f);
    }
    for ur in usage_rights(reader, last, warnings) {
        if ur.sig_ref.is_some_and(|r| !known.insert(r)) {
            continue;
        }
        found.push(ur);
    }
    found.extend(find_orphans(reader, &known, warnings));
    if found.len() > MAX_SIGNATURES {
        problems.push(format!(
            "more than {MAX_SIGNATURES} signatures: the rest were not verified"
        ));
        found.truncate(MAX_SIGNATURES);
    }
    found
}

/// Why the form's fields cannot be walked.
#[derive(Debug, thiserror::Error)]
enum FormError {
    #[error("the catalog cannot be read: {0}")]
    Catalog(PdfError),
    #[error("{0}")]
    AcroForm(CatalogEntryError),
    #[error("/AcroForm /Fields is a {0}, not an array")]
    FieldsNotAnArray(&'static str),
    #[error("/AcroForm /Fields cannot be read: {0}")]
    FieldsUnreadable(PdfError),
}

/// The top-level `/AcroForm /Fields` of the newest revision (empty without a form).
fn form_fields<R: Read + Seek>(reader: &Reader<R>) -> Result<Vec<Object>, FormError> {
    let catalog = reader.catalog().map_err(FormError::Catalog)?;
    let Some(acro) = catalog_dict(reader, &catalog, "AcroForm").map_err(FormError::AcroForm)?
    else {
        return Ok(Vec::new());
    };
    match reader.resolve_key(&acro, "Fields") {
        Ok(Object::Array(a)) => Ok(a),
        Ok(Object::Null) => Ok(Vec::new()),
        Ok(o) => Err(FormError::FieldsNotAnArray(o.type_name())),
        Err(e) => Err(FormError::FieldsUnreadable(e)),
    }
}

/// Every signature field with a value, walking `/AcroForm /Fields` (kids, inherited `/FT`,
/// bounded depth, loops refused).
fn find_field_signatures<R: Read + Seek>(
    reader: &Reader<R>,
    last: usize,
    problems: &mut Vec<String>,
    warnings: &mut Vec<String>,
) -> Vec<FoundSig> {
    let mut out = Vec::new();
    let fields = match form_fields(reader) {
        Ok(f) => f,
        Err(problem) => {
            problems.push(problem.to_string());
            return out;
        }
    };
    let mut stack: Vec<(Object, String, Option<Vec<u8>>, usize)> = fields
        .into_iter()
        .rev()
        .map(|f| (f, String::new(), None, 0))
        .collect();
    let mut visited: HashSet<ObjRef> = HashSet::new();
    let mut nodes = 0usize;
    while let Some((f, prefix, inherited_ft, depth)) = stack.pop() {
        let Object::Reference(r) = f else {
            warnings.push(format!(
                "a direct {} in /Fields or /Kids was skipped (form fields must be indirect objects)",
                f.type_name()
            ));
            continue;
        };
        if !visited.insert(r) {
            problems.push(format!(
                "the form field tree has a loop: {r} is reached twice"
            ));
            continue;
        }
        if depth > MAX_FIELD_DEPTH {
            problems.push(format!(
                "the form field tree is deeper than {MAX_FIELD_DEPTH}"
            ));
            continue;
        }
        nodes += 1;
        if nodes > MAX_FIELDS {
            problems.push(format!("the form has more than {MAX_FIELDS} field nodes"));
            break;
        }
        let d = match reader.get(r) {
            Ok(Object::Dictionary(d)) => d,
            Ok(o) => {
                warnings.push(format!(
                    "form field {r} is a {}, not a dictionary",
                    o.type_name()
                ));
                continue;
            }
            Err(PdfError::MissingObject(_)) => continue,
            Err(e) => {
                problems.push(format!("form field {r} cannot be read: {e}"));
                continue;
            }
        };
        let name = match d.get("T").and_then(Object::as_string) {
            Some(t) if prefix.is_empty() => t.to_text(),
            Some(t) => format!("{prefix}.{}", t.to_text()),
            None => prefix.clone(),
        };
        let ft = d.get_name("FT").map(<[u8]>::to_vec).or(inherited_ft);
        if ft.as_deref() == Some(b"Sig".as_slice())
            && let Some(v) = d.get("V")
            && let Some(found) = field_value(reader, r, &name, v, last)
        {
            out.push(found);
        }
        match reader.resolve_key(&d, "Kids") {
            Ok(Object::Array(kids)) => {
                for k in kids.into_iter().rev() {
                    stack.push((k, name.clone(), ft.clone(), depth + 1));
                }
            }
            Ok(_) => {}
            Err(e) => problems.push(format!("the /Kids of form field {r} cannot be read: {e}")),
        }
    }
    out
}

/// The signature that the value `v` of signature field `field` (named `name`) holds: `None`
/// for a null or missing value.
fn field_value<R: Read + Seek>(
    reader: &Reader<R>,
    field: ObjRef,
    name: &str,
    v: &Object,
    last: usize,
) -> Option<FoundSig> {
    let mut found = FoundSig {
        field: Some(name.to_string()),
        sig_ref: None,
        container: Some(field),
        view: last,
        dict: None,
        problem: None,
        orphan: false,
        usage_rights: false,
    };
    let not_a_dict = |o: &Object| {
        format!(
            "the value of signature field {name:?} is a {}, not a signature dictionary",
            o.type_name()
        )
    };
    match v {
        Object::Null => return None,
        Object::Reference(vr) => {
            found.sig_ref = Some(*vr);
            match reader.get(*vr) {
                Ok(Object::Dictionary(sd)) => {
                    found.container = Some(*vr);
                    found.dict = Some(sd);
                }
                Err(PdfError::MissingObject(_)) => return None,
                Ok(o) => found.problem = Some(not_a_dict(&o)),
                Err(e) => {
                    found.problem = Some(format!(
                        "the signature dictionary of field {name:?} cannot be read: {e}"
                    ));
                }
            }
        }
        Object::Dictionary(sd) => found.dict = Some(sd.clone()),
        o => found.problem = Some(not_a_dict(o)),
    }
    Some(found)
}

/// The usage-rights signatures of the newest revision: the signature dictionaries the
/// catalog's `/Perms` names under `/UR3` (and the older `/UR`). They enable features of a
/// viewer (saving a filled form in Adobe Reader) and protect nothing of the content.
fn usage_rights<R: Read + Seek>(
    reader: &Reader<R>,
    last: usize,
    warnings: &mut Vec<String>,
) -> Vec<FoundSig> {
    let Ok(catalog) = reader.catalog() else {
        return Vec::new();
    };
    let perms = match catalog_dict(reader, &catalog, "Perms") {
        Ok(Some(p)) => p,
        Ok(None) => return Vec::new(),
        Err(problem) => {
            warnings.push(format!("{problem}: usage rights and certification ignored"));
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for key in ["UR3", "UR"] {
        let Some(v) = perms.get(key) else { continue };
        let mut found = FoundSig {
            field: None,
            sig_ref: None,
            container: None,
            view: last,
            dict: None,
            problem: None,
            orphan: false,
            usage_rights: true,
        };
        match v {
            Object::Reference(r) => {
                found.sig_ref = Some(*r);
                found.container = Some(*r);
                match reader.get(*r) {
                    Ok(Object::Dictionary(d)) => found.dict = Some(d),
                    Err(PdfError::MissingObject(_)) | Ok(Object::Null) => continue,
                    Ok(o) => {
                        found.problem = Some(format!(
                            "/Perms /{key} is a {}, not a signature dictionary",
                            o.type_name()
                        ))
                    }
                    Err(e) => found.problem = Some(format!("/Perms /{key} cannot be read: {e}")),
                }
            }
            Object::Null => continue,
            o => {
                found.problem = Some(format!(
                    "/Perms /{key} is a direct {}, not a reference to a signature dictionary",
                    o.type_name()
                ))
            }
        }
        out.push(found);
    }
    out
}

/// What the bytes of a signature dictionary contain one of (see [`is_sig_dict`]): `/Sig`,
/// `/DocTimeStamp`, `/ByteRange`, or a `#` escape that could spell them.
const SIG_DICT_NEEDLES: &[&[u8]] = &[b"Sig", b"DocTimeStamp", b"ByteRange", b"#"];

/// A dictionary that looks like a signature dictionary.
fn is_sig_dict(d: &Dictionary) -> bool {
    matches!(d.get_name("Type"), Some(b"Sig" | b"DocTimeStamp"))
        || (d.contains_key("ByteRange")
            && d.contains_key("Contents")
            && (d.contains_key("Filter") || d.contains_key("SubFilter")))
}

/// Signature dictionaries in any revision that no field of the newest revision reaches.
fn find_orphans<R: Read + Seek>(
    reader: &Reader<R>,
    known: &HashSet<ObjRef>,
    warnings: &mut Vec<String>,
) -> Vec<FoundSig> {
    let mut out = Vec::new();
    let mut seen: HashSet<(ObjRef, XrefEntry)> = HashSet::new();
    let mut looked = 0usize;
    let mut unreadable = 0usize;
    let needles = Needles::new(SIG_DICT_NEEDLES);
    for (rev, _) in reader.revisions().iter().enumerate() {
        let Ok(entries) = reader.revision_entries(rev) else {
            continue;
        };
        for (num, e) in entries {
            let Some(r#gen) = e.generation() else {
                continue;
            };
            let r = ObjRef::new(num, r#gen);
            if known.contains(&r) || !seen.insert((r, e)) {
                continue;
            }
            looked += 1;
            if looked > MAX_ORPHAN_SCAN {
                warnings.push(format!(
                    "more than {MAX_ORPHAN_SCAN} objects: the search for signature dictionaries no field reaches was cut short"
                ));
                return out;
            }
            // Most objects cannot be one (no name a signature dictionary needs): not parsed.
            if !reader.object_may_contain(r, rev, &needles) {
                continue;
            }
            match reader.get_in_revision(r, rev) {
                Ok(Object::Dictionary(d)) if is_sig_dict(&d) => out.push(FoundSig {
                    field: None,
                    sig_ref: Some(r),
                    container: Some(r),
                    view: rev,
                    dict: Some(d),
                    problem: None,
                    orphan: true,
                    usage_rights: false,
                }),
                Ok(_) => {}
                Err(_) => unreadable += 1,
            }
        }
    }
    if unreadable > 0 {
        warnings.push(format!(
            "{unreadable} object(s) could not be read while searching for signature dictionaries"
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_texts() {
        let not_a_dict = |key| CatalogEntryError::NotADictionary {
            key,
            type_name: "array",
        };
        assert_eq!(
            not_a_dict("DSS").to_string(),
            "/DSS is a array, not a dictionary"
        );
        assert_eq!(
            FormError::AcroForm(not_a_dict("AcroForm")).to_string(),
            "/AcroForm is a array, not a dictionary"
        );
        assert_eq!(
            FormError::FieldsNotAnArray("name").to_string(),
            "/AcroForm /Fields is a name, not an array"
        );
    }
}
