//! The strict `/ByteRange` and `/Contents` checks: exactly four direct integers `[0 a b c]`,
//! increasing, inside the file; the signed bytes end at the end of a revision; the signature
//! dictionary lies in them and holds the gap; the gap `[a, b)` is exactly the `<hex>` of
//! `/Contents`, right after the `/Contents` key.
//!
//! Each step records its check (`byte-range`, `coverage`, `contents`) in the report.

use super::discovery::FoundSig;
use crate::pdf::{Dictionary, Object, Reader, XrefEntry};
use crate::report::{PdfSignatureDetails, SignatureReport};
use std::io::{Read, Seek};

/// Largest `/Contents` gap read (hex digits and brackets).
const MAX_GAP: u64 = 64 << 20;
/// Most bytes after the last `%%EOF` read to see whether they are only white space.
const MAX_BLANK_TAIL: u64 = 64 * 1024;
/// What counts as white space around the gap and after the last `%%EOF`.
const BLANK: &[u8] = b" \t\r\n\x0c\x00";

/// Why a `/ByteRange` is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(super) enum ByteRangeError {
    #[error("no /ByteRange")]
    Missing,
    #[error("/ByteRange is a {0}, not a direct array")]
    NotAnArray(&'static str),
    #[error("/ByteRange has {0} elements; exactly four integers are required")]
    NotFour(usize),
    #[error("/ByteRange holds a negative value {0}")]
    Negative(i64),
    #[error("/ByteRange holds a {0} (only direct integers are allowed)")]
    NotAnInteger(&'static str),
    #[error("/ByteRange starts at {0}, not 0")]
    NotFromZero(u64),
    #[error("the first signed range is empty")]
    FirstRangeEmpty,
    #[error(
        "/ByteRange ranges overlap or leave no room for /Contents (first ends at {first_end}, second starts at {second_start})"
    )]
    NoRoomForContents { first_end: u64, second_start: u64 },
    #[error("the second signed range is empty")]
    SecondRangeEmpty,
    #[error("/ByteRange overflows")]
    Overflow,
    #[error("/ByteRange ends at {end}, beyond the end of the file ({file_len} bytes)")]
    BeyondTheFile { end: u64, file_len: u64 },
}

/// Why the unsigned gap is not exactly the `/Contents` hex string.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub(super) enum GapError {
    #[error(
        "the unsigned gap does not start with `<` and end with `>`: it is not exactly the /Contents hex string"
    )]
    NotBracketed,
    #[error(
        "the unsigned gap holds a non-hex byte 0x{byte:02x} at offset {at} of the /Contents string: hidden data in the gap"
    )]
    NonHex { byte: u8, at: usize },
    #[error("the /Contents hex string: {0}")]
    Hex(hex::FromHexError),
    #[error("the unsigned gap is not the /Contents value of this signature dictionary")]
    NotTheContents,
    #[error("the unsigned gap is not the value of the /Contents key")]
    NotAfterTheKey,
}

/// The four `/ByteRange` values, checked: direct non-negative integers, `[0 a b c]` with two
/// non-empty ranges, room for `<>` between them, inside a file of `file_len` bytes.
pub(super) fn parse_byte_range(d: &Dictionary, file_len: u64) -> Result<[u64; 4], ByteRangeError> {
    let br = match d.get("ByteRange") {
        None => return Err(ByteRangeError::Missing),
        Some(Object::Array(a)) => a,
        Some(o) => return Err(ByteRangeError::NotAnArray(o.type_name())),
    };
    let mut v = [0u64; 4];
    if br.len() != 4 {
        return Err(ByteRangeError::NotFour(br.len()));
    }
    for (slot, o) in v.iter_mut().zip(br.iter()) {
        *slot = match o {
            Object::Integer(i) => u64::try_from(*i).map_err(|_| ByteRangeError::Negative(*i))?,
            o => return Err(ByteRangeError::NotAnInteger(o.type_name())),
        };
    }
    let [o1, l1, o2, l2] = v;
    if o1 != 0 {
        return Err(ByteRangeError::NotFromZero(o1));
    }
    if l1 == 0 {
        return Err(ByteRangeError::FirstRangeEmpty);
    }
    if o2 < l1.saturating_add(2) {
        return Err(ByteRangeError::NoRoomForContents {
            first_end: l1,
            second_start: o2,
        });
    }
    if l2 == 0 {
        return Err(ByteRangeError::SecondRangeEmpty);
    }
    let end = o2.checked_add(l2).ok_or(ByteRangeError::Overflow)?;
    if end > file_len {
        return Err(ByteRangeError::BeyondTheFile { end, file_len });
    }
    Ok(v)
}

