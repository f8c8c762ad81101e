//! What signatures and certificates are validated against: the trust options shared by
//! `verify`, `package verify` and `cert verify` (flattened into each), and what they load.

use crate::Failure;
use crate::files::read;
use clap::{ArgAction, Args};
use sigform::CertificateDer;
use sigform::x509::{RevocationData, RevocationSource, TrustStore};
use std::path::{Path, PathBuf};

/// Trust anchors, more certificates, revocation data and validation time. The help texts are
/// those of `verify` and `package verify`; `cert verify` rewords them, requires `--trust` and
/// takes `--untrusted` more than once (see `cert::CertVerifyArgs`).
#[derive(Args, Debug)]
pub(crate) struct TrustArgs {
    /// Trust anchors: a PEM bundle, a DER file or a directory, or `icp-brasil` for the
    /// ICP-Brasil root certificates built into sigform (v5, v10, v12; v2, expired, for earlier
    /// --at times). The word wins over a file of that name: write ./icp-brasil for the file.
    #[arg(long)]
    pub(crate) trust: Option<PathBuf>,
    /// More certificates to build chains with (PEM bundle).
    #[arg(long, action = ArgAction::Set)]
    pub(crate) untrusted: Vec<PathBuf>,
    /// A CRL (DER or PEM); repeatable.
    #[arg(long)]
    pub(crate) crl: Vec<PathBuf>,
    /// A DER OCSP response; repeatable.
    #[arg(long)]
    pub(crate) ocsp: Vec<PathBuf>,
    /// Validation time (RFC 3339), default now.
    #[arg(long)]
    pub(crate) at: Option<String>,
}

/// The `--trust` value that names the embedded ICP-Brasil roots instead of a path.
const ICP_BRASIL: &str = "icp-brasil";

/// The anchors `--trust` names: the embedded ICP-Brasil roots for the literal `icp-brasil`,
/// otherwise the file or directory at that path.
fn load_trust_store(value: &Path) -> Result<TrustStore, Failure> {
    if value.as_os_str() == ICP_BRASIL {
        return Ok(TrustStore::icp_brasil());
    }
    Ok(TrustStore::from_path(value)?)
}

/// Whether the message of a certificate, CRL or OCSP file that does not parse starts with the
/// file's path (`cert verify`) or is the library's error alone (`verify`, `package verify`).
#[derive(Clone, Copy)]
pub(crate) enum ParseErrors {
    Bare,
    WithPath,
}

impl ParseErrors {
    fn wrap(self, path: &Path, e: impl std::fmt::Display) -> Failure {
        match self {
            ParseErrors::Bare => Failure(e.to_string()),
            ParseErrors::WithPath => Failure(format!("{}: {e}", path.display())),
        }
    }
}

impl TrustArgs {
    /// Verification options holding these anchors, certificates, revocation data and time
    /// (`verify`, `package verify`). Without `--trust`, a notice says chains are not evaluated.
    pub(crate) fn verify_options(&self) -> Result<sigform::VerifyOptions, Failure> {
        let mut options = sigform::VerifyOptions::default();
        if let Some(at) = &self.at {
            options.validation_time = Some(sigform::time::parse_rfc3339_arg(at)?);
        }
        options.extra_certificates = self.untrusted_certificates(ParseErrors::Bare)?;
        match &self.trust {
            Some(t) => options.trust = Some(load_trust_store(t)?),
            None => {
                eprintln!("sigform: notice: no --trust given: certificate chains are not evaluated")
            }
        }
        options.revocation = self.revocation(ParseErrors::Bare)?;
        Ok(options)
    }

    /// The trust anchors of `--trust`, which must be given.
    pub(crate) fn required_trust_store(&self) -> Result<TrustStore, Failure> {
        let path = self
            .trust
            .as_deref()
            .ok_or_else(|| Failure("--trust is required".into()))?;
        load_trust_store(path)
    }

    /// The certificates of every `--untrusted` file.
    pub(crate) fn untrusted_certificates(
        &self,
        errors: ParseErrors,
    ) -> Result<Vec<CertificateDer>, Failure> {
        let mut pool = Vec::new();
        for p in &self.untrusted {
            pool.extend(CertificateDer::parse_many(&read(p)?).map_err(|e| errors.wrap(p, e))?);
        }
        Ok(pool)
    }

    /// The CRLs of `--crl` and the OCSP responses of `--ocsp`.
    pub(crate) fn revocation(&self, errors: ParseErrors) -> Result<RevocationData, Failure> {
        let mut revocation = RevocationData::new();
        for p in &self.crl {
            revocation
                .add_crl(&read(p)?, RevocationSource::File)
                .map_err(|e| errors.wrap(p, e))?;
        }
        for p in &self.ocsp {
            revocation
                .add_ocsp(&read(p)?, RevocationSource::File)
                .map_err(|e| errors.wrap(p, e))?;
        }
        Ok(revocation)
    }
}
