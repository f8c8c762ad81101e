//! Digest and signature algorithms: OIDs, names, and which ones are accepted, flagged or refused.
//!
//! The policy follows current practice for advanced electronic signatures (ETSI TS 119 312):
//! SHA-256/384/512 are accepted, SHA-1 is accepted only with a warning (legacy material), MD5 is
//! refused; RSA keys shorter than 2048 bits are refused.

use crate::asn1::oid;
use der::asn1::ObjectIdentifier;
use digest::Digest;
use serde::{Deserialize, Serialize};
use spki::AlgorithmIdentifierOwned;

/// Minimum RSA modulus size the policy accepts, for signing and in verification.
pub const MIN_RSA_BITS: usize = 2048;

/// A message digest algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING-KEBAB-CASE")]
pub enum DigestAlgorithm {
    /// SHA-1: legacy, accepted in verification with a warning, never used to sign.
    Sha1,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

/// How the algorithm policy judges an algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlgorithmStatus {
    /// Fine to use.
    Accepted,
    /// Accepted for verification of legacy material, with a warning.
    Weak,
    /// Refused.
    Refused,
}

impl DigestAlgorithm {
    /// Every supported digest algorithm.
    pub const ALL: [DigestAlgorithm; 4] = [Self::Sha1, Self::Sha256, Self::Sha384, Self::Sha512];

    /// The algorithm's OID.
    pub fn oid(self) -> ObjectIdentifier {
        match self {
            Self::Sha1 => oid::SHA1,
            Self::Sha256 => oid::SHA256,
            Self::Sha384 => oid::SHA384,
            Self::Sha512 => oid::SHA512,
        }
    }

    /// Looks an algorithm up by OID; `None` for unknown ones (MD5 included: it is never computed).
    pub fn from_oid(oid: &ObjectIdentifier) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.oid() == *oid)
    }

    /// Human-readable name, e.g. `SHA-256`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sha1 => "SHA-1",
            Self::Sha256 => "SHA-256",
            Self::Sha384 => "SHA-384",
            Self::Sha512 => "SHA-512",
        }
    }

    /// Parses `sha256`, `SHA-256`, `sha-384`, …
    pub fn from_name(name: &str) -> Option<Self> {
        let n: String = name.chars().filter(|c| *c != '-' && *c != '_').collect();
        match n.to_ascii_lowercase().as_str() {
            "sha1" => Some(Self::Sha1),
            "sha256" => Some(Self::Sha256),
            "sha384" => Some(Self::Sha384),
            "sha512" => Some(Self::Sha512),
            _ => None,
        }
    }

    /// Length of the digest in bytes.
    pub fn output_len(self) -> usize {
        match self {
            Self::Sha1 => 20,
            Self::Sha256 => 32,
            Self::Sha384 => 48,
            Self::Sha512 => 64,
        }
    }

    /// The policy's view of this digest.
    pub fn status(self) -> AlgorithmStatus {
        match self {
            Self::Sha1 => AlgorithmStatus::Weak,
            _ => AlgorithmStatus::Accepted,
        }
    }

    /// AlgorithmIdentifier with absent parameters (RFC 5754 §2: SHOULD omit).
    pub fn algorithm_identifier(self) -> AlgorithmIdentifierOwned {
        AlgorithmIdentifierOwned {
            oid: self.oid(),
            parameters: None,
        }
    }

    /// A fresh incremental hasher.
    pub fn hasher(self) -> Hasher {
        match self {
            Self::Sha1 => Hasher::Sha1(sha1::Sha1::new()),
            Self::Sha256 => Hasher::Sha256(sha2::Sha256::new()),
            Self::Sha384 => Hasher::Sha384(sha2::Sha384::new()),
            Self::Sha512 => Hasher::Sha512(sha2::Sha512::new()),
        }
    }

    /// Digest of `data` in one call.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        let mut h = self.hasher();
        h.update(data);
        h.finalize()
    }

    /// Digest of everything `reader` yields, streamed in 64 KiB blocks.
    pub fn digest_reader<R: std::io::Read>(self, reader: R) -> std::io::Result<Vec<u8>> {
        let mut hashers = [self.hasher()];
        hash_reader(reader, &mut hashers)?;
        let [h] = hashers;
        Ok(h.finalize())
    }
}

