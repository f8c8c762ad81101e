//! Software keys: RSA (PKCS#1 v1.5 and PSS) and ECDSA P-256/P-384, loaded from PEM or DER
//! (PKCS#8, encrypted PKCS#8, PKCS#1 RSA, SEC1 EC) or from an A1 PKCS#12 file.
//!
//! ```no_run
//! use sigform::signer::{Signer, SoftwareSigner};
//! let signer = SoftwareSigner::from_files(
//!     "signer.key.pem", None, "signer.pem", Some("chain.pem".as_ref()))?;
//! let signature = signer.sign(b"to be signed")?;
//! # Ok::<(), sigform::Error>(())
//! ```

use super::{Signer, SignerError, SignerIdentity};
use crate::alg::MIN_RSA_BITS;
use crate::alg::{CurveError, EcCurve, SignatureAlgorithm, with_digest};
use crate::asn1::oid;
use crate::error::{Error, KeyError, Result};
use crate::x509::CertificateDer;
use crate::x509::pem::{looks_like_pem, pem_blocks};
use der::{Decode, Encode};
use pkcs8::DecodePrivateKey;
use rsa::traits::PublicKeyParts;
use spki::DecodePublicKey;
use std::path::Path;
use zeroize::Zeroizing;

/// Largest key or certificate file we read (hostile input bound).
const MAX_FILE: u64 = 16 * 1024 * 1024;

/// A private key held in memory. Zeroized on drop (the underlying crates implement
/// `ZeroizeOnDrop`). `Debug` shows only the key type.
pub enum PrivateKey {
    /// An RSA key.
    Rsa(Box<rsa::PrivateKey>),
    /// An ECDSA P-256 key.
    P256(p256::ecdsa::SigningKey),
    /// An ECDSA P-384 key.
    P384(p384::ecdsa::SigningKey),
}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PrivateKey({})", self.key_type())
    }
}

impl PrivateKey {
    /// Loads a key from PEM or DER: PKCS#8 (`PRIVATE KEY`), encrypted PKCS#8 (`ENCRYPTED PRIVATE
    /// KEY`, needs `password`), PKCS#1 (`RSA PRIVATE KEY`) or SEC1 (`EC PRIVATE KEY`).
    pub fn from_pem_or_der(data: &[u8], password: Option<&str>) -> Result<Self, KeyError> {
        if looks_like_pem(data) {
            let text = std::str::from_utf8(data).map_err(|_| KeyError::UnrecognizedFormat)?;
            if text.contains("Proc-Type: 4,ENCRYPTED") {
                return Err(KeyError::UnsupportedKeyType(
                    "legacy OpenSSL-encrypted PEM (convert with `openssl pkcs8 -topk8`)".into(),
                ));
            }
            for (label, kind) in [
                ("ENCRYPTED PRIVATE KEY", KeyFormat::EncryptedPkcs8),
                ("PRIVATE KEY", KeyFormat::Pkcs8),
                ("RSA PRIVATE KEY", KeyFormat::Pkcs1),
                ("EC PRIVATE KEY", KeyFormat::Sec1),
            ] {
                if let Some(block) = pem_blocks(text, label).into_iter().next() {
                    let der =
                        Zeroizing::new(block.map_err(|e| KeyError::Malformed(e.to_string()))?);
                    return Self::from_der_as(&der, kind, password);
                }
            }
            return Err(KeyError::UnrecognizedFormat);
        }
        // DER: try each format in turn; the first that parses decides.
        for kind in [
            KeyFormat::Pkcs8,
            KeyFormat::EncryptedPkcs8,
            KeyFormat::Pkcs1,
            KeyFormat::Sec1,
        ] {
            if kind.parses(data) {
                return Self::from_der_as(data, kind, password);
            }
        }
        Err(KeyError::UnrecognizedFormat)
    }

