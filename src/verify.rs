//! What every verification takes: trust anchors, extra certificates, revocation data, the
//! validation time and the certificate policies. The same [`VerifyOptions`] drive CAdES,
//! PAdES and signature-package verification.

use crate::x509::CertificateDer;
use crate::x509::{EkuPolicy, RevocationData, RevocationPolicy, TrustStore};
use std::time::SystemTime;

/// Options for verification.
#[derive(Clone, Debug, Default)]
pub struct VerifyOptions {
    /// Trust anchors. Without them the chain is not evaluated and no signature is TOTAL_PASSED.
    pub trust: Option<TrustStore>,
    /// Extra certificates to find signers and build chains with (besides the embedded ones).
    pub extra_certificates: Vec<CertificateDer>,
    /// CRLs and OCSP responses given by the user (those inside the signature are added).
    pub revocation: RevocationData,
    /// The time at which certificates are validated (default: now).
    pub validation_time: Option<SystemTime>,
    /// Extended key usage the signer certificate must allow (default: document signing).
    pub eku: EkuPolicy,
    /// Revocation policy (default: use the data available; none is not a failure).
    pub revocation_policy: RevocationPolicy,
    /// The user or owner password of an encrypted PDF (default: the empty password, which
    /// opens owner-restricted documents).
    pub pdf_password: Option<String>,
    /// The dated algorithm policy: which weak algorithms a proof of existence before their
    /// sunset date makes acceptable (default: [`AlgorithmPolicy::default`](crate::alg::AlgorithmPolicy::default)).
    pub algorithms: crate::alg::AlgorithmPolicy,
}

impl VerifyOptions {
    /// The path validation options of a signer's chain under these options: at the
    /// validation time (default now), with their EKU, revocation and dated algorithm policies.
    pub(crate) fn signer_path_options(&self) -> crate::x509::PathOptions {
        let mut path =
            crate::x509::PathOptions::at(self.validation_time.unwrap_or_else(SystemTime::now));
        path.algorithms = self.algorithms.clone();
        path.eku = self.eku.clone();
        path.check_revocation = self.revocation_policy;
        path
    }
}

/// Verifies the signature file at `path`, whatever its format: a signed PDF (PAdES, read
/// streamed, never whole) or a CMS signature (`.p7s`/`.p7m`, DER or BER), with `content` the
/// signed document of a detached CMS. The format is told from the file's first bytes
/// ([`crate::format::detect`]); a signature package has its own verifier,
/// [`crate::package::verify`], because its report says more (participants, steps, seal).
///
/// ```
/// use sigform::{VerifyOptions, verify_file};
/// let options = VerifyOptions {
///     trust: Some(sigform::TrustStore::from_path("test-vectors/pki/root-ca.pem")?),
///     ..Default::default()
/// };
/// let report = verify_file(
///     "test-vectors/signed/cades-detached-rsa.p7s",
///     Some("test-vectors/docs/sample.txt".as_ref()),
///     &options,
/// )?;
/// assert_eq!(report.signatures.len(), 1);
/// # Ok::<(), sigform::Error>(())
/// ```
pub fn verify_file(
    path: impl AsRef<std::path::Path>,
    content: Option<&std::path::Path>,
    options: &VerifyOptions,
) -> crate::Result<crate::report::ValidationReport> {
    use crate::error::Error;
    use crate::format::{FileFormat, detect_file};
    let path = path.as_ref();
    let format =
        detect_file(path).map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
    match format {
        FileFormat::Pdf => return crate::pades::verify_pdf_file(path, options),
        FileFormat::ZipPackage | FileFormat::JsonPackage => {
            return Err(Error::InvalidArgument(format!(
                "{} is a signature package: verify it with sigform::package::verify",
                path.display()
            )));
        }
        FileFormat::Cms | FileFormat::CmsPem => {}
    }
    let data =
        std::fs::read(path).map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
    let mut content = content
        .map(|c| {
            std::fs::File::open(c).map_err(|e| Error::io(format!("opening {}", c.display()), e))
        })
        .transpose()?;
    crate::cades::verify(
        &data,
        content.as_mut().map(|f| f as &mut dyn std::io::Read),
        options,
    )
}
