//! # sigform
//!
//! A pure-Rust signature format engine: CAdES (CMS) and PAdES signatures and signature packages,
//! created through one [`Signer`] trait that software keys, PKCS#12 (A1) files,
//! PKCS#11 tokens and HSMs and remote signers implement.
//!
//! ```
//! use sigform::VerifyOptions;
//! use sigform::cades::{self, CadesOptions};
//! use sigform::signer::SoftwareSigner;
//! use sigform::x509::TrustStore;
//!
//! // An A1 certificate (PKCS#12) signs a document: a detached CAdES .p7s.
//! let signer = SoftwareSigner::from_pkcs12_file("test-vectors/pki/icp-pf.p12", "sigform")?;
//! let document = b"Contrato de prestacao de servicos".to_vec();
//! let p7s = cades::sign(&document[..], &signer, &CadesOptions::default())?;
//!
//! // Anyone verifies it against the document and their trust anchors.
//! let options = VerifyOptions {
//!     trust: Some(TrustStore::from_path("test-vectors/pki/root-ca.pem")?),
//!     ..Default::default()
//! };
//! let report = cades::verify(&p7s, Some(&mut &document[..]), &options)?;
//! assert!(report.valid);
//! assert_eq!(report.signatures[0].signer.as_ref().unwrap().cpf.as_deref(), Some("52998224725"));
//! println!("{report}");
//! # Ok::<(), sigform::Error>(())
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod alg;
pub mod asn1;
pub mod batch;
pub mod cades;
// Plumbing: public for the tests that check raw signatures, not a stable API.
#[doc(hidden)]
pub mod crypto;
pub mod error;
pub mod format;
pub mod package;
pub mod pades;
pub mod pdf;
pub mod report;
pub mod signer;
pub mod time;
pub mod tsp;
pub mod verify;
pub mod x509;

pub use alg::{DigestAlgorithm, SignatureAlgorithm};
pub use cades::CadesOptions;
pub use error::{Error, KeyError, Result};
pub use format::{FileFormat, detect as detect_format};
pub use pades::sign::PadesOptions;
pub use report::{Indication, SignatureReport, SubIndication, ValidationReport};
pub use signer::{Signer, SignerError, SignerIdentity, SoftwareSigner};
pub use verify::{VerifyOptions, verify_file};
pub use x509::{CertificateDer, TrustStore};
