//! Loading objects on demand: by reference, in the newest view or as of a revision, resolving
//! references (bounded), and stream data.

use std::cell::Cell;
use std::io::{Read, Seek};

use super::XrefEntry;
use super::source::FIRST_WINDOW;
use super::{Defect, DefectKind, Reader};
use crate::pdf::filter;
use crate::pdf::object::{Dictionary, ObjRef, Object, Stream, StreamData};
use crate::pdf::parser::{Indirect, PErr};
use crate::pdf::{PdfError, Result};

/// At most this many bytes of an object are read by [`Reader::object_may_contain`].
const PEEK_BYTES: u64 = 4096;

/// Byte strings searched for by [`Reader::object_may_contain`], prepared once. A needle meant
/// to match a name must come with `#`: a name may spell any byte as `#xx`.
pub struct Needles(Vec<memchr::memmem::Finder<'static>>);

impl Needles {
    /// Prepares the search for any of `needles` (empty ones are ignored).
    pub fn new(needles: &[&[u8]]) -> Self {
        Self(
            needles
                .iter()
                .filter(|n| !n.is_empty())
                .map(|n| memchr::memmem::Finder::new(n).into_owned())
                .collect(),
        )
    }
}

/// Decrements the load depth when dropped.
struct DepthGuard<'a>(&'a Cell<usize>);

impl Drop for DepthGuard<'_> {
    fn drop(&mut self) {
        self.0.set(self.0.get().saturating_sub(1));
    }
}

impl<R: Read + Seek> Reader<R> {
    /// The first object or xref-section start after `offset` (else the end of the file).
    fn object_bound(&self, offset: u64) -> u64 {
        let i = self.starts.partition_point(|&s| s <= offset);
        self.starts.get(i).copied().unwrap_or(self.file_len)
    }

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

    /// Follows references until a direct object (bounded by
    /// [`Limits::max_ref_chain`](crate::pdf::Limits::max_ref_chain)). A
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

    /// The catalog's entry `key` as of revision `revision` (index into
    /// [`Reader::revisions`]), resolved in that revision; `None` when it is absent or cannot
    /// be read.
    pub fn catalog_entry_in_revision(&self, key: &str, revision: usize) -> Option<Object> {
        let root = self.revisions().get(revision)?.trailer.get_ref("Root")?;
        let catalog = self.get_in_revision(root, revision).ok()?;
        self.resolve_in_revision(catalog.as_dict()?.get(key)?, revision)
            .ok()
    }

    /// The reference of the catalog.
    pub fn catalog_ref(&self) -> Option<ObjRef> {
        self.trailer().get_ref("Root")
    }

    pub(super) fn offset_of(&self, r: ObjRef) -> Option<u64> {
        match self.xref_entry(r.num)? {
            XrefEntry::InUse { offset, .. } => Some(offset),
            _ => None,
        }
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

    /// Whether object `r` as of revision `revision` may contain one of `needles`: a filter
    /// before parsing, for scans over every object. False only when the object is written
    /// directly in the file, its bytes up to the next object the xref knows fit in 4 KiB, and
    /// none of the needles occurs in them; true otherwise (an object in an object stream, a
    /// longer one, or one that cannot be read is left to the parser).
    pub fn object_may_contain(&self, r: ObjRef, revision: usize, needles: &Needles) -> bool {
        match self.head_of(revision) {
            Ok(head) => self.may_contain_from(r, head, needles),
            Err(_) => true,
        }
    }

    /// [`Reader::object_may_contain`] in the view whose newest section is `head` (0: the file
    /// as it is now).
    pub(super) fn may_contain_from(&self, r: ObjRef, head: usize, needles: &Needles) -> bool {
        let Some(XrefEntry::InUse { offset, r#gen }) = self.lookup_from(r.num, head) else {
            return true;
        };
        let len = self.object_bound(offset).saturating_sub(offset);
        if r#gen != r.r#gen || len == 0 || len > PEEK_BYTES {
            return true;
        }
        let Ok(bytes) = self.read(offset, len) else {
            return true;
        };
        needles.0.iter().any(|f| f.find(&bytes).is_some())
    }

    /// The raw (still encoded) data of a stream, at most
    /// [`Limits::max_decoded_stream`](crate::pdf::Limits::max_decoded_stream) bytes.
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

    pub(super) fn load_at(&self, offset: u64, r: ObjRef, head: usize) -> Result<(Object, u64)> {
        let limits = &self.options.limits;
        // An object's syntax cannot run into the next object (or xref section) the xref knows:
        // the window stops there, which keeps the total parsing work linear in the file size.
        let bound = self.object_bound(offset);
        let shift = Cell::new(0u64);
        let parsed = self.with_window(
            offset,
            bound,
            FIRST_WINDOW,
            limits.max_object_bytes,
            &|| format!("object {r}"),
            |p| {
                // White space before `N G obj` (an offset a few bytes short) is tolerated: the
                // number and generation found must still be `r`'s.
                p.skip_whitespace()?;
                shift.set(p.offset().saturating_sub(offset));
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
        if shift.get() > 0 {
            self.note_defect(Defect {
                kind: DefectKind::ShiftedObjectOffset,
                detail: format!(
                    "the xref entry of {r} names offset {offset}, the object starts at {} after white space",
                    offset + shift.get()
                ),
            });
        }
        let (mut obj, end) = self.finish_load(parsed, offset, r, head, bound)?;
        if let Some(d) = &self.decryptor {
            d.decrypt_object(r, &mut obj)?;
            if let Object::Stream(s) = &mut obj {
                let raw = self.stream_data(s)?;
                s.data = StreamData::Memory(d.decrypt_stream(r, &s.dict, &raw)?);
            }
        }
        Ok((obj, end))
    }

    /// The object of a parsed `N G obj`: a stream's `/Length` checked and its data located.
    fn finish_load(
        &self,
        parsed: Indirect,
        offset: u64,
        r: ObjRef,
        head: usize,
        bound: u64,
    ) -> Result<(Object, u64)> {
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
}

fn obj_ref_text(o: &Object) -> String {
    match o {
        Object::Reference(r) => r.to_string(),
        o => o.type_name().to_string(),
    }
}
