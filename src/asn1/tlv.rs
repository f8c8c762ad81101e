//! A small, strict TLV (tag-length-value) layer over BER/DER.
//!
//! The RustCrypto `der` types re-encode what they decode (and re-sort SET OF), which is wrong for
//! signatures: signed attributes and certificates must be verified over their original bytes,
//! and a co-signature must leave the existing SignerInfos byte-for-byte unchanged. This module
//! walks encodings without re-encoding anything: every element keeps the slice it came from.
//!
//! BER input (indefinite lengths, constructed OCTET STRINGs, as `openssl cms -stream` writes) is
//! first rewritten to definite-length form by [`normalize`]; definite-length DER passes through
//! untouched. Nesting depth and sizes are bounded.
//!
//! The readers: [`Reader`] / [`read_definite`] / [`read_single`] walk definite-length BER;
//! [`read_der`], [`expect_der`], [`der_children`] and [`split_concatenated`] accept only DER's
//! minimal lengths (certificates, CRLs, OCSP responses); the `der_any` part lets a [`Tlv`]
//! stand for a raw `ANY` inside `der`-derived structures, BER indefinite lengths included
//! (PKCS#12), walked with [`Tlv::ber_children`].

use crate::error::{Error, Result};
use std::borrow::Cow;

mod der_any;
pub use der_any::BerChildren;

/// Maximum nesting depth accepted anywhere.
pub const MAX_DEPTH: usize = 64;

/// Universal tags we use.
pub mod tag {
    /// BOOLEAN.
    pub const BOOLEAN: u8 = 0x01;
    /// INTEGER.
    pub const INTEGER: u8 = 0x02;
    /// BIT STRING.
    pub const BIT_STRING: u8 = 0x03;
    /// OCTET STRING (primitive).
    pub const OCTET_STRING: u8 = 0x04;
    /// NULL.
    pub const NULL: u8 = 0x05;
    /// OBJECT IDENTIFIER.
    pub const OID: u8 = 0x06;
    /// UTF8String.
    pub const UTF8_STRING: u8 = 0x0c;
    /// BMPString.
    pub const BMP_STRING: u8 = 0x1e;
    /// PrintableString.
    pub const PRINTABLE_STRING: u8 = 0x13;
    /// IA5String.
    pub const IA5_STRING: u8 = 0x16;
    /// UTCTime.
    pub const UTC_TIME: u8 = 0x17;
    /// GeneralizedTime.
    pub const GENERALIZED_TIME: u8 = 0x18;
    /// SEQUENCE (constructed).
    pub const SEQUENCE: u8 = 0x30;
    /// SET (constructed).
    pub const SET: u8 = 0x31;
    /// `[0]` constructed, context-specific.
    pub const CTX0: u8 = 0xa0;
    /// `[1]` constructed, context-specific.
    pub const CTX1: u8 = 0xa1;
    /// `[0]` primitive, context-specific.
    pub const CTX0_PRIM: u8 = 0x80;
}

/// One element: its tag byte, its content and the whole encoding it was read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tlv<'a> {
    /// The identifier octet. The readers of this module refuse high tag numbers; an element
    /// decoded through `der` (see `der_any`) may have one, and this is then its first
    /// identifier octet.
    pub tag: u8,
    /// The content octets.
    pub content: &'a [u8],
    /// The complete encoding: identifier, length and content.
    pub raw: &'a [u8],
}

impl<'a> Tlv<'a> {
    /// Whether the constructed bit is set.
    pub fn constructed(&self) -> bool {
        self.tag & 0x20 != 0
    }

    /// A reader over the content's elements.
    pub fn children(&self) -> Reader<'a> {
        Reader::new(self.content)
    }

    /// Checks the tag, naming the structure in the error.
    pub fn expect_tag(self, tag: u8, what: &'static str) -> Result<Self> {
        if self.tag != tag {
            return Err(Error::malformed(
                what,
                format!("expected tag 0x{tag:02x}, found 0x{:02x}", self.tag),
            ));
        }
        Ok(self)
    }
}

