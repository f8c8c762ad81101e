//! The RFC 7292 structures, with the PKCS#7 / CMS and PKCS#5 ones a PFX holds, as `der` 0.8
//! derives decoded with BER rules (which accept DER), and the object identifiers they use.
//! Values decoded later according to an OID are kept raw as [`Tlv`]s (the crate's one TLV
//! walker, [`crate::asn1::tlv`]).

use super::Pkcs12Error;
use crate::asn1::tlv::Tlv;
use der::{
    Decode, EncodingRules, Header, Sequence, SliceReader, Tag, Tagged,
    asn1::{ObjectIdentifier, OctetString},
};

/// Decodes a complete BER/DER encoding of `T`, rejecting trailing data.
pub(super) fn decode_ber<'a, T: Decode<'a, Error = der::Error>>(bytes: &'a [u8]) -> der::Result<T> {
    T::from_ber(bytes)
}

/// Checks the tag of `tlv`, a constructed type named `what`.
pub(super) fn expect_tag(tlv: &Tlv<'_>, tag: Tag, what: &str) -> Result<(), Pkcs12Error> {
    let found = Tagged::tag(tlv);
    if found == tag {
        Ok(())
    } else {
        Err(Pkcs12Error::Malformed(format!(
            "{what}: expected {tag}, found {found}"
        )))
    }
}

/// `AlgorithmIdentifier` with its parameters kept raw.
///
/// ```text
/// AlgorithmIdentifier ::= SEQUENCE {
///     algorithm   OBJECT IDENTIFIER,
///     parameters  ANY DEFINED BY algorithm OPTIONAL }
/// ```
#[derive(Clone, Debug, Sequence)]
pub(super) struct AlgorithmIdentifier<'a> {
    pub(super) algorithm: ObjectIdentifier,
    #[asn1(optional = "true")]
    pub(super) parameters: Option<Tlv<'a>>,
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
pub(super) struct Pfx<'a> {
    pub(super) version: u64,
    pub(super) auth_safe: ContentInfo<'a>,
    #[asn1(optional = "true")]
    pub(super) mac_data: Option<MacData<'a>>,
}

/// Just the PFX version, to report a wrong version even if the rest does not parse.
pub(super) fn probe_pfx_version(data: &[u8]) -> Option<u64> {
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
pub(super) struct MacData<'a> {
    pub(super) mac: DigestInfo<'a>,
    pub(super) mac_salt: OctetString,
    #[asn1(default = "default_mac_iterations")]
    pub(super) iterations: u64,
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
pub(super) struct DigestInfo<'a> {
    pub(super) digest_algorithm: AlgorithmIdentifier<'a>,
    pub(super) digest: OctetString,
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
pub(super) struct Pbmac1Params<'a> {
    pub(super) key_derivation_func: AlgorithmIdentifier<'a>,
    pub(super) message_auth_scheme: AlgorithmIdentifier<'a>,
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
/// iterated lazily with a bound ([`MAX_CONTENT_INFOS`](super::MAX_CONTENT_INFOS)) rather than
/// given its own type.
///
/// [RFC 7292 Section 5.1]: https://www.rfc-editor.org/rfc/rfc7292#section-5.1
#[derive(Clone, Debug, Sequence)]
pub(super) struct ContentInfo<'a> {
    pub(super) content_type: ObjectIdentifier,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub(super) content: Option<Tlv<'a>>,
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
pub(super) struct EncryptedData<'a> {
    pub(super) version: u64,
    pub(super) encrypted_content_info: EncryptedContentInfo<'a>,
    #[asn1(optional = "true")]
    pub(super) unprotected_attrs: Option<Tlv<'a>>,
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
pub(super) struct EncryptedContentInfo<'a> {
    pub(super) content_type: ObjectIdentifier,
    pub(super) content_encryption_algorithm: AlgorithmIdentifier<'a>,
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    pub(super) encrypted_content: Option<OctetString>,
}

/// `SafeBag` ([RFC 7292 Section 4.2]). `SafeContents` is `SEQUENCE OF SafeBag`, iterated
/// lazily with a bound ([`MAX_BAGS`](super::MAX_BAGS)).
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
pub(super) struct SafeBag<'a> {
    pub(super) bag_id: ObjectIdentifier,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    pub(super) bag_value: Tlv<'a>,
    /// The `SET OF PKCS12Attribute`, iterated by `parse_bag_attributes` (kept raw so that a
    /// non-canonical SET ordering is accepted as is).
    #[asn1(optional = "true")]
    pub(super) bag_attributes: Option<Tlv<'a>>,
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
pub(super) struct Pkcs12Attribute<'a> {
    pub(super) attr_id: ObjectIdentifier,
    pub(super) attr_values: Tlv<'a>,
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
pub(super) struct CertBag<'a> {
    pub(super) cert_id: ObjectIdentifier,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    pub(super) cert_value: Tlv<'a>,
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
pub(super) struct EncryptedPrivateKeyInfo<'a> {
    pub(super) encryption_algorithm: AlgorithmIdentifier<'a>,
    pub(super) encrypted_data: OctetString,
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
pub(super) struct Pkcs12PbeParams {
    pub(super) salt: OctetString,
    pub(super) iterations: u64,
}
