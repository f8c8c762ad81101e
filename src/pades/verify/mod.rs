//! PAdES verification (ISO 32000-2 §12.8, ETSI EN 319 142-1): is this exactly what was signed?
//!
//! For every signature of a PDF — every `/FT /Sig` field with a value, and every signature
//! dictionary no field reaches — [`verify_pdf`] checks, failing closed on anything it cannot
//! parse:
//!
//! 1. the signature dictionary: `/Type` (`/Sig`, `/DocTimeStamp` or absent), `/Filter` and
//!    `/SubFilter` on allow-lists (`ETSI.CAdES.detached`, `adbe.pkcs7.detached`,
//!    `adbe.pkcs7.sha1` as legacy, `ETSI.RFC3161` for document timestamps);
//! 2. `/ByteRange`: exactly four direct non-negative integers `[0 a b c]`, increasing, inside
//!    the file; the gap `[a, b)` is exactly the `<hex>` of `/Contents`, inside the signature
//!    dictionary, and `b + c` is the end of a revision (an `%%EOF` with its xref and trailer)
//!    that contains the signature dictionary;
//! 3. the CMS over the two ranges (streamed from the file, never loaded whole) with the
//!    [`crate::cades`] verifier and the trust evaluation of [`crate::x509`], with the
//!    certificates and revocation data of the Document Security Store;
//! 4. the revisions after the signed one, with [`super::diff`]: what changed, and whether
//!    DocMDP/FieldMDP allow it.
//!
//! The PDF specifics of each signature are in [`SignatureReport::details`]
//! ([`crate::report::PdfSignatureDetails`]): `field`, `subfilter`, `kind` (`signature` |
//! `document-timestamp`), `byte_range`, `coverage` (`whole file` | `revision N of M`),
//! `revision`, `modification_category` (`untouched` | `lta_updates` | `form_filling` |
//! `annotations` | `other`) and `modifications` (a list of
//! `{object, kind, detail, category, allowed}`).
//!
//! The parts:
//! - `discovery`: finding the signature fields and the signature dictionaries no field reaches;
//! - `dss`: the certificates and revocation data of the Document Security Store;
//! - `legacy_x509`: the legacy `adbe.x509.rsa_sha1` (a PKCS#1 signature, not a CMS);
//! - `poe`: the proof of existence document timestamps give the revisions before them;
//! - `levels`: the B-T / B-LT / B-LTA level each signature reaches with the document
//!   timestamps and the DSS;
//! - `signature`: the check of one signature, one function per step;
//! - `byte_range`: the strict `/ByteRange`, coverage and `/Contents` steps of that check;
//! - `permissions`: DocMDP/FieldMDP, the revision analysis and its verdict.
//!
//! This file runs them in order over a file.

use crate::VerifyOptions;
use crate::error::{Error, Result};
use crate::pdf::{Reader, ReaderOptions};
use crate::report::{SignatureReport, ValidationReport};
use signature::{Checked, Ctx, check_signature};
use std::fs::File;
use std::io::{Read, Seek};
use std::path::Path;

mod byte_range;
pub(crate) mod discovery;
mod dss;
mod legacy_x509;
mod levels;
mod permissions;
mod poe;
mod signature;

/// Verifies every signature of a PDF read from `input`.
///
/// Returns `Err` only when the input is not a PDF this reader can open (no header, broken
/// cross-reference chain, …); every problem with a signature is a verdict in the report. A
/// file without signatures gives a report with no signatures (`valid == false`).
pub fn verify_pdf<R: Read + Seek>(input: R, options: &VerifyOptions) -> Result<ValidationReport> {
    let reader = Reader::from_reader_with(
        input,
        ReaderOptions {
            password: options
                .pdf_password
                .as_deref()
                .unwrap_or_default()
                .as_bytes()
                .to_vec(),
            ..ReaderOptions::default()
        },
    )?;
    verify_reader(&reader, options)
}

/// [`verify_pdf`] on a file; the report names the file.
pub fn verify_pdf_file(
    path: impl AsRef<Path>,
    options: &VerifyOptions,
) -> Result<ValidationReport> {
    let path = path.as_ref();
    let f = File::open(path).map_err(|e| Error::io(format!("opening {}", path.display()), e))?;
    let mut report = verify_pdf(f, options)?;
    report.file = Some(path.display().to_string());
    Ok(report)
}

fn verify_reader<R: Read + Seek>(
    reader: &Reader<R>,
    options: &VerifyOptions,
) -> Result<ValidationReport> {
    let mut warnings = Vec::new();
    let mut problems = Vec::new();
    let last = reader
        .revisions()
        .len()
        .checked_sub(1)
        .ok_or_else(|| Error::malformed("PDF", "no revision"))?;
    if let Some(e) = reader.encryption() {
        warnings.push(format!(
            "the PDF is encrypted ({e}): strings and streams are decrypted for reading; the signed bytes are the file's, as stored"
        ));
    }
    let found = discovery::find_signatures(reader, last, &mut problems, &mut warnings);

    // Validation data from the DSS.
    let mut opts = options.clone();
    let dss_certs = dss::read_dss(reader, &mut opts, &mut warnings);
    let ctx = Ctx {
        options: &opts,
        dss_certs: &dss_certs,
    };

    let mut checked: Vec<Checked> = found
        .iter()
        .enumerate()
        .map(|(i, f)| check_signature(reader, f, format!("S{}", i + 1), &ctx))
        .collect();
    poe::apply(reader, &found, &mut checked, &ctx);
    // Signed revision order (the order a reader would list them in).
    checked.sort_by_key(|c| c.covered.unwrap_or(usize::MAX));
    for (i, c) in checked.iter_mut().enumerate() {
        c.report.id = format!("S{}", i + 1);
    }
    let mut reports = permissions::judge_changes(reader, checked);
    levels::set_levels(reader, &mut reports);
    if !problems.is_empty() {
        let mut doc = SignatureReport::new("document");
        for p in &problems {
            doc.fail_format("document-structure", p.clone());
        }
        reports.push(doc);
    }
    let mut report = ValidationReport::new("PAdES", reports);
    if found.is_empty() && problems.is_empty() {
        warnings.push("no signatures found".into());
    }
    // Object defects are found while loading: collect them last.
    // The page tree's nodes are walked once so that its tolerated defects (a page given
    // directly in /Kids) are reported; the verdicts do not depend on it, so a broken tree is
    // left to the checks that read it.
    let _ = reader.note_page_tree_defects();
    warnings.extend(reader.defects().iter().map(ToString::to_string));
    report.warnings = warnings;
    Ok(report)
}