/// `match $alg` over the arms `$variant = $hash`, each running `$body` with the type `$d`
/// bound to its hash function: the one dispatch from a hash enum to code generic over the
/// digest (see [`with_digest!`] and the PKCS#12 `with_hash!`).
macro_rules! match_hash {
    ($alg:expr, $d:ident => $body:expr; $($variant:pat = $hash:ty),+ $(,)?) => {
        match $alg {
            $($variant => {
                type $d = $hash;
                $body
            })+
        }
    };
}
pub(crate) use match_hash;

/// Runs `$body` with the type `$d` bound to the hash function of the [`DigestAlgorithm`]
/// `$alg` (the RSA padding schemes are generic over it).
macro_rules! with_digest {
    ($alg:expr, $d:ident => $body:expr) => {
        $crate::alg::match_hash!($alg, $d => $body;
            $crate::alg::DigestAlgorithm::Sha1 = ::sha1::Sha1,
            $crate::alg::DigestAlgorithm::Sha256 = ::sha2::Sha256,
            $crate::alg::DigestAlgorithm::Sha384 = ::sha2::Sha384,
            $crate::alg::DigestAlgorithm::Sha512 = ::sha2::Sha512)
    };
}
pub(crate) use with_digest;

/// Streams everything `reader` yields once through every hasher of `hashers`, in 64 KiB
/// blocks (retrying interrupted reads).
pub(crate) fn hash_reader<R: std::io::Read>(
    mut reader: R,
    hashers: &mut [Hasher],
) -> std::io::Result<()> {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let chunk = buf.get(..n).unwrap_or_default();
        for h in hashers.iter_mut() {
            h.update(chunk);
        }
    }
}

impl std::fmt::Display for DigestAlgorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// An incremental hasher for one of the [`DigestAlgorithm`]s.
#[derive(Clone)]
pub enum Hasher {
    /// SHA-1.
    Sha1(sha1::Sha1),
    /// SHA-256.
    Sha256(sha2::Sha256),
    /// SHA-384.
    Sha384(sha2::Sha384),
    /// SHA-512.
    Sha512(sha2::Sha512),
}

impl Hasher {
    /// Feeds bytes.
    pub fn update(&mut self, data: &[u8]) {
        match self {
            Self::Sha1(h) => h.update(data),
            Self::Sha256(h) => h.update(data),
            Self::Sha384(h) => h.update(data),
            Self::Sha512(h) => h.update(data),
        }
    }

    /// Finishes and returns the digest.
    pub fn finalize(self) -> Vec<u8> {
        match self {
            Self::Sha1(h) => h.finalize().to_vec(),
            Self::Sha256(h) => h.finalize().to_vec(),
            Self::Sha384(h) => h.finalize().to_vec(),
            Self::Sha512(h) => h.finalize().to_vec(),
        }
    }

    /// The algorithm this hasher computes.
    pub fn algorithm(&self) -> DigestAlgorithm {
        match self {
            Self::Sha1(_) => DigestAlgorithm::Sha1,
            Self::Sha256(_) => DigestAlgorithm::Sha256,
            Self::Sha384(_) => DigestAlgorithm::Sha384,
            Self::Sha512(_) => DigestAlgorithm::Sha512,
        }
    }
}

