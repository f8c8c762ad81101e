//! PKCS#12 / PFX reader ([RFC 7292]).
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

use core::fmt;

use cbc::cipher::{BlockModeDecrypt, InnerIvInit, KeyIvInit, block_padding::Pkcs7};
use der::{
    Choice, Decode, Encode, EncodeValue, EncodingRules, Header, Length, Reader, Sequence,
    SliceReader, Tag, Tagged, Writer,
    asn1::{ObjectIdentifier, OctetString},
};
use digest::{Digest, KeyInit, Mac, block_api::BlockSizeUser};
use hmac::{EagerHash, Hmac};
use zeroize::{Zeroize, Zeroizing};

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
// Object identifiers
// ---------------------------------------------------------------------------------------------

/// `id-data` (PKCS#7 / CMS).
const OID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
/// `id-signedData` (public-key integrity mode).
const OID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
/// `id-envelopedData` (public-key privacy mode).
const OID_ENVELOPED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.3");
/// `id-encryptedData` (password privacy mode).
const OID_ENCRYPTED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.6");

/// `keyBag`.
const OID_KEY_BAG: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.1");
/// `pkcs8ShroudedKeyBag`.
const OID_SHROUDED_KEY_BAG: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.2");
/// `certBag`.
const OID_CERT_BAG: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.3");
/// `safeContentsBag`.
const OID_SAFE_CONTENTS_BAG: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.6");

/// `x509Certificate` certificate type (`certTypes` arc).
const OID_X509_CERTIFICATE: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.22.1");

/// `friendlyName` attribute (PKCS#9).
const OID_FRIENDLY_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.20");
/// `localKeyId` attribute (PKCS#9).
const OID_LOCAL_KEY_ID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.21");

/// `pbeWithSHAAnd128BitRC4` (not supported; named in errors).
const OID_PBE_SHA1_RC4_128: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.1.1");
/// `pbeWithSHAAnd40BitRC4` (not supported; named in errors).
const OID_PBE_SHA1_RC4_40: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.1.2");
/// `pbeWithSHAAnd3-KeyTripleDES-CBC`.
const OID_PBE_SHA1_3DES_3KEY: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.1.3");
/// `pbeWithSHAAnd2-KeyTripleDES-CBC`.
const OID_PBE_SHA1_3DES_2KEY: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.1.4");
/// `pbeWithSHAAnd128BitRC2-CBC`.
const OID_PBE_SHA1_RC2_128: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.1.5");
/// `pbeWithSHAAnd40BitRC2-CBC`.
const OID_PBE_SHA1_RC2_40: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.1.6");

/// `id-PBES2` (RFC 8018).
const OID_PBES2: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.5.13");
/// `id-PBKDF2` (RFC 8018).
const OID_PBKDF2: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.5.12");
/// `id-PBMAC1` (RFC 8018, used in PKCS#12 by RFC 9579).
const OID_PBMAC1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.5.14");

/// `id-sha1`.
const OID_SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
/// `id-sha256`.
const OID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
/// `id-sha384`.
const OID_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2");
/// `id-sha512`.
const OID_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.3");
/// `id-sha224`.
const OID_SHA224: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.4");
/// `id-sha512-224`.
const OID_SHA512_224: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.5");
/// `id-sha512-256`.
const OID_SHA512_256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.6");

/// `id-hmacWithSHA1` (RFC 8018).
const OID_HMAC_SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.2.7");
/// `id-hmacWithSHA224`.
const OID_HMAC_SHA224: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.2.8");
/// `id-hmacWithSHA256`.
const OID_HMAC_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.2.9");
/// `id-hmacWithSHA384`.
const OID_HMAC_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.2.10");
/// `id-hmacWithSHA512`.
const OID_HMAC_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.2.11");
/// `id-hmacWithSHA512-224`.
const OID_HMAC_SHA512_224: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.2.12");
/// `id-hmacWithSHA512-256`.
const OID_HMAC_SHA512_256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.2.13");

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
        OID_DATA => {
            let content = pfx.auth_safe.content.ok_or_else(|| {
                Pkcs12Error::Malformed("PFX authSafe: data ContentInfo without content".into())
            })?;
            OctetString::from_ber(content.raw)
                .map_err(|e| malformed("PFX authSafe data content (OCTET STRING)", &e))?
        }
        OID_SIGNED_DATA => {
            return Err(unsupported(
                &OID_SIGNED_DATA,
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
// ASN.1 structures (decoded with BER rules, which accept DER)
// ---------------------------------------------------------------------------------------------

/// A complete TLV kept undecoded, for `ANY DEFINED BY` fields, `SEQUENCE OF` / `SET OF`
/// elements and other values decoded later according to an OID.
///
/// Unlike `der::asn1::AnyRef` it keeps the exact encoding (including the constructed bit and
/// indefinite lengths), so the value can be decoded again with BER rules as its real type.
#[derive(Clone, Copy, Debug)]
struct Tlv<'a> {
    /// The tag.
    tag: Tag,
    /// The whole encoding: identifier, length, contents and any end-of-contents octets.
    raw: &'a [u8],
    /// The contents octets (without end-of-contents octets).
    value: &'a [u8],
}

impl<'a> Decode<'a> for Tlv<'a> {
    type Error = der::Error;

    fn decode<R: Reader<'a>>(reader: &mut R) -> der::Result<Self> {
        let start = reader.position();
        let mut peek = reader.clone();
        let header = Header::decode(&mut peek)?;
        let header_len = usize::try_from((peek.position() - start)?)?;
        // For indefinite lengths (BER) `header.length()` covers the contents *and* the
        // end-of-contents octets.
        let contents_len = usize::try_from(header.length())?;
        let total = header_len
            .checked_add(contents_len)
            .ok_or(der::ErrorKind::Overflow)?;
        let raw = reader.read_slice(Length::try_from(total)?)?;
        let tag_len = usize::try_from(header.tag().encoded_len()?)?;
        let indefinite = header.is_constructed() && raw.get(tag_len) == Some(&0x80);
        let value_end = if indefinite {
            total.checked_sub(2).ok_or(der::ErrorKind::Overflow)?
        } else {
            total
        };
        let value = raw
            .get(header_len..value_end)
            .ok_or(der::ErrorKind::Overflow)?;
        Ok(Self {
            tag: header.tag(),
            raw,
            value,
        })
    }
}

