//! Creating CAdES signatures: new, co-signature, counter-signature; one-shot or two-step.
//!
//! Every path goes through [`prepare`]-style functions that return the bytes to be signed and a
//! serialisable [`SigningState`], and [`finish`], which turns a signature value into the `.p7s`.
//! The one-shot functions ([`sign`], [`cosign`], [`countersign`]) are `prepare` +
//! [`Signer::sign`] + `finish`; a remote signer (browser plugin, mobile A2 certificate) gets the
//! [`Prepared::to_be_signed`] bytes (or their [`Prepared::digest`]) and hands back the value.

use super::parse::{SignedData, SignerInfo, encode_signed_data, parse_signed_data};
use crate::alg::{DigestAlgorithm, SignatureAlgorithm};
use crate::asn1::Base64Bytes;
use crate::asn1::cert::cert_fields;
use crate::asn1::ess::{self, SignaturePolicy, encode_oid};
use crate::asn1::oid;
use crate::asn1::tlv::{self, tag};
use crate::crypto::{ecdsa_is_der, ecdsa_raw_len, ecdsa_raw_to_der};
use crate::error::{Error, Result};
use crate::signer::{Signer, SignerError, SignerIdentity};
use crate::tsp::TimestampAuthority;
use der::Encode;
use der::asn1::ObjectIdentifier;
use serde::{Deserialize, Serialize};
use std::io::Read;
use std::sync::Arc;
use std::time::SystemTime;

/// What to put in the signingTime attribute.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SigningTime {
    /// The current time (default).
    #[default]
    Now,
    /// A given time.
    At(SystemTime),
    /// No signingTime attribute (PAdES baseline signatures use the PDF's /M instead).
    Omit,
}

/// A shared timestamp authority, for [`CadesOptions::timestamp_authority`].
#[derive(Clone)]
pub struct SharedTsa(pub Arc<dyn TimestampAuthority>);

impl std::fmt::Debug for SharedTsa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SharedTsa(..)")
    }
}

/// Options for creating a CAdES signature.
#[derive(Clone, Debug)]
pub struct CadesOptions {
    /// Put the content inside the `.p7s` (attached) instead of beside it (detached, default).
    pub attached: bool,
    /// The signingTime attribute.
    pub signing_time: SigningTime,
    /// The eContentType (default id-data).
    pub content_type: ObjectIdentifier,
    /// Signature policy (EPES; ICP-Brasil AD-RB).
    pub policy: Option<SignaturePolicy>,
    /// Commitment types (e.g. proof of approval).
    pub commitment_types: Vec<ObjectIdentifier>,
    /// Embed the chain (intermediates) besides the signer certificate (default true).
    pub include_chain: bool,
    /// Largest content accepted for attached signing (it is held in memory); detached signing
    /// streams any size.
    pub max_attached_size: u64,
    /// A TSA: the one-shot functions then add a signature-time-stamp over the new signature
    /// value (B-T). Two-step signing passes the TSA to [`finish_timestamped`] instead.
    pub timestamp_authority: Option<SharedTsa>,
}

impl Default for CadesOptions {
    fn default() -> Self {
        Self {
            attached: false,
            signing_time: SigningTime::Now,
            content_type: oid::DATA,
            policy: None,
            commitment_types: Vec::new(),
            include_chain: true,
            max_attached_size: 512 * 1024 * 1024,
            timestamp_authority: None,
        }
    }
}

/// What [`finish`] will do with the signature value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum SigningMode {
    /// A new SignedData.
    New {
        /// eContentType OID.
        econtent_type: String,
        /// The content, when attached.
        attached_content: Option<Base64Bytes>,
    },
    /// A SignerInfo added to an existing SignedData.
    CoSign {
        /// The existing `.p7s` (definite-length form).
        base: Base64Bytes,
    },
    /// A counter-signature added to a SignerInfo of an existing SignedData.
    CounterSign {
        /// The existing `.p7s` (definite-length form).
        base: Base64Bytes,
        /// Index of the SignerInfo counter-signed.
        target: usize,
    },
}

