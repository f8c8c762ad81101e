//! Password integrity: the `MacData` HMAC keyed with the [RFC 7292 Appendix B.2] KDF, and
//! PBMAC1 ([RFC 9579]) keyed with PBKDF2. The MAC is verified before anything is decrypted,
//! and its success fixes the password encoding used for the legacy PBE.
//!
//! [RFC 7292 Appendix B.2]: https://www.rfc-editor.org/rfc/rfc7292#appendix-B.2
//! [RFC 9579]: https://www.rfc-editor.org/rfc/rfc9579

use super::asn1::{AlgorithmIdentifier, MacData, Pbmac1Params, decode_ber};
use super::kdf::{HashAlg, KdfPurpose, with_hash};
use super::{Context, MAX_PBMAC1_KEY_LEN, Pkcs12Error, check_iterations, malformed, unsupported};
use crate::asn1::oid;
use digest::{KeyInit, Mac};
use hmac::{EagerHash, Hmac};
use zeroize::Zeroizing;

impl Context<'_> {
    /// Verifies `MacData` over the authSafe content octets.
    pub(super) fn verify_mac(
        &mut self,
        mac_data: &MacData<'_>,
        content: &[u8],
    ) -> Result<(), Pkcs12Error> {
        let alg = &mac_data.mac.digest_algorithm;
        let expected = mac_data.mac.digest.as_bytes();
        if alg.algorithm == oid::PBMAC1 {
            return self.verify_pbmac1(alg, expected, content);
        }
        let hash = HashAlg::from_digest_oid(&alg.algorithm)
            .ok_or_else(|| unsupported(&alg.algorithm, "MacData digest algorithm"))?;
        check_iterations(mac_data.iterations, "MacData")?;
        let salt = mac_data.mac_salt.as_bytes();

        let mut verified = None;
        for (index, password) in self.bmp_candidates.clone().iter().enumerate() {
            self.charge(mac_data.iterations)?;
            let key = hash.pkcs12_kdf(
                password,
                salt,
                KdfPurpose::Mac,
                mac_data.iterations,
                hash.output_len(),
            );
            if hash.hmac_verify(&key, content, expected) {
                verified = Some(index);
                break;
            }
        }
        let index = verified.ok_or(Pkcs12Error::WrongPassword)?;
        // Keep only the password form that the MAC proved right.
        let chosen = self.bmp_candidates.swap_remove(index);
        self.bmp_candidates = vec![chosen];
        self.mac_verified = true;
        Ok(())
    }

    /// Verifies a PBMAC1 MAC ([RFC 9579]): PBKDF2 over the UTF-8 password, then HMAC.
    ///
    /// [RFC 9579]: https://www.rfc-editor.org/rfc/rfc9579
    fn verify_pbmac1(
        &mut self,
        alg: &AlgorithmIdentifier<'_>,
        expected: &[u8],
        content: &[u8],
    ) -> Result<(), Pkcs12Error> {
        let params_tlv = alg
            .parameters
            .ok_or_else(|| Pkcs12Error::Malformed("PBMAC1: missing parameters".into()))?;
        let params: Pbmac1Params<'_> =
            decode_ber(params_tlv.raw).map_err(|e| malformed("PBMAC1-params", &e))?;

        let mac_hash =
            HashAlg::from_hmac_oid(&params.message_auth_scheme.algorithm).ok_or_else(|| {
                unsupported(
                    &params.message_auth_scheme.algorithm,
                    "PBMAC1 messageAuthScheme",
                )
            })?;

        let kdf = &params.key_derivation_func;
        if kdf.algorithm != oid::PBKDF2 {
            return Err(unsupported(&kdf.algorithm, "PBMAC1 keyDerivationFunc"));
        }
        let kdf_params_tlv = kdf
            .parameters
            .ok_or_else(|| Pkcs12Error::Malformed("PBMAC1 PBKDF2: missing parameters".into()))?;
        let kdf_params: pkcs5::pbes2::Pbkdf2Params =
            decode_ber(kdf_params_tlv.raw).map_err(|e| malformed("PBMAC1 PBKDF2-params", &e))?;
        let prf = HashAlg::from_pbkdf2_prf(kdf_params.prf).ok_or_else(|| {
            unsupported(
                &kdf_params.prf.oid(),
                "PBMAC1 PBKDF2 pseudo-random function",
            )
        })?;
        let iterations = u64::from(kdf_params.iteration_count);
        check_iterations(iterations, "PBMAC1 PBKDF2")?;
        // RFC 9579 requires keyLength; tolerate its absence with the HMAC output length.
        let key_len = match kdf_params.key_length {
            Some(len) => usize::from(len),
            None => mac_hash.output_len(),
        };
        if key_len == 0 || key_len > MAX_PBMAC1_KEY_LEN {
            return Err(Pkcs12Error::Malformed(format!(
                "PBMAC1 PBKDF2: unacceptable key length {key_len}"
            )));
        }
        self.charge(iterations)?;
        let mut key = Zeroizing::new(vec![0u8; key_len]);
        prf.pbkdf2(
            self.password_utf8,
            kdf_params.salt.as_ref(),
            iterations,
            &mut key,
        );
        if !mac_hash.hmac_verify(&key, content, expected) {
            return Err(Pkcs12Error::WrongPassword);
        }
        self.mac_verified = true;
        Ok(())
    }
}

