//! The RFC 3161 structures (§2.4.1 request, §2.4.2 response and TSTInfo), with der 0.8 derives
//! and the RFC's ASN.1 above each type. The module is `DEFINITIONS IMPLICIT TAGS`.
//!
//! Only the structures a signature never covers are decoded here as a whole. The token itself
//! (a CMS SignedData) is read by the byte-preserving layer (`crate::asn1::tlv`,
//! `crate::cades::parse`): see [`super::TimestampToken`].

use der::asn1::{BitString, Int, ObjectIdentifier, OctetString};
use der::{DecodeValue, EncodeValue, FixedTag, Header, Length, Reader, Sequence, Tag, Writer};
use spki::AlgorithmIdentifierOwned;
use x509_cert::ext::Extensions;
use x509_cert::ext::pkix::name::GeneralName;

/// The hash of the data to be timestamped.
///
/// ```asn1
/// MessageImprint ::= SEQUENCE  {
///      hashAlgorithm                AlgorithmIdentifier,
///      hashedMessage                OCTET STRING  }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct MessageImprint {
    /// hashAlgorithm.
    pub hash_algorithm: AlgorithmIdentifierOwned,
    /// hashedMessage.
    pub hashed_message: OctetString,
}

/// A time-stamp request (RFC 3161 §2.4.1). Build one with [`TimeStampReq::new`].
///
/// ```asn1
/// TimeStampReq ::= SEQUENCE  {
///    version                      INTEGER  { v1(1) },
///    messageImprint               MessageImprint,
///    reqPolicy             TSAPolicyId              OPTIONAL,
///    nonce                 INTEGER                  OPTIONAL,
///    certReq               BOOLEAN                  DEFAULT FALSE,
///    extensions            [0] IMPLICIT Extensions  OPTIONAL  }
/// TSAPolicyId ::= OBJECT IDENTIFIER
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
#[asn1(tag_mode = "IMPLICIT")]
pub struct TimeStampReq {
    /// version (1).
    pub version: u8,
    /// messageImprint.
    pub message_imprint: MessageImprint,
    /// reqPolicy.
    #[asn1(optional = "true")]
    pub req_policy: Option<ObjectIdentifier>,
    /// nonce.
    #[asn1(optional = "true")]
    pub nonce: Option<Int>,
    /// certReq: ask the TSA to put its certificate in the token.
    #[asn1(default = "Default::default")]
    pub cert_req: bool,
    /// extensions.
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    pub extensions: Option<Extensions>,
}

/// The TSA's answer to a request (RFC 3161 §2.4.2), kept as read.
///
/// ```asn1
/// TimeStampResp ::= SEQUENCE  {
///      status                  PKIStatusInfo,
///      timeStampToken          TimeStampToken     OPTIONAL  }
/// TimeStampToken ::= ContentInfo
///      -- contentType is id-signedData ([CMS])
///      -- content is SignedData ([CMS])
/// ```
///
/// The token is not decoded with derives: its bytes are kept exactly as received (see
/// [`super::TimestampToken`]), since its signature covers them and it is embedded as is.
#[derive(Clone, Debug)]
pub struct TimeStampResp {
    /// status.
    pub status: PkiStatusInfo,
    /// timeStampToken, present when the request was granted.
    pub time_stamp_token: Option<super::TimestampToken>,
}

/// The status of a response.
///
/// ```asn1
/// PKIStatusInfo ::= SEQUENCE {
///     status        PKIStatus,
///     statusString  PKIFreeText     OPTIONAL,
///     failInfo      PKIFailureInfo  OPTIONAL  }
/// PKIFreeText ::= SEQUENCE SIZE (1..MAX) OF UTF8String
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct PkiStatusInfo {
    /// status (a [`PkiStatus`] value; unknown values are kept).
    pub status: u32,
    /// statusString.
    #[asn1(optional = "true")]
    pub status_string: Option<Vec<String>>,
    /// failInfo.
    #[asn1(optional = "true")]
    pub fail_info: Option<BitString>,
}

impl PkiStatusInfo {
    /// The status as an enum.
    pub fn status(&self) -> PkiStatus {
        PkiStatus::from_value(self.status)
    }

    /// The statusString lines joined by `"; "`, when present.
    pub fn text(&self) -> Option<String> {
        self.status_string.as_ref().map(|s| s.join("; "))
    }

    /// The failInfo bits that are set.
    pub fn failures(&self) -> Vec<FailureInfo> {
        let Some(bits) = &self.fail_info else {
            return Vec::new();
        };
        FailureInfo::ALL
            .into_iter()
            .filter(|f| bits.get(f.bit()).unwrap_or(false))
            .collect()
    }
}

