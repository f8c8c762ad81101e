//! PKCS#12 / PFX reader ([RFC 7292]).
//!
//! The parts: `asn1` (the RFC 7292 structures and OIDs, `der` derives, raw values as
//! `asn1::tlv::Tlv`), `mac` (password integrity: `MacData` and PBMAC1), `bags` (the
//! `AuthenticatedSafe`, `SafeContents`, `SafeBag`s and their attributes), `pbe` (decryption:
//! PBES2 through `pkcs5` and the legacy 3DES / RC2 schemes) and `kdf` (the hash functions, the
//! RFC 7292 Appendix B key derivation and PBKDF2). This file holds the public API, the limits
//! and the per-parse `Context` the parts share.
//!
//! [`parse_pkcs12`] opens a password-protected PKCS#12 file (`.p12` / `.pfx`, the "A1"
//! certificate format) and returns the private keys (as unencrypted PKCS#8 `PrivateKeyInfo`
//! DER) and the X.509 certificates it contains, with their `friendlyName` and `localKeyId`
//! bag attributes.
//!
//! Supported:
//!
//! - password integrity mode: `MacData` with HMAC-SHA-1/-224/-256/-384/-512 (and SHA-512/224,
//!   SHA-512/256) keyed with the [RFC 7292 Appendix B.2] KDF, and PBMAC1 ([RFC 9579]) with
//!   PBKDF2. The MAC is verified *before* anything is decrypted. Files without `MacData` are
//!   accepted unless [`Pkcs12Options::require_mac`] is set;
//! - password privacy mode: `encryptedData` content and `pkcs8ShroudedKeyBag`s encrypted with
//!   PBES2 (PBKDF2 with HMAC-SHA-1/-224/-256/-384/-512; AES-128/192/256-CBC, DES-EDE3-CBC,
//!   via the `pkcs5` crate) or with the legacy PKCS#12 PBE schemes of [RFC 7292 Appendix C]
//!   (`pbeWithSHAAnd3-KeyTripleDES-CBC`, `pbeWithSHAAnd2-KeyTripleDES-CBC`,
//!   `pbeWithSHAAnd128BitRC2-CBC`, `pbeWithSHAAnd40BitRC2-CBC`);
//! - `keyBag`, `pkcs8ShroudedKeyBag`, `certBag` (`x509Certificate`) and nested
//!   `safeContentsBag` (up to [`MAX_NESTING_DEPTH`] levels); `crlBag`, `secretBag`,
//!   `sdsiCertificate` and unknown bag types are skipped;
//! - BER indefinite-length encodings (as written by some Windows and Java tools) for the
//!   structural layers, including constructed (segmented) `OCTET STRING`s with indefinite
//!   length.
//!
//! Not supported (reported as [`Pkcs12Error::UnsupportedAlgorithm`]): public-key integrity mode
//! (`signedData` authSafe), public-key privacy mode (`envelopedData`), scrypt and other
//! non-PBKDF2 key derivation functions, and any other cipher.
//!
//! Passwords: the legacy KDF and the MAC use the password as a big-endian BMPString with a
//! terminating NUL (two zero bytes), as [RFC 7292 Appendix B.1] specifies; PBES2 and PBMAC1
//! use the UTF-8 bytes of the password, as OpenSSL does. Like OpenSSL, the MAC (and, without a
//! MAC, the legacy PBE) is also tried with two historical encodings: for the empty password an
//! empty byte string (files made with "no password"), and for a non-ASCII password each UTF-8
//! byte widened to 16 bits (files made by OpenSSL before 1.1.0).
//!
//! The input is treated as hostile: it is size-limited ([`MAX_INPUT_LEN`]), iteration counts
//! are bounded ([`MAX_ITERATIONS`] each, with a total work budget), the number of bags is
//! bounded ([`MAX_BAGS`]), nesting is bounded, and nothing in this module panics on any input.
//! Derived keys and decrypted buffers are zeroized when dropped.
//!
//! [RFC 7292]: https://www.rfc-editor.org/rfc/rfc7292
//! [RFC 7292 Appendix B.1]: https://www.rfc-editor.org/rfc/rfc7292#appendix-B.1
//! [RFC 7292 Appendix B.2]: https://www.rfc-editor.org/rfc/rfc7292#appendix-B.2
//! [RFC 7292 Appendix C]: https://www.rfc-editor.org/rfc/rfc7292#appendix-C
//! [RFC 9579]: https://www.rfc-editor.org/rfc/rfc9579

