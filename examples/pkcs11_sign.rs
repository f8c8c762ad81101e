//! Sign with a key on a PKCS#11 token (smart card, USB token, HSM): a detached CAdES signature
//! of `docs/sample.txt` and a PAdES signature of `docs/sample-2pages.pdf`, both verified against
//! the test root. Needs the `pkcs11` feature.
//!
//! ```sh
//! SIGFORM_PIN=… cargo run --features pkcs11 --example pkcs11_sign -- MODULE TOKEN_LABEL KEY_LABEL [OUT_DIR]
//! ```
//! The signer's certificate is read from the token (the one with the key's CKA_ID); the chain to
//! embed is given here (`pki/intermediate-ca.pem`), so the token needs only the key and its
//! certificate. To try it with SoftHSM2 and the test PKI:
//!
//! ```sh
//! export SOFTHSM2_CONF=/tmp/softhsm/softhsm2.conf SIGFORM_PIN=246810
//! mkdir -p /tmp/softhsm/tokens
//! echo "directories.tokendir = /tmp/softhsm/tokens" > $SOFTHSM2_CONF
//! softhsm2-util --init-token --free --label demo --pin $SIGFORM_PIN --so-pin 13579111
//! softhsm2-util --import test-vectors/pki/signer-p256.key.pem --token demo --label p256 --id 02 --pin $SIGFORM_PIN
//! openssl x509 -in test-vectors/pki/signer-p256.pem -outform DER -out /tmp/softhsm/p256.der
//! pkcs11-tool --module /usr/lib/softhsm/libsofthsm2.so --token-label demo --login --pin $SIGFORM_PIN \
//!     --write-object /tmp/softhsm/p256.der --type cert --id 02 --label p256
//! cargo run --features pkcs11 --example pkcs11_sign -- /usr/lib/softhsm/libsofthsm2.so demo p256
//! ```

use sigform::cades::{self, CadesOptions};

use sigform::VerifyOptions;
use sigform::pades::sign::{PadesOptions, sign_file};
use sigform::signer::pkcs11::{KeySelector, PinSource, Pkcs11Config, Pkcs11Signer, TokenSelector};
use sigform::x509::TrustStore;
use sigform::{CertificateDer, Signer};
use std::path::PathBuf;

/// A file of the test PKI and sample documents.
fn test_vector(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("test-vectors")
        .join(rel)
}

const USAGE: &str = "usage: SIGFORM_PIN=… pkcs11_sign MODULE TOKEN_LABEL KEY_LABEL [OUT_DIR]";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let module = args.next().ok_or(USAGE)?;
    let token = args.next().ok_or(USAGE)?;
    let key = args.next().ok_or(USAGE)?;
    let dir = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);

    // The PIN is read from SIGFORM_PIN when the token asks for a login, and wiped after.
    let chain =
        CertificateDer::parse_many(&std::fs::read(test_vector("pki/intermediate-ca.pem"))?)?;
    let signer = Pkcs11Signer::open(
        Pkcs11Config::new(
            &module,
            TokenSelector::Label(token),
            KeySelector::Label(key),
            PinSource::Env("SIGFORM_PIN".into()),
        )
        .with_chain(chain),
    )?;
    println!("token:     {}", signer.token_label());
    println!("key:       {}", signer.key_kind());
    println!("mechanism: {}", signer.mechanism());
    println!("signer:    {}", signer.identity().certificate().subject());

    let document = test_vector("docs/sample.txt");
    let p7s = cades::sign(
        std::fs::File::open(&document)?,
        &signer,
        &CadesOptions::default(),
    )?;
    let p7s_path = dir.join("pkcs11.p7s");
    std::fs::write(&p7s_path, &p7s)?;
    println!("wrote {}", p7s_path.display());
    let pdf_path = dir.join("pkcs11.pdf");
    sign_file(
        test_vector("docs/sample-2pages.pdf"),
        &pdf_path,
        &signer,
        &PadesOptions::default(),
    )?;
    println!("wrote {}", pdf_path.display());

    let options = VerifyOptions {
        trust: Some(TrustStore::from_path(test_vector("pki/root-ca.pem"))?),
        ..VerifyOptions::default()
    };
    let cades_report = cades::verify(&p7s, Some(&mut std::fs::File::open(&document)?), &options)?;
    let pades_report = sigform::pades::verify_pdf_file(&pdf_path, &options)?;
    for (what, report) in [("CAdES", &cades_report), ("PAdES", &pades_report)] {
        for s in &report.signatures {
            println!("{what}: signature {}: {}", s.id, s.indication);
        }
    }
    std::process::exit(if cades_report.valid && pades_report.valid {
        0
    } else {
        1
    });
}