impl std::io::Write for Hasher {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Elliptic curves supported for ECDSA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EcCurve {
    /// NIST P-256 (secp256r1).
    P256,
    /// NIST P-384 (secp384r1).
    P384,
}

impl EcCurve {
    /// The curve's OID.
    pub fn oid(self) -> ObjectIdentifier {
        match self {
            Self::P256 => oid::SECP256R1,
            Self::P384 => oid::SECP384R1,
        }
    }
    /// Looks a curve up by OID.
    pub fn from_oid(oid: &ObjectIdentifier) -> Option<Self> {
        [Self::P256, Self::P384]
            .into_iter()
            .find(|c| c.oid() == *oid)
    }
    /// Human-readable name.
    pub fn name(self) -> &'static str {
        match self {
            Self::P256 => "P-256",
            Self::P384 => "P-384",
        }
    }
    /// The curve named by the parameters of an `id-ecPublicKey` algorithm identifier (of a
    /// public or a private key).
    pub(crate) fn named_by(alg: &spki::AlgorithmIdentifierRef<'_>) -> Result<Self, CurveError> {
        let oid = alg.parameters_oid().map_err(|_| CurveError::NotNamed)?;
        Self::from_oid(&oid).ok_or(CurveError::Unsupported(oid))
    }
}

/// Why an EC key's algorithm identifier names no supported curve.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum CurveError {
    /// The parameters are not a named-curve OID.
    #[error("EC key without a named curve")]
    NotNamed,
    /// A named curve other than P-256 and P-384.
    #[error("curve {0}")]
    Unsupported(ObjectIdentifier),
}

/// A signature algorithm: key type, padding and digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum SignatureAlgorithm {
    /// RSASSA-PKCS1-v1_5 with the given digest.
    RsaPkcs1v15 {
        /// Digest algorithm.
        digest: DigestAlgorithm,
    },
    /// RSASSA-PSS with MGF1 using the same digest, and the given salt length (trailer field 1).
    RsaPss {
        /// Digest algorithm (also used by MGF1).
        digest: DigestAlgorithm,
        /// Salt length in bytes.
        salt_len: u32,
    },
    /// ECDSA on the given curve; signatures are DER `Ecdsa-Sig-Value`.
    Ecdsa {
        /// Curve.
        curve: EcCurve,
        /// Digest algorithm.
        digest: DigestAlgorithm,
    },
}

impl SignatureAlgorithm {
    /// RSA PKCS#1 v1.5 with SHA-256.
    pub const RSA_SHA256: Self = Self::RsaPkcs1v15 {
        digest: DigestAlgorithm::Sha256,
    };
    /// RSA-PSS with SHA-256, MGF1-SHA-256, 32-byte salt.
    pub const RSA_PSS_SHA256: Self = Self::RsaPss {
        digest: DigestAlgorithm::Sha256,
        salt_len: 32,
    };
    /// ECDSA P-256 with SHA-256.
    pub const ECDSA_P256_SHA256: Self = Self::Ecdsa {
        curve: EcCurve::P256,
        digest: DigestAlgorithm::Sha256,
    };
    /// ECDSA P-384 with SHA-384.
    pub const ECDSA_P384_SHA384: Self = Self::Ecdsa {
        curve: EcCurve::P384,
        digest: DigestAlgorithm::Sha384,
    };

    /// The digest algorithm the signature uses.
    pub fn digest(self) -> DigestAlgorithm {
        match self {
            Self::RsaPkcs1v15 { digest }
            | Self::RsaPss { digest, .. }
            | Self::Ecdsa { digest, .. } => digest,
        }
    }

    /// A short name, e.g. `RSA-PKCS1v15-SHA-256`, `ECDSA-P-256-SHA-256`.
    pub fn name(self) -> String {
        match self {
            Self::RsaPkcs1v15 { digest } => format!("RSA-PKCS1v15-{}", digest.name()),
            Self::RsaPss { digest, salt_len } => {
                format!("RSA-PSS-{}-salt{}", digest.name(), salt_len)
            }
            Self::Ecdsa { curve, digest } => format!("ECDSA-{}-{}", curve.name(), digest.name()),
        }
    }

