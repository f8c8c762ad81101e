//! Password privacy: decrypting `encryptedData` contents and `pkcs8ShroudedKeyBag`s, with
//! PBES2 (PBKDF2 and AES-CBC or DES-EDE3-CBC, through the `pkcs5` crate) or the legacy
//! PKCS#12 PBE schemes of [RFC 7292 Appendix C] (SHA-1 with 3DES or RC2, keys from the
//! PKCS#12 KDF). No details of decrypted bytes go into an error message.
//!
//! [RFC 7292 Appendix C]: https://www.rfc-editor.org/rfc/rfc7292#appendix-C

use super::asn1::{AlgorithmIdentifier, EncryptedData, Pkcs12PbeParams, decode_ber};
use super::bags::validate_safe_contents;
use super::kdf::{HashAlg, KdfPurpose};
use super::{Context, Pkcs12Error, check_iterations, malformed, unsupported};
use crate::asn1::oid;
use cbc::cipher::{BlockModeDecrypt, InnerIvInit, KeyIvInit, block_padding::Pkcs7};
use der::asn1::ObjectIdentifier;
use zeroize::Zeroizing;

/// How a decryption attempt failed.
enum DecryptFailure {
    /// Padding (or authentication) failed: wrong key.
    BadKey,
    /// The plaintext decrypted but is not the expected structure.
    BadPlaintext,
}

/// The plaintext that validated, or why no attempt gave one.
type Attempt = Result<Zeroizing<Vec<u8>>, DecryptFailure>;

/// Checks that a plaintext is the expected structure.
type Validate = fn(&[u8]) -> der::Result<()>;

impl Context<'_> {
    /// Decrypts an `EncryptedData` holding `SafeContents`.
    pub(super) fn decrypt_encrypted_data(
        &mut self,
        raw: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, Pkcs12Error> {
        let encrypted: EncryptedData<'_> =
            decode_ber(raw).map_err(|e| malformed("EncryptedData", &e))?;
        let info = &encrypted.encrypted_content_info;
        if info.content_type != oid::DATA {
            return Err(unsupported(
                &info.content_type,
                "EncryptedContentInfo content type",
            ));
        }
        let ciphertext = info.encrypted_content.as_ref().ok_or_else(|| {
            Pkcs12Error::Malformed("EncryptedContentInfo without encryptedContent".into())
        })?;
        self.decrypt(
            &info.content_encryption_algorithm,
            ciphertext.as_bytes(),
            "EncryptedData",
            validate_safe_contents,
        )
    }

    /// Decrypts `ciphertext` (of structure `what`) with the scheme in `alg`, then checks the
    /// plaintext with `validate`.
    ///
    /// Without a verified MAC, a padding failure or a plaintext that does not validate means
    /// [`Pkcs12Error::WrongPassword`]; with a verified MAC, an invalid plaintext is
    /// [`Pkcs12Error::Malformed`].
    pub(super) fn decrypt(
        &mut self,
        alg: &AlgorithmIdentifier<'_>,
        ciphertext: &[u8],
        what: &str,
        validate: Validate,
    ) -> Result<Zeroizing<Vec<u8>>, Pkcs12Error> {
        let attempt = if alg.algorithm == oid::PBES2 {
            self.decrypt_pbes2(alg, ciphertext, what, validate)?
        } else if let Some(scheme) = LegacyPbe::from_oid(&alg.algorithm) {
            self.decrypt_legacy(scheme, alg, ciphertext, what, validate)?
        } else {
            let use_name = if alg.algorithm == oid::PBE_SHA1_RC4_128
                || alg.algorithm == oid::PBE_SHA1_RC4_40
            {
                format!("{what}: RC4-based PKCS#12 PBE")
            } else {
                format!("{what}: encryption algorithm")
            };
            return Err(unsupported(&alg.algorithm, &use_name));
        };

        // No details from the decrypted bytes go into the message.
        match attempt {
            Ok(plaintext) => Ok(plaintext),
            Err(DecryptFailure::BadPlaintext) if self.mac_verified => Err(Pkcs12Error::Malformed(
                format!("{what}: the decrypted content is not the expected structure"),
            )),
            Err(_) => Err(Pkcs12Error::WrongPassword),
        }
    }

    /// PBES2 (RFC 8018) with the UTF-8 password.
    fn decrypt_pbes2(
        &mut self,
        alg: &AlgorithmIdentifier<'_>,
        ciphertext: &[u8],
        what: &str,
        validate: Validate,
    ) -> Result<Attempt, Pkcs12Error> {
        let params_tlv = alg
            .parameters
            .ok_or_else(|| Pkcs12Error::Malformed(format!("{what}: PBES2 without parameters")))?;
        let params: pkcs5::pbes2::Parameters = decode_ber(params_tlv.raw)
            .map_err(|e| malformed(&format!("{what}: PBES2-params"), &e))?;
        let iterations = match &params.kdf {
            pkcs5::pbes2::Kdf::Pbkdf2(pbkdf2) => u64::from(pbkdf2.iteration_count),
            other => return Err(unsupported(&other.oid(), &format!("{what}: PBES2 KDF"))),
        };
        check_iterations(iterations, &format!("{what}: PBES2 PBKDF2"))?;
        self.charge(iterations)?;
        let mut buffer = Zeroizing::new(ciphertext.to_vec());
        match params.decrypt_in_place(self.password_utf8, &mut buffer) {
            Ok(plaintext) => {
                let len = plaintext.len();
                buffer.truncate(len);
                if validate(&buffer).is_ok() {
                    Ok(Ok(buffer))
                } else {
                    Ok(Err(DecryptFailure::BadPlaintext))
                }
            }
            Err(pkcs5::Error::DecryptFailed) => Ok(Err(DecryptFailure::BadKey)),
            Err(pkcs5::Error::UnsupportedAlgorithm { oid }) => Err(unsupported(
                &oid,
                &format!("{what}: PBES2 encryption scheme"),
            )),
            Err(pkcs5::Error::AlgorithmParametersInvalid { oid }) => Err(Pkcs12Error::Malformed(
                format!("{what}: invalid PBES2 parameters for {oid}"),
            )),
            Err(err) => Err(Pkcs12Error::Malformed(format!("{what}: PBES2: {err}"))),
        }
    }

    /// A legacy PKCS#12 PBE scheme, trying each BMPString form of the password.
    fn decrypt_legacy(
        &mut self,
        scheme: LegacyPbe,
        alg: &AlgorithmIdentifier<'_>,
        ciphertext: &[u8],
        what: &str,
        validate: Validate,
    ) -> Result<Attempt, Pkcs12Error> {
        let params_tlv = alg.parameters.ok_or_else(|| {
            Pkcs12Error::Malformed(format!("{what}: PKCS#12 PBE without parameters"))
        })?;
        let params: Pkcs12PbeParams = decode_ber(params_tlv.raw)
            .map_err(|e| malformed(&format!("{what}: pkcs-12PbeParams"), &e))?;
        check_iterations(params.iterations, &format!("{what}: PKCS#12 PBE"))?;
        if ciphertext.is_empty() || !ciphertext.len().is_multiple_of(8) {
            return Err(Pkcs12Error::Malformed(format!(
                "{what}: ciphertext length {} is not a positive multiple of the block size",
                ciphertext.len()
            )));
        }
        let mut failure = DecryptFailure::BadKey;
        for password in self.bmp_candidates.clone().iter() {
            // Key and IV derivations each cost `iterations`.
            self.charge(params.iterations.saturating_mul(2))?;
            if let Some(plaintext) = scheme.decrypt(
                password,
                params.salt.as_bytes(),
                params.iterations,
                ciphertext,
            ) {
                if validate(&plaintext).is_ok() {
                    return Ok(Ok(plaintext));
                }
                failure = DecryptFailure::BadPlaintext;
            }
        }
        Ok(Err(failure))
    }
}

