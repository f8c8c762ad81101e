//! The real-world corpus (`../shared/corpus/realworld`: signed files nobody on this project made,
//! from DSS, iText, SiVa, pdf.js, node-signpdf, ICP-Brasil tools and the PDF-insecurity attack
//! sets) judged against its `expected.tsv`, one row per signature:
//!
//! - `intact`: never TOTAL_FAILED and never an input error (with our unrelated test root a correct
//!   verifier says INDETERMINATE);
//! - `failed`: TOTAL_FAILED;
//! - `refuse-ok`: an input error or TOTAL_FAILED, never a pass of any kind;
//! - `any`: genuinely ambiguous; only "no panic" is asserted.
//!
//! Where the row states a baseline level (`B-T`, `B-LT`, `B-LTA`) the report must say the same.
//! Every warning of an `intact` file is printed, so that the reason of every tolerated defect is
//! visible in the test log (`cargo test --test realworld -- --nocapture`). All rows are checked
//! before the test fails, and the failure lists every wrong row.

mod common;

use std::path::{Path, PathBuf};

use common::corpus::shared;
use sigform::report::{Indication, SignatureReport, ValidationReport};
use sigform::{TrustStore, VerifyOptions, verify_file};

/// One row of `expected.tsv`.
struct Row {
    file: String,
    sig: String,
    expect: String,
    level: String,
    why: String,
}

fn rows(dir: &Path) -> Vec<Row> {
    let text = std::fs::read_to_string(dir.join("expected.tsv")).expect("reading expected.tsv");
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert!(f.len() >= 5, "malformed expected.tsv row: {l}");
            Row {
                file: f[0].into(),
                sig: f[1].into(),
                expect: f[2].into(),
                level: f[3].into(),
                why: f[4].into(),
            }
        })
        .collect()
}

/// The signature a row names: a PDF's field name (`(no field)` for a signature dictionary no
/// field reaches), a CMS signer's position `N`, or `N.CM` for the M-th counter-signature of
/// signer N.
fn find<'a>(report: &'a ValidationReport, sig: &str) -> Option<&'a SignatureReport> {
    let by_field = report.signatures.iter().find(|s| {
        let field = s.details.as_ref().and_then(|d| d.field.as_deref());
        match field {
            Some(name) => name == sig,
            None => sig == "(no field)",
        }
    });
    if by_field.is_some() || report.format == "PAdES" {
        return by_field;
    }
    let mut parts = sig.split('.');
    let signer: usize = parts.next()?.parse().ok()?;
    let mut found = report.signatures.get(signer.checked_sub(1)?)?;
    for counter in parts {
        let m: usize = counter.strip_prefix('C')?.parse().ok()?;
        found = found.counter_signatures.get(m.checked_sub(1)?)?;
    }
    Some(found)
}

/// What sigform says about one row: `Err` for an input error.
fn verdict(outcome: &Result<ValidationReport, String>, row: &Row) -> Result<String, String> {
    let report = outcome.as_ref().map_err(|e| format!("input error: {e}"))?;
    if row.sig == "*" {
        return Ok(
            if report
                .signatures
                .iter()
                .all(|s| s.indication == Indication::TotalFailed)
                && !report.signatures.is_empty()
            {
                "TOTAL_FAILED".into()
            } else if report.valid {
                "PASSED".into()
            } else {
                "NOT_FAILED".into()
            },
        );
    }
    let s = find(report, &row.sig).ok_or_else(|| {
        let names: Vec<String> = report
            .signatures
            .iter()
            .map(|s| format!("{:?}", s.details.as_ref().and_then(|d| d.field.clone())))
            .collect();
        format!(
            "no signature {:?} in the report (fields {names:?})",
            row.sig
        )
    })?;
    Ok(s.indication.to_string())
}

/// Checks one row; `None` when it holds, else why not.
fn check(outcome: &Result<ValidationReport, String>, row: &Row) -> Option<String> {
    let got = verdict(outcome, row);
    let wrong = match row.expect.as_str() {
        "intact" => match &got {
            Ok(v) => v == "TOTAL_FAILED" || v == "TOTAL_PASSED" || v == "PASSED",
            Err(_) => true,
        },
        "failed" => got.as_deref() != Ok("TOTAL_FAILED"),
        "refuse-ok" => matches!(got.as_deref(), Ok(v) if v != "TOTAL_FAILED"),
        _ => false,
    };
    if wrong {
        return Some(format!(
            "{} [{}]: expected {}, got {}  ({})",
            row.file,
            row.sig,
            row.expect,
            got.unwrap_or_else(|e| e),
            row.why
        ));
    }
    if row.level.starts_with("B-") && row.expect == "intact" {
        let level = outcome
            .as_ref()
            .ok()
            .and_then(|r| find(r, &row.sig))
            .and_then(|s| s.level)
            .map(|l| l.to_string());
        if level.as_deref() != Some(row.level.as_str()) {
            return Some(format!(
                "{} [{}]: expected level {}, got {:?}",
                row.file, row.sig, row.level, level
            ));
        }
    }
    None
}

