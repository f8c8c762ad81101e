//! The PDF object model (ISO 32000-2 §7.3) and its serializer.
//!
//! Objects are plain data: a [`Stream`] read from a file keeps only the location of its data
//! ([`StreamData::File`]); [`crate::pdf::Reader::stream_data`] and
//! [`crate::pdf::Reader::decode_stream`] read it when needed.

use std::fmt;

use super::{Limits, PdfError, Result, filter};

/// An indirect object's identity: object number and generation (`12 0 R`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjRef {
    /// Object number.
    pub num: u32,
    /// Generation number (written `r.r#gen`, or use [`ObjRef::generation`]).
    pub r#gen: u16,
}

impl ObjRef {
    /// Builds a reference.
    pub const fn new(num: u32, r#gen: u16) -> Self {
        ObjRef { num, r#gen }
    }

    /// The generation number (the field is `r#gen`: `gen` is a reserved word in Rust 2024).
    pub const fn generation(&self) -> u16 {
        self.r#gen
    }
}

impl fmt::Display for ObjRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} R", self.num, self.r#gen)
    }
}

/// A PDF string: raw bytes plus how it was (or is to be) written.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PdfString {
    /// The string's bytes (escapes and hex decoded).
    pub bytes: Vec<u8>,
    /// Written as a hexadecimal string `<…>` rather than a literal `(…)`.
    pub hex: bool,
}

impl PdfString {
    /// A literal string `(…)` with these bytes.
    pub fn literal(bytes: impl Into<Vec<u8>>) -> Self {
        PdfString {
            bytes: bytes.into(),
            hex: false,
        }
    }

    /// A hexadecimal string `<…>` with these bytes.
    pub fn hex(bytes: impl Into<Vec<u8>>) -> Self {
        PdfString {
            bytes: bytes.into(),
            hex: true,
        }
    }

    /// A PDF *text string* (ISO 32000-2 §7.9.2.2): PDFDocEncoding when every character has a
    /// code there, otherwise UTF-16BE with a byte-order mark. Written as a literal string.
    pub fn text(s: &str) -> Self {
        PdfString::literal(encode_text_string(s))
    }

    /// Decodes a text string: UTF-16BE (with BOM), UTF-8 (with BOM, PDF 2.0) or PDFDocEncoding.
    /// Undecodable sequences become U+FFFD.
    pub fn to_text(&self) -> String {
        decode_text_string(&self.bytes)
    }
}

/// Encodes `s` as a PDF text string: PDFDocEncoding when possible, else UTF-16BE with BOM.
pub fn encode_text_string(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    for c in s.chars() {
        match pdfdoc_encode_char(c) {
            Some(b) => out.push(b),
            None => {
                let mut utf16 = Vec::with_capacity(2 + 2 * s.len());
                utf16.extend_from_slice(&[0xFE, 0xFF]);
                for unit in s.encode_utf16() {
                    utf16.extend_from_slice(&unit.to_be_bytes());
                }
                return utf16;
            }
        }
    }
    out
}

/// Decodes a PDF text string (UTF-16BE with BOM, UTF-8 with BOM, else PDFDocEncoding).
pub fn decode_text_string(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = rest
            .chunks(2)
            .map(|c| match c {
                [a, b] => u16::from_be_bytes([*a, *b]),
                _ => 0xFFFD,
            })
            .collect();
        return String::from_utf16_lossy(&units);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return String::from_utf8_lossy(rest).into_owned();
    }
    bytes.iter().map(|&b| pdfdoc_decode_byte(b)).collect()
}

