//! The mechanism plan: which PKCS#11 mechanism makes the chosen signature on this token
//! (`CKM_SHA*_RSA_PKCS`, else `CKM_RSA_PKCS` over a DigestInfo; `CKM_SHA*_RSA_PKCS_PSS`, else
//! `CKM_RSA_PKCS_PSS` over the digest; `CKM_ECDSA` over the digest), what to hand to `C_Sign`,
//! and how to read its answer.

use super::TokenKeyKind;
use crate::alg::{DigestAlgorithm, EcCurve, SignatureAlgorithm, with_ecdsa_signature};
use crate::crypto;
use crate::error::KeyError;
use crate::signer::SignerError;
use cryptoki::mechanism::rsa::{PkcsMgfType, PkcsPssParams};
use cryptoki::mechanism::{Mechanism, MechanismType};
use cryptoki::types::Ulong;

/// The digests a token signs with here (the verified-only SHA-224 and SHA-3 are not among them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum TokenHash {
    /// SHA-1 (refused by [`algorithm_for`]; kept for the mechanism table).
    Sha1,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl TokenHash {
    fn of(d: DigestAlgorithm, algorithm: SignatureAlgorithm) -> Result<Self, SignerError> {
        match d {
            DigestAlgorithm::Sha1 => Ok(Self::Sha1),
            DigestAlgorithm::Sha256 => Ok(Self::Sha256),
            DigestAlgorithm::Sha384 => Ok(Self::Sha384),
            DigestAlgorithm::Sha512 => Ok(Self::Sha512),
            _ => Err(SignerError::UnsupportedAlgorithm(format!(
                "{} (tokens sign with SHA-256, SHA-384 or SHA-512)",
                algorithm.name()
            ))),
        }
    }

    fn algorithm(self) -> DigestAlgorithm {
        match self {
            Self::Sha1 => DigestAlgorithm::Sha1,
            Self::Sha256 => DigestAlgorithm::Sha256,
            Self::Sha384 => DigestAlgorithm::Sha384,
            Self::Sha512 => DigestAlgorithm::Sha512,
        }
    }
}

/// How a signature is made on the token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Plan {
    /// `CKM_SHAxxx_RSA_PKCS` over the bytes to be signed.
    RsaHashAndSign(TokenHash),
    /// `CKM_RSA_PKCS` over DigestInfo(hash).
    RsaDigestInfo(TokenHash),
    /// `CKM_SHAxxx_RSA_PKCS_PSS` over the bytes to be signed.
    PssHashAndSign(TokenHash, u32),
    /// `CKM_RSA_PKCS_PSS` over the hash.
    PssDigest(TokenHash, u32),
    /// `CKM_ECDSA` over the hash.
    Ecdsa(DigestAlgorithm, EcCurve),
}

impl Plan {
    /// The mechanism name, for reports.
    pub(super) fn mechanism_type(self) -> MechanismType {
        match self {
            Self::RsaHashAndSign(d) => hash_and_sign_mechanism(d, false),
            Self::RsaDigestInfo(_) => MechanismType::RSA_PKCS,
            Self::PssHashAndSign(d, _) => hash_and_sign_mechanism(d, true),
            Self::PssDigest(..) => MechanismType::RSA_PKCS_PSS,
            Self::Ecdsa(..) => MechanismType::ECDSA,
        }
    }

