//! Signature packages: what a signer downloads at the end of a signing flow, and what is
//! verified afterwards, possibly while the flow is still under way.
//!
//! A package holds:
//! - the original document (optional: [`BuildOptions::include_original`]);
//! - the signature: a CAdES `.p7s` (attached or detached; co-signatures in one file) or the
//!   PAdES-signed PDF;
//! - [`MANIFEST_JSON`]: the machine-readable [`Manifest`] (schema `sigform-manifest/1`, see
//!   `docs/package-schema.md`): the document, the format, the participants in their steps with
//!   their status and certificate, the evidence captured for electronic signers, and every other
//!   entry with its size and SHA-256;
//! - the electronic signers' graphism images (`evidence/…png`);
//! - [`MANIFEST_PDF`] (optional: [`BuildOptions::include_manifest_pdf`]): the same for a person
//!   to read, PAdES-signed by the server when one is configured;
//! - [`SEAL`]: with a server signer, a detached CAdES signature over `manifest.json`, so that the
//!   evidence cannot be edited unseen.
//!
//! It is written as a zip ([`Container::Zip`], byte-for-byte reproducible for the same input and
//! time) or as one JSON document ([`Container::Json`], schema `sigform-package/1`, entries in
//! base64).
//!
//! Reading a package ([`read`], [`verify`]) treats it as hostile: entry names, sizes, ratios and
//! counts are checked against [`Limits`] from the zip's central directory before anything is
//! inflated; every refusal is a typed [`PackageError`].

mod build;
mod container;
#[cfg(feature = "demo")]
pub mod demo;
mod manifest;
mod manifest_pdf;
mod verify;

pub use build::{
    BuildOptions, BuiltPackage, Document, ElectronicEvidence, PlannedParticipant, build,
};
pub use container::{
    Container, Entry, Package, read, read_json, read_zip, validate_entry_name, write_json,
    write_zip,
};
pub use manifest::{
    CertificateInfo, DocumentInfo, EntryInfo, Evidence, GraphismInfo, MANIFEST_SCHEMA, Manifest,
    Participant, ParticipantKind, ParticipantStatus, SealInfo, SignatureFormat, SignatureInfo,
};
pub use manifest_pdf::manifest_pdf;
pub use verify::{
    PackageReport, PackageStatus, ParticipantCheck, VerifyPackageOptions, verify, verify_package,
};

/// Name of the machine-readable manifest in a package.
pub const MANIFEST_JSON: &str = "manifest.json";
/// Name of the human-readable manifest in a package.
pub const MANIFEST_PDF: &str = "manifest.pdf";
/// Name of the server seal: a detached CAdES signature over [`MANIFEST_JSON`].
pub const SEAL: &str = "manifest.json.p7s";
/// `schema` of a package in its JSON form.
pub const PACKAGE_SCHEMA: &str = "sigform-package/1";

/// Bounds on what a package may hold; checked before anything is inflated or decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest number of entries.
    pub max_entries: usize,
    /// Largest size of one entry, uncompressed.
    pub max_entry_size: u64,
    /// Largest total size of the entries, uncompressed.
    pub max_total_size: u64,
    /// Largest ratio of uncompressed to compressed size of one entry (for entries above
    /// [`Limits::ratio_floor`] bytes).
    pub max_ratio: u64,
    /// Entries up to this size are not subject to [`Limits::max_ratio`].
    pub ratio_floor: u64,
    /// Largest package file (zip or JSON) read.
    pub max_package_size: u64,
    /// Largest `manifest.json`.
    pub max_manifest_size: u64,
    /// Largest number of participants.
    pub max_participants: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_entries: 64,
            max_entry_size: 256 * 1024 * 1024,
            max_total_size: 512 * 1024 * 1024,
            max_ratio: 100,
            ratio_floor: 1024 * 1024,
            max_package_size: 768 * 1024 * 1024,
            max_manifest_size: 4 * 1024 * 1024,
            max_participants: 256,
        }
    }
}

