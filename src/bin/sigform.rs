//! The `sigform` command line: argument handling, I/O and printing over the library's public API.
//!
//! Exit status: 0 = success (every signature TOTAL_PASSED), 1 = a signature failed or is
//! indeterminate, 2 = usage or input error (message on stderr, no partial output file).

#![allow(clippy::large_enum_variant)] // argument structs, built once per run

use clap::{Args, Parser, Subcommand};
use sigform::signer::{Signer, SoftwareSigner};
use sigform::{DigestAlgorithm, SignatureAlgorithm};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// `println!` that does not panic when stdout is gone (`sigform verify … | head`): a closed pipe
/// ends the process quietly with status 141 (as if killed by SIGPIPE), another write error is
/// reported on stderr with status 2. Defined before the modules so that they use it too.
macro_rules! println {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = writeln!(std::io::stdout().lock(), $($arg)*) {
            $crate::stdout_failed(e)
        }
    }};
}

/// `print!` with the same handling of a closed stdout as `println!`.
macro_rules! print {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = write!(std::io::stdout().lock(), $($arg)*) {
            $crate::stdout_failed(e)
        }
    }};
}

/// Ends the process after a failed write to stdout.
fn stdout_failed(e: std::io::Error) -> ! {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        std::process::exit(141);
    }
    eprintln!("sigform: error: writing to stdout: {e}");
    std::process::exit(2);
}

#[path = "sigform/package.rs"]
mod package_cli;

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
    /// Verify a signature (.p7s) or a signed PDF: exit 0 when every signature is TOTAL_PASSED, 1 otherwise.
    Verify(Box<VerifyArgs>),
    /// Inspect a signing key: load it with its certificate and print who would sign.
    #[command(subcommand)]
    Key(KeyCommand),
    /// Certificate tools: validate a chain to trust anchors.
    #[command(subcommand)]
    Cert(CertCommand),
    /// Signature packages (zip or JSON): build, and verify (exit 0 = fully signed).
    #[command(subcommand)]
    Package(package_cli::PackageCommand),
    /// The whole flow with a demo PKI and no setup; leaves the packages and root.pem in DIR
    /// (default ./sigform-demo).
    Demo {
        /// Where to leave the files.
        dir: Option<PathBuf>,
    },
}

/// What signatures are validated against: shared by `verify` and `package verify`.
#[derive(Args)]
struct TrustArgs {
    /// Trust anchors (PEM bundle or directory).
    #[arg(long)]
    trust: Option<PathBuf>,
    /// More certificates to build chains with (PEM bundle).
    #[arg(long)]
    untrusted: Option<PathBuf>,
    /// A CRL (DER or PEM); repeatable.
    #[arg(long)]
    crl: Vec<PathBuf>,
    /// A DER OCSP response; repeatable.
    #[arg(long)]
    ocsp: Vec<PathBuf>,
    /// Validation time (RFC 3339), default now.
    #[arg(long)]
    at: Option<String>,
}

impl TrustArgs {
    /// Verification options holding these anchors, certificates, revocation data and time.
    fn verify_options(&self) -> Result<sigform::cades::VerifyOptions, Failure> {
        let mut options = sigform::cades::VerifyOptions::default();
        if let Some(at) = &self.at {
            options.validation_time = Some(sigform::asn1::ess::parse_rfc3339(at)?);
        }
        if let Some(u) = &self.untrusted {
            options.extra_certificates = sigform::CertificateDer::parse_many(&read(u)?)?;
        }
        match &self.trust {
            Some(t) => options.trust = Some(sigform::x509::TrustStore::from_path(t)?),
            None => {
                eprintln!("sigform: notice: no --trust given: certificate chains are not evaluated")
            }
        }
        for c in &self.crl {
            options
                .revocation
                .add_crl(&read(c)?, sigform::x509::RevocationSource::File)?;
        }
        for o in &self.ocsp {
            options
                .revocation
                .add_ocsp(&read(o)?, sigform::x509::RevocationSource::File)?;
        }
        Ok(options)
    }
}

