//! Reading responses and tokens: [`TimeStampResp::from_der`] and [`TimestampToken`].
//!
//! A token is a CMS SignedData whose eContent is a DER TSTInfo. It keeps the bytes it was read
//! from (the token is embedded in signatures as is, and its signature covers the original
//! signed attributes); the TSTInfo is decoded from the original eContent octets, which are kept
//! too (the messageDigest attribute is their digest).

use super::asn1::{GenTime, PkiStatusInfo, TimeStampReq, TimeStampResp, TstInfo};
use super::error::TspError;
use crate::alg::DigestAlgorithm;
use crate::asn1::oid;
use crate::asn1::tlv::{self, tag};
use crate::cades::parse::parse_signed_data;
use der::Decode;

/// Largest response or token accepted, in bytes (1 MiB). Real tokens are a few KiB; the
/// largest carry a chain of a few certificates.
pub const MAX_RESPONSE_SIZE: usize = 1 << 20;

/// A timestamp token (RFC 3161 §2.4.2), parsed but not verified: see
/// [`super::verify_token`].
#[derive(Clone, Debug)]
pub struct TimestampToken {
    der: Vec<u8>,
    tst_info_der: Vec<u8>,
    tst_info: TstInfo,
}

impl TimestampToken {
    /// Reads a token (a ContentInfo with SignedData, DER or BER) and its TSTInfo. Fails when
    /// the eContentType is not id-ct-TSTInfo or the TSTInfo is not DER.
    pub fn from_der(bytes: &[u8]) -> Result<Self, TspError> {
        if bytes.len() > MAX_RESPONSE_SIZE {
            return Err(TspError::TooLarge {
                limit: MAX_RESPONSE_SIZE,
            });
        }
        let normalized = tlv::normalize(bytes)?;
        let sd = parse_signed_data(&normalized)?;
        if sd.econtent_type != oid::TST_INFO {
            return Err(TspError::NotATimestampToken(format!(
                "eContentType {} is not id-ct-TSTInfo",
                sd.econtent_type
            )));
        }
        let econtent = sd.econtent.ok_or_else(|| {
            TspError::NotATimestampToken("the SignedData encapsulates no TSTInfo".into())
        })?;
        let tst_info =
            TstInfo::from_der(econtent).map_err(|e| TspError::malformed("TSTInfo", e))?;
        if tst_info.version != 1 {
            return Err(TspError::UnsupportedVersion(tst_info.version));
        }
        Ok(Self {
            der: bytes.to_vec(),
            tst_info_der: econtent.to_vec(),
            tst_info,
        })
    }

    /// The token's bytes, exactly as read (embed these).
    pub fn as_der(&self) -> &[u8] {
        &self.der
    }

    /// The token's bytes, exactly as read.
    pub fn into_der(self) -> Vec<u8> {
        self.der
    }

    /// The decoded TSTInfo.
    pub fn tst_info(&self) -> &TstInfo {
        &self.tst_info
    }

    /// The TSTInfo's original encoding (the eContent octets).
    pub fn tst_info_der(&self) -> &[u8] {
        &self.tst_info_der
    }

    /// genTime.
    pub fn gen_time(&self) -> &GenTime {
        &self.tst_info.gen_time
    }

    /// The messageImprint's hash algorithm, when supported.
    pub fn imprint_algorithm(&self) -> Option<DigestAlgorithm> {
        DigestAlgorithm::from_oid(&self.tst_info.message_imprint.hash_algorithm.oid)
    }

    /// The messageImprint's hashedMessage.
    pub fn imprint(&self) -> &[u8] {
        self.tst_info.message_imprint.hashed_message.as_bytes()
    }

    /// Checks the token answers `request` (RFC 3161 §2.4.2): the same messageImprint, the
    /// same nonce when the request had one, the requested policy when it named one. No
    /// signature or trust is checked here (see [`super::verify_token`]).
    pub fn check_answers(&self, request: &TimeStampReq) -> Result<(), TspError> {
        let t = &self.tst_info;
        let req_alg = request.message_imprint.hash_algorithm.oid;
        if t.message_imprint.hash_algorithm.oid != req_alg {
            return Err(TspError::ImprintAlgorithmMismatch {
                expected: req_alg.to_string(),
                token: t.message_imprint.hash_algorithm.oid.to_string(),
            });
        }
        if t.message_imprint.hashed_message != request.message_imprint.hashed_message {
            return Err(TspError::ImprintMismatch);
        }
        check_nonce(t, request.nonce.as_ref().map(|n| n.as_bytes()))?;
        if let Some(p) = request.req_policy
            && p != t.policy
        {
            return Err(TspError::PolicyMismatch {
                requested: p.to_string(),
                token: t.policy.to_string(),
            });
        }
        Ok(())
    }
}