/// Coverage: the signed bytes, ending at `end`, end at the end of a revision, and nothing but
/// white space follows the file's last `%%EOF`. Returns the revision that ends at `end` (if
/// any) and whether the coverage is sound; fills `coverage`, `revision` and `revisions`.
pub(super) fn check_coverage<R: Read + Seek>(
    reader: &Reader<R>,
    report: &mut SignatureReport,
    details: &mut PdfSignatureDetails,
    end: u64,
) -> (Option<usize>, bool) {
    let revisions = reader.revisions();
    let count = revisions.len();
    let last = count.saturating_sub(1);
    let file_len = reader.file_len();
    let covered = revisions
        .iter()
        .position(|r| r.end_offset == end || r.eof_offset.saturating_add(5) == end);
    let Some(k) = covered else {
        details.coverage = Some("none".into());
        report.fail_format("coverage",
            format!(
                "the signed bytes end at offset {end}, which is not the end of a revision (an %%EOF with its xref and trailer); the file has {file_len} bytes"
            ),
        );
        return (None, false);
    };
    let last_end = revisions.get(last).map_or(file_len, |r| r.end_offset);
    let coverage = if k == last {
        "whole file".to_string()
    } else {
        format!("revision {} of {count}", k + 1)
    };
    details.coverage = Some(coverage.clone());
    details.revision = Some(k + 1);
    details.revisions = Some(count);
    let tail_is_blank = last_end < file_len && file_len - last_end <= MAX_BLANK_TAIL && {
        let mut tail = Vec::new();
        reader
            .read_range(last_end, file_len - last_end, &mut tail)
            .is_ok()
            && tail.iter().all(|b| BLANK.contains(b))
    };
    if tail_is_blank {
        report.warnings.push(format!(
            "{} white-space bytes after the file's last %%EOF are not signed",
            file_len - last_end
        ));
    }
    if last_end < file_len && !tail_is_blank {
        report.fail_format("coverage",
            format!(
                "{} bytes after the file's last %%EOF (offset {last_end}) belong to no revision and are not signed",
                file_len - last_end
            ),
        );
        return (Some(k), false);
    }
    report.pass(
        "coverage",
        Some(format!("{coverage} (bytes 0–{end} except the /Contents)")),
    );
    (Some(k), true)
}