mod asn1;
mod bags;
mod kdf;
mod mac;
mod pbe;

use crate::asn1::oid;
use asn1::{Pfx, probe_pfx_version};
use core::fmt;
use der::Decode;
use der::asn1::{ObjectIdentifier, OctetString};
use zeroize::Zeroizing;

// ---------------------------------------------------------------------------------------------
// Limits
// ---------------------------------------------------------------------------------------------

/// Largest accepted PKCS#12 file, in bytes (16 MiB).
pub const MAX_INPUT_LEN: usize = 16 * 1024 * 1024;

/// Largest accepted iteration count for one MAC or key-derivation operation.
pub const MAX_ITERATIONS: u64 = 10_000_000;

/// Largest accepted sum of the iteration counts of all key derivations done for one file
/// (MAC, and every decryption, including retries for the empty password).
pub const MAX_TOTAL_ITERATIONS: u64 = 20_000_000;

/// Largest accepted number of `SafeBag`s in one file (all `SafeContents`, nested included,
/// counting skipped bags).
pub const MAX_BAGS: usize = 64;

/// Largest accepted number of `ContentInfo`s in the `AuthenticatedSafe`.
pub const MAX_CONTENT_INFOS: usize = 64;

/// Largest accepted number of attributes on one `SafeBag`.
pub const MAX_BAG_ATTRIBUTES: usize = 32;

/// Largest accepted nesting depth of `safeContentsBag`s.
pub const MAX_NESTING_DEPTH: usize = 4;

/// Largest accepted PBKDF2 output length for a PBMAC1 key, in bytes.
const MAX_PBMAC1_KEY_LEN: usize = 256;

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

/// Errors from reading a PKCS#12 file.
///
/// Messages never contain secret material (passwords, keys, decrypted bytes).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Pkcs12Error {
    /// The input is not a well-formed PKCS#12 structure. The message names the structure
    /// that failed to parse.
    #[error("malformed data: {0}")]
    Malformed(String),

    /// The PFX `version` is not 3.
    #[error("unsupported PFX version {0} (only version 3 is defined)")]
    UnsupportedVersion(u64),

    /// The password is wrong: MAC verification failed, or (for files without a MAC, or whose
    /// contents are encrypted under a different password than the MAC) decryption failed.
    #[error("wrong password (MAC verification or decryption failed)")]
    WrongPassword,

    /// The file has no `MacData` but [`Pkcs12Options::require_mac`] was set.
    #[error("the file has no MAC (password integrity protection) but one is required")]
    MissingMac,

    /// An algorithm or content type this reader does not implement. The message has the OID
    /// in dotted form and what it was used for.
    #[error("unsupported algorithm or content type: {0}")]
    UnsupportedAlgorithm(String),

    /// The file contains no private key (returned by [`Pkcs12Contents::key`], not by the
    /// parser itself: certificate-only files parse successfully).
    #[error("the file contains no private key")]
    NoPrivateKey,

    /// A resource bound was exceeded (input size, iteration count, number of bags, nesting).
    #[error("limit exceeded: {0}")]
    TooLarge(String),
}

/// Everything read from a PKCS#12 file, in file order.
#[derive(Debug, Clone, Default)]
pub struct Pkcs12Contents {
    /// Private keys, from `keyBag`s and (decrypted) `pkcs8ShroudedKeyBag`s.
    pub keys: Vec<Pkcs12Key>,
    /// X.509 certificates from `certBag`s (end-entity and chain certificates alike).
    pub certificates: Vec<Pkcs12Cert>,
}

impl Pkcs12Contents {
    /// The first private key in the file.
    ///
    /// # Errors
    /// [`Pkcs12Error::NoPrivateKey`] if the file has no key bag.
    pub fn key(&self) -> Result<&Pkcs12Key, Pkcs12Error> {
        self.keys.first().ok_or(Pkcs12Error::NoPrivateKey)
    }

    /// The certificate whose `localKeyId` attribute equals `key`'s, if both have one.
    ///
    /// This is how PKCS#12 files tie a key to its certificate; the remaining certificates are
    /// usually the chain.
    #[must_use]
    pub fn certificate_for(&self, key: &Pkcs12Key) -> Option<&Pkcs12Cert> {
        let id = key.local_key_id.as_deref()?;
        self.certificates
            .iter()
            .find(|cert| cert.local_key_id.as_deref() == Some(id))
    }
}

