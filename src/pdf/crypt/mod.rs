//! The standard security handler (ISO 32000-2 §7.6.4): the file key from a password (RC4
//! 40–128 bits, revisions 2–4; AES-128, `/CFM /AESV2`; AES-256, revisions 5 and 6,
//! `/AESV3`), and the decryption of the strings and streams of one object (§7.6.2–7.6.3).
//!
//! Not decrypted, as the standard says: the `/Encrypt` dictionary, cross-reference streams,
//! the `/Contents` of a signature dictionary (one with `/ByteRange`), the strings inside an
//! object stream (the stream is decrypted as a whole), and XMP metadata streams when
//! `/EncryptMetadata false`. Public-key security handlers (`/Adobe.PubSec`) are refused with
//! [`PdfError::EncryptionUnsupported`](super::PdfError::EncryptionUnsupported).
//!
//! - `key`: the file key and the password checks (algorithms 2, 2.A, 2.B, 6, 7, 11, 12);
//! - this file: the crypt filters and the object decryption (algorithm 1), and the
//!   encryption of the objects of an incremental update with the same file key (a fresh
//!   random IV per AES string or stream).

use super::object::{Dictionary, ObjRef, Object, StreamData};
use super::{PdfError, Result};
use aes::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit, block_padding::Pkcs7};
use md5::{Digest, Md5};
use rc4::{KeyInit, StreamCipher};

mod key;

/// How strings or streams are encrypted (a crypt filter's `/CFM`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method {
    /// Not encrypted (`/Identity`, `/CFM /None`).
    Identity,
    /// RC4 with an object key (`/V2`, or `/V` 1–2).
    Rc4,
    /// AES-128-CBC with an object key (`/AESV2`).
    Aes128,
    /// AES-256-CBC with the file key (`/AESV3`).
    Aes256,
}

/// What decrypts the objects of one file.
#[derive(Clone)]
pub(crate) struct Decryptor {
    key: Vec<u8>,
    strings: Method,
    streams: Method,
    encrypt_metadata: bool,
    /// The `/Encrypt` dictionary's own object, never decrypted.
    encrypt_ref: Option<ObjRef>,
    /// A short description for reports, e.g. `AES-128 (R4)`.
    pub(crate) description: String,
}

impl std::fmt::Debug for Decryptor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Decryptor")
            .field("description", &self.description)
            .finish()
    }
}

impl Decryptor {
    /// The decryptor of a file whose `/Encrypt` dictionary is `enc` (the object `encrypt_ref`
    /// when indirect), with `id0` the first `/ID` string and `password` the user or owner
    /// password (empty for the common owner-restricted documents).
    pub(crate) fn new(
        enc: &Dictionary,
        encrypt_ref: Option<ObjRef>,
        id0: &[u8],
        password: &[u8],
    ) -> Result<Self> {
        let unsupported = |d: String| PdfError::EncryptionUnsupported(d);
        match enc.get_name("Filter") {
            Some(b"Standard") => {}
            Some(f) => {
                return Err(unsupported(format!(
                    "security handler /{} (only the standard, password-based handler is supported; public-key encryption needs the recipient's private key)",
                    String::from_utf8_lossy(f)
                )));
            }
            None => return Err(unsupported("/Encrypt without /Filter".into())),
        }
        let v = enc.get_int("V").unwrap_or(0);
        let r = enc.get_int("R").unwrap_or(0);
        let (strings, streams) = match v {
            1 | 2 => (Method::Rc4, Method::Rc4),
            4 | 5 => (crypt_filter(enc, "StrF")?, crypt_filter(enc, "StmF")?),
            _ => return Err(unsupported(format!("/Encrypt /V {v}"))),
        };
        let encrypt_metadata = !matches!(enc.get("EncryptMetadata"), Some(Object::Boolean(false)));
        let key = key::file_key(enc, v, r, id0, password, encrypt_metadata)?;
        let description = format!(
            "{} (standard security handler, R{r})",
            match streams.max_by_strength(strings) {
                Method::Aes256 => "AES-256".to_string(),
                Method::Aes128 => "AES-128".to_string(),
                Method::Rc4 => format!("RC4 {}-bit", key.len() * 8),
                Method::Identity => "no cipher".to_string(),
            }
        );
        Ok(Decryptor {
            key,
            strings,
            streams,
            encrypt_metadata,
            encrypt_ref,
            description,
        })
    }

    /// Decrypts the strings of object `r` (and its stream data, `data`, when it is a stream
    /// whose data is given). Returns the object unchanged for the objects that are not
    /// encrypted.
    pub(crate) fn decrypt_object(&self, r: ObjRef, obj: &mut Object) -> Result<()> {
        if Some(r) == self.encrypt_ref {
            return Ok(());
        }
        if let Object::Stream(s) = obj
            && s.dict.get_name("Type") == Some(b"XRef")
        {
            return Ok(());
        }
        self.walk(r, obj, 0)
    }

