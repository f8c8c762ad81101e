//! Byte-preserving reading of CMS SignedData (RFC 5652 §5).
//!
//! ```asn1
//! ContentInfo ::= SEQUENCE { contentType ContentType, content [0] EXPLICIT ANY DEFINED BY contentType }
//! SignedData ::= SEQUENCE { version CMSVersion, digestAlgorithms DigestAlgorithmIdentifiers,
//!     encapContentInfo EncapsulatedContentInfo, certificates [0] IMPLICIT CertificateSet OPTIONAL,
//!     crls [1] IMPLICIT RevocationInfoChoices OPTIONAL, signerInfos SignerInfos }
//! EncapsulatedContentInfo ::= SEQUENCE { eContentType ContentType, eContent [0] EXPLICIT OCTET STRING OPTIONAL }
//! SignerInfo ::= SEQUENCE { version CMSVersion, sid SignerIdentifier, digestAlgorithm DigestAlgorithmIdentifier,
//!     signedAttrs [0] IMPLICIT SignedAttributes OPTIONAL, signatureAlgorithm SignatureAlgorithmIdentifier,
//!     signature SignatureValue, unsignedAttrs [1] IMPLICIT UnsignedAttributes OPTIONAL }
//! SignerIdentifier ::= CHOICE { issuerAndSerialNumber IssuerAndSerialNumber, subjectKeyIdentifier [0] SubjectKeyIdentifier }
//! Attribute ::= SEQUENCE { attrType OBJECT IDENTIFIER, attrValues SET OF AttributeValue }
//! ```
//!
//! Every element keeps the bytes it was read from: signatures are verified over those, and a
//! co-signature re-emits them unchanged.

use crate::asn1::ess::decode_oid;
use crate::asn1::oid;
use crate::asn1::tlv::{self, Reader, Tlv, tag};
use crate::error::{Error, Result};
use der::asn1::ObjectIdentifier;

/// Most SignerInfos, certificates, CRLs or attributes we accept in one structure.
pub const MAX_ITEMS: usize = 1000;
/// Deepest nesting of counter-signatures we follow.
pub const MAX_COUNTER_SIGNATURE_DEPTH: usize = 8;

/// A parsed SignedData whose pieces borrow the (normalised) input.
#[derive(Clone, Debug)]
pub struct SignedData<'a> {
    /// CMSVersion.
    pub version: u8,
    /// The digestAlgorithms elements (complete AlgorithmIdentifier encodings).
    pub digest_algorithms: Vec<&'a [u8]>,
    /// eContentType.
    pub econtent_type: ObjectIdentifier,
    /// The EncapsulatedContentInfo's complete encoding, as read.
    pub encap_content_info_raw: &'a [u8],
    /// eContent's octets, when the content is attached.
    pub econtent: Option<&'a [u8]>,
    /// The certificates field elements (complete encodings; CertificateChoices).
    pub certificates: Vec<&'a [u8]>,
    /// The crls field elements (complete encodings; RevocationInfoChoice).
    pub crls: Vec<&'a [u8]>,
    /// The `[0] certificates` and `[1] crls` fields' complete encodings, when present.
    pub certificates_raw: Option<&'a [u8]>,
    /// See `certificates_raw`.
    pub crls_raw: Option<&'a [u8]>,
    /// The SignerInfos.
    pub signer_infos: Vec<SignerInfo<'a>>,
}

/// How a SignerInfo names its certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignerId<'a> {
    /// issuerAndSerialNumber: the issuer Name's complete encoding and the serial's content.
    IssuerSerial {
        /// Issuer Name (complete encoding).
        issuer: &'a [u8],
        /// Serial number content octets.
        serial: &'a [u8],
    },
    /// subjectKeyIdentifier.
    SubjectKeyId(&'a [u8]),
}

/// One attribute: type and the complete encodings of its values.
#[derive(Clone, Debug)]
pub struct Attribute<'a> {
    /// attrType.
    pub oid: ObjectIdentifier,
    /// attrValues (complete encodings of each value).
    pub values: Vec<&'a [u8]>,
}

