//! Every OBJECT IDENTIFIER sigform knows, each defined once, grouped by the standard that
//! assigns it:
//!
//! - digest algorithms (RFC 3279, RFC 5754 / NIST CSOR) and HMACs (RFC 8018);
//! - RSA keys and signatures (PKCS #1, RFC 8017);
//! - EC keys, curves and ECDSA signatures (RFC 5480, RFC 5758);
//! - SHA-3 digests and signatures (NIST CSOR, RFC 8702 §2), EdDSA (RFC 8410, RFC 8419);
//! - CMS content types (RFC 5652, RFC 3161) and CMS attributes (PKCS #9, RFC 5652 §11);
//! - ESS signing-certificate attributes (RFC 2634, RFC 5035);
//! - CAdES attributes and qualifiers (ETSI EN 319 122-1);
//! - name attributes (X.520, PKCS #9);
//! - certificate extensions (RFC 5280 §4.2), certificate policies and key purposes (RFC 5280
//!   §4.2.1.4, §4.2.1.12, RFC 9336 and vendor purposes);
//! - CRL and CRL entry extensions (RFC 5280 §5.2, §5.3);
//! - OCSP (RFC 6960) and CMS other revocation information (RFC 5940);
//! - PKCS #12 bags and password-based encryption and MAC (RFC 7292, RFC 8018, RFC 9579);
//! - ICP-Brasil otherName forms (DOC-ICP-04).

use der::asn1::ObjectIdentifier as Oid;

// ---- Digest algorithms (RFC 3279 §2.2.2, RFC 5754 §2) and HMACs (RFC 8018 §B.1) ----

/// id-md5 (refused, recognised only to report it).
pub const MD5: Oid = Oid::new_unwrap("1.2.840.113549.2.5");
/// id-sha1.
pub const SHA1: Oid = Oid::new_unwrap("1.3.14.3.2.26");
/// id-sha256.
pub const SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.1");
/// id-sha384.
pub const SHA384: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.2");
/// id-sha512.
pub const SHA512: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.3");
/// id-sha224.
pub const SHA224: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.4");
/// id-sha512-224.
pub const SHA512_224: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.5");
/// id-sha512-256.
pub const SHA512_256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.6");
/// id-sha3-256 (NIST CSOR).
pub const SHA3_256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.8");
/// id-sha3-384.
pub const SHA3_384: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.9");
/// id-sha3-512.
pub const SHA3_512: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.10");
/// id-shake256 (the digest of Ed448 in CMS, RFC 8419 §2.3; not computed, named in reports).
pub const SHAKE256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.12");
/// id-hmacWithSHA1 (RFC 8018).
pub const HMAC_SHA1: Oid = Oid::new_unwrap("1.2.840.113549.2.7");
/// id-hmacWithSHA224.
pub const HMAC_SHA224: Oid = Oid::new_unwrap("1.2.840.113549.2.8");
/// id-hmacWithSHA256.
pub const HMAC_SHA256: Oid = Oid::new_unwrap("1.2.840.113549.2.9");
/// id-hmacWithSHA384.
pub const HMAC_SHA384: Oid = Oid::new_unwrap("1.2.840.113549.2.10");
/// id-hmacWithSHA512.
pub const HMAC_SHA512: Oid = Oid::new_unwrap("1.2.840.113549.2.11");
/// id-hmacWithSHA512-224.
pub const HMAC_SHA512_224: Oid = Oid::new_unwrap("1.2.840.113549.2.12");
/// id-hmacWithSHA512-256.
pub const HMAC_SHA512_256: Oid = Oid::new_unwrap("1.2.840.113549.2.13");

// ---- RSA (PKCS #1, RFC 8017 Appendix C) ----

/// rsaEncryption (also used as a CMS signature algorithm meaning PKCS#1 v1.5).
pub const RSA_ENCRYPTION: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
/// md5WithRSAEncryption.
pub const MD5_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.4");
/// sha1WithRSAEncryption.
pub const SHA1_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.5");
/// id-mgf1.
pub const MGF1: Oid = Oid::new_unwrap("1.2.840.113549.1.1.8");
/// id-RSASSA-PSS.
pub const RSASSA_PSS: Oid = Oid::new_unwrap("1.2.840.113549.1.1.10");
/// sha256WithRSAEncryption.
pub const SHA256_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.11");
/// sha384WithRSAEncryption.
pub const SHA384_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.12");
/// sha512WithRSAEncryption.
pub const SHA512_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.13");
/// sha224WithRSAEncryption (RFC 4055 §5).
pub const SHA224_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.14");

