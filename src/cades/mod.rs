//! CAdES signatures (CMS SignedData, RFC 5652, with the ETSI EN 319 122-1 attributes).
//!
//! - [`sign()`], [`cosign()`], [`countersign()`]: one-shot creation through a [`crate::Signer`];
//! - [`prepare`], [`prepare_cosign`], [`prepare_countersign`] and [`finish`]: two-step creation
//!   for signers outside the process;
//! - [`verify()`]: verification into a [`crate::report::ValidationReport`].

// Plumbing: public for the tests that craft altered CMS structures, not a stable API.
#[doc(hidden)]
pub mod parse;
pub mod sign;
pub mod verify;

pub use crate::asn1::ess::SignaturePolicy;
pub use sign::{
    CadesOptions, Prepared, SigningMode, SigningState, SigningTime, cosign, countersign, finish,
    prepare, prepare_cosign, prepare_countersign, sign,
};
pub use verify::verify;