/// The signature dictionary lies uncompressed in the signed bytes (which end at `end`), holds
/// the gap, and was not redefined between the signed revision `covered` and its own view.
pub(super) fn check_container<R: Read + Seek>(
    reader: &Reader<R>,
    report: &mut SignatureReport,
    found: &FoundSig,
    (gap_start, gap_end): (u64, u64),
    end: u64,
    covered: Option<usize>,
) -> bool {
    let Some(c) = found.container else {
        report.fail_format("contents", "the signature dictionary's location is unknown");
        return false;
    };
    let entry_in = |rev: usize| reader.xref_entry_in_revision(c.num, rev).ok().flatten();
    if matches!(entry_in(found.view), Some(XrefEntry::Compressed { .. })) {
        report.fail_format("contents",
            "the signature dictionary is inside an object stream, where /ByteRange offsets cannot point",
        );
        return false;
    }
    let problem = match reader.raw_object_span_in_revision(c, found.view) {
        Err(e) => format!("the signature dictionary's object cannot be located: {e}"),
        Ok((start, obj_end)) if !(start < gap_start && gap_end < obj_end) => format!(
            "the unsigned gap [{gap_start}, {gap_end}) is not inside the signature dictionary's object {c} (bytes {start}–{obj_end})"
        ),
        Ok((start, obj_end)) if obj_end > end => format!(
            "the signature dictionary {c} (bytes {start}–{obj_end}) is not inside the signed bytes (which end at {end})"
        ),
        Ok(_) => match covered {
            Some(k) if entry_in(k) != entry_in(found.view) => {
                format!("the signature dictionary {c} was redefined after the signed revision")
            }
            _ => return true,
        },
    };
    report.fail_format("contents", problem);
    false
}

/// `/Contents`: a non-empty hexadecimal string.
pub(super) fn read_contents(report: &mut SignatureReport, d: &Dictionary) -> Option<Vec<u8>> {
    let problem = match d.get("Contents") {
        Some(Object::String(s)) if s.hex && !s.bytes.is_empty() => return Some(s.bytes.clone()),
        Some(Object::String(s)) if s.bytes.is_empty() => "/Contents is empty".to_string(),
        Some(Object::String(_)) => {
            "/Contents is a literal string; it must be a hexadecimal string".to_string()
        }
        Some(o) => format!("/Contents is a {}, not a hexadecimal string", o.type_name()),
        None => "no /Contents".to_string(),
    };
    report.fail_format("contents", problem);
    None
}

/// The gap `[gap_start, gap_end)` of the file is exactly the `<hex>` of `contents`, right
/// after the `/Contents` key.
pub(super) fn check_gap_bytes<R: Read + Seek>(
    reader: &Reader<R>,
    report: &mut SignatureReport,
    (gap_start, gap_end): (u64, u64),
    contents: &[u8],
) -> bool {
    let gap_len = gap_end - gap_start;
    if gap_len > MAX_GAP {
        report.fail_format(
            "contents",
            format!("the unsigned gap of {gap_len} bytes is larger than {MAX_GAP}"),
        );
        return false;
    }
    let mut gap = Vec::new();
    let before_start = gap_start.saturating_sub(64);
    let mut before = Vec::new();
    let read = reader
        .read_range(gap_start, gap_len, &mut gap)
        .and_then(|()| reader.read_range(before_start, gap_start - before_start, &mut before));
    if let Err(e) = read {
        report.fail_format("contents", format!("reading the gap: {e}"));
        return false;
    }
    if let Err(e) = check_gap(&gap, &before, contents) {
        report.fail_format("contents", e.to_string());
        return false;
    }
    report.pass(
        "contents",
        Some(format!(
            "the unsigned gap is exactly the /Contents hex string ({} bytes reserved)",
            contents.len()
        )),
    );
    true
}