impl<'a> Choice<'a> for Tlv<'a> {
    fn can_decode(_tag: Tag) -> bool {
        true
    }
}

impl Tagged for Tlv<'_> {
    fn tag(&self) -> Tag {
        self.tag
    }
}

// Only needed because `#[derive(Sequence)]` also derives encoding; this reader never encodes.
impl EncodeValue for Tlv<'_> {
    fn value_len(&self) -> der::Result<Length> {
        Length::try_from(self.value.len())
    }

    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        writer.write(self.value)
    }
}

impl<'a> Tlv<'a> {
    /// Checks the tag, for a constructed type named `what`.
    fn expect_tag(&self, tag: Tag, what: &str) -> Result<(), Pkcs12Error> {
        if self.tag == tag {
            Ok(())
        } else {
            Err(Pkcs12Error::Malformed(format!(
                "{what}: expected {tag}, found {}",
                self.tag
            )))
        }
    }

    /// Iterates over the elements of a constructed value (`SEQUENCE OF`, `SET OF`).
    fn elements(&self) -> TlvIter<'a> {
        TlvIter {
            reader: SliceReader::new_with_encoding_rules(self.value, EncodingRules::Ber).ok(),
        }
    }
}

/// Iterator over the TLVs in a contents octet string; stops after the first error.
struct TlvIter<'a> {
    /// `None` once finished or failed.
    reader: Option<SliceReader<'a>>,
}

impl<'a> Iterator for TlvIter<'a> {
    type Item = der::Result<Tlv<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        let reader = self.reader.as_mut()?;
        if reader.is_finished() {
            self.reader = None;
            return None;
        }
        let item = Tlv::decode(reader);
        if item.is_err() {
            self.reader = None;
        }
        Some(item)
    }
}

/// Decodes a complete BER/DER encoding of `T`, rejecting trailing data.
fn decode_ber<'a, T: Decode<'a, Error = der::Error>>(bytes: &'a [u8]) -> der::Result<T> {
    T::from_ber(bytes)
}

/// `AlgorithmIdentifier` with its parameters kept raw.
///
/// ```text
/// AlgorithmIdentifier ::= SEQUENCE {
///     algorithm   OBJECT IDENTIFIER,
///     parameters  ANY DEFINED BY algorithm OPTIONAL }
/// ```
#[derive(Clone, Debug, Sequence)]
struct AlgorithmIdentifier<'a> {
    algorithm: ObjectIdentifier,
    #[asn1(optional = "true")]
    parameters: Option<Tlv<'a>>,
}

/// The PFX PDU ([RFC 7292 Section 4]).
///
/// ```text
/// PFX ::= SEQUENCE {
///     version     INTEGER {v3(3)}(v3,...),
///     authSafe    ContentInfo,
///     macData     MacData OPTIONAL
/// }
/// ```
///
/// [RFC 7292 Section 4]: https://www.rfc-editor.org/rfc/rfc7292#section-4
#[derive(Clone, Debug, Sequence)]
struct Pfx<'a> {
    version: u64,
    auth_safe: ContentInfo<'a>,
    #[asn1(optional = "true")]
    mac_data: Option<MacData<'a>>,
}

/// Just the PFX version, to report a wrong version even if the rest does not parse.
fn probe_pfx_version(data: &[u8]) -> Option<u64> {
    let mut reader = SliceReader::new_with_encoding_rules(data, EncodingRules::Ber).ok()?;
    let header = Header::decode(&mut reader).ok()?;
    if header.tag() != Tag::Sequence {
        return None;
    }
    u64::decode(&mut reader).ok()
}