/// Everything [`finish`] needs, serialisable (serde) so that the signature value may arrive in
/// another process or request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SigningState {
    /// Format version of this state (1).
    pub version: u32,
    /// The algorithm the signature value must be made with.
    pub signature_algorithm: SignatureAlgorithm,
    /// The signer certificate (DER).
    pub signer_certificate: Base64Bytes,
    /// Certificates to embed besides the signer's (DER).
    pub certificates: Vec<Base64Bytes>,
    /// The signed attributes, DER, as the SET that is signed.
    pub signed_attrs: Base64Bytes,
    /// What to build.
    pub mode: SigningMode,
}

/// The output of a `prepare` function: what to sign, and the state `S` to finish with
/// ([`SigningState`] for [`finish`]; a format that wraps the CMS, like PAdES, keeps its own
/// state around it, see [`Prepared::map_state`]).
#[derive(Clone, Debug)]
pub struct Prepared<S = SigningState> {
    /// The exact bytes to sign: the DER of the signed attributes as a SET.
    pub to_be_signed: Vec<u8>,
    /// Their digest with [`Prepared::digest_algorithm`] (for signers that sign a hash).
    pub digest: Vec<u8>,
    /// The digest algorithm.
    pub digest_algorithm: DigestAlgorithm,
    /// The state to hand to the `finish` function.
    pub state: S,
}

impl<S> Prepared<S> {
    /// The same bytes to sign and digest, with the state turned into `f(state)`.
    pub fn map_state<T>(self, f: impl FnOnce(S) -> T) -> Prepared<T> {
        Prepared {
            to_be_signed: self.to_be_signed,
            digest: self.digest,
            digest_algorithm: self.digest_algorithm,
            state: f(self.state),
        }
    }
}

fn digest_content(
    content: impl Read,
    digest: DigestAlgorithm,
    keep: Option<u64>,
) -> Result<(Vec<u8>, Option<Vec<u8>>)> {
    match keep {
        None => {
            let d = digest
                .digest_reader(content)
                .map_err(|e| Error::io("reading the content to sign", e))?;
            Ok((d, None))
        }
        Some(max) => {
            let mut buf = Vec::new();
            content
                .take(max.saturating_add(1))
                .read_to_end(&mut buf)
                .map_err(|e| Error::io("reading the content to sign", e))?;
            if buf.len() as u64 > max {
                return Err(Error::InvalidArgument(format!(
                    "attached content larger than {max} bytes: sign it detached"
                )));
            }
            Ok((digest.digest(&buf), Some(buf)))
        }
    }
}

pub(crate) fn attribute(oid: &ObjectIdentifier, value: &[u8]) -> Vec<u8> {
    tlv::constructed(
        tag::SEQUENCE,
        &[&encode_oid(oid), &tlv::tlv(tag::SET, value)],
    )
}

/// Builds the signed attributes (DER SET). `content_type` is `None` for counter-signatures.
fn signed_attributes(
    identity: &SignerIdentity,
    content_type: Option<&ObjectIdentifier>,
    message_digest: &[u8],
    options: &CadesOptions,
) -> Result<Vec<u8>> {
    let mut attrs = Vec::new();
    if let Some(ct) = content_type {
        attrs.push(attribute(&oid::CONTENT_TYPE, &encode_oid(ct)));
    }
    attrs.push(attribute(
        &oid::MESSAGE_DIGEST,
        &tlv::tlv(tag::OCTET_STRING, message_digest),
    ));
    match options.signing_time {
        SigningTime::Now => attrs.push(attribute(
            &oid::SIGNING_TIME,
            &crate::time::encode_time(SystemTime::now())?,
        )),
        SigningTime::At(t) => {
            attrs.push(attribute(&oid::SIGNING_TIME, &crate::time::encode_time(t)?))
        }
        SigningTime::Omit => {}
    }
    let cert = identity.certificate().der();
    attrs.push(attribute(
        &oid::SIGNING_CERTIFICATE_V2,
        &ess::signing_certificate_v2(cert, DigestAlgorithm::Sha256)?,
    ));
    if let Some(p) = &options.policy {
        attrs.push(attribute(&oid::SIG_POLICY_ID, &p.encode()?));
    }
    for c in &options.commitment_types {
        attrs.push(attribute(&oid::COMMITMENT_TYPE, &ess::commitment_type(c)));
    }
    Ok(tlv::set_of(attrs))
}