    pub(super) fn choose(
        algorithm: SignatureAlgorithm,
        available: &[MechanismType],
    ) -> std::result::Result<Self, SignerError> {
        let has = |m: MechanismType| available.contains(&m);
        let missing = |a: MechanismType, b: MechanismType| {
            SignerError::MechanismNotSupported(format!(
                "{} needs {a} or {b}, and the token offers neither",
                algorithm.name()
            ))
        };
        match algorithm {
            SignatureAlgorithm::RsaPkcs1v15 { digest } => {
                let digest = TokenHash::of(digest, algorithm)?;
                let direct = hash_and_sign_mechanism(digest, false);
                if has(direct) {
                    Ok(Self::RsaHashAndSign(digest))
                } else if has(MechanismType::RSA_PKCS) {
                    Ok(Self::RsaDigestInfo(digest))
                } else {
                    Err(missing(direct, MechanismType::RSA_PKCS))
                }
            }
            SignatureAlgorithm::RsaPss { digest, salt_len } => {
                let digest = TokenHash::of(digest, algorithm)?;
                let direct = hash_and_sign_mechanism(digest, true);
                if has(direct) {
                    Ok(Self::PssHashAndSign(digest, salt_len))
                } else if has(MechanismType::RSA_PKCS_PSS) {
                    Ok(Self::PssDigest(digest, salt_len))
                } else {
                    Err(missing(direct, MechanismType::RSA_PKCS_PSS))
                }
            }
            SignatureAlgorithm::Ecdsa { curve, digest } => {
                if has(MechanismType::ECDSA) {
                    Ok(Self::Ecdsa(digest, curve))
                } else {
                    Err(SignerError::MechanismNotSupported(format!(
                        "{} needs CKM_ECDSA, which the token does not offer",
                        algorithm.name()
                    )))
                }
            }
            SignatureAlgorithm::RsaPssMgf { .. } | SignatureAlgorithm::Ed25519 => Err(
                SignerError::UnsupportedAlgorithm(format!("{} (verified only)", algorithm.name())),
            ),
        }
    }

    /// The mechanism and the bytes to hand to `C_Sign`.
    pub(super) fn prepare(self, to_be_signed: &[u8]) -> (Mechanism<'static>, Vec<u8>) {
        match self {
            Self::RsaHashAndSign(d) => (
                match d {
                    TokenHash::Sha1 => Mechanism::Sha1RsaPkcs,
                    TokenHash::Sha256 => Mechanism::Sha256RsaPkcs,
                    TokenHash::Sha384 => Mechanism::Sha384RsaPkcs,
                    TokenHash::Sha512 => Mechanism::Sha512RsaPkcs,
                },
                to_be_signed.to_vec(),
            ),
            Self::RsaDigestInfo(d) => {
                let d = d.algorithm();
                (Mechanism::RsaPkcs, digest_info(d, &d.digest(to_be_signed)))
            }
            Self::PssHashAndSign(d, salt) => {
                let p = pss_params(d, salt);
                (
                    match d {
                        TokenHash::Sha1 => Mechanism::Sha1RsaPkcsPss(p),
                        TokenHash::Sha256 => Mechanism::Sha256RsaPkcsPss(p),
                        TokenHash::Sha384 => Mechanism::Sha384RsaPkcsPss(p),
                        TokenHash::Sha512 => Mechanism::Sha512RsaPkcsPss(p),
                    },
                    to_be_signed.to_vec(),
                )
            }
            Self::PssDigest(d, salt) => (
                Mechanism::RsaPkcsPss(pss_params(d, salt)),
                d.algorithm().digest(to_be_signed),
            ),
            Self::Ecdsa(d, _) => (Mechanism::Ecdsa, d.digest(to_be_signed)),
        }
    }

    /// The signature from what `C_Sign` returned: ECDSA's raw `r‖s` turned into DER, an RSA
    /// signature padded back to the modulus length.
    pub(super) fn finish(
        self,
        kind: TokenKeyKind,
        raw: Vec<u8>,
    ) -> std::result::Result<Vec<u8>, SignerError> {
        match (self, kind) {
            (Plan::Ecdsa(_, curve), _) => ecdsa_to_der(curve, &raw),
            (_, TokenKeyKind::Rsa(bits)) => {
                // A PKCS#1 signature is exactly as long as the modulus; some tokens drop
                // leading zero bytes.
                let k = bits.div_ceil(8);
                if raw.len() < k {
                    let mut out = vec![0u8; k - raw.len()];
                    out.extend_from_slice(&raw);
                    Ok(out)
                } else {
                    Ok(raw)
                }
            }
            _ => Ok(raw),
        }
    }
}

fn hash_and_sign_mechanism(d: TokenHash, pss: bool) -> MechanismType {
    match (d, pss) {
        (TokenHash::Sha1, false) => MechanismType::SHA1_RSA_PKCS,
        (TokenHash::Sha256, false) => MechanismType::SHA256_RSA_PKCS,
        (TokenHash::Sha384, false) => MechanismType::SHA384_RSA_PKCS,
        (TokenHash::Sha512, false) => MechanismType::SHA512_RSA_PKCS,
        (TokenHash::Sha1, true) => MechanismType::SHA1_RSA_PKCS_PSS,
        (TokenHash::Sha256, true) => MechanismType::SHA256_RSA_PKCS_PSS,
        (TokenHash::Sha384, true) => MechanismType::SHA384_RSA_PKCS_PSS,
        (TokenHash::Sha512, true) => MechanismType::SHA512_RSA_PKCS_PSS,
    }
}