/// A private key read from a `keyBag` or `pkcs8ShroudedKeyBag`.
#[derive(Clone)]
pub struct Pkcs12Key {
    /// The unencrypted PKCS#8 `PrivateKeyInfo` (RFC 5208 / `OneAsymmetricKey`, RFC 5958) in
    /// DER, zeroized on drop.
    pub pkcs8_der: Zeroizing<Vec<u8>>,
    /// The `localKeyId` bag attribute (PKCS#9), usually matching one certificate.
    pub local_key_id: Option<Vec<u8>>,
    /// The `friendlyName` bag attribute (PKCS#9 BMPString), decoded.
    pub friendly_name: Option<String>,
}

impl fmt::Debug for Pkcs12Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pkcs12Key")
            .field(
                "pkcs8_der",
                &format_args!("<{} bytes redacted>", self.pkcs8_der.len()),
            )
            .field("local_key_id", &self.local_key_id)
            .field("friendly_name", &self.friendly_name)
            .finish()
    }
}

/// An X.509 certificate read from a `certBag`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pkcs12Cert {
    /// The certificate, as stored in the bag (DER `Certificate`).
    pub der: Vec<u8>,
    /// The `localKeyId` bag attribute (PKCS#9), set on the certificate that goes with a key.
    pub local_key_id: Option<Vec<u8>>,
    /// The `friendlyName` bag attribute (PKCS#9 BMPString), decoded.
    pub friendly_name: Option<String>,
}

/// Options for [`parse_pkcs12_with_options`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Pkcs12Options {
    /// Reject files without `MacData` with [`Pkcs12Error::MissingMac`] (default: `false`,
    /// such files are accepted and only decryption checks the password).
    pub require_mac: bool,
}

impl Pkcs12Options {
    /// The default options: a MAC is verified when present but not required.
    #[must_use]
    pub const fn new() -> Self {
        Self { require_mac: false }
    }

    /// Sets [`Pkcs12Options::require_mac`].
    #[must_use]
    pub const fn with_require_mac(mut self, require_mac: bool) -> Self {
        self.require_mac = require_mac;
        self
    }
}

/// Parses a PKCS#12 (PFX) file, verifying its MAC and decrypting its contents with `password`.
///
/// Equivalent to [`parse_pkcs12_with_options`] with [`Pkcs12Options::new`]: a file without a
/// MAC is accepted.
///
/// # Errors
/// See [`Pkcs12Error`]: [`Pkcs12Error::WrongPassword`] for a wrong password,
/// [`Pkcs12Error::Malformed`] for anything that is not a valid PKCS#12 file,
/// [`Pkcs12Error::UnsupportedAlgorithm`] / [`Pkcs12Error::UnsupportedVersion`] for valid but
/// unsupported files and [`Pkcs12Error::TooLarge`] when a resource limit is exceeded.
pub fn parse_pkcs12(data: &[u8], password: &str) -> Result<Pkcs12Contents, Pkcs12Error> {
    parse_pkcs12_with_options(data, password, &Pkcs12Options::new())
}

/// Parses a PKCS#12 (PFX) file like [`parse_pkcs12`], with options.
///
/// # Errors
/// As [`parse_pkcs12`], plus [`Pkcs12Error::MissingMac`] if `options.require_mac` is set and
/// the file has no `MacData`.
pub fn parse_pkcs12_with_options(
    data: &[u8],
    password: &str,
    options: &Pkcs12Options,
) -> Result<Pkcs12Contents, Pkcs12Error> {
    if data.len() > MAX_INPUT_LEN {
        return Err(Pkcs12Error::TooLarge(format!(
            "input is {} bytes, the limit is {MAX_INPUT_LEN}",
            data.len()
        )));
    }

    let pfx = match Pfx::from_ber(data) {
        Ok(pfx) => pfx,
        Err(err) => {
            // Report a wrong version as such even when the rest does not parse.
            return Err(match probe_pfx_version(data) {
                Some(version) if version != 3 => Pkcs12Error::UnsupportedVersion(version),
                _ => malformed("PFX", &err),
            });
        }
    };
    if pfx.version != 3 {
        return Err(Pkcs12Error::UnsupportedVersion(pfx.version));
    }

    let auth_safe_content = match pfx.auth_safe.content_type {
        oid::DATA => {
            let content = pfx.auth_safe.content.ok_or_else(|| {
                Pkcs12Error::Malformed("PFX authSafe: data ContentInfo without content".into())
            })?;
            OctetString::from_ber(content.raw)
                .map_err(|e| malformed("PFX authSafe data content (OCTET STRING)", &e))?
        }
        oid::SIGNED_DATA => {
            return Err(unsupported(
                &oid::SIGNED_DATA,
                "authSafe content type signedData (public-key integrity mode)",
            ));
        }
        other => return Err(unsupported(&other, "authSafe content type")),
    };

    let mut ctx = Context::new(password);
    match &pfx.mac_data {
        Some(mac_data) => ctx.verify_mac(mac_data, auth_safe_content.as_bytes())?,
        None if options.require_mac => return Err(Pkcs12Error::MissingMac),
        None => {}
    }

    ctx.parse_authenticated_safe(auth_safe_content.as_bytes())?;
    Ok(ctx.contents)
}

