//! The timestamps of one SignerInfo and the level they give it (ETSI EN 319 122-1).
//!
//! Each signature-time-stamp is verified over the signature value, each
//! archive-time-stamp-v3 over the data its hash index names, each archive-time-stamp-v2 over
//! the data of TS 101 733 §6.4.1 (`cades::levels::archive`), with
//! the token verifier of `tsp` (imprint, CMS, ESS, TSA purpose, TSA chain at genTime). Each
//! gets its own verdict in the report. A token that is not intact (altered, wrong imprint,
//! malformed) fails the signature with its reason; a token that is intact but whose TSA chain
//! is not trusted is INDETERMINATE on its own and gives no proof of existence, without failing
//! the signature.
//!
//! Proof of existence (ETSI EN 319 102-1 §5.6.2): the latest timestamp is verified first (it
//! must stand on its own at the validation time), then the earlier ones, each with the proof
//! of existence the verified later timestamps covering it give (the earliest genTime among
//! them): an archive-time-stamp-v3 covers the unsigned attribute values its hash index lists,
//! an archive-time-stamp-v2 every unsigned attribute but the archive timestamps made at or
//! after it. A token whose TSA key is too short at the validation time is accepted when that
//! proof is before the sunset date of such keys (`tsp::verify`). The signature's own proof of
//! existence is the earliest genTime of its verified timestamps: each covers the signature
//! value.
//!
//! The level: B-T with an intact signature-time-stamp; B-LT when the signature also carries
//! revocation values (`crls`, or the revocationValues attribute); B-LTA when it also carries an
//! intact archive timestamp (archive-time-stamp-v3, or the older v2 of TS 101 733).

use super::Ctx;
use crate::alg::DigestAlgorithm;
use crate::asn1::oid;
use crate::asn1::tlv;
use crate::cades::levels::archive;
use crate::cades::parse::{SignerInfo, parse_signed_data};
use crate::report::{
    Indication, Level, SignatureReport, SubIndication, TimestampKind, TimestampReport,
};
use crate::tsp::{
    TimestampToken, TokenPoe, TokenVerifyOptions, TspError, VerifiedTimestamp, verify_token_digest,
};
use std::time::SystemTime;

/// A token (when it could be read) and the outcome of its verification.
type TokenOutcome = (Option<TimestampToken>, Result<VerifiedTimestamp, TspError>);

/// A proof of existence: a time and the verified timestamp that gives it.
#[derive(Clone, Debug)]
pub(super) struct Poe {
    /// The timestamp's genTime.
    pub(super) time: SystemTime,
    /// Which timestamp, for the report (`the archive timestamp S1.T2`).
    pub(super) by: String,
}

/// The ETSI verdict of a token error.
fn indication_of(e: &TspError) -> (Indication, SubIndication) {
    use Indication::*;
    match e {
        TspError::ImprintMismatch | TspError::TstInfoDigestMismatch => {
            (TotalFailed, SubIndication::HashFailure)
        }
        TspError::BadSignature(_) => (TotalFailed, SubIndication::SigCryptoFailure),
        TspError::EssMismatch(_) | TspError::TsaCertificateNotFound => {
            (Indeterminate, SubIndication::NoSignerCertificateFound)
        }
        TspError::UnsupportedImprintAlgorithm(_)
        | TspError::UnsupportedAlgorithm(_)
        | TspError::WeakTsaKey { .. }
        | TspError::ImprintAlgorithmMismatch { .. } => {
            (Indeterminate, SubIndication::CryptoConstraintsFailure)
        }
        TspError::TsaKeyPurpose { .. } => (Indeterminate, SubIndication::ChainConstraintsFailure),
        TspError::NoTrustAnchors => (Indeterminate, SubIndication::NoCertificateChainFound),
        TspError::DataMissing(_) => (Indeterminate, SubIndication::SignedDataNotFound),
        TspError::Chain(p) => p.indication(),
        _ => (TotalFailed, SubIndication::FormatFailure),
    }
}