    /// The OID of the combined algorithm (`sha256WithRSAEncryption`, `id-RSASSA-PSS`, `ecdsa-with-SHA256`).
    pub fn oid(self) -> ObjectIdentifier {
        match self {
            Self::RsaPkcs1v15 { digest } => match digest {
                DigestAlgorithm::Sha1 => oid::SHA1_WITH_RSA,
                DigestAlgorithm::Sha256 => oid::SHA256_WITH_RSA,
                DigestAlgorithm::Sha384 => oid::SHA384_WITH_RSA,
                DigestAlgorithm::Sha512 => oid::SHA512_WITH_RSA,
            },
            Self::RsaPss { .. } => oid::RSASSA_PSS,
            Self::Ecdsa { digest, .. } => match digest {
                DigestAlgorithm::Sha1 => oid::ECDSA_WITH_SHA1,
                DigestAlgorithm::Sha256 => oid::ECDSA_WITH_SHA256,
                DigestAlgorithm::Sha384 => oid::ECDSA_WITH_SHA384,
                DigestAlgorithm::Sha512 => oid::ECDSA_WITH_SHA512,
            },
        }
    }

    /// The AlgorithmIdentifier to put in a SignerInfo or certificate: NULL parameters for RSA
    /// PKCS#1 v1.5 (RFC 4055 §5), RSASSA-PSS-params for PSS, absent for ECDSA (RFC 5758 §3.2).
    pub fn algorithm_identifier(self) -> AlgorithmIdentifierOwned {
        match self {
            Self::RsaPkcs1v15 { .. } => AlgorithmIdentifierOwned {
                oid: self.oid(),
                parameters: Some(der::asn1::Any::null()),
            },
            Self::RsaPss { digest, salt_len } => AlgorithmIdentifierOwned {
                oid: oid::RSASSA_PSS,
                parameters: Some(pss_params_any(digest, salt_len)),
            },
            Self::Ecdsa { .. } => AlgorithmIdentifierOwned {
                oid: self.oid(),
                parameters: None,
            },
        }
    }

    /// The policy's view of this algorithm (its digest decides; key sizes are checked apart).
    pub fn status(self) -> AlgorithmStatus {
        self.digest().status()
    }
}

impl std::fmt::Display for SignatureAlgorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name())
    }
}

/// A signature algorithm name that `SignatureAlgorithm::from_str` does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseAlgorithmError {
    /// The name names no algorithm family we know (`rsa-…`, `rsa-pss-…`).
    #[error("unknown algorithm {0}")]
    UnknownAlgorithm(String),
    /// The family is known but the digest is not.
    #[error("unknown digest in {0}")]
    UnknownDigest(String),
}

/// Parses the names the command line takes (`--algorithm`): `rsa-sha256`, `rsa-sha384`,
/// `rsa-sha512`, `rsa-pss-sha256`, `rsa-pss-sha384`, `rsa-pss-sha512` (case-insensitive; the
/// digest may be written `sha-256`). PSS uses MGF1 with the same digest and a salt as long as the
/// digest. ECDSA signers take their curve and digest from the key, so they need no name here.
///
/// ```
/// use sigform::SignatureAlgorithm;
/// let pss: SignatureAlgorithm = "rsa-pss-sha256".parse()?;
/// assert_eq!(pss, SignatureAlgorithm::RSA_PSS_SHA256);
/// assert!("dsa-sha1".parse::<SignatureAlgorithm>().is_err());
/// # Ok::<(), sigform::alg::ParseAlgorithmError>(())
/// ```
impl std::str::FromStr for SignatureAlgorithm {
    type Err = ParseAlgorithmError;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        let lower = name.to_ascii_lowercase();
        let (pss, digest) = if let Some(d) = lower.strip_prefix("rsa-pss-") {
            (true, d)
        } else if let Some(d) = lower.strip_prefix("rsa-") {
            (false, d)
        } else {
            return Err(ParseAlgorithmError::UnknownAlgorithm(name.to_string()));
        };
        let digest = DigestAlgorithm::from_name(digest)
            .ok_or_else(|| ParseAlgorithmError::UnknownDigest(name.to_string()))?;
        Ok(if pss {
            Self::RsaPss {
                digest,
                salt_len: digest.output_len() as u32,
            }
        } else {
            Self::RsaPkcs1v15 { digest }
        })
    }
}

