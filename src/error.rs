//! The crate's error type. Every failure on input data is one of these, never a panic.
//!
//! Messages carry context (which file, which structure) and never key material or passwords.

use crate::signer::SignerError;
use crate::signer::pkcs12::Pkcs12Error;

/// Result alias used across the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in sigform.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading or writing a file or stream failed.
    #[error("I/O error {context}: {source}")]
    Io {
        /// What was being done, e.g. "reading key file /path".
        context: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A private key could not be loaded or does not fit its certificate.
    #[error("key: {0}")]
    Key(#[from] KeyError),
    /// A PKCS#12 (A1) file could not be read.
    #[error("PKCS#12: {0}")]
    Pkcs12(#[from] Pkcs12Error),
    /// The signer failed to produce a signature.
    #[error("signer: {0}")]
    Signer(#[from] SignerError),
    /// A certificate could not be parsed.
    #[error("certificate {context}: {detail}")]
    Certificate {
        /// Which certificate (file name, position in a bundle, …).
        context: String,
        /// What is wrong.
        detail: String,
    },
    /// A structure in the input is malformed.
    #[error("malformed {what}: {detail}")]
    Malformed {
        /// Which structure, e.g. "SignedData".
        what: &'static str,
        /// What is wrong.
        detail: String,
    },
    /// The input uses something this version does not support.
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// The operation is not permitted on this input (e.g. a PDF certified with DocMDP P=1).
    #[error("not permitted: {0}")]
    NotPermitted(String),
    /// The space reserved for the signature in a PDF was too small.
    #[error("the signature needs {needed} bytes but only {reserved} were reserved in /Contents")]
    ContentsTooSmall {
        /// Bytes the CMS needs.
        needed: usize,
        /// Bytes reserved.
        reserved: usize,
    },
    /// A caller-supplied argument is invalid.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// A PDF could not be read or written.
    #[error("PDF: {0}")]
    Pdf(#[from] crate::pdf::PdfError),
    /// A bug: something that should never happen did (e.g. a panic caught by the batch signer).
    #[error("internal error: {0}")]
    Internal(String),
    /// A signature package was refused or could not be built.
    #[error("package: {0}")]
    Package(#[from] crate::package::PackageError),
    /// A timestamp could not be obtained or does not verify.
    #[error("timestamp: {0}")]
    Tsp(#[from] crate::tsp::TspError),
}

impl Error {
    /// Builds an [`Error::Io`] with context.
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }

    /// Builds an [`Error::Malformed`].
    pub fn malformed(what: &'static str, detail: impl std::fmt::Display) -> Self {
        Error::Malformed {
            what,
            detail: detail.to_string(),
        }
    }
}

/// Problems loading a private key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The bytes are neither a PEM nor a DER key in a known format.
    #[error("unrecognised key format (expected PKCS#8, PKCS#1 RSA or SEC1 EC, PEM or DER)")]
    UnrecognizedFormat,
    /// The key is encrypted and no password was given.
    #[error("the key is encrypted: a password is needed")]
    PasswordRequired,
    /// The password does not decrypt the key.
    #[error("wrong password for the encrypted key")]
    WrongPassword,
    /// The key is of a type we do not sign with (e.g. DSA, Ed25519).
    #[error("unsupported key type {0}")]
    UnsupportedKeyType(String),
    /// The EC key is on a curve we do not support.
    #[error("unsupported elliptic curve {0}")]
    UnsupportedCurve(String),
    /// The RSA key is shorter than the policy allows.
    #[error("RSA key of {bits} bits is too short (minimum {min})")]
    KeyTooShort {
        /// The key's size.
        bits: usize,
        /// The minimum.
        min: usize,
    },
    /// The private key does not belong to the certificate's public key.
    #[error("the private key does not match the certificate of {subject}")]
    KeyCertificateMismatch {
        /// Subject of the certificate.
        subject: String,
    },
    /// The requested signature algorithm does not fit the key.
    #[error("algorithm {algorithm} cannot be used with a {key} key")]
    AlgorithmMismatch {
        /// The requested algorithm.
        algorithm: String,
        /// The key type.
        key: String,
    },
    /// The key structure is malformed.
    #[error("malformed key: {0}")]
    Malformed(String),
    /// No certificate was found for the key.
    #[error("no certificate for the key")]
    NoCertificate,
}
