//! The file key of the standard security handler from a password, checked against `/U`
//! (user password) or `/O` (owner password): algorithms 2, 6 and 7 (revisions 2–4), 2.A and
//! 2.B (revisions 5 and 6) of ISO 32000-2 §7.6.4.

use super::rc4;
use crate::pdf::object::{Dictionary, Object};
use crate::pdf::{PdfError, Result};
use aes::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit, block_padding::NoPadding};
use md5::{Digest, Md5};
use sha2::{Sha256, Sha384, Sha512};

/// The padding string of algorithm 2.
const PAD: [u8; 32] = [
    0x28, 0xBF, 0x4E, 0x5E, 0x4E, 0x75, 0x8A, 0x41, 0x64, 0x00, 0x4E, 0x56, 0xFF, 0xFA, 0x01, 0x08,
    0x2E, 0x2E, 0x00, 0xB6, 0xD0, 0x68, 0x3E, 0x80, 0x2F, 0x0C, 0xA9, 0xFE, 0x64, 0x53, 0x69, 0x7A,
];

fn bytes_of<'a>(enc: &'a Dictionary, key: &str) -> Result<&'a [u8]> {
    match enc.get(key) {
        Some(Object::String(s)) => Ok(&s.bytes),
        _ => Err(PdfError::EncryptionUnsupported(format!(
            "the /Encrypt dictionary has no /{key} string"
        ))),
    }
}

/// The file key for `password` (tried as the user password, then as the owner password).
pub(super) fn file_key(
    enc: &Dictionary,
    v: i64,
    r: i64,
    id0: &[u8],
    password: &[u8],
    encrypt_metadata: bool,
) -> Result<Vec<u8>> {
    let o = bytes_of(enc, "O")?;
    let u = bytes_of(enc, "U")?;
    let wrong = || PdfError::Password {
        detail: if password.is_empty() {
            "the document needs a user password (--password)".into()
        } else {
            "the password is neither the user nor the owner password".into()
        },
    };
    match r {
        2..=4 => {
            let len = match (v, r) {
                (1, _) | (_, 2) => 5,
                _ => enc
                    .get_int("Length")
                    .map_or(5, |l| usize::try_from(l / 8).unwrap_or(5))
                    .clamp(5, 16),
            };
            let len = if v == 4 { 16 } else { len };
            let p = enc.get_int("P").unwrap_or(0) as i32;
            let key_for = |pw: &[u8]| rc4_file_key(pw, o, p, id0, r, len, encrypt_metadata);
            let user_ok = |key: &[u8]| check_user_rc4(key, u, id0, r);
            let key = key_for(password);
            if user_ok(&key) {
                return Ok(key);
            }
            // Algorithm 7: the owner password decrypts /O into the user password.
            let user = owner_to_user(password, o, r, len);
            let key = key_for(&user);
            if user_ok(&key) {
                return Ok(key);
            }
            Err(wrong())
        }
        5 | 6 => {
            let pw = password.get(..127).unwrap_or(password);
            let (ue, oe) = (bytes_of(enc, "UE")?, bytes_of(enc, "OE")?);
            let (u_hash, u_val, u_key) = split48(u)?;
            let (o_hash, o_val, o_key) = split48(o)?;
            let u48 = u.get(..48).unwrap_or(u);
            if hash_r6(r, pw, u_val, &[]) == u_hash {
                return aes256_key(&hash_r6(r, pw, u_key, &[]), ue);
            }
            if hash_r6(r, pw, o_val, u48) == o_hash {
                return aes256_key(&hash_r6(r, pw, o_key, u48), oe);
            }
            Err(wrong())
        }
        _ => Err(PdfError::EncryptionUnsupported(format!(
            "standard security handler revision {r}"
        ))),
    }
}

/// Algorithm 2: the RC4 / AES-128 file key.
fn rc4_file_key(
    password: &[u8],
    o: &[u8],
    p: i32,
    id0: &[u8],
    r: i64,
    len: usize,
    encrypt_metadata: bool,
) -> Vec<u8> {
    let mut h = Md5::new();
    h.update(padded(password));
    h.update(o.get(..32).unwrap_or(o));
    h.update(p.to_le_bytes());
    h.update(id0);
    if r >= 4 && !encrypt_metadata {
        h.update([0xFF; 4]);
    }
    let mut key = h.finalize().to_vec();
    if r >= 3 {
        for _ in 0..50 {
            key = Md5::digest(key.get(..len).unwrap_or(&key)).to_vec();
        }
    }
    key.truncate(len);
    key
}

