//! The incremental writer: appends objects and one xref section to an existing PDF without
//! changing any earlier byte (ISO 32000-2 §7.5.6).
//!
//! The caller copies the original bytes first (plus [`crate::pdf::Reader::append_separator`]),
//! then calls [`IncrementalWriter::write`] with the resulting length as `base_offset`.

use std::io::Write;

use sha2::{Digest, Sha256};

use super::object::{Dictionary, ObjRef, Object, PdfString, Stream};
use super::reader::{Reader, XrefKind};
use super::{PdfError, Result, filter};

/// Where one object landed in the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WrittenObject {
    /// The object written.
    pub r: ObjRef,
    /// Absolute offset of `N G obj`.
    pub offset: u64,
    /// Absolute offset of the first byte of the body (after `N G obj\n`).
    pub body_offset: u64,
    /// Length of the body in bytes (up to, not including, `\nendobj`).
    pub body_len: u64,
}

/// What [`IncrementalWriter::write`] wrote.
#[derive(Debug, Clone)]
pub struct WriteReport {
    /// Every object written, in output order.
    pub objects: Vec<WrittenObject>,
    /// Absolute offset of the new xref section (the new `startxref` value).
    pub xref_offset: u64,
    /// The new xref stream's number, when the section is an xref stream.
    pub xref_stream: Option<ObjRef>,
    /// The new trailer `/Size`.
    pub size: u64,
    /// Bytes written to `out`.
    pub bytes_written: u64,
    /// Absolute length of the whole file after the update (`base_offset + bytes_written`).
    pub total_len: u64,
}

impl WriteReport {
    /// Where object `r` was written.
    pub fn object(&self, r: ObjRef) -> Option<&WrittenObject> {
        self.objects.iter().find(|o| o.r == r)
    }
}

#[derive(Debug, Clone)]
enum Body {
    Object(Object),
    Raw(Vec<u8>),
}

/// Builds one incremental update of a PDF. Owns everything it needs: the reader can be
/// dropped after [`IncrementalWriter::new`].
#[derive(Debug, Clone)]
pub struct IncrementalWriter {
    kind: XrefKind,
    prev: u64,
    orig_len: u64,
    next_num: u64,
    trailer_base: Dictionary,
    extra: Dictionary,
    id_first: Option<Vec<u8>>,
    /// For an encrypted file: encrypts the new objects with the file key; the file's `/ID`
    /// is then kept as it is.
    crypt: Option<crate::pdf::crypt::Decryptor>,
    id_kept: Option<Object>,
    objects: Vec<(ObjRef, Body)>,
}

impl IncrementalWriter {
    /// A writer for an update of the file `reader` reads. For an encrypted file opened with
    /// its password, the strings and streams of the new objects are encrypted with the
    /// file's key (ISO 32000-2 §7.6.2–7.6.3) and `/Encrypt` and `/ID` are kept; an encrypted
    /// file opened for inspection only is refused.
    pub fn new<R: std::io::Read + std::io::Seek>(reader: &Reader<R>) -> Result<Self> {
        let crypt = reader.crypt().cloned();
        if reader.is_encrypted() && crypt.is_none() {
            return Err(PdfError::Encrypted);
        }
        if let Some((at, len)) = reader.unaccounted_tail() {
            return Err(PdfError::BrokenXref {
                detail: format!(
                    "{len} bytes after the last complete revision (offset {at}) belong to no revision: \
                     an update would hide them"
                ),
            });
        }
        let t = reader.trailer();
        let mut trailer_base = Dictionary::new();
        for key in ["Root", "Info", "Encrypt"] {
            if let Some(v) = t.get(key) {
                trailer_base.insert(key, v.clone());
            }
        }
        let id_first = match t.get("ID").and_then(Object::as_array) {
            Some([Object::String(a), Object::String(_)]) => Some(a.bytes.clone()),
            _ => None,
        };
        Ok(IncrementalWriter {
            kind: match reader.xref_kind_last() {
                XrefKind::Stream => XrefKind::Stream,
                XrefKind::Table | XrefKind::Hybrid => XrefKind::Table,
            },
            prev: reader.last_xref_offset(),
            orig_len: reader.file_len(),
            next_num: reader.next_object_number(),
            trailer_base,
            extra: Dictionary::new(),
            id_first,
            id_kept: crypt.as_ref().and_then(|_| t.get("ID").cloned()),
            crypt,
            objects: Vec::new(),
        })
    }

    /// The kind of xref section that will be written (a hybrid file gets a classic table).
    pub fn xref_kind(&self) -> XrefKind {
        self.kind
    }

