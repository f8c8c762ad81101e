//! The lazy, strict PDF reader.
//!
//! [`Reader::open`] reads the header, the tail (`startxref … %%EOF`) and the whole
//! cross-reference chain (tables, streams, hybrid files, `/Prev` links), groups its sections
//! into [`Revision`]s, and checks that the catalog loads. Objects are then parsed one at a
//! time, on demand, from a window of the file around their offset; stream data stays in the
//! file until asked for.
//!
//! The parts, one job each (all are `impl Reader` blocks over the struct defined here):
//! - `open`: [`Reader::open`] and friends, the `%PDF-` header and the tail (`startxref`);
//! - `source`: bounded reads from the source and growing parse windows;
//! - `xref`: the cross-reference chain (tables, xref streams, hybrid files, `/Prev`);
//! - `revisions`: grouping sections into [`Revision`]s, and the xref as of a revision;
//! - `objects`: loading and resolving objects on demand, stream data;
//! - `objstm`: object streams and their cache;
//! - `pages`: the page tree;
//! - `defects`: the harmless defects tolerated while opening, recorded for the report.
//!
//! This file holds the public types and the queries about the file as a whole.

use std::cell::{Cell, RefCell};
use std::fs::File;

use super::Limits;
use super::object::Dictionary;
use super::parser::EofMarker;
pub use defects::{Defect, DefectKind};
pub use objects::Needles;
use objstm::ObjStm;
pub use pages::PageNode;
use source::Source;

mod defects;
mod objects;
mod objstm;
mod open;
mod pages;
mod revisions;
mod source;
mod xref;

/// Most tolerated defects recorded (a hostile file could have one per object).
const MAX_DEFECTS: usize = 64;

/// Options for [`Reader::open_with`].
#[derive(Debug, Clone, Default)]
pub struct ReaderOptions {
    /// The bounds applied while parsing.
    pub limits: Limits,
    /// Open an encrypted file that cannot be decrypted anyway (for inspection: strings and
    /// streams stay encrypted, and object streams cannot be decoded). Default: refuse it with
    /// the reason ([`PdfError::EncryptionUnsupported`](super::PdfError::EncryptionUnsupported),
    /// [`PdfError::Password`](super::PdfError::Password)).
    pub allow_encrypted: bool,
    /// The password of an encrypted file (user or owner; empty by default, which opens the
    /// common owner-restricted documents). Strings and streams are then decrypted for
    /// reading (standard security handler: RC4, AES-128, AES-256).
    pub password: Vec<u8>,
}

/// The kind of a cross-reference section.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum XrefKind {
    /// A classic `xref` table with a `trailer` dictionary.
    Table,
    /// A cross-reference stream (`/Type /XRef`, PDF 1.5).
    Stream,
    /// A classic table whose trailer has `/XRefStm` (a hybrid-reference file).
    Hybrid,
}

/// One cross-reference entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum XrefEntry {
    /// A free entry.
    Free {
        /// Next free object number (as written).
        next: u64,
        /// Generation to use when the number is reused.
        r#gen: u16,
    },
    /// An object stored uncompressed at `offset`.
    InUse {
        /// Absolute offset of `N G obj`.
        offset: u64,
        /// Generation number.
        r#gen: u16,
    },
    /// An object stored in an object stream (generation 0).
    Compressed {
        /// Object number of the object stream.
        stream: u32,
        /// Index of the object within the stream.
        index: u32,
    },
}

impl XrefEntry {
    /// The generation an existing object has under this entry (`None` for free entries).
    pub fn generation(&self) -> Option<u16> {
        match self {
            XrefEntry::Free { .. } => None,
            XrefEntry::InUse { r#gen, .. } => Some(*r#gen),
            XrefEntry::Compressed { .. } => Some(0),
        }
    }
}

/// One revision of the file: the state after one save, i.e. the file truncated after
/// [`Revision::end_offset`]. A revision normally has one cross-reference section; a linearized
/// file's first revision has two (the first-page section and the main one).
#[derive(Debug, Clone)]
pub struct Revision {
    /// The `startxref` value that opens this revision: offset of its newest xref section.
    pub xref_offset: u64,
    /// The kind of that section.
    pub kind: XrefKind,
    /// That section's trailer (for an xref stream: the stream dictionary).
    pub trailer: Dictionary,
    /// Offsets of every xref section this revision introduced, newest first.
    pub section_offsets: Vec<u64>,
    /// Offset of the `%%EOF` that ends the revision.
    pub eof_offset: u64,
    /// Offset just after that `%%EOF` and its end-of-line marker (CR, LF or CRLF) when there
    /// is one. A signature made before the EOL was added (or a writer that omits it) covers up
    /// to `eof_offset + 5`: compare a ByteRange end with both.
    pub end_offset: u64,
}

/// One cross-reference section as parsed.
#[derive(Debug)]
struct Section {
    offset: u64,
    /// The offset as `startxref` or `/Prev` named it (differs from `offset` when a shifted
    /// offset was tolerated).
    named: u64,
    kind: XrefKind,
    trailer: Dictionary,
    /// Sorted by object number, one entry per number.
    entries: Vec<(u32, XrefEntry)>,
    /// The `startxref … %%EOF` directly after the section, if any.
    marker: Option<EofMarker>,
    /// The object number of the section's xref stream (or of its `/XRefStm` stream).
    stream_num: Option<u32>,
    /// In a hybrid section: the object numbers whose entry came from the `/XRefStm` stream.
    from_stream: Vec<u32>,
}

/// A lazy, strict PDF reader over a `Read + Seek` source.
pub struct Reader<R = File> {
    src: RefCell<Source<R>>,
    file_len: u64,
    header_offset: u64,
    version: (u8, u8),
    ends_with_eol: bool,
    /// Newest first.
    sections: Vec<Section>,
    /// Oldest first.
    revisions: Vec<Revision>,
    /// Index in `sections` of each revision's head section.
    rev_head: Vec<usize>,
    /// The merged newest view, sorted by object number.
    latest: Vec<(u32, XrefEntry)>,
    /// Every offset where an object or xref section starts, sorted, deduplicated.
    starts: Vec<u64>,
    options: ReaderOptions,
    encrypted: bool,
    /// Decrypts strings and streams of an encrypted file opened with its password.
    decryptor: Option<crate::pdf::crypt::Decryptor>,
    /// Tolerated defects, in the order found (objects are loaded on demand, so some are
    /// found after opening).
    defects: RefCell<Vec<Defect>>,
    /// Bytes after the last complete revision that belong to no revision: (offset, length).
    unaccounted: Option<(u64, u64)>,
    objstm_cache: RefCell<Vec<ObjStm>>,
    depth: Cell<usize>,
}

impl<R> std::fmt::Debug for Reader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reader")
            .field("file_len", &self.file_len)
            .field("version", &self.version)
            .field("revisions", &self.revisions.len())
            .field("objects", &self.latest.len())
            .finish()
    }
}

