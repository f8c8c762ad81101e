//! `sigform package build|verify`: argument handling, I/O and printing over `sigform::package`.
//!
//! Exit status of `package verify`: 0 = fully signed and every check passed (or partly signed
//! and every check passed, with `--allow-partial`); 1 = failed, refused (a hostile or tampered
//! package: the typed error is printed) or partly signed without `--allow-partial`; 2 = usage
//! or input error (a file that cannot be read, a bad argument).

use crate::Failure;
use crate::files::{env_secret, read, write_atomically};
use crate::output::Format;
use crate::trust::TrustArgs;
use clap::{Args, Subcommand};
use serde::Deserialize;
use sigform::package::{
    self, BuildOptions, Container, Document, ElectronicEvidence, PackageStatus, ParticipantKind,
    PlannedParticipant, SignatureFormat, VerifyPackageOptions,
};
use sigform::signer::SoftwareSigner;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Subcommand)]
pub(crate) enum PackageCommand {
    /// Build a package from the original, the signature and the plan (zip or JSON).
    Build(Box<BuildArgs>),
    /// Verify a package (zip or JSON): entries, seal, signatures, participants and steps.
    /// Exit 0 = fully signed; 1 = failed, refused, or partly signed (unless --allow-partial).
    Verify(Box<VerifyArgs>),
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum FormatArg {
    CadesAttached,
    CadesDetached,
    Pades,
}

#[derive(Args)]
pub(crate) struct BuildArgs {
    /// The original document.
    #[arg(long)]
    document: PathBuf,
    /// The document's name in the package (default: its file name).
    #[arg(long)]
    name: Option<String>,
    /// Media type of the document (default: from the name).
    #[arg(long, default_value = "")]
    media_type: String,
    /// The signature: the .p7s (CAdES) or the signed PDF (PAdES).
    #[arg(long)]
    signature: PathBuf,
    /// Signature format.
    #[arg(long, value_enum)]
    format: FormatArg,
    /// The plan: participants, steps and electronic evidence (JSON, see docs/package-schema.md).
    #[arg(long)]
    plan: PathBuf,
    /// Leave the original out (IncludeOriginal = false; not for cades-detached).
    #[arg(long)]
    no_original: bool,
    /// Leave manifest.pdf out (IncludeManifest = false).
    #[arg(long)]
    no_manifest_pdf: bool,
    /// Write the JSON form instead of a zip (Zipped = false).
    #[arg(long)]
    json: bool,
    /// Package time (RFC 3339), default now: the same input and time give the same bytes.
    #[arg(long)]
    time: Option<String>,
    /// Server seal key (PEM/DER), with --seal-cert.
    #[arg(long, requires = "seal_cert", conflicts_with = "seal_p12")]
    seal_key: Option<PathBuf>,
    /// Server seal certificate.
    #[arg(long, requires = "seal_key")]
    seal_cert: Option<PathBuf>,
    /// Intermediate certificates of the seal certificate (PEM bundle).
    #[arg(long)]
    seal_chain: Option<PathBuf>,
    /// Server seal PKCS#12 file, with --seal-pass-env.
    #[arg(long, requires = "seal_pass_env")]
    seal_p12: Option<PathBuf>,
    /// Environment variable holding the seal's PKCS#12 or key password.
    #[arg(long)]
    seal_pass_env: Option<String>,
    /// An RFC 3161 timestamp authority (HTTP POST): the seal, the manifest.pdf signature and
    /// each CAdES signature without one get a signature timestamp (B-T).
    #[arg(long)]
    tsa: Option<String>,
    /// Where to write the package.
    #[arg(short, long)]
    output: PathBuf,
}

#[derive(Args)]
pub(crate) struct VerifyArgs {
    /// The package (.zip or .json).
    file: PathBuf,
    #[command(flatten)]
    trust: TrustArgs,
    /// Exit 0 for a partly signed package whose checks all passed.
    #[arg(long)]
    allow_partial: bool,
    /// After verification, write the entries into this new (or empty) directory.
    #[arg(long)]
    extract: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanFile {
    participants: Vec<PlanParticipant>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanParticipant {
    step: u32,
    kind: ParticipantKind,
    name: String,
    #[serde(default)]
    cpf: Option<String>,
    #[serde(default)]
    cnpj: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    certificate_sha256: Option<String>,
    #[serde(default)]
    evidence: Option<PlanEvidence>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanEvidence {
    time: String,
    ip_address: String,
    user_agent: String,
    email: String,
    /// Path of the PNG, relative to the plan file.
    graphism: PathBuf,
}

fn parse_time(s: &str) -> Result<std::time::SystemTime, Failure> {
    sigform::time::parse_rfc3339(s).ok_or_else(|| Failure(format!("{s:?} is not an RFC 3339 time")))
}

fn load_plan(path: &Path) -> Result<Vec<PlannedParticipant>, Failure> {
    let plan: PlanFile = serde_json::from_slice(&read(path)?)
        .map_err(|e| Failure(format!("{}: {e}", path.display())))?;
    let base = path.parent().unwrap_or(Path::new("."));
    let mut out = Vec::new();
    for p in plan.participants {
        let evidence = match p.evidence {
            None => None,
            Some(ev) => Some(ElectronicEvidence {
                time: parse_time(&ev.time)?,
                ip_address: ev.ip_address,
                user_agent: ev.user_agent,
                email: ev.email,
                graphism_png: read(&base.join(&ev.graphism))?,
            }),
        };
        out.push(PlannedParticipant {
            step: p.step,
            kind: p.kind,
            name: p.name,
            cpf: p.cpf,
            cnpj: p.cnpj,
            email: p.email,
            certificate_sha256: p.certificate_sha256,
            evidence,
        });
    }
    Ok(out)
}

pub(crate) fn run(cmd: PackageCommand) -> Result<ExitCode, Failure> {
    match cmd {
        PackageCommand::Build(args) => build(*args),
        PackageCommand::Verify(args) => verify(*args),
    }
}

fn build(args: BuildArgs) -> Result<ExitCode, Failure> {
    let data = read(&args.document)?;
    let name = match &args.name {
        Some(n) => n.clone(),
        None => args
            .document
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| Failure("--document has no file name: give --name".into()))?,
    };
    let signature = read(&args.signature)?;
    let plan = load_plan(&args.plan)?;
    let password = args.seal_pass_env.as_deref().map(env_secret).transpose()?;
    let seal = if let (Some(key), Some(cert)) = (&args.seal_key, &args.seal_cert) {
        Some(SoftwareSigner::from_files(
            key,
            password.as_deref().map(|s| s.as_str()),
            cert,
            args.seal_chain.as_deref(),
        )?)
    } else if let Some(p12) = &args.seal_p12 {
        let password =
            password.ok_or_else(|| Failure("--seal-p12 needs --seal-pass-env".into()))?;
        Some(SoftwareSigner::from_pkcs12_file(p12, &password)?)
    } else {
        None
    };
    let tsa = match &args.tsa {
        Some(url) => Some(sigform::cades::SharedTsa(std::sync::Arc::new(
            crate::levels::tsa(url)?,
        ))),
        None => None,
    };
    let options = BuildOptions {
        include_original: !args.no_original,
        include_manifest_pdf: !args.no_manifest_pdf,
        container: if args.json {
            Container::Json
        } else {
            Container::Zip
        },
        time: match &args.time {
            Some(t) => parse_time(t)?,
            None => std::time::SystemTime::now(),
        },
        seal: seal.as_ref().map(|s| s as &dyn sigform::Signer),
        timestamp_authority: tsa.as_ref(),
    };
    let format = match args.format {
        FormatArg::CadesAttached => SignatureFormat::CadesAttached,
        FormatArg::CadesDetached => SignatureFormat::CadesDetached,
        FormatArg::Pades => SignatureFormat::Pades,
    };
    let built = package::build(
        &Document {
            name,
            media_type: args.media_type.clone(),
            data: &data,
        },
        format,
        &signature,
        &plan,
        &options,
    )?;
    write_atomically(&args.output, &built.bytes)?;
    let (signed, total) = built.manifest.signed_count();
    eprintln!(
        "sigform: wrote {} ({} entries; {signed} of {total} participants signed{})",
        args.output.display(),
        built.entries.len(),
        if options.seal.is_some() {
            "; sealed"
        } else {
            ""
        }
    );
    Ok(ExitCode::SUCCESS)
}

/// `sigform verify PACKAGE`: [`verify`] with the defaults of `package verify`.
pub(crate) fn verify_file(
    file: std::path::PathBuf,
    trust: TrustArgs,
    format: Format,
) -> Result<ExitCode, Failure> {
    verify(VerifyArgs {
        file,
        trust,
        allow_partial: false,
        extract: None,
        format,
    })
}

fn verify(args: VerifyArgs) -> Result<ExitCode, Failure> {
    let data = read(&args.file)?;
    let options = VerifyPackageOptions {
        verify: args.trust.verify_options()?,
        ..VerifyPackageOptions::default()
    };
    let pkg = match package::read(&data, &options.limits) {
        Ok(p) => p,
        Err(e) => return Ok(refused(&args, &e)),
    };
    let mut report = match package::verify_package(&pkg, &options) {
        Ok(r) => r,
        Err(e) => return Ok(refused(&args, &e)),
    };
    report.file = Some(args.file.display().to_string());
    match args.format {
        Format::Json => println!("{}", report.to_json()),
        Format::Text => print!("{report}"),
    }
    let ok = match report.status {
        PackageStatus::FullySigned => true,
        PackageStatus::PartlySigned => args.allow_partial,
        PackageStatus::Failed => false,
    };
    if let Some(dir) = &args.extract {
        if !ok {
            return Err(Failure(format!(
                "not extracting into {}: the package did not verify",
                dir.display()
            )));
        }
        pkg.extract_to(dir)?;
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn refused(args: &VerifyArgs, e: &package::PackageError) -> ExitCode {
    match args.format {
        Format::Json => println!(
            "{}",
            serde_json::json!({
                "file": args.file.display().to_string(),
                "status": "refused",
                "error": e.to_string(),
            })
        ),
        Format::Text => println!("Package {}: REFUSED: {e}", args.file.display()),
    }
    ExitCode::from(1)
}