// ---- Elliptic curves and ECDSA (RFC 5480 §2.1, RFC 5758 §3.2) ----

/// id-ecPublicKey.
pub const EC_PUBLIC_KEY: Oid = Oid::new_unwrap("1.2.840.10045.2.1");
/// secp256r1 (P-256).
pub const SECP256R1: Oid = Oid::new_unwrap("1.2.840.10045.3.1.7");
/// secp384r1 (P-384).
pub const SECP384R1: Oid = Oid::new_unwrap("1.3.132.0.34");
/// ecdsa-with-SHA1.
pub const ECDSA_WITH_SHA1: Oid = Oid::new_unwrap("1.2.840.10045.4.1");
/// ecdsa-with-SHA256.
pub const ECDSA_WITH_SHA256: Oid = Oid::new_unwrap("1.2.840.10045.4.3.2");
/// ecdsa-with-SHA384.
pub const ECDSA_WITH_SHA384: Oid = Oid::new_unwrap("1.2.840.10045.4.3.3");
/// ecdsa-with-SHA512.
pub const ECDSA_WITH_SHA512: Oid = Oid::new_unwrap("1.2.840.10045.4.3.4");
/// ecdsa-with-SHA224.
pub const ECDSA_WITH_SHA224: Oid = Oid::new_unwrap("1.2.840.10045.4.3.1");
/// secp521r1 (NIST P-521).
pub const SECP521R1: Oid = Oid::new_unwrap("1.3.132.0.35");

// ---- SHA-3 signatures (NIST CSOR sigAlgs, RFC 8702 §2) and EdDSA (RFC 8410 §3) ----

/// id-ecdsa-with-sha3-256.
pub const ECDSA_WITH_SHA3_256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.3.10");
/// id-ecdsa-with-sha3-384.
pub const ECDSA_WITH_SHA3_384: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.3.11");
/// id-ecdsa-with-sha3-512.
pub const ECDSA_WITH_SHA3_512: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.3.12");
/// id-rsassa-pkcs1-v1_5-with-sha3-256.
pub const SHA3_256_WITH_RSA: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.3.14");
/// id-rsassa-pkcs1-v1_5-with-sha3-384.
pub const SHA3_384_WITH_RSA: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.3.15");
/// id-rsassa-pkcs1-v1_5-with-sha3-512.
pub const SHA3_512_WITH_RSA: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.3.16");
/// id-Ed25519: the key and the signature algorithm (parameters absent).
pub const ED25519: Oid = Oid::new_unwrap("1.3.101.112");
/// id-Ed448 (not verified: named in reports).
pub const ED448: Oid = Oid::new_unwrap("1.3.101.113");

// ---- CMS content types (RFC 5652 §4, §5; RFC 3161 §2.4.2) ----

/// id-data.
pub const DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.1");
/// id-signedData.
pub const SIGNED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.2");
/// id-envelopedData.
pub const ENVELOPED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.3");
/// id-encryptedData.
pub const ENCRYPTED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.6");
/// id-ct-TSTInfo.
pub const TST_INFO: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.1.4");

// ---- CMS attributes (PKCS #9, RFC 5652 §11) ----

/// id-contentType.
pub const CONTENT_TYPE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.3");
/// id-messageDigest.
pub const MESSAGE_DIGEST: Oid = Oid::new_unwrap("1.2.840.113549.1.9.4");
/// id-signingTime.
pub const SIGNING_TIME: Oid = Oid::new_unwrap("1.2.840.113549.1.9.5");
/// id-countersignature.
pub const COUNTER_SIGNATURE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.6");

// ---- ESS (RFC 2634 §5.4, RFC 5035 §3) ----

