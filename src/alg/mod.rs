//! Digest and signature algorithms: OIDs, names, and which ones are accepted, flagged or refused.
//!
//! The policy follows current practice for advanced electronic signatures (ETSI TS 119 312):
//! SHA-256/384/512 are accepted, SHA-1 is accepted only with a warning (legacy material), MD5 is
//! refused; RSA keys shorter than 2048 bits are refused, unless a proof of existence dates the
//! signature before the sunset date of their size ([`sunset`], past signature validation). SHA-224 and SHA3-256/384/512, ECDSA on
//! P-256, P-384 and P-521 with any of them, RSASSA-PSS with any RFC 4055 parameter set and
//! Ed25519 (RFC 8410, RFC 8419) are verified; Ed448 is recognised and reported as unsupported.
//! [`pss`] reads and writes RSASSA-PSS parameters.

mod identifier;
pub mod pss;
pub mod sunset;

pub use identifier::{UnsupportedAlgorithm, signature_algorithm_from_identifier};
pub use pss::{PssParameters, PssParamsError, RsaPssParams, pss_params, pss_params_with_mgf};
pub use sunset::{AlgorithmPolicy, RsaJudgement, RsaSunset, RsaVerdict};

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
    /// SHA-224 (verification only).
    Sha224,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
    /// SHA3-256 (verification only).
    Sha3_256,
    /// SHA3-384 (verification only).
    Sha3_384,
    /// SHA3-512 (verification only).
    Sha3_512,
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
    pub const ALL: [DigestAlgorithm; 8] = [
        Self::Sha1,
        Self::Sha224,
        Self::Sha256,
        Self::Sha384,
        Self::Sha512,
        Self::Sha3_256,
        Self::Sha3_384,
        Self::Sha3_512,
    ];

    /// The digests sigform signs with (SHA-1 never; SHA-224 and SHA-3 are verified only).
    pub fn signs(self) -> bool {
        matches!(self, Self::Sha256 | Self::Sha384 | Self::Sha512)
    }

    /// The algorithm's OID.
    pub fn oid(self) -> ObjectIdentifier {
        match self {
            Self::Sha1 => oid::SHA1,
            Self::Sha224 => oid::SHA224,
            Self::Sha256 => oid::SHA256,
            Self::Sha384 => oid::SHA384,
            Self::Sha512 => oid::SHA512,
            Self::Sha3_256 => oid::SHA3_256,
            Self::Sha3_384 => oid::SHA3_384,
            Self::Sha3_512 => oid::SHA3_512,
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
            Self::Sha224 => "SHA-224",
            Self::Sha256 => "SHA-256",
            Self::Sha384 => "SHA-384",
            Self::Sha512 => "SHA-512",
            Self::Sha3_256 => "SHA3-256",
            Self::Sha3_384 => "SHA3-384",
            Self::Sha3_512 => "SHA3-512",
        }
    }

    /// Parses `sha256`, `SHA-256`, `sha-384`, `sha3-256`, …
    pub fn from_name(name: &str) -> Option<Self> {
        let lower = name.to_ascii_lowercase();
        let n: String = lower.chars().filter(|c| *c != '-' && *c != '_').collect();
        // "sha3256" is SHA3-256 once the separators are gone.
        Self::ALL.into_iter().find(|d| {
            let known: String = d.name().to_ascii_lowercase().replace('-', "");
            known == n
        })
    }

    /// Length of the digest in bytes.
    pub fn output_len(self) -> usize {
        match self {
            Self::Sha1 => 20,
            Self::Sha224 => 28,
            Self::Sha256 | Self::Sha3_256 => 32,
            Self::Sha384 | Self::Sha3_384 => 48,
            Self::Sha512 | Self::Sha3_512 => 64,
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

    /// The DER DigestInfo (RFC 8017 §9.2) that precedes a digest of this algorithm in an
    /// RSASSA-PKCS1-v1_5 encoding: `SEQUENCE { AlgorithmIdentifier { oid, NULL }, OCTET STRING }`
    /// without the digest bytes.
    pub fn digest_info_prefix(self) -> Vec<u8> {
        let alg = AlgorithmIdentifierOwned {
            oid: self.oid(),
            parameters: Some(der::asn1::Any::null()),
        };
        // An OID of a few bytes and NULL: the encoding cannot fail and every length fits the
        // short form (at most 15 + 2 + 64 bytes).
        let alg_der = der::Encode::to_der(&alg).unwrap_or_default();
        let hash_len = self.output_len();
        let body = alg_der.len() + 2 + hash_len;
        let mut out = Vec::with_capacity(body);
        out.push(0x30);
        out.push(u8::try_from(body).unwrap_or(0));
        out.extend_from_slice(&alg_der);
        out.push(0x04);
        out.push(u8::try_from(hash_len).unwrap_or(0));
        out
    }

    /// A fresh incremental hasher.
    pub fn hasher(self) -> Hasher {
        match self {
            Self::Sha1 => Hasher::Sha1(sha1::Sha1::new()),
            Self::Sha224 => Hasher::Sha224(sha2::Sha224::new()),
            Self::Sha256 => Hasher::Sha256(sha2::Sha256::new()),
            Self::Sha384 => Hasher::Sha384(sha2::Sha384::new()),
            Self::Sha512 => Hasher::Sha512(sha2::Sha512::new()),
            Self::Sha3_256 => Hasher::Sha3_256(sha3::Sha3_256::new()),
            Self::Sha3_384 => Hasher::Sha3_384(sha3::Sha3_384::new()),
            Self::Sha3_512 => Hasher::Sha3_512(sha3::Sha3_512::new()),
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
            $crate::alg::DigestAlgorithm::Sha224 = ::sha2::Sha224,
            $crate::alg::DigestAlgorithm::Sha256 = ::sha2::Sha256,
            $crate::alg::DigestAlgorithm::Sha384 = ::sha2::Sha384,
            $crate::alg::DigestAlgorithm::Sha512 = ::sha2::Sha512,
            $crate::alg::DigestAlgorithm::Sha3_256 = ::sha3::Sha3_256,
            $crate::alg::DigestAlgorithm::Sha3_384 = ::sha3::Sha3_384,
            $crate::alg::DigestAlgorithm::Sha3_512 = ::sha3::Sha3_512)
    };
}
pub(crate) use with_digest;

/// Runs `$body` with the type `$s` bound to the ECDSA signature type of the [`EcCurve`] `$curve`.
macro_rules! with_ecdsa_signature {
    ($curve:expr, $s:ident => $body:expr) => {
        $crate::alg::match_hash!($curve, $s => $body;
            $crate::alg::EcCurve::P256 = ::p256::ecdsa::Signature,
            $crate::alg::EcCurve::P384 = ::p384::ecdsa::Signature,
            $crate::alg::EcCurve::P521 = ::p521::ecdsa::Signature)
    };
}
pub(crate) use with_ecdsa_signature;

/// Streams everything `reader` yields once through every hasher of `hashers`, in blocks of
/// 16 KiB that grow to 1 MiB once a read fills one (fewer system calls for a large file, no
/// large allocation to clear for a small one, as a batch's 10 KB documents; retrying
/// interrupted reads).
pub(crate) fn hash_reader<R: std::io::Read>(
    mut reader: R,
    hashers: &mut [Hasher],
) -> std::io::Result<()> {
    const LARGE: usize = 1 << 20;
    let mut buf = vec![0u8; 16 * 1024];
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
        if n == buf.len() && n < LARGE {
            buf.resize(LARGE, 0);
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
    /// SHA-224.
    Sha224(sha2::Sha224),
    /// SHA-256.
    Sha256(sha2::Sha256),
    /// SHA-384.
    Sha384(sha2::Sha384),
    /// SHA-512.
    Sha512(sha2::Sha512),
    /// SHA3-256.
    Sha3_256(sha3::Sha3_256),
    /// SHA3-384.
    Sha3_384(sha3::Sha3_384),
    /// SHA3-512.
    Sha3_512(sha3::Sha3_512),
}

/// Calls `$body` with the inner hasher of every [`Hasher`] variant bound to `$h`.
macro_rules! each_hasher {
    ($self:expr, $h:ident => $body:expr) => {
        match $self {
            Hasher::Sha1($h) => $body,
            Hasher::Sha224($h) => $body,
            Hasher::Sha256($h) => $body,
            Hasher::Sha384($h) => $body,
            Hasher::Sha512($h) => $body,
            Hasher::Sha3_256($h) => $body,
            Hasher::Sha3_384($h) => $body,
            Hasher::Sha3_512($h) => $body,
        }
    };
}

impl Hasher {
    /// Feeds bytes.
    pub fn update(&mut self, data: &[u8]) {
        each_hasher!(self, h => h.update(data))
    }

    /// Finishes and returns the digest.
    pub fn finalize(self) -> Vec<u8> {
        each_hasher!(self, h => h.finalize().to_vec())
    }

    /// The algorithm this hasher computes.
    pub fn algorithm(&self) -> DigestAlgorithm {
        match self {
            Self::Sha1(_) => DigestAlgorithm::Sha1,
            Self::Sha224(_) => DigestAlgorithm::Sha224,
            Self::Sha256(_) => DigestAlgorithm::Sha256,
            Self::Sha384(_) => DigestAlgorithm::Sha384,
            Self::Sha512(_) => DigestAlgorithm::Sha512,
            Self::Sha3_256(_) => DigestAlgorithm::Sha3_256,
            Self::Sha3_384(_) => DigestAlgorithm::Sha3_384,
            Self::Sha3_512(_) => DigestAlgorithm::Sha3_512,
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
    /// NIST P-521 (secp521r1; verification only).
    P521,
}

impl EcCurve {
    /// The curve's OID.
    pub fn oid(self) -> ObjectIdentifier {
        match self {
            Self::P256 => oid::SECP256R1,
            Self::P384 => oid::SECP384R1,
            Self::P521 => oid::SECP521R1,
        }
    }
    /// Looks a curve up by OID.
    pub fn from_oid(oid: &ObjectIdentifier) -> Option<Self> {
        [Self::P256, Self::P384, Self::P521]
            .into_iter()
            .find(|c| c.oid() == *oid)
    }
    /// Human-readable name.
    pub fn name(self) -> &'static str {
        match self {
            Self::P256 => "P-256",
            Self::P384 => "P-384",
            Self::P521 => "P-521",
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
    /// A named curve other than P-256, P-384 and P-521.
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
    /// RSASSA-PSS whose MGF1 uses another digest than the message (RFC 4055 allows it;
    /// verification only).
    RsaPssMgf {
        /// The message digest.
        digest: DigestAlgorithm,
        /// The digest MGF1 uses.
        mgf_digest: DigestAlgorithm,
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
    /// Ed25519 (RFC 8032 pure EdDSA; RFC 8410 in certificates, RFC 8419 in CMS, where the
    /// digest algorithm is SHA-512; verification only).
    Ed25519,
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

    /// The digest algorithm the signature uses: for Ed25519, SHA-512, the digest algorithm
    /// RFC 8419 §3.1 pairs it with in CMS (the signature itself covers the whole message).
    pub fn digest(self) -> DigestAlgorithm {
        match self {
            Self::RsaPkcs1v15 { digest }
            | Self::RsaPss { digest, .. }
            | Self::RsaPssMgf { digest, .. }
            | Self::Ecdsa { digest, .. } => digest,
            Self::Ed25519 => DigestAlgorithm::Sha512,
        }
    }

    /// The RSASSA-PSS parameters (message hash, MGF1 hash, salt length); `None` for the others.
    pub fn pss_parameters(self) -> Option<PssParameters> {
        match self {
            Self::RsaPss { digest, salt_len } => Some(PssParameters {
                digest,
                mgf_digest: digest,
                salt_len,
            }),
            Self::RsaPssMgf {
                digest,
                mgf_digest,
                salt_len,
            } => Some(PssParameters {
                digest,
                mgf_digest,
                salt_len,
            }),
            _ => None,
        }
    }

    /// Whether the signature is computed over a digest of the message (all but EdDSA).
    pub fn is_prehashed(self) -> bool {
        !matches!(self, Self::Ed25519)
    }

    /// A short name, e.g. `RSA-PKCS1v15-SHA-256`, `ECDSA-P-256-SHA-256`.
    pub fn name(self) -> String {
        match self {
            Self::RsaPkcs1v15 { digest } => format!("RSA-PKCS1v15-{}", digest.name()),
            Self::RsaPss { digest, salt_len } => {
                format!("RSA-PSS-{}-salt{}", digest.name(), salt_len)
            }
            Self::RsaPssMgf {
                digest,
                mgf_digest,
                salt_len,
            } => format!(
                "RSA-PSS-{}-MGF1-{}-salt{}",
                digest.name(),
                mgf_digest.name(),
                salt_len
            ),
            Self::Ecdsa { curve, digest } => format!("ECDSA-{}-{}", curve.name(), digest.name()),
            Self::Ed25519 => "Ed25519".into(),
        }
    }

    /// The OID of the combined algorithm (`sha256WithRSAEncryption`, `id-RSASSA-PSS`, `ecdsa-with-SHA256`).
    pub fn oid(self) -> ObjectIdentifier {
        match self {
            Self::RsaPkcs1v15 { digest } => match digest {
                DigestAlgorithm::Sha1 => oid::SHA1_WITH_RSA,
                DigestAlgorithm::Sha224 => oid::SHA224_WITH_RSA,
                DigestAlgorithm::Sha256 => oid::SHA256_WITH_RSA,
                DigestAlgorithm::Sha384 => oid::SHA384_WITH_RSA,
                DigestAlgorithm::Sha512 => oid::SHA512_WITH_RSA,
                DigestAlgorithm::Sha3_256 => oid::SHA3_256_WITH_RSA,
                DigestAlgorithm::Sha3_384 => oid::SHA3_384_WITH_RSA,
                DigestAlgorithm::Sha3_512 => oid::SHA3_512_WITH_RSA,
            },
            Self::RsaPss { .. } | Self::RsaPssMgf { .. } => oid::RSASSA_PSS,
            Self::Ecdsa { digest, .. } => match digest {
                DigestAlgorithm::Sha1 => oid::ECDSA_WITH_SHA1,
                DigestAlgorithm::Sha224 => oid::ECDSA_WITH_SHA224,
                DigestAlgorithm::Sha256 => oid::ECDSA_WITH_SHA256,
                DigestAlgorithm::Sha384 => oid::ECDSA_WITH_SHA384,
                DigestAlgorithm::Sha512 => oid::ECDSA_WITH_SHA512,
                DigestAlgorithm::Sha3_256 => oid::ECDSA_WITH_SHA3_256,
                DigestAlgorithm::Sha3_384 => oid::ECDSA_WITH_SHA3_384,
                DigestAlgorithm::Sha3_512 => oid::ECDSA_WITH_SHA3_512,
            },
            Self::Ed25519 => oid::ED25519,
        }
    }

    /// The AlgorithmIdentifier to put in a SignerInfo or certificate: NULL parameters for RSA
    /// PKCS#1 v1.5 (RFC 4055 §5), RSASSA-PSS-params for PSS, absent for ECDSA (RFC 5758 §3.2)
    /// and Ed25519 (RFC 8410 §3).
    pub fn algorithm_identifier(self) -> AlgorithmIdentifierOwned {
        match self {
            Self::RsaPkcs1v15 { .. } => AlgorithmIdentifierOwned {
                oid: self.oid(),
                parameters: Some(der::asn1::Any::null()),
            },
            Self::RsaPss { digest, salt_len } => AlgorithmIdentifierOwned {
                oid: oid::RSASSA_PSS,
                parameters: Some(pss::pss_params_any(digest, digest, salt_len)),
            },
            Self::RsaPssMgf {
                digest,
                mgf_digest,
                salt_len,
            } => AlgorithmIdentifierOwned {
                oid: oid::RSASSA_PSS,
                parameters: Some(pss::pss_params_any(digest, mgf_digest, salt_len)),
            },
            Self::Ecdsa { .. } | Self::Ed25519 => AlgorithmIdentifierOwned {
                oid: self.oid(),
                parameters: None,
            },
        }
    }

    /// The policy's view of this algorithm (its digests decide; key sizes are checked apart).
    pub fn status(self) -> AlgorithmStatus {
        match self {
            Self::RsaPssMgf { mgf_digest, .. }
                if mgf_digest.status() != AlgorithmStatus::Accepted =>
            {
                mgf_digest.status()
            }
            _ => self.digest().status(),
        }
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
    fn digest_info_prefixes_match_rfc_8017() {
        // RFC 8017 §9.2 note 1.
        assert_eq!(
            hex::encode(DigestAlgorithm::Sha256.digest_info_prefix()),
            "3031300d060960864801650304020105000420"
        );
        assert_eq!(
            hex::encode(DigestAlgorithm::Sha1.digest_info_prefix()),
            "3021300906052b0e03021a05000414"
        );
        assert_eq!(
            hex::encode(DigestAlgorithm::Sha224.digest_info_prefix()),
            "302d300d06096086480165030402040500041c"
        );
    }

    #[test]
    fn sha3_and_sha224_known_answers() {
        assert_eq!(
            hex::encode(DigestAlgorithm::Sha3_256.digest(b"abc")),
            "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532"
        );
        assert_eq!(
            hex::encode(DigestAlgorithm::Sha224.digest(b"abc")),
            "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7"
        );
        assert_eq!(
            DigestAlgorithm::from_name("sha3-384"),
            Some(DigestAlgorithm::Sha3_384)
        );
        assert_eq!(
            DigestAlgorithm::from_name("SHA-224"),
            Some(DigestAlgorithm::Sha224)
        );
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
            SignatureAlgorithm::Ecdsa {
                curve: EcCurve::P521,
                digest: DigestAlgorithm::Sha3_512,
            },
            SignatureAlgorithm::Ecdsa {
                curve: EcCurve::P256,
                digest: DigestAlgorithm::Sha224,
            },
            SignatureAlgorithm::RsaPkcs1v15 {
                digest: DigestAlgorithm::Sha3_256,
            },
            SignatureAlgorithm::RsaPssMgf {
                digest: DigestAlgorithm::Sha256,
                mgf_digest: DigestAlgorithm::Sha512,
                salt_len: 0,
            },
            SignatureAlgorithm::Ed25519,
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