/// Intact: every check passed but, perhaps, trust in the TSA chain or the TSA's key size.
fn intact(r: &Result<VerifiedTimestamp, TspError>) -> bool {
    matches!(
        r,
        Ok(_) | Err(TspError::NoTrustAnchors | TspError::Chain(_) | TspError::WeakTsaKey { .. })
    )
}

/// Verifies a token over `digest` (made with the token's imprint algorithm, `digest_for`),
/// with `poe` the proof of existence later timestamps give it.
fn check_token(
    ctx: &Ctx<'_>,
    token_der: &[u8],
    poe: Option<TokenPoe>,
    digest_for: impl FnOnce(DigestAlgorithm) -> Result<Vec<u8>, TspError>,
) -> TokenOutcome {
    let token = match TimestampToken::from_der(token_der) {
        Ok(t) => t,
        Err(e) => return (None, Err(e)),
    };
    let Some(alg) = token.imprint_algorithm() else {
        let o = token
            .tst_info()
            .message_imprint
            .hash_algorithm
            .oid
            .to_string();
        return (Some(token), Err(TspError::UnsupportedImprintAlgorithm(o)));
    };
    let digest = match digest_for(alg) {
        Ok(d) => d,
        Err(e) => return (Some(token), Err(e)),
    };
    let options = TokenVerifyOptions {
        trust: ctx.options.trust.clone(),
        extra_certificates: ctx.pool.to_vec(),
        revocation: ctx.revocation.clone(),
        revocation_policy: ctx.options.revocation_policy,
        nonce: None,
        policy: None,
        algorithms: ctx.options.algorithms.clone(),
        validation_time: ctx.options.validation_time,
        poe,
    };
    let result = verify_token_digest(&token, alg, &digest, &options);
    (Some(token), result)
}

/// An archive timestamp whose structure (or the signature's) cannot be read.
fn malformed(e: crate::error::Error) -> TspError {
    TspError::Malformed {
        what: "archive timestamp",
        detail: e.to_string(),
    }
}

/// The detached content an archive timestamp covers was not given.
fn content_missing() -> TspError {
    TspError::DataMissing("detached signature: the signed content was not given".into())
}

/// The digest of what an archive-time-stamp-v3 covers, with `alg`.
fn archive_digest(
    ctx: &Ctx<'_>,
    si: &SignerInfo<'_>,
    token_der: &[u8],
    alg: DigestAlgorithm,
) -> Result<Vec<u8>, TspError> {
    let der = tlv::normalize(token_der).map_err(malformed)?;
    let tsd = parse_signed_data(&der).map_err(malformed)?;
    let tsi = tsd.signer_infos.first().ok_or(TspError::SignerCount(0))?;
    let (version, index_value) =
        archive::token_index(tsi)
            .map_err(malformed)?
            .ok_or_else(|| TspError::Malformed {
                what: "archive timestamp",
                detail: "no ats-hash-index-v3 in the token's unsigned attributes".into(),
            })?;
    let index = archive::parse_index(index_value).map_err(malformed)?;
    // An element the index lists is gone or altered: what the token covers changed, as when
    // the imprint does not match.
    if archive::missing_entry(&index, version, ctx.sd, si)
        .map_err(malformed)?
        .is_some()
    {
        return Err(TspError::ImprintMismatch);
    }
    let content = match (ctx.sd.econtent, ctx.digests.and_then(|d| d.get(&alg))) {
        (_, Some(d)) => d.clone(),
        (Some(c), None) => alg.digest(c),
        (None, None) => {
            return Err(content_missing());
        }
    };
    let data = archive::imprint_data(ctx.sd, si, &content, index_value).map_err(malformed)?;
    Ok(alg.digest(&data))
}