fn pss_params(d: TokenHash, salt_len: u32) -> PkcsPssParams {
    let (hash_alg, mgf) = match d {
        TokenHash::Sha1 => (MechanismType::SHA1, PkcsMgfType::MGF1_SHA1),
        TokenHash::Sha256 => (MechanismType::SHA256, PkcsMgfType::MGF1_SHA256),
        TokenHash::Sha384 => (MechanismType::SHA384, PkcsMgfType::MGF1_SHA384),
        TokenHash::Sha512 => (MechanismType::SHA512, PkcsMgfType::MGF1_SHA512),
    };
    PkcsPssParams {
        hash_alg,
        mgf,
        // A u32 always fits a CK_ULONG (32 or 64 bits).
        s_len: Ulong::try_from(salt_len as usize).unwrap_or_else(|_| Ulong::from(0)),
    }
}

/// DER DigestInfo (RFC 8017 §9.2): `SEQUENCE { AlgorithmIdentifier { oid, NULL }, OCTET STRING }`.
fn digest_info(d: DigestAlgorithm, digest: &[u8]) -> Vec<u8> {
    let mut out = d.digest_info_prefix();
    out.extend_from_slice(digest);
    out
}

/// Turns a PKCS#11 ECDSA signature (`r‖s`, each as long as the curve order) into DER, with
/// [`crypto::ecdsa_raw_to_der`]. A token that already answers in DER is accepted too (and the
/// signature re-encoded).
fn ecdsa_to_der(curve: EcCurve, raw: &[u8]) -> std::result::Result<Vec<u8>, SignerError> {
    let bad = |e: &dyn std::fmt::Display| {
        SignerError::Crypto(format!(
            "the token returned a malformed {} ECDSA signature ({} bytes): {e}",
            curve.name(),
            raw.len()
        ))
    };
    if raw.len() == crypto::ecdsa_raw_len(curve) {
        return crypto::ecdsa_raw_to_der(curve, raw).map_err(|e| bad(&e));
    }
    with_ecdsa_signature!(curve, S => S::from_der(raw).map(|s| s.to_der().as_bytes().to_vec()))
        .map_err(|e| bad(&e))
}