/// id-aa-signingCertificate (ESS, SHA-1).
pub const SIGNING_CERTIFICATE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.12");
/// id-aa-signingCertificateV2.
pub const SIGNING_CERTIFICATE_V2: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.47");

// ---- CAdES (ETSI EN 319 122-1 §5.2, §5.3) ----

/// id-aa-signatureTimeStampToken.
pub const SIGNATURE_TIMESTAMP: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.14");
/// id-aa-ets-certValues (CAdES-X-L certificate values, unsigned).
pub const CERT_VALUES: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.23");
/// id-aa-ets-revocationValues (CAdES-X-L revocation values, unsigned).
pub const REVOCATION_VALUES: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.24");
/// id-aa-ets-archiveTimestampV2 (ETSI TS 101 733 §6.4.1; verified, not written).
pub const ARCHIVE_TIMESTAMP_V2: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.48");
/// id-aa-ets-archiveTimestampV3 (ETSI EN 319 122-1 §5.5.3).
pub const ARCHIVE_TIMESTAMP_V3: Oid = Oid::new_unwrap("0.4.0.1733.2.4");
/// id-aa-ATSHashIndex (ETSI TS 101 733 v2.2.1: whole unsigned attributes hashed).
pub const ATS_HASH_INDEX: Oid = Oid::new_unwrap("0.4.0.1733.2.5");
/// id-aa-ATSHashIndex-v3 (ETSI EN 319 122-1 §5.5.2: attribute type and value hashed).
pub const ATS_HASH_INDEX_V3: Oid = Oid::new_unwrap("0.4.0.19122.1.5");
/// id-aa-ets-sigPolicyId.
pub const SIG_POLICY_ID: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.15");
/// id-aa-ets-commitmentType.
pub const COMMITMENT_TYPE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.16");
/// id-spq-ets-uri.
pub const SPQ_URI: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.5.1");
/// id-cti-ets-proofOfOrigin.
pub const PROOF_OF_ORIGIN: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.6.1");
/// id-cti-ets-proofOfApproval.
pub const PROOF_OF_APPROVAL: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.6.5");

// ---- Name attributes (X.520, PKCS #9) ----

/// commonName attribute.
pub const COMMON_NAME_ATTR: Oid = Oid::new_unwrap("2.5.4.3");
/// emailAddress attribute (PKCS #9).
pub const EMAIL_ADDRESS_ATTR: Oid = Oid::new_unwrap("1.2.840.113549.1.9.1");

// ---- Certificate extensions (RFC 5280 §4.2) ----

/// subjectDirectoryAttributes.
pub const SUBJECT_DIRECTORY_ATTRIBUTES: Oid = Oid::new_unwrap("2.5.29.9");
/// subjectKeyIdentifier.
pub const SUBJECT_KEY_IDENTIFIER: Oid = Oid::new_unwrap("2.5.29.14");
/// keyUsage.
pub const KEY_USAGE: Oid = Oid::new_unwrap("2.5.29.15");
/// privateKeyUsagePeriod.
pub const PRIVATE_KEY_USAGE_PERIOD: Oid = Oid::new_unwrap("2.5.29.16");
/// subjectAltName.
pub const SUBJECT_ALT_NAME: Oid = Oid::new_unwrap("2.5.29.17");
/// issuerAltName.
pub const ISSUER_ALT_NAME: Oid = Oid::new_unwrap("2.5.29.18");
/// basicConstraints.
pub const BASIC_CONSTRAINTS: Oid = Oid::new_unwrap("2.5.29.19");
/// nameConstraints.
pub const NAME_CONSTRAINTS: Oid = Oid::new_unwrap("2.5.29.30");
/// cRLDistributionPoints.
pub const CRL_DISTRIBUTION_POINTS: Oid = Oid::new_unwrap("2.5.29.31");
/// certificatePolicies.
pub const CERTIFICATE_POLICIES: Oid = Oid::new_unwrap("2.5.29.32");
/// policyMappings.
pub const POLICY_MAPPINGS: Oid = Oid::new_unwrap("2.5.29.33");
/// authorityKeyIdentifier.
pub const AUTHORITY_KEY_IDENTIFIER: Oid = Oid::new_unwrap("2.5.29.35");
/// policyConstraints.
pub const POLICY_CONSTRAINTS: Oid = Oid::new_unwrap("2.5.29.36");
/// extendedKeyUsage.
pub const EXT_KEY_USAGE: Oid = Oid::new_unwrap("2.5.29.37");
/// freshestCRL.
pub const FRESHEST_CRL: Oid = Oid::new_unwrap("2.5.29.46");
/// inhibitAnyPolicy.
pub const INHIBIT_ANY_POLICY: Oid = Oid::new_unwrap("2.5.29.54");
/// authorityInfoAccess.
pub const AUTHORITY_INFO_ACCESS: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.1.1");
/// id-ad-ocsp (an authorityInfoAccess method: the OCSP responder).
pub const AD_OCSP: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.48.1");
/// subjectInfoAccess.
pub const SUBJECT_INFO_ACCESS: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.1.11");

