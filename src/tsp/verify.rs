//! Verifying a timestamp token: [`verify_token`], [`verify_token_digest`] and
//! [`verify_response`].
//!
//! In order: exactly one SignerInfo; the CMS checks of `crate::cades` over the original bytes
//! (contentType is id-ct-TSTInfo, messageDigest is the digest of the original TSTInfo, the
//! signature verifies over the original signed attributes, the ESS signing-certificate (v1,
//! SHA-1) or signing-certificate-v2 reference designates the certificate used); one of the ESS
//! attributes is present; the messageImprint is the digest of the data; nonce and policy are the
//! request's; accuracy is in range; the TSA certificate's extendedKeyUsage is id-kp-timeStamping
//! alone, critical (RFC 3161 §2.3); a `tsa` name in TSTInfo is the certificate's subject; a TSA
//! RSA key shorter than [`MIN_RSA_BITS`] is acceptable at the validation time or, failing that,
//! at the token's proof of existence (the genTime of a later timestamp that covers it, given
//! by the caller as [`TokenVerifyOptions::poe`]) when that is before the sunset date of such
//! keys ([`AlgorithmPolicy`], ETSI EN 319 102-1 §5.6.2.5), else [`TspError::WeakTsaKey`]; the
//! chain to the trust anchors is valid at genTime with the timeStamping purpose.

use super::asn1::{TimeStampReq, TimeStampResp, TstInfo};
use super::error::TspError;
use super::token::{TimestampToken, check_nonce};
use crate::alg::{AlgorithmPolicy, DigestAlgorithm, MIN_RSA_BITS, RsaJudgement};
use crate::asn1::oid;
use crate::asn1::tlv;
use crate::cades::parse::{SignerInfo, parse_signed_data};
use crate::cades::verify::{find_certificate, verify_attached_signer};
use crate::crypto::{PublicKeyKind, public_key_kind};
use crate::report::{SignatureReport, SubIndication};
use crate::x509::CertificateDer;
use crate::x509::{
    CertSource, ChainValidation, EkuPolicy, PathOptions, RevocationData, RevocationPolicy,
    TrustStore, validate_chain_from,
};
use der::Decode;
use der::asn1::ObjectIdentifier;
use std::time::{Duration, SystemTime};
use x509_cert::ext::pkix::ExtendedKeyUsage;
use x509_cert::ext::pkix::name::GeneralName;

/// id-kp-timeStamping.
const KP_TIME_STAMPING: ObjectIdentifier = oid::KP_TIME_STAMPING;

/// What a token is checked against, besides the data.
#[derive(Clone, Debug, Default)]
pub struct TokenVerifyOptions {
    /// Trust anchors for the TSA chain. Required: without them verification fails with
    /// [`TspError::NoTrustAnchors`].
    pub trust: Option<TrustStore>,
    /// Certificates to find the TSA certificate and its chain in, besides the token's own.
    pub extra_certificates: Vec<CertificateDer>,
    /// CRLs and OCSP responses for the TSA chain.
    pub revocation: RevocationData,
    /// Revocation policy for the TSA chain (default: use the data given).
    pub revocation_policy: RevocationPolicy,
    /// The request's nonce (INTEGER content octets): the token must carry the same.
    pub nonce: Option<Vec<u8>>,
    /// The requested policy: the token's must be the same.
    pub policy: Option<ObjectIdentifier>,
    /// The dated algorithm policy: for the TSA's key size and the TSA chain at genTime.
    pub algorithms: AlgorithmPolicy,
    /// The validation time, at which a TSA key shorter than the minimum is judged first
    /// (`None`: now).
    pub validation_time: Option<SystemTime>,
    /// A proof that the token existed (a later verified timestamp covering it): a TSA key too
    /// short at the validation time is accepted when this is before its sunset date.
    pub poe: Option<TokenPoe>,
}

/// A proof that a token existed at `time`, given by `by` (e.g. `the archive timestamp S1.T2`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenPoe {
    /// The time the token is proven to have existed at.
    pub time: SystemTime,
    /// What proves it, for the report.
    pub by: String,
}

impl TokenVerifyOptions {
    /// Options with `trust` as anchors and nothing else.
    pub fn new(trust: TrustStore) -> Self {
        Self {
            trust: Some(trust),
            ..Self::default()
        }
    }
}

