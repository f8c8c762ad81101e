//! Why a chain is not valid ([`PathError`]), and the ETSI indication each failure maps to.

use crate::report::{Indication, SubIndication};

/// Why a chain is not valid. `position` is the index in the chain: 0 is the signer, the last
/// is the anchor.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PathError {
    /// No path from the certificate to a trust anchor.
    #[error("no certificate chain to a trust anchor for {subject}: {detail}")]
    NoChain {
        /// The signer certificate's subject.
        subject: String,
        /// What was missing.
        detail: String,
    },
    /// A certificate expired before the validation time.
    #[error("certificate {subject} expired at {not_after} (validation time {time})")]
    Expired {
        /// Index in the chain.
        position: usize,
        /// Its subject.
        subject: String,
        /// Its notAfter (RFC 3339).
        not_after: String,
        /// The validation time (RFC 3339).
        time: String,
    },
    /// A certificate is not yet valid at the validation time.
    #[error("certificate {subject} is not valid before {not_before} (validation time {time})")]
    NotYetValid {
        /// Index in the chain.
        position: usize,
        /// Its subject.
        subject: String,
        /// Its notBefore (RFC 3339).
        not_before: String,
        /// The validation time (RFC 3339).
        time: String,
    },
    /// A certificate was revoked at or before the validation time.
    #[error("certificate {subject} revoked at {revoked_at}{} ({source_name})", reason.as_ref().map(|r| format!(", reason {r}")).unwrap_or_default())]
    Revoked {
        /// Index in the chain.
        position: usize,
        /// Its subject.
        subject: String,
        /// Revocation time (RFC 3339).
        revoked_at: String,
        /// CRL reason.
        reason: Option<String>,
        /// Which data said so, e.g. `crl (file)`.
        source_name: String,
    },
    /// A constraint of the path is violated: basic constraints, path length, key usage,
    /// extended key usage, name constraints, policies, a critical extension we do not process,
    /// or an RFC 5280 profile rule.
    #[error("certificate {subject}: {detail}")]
    Constraint {
        /// Index in the chain.
        position: usize,
        /// Its subject.
        subject: String,
        /// The rule violated.
        detail: String,
    },
    /// An algorithm or key is below the policy or not supported.
    #[error("certificate {subject}: {detail}")]
    Crypto {
        /// Index in the chain.
        position: usize,
        /// Its subject.
        subject: String,
        /// What is refused.
        detail: String,
    },
    /// A certificate is malformed.
    #[error("certificate {subject} is malformed: {detail}")]
    Malformed {
        /// Index in the chain.
        position: usize,
        /// Its subject.
        subject: String,
        /// What is wrong.
        detail: String,
    },
    /// Revocation status is required but no fresh data covers a certificate.
    #[error("no usable revocation data for {subject}: {detail}")]
    RevocationUnavailable {
        /// Index in the chain.
        position: usize,
        /// Its subject.
        subject: String,
        /// What was missing.
        detail: String,
    },
    /// The work budget ran out before a valid path was found.
    #[error("path building gave up: {detail}")]
    BudgetExceeded {
        /// Which limit.
        detail: String,
    },
}

impl PathError {
    /// The ETSI TS 119 102-1 indication and sub-indication for this error.
    pub fn indication(&self) -> (Indication, SubIndication) {
        use Indication::*;
        match self {
            Self::NoChain { .. } => (Indeterminate, SubIndication::NoCertificateChainFound),
            Self::Expired { .. } => (Indeterminate, SubIndication::OutOfBoundsNoPoe),
            Self::NotYetValid { position: 0, .. } => (TotalFailed, SubIndication::NotYetValid),
            Self::NotYetValid { .. } => (Indeterminate, SubIndication::OutOfBoundsNoPoe),
            Self::Revoked { position: 0, .. } => (Indeterminate, SubIndication::RevokedNoPoe),
            Self::Revoked { .. } => (Indeterminate, SubIndication::RevokedCaNoPoe),
            Self::Constraint { .. } => (Indeterminate, SubIndication::ChainConstraintsFailure),
            Self::Crypto { .. } => (Indeterminate, SubIndication::CryptoConstraintsFailure),
            Self::Malformed { .. } | Self::BudgetExceeded { .. } => {
                (Indeterminate, SubIndication::CertificateChainGeneralFailure)
            }
            Self::RevocationUnavailable { .. } => (Indeterminate, SubIndication::TryLater),
        }
    }

    /// The sub-indication alone.
    pub fn sub_indication(&self) -> SubIndication {
        self.indication().1
    }

    /// Index in the chain of the certificate at fault, when there is one.
    pub fn position(&self) -> Option<usize> {
        match self {
            Self::Expired { position, .. }
            | Self::NotYetValid { position, .. }
            | Self::Revoked { position, .. }
            | Self::Constraint { position, .. }
            | Self::Crypto { position, .. }
            | Self::Malformed { position, .. }
            | Self::RevocationUnavailable { position, .. } => Some(*position),
            Self::NoChain { .. } | Self::BudgetExceeded { .. } => None,
        }
    }
}
