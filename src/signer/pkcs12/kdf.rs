//! The hash functions a PFX may name, and the key derivations: the PKCS#12 KDF of
//! [RFC 7292 Appendix B] (legacy PBE keys and IVs, `MacData` keys) and PBKDF2 (RFC 8018, for
//! PBMAC1). Derived keys are zeroized when dropped.
//!
//! [RFC 7292 Appendix B]: https://www.rfc-editor.org/rfc/rfc7292#appendix-B

use crate::asn1::oid;
use der::asn1::ObjectIdentifier;
use digest::{Digest, KeyInit, Mac, block_api::BlockSizeUser};
use hmac::{EagerHash, Hmac};
use zeroize::{Zeroize, Zeroizing};

/// Hash functions usable for the MAC and PBKDF2.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum HashAlg {
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
    Sha512_224,
    Sha512_256,
}

/// Runs `$body` with the type alias `$d` bound to the hash type of the [`HashAlg`] `$alg`.
macro_rules! with_hash {
    ($alg:expr, $d:ident => $body:expr) => {
        $crate::alg::match_hash!($alg, $d => $body;
            HashAlg::Sha1 = sha1::Sha1,
            HashAlg::Sha224 = sha2::Sha224,
            HashAlg::Sha256 = sha2::Sha256,
            HashAlg::Sha384 = sha2::Sha384,
            HashAlg::Sha512 = sha2::Sha512,
            HashAlg::Sha512_224 = sha2::Sha512_224,
            HashAlg::Sha512_256 = sha2::Sha512_256)
    };
}
pub(super) use with_hash;

impl HashAlg {
    /// From a digest algorithm OID (`MacData`).
    pub(super) fn from_digest_oid(oid: &ObjectIdentifier) -> Option<Self> {
        Some(match *oid {
            oid::SHA1 => Self::Sha1,
            oid::SHA224 => Self::Sha224,
            oid::SHA256 => Self::Sha256,
            oid::SHA384 => Self::Sha384,
            oid::SHA512 => Self::Sha512,
            oid::SHA512_224 => Self::Sha512_224,
            oid::SHA512_256 => Self::Sha512_256,
            _ => return None,
        })
    }

    /// From an HMAC algorithm OID (PBMAC1 `messageAuthScheme`).
    pub(super) fn from_hmac_oid(oid: &ObjectIdentifier) -> Option<Self> {
        Some(match *oid {
            oid::HMAC_SHA1 => Self::Sha1,
            oid::HMAC_SHA224 => Self::Sha224,
            oid::HMAC_SHA256 => Self::Sha256,
            oid::HMAC_SHA384 => Self::Sha384,
            oid::HMAC_SHA512 => Self::Sha512,
            oid::HMAC_SHA512_224 => Self::Sha512_224,
            oid::HMAC_SHA512_256 => Self::Sha512_256,
            _ => return None,
        })
    }

    /// From a PBKDF2 PRF.
    pub(super) fn from_pbkdf2_prf(prf: pkcs5::pbes2::Pbkdf2Prf) -> Option<Self> {
        Self::from_hmac_oid(&prf.oid())
    }

    /// Output length in bytes.
    pub(super) fn output_len(self) -> usize {
        with_hash!(self, D => <D as Digest>::output_size())
    }