    fn from_der_as(der: &[u8], kind: KeyFormat, password: Option<&str>) -> Result<Self, KeyError> {
        match kind {
            KeyFormat::Pkcs8 => Self::from_pkcs8_der(der),
            KeyFormat::EncryptedPkcs8 => {
                let password = password.ok_or(KeyError::PasswordRequired)?;
                let info = pkcs8::EncryptedPrivateKeyInfoRef::from_der(der)
                    .map_err(|e| KeyError::Malformed(format!("EncryptedPrivateKeyInfo: {e}")))?;
                let doc = info.decrypt(password.as_bytes()).map_err(|e| match e {
                    pkcs8::Error::EncryptedPrivateKey(pkcs5::Error::DecryptFailed) => {
                        KeyError::WrongPassword
                    }
                    pkcs8::Error::EncryptedPrivateKey(
                        pkcs5::Error::AlgorithmParametersInvalid { oid },
                    ) => KeyError::UnsupportedKeyType(format!("encryption algorithm {oid}")),
                    pkcs8::Error::EncryptedPrivateKey(pkcs5::Error::UnsupportedAlgorithm {
                        oid,
                    }) => KeyError::UnsupportedKeyType(format!("encryption algorithm {oid}")),
                    // A wrong password usually shows as bad padding; anything else that goes
                    // wrong after decryption also means the plaintext is not a key.
                    _ => KeyError::WrongPassword,
                })?;
                Self::from_pkcs8_der(doc.as_bytes()).map_err(|e| match e {
                    KeyError::Malformed(_) => KeyError::WrongPassword,
                    other => other,
                })
            }
            KeyFormat::Pkcs1 => {
                use pkcs1::DecodeRsaPrivateKey;
                let key = rsa::PrivateKey::from_pkcs1_der(der)
                    .map_err(|e| KeyError::Malformed(format!("PKCS#1 RSAPrivateKey: {e}")))?;
                Ok(Self::Rsa(Box::new(key)))
            }
            KeyFormat::Sec1 => Self::from_sec1_der(der),
        }
    }

    /// Loads an unencrypted PKCS#8 `PrivateKeyInfo` (DER).
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, KeyError> {
        let info = pkcs8::PrivateKeyInfoRef::from_der(der)
            .map_err(|e| KeyError::Malformed(format!("PrivateKeyInfo: {e}")))?;
        let alg = info.algorithm.oid;
        if alg == oid::RSA_ENCRYPTION {
            let key = rsa::PrivateKey::from_pkcs8_der(der)
                .map_err(|e| KeyError::Malformed(format!("RSA key: {e}")))?;
            Ok(Self::Rsa(Box::new(key)))
        } else if alg == oid::EC_PUBLIC_KEY {
            let curve = EcCurve::named_by(&info.algorithm).map_err(|e| match e {
                CurveError::Unsupported(oid) => KeyError::UnsupportedCurve(oid.to_string()),
                CurveError::NotNamed => KeyError::Malformed(e.to_string()),
            })?;
            let key = match curve {
                EcCurve::P256 => p256::ecdsa::SigningKey::from_pkcs8_der(der).map(Self::P256),
                EcCurve::P384 => p384::ecdsa::SigningKey::from_pkcs8_der(der).map(Self::P384),
                EcCurve::P521 => return Err(p521_unsupported()),
            };
            key.map_err(|e| KeyError::Malformed(format!("{} key: {e}", curve.name())))
        } else {
            Err(KeyError::UnsupportedKeyType(alg.to_string()))
        }
    }

    fn from_sec1_der(der: &[u8]) -> Result<Self, KeyError> {
        let ec = sec1::EcPrivateKey::from_der(der)
            .map_err(|e| KeyError::Malformed(format!("SEC1 ECPrivateKey: {e}")))?;
        let curve = match ec.parameters.as_ref().and_then(|p| p.named_curve()) {
            Some(oid) => EcCurve::from_oid(&oid)
                .ok_or_else(|| KeyError::UnsupportedCurve(oid.to_string()))?,
            // No parameters: the scalar's length tells the curve.
            None => match ec.private_key.len() {
                32 => EcCurve::P256,
                48 => EcCurve::P384,
                n => return Err(KeyError::Malformed(format!("EC private key of {n} bytes"))),
            },
        };
        match curve {
            EcCurve::P256 => p256::SecretKey::from_slice(ec.private_key)
                .map(|k| Self::P256(k.into()))
                .map_err(|_| KeyError::Malformed("invalid P-256 scalar".into())),
            EcCurve::P384 => p384::SecretKey::from_slice(ec.private_key)
                .map(|k| Self::P384(k.into()))
                .map_err(|_| KeyError::Malformed("invalid P-384 scalar".into())),
            EcCurve::P521 => Err(p521_unsupported()),
        }
    }

    /// `RSA-2048`, `EC-P-256`, …
    pub fn key_type(&self) -> String {
        match self {
            Self::Rsa(k) => format!("RSA-{}", k.n().bit_width()),
            Self::P256(_) => "EC-P-256".into(),
            Self::P384(_) => "EC-P-384".into(),
        }
    }