/// Why a package was refused. Every variant names what was found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PackageError {
    /// An entry name that could escape a target directory or is ambiguous across systems.
    #[error("unsafe entry name {name:?}: {reason}")]
    UnsafeName {
        /// The name as found (lossy UTF-8, control characters escaped by `{:?}`).
        name: String,
        /// Which rule it breaks.
        reason: &'static str,
    },
    /// Two entries with the same name, or names equal after case folding.
    #[error("duplicate entry name {name:?}{}", if *.case_folded { " (after case folding)" } else { "" })]
    DuplicateName {
        /// The second occurrence.
        name: String,
        /// True when the names differ only in case.
        case_folded: bool,
    },
    /// A size, count or ratio above the [`Limits`].
    #[error("{what} is {actual}, above the limit of {limit}")]
    TooLarge {
        /// What was measured, e.g. "declared size of entry \"a.pdf\"".
        what: String,
        /// The value found (for ratios, the ratio).
        actual: u64,
        /// The limit.
        limit: u64,
    },
    /// An entry whose real size differs from the declared one.
    #[error("entry {name:?} declares {declared} bytes but holds {actual}")]
    SizeMismatch {
        /// Entry name.
        name: String,
        /// Declared (central directory, or JSON `size`).
        declared: u64,
        /// Found (at most declared + 1: reading stops there).
        actual: u64,
    },
    /// An encrypted zip entry.
    #[error("entry {name:?} is encrypted")]
    Encrypted {
        /// Entry name.
        name: String,
    },
    /// A symbolic link (or another non-regular file) in a zip.
    #[error("entry {name:?} is a symbolic link or special file")]
    Symlink {
        /// Entry name.
        name: String,
    },
    /// A directory entry (packages hold files only).
    #[error("entry {name:?} is a directory")]
    Directory {
        /// Entry name.
        name: String,
    },
    /// A compression method other than stored or deflate.
    #[error("entry {name:?} uses unsupported compression {method}")]
    UnsupportedCompression {
        /// Entry name.
        name: String,
        /// The method, as the zip library names it.
        method: String,
    },
    /// The zip structure is malformed (central directory, local headers, CRC).
    #[error("malformed zip: {0}")]
    Zip(String),
    /// The JSON form is malformed.
    #[error("malformed JSON package: {0}")]
    Json(String),
    /// Neither a zip nor a JSON package.
    #[error("not a package: neither a zip nor a JSON document")]
    NotAPackage,
    /// The manifest is missing, malformed or inconsistent.
    #[error("manifest: {0}")]
    Manifest(String),
    /// An entry the manifest lists is not in the package.
    #[error("entry {name:?} listed in the manifest is missing")]
    MissingEntry {
        /// Entry name.
        name: String,
    },
    /// An entry the manifest does not list.
    #[error("entry {name:?} is not listed in the manifest")]
    ExtraEntry {
        /// Entry name.
        name: String,
    },
    /// An entry whose SHA-256 differs from the manifest's (or from the JSON entry's).
    #[error("entry {name:?} has SHA-256 {actual}, the manifest says {expected}")]
    HashMismatch {
        /// Entry name.
        name: String,
        /// Expected, hex.
        expected: String,
        /// Found, hex.
        actual: String,
    },
    /// An entry whose size differs from the manifest's.
    #[error("entry {name:?} has {actual} bytes, the manifest says {expected}")]
    ManifestSizeMismatch {
        /// Entry name.
        name: String,
        /// Expected.
        expected: u64,
        /// Found.
        actual: u64,
    },
    /// The server seal does not verify over `manifest.json`: the manifest was edited after
    /// sealing, or the seal was replaced.
    #[error("the seal over manifest.json does not verify: {0}")]
    SealInvalid(String),
    /// The signature entry does not sign the package's document (a swapped or altered
    /// signature, or a document that is not the one signed).
    #[error("the signature does not match the document: {0}")]
    SignatureMismatch(String),
    /// Writing an extracted entry would leave the target directory or overwrite a file.
    #[error("extracting {name:?}: {reason}")]
    Extract {
        /// Entry name.
        name: String,
        /// What went wrong.
        reason: String,
    },
}

impl PackageError {
    /// [`PackageError::TooLarge`]: `what` is `actual`, above `limit`.
    pub(crate) fn too_large(what: impl Into<String>, actual: u64, limit: u64) -> Self {
        PackageError::TooLarge {
            what: what.into(),
            actual,
            limit,
        }
    }

    pub(crate) fn unsafe_name(name: impl AsRef<[u8]>, reason: &'static str) -> Self {
        PackageError::UnsafeName {
            name: String::from_utf8_lossy(name.as_ref()).into_owned(),
            reason,
        }
    }
}

/// `Ok` when `actual` is at most `limit`, else [`PackageError::TooLarge`] naming `what`.
pub(crate) fn at_most(what: &str, actual: u64, limit: u64) -> Result<(), PackageError> {
    if actual > limit {
        return Err(PackageError::too_large(what, actual, limit));
    }
    Ok(())
}

/// SHA-256, lower-case hex.
pub(crate) fn sha256_hex(data: &[u8]) -> String {
    hex::encode(crate::alg::DigestAlgorithm::Sha256.digest(data))
}
