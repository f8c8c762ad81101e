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
}
