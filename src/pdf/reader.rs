//! The lazy, strict PDF reader.
//!
//! [`Reader::open`] reads the header, the tail (`startxref … %%EOF`) and the whole
//! cross-reference chain (tables, streams, hybrid files, `/Prev` links), groups its sections
//! into [`Revision`]s, and checks that the catalog loads. Objects are then parsed one at a
//! time, on demand, from a window of the file around their offset; stream data stays in the
//! file until asked for.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

use super::filter;
use super::object::{Dictionary, ObjRef, Object, Stream, StreamData};
use super::parser::{EofMarker, Indirect, PErr, PResult, Parser, show_token};
use super::{Limits, PdfError, Result};

/// How much of the file's end is searched for `startxref`.
const TAIL_LEN: u64 = 2048;
/// How far into the file the `%PDF-` header may start.
const HEADER_SEARCH: u64 = 1024;
/// First window read for one object.
const FIRST_WINDOW: usize = 1024;
/// Decoded object streams kept in memory (least recently used first out): at most this many
/// bytes, and always the last one used.
const OBJSTM_CACHE_BYTES: usize = 32 << 20;

/// Options for [`Reader::open_with`].
#[derive(Debug, Clone, Default)]
pub struct ReaderOptions {
    /// The bounds applied while parsing.
    pub limits: Limits,
    /// Open an encrypted file anyway (for inspection: strings and streams stay encrypted, and
    /// object streams cannot be decoded). Default: refuse with [`PdfError::Encrypted`].
    pub allow_encrypted: bool,
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
    kind: XrefKind,
    trailer: Dictionary,
    /// Sorted by object number, one entry per number.
    entries: Vec<(u32, XrefEntry)>,
    /// The `startxref … %%EOF` directly after the section, if any.
    marker: Option<EofMarker>,
    /// The object number of the section's xref stream (or of its `/XRefStm` stream).
    stream_num: Option<u32>,
}

/// A decoded object stream.
#[derive(Debug)]
struct ObjStm {
    /// File offset of the object stream's object (the cache key).
    key: u64,
    num: u32,
    /// (object number, start, end) of each object within `data`.
    objects: Vec<(u32, usize, usize)>,
    data: Vec<u8>,
}

struct Source<R> {
    inner: R,
    len: u64,
}

impl<R: Read + Seek> Source<R> {
    fn read_at(&mut self, offset: u64, len: u64) -> Result<Vec<u8>> {
        let end = offset
            .checked_add(len)
            .filter(|&e| e <= self.len)
            .ok_or_else(|| PdfError::Malformed {
                offset,
                detail: format!("read of {len} bytes beyond the end of the file"),
            })?;
        let n = usize::try_from(end - offset).map_err(|_| PdfError::TooLarge {
            what: format!("read of {len} bytes"),
        })?;
        self.inner.seek(SeekFrom::Start(offset))?;
        let mut buf = vec![0u8; n];
        self.inner.read_exact(&mut buf)?;
        Ok(buf)
    }
}

/// Decrements the load depth when dropped.
struct DepthGuard<'a>(&'a Cell<usize>);

impl Drop for DepthGuard<'_> {
    fn drop(&mut self) {
        self.0.set(self.0.get().saturating_sub(1));
    }
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

impl Reader<File> {
    /// Opens a PDF file with the default options.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        Reader::open_with(path, ReaderOptions::default())
    }

    /// Opens a PDF file.
    pub fn open_with(path: impl AsRef<Path>, options: ReaderOptions) -> Result<Self> {
        let f = File::open(path.as_ref())?;
        Reader::from_reader_with(f, options)
    }
}

impl<R: Read + Seek> Reader<R> {
    /// Reads a PDF from any `Read + Seek` source (a `File`, a `Cursor<Vec<u8>>`, …).
    pub fn from_reader(src: R) -> Result<Self> {
        Reader::from_reader_with(src, ReaderOptions::default())
    }

    /// Reads a PDF from a `Read + Seek` source with options.
    pub fn from_reader_with(mut src: R, options: ReaderOptions) -> Result<Self> {
        let file_len = src.seek(SeekFrom::End(0))?;
        let mut reader = Reader {
            src: RefCell::new(Source {
                inner: src,
                len: file_len,
            }),
            file_len,
            header_offset: 0,
            version: (0, 0),
            ends_with_eol: false,
            sections: Vec::new(),
            revisions: Vec::new(),
            rev_head: Vec::new(),
            latest: Vec::new(),
            starts: Vec::new(),
            options,
            encrypted: false,
            objstm_cache: RefCell::new(Vec::new()),
            depth: Cell::new(0),
        };
        reader.read_header()?;
        let tail = reader.read_tail()?;
        reader.read_chain(tail)?;
        reader.encrypted = reader
            .sections
            .iter()
            .any(|s| s.trailer.contains_key("Encrypt"));
        if reader.encrypted && !reader.options.allow_encrypted {
            return Err(PdfError::Encrypted);
        }
        // The catalog must load (an encrypted file's may sit in an encrypted object stream).
        if !reader.encrypted {
            reader.catalog()?;
        }
        Ok(reader)
    }

    fn read(&self, offset: u64, len: u64) -> Result<Vec<u8>> {
        self.src.borrow_mut().read_at(offset, len)
    }

    fn read_header(&mut self) -> Result<()> {
        let n = self.file_len.min(HEADER_SEARCH + 8);
        let head = self.read(0, n)?;
        let pos = find(&head, b"%PDF-")
            .filter(|&p| p as u64 <= HEADER_SEARCH)
            .ok_or_else(|| PdfError::Malformed {
                offset: 0,
                detail: format!("no `%PDF-` header in the first {HEADER_SEARCH} bytes"),
            })?;
        let v = head.get(pos + 5..pos + 8).unwrap_or(&[]);
        match v {
            [maj @ b'0'..=b'9', b'.', min @ b'0'..=b'9'] => {
                self.version = (maj - b'0', min - b'0');
            }
            _ => {
                return Err(PdfError::Malformed {
                    offset: pos as u64,
                    detail: format!("bad header version `{}`", show_token(v)),
                });
            }
        }
        self.header_offset = pos as u64;
        Ok(())
    }