fn state_for(
    identity: &SignerIdentity,
    algorithm: SignatureAlgorithm,
    signed_attrs: Vec<u8>,
    mode: SigningMode,
    include_chain: bool,
) -> Prepared {
    let digest = algorithm.digest().digest(&signed_attrs);
    let certificates = if include_chain {
        identity
            .chain()
            .iter()
            .map(|c| Base64Bytes(c.der().to_vec()))
            .collect()
    } else {
        Vec::new()
    };
    Prepared {
        to_be_signed: signed_attrs.clone(),
        digest,
        digest_algorithm: algorithm.digest(),
        state: SigningState {
            version: 1,
            signature_algorithm: algorithm,
            signer_certificate: Base64Bytes(identity.certificate().der().to_vec()),
            certificates,
            signed_attrs: Base64Bytes(signed_attrs),
            mode,
        },
    }
}

/// First step of a new signature over `content` (streamed; held in memory only when attached).
pub fn prepare(
    content: impl Read,
    identity: &SignerIdentity,
    algorithm: SignatureAlgorithm,
    options: &CadesOptions,
) -> Result<Prepared> {
    let keep = options.attached.then_some(options.max_attached_size);
    let (md, kept) = digest_content(content, algorithm.digest(), keep)?;
    let attrs = signed_attributes(identity, Some(&options.content_type), &md, options)?;
    Ok(state_for(
        identity,
        algorithm,
        attrs,
        SigningMode::New {
            econtent_type: options.content_type.to_string(),
            attached_content: kept.map(Base64Bytes),
        },
        options.include_chain,
    ))
}

/// First step of a co-signature: a new SignerInfo over the same content as `existing`.
/// `content` is needed when `existing` is detached, and ignored when it is attached.
/// `options.attached` and `options.content_type` are taken from `existing`.
pub fn prepare_cosign<R: Read>(
    existing: &[u8],
    content: Option<R>,
    identity: &SignerIdentity,
    algorithm: SignatureAlgorithm,
    options: &CadesOptions,
) -> Result<Prepared> {
    let over = Over::Content(content);
    prepare_over(existing, over, identity, algorithm, options)
}

/// First step of a counter-signature (RFC 5652 §11.4) of SignerInfo number `target` (0-based).
pub fn prepare_countersign(
    existing: &[u8],
    target: usize,
    identity: &SignerIdentity,
    algorithm: SignatureAlgorithm,
    options: &CadesOptions,
) -> Result<Prepared> {
    let over = Over::<std::io::Empty>::SignerInfo(target);
    prepare_over(existing, over, identity, algorithm, options)
}

/// What a new SignerInfo added to an existing signature signs.
enum Over<R> {
    /// The signed content (a co-signature); read from `R` when the signature is detached.
    Content(Option<R>),
    /// The signature value of SignerInfo number `target` (a counter-signature).
    SignerInfo(usize),
}

