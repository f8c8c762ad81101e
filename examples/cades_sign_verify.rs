//! Sign a file with a PEM key and certificate (detached CAdES), co-sign it with a second signer,
//! then verify both against a trust anchor and print the report.
//!
//! ```sh
//! cargo run --example cades_sign_verify -- test-vectors/docs/sample.txt
//! ```
use sigform::VerifyOptions;
use sigform::cades::{self, CadesOptions};
use sigform::signer::SoftwareSigner;
use sigform::x509::TrustStore;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: cades_sign_verify FILE")?;
    let pki = |f: &str| std::path::PathBuf::from("test-vectors/pki").join(f);
    let alice = SoftwareSigner::from_files(
        pki("signer-rsa2048.key.pem"),
        None,
        pki("signer-rsa2048.pem"),
        Some(&pki("chain.pem")),
    )?;
    let carol = SoftwareSigner::from_pkcs12_file(pki("signer-p256.p12"), "sigform")?;
    let p7s = cades::sign(
        std::fs::File::open(&path)?,
        &alice,
        &CadesOptions::default(),
    )?;
    let p7s = cades::cosign(
        &p7s,
        Some(std::fs::File::open(&path)?),
        &carol,
        &CadesOptions::default(),
    )?;
    std::fs::write(format!("{path}.p7s"), &p7s)?;
    let options = VerifyOptions {
        trust: Some(TrustStore::from_path(pki("root-ca.pem"))?),
        ..Default::default()
    };
    let report = cades::verify(&p7s, Some(&mut std::fs::File::open(&path)?), &options)?;
    print!("{report}");
    std::process::exit(if report.valid { 0 } else { 1 });
}