/// RSASSA-PSS-params (RFC 4055 §3.1).
///
/// ```asn1
/// RSASSA-PSS-params  ::=  SEQUENCE  {
///     hashAlgorithm      [0] HashAlgorithm DEFAULT sha1Identifier,
///     maskGenAlgorithm   [1] MaskGenAlgorithm DEFAULT mgf1SHA1Identifier,
///     saltLength         [2] INTEGER DEFAULT 20,
///     trailerField       [3] INTEGER DEFAULT 1  }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, der::Sequence)]
pub struct RsaPssParams {
    /// hashAlgorithm.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub hash_algorithm: Option<AlgorithmIdentifierOwned>,
    /// maskGenAlgorithm.
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub mask_gen_algorithm: Option<AlgorithmIdentifierOwned>,
    /// saltLength.
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    pub salt_length: Option<u32>,
    /// trailerField.
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
    pub trailer_field: Option<u32>,
}

impl RsaPssParams {
    /// Reads (digest, mgf1 digest, salt length) with the RFC 4055 defaults applied.
    /// `None` when an algorithm is unknown or the trailer field is not 1.
    pub fn resolve(&self) -> Option<(DigestAlgorithm, DigestAlgorithm, u32)> {
        let hash = match &self.hash_algorithm {
            None => DigestAlgorithm::Sha1,
            Some(a) => DigestAlgorithm::from_oid(&a.oid)?,
        };
        let mgf_hash = match &self.mask_gen_algorithm {
            None => DigestAlgorithm::Sha1,
            Some(m) => {
                if m.oid != oid::MGF1 {
                    return None;
                }
                let inner: AlgorithmIdentifierOwned = m.parameters.as_ref()?.decode_as().ok()?;
                DigestAlgorithm::from_oid(&inner.oid)?
            }
        };
        if self.trailer_field.unwrap_or(1) != 1 {
            return None;
        }
        Some((hash, mgf_hash, self.salt_length.unwrap_or(20)))
    }
}

fn pss_params_any(digest: DigestAlgorithm, salt_len: u32) -> der::asn1::Any {
    let params = pss_params(digest, salt_len);
    // Encoding a structure made of known-good values cannot fail; fall back to NULL (which a
    // verifier rejects) rather than panic if it ever did.
    der::Encode::to_der(&params)
        .ok()
        .and_then(|d| der::asn1::Any::from_der_bytes(&d))
        .unwrap_or_else(der::asn1::Any::null)
}

/// RSASSA-PSS-params for `digest` with MGF1 on the same digest.
pub fn pss_params(digest: DigestAlgorithm, salt_len: u32) -> RsaPssParams {
    let mgf_inner = digest.algorithm_identifier();
    let mgf_param = der::Encode::to_der(&mgf_inner)
        .ok()
        .and_then(|d| der::asn1::Any::from_der_bytes(&d));
    RsaPssParams {
        hash_algorithm: Some(digest.algorithm_identifier()),
        mask_gen_algorithm: Some(AlgorithmIdentifierOwned {
            oid: oid::MGF1,
            parameters: mgf_param,
        }),
        salt_length: Some(salt_len),
        trailer_field: None,
    }
}

trait AnyFromDer: Sized {
    fn from_der_bytes(der: &[u8]) -> Option<Self>;
}

impl AnyFromDer for der::asn1::Any {
    fn from_der_bytes(der: &[u8]) -> Option<Self> {
        der::Decode::from_der(der).ok()
    }
}