// ---------------------------------------------------------------------------------------------
// Error helpers
// ---------------------------------------------------------------------------------------------

/// A [`Pkcs12Error::Malformed`] for a DER/BER error in structure `what`.
fn malformed(what: &str, err: &der::Error) -> Pkcs12Error {
    Pkcs12Error::Malformed(format!("{what}: {err}"))
}

/// A [`Pkcs12Error::UnsupportedAlgorithm`] for `oid` used as `what`.
fn unsupported(oid: &ObjectIdentifier, what: &str) -> Pkcs12Error {
    Pkcs12Error::UnsupportedAlgorithm(format!("{oid} ({what})"))
}

/// Checks an iteration count against [`MAX_ITERATIONS`] (and rejects 0).
fn check_iterations(iterations: u64, what: &str) -> Result<(), Pkcs12Error> {
    if iterations == 0 {
        return Err(Pkcs12Error::Malformed(format!(
            "{what}: iteration count is 0"
        )));
    }
    if iterations > MAX_ITERATIONS {
        return Err(Pkcs12Error::TooLarge(format!(
            "{what}: iteration count {iterations} exceeds the limit of {MAX_ITERATIONS}"
        )));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Parsing state
// ---------------------------------------------------------------------------------------------

/// Password encodings, iteration budget, counters and results for one parse.
struct Context<'p> {
    /// The password's UTF-8 bytes (PBES2, PBMAC1).
    password_utf8: &'p [u8],
    /// BMPString encodings of the password to try with the PKCS#12 KDF, in order: the RFC 7292
    /// form (UTF-16BE + two zero bytes); for a non-ASCII password, each UTF-8 *byte* widened to
    /// 16 bits (what OpenSSL before 1.1.0 did); for the empty password, the empty string
    /// (OpenSSL's "no password"). Narrowed to the form that verified the MAC, if there is one.
    bmp_candidates: Vec<Zeroizing<Vec<u8>>>,
    /// Whether a MAC was verified (the password is known to be right).
    mac_verified: bool,
    /// Remaining key-derivation iterations ([`MAX_TOTAL_ITERATIONS`]).
    budget: u64,
    /// Number of `SafeBag`s seen.
    bags: usize,
    /// Results.
    contents: Pkcs12Contents,
}

impl<'p> Context<'p> {
    fn new(password: &'p str) -> Self {
        let mut bmp = Zeroizing::new(Vec::with_capacity(
            password.len().saturating_mul(2).saturating_add(2),
        ));
        for unit in password.encode_utf16() {
            bmp.extend_from_slice(&unit.to_be_bytes());
        }
        bmp.extend_from_slice(&[0, 0]);
        let mut bmp_candidates = vec![bmp];
        if !password.is_ascii() {
            let mut widened = Zeroizing::new(Vec::with_capacity(
                password.len().saturating_mul(2).saturating_add(2),
            ));
            for byte in password.bytes() {
                widened.extend_from_slice(&[0, byte]);
            }
            widened.extend_from_slice(&[0, 0]);
            bmp_candidates.push(widened);
        }
        if password.is_empty() {
            bmp_candidates.push(Zeroizing::new(Vec::new()));
        }
        Self {
            password_utf8: password.as_bytes(),
            bmp_candidates,
            mac_verified: false,
            budget: MAX_TOTAL_ITERATIONS,
            bags: 0,
            contents: Pkcs12Contents::default(),
        }
    }

    /// Charges `iterations` to the work budget.
    fn charge(&mut self, iterations: u64) -> Result<(), Pkcs12Error> {
        match self.budget.checked_sub(iterations) {
            Some(rest) => {
                self.budget = rest;
                Ok(())
            }
            None => Err(Pkcs12Error::TooLarge(format!(
                "total key-derivation iterations exceed the limit of {MAX_TOTAL_ITERATIONS}"
            ))),
        }
    }
}