/// `MacData` ([RFC 7292 Section 4]).
///
/// ```text
/// MacData ::= SEQUENCE {
///     mac         DigestInfo,
///     macSalt     OCTET STRING,
///     iterations  INTEGER DEFAULT 1
///     -- Note: The default is for historical reasons and its use is
///     -- deprecated.
/// }
/// ```
///
/// [RFC 7292 Section 4]: https://www.rfc-editor.org/rfc/rfc7292#section-4
#[derive(Clone, Debug, Sequence)]
struct MacData<'a> {
    mac: DigestInfo<'a>,
    mac_salt: OctetString,
    #[asn1(default = "default_mac_iterations")]
    iterations: u64,
}

/// The `DEFAULT 1` of `MacData.iterations`.
fn default_mac_iterations() -> u64 {
    1
}

/// `DigestInfo` (PKCS#1 / RFC 8017), used by `MacData`.
///
/// ```text
/// DigestInfo ::= SEQUENCE {
///     digestAlgorithm DigestAlgorithmIdentifier,
///     digest          Digest }
/// Digest ::= OCTET STRING
/// ```
#[derive(Clone, Debug, Sequence)]
struct DigestInfo<'a> {
    digest_algorithm: AlgorithmIdentifier<'a>,
    digest: OctetString,
}

/// `PBMAC1-params` ([RFC 8018 Appendix A.5], used by [RFC 9579]).
///
/// ```text
/// PBMAC1-params ::= SEQUENCE {
///     keyDerivationFunc AlgorithmIdentifier {{PBMAC1-KDFs}},
///     messageAuthScheme AlgorithmIdentifier {{PBMAC1-MACs}} }
/// ```
///
/// [RFC 8018 Appendix A.5]: https://www.rfc-editor.org/rfc/rfc8018#appendix-A.5
/// [RFC 9579]: https://www.rfc-editor.org/rfc/rfc9579
#[derive(Clone, Debug, Sequence)]
struct Pbmac1Params<'a> {
    key_derivation_func: AlgorithmIdentifier<'a>,
    message_auth_scheme: AlgorithmIdentifier<'a>,
}

/// `ContentInfo` (PKCS#7 / RFC 5652), the elements of the `AuthenticatedSafe` and the PFX
/// `authSafe`.
///
/// ```text
/// ContentInfo ::= SEQUENCE {
///     contentType ContentType,
///     content [0] EXPLICIT ANY DEFINED BY contentType OPTIONAL }
/// ContentType ::= OBJECT IDENTIFIER
/// ```
///
/// The `AuthenticatedSafe` itself is `SEQUENCE OF ContentInfo` ([RFC 7292 Section 5.1]); it is
/// iterated lazily with a bound ([`MAX_CONTENT_INFOS`]) rather than given its own type.
///
/// [RFC 7292 Section 5.1]: https://www.rfc-editor.org/rfc/rfc7292#section-5.1
#[derive(Clone, Debug, Sequence)]
struct ContentInfo<'a> {
    content_type: ObjectIdentifier,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    content: Option<Tlv<'a>>,
}

/// `EncryptedData` (RFC 5652 Section 8), the content of an `encryptedData` `ContentInfo`.
///
/// ```text
/// EncryptedData ::= SEQUENCE {
///     version CMSVersion,
///     encryptedContentInfo EncryptedContentInfo,
///     unprotectedAttrs [1] IMPLICIT UnprotectedAttributes OPTIONAL }
/// ```
///
/// `unprotectedAttrs` is accepted and ignored.
#[derive(Clone, Debug, Sequence)]
struct EncryptedData<'a> {
    version: u64,
    encrypted_content_info: EncryptedContentInfo<'a>,
    #[asn1(optional = "true")]
    unprotected_attrs: Option<Tlv<'a>>,
}

/// `EncryptedContentInfo` (RFC 5652 Section 6.1).
///
/// ```text
/// EncryptedContentInfo ::= SEQUENCE {
///     contentType ContentType,
///     contentEncryptionAlgorithm ContentEncryptionAlgorithmIdentifier,
///     encryptedContent [0] IMPLICIT EncryptedContent OPTIONAL }
/// EncryptedContent ::= OCTET STRING
/// ```
#[derive(Clone, Debug, Sequence)]
struct EncryptedContentInfo<'a> {
    content_type: ObjectIdentifier,
    content_encryption_algorithm: AlgorithmIdentifier<'a>,
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    encrypted_content: Option<OctetString>,
}

