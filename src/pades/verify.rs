//! PAdES verification (ISO 32000-2 §12.8, ETSI EN 319 142-1): is this exactly what was signed?
//!
//! For every signature of a PDF — every `/FT /Sig` field with a value, and every signature
//! dictionary no field reaches — [`verify_pdf`] checks, failing closed on anything it cannot
//! parse:
//!
//! 1. the signature dictionary: `/Type` (`/Sig`, `/DocTimeStamp` or absent), `/Filter` and
//!    `/SubFilter` on allow-lists (`ETSI.CAdES.detached`, `adbe.pkcs7.detached`,
//!    `adbe.pkcs7.sha1` as legacy, `ETSI.RFC3161` for document timestamps);
//! 2. `/ByteRange`: exactly four direct non-negative integers `[0 a b c]`, increasing, inside
//!    the file; the gap `[a, b)` is exactly the `<hex>` of `/Contents`, inside the signature
//!    dictionary, and `b + c` is the end of a revision (an `%%EOF` with its xref and trailer)
//!    that contains the signature dictionary;
//! 3. the CMS over the two ranges (streamed from the file, never loaded whole) with the
//!    [`crate::cades`] verifier and the trust evaluation of [`crate::x509`], with the
//!    certificates and revocation data of the Document Security Store;
//! 4. the revisions after the signed one, with [`super::diff`]: what changed, and whether
//!    DocMDP/FieldMDP allow it.
//!
//! The PDF specifics of each signature are in [`SignatureReport::details`]: `field`,
//! `subfilter`, `kind` (`signature` | `document-timestamp`), `byte_range`, `coverage`
//! (`whole file` | `revision N of M`), `revision`, `modification_category` (`untouched` |
//! `lta_updates` | `form_filling` | `annotations` | `other`) and `modifications` (a list of
//! `{object, kind, detail, category, allowed}`).

use super::cms_profile::{PdfCmsProfile, verify_pdf_cms};
use super::diff::{self, Category, FieldLock, LockAction, Permissions};
use crate::VerifyOptions;
use crate::asn1::tlv;
use crate::error::{Error, Result};
use crate::pdf::{Dictionary, ObjRef, Object, PdfError, Reader, ReaderOptions, XrefEntry};
use crate::report::{Indication, SignatureReport, SubIndication, ValidationReport};
use crate::x509::CertificateDer;
use crate::x509::RevocationSource;
use serde_json::{Value, json};
use std::collections::HashSet;
use std::fs::File;
use std::io::{Read, Seek};
use std::path::Path;

/// `/Filter` values accepted (the signature handler names of ISO 32000 and its predecessors).
const FILTERS: [&[u8]; 5] = [
    b"Adobe.PPKLite",
    b"Adobe.PPKMS",
    b"Entrust.PPKEF",
    b"CICI.SignIt",
    b"VeriSign.PPKVS",
];
/// Largest `/Contents` gap read (hex digits and brackets).
const MAX_GAP: u64 = 64 << 20;
/// Deepest form field tree walked.
const MAX_FIELD_DEPTH: usize = 32;
/// Most form field nodes walked.
const MAX_FIELDS: usize = 100_000;
/// Most signatures verified in one file.
const MAX_SIGNATURES: usize = 1_000;
/// Most xref entries looked at when searching for signature dictionaries no field reaches.
const MAX_ORPHAN_SCAN: usize = 4_000_000;
/// Most DSS entries of each kind read.
const MAX_DSS_ITEMS: usize = 1_000;

/// Verifies every signature of a PDF read from `input`.
///
/// Returns `Err` only when the input is not a PDF this reader can open (no header, broken
/// cross-reference chain, …); every problem with a signature is a verdict in the report. A
/// file without signatures gives a report with no signatures (`valid == false`).
pub fn verify_pdf<R: Read + Seek>(input: R, options: &VerifyOptions) -> Result<ValidationReport> {
    let reader = Reader::from_reader_with(
        input,
        ReaderOptions {
            allow_encrypted: true,
            ..ReaderOptions::default()
        },
    )?;
    verify_reader(&reader, options)
}

/// [`verify_pdf`] on a file; the report names the file.
pub fn verify_pdf_file(
    path: impl AsRef<Path>,
    options: &VerifyOptions,
) -> Result<ValidationReport> {
    let path = path.as_ref();
    let f = File::open(path).map_err(|e| Error::io(format!("opening {}", path.display()), e))?;
    let mut report = verify_pdf(f, options)?;
    report.file = Some(path.display().to_string());
    Ok(report)
}

/// A signature dictionary found in the file.
#[derive(Debug, Clone)]
struct FoundSig {
    field: Option<String>,
    sig_ref: Option<ObjRef>,
    /// The object whose bytes hold the dictionary (the dictionary itself, or the field when
    /// `/V` is direct).
    container: Option<ObjRef>,
    /// The revision whose view holds this version of the container.
    view: usize,
    dict: Option<Dictionary>,
    problem: Option<String>,
    orphan: bool,
}