    /// Reserves a new object number (generation 0).
    pub fn allocate(&mut self) -> ObjRef {
        let num = u32::try_from(self.next_num).unwrap_or(u32::MAX);
        self.next_num = self.next_num.saturating_add(1);
        ObjRef { num, r#gen: 0 }
    }

    /// Sets object `r` (an existing object keeps its number and generation, or a number from
    /// [`IncrementalWriter::allocate`]). Setting the same object twice keeps the last value.
    pub fn update(&mut self, r: ObjRef, obj: Object) {
        self.set(r, Body::Object(obj));
    }

    /// Adds a new object and returns its reference.
    pub fn add(&mut self, obj: Object) -> ObjRef {
        let r = self.allocate();
        self.update(r, obj);
        r
    }

    /// Sets object `r` to an already-serialised body, written as is between `N G obj\n` and
    /// `\nendobj`.
    pub fn put_raw(&mut self, r: ObjRef, body: Vec<u8>) {
        self.set(r, Body::Raw(body));
    }

    /// Adds or replaces an entry of the new trailer (`/Root` and `/Info` are copied from the
    /// newest trailer; `/Size`, `/Prev` and `/ID` are computed and cannot be overridden).
    pub fn set_trailer_entry(&mut self, key: &str, value: Object) {
        self.extra.insert(key, value);
    }

    /// The bytes of a string of object `r` as they must be written: encrypted with the file's
    /// key for an encrypted file, unchanged otherwise (for bodies given to
    /// [`IncrementalWriter::put_raw`]).
    pub fn string_bytes(&self, r: ObjRef, bytes: &[u8]) -> Result<Vec<u8>> {
        match &self.crypt {
            Some(c) => c.encrypt_string(r, bytes),
            None => Ok(bytes.to_vec()),
        }
    }

    /// True when the new objects are encrypted (see [`IncrementalWriter::string_bytes`]).
    pub fn encrypts(&self) -> bool {
        self.crypt.is_some()
    }

    /// The objects set so far, in output order.
    pub fn pending(&self) -> impl Iterator<Item = ObjRef> + '_ {
        self.objects.iter().map(|(r, _)| *r)
    }

    fn set(&mut self, r: ObjRef, body: Body) {
        if let Some(slot) = self.objects.iter_mut().find(|(o, _)| o.num == r.num) {
            *slot = (r, body);
        } else {
            self.objects.push((r, body));
        }
    }

