//! Two-step signing, where the private key never reaches the server that makes the signature:
//! the server prepares (CAdES or PAdES) from the signer's certificate alone, the key holder signs
//! the digest elsewhere (a browser extension, a phone, a remote HSM), the server finishes with
//! the signature value. Between the steps the server keeps only a small JSON state.
//!
//! ```sh
//! cargo run --example two_step -- [OUT_DIR]
//! ```
//! Writes `two-step.p7s` (detached CAdES of `docs/sample.txt`) and `two-step.pdf` (PAdES of
//! `docs/sample-2pages.pdf`) into OUT_DIR (default: the temporary directory), verifies both
//! against the test root and exits 0 when both are TOTAL_PASSED.

use sigform::cades::{self, CadesOptions};

use sigform::VerifyOptions;
use sigform::pades::sign::{self as pades, PadesOptions, PdfSigningState};
use sigform::report::ValidationReport;
use sigform::signer::software::PrivateKey;
use sigform::x509::TrustStore;
use sigform::{CertificateDer, SignatureAlgorithm, SignerIdentity};
use std::path::{Path, PathBuf};

/// A file of the test PKI and sample documents.
fn test_vector(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("test-vectors")
        .join(rel)
}

/// The key holder's side: the private key stays here; it hands out its certificate chain and
/// algorithm, and signs digests.
struct KeyHolder {
    key: PrivateKey,
}

impl KeyHolder {
    fn certificates(&self) -> Result<SignerIdentity, Box<dyn std::error::Error>> {
        let cert = CertificateDer::parse_many(&std::fs::read(test_vector("pki/signer-p256.pem"))?)?
            .into_iter()
            .next()
            .ok_or("no certificate")?;
        let chain = CertificateDer::parse_many(&std::fs::read(test_vector("pki/chain.pem"))?)?;
        Ok(SignerIdentity::new(cert, chain))
    }

    fn algorithm(&self) -> SignatureAlgorithm {
        self.key.default_algorithm()
    }

    /// Signs a digest the server computed (ECDSA here: the value is DER; a raw r||s value
    /// from a WebCrypto or PKCS#11 signer is accepted too).
    fn sign_digest(&self, digest: &[u8]) -> sigform::Result<Vec<u8>> {
        Ok(self.key.sign_digest(self.algorithm(), digest)?)
    }
}

fn cades_two_step(
    holder: &KeyHolder,
    identity: &SignerIdentity,
    out: &Path,
) -> Result<(), Box<dyn std::error::Error>> {
    let document = std::fs::read(test_vector("docs/sample.txt"))?;
    // Step 1, server: the signed attributes and their digest; the state goes to storage.
    let prepared = cades::prepare(
        &document[..],
        identity,
        holder.algorithm(),
        &CadesOptions::default(),
    )?;
    let stored = serde_json::to_string(&prepared.state)?;
    println!(
        "CAdES  step 1 (server): digest {} ({}), state {} bytes of JSON",
        hex::encode(&prepared.digest),
        prepared.digest_algorithm.name(),
        stored.len()
    );
    // Step 2, elsewhere: the key holder signs the digest.
    let value = holder.sign_digest(&prepared.digest)?;
    println!(
        "CAdES  step 2 (key holder): signature value {} bytes",
        value.len()
    );
    // Step 3, server: the state back from storage, the value in: the .p7s.
    let state: cades::SigningState = serde_json::from_str(&stored)?;
    let p7s = cades::finish(&state, &value)?;
    std::fs::write(out, &p7s)?;
    println!(
        "CAdES  step 3 (server): wrote {} ({} bytes)",
        out.display(),
        p7s.len()
    );
    Ok(())
}

fn pades_two_step(
    holder: &KeyHolder,
    identity: &SignerIdentity,
    out: &Path,
) -> Result<(), Box<dyn std::error::Error>> {
    // Step 1, server: the signed PDF with an empty /Contents placeholder, and the digest.
    let input = std::fs::File::open(test_vector("docs/sample-2pages.pdf"))?;
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(out)?;
    let prepared = pades::prepare(
        input,
        &mut file,
        identity,
        holder.algorithm(),
        &PadesOptions::default(),
    )?;
    drop(file);
    let stored = serde_json::to_string(&prepared.state)?;
    println!(
        "PAdES  step 1 (server): wrote {} with a placeholder; digest {}",
        out.display(),
        hex::encode(&prepared.digest)
    );
    // Step 2, elsewhere.
    let value = holder.sign_digest(&prepared.digest)?;
    println!(
        "PAdES  step 2 (key holder): signature value {} bytes",
        value.len()
    );
    // Step 3, server: the CMS goes into the placeholder, in place.
    let state: PdfSigningState = serde_json::from_str(&stored)?;
    let mut file = std::fs::OpenOptions::new().write(true).open(out)?;
    pades::finish(&mut file, &state, &value)?;
    println!(
        "PAdES  step 3 (server): filled the signature into {}",
        out.display()
    );
    Ok(())
}

fn print_verdict(what: &str, report: &ValidationReport) {
    for s in &report.signatures {
        println!("{what}: signature {}: {}", s.id, s.indication);
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let holder = KeyHolder {
        key: PrivateKey::from_pem_or_der(
            &std::fs::read(test_vector("pki/signer-p256.key.pem"))?,
            None,
        )?,
    };
    // The server knows the signer by the certificates the key holder sent.
    let identity = holder.certificates()?;
    println!("signer: {}", identity.certificate().subject());
    let (p7s, pdf) = (dir.join("two-step.p7s"), dir.join("two-step.pdf"));
    cades_two_step(&holder, &identity, &p7s)?;
    pades_two_step(&holder, &identity, &pdf)?;

    let options = VerifyOptions {
        trust: Some(TrustStore::from_path(test_vector("pki/root-ca.pem"))?),
        ..VerifyOptions::default()
    };
    let mut content = std::fs::File::open(test_vector("docs/sample.txt"))?;
    let cades_report = cades::verify(&std::fs::read(&p7s)?, Some(&mut content), &options)?;
    print_verdict("two-step.p7s", &cades_report);
    let pades_report = sigform::pades::verify_pdf_file(&pdf, &options)?;
    print_verdict("two-step.pdf", &pades_report);
    std::process::exit(if cades_report.valid && pades_report.valid {
        0
    } else {
        1
    });
}
