//! Build a signature package and verify it: a PDF signed (PAdES) by João da Silva with his
//! ICP-Brasil certificate (CPF), then by the company's server certificate (CNPJ), packed as a
//! zip with the manifest (JSON and PDF) and sealed by the server; then the package is read back
//! as a verifier would, every signature and participant checked against the test root.
//!
//! ```sh
//! cargo run --example package_build_verify -- [OUT.zip]
//! ```
//! Default output: `contrato.zip` in the temporary directory. Exit status 0 when the package is
//! fully signed and every check passed.

use sigform::VerifyOptions;
use sigform::package::{
    self, BuildOptions, Document, PackageStatus, ParticipantKind, PlannedParticipant,
    SignatureFormat, VerifyPackageOptions,
};
use sigform::pades::sign::{PadesOptions, sign};
use sigform::signer::SoftwareSigner;
use sigform::x509::TrustStore;
use std::io::Cursor;
use std::path::PathBuf;

/// A file of the test PKI and sample documents.
fn test_vector(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("test-vectors")
        .join(rel)
}

/// The test signer `name` (`pki/NAME.key.pem`, `pki/NAME.pem`) with the intermediate CA.
fn signer(name: &str) -> sigform::Result<SoftwareSigner> {
    SoftwareSigner::from_files(
        test_vector(&format!("pki/{name}.key.pem")),
        None,
        test_vector(&format!("pki/{name}.pem")),
        Some(&test_vector("pki/intermediate-ca.pem")),
    )
}

/// `pdf` with one more PAdES signature by `signer`.
fn pades(pdf: &[u8], signer: &SoftwareSigner) -> sigform::Result<Vec<u8>> {
    let mut out = Cursor::new(Vec::new());
    sign(Cursor::new(pdf), &mut out, signer, &PadesOptions::default())?;
    Ok(out.into_inner())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let output = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("contrato.zip"));
    let joao = signer("icp-pf")?;
    let server = signer("icp-pj")?;

    // The flow: João signs at step 1, the server at step 2.
    let original = std::fs::read(test_vector("docs/sample-2pages.pdf"))?;
    let signed = pades(&pades(&original, &joao)?, &server)?;
    println!("signed the PDF twice: João (step 1), then the server (step 2)");

    // The plan the portal kept: who signs, in which step, identified how.
    let mut step1 = PlannedParticipant::new(1, ParticipantKind::Digital, "João da Silva");
    step1.cpf = Some("52998224725".into());
    let mut step2 = PlannedParticipant::new(2, ParticipantKind::Server, "EMPRESA EXEMPLO LTDA");
    step2.cnpj = Some("11222333000181".into());
    let built = package::build(
        &Document {
            name: "contrato.pdf".into(),
            media_type: "application/pdf".into(),
            data: &original,
        },
        SignatureFormat::Pades,
        &signed,
        &[step1, step2],
        &BuildOptions {
            seal: Some(&server),
            ..BuildOptions::default()
        },
    )?;
    std::fs::write(&output, &built.bytes)?;
    println!("wrote {} ({} bytes):", output.display(), built.bytes.len());
    for entry in &built.entries {
        println!("  {:<28} {:>8} bytes", entry.name, entry.data.len());
    }

    // A verifier reads the package as untrusted input and checks it against the test root.
    let options = VerifyPackageOptions {
        verify: VerifyOptions {
            trust: Some(TrustStore::from_path(test_vector("pki/root-ca.pem"))?),
            ..VerifyOptions::default()
        },
        ..VerifyPackageOptions::default()
    };
    let mut report = package::verify(&std::fs::read(&output)?, &options)?;
    report.file = Some(output.display().to_string());
    print!("\n{report}");
    std::process::exit(if report.status == PackageStatus::FullySigned {
        0
    } else {
        1
    });
}
