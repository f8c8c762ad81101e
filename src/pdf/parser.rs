//! The strict, bounded object parser (ISO 32000-2 §7.2–7.3), working on a window of bytes.
//!
//! The window may end before the end of the data (`at_eof == false`): reaching its end is then
//! [`PErr::Incomplete`] and the caller retries with a larger window. Every error carries the
//! absolute offset at which it was found.

use std::collections::HashSet;

use super::object::{Dictionary, ObjRef, Object, PdfString, is_delimiter, is_whitespace};
use super::{Limits, PdfError};

/// A parse failure: more bytes needed, or a real error.
#[derive(Debug)]
pub(crate) enum PErr {
    /// The window ended inside a token: read more and retry.
    Incomplete,
    /// The data is malformed (or too large).
    Fatal(PdfError),
}

impl From<PdfError> for PErr {
    fn from(e: PdfError) -> Self {
        PErr::Fatal(e)
    }
}

pub(crate) type PResult<T> = std::result::Result<T, PErr>;

/// What follows `N G obj`: a plain object, or a stream dictionary with its data offset.
#[derive(Debug)]
pub(crate) enum Indirect {
    /// A non-stream object, `endobj` checked; `end` is the absolute offset after `endobj`.
    Object { obj: Object, end: u64 },
    /// A stream: its dictionary and the absolute offset of its first data byte.
    Stream { dict: Dictionary, data_offset: u64 },
}

/// The end-of-section marker `startxref N %%EOF`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct EofMarker {
    /// The offset written after `startxref`.
    pub startxref: u64,
    /// Absolute offset of `%%EOF`.
    pub eof_offset: u64,
    /// Absolute offset just after `%%EOF` and its end-of-line marker.
    pub end: u64,
}

pub(crate) struct Parser<'a> {
    buf: &'a [u8],
    pos: usize,
    base: u64,
    at_eof: bool,
    limits: &'a Limits,
}

impl<'a> Parser<'a> {
    /// A parser over `buf`, whose first byte is at absolute offset `base`.
    pub fn new(buf: &'a [u8], base: u64, at_eof: bool, limits: &'a Limits) -> Self {
        Parser {
            buf,
            pos: 0,
            base,
            at_eof,
            limits,
        }
    }

    /// Absolute offset of the next byte.
    pub fn offset(&self) -> u64 {
        self.base.saturating_add(self.pos as u64)
    }

    /// Position within the window.
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// Moves within the window.
    pub fn set_pos(&mut self, pos: usize) {
        self.pos = pos.min(self.buf.len());
    }

    fn err(&self, detail: impl Into<String>) -> PErr {
        PErr::Fatal(PdfError::Malformed {
            offset: self.offset(),
            detail: detail.into(),
        })
    }

    fn err_at(&self, pos: usize, detail: impl Into<String>) -> PErr {
        PErr::Fatal(PdfError::Malformed {
            offset: self.base.saturating_add(pos as u64),
            detail: detail.into(),
        })
    }

    /// The next byte, `None` at the end of the data, `Incomplete` at the end of the window.
    fn peek(&self) -> PResult<Option<u8>> {
        match self.buf.get(self.pos) {
            Some(&b) => Ok(Some(b)),
            None if self.at_eof => Ok(None),
            None => Err(PErr::Incomplete),
        }
    }

    fn peek_at(&self, ahead: usize) -> PResult<Option<u8>> {
        match self.buf.get(self.pos.saturating_add(ahead)) {
            Some(&b) => Ok(Some(b)),
            None if self.at_eof => Ok(None),
            None => Err(PErr::Incomplete),
        }
    }

    /// Skips white space only.
    pub fn skip_whitespace(&mut self) -> PResult<()> {
        while let Some(b) = self.peek()? {
            if !is_whitespace(b) {
                break;
            }
            self.pos += 1;
        }
        Ok(())
    }