/// First step of a co- or counter-signature of `existing`, over what `over` says.
fn prepare_over<R: Read>(
    existing: &[u8],
    over: Over<R>,
    identity: &SignerIdentity,
    algorithm: SignatureAlgorithm,
    options: &CadesOptions,
) -> Result<Prepared> {
    let base = tlv::normalize(existing)?.into_owned();
    let sd = parse_signed_data(&base)?;
    let (content_type, md, mode) = match over {
        Over::Content(content) => {
            let md = match (sd.econtent, content) {
                (Some(c), _) => algorithm.digest().digest(c),
                (None, Some(r)) => digest_content(r, algorithm.digest(), None)?.0,
                (None, None) => {
                    return Err(Error::InvalidArgument(
                        "the existing signature is detached: the signed content is needed \
                         to co-sign"
                            .into(),
                    ));
                }
            };
            let mode = SigningMode::CoSign {
                base: Base64Bytes(base.clone()),
            };
            (Some(&sd.econtent_type), md, mode)
        }
        Over::SignerInfo(target) => {
            let si = sd.signer_infos.get(target).ok_or_else(|| {
                Error::InvalidArgument(format!(
                    "no SignerInfo {target} to counter-sign (the signature has {})",
                    sd.signer_infos.len()
                ))
            })?;
            let mode = SigningMode::CounterSign {
                base: Base64Bytes(base.clone()),
                target,
            };
            (None, algorithm.digest().digest(si.signature), mode)
        }
    };
    let attrs = signed_attributes(identity, content_type, &md, options)?;
    Ok(state_for(
        identity,
        algorithm,
        attrs,
        mode,
        options.include_chain,
    ))
}

/// Turns a raw `r‖s` ECDSA signature (as WebCrypto and some tokens return) into DER; other
/// values are returned unchanged.
fn normalize_signature_value(alg: SignatureAlgorithm, sig: &[u8]) -> Vec<u8> {
    match alg {
        // A raw value can start with 0x30 like a DER SEQUENCE: only a value that is not a
        // valid DER Ecdsa-Sig-Value is taken as raw.
        SignatureAlgorithm::Ecdsa { curve, .. }
            if sig.len() == ecdsa_raw_len(curve) && !ecdsa_is_der(curve, sig) =>
        {
            ecdsa_raw_to_der(curve, sig).unwrap_or_else(|_| sig.to_vec())
        }
        _ => sig.to_vec(),
    }
}

fn encode_signer_info(
    state: &SigningState,
    signature: &[u8],
    unsigned: Option<&[u8]>,
) -> Result<Vec<u8>> {
    let f = cert_fields(&state.signer_certificate.0)?;
    let sid = tlv::constructed(
        tag::SEQUENCE,
        &[f.issuer, &tlv::tlv(tag::INTEGER, f.serial)],
    );
    let alg = state.signature_algorithm;
    let digest_alg = ess::digest_algorithm_identifier(alg.digest());
    let sig_alg = alg
        .algorithm_identifier()
        .to_der()
        .map_err(|e| Error::malformed("AlgorithmIdentifier", e))?;
    let signed = tlv::retag(&state.signed_attrs.0, tag::CTX0);
    let sig = tlv::tlv(tag::OCTET_STRING, signature);
    let version = tlv::tlv(tag::INTEGER, &[1]);
    let mut parts: Vec<&[u8]> = vec![&version, &sid, &digest_alg, &signed, &sig_alg, &sig];
    if let Some(u) = unsigned {
        parts.push(u);
    }
    Ok(tlv::constructed(tag::SEQUENCE, &parts))
}

/// Rebuilds `si` with one more unsigned attribute.
pub(crate) fn add_unsigned_attribute(si: &SignerInfo<'_>, attr: &[u8]) -> Result<Vec<u8>> {
    let outer = tlv::read_single(si.raw, "SignerInfo")?;
    let mut r = outer.children();
    let mut parts: Vec<Vec<u8>> = Vec::new();
    let mut unsigned: Vec<Vec<u8>> = Vec::new();
    while !r.is_empty() {
        let t = r.read("SignerInfo")?;
        if t.tag == tag::CTX1 {
            for a in t.children() {
                unsigned.push(a?.raw.to_vec());
            }
        } else {
            parts.push(t.raw.to_vec());
        }
    }
    unsigned.push(attr.to_vec());
    let refs: Vec<&[u8]> = unsigned.iter().map(Vec::as_slice).collect();
    parts.push(tlv::constructed(tag::CTX1, &refs));
    let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
    Ok(tlv::constructed(tag::SEQUENCE, &refs))
}

