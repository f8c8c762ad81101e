//! PDF plumbing with no signature knowledge: a strict, lazy [`Reader`], the object model
//! ([`Object`], [`Dictionary`], [`Stream`], …) with its serializer, and an
//! [`IncrementalWriter`] that appends an update without changing an earlier byte.
//!
//! The reader reads only what it needs from a `Read + Seek` source: the header, the tail
//! (`startxref`), the cross-reference chain, then single objects on demand. Everything is
//! bounded by [`Limits`]; input that does not follow the rules is refused with a typed
//! [`PdfError`], never repaired silently. The choices made where the standard leaves room are
//! listed in `src/pdf/README.md`.
//!
//! ```no_run
//! use sigform::pdf::{IncrementalWriter, Object, Reader};
//! # fn main() -> Result<(), sigform::pdf::PdfError> {
//! let reader = Reader::open("in.pdf")?;
//! let catalog = reader.catalog()?;
//! let pages = reader.page_refs()?;
//! let mut w = IncrementalWriter::new(&reader)?;
//! let note = w.add(Object::text("hello"));
//! let mut out = std::fs::read("in.pdf").map_err(PdfError::from)?;
//! out.extend_from_slice(reader.append_separator());
//! let base = out.len() as u64;
//! let report = w.write(&mut out, base)?;
//! # let _ = (catalog, pages, note, report);
//! # use sigform::pdf::PdfError;
//! # Ok(()) }
//! ```

mod crypt;
pub mod filter;
pub mod object;
mod parser;
pub mod reader;
pub mod writer;

pub use object::{
    Dictionary, ObjRef, Object, PdfString, Stream, StreamData, decode_text_string,
    encode_text_string,
};
pub use parser::parse_object;
pub use reader::{PageNode, Reader, ReaderOptions, Revision, XrefEntry, XrefKind};
pub use writer::{IncrementalWriter, WriteReport, WrittenObject};

/// Result alias of the PDF layer.
pub type Result<T, E = PdfError> = std::result::Result<T, E>;

/// Everything that can go wrong reading or writing a PDF. Offsets are absolute byte offsets in
/// the file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PdfError {
    /// The file is encrypted (`/Encrypt` in the trailer); sigform does not sign or verify
    /// encrypted PDFs.
    #[error("encrypted PDF not supported")]
    Encrypted,
    /// The file is encrypted with a handler or method sigform does not decrypt (public-key
    /// security handlers such as `/Adobe.PubSec`, unknown crypt filter methods, …).
    #[error("encrypted PDF: {0}")]
    EncryptionUnsupported(String),
    /// The file is encrypted and the password given (empty by default) opens it neither as
    /// the user nor as the owner.
    #[error("encrypted PDF: {detail}")]
    Password {
        /// What to do about it.
        detail: String,
    },
    /// The cross-reference information is broken: bad `startxref`, an offset that does not
    /// point at the object the entry names, a `/Prev` loop, …
    #[error("broken cross-reference: {detail}")]
    BrokenXref {
        /// What is wrong, with offsets and object numbers.
        detail: String,
    },
    /// The syntax at `offset` is malformed.
    #[error("malformed PDF at offset {offset}: {detail}")]
    Malformed {
        /// Absolute offset where the problem was found.
        offset: u64,
        /// What is wrong.
        detail: String,
    },
    /// The object is not in the cross-reference table (or is free there).
    #[error("object {0} does not exist")]
    MissingObject(ObjRef),
    /// A limit was exceeded (nesting, sizes, counts, decoded length).
    #[error("too large: {what}")]
    TooLarge {
        /// Which limit, with context.
        what: String,
    },
    /// A valid feature this implementation does not support (a filter, …).
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// A stream filter failed to decode its data.
    #[error("stream decoding failed: {0}")]
    Decode(String),
    /// The caller used the API wrongly (e.g. updating an object number that was never
    /// allocated).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// Reading or writing failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
}

/// Bounds that keep hostile input from exhausting memory, stack or time.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Deepest nesting of arrays and dictionaries.
    pub max_depth: usize,
    /// Longest string, in decoded bytes.
    pub max_string_len: usize,
    /// Longest name, in bytes as written.
    pub max_name_len: usize,
    /// Most items in one array or entries in one dictionary.
    pub max_collection_len: usize,
    /// Most bytes the syntax of one indirect object may span (stream data not counted).
    pub max_object_bytes: u64,
    /// Largest decoded stream (decompression-bomb guard).
    pub max_decoded_stream: u64,
    /// Most cross-reference sections in the `/Prev` chain.
    pub max_xref_sections: usize,
    /// Most cross-reference entries over all sections.
    pub max_xref_entries: usize,
    /// Longest chain of references followed by [`Reader::resolve`], and deepest nesting of
    /// object loads (a `/Length` or object stream needing another object).
    pub max_ref_chain: usize,
    /// Most pages and page-tree nodes.
    pub max_pages: usize,
    /// Deepest page tree.
    pub max_page_tree_depth: usize,
    /// Most objects in one object stream.
    pub max_objstm_objects: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 64,
            max_string_len: 32 << 20,
            max_name_len: 4096,
            max_collection_len: 1 << 20,
            max_object_bytes: 64 << 20,
            max_decoded_stream: 256 << 20,
            max_xref_sections: 10_000,
            max_xref_entries: 16 << 20,
            max_ref_chain: 32,
            max_pages: 1 << 20,
            max_page_tree_depth: 64,
            max_objstm_objects: 1 << 20,
        }
    }
}