/// Reads consecutive definite-length elements from a slice.
#[derive(Clone, Debug)]
pub struct Reader<'a> {
    data: &'a [u8],
}

impl<'a> Reader<'a> {
    /// A reader over `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Self { data }
    }

    /// True when everything has been read.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// What is left.
    pub fn remaining(&self) -> &'a [u8] {
        self.data
    }

    /// The next element's tag, without consuming it.
    pub fn peek_tag(&self) -> Option<u8> {
        self.data.first().copied()
    }

    /// Reads the next element (definite length only).
    pub fn read(&mut self, what: &'static str) -> Result<Tlv<'a>> {
        let (tlv, rest) = read_definite(self.data, what)?;
        self.data = rest;
        Ok(tlv)
    }

    /// Reads the next element and checks its tag.
    pub fn read_expect(&mut self, tag: u8, what: &'static str) -> Result<Tlv<'a>> {
        self.read(what)?.expect_tag(tag, what)
    }

    /// Reads the next element if it has `tag`.
    pub fn read_optional(&mut self, tag: u8, what: &'static str) -> Result<Option<Tlv<'a>>> {
        if self.peek_tag() == Some(tag) {
            Ok(Some(self.read(what)?))
        } else {
            Ok(None)
        }
    }

    /// Fails unless everything was read.
    pub fn finish(&self, what: &'static str) -> Result<()> {
        if self.data.is_empty() {
            Ok(())
        } else {
            Err(Error::malformed(
                what,
                format!("{} unexpected trailing bytes", self.data.len()),
            ))
        }
    }
}

impl<'a> Iterator for Reader<'a> {
    type Item = Result<Tlv<'a>>;
    fn next(&mut self) -> Option<Self::Item> {
        if self.data.is_empty() {
            None
        } else {
            let r = self.read("element");
            if r.is_err() {
                self.data = &[];
            }
            Some(r)
        }
    }
}

/// Why an element could not be read; the `Result` readers turn it into an [`Error`] naming
/// the structure, the `Option` readers into `None`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fault {
    /// No identifier octet.
    End,
    /// A high tag number (identifier octet with its low five bits set).
    HighTag,
    /// The length octets are cut off.
    TruncatedLength,
    /// More than four length octets.
    LongLength,
    /// An indefinite length where a definite one is needed.
    Indefinite,
    /// A long-form length the short form or fewer octets could carry (BER, not DER).
    NonMinimal,
    /// The end of the content overflows.
    Overflow,
    /// The content runs past the end of the data.
    PastEnd {
        /// The length read.
        len: usize,
        /// The bytes left after the length octets.
        left: usize,
    },
}

impl Fault {
    /// The error for structure `what`.
    fn into_error(self, what: &'static str) -> Error {
        match self {
            Self::End => Error::malformed(what, "unexpected end of data"),
            Self::HighTag => Error::malformed(what, "high tag numbers are not supported"),
            Self::TruncatedLength => Error::malformed(what, "truncated length"),
            Self::LongLength => Error::malformed(what, "length field over 4 bytes"),
            Self::Indefinite => Error::malformed(what, "indefinite length in DER"),
            Self::NonMinimal => Error::malformed(what, "non-minimal length in DER"),
            Self::Overflow => Error::malformed(what, "length overflow"),
            Self::PastEnd { len, left } => Error::malformed(
                what,
                format!("length {len} runs past the end of the data ({left} bytes left)"),
            ),
        }
    }
}

/// Parses a length at the start of `data`: `Some(len)` for definite, `None` for indefinite.
/// Returns the number of length octets consumed.
fn read_length(data: &[u8]) -> std::result::Result<(Option<usize>, usize), Fault> {
    let first = *data.first().ok_or(Fault::TruncatedLength)?;
    if first < 0x80 {
        return Ok((Some(first as usize), 1));
    }
    if first == 0x80 {
        return Ok((None, 1));
    }
    let n = (first & 0x7f) as usize;
    if n > 4 {
        return Err(Fault::LongLength);
    }
    let bytes = data.get(1..1 + n).ok_or(Fault::TruncatedLength)?;
    let mut len: usize = 0;
    for b in bytes {
        len = (len << 8) | *b as usize;
    }
    Ok((Some(len), 1 + n))
}

/// Reads an identifier octet (low tag numbers only) and a length: the tag, the length (`None`
/// for indefinite) and the number of octets both take.
fn read_header(data: &[u8]) -> std::result::Result<(u8, Option<usize>, usize), Fault> {
    let tag = *data.first().ok_or(Fault::End)?;
    if tag & 0x1f == 0x1f {
        return Err(Fault::HighTag);
    }
    let (len, n) = read_length(data.get(1..).unwrap_or_default())?;
    Ok((tag, len, 1 + n))
}

/// Reads one definite-length element; with `minimal`, only DER's minimal length encodings.
fn read_element(data: &[u8], minimal: bool) -> std::result::Result<(Tlv<'_>, &[u8]), Fault> {
    let (tag, len, start) = read_header(data)?;
    let len = len.ok_or(Fault::Indefinite)?;
    // Long form (more than one length octet): the first length octet after the count must
    // not be zero, and the short form must not do.
    if minimal && start > 2 && (data.get(2) == Some(&0) || len < 0x80) {
        return Err(Fault::NonMinimal);
    }
    let end = start.checked_add(len).ok_or(Fault::Overflow)?;
    let content = data.get(start..end).ok_or(Fault::PastEnd {
        len,
        left: data.len().saturating_sub(start),
    })?;
    let raw = data.get(..end).unwrap_or_default();
    let rest = data.get(end..).unwrap_or_default();
    Ok((Tlv { tag, content, raw }, rest))
}

/// Reads one definite-length element.
pub fn read_definite<'a>(data: &'a [u8], what: &'static str) -> Result<(Tlv<'a>, &'a [u8])> {
    read_element(data, false).map_err(|f| f.into_error(what))
}