    /// Decrypts the data of stream `r` with dictionary `dict`.
    pub(crate) fn decrypt_stream(
        &self,
        r: ObjRef,
        dict: &Dictionary,
        data: &[u8],
    ) -> Result<Vec<u8>> {
        let ty = dict.get_name("Type");
        if Some(r) == self.encrypt_ref || ty == Some(b"XRef") {
            return Ok(data.to_vec());
        }
        if ty == Some(b"Metadata") && !self.encrypt_metadata {
            return Ok(data.to_vec());
        }
        self.apply(self.streams, r, data)
    }

    /// Encrypts the strings of object `r` and, for a stream held in memory, its (already
    /// encoded) data, for writing `r` in an incremental update: the reverse of
    /// [`Decryptor::decrypt_object`] with the same exemptions.
    pub(crate) fn encrypt_object(&self, r: ObjRef, obj: &mut Object) -> Result<()> {
        if Some(r) == self.encrypt_ref {
            return Ok(());
        }
        if let Object::Stream(s) = obj {
            if s.dict.get_name("Type") == Some(b"XRef") {
                return Ok(());
            }
            if let Some(data) = s.memory_data() {
                let enc = if s.dict.get_name("Type") == Some(b"Metadata") && !self.encrypt_metadata
                {
                    data.to_vec()
                } else {
                    self.encrypt_with(self.streams, r, data)?
                };
                s.data = StreamData::Memory(enc);
            }
        }
        self.walk_with(r, obj, 0, Direction::Encrypt)
    }

    /// The bytes of a string of object `r` as written in an encrypted file (for serialisers
    /// that write the object themselves, such as the signature dictionary's).
    pub(crate) fn encrypt_string(&self, r: ObjRef, bytes: &[u8]) -> Result<Vec<u8>> {
        self.encrypt_with(self.strings, r, bytes)
    }

    fn walk(&self, r: ObjRef, obj: &mut Object, depth: usize) -> Result<()> {
        self.walk_with(r, obj, depth, Direction::Decrypt)
    }

    fn walk_with(&self, r: ObjRef, obj: &mut Object, depth: usize, dir: Direction) -> Result<()> {
        if depth > 64 {
            return Ok(());
        }
        match obj {
            Object::String(s) => {
                s.bytes = self.cipher(self.strings, r, &s.bytes, dir)?;
            }
            Object::Array(a) => {
                for o in a.iter_mut() {
                    self.walk_with(r, o, depth + 1, dir)?;
                }
            }
            Object::Dictionary(d) => self.walk_dict(r, d, depth, dir)?,
            Object::Stream(s) => self.walk_dict(r, &mut s.dict, depth, dir)?,
            _ => {}
        }
        Ok(())
    }

    fn walk_dict(&self, r: ObjRef, d: &mut Dictionary, depth: usize, dir: Direction) -> Result<()> {
        // A signature dictionary's /Contents is never encrypted (ISO 32000-2 §7.6.2).
        let is_sig = d.contains_key("ByteRange");
        for (k, v) in d.iter_mut() {
            if is_sig && k == b"Contents" {
                continue;
            }
            self.walk_with(r, v, depth + 1, dir)?;
        }
        Ok(())
    }

    fn encrypt_with(&self, m: Method, r: ObjRef, data: &[u8]) -> Result<Vec<u8>> {
        self.cipher(m, r, data, Direction::Encrypt)
    }

    fn apply(&self, m: Method, r: ObjRef, data: &[u8]) -> Result<Vec<u8>> {
        self.cipher(m, r, data, Direction::Decrypt)
    }

    /// Method `m` with object `r`'s key (the file key for AES-256), either way.
    fn cipher(&self, m: Method, r: ObjRef, data: &[u8], dir: Direction) -> Result<Vec<u8>> {
        let aes = match dir {
            Direction::Encrypt => aes_cbc_encrypt,
            Direction::Decrypt => aes_cbc_decrypt,
        };
        match m {
            Method::Identity => Ok(data.to_vec()),
            Method::Rc4 => Ok(rc4(&self.object_key(r, false), data)),
            Method::Aes128 => aes(&self.object_key(r, true), data),
            Method::Aes256 => aes(&self.key, data),
        }
    }