/// Second step: builds the `.p7s` from the state and the signature value. The value is checked
/// against the signer certificate first, so a wrong value never produces a file.
pub fn finish(state: &SigningState, signature: &[u8]) -> Result<Vec<u8>> {
    finish_checked(state, signature, true)
}

/// [`finish`], verifying the value against the signer certificate only when `verify` (false
/// for a value from a [`Signer::checks_own_signatures`] signer).
pub(crate) fn finish_checked(
    state: &SigningState,
    signature: &[u8],
    verify: bool,
) -> Result<Vec<u8>> {
    if state.version != 1 {
        return Err(Error::InvalidArgument(format!(
            "signing state version {}",
            state.version
        )));
    }
    let alg = state.signature_algorithm;
    let signature = normalize_signature_value(alg, signature);
    if verify {
        let f = cert_fields(&state.signer_certificate.0)?;
        crate::crypto::verify_signature(f.spki, alg, &state.signed_attrs.0, &signature).map_err(
            |e| {
                SignerError::Crypto(format!(
                    "the signature value does not verify with the signer certificate: {e}"
                ))
            },
        )?;
    }
    let mut certs: Vec<Vec<u8>> = vec![state.signer_certificate.0.clone()];
    certs.extend(state.certificates.iter().map(|c| c.0.clone()));
    let digest_alg = ess::digest_algorithm_identifier(alg.digest());
    match &state.mode {
        SigningMode::New {
            econtent_type,
            attached_content,
        } => {
            let ct: ObjectIdentifier = econtent_type
                .parse()
                .map_err(|_| Error::InvalidArgument(format!("content type {econtent_type}")))?;
            let si = encode_signer_info(state, &signature, None)?;
            Ok(encode_signed_data(
                1,
                vec![digest_alg],
                &ct,
                attached_content.as_ref().map(|c| c.0.as_slice()),
                certs,
                Vec::new(),
                vec![si],
            ))
        }
        SigningMode::CoSign { base } => {
            let sd = parse_signed_data(&base.0)?;
            let si = encode_signer_info(state, &signature, None)?;
            let mut sis: Vec<Vec<u8>> = sd.signer_infos.iter().map(|s| s.raw.to_vec()).collect();
            sis.push(si);
            Ok(reencode(&sd, digest_alg, certs, sis))
        }
        SigningMode::CounterSign { base, target } => {
            let sd = parse_signed_data(&base.0)?;
            let counter = encode_signer_info(state, &signature, None)?;
            let attr = attribute(&oid::COUNTER_SIGNATURE, &counter);
            let mut sis = Vec::with_capacity(sd.signer_infos.len());
            for (i, s) in sd.signer_infos.iter().enumerate() {
                if i == *target {
                    sis.push(add_unsigned_attribute(s, &attr)?);
                } else {
                    sis.push(s.raw.to_vec());
                }
            }
            Ok(reencode(&sd, digest_alg, certs, sis))
        }
    }
}

/// Second step with a signature-time-stamp (B-T): [`finish`], then a token from `tsa` over the
/// new signature value. A counter-signature cannot be timestamped this way (its SignerInfo is
/// nested in an unsigned attribute).
pub fn finish_timestamped(
    state: &SigningState,
    signature: &[u8],
    tsa: &dyn TimestampAuthority,
) -> Result<Vec<u8>> {
    finish_timestamped_checked(state, signature, tsa, true)
}

