//! Revision analysis: what changed in a PDF after a signature, and whether it was allowed.
//!
//! The signed revision `S` (the file as it was when the signature was made) is compared with
//! the newest revision `F` (what a viewer shows) object by object:
//!
//! 1. **What changed.** Every object number a later xref section mentions (and every object
//!    compressed in an object stream that changed) is compared between `S` and `F`: new,
//!    deleted, re-generated ("object reuse"), pointed by the xref at bytes inside the signed
//!    revision ("xref-only redirection"), or modified. Identical rewrites are not changes.
//! 2. **Where each changed object is used.** The object graph of `F` is walked from the trailer
//!    (never trusting the later xref sections alone): every reference is followed with a role
//!    that says what the object is *for* there (page content, font, form field, appearance of
//!    a widget, DSS, …), and the path that reached it is kept for the report.
//! 3. **Rules.** A change is allowed only when every place it is used allows it: DSS and VRI,
//!    document timestamps, the document information dictionary and XMP metadata (LTA updates);
//!    new signature fields with their widgets and appearances, form-field values and
//!    appearances when DocMDP and FieldMDP allow (form filling); annotations when DocMDP P=3
//!    or there is no certification (annotations). Everything else is a modification the report
//!    names, and the signature fails.
//!
//! Objects that no path from the trailer reaches are not displayed and not judged.

use crate::pdf::{Dictionary, ObjRef, Object, PdfError, Reader, XrefEntry};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::io::{Read, Seek};

/// Most (object, role) visits of one graph walk.
const MAX_VISITS: usize = 4_000_000;
/// Paths kept per object.
const MAX_CONTEXTS: usize = 16;
/// Deepest direct nesting followed inside one object.
const MAX_NESTING: usize = 64;
/// Deepest form field tree.
const MAX_FIELD_DEPTH: usize = 32;
/// Most form fields.
const MAX_FIELDS: usize = 100_000;

/// How far the changes after a signature go, from none to anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Nothing displayed changed.
    Untouched,
    /// Validation data (DSS, VRI), document timestamps, document information, XMP metadata.
    LtaUpdates,
    /// Form filling: field values and appearances, new signatures.
    FormFilling,
    /// Annotations added, changed or removed.
    Annotations,
    /// Anything else.
    Other,
}

impl Category {
    /// The name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Untouched => "untouched",
            Self::LtaUpdates => "lta_updates",
            Self::FormFilling => "form_filling",
            Self::Annotations => "annotations",
            Self::Other => "other",
        }
    }
}

/// One change found after a signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Modification {
    /// The object, e.g. `12 0 R` (or `trailer`).
    pub object: String,
    /// What kind of thing changed: `page_content`, `resources`, `font`, `xobject`, `page`,
    /// `page_tree`, `catalog`, `action`, `javascript`, `annotation`, `form_field`,
    /// `appearance`, `signature`, `dss`, `metadata`, `info`, `extensions`, `xref_redirect`,
    /// `object_reuse`, `deleted`, `other`.
    pub kind: String,
    /// What changed, with the path that reaches the object.
    pub detail: String,
    /// The category of the change.
    pub category: Category,
    /// Whether the change is allowed after this signature.
    pub allowed: bool,
}

/// How a FieldMDP transform locks fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LockAction {
    /// Every field.
    All,
    /// The named fields (and their descendants).
    Include(Vec<String>),
    /// Every field but the named ones (and their descendants).
    Exclude(Vec<String>),
}

/// A FieldMDP lock set by a signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldLock {
    /// Which fields.
    pub action: LockAction,
    /// The signature that set it (for messages).
    pub by: String,
}

impl FieldLock {
    /// True when the field named `name` is locked.
    pub fn locks(&self, name: &str) -> bool {
        let matches = |list: &[String]| {
            list.iter().any(|f| {
                name == f
                    || name
                        .strip_prefix(f.as_str())
                        .is_some_and(|rest| rest.starts_with('.'))
            })
        };
        match &self.action {
            LockAction::All => true,
            LockAction::Include(list) => matches(list),
            LockAction::Exclude(list) => !matches(list),
        }
    }
}

/// What the signatures allow after the signed revision.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Permissions {
    /// DocMDP `/P` of the certification signature, when the document was certified at or
    /// before the signed revision.
    pub docmdp: Option<i64>,
    /// FieldMDP locks of the signatures made at or before the signed revision.
    pub locks: Vec<FieldLock>,
}

impl Permissions {
    fn form_filling(&self) -> bool {
        self.docmdp.is_none_or(|p| p >= 2)
    }

    fn annotations(&self) -> bool {
        self.docmdp.is_none_or(|p| p >= 3)
    }

    fn lock_of(&self, name: &str) -> Option<&FieldLock> {
        self.locks.iter().find(|l| l.locks(name))
    }
}

/// The verdict of the analysis for one signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffResult {
    /// The overall category (`Other` when any change is not allowed).
    pub category: Category,
    /// Every change found.
    pub modifications: Vec<Modification>,
}

impl DiffResult {
    /// True when every change is allowed.
    pub fn allowed(&self) -> bool {
        self.modifications.iter().all(|m| m.allowed)
    }
}

// ---------------------------------------------------------------------------------------------
// Changes

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ChangeKind {
    New,
    Modified,
    Deleted,
    Reused,
    Redirected,
}

#[derive(Debug, Clone, Copy)]
struct Change {
    kind: ChangeKind,
    old: Option<ObjRef>,
    new: Option<ObjRef>,
    /// Where the new version lives, for redirections.
    new_offset: Option<u64>,
}

fn in_use(e: Option<XrefEntry>) -> Option<XrefEntry> {
    e.filter(|e| e.generation().is_some())
}

/// Where an entry's object lives in the file (its own offset, or its object stream's).
fn location<R: Read + Seek>(reader: &Reader<R>, e: XrefEntry, rev: usize) -> Option<u64> {
    match e {
        XrefEntry::InUse { offset, .. } => Some(offset),
        XrefEntry::Compressed { stream, .. } => {
            match reader.xref_entry_in_revision(stream, rev).ok().flatten() {
                Some(XrefEntry::InUse { offset, .. }) => Some(offset),
                _ => None,
            }
        }
        XrefEntry::Free { .. } => None,
    }
}

fn changes<R: Read + Seek>(
    reader: &Reader<R>,
    signed: usize,
    last: usize,
) -> Result<BTreeMap<u32, Change>, PdfError> {
    let signed_end = reader
        .revisions()
        .get(signed)
        .map(|r| r.end_offset)
        .unwrap_or(0);
    let mut candidates: BTreeSet<u32> = BTreeSet::new();
    for r in signed.saturating_add(1)..=last {
        for (num, _) in reader.revision_entries(r)? {
            candidates.insert(num);
        }
    }
    // Objects inside object streams that changed may differ although their own entries did not.
    let mut containers: HashSet<u32> = HashSet::new();
    for &num in &candidates {
        let old = in_use(reader.xref_entry_in_revision(num, signed)?);
        let new = in_use(reader.xref_entry_in_revision(num, last)?);
        if old.is_some() && new.is_some() && old != new {
            containers.insert(num);
        }
    }
    let mut in_changed_container: HashSet<u32> = HashSet::new();
    if !containers.is_empty() {
        for r in reader.object_refs() {
            if let Some(XrefEntry::Compressed { stream, .. }) = reader.xref_entry(r.num)
                && containers.contains(&stream)
            {
                in_changed_container.insert(r.num);
                candidates.insert(r.num);
            }
        }
    }
    let mut out = BTreeMap::new();
    for num in candidates {
        let old = in_use(reader.xref_entry_in_revision(num, signed)?);
        let new = in_use(reader.xref_entry_in_revision(num, last)?);
        let oref = old
            .and_then(|e| e.generation())
            .map(|g| ObjRef::new(num, g));
        let nref = new
            .and_then(|e| e.generation())
            .map(|g| ObjRef::new(num, g));
        let change = match (old, new, oref, nref) {
            (None, None, _, _) => continue,
            (None, Some(_), _, _) => Change {
                kind: ChangeKind::New,
                old: None,
                new: nref,
                new_offset: None,
            },
            (Some(_), None, _, _) => Change {
                kind: ChangeKind::Deleted,
                old: oref,
                new: None,
                new_offset: None,
            },
            (Some(a), Some(b), Some(or), Some(nr)) => {
                if a == b && !in_changed_container.contains(&num) {
                    continue;
                }
                if or.r#gen != nr.r#gen {
                    Change {
                        kind: ChangeKind::Reused,
                        old: oref,
                        new: nref,
                        new_offset: None,
                    }
                } else {
                    let before = reader.get_in_revision(or, signed);
                    let after = reader.get_in_revision(nr, last);
                    match (before, after) {
                        (Ok(x), Ok(y)) if same_object(reader, &x, &y, 0)? => continue,
                        (_, Err(e)) => return Err(e),
                        _ => {}
                    }
                    let loc = location(reader, b, last);
                    let redirected = a != b && loc.is_some_and(|l| l < signed_end);
                    Change {
                        kind: if redirected {
                            ChangeKind::Redirected
                        } else {
                            ChangeKind::Modified
                        },
                        old: oref,
                        new: nref,
                        new_offset: loc,
                    }
                }
            }
            _ => continue,
        };
        out.insert(num, change);
    }
    Ok(out)
}

