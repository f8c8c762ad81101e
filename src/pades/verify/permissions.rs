//! DocMDP and FieldMDP (ISO 32000-2 §12.8.2): the transforms a signature declares, which
//! signature certifies the document, the permissions the revision analysis of each signature
//! runs under ([`super::super::diff`]), and the verdict on what changed after it.

use super::signature::Checked;
use crate::pades::diff::{self, Category, FieldLock, LockAction, Permissions};
use crate::pdf::{Dictionary, ObjRef, Object, PdfError, Reader};
use crate::report::{
    CertificationReport, Indication, ModificationReport, PdfSignatureDetails, SignatureReport,
    SubIndication,
};
use std::io::{Read, Seek};

/// Most `/Reference` entries of a signature looked at.
const MAX_REFERENCES: usize = 64;

/// Why the revision analysis of a signature has no result.
#[derive(Debug, thiserror::Error)]
enum AnalysisError {
    /// The analysis gave fewer results than it was given jobs.
    #[error("unsupported: revision analysis")]
    NoResult,
    /// The analysis failed on the file.
    #[error("{0}")]
    Failed(PdfError),
}

/// The certification signature: the catalog of its own revision points at it.
struct Certifier {
    /// Its signed revision.
    revision: usize,
    /// Its DocMDP `/P`.
    p: i64,
    /// Its report id.
    id: String,
}

/// The transforms a signature declares in `/Reference`: DocMDP `/P` and FieldMDP locks.
pub(super) fn transforms<R: Read + Seek>(
    reader: &Reader<R>,
    d: &Dictionary,
    view: usize,
) -> (Option<i64>, Vec<LockAction>) {
    let mut docmdp = None;
    let mut locks = Vec::new();
    let refs = reader
        .resolve_in_revision(d.get("Reference").unwrap_or(&Object::Null), view)
        .unwrap_or(Object::Null);
    for r in refs
        .as_array()
        .unwrap_or_default()
        .iter()
        .take(MAX_REFERENCES)
    {
        let Ok(Object::Dictionary(sr)) = reader.resolve_in_revision(r, view) else {
            continue;
        };
        let params = reader
            .resolve_in_revision(sr.get("TransformParams").unwrap_or(&Object::Null), view)
            .unwrap_or(Object::Null);
        let params = params.as_dict().cloned().unwrap_or_default();
        match sr.get_name("TransformMethod") {
            Some(b"DocMDP") => {
                let p = params.get_int("P").unwrap_or(2);
                docmdp = Some(if (1..=3).contains(&p) { p } else { 2 });
            }
            Some(b"FieldMDP") => {
                let names: Vec<String> = reader
                    .resolve_in_revision(params.get("Fields").unwrap_or(&Object::Null), view)
                    .unwrap_or(Object::Null)
                    .as_array()
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|o| o.as_string().map(|s| s.to_text()))
                    .collect();
                match params.get_name("Action") {
                    Some(b"All") => locks.push(LockAction::All),
                    Some(b"Include") => locks.push(LockAction::Include(names)),
                    Some(b"Exclude") => locks.push(LockAction::Exclude(names)),
                    _ => locks.push(LockAction::All),
                }
            }
            _ => {}
        }
    }
    (docmdp, locks)
}

/// Runs the revision analysis of every signature with a sound signed revision and closes the
/// reports: certification, modifications and their verdict, the final indication.
pub(super) fn judge_changes<R: Read + Seek>(
    reader: &Reader<R>,
    checked: Vec<Checked>,
) -> Vec<SignatureReport> {
    let certifier = certifier(reader, &checked);
    let mut checked = checked;
    docmdp_mismatches(reader, &mut checked, certifier.as_ref());
    let job_of = jobs(&checked, certifier.as_ref());
    let jobs: Vec<(usize, Permissions)> = job_of.iter().flatten().cloned().collect();
    let mut results = diff::analyze(reader, &jobs).into_iter();
    let mut reports = Vec::with_capacity(checked.len());
    for (c, job) in checked.into_iter().zip(job_of) {
        let mut r = c.report;
        let mut details = c.details;
        if let Some(cert) = &certifier
            && cert.id == r.id
        {
            details.certification = Some(CertificationReport { docmdp: cert.p });
        }
        match job {
            None if c.usage_rights && c.covered.is_some() => r.pass(
                "modifications",
                Some("not judged: a usage-rights signature (/Perms /UR3) enables viewer features and does not protect the content".into()),
            ),
            Some(_) => {
                let result = match results.next() {
                    Some(result) => result.map_err(AnalysisError::Failed),
                    None => Err(AnalysisError::NoResult),
                };
                apply_diff(&mut r, &mut details, result);
            }
            None => details.modification_category = Some("unknown".into()),
        }
        r.details = Some(details);
        r.conclude();
        reports.push(r);
    }
    reports
}

/// The certification signature: the first with a DocMDP transform whose revision's catalog
/// points at it in `/Perms /DocMDP`.
fn certifier<R: Read + Seek>(reader: &Reader<R>, checked: &[Checked]) -> Option<Certifier> {
    checked.iter().find_map(|c| {
        let (Some(k), Some(p), Some(sr)) = (c.covered, c.docmdp, c.sig_ref) else {
            return None;
        };
        let points = perms_docmdp(reader, k) == Some(sr);
        points.then(|| Certifier {
            revision: k,
            p,
            id: c.report.id.clone(),
        })
    })
}