/// PKIStatus.
///
/// ```asn1
/// PKIStatus ::= INTEGER {
///     granted                (0),
///     grantedWithMods        (1),
///     rejection              (2),
///     waiting                (3),
///     revocationWarning      (4),
///     revocationNotification (5)  }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PkiStatus {
    /// granted: the token is present.
    Granted,
    /// grantedWithMods: the token is present, with modifications (RFC 3161 has none).
    GrantedWithMods,
    /// rejection.
    Rejection,
    /// waiting: the request is not yet processed.
    Waiting,
    /// revocationWarning: a revocation is imminent.
    RevocationWarning,
    /// revocationNotification: a revocation has occurred.
    RevocationNotification,
    /// A value outside the RFC's list.
    Unknown(u32),
}

impl PkiStatus {
    /// The enum for an INTEGER value.
    pub fn from_value(v: u32) -> Self {
        match v {
            0 => Self::Granted,
            1 => Self::GrantedWithMods,
            2 => Self::Rejection,
            3 => Self::Waiting,
            4 => Self::RevocationWarning,
            5 => Self::RevocationNotification,
            other => Self::Unknown(other),
        }
    }

    /// True for granted and grantedWithMods: the response carries a token.
    pub fn is_granted(self) -> bool {
        matches!(self, Self::Granted | Self::GrantedWithMods)
    }
}

impl std::fmt::Display for PkiStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Granted => f.write_str("granted"),
            Self::GrantedWithMods => f.write_str("grantedWithMods"),
            Self::Rejection => f.write_str("rejection"),
            Self::Waiting => f.write_str("waiting"),
            Self::RevocationWarning => f.write_str("revocationWarning"),
            Self::RevocationNotification => f.write_str("revocationNotification"),
            Self::Unknown(v) => write!(f, "unknown status {v}"),
        }
    }
}

/// The reasons a TSA gives for a rejection.
///
/// ```asn1
/// PKIFailureInfo ::= BIT STRING {
///     badAlg               (0),
///     badRequest           (2),
///     badDataFormat        (5),
///     timeNotAvailable    (14),
///     unacceptedPolicy    (15),
///     unacceptedExtension (16),
///     addInfoNotAvailable (17),
///     systemFailure       (25)  }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailureInfo {
    /// badAlg: unrecognized or unsupported algorithm.
    BadAlg,
    /// badRequest: transaction not permitted or supported.
    BadRequest,
    /// badDataFormat: the data submitted has the wrong format.
    BadDataFormat,
    /// timeNotAvailable: the TSA's time source is not available.
    TimeNotAvailable,
    /// unacceptedPolicy: the requested policy is not supported.
    UnacceptedPolicy,
    /// unacceptedExtension: the requested extension is not supported.
    UnacceptedExtension,
    /// addInfoNotAvailable: the additional information requested is not available.
    AddInfoNotAvailable,
    /// systemFailure: the request cannot be handled due to a system failure.
    SystemFailure,
}

impl FailureInfo {
    /// Every value, in bit order.
    pub const ALL: [Self; 8] = [
        Self::BadAlg,
        Self::BadRequest,
        Self::BadDataFormat,
        Self::TimeNotAvailable,
        Self::UnacceptedPolicy,
        Self::UnacceptedExtension,
        Self::AddInfoNotAvailable,
        Self::SystemFailure,
    ];

    /// The bit number.
    pub fn bit(self) -> usize {
        match self {
            Self::BadAlg => 0,
            Self::BadRequest => 2,
            Self::BadDataFormat => 5,
            Self::TimeNotAvailable => 14,
            Self::UnacceptedPolicy => 15,
            Self::UnacceptedExtension => 16,
            Self::AddInfoNotAvailable => 17,
            Self::SystemFailure => 25,
        }
    }

    /// The RFC's name, e.g. `badAlg`.
    pub fn name(self) -> &'static str {
        match self {
            Self::BadAlg => "badAlg",
            Self::BadRequest => "badRequest",
            Self::BadDataFormat => "badDataFormat",
            Self::TimeNotAvailable => "timeNotAvailable",
            Self::UnacceptedPolicy => "unacceptedPolicy",
            Self::UnacceptedExtension => "unacceptedExtension",
            Self::AddInfoNotAvailable => "addInfoNotAvailable",
            Self::SystemFailure => "systemFailure",
        }
    }
}

