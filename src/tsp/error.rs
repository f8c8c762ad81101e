//! [`TspError`]: every way getting or verifying a timestamp fails, one variant per failure a
//! caller tells apart.

use super::asn1::{FailureInfo, PkiStatus};
use crate::x509::PathError;

/// Why a timestamp could not be obtained or does not verify.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TspError {
    /// The caller's request is unusable (e.g. a digest whose length does not fit its algorithm).
    #[error("invalid timestamp request: {0}")]
    InvalidRequest(String),
    /// The TSA could not be reached or the exchange failed (connection, timeout, TLS).
    #[error("timestamp authority unreachable: {0}")]
    Transport(String),
    /// The TSA did not answer in time (connect or overall timeout).
    #[error("timestamp authority timed out: {0}")]
    Timeout(String),
    /// The TSA answered with an HTTP status other than 200.
    #[error("the timestamp authority answered HTTP {0}")]
    HttpStatus(u16),
    /// The TSA answered with another Content-Type than `application/timestamp-reply`.
    #[error("the timestamp authority answered Content-Type {0:?}, not application/timestamp-reply")]
    ContentType(String),
    /// The answer or token is larger than the bound.
    #[error("the timestamp answer is larger than {limit} bytes")]
    TooLarge {
        /// The bound, in bytes.
        limit: usize,
    },
    /// The response, the token or its TSTInfo is not well formed.
    #[error("malformed {what}: {detail}")]
    Malformed {
        /// Which structure.
        what: &'static str,
        /// What is wrong.
        detail: String,
    },
    /// The TSA did not grant the request.
    #[error("the timestamp authority refused the request: {status}{}{}",
        text.as_ref().map(|t| format!(" ({t})")).unwrap_or_default(),
        if fail_info.is_empty() { String::new() } else {
            format!(", failInfo {}", fail_info.iter().map(|f| f.name()).collect::<Vec<_>>().join(", "))
        })]
    Rejected {
        /// The status.
        status: PkiStatus,
        /// The statusString.
        text: Option<String>,
        /// The failInfo bits set.
        fail_info: Vec<FailureInfo>,
    },
    /// The response says granted but carries no token.
    #[error("the response is granted but carries no timeStampToken")]
    MissingToken,
    /// The token's eContentType is not id-ct-TSTInfo, or it encapsulates nothing.
    #[error("not a timestamp token: {0}")]
    NotATimestampToken(String),
    /// The TSTInfo version is not 1.
    #[error("unsupported TSTInfo version {0}")]
    UnsupportedVersion(u8),
    /// The messageImprint (or the caller's) uses a hash algorithm we do not support.
    #[error("unsupported messageImprint hash algorithm {0}")]
    UnsupportedImprintAlgorithm(String),
    /// The token's messageImprint uses another hash algorithm than the one asked for.
    #[error("the token's messageImprint uses {token}, the request {expected}")]
    ImprintAlgorithmMismatch {
        /// The algorithm asked for.
        expected: String,
        /// The token's.
        token: String,
    },
    /// The data the token covers is not available to the verifier (e.g. the detached content
    /// an archive timestamp covers was not given).
    #[error("the data the timestamp covers is not available: {0}")]
    DataMissing(String),
    /// The token's messageImprint is not the digest of the data: it timestamps something else.
    #[error("the token's messageImprint does not match the data")]
    ImprintMismatch,
    /// The request had a nonce and the token has none.
    #[error("the token carries no nonce, but the request had one")]
    NonceMissing,
    /// The token's nonce differs from the request's (a replayed or misrouted answer).
    #[error("the token's nonce differs from the request's")]
    NonceMismatch,
    /// The token's policy differs from the one requested.
    #[error("the token's policy {token} differs from the requested {requested}")]
    PolicyMismatch {
        /// The requested policy OID.
        requested: String,
        /// The token's policy OID.
        token: String,
    },
    /// A timestamp token has exactly one SignerInfo, the TSA's (RFC 3161 §2.4.2).
    #[error("a timestamp token must have exactly one SignerInfo, found {0}")]
    SignerCount(usize),
    /// No certificate (embedded or given) matches the SignerInfo's signer identifier.
    #[error("the TSA certificate was not found (neither in the token nor among the given ones)")]
    TsaCertificateNotFound,
    /// The TSA certificate's extended key usage is not the critical id-kp-timeStamping alone
    /// (RFC 3161 §2.3).
    #[error("TSA certificate {subject}: {detail}")]
    TsaKeyPurpose {
        /// The certificate's subject.
        subject: String,
        /// What is wrong with the extension.
        detail: String,
    },
    /// The TSTInfo `tsa` name differs from the signing certificate's subject.
    #[error("the TSTInfo names the TSA {named}, but {subject} signed it")]
    TsaNameMismatch {
        /// The name in TSTInfo.
        named: String,
        /// The signing certificate's subject.
        subject: String,
    },
    /// The token's signed attributes are wrong (contentType missing or not id-ct-TSTInfo,
    /// messageDigest missing, an attribute malformed or repeated).
    #[error("the token's signed attributes: {0}")]
    SignedAttributes(String),
    /// The messageDigest attribute is not the digest of the TSTInfo: the TSTInfo was altered.
    #[error("the TSTInfo does not match the token's messageDigest (altered TSTInfo)")]
    TstInfoDigestMismatch,
    /// The signature does not verify with the TSA certificate's key.
    #[error("the token's signature does not verify: {0}")]
    BadSignature(String),
    /// An algorithm or key of the token is refused or not supported.
    #[error("the token's algorithm or key is refused: {0}")]
    UnsupportedAlgorithm(String),
    /// Neither ESS signing-certificate nor signing-certificate-v2 is present (RFC 3161 §2.4.1,
    /// RFC 5816).
    #[error("the token has no ESS signing-certificate(-v2) attribute")]
    EssMissing,
    /// The ESS signing-certificate(-v2) attribute designates another certificate, or is
    /// malformed.
    #[error("the token's ESS signing-certificate: {0}")]
    EssMismatch(String),
    /// The TSA's RSA key is shorter than the policy's minimum at the validation time, and no
    /// proof of existence (a later timestamp covering the token) dates the token before the
    /// sunset date of such keys (ETSI EN 319 102-1 §5.6.2.5). The token is otherwise intact.
    #[error("the TSA's RSA key of {bits} bits is below the {min}-bit minimum; {reason}")]
    WeakTsaKey {
        /// The key's size.
        bits: usize,
        /// The minimum.
        min: usize,
        /// The sunset date of such keys (`None`: never acceptable).
        sunset: Option<std::time::SystemTime>,
        /// Why no proof of existence rescues it, with the sunset date.
        reason: String,
    },
    /// No trust anchors were given, so the TSA chain cannot be validated.
    #[error("no trust anchors given: the TSA certificate chain cannot be validated")]
    NoTrustAnchors,
    /// The TSA certificate chain is not valid at genTime.
    #[error("TSA certificate chain: {0}")]
    Chain(PathError),
    /// Accuracy millis or micros outside 1..999.
    #[error("TSTInfo accuracy out of range (millis and micros must be 1..999)")]
    AccuracyOutOfRange,
}

impl TspError {
    /// A [`TspError::Malformed`].
    pub(crate) fn malformed(what: &'static str, detail: impl std::fmt::Display) -> Self {
        Self::Malformed {
            what,
            detail: detail.to_string(),
        }
    }
}

impl From<crate::Error> for TspError {
    fn from(e: crate::Error) -> Self {
        match e {
            crate::Error::Malformed { what, detail } => Self::Malformed { what, detail },
            crate::Error::Tsp(t) => t,
            other => Self::Malformed {
                what: "timestamp token",
                detail: other.to_string(),
            },
        }
    }
}
