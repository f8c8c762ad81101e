//! `sigform key info`: load a signing key with its certificate and print who would sign.

use crate::Failure;
use crate::key_args::{KeyArgs, load_signer_described};
use clap::Subcommand;
use std::process::ExitCode;

#[derive(Subcommand)]
pub(crate) enum KeyCommand {
    /// Load the key and print the signer's identity and algorithm.
    Info {
        #[command(flatten)]
        key: KeyArgs,
    },
}

pub(crate) fn run(cmd: KeyCommand) -> Result<ExitCode, Failure> {
    match cmd {
        KeyCommand::Info { key } => info(&key),
    }
}

/// Prints where the key lives, the signer's certificate, algorithm and chain.
fn info(key: &KeyArgs) -> Result<ExitCode, Failure> {
    let (signer, about) = load_signer_described(key)?;
    for line in about {
        println!("{line}");
    }
    let id = signer.identity();
    println!("subject:     {}", id.certificate().subject());
    println!("issuer:      {}", id.certificate().issuer());
    println!("serial:      {}", id.certificate().serial_hex());
    println!("sha256:      {}", id.certificate().fingerprint_sha256());
    println!("algorithm:   {}", signer.algorithm());
    for c in id.chain() {
        println!("chain:       {}", c.subject());
    }
    Ok(ExitCode::SUCCESS)
}
