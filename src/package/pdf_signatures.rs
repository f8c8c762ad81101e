//! The signatures of a PDF, checked as far as a package needs: each signature field's
//! `/ByteRange` (four integers from 0, the gap exactly its `/Contents` hex string, the signed
//! part ending at a revision's `%%EOF`), then the CMS over the two ranges with
//! [`crate::cades::verify`]. Bytes after the last signature fail the verification.
//!
//! Interim: the revision analysis of `pades::verify` (what later revisions changed, DocMDP)
//! lands on its own branch; this module is to be replaced by it. In a package the signed PDF's
//! hash is also bound by the manifest (and the seal), which limits what a later revision can
//! smuggle in, but does not replace that analysis.

use crate::asn1::tlv;
use crate::cades::{self, VerifyOptions};
use crate::error::{Error, Result};
use crate::pdf::{Dictionary, ObjRef, Object, Reader};
use crate::report::{Indication, SignatureReport, SubIndication, ValidationReport};
use std::collections::HashSet;
use std::io::{Cursor, Read};

/// Largest number of form fields walked.
const MAX_FIELDS: usize = 10_000;
/// Largest number of signatures verified in one PDF.
const MAX_SIGNATURES: usize = 64;

struct Found {
    field: String,
    sig: Dictionary,
}

fn collect<R: Read + std::io::Seek>(
    reader: &Reader<R>,
    fields: &[Object],
    prefix: &str,
    inherited_ft: Option<Vec<u8>>,
    depth: usize,
    seen: &mut HashSet<ObjRef>,
    out: &mut Vec<Found>,
) -> Result<()> {
    if depth > 32 || seen.len() > MAX_FIELDS {
        return Err(Error::malformed(
            "AcroForm",
            "field tree too deep or too large",
        ));
    }
    for f in fields {
        if let Some(r) = f.as_reference()
            && !seen.insert(r)
        {
            return Err(Error::malformed("AcroForm", "the field tree has a loop"));
        }
        let obj = reader.resolve(f)?;
        let Some(d) = obj.as_dict() else { continue };
        let part = d.get("T").and_then(|t| t.as_string()).map(|s| s.to_text());
        let name = match (&part, prefix.is_empty()) {
            (Some(p), true) => p.clone(),
            (Some(p), false) => format!("{prefix}.{p}"),
            (None, _) => prefix.to_string(),
        };
        let ft = d
            .get_name("FT")
            .map(<[u8]>::to_vec)
            .or(inherited_ft.clone());
        if ft.as_deref() == Some(b"Sig".as_slice())
            && let Some(v) = d.get("V")
        {
            let v = reader.resolve(v)?;
            if let Some(sig) = v.as_dict() {
                out.push(Found {
                    field: name.clone(),
                    sig: sig.clone(),
                });
            }
        }
        if let Some(kids) = d.get("Kids") {
            let kids = reader.resolve(kids)?;
            if let Some(k) = kids.as_array() {
                collect(reader, k, &name, ft, depth + 1, seen, out)?;
            }
        }
    }
    Ok(())
}

/// `D:YYYYMMDDHHmmSS…` to RFC 3339 (UTC offsets other than Z/+00'00' are applied).
pub(crate) fn pdf_date_to_rfc3339(s: &[u8]) -> Option<String> {
    let s = std::str::from_utf8(s).ok()?;
    let s = s.strip_prefix("D:").unwrap_or(s);
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let p = s.get(r)?;
        if p.bytes().all(|b| b.is_ascii_digit()) {
            p.parse().ok()
        } else {
            None
        }
    };
    let y = num(0..4)?;
    let mo = num(4..6).unwrap_or(1);
    let d = num(6..8).unwrap_or(1);
    let h = num(8..10).unwrap_or(0);
    let mi = num(10..12).unwrap_or(0);
    let se = num(12..14).unwrap_or(0);
    let mut offset = 0i64;
    if let Some(sign) = s.get(14..15)
        && (sign == "+" || sign == "-")
    {
        let oh = num(15..17).unwrap_or(0);
        let om = num(18..20).unwrap_or(0);
        offset = (oh * 3600 + om * 60) * if sign == "-" { -1 } else { 1 };
    }
    let text = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{se:02}Z");
    let t = crate::x509::time::parse_rfc3339(&text)?;
    let secs = crate::x509::time::unix_seconds(t) - offset;
    Some(crate::x509::time::format_unix(secs))
}

fn failed(id: String, what: &str, detail: String) -> SignatureReport {
    let mut r = SignatureReport::new(id);
    r.fail(
        what,
        Indication::TotalFailed,
        SubIndication::FormatFailure,
        detail,
    );
    r
}

