//! What a validation is asked to check: the signer's key usage and extended key usage
//! policies, the revocation policy, the work [`Budget`], the validation time ([`PathOptions`]),
//! and where each offered certificate came from ([`CertSource`]).

use crate::asn1::oid;
use der::asn1::ObjectIdentifier;
use std::time::SystemTime;

/// Which extended key usages the signer certificate must allow, when it has the extension.
///
/// A signer certificate without extendedKeyUsage is accepted under every policy except
/// [`EkuPolicy::Require`].
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum EkuPolicy {
    /// Document signing: one of emailProtection, id-kp-documentSigning (1.3.6.1.5.5.7.3.36),
    /// Adobe authentic documents (1.2.840.113583.1.1.5), Microsoft document signing
    /// (1.3.6.1.4.1.311.10.3.12) or anyExtendedKeyUsage.
    #[default]
    DocumentSigning,
    /// No check of the purposes (the extension must still be well formed).
    Any,
    /// The extension must be present and contain one of these purposes (or
    /// anyExtendedKeyUsage).
    Require(Vec<ObjectIdentifier>),
}

/// The purposes [`EkuPolicy::DocumentSigning`] accepts.
pub const DOCUMENT_SIGNING_PURPOSES: [ObjectIdentifier; 5] = [
    oid::KP_EMAIL_PROTECTION,
    oid::KP_DOCUMENT_SIGNING,
    oid::ADOBE_AUTHENTIC_DOCUMENTS,
    oid::MS_DOCUMENT_SIGNING,
    oid::ANY_EKU,
];

/// What the signer certificate's keyUsage must allow, when it has the extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum KeyUsagePolicy {
    /// digitalSignature or nonRepudiation (contentCommitment).
    #[default]
    Signing,
    /// No check.
    Any,
}

/// Whether revocation status must be established.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum RevocationPolicy {
    /// Use the data supplied: a certificate shown revoked fails; without data the status is
    /// `not_checked`, which is not a failure.
    #[default]
    IfAvailable,
    /// Every certificate below the anchor needs fresh status (TRY_LATER otherwise).
    Require,
    /// Do not look at revocation data.
    Skip,
}

/// Limits on the work one validation may do (hostile certificate graphs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    /// Certificate signature verifications.
    pub signature_checks: usize,
    /// Path-extension steps of the search.
    pub build_calls: usize,
    /// Complete candidate paths validated.
    pub candidate_paths: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Self {
            signature_checks: 100,
            build_calls: 200,
            candidate_paths: 32,
        }
    }
}

/// Options of one validation.
#[derive(Clone, Debug)]
pub struct PathOptions {
    /// The validation time: the claimed signing time, a timestamp's time, or now. Compared
    /// with validity periods at one-second precision (fractions are dropped).
    pub time: SystemTime,
    /// Signer extended key usage policy.
    pub eku: EkuPolicy,
    /// Signer key usage policy.
    pub key_usage: KeyUsagePolicy,
    /// Revocation policy.
    pub check_revocation: RevocationPolicy,
    /// Most intermediate certificates between the signer and the anchor (default 10).
    pub max_depth: usize,
    /// Accept a CA certificate (basicConstraints cA) as the signer (default false).
    pub allow_ca_signer: bool,
    /// Accept a signer certificate that is itself a trust anchor (default true: the user
    /// trusted exactly that certificate). Its validity, key usage and extensions still apply.
    pub allow_anchor_as_signer: bool,
    /// Refuse SHA-1 certificate signatures instead of accepting them with a warning.
    pub reject_sha1: bool,
    /// Work limits.
    pub budget: Budget,
    /// The dated algorithm policy: an RSA key shorter than the minimum is accepted when `time`
    /// is before its sunset date.
    pub algorithms: crate::alg::AlgorithmPolicy,
}

impl Default for PathOptions {
    fn default() -> Self {
        Self::at(SystemTime::now())
    }
}

impl PathOptions {
    /// Default options at `time`.
    pub fn at(time: SystemTime) -> Self {
        Self {
            time,
            eku: EkuPolicy::default(),
            key_usage: KeyUsagePolicy::default(),
            check_revocation: RevocationPolicy::default(),
            max_depth: 10,
            allow_ca_signer: false,
            allow_anchor_as_signer: true,
            reject_sha1: false,
            budget: Budget::default(),
            algorithms: crate::alg::AlgorithmPolicy::default(),
        }
    }
}

/// Where a certificate offered to the path builder came from (reported per chain element).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CertSource {
    /// The signature's certificate set.
    Signature,
    /// A PDF's Document Security Store.
    Dss,
    /// A pool given by the caller (e.g. `--untrusted`).
    Pool,
    /// The trust store.
    TrustStore,
}

impl CertSource {
    /// The name used in reports: `signature`, `dss`, `pool`, `trust-store`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Signature => "signature",
            Self::Dss => "dss",
            Self::Pool => "pool",
            Self::TrustStore => "trust-store",
        }
    }
}