/// Reads the two signed ranges of the file in order.
struct RangeRead<'a, R: Read + Seek> {
    reader: &'a Reader<R>,
    ranges: [(u64, u64); 2],
    idx: usize,
    pos: u64,
}

impl<R: Read + Seek> Read for RangeRead<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while let Some(&(start, len)) = self.ranges.get(self.idx) {
            if self.pos >= len {
                self.idx += 1;
                self.pos = 0;
                continue;
            }
            let n = (len - self.pos).min(buf.len() as u64).min(1 << 20);
            let Some(mut w) = usize::try_from(n).ok().and_then(|n| buf.get_mut(..n)) else {
                return Ok(0);
            };
            self.reader
                .read_range(start.saturating_add(self.pos), n, &mut w)
                .map_err(|e| std::io::Error::other(e.to_string()))?;
            self.pos += n;
            return Ok(n as usize);
        }
        Ok(0)
    }
}

fn set_verdict(r: &mut SignatureReport, ind: Indication, sub: SubIndication) {
    let replace = match r.sub_indication {
        None => true,
        Some(_) => r.indication == Indication::Indeterminate && ind == Indication::TotalFailed,
    };
    if replace {
        r.indication = ind;
        r.sub_indication = Some(sub);
    }
}

fn format_failure(r: &mut SignatureReport, check: &str, detail: impl Into<String>) {
    r.fail(
        check,
        Indication::TotalFailed,
        SubIndication::FormatFailure,
        detail,
    );
}

/// Merges the CMS verdict into the PDF report (PDF checks first, then the CMS ones).
fn merge(out: &mut SignatureReport, cms: SignatureReport) {
    out.signer = cms.signer;
    out.signature_algorithm = cms.signature_algorithm;
    out.digest_algorithm = cms.digest_algorithm;
    if cms.claimed_signing_time.is_some() {
        out.claimed_signing_time = cms.claimed_signing_time;
    }
    out.timestamp_time = cms.timestamp_time;
    out.level = cms.level;
    out.policy_oid = cms.policy_oid;
    out.commitment_types = cms.commitment_types;
    out.trust = cms.trust;
    out.chain = cms.chain;
    out.revocation = cms.revocation;
    out.checks.extend(cms.checks);
    out.warnings.extend(cms.warnings);
    out.counter_signatures = cms.counter_signatures;
    if let Some(sub) = cms.sub_indication {
        set_verdict(out, cms.indication, sub);
    }
}

fn is_sig_dict(d: &Dictionary) -> bool {
    matches!(d.get_name("Type"), Some(b"Sig" | b"DocTimeStamp"))
        || (d.contains_key("ByteRange")
            && d.contains_key("Contents")
            && (d.contains_key("Filter") || d.contains_key("SubFilter")))
}

