//! Small PDFs written by hand, byte by byte, for the reader and verifier tests: numbered object
//! bodies, then a classic cross-reference table in one of two layouts and a trailer. The bytes
//! are exactly what the caller asks for, so hostile variants stay easy to make.

/// An xref entry: object number, generation, offset (`None` for a free entry).
pub type Entry = (u32, u16, Option<u64>);

/// Bytes of a PDF under construction and the xref entries of its objects.
pub struct PdfBuilder {
    out: Vec<u8>,
    /// In the order they were added.
    entries: Vec<Entry>,
}

/// How the cross-reference table lists the entries.
#[derive(Clone, Copy)]
pub enum XrefTable {
    /// One subsection `0 SIZE`: every number below the size, the missing ones free.
    OneSection,
    /// Object 0, then one subsection `N 1` per entry, in number order.
    SectionPerEntry,
}

impl PdfBuilder {
    /// A new file that starts with `header` (e.g. `b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"`).
    pub fn new(header: &[u8]) -> Self {
        Self::after(header.to_vec())
    }

    /// Objects appended after `bytes` (junk and a header, or an earlier revision): offsets
    /// count from the start of `bytes`.
    pub fn after(bytes: Vec<u8>) -> Self {
        Self {
            out: bytes,
            entries: Vec::new(),
        }
    }

    /// Appends object `num` (generation 0) with `body` between `obj` and `endobj`.
    pub fn object(&mut self, num: u32, body: &[u8]) -> &mut Self {
        self.object_gen(num, 0, body)
    }

    /// Appends object `num` of generation `generation`.
    pub fn object_gen(&mut self, num: u32, generation: u16, body: &[u8]) -> &mut Self {
        self.entries
            .push((num, generation, Some(self.out.len() as u64)));
        self.out
            .extend_from_slice(format!("{num} {generation} obj\n").as_bytes());
        self.out.extend_from_slice(body);
        self.out.extend_from_slice(b"\nendobj\n");
        self
    }

    /// Adds an xref entry with no body written here: in use at `offset`, or free (`None`).
    pub fn entry(&mut self, num: u32, generation: u16, offset: Option<u64>) -> &mut Self {
        self.entries.push((num, generation, offset));
        self
    }

    /// One past the highest object number (at least 1): the trailer's /Size.
    pub fn size(&self) -> u32 {
        self.entries
            .iter()
            .map(|(n, _, _)| n + 1)
            .max()
            .unwrap_or(1)
    }

    /// The bytes so far and the entries (for a caller writing its own xref stream).
    pub fn into_parts(self) -> (Vec<u8>, Vec<Entry>) {
        (self.out, self.entries)
    }

    /// Ends the file: the xref table in `layout`, each entry ending with `eol` (two bytes:
    /// `"\r\n"` or `" \n"`), `trailer` (the dictionary), `startxref` and `%%EOF`.
    pub fn finish(self, layout: XrefTable, eol: &str, trailer: &str) -> Vec<u8> {
        let size = self.size();
        let Self { mut out, entries } = self;
        let xref = out.len();
        let line = |offset: Option<u64>, generation: u16| match offset {
            Some(o) => format!("{o:010} {generation:05} n{eol}"),
            None => format!("0000000000 {generation:05} f{eol}"),
        };
        match layout {
            XrefTable::OneSection => {
                out.extend_from_slice(
                    format!("xref\n0 {size}\n0000000000 65535 f{eol}").as_bytes(),
                );
                for n in 1..size {
                    let text = match entries.iter().find(|(m, _, _)| *m == n) {
                        Some((_, g, o)) => line(*o, *g),
                        None => line(None, 0),
                    };
                    out.extend_from_slice(text.as_bytes());
                }
            }
            XrefTable::SectionPerEntry => {
                let mut sorted = entries;
                sorted.sort_by_key(|(n, _, _)| *n);
                out.extend_from_slice(format!("xref\n0 1\n0000000000 65535 f{eol}").as_bytes());
                for (n, g, o) in sorted {
                    out.extend_from_slice(format!("{n} 1\n{}", line(o, g)).as_bytes());
                }
            }
        }
        out.extend_from_slice(format!("trailer\n{trailer}\nstartxref\n{xref}\n%%EOF\n").as_bytes());
        out
    }
}