/// [`finish_timestamped`], verifying the value only when `verify` (see [`finish_checked`]).
pub(crate) fn finish_timestamped_checked(
    state: &SigningState,
    signature: &[u8],
    tsa: &dyn TimestampAuthority,
    verify: bool,
) -> Result<Vec<u8>> {
    let target = match &state.mode {
        SigningMode::New { .. } => 0,
        SigningMode::CoSign { base } => parse_signed_data(&base.0)?.signer_infos.len(),
        SigningMode::CounterSign { .. } => {
            return Err(Error::InvalidArgument(
                "a counter-signature cannot be timestamped: timestamp the signature it counter-signs"
                    .into(),
            ));
        }
    };
    let p7s = finish_checked(state, signature, verify)?;
    crate::cades::levels::add_signature_timestamp(&p7s, Some(target), tsa)
}

/// `sd` encoded again with `signer_infos` as its SignerInfos, and `digest_alg` and `certs`
/// (those of the new signer) added to its own.
fn reencode(
    sd: &SignedData<'_>,
    digest_alg: Vec<u8>,
    certs: Vec<Vec<u8>>,
    signer_infos: Vec<Vec<u8>>,
) -> Vec<u8> {
    let mut algs: Vec<Vec<u8>> = sd.digest_algorithms.iter().map(|a| a.to_vec()).collect();
    algs.push(digest_alg);
    let mut all_certs: Vec<Vec<u8>> = sd.certificates.iter().map(|c| c.to_vec()).collect();
    all_certs.extend(certs);
    encode_signed_data(
        sd.version.max(1),
        algs,
        &sd.econtent_type,
        sd.econtent,
        all_certs,
        sd.crls.iter().map(|c| c.to_vec()).collect(),
        signer_infos,
    )
}

/// The one-step flow: `prepare` with `signer`'s identity and algorithm, sign, [`finish`] (or
/// [`finish_timestamped`] when the options name a TSA).
fn sign_with(
    signer: &dyn Signer,
    options: &CadesOptions,
    prepare: impl FnOnce(&SignerIdentity, SignatureAlgorithm) -> Result<Prepared>,
) -> Result<Vec<u8>> {
    let prepared = prepare(signer.identity(), signer.algorithm())?;
    let value = signer.sign(&prepared.to_be_signed)?;
    let verify = !signer.checks_own_signatures();
    match &options.timestamp_authority {
        Some(tsa) => finish_timestamped_checked(&prepared.state, &value, &*tsa.0, verify),
        None => finish_checked(&prepared.state, &value, verify),
    }
}

/// Signs `content` (streamed) and returns the `.p7s` (DER).
///
/// ```no_run
/// use sigform::cades::{sign, CadesOptions};
/// use sigform::signer::SoftwareSigner;
/// let signer = SoftwareSigner::from_pkcs12_file("a1.p12", "password")?;
/// let file = std::fs::File::open("contract.pdf")?;
/// let p7s = sign(file, &signer, &CadesOptions::default())?;
/// std::fs::write("contract.pdf.p7s", p7s)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn sign(content: impl Read, signer: &dyn Signer, options: &CadesOptions) -> Result<Vec<u8>> {
    sign_with(signer, options, |identity, algorithm| {
        prepare(content, identity, algorithm, options)
    })
}

/// Adds `signer`'s SignerInfo to `existing` (ours or another tool's), leaving the existing
/// SignerInfos byte-for-byte unchanged. `content` is needed when `existing` is detached.
pub fn cosign<R: Read>(
    existing: &[u8],
    content: Option<R>,
    signer: &dyn Signer,
    options: &CadesOptions,
) -> Result<Vec<u8>> {
    sign_with(signer, options, |identity, algorithm| {
        prepare_cosign(existing, content, identity, algorithm, options)
    })
}

/// Counter-signs SignerInfo number `target` (0-based) of `existing`.
pub fn countersign(
    existing: &[u8],
    target: usize,
    signer: &dyn Signer,
    options: &CadesOptions,
) -> Result<Vec<u8>> {
    sign_with(signer, options, |identity, algorithm| {
        prepare_countersign(existing, target, identity, algorithm, options)
    })
}
