//! The PAdES baseline level of each signature (ETSI EN 319 142-1 §6.2, §6.3): on top of the
//! level its CMS reaches (B-B, B-T), **B-LT** when a later revision added revocation data
//! (CRLs or OCSP responses) to the Document Security Store — validation data added after the
//! signature, for it — and **B-LTA** when, in addition, a document timestamp whose imprint is
//! intact covers a revision that already holds such data (the timestamp protects it).

use crate::pdf::Reader;
use crate::report::{Indication, Level, PdfSignatureKind, SignatureReport};
use std::io::{Read, Seek};

/// Raises the levels of the signatures in `reports` (PAdES signatures at B-T, not failed).
pub(super) fn set_levels<R: Read + Seek>(reader: &Reader<R>, reports: &mut [SignatureReport]) {
    // The 0-based signed revision of every intact document timestamp.
    let timestamps: Vec<usize> = reports
        .iter()
        .filter(|r| kind(r) == Some(PdfSignatureKind::DocumentTimestamp))
        .filter(|r| r.indication != Indication::TotalFailed)
        .filter_map(|r| r.details.as_ref()?.revision?.checked_sub(1))
        .collect();
    let newest = reader.revisions().len().saturating_sub(1);
    for r in reports.iter_mut() {
        if kind(r) != Some(PdfSignatureKind::Signature)
            || r.level != Some(Level::BT)
            || r.indication == Indication::TotalFailed
        {
            continue;
        }
        let Some(signed) = r.details.as_ref().and_then(|d| d.revision?.checked_sub(1)) else {
            continue;
        };
        let at_signing = revocation_count(reader, signed);
        if revocation_count(reader, newest) <= at_signing {
            continue;
        }
        r.level = Some(Level::BLT);
        let archived = timestamps
            .iter()
            .any(|&t| t > signed && revocation_count(reader, t) > at_signing);
        if archived {
            r.level = Some(Level::BLTA);
        }
    }
}

/// The PDF kind of a report.
fn kind(r: &SignatureReport) -> Option<PdfSignatureKind> {
    r.details.as_ref().and_then(|d| d.kind)
}

/// How many CRLs and OCSP responses the `/DSS` of revision `k`'s catalog lists (0 without a
/// DSS).
fn revocation_count<R: Read + Seek>(reader: &Reader<R>, k: usize) -> usize {
    let dss = || -> Option<usize> {
        let root = reader.revisions().get(k)?.trailer.get_ref("Root")?;
        let cat = reader.get_in_revision(root, k).ok()?;
        let dss = reader
            .resolve_in_revision(cat.as_dict()?.get("DSS")?, k)
            .ok()?;
        let dss = dss.as_dict()?;
        Some(
            ["CRLs", "OCSPs"]
                .iter()
                .filter_map(|key| dss.get(key))
                .filter_map(|v| reader.resolve_in_revision(v, k).ok())
                .map(|v| v.as_array().map_or(0, <[crate::pdf::Object]>::len))
                .sum(),
        )
    };
    dss().unwrap_or(0)
}