/// PDFDocEncoding code points 0x18–0x1F and 0x80–0xA0 that differ from Latin-1.
const PDFDOC_SPECIAL: [(u8, char); 41] = [
    (0x18, '\u{02D8}'),
    (0x19, '\u{02C7}'),
    (0x1A, '\u{02C6}'),
    (0x1B, '\u{02D9}'),
    (0x1C, '\u{02DD}'),
    (0x1D, '\u{02DB}'),
    (0x1E, '\u{02DA}'),
    (0x1F, '\u{02DC}'),
    (0x80, '\u{2022}'),
    (0x81, '\u{2020}'),
    (0x82, '\u{2021}'),
    (0x83, '\u{2026}'),
    (0x84, '\u{2014}'),
    (0x85, '\u{2013}'),
    (0x86, '\u{0192}'),
    (0x87, '\u{2044}'),
    (0x88, '\u{2039}'),
    (0x89, '\u{203A}'),
    (0x8A, '\u{2212}'),
    (0x8B, '\u{2030}'),
    (0x8C, '\u{201E}'),
    (0x8D, '\u{201C}'),
    (0x8E, '\u{201D}'),
    (0x8F, '\u{2018}'),
    (0x90, '\u{2019}'),
    (0x91, '\u{201A}'),
    (0x92, '\u{2122}'),
    (0x93, '\u{FB01}'),
    (0x94, '\u{FB02}'),
    (0x95, '\u{0141}'),
    (0x96, '\u{0152}'),
    (0x97, '\u{0160}'),
    (0x98, '\u{0178}'),
    (0x99, '\u{017D}'),
    (0x9A, '\u{0131}'),
    (0x9B, '\u{0142}'),
    (0x9C, '\u{0153}'),
    (0x9D, '\u{0161}'),
    (0x9E, '\u{017E}'),
    (0x9F, '\u{FFFD}'),
    (0xA0, '\u{20AC}'),
];

fn pdfdoc_encode_char(c: char) -> Option<u8> {
    let cp = u32::from(c);
    match cp {
        0x09 | 0x0A | 0x0D | 0x20..=0x7E => u8::try_from(cp).ok(),
        0xA1..=0xAC | 0xAE..=0xFF => u8::try_from(cp).ok(),
        _ => PDFDOC_SPECIAL
            .iter()
            .find(|(b, ch)| *ch == c && *b != 0x9F)
            .map(|(b, _)| *b),
    }
}

fn pdfdoc_decode_byte(b: u8) -> char {
    match b {
        0x18..=0x1F | 0x80..=0xA0 => PDFDOC_SPECIAL
            .iter()
            .find(|(k, _)| *k == b)
            .map_or('\u{FFFD}', |(_, c)| *c),
        0x7F | 0xAD => '\u{FFFD}',
        _ => char::from(b),
    }
}

/// A dictionary that keeps its entries in insertion order (keys are name bytes, without `/`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Dictionary {
    entries: Vec<(Vec<u8>, Object)>,
}

impl Dictionary {
    /// An empty dictionary.
    pub fn new() -> Self {
        Dictionary::default()
    }

