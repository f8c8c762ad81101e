//! How to reach the signing key (DESIGN.md, KEY-OPTIONS): the options shared by `sign …` and
//! `key info`, and the signer they load (software key, PKCS#12 file or PKCS#11 token).

use crate::Failure;
use crate::files::env_secret;
use clap::Args;
use sigform::SignatureAlgorithm;
use sigform::signer::{Signer, SoftwareSigner};
use std::path::{Path, PathBuf};

/// How to reach the signing key (DESIGN.md, KEY-OPTIONS).
#[derive(Args, Debug)]
pub(crate) struct KeyArgs {
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

/// The signer the options name.
pub(crate) fn load_signer(args: &KeyArgs) -> Result<Box<dyn Signer>, Failure> {
    load_signer_described(args).map(|(signer, _)| signer)
}

/// The signer, and lines that describe where it lives (for `key info`).
pub(crate) fn load_signer_described(
    args: &KeyArgs,
) -> Result<(Box<dyn Signer>, Vec<String>), Failure> {
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
        Some(a) => signer.with_algorithm(a.parse::<SignatureAlgorithm>()?)?,
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
    use crate::files::read;
    use sigform::CertificateDer;
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
        config = config.with_algorithm(a.parse::<SignatureAlgorithm>()?);
    }
    let signer = Pkcs11Signer::open(config)?;
    let about = vec![
        format!("token:       {}", signer.token_label()),
        format!("key:         {} on the token", signer.key_kind()),
        format!("mechanism:   {}", signer.mechanism()),
    ];
    Ok((Box::new(signer), about))
}
