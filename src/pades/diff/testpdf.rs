//! Small in-memory PDFs for the unit tests of the revision analysis: a base document (the
//! signed revision, revision 0) and incremental updates after it, each with a classic xref
//! table.

use super::{DiffResult, Permissions, analyze};
use crate::pdf::{Reader, ReaderOptions};
use std::io::Cursor;

/// One entry of a revision: an object body, a freed number, or an xref entry alone.
pub(crate) enum Obj {
    /// `num gen obj BODY endobj`.
    Body {
        num: u32,
        generation: u16,
        body: String,
    },
    /// A free entry whose next generation is `generation`.
    Free { num: u32, generation: u16 },
    /// An in-use entry pointing at `offset`, with no body written.
    At { num: u32, offset: usize },
}

impl Obj {
    /// The object number.
    fn num(&self) -> u32 {
        match self {
            Obj::Body { num, .. } | Obj::Free { num, .. } | Obj::At { num, .. } => *num,
        }
    }
}

/// Object `num` (generation 0) with `body`.
pub(crate) fn obj(num: u32, body: &str) -> Obj {
    obj_gen(num, 0, body)
}

/// Object `num` of generation `generation` with `body`.
pub(crate) fn obj_gen(num: u32, generation: u16, body: &str) -> Obj {
    Obj::Body {
        num,
        generation,
        body: body.to_string(),
    }
}

/// Object `num` freed, next generation `generation`.
pub(crate) fn free(num: u32, generation: u16) -> Obj {
    Obj::Free { num, generation }
}

/// An xref entry pointing object `num` at bytes already in the file.
pub(crate) fn pointing(num: u32, offset: usize) -> Obj {
    Obj::At { num, offset }
}

/// A stream object body.
pub(crate) fn stream(dict: &str, data: &str) -> String {
    format!(
        "<< {dict} /Length {} >>\nstream\n{data}\nendstream",
        data.len()
    )
}

/// Page 3 of the base document with `annots` as its `/Annots` value.
pub(crate) fn page(annots: &str) -> Obj {
    obj(
        3,
        &format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R \
             /Resources << /Font << /F1 5 0 R >> >> /Annots {annots} >>"
        ),
    )
}

/// The catalog (1) of the base document with `extra` entries.
pub(crate) fn catalog(extra: &str) -> Obj {
    obj(
        1,
        &format!("<< /Type /Catalog /Pages 2 0 R /AcroForm 6 0 R {extra} >>"),
    )
}

/// The interactive form (6) of the base document with `fields` as its `/Fields` value and
/// `extra` entries.
pub(crate) fn acroform(fields: &str, extra: &str) -> Obj {
    obj(
        6,
        &format!("<< /Fields {fields} /DA (/Helv 0 Tf 0 g) {extra} >>"),
    )
}

/// The base document with `replace` instead of its objects of the same numbers, and any
/// others added.
pub(crate) fn base_with(replace: Vec<Obj>) -> Fixture {
    let mut objects = base_objects();
    for o in replace {
        let n = o.num();
        match objects.iter_mut().find(|b| b.num() == n) {
            Some(slot) => *slot = o,
            None => objects.push(o),
        }
    }
    Fixture::build(&objects)
}

