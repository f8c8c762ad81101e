//! The roles of the objects of the newest revision: the object graph is walked from the
//! trailer (never trusting the later xref sections alone), every reference followed with a
//! [`Role`] that says what the object is *for* there (page content, font, form field, appearance
//! of a widget, DSS, …), and the paths that reach each object of interest are kept for the
//! report. The form fields reachable from `/AcroForm /Fields` are listed with their full names.

use super::MAX_NESTING;
use crate::pdf::{Dictionary, ObjRef, Object, PdfError, Reader};
use std::collections::{HashMap, HashSet, VecDeque};
use std::io::{Read, Seek};

/// Most (object, role) visits of one graph walk.
const MAX_VISITS: usize = 4_000_000;
/// Paths kept per object.
const MAX_CONTEXTS: usize = 16;
/// Deepest form field tree.
const MAX_FIELD_DEPTH: usize = 32;
/// Most form fields.
const MAX_FIELDS: usize = 100_000;

/// What an object is used for, where it is referenced. The object a role names (`owner`) is
/// the field or annotation the object belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Role {
    /// The document catalog.
    Catalog,
    /// The document information dictionary.
    Info,
    /// Anything else the trailer references.
    TrailerOther,
    /// A node of the page tree (or an attribute a page inherits from it).
    PageTree,
    /// A page.
    Page,
    /// Page data other than contents, resources and annotations.
    PageOther,
    /// A page content stream.
    PageContent,
    /// Resources of a page or page tree node.
    Resources,
    /// A font of a resource dictionary.
    Font,
    /// An XObject of a resource dictionary.
    XObject,
    /// A page's `/Annots` array.
    Annots,
    /// An annotation that is not a widget.
    Annot,
    /// Part of the annotation `owner`.
    AnnotPart(ObjRef),
    /// An action of the annotation `owner`.
    AnnotAction(ObjRef),
    /// A widget annotation (of a form field).
    Widget,
    /// The interactive form dictionary.
    AcroForm,
    /// Interactive form data other than fields and default resources.
    AcroFormOther,
    /// A `/Fields` or field `/Kids` array.
    FormArray,
    /// The form's default resources.
    FormResources,
    /// A form field.
    Field,
    /// The value (`/V`, `/DV`) of the field `owner`.
    FieldValue(ObjRef),
    /// Other data of the field `owner`.
    FieldPart(ObjRef),
    /// An action of a field.
    FieldAction,
    /// The value of a signature field: a signature dictionary.
    SigValue,
    /// The appearance (`/AP`, `/MK`) of the field or annotation `owner`.
    Appearance(ObjRef),
    /// The document security store.
    Dss,
    /// The catalog's `/Metadata`.
    Metadata,
    /// The catalog's developer extensions.
    Extensions,
    /// The catalog's `/Perms`.
    Perms,
    /// A document action (`/OpenAction`, `/AA`).
    Action,
    /// Other document-level data (`/Names`, `/Outlines`, …).
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

/// One place an object of interest is used.
#[derive(Debug, Clone)]
pub(super) struct Use {
    /// The object.
    pub(super) r: ObjRef,
    /// What it is used for there.
    pub(super) role: Role,
    /// The path from the trailer, e.g. `trailer/Root/Pages/Kids[0]/Contents`.
    pub(super) path: String,
    /// The object holding the reference (`0 0 R` for the trailer).
    pub(super) parent: ObjRef,
}

/// A form field (or widget) of the newest revision.
#[derive(Debug, Clone)]
pub(super) struct FieldInfo {
    /// The fully qualified name.
    pub(super) name: String,
    /// The field type, inherited from the parents.
    pub(super) ft: Option<Vec<u8>>,
    /// The terminal field this node belongs to (itself, or the parent of a widget).
    pub(super) field: ObjRef,
}

impl FieldInfo {
    /// True for a signature field (or a widget of one).
    pub(super) fn is_sig(&self) -> bool {
        self.ft.as_deref() == Some(b"Sig".as_slice())
    }
}