    /// The algorithm used when none is asked for: RSA PKCS#1 v1.5 SHA-256, ECDSA P-256 with
    /// SHA-256, ECDSA P-384 with SHA-384.
    pub fn default_algorithm(&self) -> SignatureAlgorithm {
        match self {
            Self::Rsa(_) => SignatureAlgorithm::RSA_SHA256,
            Self::P256(_) => SignatureAlgorithm::ECDSA_P256_SHA256,
            Self::P384(_) => SignatureAlgorithm::ECDSA_P384_SHA384,
        }
    }

    /// Whether `alg` can be computed with this key.
    pub fn supports(&self, alg: SignatureAlgorithm) -> bool {
        if !alg.digest().signs() {
            return false; // never SHA-1; SHA-224 and SHA-3 are verified only
        }
        matches!(
            (self, alg),
            (Self::Rsa(_), SignatureAlgorithm::RsaPkcs1v15 { .. })
                | (Self::Rsa(_), SignatureAlgorithm::RsaPss { .. })
                | (
                    Self::P256(_),
                    SignatureAlgorithm::Ecdsa {
                        curve: EcCurve::P256,
                        ..
                    }
                )
                | (
                    Self::P384(_),
                    SignatureAlgorithm::Ecdsa {
                        curve: EcCurve::P384,
                        ..
                    }
                )
        )
    }

    /// Whether this key's public half is the one in `cert`.
    pub fn matches_certificate(&self, cert: &CertificateDer) -> bool {
        let Ok(spki) = cert
            .certificate()
            .tbs_certificate()
            .subject_public_key_info()
            .to_der()
        else {
            return false;
        };
        match self {
            Self::Rsa(k) => {
                rsa::PublicKey::from_public_key_der(&spki).is_ok_and(|p| &p == k.as_public_key())
            }
            Self::P256(k) => p256::ecdsa::VerifyingKey::from_public_key_der(&spki)
                .is_ok_and(|p| &p == k.verifying_key()),
            Self::P384(k) => p384::ecdsa::VerifyingKey::from_public_key_der(&spki)
                .is_ok_and(|p| &p == k.verifying_key()),
        }
    }

    /// Signs a message digest already computed with `alg.digest()`.
    pub fn sign_digest(
        &self,
        alg: SignatureAlgorithm,
        digest: &[u8],
    ) -> Result<Vec<u8>, SignerError> {
        use signature::hazmat::PrehashSigner;
        if !self.supports(alg) {
            return Err(SignerError::UnsupportedAlgorithm(format!(
                "{} with a {} key",
                alg.name(),
                self.key_type()
            )));
        }
        if digest.len() != alg.digest().output_len() {
            return Err(SignerError::Crypto(format!(
                "digest of {} bytes for {}",
                digest.len(),
                alg.digest()
            )));
        }
        let crypto = |e: &dyn std::fmt::Display| SignerError::Crypto(e.to_string());
        let mut rng = getrandom::SysRng;
        match (self, alg) {
            (Self::Rsa(k), SignatureAlgorithm::RsaPkcs1v15 { digest: d }) => {
                let padding = with_digest!(d, D => rsa::Pkcs1v15Sign::new::<D>());
                k.sign_with_rng(&mut rng, padding, digest)
                    .map_err(|e| crypto(&e))
            }
            (
                Self::Rsa(k),
                SignatureAlgorithm::RsaPss {
                    digest: d,
                    salt_len,
                },
            ) => {
                let salt = salt_len as usize;
                let r = with_digest!(d, D => {
                    k.sign_with_rng(&mut rng, rsa::Pss::<D>::new_with_salt(salt), digest)
                });
                r.map_err(|e| crypto(&e))
            }
            (Self::P256(k), SignatureAlgorithm::Ecdsa { .. }) => {
                let sig: p256::ecdsa::Signature = k.sign_prehash(digest).map_err(|e| crypto(&e))?;
                Ok(sig.to_der().as_bytes().to_vec())
            }
            (Self::P384(k), SignatureAlgorithm::Ecdsa { .. }) => {
                let sig: p384::ecdsa::Signature = k.sign_prehash(digest).map_err(|e| crypto(&e))?;
                Ok(sig.to_der().as_bytes().to_vec())
            }
            _ => Err(SignerError::UnsupportedAlgorithm(alg.name())),
        }
    }
}