    /// The PKCS#12 key derivation function ([RFC 7292 Appendix B.2]) with this hash;
    /// `password` is the already BMPString-encoded password.
    ///
    /// [RFC 7292 Appendix B.2]: https://www.rfc-editor.org/rfc/rfc7292#appendix-B.2
    pub(super) fn pkcs12_kdf(
        self,
        password: &[u8],
        salt: &[u8],
        purpose: KdfPurpose,
        iterations: u64,
        out_len: usize,
    ) -> Zeroizing<Vec<u8>> {
        let v = with_hash!(self, D => <D as BlockSizeUser>::block_size());
        // 1. D = v copies of ID.
        let diversifier = vec![purpose.id(); v];
        // 2.-4. I = S || P, each repeated to a multiple of v bytes.
        let mut input = Zeroizing::new(Vec::new());
        pkcs12_kdf_fill(salt, v, &mut input);
        pkcs12_kdf_fill(password, v, &mut input);

        let mut out = Zeroizing::new(Vec::with_capacity(out_len));
        let mut block = Zeroizing::new(Vec::<u8>::with_capacity(v));
        while out.len() < out_len {
            // 6a. A = H^r(D || I).
            let a = with_hash!(self, D => iterated_hash::<D>(&diversifier, &input, iterations));
            let wanted = out_len.saturating_sub(out.len());
            out.extend(a.iter().take(wanted));
            if out.len() >= out_len {
                break;
            }
            // 6b. B = A repeated to v bytes; 6c. I_j = (I_j + B + 1) mod 2^(8v) for each block.
            block.clear();
            block.extend(a.iter().cycle().take(v));
            for chunk in input.chunks_exact_mut(v) {
                let mut carry = 1u16;
                for (x, y) in chunk.iter_mut().rev().zip(block.iter().rev()) {
                    let sum = u16::from(*x) + u16::from(*y) + carry;
                    *x = sum.to_be_bytes()[1];
                    carry = sum >> 8;
                }
            }
        }
        block.zeroize();
        out
    }

    /// PBKDF2 with HMAC over this hash, filling `out`.
    pub(super) fn pbkdf2(self, password: &[u8], salt: &[u8], iterations: u64, out: &mut [u8]) {
        with_hash!(self, D => pbkdf2_hmac::<D>(password, salt, iterations, out))
    }
}

/// The diversifier `ID` of the PKCS#12 KDF (RFC 7292 Appendix B.3).
#[derive(Clone, Copy, Debug)]
pub(super) enum KdfPurpose {
    /// ID 1: key material for encryption or decryption.
    Key,
    /// ID 2: an initialization vector.
    Iv,
    /// ID 3: an integrity (MAC) key.
    Mac,
}

impl KdfPurpose {
    fn id(self) -> u8 {
        match self {
            Self::Key => 1,
            Self::Iv => 2,
            Self::Mac => 3,
        }
    }
}

/// Repeats `src` to fill `block_len * ceil(len / block_len)` bytes (empty for empty `src`).
fn pkcs12_kdf_fill(src: &[u8], block_len: usize, out: &mut Vec<u8>) {
    if src.is_empty() || block_len == 0 {
        return;
    }
    let len = src.len().div_ceil(block_len).saturating_mul(block_len);
    out.extend(src.iter().cycle().take(len));
}

/// `H^r(D || I)` of the PKCS#12 KDF: the digest of `diversifier || input`, hashed again until
/// `iterations` hashes were made (intermediate values zeroized).
fn iterated_hash<D: Digest>(
    diversifier: &[u8],
    input: &[u8],
    iterations: u64,
) -> Zeroizing<Vec<u8>> {
    let mut hasher = D::new();
    hasher.update(diversifier);
    hasher.update(input);
    let mut a = hasher.finalize();
    for _ in 1..iterations {
        let next = D::digest(a.as_slice());
        a.as_mut_slice().zeroize();
        a = next;
    }
    let out = Zeroizing::new(a.to_vec());
    a.as_mut_slice().zeroize();
    out
}