/// Reads exactly one element filling `data`.
pub fn read_single<'a>(data: &'a [u8], what: &'static str) -> Result<Tlv<'a>> {
    let (tlv, rest) = read_definite(data, what)?;
    if !rest.is_empty() {
        return Err(Error::malformed(
            what,
            format!("{} trailing bytes after the structure", rest.len()),
        ));
    }
    Ok(tlv)
}

// ----- Strict DER (certificates, CRLs, OCSP responses) -----
//
// X.509 structures are read with the DER subset only: single-byte tags and definite, minimal
// lengths of at most four octets. These readers answer `None` instead of an error; their
// callers say what failed.

/// Reads one DER element from the front of `data`; returns it and the rest.
pub fn read_der(data: &[u8]) -> Option<(Tlv<'_>, &[u8])> {
    read_element(data, true).ok()
}

/// Reads exactly one DER element spanning all of `data`.
pub fn read_der_single(data: &[u8]) -> Option<Tlv<'_>> {
    match read_der(data)? {
        (tlv, []) => Some(tlv),
        _ => None,
    }
}

/// Reads one DER element with the expected tag.
pub fn expect_der(data: &[u8], tag: u8) -> Option<(Tlv<'_>, &[u8])> {
    let (tlv, rest) = read_der(data)?;
    (tlv.tag == tag).then_some((tlv, rest))
}

/// The DER elements of a constructed element's content, at most `limit` of them.
pub fn der_children(content: &[u8], limit: usize) -> Option<Vec<Tlv<'_>>> {
    let mut out = Vec::new();
    let mut rest = content;
    while !rest.is_empty() {
        if out.len() >= limit {
            return None;
        }
        let (tlv, r) = read_der(rest)?;
        out.push(tlv);
        rest = r;
    }
    Some(out)
}

/// Splits `data` into consecutive top-level DER elements (e.g. concatenated certificates), at
/// most `limit`; stops at the first malformed element.
pub fn split_concatenated(data: &[u8], limit: usize) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut rest = data;
    while !rest.is_empty() && out.len() < limit {
        match read_der(rest) {
            Some((tlv, r)) => {
                out.push(tlv.raw);
                rest = r;
            }
            None => break,
        }
    }
    out
}

