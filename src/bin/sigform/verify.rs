//! `sigform verify`: verify a CAdES signature (.p7s) or a signed PDF and print the report.
//! Exit 0 when every signature is TOTAL_PASSED, 1 otherwise.

use crate::Failure;
use crate::files::is_pdf;
use crate::output::Format;
use crate::trust::TrustArgs;
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub(crate) struct VerifyArgs {
    /// The signature file (.p7s, DER or BER), a signed PDF (PAdES), or a signature package
    /// (.zip or .json: verified as `package verify` does).
    file: PathBuf,
    /// The signed document, for a detached signature.
    #[arg(long)]
    content: Option<PathBuf>,
    /// The user (or owner) password of an encrypted PDF (default: empty, which opens
    /// owner-restricted documents).
    #[arg(long, env = "SIGFORM_PDF_PASSWORD", hide_env_values = true)]
    password: Option<String>,
    #[command(flatten)]
    trust: TrustArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

pub(crate) fn run(args: VerifyArgs) -> Result<ExitCode, Failure> {
    use sigform::format::FileFormat;
    // One entry point: a signature package (zip or JSON) gets the package verification, the
    // same report and exit status as `sigform package verify`.
    if matches!(
        crate::files::format_of(&args.file)?,
        FileFormat::ZipPackage | FileFormat::JsonPackage
    ) {
        if args.content.is_some() {
            eprintln!(
                "sigform: notice: --content is ignored for a package (it holds its documents)"
            );
        }
        return crate::package::verify_file(args.file, args.trust, args.format);
    }
    let mut options = args.trust.verify_options()?;
    options.pdf_password = args.password.clone();
    if args.content.is_some() && is_pdf(&args.file)? {
        eprintln!("sigform: notice: --content is ignored for a PDF (it signs itself)");
    }
    // PAdES files are streamed, never loaded whole; a CMS is read into memory.
    let mut report = sigform::verify_file(&args.file, args.content.as_deref(), &options)?;
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