    fn read_tail(&mut self) -> Result<EofMarker> {
        let n = self.file_len.min(TAIL_LEN);
        let start = self.file_len - n;
        let tail = self.read(start, n)?;
        self.ends_with_eol = matches!(tail.last(), Some(b'\n' | b'\r'));
        let pos = rfind(&tail, b"startxref").ok_or_else(|| PdfError::BrokenXref {
            detail: format!("no `startxref` in the last {TAIL_LEN} bytes"),
        })?;
        let rest = tail.get(pos..).unwrap_or(&[]);
        let base = start + pos as u64;
        let mut p = Parser::new(rest, base, true, &self.options.limits);
        let marker = match p.eof_marker() {
            Ok(Some(m)) => m,
            _ => {
                return Err(PdfError::BrokenXref {
                    detail: format!(
                        "`startxref` at offset {base} is not followed by an offset and `%%EOF`"
                    ),
                });
            }
        };
        if marker.startxref >= self.file_len {
            return Err(PdfError::BrokenXref {
                detail: format!(
                    "startxref {} is beyond the end of the file ({} bytes)",
                    marker.startxref, self.file_len
                ),
            });
        }
        Ok(marker)
    }

    /// Runs `f` on a parser over a window of the file at `offset`, growing the window while
    /// the parser needs more bytes, up to `max` bytes and never past `end` (which the parser
    /// sees as the end of the data).
    #[allow(clippy::too_many_arguments)]
    fn with_window<T>(
        &self,
        offset: u64,
        end: u64,
        first: usize,
        max: u64,
        what: &dyn Fn() -> String,
        mut f: impl FnMut(&mut Parser<'_>) -> PResult<T>,
    ) -> Result<T> {
        let available =
            end.min(self.file_len)
                .checked_sub(offset)
                .ok_or_else(|| PdfError::Malformed {
                    offset,
                    detail: "offset beyond the end of the file".into(),
                })?;
        let mut window = (first as u64).min(max).max(1);
        loop {
            let len = window.min(available);
            let buf = self.read(offset, len)?;
            let at_eof = len == available;
            let mut p = Parser::new(&buf, offset, at_eof, &self.options.limits);
            match f(&mut p) {
                Ok(v) => return Ok(v),
                Err(PErr::Fatal(e)) => return Err(e),
                Err(PErr::Incomplete) => {
                    if at_eof {
                        return Err(PdfError::Malformed {
                            offset,
                            detail: format!("unexpected end of data in {}", what()),
                        });
                    }
                    if window >= max {
                        return Err(PdfError::TooLarge {
                            what: format!(
                                "{} at offset {offset} spans more than {max} bytes",
                                what()
                            ),
                        });
                    }
                    window = window.saturating_mul(8).min(max);
                }
            }
        }
    }

    fn read_chain(&mut self, tail: EofMarker) -> Result<()> {
        let limits = self.options.limits.clone();
        let mut visited: HashSet<u64> = HashSet::new();
        let mut next = Some(tail.startxref);
        let mut total_entries = 0usize;
        while let Some(offset) = next {
            if !visited.insert(offset) {
                return Err(PdfError::BrokenXref {
                    detail: format!("loop in the /Prev chain at offset {offset}"),
                });
            }
            if self.sections.len() >= limits.max_xref_sections {
                return Err(PdfError::TooLarge {
                    what: format!("more than {} xref sections", limits.max_xref_sections),
                });
            }
            let section = self.read_section(offset, &mut visited, &mut total_entries)?;
            next = match section.trailer.get("Prev") {
                None => None,
                Some(Object::Integer(p)) => {
                    let p = u64::try_from(*p)
                        .ok()
                        .filter(|&p| p < self.file_len)
                        .ok_or_else(|| PdfError::BrokenXref {
                            detail: format!(
                                "/Prev {p} of the xref section at {offset} is outside the file"
                            ),
                        })?;
                    Some(p)
                }
                Some(o) => {
                    return Err(PdfError::BrokenXref {
                        detail: format!(
                            "/Prev of the xref section at {offset} is a {}",
                            o.type_name()
                        ),
                    });
                }
            };
            self.sections.push(section);
        }
        let newest = self.sections.first().ok_or_else(|| PdfError::BrokenXref {
            detail: "no xref section".into(),
        })?;
        match newest.trailer.get("Root") {
            Some(Object::Reference(_)) => {}
            _ => {
                return Err(PdfError::BrokenXref {
                    detail: "the newest trailer has no /Root reference".into(),
                });
            }
        }
        self.group_revisions(tail);
        self.merge_latest();
        let mut starts: Vec<u64> = self.sections.iter().map(|s| s.offset).collect();
        for s in &self.sections {
            starts.extend(s.entries.iter().filter_map(|(_, e)| match e {
                XrefEntry::InUse { offset, .. } => Some(*offset),
                _ => None,
            }));
        }
        starts.sort_unstable();
        starts.dedup();
        self.starts = starts;
        Ok(())
    }

    /// The first object or xref-section start after `offset` (else the end of the file).
    fn object_bound(&self, offset: u64) -> u64 {
        let i = self.starts.partition_point(|&s| s <= offset);
        self.starts.get(i).copied().unwrap_or(self.file_len)
    }

    fn group_revisions(&mut self, tail: EofMarker) {
        // A section heads a revision when a `startxref` names it: the file's last one for the
        // newest section, else the marker after it or after an older section (linearized files:
        // the marker after the main section names the first-page section).
        // Walk from the oldest section to the newest, remembering for each startxref value the
        // newest marker seen so far: for section i that is the nearest marker at or after i.
        let mut named: HashMap<u64, EofMarker> = HashMap::new();
        let mut heads: Vec<(usize, EofMarker)> = Vec::new();
        for (i, s) in self.sections.iter().enumerate().rev() {
            if let Some(m) = s.marker {
                named.insert(m.startxref, m);
            }
            let marker = if i == 0 {
                Some(tail)
            } else {
                named.get(&s.offset).copied()
            };
            if let Some(m) = marker {
                heads.push((i, m));
            }
        }
        heads.reverse();
        let mut revisions = Vec::with_capacity(heads.len());
        let mut rev_head = Vec::with_capacity(heads.len());
        for (k, (i, m)) in heads.iter().enumerate() {
            let stop = heads.get(k + 1).map_or(self.sections.len(), |(j, _)| *j);
            let Some(head) = self.sections.get(*i) else {
                continue;
            };
            revisions.push(Revision {
                xref_offset: head.offset,
                kind: head.kind,
                trailer: head.trailer.clone(),
                section_offsets: self
                    .sections
                    .get(*i..stop)
                    .unwrap_or(&[])
                    .iter()
                    .map(|s| s.offset)
                    .collect(),
                eof_offset: m.eof_offset,
                end_offset: m.end,
            });
            rev_head.push(*i);
        }
        revisions.reverse();
        rev_head.reverse();
        self.revisions = revisions;
        self.rev_head = rev_head;
    }

    fn merge_latest(&mut self) {
        let mut map: HashMap<u32, XrefEntry> = HashMap::new();
        for s in self.sections.iter().rev() {
            for (n, e) in &s.entries {
                map.insert(*n, *e);
            }
        }
        let mut v: Vec<(u32, XrefEntry)> = map.into_iter().collect();
        v.sort_unstable_by_key(|(n, _)| *n);
        self.latest = v;
    }

    fn read_section(
        &self,
        offset: u64,
        visited: &mut HashSet<u64>,
        total: &mut usize,
    ) -> Result<Section> {
        let first = self.read(offset, 4.min(self.file_len.saturating_sub(offset)))?;
        if first.starts_with(b"xref") {
            let (mut entries, trailer, marker) = self.read_table(offset, total)?;
            let mut kind = XrefKind::Table;
            let mut stream_num = None;
            if let Some(x) = trailer.get("XRefStm") {
                let xo = x
                    .as_int()
                    .and_then(|v| u64::try_from(v).ok())
                    .filter(|&v| v < self.file_len)
                    .ok_or_else(|| PdfError::BrokenXref {
                        detail: format!(
                            "bad /XRefStm in the trailer of the xref table at {offset}"
                        ),
                    })?;
                if !visited.insert(xo) {
                    return Err(PdfError::BrokenXref {
                        detail: format!("/XRefStm {xo} points at an xref section already read"),
                    });
                }
                let (stream_entries, _, _, sr) = self.read_xref_stream(xo, total)?;
                stream_num = Some(sr.num);
                // The table's in-use entries win; its free entries give way to the stream's.
                let mut map: HashMap<u32, XrefEntry> = stream_entries.into_iter().collect();
                for (n, e) in entries.drain(..) {
                    if matches!(e, XrefEntry::InUse { .. }) || !map.contains_key(&n) {
                        map.insert(n, e);
                    }
                }
                entries = map.into_iter().collect();
                entries.sort_unstable_by_key(|(n, _)| *n);
                kind = XrefKind::Hybrid;
            }
            Ok(Section {
                offset,
                kind,
                trailer,
                entries,
                marker,
                stream_num,
            })
        } else if first.first().is_some_and(u8::is_ascii_digit) {
            let (entries, trailer, marker, sr) = self.read_xref_stream(offset, total)?;
            Ok(Section {
                offset,
                kind: XrefKind::Stream,
                trailer,
                entries,
                marker,
                stream_num: Some(sr.num),
            })
        } else {
            Err(PdfError::BrokenXref {
                detail: format!(
                    "offset {offset} (from startxref or /Prev) points at neither `xref` nor an xref stream object"
                ),
            })
        }
    }

    #[allow(clippy::type_complexity)]
    fn read_table(
        &self,
        offset: u64,
        total: &mut usize,
    ) -> Result<(Vec<(u32, XrefEntry)>, Dictionary, Option<EofMarker>)> {
        let limits = &self.options.limits;
        let file_len = self.file_len;
        let budget = limits.max_xref_entries.saturating_sub(*total);
        let (entries, trailer, marker) = self.with_window(
            offset,
            file_len,
            64 * 1024,
            limits.max_decoded_stream,
            &|| "xref table".to_string(),
            |p| {
                p.expect_keyword("xref")?;
                let mut entries: Vec<(u32, XrefEntry)> = Vec::new();
                loop {
                    p.skip_ws()?;
                    let save = p.pos();
                    let t = p.token()?;
                    if t == b"trailer" {
                        break;
                    }
                    p.set_pos(save);
                    let sub_at = p.offset();
                    let start = p.unsigned("the first object number of an xref subsection")?;
                    let count = p.unsigned("the entry count of an xref subsection")?;
                    let remaining = file_len.saturating_sub(p.offset());
                    if count.saturating_mul(5) > remaining {
                        return Err(PErr::Fatal(PdfError::BrokenXref {
                            detail: format!(
                                "xref subsection at {sub_at} claims {count} entries, more than the file can hold"
                            ),
                        }));
                    }
                    if entries.len() as u64 + count > budget as u64 {
                        return Err(PErr::Fatal(PdfError::TooLarge {
                            what: format!("more than {} xref entries", limits.max_xref_entries),
                        }));
                    }
                    for i in 0..count {
                        let at = p.offset();
                        let a = p.unsigned("an xref entry offset")?;
                        let b = p.unsigned("an xref entry generation")?;
                        let kind = p.token()?;
                        let num = start
                            .checked_add(i)
                            .and_then(|n| u32::try_from(n).ok())
                            .ok_or_else(|| {
                                PErr::Fatal(PdfError::BrokenXref {
                                    detail: format!("object number too large in the xref table at {sub_at}"),
                                })
                            })?;
                        let r#gen = u16::try_from(b).map_err(|_| {
                            PErr::Fatal(PdfError::BrokenXref {
                                detail: format!("generation {b} too large in the xref entry at {at}"),
                            })
                        })?;
                        let e = match kind {
                            b"n" => XrefEntry::InUse { offset: a, r#gen },
                            b"f" => XrefEntry::Free { next: a, r#gen },
                            _ => {
                                return Err(PErr::Fatal(PdfError::BrokenXref {
                                    detail: format!(
                                        "xref entry at {at} has type `{}` (expected n or f)",
                                        show_token(kind)
                                    ),
                                }));
                            }
                        };
                        entries.push((num, e));
                    }
                }
                let trailer = match p.object(0)? {
                    Object::Dictionary(d) => d,
                    o => {
                        return Err(PErr::Fatal(PdfError::Malformed {
                            offset: p.offset(),
                            detail: format!("trailer is a {}, not a dictionary", o.type_name()),
                        }));
                    }
                };
                let marker = p.eof_marker()?;
                Ok((entries, trailer, marker))
            },
        )?;
        let entries = self.finish_entries(entries, offset)?;
        *total = total.saturating_add(entries.len());
        Ok((entries, trailer, marker))
    }

    /// Sorts, refuses duplicates, checks in-use offsets against the file size, drops object 0.
    fn finish_entries(
        &self,
        mut entries: Vec<(u32, XrefEntry)>,
        section: u64,
    ) -> Result<Vec<(u32, XrefEntry)>> {
        entries.sort_by_key(|(n, _)| *n);
        for w in entries.windows(2) {
            if let [(a, _), (b, _)] = w
                && a == b
            {
                return Err(PdfError::BrokenXref {
                    detail: format!("object {a} listed twice in the xref section at {section}"),
                });
            }
        }
        entries.retain(|(n, e)| *n != 0 || matches!(e, XrefEntry::Free { .. }));
        for (n, e) in &entries {
            if let XrefEntry::InUse { offset, .. } = e
                && *offset >= self.file_len
            {
                return Err(PdfError::BrokenXref {
                    detail: format!(
                        "xref entry for object {n} (section at {section}) points at offset {offset}, beyond the end of the file"
                    ),
                });
            }
        }
        Ok(entries)
    }

    #[allow(clippy::type_complexity)]
    fn read_xref_stream(
        &self,
        offset: u64,
        total: &mut usize,
    ) -> Result<(Vec<(u32, XrefEntry)>, Dictionary, Option<EofMarker>, ObjRef)> {
        let limits = &self.options.limits;
        let (r, dict, data_offset) = self
            .with_window(
                offset,
                self.file_len,
                FIRST_WINDOW,
                limits.max_object_bytes,
                &|| "xref stream".to_string(),
                |p| {
                    let r = p.indirect_header()?;
                    match p.indirect_body()? {
                        Indirect::Stream { dict, data_offset } => Ok((r, dict, data_offset)),
                        Indirect::Object { .. } => Err(PErr::Fatal(PdfError::BrokenXref {
                            detail: format!("object at {offset} should be an xref stream"),
                        })),
                    }
                },
            )
            .map_err(|e| match e {
                PdfError::Malformed { offset: o, detail } => PdfError::BrokenXref {
                    detail: format!(
                        "no xref stream at offset {offset} (from startxref, /Prev or /XRefStm): {detail} (at {o})"
                    ),
                },
                e => e,
            })?;
        if dict.get_name("Type") != Some(b"XRef") {
            return Err(PdfError::BrokenXref {
                detail: format!("object {r} at {offset} is a stream without /Type /XRef"),
            });
        }
        let len = match dict.get("Length") {
            Some(Object::Integer(l)) if *l >= 0 => *l as u64,
            _ => {
                return Err(PdfError::Malformed {
                    offset,
                    detail: "an xref stream needs a direct, non-negative /Length".into(),
                });
            }
        };
        let data_end = data_offset
            .checked_add(len)
            .filter(|&e| e <= self.file_len)
            .ok_or_else(|| PdfError::Malformed {
                offset: data_offset,
                detail: format!("xref stream /Length {len} runs beyond the end of the file"),
            })?;
        if len > limits.max_decoded_stream {
            return Err(PdfError::TooLarge {
                what: format!("xref stream of {len} bytes"),
            });
        }
        let marker = self.with_window(
            data_end,
            self.file_len,
            256,
            64 * 1024,
            &|| "end of the xref stream".to_string(),
            |p| {
                p.stream_end()?;
                p.eof_marker()
            },
        )?;
        let raw = self.read(data_offset, len)?;
        let data = filter::decode(&dict, &raw, limits.max_decoded_stream)?;
        let entries = self.xref_stream_entries(&dict, &data, offset, total)?;
        let entries = self.finish_entries(entries, offset)?;
        *total = total.saturating_add(entries.len());
        Ok((entries, dict, marker, r))
    }

    fn xref_stream_entries(
        &self,
        dict: &Dictionary,
        data: &[u8],
        offset: u64,
        total: &usize,
    ) -> Result<Vec<(u32, XrefEntry)>> {
        let bad = |detail: String| PdfError::BrokenXref {
            detail: format!("xref stream at {offset}: {detail}"),
        };
        let w: Vec<usize> = match dict.get("W").and_then(Object::as_array) {
            Some(items) if items.len() == 3 => items
                .iter()
                .map(|o| {
                    o.as_int()
                        .and_then(|v| usize::try_from(v).ok())
                        .filter(|&v| v <= 8)
                        .ok_or_else(|| bad("/W values must be integers 0–8".into()))
                })
                .collect::<Result<_>>()?,
            _ => return Err(bad("/W must be an array of three integers".into())),
        };
        let (w1, w2, w3) = match w.as_slice() {
            [a, b, c] => (*a, *b, *c),
            _ => return Err(bad("bad /W".into())),
        };
        let row = w1 + w2 + w3;
        if row == 0 {
            return Err(bad("/W [0 0 0]".into()));
        }
        let size = dict
            .get_int("Size")
            .and_then(|v| u64::try_from(v).ok())
            .ok_or_else(|| bad("/Size missing or negative".into()))?;
        let index: Vec<(u64, u64)> = match dict.get("Index") {
            None => vec![(0, size)],
            Some(Object::Array(items)) if items.len() % 2 == 0 => items
                .chunks(2)
                .map(|c| match c {
                    [a, b] => match (a.as_int(), b.as_int()) {
                        (Some(a), Some(b)) if a >= 0 && b >= 0 => Ok((a as u64, b as u64)),
                        _ => Err(bad("/Index values must be non-negative integers".into())),
                    },
                    _ => Err(bad("bad /Index".into())),
                })
                .collect::<Result<_>>()?,
            Some(_) => return Err(bad("/Index must be an array of pairs".into())),
        };
        let count: u64 = index
            .iter()
            .try_fold(0u64, |acc, (_, c)| acc.checked_add(*c))
            .ok_or_else(|| bad("/Index counts overflow".into()))?;
        let needed = count
            .checked_mul(row as u64)
            .ok_or_else(|| bad("/Index counts overflow".into()))?;
        if needed > data.len() as u64 {
            return Err(bad(format!(
                "{count} entries of {row} bytes need {needed} bytes, the stream has {}",
                data.len()
            )));
        }
        if count.saturating_add(*total as u64) > self.options.limits.max_xref_entries as u64 {
            return Err(PdfError::TooLarge {
                what: format!(
                    "more than {} xref entries",
                    self.options.limits.max_xref_entries
                ),
            });
        }
        let mut entries = Vec::with_capacity(count as usize);
        let mut rows = data.chunks_exact(row);
        for (start, n) in index {
            for i in 0..n {
                let num = start
                    .checked_add(i)
                    .and_then(|v| u32::try_from(v).ok())
                    .ok_or_else(|| bad("object number too large".into()))?;
                let r = rows.next().ok_or_else(|| bad("stream too short".into()))?;
                let (f1, rest) = r.split_at(w1.min(r.len()));
                let (f2, f3) = rest.split_at(w2.min(rest.len()));
                let t = if w1 == 0 { 1 } else { be(f1) };
                let a = be(f2);
                let b = be(f3);
                let e = match t {
                    0 => XrefEntry::Free {
                        next: a,
                        r#gen: u16::try_from(b).unwrap_or(u16::MAX),
                    },
                    1 => XrefEntry::InUse {
                        offset: a,
                        r#gen: u16::try_from(b)
                            .map_err(|_| bad(format!("generation {b} of object {num}")))?,
                    },
                    2 => XrefEntry::Compressed {
                        stream: u32::try_from(a).map_err(|_| {
                            bad(format!("object stream number {a} of object {num}"))
                        })?,
                        index: u32::try_from(b)
                            .map_err(|_| bad(format!("index {b} of object {num}")))?,
                    },
                    // Other types are reserved: the entry is a null reference.
                    _ => continue,
                };
                entries.push((num, e));
            }
        }
        Ok(entries)
    }

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

    /// The newest xref entry of object `num`.
    pub fn xref_entry(&self, num: u32) -> Option<XrefEntry> {
        lookup(&self.latest, num)
    }

    /// The xref entry of object `num` as of revision `revision` (index into
    /// [`Reader::revisions`]).
    pub fn xref_entry_in_revision(&self, num: u32, revision: usize) -> Result<Option<XrefEntry>> {
        let head = self.head_of(revision)?;
        Ok(self.lookup_from(num, head))
    }

    /// The entries the sections of revision `revision` define (what that save wrote or freed),
    /// sorted by object number.
    pub fn revision_entries(&self, revision: usize) -> Result<Vec<(u32, XrefEntry)>> {
        let head = self.head_of(revision)?;
        // Revisions are oldest first and their heads are newest-first section indices: the
        // sections of `revision` run from its head to the head of the revision before it.
        let older_head = match revision.checked_sub(1) {
            None => self.sections.len(),
            Some(k) => self.rev_head.get(k).copied().unwrap_or(self.sections.len()),
        };
        let mut map: HashMap<u32, XrefEntry> = HashMap::new();
        for s in self
            .sections
            .get(head..older_head)
            .unwrap_or(&[])
            .iter()
            .rev()
        {
            for (n, e) in &s.entries {
                map.insert(*n, *e);
            }
        }
        let mut v: Vec<(u32, XrefEntry)> = map.into_iter().collect();
        v.sort_unstable_by_key(|(n, _)| *n);
        Ok(v)
    }

    /// Every object the newest xref lists as existing (in use or compressed), with its
    /// generation, sorted by number.
    pub fn object_refs(&self) -> Vec<ObjRef> {
        self.latest
            .iter()
            .filter_map(|(n, e)| e.generation().map(|r#gen| ObjRef { num: *n, r#gen }))
            .collect()
    }

    /// Absolute offsets of the uncompressed objects in the newest view.
    pub fn object_offsets(&self) -> Vec<(ObjRef, u64)> {
        self.latest
            .iter()
            .filter_map(|(n, e)| match e {
                XrefEntry::InUse { offset, r#gen } => Some((
                    ObjRef {
                        num: *n,
                        r#gen: *r#gen,
                    },
                    *offset,
                )),
                _ => None,
            })
            .collect()
    }

    fn head_of(&self, revision: usize) -> Result<usize> {
        self.rev_head
            .get(revision)
            .copied()
            .ok_or_else(|| PdfError::InvalidArgument(format!("no revision {revision}")))
    }

    fn lookup_from(&self, num: u32, head: usize) -> Option<XrefEntry> {
        if head == 0 {
            return lookup(&self.latest, num);
        }
        self.sections
            .get(head..)
            .unwrap_or(&[])
            .iter()
            .find_map(|s| lookup(&s.entries, num))
    }

    // ----- objects -----

    /// Loads object `r` as the file is now. A free or absent entry, or one with another
    /// generation, is [`PdfError::MissingObject`].
    pub fn get(&self, r: ObjRef) -> Result<Object> {
        self.load(r, 0).map(|(o, _)| o)
    }

    /// Loads object `r` as of revision `revision` (index into [`Reader::revisions`]): the xref
    /// chain is truncated at that revision.
    pub fn get_in_revision(&self, r: ObjRef, revision: usize) -> Result<Object> {
        let head = self.head_of(revision)?;
        self.load(r, head).map(|(o, _)| o)
    }

    /// Follows references until a direct object (bounded by [`Limits::max_ref_chain`]). A
    /// reference to a missing object resolves to `null` (ISO 32000-2 §7.3.10).
    pub fn resolve(&self, obj: &Object) -> Result<Object> {
        self.resolve_from(obj, 0)
    }

    /// [`Reader::resolve`] as of revision `revision`.
    pub fn resolve_in_revision(&self, obj: &Object, revision: usize) -> Result<Object> {
        let head = self.head_of(revision)?;
        self.resolve_from(obj, head)
    }

    fn resolve_from(&self, obj: &Object, head: usize) -> Result<Object> {
        let mut current = match obj {
            Object::Reference(r) => *r,
            o => return Ok(o.clone()),
        };
        for _ in 0..self.options.limits.max_ref_chain {
            match self.load(current, head) {
                Ok((Object::Reference(next), _)) => current = next,
                Ok((o, _)) => return Ok(o),
                Err(PdfError::MissingObject(_)) => return Ok(Object::Null),
                Err(e) => return Err(e),
            }
        }
        Err(PdfError::TooLarge {
            what: format!(
                "chain of more than {} references from {}",
                self.options.limits.max_ref_chain,
                obj_ref_text(obj)
            ),
        })
    }

    /// Resolves `key` of `dict` (following references).
    pub fn resolve_key(&self, dict: &Dictionary, key: &str) -> Result<Object> {
        match dict.get(key) {
            Some(o) => self.resolve(o),
            None => Ok(Object::Null),
        }
    }

    /// The document catalog (`/Root` of the newest trailer).
    pub fn catalog(&self) -> Result<Dictionary> {
        let root = self
            .trailer()
            .get_ref("Root")
            .ok_or_else(|| PdfError::BrokenXref {
                detail: "the trailer has no /Root reference".into(),
            })?;
        match self.get(root)? {
            Object::Dictionary(d) => Ok(d),
            o => Err(PdfError::Malformed {
                offset: self.offset_of(root).unwrap_or(0),
                detail: format!(
                    "the catalog {root} is a {}, not a dictionary",
                    o.type_name()
                ),
            }),
        }
    }

    /// The reference of the catalog.
    pub fn catalog_ref(&self) -> Option<ObjRef> {
        self.trailer().get_ref("Root")
    }

    fn offset_of(&self, r: ObjRef) -> Option<u64> {
        match self.xref_entry(r.num)? {
            XrefEntry::InUse { offset, .. } => Some(offset),
            _ => None,
        }
    }

    /// The pages in document order, walking the page tree from `/Root /Pages`. Loops, kids
    /// that are direct objects, nodes that are neither `/Pages` nor `/Page` and trees deeper
    /// than [`Limits::max_page_tree_depth`] are refused. Inherited attributes are not resolved.
    pub fn page_refs(&self) -> Result<Vec<ObjRef>> {
        let limits = &self.options.limits;
        let catalog = self.catalog()?;
        let root = catalog
            .get_ref("Pages")
            .ok_or_else(|| PdfError::Malformed {
                offset: 0,
                detail: "the catalog's /Pages is not an indirect reference".into(),
            })?;
        let mut out = Vec::new();
        let mut visited: HashSet<ObjRef> = HashSet::new();
        let mut stack: Vec<(ObjRef, usize)> = vec![(root, 0)];
        while let Some((r, depth)) = stack.pop() {
            let bad = |detail: String| PdfError::Malformed {
                offset: self.offset_of(r).unwrap_or(0),
                detail,
            };
            if !visited.insert(r) {
                return Err(bad(format!("page tree loop: {r} is reached twice")));
            }
            if visited.len() > limits.max_pages {
                return Err(PdfError::TooLarge {
                    what: format!("page tree with more than {} nodes", limits.max_pages),
                });
            }
            let node = match self.get(r)? {
                Object::Dictionary(d) => d,
                o => return Err(bad(format!("page tree node {r} is a {}", o.type_name()))),
            };
            let is_pages = match node.get_name("Type") {
                Some(b"Pages") => true,
                Some(b"Page") => false,
                None => node.contains_key("Kids"),
                Some(t) => {
                    return Err(bad(format!(
                        "page tree node {r} has /Type /{}",
                        String::from_utf8_lossy(t)
                    )));
                }
            };
            if !is_pages {
                out.push(r);
                continue;
            }
            if depth >= limits.max_page_tree_depth {
                return Err(PdfError::TooLarge {
                    what: format!("page tree deeper than {}", limits.max_page_tree_depth),
                });
            }
            let kids = self.resolve_key(&node, "Kids")?;
            let kids = kids
                .as_array()
                .ok_or_else(|| bad(format!("/Kids of {r} is not an array")))?;
            for kid in kids.iter().rev() {
                match kid {
                    Object::Reference(k) => stack.push((*k, depth + 1)),
                    o => {
                        return Err(bad(format!(
                            "/Kids of {r} holds a direct {} (kids must be indirect)",
                            o.type_name()
                        )));
                    }
                }
            }
        }
        Ok(out)
    }

    /// The byte span `(start, end)` of object `r` in the file: from `N G obj` to just after
    /// `endobj`. For an object inside an object stream, the span of the object stream.
    pub fn raw_object_span(&self, r: ObjRef) -> Result<(u64, u64)> {
        match self.lookup_from(r.num, 0) {
            Some(XrefEntry::InUse { offset, r#gen }) if r#gen == r.r#gen => {
                let (_, end) = self.load(r, 0)?;
                Ok((offset, end))
            }
            Some(XrefEntry::Compressed { stream, .. }) if r.r#gen == 0 => {
                match self.lookup_from(stream, 0) {
                    Some(XrefEntry::InUse { r#gen, .. }) => {
                        self.raw_object_span(ObjRef { num: stream, r#gen })
                    }
                    _ => Err(PdfError::MissingObject(ObjRef {
                        num: stream,
                        r#gen: 0,
                    })),
                }
            }
            _ => Err(PdfError::MissingObject(r)),
        }
    }

    /// [`Reader::raw_object_span`] as of revision `revision` (index into
    /// [`Reader::revisions`]): the span of the version of `r` that revision sees.
    pub fn raw_object_span_in_revision(&self, r: ObjRef, revision: usize) -> Result<(u64, u64)> {
        let head = self.head_of(revision)?;
        match self.lookup_from(r.num, head) {
            Some(XrefEntry::InUse { offset, r#gen }) if r#gen == r.r#gen => {
                let (_, end) = self.load(r, head)?;
                Ok((offset, end))
            }
            Some(XrefEntry::Compressed { stream, .. }) if r.r#gen == 0 => {
                match self.lookup_from(stream, head) {
                    Some(XrefEntry::InUse { offset, r#gen }) => {
                        let (_, end) = self.load(ObjRef { num: stream, r#gen }, head)?;
                        Ok((offset, end))
                    }
                    _ => Err(PdfError::MissingObject(ObjRef {
                        num: stream,
                        r#gen: 0,
                    })),
                }
            }
            _ => Err(PdfError::MissingObject(r)),
        }
    }

    /// Copies `len` bytes at `offset` to `out`, in chunks.
    pub fn read_range(&self, offset: u64, len: u64, out: &mut impl Write) -> Result<()> {
        let end = offset
            .checked_add(len)
            .filter(|&e| e <= self.file_len)
            .ok_or_else(|| {
                PdfError::InvalidArgument(format!(
                    "range {offset}+{len} beyond the end of the file ({} bytes)",
                    self.file_len
                ))
            })?;
        let mut pos = offset;
        while pos < end {
            let n = (end - pos).min(64 * 1024);
            let buf = self.read(pos, n)?;
            out.write_all(&buf)?;
            pos += n;
        }
        Ok(())
    }

    /// The raw (still encoded) data of a stream, at most [`Limits::max_decoded_stream`] bytes.
    pub fn stream_data(&self, s: &Stream) -> Result<Vec<u8>> {
        match &s.data {
            StreamData::Memory(d) => Ok(d.clone()),
            StreamData::File { offset, len } => {
                if *len > self.options.limits.max_decoded_stream {
                    return Err(PdfError::TooLarge {
                        what: format!("stream of {len} bytes at offset {offset}"),
                    });
                }
                self.read(*offset, *len)
            }
        }
    }

    /// The decoded data of a stream (see [`Stream::decode`] for the filters).
    pub fn decode_stream(&self, s: &Stream) -> Result<Vec<u8>> {
        let raw = self.stream_data(s)?;
        filter::decode(&s.dict, &raw, self.options.limits.max_decoded_stream)
    }

    /// Reads a file-backed stream's data into memory (so it can be written again).
    pub fn load_stream(&self, s: &mut Stream) -> Result<()> {
        if let StreamData::File { .. } = s.data {
            s.data = StreamData::Memory(self.stream_data(s)?);
        }
        Ok(())
    }

    fn enter(&self) -> Result<DepthGuard<'_>> {
        let d = self.depth.get() + 1;
        if d > self.options.limits.max_ref_chain {
            return Err(PdfError::TooLarge {
                what: format!(
                    "object loads nested more than {} deep (a /Length or object stream loop?)",
                    self.options.limits.max_ref_chain
                ),
            });
        }
        self.depth.set(d);
        Ok(DepthGuard(&self.depth))
    }

    /// Loads `r` in the view whose newest section is `head`; returns the object and the end
    /// offset of its syntax (for compressed objects: of the object stream).
    fn load(&self, r: ObjRef, head: usize) -> Result<(Object, u64)> {
        let _guard = self.enter()?;
        match self.lookup_from(r.num, head) {
            Some(XrefEntry::InUse { offset, r#gen }) if r#gen == r.r#gen => {
                self.load_at(offset, r, head)
            }
            Some(XrefEntry::Compressed { stream, index }) if r.r#gen == 0 => {
                self.load_compressed(r.num, stream, index, head)
            }
            _ => Err(PdfError::MissingObject(r)),
        }
    }

    fn load_at(&self, offset: u64, r: ObjRef, head: usize) -> Result<(Object, u64)> {
        let limits = &self.options.limits;
        // An object's syntax cannot run into the next object (or xref section) the xref knows:
        // the window stops there, which keeps the total parsing work linear in the file size.
        let bound = self.object_bound(offset);
        let parsed = self.with_window(
            offset,
            bound,
            FIRST_WINDOW,
            limits.max_object_bytes,
            &|| format!("object {r}"),
            |p| {
                let found = match p.indirect_header() {
                    Ok(h) => h,
                    Err(PErr::Incomplete) => return Err(PErr::Incomplete),
                    Err(PErr::Fatal(_)) => {
                        return Err(PErr::Fatal(PdfError::BrokenXref {
                            detail: format!(
                                "the xref entry of {r} points at offset {offset}, where no `N G obj` starts"
                            ),
                        }));
                    }
                };
                if found != r {
                    return Err(PErr::Fatal(PdfError::BrokenXref {
                        detail: format!(
                            "the xref entry of {r} points at offset {offset}, where object {} {} starts",
                            found.num, found.r#gen
                        ),
                    }));
                }
                p.indirect_body()
            },
        )?;
        match parsed {
            Indirect::Object { obj, end } => Ok((obj, end)),
            Indirect::Stream { dict, data_offset } => {
                let len = match dict.get("Length") {
                    Some(Object::Integer(l)) => *l,
                    Some(Object::Reference(lr)) => match self.load(*lr, head) {
                        Ok((Object::Integer(l), _)) => l,
                        Ok((o, _)) => {
                            return Err(PdfError::Malformed {
                                offset,
                                detail: format!(
                                    "/Length of stream {r} refers to a {}, not an integer",
                                    o.type_name()
                                ),
                            });
                        }
                        Err(PdfError::MissingObject(m)) => {
                            return Err(PdfError::Malformed {
                                offset,
                                detail: format!(
                                    "/Length of stream {r} refers to {m}, which does not exist"
                                ),
                            });
                        }
                        Err(e) => return Err(e),
                    },
                    _ => {
                        return Err(PdfError::Malformed {
                            offset,
                            detail: format!("stream {r} has no integer /Length"),
                        });
                    }
                };
                let len = u64::try_from(len).map_err(|_| PdfError::Malformed {
                    offset,
                    detail: format!("stream {r} has a negative /Length"),
                })?;
                let data_end = data_offset
                    .checked_add(len)
                    .filter(|&e| e <= self.file_len)
                    .ok_or_else(|| PdfError::Malformed {
                        offset,
                        detail: format!(
                            "/Length {len} of stream {r} runs beyond the end of the file"
                        ),
                    })?;
                if data_end > bound {
                    return Err(PdfError::Malformed {
                        offset,
                        detail: format!(
                            "/Length {len} of stream {r} runs into the object or xref section at offset {bound}"
                        ),
                    });
                }
                let end = self.with_window(
                    data_end,
                    self.file_len,
                    256,
                    64 * 1024,
                    &|| format!("end of stream {r}"),
                    |p| p.stream_end(),
                )?;
                Ok((
                    Object::Stream(Stream {
                        dict,
                        data: StreamData::File {
                            offset: data_offset,
                            len,
                        },
                    }),
                    end,
                ))
            }
        }
    }

    fn load_compressed(
        &self,
        num: u32,
        stream: u32,
        index: u32,
        head: usize,
    ) -> Result<(Object, u64)> {
        let (key, r#gen) = match self.lookup_from(stream, head) {
            Some(XrefEntry::InUse { offset, r#gen }) => (offset, r#gen),
            Some(XrefEntry::Compressed { .. }) => {
                return Err(PdfError::BrokenXref {
                    detail: format!(
                        "object {num} is in object stream {stream}, which is itself compressed"
                    ),
                });
            }
            _ => {
                return Err(PdfError::BrokenXref {
                    detail: format!(
                        "object {num} is in object stream {stream}, which does not exist"
                    ),
                });
            }
        };
        let sr = ObjRef { num: stream, r#gen };
        let cached = self.objstm_cache.borrow().iter().position(|o| o.key == key);
        match cached {
            Some(i) => {
                // Most recently used last.
                let mut cache = self.objstm_cache.borrow_mut();
                if i + 1 < cache.len() {
                    let stm = cache.remove(i);
                    cache.push(stm);
                }
            }
            None => {
                let stm = self.decode_objstm(sr, key, head)?;
                let mut cache = self.objstm_cache.borrow_mut();
                cache.push(stm);
                let mut total: usize = cache.iter().map(|o| o.data.len()).sum();
                while total > OBJSTM_CACHE_BYTES && cache.len() > 1 {
                    let old = cache.remove(0);
                    total -= old.data.len();
                }
            }
        }
        let cache = self.objstm_cache.borrow();
        let stm = cache
            .last()
            .filter(|o| o.key == key)
            .ok_or(PdfError::MissingObject(sr))?;
        let err = |detail: String| PdfError::Malformed {
            offset: key,
            detail: format!("object stream {}: {detail}", stm.num),
        };
        let &(found, start, end) = stm
            .objects
            .get(index as usize)
            .ok_or_else(|| PdfError::BrokenXref {
                detail: format!(
                    "object {num} is at index {index} of object stream {stream}, which holds {} objects",
                    stm.objects.len()
                ),
            })?;
        if found != num {
            return Err(PdfError::BrokenXref {
                detail: format!(
                    "object {num} should be at index {index} of object stream {stream}, where object {found} is"
                ),
            });
        }
        let bytes = stm
            .data
            .get(start..end)
            .ok_or_else(|| err(format!("object {num} outside the stream data")))?;
        let mut p = Parser::new(bytes, 0, true, &self.options.limits);
        let obj = match p.object(0) {
            Ok(o) => o,
            Err(PErr::Fatal(PdfError::Malformed { offset, detail })) => {
                return Err(err(format!(
                    "object {num} (byte {} in the stream): {detail}",
                    (start as u64).saturating_add(offset)
                )));
            }
            Err(PErr::Fatal(e)) => return Err(e),
            Err(PErr::Incomplete) => return Err(err(format!("object {num} truncated"))),
        };
        // The span of a compressed object is that of its stream (see raw_object_span).
        Ok((obj, 0))
    }

    fn decode_objstm(&self, sr: ObjRef, key: u64, head: usize) -> Result<ObjStm> {
        let limits = &self.options.limits;
        let (obj, _) = self.load_at(key, sr, head)?;
        let s = match obj {
            Object::Stream(s) => s,
            o => {
                return Err(PdfError::Malformed {
                    offset: key,
                    detail: format!("object stream {sr} is a {}", o.type_name()),
                });
            }
        };
        let bad = |detail: String| PdfError::Malformed {
            offset: key,
            detail: format!("object stream {sr}: {detail}"),
        };
        if s.dict.get_name("Type") != Some(b"ObjStm") {
            return Err(bad("no /Type /ObjStm".into()));
        }
        let n = s
            .dict
            .get_int("N")
            .and_then(|v| usize::try_from(v).ok())
            .ok_or_else(|| bad("/N missing or negative".into()))?;
        let first = s
            .dict
            .get_int("First")
            .and_then(|v| usize::try_from(v).ok())
            .ok_or_else(|| bad("/First missing or negative".into()))?;
        if n > limits.max_objstm_objects {
            return Err(PdfError::TooLarge {
                what: format!("object stream {sr} with {n} objects"),
            });
        }
        let data = self.decode_stream(&s)?;
        if first > data.len() || n.saturating_mul(4) > first.saturating_add(1) {
            return Err(bad(format!(
                "/First {first} and /N {n} do not fit {} decoded bytes",
                data.len()
            )));
        }
        let header = data.get(..first).unwrap_or(&[]);
        let mut p = Parser::new(header, 0, true, limits);
        let mut pairs: Vec<(u32, usize)> = Vec::with_capacity(n);
        for _ in 0..n {
            let num = p.unsigned("an object number");
            let off = p.unsigned("an offset");
            match (num, off) {
                (Ok(num), Ok(off)) => {
                    let num =
                        u32::try_from(num).map_err(|_| bad("object number too large".into()))?;
                    let off = usize::try_from(off)
                        .ok()
                        .filter(|&o| first.checked_add(o).is_some_and(|e| e <= data.len()))
                        .ok_or_else(|| {
                            bad(format!("offset {off} of object {num} outside the stream"))
                        })?;
                    pairs.push((num, off + first));
                }
                _ => return Err(bad(format!("header does not hold {n} number pairs"))),
            }
        }
        let mut objects = Vec::with_capacity(pairs.len());
        for (i, &(num, start)) in pairs.iter().enumerate() {
            let end = pairs
                .get(i + 1)
                .map(|&(_, s)| s)
                .filter(|&s| s >= start)
                .unwrap_or(data.len());
            objects.push((num, start, end));
        }
        Ok(ObjStm {
            key,
            num: sr.num,
            objects,
            data,
        })
    }
}

fn lookup(entries: &[(u32, XrefEntry)], num: u32) -> Option<XrefEntry> {
    entries
        .binary_search_by_key(&num, |(n, _)| *n)
        .ok()
        .and_then(|i| entries.get(i))
        .map(|(_, e)| *e)
}

fn be(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b))
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

fn obj_ref_text(o: &Object) -> String {
    match o {
        Object::Reference(r) => r.to_string(),
        o => o.type_name().to_string(),
    }
}