/// Algorithms 4 and 5 (the check of algorithm 6).
fn check_user_rc4(key: &[u8], u: &[u8], id0: &[u8], r: i64) -> bool {
    if r == 2 {
        return rc4(key, &PAD).as_slice() == u.get(..32).unwrap_or(u);
    }
    let mut h = Md5::new();
    h.update(PAD);
    h.update(id0);
    let mut x = rc4(key, &h.finalize());
    for i in 1..=19u8 {
        let k: Vec<u8> = key.iter().map(|b| b ^ i).collect();
        x = rc4(&k, &x);
    }
    x.get(..16) == u.get(..16)
}

/// Algorithm 7: the user password hidden in `/O` under the owner password.
fn owner_to_user(owner: &[u8], o: &[u8], r: i64, len: usize) -> Vec<u8> {
    let mut key = Md5::digest(padded(owner)).to_vec();
    if r >= 3 {
        for _ in 0..50 {
            key = Md5::digest(&key).to_vec();
        }
    }
    key.truncate(len);
    let mut x = o.get(..32).unwrap_or(o).to_vec();
    if r == 2 {
        return rc4(&key, &x);
    }
    for i in (0..=19u8).rev() {
        let k: Vec<u8> = key.iter().map(|b| b ^ i).collect();
        x = rc4(&k, &x);
    }
    x
}

fn padded(password: &[u8]) -> [u8; 32] {
    let mut out = PAD;
    let n = password.len().min(32);
    out[..n].copy_from_slice(&password[..n]);
    out[n..].copy_from_slice(&PAD[..32 - n]);
    out
}

/// `/U` or `/O` of revisions 5–6: hash (32), validation salt (8), key salt (8).
fn split48(x: &[u8]) -> Result<(&[u8], &[u8], &[u8])> {
    match (x.get(..32), x.get(32..40), x.get(40..48)) {
        (Some(a), Some(b), Some(c)) => Ok((a, b, c)),
        _ => Err(PdfError::EncryptionUnsupported(
            "/U or /O shorter than 48 bytes for an AES-256 handler".into(),
        )),
    }
}

/// Algorithm 2.A's hash: SHA-256 for revision 5, algorithm 2.B for revision 6.
fn hash_r6(r: i64, pw: &[u8], salt: &[u8], udata: &[u8]) -> Vec<u8> {
    let mut k = Sha256::new()
        .chain_update(pw)
        .chain_update(salt)
        .chain_update(udata)
        .finalize()
        .to_vec();
    if r == 5 {
        return k;
    }
    let mut i: u32 = 0;
    loop {
        let mut k1 = Vec::with_capacity(64 * (pw.len() + k.len() + udata.len()));
        for _ in 0..64 {
            k1.extend_from_slice(pw);
            k1.extend_from_slice(&k);
            k1.extend_from_slice(udata);
        }
        let (Some(key), Some(iv)) = (k.get(..16), k.get(16..32)) else {
            return k;
        };
        let Ok(enc) = cbc::Encryptor::<aes::Aes128>::new_from_slices(key, iv) else {
            return k;
        };
        let len = k1.len();
        let e = match enc.encrypt_padded::<NoPadding>(&mut k1, len) {
            Ok(e) => e.to_vec(),
            Err(_) => return k,
        };
        let m = e
            .get(..16)
            .unwrap_or(&[])
            .iter()
            .map(|&b| u32::from(b))
            .sum::<u32>()
            % 3;
        k = match m {
            0 => Sha256::digest(&e).to_vec(),
            1 => Sha384::digest(&e).to_vec(),
            _ => Sha512::digest(&e).to_vec(),
        };
        i += 1;
        let last = u32::from(e.last().copied().unwrap_or(0));
        if i >= 64 && last <= i - 32 {
            break;
        }
    }
    k.truncate(32);
    k
}

/// The file key: `/UE` or `/OE` decrypted with AES-256, no IV (zero) and no padding.
fn aes256_key(intermediate: &[u8], wrapped: &[u8]) -> Result<Vec<u8>> {
    let bad = || PdfError::EncryptionUnsupported("/UE or /OE is not 32 bytes".into());
    let mut buf = wrapped.get(..32).ok_or_else(bad)?.to_vec();
    let dec = cbc::Decryptor::<aes::Aes256>::new_from_slices(intermediate, &[0u8; 16])
        .map_err(|_| bad())?;
    let out = dec
        .decrypt_padded::<NoPadding>(&mut buf)
        .map_err(|_| bad())?;
    Ok(out.to_vec())
}