/// Verifies every signature of `pdf`, in the order of the part of the file they cover (the
/// first signed revision first): `S1`, `S2`, …
pub(crate) fn verify_pdf(pdf: &[u8], options: &VerifyOptions) -> Result<ValidationReport> {
    let reader = Reader::from_reader(Cursor::new(pdf))?;
    if reader.is_encrypted() {
        return Err(Error::Unsupported("encrypted PDF".into()));
    }
    let catalog = reader.catalog()?;
    let mut found = Vec::new();
    if let Some(af) = catalog.get("AcroForm") {
        let af = reader.resolve(af)?;
        if let Some(fields) = af.as_dict().and_then(|d| d.get("Fields")) {
            let fields = reader.resolve(fields)?;
            let list = fields
                .as_array()
                .map(<[Object]>::to_vec)
                .unwrap_or_default();
            collect(&reader, &list, "", None, 0, &mut HashSet::new(), &mut found)?;
        }
    }
    if found.len() > MAX_SIGNATURES {
        return Err(Error::malformed("PDF", "too many signatures"));
    }
    let len = pdf.len() as u64;
    let revision_ends: Vec<u64> = reader
        .revisions()
        .iter()
        .flat_map(|r| [r.end_offset, r.eof_offset + 5])
        .collect();
    // Order by coverage.
    let mut items: Vec<(u64, Found, Option<[u64; 4]>)> = found
        .into_iter()
        .map(|f| {
            let br = f
                .sig
                .get("ByteRange")
                .and_then(Object::as_array)
                .and_then(|a| {
                    let v: Vec<u64> = a
                        .iter()
                        .filter_map(|o| o.as_int().and_then(|i| u64::try_from(i).ok()))
                        .collect();
                    match (a.len(), v.as_slice()) {
                        (4, [a, b, c, d]) => Some([*a, *b, *c, *d]),
                        _ => None,
                    }
                });
            let end = br.map(|b| b[2].saturating_add(b[3])).unwrap_or(u64::MAX);
            (end, f, br)
        })
        .collect();
    items.sort_by_key(|(end, _, _)| *end);
    let mut reports = Vec::new();
    let mut last_end = 0u64;
    for (i, (end, f, br)) in items.into_iter().enumerate() {
        let id = format!("S{}", i + 1);
        let Some([a, b, c, d]) = br else {
            reports.push(failed(
                id,
                "byte-range",
                "no /ByteRange of four non-negative integers".into(),
            ));
            continue;
        };
        if a != 0 || b == 0 || c <= b || end > len {
            reports.push(failed(
                id,
                "byte-range",
                format!("/ByteRange [{a} {b} {c} {d}] does not fit the file of {len} bytes"),
            ));
            continue;
        }
        let Some(contents) = f.sig.get("Contents").and_then(Object::as_string) else {
            reports.push(failed(id, "byte-range", "no /Contents string".into()));
            continue;
        };
        // The gap must be exactly this signature's /Contents hex string.
        let gap = pdf.get(b as usize..c as usize).unwrap_or_default();
        let gap_ok = gap.len() >= 2
            && gap.first() == Some(&b'<')
            && gap.last() == Some(&b'>')
            && hex::decode(gap.get(1..gap.len() - 1).unwrap_or_default())
                .is_ok_and(|g| g == contents.bytes);
        if !gap_ok {
            reports.push(failed(
                id,
                "byte-range",
                "the gap between the ranges is not exactly the signature's /Contents".into(),
            ));
            continue;
        }
        if !revision_ends.contains(&end) {
            reports.push(failed(
                id,
                "byte-range",
                format!("the signed part ends at {end}, not at the end of a revision"),
            ));
            continue;
        }
        let cms = match tlv::read_definite(&contents.bytes, "CMS") {
            Ok((t, _)) => t.raw.to_vec(),
            Err(_) => contents.bytes.clone(),
        };
        let mut signed = pdf
            .get(..b as usize)
            .unwrap_or_default()
            .chain(pdf.get(c as usize..end as usize).unwrap_or_default());
        let mut r = match cades::verify(&cms, Some(&mut signed), options) {
            Ok(mut rep) if rep.signatures.len() == 1 => rep.signatures.remove(0),
            Ok(rep) => failed(
                id.clone(),
                "cms",
                format!("the CMS holds {} signatures, not one", rep.signatures.len()),
            ),
            Err(e) => failed(id.clone(), "cms", e.to_string()),
        };
        r.id = id;
        r.pass("byte-range", Some(format!("[{a} {b} {c} {d}]")));
        if r.claimed_signing_time.is_none() {
            r.claimed_signing_time = f
                .sig
                .get("M")
                .and_then(Object::as_string)
                .and_then(|m| pdf_date_to_rfc3339(&m.bytes));
        }
        r.details.insert("field".into(), f.field.clone().into());
        r.details.insert("signed_bytes".into(), end.into());
        if let Some(n) = f.sig.get("Name").and_then(Object::as_string) {
            r.details.insert("name".into(), n.to_text().into());
        }
        if let Some(n) = f.sig.get("Reason").and_then(Object::as_string) {
            r.details.insert("reason".into(), n.to_text().into());
        }
        last_end = last_end.max(end);
        reports.push(r);
    }
    if let Some(last) = reports.last_mut()
        && last_end != len
        && last_end != 0
    {
        last.fail(
            "coverage",
            Indication::TotalFailed,
            SubIndication::SigConstraintsFailure,
            format!(
                "{} bytes after the last signature are not covered by any signature",
                len - last_end.min(len)
            ),
        );
    }
    let n = reports.len();
    for r in &mut reports {
        if r.details.get("signed_bytes").and_then(|v| v.as_u64()) != Some(len) && n > 1 {
            r.warnings.push(
                "covers an earlier revision; the later revisions were not analysed (pades::verify)"
                    .into(),
            );
        }
    }
    let mut report = ValidationReport::new("PAdES", reports);
    report.recompute();
    Ok(report)
}

#[cfg(test)]
mod tests {
    #[test]
    fn pdf_dates() {
        assert_eq!(
            super::pdf_date_to_rfc3339(b"D:20250601120000+00'00'").as_deref(),
            Some("2025-06-01T12:00:00Z")
        );
        assert_eq!(
            super::pdf_date_to_rfc3339(b"D:20250601120000-03'00'").as_deref(),
            Some("2025-06-01T15:00:00Z")
        );
    }
}
