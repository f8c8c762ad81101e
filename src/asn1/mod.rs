//! ASN.1 support the RustCrypto crates lack: a byte-preserving TLV layer, and the CMS/ESS,
//! signature-policy, TSP and OCSP types, written with der 0.8 derives.

pub mod cert;
pub mod ess;
pub mod ocsp;
pub mod oid;
// Plumbing: public for the tests and fuzz targets that craft hostile DER, not a stable API.
#[doc(hidden)]
pub mod tlv;

/// Serde helper: bytes as lowercase hex strings.
pub mod hexbytes {
    /// Serialises bytes as hex.
    pub fn serialize<S: serde::Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(v))
    }
    /// Deserialises hex into bytes.
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s: String = serde::Deserialize::deserialize(d)?;
        hex::decode(s).map_err(serde::de::Error::custom)
    }
}

/// Serde helper: bytes as standard base64 strings.
pub mod b64 {
    use base64::Engine;
    /// Serialises bytes as base64.
    pub fn serialize<S: serde::Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(v))
    }
    /// Deserialises base64 into bytes.
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s: String = serde::Deserialize::deserialize(d)?;
        base64::engine::general_purpose::STANDARD
            .decode(s)
            .map_err(serde::de::Error::custom)
    }
}

/// Bytes that serialise as a base64 string (for serde states and JSON documents).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Base64Bytes(#[serde(with = "b64")] pub Vec<u8>);