    /// Algorithm 1: the file key, the object number (3 bytes) and generation (2 bytes), and
    /// `sAlT` for AES, through MD5, cut to the key length + 5 (at most 16).
    fn object_key(&self, r: ObjRef, aes: bool) -> Vec<u8> {
        let mut h = Md5::new();
        h.update(&self.key);
        h.update(&r.num.to_le_bytes()[..3]);
        h.update(r.r#gen.to_le_bytes());
        if aes {
            h.update(b"sAlT");
        }
        let out = h.finalize();
        let n = (self.key.len() + 5).min(16);
        out.get(..n).unwrap_or(&out).to_vec()
    }
}

/// Which way [`Decryptor::walk_with`] goes.
#[derive(Debug, Clone, Copy)]
enum Direction {
    Decrypt,
    Encrypt,
}

impl Method {
    fn max_by_strength(self, other: Method) -> Method {
        let rank = |m: Method| match m {
            Method::Identity => 0,
            Method::Rc4 => 1,
            Method::Aes128 => 2,
            Method::Aes256 => 3,
        };
        if rank(other) > rank(self) {
            other
        } else {
            self
        }
    }
}

/// The method of the crypt filter `/StrF` or `/StmF` names (default `/Identity`).
fn crypt_filter(enc: &Dictionary, which: &str) -> Result<Method> {
    let name = match enc.get_name(which) {
        None | Some(b"Identity") => return Ok(Method::Identity),
        Some(n) => n,
    };
    let cf = enc
        .get("CF")
        .and_then(Object::as_dict)
        .and_then(|cf| cf.get(std::str::from_utf8(name).unwrap_or("")))
        .and_then(Object::as_dict)
        .ok_or_else(|| {
            PdfError::EncryptionUnsupported(format!(
                "/{which} names crypt filter /{} that /CF does not define",
                String::from_utf8_lossy(name)
            ))
        })?;
    match cf.get_name("CFM") {
        None | Some(b"None") => Ok(Method::Identity),
        Some(b"V2") => Ok(Method::Rc4),
        Some(b"AESV2") => Ok(Method::Aes128),
        Some(b"AESV3") => Ok(Method::Aes256),
        Some(m) => Err(PdfError::EncryptionUnsupported(format!(
            "crypt filter method /{}",
            String::from_utf8_lossy(m)
        ))),
    }
}

pub(super) fn rc4(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut out = data.to_vec();
    if let Ok(mut c) = rc4::Rc4::new_from_slice(key) {
        c.apply_keystream(&mut out);
    }
    out
}

/// AES-CBC with the IV in the first 16 bytes and PKCS#7 padding (128 or 256-bit key).
fn aes_cbc_decrypt(key: &[u8], data: &[u8]) -> Result<Vec<u8>> {
    let bad = || PdfError::Decode("AES-encrypted data is malformed (length or padding)".into());
    if data.is_empty() {
        return Ok(Vec::new());
    }
    let (iv, body) = data.split_at_checked(16).ok_or_else(bad)?;
    let mut buf = body.to_vec();
    let len = match key.len() {
        16 => cbc::Decryptor::<aes::Aes128>::new_from_slices(key, iv)
            .map_err(|_| bad())?
            .decrypt_padded::<Pkcs7>(&mut buf)
            .map_err(|_| bad())?
            .len(),
        32 => cbc::Decryptor::<aes::Aes256>::new_from_slices(key, iv)
            .map_err(|_| bad())?
            .decrypt_padded::<Pkcs7>(&mut buf)
            .map_err(|_| bad())?
            .len(),
        _ => return Err(bad()),
    };
    buf.truncate(len);
    Ok(buf)
}

/// AES-CBC with PKCS#7 padding and a random 16-byte IV written before the data (ISO 32000-2
/// §7.6.3), 128 or 256-bit key.
fn aes_cbc_encrypt(key: &[u8], data: &[u8]) -> Result<Vec<u8>> {
    let bad = || PdfError::InvalidArgument("AES key of a wrong length".into());
    let mut iv = [0u8; 16];
    getrandom::fill(&mut iv)
        .map_err(|e| PdfError::InvalidArgument(format!("no random IV for AES: {e}")))?;
    let body = match key.len() {
        16 => cbc::Encryptor::<aes::Aes128>::new_from_slices(key, &iv)
            .map_err(|_| bad())?
            .encrypt_padded_vec::<Pkcs7>(data),
        32 => cbc::Encryptor::<aes::Aes256>::new_from_slices(key, &iv)
            .map_err(|_| bad())?
            .encrypt_padded_vec::<Pkcs7>(data),
        _ => return Err(bad()),
    };
    let mut out = iv.to_vec();
    out.extend_from_slice(&body);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aes_round_trip_with_random_iv() {
        for key in [vec![7u8; 16], vec![9u8; 32]] {
            let a = aes_cbc_encrypt(&key, b"hello world").unwrap();
            let b = aes_cbc_encrypt(&key, b"hello world").unwrap();
            assert_ne!(a, b, "a fresh IV each time");
            assert_eq!(a.len(), 32);
            assert_eq!(aes_cbc_decrypt(&key, &a).unwrap(), b"hello world");
        }
    }
}