/// P-521 signatures are verified, not made, by software keys.
fn p521_unsupported() -> KeyError {
    KeyError::UnsupportedCurve("P-521 (software keys sign with P-256 or P-384)".into())
}

#[derive(Clone, Copy)]
enum KeyFormat {
    Pkcs8,
    EncryptedPkcs8,
    Pkcs1,
    Sec1,
}

impl KeyFormat {
    fn parses(self, der: &[u8]) -> bool {
        match self {
            Self::Pkcs8 => pkcs8::PrivateKeyInfoRef::from_der(der).is_ok(),
            Self::EncryptedPkcs8 => pkcs8::EncryptedPrivateKeyInfoRef::from_der(der).is_ok(),
            Self::Pkcs1 => pkcs1::RsaPrivateKey::<der::asn1::UintRef<'_>>::from_der(der).is_ok(),
            Self::Sec1 => sec1::EcPrivateKey::from_der(der).is_ok(),
        }
    }
}

/// A signer holding its private key in memory.
#[derive(Debug)]
pub struct SoftwareSigner {
    key: PrivateKey,
    identity: SignerIdentity,
    algorithm: SignatureAlgorithm,
    /// The same key in AWS-LC, for `algorithm`, when the feature is on and covers it.
    #[cfg(feature = "aws-lc")]
    fast: Option<super::aws_lc::AwsLcKey>,
}

impl SoftwareSigner {
    /// Builds a signer from a key and its identity. Refuses a key that does not match the
    /// certificate and RSA keys under [`MIN_RSA_BITS`].
    pub fn new(key: PrivateKey, identity: SignerIdentity) -> Result<Self, KeyError> {
        if let PrivateKey::Rsa(k) = &key {
            let bits = k.n().bit_width() as usize;
            if bits < MIN_RSA_BITS {
                return Err(KeyError::KeyTooShort {
                    bits,
                    min: MIN_RSA_BITS,
                });
            }
        }
        Self::new_allowing_short_rsa(key, identity)
    }

    /// As [`SoftwareSigner::new`] but accepts RSA keys under 2048 bits. Only for producing test
    /// material that verifiers must refuse; never for real signatures.
    pub fn new_allowing_short_rsa(
        key: PrivateKey,
        identity: SignerIdentity,
    ) -> Result<Self, KeyError> {
        if !key.matches_certificate(identity.certificate()) {
            return Err(KeyError::KeyCertificateMismatch {
                subject: identity.certificate().subject(),
            });
        }
        let algorithm = key.default_algorithm();
        Ok(Self {
            #[cfg(feature = "aws-lc")]
            fast: super::aws_lc::AwsLcKey::new(&key, algorithm),
            key,
            identity,
            algorithm,
        })
    }

    /// Loads from in-memory key (PEM or DER, see [`PrivateKey::from_pem_or_der`]), the signer
    /// certificate (PEM or DER; when a PEM bundle, the first certificate is the signer's and the
    /// others join the chain) and an optional chain (PEM bundle or DER).
    pub fn from_pem_or_der(
        key: &[u8],
        password: Option<&str>,
        certificate: &[u8],
        chain: Option<&[u8]>,
    ) -> Result<Self> {
        let key = PrivateKey::from_pem_or_der(key, password)?;
        let mut certs = CertificateDer::parse_many(certificate)?.into_iter();
        let leaf = certs.next().ok_or(KeyError::NoCertificate)?;
        let mut rest: Vec<CertificateDer> = certs.collect();
        if let Some(chain) = chain {
            rest.extend(CertificateDer::parse_many(chain)?);
        }
        Ok(Self::new(key, SignerIdentity::new(leaf, rest))?)
    }

    /// Loads from files; see [`SoftwareSigner::from_pem_or_der`].
    pub fn from_files(
        key: impl AsRef<Path>,
        password: Option<&str>,
        certificate: impl AsRef<Path>,
        chain: Option<&Path>,
    ) -> Result<Self> {
        let key = Zeroizing::new(read_bounded(key.as_ref())?);
        let cert = read_bounded(certificate.as_ref())?;
        let chain = chain.map(read_bounded).transpose()?;
        Self::from_pem_or_der(&key, password, &cert, chain.as_deref())
    }