/// Structural equality: dictionaries regardless of key order, references by identity, streams
/// by dictionary (without `/Length`) and raw data.
fn same_object<R: Read + Seek>(
    reader: &Reader<R>,
    a: &Object,
    b: &Object,
    depth: usize,
) -> Result<bool, PdfError> {
    if depth > MAX_NESTING {
        return Ok(false);
    }
    Ok(match (a, b) {
        (Object::Stream(x), Object::Stream(y)) => {
            let mut dx = x.dict.clone();
            let mut dy = y.dict.clone();
            dx.remove("Length");
            dy.remove("Length");
            same_dict(&dx, &dy) && same_stream_data(reader, x, y)?
        }
        (Object::Stream(_), _) | (_, Object::Stream(_)) => false,
        _ => eq(a, b),
    })
}

fn same_stream_data<R: Read + Seek>(
    reader: &Reader<R>,
    x: &crate::pdf::Stream,
    y: &crate::pdf::Stream,
) -> Result<bool, PdfError> {
    use crate::pdf::StreamData;
    match (&x.data, &y.data) {
        (StreamData::Memory(a), StreamData::Memory(b)) => Ok(a == b),
        (
            StreamData::File {
                offset: oa,
                len: la,
            },
            StreamData::File {
                offset: ob,
                len: lb,
            },
        ) => {
            if la != lb {
                return Ok(false);
            }
            if oa == ob {
                return Ok(true);
            }
            let mut pos = 0u64;
            while pos < *la {
                let n = (*la - pos).min(256 * 1024);
                let mut va = Vec::new();
                let mut vb = Vec::new();
                reader.read_range(oa.saturating_add(pos), n, &mut va)?;
                reader.read_range(ob.saturating_add(pos), n, &mut vb)?;
                if va != vb {
                    return Ok(false);
                }
                pos += n;
            }
            Ok(true)
        }
        _ => Ok(reader.stream_data(x)? == reader.stream_data(y)?),
    }
}

/// Deep equality of direct values (references compared by identity, dictionaries regardless
/// of key order).
fn eq(a: &Object, b: &Object) -> bool {
    eq_depth(a, b, 0)
}

fn eq_depth(a: &Object, b: &Object, depth: usize) -> bool {
    if depth > MAX_NESTING {
        return false;
    }
    match (a, b) {
        (Object::Dictionary(x), Object::Dictionary(y)) => same_dict_depth(x, y, depth + 1),
        (Object::Array(x), Object::Array(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y.iter())
                    .all(|(p, q)| eq_depth(p, q, depth + 1))
        }
        (Object::Integer(x), Object::Real(y)) | (Object::Real(y), Object::Integer(x)) => {
            (*x as f64) == *y
        }
        (Object::Stream(x), Object::Stream(y)) => x == y,
        _ => a == b,
    }
}

fn same_dict(x: &Dictionary, y: &Dictionary) -> bool {
    same_dict_depth(x, y, 0)
}

fn same_dict_depth(x: &Dictionary, y: &Dictionary, depth: usize) -> bool {
    x.len() == y.len()
        && x.iter()
            .all(|(k, v)| y.get(k).is_some_and(|w| eq_depth(v, w, depth)))
}

fn opt_eq(a: Option<&Object>, b: Option<&Object>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(x), Some(y)) => eq(x, y),
        (None, Some(Object::Null)) | (Some(Object::Null), None) => true,
        _ => false,
    }
}

/// Keys whose values differ between two dictionaries (sorted).
fn changed_keys(old: &Dictionary, new: &Dictionary) -> Vec<Vec<u8>> {
    let mut keys: BTreeSet<Vec<u8>> = BTreeSet::new();
    for k in old.keys().chain(new.keys()) {
        keys.insert(k.to_vec());
    }
    keys.into_iter()
        .filter(|k| !opt_eq(old.get(k), new.get(k)))
        .collect()
}

fn key_text(k: &[u8]) -> String {
    format!("/{}", String::from_utf8_lossy(k))
}

// ---------------------------------------------------------------------------------------------
// Graph of the newest revision

/// What an object is used for, where it is referenced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Role {
    Catalog,
    Info,
    TrailerOther,
    PageTree,
    Page,
    PageOther,
    PageContent,
    Resources,
    Font,
    XObject,
    Annots,
    Annot,
    AnnotPart(ObjRef),
    AnnotAction(ObjRef),
    Widget,
    AcroForm,
    AcroFormOther,
    FormArray,
    FormResources,
    Field,
    FieldValue(ObjRef),
    FieldPart(ObjRef),
    FieldAction,
    SigValue,
    Appearance(ObjRef),
    Dss,
    Metadata,
    Extensions,
    Perms,
    Action,
    CatalogOther,
}

/// What a reference is expected to point at; the role is fixed once the object is loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hint {
    Role(Role),
    /// A `/Kids` entry of the page tree.
    PageKid,
    /// An `/Annots` entry.
    AnnotEntry,
    /// A `/Fields` or field `/Kids` entry.
    FieldKid,
}

impl Role {
    /// Roles whose references are cross-references, not containment: pages, annotations,
    /// fields, signatures and the catalog reached from them are judged by their own roles.
    fn skips_anchors(self) -> bool {
        matches!(
            self,
            Role::CatalogOther | Role::Action | Role::Perms | Role::TrailerOther | Role::Info
        )
    }
}

#[derive(Debug, Clone)]
struct Use {
    r: ObjRef,
    role: Role,
    path: String,
    /// The object holding the reference (`0 0 R` for the trailer).
    parent: ObjRef,
}

/// A form field (or widget) of the newest revision.
#[derive(Debug, Clone)]
struct FieldInfo {
    name: String,
    ft: Option<Vec<u8>>,
    /// The terminal field this node belongs to (itself, or the parent of a widget).
    field: ObjRef,
}

struct Graph {
    uses: HashMap<u32, Vec<Use>>,
    fields: HashMap<ObjRef, FieldInfo>,
}

fn is_anchor(obj: &Object) -> bool {
    let Object::Dictionary(d) = obj else {
        return false;
    };
    matches!(
        d.get_name("Type"),
        Some(b"Page" | b"Pages" | b"Catalog" | b"Annot" | b"Sig" | b"DocTimeStamp")
    ) || d.contains_key("FT")
        || (d.contains_key("Subtype") && d.contains_key("Rect"))
}

fn is_widget(d: &Dictionary) -> bool {
    d.get_name("Subtype") == Some(b"Widget".as_slice())
}

fn is_javascript(obj: &Object) -> bool {
    obj.as_dict().is_some_and(|d| {
        d.contains_key("JS")
            || matches!(
                d.get_name("S"),
                Some(b"JavaScript" | b"Launch" | b"ImportData" | b"SubmitForm")
            )
    })
}

struct Walker<'a, R: Read + Seek> {
    reader: &'a Reader<R>,
    interest: &'a HashSet<u32>,
    queue: VecDeque<(ObjRef, Hint, String, ObjRef)>,
    visited: HashSet<(ObjRef, Role)>,
    visits: usize,
    uses: HashMap<u32, Vec<Use>>,
    fields: &'a HashMap<ObjRef, FieldInfo>,
}