/// Parses an AlgorithmIdentifier from a SignerInfo or certificate into a [`SignatureAlgorithm`].
///
/// `digest_hint` is the SignerInfo's digestAlgorithm, needed when the signature algorithm is the
/// bare `rsaEncryption` (as OpenSSL writes) or `id-ecPublicKey`; `curve` comes from the key.
pub fn signature_algorithm_from_identifier(
    alg: &AlgorithmIdentifierOwned,
    digest_hint: Option<DigestAlgorithm>,
    curve: Option<EcCurve>,
) -> Result<SignatureAlgorithm, UnsupportedAlgorithm> {
    let unsupported = || UnsupportedAlgorithm(alg.oid.to_string());
    let rsa = |digest| Ok(SignatureAlgorithm::RsaPkcs1v15 { digest });
    let ec = |digest| match curve {
        Some(curve) => Ok(SignatureAlgorithm::Ecdsa { curve, digest }),
        None => Err(UnsupportedAlgorithm(format!(
            "{} without an EC key",
            alg.oid
        ))),
    };
    match alg.oid {
        o if o == oid::RSA_ENCRYPTION => rsa(digest_hint.ok_or_else(unsupported)?),
        o if o == oid::SHA1_WITH_RSA => rsa(DigestAlgorithm::Sha1),
        o if o == oid::SHA256_WITH_RSA => rsa(DigestAlgorithm::Sha256),
        o if o == oid::SHA384_WITH_RSA => rsa(DigestAlgorithm::Sha384),
        o if o == oid::SHA512_WITH_RSA => rsa(DigestAlgorithm::Sha512),
        o if o == oid::ECDSA_WITH_SHA1 => ec(DigestAlgorithm::Sha1),
        o if o == oid::ECDSA_WITH_SHA256 => ec(DigestAlgorithm::Sha256),
        o if o == oid::ECDSA_WITH_SHA384 => ec(DigestAlgorithm::Sha384),
        o if o == oid::ECDSA_WITH_SHA512 => ec(DigestAlgorithm::Sha512),
        o if o == oid::EC_PUBLIC_KEY => ec(digest_hint.ok_or_else(unsupported)?),
        o if o == oid::RSASSA_PSS => {
            let params: RsaPssParams = alg
                .parameters
                .as_ref()
                .ok_or_else(|| UnsupportedAlgorithm("RSASSA-PSS without parameters".into()))?
                .decode_as()
                .map_err(|_| UnsupportedAlgorithm("malformed RSASSA-PSS parameters".into()))?;
            let (digest, mgf, salt_len) = params
                .resolve()
                .ok_or_else(|| UnsupportedAlgorithm("unsupported RSASSA-PSS parameters".into()))?;
            if mgf != digest {
                return Err(UnsupportedAlgorithm(
                    "RSASSA-PSS with an MGF1 digest other than the message digest".into(),
                ));
            }
            Ok(SignatureAlgorithm::RsaPss { digest, salt_len })
        }
        o if o == oid::MD5_WITH_RSA => Err(UnsupportedAlgorithm(
            "md5WithRSAEncryption (MD5 is refused)".into(),
        )),
        _ => Err(unsupported()),
    }
}

/// An algorithm the policy does not know or refuses; carries the OID or a description.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unsupported algorithm {0}")]
pub struct UnsupportedAlgorithm(pub String);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_roundtrip_oids() {
        for d in DigestAlgorithm::ALL {
            assert_eq!(DigestAlgorithm::from_oid(&d.oid()), Some(d));
            assert_eq!(DigestAlgorithm::from_name(d.name()), Some(d));
            assert_eq!(d.digest(b"abc").len(), d.output_len());
        }
        assert_eq!(DigestAlgorithm::from_oid(&oid::MD5), None);
    }

    #[test]
    fn sha256_known_answer() {
        assert_eq!(
            hex::encode(DigestAlgorithm::Sha256.digest(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn signature_identifiers_roundtrip() {
        let all = [
            SignatureAlgorithm::RSA_SHA256,
            SignatureAlgorithm::RsaPkcs1v15 {
                digest: DigestAlgorithm::Sha512,
            },
            SignatureAlgorithm::RSA_PSS_SHA256,
            SignatureAlgorithm::ECDSA_P256_SHA256,
            SignatureAlgorithm::ECDSA_P384_SHA384,
        ];
        for a in all {
            let curve = match a {
                SignatureAlgorithm::Ecdsa { curve, .. } => Some(curve),
                _ => None,
            };
            let id = a.algorithm_identifier();
            assert_eq!(signature_algorithm_from_identifier(&id, None, curve), Ok(a));
        }
    }

    #[test]
    fn md5_is_refused() {
        let id = AlgorithmIdentifierOwned {
            oid: oid::MD5_WITH_RSA,
            parameters: None,
        };
        assert!(signature_algorithm_from_identifier(&id, None, None).is_err());
    }
}