/// Which ESS attribute names the TSA certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EssVersion {
    /// signing-certificate (RFC 2634, SHA-1), as certomancer writes.
    V1,
    /// signing-certificate-v2 (RFC 5035 / RFC 5816), as `openssl ts -reply` writes.
    V2,
}

/// A verified timestamp: what the TSA asserts.
#[derive(Clone, Debug)]
pub struct VerifiedTimestamp {
    /// genTime.
    pub gen_time: SystemTime,
    /// genTime as RFC 3339 (with the fraction of a second the token gives).
    pub gen_time_rfc3339: String,
    /// serialNumber, as hex of its INTEGER content octets.
    pub serial: String,
    /// The TSA policy.
    pub policy: ObjectIdentifier,
    /// The accuracy the TSA claims, when it says one.
    pub accuracy: Option<Duration>,
    /// ordering.
    pub ordering: bool,
    /// The TSA certificate's subject (RFC 4514).
    pub tsa_subject: String,
    /// The TSA certificate.
    pub tsa_certificate: CertificateDer,
    /// The messageImprint's hash algorithm.
    pub imprint_algorithm: DigestAlgorithm,
    /// The ESS attribute that names the TSA certificate.
    pub ess: EssVersion,
    /// The validated TSA chain.
    pub chain: ChainValidation,
    /// Problems that do not fail the token (SHA-1, …).
    pub warnings: Vec<String>,
    /// How a TSA key too short at the validation time was accepted: the proof of existence
    /// (before the sunset date of such keys) that rescued it. `None` when none was needed.
    pub proof_of_existence: Option<String>,
}

/// Verifies `token` over `data` (hashed with the token's imprint algorithm).
pub fn verify_token(
    token: &TimestampToken,
    data: &[u8],
    options: &TokenVerifyOptions,
) -> Result<VerifiedTimestamp, TspError> {
    let alg = imprint_algorithm(token.tst_info())?;
    verify_token_digest(token, alg, &alg.digest(data), options)
}

/// Verifies `token` against a digest of the data, made with `algorithm` (which must be the
/// token's imprint algorithm).
pub fn verify_token_digest(
    token: &TimestampToken,
    algorithm: DigestAlgorithm,
    digest: &[u8],
    options: &TokenVerifyOptions,
) -> Result<VerifiedTimestamp, TspError> {
    let der = tlv::normalize(token.as_der())?;
    let sd = parse_signed_data(&der)?;
    let si = match sd.signer_infos.as_slice() {
        [si] => si,
        other => return Err(TspError::SignerCount(other.len())),
    };
    // The token's certificates (plain ones; others are skipped), then the caller's.
    let mut sourced: Vec<(CertificateDer, CertSource)> = sd
        .certificates
        .iter()
        .filter(|c| c.first() == Some(&tlv::tag::SEQUENCE))
        .filter_map(|c| CertificateDer::from_der(c).ok())
        .map(|c| (c, CertSource::Signature))
        .collect();
    sourced.extend(
        options
            .extra_certificates
            .iter()
            .map(|c| (c.clone(), CertSource::Pool)),
    );
    let pool: Vec<CertificateDer> = sourced.iter().map(|(c, _)| c.clone()).collect();
    let cert = find_certificate(&si.sid, &pool)
        .cloned()
        .ok_or(TspError::TsaCertificateNotFound)?;
    let report = verify_attached_signer(&sd, si, &pool);
    cms_outcome(&report)?;
    let ess = ess_version(si)?;

    let t = token.tst_info();
    let imprint_alg = imprint_algorithm(t)?;
    if imprint_alg != algorithm {
        return Err(TspError::ImprintAlgorithmMismatch {
            expected: algorithm.name().into(),
            token: imprint_alg.name().into(),
        });
    }
    if token.imprint() != digest {
        return Err(TspError::ImprintMismatch);
    }
    check_nonce(t, options.nonce.as_deref())?;
    if let Some(p) = options.policy
        && p != t.policy
    {
        return Err(TspError::PolicyMismatch {
            requested: p.to_string(),
            token: t.policy.to_string(),
        });
    }
    let accuracy = match &t.accuracy {
        Some(a) => Some(a.duration().ok_or(TspError::AccuracyOutOfRange)?),
        None => None,
    };
    check_tsa_purpose(&cert)?;
    check_tsa_name(t, &cert)?;
    let proof_of_existence = check_tsa_key(&cert, options)?;

    let chain = validate_tsa_chain(&cert, &sourced, t, options)?;
    let mut warnings = report.warnings.clone();
    warnings.extend(chain.warnings.iter().cloned());
    Ok(VerifiedTimestamp {
        gen_time: t.gen_time.to_system_time(),
        gen_time_rfc3339: t.gen_time.rfc3339(),
        serial: hex::encode(t.serial_number.as_bytes()),
        policy: t.policy,
        accuracy,
        ordering: t.ordering,
        tsa_subject: cert.subject(),
        tsa_certificate: cert,
        imprint_algorithm: imprint_alg,
        ess,
        chain,
        warnings,
        proof_of_existence,
    })
}