fn verify(dir: &Path, file: &str, options: &VerifyOptions) -> Result<ValidationReport, String> {
    let path = dir.join("files").join(file);
    let content = PathBuf::from(format!("{}.content", path.display()));
    let content = content.exists().then_some(content);
    verify_file(&path, content.as_deref(), options).map_err(|e| e.to_string())
}

#[test]
fn every_expected_row_holds() {
    let Some(dir) = shared("corpus/realworld") else {
        return;
    };
    let root = common::tv("pki/root-ca.pem");
    let options = VerifyOptions {
        trust: Some(TrustStore::from_path(&root).expect("test root")),
        ..Default::default()
    };
    let rows = rows(&dir);
    assert!(
        rows.len() >= 100,
        "expected.tsv has only {} rows",
        rows.len()
    );
    let mut reports = std::collections::BTreeMap::new();
    let mut wrong = Vec::new();
    for row in &rows {
        let outcome = reports
            .entry(row.file.clone())
            .or_insert_with(|| verify(&dir, &row.file, &options));
        if let Some(why) = check(outcome, row) {
            wrong.push(why);
        }
    }
    for (file, outcome) in &reports {
        if let Ok(report) = outcome {
            let sig_warnings = report.signatures.iter().flat_map(|s| s.warnings.iter());
            for w in report.warnings.iter().chain(sig_warnings) {
                println!("{file}: warning: {w}");
            }
        }
    }
    println!(
        "{} of {} rows hold over {} files",
        rows.len() - wrong.len(),
        rows.len(),
        reports.len()
    );
    assert!(
        wrong.is_empty(),
        "{} rows of expected.tsv do not hold:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

/// A changed byte inside the signed range of an `intact` PDF of the corpus turns every covering
/// signature into TOTAL_FAILED (the tolerances for real files never make a changed file pass).
#[test]
fn a_changed_byte_in_an_intact_real_file_fails() {
    let Some(dir) = shared("corpus/realworld") else {
        return;
    };
    let options = VerifyOptions::default();
    let tmp = common::tempdir();
    let mut checked = 0;
    for row in rows(&dir)
        .iter()
        .filter(|r| r.expect == "intact" && r.file.ends_with(".pdf"))
    {
        let Ok(report) = verify(&dir, &row.file, &options) else {
            continue;
        };
        let Some(sig) = find(&report, &row.sig) else {
            continue;
        };
        let Some([a, b, _, _]) = sig.details.as_ref().and_then(|d| d.byte_range) else {
            continue;
        };
        // A byte in the middle of the first signed range, past the header.
        let at = (a + b / 2) as usize;
        let mut bytes = std::fs::read(dir.join("files").join(&row.file)).expect("reading");
        let Some(byte) = bytes.get_mut(at) else {
            continue;
        };
        // Flip a letter's case or a digit inside a stream or a name: never into white space,
        // so that the file still parses and the verdict, not the parser, must catch it.
        *byte = match *byte {
            b'a'..=b'y' | b'A'..=b'Y' | b'0'..=b'8' => *byte + 1,
            b'z' | b'Z' | b'9' => *byte - 1,
            other => other ^ 0x01,
        };
        let tampered = tmp.path().join(&row.file);
        std::fs::write(&tampered, &bytes).expect("writing");
        let outcome = verify_file(&tampered, None, &options);
        if let Ok(report) = outcome {
            let after = find(&report, &row.sig).map(|s| s.indication);
            assert!(
                after != Some(Indication::TotalPassed) && after != Some(Indication::Indeterminate),
                "{} [{}]: a changed byte at {at} gave {after:?}",
                row.file,
                row.sig
            );
        }
        checked += 1;
    }
    assert!(
        checked >= 20,
        "only {checked} intact PDF signatures were tampered with"
    );
}