    /// Skips white space and comments.
    pub fn skip_ws(&mut self) -> PResult<()> {
        loop {
            match self.peek()? {
                Some(b) if is_whitespace(b) => self.pos += 1,
                Some(b'%') => self.skip_comment()?,
                _ => return Ok(()),
            }
        }
    }

    /// Skips a comment up to (not including) its end-of-line marker.
    fn skip_comment(&mut self) -> PResult<()> {
        while let Some(b) = self.peek()? {
            if b == b'\r' || b == b'\n' {
                break;
            }
            self.pos += 1;
        }
        Ok(())
    }

    /// Skips one end-of-line marker (CRLF, LF or a lone CR); false when there is none.
    fn skip_eol(&mut self) -> PResult<bool> {
        match self.peek()? {
            Some(b'\r') => {
                self.pos += 1;
                if self.peek()? == Some(b'\n') {
                    self.pos += 1;
                }
                Ok(true)
            }
            Some(b'\n') => {
                self.pos += 1;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// The fatal error for a `what` starting at `start` that is `over` its limit (e.g.
    /// `longer than 100 bytes`).
    fn too_large(&self, what: &str, start: usize, over: String) -> PErr {
        PErr::Fatal(PdfError::TooLarge {
            what: format!(
                "{what} at offset {} {over}",
                self.base.saturating_add(start as u64)
            ),
        })
    }

    /// Reads a run of regular characters (may be empty).
    fn regular_token(&mut self) -> PResult<&'a [u8]> {
        let start = self.pos;
        while let Some(b) = self.peek()? {
            if is_whitespace(b) || is_delimiter(b) {
                break;
            }
            self.pos += 1;
        }
        Ok(self.buf.get(start..self.pos).unwrap_or(&[]))
    }

    /// One xref table entry in the form the standard prescribes (ISO 32000 7.5.4): ten digits,
    /// a space, five digits, a space, `n` or `f`, then a two-byte end of line (` \r`, ` \n`
    /// or `\r\n`), read in one step: the offset (or next free object), the generation and
    /// the type byte. `None`, without moving, for any other form (the caller then reads the
    /// entry token by token, which also accepts the variants real files have).
    pub fn xref_entry_fast(&mut self) -> Option<(u64, u64, u8)> {
        let e = self.buf.get(self.pos..self.pos.checked_add(20)?)?;
        let digits = |d: &[u8]| {
            d.iter().try_fold(0u64, |acc, &b| {
                b.is_ascii_digit().then(|| acc * 10 + u64::from(b - b'0'))
            })
        };
        let (offset, rest) = e.split_at(10);
        let (sep1, rest) = rest.split_at(1);
        let (generation, rest) = rest.split_at(5);
        let ([b' '], [b' ', kind @ (b'n' | b'f'), eol @ ..]) = (sep1, rest) else {
            return None;
        };
        if !matches!(eol, b" \r" | b" \n" | b"\r\n") {
            return None;
        }
        let entry = (digits(offset)?, digits(generation)?, *kind);
        self.pos += 20;
        Some(entry)
    }

    /// Skips white space and comments, then reads a keyword or number token.
    pub fn token(&mut self) -> PResult<&'a [u8]> {
        self.skip_ws()?;
        self.regular_token()
    }

    /// Expects the keyword `kw` (after white space and comments).
    pub fn expect_keyword(&mut self, kw: &str) -> PResult<()> {
        let at = {
            self.skip_ws()?;
            self.pos
        };
        let t = self.regular_token()?;
        if t != kw.as_bytes() {
            return Err(self.err_at(at, format!("expected `{kw}`, found `{}`", show_token(t))));
        }
        Ok(())
    }

    /// Reads an unsigned integer token.
    pub fn unsigned(&mut self, what: &str) -> PResult<u64> {
        self.skip_ws()?;
        let at = self.pos;
        let t = self.regular_token()?;
        parse_unsigned(t).ok_or_else(|| {
            self.err_at(
                at,
                format!(
                    "expected {what} (an unsigned integer), found `{}`",
                    show_token(t)
                ),
            )
        })
    }

    /// Parses `N G obj` and returns the reference. The object number must start right here
    /// (an xref offset points at its first digit, not at white space before it).
    pub fn indirect_header(&mut self) -> PResult<ObjRef> {
        let at = self.pos;
        if !self.peek()?.is_some_and(|b| b.is_ascii_digit()) {
            return Err(self.err("expected an object number"));
        }
        let num = self.unsigned("an object number")?;
        let r#gen = self.unsigned("a generation number")?;
        self.expect_keyword("obj")?;
        let num = u32::try_from(num).map_err(|_| self.err_at(at, "object number too large"))?;
        let r#gen =
            u16::try_from(r#gen).map_err(|_| self.err_at(at, "generation number too large"))?;
        Ok(ObjRef { num, r#gen })
    }

    /// Parses the body of an indirect object after `N G obj`: an object then `endobj`, or a
    /// stream dictionary then `stream` and its end-of-line marker.
    pub fn indirect_body(&mut self) -> PResult<Indirect> {
        // `N G obj endobj` (no object at all) is the null object, as qpdf and pdf.js read it.
        self.skip_ws()?;
        let save = self.pos;
        if self.regular_token()? == b"endobj" {
            return Ok(Indirect::Object {
                obj: Object::Null,
                end: self.offset(),
            });
        }
        self.pos = save;
        let obj = self.object(0)?;
        self.skip_ws()?;
        let at = self.pos;
        let t = self.regular_token()?;
        match t {
            b"endobj" => Ok(Indirect::Object {
                obj,
                end: self.offset(),
            }),
            b"stream" => {
                let Object::Dictionary(dict) = obj else {
                    return Err(
                        self.err_at(at, "`stream` after an object that is not a dictionary")
                    );
                };
                // `stream` is followed by CRLF or LF (a lone CR is accepted too).
                if !self.skip_eol()? {
                    return Err(self.err("`stream` not followed by an end-of-line marker"));
                }
                Ok(Indirect::Stream {
                    dict,
                    data_offset: self.offset(),
                })
            }
            _ => Err(self.err_at(
                at,
                format!(
                    "expected `endobj` or `stream` after the object, found `{}`",
                    show_token(t)
                ),
            )),
        }
    }

    /// Checks `endstream` then `endobj` (after optional white space); returns the offset after
    /// `endobj`.
    pub fn stream_end(&mut self) -> PResult<u64> {
        self.skip_whitespace()?;
        let at = self.pos;
        let t = self.regular_token()?;
        if t != b"endstream" {
            return Err(self.err_at(
                at,
                format!(
                    "stream data not followed by `endstream` (found `{}`): wrong /Length",
                    show_token(t)
                ),
            ));
        }
        self.expect_keyword("endobj")?;
        Ok(self.offset())
    }

    /// Parses an optional `startxref N %%EOF` marker (white space and comments before it).
    /// Returns `None` when what follows is something else.
    pub fn eof_marker(&mut self) -> PResult<Option<EofMarker>> {
        // Skip white space and comments, but stop at `%%EOF`.
        loop {
            match self.peek()? {
                Some(b) if is_whitespace(b) => self.pos += 1,
                Some(b'%') => {
                    if self.peek_at(1)? == Some(b'%') {
                        return Ok(None);
                    }
                    self.skip_comment()?;
                }
                _ => break,
            }
        }
        if self.regular_token()? != b"startxref" {
            return Ok(None);
        }
        self.skip_whitespace()?;
        let Some(startxref) = parse_unsigned(self.regular_token()?) else {
            return Ok(None);
        };
        self.skip_whitespace()?;
        let eof_offset = self.offset();
        for &c in b"%%EOF" {
            if self.peek()? != Some(c) {
                return Ok(None);
            }
            self.pos += 1;
        }
        self.skip_eol()?;
        Ok(Some(EofMarker {
            startxref,
            eof_offset,
            end: self.offset(),
        }))
    }

    /// Parses one direct object (no streams). `depth` counts enclosing arrays/dictionaries.
    pub fn object(&mut self, depth: usize) -> PResult<Object> {
        if depth > self.limits.max_depth {
            return Err(PErr::Fatal(PdfError::TooLarge {
                what: format!(
                    "nesting deeper than {} levels at offset {}",
                    self.limits.max_depth,
                    self.offset()
                ),
            }));
        }
        self.skip_ws()?;
        let Some(b) = self.peek()? else {
            return Err(self.err("unexpected end of data where an object was expected"));
        };
        match b {
            b'/' => {
                self.pos += 1;
                Ok(Object::Name(self.name_body()?))
            }
            b'(' => {
                self.pos += 1;
                Ok(Object::String(PdfString {
                    bytes: self.literal_string_body()?,
                    hex: false,
                }))
            }
            b'<' => {
                if self.peek_at(1)? == Some(b'<') {
                    self.pos += 2;
                    Ok(Object::Dictionary(self.dictionary_body(depth)?))
                } else {
                    self.pos += 1;
                    Ok(Object::String(PdfString {
                        bytes: self.hex_string_body()?,
                        hex: true,
                    }))
                }
            }
            b'[' => {
                self.pos += 1;
                self.array_body(depth)
            }
            b')' | b'>' | b']' | b'{' | b'}' => {
                Err(self.err(format!("unexpected `{}`", char::from(b))))
            }
            _ => self.keyword_or_number(),
        }
    }

    fn keyword_or_number(&mut self) -> PResult<Object> {
        let at = self.pos;
        let t = self.regular_token()?;
        match t {
            b"true" => return Ok(Object::Boolean(true)),
            b"false" => return Ok(Object::Boolean(false)),
            b"null" => return Ok(Object::Null),
            _ => {}
        }
        match parse_number(t) {
            Some(Num::Int(i)) => {
                // `N G R`?
                if i >= 0 {
                    let save = self.pos;
                    if let Some(r) = self.try_reference_tail(i, at)? {
                        return Ok(Object::Reference(r));
                    }
                    self.pos = save;
                }
                Ok(Object::Integer(i))
            }
            Some(Num::Real(r)) => Ok(Object::Real(r)),
            None if t.is_empty() => Err(self.err_at(at, "unexpected character")),
            None => Err(self.err_at(at, format!("unknown token `{}`", show_token(t)))),
        }
    }

    fn try_reference_tail(&mut self, num: i64, at: usize) -> PResult<Option<ObjRef>> {
        self.skip_ws()?;
        let g = self.regular_token()?;
        let Some(r#gen) = parse_unsigned(g) else {
            return Ok(None);
        };
        if g.first() == Some(&b'+') {
            return Ok(None);
        }
        self.skip_ws()?;
        if self.regular_token()? != b"R" {
            return Ok(None);
        }
        let num = u32::try_from(num)
            .map_err(|_| self.err_at(at, "object number of a reference too large"))?;
        let r#gen = u16::try_from(r#gen)
            .map_err(|_| self.err_at(at, "generation of a reference too large"))?;
        Ok(Some(ObjRef { num, r#gen }))
    }

    fn name_body(&mut self) -> PResult<Vec<u8>> {
        let start = self.pos;
        let raw = self.regular_token()?;
        if raw.len() > self.limits.max_name_len {
            return Err(self.err_at(start, "name too long"));
        }
        let mut out = Vec::with_capacity(raw.len());
        let mut i = 0;
        while let Some(&b) = raw.get(i) {
            if b == b'#' {
                let h = raw.get(i + 1).copied().and_then(hex_val);
                let l = raw.get(i + 2).copied().and_then(hex_val);
                match (h, l) {
                    (Some(h), Some(l)) => out.push(h << 4 | l),
                    _ => return Err(self.err_at(start + i, "bad `#xx` escape in a name")),
                }
                i += 3;
            } else {
                out.push(b);
                i += 1;
            }
        }
        Ok(out)
    }

    fn push_limited(&self, out: &mut Vec<u8>, b: u8, start: usize) -> PResult<()> {
        if out.len() >= self.limits.max_string_len {
            return Err(self.too_large(
                "string",
                start,
                format!("longer than {} bytes", self.limits.max_string_len),
            ));
        }
        out.push(b);
        Ok(())
    }

    fn literal_string_body(&mut self) -> PResult<Vec<u8>> {
        let start = self.pos;
        let mut out = Vec::new();
        let mut depth = 1usize;
        loop {
            let Some(b) = self.peek()? else {
                return Err(self.err_at(start, "unterminated literal string"));
            };
            self.pos += 1;
            match b {
                b'(' => {
                    depth += 1;
                    self.push_limited(&mut out, b, start)?;
                }
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(out);
                    }
                    self.push_limited(&mut out, b, start)?;
                }
                b'\r' => {
                    // An unescaped EOL is a line feed.
                    if self.peek()? == Some(b'\n') {
                        self.pos += 1;
                    }
                    self.push_limited(&mut out, b'\n', start)?;
                }
                b'\\' => {
                    let Some(e) = self.peek()? else {
                        return Err(self.err_at(start, "unterminated literal string"));
                    };
                    self.pos += 1;
                    let v = match e {
                        b'n' => Some(b'\n'),
                        b'r' => Some(b'\r'),
                        b't' => Some(b'\t'),
                        b'b' => Some(0x08),
                        b'f' => Some(0x0C),
                        b'(' | b')' | b'\\' => Some(e),
                        b'\r' => {
                            if self.peek()? == Some(b'\n') {
                                self.pos += 1;
                            }
                            None
                        }
                        b'\n' => None,
                        b'0'..=b'7' => {
                            let mut v = u32::from(e - b'0');
                            for _ in 0..2 {
                                match self.peek()? {
                                    Some(d @ b'0'..=b'7') => {
                                        v = v * 8 + u32::from(d - b'0');
                                        self.pos += 1;
                                    }
                                    _ => break,
                                }
                            }
                            Some((v & 0xFF) as u8)
                        }
                        // An unknown escape: the backslash is ignored.
                        other => Some(other),
                    };
                    if let Some(v) = v {
                        self.push_limited(&mut out, v, start)?;
                    }
                }
                _ => self.push_limited(&mut out, b, start)?,
            }
        }
    }

    fn hex_string_body(&mut self) -> PResult<Vec<u8>> {
        let start = self.pos;
        let mut out = Vec::new();
        let mut high: Option<u8> = None;
        loop {
            let Some(b) = self.peek()? else {
                return Err(self.err_at(start, "unterminated hexadecimal string"));
            };
            self.pos += 1;
            if b == b'>' {
                break;
            }
            if is_whitespace(b) {
                continue;
            }
            let Some(v) = hex_val(b) else {
                return Err(self.err_at(
                    self.pos - 1,
                    format!("byte 0x{b:02X} in a hexadecimal string"),
                ));
            };
            match high.take() {
                None => high = Some(v),
                Some(h) => self.push_limited(&mut out, h << 4 | v, start)?,
            }
        }
        if let Some(h) = high {
            self.push_limited(&mut out, h << 4, start)?;
        }
        Ok(out)
    }

    fn array_body(&mut self, depth: usize) -> PResult<Object> {
        let start = self.pos;
        let mut items = Vec::new();
        loop {
            self.skip_ws()?;
            match self.peek()? {
                None => return Err(self.err_at(start, "unterminated array")),
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Object::Array(items));
                }
                Some(_) => {
                    if items.len() >= self.limits.max_collection_len {
                        return Err(self.too_large(
                            "array",
                            start,
                            format!("with more than {} items", self.limits.max_collection_len),
                        ));
                    }
                    items.push(self.object(depth + 1)?);
                }
            }
        }
    }

    fn dictionary_body(&mut self, depth: usize) -> PResult<Dictionary> {
        let start = self.pos;
        let mut dict = Dictionary::new();
        let mut seen: HashSet<Vec<u8>> = HashSet::new();
        loop {
            self.skip_ws()?;
            match self.peek()? {
                None => return Err(self.err_at(start, "unterminated dictionary")),
                Some(b'>') => {
                    if self.peek_at(1)? == Some(b'>') {
                        self.pos += 2;
                        return Ok(dict);
                    }
                    return Err(self.err("single `>` in a dictionary"));
                }
                Some(b'/') => {
                    let key_at = self.pos;
                    self.pos += 1;
                    let key = self.name_body()?;
                    self.skip_ws()?;
                    if matches!(self.peek()?, Some(b'>')) && self.peek_at(1)? == Some(b'>') {
                        return Err(self.err("dictionary key without a value"));
                    }
                    let value = self.object(depth + 1)?;
                    if dict.len() >= self.limits.max_collection_len {
                        return Err(self.too_large(
                            "dictionary",
                            start,
                            format!("with more than {} entries", self.limits.max_collection_len),
                        ));
                    }
                    if !seen.insert(key.clone()) {
                        return Err(self.err_at(
                            key_at,
                            format!(
                                "duplicate dictionary key /{}",
                                String::from_utf8_lossy(&key)
                            ),
                        ));
                    }
                    dict.push_unchecked(key, value);
                }
                Some(_) => return Err(self.err("dictionary key is not a name")),
            }
        }
    }
}

enum Num {
    Int(i64),
    Real(f64),
}

fn parse_number(t: &[u8]) -> Option<Num> {
    let (neg, digits) = match t.first()? {
        b'+' => (false, t.get(1..)?),
        b'-' => (true, t.get(1..)?),
        _ => (false, t),
    };
    if digits.is_empty() {
        return None;
    }
    let dots = digits.iter().filter(|&&b| b == b'.').count();
    if !digits.iter().all(|&b| b.is_ascii_digit() || b == b'.') || dots > 1 {
        return None;
    }
    if dots == 0 {
        let mut v: i64 = 0;
        for &d in digits {
            let d = i64::from(d - b'0');
            // Accumulate with the sign so that i64::MIN parses.
            v = v.checked_mul(10)?.checked_add(if neg { -d } else { d })?;
        }
        return Some(Num::Int(v));
    }
    if digits == b"." {
        return None;
    }
    let s = std::str::from_utf8(digits).ok()?;
    let s = if s.starts_with('.') {
        format!("0{s}")
    } else if s.ends_with('.') {
        format!("{s}0")
    } else {
        s.to_string()
    };
    let v: f64 = s.parse().ok()?;
    if !v.is_finite() {
        return None;
    }
    Some(Num::Real(if neg { -v } else { v }))
}

/// Parses a run of ASCII digits (an optional `+` allowed) as u64.
pub(crate) fn parse_unsigned(t: &[u8]) -> Option<u64> {
    let digits = t.strip_prefix(b"+").unwrap_or(t);
    if digits.is_empty() || digits.len() > 19 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut v: u64 = 0;
    for &d in digits {
        v = v.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
    }
    Some(v)
}

/// The value of the hexadecimal digit `b`.
pub(crate) fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// A token for an error message (at most 32 bytes, lossy).
pub(crate) fn show_token(t: &[u8]) -> String {
    let cut = t.get(..32).unwrap_or(t);
    let mut s = String::from_utf8_lossy(cut).into_owned();
    if t.len() > 32 {
        s.push('…');
    }
    s
}

/// Parses one direct object (no stream) from `data`; anything after it but white space and
/// comments is an error.
pub fn parse_object(data: &[u8], limits: &Limits) -> Result<Object, PdfError> {
    let mut p = Parser::new(data, 0, true, limits);
    let obj = match p.object(0) {
        Ok(o) => o,
        Err(PErr::Fatal(e)) => return Err(e),
        Err(PErr::Incomplete) => {
            return Err(PdfError::Malformed {
                offset: p.offset(),
                detail: "truncated object".into(),
            });
        }
    };
    match p.skip_ws() {
        Ok(()) if p.pos() == data.len() => Ok(obj),
        _ => Err(PdfError::Malformed {
            offset: p.offset(),
            detail: "data after the object".into(),
        }),
    }
}

/// Parses a complete direct object from `data`.
#[cfg(test)]
pub(crate) fn parse_object_at_eof(data: &[u8], base: u64, limits: &Limits) -> PResult<Object> {
    let mut p = Parser::new(data, base, true, limits);
    p.object(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &[u8]) -> Result<Object, PdfError> {
        let limits = Limits::default();
        match parse_object_at_eof(s, 0, &limits) {
            Ok(o) => Ok(o),
            Err(PErr::Fatal(e)) => Err(e),
            Err(PErr::Incomplete) => panic!("incomplete at eof"),
        }
    }

    #[test]
    fn basic_objects() {
        assert_eq!(parse(b"  42 ").unwrap(), Object::Integer(42));
        assert_eq!(parse(b"-3.5").unwrap(), Object::Real(-3.5));
        assert_eq!(parse(b".5").unwrap(), Object::Real(0.5));
        assert_eq!(parse(b"4.").unwrap(), Object::Real(4.0));
        assert_eq!(parse(b"+7").unwrap(), Object::Integer(7));
        assert_eq!(
            parse(b"-9223372036854775808").unwrap(),
            Object::Integer(i64::MIN)
        );
        assert_eq!(
            parse(b"12 0 R").unwrap(),
            Object::Reference(ObjRef::new(12, 0))
        );
        assert_eq!(
            parse(b"[1 2 R 3 4 5 R]").unwrap(),
            Object::Array(vec![
                Object::Reference(ObjRef::new(1, 2)),
                Object::Integer(3),
                Object::Reference(ObjRef::new(4, 5))
            ])
        );
        assert_eq!(parse(b"/A#20B").unwrap(), Object::Name(b"A B".to_vec()));
        assert_eq!(
            parse(b"(a\\(b\\)c\\101\\\nd (e) \r\n)").unwrap(),
            Object::string(b"a(b)cAd (e) \n".to_vec())
        );
        assert_eq!(
            parse(b"<41 42 4>").unwrap(),
            Object::String(PdfString::hex(b"AB@".to_vec()))
        );
        let d = parse(b"<</A 1/B[/C]%comment\n/D<</E null>>>>").unwrap();
        let d = d.as_dict().unwrap();
        assert_eq!(d.get_int("A"), Some(1));
        assert_eq!(d.keys().count(), 3);
    }

    #[test]
    fn strictness() {
        assert!(parse(b"<</A 1 /A 2>>").is_err());
        assert!(parse(b"<</A>>").is_err());
        assert!(parse(b"[1 2").is_err());
        assert!(parse(b"(abc").is_err());
        assert!(parse(b"<4G>").is_err());
        assert!(parse(b"1.2.3").is_err());
        assert!(parse(b"99999999999999999999").is_err());
        assert!(parse(b"{").is_err());
        assert!(parse(b"/A#4").is_err());
        let deep = b"[".repeat(100);
        assert!(matches!(parse(&deep), Err(PdfError::TooLarge { .. })));
    }

    #[test]
    fn incomplete_window() {
        let limits = Limits::default();
        let mut p = Parser::new(b"<< /A 12", 0, false, &limits);
        assert!(matches!(p.object(0), Err(PErr::Incomplete)));
        let mut p = Parser::new(b"12 0", 0, false, &limits);
        assert!(matches!(p.object(0), Err(PErr::Incomplete)));
    }

    #[test]
    fn markers() {
        let limits = Limits::default();
        let mut p = Parser::new(b"\nstartxref\n565\n%%EOF\r\nxx", 100, true, &limits);
        let m = p.eof_marker().unwrap().unwrap();
        assert_eq!(m.startxref, 565);
        assert_eq!(m.eof_offset, 115);
        assert_eq!(m.end, 122);
        let mut p = Parser::new(b"\n%%EOF", 0, true, &limits);
        assert!(p.eof_marker().unwrap().is_none());
    }
}