/// The TSA's key size: an RSA key shorter than [`MIN_RSA_BITS`] is judged with the dated
/// policy at the validation time, then at the token's proof of existence. Returns how a proof
/// of existence rescued it, if one did.
fn check_tsa_key(
    cert: &CertificateDer,
    options: &TokenVerifyOptions,
) -> Result<Option<String>, TspError> {
    let Ok(fields) = crate::asn1::cert::cert_fields(cert.der()) else {
        return Ok(None);
    };
    let bits = match public_key_kind(fields.spki) {
        Ok(PublicKeyKind::Rsa(bits)) if bits < MIN_RSA_BITS => bits,
        // Other keys were judged with the signature value.
        _ => return Ok(None),
    };
    let validation = options.validation_time.unwrap_or_else(SystemTime::now);
    let poe = options.poe.as_ref();
    let judgement = options
        .algorithms
        .judge_rsa(bits, validation, poe.map(|p| p.time));
    let text = judgement.poe_text("the token", poe.map(|p| p.by.as_str()));
    match judgement {
        RsaJudgement::Always | RsaJudgement::AtValidation { .. } => Ok(None),
        RsaJudgement::AtPoe { .. } => Ok(Some(format!(
            "the TSA's RSA key of {bits} bits is accepted: {}",
            text.unwrap_or_default()
        ))),
        RsaJudgement::Refused { sunset, poe: p } => {
            let mut reason = text.unwrap_or_else(|| "never acceptable".into());
            if sunset.is_some() && p.is_none() {
                reason.push_str(" (no later timestamp covers the token)");
            }
            Err(TspError::WeakTsaKey {
                bits,
                min: MIN_RSA_BITS,
                sunset,
                reason,
            })
        }
    }
}

/// Verifies a response to `request`: granted, the token answers the request (imprint, nonce,
/// policy) and verifies. The nonce and policy of `options` are taken from the request.
pub fn verify_response(
    response: &[u8],
    request: &TimeStampReq,
    options: &TokenVerifyOptions,
) -> Result<(TimestampToken, VerifiedTimestamp), TspError> {
    let token = TimeStampResp::from_der(response)?.into_token()?;
    token.check_answers(request)?;
    let algorithm = request.digest_algorithm().ok_or_else(|| {
        TspError::UnsupportedImprintAlgorithm(
            request.message_imprint.hash_algorithm.oid.to_string(),
        )
    })?;
    let mut options = options.clone();
    options.nonce = request.nonce.as_ref().map(|n| n.as_bytes().to_vec());
    options.policy = request.req_policy;
    let verified = verify_token_digest(
        &token,
        algorithm,
        request.message_imprint.hashed_message.as_bytes(),
        &options,
    )?;
    Ok((token, verified))
}

fn imprint_algorithm(t: &TstInfo) -> Result<DigestAlgorithm, TspError> {
    let o = t.message_imprint.hash_algorithm.oid;
    DigestAlgorithm::from_oid(&o)
        .ok_or_else(|| TspError::UnsupportedImprintAlgorithm(o.to_string()))
}