/// The signature dictionary the catalog's `/Perms /DocMDP` names in revision `k`.
fn perms_docmdp<R: Read + Seek>(reader: &Reader<R>, k: usize) -> Option<ObjRef> {
    reader
        .catalog_entry_in_revision("Perms", k)?
        .as_dict()?
        .get_ref("DocMDP")
}

/// `/Perms /DocMDP` checked against the certification signature it names (ISO 32000-2
/// §12.8.2.2.1: it is the signature dictionary with the DocMDP transform): a signature that
/// declares DocMDP without being named, or named without declaring it, is no certification,
/// and its report says why.
fn docmdp_mismatches<R: Read + Seek>(
    reader: &Reader<R>,
    checked: &mut [Checked],
    certifier: Option<&Certifier>,
) {
    let last = reader.revisions().len().saturating_sub(1);
    let named_now = perms_docmdp(reader, last);
    for c in checked.iter_mut() {
        let is_cert = certifier.is_some_and(|cert| cert.id == c.report.id);
        if c.docmdp.is_some() && !is_cert {
            let named = c.covered.and_then(|k| perms_docmdp(reader, k));
            let by = named.map_or_else(
                || "no signature".to_string(),
                |r| format!("signature dictionary {r}"),
            );
            c.report.warnings.push(format!(
                "the signature declares a DocMDP transform, but the catalog's /Perms /DocMDP of its revision names {by}: not a certification signature"
            ));
        } else if c.docmdp.is_none() && c.sig_ref.is_some() && c.sig_ref == named_now {
            c.report.warnings.push(
                "the catalog's /Perms /DocMDP names this signature, but it has no DocMDP transform: not a certification signature".into(),
            );
        }
    }
}

/// The revision-analysis job of each signature with a sound signed revision: that revision,
/// and the DocMDP and FieldMDP permissions set at or before it.
fn jobs(checked: &[Checked], certifier: Option<&Certifier>) -> Vec<Option<(usize, Permissions)>> {
    checked
        .iter()
        .map(|c| {
            if c.usage_rights {
                return None;
            }
            let s = c.covered?;
            let docmdp = certifier
                .filter(|cert| cert.revision <= s)
                .map(|cert| cert.p);
            let locks = checked
                .iter()
                .filter(|o| o.covered.is_some_and(|k| k <= s))
                .flat_map(|o| {
                    o.locks.iter().map(|a| FieldLock {
                        action: a.clone(),
                        by: o.report.id.clone(),
                    })
                })
                .collect();
            Some((s, Permissions { docmdp, locks }))
        })
        .collect()
}

/// The report's form of a change.
fn modification_report(m: &diff::Modification) -> ModificationReport {
    ModificationReport {
        allowed: m.allowed,
        category: m.category.as_str().into(),
        detail: m.detail.clone(),
        kind: m.kind.as_str().into(),
        object: m.object.clone(),
    }
}

/// Records the outcome of the revision analysis: the modifications, and a failure when one of
/// them is not allowed.
fn apply_diff(
    r: &mut SignatureReport,
    details: &mut PdfSignatureDetails,
    result: Result<diff::DiffResult, AnalysisError>,
) {
    let d = match result {
        Ok(d) => d,
        Err(e) => {
            details.modification_category = Some("unknown".into());
            r.fail_format("modifications", format!("revision analysis failed: {e}"));
            return;
        }
    };
    details.modification_category = Some(d.category.as_str().into());
    r.warnings.extend(d.warnings.iter().cloned());
    details.modifications = Some(d.modifications.iter().map(modification_report).collect());
    let refused: Vec<String> = d
        .modifications
        .iter()
        .filter(|m| !m.allowed)
        .map(|m| format!("{} ({}): {}", m.object, m.kind, m.detail))
        .collect();
    if !refused.is_empty() {
        r.fail(
            "modifications",
            Indication::TotalFailed,
            SubIndication::SigConstraintsFailure,
            format!(
                "the document was modified after signing in ways that are not allowed: {}",
                refused.join("; ")
            ),
        );
        return;
    }
    let detail = match d.category {
        Category::Untouched => "no change after signing".to_string(),
        c => format!(
            "{} allowed change(s) after signing ({})",
            d.modifications.len(),
            c.as_str()
        ),
    };
    r.pass("modifications", Some(detail));
    if d.category >= Category::FormFilling {
        r.warnings.push(format!(
            "the document was changed after this signature ({}): see the modifications",
            d.category.as_str()
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn analysis_error_texts() {
        // The texts of the reports from before the typed errors.
        assert_eq!(
            AnalysisError::NoResult.to_string(),
            PdfError::Unsupported("revision analysis".into()).to_string()
        );
        let e = PdfError::BrokenXref {
            detail: "no revision".into(),
        };
        assert_eq!(
            AnalysisError::Failed(e).to_string(),
            "broken cross-reference: no revision"
        );
    }
}