/// The digest of what an archive-time-stamp-v2 covers, with `alg`.
fn archive_v2_digest(
    ctx: &Ctx<'_>,
    si: &SignerInfo<'_>,
    token_der: &[u8],
    alg: DigestAlgorithm,
) -> Result<Vec<u8>, TspError> {
    let gen_time = TimestampToken::from_der(token_der)?
        .gen_time()
        .to_system_time();
    let suffix = archive::v2_suffix(ctx.sd, si, gen_time).map_err(malformed)?;
    if ctx.sd.econtent.is_some() {
        let mut data = ctx.sd.encap_content_info_raw.to_vec();
        data.extend_from_slice(&suffix);
        return Ok(alg.digest(&data));
    }
    let Some(mut h) = ctx.archive_v2_prefix.and_then(|p| p.get(&alg)).cloned() else {
        return Err(content_missing());
    };
    h.update(&suffix);
    Ok(h.finalize())
}

/// A token wrapped in an OCTET STRING (as some German tools write the attribute value; DSS
/// accepts it) is unwrapped, with a warning; anything else is returned as it is.
fn unwrap_octet_string<'a>(v: &'a [u8], tid: &str, report: &mut SignatureReport) -> &'a [u8] {
    if v.first() != Some(&tlv::tag::OCTET_STRING) {
        return v;
    }
    match tlv::read_single(v, "timestamp token") {
        Ok(t) if t.content.first() == Some(&tlv::tag::SEQUENCE) => {
            report.warnings.push(format!(
                "{tid}: the timestamp token is wrapped in an OCTET STRING (not conformant)"
            ));
            t.content
        }
        _ => v,
    }
}

/// One timestamp of a SignerInfo: where it sits, what it is.
struct Entry<'a> {
    /// Its unsigned attribute's position, and its position among the attribute's values.
    attr: usize,
    value: usize,
    kind: TimestampKind,
    /// The token (unwrapped from an OCTET STRING if it was).
    der: &'a [u8],
    /// `S1.T2`.
    tid: String,
    /// genTime, when the token can be read.
    gen_time: Option<SystemTime>,
}

/// The kind of a timestamp, in words.
fn kind_name(kind: TimestampKind) -> &'static str {
    match kind {
        TimestampKind::SignatureTimestamp => "signature timestamp",
        TimestampKind::ArchiveTimestampV3 => "archive timestamp (v3)",
        TimestampKind::ArchiveTimestampV2 => "archive timestamp (v2)",
    }
}

/// The timestamps of `si`, in the order of its unsigned attributes.
fn entries<'a>(si: &SignerInfo<'a>, id: &str, report: &mut SignatureReport) -> Vec<Entry<'a>> {
    let mut out = Vec::new();
    for (attr, a) in si.unsigned_attrs.iter().enumerate() {
        let kind = if a.oid == oid::SIGNATURE_TIMESTAMP {
            TimestampKind::SignatureTimestamp
        } else if a.oid == oid::ARCHIVE_TIMESTAMP_V3 {
            TimestampKind::ArchiveTimestampV3
        } else if a.oid == oid::ARCHIVE_TIMESTAMP_V2 {
            TimestampKind::ArchiveTimestampV2
        } else {
            continue;
        };
        for (value, raw) in a.values.iter().enumerate() {
            let tid = format!("{id}.T{}", out.len() + 1);
            let der = unwrap_octet_string(raw, &tid, report);
            let gen_time = TimestampToken::from_der(der)
                .ok()
                .map(|t| t.gen_time().to_system_time());
            out.push(Entry {
                attr,
                value,
                kind,
                der,
                tid,
                gen_time,
            });
        }
    }
    out
}