/// `SafeBag` ([RFC 7292 Section 4.2]). `SafeContents` is `SEQUENCE OF SafeBag`, iterated
/// lazily with a bound ([`MAX_BAGS`]).
///
/// ```text
/// SafeContents ::= SEQUENCE OF SafeBag
///
/// SafeBag ::= SEQUENCE {
///     bagId          BAG-TYPE.&id ({PKCS12BagSet}),
///     bagValue       [0] EXPLICIT BAG-TYPE.&Type({PKCS12BagSet}{@bagId}),
///     bagAttributes  SET OF PKCS12Attribute OPTIONAL
/// }
/// ```
///
/// [RFC 7292 Section 4.2]: https://www.rfc-editor.org/rfc/rfc7292#section-4.2
#[derive(Clone, Debug, Sequence)]
struct SafeBag<'a> {
    bag_id: ObjectIdentifier,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    bag_value: Tlv<'a>,
    /// The `SET OF PKCS12Attribute`, iterated by [`parse_bag_attributes`] (kept raw so that a
    /// non-canonical SET ordering is accepted as is).
    #[asn1(optional = "true")]
    bag_attributes: Option<Tlv<'a>>,
}

/// `PKCS12Attribute` ([RFC 7292 Section 4.2]).
///
/// ```text
/// PKCS12Attribute ::= SEQUENCE {
///     attrId      ATTRIBUTE.&id ({PKCS12AttrSet}),
///     attrValues  SET OF ATTRIBUTE.&Type ({PKCS12AttrSet}{@attrId})
/// } -- This type is compatible with the X.500 type 'Attribute'
/// ```
///
/// [RFC 7292 Section 4.2]: https://www.rfc-editor.org/rfc/rfc7292#section-4.2
#[derive(Clone, Debug, Sequence)]
struct Pkcs12Attribute<'a> {
    attr_id: ObjectIdentifier,
    attr_values: Tlv<'a>,
}

/// `CertBag` ([RFC 7292 Section 4.2.3]).
///
/// ```text
/// CertBag ::= SEQUENCE {
///     certId      BAG-TYPE.&id   ({CertTypes}),
///     certValue   [0] EXPLICIT BAG-TYPE.&Type ({CertTypes}{@certId})
/// }
/// x509Certificate BAG-TYPE ::=
///     {OCTET STRING IDENTIFIED BY {certTypes 1}}
///     -- DER-encoded X.509 certificate stored in OCTET STRING
/// ```
///
/// [RFC 7292 Section 4.2.3]: https://www.rfc-editor.org/rfc/rfc7292#section-4.2.3
#[derive(Clone, Debug, Sequence)]
struct CertBag<'a> {
    cert_id: ObjectIdentifier,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    cert_value: Tlv<'a>,
}

/// `EncryptedPrivateKeyInfo` (RFC 5208 Section 6 / RFC 5958), the value of a
/// `pkcs8ShroudedKeyBag`.
///
/// ```text
/// EncryptedPrivateKeyInfo ::= SEQUENCE {
///     encryptionAlgorithm  EncryptionAlgorithmIdentifier,
///     encryptedData        EncryptedData }
/// EncryptedData ::= OCTET STRING
/// ```
#[derive(Clone, Debug, Sequence)]
struct EncryptedPrivateKeyInfo<'a> {
    encryption_algorithm: AlgorithmIdentifier<'a>,
    encrypted_data: OctetString,
}

/// Parameters of the legacy PKCS#12 PBE schemes ([RFC 7292 Appendix C]).
///
/// ```text
/// pkcs-12PbeParams ::= SEQUENCE {
///     salt        OCTET STRING,
///     iterations  INTEGER
/// }
/// ```
///
/// [RFC 7292 Appendix C]: https://www.rfc-editor.org/rfc/rfc7292#appendix-C
#[derive(Clone, Debug, Sequence)]
struct Pkcs12PbeParams {
    salt: OctetString,
    iterations: u64,
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

/// How a decryption attempt failed.
enum DecryptFailure {
    /// Padding (or authentication) failed: wrong key.
    BadKey,
    /// The plaintext decrypted but is not the expected structure.
    BadPlaintext,
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

    // ----- MAC -----

