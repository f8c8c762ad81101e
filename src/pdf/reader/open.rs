//! Opening a file: the `%PDF-` header, the tail (`startxref … %%EOF`), then the chain.

use std::cell::{Cell, RefCell};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use super::source::Source;
use super::{Reader, ReaderOptions};
use crate::pdf::parser::{EofMarker, Parser, show_token};
use crate::pdf::{PdfError, Result};

/// How much of the file's end is searched for `startxref`.
const TAIL_LEN: u64 = 2048;
/// How far into the file the `%PDF-` header may start.
const HEADER_SEARCH: u64 = 1024;

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
            src: RefCell::new(Source::new(src, file_len)),
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
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}