/// The unsigned attribute values an archive-time-stamp-v3 covers (its hash index), computed
/// once per token. A structure that cannot be read covers nothing.
fn v3_coverage(si: &SignerInfo<'_>, cover: &Entry<'_>) -> Vec<(usize, Option<usize>)> {
    if cover.kind != TimestampKind::ArchiveTimestampV3 {
        return Vec::new();
    }
    let positions = || -> crate::error::Result<Vec<(usize, Option<usize>)>> {
        let der = tlv::normalize(cover.der)?;
        let tsd = parse_signed_data(&der)?;
        let Some(tsi) = tsd.signer_infos.first() else {
            return Ok(Vec::new());
        };
        let Some((version, value)) = archive::token_index(tsi)? else {
            return Ok(Vec::new());
        };
        archive::covered_positions(&archive::parse_index(value)?, version, si)
    };
    positions().unwrap_or_default()
}

/// Whether the timestamp `cover` (whose hash index covers `v3`, for an
/// archive-time-stamp-v3) covers the timestamp `target` (see the module documentation).
fn covers(cover: &Entry<'_>, v3: &[(usize, Option<usize>)], target: &Entry<'_>) -> bool {
    if (cover.attr, cover.value) == (target.attr, target.value) {
        return false;
    }
    match cover.kind {
        TimestampKind::SignatureTimestamp => false,
        TimestampKind::ArchiveTimestampV2 => {
            target.kind == TimestampKind::SignatureTimestamp
                || matches!((target.gen_time, cover.gen_time), (Some(t), Some(c)) if t < c)
        }
        TimestampKind::ArchiveTimestampV3 => v3
            .iter()
            .any(|(i, j)| *i == target.attr && j.is_none_or(|j| j == target.value)),
    }
}

/// Verifies `e` with the proof of existence `poe` later timestamps give it.
fn verify_entry(
    ctx: &Ctx<'_>,
    si: &SignerInfo<'_>,
    e: &Entry<'_>,
    poe: Option<TokenPoe>,
) -> TokenOutcome {
    let v = e.der;
    match e.kind {
        TimestampKind::SignatureTimestamp => {
            check_token(ctx, v, poe, |alg| Ok(alg.digest(si.signature)))
        }
        TimestampKind::ArchiveTimestampV3 => {
            check_token(ctx, v, poe, |alg| archive_digest(ctx, si, v, alg))
        }
        TimestampKind::ArchiveTimestampV2 => {
            check_token(ctx, v, poe, |alg| archive_v2_digest(ctx, si, v, alg))
        }
    }
}