    /// Verifies `MacData` over the authSafe content octets.
    fn verify_mac(&mut self, mac_data: &MacData<'_>, content: &[u8]) -> Result<(), Pkcs12Error> {
        let alg = &mac_data.mac.digest_algorithm;
        let expected = mac_data.mac.digest.as_bytes();
        if alg.algorithm == OID_PBMAC1 {
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
        if kdf.algorithm != OID_PBKDF2 {
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

    // ----- Content -----

    /// Parses the `AuthenticatedSafe` (the authSafe content octets).
    fn parse_authenticated_safe(&mut self, bytes: &[u8]) -> Result<(), Pkcs12Error> {
        let seq: Tlv<'_> = decode_ber(bytes).map_err(|e| malformed("AuthenticatedSafe", &e))?;
        seq.expect_tag(Tag::Sequence, "AuthenticatedSafe")?;
        for (index, element) in seq.elements().enumerate() {
            if index >= MAX_CONTENT_INFOS {
                return Err(Pkcs12Error::TooLarge(format!(
                    "AuthenticatedSafe has more than {MAX_CONTENT_INFOS} ContentInfos"
                )));
            }
            let element = element.map_err(|e| malformed("AuthenticatedSafe", &e))?;
            let info: ContentInfo<'_> = decode_ber(element.raw)
                .map_err(|e| malformed("AuthenticatedSafe ContentInfo", &e))?;
            let Some(content) = info.content else {
                return Err(Pkcs12Error::Malformed(
                    "AuthenticatedSafe ContentInfo without content".into(),
                ));
            };
            match info.content_type {
                OID_DATA => {
                    let data: OctetString = decode_ber(content.raw)
                        .map_err(|e| malformed("AuthenticatedSafe data content", &e))?;
                    self.parse_safe_contents(data.as_bytes(), 0)?;
                }
                OID_ENCRYPTED_DATA => {
                    let plaintext = self.decrypt_encrypted_data(content.raw)?;
                    self.parse_safe_contents(&plaintext, 0)?;
                }
                OID_ENVELOPED_DATA => {
                    return Err(unsupported(
                        &OID_ENVELOPED_DATA,
                        "AuthenticatedSafe content type envelopedData (public-key privacy mode)",
                    ));
                }
                other => return Err(unsupported(&other, "AuthenticatedSafe content type")),
            }
        }
        Ok(())
    }

    /// Decrypts an `EncryptedData` holding `SafeContents`.
    fn decrypt_encrypted_data(&mut self, raw: &[u8]) -> Result<Zeroizing<Vec<u8>>, Pkcs12Error> {
        let encrypted: EncryptedData<'_> =
            decode_ber(raw).map_err(|e| malformed("EncryptedData", &e))?;
        let info = &encrypted.encrypted_content_info;
        if info.content_type != OID_DATA {
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

    /// Parses `SafeContents` at nesting `depth`.
    fn parse_safe_contents(&mut self, bytes: &[u8], depth: usize) -> Result<(), Pkcs12Error> {
        let seq: Tlv<'_> = decode_ber(bytes).map_err(|e| malformed("SafeContents", &e))?;
        seq.expect_tag(Tag::Sequence, "SafeContents")?;
        for element in seq.elements() {
            let element = element.map_err(|e| malformed("SafeContents", &e))?;
            self.bags = self.bags.saturating_add(1);
            if self.bags > MAX_BAGS {
                return Err(Pkcs12Error::TooLarge(format!(
                    "more than {MAX_BAGS} SafeBags"
                )));
            }
            let bag: SafeBag<'_> = decode_ber(element.raw).map_err(|e| malformed("SafeBag", &e))?;
            self.parse_safe_bag(&bag, depth)?;
        }
        Ok(())
    }

    /// Handles one `SafeBag`.
    fn parse_safe_bag(&mut self, bag: &SafeBag<'_>, depth: usize) -> Result<(), Pkcs12Error> {
        match bag.bag_id {
            OID_KEY_BAG => {
                let attributes = parse_bag_attributes(bag.bag_attributes)?;
                // keyBag ::= PrivateKeyInfo
                // No details from the key bytes go into the message.
                validate_private_key_info(bag.bag_value.raw).map_err(|_| {
                    Pkcs12Error::Malformed("keyBag: not a DER PrivateKeyInfo".into())
                })?;
                self.contents.keys.push(Pkcs12Key {
                    pkcs8_der: Zeroizing::new(bag.bag_value.raw.to_vec()),
                    local_key_id: attributes.local_key_id,
                    friendly_name: attributes.friendly_name,
                });
            }
            OID_SHROUDED_KEY_BAG => {
                let attributes = parse_bag_attributes(bag.bag_attributes)?;
                let epki: EncryptedPrivateKeyInfo<'_> = decode_ber(bag.bag_value.raw)
                    .map_err(|e| malformed("pkcs8ShroudedKeyBag EncryptedPrivateKeyInfo", &e))?;
                let pkcs8_der = self.decrypt(
                    &epki.encryption_algorithm,
                    epki.encrypted_data.as_bytes(),
                    "pkcs8ShroudedKeyBag",
                    validate_private_key_info,
                )?;
                self.contents.keys.push(Pkcs12Key {
                    pkcs8_der,
                    local_key_id: attributes.local_key_id,
                    friendly_name: attributes.friendly_name,
                });
            }
            OID_CERT_BAG => {
                let cert_bag: CertBag<'_> =
                    decode_ber(bag.bag_value.raw).map_err(|e| malformed("CertBag", &e))?;
                if cert_bag.cert_id != OID_X509_CERTIFICATE {
                    // sdsiCertificate or unknown: skip.
                    return Ok(());
                }
                let attributes = parse_bag_attributes(bag.bag_attributes)?;
                let cert: OctetString = decode_ber(cert_bag.cert_value.raw)
                    .map_err(|e| malformed("CertBag x509Certificate OCTET STRING", &e))?;
                let cert = cert.into_bytes().into_vec();
                let cert_tlv: Tlv<'_> =
                    decode_ber(&cert).map_err(|e| malformed("CertBag x509Certificate", &e))?;
                cert_tlv.expect_tag(Tag::Sequence, "CertBag x509Certificate")?;
                self.contents.certificates.push(Pkcs12Cert {
                    der: cert,
                    local_key_id: attributes.local_key_id,
                    friendly_name: attributes.friendly_name,
                });
            }
            OID_SAFE_CONTENTS_BAG => {
                if depth >= MAX_NESTING_DEPTH {
                    return Err(Pkcs12Error::TooLarge(format!(
                        "safeContentsBag nesting deeper than {MAX_NESTING_DEPTH}"
                    )));
                }
                self.parse_safe_contents(bag.bag_value.raw, depth.saturating_add(1))?;
            }
            // crlBag, secretBag and unknown bag types are skipped.
            _ => {}
        }
        Ok(())
    }

    // ----- Decryption -----

    /// Decrypts `ciphertext` (of structure `what`) with the scheme in `alg`, then checks the
    /// plaintext with `validate`.
    ///
    /// Without a verified MAC, a padding failure or a plaintext that does not validate means
    /// [`Pkcs12Error::WrongPassword`]; with a verified MAC, an invalid plaintext is
    /// [`Pkcs12Error::Malformed`].
    fn decrypt(
        &mut self,
        alg: &AlgorithmIdentifier<'_>,
        ciphertext: &[u8],
        what: &str,
        validate: fn(&[u8]) -> der::Result<()>,
    ) -> Result<Zeroizing<Vec<u8>>, Pkcs12Error> {
        let mut last_failure = DecryptFailure::BadKey;
        if alg.algorithm == OID_PBES2 {
            let params_tlv = alg.parameters.ok_or_else(|| {
                Pkcs12Error::Malformed(format!("{what}: PBES2 without parameters"))
            })?;
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
                        return Ok(buffer);
                    }
                    last_failure = DecryptFailure::BadPlaintext;
                }
                Err(pkcs5::Error::DecryptFailed) => {}
                Err(pkcs5::Error::UnsupportedAlgorithm { oid }) => {
                    return Err(unsupported(
                        &oid,
                        &format!("{what}: PBES2 encryption scheme"),
                    ));
                }
                Err(pkcs5::Error::AlgorithmParametersInvalid { oid }) => {
                    return Err(Pkcs12Error::Malformed(format!(
                        "{what}: invalid PBES2 parameters for {oid}"
                    )));
                }
                Err(err) => {
                    return Err(Pkcs12Error::Malformed(format!("{what}: PBES2: {err}")));
                }
            }
        } else if let Some(scheme) = LegacyPbe::from_oid(&alg.algorithm) {
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
                        return Ok(plaintext);
                    }
                    last_failure = DecryptFailure::BadPlaintext;
                }
            }
        } else {
            let use_name =
                if alg.algorithm == OID_PBE_SHA1_RC4_128 || alg.algorithm == OID_PBE_SHA1_RC4_40 {
                    format!("{what}: RC4-based PKCS#12 PBE")
                } else {
                    format!("{what}: encryption algorithm")
                };
            return Err(unsupported(&alg.algorithm, &use_name));
        }