impl<R: Read + Seek> Walker<'_, R> {
    fn record(&mut self, r: ObjRef, role: Role, path: &str, parent: ObjRef) {
        if self.interest.contains(&r.num) {
            let v = self.uses.entry(r.num).or_default();
            if v.len() < MAX_CONTEXTS && !v.iter().any(|u| u.r == r && u.role == role) {
                v.push(Use {
                    r,
                    role,
                    path: path.to_string(),
                    parent,
                });
            }
        }
    }

    fn run(&mut self) -> Result<(), PdfError> {
        while let Some((r, hint, path, parent)) = self.queue.pop_front() {
            let obj = match self.reader.get(r) {
                Ok(o) => Some(o),
                Err(PdfError::MissingObject(_)) => None,
                Err(e) => return Err(e),
            };
            let role = match (hint, &obj) {
                (Hint::Role(role), Some(o)) if role.skips_anchors() && is_anchor(o) => continue,
                (Hint::Role(role), _) => role,
                (Hint::PageKid, Some(o)) => match o.as_dict().and_then(|d| d.get_name("Type")) {
                    Some(b"Page") => Role::Page,
                    _ => Role::PageTree,
                },
                (Hint::PageKid, None) => Role::Page,
                (Hint::AnnotEntry, Some(o)) if o.as_dict().is_some_and(is_widget) => Role::Widget,
                (Hint::AnnotEntry, _) => Role::Annot,
                (Hint::FieldKid, Some(o)) => match o.as_dict() {
                    Some(d) if is_widget(d) && !d.contains_key("T") => Role::Widget,
                    _ => Role::Field,
                },
                (Hint::FieldKid, None) => Role::Field,
            };
            self.record(r, role, &path, parent);
            if !self.visited.insert((r, role)) {
                continue;
            }
            self.visits += 1;
            if self.visits > MAX_VISITS {
                return Err(PdfError::TooLarge {
                    what: format!("object graph of more than {MAX_VISITS} visits"),
                });
            }
            if let Some(o) = obj {
                self.walk(&o, role, r, &path, 0);
            }
        }
        Ok(())
    }

    fn push(&mut self, r: ObjRef, hint: Hint, path: String, parent: ObjRef) {
        self.queue.push_back((r, hint, path, parent));
    }

    /// Walks a value that has role `role` and belongs to object `owner`.
    fn walk(&mut self, v: &Object, role: Role, owner: ObjRef, path: &str, depth: usize) {
        if depth > MAX_NESTING {
            return;
        }
        match v {
            Object::Reference(r) => self.push(*r, Hint::Role(role), path.to_string(), owner),
            Object::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let p = format!("{path}[{i}]");
                    self.walk(item, role, owner, &p, depth + 1);
                }
            }
            Object::Dictionary(_) | Object::Stream(_) => {
                let Some(d) = v.as_dict() else { return };
                let ft_sig = d.get_name("FT") == Some(b"Sig".as_slice())
                    || self
                        .fields
                        .get(&owner)
                        .is_some_and(|f| f.ft.as_deref() == Some(b"Sig".as_slice()));
                for (k, val) in d.iter() {
                    let p = format!("{path}/{}", String::from_utf8_lossy(k));
                    match child(role, k, owner, ft_sig) {
                        Child::Skip => {}
                        Child::Same(r) => self.walk(val, r, owner, &p, depth + 1),
                        Child::Items(h) => self.walk_items(val, h, &p, owner),
                        Child::One(h) => {
                            if let Object::Reference(r) = val {
                                self.push(*r, h, p, owner);
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }

    /// An array (direct or referenced) whose entries are `hint` (page kids, annotations, …).
    fn walk_items(&mut self, v: &Object, hint: Hint, path: &str, parent: ObjRef) {
        let array_role = match hint {
            Hint::AnnotEntry => Role::Annots,
            Hint::FieldKid => Role::FormArray,
            _ => Role::PageTree,
        };
        let items: Vec<Object> = match v {
            Object::Reference(r) => {
                self.record(*r, array_role, path, parent);
                if !self.visited.insert((*r, array_role)) {
                    return;
                }
                match self.reader.get(*r) {
                    Ok(Object::Array(a)) => a,
                    _ => return,
                }
            }
            Object::Array(a) => a.clone(),
            _ => return,
        };
        for (i, item) in items.iter().enumerate() {
            if let Object::Reference(r) = item {
                self.push(*r, hint, format!("{path}[{i}]"), parent);
            } else if let Object::Dictionary(_) = item {
                // A direct annotation or field: judged as part of its container.
                let role = match hint {
                    Hint::AnnotEntry => Role::Annot,
                    Hint::FieldKid => Role::Field,
                    _ => Role::PageTree,
                };
                let owner = ObjRef::new(0, 0);
                self.walk(item, role, owner, &format!("{path}[{i}]"), 1);
            }
        }
    }
}

enum Child {
    Skip,
    Same(Role),
    /// An array (direct or referenced) whose entries are of this kind.
    Items(Hint),
    /// A single reference to an object of this kind.
    One(Hint),
}

fn child(parent: Role, key: &[u8], owner: ObjRef, ft_sig: bool) -> Child {
    use Child::{Items, One, Same, Skip};
    match parent {
        Role::Catalog => match key {
            b"Pages" => Same(Role::PageTree),
            b"AcroForm" => Same(Role::AcroForm),
            b"DSS" => Same(Role::Dss),
            b"Metadata" => Same(Role::Metadata),
            b"Extensions" => Same(Role::Extensions),
            b"Perms" => Same(Role::Perms),
            b"OpenAction" | b"AA" => Same(Role::Action),
            _ => Same(Role::CatalogOther),
        },
        Role::PageTree => match key {
            b"Kids" => Items(Hint::PageKid),
            // Parents are followed too: attributes (resources, boxes) are inherited from them.
            b"Parent" => Same(Role::PageTree),
            b"Resources" => Same(Role::Resources),
            _ => Same(Role::PageTree),
        },
        Role::Page => match key {
            b"Parent" => Same(Role::PageTree),
            b"Contents" => Same(Role::PageContent),
            b"Resources" => Same(Role::Resources),
            b"Annots" => Items(Hint::AnnotEntry),
            b"AA" => Same(Role::Action),
            _ => Same(Role::PageOther),
        },
        Role::Resources => match key {
            b"Font" => Same(Role::Font),
            b"XObject" => Same(Role::XObject),
            _ => Same(Role::Resources),
        },
        Role::AcroForm => match key {
            b"Fields" => Items(Hint::FieldKid),
            b"DR" => Same(Role::FormResources),
            b"CO" => Skip,
            b"XFA" => Same(Role::CatalogOther),
            _ => Same(Role::AcroFormOther),
        },
        Role::Field | Role::Widget => match key {
            b"Kids" => Items(Hint::FieldKid),
            // Field attributes are inherited from the parent field.
            b"Parent" => Same(Role::Field),
            b"P" => Skip,
            b"V" if ft_sig => Same(Role::SigValue),
            b"V" | b"DV" => Same(Role::FieldValue(owner)),
            b"AP" | b"MK" => Same(Role::Appearance(owner)),
            b"A" | b"AA" => Same(Role::FieldAction),
            _ => Same(Role::FieldPart(owner)),
        },
        Role::Annot => match key {
            b"AP" => Same(Role::Appearance(owner)),
            b"Popup" => One(Hint::AnnotEntry),
            b"P" | b"Parent" | b"IRT" => Skip,
            b"A" | b"AA" => Same(Role::AnnotAction(owner)),
            _ => Same(Role::AnnotPart(owner)),
        },
        Role::AnnotPart(o) | Role::AnnotAction(o) | Role::FieldValue(o) | Role::FieldPart(o) => {
            match key {
                b"P" | b"Parent" => Skip,
                _ => Same(match parent {
                    Role::AnnotPart(_) => Role::AnnotPart(o),
                    Role::AnnotAction(_) => Role::AnnotAction(o),
                    Role::FieldValue(_) => Role::FieldValue(o),
                    _ => Role::FieldPart(o),
                }),
            }
        }
        Role::SigValue => match key {
            b"Data" => Skip,
            _ => Same(Role::SigValue),
        },
        Role::Perms => match key {
            b"DocMDP" | b"UR" | b"UR3" => Skip,
            _ => Same(Role::Perms),
        },
        other => Same(other),
    }
}

/// The form fields reachable from `/AcroForm /Fields` in the newest revision.
fn field_map<R: Read + Seek>(reader: &Reader<R>) -> HashMap<ObjRef, FieldInfo> {
    let mut out = HashMap::new();
    let Ok(catalog) = reader.catalog() else {
        return out;
    };
    let Ok(acro) = reader.resolve_key(&catalog, "AcroForm") else {
        return out;
    };
    let Some(acro) = acro.as_dict() else {
        return out;
    };
    let Ok(fields) = reader.resolve_key(acro, "Fields") else {
        return out;
    };
    // (field, name prefix, inherited /FT, depth, parent)
    type Item = (ObjRef, String, Option<Vec<u8>>, usize, Option<ObjRef>);
    let mut stack: Vec<Item> = Vec::new();
    for f in fields.as_array().unwrap_or_default().iter().rev() {
        if let Object::Reference(r) = f {
            stack.push((*r, String::new(), None, 0, None));
        }
    }
    let mut seen: HashSet<ObjRef> = HashSet::new();
    while let Some((r, prefix, ft, depth, parent)) = stack.pop() {
        if depth > MAX_FIELD_DEPTH || out.len() >= MAX_FIELDS || !seen.insert(r) {
            continue;
        }
        let Ok(Object::Dictionary(d)) = reader.get(r) else {
            continue;
        };
        let widget_only = is_widget(&d) && !d.contains_key("T") && parent.is_some();
        let name = match d.get("T").and_then(Object::as_string) {
            Some(t) if prefix.is_empty() => t.to_text(),
            Some(t) => format!("{prefix}.{}", t.to_text()),
            None => prefix.clone(),
        };
        let ft = d.get_name("FT").map(<[u8]>::to_vec).or(ft);
        let field = match (widget_only, parent) {
            (true, Some(p)) => p,
            _ => r,
        };
        out.insert(
            r,
            FieldInfo {
                name: name.clone(),
                ft: ft.clone(),
                field,
            },
        );
        if let Ok(kids) = reader.resolve_key(&d, "Kids") {
            for k in kids.as_array().unwrap_or_default().iter().rev() {
                if let Object::Reference(kr) = k {
                    stack.push((*kr, name.clone(), ft.clone(), depth + 1, Some(r)));
                }
            }
        }
    }
    out
}

fn build_graph<R: Read + Seek>(
    reader: &Reader<R>,
    interest: &HashSet<u32>,
) -> Result<Graph, PdfError> {
    let fields = field_map(reader);
    let mut w = Walker {
        reader,
        interest,
        queue: VecDeque::new(),
        visited: HashSet::new(),
        visits: 0,
        uses: HashMap::new(),
        fields: &fields,
    };
    let trailer = reader.trailer().clone();
    for (k, v) in trailer.iter() {
        let role = match k {
            b"Root" => Role::Catalog,
            b"Info" => Role::Info,
            b"Prev" | b"XRefStm" | b"Size" | b"ID" | b"Encrypt" | b"Index" | b"W" | b"Type"
            | b"Filter" | b"DecodeParms" | b"Length" => continue,
            _ => Role::TrailerOther,
        };
        let path = format!("trailer/{}", String::from_utf8_lossy(k));
        w.walk(v, role, ObjRef::new(0, 0), &path, 0);
    }
    w.run()?;
    let uses = std::mem::take(&mut w.uses);
    Ok(Graph { uses, fields })
}

// ---------------------------------------------------------------------------------------------
// Rules

struct Judge<'a, R: Read + Seek> {
    reader: &'a Reader<R>,
    signed: usize,
    last: usize,
    changes: &'a BTreeMap<u32, Change>,
    graph: &'a Graph,
    perms: &'a Permissions,
    out: Vec<Modification>,
    seen: HashSet<(String, String, String)>,
    /// Changes beyond [`MAX_REPORTED`]: how many, whether any is refused, the top category.
    more: (usize, bool, Category),
}

/// Most modifications listed per signature (the rest are summarised).
const MAX_REPORTED: usize = 1_000;

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

fn annot_visible(d: &Dictionary) -> bool {
    let flags = d.get_int("F").unwrap_or(0);
    rect_area(d) > 0.0 && flags & 2 == 0 && flags & 32 == 0
}

impl<R: Read + Seek> Judge<'_, R> {
    fn push(
        &mut self,
        r: Option<ObjRef>,
        kind: &str,
        detail: String,
        category: Category,
        allowed: bool,
    ) {
        let object = r.map_or_else(|| "trailer".to_string(), |r| r.to_string());
        if !self
            .seen
            .insert((object.clone(), kind.to_string(), detail.clone()))
        {
            return;
        }
        if self.out.len() >= MAX_REPORTED {
            let (n, refused, top) = self.more;
            self.more = (n + 1, refused || !allowed, top.max(category));
            return;
        }
        self.out.push(Modification {
            object,
            kind: kind.to_string(),
            detail,
            category,
            allowed,
        });
    }

    fn deny(&mut self, r: ObjRef, kind: &str, detail: String) {
        self.push(Some(r), kind, detail, Category::Other, false);
    }

    fn allow(&mut self, r: ObjRef, kind: &str, detail: String, category: Category) {
        let allowed = match category {
            Category::Untouched | Category::LtaUpdates => true,
            Category::FormFilling => self.perms.form_filling(),
            Category::Annotations => self.perms.annotations(),
            Category::Other => false,
        };
        let detail = if allowed {
            detail
        } else {
            format!(
                "{detail} — not allowed by the certification (DocMDP P={})",
                self.perms.docmdp.unwrap_or(0)
            )
        };
        self.push(Some(r), kind, detail, category, allowed);
    }

    fn load_old(&self, r: ObjRef) -> Option<Object> {
        self.reader.get_in_revision(r, self.signed).ok()
    }

    fn load_new(&self, r: ObjRef) -> Option<Object> {
        self.reader.get_in_revision(r, self.last).ok()
    }

    fn old_resolve(&self, o: Option<&Object>) -> Object {
        o.and_then(|o| self.reader.resolve_in_revision(o, self.signed).ok())
            .unwrap_or(Object::Null)
    }

    fn new_resolve(&self, o: Option<&Object>) -> Object {
        o.and_then(|o| self.reader.resolve_in_revision(o, self.last).ok())
            .unwrap_or(Object::Null)
    }

    /// The array under `key` in the signed and in the last revision (resolved; not an array
    /// counts as empty), or `None` when both name the same indirect array: that object's own
    /// change is judged as that object.
    fn changed_array(
        &self,
        old: &Dictionary,
        new: &Dictionary,
        key: &str,
    ) -> Option<(Vec<Object>, Vec<Object>)> {
        let (o, n) = (old.get(key), new.get(key));
        if let (Some(Object::Reference(a)), Some(Object::Reference(b))) = (o, n)
            && a == b
        {
            return None;
        }
        let o = self.old_resolve(o);
        let n = self.new_resolve(n);
        Some((
            o.as_array().unwrap_or_default().to_vec(),
            n.as_array().unwrap_or_default().to_vec(),
        ))
    }

    fn is_new(&self, r: ObjRef) -> bool {
        self.changes
            .get(&r.num)
            .is_some_and(|c| c.kind == ChangeKind::New && c.new == Some(r))
    }

    fn run(&mut self) {
        let changes: Vec<(u32, Change)> = self.changes.iter().map(|(k, v)| (*k, *v)).collect();
        for (num, c) in changes {
            let uses: Vec<Use> = self
                .graph
                .uses
                .get(&num)
                .map(|v| {
                    v.iter()
                        .filter(|u| Some(u.r) == c.new || Some(u.r) == c.old)
                        .cloned()
                        .collect()
                })
                .unwrap_or_default();
            let Some(first) = uses.first() else {
                continue; // not reachable in the newest revision: not displayed
            };
            let r = first.r;
            let where_ = paths(&uses);
            match c.kind {
                ChangeKind::Redirected => self.deny(
                    r,
                    "xref_redirect",
                    format!(
                        "a later xref points the object at offset {} inside the signed bytes, where another version of it lies (xref-only redefinition); used at {where_}",
                        c.new_offset.unwrap_or(0)
                    ),
                ),
                ChangeKind::Reused => self.deny(
                    r,
                    "object_reuse",
                    format!(
                        "object number reused with another generation ({} → {}); used at {where_}",
                        c.old.map_or(0, |o| o.r#gen),
                        c.new.map_or(0, |o| o.r#gen)
                    ),
                ),
                ChangeKind::Deleted => self.deny(
                    r,
                    "deleted",
                    format!("object freed by a later xref but still referenced at {where_}"),
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
                        let (path, parent) = (u.path.clone(), u.parent);
                        self.judge(r, c.kind, role, &path, parent, &where_);
                    }
                }
            }
        }
    }

    fn judge(
        &mut self,
        r: ObjRef,
        kind: ChangeKind,
        role: Role,
        path: &str,
        parent: ObjRef,
        where_: &str,
    ) {
        let new_obj = self.load_new(r).unwrap_or(Object::Null);
        let old_obj = if kind == ChangeKind::Modified {
            self.load_old(r)
        } else {
            None
        };
        let verb = if kind == ChangeKind::New {
            "added"
        } else {
            "changed"
        };
        match role {
            Role::Catalog => match (&old_obj, &new_obj) {
                (Some(Object::Dictionary(o)), Object::Dictionary(n)) => self.catalog(r, o, n),
                _ => self.deny(r, "catalog", format!("document catalog replaced at {path}")),
            },
            Role::Info => self.allow(
                r,
                "info",
                format!("document information dictionary {verb} ({path})"),
                Category::LtaUpdates,
            ),
            Role::Metadata => {
                let xmp = new_obj
                    .as_stream()
                    .is_some_and(|s| s.dict.get_name("Subtype") == Some(b"XML".as_slice()));
                if xmp {
                    self.allow(
                        r,
                        "metadata",
                        format!("XMP metadata {verb} ({path})"),
                        Category::LtaUpdates,
                    );
                } else {
                    self.deny(
                        r,
                        "metadata",
                        format!(
                            "metadata at {path} {verb} with something that is not an XMP stream"
                        ),
                    );
                }
            }
            Role::Dss => self.allow(
                r,
                "dss",
                format!("document security store {verb} ({path})"),
                Category::LtaUpdates,
            ),
            Role::Extensions => match (&old_obj, &new_obj) {
                (Some(Object::Dictionary(o)), Object::Dictionary(n)) => {
                    self.extensions(r, o, n, path)
                }
                _ => self.allow(
                    r,
                    "extensions",
                    format!("extensions dictionary {verb} ({path})"),
                    Category::LtaUpdates,
                ),
            },
            Role::AcroForm => match (&old_obj, &new_obj) {
                (Some(Object::Dictionary(o)), Object::Dictionary(n)) => self.acroform(r, o, n),
                (None, Object::Dictionary(_)) => self.allow(
                    r,
                    "form_field",
                    format!("interactive form dictionary added ({path})"),
                    Category::FormFilling,
                ),
                _ => self.deny(
                    r,
                    "form_field",
                    format!("interactive form replaced at {path}"),
                ),
            },
            Role::FormArray => {
                let old = self.old_list(r, kind, old_obj.as_ref(), parent, path);
                let new = new_obj
                    .as_array()
                    .map(<[Object]>::to_vec)
                    .unwrap_or_default();
                self.field_list(r, &old, &new, path);
            }
            Role::Field | Role::Widget => self.field(r, kind, old_obj.as_ref(), &new_obj, path),
            Role::Annots => {
                let old = self.old_list(r, kind, old_obj.as_ref(), parent, path);
                let new = new_obj
                    .as_array()
                    .map(<[Object]>::to_vec)
                    .unwrap_or_default();
                self.annots(r, &old, &new, path);
            }
            Role::Annot | Role::AnnotPart(_) => {
                let what = if role == Role::Annot {
                    format!("annotation {verb} at {path}")
                } else {
                    format!("part of an annotation {verb} at {path}")
                };
                self.allow(r, "annotation", what, Category::Annotations);
            }
            Role::AnnotAction(_) => {
                if is_javascript(&new_obj) {
                    self.deny(
                        r,
                        "javascript",
                        format!("annotation action with JavaScript/launch {verb} at {path}"),
                    );
                } else {
                    self.allow(
                        r,
                        "annotation",
                        format!("annotation action {verb} at {path}"),
                        Category::Annotations,
                    );
                }
            }
            Role::Appearance(owner) => self.appearance(r, kind, owner, path),
            Role::SigValue => {
                if kind == ChangeKind::New {
                    let dts = new_obj.as_dict().and_then(|d| d.get_name("Type"))
                        == Some(b"DocTimeStamp".as_slice());
                    if dts {
                        self.allow(
                            r,
                            "signature",
                            format!("document timestamp added ({path})"),
                            Category::LtaUpdates,
                        );
                    } else {
                        self.allow(
                            r,
                            "signature",
                            format!("signature added ({path})"),
                            Category::FormFilling,
                        );
                    }
                } else {
                    self.deny(
                        r,
                        "signature",
                        format!("an existing signature dictionary was changed ({path})"),
                    );
                }
            }
            Role::FieldValue(owner) => {
                let fill = self.fillable(owner);
                match fill {
                    Ok(name) => self.allow(
                        r,
                        "form_field",
                        format!("value of field {name:?} {verb} ({path})"),
                        Category::FormFilling,
                    ),
                    Err(why) => self.deny(r, "form_field", format!("{why} ({path})")),
                }
            }
            Role::FieldPart(owner) => {
                if kind == ChangeKind::New && self.new_sig_field(owner) {
                    self.allow(
                        r,
                        "form_field",
                        format!("part of a new signature field ({path})"),
                        Category::FormFilling,
                    );
                } else {
                    self.deny(r, "form_field", format!("form field data {verb} at {path}"));
                }
            }
            Role::FormResources => {
                if kind == ChangeKind::New {
                    self.allow(
                        r,
                        "form_field",
                        format!("form default resource added ({path})"),
                        Category::FormFilling,
                    );
                } else {
                    self.deny(
                        r,
                        "font",
                        format!("form default resource changed at {path}"),
                    );
                }
            }
            Role::Page => match (&old_obj, &new_obj) {
                (Some(Object::Dictionary(o)), Object::Dictionary(n)) => self.page(r, o, n, path),
                _ => self.deny(r, "page", format!("page {verb} at {path}")),
            },
            Role::PageTree => self.deny(r, "page_tree", format!("page tree {verb} at {path}")),
            Role::PageOther => self.deny(r, "page", format!("page data {verb} at {path}")),
            Role::PageContent => {
                self.deny(r, "page_content", format!("page content {verb} at {path}"))
            }
            Role::Resources => self.deny(r, "resources", format!("resources {verb} at {path}")),
            Role::Font => self.deny(r, "font", format!("font {verb} at {path}")),
            Role::XObject => self.deny(r, "xobject", format!("XObject {verb} at {path}")),
            Role::Action | Role::FieldAction => {
                let kind = if is_javascript(&new_obj) {
                    "javascript"
                } else {
                    "action"
                };
                self.deny(r, kind, format!("action {verb} at {path}"))
            }
            Role::CatalogOther | Role::Perms => {
                let kind = if is_javascript(&new_obj) {
                    "javascript"
                } else {
                    "catalog"
                };
                self.deny(r, kind, format!("document-level data {verb} at {path}"))
            }
            Role::AcroFormOther => {
                self.deny(r, "form_field", format!("form data {verb} at {path}"))
            }
            Role::TrailerOther => self.deny(
                r,
                "other",
                format!(
                    "object {verb}; it is referenced from the trailer at {path} (used at {where_})"
                ),
            ),
        }
    }

    /// The list an indirect array (`/Annots`, `/Fields`, `/Kids`) replaced: its own old
    /// value, or for a new array object the list its holder had under the same key.
    fn old_list(
        &self,
        r: ObjRef,
        kind: ChangeKind,
        old_obj: Option<&Object>,
        parent: ObjRef,
        path: &str,
    ) -> Vec<Object> {
        if kind != ChangeKind::New {
            return old_obj
                .and_then(Object::as_array)
                .map(<[Object]>::to_vec)
                .unwrap_or_default();
        }
        let key = path.rsplit('/').next().unwrap_or_default();
        let key = key.split('[').next().unwrap_or_default();
        let Some(Object::Dictionary(holder)) = self.load_old(parent) else {
            return Vec::new();
        };
        match holder.get(key) {
            // The holder pointed at this very number before: a dangling reference then.
            Some(Object::Reference(x)) if x.num == r.num => Vec::new(),
            v => self
                .old_resolve(v)
                .as_array()
                .map(<[Object]>::to_vec)
                .unwrap_or_default(),
        }
    }

    // --- catalog, AcroForm, extensions

    fn catalog(&mut self, r: ObjRef, old: &Dictionary, new: &Dictionary) {
        for k in changed_keys(old, new) {
            let key = key_text(&k);
            match k.as_slice() {
                b"AcroForm" => {
                    let o = self.old_resolve(old.get("AcroForm"));
                    let n = self.new_resolve(new.get("AcroForm"));
                    match (o.as_dict(), n.as_dict()) {
                        (Some(od), Some(nd)) => {
                            let od = od.clone();
                            let nd = nd.clone();
                            self.acroform(r, &od, &nd);
                        }
                        (None, Some(_)) => self.allow(
                            r,
                            "form_field",
                            "interactive form added to the catalog".into(),
                            Category::FormFilling,
                        ),
                        _ => self.deny(
                            r,
                            "catalog",
                            "the catalog's interactive form was removed or replaced".into(),
                        ),
                    }
                }
                b"DSS" => self.allow(
                    r,
                    "dss",
                    "document security store set in the catalog".into(),
                    Category::LtaUpdates,
                ),
                b"Metadata" => {
                    let n = self.new_resolve(new.get("Metadata"));
                    if n.as_stream()
                        .is_some_and(|s| s.dict.get_name("Subtype") == Some(b"XML".as_slice()))
                    {
                        self.allow(
                            r,
                            "metadata",
                            "catalog /Metadata points at new XMP metadata".into(),
                            Category::LtaUpdates,
                        );
                    } else {
                        self.deny(
                            r,
                            "metadata",
                            "catalog /Metadata set to something that is not an XMP stream".into(),
                        );
                    }
                }
                b"Extensions" => {
                    let o = self.old_resolve(old.get("Extensions"));
                    let n = self.new_resolve(new.get("Extensions"));
                    match (o.as_dict(), n.as_dict()) {
                        (Some(od), Some(nd)) => {
                            let od = od.clone();
                            let nd = nd.clone();
                            self.extensions(r, &od, &nd, "/Root/Extensions");
                        }
                        (None, Some(_)) => self.allow(
                            r,
                            "extensions",
                            "extensions dictionary added".into(),
                            Category::LtaUpdates,
                        ),
                        _ => self.deny(r, "catalog", "extensions dictionary removed".into()),
                    }
                }
                b"Version" | b"MarkInfo" => self.allow(
                    r,
                    "catalog",
                    format!("catalog {key} changed"),
                    Category::LtaUpdates,
                ),
                b"OpenAction" | b"AA" => {
                    let n = self.new_resolve(new.get(&k));
                    let kind = if is_javascript(&n) {
                        "javascript"
                    } else {
                        "action"
                    };
                    self.deny(r, kind, format!("document action {key} changed"));
                }
                b"Names" => self.deny(
                    r,
                    "catalog",
                    "catalog /Names changed (JavaScript, embedded files, destinations)".into(),
                ),
                b"Pages" => self.deny(r, "page_tree", "catalog /Pages changed".into()),
                b"Perms" => self.deny(
                    r,
                    "catalog",
                    "catalog /Perms (certification permissions) changed".into(),
                ),
                _ => self.deny(r, "catalog", format!("catalog {key} changed")),
            }
        }
    }

    fn extensions(&mut self, r: ObjRef, old: &Dictionary, new: &Dictionary, path: &str) {
        for (k, v) in old.iter() {
            if !new.get(k).is_some_and(|w| eq(v, w)) {
                self.deny(
                    r,
                    "catalog",
                    format!(
                        "developer extension {} was overridden or removed ({path})",
                        key_text(k)
                    ),
                );
                return;
            }
        }
        self.allow(
            r,
            "extensions",
            format!("developer extensions added ({path})"),
            Category::LtaUpdates,
        );
    }

    fn acroform(&mut self, r: ObjRef, old: &Dictionary, new: &Dictionary) {
        for k in changed_keys(old, new) {
            let key = key_text(&k);
            match k.as_slice() {
                b"Fields" => {
                    if let Some((o, n)) = self.changed_array(old, new, "Fields") {
                        self.field_list(r, &o, &n, "/Root/AcroForm/Fields");
                    }
                }
                b"SigFlags" => self.allow(
                    r,
                    "form_field",
                    "AcroForm /SigFlags changed".into(),
                    Category::LtaUpdates,
                ),
                b"NeedAppearances" | b"DA" | b"Q" => self.allow(
                    r,
                    "form_field",
                    format!("AcroForm {key} changed"),
                    Category::FormFilling,
                ),
                b"DR" => {
                    let o = self.old_resolve(old.get("DR"));
                    let n = self.new_resolve(new.get("DR"));
                    if resources_extend(&o, &n) {
                        self.allow(
                            r,
                            "form_field",
                            "AcroForm default resources extended".into(),
                            Category::FormFilling,
                        );
                    } else {
                        self.deny(
                            r,
                            "font",
                            "AcroForm default resources (/DR) changed or removed".into(),
                        );
                    }
                }
                _ => self.deny(r, "form_field", format!("AcroForm {key} changed")),
            }
        }
    }

    /// A list of fields (`/Fields` or `/Kids`): old ones kept, new ones must be new signature
    /// fields (judged as objects of their own).
    fn field_list(&mut self, r: ObjRef, old: &[Object], new: &[Object], path: &str) {
        let (old_ix, new_ix) = (ListIndex::new(old), ListIndex::new(new));
        for o in old {
            if !new_ix.contains(o) {
                self.deny(
                    r,
                    "form_field",
                    format!("form field {} removed from {path}", show(o)),
                );
            }
        }
        for n in new {
            if old_ix.contains(n) {
                continue;
            }
            match n {
                Object::Reference(nr) if self.is_new(*nr) => {
                    if self.new_sig_field(*nr) {
                        self.allow(
                            r,
                            "form_field",
                            format!("signature field {nr} added to {path}"),
                            Category::LtaUpdates,
                        );
                    } else {
                        self.deny(
                            r,
                            "form_field",
                            format!("non-signature form field {nr} added to {path}"),
                        );
                    }
                }
                other => self.deny(
                    r,
                    "form_field",
                    format!("existing object {} inserted into {path}", show(other)),
                ),
            }
        }
    }

    // --- fields and widgets

    fn info(&self, r: ObjRef) -> Option<&FieldInfo> {
        self.graph.fields.get(&r)
    }

    /// True when `r` is a new object that is (or is a widget of) a signature field.
    fn new_sig_field(&self, r: ObjRef) -> bool {
        if !self.is_new(r) {
            return false;
        }
        match self.info(r) {
            Some(f) => {
                f.ft.as_deref() == Some(b"Sig".as_slice()) && (f.field == r || self.is_new(f.field))
            }
            None => {
                // Not reachable from /Fields: look at the object itself and its parent.
                let Some(Object::Dictionary(d)) = self.load_new(r) else {
                    return false;
                };
                if d.get_name("FT") == Some(b"Sig".as_slice()) {
                    return true;
                }
                match d.get_ref("Parent") {
                    Some(p) if self.is_new(p) => matches!(self.load_new(p),
                        Some(Object::Dictionary(pd)) if pd.get_name("FT") == Some(b"Sig".as_slice())),
                    _ => false,
                }
            }
        }
    }

    /// Whether the field owning `owner` may be filled after the signature: `Ok(name)` or
    /// `Err(reason)`.
    fn fillable(&self, owner: ObjRef) -> Result<String, String> {
        let info = self.info(owner).cloned();
        let (name, ft, field) = match &info {
            Some(f) => (f.name.clone(), f.ft.clone(), f.field),
            None => (owner.to_string(), None, owner),
        };
        if self.perms.docmdp == Some(1) {
            return Err(format!(
                "field {name:?} changed: the certification (DocMDP P=1) allows no changes"
            ));
        }
        if let Some(l) = self.perms.lock_of(&name) {
            return Err(format!(
                "field {name:?} changed, but signature {} locks it (FieldMDP)",
                l.by
            ));
        }
        if ft.as_deref() == Some(b"Sig".as_slice()) {
            let signed_before = match self.load_old(field) {
                Some(Object::Dictionary(d)) => d.get("V").is_some_and(|v| !v.is_null()),
                _ => false,
            };
            if signed_before {
                return Err(format!(
                    "the appearance or value of signature field {name:?}, already signed, changed"
                ));
            }
        }
        Ok(name)
    }

    /// When the field's old `/AP` is an indirect dictionary also used elsewhere: that
    /// dictionary and the other places.
    fn shared_appearance(&self, r: ObjRef, old: &Dictionary) -> Option<(String, String)> {
        let Some(Object::Reference(ap)) = old.get("AP") else {
            return None;
        };
        let others: Vec<&str> = self
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

    fn appearance(&mut self, r: ObjRef, kind: ChangeKind, owner: ObjRef, path: &str) {
        let verb = if kind == ChangeKind::New {
            "added"
        } else {
            "changed"
        };
        let owner_obj = self.load_new(owner);
        let owner_dict = owner_obj.as_ref().and_then(Object::as_dict);
        let is_field = owner_dict.is_some_and(|d| is_widget(d) || d.contains_key("FT"))
            || self.info(owner).is_some();
        if !is_field {
            if owner_dict.is_some() {
                self.allow(
                    r,
                    "annotation",
                    format!("annotation appearance {verb} ({path})"),
                    Category::Annotations,
                );
            } else {
                self.deny(r, "appearance", format!("appearance {verb} at {path}"));
            }
            return;
        }
        if self.new_sig_field(owner) {
            // The appearance of an invisible field (a document timestamp's) shows nothing.
            let visible = owner_dict.is_some_and(annot_visible);
            self.allow(
                r,
                "appearance",
                format!("appearance of a new signature field {verb} ({path})"),
                if visible {
                    Category::FormFilling
                } else {
                    Category::LtaUpdates
                },
            );
            return;
        }
        match self.fillable(owner) {
            Ok(name) => self.allow(
                r,
                "appearance",
                format!("appearance of field {name:?} {verb} ({path})"),
                Category::FormFilling,
            ),
            Err(why) => self.deny(r, "appearance", format!("{why} ({path})")),
        }
    }

    fn field(
        &mut self,
        r: ObjRef,
        kind: ChangeKind,
        old: Option<&Object>,
        new: &Object,
        path: &str,
    ) {
        let Some(nd) = new.as_dict() else {
            self.deny(
                r,
                "form_field",
                format!("form field at {path} is not a dictionary"),
            );
            return;
        };
        let nd = nd.clone();
        if kind == ChangeKind::New {
            if !self.new_sig_field(r) {
                let what = if is_widget(&nd) {
                    "widget annotation for an existing form field"
                } else {
                    "non-signature form field"
                };
                self.deny(r, "form_field", format!("{what} added at {path}"));
                return;
            }
            let visible = annot_visible(&nd)
                || self
                    .new_resolve(nd.get("Kids"))
                    .as_array()
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|k| self.new_resolve(Some(k)).as_dict().cloned())
                    .any(|k| annot_visible(&k));
            if let Some(Object::Reference(v)) = nd.get("V")
                && !self.is_new(*v)
            {
                self.deny(
                    r,
                    "signature",
                    format!(
                        "new signature field at {path} takes the value {v} of an existing signature"
                    ),
                );
                return;
            }
            let is_dts = self
                .new_resolve(nd.get("V"))
                .as_dict()
                .and_then(|d| d.get_name("Type"))
                == Some(b"DocTimeStamp".as_slice());
            match (self.perms.docmdp, visible) {
                (Some(p), true) if p < 3 => self.deny(
                    r,
                    "annotation",
                    format!(
                        "new visible signature widget at {path} after a certification signature (DocMDP P={p}): it can cover the certified content"
                    ),
                ),
                (Some(1), false) if !is_dts => self.deny(
                    r,
                    "form_field",
                    format!("new signature field at {path}: the certification (DocMDP P=1) allows no changes"),
                ),
                (Some(_), true) => self.allow(
                    r,
                    "annotation",
                    format!("new visible signature field at {path}"),
                    Category::Annotations,
                ),
                (_, true) => self.allow(
                    r,
                    "form_field",
                    format!("new visible signature field at {path}"),
                    Category::FormFilling,
                ),
                (_, false) => self.allow(
                    r,
                    "form_field",
                    format!("new invisible signature field at {path}"),
                    Category::LtaUpdates,
                ),
            }
            return;
        }
        let Some(od) = old.and_then(Object::as_dict) else {
            self.deny(
                r,
                "form_field",
                format!("object at {path} became a form field"),
            );
            return;
        };
        let od = od.clone();
        let info = self.info(r).cloned();
        let name = info
            .as_ref()
            .map_or_else(|| r.to_string(), |f| f.name.clone());
        let ft_sig = info
            .as_ref()
            .and_then(|f| f.ft.as_deref())
            .or(nd.get_name("FT"))
            == Some(b"Sig".as_slice());
        let field_ref = info.as_ref().map_or(r, |f| f.field);
        // The field's value in the signed revision and now (for a widget: its parent's).
        let (old_v, new_v) = if field_ref == r {
            (od.get("V").cloned(), nd.get("V").cloned())
        } else {
            let o = self.load_old(field_ref);
            let n = self.load_new(field_ref);
            (
                o.as_ref()
                    .and_then(Object::as_dict)
                    .and_then(|d| d.get("V"))
                    .cloned(),
                n.as_ref()
                    .and_then(Object::as_dict)
                    .and_then(|d| d.get("V"))
                    .cloned(),
            )
        };
        let was_signed = ft_sig && old_v.as_ref().is_some_and(|v| !v.is_null());
        let being_signed = ft_sig && !was_signed && new_v.as_ref().is_some_and(|v| !v.is_null());
        let fill = self.fillable(r);
        for k in changed_keys(&od, &nd) {
            let key = key_text(&k);
            match k.as_slice() {
                b"V" if ft_sig => {
                    if being_signed {
                        if let Some(l) = self.perms.lock_of(&name) {
                            let by = l.by.clone();
                            self.deny(
                                r,
                                "signature",
                                format!(
                                    "signature field {name:?} signed, but signature {by} locks it"
                                ),
                            );
                        } else {
                            let dts = self
                                .new_resolve(nd.get("V"))
                                .as_dict()
                                .and_then(|d| d.get_name("Type"))
                                == Some(b"DocTimeStamp".as_slice());
                            let cat = if dts {
                                Category::LtaUpdates
                            } else {
                                Category::FormFilling
                            };
                            self.allow(
                                r,
                                "signature",
                                format!("signature field {name:?} signed"),
                                cat,
                            );
                        }
                    } else {
                        self.deny(
                            r,
                            "signature",
                            format!(
                                "the value of signature field {name:?} was replaced or removed"
                            ),
                        );
                    }
                }
                b"AP" if self.shared_appearance(r, &od).is_some() => {
                    let (ap, elsewhere) = self.shared_appearance(r, &od).unwrap_or_default();
                    self.deny(
                        r,
                        "appearance",
                        format!(
                            "field {name:?}: its appearance dictionary {ap} was replaced, but that dictionary is also used at {elsewhere}"
                        ),
                    );
                }
                b"V" | b"AP" | b"AS" | b"MK" | b"DA" | b"Q" | b"F" => {
                    let hides = k == b"F" && {
                        let of = od.get_int("F").unwrap_or(0);
                        let nf = nd.get_int("F").unwrap_or(0);
                        (nf & !of) & (2 | 32) != 0
                    };
                    if hides {
                        if was_signed {
                            self.deny(
                                r,
                                "annotation",
                                format!("widget of signed field {name:?} hidden"),
                            );
                        } else {
                            self.allow(
                                r,
                                "annotation",
                                format!("widget of field {name:?} hidden ({key})"),
                                Category::Annotations,
                            );
                        }
                    } else if being_signed {
                        self.allow(
                            r,
                            "appearance",
                            format!("signature field {name:?}: {key} set when signing"),
                            Category::FormFilling,
                        );
                    } else {
                        match &fill {
                            Ok(n) => self.allow(
                                r,
                                "form_field",
                                format!("field {n:?}: {key} changed"),
                                Category::FormFilling,
                            ),
                            Err(why) => {
                                let why = why.clone();
                                self.deny(r, "form_field", format!("{why} ({key})"))
                            }
                        }
                    }
                }
                b"Ff" => self.allow(
                    r,
                    "form_field",
                    format!("field {name:?}: flags (/Ff) changed"),
                    Category::LtaUpdates,
                ),
                b"Type"
                    if !od.contains_key("Type")
                        && nd.get_name("Type") == Some(b"Annot".as_slice()) =>
                {
                    self.allow(
                        r,
                        "form_field",
                        format!("field {name:?}: /Type /Annot added"),
                        Category::LtaUpdates,
                    )
                }
                b"P" if !od.contains_key("P") => self.allow(
                    r,
                    "form_field",
                    format!("field {name:?}: page reference added"),
                    Category::LtaUpdates,
                ),
                b"Rect" if being_signed => {
                    let newly_visible = rect_area(&od) == 0.0 && rect_area(&nd) > 0.0;
                    match self.perms.docmdp {
                        Some(p) if p < 3 && newly_visible => self.deny(
                            r,
                            "annotation",
                            format!(
                                "signature field {name:?} made visible after a certification signature (DocMDP P={p})"
                            ),
                        ),
                        _ => self.allow(
                            r,
                            "appearance",
                            format!("signature field {name:?}: /Rect set when signing"),
                            Category::FormFilling,
                        ),
                    }
                }
                b"Lock" | b"SV" if being_signed => self.allow(
                    r,
                    "form_field",
                    format!("signature field {name:?}: {key} set when signing"),
                    Category::FormFilling,
                ),
                b"Kids" => {
                    let o = self.old_resolve(od.get("Kids"));
                    let n = self.new_resolve(nd.get("Kids"));
                    let o = o.as_array().unwrap_or_default().to_vec();
                    let n = n.as_array().unwrap_or_default().to_vec();
                    self.field_list(r, &o, &n, &format!("{path}/Kids"));
                }
                _ => self.deny(r, "form_field", format!("field {name:?}: {key} changed")),
            }
        }
    }

    // --- pages and annotations

    fn page(&mut self, r: ObjRef, old: &Dictionary, new: &Dictionary, path: &str) {
        for k in changed_keys(old, new) {
            let key = key_text(&k);
            match k.as_slice() {
                b"Annots" => {
                    if let Some((o, n)) = self.changed_array(old, new, "Annots") {
                        self.annots(r, &o, &n, &format!("{path}/Annots"));
                    }
                }
                b"Contents" => {
                    self.deny(r, "page_content", format!("page {path}: /Contents changed"))
                }
                b"Resources" => {
                    self.deny(r, "resources", format!("page {path}: /Resources changed"))
                }
                b"AA" => self.deny(r, "action", format!("page {path}: actions (/AA) changed")),
                _ => self.deny(r, "page", format!("page {path}: {key} changed")),
            }
        }
    }

    fn annots(&mut self, r: ObjRef, old: &[Object], new: &[Object], path: &str) {
        let (old_ix, new_ix) = (ListIndex::new(old), ListIndex::new(new));
        for o in old {
            if new_ix.contains(o) {
                continue;
            }
            let od = self.old_resolve(Some(o));
            let widget = od.as_dict().is_some_and(is_widget);
            if widget {
                self.deny(
                    r,
                    "annotation",
                    format!("form field widget {} removed from {path}", show(o)),
                );
            } else {
                self.allow(
                    r,
                    "annotation",
                    format!("annotation {} removed from {path}", show(o)),
                    Category::Annotations,
                );
            }
        }
        for n in new {
            if old_ix.contains(n) {
                continue;
            }
            let nd = self.new_resolve(Some(n));
            let widget = nd.as_dict().is_some_and(is_widget);
            match n {
                Object::Reference(nr) if widget => {
                    if self.new_sig_field(*nr) {
                        self.allow(
                            r,
                            "annotation",
                            format!("widget of new signature field {nr} added to {path}"),
                            Category::LtaUpdates,
                        );
                    } else {
                        self.deny(
                            r,
                            "annotation",
                            format!("widget {nr} of a form field that is not a new signature field added to {path}"),
                        );
                    }
                }
                _ if widget => self.deny(
                    r,
                    "annotation",
                    format!("direct widget annotation added to {path}"),
                ),
                _ => {
                    if is_javascript(&self.new_resolve(nd.as_dict().and_then(|d| d.get("A")))) {
                        self.deny(
                            r,
                            "javascript",
                            format!(
                                "annotation {} with a JavaScript/launch action added to {path}",
                                show(n)
                            ),
                        );
                    } else {
                        self.allow(
                            r,
                            "annotation",
                            format!("annotation {} added to {path}", show(n)),
                            Category::Annotations,
                        );
                    }
                }
            }
        }
    }
}

/// `new` keeps every entry of `old` (resources may only be added).
fn resources_extend(old: &Object, new: &Object) -> bool {
    match (old, new) {
        (Object::Null, _) => true,
        (Object::Dictionary(o), Object::Dictionary(n)) => o.iter().all(|(k, v)| {
            n.get(k).is_some_and(|w| match (v, w) {
                (Object::Dictionary(_), Object::Dictionary(_)) => resources_extend(v, w),
                _ => eq(v, w),
            })
        }),
        _ => false,
    }
}

fn show(o: &Object) -> String {
    match o {
        Object::Reference(r) => r.to_string(),
        o => format!("(direct {})", o.type_name()),
    }
}

fn paths(uses: &[Use]) -> String {
    let mut v: Vec<&str> = uses.iter().map(|u| u.path.as_str()).collect();
    v.dedup();
    v.join(", ")
}

/// Analyses the changes after each signed revision. `signed` lists (signed revision,
/// permissions) pairs; the results come back in the same order. An error means the analysis
/// could not be done (malformed or too large file): the caller must fail closed.
pub fn analyze<R: Read + Seek>(
    reader: &Reader<R>,
    signed: &[(usize, Permissions)],
) -> Vec<Result<DiffResult, PdfError>> {
    let Some(last) = reader.revisions().len().checked_sub(1) else {
        return signed
            .iter()
            .map(|_| {
                Err(PdfError::BrokenXref {
                    detail: "no revisions".into(),
                })
            })
            .collect();
    };
    // What changed after each distinct signed revision.
    let mut per_rev: HashMap<usize, Result<BTreeMap<u32, Change>, String>> = HashMap::new();
    for (s, _) in signed {
        if *s >= last || per_rev.contains_key(s) {
            continue;
        }
        per_rev.insert(*s, changes(reader, *s, last).map_err(|e| e.to_string()));
    }
    let mut interest: HashSet<u32> = per_rev
        .values()
        .filter_map(|c| c.as_ref().ok())
        .flat_map(|c| c.keys().copied())
        .collect();
    // Indirect appearance dictionaries a changed field may have replaced: where else they are
    // used decides whether replacing them is allowed.
    for (s, c) in per_rev
        .iter()
        .filter_map(|(s, c)| c.as_ref().ok().map(|c| (*s, c)))
    {
        for change in c.values().filter(|c| c.kind == ChangeKind::Modified) {
            if let Some(Ok(Object::Dictionary(d))) =
                change.old.map(|o| reader.get_in_revision(o, s))
                && let Some(Object::Reference(ap)) = d.get("AP")
            {
                interest.insert(ap.num);
            }
        }
    }
    let graph = if interest.is_empty() {
        Ok(Graph {
            uses: HashMap::new(),
            fields: HashMap::new(),
        })
    } else {
        build_graph(reader, &interest).map_err(|e| e.to_string())
    };
    signed
        .iter()
        .map(|(s, perms)| {
            if *s >= last {
                return Ok(DiffResult {
                    category: Category::Untouched,
                    modifications: Vec::new(),
                });
            }
            let changes = match per_rev.get(s) {
                Some(Ok(c)) => c,
                Some(Err(e)) => {
                    return Err(PdfError::Unsupported(format!("revision analysis: {e}")));
                }
                None => return Err(PdfError::Unsupported("revision analysis".into())),
            };
            let graph = match &graph {
                Ok(g) => g,
                Err(e) => return Err(PdfError::Unsupported(format!("revision analysis: {e}"))),
            };
            let mut j = Judge {
                reader,
                signed: *s,
                last,
                changes,
                graph,
                perms,
                out: Vec::new(),
                seen: HashSet::new(),
                more: (0, false, Category::Untouched),
            };
            j.run();
            // The trailer itself: encryption added or removed after signing.
            let before = reader
                .revisions()
                .get(*s)
                .map(|r| r.trailer.contains_key("Encrypt"))
                .unwrap_or(false);
            if before != reader.trailer().contains_key("Encrypt") {
                j.push(
                    None,
                    "other",
                    "encryption (/Encrypt) added or removed after signing".into(),
                    Category::Other,
                    false,
                );
            }
            let root_before = reader
                .revisions()
                .get(*s)
                .and_then(|r| r.trailer.get_ref("Root"));
            if root_before != reader.catalog_ref() {
                j.push(
                    None,
                    "catalog",
                    format!(
                        "the trailer's /Root now points at another catalog object ({})",
                        reader
                            .catalog_ref()
                            .map_or_else(String::new, |r| r.to_string())
                    ),
                    Category::Other,
                    false,
                );
            }
            let (more, more_refused, more_top) = j.more;
            let mut modifications = j.out;
            if more > 0 {
                modifications.push(Modification {
                    object: "…".into(),
                    kind: "other".into(),
                    detail: format!("{more} more change(s) not listed"),
                    category: if more_refused {
                        Category::Other
                    } else {
                        more_top
                    },
                    allowed: !more_refused,
                });
            }
            let category = if modifications.iter().any(|m| !m.allowed) {
                Category::Other
            } else {
                modifications
                    .iter()
                    .map(|m| m.category)
                    .max()
                    .unwrap_or(Category::Untouched)
            };
            Ok(DiffResult {
                category,
                modifications,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks() {
        let l = FieldLock {
            action: LockAction::Include(vec!["TextInput".into()]),
            by: "S1".into(),
        };
        assert!(l.locks("TextInput.TextField1"));
        assert!(l.locks("TextInput"));
        assert!(!l.locks("TextInputX"));
        let e = FieldLock {
            action: LockAction::Exclude(vec!["A.B".into()]),
            by: "S1".into(),
        };
        assert!(!e.locks("A.B"));
        assert!(e.locks("A"));
    }

    #[test]
    fn equality_ignores_key_order() {
        let mut a = Dictionary::new();
        a.insert("X", 1i64);
        a.insert("Y", Object::Real(2.0));
        let mut b = Dictionary::new();
        b.insert("Y", 2i64);
        b.insert("X", 1i64);
        assert!(same_dict(&a, &b));
        b.insert("Z", Object::Null);
        assert!(!same_dict(&a, &b));
        assert!(opt_eq(None, Some(&Object::Null)));
    }

    #[test]
    fn categories_order() {
        assert!(Category::Other > Category::Annotations);
        assert!(Category::Annotations > Category::FormFilling);
        assert!(Category::FormFilling > Category::LtaUpdates);
        assert_eq!(Category::LtaUpdates.as_str(), "lta_updates");
    }
}