#[derive(Args)]
struct VerifyArgs {
    /// The signature file (.p7s, DER or BER) or a signed PDF (PAdES).
    file: PathBuf,
    /// The signed document, for a detached signature.
    #[arg(long)]
    content: Option<PathBuf>,
    #[command(flatten)]
    trust: TrustArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Subcommand)]
enum SignCommand {
    /// A CAdES signature (.p7s): detached by default, attached, co-signature or counter-signature.
    Cades(Box<CadesArgs>),
    /// A PAdES signature: the PDF signed by incremental update (earlier bytes untouched).
    Pades(Box<PadesArgs>),
    /// A raw signature over a file's bytes (what `openssl dgst -verify` checks).
    Raw(Box<RawArgs>),
}

#[derive(Args)]
struct PadesArgs {
    /// The PDF to sign.
    input: PathBuf,
    /// Where to write the signed PDF.
    #[arg(short, long)]
    output: PathBuf,
    #[command(flatten)]
    key: KeyArgs,
    /// Signature field name (an existing empty field of that name is used).
    #[arg(long)]
    field: Option<String>,
    /// Visible signature: PAGE:X1,Y1,X2,Y2 (points, page from 1).
    #[arg(long)]
    visible: Option<String>,
    /// PNG image (e.g. a handwritten graphism) shown in the visible signature.
    #[arg(long, requires = "visible")]
    image: Option<PathBuf>,
    /// Reason for signing.
    #[arg(long)]
    reason: Option<String>,
    /// Where the signature was made.
    #[arg(long)]
    location: Option<String>,
    /// Signer contact information.
    #[arg(long)]
    contact: Option<String>,
    /// Certify the document (first signature only): what stays allowed afterwards.
    #[arg(long, value_enum)]
    certify: Option<CertifyArg>,
    /// SubFilter: etsi (ETSI.CAdES.detached, PAdES baseline) or adbe (adbe.pkcs7.detached).
    #[arg(long, value_enum, default_value = "etsi")]
    subfilter: SubFilterArg,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum CertifyArg {
    NoChanges,
    FormFilling,
    Annotations,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum SubFilterArg {
    Etsi,
    Adbe,
}

fn parse_visible(spec: &str) -> Result<(usize, [f64; 4]), Failure> {
    let bad = || Failure(format!("--visible {spec:?}: expected PAGE:X1,Y1,X2,Y2"));
    let (page, rect) = spec.split_once(':').ok_or_else(bad)?;
    let page: usize = page.trim().parse().map_err(|_| bad())?;
    let nums: Vec<f64> = rect
        .split(',')
        .map(|v| v.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| bad())?;
    match nums.as_slice() {
        [a, b, c, d]
            if page >= 1 && a.is_finite() && b.is_finite() && c.is_finite() && d.is_finite() =>
        {
            Ok((page, [a.min(*c), b.min(*d), a.max(*c), b.max(*d)]))
        }
        _ => Err(bad()),
    }
}

fn sign_pades(args: PadesArgs) -> Result<ExitCode, Failure> {
    use sigform::pades::sign::{Certification, PadesOptions, SubFilter, Visible, sign_file};
    let signer = load_signer(&args.key)?;
    let visible = match &args.visible {
        Some(spec) => {
            let (page, rect) = parse_visible(spec)?;
            Some(Visible {
                page,
                rect,
                image_png: args.image.as_deref().map(read).transpose()?,
                lines: None,
            })
        }
        None => None,
    };
    let options = PadesOptions {
        field_name: args.field.clone(),
        visible,
        reason: args.reason.clone(),
        location: args.location.clone(),
        contact_info: args.contact.clone(),
        certify: args.certify.map(|c| match c {
            CertifyArg::NoChanges => Certification::NoChanges,
            CertifyArg::FormFilling => Certification::FormFilling,
            CertifyArg::Annotations => Certification::Annotations,
        }),
        subfilter: match args.subfilter {
            SubFilterArg::Etsi => SubFilter::EtsiCadesDetached,
            SubFilterArg::Adbe => SubFilter::AdbePkcs7Detached,
        },
        ..PadesOptions::default()
    };
    sign_file(&args.input, &args.output, &*signer, &options)?;
    Ok(ExitCode::SUCCESS)
}

#[derive(Args)]
struct RawArgs {
    /// The file to sign.
    input: PathBuf,
    /// Where to write the signature value.
    #[arg(short, long)]
    output: PathBuf,
    #[command(flatten)]
    key: KeyArgs,
}

#[derive(Args)]
struct CadesArgs {
    /// The document to sign (for --countersign: ignored, may be the document or `-`).
    input: PathBuf,
    /// Where to write the .p7s.
    #[arg(short, long)]
    output: PathBuf,
    #[command(flatten)]
    key: KeyArgs,
    /// Put the document inside the .p7s.
    #[arg(long, conflicts_with_all = ["cosign", "countersign"])]
    attached: bool,
    /// Add a signature to this existing .p7s (co-signature; ours or another tool's).
    #[arg(long, conflicts_with = "countersign")]
    cosign: Option<PathBuf>,
    /// Counter-sign a signature of this existing .p7s.
    #[arg(long)]
    countersign: Option<PathBuf>,
    /// Which signature to counter-sign (1-based, as `verify` numbers them).
    #[arg(long, default_value_t = 1, requires = "countersign")]
    target: usize,
    /// Signature policy OID (e.g. ICP-Brasil AD-RB 2.16.76.1.7.1.1.2.3).
    #[arg(long, requires = "policy_hash")]
    policy_oid: Option<String>,
    /// Hash of the policy document, hex.
    #[arg(long, requires = "policy_oid")]
    policy_hash: Option<String>,
    /// Hash algorithm of --policy-hash (sha256 by default).
    #[arg(long, default_value = "sha256")]
    policy_hash_alg: String,
    /// Where the policy document is published (SPuri).
    #[arg(long, requires = "policy_oid")]
    policy_uri: Option<String>,
    /// Commitment type OID (repeatable), e.g. 1.2.840.113549.1.9.16.6.5 (proof of approval).
    #[arg(long)]
    commitment: Vec<String>,
    /// Leave out the signingTime attribute.
    #[arg(long)]
    no_signing_time: bool,
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
    /// Signer certificate (PEM or DER). With --pkcs11-module: instead of the one on the token.
    #[arg(long)]
    cert: Option<PathBuf>,
    /// Intermediate certificates to embed (PEM bundle). With --pkcs11-module: instead of the
    /// issuers found on the token.
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
    load_signer_described(args).map(|(signer, _)| signer)
}

/// The signer, and lines that describe where it lives (for `key info`).
fn load_signer_described(args: &KeyArgs) -> Result<(Box<dyn Signer>, Vec<String>), Failure> {
    if let Some(module) = &args.pkcs11_module {
        return load_pkcs11(args, module);
    }
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
    let about = vec![format!("key:         software {}", signer.key().key_type())];
    Ok((Box::new(signer), about))
}

#[cfg(not(feature = "pkcs11"))]
fn load_pkcs11(_: &KeyArgs, _: &Path) -> Result<(Box<dyn Signer>, Vec<String>), Failure> {
    Err(Failure(
        "PKCS#11 signing is not available in this build (feature `pkcs11`)".into(),
    ))
}

#[cfg(feature = "pkcs11")]
fn load_pkcs11(args: &KeyArgs, module: &Path) -> Result<(Box<dyn Signer>, Vec<String>), Failure> {
    use sigform::signer::CertificateDer;
    use sigform::signer::pkcs11::{
        KeySelector, PinSource, Pkcs11Config, Pkcs11Signer, TokenSelector,
    };
    let need = |v: &Option<String>, flag: &str| {
        v.clone()
            .ok_or_else(|| Failure(format!("--pkcs11-module needs {flag}")))
    };
    let pin_var = need(&args.pin_env, "--pin-env VAR")?;
    if std::env::var_os(&pin_var).is_none() {
        return Err(Failure(format!(
            "environment variable {pin_var} is not set"
        )));
    }
    let mut config = Pkcs11Config::new(
        module,
        TokenSelector::Label(need(&args.token_label, "--token-label")?),
        KeySelector::Label(need(&args.key_label, "--key-label")?),
        PinSource::Env(pin_var),
    );
    if let Some(cert) = &args.cert {
        let leaf = CertificateDer::parse_many(&read(cert)?)?
            .into_iter()
            .next()
            .ok_or_else(|| Failure(format!("{}: no certificate", cert.display())))?;
        config = config.with_certificate(leaf);
    }
    if let Some(chain) = &args.chain {
        config = config.with_chain(CertificateDer::parse_many(&read(chain)?)?);
    }
    if let Some(a) = &args.algorithm {
        config = config.with_algorithm(parse_algorithm(a)?);
    }
    let signer = Pkcs11Signer::open(config)?;
    let about = vec![
        format!("token:       {}", signer.token_label()),
        format!("key:         {} on the token", signer.key_kind()),
        format!("mechanism:   {}", signer.mechanism()),
    ];
    Ok((Box::new(signer), about))
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
        Command::Cert(CertCommand::Verify(args)) => cert_verify(&args),
        Command::Package(cmd) => package_cli::run(cmd),
        Command::Demo { dir } => package_cli::demo(dir),
        Command::Key(KeyCommand::Info { key }) => {
            let (signer, about) = load_signer_described(&key)?;
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
        Command::Sign(SignCommand::Cades(args)) => sign_cades(*args),
        Command::Sign(SignCommand::Pades(args)) => sign_pades(*args),
        Command::Verify(args) => verify(*args),
        Command::Sign(SignCommand::Raw(raw)) => {
            let RawArgs { input, output, key } = *raw;
            let signer = load_signer(&key)?;
            let data = std::fs::read(&input)
                .map_err(|e| Failure(format!("reading {}: {e}", input.display())))?;
            let sig = signer.sign(&data)?;
            write_atomically(&output, &sig)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn open(path: &Path) -> Result<std::fs::File, Failure> {
    std::fs::File::open(path).map_err(|e| Failure(format!("opening {}: {e}", path.display())))
}

fn read(path: &Path) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| Failure(format!("reading {}: {e}", path.display())))
}

fn sign_cades(args: CadesArgs) -> Result<ExitCode, Failure> {
    use sigform::cades::{self, CadesOptions, SignaturePolicy, SigningTime};
    let signer = load_signer(&args.key)?;
    let mut options = CadesOptions {
        attached: args.attached,
        ..CadesOptions::default()
    };
    if args.no_signing_time {
        options.signing_time = SigningTime::Omit;
    }
    if let (Some(oid), Some(hash)) = (&args.policy_oid, &args.policy_hash) {
        let hash_algorithm =
            DigestAlgorithm::from_name(&args.policy_hash_alg).ok_or_else(|| {
                Failure(format!(
                    "unknown --policy-hash-alg {}",
                    args.policy_hash_alg
                ))
            })?;
        options.policy = Some(SignaturePolicy {
            oid: oid.clone(),
            hash_algorithm,
            hash: hex::decode(hash).map_err(|_| Failure("--policy-hash must be hex".into()))?,
            uri: args.policy_uri.clone(),
        });
    }
    for c in &args.commitment {
        options.commitment_types.push(
            c.parse()
                .map_err(|_| Failure(format!("--commitment {c} is not an OID")))?,
        );
    }
    let p7s = if let Some(existing) = &args.countersign {
        let base = read(existing)?;
        let target = args
            .target
            .checked_sub(1)
            .ok_or_else(|| Failure("--target counts from 1".into()))?;
        cades::countersign(&base, target, &*signer, &options)?
    } else if let Some(existing) = &args.cosign {
        let base = read(existing)?;
        cades::cosign(&base, Some(open(&args.input)?), &*signer, &options)?
    } else {
        cades::sign(open(&args.input)?, &*signer, &options)?
    };
    write_atomically(&args.output, &p7s)?;
    Ok(ExitCode::SUCCESS)
}

fn verify(args: VerifyArgs) -> Result<ExitCode, Failure> {
    use sigform::cades;
    let options = args.trust.verify_options()?;
    let mut report = if is_pdf(&args.file)? {
        // PAdES: the file is streamed, never loaded whole.
        if args.content.is_some() {
            eprintln!("sigform: notice: --content is ignored for a PDF (it signs itself)");
        }
        sigform::pades::verify_pdf_file(&args.file, &options)?
    } else {
        let data = read(&args.file)?;
        let mut content = args.content.as_deref().map(open).transpose()?;
        cades::verify(
            &data,
            content.as_mut().map(|f| f as &mut dyn std::io::Read),
            &options,
        )?
    };
    report.file = Some(args.file.display().to_string());
    match args.format {
        Format::Json => println!("{}", report.to_json()),
        Format::Text => print!("{report}"),
    }
    Ok(if report.valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// True when the file starts (within its first 1024 bytes) with a `%PDF-` header.
fn is_pdf(path: &Path) -> Result<bool, Failure> {
    use std::io::Read;
    let mut head = Vec::with_capacity(1029);
    open(path)?
        .take(1029)
        .read_to_end(&mut head)
        .map_err(|e| Failure(format!("reading {}: {e}", path.display())))?;
    Ok(head.windows(5).any(|w| w == b"%PDF-"))
}

// ---- sigform cert verify -------------------------------------------------------------------

#[derive(Subcommand)]
enum CertCommand {
    /// Validate a certificate's chain to trust anchors (RFC 5280) at a given time, with
    /// revocation data from files. Exit 0 = valid, 1 = not valid or indeterminate, 2 = input error.
    Verify(CertVerifyArgs),
}

#[derive(Args, Debug)]
struct CertVerifyArgs {
    /// The certificate to validate (PEM or DER; the first certificate of a PEM file).
    leaf: PathBuf,
    /// Trust anchors: a PEM bundle, a DER file or a directory of .pem/.crt/.cer files.
    #[arg(long)]
    trust: PathBuf,
    /// Untrusted intermediate certificates (PEM bundle or DER); repeatable.
    #[arg(long)]
    untrusted: Vec<PathBuf>,
    /// A CRL (DER or PEM); repeatable.
    #[arg(long)]
    crl: Vec<PathBuf>,
    /// A DER OCSP response; repeatable.
    #[arg(long)]
    ocsp: Vec<PathBuf>,
    /// Validation time (RFC 3339, e.g. 2025-06-01T00:00:00Z); default now.
    #[arg(long)]
    at: Option<String>,
    /// Require fresh revocation status for every certificate below the anchor.
    #[arg(long)]
    require_revocation: bool,
    /// Extended key usage the certificate must allow: document-signing (default) or any.
    #[arg(long, value_enum, default_value = "document-signing")]
    eku: CertEku,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: CertFormat,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum CertEku {
    DocumentSigning,
    Any,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum CertFormat {
    Text,
    Json,
}

fn read_input(path: &Path) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| Failure(format!("reading {}: {e}", path.display())))
}

fn cert_verify(args: &CertVerifyArgs) -> Result<ExitCode, Failure> {
    use sigform::report::{SignatureReport, ValidationReport};
    use sigform::x509::{self, RevocationData, RevocationSource, TrustStore};
    let leaf = sigform::CertificateDer::parse_many(&read_input(&args.leaf)?)
        .map_err(|e| Failure(format!("{}: {e}", args.leaf.display())))?
        .into_iter()
        .next()
        .ok_or_else(|| Failure(format!("{}: no certificate", args.leaf.display())))?;
    let store = TrustStore::from_path(&args.trust)?;
    let mut pool = Vec::new();
    for p in &args.untrusted {
        pool.extend(
            sigform::CertificateDer::parse_many(&read_input(p)?)
                .map_err(|e| Failure(format!("{}: {e}", p.display())))?,
        );
    }
    let mut revocation = RevocationData::new();
    for p in &args.crl {
        revocation
            .add_crl(&read_input(p)?, RevocationSource::File)
            .map_err(|e| Failure(format!("{}: {e}", p.display())))?;
    }
    for p in &args.ocsp {
        revocation
            .add_ocsp(&read_input(p)?, RevocationSource::File)
            .map_err(|e| Failure(format!("{}: {e}", p.display())))?;
    }
    let mut options = match &args.at {
        Some(t) => x509::PathOptions::at(
            x509::time::parse_rfc3339(t)
                .ok_or_else(|| Failure(format!("--at {t}: not an RFC 3339 time")))?,
        ),
        None => x509::PathOptions::default(),
    };
    if args.require_revocation {
        options.check_revocation = x509::RevocationPolicy::Require;
    }
    if let CertEku::Any = args.eku {
        options.eku = x509::EkuPolicy::Any;
    }
    let result = x509::validate_chain(&leaf, &pool, &store, &revocation, &options);
    let mut report = SignatureReport::new("C1");
    result.apply_to(&mut report);
    report.conclude();
    let passed = report.passed();
    match args.format {
        CertFormat::Json => {
            let mut v = ValidationReport::new("certificate", vec![report]);
            v.file = Some(args.leaf.display().to_string());
            println!("{}", v.to_json());
        }
        CertFormat::Text => {
            let verdict = match report.sub_indication {
                None => "VALID".to_string(),
                Some(sub) => format!("NOT VALID: {} ({sub})", report.indication),
            };
            println!("certificate {}: {verdict}", args.leaf.display());
            if let Some(s) = &report.signer {
                println!("  subject:    {}", s.subject);
                println!("  issuer:     {}", s.issuer);
                println!("  serial:     {}", s.serial);
                println!("  validity:   {} to {}", s.not_before, s.not_after);
                if let Some(e) = &s.email {
                    println!("  email:      {e}");
                }
                if let (Some(cpf), Some(ok)) = (&s.cpf, s.cpf_valid) {
                    let ok = if ok { "valid" } else { "INVALID check digits" };
                    println!("  CPF:        {cpf} ({ok})");
                }
                if let (Some(cnpj), Some(ok)) = (&s.cnpj, s.cnpj_valid) {
                    let ok = if ok { "valid" } else { "INVALID check digits" };
                    println!("  CNPJ:       {cnpj} ({ok})");
                }
            }
            println!("  at:         {}", result.validation_time);
            for (i, c) in report.chain.iter().enumerate() {
                let src = c
                    .source
                    .as_deref()
                    .map(|s| format!(" [{s}]"))
                    .unwrap_or_default();
                println!("  chain[{i}]:   {}{src}", c.subject);
            }
            if let Some(r) = &report.revocation {
                let when = r
                    .revoked_at
                    .as_deref()
                    .map(|t| format!(", revoked at {t}"))
                    .unwrap_or_default();
                println!("  revocation: {} ({}){when}", r.status, r.source);
            }
            if let Some(e) = &report.trust.error {
                println!("  error:      {e}");
            }
            for w in &report.warnings {
                println!("  warning:    {w}");
            }
        }
    }
    Ok(if passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
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
