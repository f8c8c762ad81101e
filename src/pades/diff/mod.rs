//! Revision analysis: what changed in a PDF after a signature, and whether it was allowed.
//!
//! The parts:
//! - `changes`: what changed between the signed revision and the newest one, object by object;
//! - `graph`: the role of every object reached from the trailer of the newest revision (page
//!   content, font, form field, appearance of a widget, DSS, …) and the paths that reach it;
//! - `rules`: one rule per kind of allowed change (catalog, form fields and values, signature
//!   fields and appearances, annotations, page tree, DSS and document timestamps, metadata and
//!   information), each with its own allowed and refused tests;
//! - `policy`: what DocMDP and FieldMDP permit, and the review that routes each changed object
//!   to the rule that claims it; a change no rule claims is refused (deny by default);
//! - `review`: the state of one review (both revisions, the changes, the graph, the verdicts);
//! - this file: the verdict types and the entry point [`analyze`].
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

mod changes;
mod graph;
mod policy;
mod review;
mod rules;
#[cfg(test)]
mod testpdf;

use crate::pdf::{Object, PdfError, Reader};
use changes::{Change, ChangeKind};
use graph::Graph;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::io::{Read, Seek};

/// Deepest direct nesting followed inside one object.
const MAX_NESTING: usize = 64;

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

/// What kind of thing changed (the `kind` of a [`Modification`] in reports).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum ModificationKind {
    /// A page content stream (`page_content`).
    #[serde(rename = "page_content")]
    PageContent,
    /// Page resources (`resources`).
    #[serde(rename = "resources")]
    Resources,
    /// A font, or form default resources (`font`).
    #[serde(rename = "font")]
    Font,
    /// An XObject (`xobject`).
    #[serde(rename = "xobject")]
    XObject,
    /// A page (`page`).
    #[serde(rename = "page")]
    Page,
    /// The page tree (`page_tree`).
    #[serde(rename = "page_tree")]
    PageTree,
    /// The document catalog or document-level data (`catalog`).
    #[serde(rename = "catalog")]
    Catalog,
    /// An action (`action`).
    #[serde(rename = "action")]
    Action,
    /// JavaScript, launch, import or submit actions (`javascript`).
    #[serde(rename = "javascript")]
    JavaScript,
    /// An annotation, or a widget as an annotation (`annotation`).
    #[serde(rename = "annotation")]
    Annotation,
    /// A form field, its value or the interactive form (`form_field`).
    #[serde(rename = "form_field")]
    FormField,
    /// An appearance (`appearance`).
    #[serde(rename = "appearance")]
    Appearance,
    /// A signature value or signature field (`signature`).
    #[serde(rename = "signature")]
    Signature,
    /// The document security store (`dss`).
    #[serde(rename = "dss")]
    Dss,
    /// XMP metadata (`metadata`).
    #[serde(rename = "metadata")]
    Metadata,
    /// The document information dictionary (`info`).
    #[serde(rename = "info")]
    Info,
    /// Developer extensions (`extensions`).
    #[serde(rename = "extensions")]
    Extensions,
    /// A later xref points an object into the signed bytes (`xref_redirect`).
    #[serde(rename = "xref_redirect")]
    XrefRedirect,
    /// An object number reused with another generation (`object_reuse`).
    #[serde(rename = "object_reuse")]
    ObjectReuse,
    /// An object freed but still referenced (`deleted`).
    #[serde(rename = "deleted")]
    Deleted,
    /// Anything else (`other`).
    #[serde(rename = "other")]
    Other,
}

impl ModificationKind {
    /// The name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PageContent => "page_content",
            Self::Resources => "resources",
            Self::Font => "font",
            Self::XObject => "xobject",
            Self::Page => "page",
            Self::PageTree => "page_tree",
            Self::Catalog => "catalog",
            Self::Action => "action",
            Self::JavaScript => "javascript",
            Self::Annotation => "annotation",
            Self::FormField => "form_field",
            Self::Appearance => "appearance",
            Self::Signature => "signature",
            Self::Dss => "dss",
            Self::Metadata => "metadata",
            Self::Info => "info",
            Self::Extensions => "extensions",
            Self::XrefRedirect => "xref_redirect",
            Self::ObjectReuse => "object_reuse",
            Self::Deleted => "deleted",
            Self::Other => "other",
        }
    }
}

