//! Bounded reads from the source, and parse windows that grow while the parser needs more.

use std::io::{Read, Seek, SeekFrom, Write};

use super::Reader;
use crate::pdf::parser::{PErr, PResult, Parser};
use crate::pdf::{PdfError, Result};

/// First window read for one object.
pub(super) const FIRST_WINDOW: usize = 1024;

/// Reads shorter than this are served from a block of [`BLOCK`] bytes read ahead.
const SMALL_READ: u64 = 8 * 1024;
/// The read-ahead block: objects read one after the other in file order (a scan of every
/// object, a page tree) cost one read per block rather than a seek and a read per object;
/// small enough that a miss in random order costs little more than the read it replaces.
const BLOCK: u64 = 64 * 1024;

/// The file being read, and its length.
pub(super) struct Source<R> {
    pub(super) inner: R,
    pub(super) len: u64,
    /// The last block read ahead, and its offset.
    pub(super) block: Vec<u8>,
    pub(super) block_at: u64,
}

impl<R> Source<R> {
    /// A source over `inner`, `len` bytes long.
    pub(super) fn new(inner: R, len: u64) -> Self {
        Self {
            inner,
            len,
            block: Vec::new(),
            block_at: 0,
        }
    }
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
        if len <= SMALL_READ {
            if let Some(hit) = self.in_block(offset, end) {
                return Ok(hit);
            }
            let block_end = offset.saturating_add(BLOCK).min(self.len);
            self.block = self.read_exact_at(offset, block_end)?;
            self.block_at = offset;
            return self
                .in_block(offset, end)
                .ok_or_else(|| PdfError::Malformed {
                    offset,
                    detail: "short read".into(),
                });
        }
        self.read_exact_at(offset, end)
    }

    /// Bytes `offset..end` when the read-ahead block holds them.
    fn in_block(&self, offset: u64, end: u64) -> Option<Vec<u8>> {
        let from = usize::try_from(offset.checked_sub(self.block_at)?).ok()?;
        let to = usize::try_from(end.checked_sub(self.block_at)?).ok()?;
        self.block.get(from..to).map(<[u8]>::to_vec)
    }

    fn read_exact_at(&mut self, offset: u64, end: u64) -> Result<Vec<u8>> {
        let n = usize::try_from(end.saturating_sub(offset)).map_err(|_| PdfError::TooLarge {
            what: format!("read of {} bytes", end.saturating_sub(offset)),
        })?;
        self.inner.seek(SeekFrom::Start(offset))?;
        let mut buf = vec![0u8; n];
        self.inner.read_exact(&mut buf)?;
        Ok(buf)
    }
}

impl<R: Read + Seek> Reader<R> {
    /// Reads `len` bytes at `offset` (the whole range or an error).
    pub(super) fn read(&self, offset: u64, len: u64) -> Result<Vec<u8>> {
        self.src.borrow_mut().read_at(offset, len)
    }

    /// Runs `f` on a parser over a window of the file at `offset`, growing the window while
    /// the parser needs more bytes, up to `max` bytes and never past `end` (which the parser
    /// sees as the end of the data).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn with_window<T>(
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
}
