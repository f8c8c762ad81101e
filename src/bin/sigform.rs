//! The `sigform` command line: argument handling, I/O and printing over the library's public API.
//!
//! Exit status: 0 = success (every signature TOTAL_PASSED), 1 = a signature failed or is
//! indeterminate, 2 = usage or input error (message on stderr, no partial output file).

use clap::{Args, Parser, Subcommand};
use sigform::signer::{Signer, SoftwareSigner};
use sigform::{DigestAlgorithm, SignatureAlgorithm};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

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
    Sign(SignCommand),
    /// Inspect a signing key: load it with its certificate and print who would sign.
    #[command(subcommand)]
    Key(KeyCommand),
}

#[derive(Subcommand)]
enum SignCommand {
    /// A raw signature over a file's bytes (what `openssl dgst -verify` checks).
    Raw {
        /// The file to sign.
        input: PathBuf,
        /// Where to write the signature value.
        #[arg(short, long)]
        output: PathBuf,
        #[command(flatten)]
        key: KeyArgs,
    },
}

#[derive(Subcommand)]
enum KeyCommand {
    /// Load the key and print the signer's identity and algorithm.
    Info {
        #[command(flatten)]
        key: KeyArgs,
    },
}

/// How to reach the signing key (DESIGN.md, KEY-OPTIONS).
#[derive(Args, Debug)]
struct KeyArgs {
    /// Private key, PEM or DER (PKCS#8, encrypted PKCS#8, PKCS#1, SEC1).
    #[arg(long, requires = "cert", conflicts_with_all = ["p12", "pkcs11_module"])]
    key: Option<PathBuf>,
    /// Signer certificate (PEM or DER).
    #[arg(long, requires = "key")]
    cert: Option<PathBuf>,
    /// Intermediate certificates to embed (PEM bundle).
    #[arg(long)]
    chain: Option<PathBuf>,
    /// PKCS#12 (A1) file.
    #[arg(long, conflicts_with = "pkcs11_module")]
    p12: Option<PathBuf>,
    /// Environment variable holding the PKCS#12 or encrypted-key password.
    #[arg(long)]
    pass_env: Option<String>,
    /// PKCS#11 module (shared library) of a token or HSM.
    #[arg(long, requires_all = ["token_label", "key_label", "pin_env"])]
    pkcs11_module: Option<PathBuf>,
    /// Token label (PKCS#11).
    #[arg(long)]
    token_label: Option<String>,
    /// Key label (PKCS#11).
    #[arg(long)]
    key_label: Option<String>,
    /// Environment variable holding the token PIN (PKCS#11).
    #[arg(long)]
    pin_env: Option<String>,
    /// Signature algorithm: default for the key, or rsa-sha256, rsa-sha384, rsa-sha512, rsa-pss-sha256,
    /// rsa-pss-sha384, rsa-pss-sha512.
    #[arg(long)]
    algorithm: Option<String>,
}

/// A CLI failure: usage or input error (exit 2).
struct Failure(String);

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure(e.to_string())
    }
}

fn env_secret(var: &str) -> Result<zeroize::Zeroizing<String>, Failure> {
    std::env::var(var)
        .map(zeroize::Zeroizing::new)
        .map_err(|_| Failure(format!("environment variable {var} is not set")))
}

fn parse_algorithm(name: &str) -> Result<SignatureAlgorithm, Failure> {
    let lower = name.to_ascii_lowercase();
    let (pss, digest) = if let Some(d) = lower.strip_prefix("rsa-pss-") {
        (true, d)
    } else if let Some(d) = lower.strip_prefix("rsa-") {
        (false, d)
    } else {
        return Err(Failure(format!("unknown algorithm {name}")));
    };
    let digest = DigestAlgorithm::from_name(digest)
        .ok_or_else(|| Failure(format!("unknown digest in {name}")))?;
    Ok(if pss {
        SignatureAlgorithm::RsaPss {
            digest,
            salt_len: digest.output_len() as u32,
        }
    } else {
        SignatureAlgorithm::RsaPkcs1v15 { digest }
    })
}

fn load_signer(args: &KeyArgs) -> Result<Box<dyn Signer>, Failure> {
    let password = args.pass_env.as_deref().map(env_secret).transpose()?;
    let signer = if let Some(key) = &args.key {
        let cert = args
            .cert
            .as_deref()
            .ok_or_else(|| Failure("--key needs --cert".into()))?;
        SoftwareSigner::from_files(
            key,
            password.as_deref().map(|s| s.as_str()),
            cert,
            args.chain.as_deref(),
        )?
    } else if let Some(p12) = &args.p12 {
        let password = password.ok_or_else(|| Failure("--p12 needs --pass-env VAR".into()))?;
        SoftwareSigner::from_pkcs12_file(p12, &password)?
    } else if args.pkcs11_module.is_some() {
        return Err(Failure(
            "PKCS#11 signing is not available in this build (feature `pkcs11`)".into(),
        ));
    } else {
        return Err(Failure(
            "no key given: use --key/--cert, --p12/--pass-env or --pkcs11-module/--token-label/--key-label/--pin-env"
                .into(),
        ));
    };
    let signer = match &args.algorithm {
        Some(a) => signer.with_algorithm(parse_algorithm(a)?)?,
        None => signer,
    };
    Ok(Box::new(signer))
}

/// Writes `data` to `path` through a temporary file in the same directory, so that a failure
/// never leaves a partial output behind.
fn write_atomically(path: &Path, data: &[u8]) -> Result<(), Failure> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .ok_or_else(|| Failure(format!("{} is not a file path", path.display())))?;
    let tmp = dir.join(format!(
        ".{}.sigform-tmp-{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    std::fs::write(&tmp, data).map_err(|e| Failure(format!("writing {}: {e}", tmp.display())))?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Failure(format!("writing {}: {e}", path.display()))
    })
}

fn run(cli: Cli) -> Result<ExitCode, Failure> {
    match cli.command {
        Command::Key(KeyCommand::Info { key }) => {
            let signer = load_signer(&key)?;
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
        Command::Sign(SignCommand::Raw { input, output, key }) => {
            let signer = load_signer(&key)?;
            let data = std::fs::read(&input)
                .map_err(|e| Failure(format!("reading {}: {e}", input.display())))?;
            let sig = signer.sign(&data)?;
            write_atomically(&output, &sig)?;
            Ok(ExitCode::SUCCESS)
        }
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