    /// The value for `key`, if present.
    pub fn get(&self, key: impl AsRef<[u8]>) -> Option<&Object> {
        let key = key.as_ref();
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Mutable access to the value for `key`, if present.
    pub fn get_mut(&mut self, key: impl AsRef<[u8]>) -> Option<&mut Object> {
        let key = key.as_ref();
        self.entries
            .iter_mut()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// True when `key` is present.
    pub fn contains_key(&self, key: impl AsRef<[u8]>) -> bool {
        self.get(key).is_some()
    }

    /// Sets `key` to `value`: replaces an existing entry in place, else appends. Returns the
    /// previous value.
    pub fn insert(&mut self, key: impl Into<Vec<u8>>, value: impl Into<Object>) -> Option<Object> {
        let key = key.into();
        let value = value.into();
        if let Some(slot) = self.get_mut(&key) {
            return Some(std::mem::replace(slot, value));
        }
        self.entries.push((key, value));
        None
    }

    /// Removes `key`, returning its value.
    pub fn remove(&mut self, key: impl AsRef<[u8]>) -> Option<Object> {
        let key = key.as_ref();
        let pos = self.entries.iter().position(|(k, _)| k == key)?;
        Some(self.entries.remove(pos).1)
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries in order.
    pub fn iter(&self) -> impl Iterator<Item = (&[u8], &Object)> {
        self.entries.iter().map(|(k, v)| (k.as_slice(), v))
    }

    /// Every entry, values mutable (decryption).
    pub(crate) fn iter_mut(&mut self) -> impl Iterator<Item = (&[u8], &mut Object)> {
        self.entries.iter_mut().map(|(k, v)| (k.as_slice(), v))
    }

    /// The keys in order.
    pub fn keys(&self) -> impl Iterator<Item = &[u8]> {
        self.entries.iter().map(|(k, _)| k.as_slice())
    }

    /// The value of `key` when it is a name (`/Type /Sig` → `b"Sig"`).
    pub fn get_name(&self, key: impl AsRef<[u8]>) -> Option<&[u8]> {
        self.get(key).and_then(Object::as_name)
    }

    /// The value of `key` when it is an integer.
    pub fn get_int(&self, key: impl AsRef<[u8]>) -> Option<i64> {
        self.get(key).and_then(Object::as_int)
    }

    /// The value of `key` when it is an indirect reference.
    pub fn get_ref(&self, key: impl AsRef<[u8]>) -> Option<ObjRef> {
        self.get(key).and_then(Object::as_reference)
    }

    /// Appends without checking for an existing key (the parser checks duplicates itself).
    pub(crate) fn push_unchecked(&mut self, key: Vec<u8>, value: Object) {
        self.entries.push((key, value));
    }

    /// Writes `<< /K v … >>`.
    pub fn write_pdf(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"<<");
        for (k, v) in &self.entries {
            write_name(k, out);
            if v.needs_space_after_name() {
                out.push(b' ');
            }
            v.write_pdf(out);
        }
        out.extend_from_slice(b">>");
    }
}

impl FromIterator<(Vec<u8>, Object)> for Dictionary {
    fn from_iter<T: IntoIterator<Item = (Vec<u8>, Object)>>(iter: T) -> Self {
        let mut d = Dictionary::new();
        for (k, v) in iter {
            d.insert(k, v);
        }
        d
    }
}

/// Where a stream's (still encoded) data lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamData {
    /// In memory (streams built by the caller, or streams from object streams' parents).
    Memory(Vec<u8>),
    /// In the source file: `len` bytes at absolute `offset`, read on demand.
    File {
        /// Absolute offset of the first data byte (after `stream` and its EOL).
        offset: u64,
        /// Number of bytes (the checked `/Length`).
        len: u64,
    },
}

/// A stream object: its dictionary and its (encoded) data.
#[derive(Debug, Clone, PartialEq)]
pub struct Stream {
    /// The stream dictionary. On output `/Length` is set from the data.
    pub dict: Dictionary,
    /// The encoded data, as `/Filter` says.
    pub data: StreamData,
}

impl Stream {
    /// A stream with in-memory data, written as is (no `/Filter`).
    pub fn new(dict: Dictionary, data: Vec<u8>) -> Self {
        Stream {
            dict,
            data: StreamData::Memory(data),
        }
    }

    /// A stream whose data is `plain` compressed with FlateDecode (`/Filter /FlateDecode`).
    pub fn flate(mut dict: Dictionary, plain: &[u8]) -> Result<Self> {
        let data = filter::flate_encode(plain)?;
        dict.insert("Filter", Object::name("FlateDecode"));
        dict.remove("DecodeParms");
        Ok(Stream::new(dict, data))
    }

    /// The in-memory encoded data, or `None` when it is still in the source file.
    pub fn memory_data(&self) -> Option<&[u8]> {
        match &self.data {
            StreamData::Memory(d) => Some(d),
            StreamData::File { .. } => None,
        }
    }