/// A parsed SignerInfo.
#[derive(Clone, Debug)]
pub struct SignerInfo<'a> {
    /// The complete encoding, as read.
    pub raw: &'a [u8],
    /// CMSVersion (1 for issuerAndSerialNumber, 3 for subjectKeyIdentifier).
    pub version: u8,
    /// The signer identifier.
    pub sid: SignerId<'a>,
    /// digestAlgorithm (complete encoding).
    pub digest_algorithm: &'a [u8],
    /// signedAttrs: the complete `[0] IMPLICIT` encoding as read (re-tag to SET to verify).
    pub signed_attrs_raw: Option<&'a [u8]>,
    /// signedAttrs parsed.
    pub signed_attrs: Vec<Attribute<'a>>,
    /// signatureAlgorithm (complete encoding).
    pub signature_algorithm: &'a [u8],
    /// The signature value.
    pub signature: &'a [u8],
    /// unsignedAttrs parsed.
    pub unsigned_attrs: Vec<Attribute<'a>>,
    /// unsignedAttrs' complete encoding, when present.
    pub unsigned_attrs_raw: Option<&'a [u8]>,
}

impl<'a> SignerInfo<'a> {
    /// Values of the signed attribute `oid`.
    pub fn signed_attr(&self, oid: &ObjectIdentifier) -> Vec<&Attribute<'a>> {
        self.signed_attrs.iter().filter(|a| a.oid == *oid).collect()
    }

    /// Values of the unsigned attribute `oid`.
    pub fn unsigned_attr(&self, oid: &ObjectIdentifier) -> Vec<&Attribute<'a>> {
        self.unsigned_attrs
            .iter()
            .filter(|a| a.oid == *oid)
            .collect()
    }

    /// The bytes the signature covers when signed attributes are present: their original
    /// encoding with the `[0]` tag replaced by SET (RFC 5652 §5.4).
    pub fn signed_attrs_for_signature(&self) -> Option<Vec<u8>> {
        self.signed_attrs_raw.map(|raw| tlv::retag(raw, tag::SET))
    }

    /// The DER encoding RFC 5652 §5.4 says is signed, when the file's encoding of the signed
    /// attributes is not it: the attributes sorted as DER sorts a SET OF (by their encodings).
    /// Signers that build DER and then write the attributes in another order (BER files,
    /// e.g. DSS's `dss667` test file) sign these bytes. `None` when the file's order is already
    /// DER's or the attributes cannot be read. The attributes themselves are the same bytes:
    /// only their order differs, so what the signature covers is unchanged.
    pub fn signed_attrs_der_sorted(&self) -> Option<Vec<u8>> {
        let raw = self.signed_attrs_raw?;
        let (outer, _) = tlv::read_der(raw)?;
        let mut reader = outer.children();
        let mut attrs: Vec<&[u8]> = Vec::new();
        while !reader.is_empty() {
            attrs.push(reader.read("signed attribute").ok()?.raw);
        }
        let mut sorted = attrs.clone();
        sorted.sort_unstable();
        (sorted != attrs).then(|| tlv::constructed(tag::SET, &sorted))
    }
}

fn small_int(t: Tlv<'_>, what: &'static str) -> Result<u8> {
    let t = t.expect_tag(tag::INTEGER, what)?;
    match t.content {
        [v] if *v < 0x80 => Ok(*v),
        _ => Err(Error::malformed(what, "version out of range")),
    }
}

fn bounded<T>(items: impl Iterator<Item = Result<T>>, what: &'static str) -> Result<Vec<T>> {
    let mut out = Vec::new();
    for item in items {
        if out.len() >= MAX_ITEMS {
            return Err(Error::malformed(
                what,
                format!("more than {MAX_ITEMS} elements"),
            ));
        }
        out.push(item?);
    }
    Ok(out)
}

/// Checks the shape of an AlgorithmIdentifier (`SEQUENCE { algorithm OBJECT IDENTIFIER,
/// parameters ANY OPTIONAL }`) and returns its complete encoding. Elements no signature covers
/// are still held to their syntax: a file whose structure is wrong is malformed, as OpenSSL
/// also finds it.
fn algorithm_identifier<'a>(a: Tlv<'a>, what: &'static str) -> Result<&'a [u8]> {
    let raw = a.raw;
    let a = a.expect_tag(tag::SEQUENCE, what)?;
    let mut r = a.children();
    decode_oid(r.read(what)?, what)?;
    if !r.is_empty() {
        r.read(what)?; // parameters
    }
    r.finish(what)?;
    Ok(raw)
}