/// The base document: one page with a content stream, a font, a text field `Name` (7) with
/// its appearance (11), an empty invisible signature field `Sig1` (8), a square annotation
/// (10) and an information dictionary (9).
pub(crate) fn base_objects() -> Vec<Obj> {
    vec![
        obj(1, "<< /Type /Catalog /Pages 2 0 R /AcroForm 6 0 R >>"),
        obj(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>"),
        page("[7 0 R 8 0 R 10 0 R]"),
        obj(4, &stream("", "BT /F1 12 Tf (Hello) Tj ET")),
        obj(5, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"),
        acroform("[7 0 R 8 0 R]", ""),
        obj(
            7,
            "<< /Type /Annot /Subtype /Widget /FT /Tx /T (Name) /V (old) \
             /Rect [10 10 100 30] /P 3 0 R /AP << /N 11 0 R >> >>",
        ),
        obj(
            8,
            "<< /Type /Annot /Subtype /Widget /FT /Sig /T (Sig1) /Rect [0 0 0 0] /P 3 0 R >>",
        ),
        obj(9, "<< /Producer (base) >>"),
        obj(
            10,
            "<< /Type /Annot /Subtype /Square /Rect [50 50 80 80] /P 3 0 R >>",
        ),
        obj(
            11,
            &stream(
                "/Type /XObject /Subtype /Form /BBox [0 0 90 20]",
                "BT (old) Tj ET",
            ),
        ),
    ]
}

/// The base document with one incremental update of `objects`.
pub(crate) fn updated(objects: &[Obj]) -> Fixture {
    Fixture::base().update(objects)
}

/// A file of one or more revisions.
pub(crate) struct Fixture {
    bytes: Vec<u8>,
    /// Offset of the last xref section.
    xref: usize,
    /// The trailer's `/Size`.
    size: u32,
    /// Where each object body of the file starts (the last one written wins).
    offsets: Vec<(u32, usize)>,
    /// The catalog the next trailer names.
    root: u32,
}

impl Fixture {
    /// The base document of [`base_objects`].
    pub(crate) fn base() -> Self {
        Self::build(&base_objects())
    }

    /// A one-revision document of `objects` (object 1 is the catalog, 9 the information).
    pub(crate) fn build(objects: &[Obj]) -> Self {
        Self::with_decoy(objects, 0, "").0
    }

    /// Like [`Fixture::build`], with a body of object `num` written first but named by no
    /// xref (when `num` is not 0); also returns that body's offset.
    pub(crate) fn with_decoy(objects: &[Obj], num: u32, decoy: &str) -> (Self, usize) {
        let mut f = Fixture {
            bytes: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec(),
            xref: 0,
            size: 0,
            offsets: Vec::new(),
            root: 1,
        };
        let at = f.bytes.len();
        if num != 0 {
            f.bytes
                .extend_from_slice(format!("{num} 0 obj\n{decoy}\nendobj\n").as_bytes());
        }
        f.append(objects, true, "");
        (f, at)
    }

    /// This file with one incremental update of `objects`.
    pub(crate) fn update(self, objects: &[Obj]) -> Self {
        self.update_with_trailer(objects, "")
    }

    /// Like [`Fixture::update`], with `extra` added to the new trailer (e.g. `/Encrypt 30 0 R`).
    pub(crate) fn update_with_trailer(mut self, objects: &[Obj], extra: &str) -> Self {
        let prev = format!(" /Prev {}", self.xref);
        self.append(objects, false, &format!("{prev}{extra}"));
        self
    }

    /// The next trailers name object `num` as the catalog.
    pub(crate) fn root(mut self, num: u32) -> Self {
        self.root = num;
        self
    }

    /// Where the last body of object `num` starts.
    pub(crate) fn offset_of(&self, num: u32) -> Option<usize> {
        self.offsets
            .iter()
            .rev()
            .find(|(n, _)| *n == num)
            .map(|(_, o)| *o)
    }

    /// A reader over the file (encrypted files allowed, to test `/Encrypt` added later).
    pub(crate) fn reader(&self) -> Reader<Cursor<&[u8]>> {
        let options = ReaderOptions {
            allow_encrypted: true,
            ..ReaderOptions::default()
        };
        Reader::from_reader_with(Cursor::new(self.bytes.as_slice()), options).expect("test PDF")
    }

    /// The analysis of the changes after revision 0.
    pub(crate) fn analyze(&self, perms: Permissions) -> DiffResult {
        let reader = self.reader();
        let mut out = analyze(&reader, &[(0, perms)]);
        match out.pop() {
            Some(Ok(r)) => r,
            other => panic!("analysis failed: {other:?}"),
        }
    }

    /// Appends `objects` and an xref section naming exactly them, then the trailer.
    fn append(&mut self, objects: &[Obj], first: bool, trailer_extra: &str) {
        let mut entries: Vec<(u32, String)> = Vec::new();
        for o in objects {
            match o {
                Obj::Body {
                    num,
                    generation,
                    body,
                } => {
                    let at = self.bytes.len();
                    self.offsets.push((*num, at));
                    self.bytes.extend_from_slice(
                        format!("{num} {generation} obj\n{body}\nendobj\n").as_bytes(),
                    );
                    entries.push((*num, format!("{at:010} {generation:05} n\r\n")));
                }
                Obj::Free { num, generation } => {
                    entries.push((*num, format!("0000000000 {generation:05} f\r\n")));
                }
                Obj::At { num, offset } => {
                    entries.push((*num, format!("{offset:010} 00000 n\r\n")));
                }
            }
            self.size = self.size.max(o.num() + 1);
        }
        entries.sort_by_key(|(n, _)| *n);
        self.xref = self.bytes.len();
        let mut xref = String::from("xref\n");
        if first {
            // The first revision: a full table from object 0.
            xref.push_str(&format!("0 {}\n0000000000 65535 f\r\n", self.size));
            for n in 1..self.size {
                match entries.iter().find(|(m, _)| *m == n) {
                    Some((_, e)) => xref.push_str(e),
                    None => xref.push_str("0000000000 00000 f\r\n"),
                }
            }
        } else {
            for (n, e) in &entries {
                xref.push_str(&format!("{n} 1\n{e}"));
            }
        }
        self.bytes.extend_from_slice(xref.as_bytes());
        self.bytes.extend_from_slice(
            format!(
                "trailer\n<< /Size {} /Root {} 0 R /Info 9 0 R{trailer_extra} >>\nstartxref\n{}\n%%EOF\n",
                self.size, self.root, self.xref
            )
            .as_bytes(),
        );
    }
}
