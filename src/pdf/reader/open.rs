//! Opening a file: the `%PDF-` header, the tail (`startxref … %%EOF`), then the chain.

use std::cell::{Cell, RefCell};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use super::source::Source;
use super::{Defect, DefectKind, Reader, ReaderOptions};
use crate::pdf::crypt::Decryptor;
use crate::pdf::object::Object;
use crate::pdf::parser::{EofMarker, Parser, show_token};
use crate::pdf::{PdfError, Result};

/// How much of the file's end is searched for `startxref`.
const TAIL_LEN: u64 = 2048;
/// How far into the file the `%PDF-` header may start.
const HEADER_SEARCH: u64 = 1024;
/// How many bytes after a `startxref` keyword its offset and `%%EOF` may take.
const MARKER_WINDOW: u64 = 256;
/// How much of the file is read at a time when looking back for the last complete revision.
const SALVAGE_CHUNK: u64 = 64 * 1024;
/// Most `startxref` keywords tried when looking back (hostile files can hold millions).
const SALVAGE_CANDIDATES: usize = 1024;

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
            decryptor: None,
            defects: RefCell::new(Vec::new()),
            unaccounted: None,
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
        if reader.encrypted {
            match reader.decryptor() {
                Ok(d) => reader.decryptor = Some(d),
                Err(_) if reader.options.allow_encrypted => {}
                Err(e) => return Err(e),
            }
        }
        // The catalog must load (an undecrypted file's may sit in an encrypted object stream).
        if !reader.encrypted || reader.decryptor.is_some() {
            reader.catalog()?;
        }
        Ok(reader)
    }

    /// The decryptor of the standard security handler for the newest `/Encrypt`.
    fn decryptor(&self) -> Result<Decryptor> {
        let t = self.trailer();
        let (enc, enc_ref) = match t.get("Encrypt") {
            Some(Object::Dictionary(d)) => (d.clone(), None),
            Some(Object::Reference(r)) => match self.get(*r)? {
                Object::Dictionary(d) => (d, Some(*r)),
                o => {
                    return Err(PdfError::EncryptionUnsupported(format!(
                        "/Encrypt is a {}",
                        o.type_name()
                    )));
                }
            },
            _ => {
                return Err(PdfError::EncryptionUnsupported(
                    "/Encrypt is not a dictionary".into(),
                ));
            }
        };
        let id0 = t
            .get("ID")
            .and_then(Object::as_array)
            .and_then(|a| a.first())
            .and_then(Object::as_string)
            .map(|s| s.bytes.clone())
            .unwrap_or_default();
        Decryptor::new(&enc, enc_ref, &id0, &self.options.password)
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
        let marker = match rfind(&tail, b"startxref") {
            None => Err(PdfError::BrokenXref {
                detail: format!("no `startxref` in the last {TAIL_LEN} bytes"),
            }),
            Some(pos) => {
                let base = start + pos as u64;
                self.marker_at(base)?.ok_or_else(|| PdfError::BrokenXref {
                    detail: format!(
                        "`startxref` at offset {base} is not followed by an offset and `%%EOF`"
                    ),
                })
            }
        };
        let marker = match marker {
            Ok(m) => m,
            Err(e) => self.last_complete_revision(e)?,
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

    /// The `startxref N %%EOF` marker whose `startxref` keyword is at `at`, if it is one.
    fn marker_at(&self, at: u64) -> Result<Option<EofMarker>> {
        let len = self.file_len.saturating_sub(at).min(MARKER_WINDOW);
        let bytes = self.read(at, len)?;
        let mut p = Parser::new(&bytes, at, true, &self.options.limits);
        Ok(p.eof_marker().ok().flatten())
    }

    /// The file does not end with a complete marker (`broken`): find the last complete
    /// `startxref N %%EOF` (N before it), read the file as of it, and record the bytes after it
    /// as unaccounted (an incremental saving attack appends objects there without a usable
    /// xref, for viewers that repair files). Without such a marker, `broken` is the error.
    fn last_complete_revision(&mut self, broken: PdfError) -> Result<EofMarker> {
        let mut end = self.file_len;
        let mut tried = 0usize;
        while end > 0 && tried < SALVAGE_CANDIDATES {
            let start = end.saturating_sub(SALVAGE_CHUNK);
            // Overlap by the keyword's length so a keyword across chunks is seen once.
            let chunk = self.read(start, (end - start).min(self.file_len - start))?;
            let mut hay: &[u8] = &chunk;
            while let Some(pos) = rfind(hay, b"startxref") {
                tried += 1;
                if tried > SALVAGE_CANDIDATES {
                    break;
                }
                let at = start + pos as u64;
                if let Some(m) = self.marker_at(at)?
                    && m.startxref < at
                    && m.end < self.file_len
                {
                    let len = self.file_len - m.end;
                    self.unaccounted = Some((m.end, len));
                    self.note_defect(Defect {
                        kind: DefectKind::UnaccountedTail,
                        detail: format!(
                            "{broken}; read as of the last complete revision (ending at offset {}), \
                             the {len} bytes after it belong to no revision",
                            m.end
                        ),
                    });
                    return Ok(m);
                }
                hay = hay.get(..pos).unwrap_or(&[]);
            }
            if start == 0 {
                break;
            }
            end = start + 8;
        }
        Err(broken)
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}
