//! Object streams (PDF 1.5): decoding, the index of their objects, and a small cache.

use std::io::{Read, Seek};

use super::{Reader, XrefEntry};
use crate::pdf::object::{ObjRef, Object};
use crate::pdf::parser::{PErr, Parser};
use crate::pdf::{PdfError, Result};

/// Decoded object streams kept in memory (least recently used first out): at most this many
/// bytes, and always the last one used.
const OBJSTM_CACHE_BYTES: usize = 32 << 20;

/// A decoded object stream.
#[derive(Debug)]
pub(super) struct ObjStm {
    /// File offset of the object stream's object (the cache key).
    key: u64,
    num: u32,
    /// (object number, start, end) of each object within `data`.
    objects: Vec<(u32, usize, usize)>,
    data: Vec<u8>,
}

impl<R: Read + Seek> Reader<R> {
    /// Loads object `num`, at `index` of object stream `stream`.
    pub(super) fn load_compressed(
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
