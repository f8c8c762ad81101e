//! `sigform cert verify`: validate a certificate's chain to trust anchors (RFC 5280) at a given
//! time, with revocation data from files, and print the outcome.
//! Exit 0 = valid, 1 = not valid or indeterminate, 2 = input error.

use crate::Failure;
use crate::files::read;
use crate::output::Format;
use crate::trust::{ParseErrors, TrustArgs};
use clap::{ArgAction, Args, Subcommand};
use sigform::report::{SignatureReport, ValidationReport};
use sigform::x509;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Subcommand)]
pub(crate) enum CertCommand {
    /// Validate a certificate's chain to trust anchors (RFC 5280) at a given time, with
    /// revocation data from files. Exit 0 = valid, 1 = not valid or indeterminate, 2 = input error.
    Verify(CertVerifyArgs),
}

pub(crate) fn run(cmd: CertCommand) -> Result<ExitCode, Failure> {
    match cmd {
        CertCommand::Verify(args) => verify(&args),
    }
}

// The trust options of `verify`, with this command's help texts, `--trust` required and
// `--untrusted` repeatable (as they always were here).
#[derive(Args, Debug)]
#[command(mut_arg("trust", |a| a.required(true).help(
    "Trust anchors: a PEM bundle, a DER file or a directory of .pem/.crt/.cer files, or \
     icp-brasil for the ICP-Brasil roots built into sigform (./icp-brasil for a file of that name)"
)))]
#[command(mut_arg("untrusted", |a| a.action(ArgAction::Append).help(
    "Untrusted intermediate certificates (PEM bundle or DER); repeatable"
)))]
#[command(mut_arg("at", |a| a.help(
    "Validation time (RFC 3339, e.g. 2025-06-01T00:00:00Z); default now"
)))]
pub(crate) struct CertVerifyArgs {
    /// The certificate to validate (PEM or DER; the first certificate of a PEM file).
    leaf: PathBuf,
    #[command(flatten)]
    trust: TrustArgs,
    /// Require fresh revocation status for every certificate below the anchor.
    #[arg(long)]
    require_revocation: bool,
    /// Extended key usage the certificate must allow: document-signing (default) or any.
    #[arg(long, value_enum, default_value = "document-signing")]
    eku: CertEku,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum CertEku {
    DocumentSigning,
    Any,
}

/// The first certificate of the file.
fn leaf_certificate(path: &Path) -> Result<sigform::CertificateDer, Failure> {
    sigform::CertificateDer::parse_many(&read(path)?)
        .map_err(|e| Failure(format!("{}: {e}", path.display())))?
        .into_iter()
        .next()
        .ok_or_else(|| Failure(format!("{}: no certificate", path.display())))
}

/// Loads the inputs, validates the chain and returns the validation time (as printed) and the
/// report.
fn validate(args: &CertVerifyArgs) -> Result<(String, SignatureReport), Failure> {
    let leaf = leaf_certificate(&args.leaf)?;
    let store = args.trust.required_trust_store()?;
    let pool = args.trust.untrusted_certificates(ParseErrors::WithPath)?;
    let revocation = args.trust.revocation(ParseErrors::WithPath)?;
    let mut options = match &args.trust.at {
        Some(t) => x509::PathOptions::at(
            sigform::time::parse_rfc3339(t)
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
    Ok((result.validation_time, report))
}

fn verify(args: &CertVerifyArgs) -> Result<ExitCode, Failure> {
    let (validation_time, report) = validate(args)?;
    let passed = report.passed();
    match args.format {
        Format::Json => {
            let mut v = ValidationReport::new("certificate", vec![report]);
            v.file = Some(args.leaf.display().to_string());
            println!("{}", v.to_json());
        }
        Format::Text => print_text(&args.leaf, &validation_time, &report),
    }
    Ok(if passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The text form: verdict, certificate, chain, revocation, error and warnings.
fn print_text(leaf: &Path, validation_time: &str, report: &SignatureReport) {
    let verdict = match report.sub_indication {
        None => "VALID".to_string(),
        Some(sub) => format!("NOT VALID: {} ({sub})", report.indication),
    };
    println!("certificate {}: {verdict}", leaf.display());
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
    println!("  at:         {validation_time}");
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
