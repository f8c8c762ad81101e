//! The [`TimestampAuthority`] trait: what asks a TSA for a token, like [`crate::Signer`] is what
//! signs.

use super::error::TspError;
use super::token::TimestampToken;
use crate::alg::DigestAlgorithm;

/// A timestamp authority: a digest and its algorithm in, a token over them out.
///
/// Implementations check that the token answers the request (same messageImprint, same nonce:
/// [`TimestampToken::check_answers`]); verifying its signature and the TSA chain is
/// [`super::verify_token`]'s job, with the caller's trust anchors.
pub trait TimestampAuthority: Send + Sync {
    /// A token over `digest`, the `algorithm` digest of the data to timestamp.
    fn timestamp(
        &self,
        algorithm: DigestAlgorithm,
        digest: &[u8],
    ) -> Result<TimestampToken, TspError>;
}
