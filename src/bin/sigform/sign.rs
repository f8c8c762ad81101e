//! `sigform sign cades|pades|raw`: create a CAdES signature (.p7s), sign a PDF (PAdES) or sign
//! a file's bytes.

use crate::Failure;
use crate::batch::{self, Documents};
use crate::files::{open, read, write_atomically};
use crate::key_args::{KeyArgs, load_signer};
use clap::{Args, Subcommand};
use sigform::DigestAlgorithm;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand)]
pub(crate) enum SignCommand {
    /// A CAdES signature (.p7s): detached by default, attached, co-signature or counter-signature.
    Cades(Box<CadesArgs>),
    /// A PAdES signature: the PDF signed by incremental update (earlier bytes untouched).
    Pades(Box<PadesArgs>),
    /// A raw signature over a file's bytes (what `openssl dgst -verify` checks).
    Raw(Box<RawArgs>),
}

pub(crate) fn run(cmd: SignCommand) -> Result<ExitCode, Failure> {
    match cmd {
        SignCommand::Cades(args) => sign_cades(*args),
        SignCommand::Pades(args) => sign_pades(*args),
        SignCommand::Raw(args) => sign_raw(*args),
    }
}

// ---- sign cades ----------------------------------------------------------------------------

#[derive(Args)]
pub(crate) struct CadesArgs {
    #[command(flatten)]
    docs: Documents,
    #[command(flatten)]
    key: KeyArgs,
    /// Put the document inside the .p7s.
    #[arg(long, conflicts_with_all = ["cosign", "countersign"])]
    attached: bool,
    /// Add a signature to this existing .p7s (co-signature; ours or another tool's).
    #[arg(long, conflicts_with_all = ["countersign", "out_dir"])]
    cosign: Option<PathBuf>,
    /// Counter-sign a signature of this existing .p7s.
    #[arg(long, conflicts_with = "out_dir")]
    countersign: Option<PathBuf>,
    /// Which signature to counter-sign (1-based, as `verify` numbers them).
    #[arg(long, default_value_t = 1, requires = "countersign")]
    target: usize,
    #[command(flatten)]
    policy: PolicyArgs,
    /// Commitment type OID (repeatable), e.g. 1.2.840.113549.1.9.16.6.5 (proof of approval).
    #[arg(long)]
    commitment: Vec<String>,
    /// Leave out the signingTime attribute.
    #[arg(long)]
    no_signing_time: bool,
    /// An RFC 3161 timestamp authority (HTTP POST): the signature gets a signature timestamp
    /// (B-T, or the --level asked).
    #[arg(long, conflicts_with = "countersign")]
    tsa: Option<String>,
    /// The level to reach (needs --tsa; default B-T; B-T only with --out-dir).
    #[arg(long, value_enum, requires = "tsa")]
    level: Option<crate::levels::LevelArg>,
    #[command(flatten)]
    validation: crate::levels::ValidationArgs,
}

/// An explicit signature policy (EPES), e.g. ICP-Brasil's AD-RB: written as the
/// signature-policy-identifier signed attribute.
#[derive(Args)]
pub(crate) struct PolicyArgs {
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
}

impl PolicyArgs {
    /// The policy asked for, if any.
    fn policy(&self) -> Result<Option<sigform::cades::SignaturePolicy>, Failure> {
        let (Some(oid), Some(hash)) = (&self.policy_oid, &self.policy_hash) else {
            return Ok(None);
        };
        let hash_algorithm =
            DigestAlgorithm::from_name(&self.policy_hash_alg).ok_or_else(|| {
                Failure(format!(
                    "unknown --policy-hash-alg {}",
                    self.policy_hash_alg
                ))
            })?;
        Ok(Some(sigform::cades::SignaturePolicy {
            oid: oid.clone(),
            hash_algorithm,
            hash: hex::decode(hash).map_err(|_| Failure("--policy-hash must be hex".into()))?,
            uri: self.policy_uri.clone(),
        }))
    }
}

/// The CAdES options the arguments ask for (signing time, policy, commitment types).
fn cades_options(args: &CadesArgs) -> Result<sigform::cades::CadesOptions, Failure> {
    use sigform::cades::{CadesOptions, SigningTime};
    let mut options = CadesOptions {
        attached: args.attached,
        ..CadesOptions::default()
    };
    if args.no_signing_time {
        options.signing_time = SigningTime::Omit;
    }
    if let Some(url) = &args.tsa {
        options.timestamp_authority = Some(sigform::cades::SharedTsa(std::sync::Arc::new(
            crate::levels::tsa(url)?,
        )));
    }
    options.policy = args.policy.policy()?;
    for c in &args.commitment {
        options.commitment_types.push(
            c.parse()
                .map_err(|_| Failure(format!("--commitment {c} is not an OID")))?,
        );
    }
    Ok(options)
}