/// The uses of the objects of interest, and the form fields.
#[derive(Debug, Default)]
pub(super) struct Graph {
    /// Where each object number of interest is used.
    pub(super) uses: HashMap<u32, Vec<Use>>,
    /// Every form field and widget reachable from `/AcroForm /Fields`.
    pub(super) fields: HashMap<ObjRef, FieldInfo>,
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

/// True for a widget annotation.
pub(super) fn is_widget(d: &Dictionary) -> bool {
    d.get_name("Subtype") == Some(b"Widget".as_slice())
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

/// The graph of the newest revision, recording the uses of the objects numbered in `interest`.
pub(super) fn build_graph<R: Read + Seek>(
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

#[cfg(test)]
mod tests {
    use super::super::testpdf::{Fixture, acroform, base_with, obj};
    use super::*;

    fn r(num: u32) -> ObjRef {
        ObjRef::new(num, 0)
    }

    /// The roles every object of `f` is used with, and the graph.
    fn graph_of(f: &Fixture) -> Graph {
        let reader = f.reader();
        let interest: HashSet<u32> = (1..40).collect();
        build_graph(&reader, &interest).expect("graph")
    }

    fn roles(g: &Graph, num: u32) -> Vec<Role> {
        g.uses
            .get(&num)
            .map(|v| v.iter().map(|u| u.role).collect())
            .unwrap_or_default()
    }

    #[test]
    fn roles_of_the_base_document() {
        let g = graph_of(&Fixture::base());
        assert_eq!(roles(&g, 1), vec![Role::Catalog]);
        assert_eq!(roles(&g, 2), vec![Role::PageTree]);
        assert_eq!(roles(&g, 3), vec![Role::Page]);
        assert_eq!(roles(&g, 4), vec![Role::PageContent]);
        assert_eq!(roles(&g, 5), vec![Role::Font]);
        assert_eq!(roles(&g, 6), vec![Role::AcroForm]);
        assert!(roles(&g, 7).contains(&Role::Field));
        assert!(roles(&g, 7).contains(&Role::Widget));
        assert_eq!(roles(&g, 9), vec![Role::Info]);
        assert_eq!(roles(&g, 10), vec![Role::Annot]);
        assert_eq!(roles(&g, 11), vec![Role::Appearance(r(7))]);
        let content = &g.uses[&4][0];
        assert_eq!(content.path, "trailer/Root/Pages/Kids[0]/Contents");
        assert_eq!(content.parent, r(3));
    }

    #[test]
    fn fields_get_full_names_and_inherited_types() {
        let f = base_with(vec![
            acroform("[7 0 R 8 0 R 20 0 R]", ""),
            obj(20, "<< /T (Parent) /FT /Sig /Kids [21 0 R 22 0 R] >>"),
            obj(21, "<< /T (Child) /Parent 20 0 R >>"),
            obj(
                22,
                "<< /Type /Annot /Subtype /Widget /Parent 20 0 R /Rect [0 0 1 1] >>",
            ),
        ]);
        let g = graph_of(&f);
        let name = |n: u32| g.fields.get(&r(n)).map(|f| f.name.as_str());
        assert_eq!(name(7), Some("Name"));
        assert_eq!(name(8), Some("Sig1"));
        assert_eq!(name(21), Some("Parent.Child"));
        assert!(g.fields.get(&r(21)).is_some_and(FieldInfo::is_sig));
        // A widget without a name belongs to its parent field.
        assert_eq!(g.fields.get(&r(22)).map(|f| f.field), Some(r(20)));
        assert_eq!(roles(&g, 22), vec![Role::Widget]);
        assert!(!g.fields.get(&r(7)).is_some_and(FieldInfo::is_sig));
    }

    #[test]
    fn cross_references_do_not_take_the_role_of_their_holder() {
        // An /OpenAction naming the page: the page stays a page, not an action.
        let f = base_with(vec![obj(
            1,
            "<< /Type /Catalog /Pages 2 0 R /AcroForm 6 0 R /OpenAction [3 0 R /Fit] >>",
        )]);
        let g = graph_of(&f);
        assert_eq!(roles(&g, 3), vec![Role::Page]);
        // Only the objects of interest are recorded.
        let reader = f.reader();
        let g = build_graph(&reader, &HashSet::from([4])).expect("graph");
        assert_eq!(g.uses.keys().copied().collect::<Vec<_>>(), vec![4]);
    }
}
