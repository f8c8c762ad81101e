//! `sigform extend FILE` (a .p7s or a PDF) and `sigform timestamp FILE.pdf`, and the level
//! arguments `sign cades` and `sign pades` share with them: the TSA, the level, and the
//! validation data for B-LT (files, or fetched when asked).

use crate::Failure;
use crate::files::{is_pdf, open, read, write_atomically};
use clap::{Args, ValueEnum};
use sigform::cades::levels::{ValidationData, certificates_to_validate, extend};
use sigform::report::Level;
use sigform::tsp::HttpTimestampAuthority;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// A baseline level above B-B.
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum LevelArg {
    /// A signature timestamp.
    #[value(name = "B-T")]
    Bt,
    /// B-T and the validation data (certificates, CRLs, OCSP responses).
    #[value(name = "B-LT")]
    Blt,
    /// B-LT and an archive timestamp.
    #[value(name = "B-LTA")]
    Blta,
}

impl From<LevelArg> for Level {
    fn from(l: LevelArg) -> Self {
        match l {
            LevelArg::Bt => Level::BT,
            LevelArg::Blt => Level::BLT,
            LevelArg::Blta => Level::BLTA,
        }
    }
}

/// Validation data for B-LT: files, extra certificates, fetching.
#[derive(Args)]
pub(crate) struct ValidationArgs {
    /// A CRL to embed (DER or PEM; repeatable).
    #[arg(long)]
    crl: Vec<PathBuf>,
    /// An OCSP response to embed (DER; repeatable).
    #[arg(long)]
    ocsp: Vec<PathBuf>,
    /// A certificate to embed, e.g. the root of the signer's or the TSA's chain (PEM or DER;
    /// repeatable).
    #[arg(long = "add-cert")]
    add_cert: Vec<PathBuf>,
    /// Fetch OCSP responses (or CRLs) over HTTP from the certificates' AIA and CRL
    /// distribution point URLs.
    #[arg(long)]
    fetch_revocation: bool,
}

impl ValidationArgs {
    /// The validation data for a signature whose certificates (the signers' and the TSAs',
    /// already timestamped so the TSA's chain is known) are `to_validate`.
    fn data(&self, to_validate: Vec<Vec<u8>>) -> Result<ValidationData, Failure> {
        let mut data = ValidationData::default();
        for p in &self.add_cert {
            for c in sigform::CertificateDer::parse_many(&read(p)?)? {
                data.certificates.push(c.der().to_vec());
            }
        }
        for p in &self.crl {
            data.crls.push(read(p)?);
        }
        for p in &self.ocsp {
            data.ocsp_responses.push(read(p)?);
        }
        if self.fetch_revocation {
            let mut certs = to_validate;
            certs.extend(data.certificates.iter().cloned());
            let fetched = sigform::x509::fetch::fetch_revocation(&certs);
            for w in &fetched.warnings {
                eprintln!("sigform: warning: {w}");
            }
            data.crls.extend(fetched.crls);
            data.ocsp_responses.extend(fetched.ocsp_responses);
        }
        Ok(data)
    }
}

/// The HTTP TSA at `url`.
pub(crate) fn tsa(url: &str) -> Result<HttpTimestampAuthority, Failure> {
    Ok(HttpTimestampAuthority::new(url)?)
}

/// Extends `p7s` to `level` (`content`: the signed document of a detached signature).
pub(crate) fn extend_p7s(
    p7s: &[u8],
    level: Level,
    content: Option<&Path>,
    url: &str,
    validation: &ValidationArgs,
) -> Result<Vec<u8>, Failure> {
    let tsa = tsa(url)?;
    let mut data = ValidationData::default();
    let mut out = p7s.to_vec();
    if level >= Level::BLT {
        // Timestamp first, so the TSA's certificates are there to fetch the status of.
        out = extend(&out, Level::BT, None, &tsa, &data)?;
        data = validation.data(certificates_to_validate(&out)?)?;
    }
    let mut file = content.map(open).transpose()?;
    let reader = file.as_mut().map(|f| f as &mut dyn std::io::Read);
    Ok(extend(&out, level, reader, &tsa, &data)?)
}