    /// Loads an A1 certificate: a PKCS#12 (`.p12`/`.pfx`) file with one private key, its
    /// certificate and the chain. The key's certificate is found by `localKeyId`, else by
    /// matching public key.
    pub fn from_pkcs12(data: &[u8], password: &str) -> Result<Self> {
        let contents = super::pkcs12::parse_pkcs12(data, password)?;
        let pkey = contents
            .keys
            .first()
            .ok_or(super::pkcs12::Pkcs12Error::NoPrivateKey)?;
        let key = PrivateKey::from_pkcs8_der(&pkey.pkcs8_der)?;
        let mut certs = Vec::with_capacity(contents.certificates.len());
        for c in &contents.certificates {
            certs.push(CertificateDer::from_der(&c.der)?);
        }
        let by_id = pkey.local_key_id.as_ref().and_then(|id| {
            contents
                .certificates
                .iter()
                .position(|c| c.local_key_id.as_ref() == Some(id))
        });
        let pos = by_id
            .filter(|&i| certs.get(i).is_some_and(|c| key.matches_certificate(c)))
            .or_else(|| certs.iter().position(|c| key.matches_certificate(c)))
            .ok_or(KeyError::NoCertificate)?;
        let leaf = certs.remove(pos);
        Ok(Self::new(key, SignerIdentity::new(leaf, certs))?)
    }

    /// Loads a PKCS#12 file from disk; see [`SoftwareSigner::from_pkcs12`].
    pub fn from_pkcs12_file(path: impl AsRef<Path>, password: &str) -> Result<Self> {
        let data = Zeroizing::new(read_bounded(path.as_ref())?);
        Self::from_pkcs12(&data, password)
    }

    /// Chooses the signature algorithm (e.g. RSA-PSS, or SHA-512 with RSA). Refused when it
    /// does not fit the key, or uses SHA-1.
    pub fn with_algorithm(mut self, algorithm: SignatureAlgorithm) -> Result<Self, KeyError> {
        if !self.key.supports(algorithm) {
            return Err(KeyError::AlgorithmMismatch {
                algorithm: algorithm.name(),
                key: self.key.key_type(),
            });
        }
        self.algorithm = algorithm;
        #[cfg(feature = "aws-lc")]
        {
            self.fast = super::aws_lc::AwsLcKey::new(&self.key, algorithm);
        }
        Ok(self)
    }

    /// Which implementation makes the private-key operation: `"aws-lc"` when the `aws-lc`
    /// feature is on and covers this key and algorithm, else `"rust"` (RustCrypto).
    pub fn backend(&self) -> &'static str {
        #[cfg(feature = "aws-lc")]
        if self.fast.is_some() {
            return "aws-lc";
        }
        "rust"
    }

    /// The private key (e.g. to learn its type).
    pub fn key(&self) -> &PrivateKey {
        &self.key
    }
}

impl Signer for SoftwareSigner {
    fn identity(&self) -> &SignerIdentity {
        &self.identity
    }

    fn algorithm(&self) -> SignatureAlgorithm {
        self.algorithm
    }

    fn sign(&self, to_be_signed: &[u8]) -> Result<Vec<u8>, SignerError> {
        #[cfg(feature = "aws-lc")]
        if let Some(fast) = &self.fast {
            return fast.sign(to_be_signed);
        }
        let digest = self.algorithm.digest().digest(to_be_signed);
        self.key.sign_digest(self.algorithm, &digest)
    }

    /// RSA: the key matches the certificate ([`SoftwareSigner::new`]) and both backends verify
    /// the private-key result before returning it (`rsa`'s `rsa_decrypt_and_check`, AWS-LC's
    /// `rsa_default_private_transform`). ECDSA signatures are verified by the caller.
    fn checks_own_signatures(&self) -> bool {
        matches!(
            self.algorithm,
            SignatureAlgorithm::RsaPkcs1v15 { .. } | SignatureAlgorithm::RsaPss { .. }
        )
    }
}

/// Reads a small file (keys, certificates), refusing anything over 16 MiB.
pub(crate) fn read_bounded(path: &Path) -> Result<Vec<u8>> {
    use std::io::Read;
    let ctx = || format!("reading {}", path.display());
    let file = std::fs::File::open(path).map_err(|e| Error::io(ctx(), e))?;
    let mut buf = Vec::new();
    file.take(MAX_FILE + 1)
        .read_to_end(&mut buf)
        .map_err(|e| Error::io(ctx(), e))?;
    if buf.len() as u64 > MAX_FILE {
        return Err(Error::InvalidArgument(format!(
            "{} is larger than {} bytes",
            path.display(),
            MAX_FILE
        )));
    }
    Ok(buf)
}