/// The algorithm to sign with: the requested one, else the key's default (RSA PKCS#1 v1.5
/// SHA-256, ECDSA P-256 SHA-256, ECDSA P-384 SHA-384). SHA-1 and an algorithm that does not
/// fit the key are refused.
pub(super) fn algorithm_for(
    kind: TokenKeyKind,
    requested: Option<SignatureAlgorithm>,
) -> std::result::Result<SignatureAlgorithm, KeyError> {
    let algorithm = requested.unwrap_or(match kind {
        TokenKeyKind::Rsa(_) => SignatureAlgorithm::RSA_SHA256,
        TokenKeyKind::Ec(EcCurve::P256) => SignatureAlgorithm::ECDSA_P256_SHA256,
        TokenKeyKind::Ec(EcCurve::P384) => SignatureAlgorithm::ECDSA_P384_SHA384,
        TokenKeyKind::Ec(EcCurve::P521) => SignatureAlgorithm::Ecdsa {
            curve: EcCurve::P521,
            digest: DigestAlgorithm::Sha512,
        },
        // Tokens are read for RSA and EC keys only.
        TokenKeyKind::Ed25519 => SignatureAlgorithm::Ed25519,
    });
    let fits = algorithm.digest().signs()
        && match (kind, algorithm) {
            (TokenKeyKind::Rsa(_), SignatureAlgorithm::RsaPkcs1v15 { .. })
            | (TokenKeyKind::Rsa(_), SignatureAlgorithm::RsaPss { .. }) => true,
            (TokenKeyKind::Ec(c), SignatureAlgorithm::Ecdsa { curve, .. }) => c == curve,
            _ => false,
        };
    if fits {
        Ok(algorithm)
    } else {
        Err(KeyError::AlgorithmMismatch {
            algorithm: algorithm.name(),
            key: kind.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::{Decode, Encode};

    #[test]
    fn digest_info_prefixes_are_der() {
        for d in [
            DigestAlgorithm::Sha1,
            DigestAlgorithm::Sha256,
            DigestAlgorithm::Sha384,
            DigestAlgorithm::Sha512,
        ] {
            let di = digest_info(d, &d.digest(b"abc"));
            // SEQUENCE { SEQUENCE { OID, NULL }, OCTET STRING }: re-encode through der.
            let any = der::asn1::Any::from_der(&di).expect("DER");
            assert_eq!(any.to_der().expect("encode"), di);
            let inner = d.algorithm_identifier().oid.to_der().expect("oid");
            assert!(di.windows(inner.len()).any(|w| w == inner), "{d}");
            assert_eq!(di.len(), di.get(1).copied().unwrap_or(0) as usize + 2);
        }
    }

    #[test]
    fn raw_ecdsa_becomes_der() {
        use signature::hazmat::PrehashSigner;
        let key = p256::ecdsa::SigningKey::from_slice(&[7u8; 32]).expect("key");
        let digest = DigestAlgorithm::Sha256.digest(b"m");
        let sig: p256::ecdsa::Signature = key.sign_prehash(&digest).expect("sign");
        let raw = sig.to_bytes().to_vec();
        let der = ecdsa_to_der(EcCurve::P256, &raw).expect("der");
        assert_eq!(der, sig.to_der().as_bytes());
        // DER in, DER out.
        assert_eq!(ecdsa_to_der(EcCurve::P256, &der).expect("der"), der);
        assert!(matches!(
            ecdsa_to_der(EcCurve::P384, &raw),
            Err(SignerError::Crypto(_))
        ));
        assert!(ecdsa_to_der(EcCurve::P256, &[0u8; 64]).is_err());
    }

    #[test]
    fn mechanism_choice_falls_back_and_refuses() {
        let rsa256 = SignatureAlgorithm::RSA_SHA256;
        assert_eq!(
            Plan::choose(
                rsa256,
                &[MechanismType::SHA256_RSA_PKCS, MechanismType::RSA_PKCS]
            ),
            Ok(Plan::RsaHashAndSign(TokenHash::Sha256))
        );
        assert_eq!(
            Plan::choose(rsa256, &[MechanismType::RSA_PKCS]),
            Ok(Plan::RsaDigestInfo(TokenHash::Sha256))
        );
        assert!(matches!(
            Plan::choose(rsa256, &[MechanismType::ECDSA]),
            Err(SignerError::MechanismNotSupported(_))
        ));
        assert_eq!(
            Plan::choose(
                SignatureAlgorithm::RSA_PSS_SHA256,
                &[MechanismType::RSA_PKCS_PSS]
            ),
            Ok(Plan::PssDigest(TokenHash::Sha256, 32))
        );
        assert!(matches!(
            Plan::choose(
                SignatureAlgorithm::ECDSA_P256_SHA256,
                &[MechanismType::RSA_PKCS]
            ),
            Err(SignerError::MechanismNotSupported(_))
        ));
    }

    #[test]
    fn algorithm_defaults_and_refusals() {
        let p384 = TokenKeyKind::Ec(EcCurve::P384);
        assert_eq!(
            algorithm_for(p384, None),
            Ok(SignatureAlgorithm::ECDSA_P384_SHA384)
        );
        assert_eq!(
            algorithm_for(TokenKeyKind::Rsa(2048), None),
            Ok(SignatureAlgorithm::RSA_SHA256)
        );
        assert!(matches!(
            algorithm_for(p384, Some(SignatureAlgorithm::ECDSA_P256_SHA256)),
            Err(KeyError::AlgorithmMismatch { .. })
        ));
        let sha1 = SignatureAlgorithm::RsaPkcs1v15 {
            digest: DigestAlgorithm::Sha1,
        };
        assert!(algorithm_for(TokenKeyKind::Rsa(2048), Some(sha1)).is_err());
    }

    #[test]
    fn rsa_signatures_are_padded_to_the_modulus() {
        let plan = Plan::RsaHashAndSign(TokenHash::Sha256);
        let kind = TokenKeyKind::Rsa(2047);
        assert_eq!(
            plan.finish(kind, vec![1; 255]),
            Ok([vec![0], vec![1; 255]].concat())
        );
        assert_eq!(plan.finish(kind, vec![1; 256]), Ok(vec![1; 256]));
    }
}