// ---- Certificate policies and key purposes (RFC 5280 §4.2.1.4, §4.2.1.12; RFC 9336) ----

/// anyPolicy.
pub const ANY_POLICY: Oid = Oid::new_unwrap("2.5.29.32.0");
/// anyExtendedKeyUsage.
pub const ANY_EKU: Oid = Oid::new_unwrap("2.5.29.37.0");
/// id-kp-serverAuth.
pub const KP_SERVER_AUTH: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.3.1");
/// id-kp-clientAuth.
pub const KP_CLIENT_AUTH: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.3.2");
/// id-kp-codeSigning.
pub const KP_CODE_SIGNING: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.3.3");
/// id-kp-emailProtection.
pub const KP_EMAIL_PROTECTION: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.3.4");
/// id-kp-timeStamping.
pub const KP_TIME_STAMPING: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.3.8");
/// id-kp-OCSPSigning.
pub const KP_OCSP_SIGNING: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.3.9");
/// id-kp-documentSigning (RFC 9336).
pub const KP_DOCUMENT_SIGNING: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.3.36");
/// Adobe Authentic Documents Trust.
pub const ADOBE_AUTHENTIC_DOCUMENTS: Oid = Oid::new_unwrap("1.2.840.113583.1.1.5");
/// Microsoft document signing.
pub const MS_DOCUMENT_SIGNING: Oid = Oid::new_unwrap("1.3.6.1.4.1.311.10.3.12");

// ---- CRL and CRL entry extensions (RFC 5280 §5.2, §5.3) ----

/// cRLNumber.
pub const CRL_NUMBER: Oid = Oid::new_unwrap("2.5.29.20");
/// reasonCode (CRL entry).
pub const REASON_CODE: Oid = Oid::new_unwrap("2.5.29.21");
/// invalidityDate (CRL entry).
pub const INVALIDITY_DATE: Oid = Oid::new_unwrap("2.5.29.24");
/// deltaCRLIndicator.
pub const DELTA_CRL_INDICATOR: Oid = Oid::new_unwrap("2.5.29.27");
/// issuingDistributionPoint.
pub const ISSUING_DISTRIBUTION_POINT: Oid = Oid::new_unwrap("2.5.29.28");
/// certificateIssuer (CRL entry).
pub const CERTIFICATE_ISSUER: Oid = Oid::new_unwrap("2.5.29.29");

// ---- OCSP (RFC 6960 §4.2.1, §4.4) and other revocation information (RFC 5940 §3) ----

/// id-pkix-ocsp-basic.
pub const OCSP_BASIC: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.48.1.1");
/// id-pkix-ocsp-nonce.
pub const OCSP_NONCE: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.48.1.2");
/// id-pkix-ocsp-crl (CRL references).
pub const OCSP_CRL_ID: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.48.1.3");
/// id-pkix-ocsp-nocheck.
pub const OCSP_NOCHECK: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.48.1.5");
/// id-pkix-ocsp-archive-cutoff.
pub const OCSP_ARCHIVE_CUTOFF: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.48.1.6");
/// id-pkix-ocsp-extended-revoke.
pub const OCSP_EXTENDED_REVOKE: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.48.1.9");
/// id-ri-ocsp-response: an OCSP response as CMS OtherRevocationInfoFormat.
pub const RI_OCSP_RESPONSE: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.16.2");