/// The gap must be `<` hex digits `>`, equal to the parsed `/Contents`, right after the
/// `/Contents` key (`before` holds the bytes before the gap).
pub(super) fn check_gap(gap: &[u8], before: &[u8], contents: &[u8]) -> Result<(), GapError> {
    let [b'<', inner @ .., b'>'] = gap else {
        return Err(GapError::NotBracketed);
    };
    if let Some(p) = inner.iter().position(|b| !b.is_ascii_hexdigit()) {
        return Err(GapError::NonHex {
            byte: inner.get(p).copied().unwrap_or(0),
            at: p + 1,
        });
    }
    let decoded = hex::decode(inner).map_err(GapError::Hex)?;
    if decoded != contents {
        return Err(GapError::NotTheContents);
    }
    let trimmed = before
        .iter()
        .rposition(|b| !BLANK.contains(b))
        .and_then(|p| before.get(..=p))
        .unwrap_or_default();
    if !trimmed.ends_with(b"/Contents") {
        return Err(GapError::NotAfterTheKey);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::ObjRef;

    #[test]
    fn gap_rules() {
        let before = b"/ByteRange [0 1 2 3] /Contents ";
        assert_eq!(check_gap(b"<0102>", before, &[1, 2]), Ok(()));
        assert_eq!(
            check_gap(b"<0102> ", before, &[1, 2]),
            Err(GapError::NotBracketed)
        );
        assert_eq!(
            check_gap(b"<01 02>", before, &[1, 2]),
            Err(GapError::NonHex { byte: b' ', at: 3 })
        );
        assert_eq!(
            check_gap(b"<010>", before, &[1, 2]),
            Err(GapError::Hex(hex::FromHexError::OddLength))
        );
        assert_eq!(
            check_gap(b"<0103>", before, &[1, 2]),
            Err(GapError::NotTheContents)
        );
        assert_eq!(
            check_gap(b"<0102>", b"/Foo ", &[1, 2]),
            Err(GapError::NotAfterTheKey)
        );
    }

    #[test]
    fn gap_error_texts() {
        assert_eq!(
            GapError::NonHex { byte: 0x20, at: 3 }.to_string(),
            "the unsigned gap holds a non-hex byte 0x20 at offset 3 of the /Contents string: hidden data in the gap"
        );
    }

    #[test]
    fn byte_ranges() {
        let mut d = Dictionary::new();
        let br = |v: &[i64]| Object::Array(v.iter().map(|i| Object::Integer(*i)).collect());
        d.insert("ByteRange", br(&[0, 10, 20, 30]));
        assert_eq!(parse_byte_range(&d, 50), Ok([0, 10, 20, 30]));
        assert_eq!(
            parse_byte_range(&d, 49),
            Err(ByteRangeError::BeyondTheFile {
                end: 50,
                file_len: 49
            })
        );
        d.insert("ByteRange", br(&[0, 10]));
        assert_eq!(parse_byte_range(&d, 50), Err(ByteRangeError::NotFour(2)));
        d.insert("ByteRange", br(&[1, 10, 20, 30]));
        assert_eq!(
            parse_byte_range(&d, 100),
            Err(ByteRangeError::NotFromZero(1))
        );
        d.insert("ByteRange", br(&[0, 0, 20, 30]));
        assert_eq!(
            parse_byte_range(&d, 100),
            Err(ByteRangeError::FirstRangeEmpty)
        );
        d.insert("ByteRange", br(&[0, 10, 5, 30]));
        assert_eq!(
            parse_byte_range(&d, 100),
            Err(ByteRangeError::NoRoomForContents {
                first_end: 10,
                second_start: 5
            })
        );
        d.insert("ByteRange", br(&[0, 10, 20, 0]));
        assert_eq!(
            parse_byte_range(&d, 100),
            Err(ByteRangeError::SecondRangeEmpty)
        );
        d.insert("ByteRange", br(&[0, 10, 20, -1]));
        assert_eq!(parse_byte_range(&d, 100), Err(ByteRangeError::Negative(-1)));
        d.insert("ByteRange", Object::Null);
        assert_eq!(
            parse_byte_range(&d, 100),
            Err(ByteRangeError::NotAnArray("null"))
        );
        d.insert(
            "ByteRange",
            Object::Array(vec![
                Object::Integer(0),
                Object::Reference(ObjRef::new(1, 0)),
                Object::Integer(20),
                Object::Integer(30),
            ]),
        );
        assert_eq!(
            parse_byte_range(&d, 100),
            Err(ByteRangeError::NotAnInteger("reference"))
        );
        assert_eq!(
            ByteRangeError::NoRoomForContents {
                first_end: 10,
                second_start: 5
            }
            .to_string(),
            "/ByteRange ranges overlap or leave no room for /Contents (first ends at 10, second starts at 5)"
        );
    }
}