/// Parses the attributes inside a `[0]`/`[1]`/SET element's content.
pub fn parse_attributes<'a>(content: &'a [u8], what: &'static str) -> Result<Vec<Attribute<'a>>> {
    bounded(
        Reader::new(content).map(|a| {
            let a = a?.expect_tag(tag::SEQUENCE, what)?;
            let mut r = a.children();
            let oid = decode_oid(r.read(what)?, what)?;
            let set = r.read_expect(tag::SET, what)?;
            r.finish(what)?;
            let values = bounded(set.children().map(|v| v.map(|v| v.raw)), what)?;
            Ok(Attribute { oid, values })
        }),
        what,
    )
}

/// Parses one SignerInfo from its complete encoding.
pub fn parse_signer_info(raw: &[u8]) -> Result<SignerInfo<'_>> {
    const W: &str = "SignerInfo";
    let si = tlv::read_single(raw, W)?.expect_tag(tag::SEQUENCE, W)?;
    let mut r = si.children();
    let version = small_int(r.read(W)?, "SignerInfo version")?;
    let sid_t = r.read("SignerInfo sid")?;
    let sid = match sid_t.tag {
        tag::SEQUENCE => {
            let mut s = sid_t.children();
            let issuer = s.read_expect(tag::SEQUENCE, "IssuerAndSerialNumber issuer")?;
            let serial = s.read_expect(tag::INTEGER, "IssuerAndSerialNumber serialNumber")?;
            s.finish("IssuerAndSerialNumber")?;
            SignerId::IssuerSerial {
                issuer: issuer.raw,
                serial: serial.content,
            }
        }
        tag::CTX0_PRIM => SignerId::SubjectKeyId(sid_t.content),
        other => {
            return Err(Error::malformed(
                "SignerInfo sid",
                format!("unexpected tag 0x{other:02x}"),
            ));
        }
    };
    let digest_algorithm = r
        .read_expect(tag::SEQUENCE, "SignerInfo digestAlgorithm")?
        .raw;
    let signed = r.read_optional(tag::CTX0, "SignerInfo signedAttrs")?;
    let signed_attrs = match signed {
        Some(s) => {
            let attrs = parse_attributes(s.content, "signedAttrs")?;
            if attrs.is_empty() {
                return Err(Error::malformed("signedAttrs", "present but empty"));
            }
            attrs
        }
        None => Vec::new(),
    };
    let signature_algorithm = r
        .read_expect(tag::SEQUENCE, "SignerInfo signatureAlgorithm")?
        .raw;
    let signature = r
        .read_expect(tag::OCTET_STRING, "SignerInfo signature")?
        .content;
    let unsigned = r.read_optional(tag::CTX1, "SignerInfo unsignedAttrs")?;
    let unsigned_attrs = match unsigned {
        Some(u) => parse_attributes(u.content, "unsignedAttrs")?,
        None => Vec::new(),
    };
    r.finish(W)?;
    Ok(SignerInfo {
        raw: si.raw,
        version,
        sid,
        digest_algorithm,
        signed_attrs_raw: signed.map(|s| s.raw),
        signed_attrs,
        signature_algorithm,
        signature,
        unsigned_attrs,
        unsigned_attrs_raw: unsigned.map(|u| u.raw),
    })
}