/// What the TSA signs: the time and the imprint (RFC 3161 §2.4.2).
///
/// ```asn1
/// TSTInfo ::= SEQUENCE  {
///    version                      INTEGER  { v1(1) },
///    policy                       TSAPolicyId,
///    messageImprint               MessageImprint,
///      -- MUST have the same value as the similar field in
///      -- TimeStampReq
///    serialNumber                 INTEGER,
///     -- Time-Stamping users MUST be ready to accommodate integers
///     -- up to 160 bits.
///    genTime                      GeneralizedTime,
///    accuracy                     Accuracy                 OPTIONAL,
///    ordering                     BOOLEAN             DEFAULT FALSE,
///    nonce                        INTEGER                  OPTIONAL,
///      -- MUST be present if the similar field was present
///      -- in TimeStampReq.  In that case it MUST have the same value.
///    tsa                          [0] GeneralName          OPTIONAL,
///    extensions                   [1] IMPLICIT Extensions   OPTIONAL  }
/// ```
///
/// `tsa` is a CHOICE, so its `[0]` tag is explicit despite the module's IMPLICIT TAGS.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
#[asn1(tag_mode = "IMPLICIT")]
pub struct TstInfo {
    /// version (1).
    pub version: u8,
    /// policy.
    pub policy: ObjectIdentifier,
    /// messageImprint.
    pub message_imprint: MessageImprint,
    /// serialNumber.
    pub serial_number: Int,
    /// genTime (fractions of a second allowed, see [`GenTime`]).
    pub gen_time: GenTime,
    /// accuracy.
    #[asn1(optional = "true")]
    pub accuracy: Option<Accuracy>,
    /// ordering.
    #[asn1(default = "Default::default")]
    pub ordering: bool,
    /// nonce.
    #[asn1(optional = "true")]
    pub nonce: Option<Int>,
    /// tsa: a name of the TSA.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub tsa: Option<GeneralName>,
    /// extensions.
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    pub extensions: Option<Extensions>,
}

/// How far genTime may be from the real time (RFC 3161 §2.4.2).
///
/// ```asn1
/// Accuracy ::= SEQUENCE {
///       seconds        INTEGER           OPTIONAL,
///       millis     [0] INTEGER  (1..999) OPTIONAL,
///       micros     [1] INTEGER  (1..999) OPTIONAL  }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Sequence)]
#[asn1(tag_mode = "IMPLICIT")]
pub struct Accuracy {
    /// seconds.
    #[asn1(optional = "true")]
    pub seconds: Option<u32>,
    /// millis (1..999).
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    pub millis: Option<u16>,
    /// micros (1..999).
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    pub micros: Option<u16>,
}

impl Accuracy {
    /// The accuracy as a duration, or `None` when millis or micros is outside 1..999.
    pub fn duration(&self) -> Option<std::time::Duration> {
        let in_range = |v: Option<u16>| v.is_none_or(|v| (1..=999).contains(&v));
        if !in_range(self.millis) || !in_range(self.micros) {
            return None;
        }
        let micros =
            u64::from(self.millis.unwrap_or(0)) * 1000 + u64::from(self.micros.unwrap_or(0));
        Some(
            std::time::Duration::from_secs(u64::from(self.seconds.unwrap_or(0)))
                + std::time::Duration::from_micros(micros),
        )
    }
}

/// Longest genTime value accepted: `YYYYMMDDhhmmss.` + 9 fraction digits + `Z`.
const MAX_GEN_TIME_LEN: usize = 25;

/// A TSTInfo genTime: `YYYYMMDDhhmmss[.s...]Z` (RFC 3161 §2.4.2: UTC, seconds always present,
/// fractions of a second allowed, unlike RFC 5280 certificates). der's `GeneralizedTime`
/// refuses fractions, so this type reads them; the encoding is kept as read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenTime {
    text: String,
    date_time: der::DateTime,
    nanos: u32,
}

impl GenTime {
    /// Parses the value octets (without tag and length).
    pub fn parse(value: &[u8]) -> Option<Self> {
        if value.len() < 15 || value.len() > MAX_GEN_TIME_LEN || value.last() != Some(&b'Z') {
            return None;
        }
        let digits = |r: std::ops::Range<usize>| -> Option<u32> {
            let part = value.get(r)?;
            if !part.iter().all(u8::is_ascii_digit) {
                return None;
            }
            part.iter().try_fold(0u32, |acc, d| {
                acc.checked_mul(10)?.checked_add(u32::from(d - b'0'))
            })
        };
        let year = u16::try_from(digits(0..4)?).ok()?;
        let field = |r| digits(r).and_then(|v| u8::try_from(v).ok());
        let date_time = der::DateTime::new(
            year,
            field(4..6)?,
            field(6..8)?,
            field(8..10)?,
            field(10..12)?,
            field(12..14)?,
        )
        .ok()?;
        let frac = value.get(14..value.len() - 1)?;
        let nanos = match frac.split_first() {
            None => 0,
            Some((b'.', d)) if !d.is_empty() && d.len() <= 9 => {
                let v = digits(15..15 + d.len())?;
                v * 10u32.pow(9 - d.len() as u32)
            }
            Some(_) => return None,
        };
        let text = String::from_utf8(value.to_vec()).ok()?;
        Some(Self {
            text,
            date_time,
            nanos,
        })
    }