impl fmt::Display for ModificationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One change found after a signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Modification {
    /// The object, e.g. `12 0 R` (or `trailer`).
    pub object: String,
    /// What kind of thing changed.
    pub kind: ModificationKind,
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

/// The verdict of the analysis for one signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffResult {
    /// The overall category (`Other` when any change is not allowed).
    pub category: Category,
    /// Every change found.
    pub modifications: Vec<Modification>,
    /// Remarks on allowed changes the reader should know about (e.g. producer-private keys).
    pub warnings: Vec<String>,
}

impl DiffResult {
    /// True when every change is allowed.
    pub fn allowed(&self) -> bool {
        self.modifications.iter().all(|m| m.allowed)
    }
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
    let mut per_rev: HashMap<usize, Result<BTreeMap<u32, Change>, PdfError>> = HashMap::new();
    for (s, _) in signed {
        if *s >= last || per_rev.contains_key(s) {
            continue;
        }
        per_rev.insert(*s, changes::changes(reader, *s, last));
    }
    let interest = interest(reader, &per_rev);
    let graph = if interest.is_empty() {
        Ok(Graph::default())
    } else {
        graph::build_graph(reader, &interest)
    };
    signed
        .iter()
        .map(|(s, perms)| {
            if *s >= last {
                return Ok(DiffResult {
                    category: Category::Untouched,
                    modifications: Vec::new(),
                    warnings: Vec::new(),
                });
            }
            let changes = match per_rev.get(s) {
                Some(Ok(c)) => c,
                Some(Err(e)) => return Err(failed(e)),
                None => return Err(PdfError::Unsupported("revision analysis".into())),
            };
            let graph = graph.as_ref().map_err(failed)?;
            Ok(policy::review(reader, *s, last, changes, graph, perms))
        })
        .collect()
}

/// The error of an analysis that could not be done.
fn failed(e: &PdfError) -> PdfError {
    PdfError::Unsupported(format!("revision analysis: {e}"))
}

/// The object numbers whose uses the graph must record: every changed object, and the
/// indirect appearance dictionaries a changed field may have replaced (where else they are
/// used decides whether replacing them is allowed).
fn interest<R: Read + Seek>(
    reader: &Reader<R>,
    per_rev: &HashMap<usize, Result<BTreeMap<u32, Change>, PdfError>>,
) -> HashSet<u32> {
    let mut interest: HashSet<u32> = per_rev
        .values()
        .filter_map(|c| c.as_ref().ok())
        .flat_map(|c| c.keys().copied())
        .collect();
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
    interest
}

#[cfg(test)]
mod tests {
    use super::testpdf::{self, Fixture};
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
    fn categories_order() {
        assert!(Category::Other > Category::Annotations);
        assert!(Category::Annotations > Category::FormFilling);
        assert!(Category::FormFilling > Category::LtaUpdates);
        assert_eq!(Category::LtaUpdates.as_str(), "lta_updates");
    }

    #[test]
    fn kinds_serialise_as_their_report_names() {
        use ModificationKind as K;
        let all = [
            K::PageContent,
            K::Resources,
            K::Font,
            K::XObject,
            K::Page,
            K::PageTree,
            K::Catalog,
            K::Action,
            K::JavaScript,
            K::Annotation,
            K::FormField,
            K::Appearance,
            K::Signature,
            K::Dss,
            K::Metadata,
            K::Info,
            K::Extensions,
            K::XrefRedirect,
            K::ObjectReuse,
            K::Deleted,
            K::Other,
        ];
        for k in all {
            let json = serde_json::to_string(&k).unwrap_or_default();
            assert_eq!(json, format!("\"{k}\""));
        }
        assert_eq!(K::XObject.as_str(), "xobject");
        assert_eq!(K::JavaScript.as_str(), "javascript");
    }

    #[test]
    fn no_later_revision_is_untouched() {
        let f = Fixture::base();
        let reader = f.reader();
        let out = analyze(&reader, &[(0, Permissions::default())]);
        assert!(matches!(
            out.as_slice(),
            [Ok(DiffResult { category: Category::Untouched, modifications, .. })] if modifications.is_empty()
        ));
    }

    #[test]
    fn untouched_update_and_summary_category() {
        // A rewrite of the information dictionary: allowed, LTA updates.
        let d = testpdf::updated(&[testpdf::obj(9, "<< /Producer (x) >>")]);
        let r = d.analyze(Permissions::default());
        assert_eq!(r.category, Category::LtaUpdates);
        assert!(r.allowed());
        // A changed page content stream: refused, and the whole result is `Other`.
        let d = testpdf::updated(&[testpdf::obj(4, &testpdf::stream("", "BT ET"))]);
        let r = d.analyze(Permissions::default());
        assert_eq!(r.category, Category::Other);
        assert!(!r.allowed());
    }
}