/// Extends the signed PDF at `input` to `level` into `output` (B-T: a document timestamp when a
/// signature has no signature timestamp; B-LT: and a DSS; B-LTA: and a document timestamp).
/// File to file through temporary files beside `output`, renamed over it at the end: the PDF
/// is never held in memory, and `output` may be `input`.
pub(crate) fn extend_pdf_file(
    input: &Path,
    output: &Path,
    level: Level,
    url: &str,
    validation: &ValidationArgs,
) -> Result<(), Failure> {
    use sigform::pades::levels;
    let tsa = tsa(url)?;
    // Timestamp first, so the TSA's certificates are there to fetch the status of.
    let mut bt = TempBeside::new(output, "bt")?;
    levels::extend(
        open(input)?,
        &mut bt.file,
        Level::BT,
        &tsa,
        &ValidationData::default(),
    )?;
    if level == Level::BT {
        return bt.persist(output);
    }
    let data = validation.data(levels::certificates_to_validate(bt.reopen()?)?)?;
    let mut out = TempBeside::new(output, "lt")?;
    levels::extend(bt.reopen()?, &mut out.file, level, &tsa, &data)?;
    out.persist(output)
}

/// A temporary file in the directory of `beside` (so that the final rename stays on one file
/// system), removed when dropped unless persisted.
struct TempBeside {
    path: PathBuf,
    file: std::fs::File,
    kept: bool,
}

impl TempBeside {
    fn new(beside: &Path, tag: &str) -> Result<Self, Failure> {
        let path = crate::files::temp_beside(beside, tag)?;
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| Failure(format!("creating {}: {e}", path.display())))?;
        Ok(Self {
            path,
            file,
            kept: false,
        })
    }

    /// The file again, from its start, for reading.
    fn reopen(&self) -> Result<std::fs::File, Failure> {
        open(&self.path)
    }

    /// Renames the file to `to`.
    fn persist(mut self, to: &Path) -> Result<(), Failure> {
        self.file
            .sync_all()
            .map_err(|e| Failure(format!("writing {}: {e}", self.path.display())))?;
        std::fs::rename(&self.path, to)
            .map_err(|e| Failure(format!("writing {}: {e}", to.display())))?;
        self.kept = true;
        Ok(())
    }
}

impl Drop for TempBeside {
    fn drop(&mut self) {
        if !self.kept {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

#[derive(Args)]
pub(crate) struct ExtendArgs {
    /// The signature to extend: a .p7s, or a signed PDF.
    file: PathBuf,
    /// Where to write the extended signature.
    #[arg(short, long)]
    output: PathBuf,
    /// The level to reach (from B-LTA, one more archive or document timestamp: renewal).
    #[arg(long, value_enum)]
    level: LevelArg,
    /// The RFC 3161 timestamp authority (HTTP POST).
    #[arg(long)]
    tsa: String,
    /// The signed document, for a detached .p7s (needed for B-LTA).
    #[arg(long)]
    content: Option<PathBuf>,
    #[command(flatten)]
    validation: ValidationArgs,
}

pub(crate) fn run(args: ExtendArgs) -> Result<ExitCode, Failure> {
    if is_pdf(&args.file)? {
        // Streamed file to file: a PDF may be larger than memory.
        extend_pdf_file(
            &args.file,
            &args.output,
            args.level.into(),
            &args.tsa,
            &args.validation,
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    let input = read(&args.file)?;
    let out = extend_p7s(
        &input,
        args.level.into(),
        args.content.as_deref(),
        &args.tsa,
        &args.validation,
    )?;
    write_atomically(&args.output, &out)?;
    Ok(ExitCode::SUCCESS)
}

#[derive(Args)]
pub(crate) struct TimestampArgs {
    /// The PDF to timestamp.
    file: PathBuf,
    /// Where to write the timestamped PDF.
    #[arg(short, long)]
    output: PathBuf,
    /// The RFC 3161 timestamp authority (HTTP POST).
    #[arg(long)]
    tsa: String,
}

/// `sigform timestamp`: a document timestamp over the whole PDF.
pub(crate) fn run_timestamp(args: TimestampArgs) -> Result<ExitCode, Failure> {
    if !is_pdf(&args.file)? {
        return Err(Failure(format!(
            "{} is not a PDF (timestamp a .p7s with `sigform extend --level B-T`)",
            args.file.display()
        )));
    }
    let tsa = tsa(&args.tsa)?;
    let mut out = TempBeside::new(&args.output, "ts")?;
    sigform::pades::levels::add_document_timestamp(open(&args.file)?, &mut out.file, &tsa)?;
    out.persist(&args.output)?;
    Ok(ExitCode::SUCCESS)
}