impl HashAlg {
    /// Constant-time HMAC verification of `tag` over `data` under `key`.
    pub(super) fn hmac_verify(self, key: &[u8], data: &[u8], tag: &[u8]) -> bool {
        with_hash!(self, D => hmac_verify::<D>(key, data, tag))
    }
}

/// Constant-time HMAC verification (via `Mac::verify_slice`).
fn hmac_verify<D: EagerHash>(key: &[u8], data: &[u8], tag: &[u8]) -> bool
where
    Hmac<D>: KeyInit + Mac,
{
    match <Hmac<D> as KeyInit>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(data);
            mac.verify_slice(tag).is_ok()
        }
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asn1::tlv::tlv;
    use crate::signer::pkcs12::parse_pkcs12;

    /// A MAC-protected PFX with an empty AuthenticatedSafe, MAC key derived from the
    /// already-encoded `password` bytes.
    fn pfx_with_mac(password: &[u8]) -> Vec<u8> {
        let data_oid = hex::decode("2a864886f70d010701").unwrap();
        let auth_safe = tlv(0x30, &[]);
        let salt = [9u8; 8];
        let key = HashAlg::Sha1.pkcs12_kdf(password, &salt, KdfPurpose::Mac, 1, 20);
        let mut mac = <Hmac<sha1::Sha1> as KeyInit>::new_from_slice(&key).unwrap();
        mac.update(&auth_safe);
        let digest = mac.finalize().into_bytes();
        let sha1_alg = tlv(
            0x30,
            &[
                tlv(0x06, &hex::decode("2b0e03021a").unwrap()),
                tlv(0x05, &[]),
            ]
            .concat(),
        );
        let mac_data = tlv(
            0x30,
            &[
                tlv(0x30, &[sha1_alg, tlv(0x04, &digest)].concat()),
                tlv(0x04, &salt),
            ]
            .concat(),
        );
        let content_info = tlv(
            0x30,
            &[tlv(0x06, &data_oid), tlv(0xa0, &tlv(0x04, &auth_safe))].concat(),
        );
        tlv(0x30, &[tlv(0x02, &[3]), content_info, mac_data].concat())
    }

    /// A MAC made over an empty password given as *no bytes* (older OpenSSL "no password")
    /// verifies with `""`, and only with `""`.
    #[test]
    fn empty_password_without_terminator() {
        let pfx = pfx_with_mac(&[]);
        let contents = parse_pkcs12(&pfx, "").unwrap();
        assert!(contents.keys.is_empty() && contents.certificates.is_empty());
        assert!(matches!(
            parse_pkcs12(&pfx, "a"),
            Err(Pkcs12Error::WrongPassword)
        ));
    }

    /// OpenSSL < 1.1.0 widened each UTF-8 byte of the password ("\u{e7}" = C3 A7).
    #[test]
    fn non_ascii_password_legacy_widening() {
        let pfx = pfx_with_mac(&[0, 0x61, 0, 0xc3, 0, 0xa7, 0, 0]);
        parse_pkcs12(&pfx, "a\u{e7}").unwrap();
        assert!(matches!(
            parse_pkcs12(&pfx, "a\u{e8}"),
            Err(Pkcs12Error::WrongPassword)
        ));
        // The RFC 7292 form of the same password.
        let pfx = pfx_with_mac(&[0, 0x61, 0, 0xe7, 0, 0]);
        parse_pkcs12(&pfx, "a\u{e7}").unwrap();
    }
}
