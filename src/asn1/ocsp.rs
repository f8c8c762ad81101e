//! OCSP response types (RFC 6960 §4.2.1), read-only: sigform consumes responses supplied with a
//! signature, a PDF's DSS or by the user; it never asks a responder.
//!
//! Certificates inside a response are kept as [`Any`] so their original DER survives (their
//! signatures are verified over it).

use der::asn1::{Any, BitString, GeneralizedTime, Int, Null, ObjectIdentifier, OctetString};
use der::{Choice, Enumerated, Sequence};
use spki::AlgorithmIdentifierOwned;
use x509_cert::ext::Extensions;
use x509_cert::ext::pkix::CrlReason;
use x509_cert::name::Name;

/// OCSPResponse.
///
/// ```asn1
/// OCSPResponse ::= SEQUENCE {
///    responseStatus         OCSPResponseStatus,
///    responseBytes          [0] EXPLICIT ResponseBytes OPTIONAL }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct OcspResponse {
    /// responseStatus.
    pub response_status: OcspResponseStatus,
    /// responseBytes.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub response_bytes: Option<ResponseBytes>,
}

/// OCSPResponseStatus.
///
/// ```asn1
/// OCSPResponseStatus ::= ENUMERATED {
///     successful            (0),  -- Response has valid confirmations
///     malformedRequest      (1),  -- Illegal confirmation request
///     internalError         (2),  -- Internal error in issuer
///     tryLater              (3),  -- Try again later
///                                 -- (4) is not used
///     sigRequired           (5),  -- Must sign the request
///     unauthorized          (6)   -- Request unauthorized
/// }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enumerated)]
#[repr(u32)]
pub enum OcspResponseStatus {
    /// successful.
    Successful = 0,
    /// malformedRequest.
    MalformedRequest = 1,
    /// internalError.
    InternalError = 2,
    /// tryLater.
    TryLater = 3,
    /// sigRequired.
    SigRequired = 5,
    /// unauthorized.
    Unauthorized = 6,
}

/// ResponseBytes.
///
/// ```asn1
/// ResponseBytes ::=       SEQUENCE {
///     responseType   OBJECT IDENTIFIER,
///     response       OCTET STRING }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct ResponseBytes {
    /// responseType (id-pkix-ocsp-basic).
    pub response_type: ObjectIdentifier,
    /// The DER of a BasicOCSPResponse for id-pkix-ocsp-basic.
    pub response: OctetString,
}

/// BasicOCSPResponse.
///
/// ```asn1
/// BasicOCSPResponse       ::= SEQUENCE {
///    tbsResponseData      ResponseData,
///    signatureAlgorithm   AlgorithmIdentifier,
///    signature            BIT STRING,
///    certs            [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct BasicOcspResponse {
    /// tbsResponseData (verify the signature over its original bytes, not a re-encoding).
    pub tbs_response_data: ResponseData,
    /// signatureAlgorithm.
    pub signature_algorithm: AlgorithmIdentifierOwned,
    /// signature.
    pub signature: BitString,
    /// certs: kept undecoded to preserve their DER.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub certs: Option<Vec<Any>>,
}

/// ResponseData.
///
/// ```asn1
/// ResponseData ::= SEQUENCE {
///    version              [0] EXPLICIT Version DEFAULT v1,
///    responderID              ResponderID,
///    producedAt               GeneralizedTime,
///    responses                SEQUENCE OF SingleResponse,
///    responseExtensions   [1] EXPLICIT Extensions OPTIONAL }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct ResponseData {
    /// version (absent = v1 = 0).
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub version: Option<u8>,
    /// responderID.
    pub responder_id: ResponderId,
    /// producedAt.
    pub produced_at: GeneralizedTime,
    /// responses.
    pub responses: Vec<SingleResponse>,
    /// responseExtensions.
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub response_extensions: Option<Extensions>,
}

/// ResponderID.
///
/// ```asn1
/// ResponderID ::= CHOICE {
///    byName   [1] Name,
///    byKey    [2] KeyHash }
/// KeyHash ::= OCTET STRING -- SHA-1 hash of responder's public key
///                          -- (excluding the tag and length fields)
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Choice)]
pub enum ResponderId {
    /// byName.
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", constructed = "true")]
    ByName(Name),
    /// byKey.
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", constructed = "true")]
    ByKey(OctetString),
}

/// SingleResponse.
///
/// ```asn1
/// SingleResponse ::= SEQUENCE {
///    certID                       CertID,
///    certStatus                   CertStatus,
///    thisUpdate                   GeneralizedTime,
///    nextUpdate         [0]       EXPLICIT GeneralizedTime OPTIONAL,
///    singleExtensions   [1]       EXPLICIT Extensions OPTIONAL }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct SingleResponse {
    /// certID.
    pub cert_id: CertId,
    /// certStatus.
    pub cert_status: CertStatus,
    /// thisUpdate.
    pub this_update: GeneralizedTime,
    /// nextUpdate.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub next_update: Option<GeneralizedTime>,
    /// singleExtensions.
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub single_extensions: Option<Extensions>,
}

/// CertID.
///
/// ```asn1
/// CertID ::= SEQUENCE {
///    hashAlgorithm            AlgorithmIdentifier,
///    issuerNameHash           OCTET STRING, -- Hash of issuer's DN
///    issuerKeyHash            OCTET STRING, -- Hash of issuer's public key
///    serialNumber             CertificateSerialNumber }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct CertId {
    /// hashAlgorithm.
    pub hash_algorithm: AlgorithmIdentifierOwned,
    /// issuerNameHash: hash of the DER of the issuer's Name.
    pub issuer_name_hash: OctetString,
    /// issuerKeyHash: hash of the issuer's subjectPublicKey BIT STRING value.
    pub issuer_key_hash: OctetString,
    /// serialNumber.
    pub serial_number: Int,
}

/// CertStatus.
///
/// ```asn1
/// CertStatus ::= CHOICE {
///     good        [0]     IMPLICIT NULL,
///     revoked     [1]     IMPLICIT RevokedInfo,
///     unknown     [2]     IMPLICIT UnknownInfo }
/// UnknownInfo ::= NULL
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Choice)]
pub enum CertStatus {
    /// good.
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT")]
    Good(Null),
    /// revoked.
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", constructed = "true")]
    Revoked(RevokedInfo),
    /// unknown.
    #[asn1(context_specific = "2", tag_mode = "IMPLICIT")]
    Unknown(Null),
}

/// RevokedInfo.
///
/// ```asn1
/// RevokedInfo ::= SEQUENCE {
///     revocationTime              GeneralizedTime,
///     revocationReason    [0]     EXPLICIT CRLReason OPTIONAL }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct RevokedInfo {
    /// revocationTime.
    pub revocation_time: GeneralizedTime,
    /// revocationReason.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub revocation_reason: Option<CrlReason>,
}
