//! Sign a PDF (PAdES, a visible signature on page 1, by incremental update: the original bytes
//! stay untouched), then verify it against the test root and print the report.
//!
//! ```sh
//! cargo run --example pades_sign_verify -- [IN.pdf [OUT.pdf]]
//! ```
//! Defaults: `test-vectors/docs/sample-2pages.pdf`, and `signed.pdf` in the temporary directory.
//! Exit status 0 when the signature is TOTAL_PASSED.

use sigform::VerifyOptions;
use sigform::pades::sign::{PadesOptions, Visible, sign_file};
use sigform::signer::{Signer, SoftwareSigner};
use sigform::x509::TrustStore;
use std::path::PathBuf;

/// A file of the test PKI and sample documents.
fn test_vector(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("test-vectors")
        .join(rel)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args_os().skip(1).map(PathBuf::from);
    let input = args
        .next()
        .unwrap_or_else(|| test_vector("docs/sample-2pages.pdf"));
    let output = args
        .next()
        .unwrap_or_else(|| std::env::temp_dir().join("signed.pdf"));

    // The signer: a PEM key, its certificate and the intermediate CA to embed.
    let signer = SoftwareSigner::from_files(
        test_vector("pki/signer-rsa2048.key.pem"),
        None,
        test_vector("pki/signer-rsa2048.pem"),
        Some(&test_vector("pki/chain.pem")),
    )?;
    let options = PadesOptions {
        reason: Some("Approved".into()),
        location: Some("São Paulo".into()),
        visible: Some(Visible {
            page: 1,
            rect: [340.0, 40.0, 560.0, 100.0],
            ..Visible::default()
        }),
        ..PadesOptions::default()
    };
    sign_file(&input, &output, &signer, &options)?;
    println!(
        "signed {} as {} ({}) into {}",
        input.display(),
        signer.identity().certificate().subject(),
        signer.algorithm(),
        output.display()
    );

    // Verification: the test root is the only trust anchor.
    let options = VerifyOptions {
        trust: Some(TrustStore::from_path(test_vector("pki/root-ca.pem"))?),
        ..VerifyOptions::default()
    };
    let report = sigform::pades::verify_pdf_file(&output, &options)?;
    print!("{report}");
    std::process::exit(if report.valid { 0 } else { 1 });
}
