//! A tiny DER TLV walker: enough to slice original bytes (TBS, names, extensions) out of
//! certificates, CRLs and OCSP responses without re-encoding anything.
//!
//! Only the DER subset is accepted: single-byte tags, definite minimal lengths of at most four
//! length octets. Nothing here can panic on input.

/// One tag-length-value element.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Tlv<'a> {
    /// The identifier octet.
    pub tag: u8,
    /// The contents octets.
    pub value: &'a [u8],
    /// The whole element (identifier, length and contents octets).
    pub raw: &'a [u8],
}

/// Universal SEQUENCE (constructed).
pub(crate) const SEQUENCE: u8 = 0x30;
/// Universal SET (constructed).
pub(crate) const SET: u8 = 0x31;
/// Universal INTEGER.
pub(crate) const INTEGER: u8 = 0x02;
/// Universal BIT STRING.
pub(crate) const BIT_STRING: u8 = 0x03;
/// Universal OCTET STRING.
pub(crate) const OCTET_STRING: u8 = 0x04;
/// Universal OBJECT IDENTIFIER.
pub(crate) const OID: u8 = 0x06;
/// Universal BOOLEAN.
pub(crate) const BOOLEAN: u8 = 0x01;

/// Reads one element from the front of `input`; returns it and the rest.
pub(crate) fn read(input: &[u8]) -> Option<(Tlv<'_>, &[u8])> {
    let tag = *input.first()?;
    if tag & 0x1f == 0x1f {
        return None; // high tag numbers are never used by the structures we walk
    }
    let first = *input.get(1)?;
    let (len, header) = if first < 0x80 {
        (first as usize, 2usize)
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 {
            return None; // indefinite or absurd
        }
        let bytes = input.get(2..2 + n)?;
        if bytes.first() == Some(&0) {
            return None; // non-minimal
        }
        let mut len = 0usize;
        for b in bytes {
            len = (len << 8) | *b as usize;
        }
        if len < 0x80 {
            return None; // should have used the short form
        }
        (len, 2 + n)
    };
    let end = header.checked_add(len)?;
    let raw = input.get(..end)?;
    let value = raw.get(header..)?;
    let rest = input.get(end..)?;
    Some((Tlv { tag, value, raw }, rest))
}

/// Reads exactly one element spanning all of `input`.
pub(crate) fn read_all(input: &[u8]) -> Option<Tlv<'_>> {
    match read(input)? {
        (tlv, []) => Some(tlv),
        _ => None,
    }
}

/// Reads one element with the expected tag.
pub(crate) fn expect(input: &[u8], tag: u8) -> Option<(Tlv<'_>, &[u8])> {
    let (tlv, rest) = read(input)?;
    (tlv.tag == tag).then_some((tlv, rest))
}

/// The children of a constructed element's contents, at most `limit` of them.
pub(crate) fn children(value: &[u8], limit: usize) -> Option<Vec<Tlv<'_>>> {
    let mut out = Vec::new();
    let mut rest = value;
    while !rest.is_empty() {
        if out.len() >= limit {
            return None;
        }
        let (tlv, r) = read(rest)?;
        out.push(tlv);
        rest = r;
    }
    Some(out)
}

/// Splits `input` into consecutive top-level elements (e.g. concatenated DER certificates),
/// at most `limit`; stops at the first malformed element.
pub(crate) fn split_concatenated(input: &[u8], limit: usize) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut rest = input;
    while !rest.is_empty() && out.len() < limit {
        match read(rest) {
            Some((tlv, r)) => {
                out.push(tlv.raw);
                rest = r;
            }
            None => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_lengths() {
        let (t, rest) = read(&[0x30, 0x02, 0x05, 0x00, 0xff]).unwrap();
        assert_eq!(t.tag, 0x30);
        assert_eq!(t.value, &[0x05, 0x00]);
        assert_eq!(rest, &[0xff]);
        let mut long = vec![0x04, 0x81, 0x80];
        long.extend(std::iter::repeat_n(0u8, 0x80));
        assert_eq!(read_all(&long).unwrap().value.len(), 0x80);
    }

    #[test]
    fn rejects_non_der() {
        assert!(read(&[0x30, 0x80, 0x00, 0x00]).is_none()); // indefinite
        assert!(read(&[0x04, 0x81, 0x05, 0, 0, 0, 0, 0]).is_none()); // non-minimal
        assert!(read(&[0x04, 0x05, 0x00]).is_none()); // truncated
        assert!(read(&[0x1f, 0x01, 0x00]).is_none()); // high tag
        assert!(read(&[0x04, 0x85, 0xff, 0xff, 0xff, 0xff, 0xff]).is_none());
        assert!(read(&[]).is_none());
    }
}