/// The dictionary `/KEY` of the catalog: `None` when absent or null, an error text when it is
/// something else or cannot be read.
fn catalog_dict<R: Read + Seek>(
    reader: &Reader<R>,
    catalog: &Dictionary,
    key: &str,
) -> std::result::Result<Option<Dictionary>, String> {
    match reader.resolve_key(catalog, key) {
        Ok(Object::Dictionary(d)) => Ok(Some(d)),
        Ok(Object::Null) => Ok(None),
        Ok(o) => Err(format!("/{key} is a {}, not a dictionary", o.type_name())),
        Err(e) => Err(format!("/{key} cannot be read: {e}")),
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
    let catalog = match reader.catalog() {
        Ok(c) => c,
        Err(e) => {
            problems.push(format!("the catalog cannot be read: {e}"));
            return out;
        }
    };
    let acro = match catalog_dict(reader, &catalog, "AcroForm") {
        Ok(Some(d)) => d,
        Ok(None) => return out,
        Err(problem) => {
            problems.push(problem);
            return out;
        }
    };
    let fields = match reader.resolve_key(&acro, "Fields") {
        Ok(Object::Array(a)) => a,
        Ok(Object::Null) => Vec::new(),
        Ok(o) => {
            problems.push(format!(
                "/AcroForm /Fields is a {}, not an array",
                o.type_name()
            ));
            return out;
        }
        Err(e) => {
            problems.push(format!("/AcroForm /Fields cannot be read: {e}"));
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
        {
            let mut found = FoundSig {
                field: Some(name.clone()),
                sig_ref: None,
                container: Some(r),
                view: last,
                dict: None,
                problem: None,
                orphan: false,
            };
            match v {
                Object::Null => {}
                Object::Reference(vr) => match reader.get(*vr) {
                    Ok(Object::Dictionary(sd)) => {
                        found.sig_ref = Some(*vr);
                        found.container = Some(*vr);
                        found.dict = Some(sd);
                        out.push(found);
                    }
                    Err(PdfError::MissingObject(_)) => {}
                    Ok(o) => {
                        found.sig_ref = Some(*vr);
                        found.problem = Some(format!(
                            "the value of signature field {name:?} is a {}, not a signature dictionary",
                            o.type_name()
                        ));
                        out.push(found);
                    }
                    Err(e) => {
                        found.sig_ref = Some(*vr);
                        found.problem = Some(format!(
                            "the signature dictionary of field {name:?} cannot be read: {e}"
                        ));
                        out.push(found);
                    }
                },
                Object::Dictionary(sd) => {
                    found.dict = Some(sd.clone());
                    out.push(found);
                }
                o => {
                    found.problem = Some(format!(
                        "the value of signature field {name:?} is a {}, not a signature dictionary",
                        o.type_name()
                    ));
                    out.push(found);
                }
            }
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
            match reader.get_in_revision(r, rev) {
                Ok(Object::Dictionary(d)) if is_sig_dict(&d) => out.push(FoundSig {
                    field: None,
                    sig_ref: Some(r),
                    container: Some(r),
                    view: rev,
                    dict: Some(d),
                    problem: None,
                    orphan: true,
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

/// The Document Security Store: certificates, CRLs and OCSP responses.
fn read_dss<R: Read + Seek>(
    reader: &Reader<R>,
    options: &mut VerifyOptions,
    warnings: &mut Vec<String>,
) -> Vec<CertificateDer> {
    let mut certs = Vec::new();
    let Ok(catalog) = reader.catalog() else {
        return certs;
    };
    let dss = match catalog_dict(reader, &catalog, "DSS") {
        Ok(Some(d)) => d,
        Ok(None) => return certs,
        Err(problem) => {
            warnings.push(format!("{problem}: ignored"));
            return certs;
        }
    };
    for key in ["Certs", "CRLs", "OCSPs"] {
        let items = match reader.resolve_key(&dss, key) {
            Ok(Object::Array(a)) => a,
            Ok(Object::Null) => continue,
            Ok(_) | Err(_) => {
                warnings.push(format!("/DSS /{key} is not an array of streams: ignored"));
                continue;
            }
        };
        for item in items.iter().take(MAX_DSS_ITEMS) {
            let data = match reader.resolve(item) {
                Ok(Object::Stream(s)) => reader.decode_stream(&s),
                Ok(o) => {
                    warnings.push(format!(
                        "/DSS /{key} holds a {}, not a stream",
                        o.type_name()
                    ));
                    continue;
                }
                Err(e) => Err(e),
            };
            let data = match data {
                Ok(d) => d,
                Err(e) => {
                    warnings.push(format!("a /DSS /{key} entry cannot be read: {e}"));
                    continue;
                }
            };
            let added = match key {
                "Certs" => CertificateDer::from_der(&data).map(|c| certs.push(c)),
                "CRLs" => options.revocation.add_crl(&data, RevocationSource::Dss),
                _ => options.revocation.add_ocsp(&data, RevocationSource::Dss),
            };
            if let Err(e) = added {
                warnings.push(format!("a /DSS /{key} entry is not usable: {e}"));
            }
        }
        if items.len() > MAX_DSS_ITEMS {
            warnings.push(format!(
                "/DSS /{key} has more than {MAX_DSS_ITEMS} entries: the rest were ignored"
            ));
        }
    }
    certs
}

/// What one signature's structural checks found.
struct Checked {
    report: SignatureReport,
    /// The signed revision, when the byte ranges are sound.
    covered: Option<usize>,
    sig_ref: Option<ObjRef>,
    /// DocMDP `/P` declared in the signature's `/Reference` (a certification, if the catalog
    /// of its revision points at it).
    docmdp: Option<i64>,
    /// FieldMDP locks declared in the signature's `/Reference`.
    locks: Vec<LockAction>,
}

struct Ctx<'a> {
    options: &'a VerifyOptions,
    dss_certs: &'a [CertificateDer],
}

fn parse_byte_range(d: &Dictionary, file_len: u64) -> std::result::Result<[u64; 4], String> {
    let br = match d.get("ByteRange") {
        None => return Err("no /ByteRange".into()),
        Some(Object::Array(a)) => a,
        Some(o) => {
            return Err(format!(
                "/ByteRange is a {}, not a direct array",
                o.type_name()
            ));
        }
    };
    let mut v = [0u64; 4];
    if br.len() != 4 {
        return Err(format!(
            "/ByteRange has {} elements; exactly four integers are required",
            br.len()
        ));
    }
    for (slot, o) in v.iter_mut().zip(br.iter()) {
        *slot = match o {
            Object::Integer(i) if *i >= 0 => *i as u64,
            Object::Integer(i) => return Err(format!("/ByteRange holds a negative value {i}")),
            o => {
                return Err(format!(
                    "/ByteRange holds a {} (only direct integers are allowed)",
                    o.type_name()
                ));
            }
        };
    }
    let [o1, l1, o2, l2] = v;
    if o1 != 0 {
        return Err(format!("/ByteRange starts at {o1}, not 0"));
    }
    if l1 == 0 {
        return Err("the first signed range is empty".into());
    }
    if o2 < l1.saturating_add(2) {
        return Err(format!(
            "/ByteRange ranges overlap or leave no room for /Contents (first ends at {l1}, second starts at {o2})"
        ));
    }
    if l2 == 0 {
        return Err("the second signed range is empty".into());
    }
    let end = o2
        .checked_add(l2)
        .ok_or_else(|| "/ByteRange overflows".to_string())?;
    if end > file_len {
        return Err(format!(
            "/ByteRange ends at {end}, beyond the end of the file ({file_len} bytes)"
        ));
    }
    Ok(v)
}

fn profile_of(d: &Dictionary) -> std::result::Result<PdfCmsProfile, String> {
    match d.get("SubFilter") {
        None => Err("no /SubFilter".into()),
        Some(Object::Name(n)) => match n.as_slice() {
            b"ETSI.CAdES.detached" => Ok(PdfCmsProfile::EtsiCadesDetached),
            b"adbe.pkcs7.detached" => Ok(PdfCmsProfile::AdbePkcs7Detached),
            b"adbe.pkcs7.sha1" => Ok(PdfCmsProfile::AdbePkcs7Sha1),
            b"ETSI.RFC3161" => Ok(PdfCmsProfile::DocumentTimestamp),
            other => Err(format!(
                "unsupported /SubFilter /{} (supported: ETSI.CAdES.detached, adbe.pkcs7.detached, adbe.pkcs7.sha1, ETSI.RFC3161)",
                String::from_utf8_lossy(other)
            )),
        },
        Some(o) => Err(format!("/SubFilter is a {}, not a name", o.type_name())),
    }
}

/// The transforms a signature declares in `/Reference`: DocMDP `/P` and FieldMDP locks.
fn transforms<R: Read + Seek>(
    reader: &Reader<R>,
    d: &Dictionary,
    view: usize,
) -> (Option<i64>, Vec<LockAction>) {
    let mut docmdp = None;
    let mut locks = Vec::new();
    let refs = reader
        .resolve_in_revision(d.get("Reference").unwrap_or(&Object::Null), view)
        .unwrap_or(Object::Null);
    for r in refs.as_array().unwrap_or_default().iter().take(64) {
        let Ok(Object::Dictionary(sr)) = reader.resolve_in_revision(r, view) else {
            continue;
        };
        let params = reader
            .resolve_in_revision(sr.get("TransformParams").unwrap_or(&Object::Null), view)
            .unwrap_or(Object::Null);
        let params = params.as_dict().cloned().unwrap_or_default();
        match sr.get_name("TransformMethod") {
            Some(b"DocMDP") => {
                let p = params.get_int("P").unwrap_or(2);
                docmdp = Some(if (1..=3).contains(&p) { p } else { 2 });
            }
            Some(b"FieldMDP") => {
                let names: Vec<String> = reader
                    .resolve_in_revision(params.get("Fields").unwrap_or(&Object::Null), view)
                    .unwrap_or(Object::Null)
                    .as_array()
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|o| o.as_string().map(|s| s.to_text()))
                    .collect();
                match params.get_name("Action") {
                    Some(b"All") => locks.push(LockAction::All),
                    Some(b"Include") => locks.push(LockAction::Include(names)),
                    Some(b"Exclude") => locks.push(LockAction::Exclude(names)),
                    _ => locks.push(LockAction::All),
                }
            }
            _ => {}
        }
    }
    (docmdp, locks)
}

fn check_signature<R: Read + Seek>(
    reader: &Reader<R>,
    found: &FoundSig,
    id: String,
    ctx: &Ctx<'_>,
) -> Checked {
    let mut report = SignatureReport::new(id);
    let mut checked = Checked {
        report: SignatureReport::new(String::new()),
        covered: None,
        sig_ref: found.sig_ref,
        docmdp: None,
        locks: Vec::new(),
    };
    let revisions = reader.revisions();
    let count = revisions.len();
    let last = count.saturating_sub(1);
    let file_len = reader.file_len();
    report.details.insert(
        "field".into(),
        found.field.clone().map_or(Value::Null, Value::String),
    );
    if let Some(r) = found.sig_ref {
        report
            .details
            .insert("signature_object".into(), Value::String(r.to_string()));
    }
    if found.orphan {
        report.fail(
            "signature-field",
            Indication::TotalFailed,
            SubIndication::SigConstraintsFailure,
            format!(
                "no form field of the current document refers to this signature dictionary (found in revision {} of {count}): it was removed from the form or never attached",
                found.view + 1
            ),
        );
    }
    if let Some(p) = &found.problem {
        format_failure(&mut report, "signature-dictionary", p.clone());
        checked.report = report;
        return checked;
    }
    let Some(d) = &found.dict else {
        format_failure(
            &mut report,
            "signature-dictionary",
            "no signature dictionary",
        );
        checked.report = report;
        return checked;
    };

    // 1. /Type, /Filter, /SubFilter.
    let mut dict_ok = true;
    let type_name = d.get_name("Type").map(<[u8]>::to_vec);
    match d.get("Type") {
        None => report
            .warnings
            .push("the signature dictionary has no /Type".into()),
        Some(Object::Name(n)) if n == b"Sig" || n == b"DocTimeStamp" => {}
        Some(o) => {
            dict_ok = false;
            format_failure(
                &mut report,
                "signature-dictionary",
                format!(
                    "/Type is {}, not /Sig or /DocTimeStamp",
                    String::from_utf8_lossy(&o.to_pdf_bytes())
                ),
            );
        }
    }
    match d.get("Filter") {
        Some(Object::Name(n)) if FILTERS.contains(&n.as_slice()) => {}
        Some(o) => {
            dict_ok = false;
            format_failure(
                &mut report,
                "signature-dictionary",
                format!(
                    "unknown /Filter {}",
                    String::from_utf8_lossy(&o.to_pdf_bytes())
                ),
            );
        }
        None => {
            dict_ok = false;
            format_failure(&mut report, "signature-dictionary", "no /Filter");
        }
    }
    let profile = match profile_of(d) {
        Ok(p) => Some(p),
        Err(e) => {
            dict_ok = false;
            format_failure(&mut report, "signature-dictionary", e);
            None
        }
    };
    if let Some(p) = profile {
        report
            .details
            .insert("subfilter".into(), Value::String(p.subfilter().into()));
        let is_dts = p == PdfCmsProfile::DocumentTimestamp;
        report.details.insert(
            "kind".into(),
            Value::String(
                if is_dts {
                    "document-timestamp"
                } else {
                    "signature"
                }
                .into(),
            ),
        );
        if (type_name.as_deref() == Some(b"DocTimeStamp".as_slice())) != is_dts {
            dict_ok = false;
            format_failure(
                &mut report,
                "signature-dictionary",
                "/Type /DocTimeStamp and /SubFilter /ETSI.RFC3161 must go together",
            );
        }
    }
    if dict_ok {
        report.pass(
            "signature-dictionary",
            profile.map(|p| format!("/SubFilter /{}", p.subfilter())),
        );
    }
    if let Some(Object::String(m)) = d.get("M") {
        report.claimed_signing_time =
            crate::time::parse_pdf_date(&m.bytes).map(|d| crate::time::rfc3339(&d));
    }
    let (docmdp, locks) = transforms(reader, d, found.view);
    checked.docmdp = docmdp;
    checked.locks = locks;

    // 2. /ByteRange.
    let br = match parse_byte_range(d, file_len) {
        Ok(br) => br,
        Err(e) => {
            format_failure(&mut report, "byte-range", e);
            report
                .details
                .insert("coverage".into(), Value::String("none".into()));
            checked.report = report;
            return checked;
        }
    };
    let [_, gap_start, gap_end, l2] = br;
    let end = gap_end.saturating_add(l2);
    report
        .details
        .insert("byte_range".into(), json!(br.to_vec()));

    // 3. Coverage: the signed bytes end at the end of a revision.
    let covered = revisions
        .iter()
        .position(|r| r.end_offset == end || r.eof_offset.saturating_add(5) == end);
    let mut range_ok = true;
    match covered {
        None => {
            range_ok = false;
            report
                .details
                .insert("coverage".into(), Value::String("none".into()));
            format_failure(
                &mut report,
                "coverage",
                format!(
                    "the signed bytes end at offset {end}, which is not the end of a revision (an %%EOF with its xref and trailer); the file has {file_len} bytes"
                ),
            );
        }
        Some(k) => {
            let last_end = revisions.get(last).map_or(file_len, |r| r.end_offset);
            let coverage = if k == last {
                "whole file".to_string()
            } else {
                format!("revision {} of {count}", k + 1)
            };
            report
                .details
                .insert("coverage".into(), Value::String(coverage.clone()));
            report.details.insert("revision".into(), json!(k + 1));
            report.details.insert("revisions".into(), json!(count));
            let tail_is_blank = last_end < file_len && file_len - last_end <= 64 * 1024 && {
                let mut tail = Vec::new();
                reader
                    .read_range(last_end, file_len - last_end, &mut tail)
                    .is_ok()
                    && tail.iter().all(|b| b" \t\r\n\x0c\x00".contains(b))
            };
            if tail_is_blank {
                report.warnings.push(format!(
                    "{} white-space bytes after the file's last %%EOF are not signed",
                    file_len - last_end
                ));
            }
            if last_end < file_len && !tail_is_blank {
                range_ok = false;
                format_failure(
                    &mut report,
                    "coverage",
                    format!(
                        "{} bytes after the file's last %%EOF (offset {last_end}) belong to no revision and are not signed",
                        file_len - last_end
                    ),
                );
            } else {
                report.pass(
                    "coverage",
                    Some(format!("{coverage} (bytes 0–{end} except the /Contents)")),
                );
                checked.covered = Some(k);
            }
        }
    }

    // 4. The signature dictionary lies in the signed revision and holds the gap.
    match found.container {
        None => {
            range_ok = false;
            format_failure(
                &mut report,
                "contents",
                "the signature dictionary's location is unknown",
            );
        }
        Some(c) => {
            let compressed = matches!(
                reader.xref_entry_in_revision(c.num, found.view),
                Ok(Some(XrefEntry::Compressed { .. }))
            );
            match reader.raw_object_span_in_revision(c, found.view) {
                _ if compressed => {
                    range_ok = false;
                    format_failure(
                        &mut report,
                        "contents",
                        "the signature dictionary is inside an object stream, where /ByteRange offsets cannot point",
                    );
                }
                Ok((start, obj_end)) => {
                    if !(start < gap_start && gap_end < obj_end) {
                        range_ok = false;
                        format_failure(
                            &mut report,
                            "contents",
                            format!(
                                "the unsigned gap [{gap_start}, {gap_end}) is not inside the signature dictionary's object {c} (bytes {start}–{obj_end})"
                            ),
                        );
                    } else if obj_end > end {
                        range_ok = false;
                        format_failure(
                            &mut report,
                            "contents",
                            format!(
                                "the signature dictionary {c} (bytes {start}–{obj_end}) is not inside the signed bytes (which end at {end})"
                            ),
                        );
                    } else if let Some(k) = covered
                        && reader.xref_entry_in_revision(c.num, k).ok().flatten()
                            != reader
                                .xref_entry_in_revision(c.num, found.view)
                                .ok()
                                .flatten()
                    {
                        range_ok = false;
                        format_failure(
                            &mut report,
                            "contents",
                            format!(
                                "the signature dictionary {c} was redefined after the signed revision"
                            ),
                        );
                    }
                }
                Err(e) => {
                    range_ok = false;
                    format_failure(
                        &mut report,
                        "contents",
                        format!("the signature dictionary's object cannot be located: {e}"),
                    );
                }
            }
        }
    }

    // 5. /Contents: a hex string that is exactly the gap.
    let contents = match d.get("Contents") {
        Some(Object::String(s)) if s.hex && !s.bytes.is_empty() => Some(s.bytes.clone()),
        Some(Object::String(s)) if s.bytes.is_empty() => {
            format_failure(&mut report, "contents", "/Contents is empty");
            None
        }
        Some(Object::String(_)) => {
            format_failure(
                &mut report,
                "contents",
                "/Contents is a literal string; it must be a hexadecimal string",
            );
            None
        }
        Some(o) => {
            format_failure(
                &mut report,
                "contents",
                format!("/Contents is a {}, not a hexadecimal string", o.type_name()),
            );
            None
        }
        None => {
            format_failure(&mut report, "contents", "no /Contents");
            None
        }
    };
    let Some(contents) = contents else {
        checked.covered = None;
        checked.report = report;
        return checked;
    };
    let gap_len = gap_end - gap_start;
    let gap_ok = if gap_len > MAX_GAP {
        format_failure(
            &mut report,
            "contents",
            format!("the unsigned gap of {gap_len} bytes is larger than {MAX_GAP}"),
        );
        false
    } else {
        let mut gap = Vec::new();
        let before_start = gap_start.saturating_sub(64);
        let mut before = Vec::new();
        let read = reader
            .read_range(gap_start, gap_len, &mut gap)
            .and_then(|()| reader.read_range(before_start, gap_start - before_start, &mut before));
        match read {
            Err(e) => {
                format_failure(&mut report, "contents", format!("reading the gap: {e}"));
                false
            }
            Ok(()) => match check_gap(&gap, &before, &contents) {
                Ok(()) => true,
                Err(e) => {
                    format_failure(&mut report, "contents", e);
                    false
                }
            },
        }
    };
    if gap_ok {
        report.pass(
            "contents",
            Some(format!(
                "the unsigned gap is exactly the /Contents hex string ({} bytes reserved)",
                contents.len()
            )),
        );
    } else {
        range_ok = false;
    }
    if contents.iter().all(|&b| b == 0) {
        format_failure(
            &mut report,
            "cms",
            "/Contents is all zeros: an empty placeholder, never signed",
        );
        checked.covered = None;
        checked.report = report;
        return checked;
    }

    // 6. The CMS over the two ranges.
    let cms = match tlv::split_first(&contents) {
        Ok((cms, rest)) => {
            if rest.iter().any(|&b| b != 0) {
                format_failure(
                    &mut report,
                    "cms",
                    format!(
                        "{} bytes of data follow the CMS inside /Contents (only zero padding is allowed)",
                        rest.len()
                    ),
                );
            }
            Some(cms.to_vec())
        }
        Err(e) => {
            format_failure(
                &mut report,
                "cms",
                format!("/Contents does not hold a DER/BER structure: {e}"),
            );
            None
        }
    };
    if let (Some(cms), Some(profile)) = (cms, profile) {
        let mut ranges = RangeRead {
            reader,
            ranges: [(0, gap_start), (gap_end, l2)],
            idx: 0,
            pos: 0,
        };
        match verify_pdf_cms(&cms, &mut ranges, profile, ctx.dss_certs, ctx.options) {
            Ok(mut rep) => {
                if rep.signatures.len() != 1 {
                    format_failure(
                        &mut report,
                        "cms",
                        format!(
                            "the CMS has {} SignerInfos; a PDF signature has exactly one",
                            rep.signatures.len()
                        ),
                    );
                }
                report.warnings.append(&mut rep.warnings);
                if let Some(s) = rep.signatures.into_iter().next() {
                    merge(&mut report, s);
                }
            }
            Err(e) => format_failure(
                &mut report,
                "cms",
                format!("/Contents does not hold a CMS SignedData: {e}"),
            ),
        }
    }
    if !range_ok {
        checked.covered = None;
    }
    checked.report = report;
    checked
}

/// The gap must be `<` hex digits `>`, equal to the parsed `/Contents`, right after the
/// `/Contents` key.
fn check_gap(gap: &[u8], before: &[u8], contents: &[u8]) -> std::result::Result<(), String> {
    let inner = match gap {
        [b'<', inner @ .., b'>'] => inner,
        _ => {
            return Err(
                "the unsigned gap does not start with `<` and end with `>`: it is not exactly the /Contents hex string"
                    .into(),
            );
        }
    };
    if let Some(p) = inner.iter().position(|b| !b.is_ascii_hexdigit()) {
        return Err(format!(
            "the unsigned gap holds a non-hex byte 0x{:02x} at offset {} of the /Contents string: hidden data in the gap",
            inner.get(p).copied().unwrap_or(0),
            p + 1
        ));
    }
    let decoded = hex::decode(inner).map_err(|e| format!("the /Contents hex string: {e}"))?;
    if decoded != contents {
        return Err(
            "the unsigned gap is not the /Contents value of this signature dictionary".into(),
        );
    }
    let trimmed = before
        .iter()
        .rposition(|b| !b" \t\r\n\x0c\x00".contains(b))
        .and_then(|p| before.get(..=p))
        .unwrap_or_default();
    if !trimmed.ends_with(b"/Contents") {
        return Err("the unsigned gap is not the value of the /Contents key".into());
    }
    Ok(())
}

fn verify_reader<R: Read + Seek>(
    reader: &Reader<R>,
    options: &VerifyOptions,
) -> Result<ValidationReport> {
    let mut warnings = Vec::new();
    let mut problems = Vec::new();
    let count = reader.revisions().len();
    let last = count
        .checked_sub(1)
        .ok_or_else(|| Error::malformed("PDF", "no revision"))?;
    if reader.is_encrypted() {
        warnings.push(
            "the PDF is encrypted: strings and streams are compared as stored (not decrypted)"
                .into(),
        );
    }

    // Every signature.
    let mut found = find_field_signatures(reader, last, &mut problems, &mut warnings);
    let mut known: HashSet<ObjRef> = HashSet::new();
    let mut dedup = Vec::with_capacity(found.len());
    for f in found.drain(..) {
        if let Some(r) = f.sig_ref
            && !known.insert(r)
        {
            warnings.push(format!(
                "signature dictionary {r} is the value of more than one field ({})",
                f.field.clone().unwrap_or_default()
            ));
            continue;
        }
        dedup.push(f);
    }
    let mut found = dedup;
    found.extend(find_orphans(reader, &known, &mut warnings));
    if found.len() > MAX_SIGNATURES {
        problems.push(format!(
            "more than {MAX_SIGNATURES} signatures: the rest were not verified"
        ));
        found.truncate(MAX_SIGNATURES);
    }

    // Validation data from the DSS.
    let mut opts = options.clone();
    let dss_certs = read_dss(reader, &mut opts, &mut warnings);
    let ctx = Ctx {
        options: &opts,
        dss_certs: &dss_certs,
    };

    let mut checked: Vec<Checked> = found
        .iter()
        .enumerate()
        .map(|(i, f)| check_signature(reader, f, format!("S{}", i + 1), &ctx))
        .collect();
    // Signed revision order (the order a reader would list them in).
    checked.sort_by_key(|c| c.covered.unwrap_or(usize::MAX));
    for (i, c) in checked.iter_mut().enumerate() {
        c.report.id = format!("S{}", i + 1);
    }

    // Certification: the catalog of the signature's own revision points at it.
    let mut certification: Option<(usize, i64, String)> = None;
    for c in &checked {
        let (Some(k), Some(p), Some(sr)) = (c.covered, c.docmdp, c.sig_ref) else {
            continue;
        };
        let root = reader
            .revisions()
            .get(k)
            .and_then(|r| r.trailer.get_ref("Root"));
        let points = root
            .and_then(|root| reader.get_in_revision(root, k).ok())
            .and_then(|cat| cat.as_dict().and_then(|d| d.get("Perms")).cloned())
            .and_then(|perms| reader.resolve_in_revision(&perms, k).ok())
            .and_then(|perms| perms.as_dict().and_then(|d| d.get_ref("DocMDP")))
            == Some(sr);
        if points && certification.is_none() {
            certification = Some((k, p, c.report.id.clone()));
        }
    }

    // Revision analysis: one job per signature with a sound signed revision.
    let job_of: Vec<Option<(usize, Permissions)>> = checked
        .iter()
        .map(|c| {
            let s = c.covered?;
            let docmdp = certification
                .as_ref()
                .filter(|(k, _, _)| *k <= s)
                .map(|(_, p, _)| *p);
            let locks = checked
                .iter()
                .filter(|o| o.covered.is_some_and(|k| k <= s))
                .flat_map(|o| {
                    o.locks.iter().map(|a| FieldLock {
                        action: a.clone(),
                        by: o.report.id.clone(),
                    })
                })
                .collect();
            Some((s, Permissions { docmdp, locks }))
        })
        .collect();
    let jobs: Vec<(usize, Permissions)> = job_of.iter().flatten().cloned().collect();
    let mut results = diff::analyze(reader, &jobs).into_iter();
    let mut reports = Vec::with_capacity(checked.len());
    for (c, job) in checked.iter().zip(job_of.iter()) {
        let mut r = c.report.clone();
        if let Some((_, p, id)) = &certification
            && *id == r.id
        {
            r.details
                .insert("certification".into(), json!({ "docmdp": p }));
        }
        match job {
            Some(_) => {
                let result = results
                    .next()
                    .unwrap_or_else(|| Err(PdfError::Unsupported("revision analysis".into())))
                    .map_err(|e| e.to_string());
                apply_diff(&mut r, result);
            }
            None => {
                r.details.insert(
                    "modification_category".into(),
                    Value::String("unknown".into()),
                );
            }
        }
        r.conclude();
        reports.push(r);
    }
    if !problems.is_empty() {
        let mut doc = SignatureReport::new("document");
        for p in &problems {
            format_failure(&mut doc, "document-structure", p.clone());
        }
        reports.push(doc);
    }
    let mut report = ValidationReport::new("PAdES", reports);
    if found.is_empty() && problems.is_empty() {
        warnings.push("no signatures found".into());
    }
    report.warnings = warnings;
    Ok(report)
}

fn apply_diff(r: &mut SignatureReport, result: std::result::Result<diff::DiffResult, String>) {
    match result {
        Ok(d) => {
            r.details.insert(
                "modification_category".into(),
                Value::String(d.category.as_str().into()),
            );
            r.details.insert(
                "modifications".into(),
                serde_json::to_value(&d.modifications).unwrap_or(Value::Null),
            );
            let refused: Vec<String> = d
                .modifications
                .iter()
                .filter(|m| !m.allowed)
                .map(|m| format!("{} ({}): {}", m.object, m.kind, m.detail))
                .collect();
            if refused.is_empty() {
                let detail = match d.category {
                    Category::Untouched => "no change after signing".to_string(),
                    c => format!(
                        "{} allowed change(s) after signing ({})",
                        d.modifications.len(),
                        c.as_str()
                    ),
                };
                r.pass("modifications", Some(detail));
                if d.category >= Category::FormFilling {
                    r.warnings.push(format!(
                        "the document was changed after this signature ({}): see the modifications",
                        d.category.as_str()
                    ));
                }
            } else {
                r.fail(
                    "modifications",
                    Indication::TotalFailed,
                    SubIndication::SigConstraintsFailure,
                    format!(
                        "the document was modified after signing in ways that are not allowed: {}",
                        refused.join("; ")
                    ),
                );
            }
        }
        Err(e) => {
            r.details.insert(
                "modification_category".into(),
                Value::String("unknown".into()),
            );
            format_failure(r, "modifications", format!("revision analysis failed: {e}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gap_rules() {
        let before = b"/ByteRange [0 1 2 3] /Contents ";
        assert!(check_gap(b"<0102>", before, &[1, 2]).is_ok());
        assert!(check_gap(b"<0102> ", before, &[1, 2]).is_err());
        assert!(check_gap(b"<01 02>", before, &[1, 2]).is_err());
        assert!(check_gap(b"<0103>", before, &[1, 2]).is_err());
        assert!(check_gap(b"<0102>", b"/Foo ", &[1, 2]).is_err());
    }

    #[test]
    fn byte_ranges() {
        let mut d = Dictionary::new();
        let br = |v: &[i64]| Object::Array(v.iter().map(|i| Object::Integer(*i)).collect());
        d.insert("ByteRange", br(&[0, 10, 20, 30]));
        assert_eq!(parse_byte_range(&d, 50), Ok([0, 10, 20, 30]));
        assert!(parse_byte_range(&d, 49).is_err());
        d.insert("ByteRange", br(&[0, 10]));
        assert!(parse_byte_range(&d, 50).is_err());
        d.insert("ByteRange", br(&[1, 10, 20, 30]));
        assert!(parse_byte_range(&d, 100).is_err());
        d.insert("ByteRange", br(&[0, 10, 5, 30]));
        assert!(parse_byte_range(&d, 100).is_err());
        d.insert("ByteRange", br(&[0, 10, 20, -1]));
        assert!(parse_byte_range(&d, 100).is_err());
        d.insert("ByteRange", Object::Null);
        assert!(parse_byte_range(&d, 100).is_err());
        d.insert(
            "ByteRange",
            Object::Array(vec![
                Object::Integer(0),
                Object::Reference(ObjRef::new(1, 0)),
                Object::Integer(20),
                Object::Integer(30),
            ]),
        );
        assert!(parse_byte_range(&d, 100).is_err());
    }
}
