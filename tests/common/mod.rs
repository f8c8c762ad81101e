//! Helpers shared by the integration tests: test-vector paths and external-tool gating here;
//! in the parts:
//! - `cli`: running the `sigform` binary;
//! - `judges`: the external judges (`openssl_cms_verify`, `pdfsig_trusting`, `pyhanko_validate`,
//!   `pyhanko_cms_validate`,
//!   `qpdf_check`);
//! - `pdf`: small PDFs written by hand (`PdfBuilder`);
//! - `corpus`: the shared corpora beside the checkout (`corpus_pdf`, `shared`);
//! - `cms`: the bytes of a CMS SignedData a verifier may ignore (mutation tests);
//! - `softhsm`: a SoftHSM2 token store for the PKCS#11 tests.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;

/// Path of a file under `test-vectors/`.
pub fn tv(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("test-vectors")
        .join(rel)
}

/// Bytes of a file under `test-vectors/`.
pub fn tv_bytes(rel: &str) -> Vec<u8> {
    std::fs::read(tv(rel)).unwrap_or_else(|e| panic!("reading test vector {rel}: {e}"))
}

/// The software signer `NAME` of the test PKI (`pki/NAME.key.pem`, `pki/NAME.pem`), embedding
/// the certificates of `chain` (a PEM file under `test-vectors/`, e.g. `pki/chain.pem`).
pub fn test_signer(name: &str, chain: &str) -> sigform::signer::SoftwareSigner {
    sigform::signer::SoftwareSigner::from_files(
        tv(&format!("pki/{name}.key.pem")),
        None,
        tv(&format!("pki/{name}.pem")),
        Some(&tv(chain)),
    )
    .unwrap_or_else(|e| panic!("test signer {name}: {e}"))
}

/// The checks of a signature report that failed, as "name: detail" lines (for messages).
pub fn failed_checks(s: &sigform::report::SignatureReport) -> Vec<String> {
    s.checks
        .iter()
        .filter(|c| !c.passed)
        .map(|c| format!("{}: {}", c.name, c.detail.clone().unwrap_or_default()))
        .collect()
}

/// The PDF details of a PAdES signature report (panics when there are none).
pub fn pdf_details(s: &sigform::report::SignatureReport) -> &sigform::report::PdfSignatureDetails {
    s.details
        .as_ref()
        .unwrap_or_else(|| panic!("signature {} has no PDF details", s.id))
}

/// True when `SIGFORM_INTEROP=1`: a missing external tool is then a failure, not a skip.
pub fn interop_required() -> bool {
    std::env::var("SIGFORM_INTEROP").is_ok_and(|v| v == "1")
}

/// The virtualenv holding pyHanko (`.venv-interop`, or `SIGFORM_VENV`).
pub fn venv_bin(tool: &str) -> PathBuf {
    let venv = std::env::var("SIGFORM_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv-interop"));
    venv.join("bin").join(tool)
}

/// Resolves an external tool. Returns `None` (after printing a skip notice) when it is missing
/// and interop is not required; panics when it is missing and `SIGFORM_INTEROP=1`.
pub fn tool(name: &str) -> Option<PathBuf> {
    let candidates = [venv_bin(name), PathBuf::from(name)];
    for c in candidates {
        let found = if c.is_absolute() {
            c.exists()
        } else {
            Command::new("sh")
                .arg("-c")
                .arg(format!("command -v {name} >/dev/null 2>&1"))
                .status()
                .is_ok_and(|s| s.success())
        };
        if found {
            return Some(c);
        }
    }
    if interop_required() {
        panic!("SIGFORM_INTEROP=1 but the tool `{name}` is missing (run scripts/install-deps.sh)");
    }
    eprintln!(
        "NOTICE: skipping interop check: `{name}` not found (set SIGFORM_INTEROP=1 to make this a failure)"
    );
    None
}

/// A fresh temporary directory.
/// A dated policy under which RSA keys below 1024 bits are never acceptable and those of
/// 1024 to 2047 bits only before `sunset` (the tests move the sunset and the validation time
/// into the future instead of faking a clock).
pub fn short_rsa_retired_at(sunset: std::time::SystemTime) -> sigform::alg::AlgorithmPolicy {
    use sigform::alg::{AlgorithmPolicy, RsaSunset};
    AlgorithmPolicy {
        rsa: vec![
            RsaSunset {
                below_bits: 1024,
                sunset: None,
            },
            RsaSunset {
                below_bits: 2048,
                sunset: Some(sunset),
            },
        ],
    }
}

/// `years` years from now (365-day years): a validation time in the future.
pub fn years_from_now(years: u64) -> std::time::SystemTime {
    std::time::SystemTime::now() + std::time::Duration::from_secs(years * 365 * 86_400)
}

pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

/// Runs a command, returning (success, stdout+stderr).
pub fn run(cmd: &mut Command) -> (bool, String) {
    let out = cmd.output().expect("spawn external tool");
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

pub mod certomancer;
pub mod cli;
pub mod cms;
pub mod corpus;
pub mod judges;
pub mod openssl_tsa;
pub mod pdf;
pub mod softhsm;

// Each test binary uses some of these.
#[allow(unused_imports)]
pub use cli::{arg, sigform, sigform_command, sigform_env};
#[allow(unused_imports)]
pub use corpus::{corpus_pdf, shared};
#[allow(unused_imports)]
pub use judges::{
    PdfsigTrusting, openssl_cms_verify, pdfsig_signatures, pdfsig_trusting, pdfsig_untrusted,
    pyhanko_cms_validate, pyhanko_validate, qpdf_check,
};
#[allow(unused_imports)]
pub use pdf::{PdfBuilder, XrefTable};