/// Parses a ContentInfo holding SignedData. `der` must already be in definite-length form (see
/// [`crate::asn1::tlv::normalize`]).
pub fn parse_signed_data(der: &[u8]) -> Result<SignedData<'_>> {
    const W: &str = "ContentInfo";
    let ci = tlv::read_single(der, W)?.expect_tag(tag::SEQUENCE, W)?;
    let mut r = ci.children();
    let ct = decode_oid(r.read(W)?, "ContentInfo contentType")?;
    if ct != oid::SIGNED_DATA {
        return Err(Error::malformed(
            "ContentInfo",
            format!("content type {ct} is not signedData (1.2.840.113549.1.7.2)"),
        ));
    }
    let content = r.read_expect(tag::CTX0, "ContentInfo content")?;
    r.finish(W)?;
    const S: &str = "SignedData";
    let sd = tlv::read_single(content.content, S)?.expect_tag(tag::SEQUENCE, S)?;
    let mut r = sd.children();
    let version = small_int(r.read(S)?, "SignedData version")?;
    let algs = r.read_expect(tag::SET, "SignedData digestAlgorithms")?;
    let digest_algorithms = bounded(
        algs.children()
            .map(|a| a.and_then(|a| algorithm_identifier(a, "SignedData digestAlgorithms"))),
        "digestAlgorithms",
    )?;
    let eci = r.read_expect(tag::SEQUENCE, "EncapsulatedContentInfo")?;
    let mut e = eci.children();
    let econtent_type = decode_oid(e.read("eContentType")?, "eContentType")?;
    let econtent = match e.read_optional(tag::CTX0, "eContent")? {
        Some(ec) => Some(
            tlv::read_single(ec.content, "eContent")?
                .expect_tag(tag::OCTET_STRING, "eContent")?
                .content,
        ),
        None => None,
    };
    e.finish("EncapsulatedContentInfo")?;
    let certificates_field = r.read_optional(tag::CTX0, "SignedData certificates")?;
    let certificates = match certificates_field {
        Some(c) => bounded(c.children().map(|x| x.map(|x| x.raw)), "certificates")?,
        None => Vec::new(),
    };
    let crls_field = r.read_optional(tag::CTX1, "SignedData crls")?;
    let crls = match crls_field {
        Some(c) => bounded(c.children().map(|x| x.map(|x| x.raw)), "crls")?,
        None => Vec::new(),
    };
    let sis = r.read_expect(tag::SET, "SignedData signerInfos")?;
    r.finish(S)?;
    let signer_infos = bounded(
        sis.children()
            .map(|s| s.and_then(|s| parse_signer_info(s.raw))),
        "signerInfos",
    )?;
    Ok(SignedData {
        version,
        digest_algorithms,
        econtent_type,
        encap_content_info_raw: eci.raw,
        econtent,
        certificates,
        crls,
        certificates_raw: certificates_field.map(|c| c.raw),
        crls_raw: crls_field.map(|c| c.raw),
        signer_infos,
    })
}

/// Encodes a SignedData ContentInfo from its parts (each already encoded), DER-sorting the
/// digest algorithm and certificate SET OFs by their encodings without altering any element.
#[allow(clippy::too_many_arguments)]
pub fn encode_signed_data(
    version: u8,
    digest_algorithms: Vec<Vec<u8>>,
    econtent_type: &ObjectIdentifier,
    econtent: Option<&[u8]>,
    certificates: Vec<Vec<u8>>,
    crls: Vec<Vec<u8>>,
    signer_infos: Vec<Vec<u8>>,
) -> Vec<u8> {
    use crate::asn1::ess::encode_oid;
    let mut eci_parts = vec![encode_oid(econtent_type)];
    if let Some(c) = econtent {
        eci_parts.push(tlv::tlv(tag::CTX0, &tlv::tlv(tag::OCTET_STRING, c)));
    }
    let eci_refs: Vec<&[u8]> = eci_parts.iter().map(Vec::as_slice).collect();
    let eci = tlv::constructed(tag::SEQUENCE, &eci_refs);
    let mut parts = vec![
        tlv::tlv(tag::INTEGER, &[version]),
        tlv::set_of(dedup(digest_algorithms)),
        eci,
    ];
    if !certificates.is_empty() {
        parts.push(tlv::retag(&tlv::set_of(dedup(certificates)), tag::CTX0));
    }
    if !crls.is_empty() {
        parts.push(tlv::retag(&tlv::set_of(dedup(crls)), tag::CTX1));
    }
    // SignerInfos keep their order (the first signer stays first); DER's sorting of SET OF is
    // not applied here, as OpenSSL does not apply it either when it adds a signer.
    let si_refs: Vec<&[u8]> = signer_infos.iter().map(Vec::as_slice).collect();
    parts.push(tlv::constructed(tag::SET, &si_refs));
    let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
    let sd = tlv::constructed(tag::SEQUENCE, &refs);
    tlv::constructed(
        tag::SEQUENCE,
        &[&encode_oid(&oid::SIGNED_DATA), &tlv::tlv(tag::CTX0, &sd)],
    )
}

fn dedup(mut v: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    v.sort();
    v.dedup();
    v
}
