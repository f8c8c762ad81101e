//! Building and reading time-stamp requests (RFC 3161 §2.4.1).

use super::asn1::{MessageImprint, TimeStampReq};
use super::error::TspError;
use crate::alg::DigestAlgorithm;
use der::asn1::{Int, ObjectIdentifier, OctetString, Uint};
use der::{Decode, Encode};

impl TimeStampReq {
    /// A request for `digest` (made with `algorithm`), with a fresh 64-bit random nonce and
    /// `certReq` set (the TSA puts its certificate in the token), no policy.
    pub fn new(algorithm: DigestAlgorithm, digest: &[u8]) -> Result<Self, TspError> {
        if digest.len() != algorithm.output_len() {
            return Err(TspError::InvalidRequest(format!(
                "a {} digest has {} bytes, not {}",
                algorithm.name(),
                algorithm.output_len(),
                digest.len()
            )));
        }
        let hashed_message = OctetString::new(digest.to_vec())
            .map_err(|e| TspError::InvalidRequest(e.to_string()))?;
        let nonce = getrandom::u64()
            .map_err(|e| TspError::InvalidRequest(format!("no random nonce: {e}")))?;
        let nonce = Uint::new(&nonce.to_be_bytes())
            .map(Int::from)
            .map_err(|e| TspError::InvalidRequest(e.to_string()))?;
        Ok(Self {
            version: 1,
            message_imprint: MessageImprint {
                hash_algorithm: algorithm.algorithm_identifier(),
                hashed_message,
            },
            req_policy: None,
            nonce: Some(nonce),
            cert_req: true,
            extensions: None,
        })
    }

    /// The same request asking for the TSA policy `policy`.
    pub fn with_policy(mut self, policy: ObjectIdentifier) -> Self {
        self.req_policy = Some(policy);
        self
    }

    /// The same request without a nonce (the answer can then not be told from a replay).
    pub fn without_nonce(mut self) -> Self {
        self.nonce = None;
        self
    }

    /// The same request with `certReq` set to `cert_req`.
    pub fn with_cert_req(mut self, cert_req: bool) -> Self {
        self.cert_req = cert_req;
        self
    }

    /// The hash algorithm of the imprint, when we support it.
    pub fn digest_algorithm(&self) -> Option<DigestAlgorithm> {
        DigestAlgorithm::from_oid(&self.message_imprint.hash_algorithm.oid)
    }

    /// The DER encoding (the body of an `application/timestamp-query` POST).
    pub fn to_der(&self) -> Result<Vec<u8>, TspError> {
        Encode::to_der(self).map_err(|e| TspError::InvalidRequest(e.to_string()))
    }

    /// Reads a DER request (e.g. one `openssl ts -query` made).
    pub fn from_der(der: &[u8]) -> Result<Self, TspError> {
        let req: Self =
            Decode::from_der(der).map_err(|e| TspError::malformed("TimeStampReq", e))?;
        if req.version != 1 {
            return Err(TspError::UnsupportedVersion(req.version));
        }
        Ok(req)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_fresh_nonces() {
        let d = DigestAlgorithm::Sha256.digest(b"x");
        let a = TimeStampReq::new(DigestAlgorithm::Sha256, &d).unwrap();
        let b = TimeStampReq::new(DigestAlgorithm::Sha256, &d).unwrap();
        assert_ne!(a.nonce, b.nonce);
        assert!(a.cert_req);
        let der = a.to_der().unwrap();
        assert_eq!(TimeStampReq::from_der(&der).unwrap(), a);
        let p = ObjectIdentifier::new_unwrap("1.2.3.4");
        let c = a
            .clone()
            .with_policy(p)
            .without_nonce()
            .with_cert_req(false);
        let c2 = TimeStampReq::from_der(&c.to_der().unwrap()).unwrap();
        assert_eq!(
            (c2.req_policy, c2.nonce.is_none(), c2.cert_req),
            (Some(p), true, false)
        );
        assert_eq!(c2.digest_algorithm(), Some(DigestAlgorithm::Sha256));
    }

    #[test]
    fn wrong_digest_length() {
        assert!(matches!(
            TimeStampReq::new(DigestAlgorithm::Sha256, &[0; 20]),
            Err(TspError::InvalidRequest(_))
        ));
    }
}
