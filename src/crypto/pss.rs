//! RSASSA-PSS verification with any RFC 4055 parameter set (RFC 8017 §8.1.2 and §9.1.2):
//! the message hash, the MGF1 hash and the salt length are independent, which the `rsa` crate's
//! `Pss` (one digest for both) cannot express. The raw RSA public operation is the `rsa`
//! crate's; the encoding check is here, step by step as the RFC numbers them.

use super::VerifyError;
use crate::alg::{DigestAlgorithm, PssParameters};
use rsa::BoxedUint;
use rsa::traits::PublicKeyParts;

/// Verifies an RSASSA-PSS `signature` with the parameters `params` over a message whose hash
/// (with `params.digest`) is `m_hash`.
pub(super) fn verify_pss(
    key: &rsa::PublicKey,
    params: PssParameters,
    m_hash: &[u8],
    signature: &[u8],
) -> Result<(), VerifyError> {
    let bad = || VerifyError::BadSignature;
    // RFC 8017 §8.1.2 step 1: the signature is k octets.
    if signature.len() != key.size() {
        return Err(bad());
    }
    // Step 2: s = OS2IP(S) < n, m = s^e mod n, EM = I2OSP(m, emLen).
    let s = BoxedUint::from_be_slice(signature, key.n_bits_precision()).map_err(|_| bad())?;
    if s >= *key.n().as_ref() {
        return Err(bad());
    }
    let m = rsa::hazmat::rsa_encrypt(key, &s).map_err(|_| bad())?;
    let mod_bits = key.n().as_ref().bit_width_vartime() as usize;
    let em_bits = mod_bits.checked_sub(1).ok_or_else(bad)?;
    let em_len = em_bits.div_ceil(8);
    let m_bytes = m.to_be_bytes();
    let split = m_bytes.len().checked_sub(em_len).ok_or_else(bad)?;
    let (high, em) = m_bytes.split_at(split);
    if high.iter().any(|b| *b != 0) {
        return Err(bad());
    }
    let salt_len = usize::try_from(params.salt_len).map_err(|_| bad())?;
    emsa_pss_verify(
        m_hash,
        em,
        em_bits,
        params.digest,
        params.mgf_digest,
        salt_len,
    )
}

/// EMSA-PSS-VERIFY (RFC 8017 §9.1.2) from step 2 on (`m_hash` is mHash).
fn emsa_pss_verify(
    m_hash: &[u8],
    em: &[u8],
    em_bits: usize,
    digest: DigestAlgorithm,
    mgf_digest: DigestAlgorithm,
    salt_len: usize,
) -> Result<(), VerifyError> {
    let bad = || VerifyError::BadSignature;
    let h_len = digest.output_len();
    let em_len = em.len();
    // Step 2 and 3.
    if m_hash.len() != h_len {
        return Err(bad());
    }
    let needed = h_len
        .checked_add(salt_len)
        .and_then(|n| n.checked_add(2))
        .ok_or_else(bad)?;
    if em_len < needed {
        return Err(bad());
    }
    // Step 4: the trailer 0xbc. Step 5: maskedDB || H || 0xbc.
    let (rest, trailer) = em.split_at(em_len - 1);
    if trailer != [0xbc] {
        return Err(bad());
    }
    let db_len = em_len - h_len - 1;
    let (masked_db, h) = rest.split_at(db_len);
    // Step 6: the 8·emLen − emBits leftmost bits are zero.
    let unused_bits = 8 * em_len - em_bits;
    let top_mask: u8 = 0xffu8.checked_shl(8 - unused_bits as u32).unwrap_or(0);
    if masked_db.first().is_some_and(|b| b & top_mask != 0) {
        return Err(bad());
    }
    // Steps 7–9: DB = maskedDB ⊕ MGF1(H), leftmost bits cleared.
    let mask = mgf1(mgf_digest, h, db_len);
    let mut db: Vec<u8> = masked_db.iter().zip(&mask).map(|(a, b)| a ^ b).collect();
    if let Some(first) = db.first_mut() {
        *first &= !top_mask;
    }
    // Step 10: PS (zeros) || 0x01 || salt.
    let ps_len = em_len - h_len - salt_len - 2;
    let (ps, one_and_salt) = db.split_at(ps_len);
    if ps.iter().any(|b| *b != 0) || one_and_salt.first() != Some(&0x01) {
        return Err(bad());
    }
    // Steps 11–14: H' = Hash(0x00 × 8 || mHash || salt) equals H.
    let salt = one_and_salt.get(1..).unwrap_or_default();
    let mut hasher = digest.hasher();
    hasher.update(&[0u8; 8]);
    hasher.update(m_hash);
    hasher.update(salt);
    if hasher.finalize() == h {
        Ok(())
    } else {
        Err(bad())
    }
}

/// MGF1 (RFC 8017 §B.2.1): `len` bytes of Hash(seed || counter) blocks.
fn mgf1(hash: DigestAlgorithm, seed: &[u8], len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + hash.output_len());
    let mut counter: u32 = 0;
    while out.len() < len {
        let mut h = hash.hasher();
        h.update(seed);
        h.update(&counter.to_be_bytes());
        out.extend(h.finalize());
        counter = counter.wrapping_add(1);
    }
    out.truncate(len);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mgf1_sha1_known_answer() {
        // MGF1-SHA-1("foo", 3) = 1ac907 (the classic PKCS #1 test).
        assert_eq!(
            hex::encode(mgf1(DigestAlgorithm::Sha1, b"foo", 3)),
            "1ac907"
        );
        assert_eq!(
            hex::encode(mgf1(DigestAlgorithm::Sha1, b"bar", 5)),
            "bc0c655e01"
        );
    }

    #[test]
    fn short_or_malformed_encodings_fail() {
        let h = [0u8; 32];
        let d = DigestAlgorithm::Sha256;
        // Too short for hLen + sLen + 2.
        assert!(emsa_pss_verify(&h, &[0xbc; 40], 319, d, d, 32).is_err());
        // Wrong trailer.
        assert!(emsa_pss_verify(&h, &[0u8; 128], 1023, d, d, 32).is_err());
        // Huge salt length.
        assert!(emsa_pss_verify(&h, &[0xbc; 128], 1023, d, d, usize::MAX).is_err());
        // Wrong mHash length.
        assert!(emsa_pss_verify(&h[..20], &[0xbc; 128], 1023, d, d, 32).is_err());
    }
}
