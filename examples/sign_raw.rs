//! Load an A1 certificate (PKCS#12) and sign some bytes with it.
//!
//! ```sh
//! cargo run --example sign_raw -- test-vectors/pki/signer-rsa2048.p12 sigform
//! ```
use sigform::signer::{Signer, SoftwareSigner};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: sign_raw FILE.p12 PASSWORD")?;
    let password = args.next().ok_or("usage: sign_raw FILE.p12 PASSWORD")?;
    let signer = SoftwareSigner::from_pkcs12_file(&path, &password)?;
    println!("signer:    {}", signer.identity().certificate().subject());
    println!("algorithm: {}", signer.algorithm());
    let signature = signer.sign(b"hello, sigform")?;
    println!("signature: {} bytes", signature.len());
    Ok(())
}