    /// Decodes in-memory data through `/Filter` (FlateDecode with PNG predictors,
    /// ASCIIHexDecode, ASCII85Decode), refusing output larger than `limits.max_decoded_stream`.
    /// Streams still in the file are decoded by [`crate::pdf::Reader::decode_stream`].
    pub fn decode(&self, limits: &Limits) -> Result<Vec<u8>> {
        match &self.data {
            StreamData::Memory(d) => filter::decode(&self.dict, d, limits.max_decoded_stream),
            StreamData::File { .. } => Err(PdfError::Unsupported(
                "stream data is still in the source file: use Reader::decode_stream".into(),
            )),
        }
    }

    /// Writes `<<dict>>\nstream\r\n…\r\nendstream` with `/Length` set from the data. A stream
    /// whose data is still in the source file (`StreamData::File`) cannot be serialised here:
    /// its dictionary alone is written ([`crate::pdf::IncrementalWriter`] refuses such
    /// streams; load the data with [`crate::pdf::Reader::load_stream`] first).
    pub fn write_pdf(&self, out: &mut Vec<u8>) {
        match &self.data {
            StreamData::Memory(data) => {
                let mut dict = self.dict.clone();
                let len = i64::try_from(data.len()).unwrap_or(i64::MAX);
                dict.insert("Length", Object::Integer(len));
                dict.write_pdf(out);
                out.extend_from_slice(b"\nstream\r\n");
                out.extend_from_slice(data);
                out.extend_from_slice(b"\r\nendstream");
            }
            StreamData::File { .. } => self.dict.write_pdf(out),
        }
    }
}

/// A PDF object (ISO 32000-2 §7.3).
#[derive(Debug, Clone, PartialEq)]
pub enum Object {
    /// `null`.
    Null,
    /// `true` / `false`.
    Boolean(bool),
    /// An integer.
    Integer(i64),
    /// A real number.
    Real(f64),
    /// A string, literal or hexadecimal.
    String(PdfString),
    /// A name; the bytes without the leading `/`, `#xx` escapes decoded.
    Name(Vec<u8>),
    /// An array.
    Array(Vec<Object>),
    /// A dictionary.
    Dictionary(Dictionary),
    /// A stream (only as an indirect object).
    Stream(Stream),
    /// An indirect reference `N G R`.
    Reference(ObjRef),
}

impl Object {
    /// A name object from text (`Object::name("Sig")` is `/Sig`).
    pub fn name(n: impl Into<Vec<u8>>) -> Object {
        Object::Name(n.into())
    }

    /// A literal string object with these bytes.
    pub fn string(bytes: impl Into<Vec<u8>>) -> Object {
        Object::String(PdfString::literal(bytes))
    }

    /// A text string object (PDFDocEncoding or UTF-16BE, see [`PdfString::text`]).
    pub fn text(s: &str) -> Object {
        Object::String(PdfString::text(s))
    }