        // No details from the decrypted bytes go into the message.
        match last_failure {
            DecryptFailure::BadPlaintext if self.mac_verified => Err(Pkcs12Error::Malformed(
                format!("{what}: the decrypted content is not the expected structure"),
            )),
            _ => Err(Pkcs12Error::WrongPassword),
        }
    }
}

/// Checks that decrypted bytes are exactly one `SEQUENCE` (a `SafeContents`).
fn validate_safe_contents(plaintext: &[u8]) -> der::Result<()> {
    let tlv: Tlv<'_> = decode_ber(plaintext)?;
    if tlv.tag == Tag::Sequence {
        Ok(())
    } else {
        Err(der::ErrorKind::TagUnexpected {
            expected: Some(Tag::Sequence),
            actual: tlv.tag,
        }
        .into())
    }
}

/// Checks that bytes are exactly one DER PKCS#8 `PrivateKeyInfo` / `OneAsymmetricKey`.
fn validate_private_key_info(der_bytes: &[u8]) -> der::Result<()> {
    pkcs8::PrivateKeyInfoRef::from_der(der_bytes).map(|_| ())
}

/// The bag attributes this reader extracts.
#[derive(Default)]
struct BagAttributes {
    local_key_id: Option<Vec<u8>>,
    friendly_name: Option<String>,
}

