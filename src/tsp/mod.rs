//! RFC 3161 timestamps: requests, responses, token verification and the TSAs that issue them.
//!
//! - `asn1`: the RFC's structures on der 0.8 ([`TimeStampReq`], [`MessageImprint`],
//!   [`TimeStampResp`], [`PkiStatusInfo`], [`TstInfo`], [`Accuracy`], [`GenTime`]);
//! - `request`: building a request (hash algorithm, random nonce, `certReq`, optional policy);
//! - `token`: reading a response and its token ([`TimestampToken`]) with the original bytes kept;
//! - `verify`: [`verify_token`] and friends, the checks a token must pass, into a
//!   [`VerifiedTimestamp`];
//! - `authority`: the [`TimestampAuthority`] trait; `http` (feature `http`): the
//!   [`HttpTimestampAuthority`] that speaks RFC 3161 over HTTP;
//! - `error`: [`TspError`].
//!
//! ```no_run
//! # #[cfg(feature = "http")]
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use sigform::tsp::{HttpTimestampAuthority, TimestampAuthority, TokenVerifyOptions, verify_token};
//! use sigform::{DigestAlgorithm, x509::TrustStore};
//! let data = b"document";
//! let tsa = HttpTimestampAuthority::new("http://127.0.0.1:9000/testing-ca/tsa/tsa")?;
//! let token = tsa.timestamp(DigestAlgorithm::Sha256, &DigestAlgorithm::Sha256.digest(data))?;
//! let trust = TrustStore::from_path("root.pem")?;
//! let verified = verify_token(&token, data, &TokenVerifyOptions::new(trust))?;
//! println!("{} by {}", verified.gen_time_rfc3339, verified.tsa_subject);
//! # Ok(())
//! # }
//! # #[cfg(not(feature = "http"))]
//! # fn main() {}
//! ```

mod asn1;
mod authority;
mod error;
#[cfg(feature = "http")]
mod http;
mod request;
mod token;
mod verify;

pub use asn1::{
    Accuracy, FailureInfo, GenTime, MessageImprint, PkiStatus, PkiStatusInfo, TimeStampReq,
    TimeStampResp, TstInfo,
};
pub use authority::TimestampAuthority;
pub use error::TspError;
#[cfg(feature = "http")]
pub use http::{DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT, HttpTimestampAuthority};
pub use token::{MAX_RESPONSE_SIZE, TimestampToken};
pub use verify::{
    EssVersion, TokenPoe, TokenVerifyOptions, VerifiedTimestamp, verify_response, verify_token,
    verify_token_digest,
};