    /// The type's name, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Object::Null => "null",
            Object::Boolean(_) => "boolean",
            Object::Integer(_) => "integer",
            Object::Real(_) => "real",
            Object::String(_) => "string",
            Object::Name(_) => "name",
            Object::Array(_) => "array",
            Object::Dictionary(_) => "dictionary",
            Object::Stream(_) => "stream",
            Object::Reference(_) => "reference",
        }
    }

    /// The integer value.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Object::Integer(i) => Some(*i),
            _ => None,
        }
    }

    /// The number as f64 (integer or real).
    pub fn as_number(&self) -> Option<f64> {
        match self {
            Object::Integer(i) => Some(*i as f64),
            Object::Real(r) => Some(*r),
            _ => None,
        }
    }

    /// The boolean value.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Object::Boolean(b) => Some(*b),
            _ => None,
        }
    }

    /// The name's bytes.
    pub fn as_name(&self) -> Option<&[u8]> {
        match self {
            Object::Name(n) => Some(n),
            _ => None,
        }
    }

    /// The string.
    pub fn as_string(&self) -> Option<&PdfString> {
        match self {
            Object::String(s) => Some(s),
            _ => None,
        }
    }

    /// The array's items.
    pub fn as_array(&self) -> Option<&[Object]> {
        match self {
            Object::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The dictionary (for a stream: its dictionary).
    pub fn as_dict(&self) -> Option<&Dictionary> {
        match self {
            Object::Dictionary(d) => Some(d),
            Object::Stream(s) => Some(&s.dict),
            _ => None,
        }
    }

    /// The stream.
    pub fn as_stream(&self) -> Option<&Stream> {
        match self {
            Object::Stream(s) => Some(s),
            _ => None,
        }
    }

    /// The reference.
    pub fn as_reference(&self) -> Option<ObjRef> {
        match self {
            Object::Reference(r) => Some(*r),
            _ => None,
        }
    }

    /// True for `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Object::Null)
    }

    /// True when this object (or something nested in it) is a stream whose data is still in
    /// the source file, which cannot be serialised.
    pub fn has_file_backed_stream(&self) -> bool {
        match self {
            Object::Stream(s) => {
                matches!(s.data, StreamData::File { .. })
                    || s.dict.iter().any(|(_, v)| v.has_file_backed_stream())
            }
            Object::Array(a) => a.iter().any(Object::has_file_backed_stream),
            Object::Dictionary(d) => d.iter().any(|(_, v)| v.has_file_backed_stream()),
            _ => false,
        }
    }

    /// Whether a space is needed between a preceding name and this object.
    fn needs_space_after_name(&self) -> bool {
        !matches!(
            self,
            Object::String(_)
                | Object::Name(_)
                | Object::Array(_)
                | Object::Dictionary(_)
                | Object::Stream(_)
        )
    }

    /// Serialises the object in PDF syntax: names escaped with `#xx`, literal strings escaped,
    /// reals without exponent (non-finite reals are written as `0`). See [`Stream::write_pdf`]
    /// for streams.
    pub fn write_pdf(&self, out: &mut Vec<u8>) {
        match self {
            Object::Null => out.extend_from_slice(b"null"),
            Object::Boolean(true) => out.extend_from_slice(b"true"),
            Object::Boolean(false) => out.extend_from_slice(b"false"),
            Object::Integer(i) => out.extend_from_slice(i.to_string().as_bytes()),
            Object::Real(r) => write_real(*r, out),
            Object::String(s) => write_string(s, out),
            Object::Name(n) => write_name(n, out),
            Object::Array(items) => {
                out.push(b'[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(b' ');
                    }
                    item.write_pdf(out);
                }
                out.push(b']');
            }
            Object::Dictionary(d) => d.write_pdf(out),
            Object::Stream(s) => s.write_pdf(out),
            Object::Reference(r) => out.extend_from_slice(r.to_string().as_bytes()),
        }
    }

    /// The serialised object as bytes (see [`Object::write_pdf`]).
    pub fn to_pdf_bytes(&self) -> Vec<u8> {
        let mut v = Vec::new();
        self.write_pdf(&mut v);
        v
    }
}

/// `impl From<T> for Object` for each `T => Variant` (the value converted into what the
/// variant holds: `i32` and `u32` widen to `i64`).
macro_rules! object_from {
    ($($t:ty => $variant:ident),+ $(,)?) => {$(
        impl From<$t> for Object {
            fn from(v: $t) -> Self {
                Object::$variant(v.into())
            }
        }
    )+};
}

object_from! {
    bool => Boolean,
    i64 => Integer,
    i32 => Integer,
    u32 => Integer,
    f64 => Real,
    PdfString => String,
    Vec<Object> => Array,
    Dictionary => Dictionary,
    Stream => Stream,
    ObjRef => Reference,
}

fn write_real(r: f64, out: &mut Vec<u8>) {
    if !r.is_finite() {
        out.push(b'0');
        return;
    }
    // Rust's Display for f64 never uses an exponent and round-trips exactly.
    let s = r.to_string();
    out.extend_from_slice(s.as_bytes());
    if !s.contains('.') {
        out.extend_from_slice(b".0");
    }
}