/// The first failure of the CMS checks, as a [`TspError`]. The `trust` check (not evaluated
/// there) is skipped.
fn cms_outcome(report: &SignatureReport) -> Result<(), TspError> {
    let failed: Vec<(&str, String)> = report
        .checks
        .iter()
        .filter(|c| !c.passed && c.name != "trust")
        .map(|c| (c.name.as_str(), c.detail.clone().unwrap_or_default()))
        .collect();
    let Some((name, detail)) = failed.first().cloned() else {
        return Ok(());
    };
    let detail_of = |check: &str| {
        failed
            .iter()
            .find(|(n, _)| *n == check)
            .map(|(_, d)| d.clone())
            .unwrap_or_else(|| detail.clone())
    };
    Err(match report.sub_indication {
        Some(SubIndication::HashFailure) => TspError::TstInfoDigestMismatch,
        Some(SubIndication::SigCryptoFailure) => {
            TspError::BadSignature(detail_of("signature-value"))
        }
        Some(SubIndication::CryptoConstraintsFailure) => TspError::UnsupportedAlgorithm(detail),
        _ if name == "signing-certificate" => TspError::EssMismatch(detail),
        _ if name == "signature-value" => TspError::BadSignature(detail),
        _ => TspError::SignedAttributes(format!("{name}: {detail}")),
    })
}

/// Which ESS attribute the token carries (the CMS checks matched it against the certificate).
fn ess_version(si: &SignerInfo<'_>) -> Result<EssVersion, TspError> {
    if !si.signed_attr(&oid::SIGNING_CERTIFICATE_V2).is_empty() {
        Ok(EssVersion::V2)
    } else if !si.signed_attr(&oid::SIGNING_CERTIFICATE).is_empty() {
        Ok(EssVersion::V1)
    } else {
        Err(TspError::EssMissing)
    }
}

/// RFC 3161 §2.3: "The corresponding certificate MUST contain only one instance of the extended
/// key usage field extension ... with KeyPurposeID having value id-kp-timeStamping. This
/// extension MUST be critical."
fn check_tsa_purpose(cert: &CertificateDer) -> Result<(), TspError> {
    let fail = |detail: &str| TspError::TsaKeyPurpose {
        subject: cert.subject(),
        detail: detail.into(),
    };
    let exts = cert
        .certificate()
        .tbs_certificate()
        .extensions()
        .map(|e| e.as_slice())
        .unwrap_or_default();
    let ekus: Vec<_> = exts
        .iter()
        .filter(|e| e.extn_id == oid::EXT_KEY_USAGE)
        .collect();
    let ext = match ekus.as_slice() {
        [] => {
            return Err(fail(
                "no extendedKeyUsage extension (id-kp-timeStamping required)",
            ));
        }
        [e] => e,
        _ => return Err(fail("more than one extendedKeyUsage extension")),
    };
    let purposes = ExtendedKeyUsage::from_der(ext.extn_value.as_bytes())
        .map_err(|e| fail(&format!("malformed extendedKeyUsage: {e}")))?;
    if purposes.0.as_slice() != [KP_TIME_STAMPING] {
        let list: Vec<String> = purposes.0.iter().map(ToString::to_string).collect();
        return Err(fail(&format!(
            "extendedKeyUsage must be id-kp-timeStamping alone, found [{}]",
            list.join(", ")
        )));
    }
    if !ext.critical {
        return Err(fail("the extendedKeyUsage extension is not critical"));
    }
    Ok(())
}

/// A `tsa` directoryName in TSTInfo must be the signing certificate's subject.
fn check_tsa_name(t: &TstInfo, cert: &CertificateDer) -> Result<(), TspError> {
    let Some(GeneralName::DirectoryName(name)) = &t.tsa else {
        return Ok(());
    };
    let subject = cert.certificate().tbs_certificate().subject();
    if name == subject {
        return Ok(());
    }
    Err(TspError::TsaNameMismatch {
        named: name.to_string(),
        subject: cert.subject(),
    })
}

/// The TSA chain, valid at genTime (to the second) for the timeStamping purpose.
fn validate_tsa_chain(
    cert: &CertificateDer,
    pool: &[(CertificateDer, CertSource)],
    t: &TstInfo,
    options: &TokenVerifyOptions,
) -> Result<ChainValidation, TspError> {
    let store = options.trust.as_ref().ok_or(TspError::NoTrustAnchors)?;
    let mut path = PathOptions::at(t.gen_time.date_time().to_system_time());
    path.eku = EkuPolicy::Require(vec![KP_TIME_STAMPING]);
    path.check_revocation = options.revocation_policy;
    path.algorithms = options.algorithms.clone();
    let chain = validate_chain_from(cert, pool, store, &options.revocation, &path);
    match &chain.outcome {
        Ok(()) => Ok(chain),
        Err(e) => Err(TspError::Chain(e.clone())),
    }
}
