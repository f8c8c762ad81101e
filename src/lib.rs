//! # sigform
//!
//! A pure-Rust signature format engine: CAdES (CMS) and PAdES signatures and signature packages,
//! created through one [`Signer`](signer::Signer) trait that software keys, PKCS#12 (A1) files,
//! PKCS#11 tokens and HSMs and remote signers implement.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod alg;
pub mod asn1;
pub mod cades;
pub mod crypto;
pub mod error;
pub mod package;
pub mod pades;
pub mod pdf;
pub mod report;
pub mod signer;
pub mod x509;

pub use alg::{DigestAlgorithm, SignatureAlgorithm};
pub use error::{Error, KeyError, Result};
pub use signer::{CertificateDer, Signer, SignerError, SignerIdentity, SoftwareSigner};