/// Extracts `localKeyId` and `friendlyName` from `bagAttributes`. Other attributes are ignored,
/// as are values of an unexpected type; the first value of a repeated attribute wins.
fn parse_bag_attributes(set: Option<Tlv<'_>>) -> Result<BagAttributes, Pkcs12Error> {
    let mut attributes = BagAttributes::default();
    let Some(set) = set else {
        return Ok(attributes);
    };
    set.expect_tag(Tag::Set, "SafeBag bagAttributes")?;
    for (index, element) in set.elements().enumerate() {
        if index >= MAX_BAG_ATTRIBUTES {
            return Err(Pkcs12Error::TooLarge(format!(
                "SafeBag has more than {MAX_BAG_ATTRIBUTES} attributes"
            )));
        }
        let element = element.map_err(|e| malformed("SafeBag bagAttributes", &e))?;
        let attribute: Pkcs12Attribute<'_> =
            decode_ber(element.raw).map_err(|e| malformed("PKCS12Attribute", &e))?;
        attribute
            .attr_values
            .expect_tag(Tag::Set, "PKCS12Attribute attrValues")?;
        let first = match attribute.attr_values.elements().next() {
            Some(value) => value.map_err(|e| malformed("PKCS12Attribute attrValues", &e))?,
            None => continue,
        };
        match attribute.attr_id {
            OID_FRIENDLY_NAME if attributes.friendly_name.is_none() => {
                attributes.friendly_name = decode_friendly_name(&first);
            }
            OID_LOCAL_KEY_ID if attributes.local_key_id.is_none() => {
                if let Ok(id) = decode_ber::<OctetString>(first.raw) {
                    attributes.local_key_id = Some(id.into_bytes().into_vec());
                }
            }
            _ => {}
        }
    }
    Ok(attributes)
}