/// PBKDF2 (RFC 8018 Section 5.2) with HMAC over `D`.
fn pbkdf2_hmac<D: EagerHash>(password: &[u8], salt: &[u8], iterations: u64, out: &mut [u8])
where
    Hmac<D>: KeyInit + Mac + Clone,
{
    let Ok(prf) = <Hmac<D> as KeyInit>::new_from_slice(password) else {
        // HMAC accepts keys of any length; unreachable in practice. Leave `out` zeroed so the
        // MAC check fails.
        out.zeroize();
        return;
    };
    let block_len = <D as Digest>::output_size();
    for (index, chunk) in out.chunks_mut(block_len).enumerate() {
        let block_number = u32::try_from(index).unwrap_or(u32::MAX).wrapping_add(1);
        let mut mac = prf.clone();
        mac.update(salt);
        mac.update(&block_number.to_be_bytes());
        let mut u = mac.finalize().into_bytes();
        let mut t = Zeroizing::new(u.to_vec());
        for _ in 1..iterations {
            let mut mac = prf.clone();
            mac.update(u.as_slice());
            let next = mac.finalize().into_bytes();
            u.as_mut_slice().zeroize();
            u = next;
            for (acc, byte) in t.iter_mut().zip(u.iter()) {
                *acc ^= byte;
            }
        }
        u.as_mut_slice().zeroize();
        for (dst, src) in chunk.iter_mut().zip(t.iter()) {
            *dst = *src;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        hex::decode(s).expect("hex")
    }

    /// Known answers computed with `openssl kdf ... PKCS12KDF` (which takes the password
    /// bytes as given, without BMPString conversion).
    #[test]
    fn pkcs12_kdf_known_answers() {
        let smeg_bmp = hex("0073006d006500670000");
        let salt = hex("0A58CF64530D823F");
        let key = HashAlg::Sha1.pkcs12_kdf(&smeg_bmp, &salt, KdfPurpose::Key, 1, 24);
        assert_eq!(
            *key,
            hex("8AAAE6297B6CB04642AB5B077851284EB7128F1A2A7FBCA3")
        );
        let iv = HashAlg::Sha1.pkcs12_kdf(&smeg_bmp, &salt, KdfPurpose::Iv, 1, 8);
        assert_eq!(*iv, hex("79993DFE048D3B76"));
        let key = HashAlg::Sha1.pkcs12_kdf(b"smeg", &salt, KdfPurpose::Key, 1, 24);
        assert_eq!(
            *key,
            hex("CDF5D700BDB714FDC96A189DB3ACC281BE29A33E39FACB89")
        );
        let mac = HashAlg::Sha1.pkcs12_kdf(&[0, 0], &salt, KdfPurpose::Mac, 1000, 20);
        assert_eq!(*mac, hex("FE0102CCDECF41A421E52AA30C0AF4507F15908D"));
        let mac = HashAlg::Sha256.pkcs12_kdf(
            b"123456",
            &hex("e241f01650dbeae4"),
            KdfPurpose::Mac,
            2048,
            32,
        );
        assert_eq!(
            *mac,
            hex("754BFAC21290D4963849B45B47987B52D6FD48E6B6B3E9901F907B9BB1538DB0")
        );
        let iv = HashAlg::Sha512.pkcs12_kdf(b"sigform", &hex("0102030405"), KdfPurpose::Iv, 3, 37);
        assert_eq!(
            *iv,
            hex("11F110F916C90265C315969679E8002765B8AD17FFE505E908A8C7E6AF746AC1514C782AB0")
        );
    }

    /// RFC 6070 and `openssl kdf ... PBKDF2`.
    #[test]
    fn pbkdf2_known_answers() {
        let mut out = [0u8; 20];
        HashAlg::Sha1.pbkdf2(b"password", b"salt", 2, &mut out);
        assert_eq!(
            out.to_vec(),
            hex("EA6C014DC72D6F8CCD1ED92ACE1D41F0D8DE8957")
        );
        let mut out = [0u8; 40];
        HashAlg::Sha256.pbkdf2(b"password", b"salt", 3, &mut out);
        assert_eq!(
            out.to_vec(),
            hex("AD35240AC683FEBFAF3CD49D845473FBBBAA2437F5F82D5A415AE00AC76C6BFCCF9A9B8D6D2FE4A1")
        );
    }
}
