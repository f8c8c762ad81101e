//! Pins the verification reports: `sigform verify --format json` (and `package verify`) on a fixed
//! set of signed files must print byte-identical JSON and exit with the same status from one
//! change to the next, unless the change means to alter a verdict.
//!
//! The cases: every file of `test-vectors/signed/` (made by its `generate.sh`: our CAdES and PAdES
//! outputs in every mode, openssl's and pyHanko's, tampered ones, the demo packages), and every
//! file of `../shared/corpus/realworld/files` and the signed files of `../shared/corpus/pdf` when
//! the shared corpus is present. Each pin is `test-vectors/pins/<group>/<file>.out`: the exit
//! status on the first line, then stdout.
//!
//! A change that means to alter reports regenerates the pins with
//! `SIGFORM_UPDATE_PINS=1 cargo test --test report_pin` and commits the diff with its reason.

use std::path::PathBuf;
use std::process::Command;

/// The validation time of every pinned run (the test PKI is valid until 2050).
const AT: &str = "2026-06-01T00:00:00Z";

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The arguments of one pinned run, for a file of `dir` (relative to the crate root).
fn args_for(dir: &str, name: &str) -> Vec<String> {
    let file = format!("{dir}/{name}");
    let root = if dir.ends_with("signed") && name.starts_with("package-") {
        format!("{dir}/demo-root.pem")
    } else {
        "test-vectors/pki/root-ca.pem".to_string()
    };
    let mut args: Vec<String> = if name.starts_with("package-") {
        vec!["package".into(), "verify".into(), file]
    } else {
        vec!["verify".into(), file]
    };
    let detached = dir.ends_with("signed") && name.ends_with(".p7s") && !name.contains("attached");
    if detached {
        args.extend(["--content".into(), "test-vectors/docs/sample.txt".into()]);
    }
    args.extend([
        "--trust".into(),
        root,
        "--at".into(),
        AT.into(),
        "--format".into(),
        "json".into(),
    ]);
    args
}

/// Runs one case: the exit status and stdout as the pin holds them.
fn run_case(args: &[String]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_sigform"))
        .current_dir(manifest_dir())
        .args(args)
        .output()
        .expect("running sigform");
    let code = out
        .status
        .code()
        .map_or("signal".to_string(), |c| c.to_string());
    format!("exit: {code}\n{}", String::from_utf8_lossy(&out.stdout))
}

/// The files of a folder (relative to the crate root) that pin cases are made of.
fn case_files(dir: &str, keep: impl Fn(&str) -> bool) -> Option<Vec<String>> {
    let mut names: Vec<String> = std::fs::read_dir(manifest_dir().join(dir))
        .ok()?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_file())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| keep(n))
        .collect();
    names.sort();
    Some(names)
}

/// Checks (or, with `SIGFORM_UPDATE_PINS=1`, writes) the pins of one group.
fn check_group(group: &str, dir: &str, names: &[String]) {
    let update = std::env::var("SIGFORM_UPDATE_PINS").is_ok_and(|v| v == "1");
    let pin_dir = manifest_dir().join("test-vectors/pins").join(group);
    if update {
        std::fs::create_dir_all(&pin_dir).expect("creating the pin folder");
    }
    let mut differing = Vec::new();
    for name in names {
        let got = run_case(&args_for(dir, name));
        let pin = pin_dir.join(format!("{name}.out"));
        if update {
            std::fs::write(&pin, &got).expect("writing a pin");
            continue;
        }
        match std::fs::read_to_string(&pin) {
            Ok(want) if want == got => {}
            Ok(want) => differing.push(format!(
                "{name}: report differs from {}\n--- pinned\n{}\n--- now\n{}",
                pin.display(),
                excerpt(&want, &got).0,
                excerpt(&want, &got).1
            )),
            Err(_) => differing.push(format!("{name}: no pin at {}", pin.display())),
        }
    }
    assert!(
        differing.is_empty(),
        "{} of {} {group} reports changed:\n{}",
        differing.len(),
        names.len(),
        differing.join("\n")
    );
}

/// The first differing lines of two texts, with a little context.
fn excerpt(a: &str, b: &str) -> (String, String) {
    let (al, bl): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    let first = al
        .iter()
        .zip(&bl)
        .position(|(x, y)| x != y)
        .unwrap_or(al.len().min(bl.len()));
    let from = first.saturating_sub(3);
    let cut = |v: &[&str]| {
        v.iter()
            .skip(from)
            .take(8)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    };
    (cut(&al), cut(&bl))
}

fn is_signed_input(n: &str) -> bool {
    [".p7s", ".p7m", ".pdf", ".zip", ".json"]
        .iter()
        .any(|e| n.ends_with(e))
}

#[test]
fn signed_test_vectors_reports_are_pinned() {
    let dir = "test-vectors/signed";
    let names = case_files(dir, is_signed_input).expect("test-vectors/signed exists");
    assert!(
        names.len() >= 20,
        "only {} signed test vectors",
        names.len()
    );
    check_group("signed", dir, &names);
}

#[test]
fn realworld_corpus_reports_are_pinned() {
    let dir = "../shared/corpus/realworld/files";
    let Some(names) = case_files(dir, |_| true) else {
        eprintln!("NOTICE: skipping: ../shared/corpus/realworld is absent");
        return;
    };
    check_group("realworld", dir, &names);
}

#[test]
fn pdf_corpus_signed_reports_are_pinned() {
    let dir = "../shared/corpus/pdf";
    let Some(names) = case_files(dir, |n| n.ends_with(".pdf") && n.contains("signed")) else {
        eprintln!("NOTICE: skipping: ../shared/corpus/pdf is absent");
        return;
    };
    check_group("pdf-corpus", dir, &names);
    let anomalies = "../shared/corpus/pdf/coverage-anomalies";
    if let Some(names) = case_files(anomalies, |n| n.ends_with(".pdf")) {
        check_group("coverage-anomalies", anomalies, &names);
    }
}