/// True for PDF delimiter characters.
pub(crate) fn is_delimiter(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

/// True for PDF white-space characters.
pub(crate) fn is_whitespace(b: u8) -> bool {
    matches!(b, 0 | b'\t' | b'\n' | 0x0C | b'\r' | b' ')
}

fn write_name(n: &[u8], out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.push(b'/');
    for &b in n {
        if (0x21..=0x7E).contains(&b) && b != b'#' && !is_delimiter(b) {
            out.push(b);
        } else {
            out.push(b'#');
            out.push(HEX[usize::from(b >> 4)]);
            out.push(HEX[usize::from(b & 0x0F)]);
        }
    }
}

fn write_string(s: &PdfString, out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    if s.hex {
        out.push(b'<');
        for &b in &s.bytes {
            out.push(HEX[usize::from(b >> 4)]);
            out.push(HEX[usize::from(b & 0x0F)]);
        }
        out.push(b'>');
        return;
    }
    out.push(b'(');
    for &b in &s.bytes {
        match b {
            b'(' | b')' | b'\\' => {
                out.push(b'\\');
                out.push(b);
            }
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0C => out.extend_from_slice(b"\\f"),
            0..=0x1F | 0x7F => {
                out.push(b'\\');
                out.push(b'0' + ((b >> 6) & 7));
                out.push(b'0' + ((b >> 3) & 7));
                out.push(b'0' + (b & 7));
            }
            _ => out.push(b),
        }
    }
    out.push(b')');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_strings() {
        assert_eq!(encode_text_string("João"), b"Jo\xE3o".to_vec());
        let s = encode_text_string("Ωmega");
        assert_eq!(&s[..4], &[0xFE, 0xFF, 0x03, 0xA9]);
        assert_eq!(decode_text_string(&s), "Ωmega");
        assert_eq!(decode_text_string(b"Jo\xE3o"), "João");
        assert_eq!(decode_text_string(&encode_text_string("€ – ok")), "€ – ok");
        assert_eq!(encode_text_string("€"), vec![0xA0]);
        // emoji needs a surrogate pair
        let e = encode_text_string("a😀");
        assert_eq!(decode_text_string(&e), "a😀");
    }

    #[test]
    fn serialise() {
        let mut d = Dictionary::new();
        d.insert("Type", Object::name("Sig"));
        d.insert("Name", Object::name("a b#/(x)"));
        d.insert("S", Object::string(b"a(b)\\c\rd".to_vec()));
        d.insert("R", Object::Real(3.0));
        d.insert("R2", Object::Real(-0.000001));
        d.insert("H", Object::String(PdfString::hex(vec![0xAB, 0x01])));
        d.insert(
            "A",
            Object::Array(vec![
                Object::Integer(1),
                Object::Reference(ObjRef::new(4, 0)),
            ]),
        );
        let out = Object::Dictionary(d).to_pdf_bytes();
        assert_eq!(
            String::from_utf8_lossy(&out),
            "<</Type/Sig/Name/a#20b#23#2F#28x#29/S(a\\(b\\)\\\\c\\rd)/R 3.0/R2 -0.000001/H<AB01>/A[1 4 0 R]>>"
        );
        assert_eq!(
            Object::Real(1e21).to_pdf_bytes(),
            b"1000000000000000000000.0"
        );
        assert_eq!(Object::Real(f64::NAN).to_pdf_bytes(), b"0");
    }

    #[test]
    fn dictionary_order_and_replace() {
        let mut d = Dictionary::new();
        d.insert("B", 1i64);
        d.insert("A", 2i64);
        assert_eq!(d.insert("B", 3i64), Some(Object::Integer(1)));
        assert_eq!(d.keys().collect::<Vec<_>>(), vec![b"B".as_slice(), b"A"]);
        assert_eq!(d.remove("B"), Some(Object::Integer(3)));
        assert_eq!(d.len(), 1);
        assert_eq!(d.get_int("A"), Some(2));
    }
}
