//! CAdES signatures (CMS SignedData, RFC 5652, with the ETSI EN 319 122-1 attributes).
//!
//! - [`sign()`], [`cosign()`], [`countersign()`]: one-shot creation through a [`crate::Signer`];
//! - [`prepare`], [`prepare_cosign`], [`prepare_countersign`] and [`finish`]: two-step creation
//!   for signers outside the process;
//! - [`levels`]: B-T, B-LT and B-LTA, and the extension of an existing `.p7s` to them
//!   ([`finish_timestamped`] and [`CadesOptions::timestamp_authority`] make B-T directly);
//! - [`verify()`]: verification into a [`crate::report::ValidationReport`].

// Plumbing: public for the tests that craft altered CMS structures, not a stable API.
pub mod levels;
#[doc(hidden)]
pub mod parse;
pub mod sign;
pub mod verify;

pub use crate::asn1::ess::SignaturePolicy;
pub use sign::{
    CadesOptions, Prepared, SharedTsa, SigningMode, SigningState, SigningTime, cosign, countersign,
    finish, finish_timestamped, prepare, prepare_cosign, prepare_countersign, sign,
};
pub use verify::verify;