/// Fails when `depth` is beyond [`MAX_DEPTH`].
fn check_depth(depth: usize) -> Result<()> {
    if depth > MAX_DEPTH {
        return Err(Error::malformed(
            "ASN.1",
            format!("nesting deeper than {MAX_DEPTH}"),
        ));
    }
    Ok(())
}

/// True when `data` uses indefinite lengths or constructed OCTET STRINGs anywhere (BER).
fn needs_normalizing(data: &[u8], depth: usize) -> Result<bool> {
    check_depth(depth)?;
    let mut rest = data;
    while !rest.is_empty() {
        let (tag, len, start) = read_header(rest).map_err(|f| f.into_error("ASN.1"))?;
        let Some(len) = len else { return Ok(true) };
        if tag == 0x24 {
            return Ok(true);
        }
        let end = start
            .checked_add(len)
            .ok_or_else(|| Error::malformed("ASN.1", "length overflow"))?;
        let content = rest
            .get(start..end)
            .ok_or_else(|| Error::malformed("ASN.1", "length runs past the end of the data"))?;
        if tag & 0x20 != 0 && needs_normalizing(content, depth + 1)? {
            return Ok(true);
        }
        rest = rest.get(end..).unwrap_or_default();
    }
    Ok(false)
}

/// Rewrites BER into definite-length form: indefinite lengths become definite, constructed
/// OCTET STRINGs become primitive. Input that is already definite-length is returned as is
/// (borrowed), so its bytes are untouched. Trailing data after the first element is refused.
pub fn normalize(data: &[u8]) -> Result<Cow<'_, [u8]>> {
    // Validate there's exactly one top-level element first (for definite input).
    if !needs_normalizing(data, 0)? {
        read_single(data, "ASN.1")?;
        return Ok(Cow::Borrowed(data));
    }
    let mut out = Vec::with_capacity(data.len());
    let rest = normalize_one(data, &mut out, 0)?;
    if !rest.is_empty() {
        return Err(Error::malformed(
            "ASN.1",
            format!("{} trailing bytes after the structure", rest.len()),
        ));
    }
    Ok(Cow::Owned(out))
}

/// Splits the first element (BER or DER) off `data`: returns its complete encoding and what
/// follows it (e.g. the zero padding after the CMS in a PDF signature's `/Contents`).
pub fn split_first(data: &[u8]) -> Result<(&[u8], &[u8])> {
    let mut scratch = Vec::new();
    let rest = normalize_one(data, &mut scratch, 0)?;
    let used = data.len().saturating_sub(rest.len());
    Ok((data.get(..used).unwrap_or_default(), rest))
}

/// Normalises one element from `data` into `out`, returning what follows it.
fn normalize_one<'a>(data: &'a [u8], out: &mut Vec<u8>, depth: usize) -> Result<&'a [u8]> {
    check_depth(depth)?;
    let (tag, len, header_len) = read_header(data).map_err(|f| f.into_error("ASN.1"))?;
    let body = data.get(header_len..).unwrap_or_default();
    let constructed = tag & 0x20 != 0;
    if !constructed {
        let len =
            len.ok_or_else(|| Error::malformed("ASN.1", "indefinite length on a primitive"))?;
        let content = body
            .get(..len)
            .ok_or_else(|| Error::malformed("ASN.1", "length runs past the end of the data"))?;
        push_tlv(out, tag, content);
        return Ok(body.get(len..).unwrap_or_default());
    }
    // Constructed: normalise the children into a buffer, then write with a definite length.
    let mut inner = Vec::new();
    let rest = match len {
        Some(len) => {
            let mut content = body
                .get(..len)
                .ok_or_else(|| Error::malformed("ASN.1", "length runs past the end of the data"))?;
            while !content.is_empty() {
                content = normalize_one(content, &mut inner, depth + 1)?;
            }
            body.get(len..).unwrap_or_default()
        }
        None => {
            let mut content = body;
            loop {
                if content.starts_with(&[0, 0]) {
                    break content.get(2..).unwrap_or_default();
                }
                if content.is_empty() {
                    return Err(Error::malformed(
                        "ASN.1",
                        "missing end-of-contents after an indefinite length",
                    ));
                }
                content = normalize_one(content, &mut inner, depth + 1)?;
            }
        }
    };
    if tag == 0x24 {
        // Constructed OCTET STRING: concatenate the primitive segments.
        let mut joined = Vec::with_capacity(inner.len());
        let mut r = Reader::new(&inner);
        while !r.is_empty() {
            let seg = r.read("OCTET STRING segment")?;
            if seg.tag != tag::OCTET_STRING {
                return Err(Error::malformed(
                    "ASN.1",
                    "constructed OCTET STRING with a non-OCTET STRING segment",
                ));
            }
            joined.extend_from_slice(seg.content);
        }
        push_tlv(out, tag::OCTET_STRING, &joined);
    } else {
        push_tlv(out, tag, &inner);
    }
    Ok(rest)
}