fn sign_cades(args: CadesArgs) -> Result<ExitCode, Failure> {
    use sigform::cades;
    use sigform::report::Level;
    let level = args.level.map(Level::from);
    if let Some(dir) = &args.docs.out_dir {
        if level.is_some_and(|l| l > Level::BT) {
            return Err(Failure("--out-dir signs at level B-T at most".into()));
        }
        let outputs = batch::plan(&args.docs.inputs, dir, ".p7s")?;
        let signer = load_signer(&args.key)?;
        let options = cades_options(&args)?;
        let threads = args.docs.threads.unwrap_or(0);
        return Ok(batch::run(
            &args.docs.inputs,
            &outputs,
            threads,
            |input, output| {
                let p7s = cades::sign(open(input)?, &*signer, &options)?;
                write_atomically(output, &p7s)
            },
        ));
    }
    let (input, output) = args.docs.single()?;
    let signer = load_signer(&args.key)?;
    let options = cades_options(&args)?;
    let p7s = if let Some(existing) = &args.countersign {
        let base = read(existing)?;
        let target = args
            .target
            .checked_sub(1)
            .ok_or_else(|| Failure("--target counts from 1".into()))?;
        cades::countersign(&base, target, &*signer, &options)?
    } else if let Some(existing) = &args.cosign {
        let base = read(existing)?;
        cades::cosign(&base, Some(open(input)?), &*signer, &options)?
    } else {
        cades::sign(open(input)?, &*signer, &options)?
    };
    let p7s = match (&args.tsa, level) {
        (Some(url), Some(level)) if level > Level::BT => {
            let content = (!args.attached).then_some(input);
            crate::levels::extend_p7s(&p7s, level, content, url, &args.validation)?
        }
        _ => p7s,
    };
    write_atomically(output, &p7s)?;
    Ok(ExitCode::SUCCESS)
}

// ---- sign pades ----------------------------------------------------------------------------

#[derive(Args)]
pub(crate) struct PadesArgs {
    #[command(flatten)]
    docs: Documents,
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
    #[command(flatten)]
    policy: PolicyArgs,
    /// An RFC 3161 timestamp authority (HTTP POST): the signature gets a signature timestamp
    /// (B-T, or the --level asked: B-LT adds a DSS, B-LTA also a document timestamp).
    #[arg(long)]
    tsa: Option<String>,
    /// The level to reach (needs --tsa; default B-T).
    /// The user (or owner) password of an encrypted PDF (default: empty, which opens
    /// owner-restricted documents). The update is encrypted with the file's key.
    #[arg(long, env = "SIGFORM_PDF_PASSWORD", hide_env_values = true)]
    password: Option<String>,
    #[arg(long, value_enum, requires = "tsa")]
    level: Option<crate::levels::LevelArg>,
    #[command(flatten)]
    validation: crate::levels::ValidationArgs,
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

/// The page and rectangle of `--visible PAGE:X1,Y1,X2,Y2`, corners put in order.
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
        policy: args.policy.policy()?,
        timestamp_authority: match &args.tsa {
            Some(url) => Some(sigform::cades::SharedTsa(std::sync::Arc::new(
                crate::levels::tsa(url)?,
            ))),
            None => None,
        },
        pdf_password: args.password.as_ref().map(|p| p.as_bytes().to_vec()),
        ..PadesOptions::default()
    };
    let level = args.level.map(sigform::report::Level::from);
    if let Some(dir) = &args.docs.out_dir {
        if level.is_some_and(|l| l > sigform::report::Level::BT) {
            return Err(Failure("--out-dir signs at level B-T at most".into()));
        }
        let outputs = batch::plan(&args.docs.inputs, dir, "")?;
        let threads = args.docs.threads.unwrap_or(0);
        return Ok(batch::run(
            &args.docs.inputs,
            &outputs,
            threads,
            |input, output| Ok(sign_file(input, output, &*signer, &options)?),
        ));
    }
    let (input, output) = args.docs.single()?;
    sign_file(input, output, &*signer, &options)?;
    if let (Some(url), Some(level)) = (&args.tsa, level)
        && level > sigform::report::Level::BT
    {
        // No partial output: the signature without the level asked is removed.
        crate::levels::extend_pdf_file(output, output, level, url, &args.validation).inspect_err(
            |_| {
                let _ = std::fs::remove_file(output);
            },
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

// ---- sign raw ------------------------------------------------------------------------------

#[derive(Args)]
pub(crate) struct RawArgs {
    /// The file to sign.
    input: PathBuf,
    /// Where to write the signature value.
    #[arg(short, long)]
    output: PathBuf,
    #[command(flatten)]
    key: KeyArgs,
}

fn sign_raw(args: RawArgs) -> Result<ExitCode, Failure> {
    let signer = load_signer(&args.key)?;
    let data = read(&args.input)?;
    let sig = signer.sign(&data)?;
    write_atomically(&args.output, &sig)?;
    Ok(ExitCode::SUCCESS)
}
