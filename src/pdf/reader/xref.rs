//! The cross-reference chain: classic tables, xref streams and hybrid files, followed
//! through `/Prev` (loops, sizes and entry counts bounded).

use std::collections::{HashMap, HashSet};
use std::io::{Read, Seek};

use super::revisions::lookup;
use super::source::FIRST_WINDOW;
use super::{Defect, DefectKind, Reader, Section, XrefEntry, XrefKind};
use crate::pdf::filter;
use crate::pdf::object::{Dictionary, ObjRef, Object};
use crate::pdf::parser::{EofMarker, Indirect, PErr, show_token};
use crate::pdf::{PdfError, Result};

impl<R: Read + Seek> Reader<R> {
    /// Reads every section from `tail.startxref` through `/Prev`, then groups the revisions.
    pub(super) fn read_chain(&mut self, tail: EofMarker) -> Result<()> {
        let limits = self.options.limits.clone();
        let mut visited: HashSet<u64> = HashSet::new();
        let mut next = Some(tail.startxref);
        let mut total_entries = 0usize;
        let mut xrefstms: HashMap<u64, Vec<usize>> = HashMap::new();
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
            let section =
                self.read_section(offset, &mut visited, &mut xrefstms, &mut total_entries)?;
            if section.offset != offset && !visited.insert(section.offset) {
                return Err(PdfError::BrokenXref {
                    detail: format!("loop in the /Prev chain at offset {}", section.offset),
                });
            }
            next = match section.trailer.get("Prev") {
                None => None,
                Some(Object::Integer(0)) if self.header_offset == 0 => {
                    // Offset 0 holds `%PDF-`: no writer can mean an xref section there.
                    self.note_defect(Defect {
                        kind: DefectKind::PrevZero,
                        detail: format!(
                            "the trailer of the xref section at {} has /Prev 0 (the header): read as the end of the chain",
                            section.offset
                        ),
                    });
                    None
                }
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
        self.check_repeated_xrefstms(&xrefstms)?;
        self.group_revisions(tail);
        self.merge_latest();
        // Objects first (oldest section first), the sections' own offsets last: a file written
        // in object order then gives an already sorted list, which the sort only scans.
        let mut starts: Vec<u64> = Vec::new();
        for s in self.sections.iter().rev() {
            starts.extend(s.entries.iter().filter_map(|(_, e)| match e {
                XrefEntry::InUse { offset, .. } => Some(*offset),
                _ => None,
            }));
        }
        starts.extend(self.sections.iter().rev().map(|s| s.offset));
        starts.sort_unstable();
        starts.dedup();
        self.starts = starts;
        Ok(())
    }

    fn read_section(
        &mut self,
        named: u64,
        visited: &mut HashSet<u64>,
        xrefstms: &mut HashMap<u64, Vec<usize>>,
        total: &mut usize,
    ) -> Result<Section> {
        let (offset, is_table) = self.locate_section(named)?;
        if !is_table {
            let (entries, trailer, marker, sr) = self.read_xref_stream(offset, total)?;
            return Ok(Section {
                offset,
                named,
                kind: XrefKind::Stream,
                trailer,
                entries,
                marker,
                stream_num: Some(sr.num),
                from_stream: Vec::new(),
            });
        }
        let (mut entries, trailer, marker) = self.read_table(offset, total)?;
        let mut kind = XrefKind::Table;
        let mut stream_num = None;
        let mut from_stream = Vec::new();
        if let Some(x) = trailer.get("XRefStm") {
            let xo = x
                .as_int()
                .and_then(|v| u64::try_from(v).ok())
                .filter(|&v| v < self.file_len)
                .ok_or_else(|| PdfError::BrokenXref {
                    detail: format!("bad /XRefStm in the trailer of the xref table at {offset}"),
                })?;
            // A stream another trailer already named is checked after the whole chain is read
            // (`check_repeated_xrefstms`); any other offset already read is a loop.
            match xrefstms.get_mut(&xo) {
                Some(users) => users.push(self.sections.len()),
                None => {
                    if !visited.insert(xo) {
                        return Err(PdfError::BrokenXref {
                            detail: format!("/XRefStm {xo} points at an xref section already read"),
                        });
                    }
                    xrefstms.insert(xo, vec![self.sections.len()]);
                }
            }
            let (stream_entries, _, _, sr) = self.read_xref_stream(xo, total)?;
            stream_num = Some(sr.num);
            // The table's in-use entries win; its free entries give way to the stream's.
            let mut map: HashMap<u32, (XrefEntry, bool)> = stream_entries
                .into_iter()
                .map(|(n, e)| (n, (e, true)))
                .collect();
            for (n, e) in entries.drain(..) {
                if matches!(e, XrefEntry::InUse { .. }) || !map.contains_key(&n) {
                    map.insert(n, (e, false));
                }
            }
            from_stream = map
                .iter()
                .filter(|(_, (_, s))| *s)
                .map(|(n, _)| *n)
                .collect();
            entries = map.into_iter().map(|(n, (e, _))| (n, e)).collect();
            entries.sort_unstable_by_key(|(n, _)| *n);
            kind = XrefKind::Hybrid;
        }
        Ok(Section {
            offset,
            named,
            kind,
            trailer,
            entries,
            marker,
            stream_num,
            from_stream,
        })
    }

    /// Where the section named at `named` really starts, and whether it is a table (else an
    /// xref stream object). Tolerated: white space before `xref` or before the stream
    /// object's number, and an offset one to three bytes into the `xref` keyword; each is
    /// recorded as a [`DefectKind::ShiftedXrefOffset`].
    fn locate_section(&mut self, named: u64) -> Result<(u64, bool)> {
        let back = named.min(3);
        let window = self.read(
            named - back,
            (back + SHIFT_WINDOW).min(self.file_len - (named - back)),
        )?;
        let here = window.get(back as usize..).unwrap_or(&[]);
        if here.starts_with(b"xref") {
            return Ok((named, true));
        }
        if here.first().is_some_and(u8::is_ascii_digit) {
            return Ok((named, false));
        }
        let ws = here.iter().take_while(|b| is_pdf_whitespace(**b)).count();
        let after = here.get(ws..).unwrap_or(&[]);
        let found = if ws > 0 && after.starts_with(b"xref") {
            Some((named + ws as u64, true))
        } else if ws > 0
            && after.first().is_some_and(u8::is_ascii_digit)
            && !(back > 0
                && window
                    .get(back as usize - 1)
                    .is_some_and(u8::is_ascii_digit))
        {
            // Not after a digit: white space inside `N G obj` must not move the offset onto
            // the generation number.
            Some((named + ws as u64, false))
        } else {
            // One to three bytes into the keyword: `ref`, `ef` or `f` preceded by the rest.
            (1..=back).find_map(|k| {
                let from = usize::try_from(back - k).ok()?;
                window
                    .get(from..)
                    .filter(|w| w.starts_with(b"xref"))
                    .map(|_| (named - k, true))
            })
        };
        let Some((at, is_table)) = found else {
            return Err(PdfError::BrokenXref {
                detail: format!(
                    "offset {named} (from startxref or /Prev) points at neither `xref` nor an xref stream object"
                ),
            });
        };
        self.note_defect(Defect {
            kind: DefectKind::ShiftedXrefOffset,
            detail: format!(
                "startxref or /Prev names offset {named}, the xref {} starts at {at}",
                if is_table { "table" } else { "stream" }
            ),
        });
        Ok((at, is_table))
    }

    /// A `/XRefStm` named by more than one trailer (writers copy it from the previous
    /// trailer): tolerated when the newer trailer's copy gives every object the entry the
    /// older sections give it anyway, so that reading it or not makes no difference; else the
    /// two readings differ and the file is refused.
    fn check_repeated_xrefstms(&mut self, xrefstms: &HashMap<u64, Vec<usize>>) -> Result<()> {
        let mut repeated: Vec<(u64, &Vec<usize>)> = xrefstms
            .iter()
            .filter(|(_, users)| users.len() > 1)
            .map(|(o, u)| (*o, u))
            .collect();
        repeated.sort_unstable_by_key(|(o, _)| *o);
        for (xo, users) in repeated {
            // Users are in reading order: newest first; the oldest one is the stream's own.
            for &i in users.iter().take(users.len() - 1) {
                let Some(s) = self.sections.get(i) else {
                    continue;
                };
                for &n in &s.from_stream {
                    let with = lookup(&s.entries, n);
                    let without = self
                        .sections
                        .get(i + 1..)
                        .unwrap_or(&[])
                        .iter()
                        .find_map(|o| lookup(&o.entries, n));
                    if with != without {
                        return Err(PdfError::BrokenXref {
                            detail: format!(
                                "/XRefStm {xo} is named again by the trailer of the xref table at {}, \
                                 and that copy changes object {n} from what the sections in between say: \
                                 the readings differ",
                                s.offset
                            ),
                        });
                    }
                }
                let at = s.offset;
                self.note_defect(Defect {
                    kind: DefectKind::RepeatedXrefStm,
                    detail: format!(
                        "/XRefStm {xo} is named again by the trailer of the xref table at {at}; \
                         it gives no object a different entry"
                    ),
                });
            }
        }
        Ok(())
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
        // The first subsection's entry count sizes the window (20 bytes an entry), so that a
        // large table is read and parsed once rather than in growing windows.
        let first = self
            .with_window(offset, file_len, 256, 256, &|| "xref table".into(), |p| {
                p.expect_keyword("xref")?;
                p.unsigned("")?;
                p.unsigned("")
            })
            .unwrap_or(0);
        let window = first
            .saturating_mul(20)
            .saturating_add(64 * 1024)
            .min(limits.max_decoded_stream);
        let (entries, trailer, marker) = self.with_window(
            offset,
            file_len,
            usize::try_from(window).unwrap_or(64 * 1024),
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
                    entries.reserve(usize::try_from(count.min(1 << 20)).unwrap_or(0));
                    for i in 0..count {
                        p.skip_ws()?;
                        let at = p.offset();
                        let (a, b, kind) = match p.xref_entry_fast() {
                            Some((a, b, b'n')) => (a, b, b"n".as_slice()),
                            Some((a, b, _)) => (a, b, b"f".as_slice()),
                            None => (
                                p.unsigned("an xref entry offset")?,
                                p.unsigned("an xref entry generation")?,
                                p.token()?,
                            ),
                        };
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
}

/// How many bytes after a named xref offset are looked at for white space and `xref`.
const SHIFT_WINDOW: u64 = 36;

fn is_pdf_whitespace(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'\0')
}

fn be(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b))
}
