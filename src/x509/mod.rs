//! Certificates ([`CertificateDer`], read from DER or PEM) and their trust: path building and
//! validation at a given time (RFC 5280 §6), revocation from supplied CRLs and OCSP responses
//! (RFC 5280 §5, RFC 6960), and signer identity (including the ICP-Brasil CPF and CNPJ).
//!
//! ```no_run
//! use sigform::x509::{PathOptions, RevocationData, TrustStore, validate_chain};
//! use sigform::CertificateDer;
//! # fn main() -> sigform::Result<()> {
//! let store = TrustStore::from_path(std::path::Path::new("roots.pem"))?;
//! let leaf = CertificateDer::parse_many(&std::fs::read("signer.pem").unwrap())?.remove(0);
//! let result = validate_chain(&leaf, &[], &store, &RevocationData::new(), &PathOptions::default());
//! match &result.outcome {
//!     Ok(()) => println!("valid, anchor {:?}", result.anchor.map(|a| a.subject())),
//!     Err(e) => println!("{} ({})", e, e.sub_indication()),
//! }
//! # Ok(()) }
//! ```
//!
//! What a valid chain means here: every certificate's signature verifies with its issuer's key
//! over the original TBS bytes; names chain; the authority/subject key identifiers agree; every
//! certificate (the anchor included) is within its validity period at the validation time, has
//! no critical extension we do not process, and follows the RFC 5280 profile rules a validator
//! can check (serial number, AKI/SKI presence and criticality, basicConstraints critical and cA
//! in issuers, keyCertSign, path length, name constraints, policy constraints); keys are RSA of
//! at least 2048 bits or ECDSA P-256/P-384; the signer's keyUsage and extendedKeyUsage allow
//! signing documents (configurable, see [`PathOptions`]); and no supplied revocation data shows
//! a certificate revoked at the validation time.

pub(crate) mod cert;
mod certificate;
#[cfg(feature = "http")]
pub mod fetch;
pub mod icp_brasil;
pub mod identity;
pub(crate) mod names;
pub mod path;
pub(crate) mod pem;
pub(crate) mod policy;
pub mod revocation;
pub mod store;
pub use certificate::CertificateDer;
pub use identity::{IcpBrasilIds, cnpj_is_valid, cpf_is_valid, icp_brasil_ids, signer_report};
pub use path::{
    Budget, CertSource, ChainValidation, DOCUMENT_SIGNING_PURPOSES, EkuPolicy, KeyUsagePolicy,
    PathError, PathOptions, RevocationPolicy, validate_chain, validate_chain_from,
};
pub use revocation::{RevocationData, RevocationSource};
pub use store::TrustStore;

/// Splits concatenated DER elements (e.g. certificates) into their byte ranges, at most
/// `limit` of them, stopping at the first malformed element.
pub fn split_der(input: &[u8], limit: usize) -> Vec<&[u8]> {
    crate::asn1::tlv::split_concatenated(input, limit)
}