/// The token's nonce must be the request's (INTEGER content octets) when the request had one.
pub(crate) fn check_nonce(t: &TstInfo, expected: Option<&[u8]>) -> Result<(), TspError> {
    match (expected, &t.nonce) {
        (None, _) => Ok(()),
        (Some(_), None) => Err(TspError::NonceMissing),
        (Some(e), Some(n)) if n.as_bytes() == e => Ok(()),
        (Some(_), Some(_)) => Err(TspError::NonceMismatch),
    }
}

impl TimeStampResp {
    /// Reads a response (`application/timestamp-reply`, DER or BER). The token keeps its
    /// original bytes.
    pub fn from_der(bytes: &[u8]) -> Result<Self, TspError> {
        const W: &str = "TimeStampResp";
        if bytes.len() > MAX_RESPONSE_SIZE {
            return Err(TspError::TooLarge {
                limit: MAX_RESPONSE_SIZE,
            });
        }
        // Syntax check on the definite-length form first (bounded depth, one element).
        let normalized = tlv::normalize(bytes)?;
        tlv::read_single(&normalized, W)?.expect_tag(tag::SEQUENCE, W)?;
        // Then the children's original encodings.
        let content = outer_content(bytes)?;
        let (status_raw, rest) = tlv::split_first(content)?;
        let status_der = tlv::normalize(status_raw)?;
        let status = PkiStatusInfo::from_der(&status_der)
            .map_err(|e| TspError::malformed("PKIStatusInfo", e))?;
        let time_stamp_token = if rest.is_empty() {
            None
        } else {
            let (token_raw, after) = tlv::split_first(rest)?;
            if !after.is_empty() {
                return Err(TspError::malformed(W, "trailing elements after the token"));
            }
            Some(TimestampToken::from_der(token_raw)?)
        };
        Ok(Self {
            status,
            time_stamp_token,
        })
    }

    /// The token of a granted response; the status (and failInfo) as an error otherwise.
    pub fn into_token(self) -> Result<TimestampToken, TspError> {
        let status = self.status.status();
        if !status.is_granted() {
            return Err(TspError::Rejected {
                status,
                text: self.status.text(),
                fail_info: self.status.failures(),
            });
        }
        self.time_stamp_token.ok_or(TspError::MissingToken)
    }
}

/// The content octets of the outer SEQUENCE of `bytes`, definite or indefinite length (then
/// without the end-of-contents octets). `bytes` has passed [`tlv::normalize`].
fn outer_content(bytes: &[u8]) -> Result<&[u8], TspError> {
    const W: &str = "TimeStampResp";
    if bytes.get(1) == Some(&0x80) {
        let inner = bytes
            .get(2..bytes.len().saturating_sub(2))
            .ok_or_else(|| TspError::malformed(W, "truncated"))?;
        return Ok(inner);
    }
    Ok(tlv::read_single(bytes, W)?.content)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejection_without_token() {
        // SEQUENCE { SEQUENCE { INTEGER 2, SEQUENCE { UTF8String "no" }, BIT STRING badAlg } }
        let der = [
            0x30, 0x0f, 0x30, 0x0d, 0x02, 0x01, 0x02, 0x30, 0x04, 0x0c, 0x02, b'n', b'o', 0x03,
            0x02, 0x07, 0x80,
        ];
        let resp = TimeStampResp::from_der(&der).unwrap();
        match resp.into_token() {
            Err(TspError::Rejected {
                status,
                text,
                fail_info,
            }) => {
                assert_eq!(status, super::super::asn1::PkiStatus::Rejection);
                assert_eq!(text.as_deref(), Some("no"));
                assert_eq!(fail_info, vec![super::super::asn1::FailureInfo::BadAlg]);
            }
            other => panic!("{other:?}"),
        }
        // The same, indefinite-length outer SEQUENCE.
        let mut ber = vec![0x30, 0x80];
        ber.extend_from_slice(&der[2..]);
        ber.extend_from_slice(&[0, 0]);
        assert!(
            TimeStampResp::from_der(&ber)
                .unwrap()
                .time_stamp_token
                .is_none()
        );
        // Granted without a token.
        let granted = [0x30, 0x05, 0x30, 0x03, 0x02, 0x01, 0x00];
        assert!(matches!(
            TimeStampResp::from_der(&granted).unwrap().into_token(),
            Err(TspError::MissingToken)
        ));
        for bad in [
            &[][..],
            &[0x30, 0x00],
            &[0x30, 0x03, 0x02, 0x01, 0x00],
            &der[..5],
        ] {
            assert!(TimeStampResp::from_der(bad).is_err());
        }
    }
}
