//! The bytes a PDF signature covers: a [`Read`] over the two ranges of its `/ByteRange`, read
//! in order from the file and never loaded whole. Signing reads them from the output it has
//! just written ([`Seekable`]); verification reads them through the PDF [`Reader`].

use crate::pdf::Reader;
use std::io::{Read, Seek, SeekFrom};

/// Most bytes read from the source in one call.
const MAX_CHUNK: u64 = 1 << 20;

/// A source the ranges are read from: fills `buf` from `offset`, returns how many bytes it
/// read (0 only at the end of the data).
pub(crate) trait ReadAt {
    /// Reads up to `buf.len()` bytes at `offset`.
    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> std::io::Result<usize>;
}

/// A `Read + Seek` source (the signed output while signing).
pub(crate) struct Seekable<'a, F: Read + Seek>(pub(crate) &'a mut F);

impl<F: Read + Seek> ReadAt for Seekable<'_, F> {
    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> std::io::Result<usize> {
        self.0.seek(SeekFrom::Start(offset))?;
        self.0.read(buf)
    }
}

/// The first `len` bytes of a file, as a `Read + Seek` of their own: the PDF an update is
/// appended to in place (`pades::levels`), read while the bytes after it are rewritten.
pub(crate) struct Prefix<'a, F> {
    inner: &'a mut F,
    len: u64,
    pos: u64,
}

impl<'a, F> Prefix<'a, F> {
    /// The first `len` bytes of `inner`.
    pub(crate) fn new(inner: &'a mut F, len: u64) -> Self {
        Self { inner, len, pos: 0 }
    }
}

impl<F: Read + Seek> Read for Prefix<'_, F> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let left = self.len.saturating_sub(self.pos);
        let n = usize::try_from(left).map_or(buf.len(), |l| l.min(buf.len()));
        let Some(buf) = buf.get_mut(..n).filter(|b| !b.is_empty()) else {
            return Ok(0);
        };
        self.inner.seek(SeekFrom::Start(self.pos))?;
        let got = self.inner.read(buf)?;
        self.pos += got as u64;
        Ok(got)
    }
}

impl<F> Seek for Prefix<'_, F> {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        let (base, delta) = match to {
            SeekFrom::Start(p) => (p, 0),
            SeekFrom::End(d) => (self.len, d),
            SeekFrom::Current(d) => (self.pos, d),
        };
        self.pos = base.checked_add_signed(delta).ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "seek before the start of the file",
            )
        })?;
        Ok(self.pos)
    }
}

/// The PDF reader (verification): reads exactly `buf.len()` bytes or fails.
impl<R: Read + Seek> ReadAt for &Reader<R> {
    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> std::io::Result<usize> {
        let len = buf.len();
        let mut out: &mut [u8] = buf;
        self.read_range(offset, len as u64, &mut out)
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        Ok(len)
    }
}

/// Reads the two signed ranges `[(start, len); 2]` of a source in order.
pub(crate) struct SignedRanges<S: ReadAt> {
    source: S,
    ranges: [(u64, u64); 2],
    /// The range being read.
    idx: usize,
    /// How far into it.
    pos: u64,
}

impl<S: ReadAt> SignedRanges<S> {
    /// The ranges `ranges` (start, length) of `source`.
    pub(crate) fn new(source: S, ranges: [(u64, u64); 2]) -> Self {
        Self {
            source,
            ranges,
            idx: 0,
            pos: 0,
        }
    }
}

impl<S: ReadAt> Read for SignedRanges<S> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        while let Some(&(start, len)) = self.ranges.get(self.idx) {
            if self.pos >= len {
                self.idx += 1;
                self.pos = 0;
                continue;
            }
            let want = (len - self.pos).min(buf.len() as u64).min(MAX_CHUNK);
            let Some(chunk) = usize::try_from(want).ok().and_then(|n| buf.get_mut(..n)) else {
                return Ok(0);
            };
            let n = self.source.read_at(start.saturating_add(self.pos), chunk)?;
            if n == 0 {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    "signed range beyond the end of the file",
                ));
            }
            self.pos += n as u64;
            return Ok(n);
        }
        Ok(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn read_all(mut r: impl Read) -> std::io::Result<Vec<u8>> {
        let mut out = Vec::new();
        r.read_to_end(&mut out)?;
        Ok(out)
    }

    #[test]
    fn reads_both_ranges_in_order() {
        let mut file = Cursor::new(b"0123456789".to_vec());
        let r = SignedRanges::new(Seekable(&mut file), [(0, 3), (6, 4)]);
        assert_eq!(read_all(r).ok(), Some(b"0126789".to_vec()));
    }

    #[test]
    fn a_range_beyond_the_end_is_an_error() {
        let mut file = Cursor::new(b"0123456789".to_vec());
        let r = SignedRanges::new(Seekable(&mut file), [(0, 3), (6, 10)]);
        let e = read_all(r).err().map(|e| e.kind());
        assert_eq!(e, Some(std::io::ErrorKind::UnexpectedEof));
    }

    #[test]
    fn a_prefix_reads_and_seeks_within_its_length() {
        let mut file = Cursor::new(b"0123456789".to_vec());
        let mut p = Prefix::new(&mut file, 4);
        assert_eq!(p.seek(SeekFrom::End(0)).unwrap(), 4);
        p.seek(SeekFrom::Start(1)).unwrap();
        let mut out = Vec::new();
        p.read_to_end(&mut out).unwrap();
        assert_eq!(out, b"123");
        assert_eq!(p.seek(SeekFrom::Current(-2)).unwrap(), 2);
        assert!(p.seek(SeekFrom::Current(-3)).is_err());
        p.seek(SeekFrom::Start(9)).unwrap();
        assert_eq!(p.read(&mut [0u8; 4]).unwrap(), 0);
    }
}