/// Appends a DER length.
pub fn push_length(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = (len as u64).to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        let used = bytes.get(skip..).unwrap_or_default();
        out.push(0x80 | used.len() as u8);
        out.extend_from_slice(used);
    }
}

/// Appends tag, DER length and content.
pub fn push_tlv(out: &mut Vec<u8>, tag: u8, content: &[u8]) {
    out.push(tag);
    push_length(out, content.len());
    out.extend_from_slice(content);
}

/// Encodes tag, DER length and content.
pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len() + 6);
    push_tlv(&mut out, tag, content);
    out
}

/// Encodes a constructed element from already-encoded children.
pub fn constructed(tag: u8, children: &[&[u8]]) -> Vec<u8> {
    let len = children.iter().map(|c| c.len()).sum();
    let mut out = Vec::with_capacity(len + 6);
    out.push(tag);
    push_length(&mut out, len);
    for c in children {
        out.extend_from_slice(c);
    }
    out
}

/// Encodes a DER SET OF: the elements sorted by their encodings (X.690 §11.6).
pub fn set_of(mut elements: Vec<Vec<u8>>) -> Vec<u8> {
    elements.sort();
    let refs: Vec<&[u8]> = elements.iter().map(Vec::as_slice).collect();
    constructed(tag::SET, &refs)
}

