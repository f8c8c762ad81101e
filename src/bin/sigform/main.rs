//! The `sigform` command line: argument handling, I/O and printing over the library's public API.
//!
//! Exit status: 0 = success (every signature TOTAL_PASSED), 1 = a signature failed or is
//! indeterminate, 2 = usage or input error (message on stderr, no partial output file).
//!
//! The parts, one per command family:
//! - `sign`: `sign cades`, `sign pades` and `sign raw`;
//! - `verify`: `verify` (a .p7s or a signed PDF);
//! - `levels`: `extend` and `timestamp`;
//! - `key`: `key info`;
//! - `cert`: `cert verify` (a certificate's chain);
//! - `package`: `package build` and `package verify`;
//! - `demo`: `demo`;
//!
//! and what they share:
//! - `trust`: the trust options (`--trust`, `--untrusted`, `--crl`, `--ocsp`, `--at`) of
//!   `verify`, `package verify` and `cert verify`;
//! - `batch`: `sign cades|pades FILE... --out-dir DIR` (many documents, one key load);
//! - `key_args`: how to reach the signing key (`--key`, `--p12`, `--pkcs11-module`, ...);
//! - `files`: reading inputs and writing outputs atomically;
//! - `output`: stdout that never panics (the `println!`/`print!` below) and the `--format` choice.

#![allow(clippy::large_enum_variant)] // argument structs, built once per run

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// `println!` that does not panic when stdout is gone (`sigform verify … | head`): a closed pipe
/// ends the process quietly with status 141 (as if killed by SIGPIPE), another write error is
/// reported on stderr with status 2. Defined before the modules so that they use it too.
macro_rules! println {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = writeln!(std::io::stdout().lock(), $($arg)*) {
            $crate::output::stdout_failed(e)
        }
    }};
}

/// `print!` with the same handling of a closed stdout as `println!`.
macro_rules! print {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = write!(std::io::stdout().lock(), $($arg)*) {
            $crate::output::stdout_failed(e)
        }
    }};
}

mod batch;
mod cert;
mod demo;
mod files;
mod key;
mod key_args;
mod levels;
mod output;
mod package;
mod sign;
mod trust;
mod verify;

#[derive(Parser)]
#[command(
    name = "sigform",
    version,
    about = "CAdES and PAdES signatures and signature packages"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create signatures.
    #[command(subcommand)]
    Sign(sign::SignCommand),
    /// Extend a CAdES signature (.p7s) or a signed PDF to B-T, B-LT or B-LTA (or renew a
    /// B-LTA one).
    Extend(Box<levels::ExtendArgs>),
    /// Add a document timestamp (/SubFilter /ETSI.RFC3161) to a PDF.
    Timestamp(Box<levels::TimestampArgs>),
    /// Verify a signature (.p7s) or a signed PDF: exit 0 when every signature is TOTAL_PASSED, 1 otherwise.
    Verify(Box<verify::VerifyArgs>),
    /// Inspect a signing key: load it with its certificate and print who would sign.
    #[command(subcommand)]
    Key(key::KeyCommand),
    /// Certificate tools: validate a chain to trust anchors.
    #[command(subcommand)]
    Cert(cert::CertCommand),
    /// Signature packages (zip or JSON): build, and verify (exit 0 = fully signed).
    #[command(subcommand)]
    Package(package::PackageCommand),
    /// The whole flow with a demo PKI and no setup; leaves the packages and root.pem in DIR
    /// (default ./sigform-demo).
    Demo {
        /// Where to leave the files.
        dir: Option<PathBuf>,
    },
}

/// A CLI failure: usage or input error (exit 2).
struct Failure(String);

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure(e.to_string())
    }
}

fn run(cli: Cli) -> Result<ExitCode, Failure> {
    match cli.command {
        Command::Cert(cmd) => cert::run(cmd),
        Command::Package(cmd) => package::run(cmd),
        Command::Demo { dir } => demo::run(dir),
        Command::Extend(args) => levels::run(*args),
        Command::Timestamp(args) => levels::run_timestamp(*args),
        Command::Key(cmd) => key::run(cmd),
        Command::Sign(cmd) => sign::run(cmd),
        Command::Verify(args) => verify::run(*args),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(Failure(msg)) => {
            eprintln!("sigform: error: {msg}");
            ExitCode::from(2)
        }
    }
}