/// The outcome of each timestamp (as `entries` lists them), verified latest first, each with
/// the proof of existence of the verified later timestamps covering it.
fn verify_all(ctx: &Ctx<'_>, si: &SignerInfo<'_>, entries: &[Entry<'_>]) -> Vec<TokenOutcome> {
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by_key(|&k| std::cmp::Reverse((entries.get(k).and_then(|e| e.gen_time), k)));
    let mut results: Vec<Option<TokenOutcome>> = (0..entries.len()).map(|_| None).collect();
    let coverage: Vec<Vec<(usize, Option<usize>)>> =
        entries.iter().map(|c| v3_coverage(si, c)).collect();
    for k in order {
        let Some(e) = entries.get(k) else { continue };
        let poe = entries
            .iter()
            .zip(&coverage)
            .zip(&results)
            .filter_map(|((c, v3), r)| match r {
                Some((_, Ok(v))) if covers(c, v3, e) => Some((v.gen_time, c)),
                _ => None,
            })
            .min_by_key(|(t, _)| *t)
            .map(|(time, c)| TokenPoe {
                time,
                by: format!("the {} {}", kind_name(c.kind), c.tid),
            });
        let r = verify_entry(ctx, si, e, poe);
        if let Some(slot) = results.get_mut(k) {
            *slot = Some(r);
        }
    }
    results
        .into_iter()
        .map(|r| r.unwrap_or((None, Err(TspError::MissingToken))))
        .collect()
}

/// Verifies the timestamps of `si` into `report`, and sets its level and timestamp time.
/// Returns the proof of existence they give the signature: the earliest genTime of the
/// timestamps that are TOTAL_PASSED (each covers the signature value).
pub(super) fn verify_timestamps(
    ctx: &Ctx<'_>,
    si: &SignerInfo<'_>,
    id: &str,
    report: &mut SignatureReport,
) -> Option<Poe> {
    let entries = entries(si, id, report);
    let results = verify_all(ctx, si, &entries);
    let mut poe: Option<Poe> = None;
    let mut signature_ts_times = Vec::new();
    let mut archive_ok = false;
    for (e, (token, result)) in entries.iter().zip(results) {
        let (kind, tid) = (e.kind, &e.tid);
        let gen_time = token.as_ref().map(|t| t.gen_time().rfc3339());
        let ok = intact(&result);
        let mut tr = TimestampReport {
            id: tid.clone(),
            kind,
            indication: Indication::TotalPassed,
            sub_indication: None,
            gen_time: gen_time.clone(),
            tsa: result.as_ref().ok().map(|v| v.tsa_subject.clone()),
            error: None,
            proof_of_existence: None,
        };
        if let Err(e) = &result {
            let (ind, sub) = indication_of(e);
            tr.indication = ind;
            tr.sub_indication = Some(sub);
            tr.error = Some(e.to_string());
        }
        if let Ok(v) = &result {
            tr.proof_of_existence = v.proof_of_existence.clone();
            if poe.as_ref().is_none_or(|p| v.gen_time < p.time) {
                poe = Some(Poe {
                    time: v.gen_time,
                    by: format!("the {} {tid}", kind_name(kind)),
                });
            }
        }
        record_check(report, kind, tid, &result, ok);
        if ok {
            match (kind, token) {
                (TimestampKind::SignatureTimestamp, Some(t)) => {
                    signature_ts_times.push((t.gen_time().to_system_time(), gen_time))
                }
                (
                    TimestampKind::ArchiveTimestampV3 | TimestampKind::ArchiveTimestampV2,
                    Some(_),
                ) => archive_ok = true,
                _ => {}
            }
        }
        report.timestamps.push(tr);
    }
    signature_ts_times.sort_by_key(|(t, _)| *t);
    if let Some((_, t)) = signature_ts_times.into_iter().next() {
        report.timestamp_time = t;
    }
    set_level(ctx, si, report, archive_ok);
    poe
}

/// The signature's check for one timestamp: passed, a warning (intact, or INDETERMINATE), or
/// failed (TOTAL_FAILED).
fn record_check(
    report: &mut SignatureReport,
    kind: TimestampKind,
    tid: &str,
    result: &Result<VerifiedTimestamp, TspError>,
    ok: bool,
) {
    let check = match kind {
        TimestampKind::SignatureTimestamp => "signature-timestamp",
        _ => "archive-timestamp",
    };
    match (result, ok) {
        (Ok(v), _) => {
            let mut detail = format!("{tid} at {}", v.gen_time_rfc3339);
            if let Some(p) = &v.proof_of_existence {
                detail.push_str(&format!("; {p}"));
            }
            report.pass(check, Some(detail))
        }
        (Err(e), true) => report
            .warnings
            .push(format!("{tid}: the token is intact but {e}")),
        (Err(e), false) => {
            let (ind, sub) = indication_of(e);
            if ind == Indication::TotalFailed {
                report.fail(check, ind, sub, format!("{tid}: {e}"));
            } else {
                report.warnings.push(format!("{tid}: {e}"));
            }
        }
    }
}

/// B-T, B-LT, B-LTA on top of B-B (set by the signing-certificate check).
fn set_level(ctx: &Ctx<'_>, si: &SignerInfo<'_>, report: &mut SignatureReport, archive_ok: bool) {
    if report.level != Some(Level::BB) || report.timestamp_time.is_none() {
        return;
    }
    report.level = Some(Level::BT);
    let has_revocation_values =
        !ctx.sd.crls.is_empty() || !si.unsigned_attr(&oid::REVOCATION_VALUES).is_empty();
    if !has_revocation_values {
        return;
    }
    report.level = Some(Level::BLT);
    if archive_ok {
        report.level = Some(Level::BLTA);
    }
}