    /// The time, to the second.
    pub fn date_time(&self) -> der::DateTime {
        self.date_time
    }

    /// The fraction of a second, in nanoseconds.
    pub fn nanos(&self) -> u32 {
        self.nanos
    }

    /// The time as a `SystemTime` (with the fraction).
    pub fn to_system_time(&self) -> std::time::SystemTime {
        self.date_time.to_system_time() + std::time::Duration::from_nanos(u64::from(self.nanos))
    }

    /// RFC 3339 UTC, with the fraction when there is one (`2026-11-27T20:46:31.25Z`).
    pub fn rfc3339(&self) -> String {
        let base = crate::time::rfc3339(&self.date_time);
        match self.text.get(14..self.text.len().saturating_sub(1)) {
            Some(frac) if !frac.is_empty() => format!("{}{frac}Z", base.trim_end_matches('Z')),
            _ => base,
        }
    }
}

impl<'a> DecodeValue<'a> for GenTime {
    type Error = der::Error;

    fn decode_value<R: Reader<'a>>(reader: &mut R, header: Header) -> der::Result<Self> {
        let len = usize::try_from(header.length())?;
        if len > MAX_GEN_TIME_LEN {
            return Err(reader.error(Tag::GeneralizedTime.value_error()));
        }
        let mut buf = [0u8; MAX_GEN_TIME_LEN];
        let slot = buf
            .get_mut(..len)
            .ok_or_else(|| reader.error(Tag::GeneralizedTime.value_error()))?;
        reader.read_into(slot)?;
        Self::parse(slot).ok_or_else(|| reader.error(Tag::GeneralizedTime.value_error()))
    }
}

impl EncodeValue for GenTime {
    fn value_len(&self) -> der::Result<Length> {
        Length::try_from(self.text.len())
    }

    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        writer.write(self.text.as_bytes())
    }
}

impl FixedTag for GenTime {
    const TAG: Tag = Tag::GeneralizedTime;
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::{Decode, Encode};

    #[test]
    fn gen_time_fractions() {
        let t = GenTime::parse(b"20260102030405.25Z").unwrap();
        assert_eq!(t.nanos(), 250_000_000);
        assert_eq!(t.rfc3339(), "2026-01-02T03:04:05.25Z");
        let t = GenTime::parse(b"20260102030405Z").unwrap();
        assert_eq!(
            (t.nanos(), t.rfc3339().as_str()),
            (0, "2026-01-02T03:04:05Z")
        );
        for bad in [
            &b"20260102030405"[..],
            b"2026010203040Z",
            b"20260102030405.Z",
            b"20260102030405,5Z",
            b"20261302030405Z",
            b"20260102030405.1234567890Z",
            b"2026010203040+Z",
        ] {
            assert!(GenTime::parse(bad).is_none(), "{bad:?}");
        }
        let der = GenTime::parse(b"20260102030405.123456Z")
            .unwrap()
            .to_der()
            .unwrap();
        assert_eq!(GenTime::from_der(&der).unwrap().nanos(), 123_456_000);
    }

    #[test]
    fn accuracy_bounds() {
        let a = Accuracy {
            seconds: Some(1),
            millis: Some(500),
            micros: None,
        };
        assert_eq!(a.duration(), Some(std::time::Duration::from_millis(1500)));
        let der = a.to_der().unwrap();
        assert_eq!(Accuracy::from_der(&der).unwrap(), a);
        let bad = Accuracy {
            seconds: None,
            millis: Some(0),
            micros: None,
        };
        assert_eq!(bad.duration(), None);
    }

    #[test]
    fn status_failures() {
        let info = PkiStatusInfo {
            status: 2,
            status_string: Some(vec!["no".into()]),
            fail_info: Some(BitString::new(2, vec![0b1000_0100]).unwrap()),
        };
        assert_eq!(info.status(), PkiStatus::Rejection);
        assert_eq!(
            info.failures(),
            vec![FailureInfo::BadAlg, FailureInfo::BadDataFormat]
        );
        let der = info.to_der().unwrap();
        assert_eq!(PkiStatusInfo::from_der(&der).unwrap(), info);
    }
}
