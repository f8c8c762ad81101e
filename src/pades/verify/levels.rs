//! The PAdES level of each signature (ETSI EN 319 142-1 §6.2), from what the file holds
//! besides its CMS:
//!
//! - B-T: the CMS's signature-time-stamp, or an intact document timestamp in a later
//!   revision (its genTime is then the `timestamp_time`);
//! - B-LT: B-T and a later revision that adds revocation data to the DSS (`/CRLs` or
//!   `/OCSPs`; `/VRI` is never read);
//! - B-LTA: B-LT and an intact document timestamp in that revision or a later one (it covers
//!   the DSS).
//!
//! Intact: not TOTAL_FAILED (a token whose TSA chain is not trusted still dates what it
//! covers, as for CAdES; its own verdict is in its report).

use crate::pdf::{Object, Reader};
use crate::report::{Indication, Level, PdfSignatureKind, SignatureReport};
use std::io::{Read, Seek};

/// The revisions (from 1) that added revocation data to the DSS (more `/CRLs` and `/OCSPs`
/// entries than the revision before).
fn dss_updates<R: Read + Seek>(reader: &Reader<R>) -> Vec<usize> {
    let mut before = 0;
    let mut out = Vec::new();
    for i in 0..reader.revisions().len() {
        let n = dss_revocation_count(reader, i).unwrap_or(0);
        if n > before {
            out.push(i + 1);
        }
        before = n;
    }
    out
}

/// The number of CRLs and OCSP responses in the DSS of revision `i` (from 0).
fn dss_revocation_count<R: Read + Seek>(reader: &Reader<R>, i: usize) -> Option<usize> {
    let dss = reader.catalog_entry_in_revision("DSS", i)?;
    let dss = dss.as_dict()?;
    Some(
        ["CRLs", "OCSPs"]
            .iter()
            .filter_map(|k| dss.get(k))
            .filter_map(|v| reader.resolve_in_revision(v, i).ok())
            .map(|a| match a {
                Object::Array(a) => a.len(),
                _ => 0,
            })
            .sum(),
    )
}

/// Raises the level of each signature of `reports` with the file's document timestamps and
/// DSS.
pub(super) fn set_levels<R: Read + Seek>(reader: &Reader<R>, reports: &mut [SignatureReport]) {
    // (revision, genTime) of each intact document timestamp, oldest first.
    let mut doc_ts: Vec<(usize, String)> = reports
        .iter()
        .filter_map(|r| {
            let d = r.details.as_ref()?;
            let intact = r.indication != Indication::TotalFailed;
            (d.kind == Some(PdfSignatureKind::DocumentTimestamp) && intact)
                .then(|| Some((d.revision?, r.timestamp_time.clone()?)))
                .flatten()
        })
        .collect();
    doc_ts.sort();
    let dss = dss_updates(reader);
    for r in reports.iter_mut() {
        let Some(rev) = r
            .details
            .as_ref()
            .filter(|d| d.kind == Some(PdfSignatureKind::Signature))
            .and_then(|d| d.revision)
        else {
            continue;
        };
        if r.level == Some(Level::BB)
            && let Some((_, t)) = doc_ts.iter().find(|(t_rev, _)| *t_rev > rev)
        {
            r.level = Some(Level::BT);
            if r.timestamp_time.is_none() {
                r.timestamp_time = Some(t.clone());
            }
        }
        // The first revision after the signature with its validation data: the CMS's own
        // (revocation values in the CMS: B-LT already), or the first DSS update.
        let first_dss = dss.iter().copied().find(|&d| d > rev);
        let Some(d) = (r.level == Some(Level::BLT))
            .then_some(rev + 1)
            .or(first_dss)
        else {
            continue;
        };
        if r.level == Some(Level::BT) {
            r.level = Some(Level::BLT);
        }
        if r.level == Some(Level::BLT) && doc_ts.iter().any(|(t_rev, _)| *t_rev >= d) {
            r.level = Some(Level::BLTA);
        }
    }
}
