//! `sigform verify`: verify a CAdES signature (.p7s) or a signed PDF and print the report.
//! Exit 0 when every signature is TOTAL_PASSED, 1 otherwise.

use crate::Failure;
use crate::files::{is_pdf, open, read};
use crate::output::Format;
use crate::trust::TrustArgs;
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub(crate) struct VerifyArgs {
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

pub(crate) fn run(args: VerifyArgs) -> Result<ExitCode, Failure> {
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