/// The supported `pkcs-12PbeIds` schemes (all SHA-1 based, CBC mode, PKCS#7 padding).
#[derive(Clone, Copy, Debug)]
pub(super) enum LegacyPbe {
    /// `pbeWithSHAAnd3-KeyTripleDES-CBC`.
    Sha1TripleDes3Key,
    /// `pbeWithSHAAnd2-KeyTripleDES-CBC`.
    Sha1TripleDes2Key,
    /// `pbeWithSHAAnd128BitRC2-CBC`.
    Sha1Rc2_128,
    /// `pbeWithSHAAnd40BitRC2-CBC`.
    Sha1Rc2_40,
}

impl LegacyPbe {
    pub(super) fn from_oid(oid: &ObjectIdentifier) -> Option<Self> {
        Some(match *oid {
            oid::PBE_SHA1_3DES_3KEY => Self::Sha1TripleDes3Key,
            oid::PBE_SHA1_3DES_2KEY => Self::Sha1TripleDes2Key,
            oid::PBE_SHA1_RC2_128 => Self::Sha1Rc2_128,
            oid::PBE_SHA1_RC2_40 => Self::Sha1Rc2_40,
            _ => return None,
        })
    }

    /// Derived key length in bytes.
    fn key_len(self) -> usize {
        match self {
            Self::Sha1TripleDes3Key => 24,
            Self::Sha1TripleDes2Key | Self::Sha1Rc2_128 => 16,
            Self::Sha1Rc2_40 => 5,
        }
    }

    /// Derives key and IV from the BMPString `password` and decrypts `ciphertext`; `None` if
    /// the padding is wrong.
    pub(super) fn decrypt(
        self,
        password: &[u8],
        salt: &[u8],
        iterations: u64,
        ciphertext: &[u8],
    ) -> Option<Zeroizing<Vec<u8>>> {
        /// All these ciphers have 64-bit blocks.
        const IV_LEN: usize = 8;
        let key =
            HashAlg::Sha1.pkcs12_kdf(password, salt, KdfPurpose::Key, iterations, self.key_len());
        let iv = HashAlg::Sha1.pkcs12_kdf(password, salt, KdfPurpose::Iv, iterations, IV_LEN);
        let mut buffer = Zeroizing::new(ciphertext.to_vec());
        let plaintext_len = match self {
            Self::Sha1TripleDes3Key | Self::Sha1TripleDes2Key => {
                let mut key24 = Zeroizing::new([0u8; 24]);
                // 2-key triple DES is K1 K2 K1.
                for (dst, src) in key24.iter_mut().zip(key.iter().chain(key.iter())) {
                    *dst = *src;
                }
                let decryptor =
                    cbc::Decryptor::<des::TdesEde3>::new_from_slices(key24.as_slice(), &iv).ok()?;
                decryptor.decrypt_padded::<Pkcs7>(&mut buffer).ok()?.len()
            }
            Self::Sha1Rc2_128 | Self::Sha1Rc2_40 => {
                let effective_bits = key.len().saturating_mul(8);
                let cipher = rc2::Rc2::new_with_eff_key_len(&key, effective_bits);
                let decryptor =
                    cbc::Decryptor::<rc2::Rc2>::inner_iv_slice_init(cipher, &iv).ok()?;
                decryptor.decrypt_padded::<Pkcs7>(&mut buffer).ok()?.len()
            }
        };
        buffer.truncate(plaintext_len);
        Some(buffer)
    }
}