// ---- PKCS #12 (RFC 7292 §4.2, Appendix C) and PKCS #5 (RFC 8018 Appendix A, RFC 9579) ----

/// keyBag.
pub const KEY_BAG: Oid = Oid::new_unwrap("1.2.840.113549.1.12.10.1.1");
/// pkcs8ShroudedKeyBag.
pub const SHROUDED_KEY_BAG: Oid = Oid::new_unwrap("1.2.840.113549.1.12.10.1.2");
/// certBag.
pub const CERT_BAG: Oid = Oid::new_unwrap("1.2.840.113549.1.12.10.1.3");
/// safeContentsBag.
pub const SAFE_CONTENTS_BAG: Oid = Oid::new_unwrap("1.2.840.113549.1.12.10.1.6");
/// x509Certificate certificate type (PKCS #9 certTypes arc).
pub const X509_CERTIFICATE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.22.1");
/// friendlyName attribute (PKCS #9).
pub const FRIENDLY_NAME: Oid = Oid::new_unwrap("1.2.840.113549.1.9.20");
/// localKeyId attribute (PKCS #9).
pub const LOCAL_KEY_ID: Oid = Oid::new_unwrap("1.2.840.113549.1.9.21");
/// pbeWithSHAAnd128BitRC4 (not supported; named in errors).
pub const PBE_SHA1_RC4_128: Oid = Oid::new_unwrap("1.2.840.113549.1.12.1.1");
/// pbeWithSHAAnd40BitRC4 (not supported; named in errors).
pub const PBE_SHA1_RC4_40: Oid = Oid::new_unwrap("1.2.840.113549.1.12.1.2");
/// pbeWithSHAAnd3-KeyTripleDES-CBC.
pub const PBE_SHA1_3DES_3KEY: Oid = Oid::new_unwrap("1.2.840.113549.1.12.1.3");
/// pbeWithSHAAnd2-KeyTripleDES-CBC.
pub const PBE_SHA1_3DES_2KEY: Oid = Oid::new_unwrap("1.2.840.113549.1.12.1.4");
/// pbeWithSHAAnd128BitRC2-CBC.
pub const PBE_SHA1_RC2_128: Oid = Oid::new_unwrap("1.2.840.113549.1.12.1.5");
/// pbeWithSHAAnd40BitRC2-CBC.
pub const PBE_SHA1_RC2_40: Oid = Oid::new_unwrap("1.2.840.113549.1.12.1.6");
/// id-PBKDF2.
pub const PBKDF2: Oid = Oid::new_unwrap("1.2.840.113549.1.5.12");
/// id-PBES2.
pub const PBES2: Oid = Oid::new_unwrap("1.2.840.113549.1.5.13");
/// id-PBMAC1 (used in PKCS #12 by RFC 9579).
pub const PBMAC1: Oid = Oid::new_unwrap("1.2.840.113549.1.5.14");

// ---- ICP-Brasil otherName forms (DOC-ICP-04) ----

/// ICP-Brasil otherName: natural person data (birth date ddmmyyyy, CPF, NIS, RG, issuer/UF).
pub const ICP_BRASIL_PF_DATA: Oid = Oid::new_unwrap("2.16.76.1.3.1");
/// ICP-Brasil otherName: company CNPJ.
pub const ICP_BRASIL_CNPJ: Oid = Oid::new_unwrap("2.16.76.1.3.3");
/// ICP-Brasil otherName: data of the person responsible for a company certificate (same
/// layout as [`ICP_BRASIL_PF_DATA`]).
pub const ICP_BRASIL_PJ_RESPONSIBLE_DATA: Oid = Oid::new_unwrap("2.16.76.1.3.4");

#[cfg(test)]
mod tests {
    #[test]
    fn every_oid_is_defined_once() {
        let source = include_str!("oid.rs");
        let mut seen = std::collections::HashSet::new();
        let values = source
            .split("Oid::new_unwrap(\"")
            .skip(1)
            .filter_map(|rest| rest.split('"').next());
        for value in values {
            assert!(seen.insert(value), "OID {value} is defined twice");
        }
        assert!(seen.len() > 50, "only {} OIDs found", seen.len());
    }
}