impl<R> Reader<R> {
    // ----- public queries -----

    /// Length of the file in bytes.
    pub fn file_len(&self) -> u64 {
        self.file_len
    }

    /// Offset of `%PDF-` (junk of up to 1024 bytes before it is tolerated; xref offsets are
    /// still absolute file offsets).
    pub fn header_offset(&self) -> u64 {
        self.header_offset
    }

    /// The header's version, e.g. `(1, 7)`.
    pub fn version(&self) -> (u8, u8) {
        self.version
    }

    /// True when the file is encrypted (only possible with
    /// [`ReaderOptions::allow_encrypted`]).
    pub fn is_encrypted(&self) -> bool {
        self.encrypted
    }

    /// The harmless defects tolerated while opening the file (see `docs/tolerated-defects.md`).
    /// Defects of objects are found when the objects are loaded: ask after reading them.
    pub fn defects(&self) -> Vec<Defect> {
        self.defects.borrow().clone()
    }

    /// Records a tolerated defect once.
    fn note_defect(&self, d: Defect) {
        let mut v = self.defects.borrow_mut();
        if !v.contains(&d) && v.len() < MAX_DEFECTS {
            v.push(d);
        }
    }

    /// When the file does not end with a complete `startxref … %%EOF`, it is read as of its
    /// last complete revision: this is the `(offset, length)` of the bytes after that
    /// revision, which no cross-reference section accounts for (an incremental saving attack
    /// puts content there for repairing viewers). `None` for a well-formed file.
    pub fn unaccounted_tail(&self) -> Option<(u64, u64)> {
        self.unaccounted
    }

    /// For an encrypted file being decrypted: what encrypts it (e.g. `AES-128 (standard
    /// security handler, R4)`). `None` for a plain file, or one opened for inspection only.
    pub fn encryption(&self) -> Option<&str> {
        self.decryptor.as_ref().map(|d| d.description.as_str())
    }

    /// What decrypts (and, for an incremental update, encrypts) the objects of an encrypted
    /// file opened with its password.
    pub(crate) fn crypt(&self) -> Option<&crate::pdf::crypt::Decryptor> {
        self.decryptor.as_ref()
    }

    /// The options in use.
    pub fn options(&self) -> &ReaderOptions {
        &self.options
    }

    /// The limits in use.
    pub fn limits(&self) -> &Limits {
        &self.options.limits
    }

    /// The newest trailer (for an xref stream: its dictionary).
    pub fn trailer(&self) -> &Dictionary {
        // read_chain guarantees at least one section.
        static EMPTY: std::sync::OnceLock<Dictionary> = std::sync::OnceLock::new();
        self.sections
            .first()
            .map(|s| &s.trailer)
            .unwrap_or_else(|| EMPTY.get_or_init(Dictionary::new))
    }

    /// The revisions, oldest first. The last one is the file as a whole.
    pub fn revisions(&self) -> &[Revision] {
        &self.revisions
    }

    /// The kind of the newest xref section.
    pub fn xref_kind_last(&self) -> XrefKind {
        self.sections.first().map_or(XrefKind::Table, |s| s.kind)
    }

    /// The newest `startxref` value (offset of the newest xref section).
    pub fn last_xref_offset(&self) -> u64 {
        self.sections.first().map_or(0, |s| s.offset)
    }

    /// The newest trailer's `/Size`.
    pub fn trailer_size(&self) -> Option<u64> {
        self.trailer()
            .get_int("Size")
            .and_then(|v| u64::try_from(v).ok())
    }

    /// The highest object number in any xref section (free entries and xref streams included).
    pub fn max_object_number(&self) -> u32 {
        self.sections
            .iter()
            .filter_map(|s| {
                let last = s.entries.last().map(|(n, _)| *n);
                last.max(s.stream_num)
            })
            .max()
            .unwrap_or(0)
    }

    /// The first object number that is safe for a new object: above every number in any xref
    /// section and at least every trailer's `/Size`.
    pub fn next_object_number(&self) -> u64 {
        let sizes = self
            .sections
            .iter()
            .filter_map(|s| s.trailer.get_int("Size"))
            .filter_map(|v| u64::try_from(v).ok())
            .max()
            .unwrap_or(1);
        sizes.max(u64::from(self.max_object_number()) + 1).max(1)
    }

    /// What must be written between the original bytes and an appended update: `"\n"` when
    /// the file does not end with an end-of-line marker, else nothing.
    pub fn append_separator(&self) -> &'static [u8] {
        if self.ends_with_eol { b"" } else { b"\n" }
    }
}