    /// Appends the objects and the xref section to `out`. `base_offset` is the absolute offset
    /// `out`'s first byte will have in the file: the original length plus the separator (see
    /// [`Reader::append_separator`]).
    pub fn write(self, out: &mut impl Write, base_offset: u64) -> Result<WriteReport> {
        if base_offset < self.orig_len {
            return Err(PdfError::InvalidArgument(format!(
                "base offset {base_offset} is inside the original file ({} bytes)",
                self.orig_len
            )));
        }
        if self.next_num > u64::from(u32::MAX) {
            return Err(PdfError::TooLarge {
                what: "object numbers exhausted".into(),
            });
        }
        let mut pos = base_offset;
        let mut hasher = Sha256::new();
        hasher.update(base_offset.to_be_bytes());
        if let Some(f) = &self.id_first {
            hasher.update(f);
        }
        let mut written = Vec::with_capacity(self.objects.len());
        let mut buf = Vec::new();
        for (r, body) in &self.objects {
            if u64::from(r.num) >= self.next_num || r.num == 0 {
                return Err(PdfError::InvalidArgument(format!(
                    "object {r} was never allocated (next free number {})",
                    self.next_num
                )));
            }
            buf.clear();
            buf.extend_from_slice(format!("{} {} obj\n", r.num, r.r#gen).as_bytes());
            let header_len = buf.len() as u64;
            match body {
                Body::Object(o) => {
                    if o.has_file_backed_stream() {
                        return Err(PdfError::InvalidArgument(format!(
                            "object {r} is a stream whose data is still in the source file (use Reader::load_stream)"
                        )));
                    }
                    match &self.crypt {
                        Some(c) => {
                            let mut o = o.clone();
                            c.encrypt_object(*r, &mut o)?;
                            o.write_pdf(&mut buf);
                        }
                        None => o.write_pdf(&mut buf),
                    }
                }
                Body::Raw(b) => buf.extend_from_slice(b),
            }
            let body_len = buf.len() as u64 - header_len;
            buf.extend_from_slice(b"\nendobj\n");
            out.write_all(&buf)?;
            hasher.update(&buf);
            written.push(WrittenObject {
                r: *r,
                offset: pos,
                body_offset: pos.saturating_add(header_len),
                body_len,
            });
            pos = checked(pos, buf.len())?;
        }

        let mut entries: Vec<(u32, u16, u64)> = written
            .iter()
            .map(|w| (w.r.num, w.r.r#gen, w.offset))
            .collect();
        let xref_offset = pos;
        let mut size = self.next_num;
        let mut xref_stream = None;

        let mut trailer = self.trailer_base.clone();
        for (k, v) in self.extra.iter() {
            trailer.insert(k, v.clone());
        }
        let id2: Vec<u8> = hasher.finalize().get(..16).unwrap_or(&[]).to_vec();
        let id1 = self.id_first.clone().unwrap_or_else(|| id2.clone());
        let id = self.id_kept.clone().unwrap_or_else(|| {
            Object::Array(vec![
                Object::String(PdfString::hex(id1)),
                Object::String(PdfString::hex(id2)),
            ])
        });
        trailer.insert("ID", id);
        trailer.insert("Prev", Object::Integer(to_i64(self.prev)?));

        buf.clear();
        match self.kind {
            XrefKind::Table | XrefKind::Hybrid => {
                trailer.insert("Size", Object::Integer(to_i64(size)?));
                write_xref_table(&mut entries, &mut trailer, &mut buf);
            }
            XrefKind::Stream => {
                let r = write_xref_stream(&mut entries, &trailer, size, xref_offset, &mut buf)?;
                size += 1;
                xref_stream = Some(r);
            }
        }
        buf.extend_from_slice(format!("startxref\n{xref_offset}\n%%EOF\n").as_bytes());
        out.write_all(&buf)?;
        out.flush()?;
        let total_len = checked(pos, buf.len())?;
        Ok(WriteReport {
            objects: written,
            xref_offset,
            xref_stream,
            size,
            bytes_written: total_len - base_offset,
            total_len,
        })
    }
}

/// A classic xref table and trailer for `entries` (the trailer's `/Size` is already set).
fn write_xref_table(entries: &mut [(u32, u16, u64)], trailer: &mut Dictionary, buf: &mut Vec<u8>) {
    entries.sort_unstable_by_key(|e| e.0);
    buf.extend_from_slice(b"xref\n");
    for group in subsections(entries) {
        let (first, _, _) = group.first().copied().unwrap_or((0, 0, 0));
        buf.extend_from_slice(format!("{first} {}\n", group.len()).as_bytes());
        for (_, g, off) in group {
            buf.extend_from_slice(format!("{off:010} {g:05} n\r\n").as_bytes());
        }
    }
    reorder_first(trailer, "Size");
    buf.extend_from_slice(b"trailer\n");
    trailer.write_pdf(buf);
    buf.push(b'\n');
}

/// An xref stream, object number `size` at `xref_offset`, listing `entries` and itself, with
/// the trailer's entries in its dictionary. Returns its reference (the new size is `size + 1`).
fn write_xref_stream(
    entries: &mut Vec<(u32, u16, u64)>,
    trailer: &Dictionary,
    size: u64,
    xref_offset: u64,
    buf: &mut Vec<u8>,
) -> Result<ObjRef> {
    let num = u32::try_from(size).map_err(|_| PdfError::TooLarge {
        what: "object numbers exhausted".into(),
    })?;
    entries.push((num, 0, xref_offset));
    entries.sort_unstable_by_key(|e| e.0);
    let max_off = entries.iter().map(|e| e.2).max().unwrap_or(0);
    let w2 = (8 - (max_off.leading_zeros() / 8) as usize).max(1);
    let mut data = Vec::with_capacity(entries.len() * (3 + w2));
    let mut index = Vec::new();
    for group in subsections(entries) {
        let (first, _, _) = group.first().copied().unwrap_or((0, 0, 0));
        index.push(Object::Integer(i64::from(first)));
        index.push(Object::Integer(group.len() as i64));
        for (_, g, off) in group {
            data.push(1);
            data.extend_from_slice(off.to_be_bytes().get(8 - w2..).unwrap_or(&[]));
            data.extend_from_slice(&g.to_be_bytes());
        }
    }
    let mut dict = Dictionary::new();
    dict.insert("Type", Object::name("XRef"));
    dict.insert("Size", Object::Integer(to_i64(size + 1)?));
    dict.insert("Index", Object::Array(index));
    dict.insert(
        "W",
        Object::Array(vec![
            Object::Integer(1),
            Object::Integer(w2 as i64),
            Object::Integer(2),
        ]),
    );
    for (k, v) in trailer.iter() {
        dict.insert(k, v.clone());
    }
    dict.insert("Filter", Object::name("FlateDecode"));
    let stream = Stream::new(dict, filter::flate_encode(&data)?);
    buf.extend_from_slice(format!("{num} 0 obj\n").as_bytes());
    stream.write_pdf(buf);
    buf.extend_from_slice(b"\nendobj\n");
    Ok(ObjRef { num, r#gen: 0 })
}

fn checked(pos: u64, add: usize) -> Result<u64> {
    pos.checked_add(add as u64)
        .ok_or_else(|| PdfError::TooLarge {
            what: "output offset overflow".into(),
        })
}

fn to_i64(v: u64) -> Result<i64> {
    i64::try_from(v).map_err(|_| PdfError::TooLarge {
        what: format!("value {v} in the trailer"),
    })
}

/// Moves `key` to the front of the dictionary (cosmetic: `/Size` first, as is customary).
fn reorder_first(d: &mut Dictionary, key: &str) {
    if let Some(v) = d.remove(key) {
        let mut n = Dictionary::new();
        n.insert(key, v);
        for (k, v) in d.iter() {
            n.insert(k, v.clone());
        }
        *d = n;
    }
}

/// Splits sorted entries into runs of consecutive object numbers.
fn subsections(entries: &[(u32, u16, u64)]) -> Vec<&[(u32, u16, u64)]> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=entries.len() {
        let breaks = match (entries.get(i - 1), entries.get(i)) {
            (Some(a), Some(b)) => b.0 != a.0.wrapping_add(1),
            _ => true,
        };
        if breaks {
            if let Some(run) = entries.get(start..i) {
                out.push(run);
            }
            start = i;
        }
    }
    out
}