/// Returns `raw` with its first (tag) octet replaced.
pub fn retag(raw: &[u8], new_tag: u8) -> Vec<u8> {
    let mut v = raw.to_vec();
    if let Some(t) = v.first_mut() {
        *t = new_tag;
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definite_passes_through() {
        let der = [0x30, 0x03, 0x02, 0x01, 0x05];
        assert!(matches!(normalize(&der).unwrap(), Cow::Borrowed(_)));
    }

    #[test]
    fn indefinite_and_constructed_octets() {
        // SEQUENCE (indef) { OCTET STRING (constructed, indef) { "ab", "c" } }
        let ber = [
            0x30, 0x80, 0x24, 0x80, 0x04, 0x02, b'a', b'b', 0x04, 0x01, b'c', 0, 0, 0, 0,
        ];
        let der = normalize(&ber).unwrap();
        assert_eq!(&*der, &[0x30, 0x05, 0x04, 0x03, b'a', b'b', b'c']);
    }

    #[test]
    fn long_lengths() {
        let content = vec![7u8; 300];
        let enc = tlv(0x04, &content);
        assert_eq!(&enc[..4], &[0x04, 0x82, 0x01, 0x2c]);
        let t = read_single(&enc, "x").unwrap();
        assert_eq!(t.content.len(), 300);
    }

    #[test]
    fn hostile_inputs() {
        assert!(normalize(&[]).is_err());
        assert!(normalize(&[0x30]).is_err());
        assert!(normalize(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]).is_err());
        assert!(normalize(&[0x30, 0x89, 1, 2, 3, 4, 5, 6, 7, 8, 9]).is_err());
        assert!(normalize(&[0x30, 0x80, 0x02, 0x01, 0x00]).is_err()); // no EOC
        assert!(normalize(&[0x30, 0x03, 0x02, 0x01, 0x00, 0xff]).is_err()); // trailing
        let mut deep = Vec::new();
        for _ in 0..10_000 {
            deep.extend_from_slice(&[0x30, 0x80]);
        }
        assert!(normalize(&deep).is_err());
        // 10,000 nested definite SEQUENCEs
        let mut nested = vec![0x05, 0x00];
        for _ in 0..10_000 {
            nested = tlv(0x30, &nested);
        }
        assert!(normalize(&nested).is_err());
    }

    #[test]
    fn der_short_and_long_lengths() {
        let (t, rest) = read_der(&[0x30, 0x02, 0x05, 0x00, 0xff]).unwrap();
        assert_eq!(t.tag, 0x30);
        assert_eq!(t.content, &[0x05, 0x00]);
        assert_eq!(rest, &[0xff]);
        let mut long = vec![0x04, 0x81, 0x80];
        long.extend(std::iter::repeat_n(0u8, 0x80));
        assert_eq!(read_der_single(&long).unwrap().content.len(), 0x80);
        assert_eq!(
            expect_der(&long, tag::OCTET_STRING).unwrap().0.raw,
            &long[..]
        );
        assert!(expect_der(&long, tag::SEQUENCE).is_none());
    }

    #[test]
    fn der_rejects_non_der() {
        assert!(read_der(&[0x30, 0x80, 0x00, 0x00]).is_none()); // indefinite
        assert!(read_der(&[0x04, 0x81, 0x05, 0, 0, 0, 0, 0]).is_none()); // non-minimal
        assert!(read_der(&[0x04, 0x82, 0x00, 0x80]).is_none()); // leading zero length octet
        assert!(read_der(&[0x04, 0x05, 0x00]).is_none()); // truncated
        assert!(read_der(&[0x1f, 0x01, 0x00]).is_none()); // high tag
        assert!(read_der(&[0x04, 0x85, 0xff, 0xff, 0xff, 0xff, 0xff]).is_none());
        assert!(read_der(&[]).is_none());
        assert!(read_der_single(&[0x05, 0x00, 0x05]).is_none()); // trailing
        // The definite-length reader is the lenient one: it takes non-minimal lengths.
        assert!(read_definite(&[0x04, 0x81, 0x05, 0, 0, 0, 0, 0], "x").is_ok());
    }

    #[test]
    fn der_children_and_concatenation_are_bounded() {
        let three = [0x05, 0x00, 0x05, 0x00, 0x05, 0x00];
        assert_eq!(der_children(&three, 3).unwrap().len(), 3);
        assert!(der_children(&three, 2).is_none());
        assert!(der_children(&[0x05, 0x00, 0x05], 3).is_none());
        assert_eq!(
            split_concatenated(&three, 2),
            vec![&three[..2], &three[2..4]]
        );
        // Stops at the first malformed element.
        assert_eq!(split_concatenated(&[0x05, 0x00, 0x30], 9).len(), 1);
    }

    #[test]
    fn error_messages_name_the_fault() {
        let msg = |data: &[u8]| read_definite(data, "x").unwrap_err().to_string();
        assert!(msg(&[]).contains("unexpected end of data"));
        assert!(msg(&[0x1f, 0x00]).contains("high tag numbers"));
        assert!(msg(&[0x04]).contains("truncated length"));
        assert!(msg(&[0x04, 0x85, 1, 1, 1, 1, 1]).contains("length field over 4 bytes"));
        assert!(msg(&[0x30, 0x80]).contains("indefinite length in DER"));
        assert!(
            msg(&[0x04, 0x03, 0x00])
                .contains("length 3 runs past the end of the data (1 bytes left)")
        );
    }

    #[test]
    fn set_of_sorts() {
        let s = set_of(vec![vec![0x02, 0x01, 0x09], vec![0x02, 0x01, 0x01]]);
        assert_eq!(s, vec![0x31, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x09]);
    }
}
