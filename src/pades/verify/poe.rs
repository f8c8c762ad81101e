//! Proof of existence from document timestamps (ETSI EN 319 102-1 §5.6.2, past signature
//! validation as it matters here): a document timestamp that is TOTAL_PASSED proves that
//! every earlier revision existed at its genTime. A signature or an older document timestamp
//! of those revisions that is INDETERMINATE only because of the time (a certificate expired or
//! revoked since, revocation data no longer fresh) is checked again with the validation time
//! moved back to the earliest such genTime; if it then passes, that verdict stands, with a
//! warning naming the proof. Newest first, so that each renewal carries the proof back one
//! document timestamp further (LTA renewal). A signature that passes but whose embedded
//! timestamp is INDETERMINATE for such a reason (e.g. its TSA key too short today) is checked
//! again the same way: the document timestamp proves the token existed at its genTime; an older
//! document timestamp whose TSA key is too short today is judged at the next one's genTime.

use super::discovery::FoundSig;
use super::signature::{Checked, Ctx, check_signature};
use crate::pdf::Reader;
use crate::report::{Indication, PdfSignatureKind, SubIndication};
use std::io::{Read, Seek};
use std::time::SystemTime;

/// Passed so far (the final TOTAL_PASSED is concluded after the revision analysis): no
/// verdict set, no failed check.
fn passed(c: &Checked) -> bool {
    c.report.sub_indication.is_none() && !c.report.has_failures()
}

/// An INDETERMINATE verdict that an earlier validation time may change.
fn needs_poe(c: &Checked) -> bool {
    use SubIndication::*;
    c.report.indication == Indication::Indeterminate
        && matches!(
            c.report.sub_indication,
            Some(
                ExpiredNoPoe
                    | OutOfBoundsNoPoe
                    | OutOfBoundsNotRevoked
                    | RevokedNoPoe
                    | RevokedCaNoPoe
                    | NoPoe
                    | TryLater
                    | CryptoConstraintsFailure
            )
        )
}

/// A signature that passes with an embedded timestamp that is INDETERMINATE for a reason an
/// earlier validation time may change: its TSA key too short at the validation time (the
/// TSA chain is judged at genTime whatever the validation time).
fn timestamp_needs_poe(c: &Checked) -> bool {
    passed(c)
        && c.report.timestamps.iter().any(|t| {
            t.indication == Indication::Indeterminate
                && t.sub_indication == Some(SubIndication::CryptoConstraintsFailure)
        })
}

/// A proof of existence a document timestamp gives the revisions before it.
struct DocPoe {
    /// The revision it covers: it proves those before (and its own) existed.
    revision: usize,
    time: SystemTime,
    /// Which document timestamp, for the report.
    by: String,
}

/// The genTime of a document timestamp that passed, with the revision it covers.
fn poe_of(c: &Checked) -> Option<DocPoe> {
    if c.details.kind != Some(PdfSignatureKind::DocumentTimestamp) || !passed(c) {
        return None;
    }
    let time = crate::time::parse_rfc3339(c.report.timestamp_time.as_deref()?)?;
    let revision = c.covered?;
    let by = match &c.details.field {
        Some(f) => format!("the document timestamp {f:?} (revision {revision})"),
        None => format!("the document timestamp of revision {revision}"),
    };
    Some(DocPoe { revision, time, by })
}

/// Re-checks, at the proof of existence of the document timestamps after them, the
/// signatures and document timestamps that need one. `checked[i]` is the check of `found[i]`.
pub(super) fn apply<R: Read + Seek>(
    reader: &Reader<R>,
    found: &[FoundSig],
    checked: &mut [Checked],
    ctx: &Ctx<'_>,
) {
    let mut order: Vec<usize> = (0..checked.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(checked.get(i).and_then(|c| c.covered).unwrap_or(0)));
    let mut poes: Vec<DocPoe> = Vec::new();
    for i in order {
        let (Some(c), Some(f)) = (checked.get_mut(i), found.get(i)) else {
            continue;
        };
        let Some(rev) = c.covered else { continue };
        let best = poes
            .iter()
            .filter(|p| p.revision > rev)
            .min_by_key(|p| p.time);
        if let Some(DocPoe { time: t, by, .. }) = best
            && (needs_poe(c) || timestamp_needs_poe(c))
            && ctx.options.validation_time.is_none_or(|now| *t < now)
        {
            let t = *t;
            let mut options = ctx.options.clone();
            options.validation_time = Some(t);
            let past = Ctx {
                options: &options,
                dss_certs: ctx.dss_certs,
            };
            let mut again = check_signature(reader, f, c.report.id.clone(), &past);
            if passed(&again) {
                again.report.warnings.push(format!(
                    "validated at {}, the proof of existence given by a later document timestamp, {by} (was {})",
                    crate::time::format_rfc3339(t),
                    was(c)
                ));
                *c = again;
            } else {
                c.report.warnings.push(format!(
                    "checked again at {}, the proof of existence given by a later document timestamp, {by}: {:?} {:?} ({})",
                    crate::time::format_rfc3339(t),
                    again.report.indication,
                    again.report.sub_indication,
                    failed_checks(&again)
                ));
            }
        }
        if let Some(p) = poe_of(c) {
            poes.push(p);
        }
    }
}

/// What `c` was before the proof of existence, for a warning: its sub-indication, or its
/// timestamps' that needed one.
fn was(c: &Checked) -> String {
    match c.report.sub_indication {
        Some(s) => format!("{s:?}"),
        None => {
            let t: Vec<String> = c
                .report
                .timestamps
                .iter()
                .filter(|t| t.indication == Indication::Indeterminate)
                .map(|t| format!("timestamp {}: {:?}", t.id, t.sub_indication))
                .collect();
            t.join(", ")
        }
    }
}

/// The failed checks of `c`, for a warning.
fn failed_checks(c: &Checked) -> String {
    let mut out: Vec<String> = c
        .report
        .checks
        .iter()
        .filter(|k| !k.passed)
        .map(|k| format!("{}: {}", k.name, k.detail.clone().unwrap_or_default()))
        .collect();
    if let Some(e) = c.report.trust.error.clone() {
        out.push(e);
    }
    out.join("; ")
}