/// Decodes a `friendlyName` value: a BMPString (UTF-16BE; unpaired surrogates become U+FFFD),
/// or, leniently, a UTF8String. Anything else yields `None`.
fn decode_friendly_name(value: &Tlv<'_>) -> Option<String> {
    match value.tag {
        Tag::BmpString => {
            let bytes = value.value;
            if !bytes.len().is_multiple_of(2) {
                return None;
            }
            let units = bytes.chunks_exact(2).map(|pair| match pair {
                [high, low] => u16::from_be_bytes([*high, *low]),
                _ => 0xFFFD,
            });
            Some(
                char::decode_utf16(units)
                    .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
                    .collect(),
            )
        }
        Tag::Utf8String => core::str::from_utf8(value.value).ok().map(str::to_owned),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Hash functions, the PKCS#12 KDF, HMAC and PBKDF2
// ---------------------------------------------------------------------------------------------

/// Hash functions usable for the MAC and PBKDF2.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum HashAlg {
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
    Sha512_224,
    Sha512_256,
}

/// Runs `$body` with the type alias `$d` bound to the hash type of `$alg`.
macro_rules! with_hash {
    ($alg:expr, $d:ident => $body:expr) => {
        match $alg {
            HashAlg::Sha1 => {
                type $d = sha1::Sha1;
                $body
            }
            HashAlg::Sha224 => {
                type $d = sha2::Sha224;
                $body
            }
            HashAlg::Sha256 => {
                type $d = sha2::Sha256;
                $body
            }
            HashAlg::Sha384 => {
                type $d = sha2::Sha384;
                $body
            }
            HashAlg::Sha512 => {
                type $d = sha2::Sha512;
                $body
            }
            HashAlg::Sha512_224 => {
                type $d = sha2::Sha512_224;
                $body
            }
            HashAlg::Sha512_256 => {
                type $d = sha2::Sha512_256;
                $body
            }
        }
    };
}

impl HashAlg {
    /// From a digest algorithm OID (`MacData`).
    fn from_digest_oid(oid: &ObjectIdentifier) -> Option<Self> {
        Some(match *oid {
            OID_SHA1 => Self::Sha1,
            OID_SHA224 => Self::Sha224,
            OID_SHA256 => Self::Sha256,
            OID_SHA384 => Self::Sha384,
            OID_SHA512 => Self::Sha512,
            OID_SHA512_224 => Self::Sha512_224,
            OID_SHA512_256 => Self::Sha512_256,
            _ => return None,
        })
    }

    /// From an HMAC algorithm OID (PBMAC1 `messageAuthScheme`).
    fn from_hmac_oid(oid: &ObjectIdentifier) -> Option<Self> {
        Some(match *oid {
            OID_HMAC_SHA1 => Self::Sha1,
            OID_HMAC_SHA224 => Self::Sha224,
            OID_HMAC_SHA256 => Self::Sha256,
            OID_HMAC_SHA384 => Self::Sha384,
            OID_HMAC_SHA512 => Self::Sha512,
            OID_HMAC_SHA512_224 => Self::Sha512_224,
            OID_HMAC_SHA512_256 => Self::Sha512_256,
            _ => return None,
        })
    }

    /// From a PBKDF2 PRF.
    fn from_pbkdf2_prf(prf: pkcs5::pbes2::Pbkdf2Prf) -> Option<Self> {
        Self::from_hmac_oid(&prf.oid())
    }

    /// Output length in bytes.
    fn output_len(self) -> usize {
        with_hash!(self, D => <D as Digest>::output_size())
    }

    /// The PKCS#12 KDF (RFC 7292 Appendix B.2) with this hash.
    fn pkcs12_kdf(
        self,
        password: &[u8],
        salt: &[u8],
        purpose: KdfPurpose,
        iterations: u64,
        out_len: usize,
    ) -> Zeroizing<Vec<u8>> {
        with_hash!(self, D => pkcs12_kdf::<D>(password, salt, purpose, iterations, out_len))
    }

    /// Constant-time HMAC verification of `tag` over `data` under `key`.
    fn hmac_verify(self, key: &[u8], data: &[u8], tag: &[u8]) -> bool {
        with_hash!(self, D => hmac_verify::<D>(key, data, tag))
    }

    /// PBKDF2 with HMAC over this hash, filling `out`.
    fn pbkdf2(self, password: &[u8], salt: &[u8], iterations: u64, out: &mut [u8]) {
        with_hash!(self, D => pbkdf2_hmac::<D>(password, salt, iterations, out))
    }
}

/// The diversifier `ID` of the PKCS#12 KDF (RFC 7292 Appendix B.3).
#[derive(Clone, Copy, Debug)]
enum KdfPurpose {
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

/// The PKCS#12 key derivation function ([RFC 7292 Appendix B.2]); `password` is the already
/// BMPString-encoded password.
///
/// [RFC 7292 Appendix B.2]: https://www.rfc-editor.org/rfc/rfc7292#appendix-B.2
fn pkcs12_kdf<D: Digest + BlockSizeUser>(
    password: &[u8],
    salt: &[u8],
    purpose: KdfPurpose,
    iterations: u64,
    out_len: usize,
) -> Zeroizing<Vec<u8>> {
    let v = <D as BlockSizeUser>::block_size();
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
        let mut hasher = D::new();
        hasher.update(&diversifier);
        hasher.update(input.as_slice());
        let mut a = hasher.finalize();
        for _ in 1..iterations {
            let next = D::digest(a.as_slice());
            a.as_mut_slice().zeroize();
            a = next;
        }
        let wanted = out_len.saturating_sub(out.len());
        out.extend(a.iter().take(wanted));
        if out.len() >= out_len {
            a.as_mut_slice().zeroize();
            break;
        }
        // 6b. B = A repeated to v bytes; 6c. I_j = (I_j + B + 1) mod 2^(8v) for each block.
        block.clear();
        block.extend(a.iter().cycle().take(v));
        a.as_mut_slice().zeroize();
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

// ---------------------------------------------------------------------------------------------
// Legacy PKCS#12 PBE (RFC 7292 Appendix C)
// ---------------------------------------------------------------------------------------------

/// The supported `pkcs-12PbeIds` schemes (all SHA-1 based, CBC mode, PKCS#7 padding).
#[derive(Clone, Copy, Debug)]
enum LegacyPbe {
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
    fn from_oid(oid: &ObjectIdentifier) -> Option<Self> {
        Some(match *oid {
            OID_PBE_SHA1_3DES_3KEY => Self::Sha1TripleDes3Key,
            OID_PBE_SHA1_3DES_2KEY => Self::Sha1TripleDes2Key,
            OID_PBE_SHA1_RC2_128 => Self::Sha1Rc2_128,
            OID_PBE_SHA1_RC2_40 => Self::Sha1Rc2_40,
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
    fn decrypt(
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

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        let digits: Vec<u8> = s
            .bytes()
            .filter(u8::is_ascii_hexdigit)
            .map(|c| match c {
                b'0'..=b'9' => c - b'0',
                b'a'..=b'f' => c - b'a' + 10,
                _ => c - b'A' + 10,
            })
            .collect();
        digits.chunks(2).map(|p| (p[0] << 4) | p[1]).collect()
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

    fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
        assert!(content.len() < 128);
        [&[tag, content.len() as u8][..], content].concat()
    }

    /// A MAC-protected PFX with an empty AuthenticatedSafe, MAC key derived from the
    /// already-encoded `password` bytes.
    fn pfx_with_mac(password: &[u8]) -> Vec<u8> {
        let data_oid = hex("2a864886f70d010701");
        let auth_safe = tlv(0x30, &[]);
        let salt = [9u8; 8];
        let key = HashAlg::Sha1.pkcs12_kdf(password, &salt, KdfPurpose::Mac, 1, 20);
        let mut mac = <Hmac<sha1::Sha1> as KeyInit>::new_from_slice(&key).unwrap();
        mac.update(&auth_safe);
        let digest = mac.finalize().into_bytes();
        let sha1_alg = tlv(
            0x30,
            &[tlv(0x06, &hex("2b0e03021a")), tlv(0x05, &[])].concat(),
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
