//! The three ways to sign: digital (two-step: prepare with the certificate chain, finish with
//! the signature value, checked against the certificate), electronic (graphism and evidence,
//! sealed by the server; stamped into the PDF for PAdES) and server (one call with a configured
//! signer, run by the worker).

use crate::Portal;
use crate::db::{self, Commit, DocumentRow, ParticipantRow};
use crate::error::{ApiError, ApiResult};
use crate::package::{StoredEvidence, signature_format};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde::{Deserialize, Serialize};
use sigform::cades::{self, CadesOptions, SigningState};
use sigform::package::SignatureFormat;
use sigform::pades::sign::{self as pades, PadesOptions, PdfSigningState, Visible};
use sigform::signer::Signer;
use sigform::{CertificateDer, SignatureAlgorithm, SignerIdentity};
use std::io::Cursor;
use std::sync::Arc;
use std::time::SystemTime;

/// May `p` sign now? Not twice, and only when every lower step is complete.
pub fn check_turn(p: &ParticipantRow, parts: &[ParticipantRow]) -> ApiResult<()> {
    if p.signed() {
        return Err(ApiError::conflict(
            "already_signed",
            format!("{} has already signed", p.name),
        ));
    }
    match db::open_step(parts) {
        Some(open) if p.step > open => Err(ApiError::conflict(
            "step_not_open",
            format!(
                "{} signs at step {}; step {open} is not complete yet",
                p.name, p.step
            ),
        )),
        _ => Ok(()),
    }
}

fn check_kind(p: &ParticipantRow, kind: &str) -> ApiResult<()> {
    if p.kind == kind {
        Ok(())
    } else {
        Err(ApiError::conflict(
            "wrong_signature_kind",
            format!("{} is a {} signer, not {kind}", p.name, p.kind),
        ))
    }
}

/// The current bytes that the next signature goes over: the `.p7s` (CAdES, `None` before the
/// first) or the PDF (PAdES: the original before the first).
fn current(portal: &Portal, doc: &DocumentRow) -> ApiResult<(Vec<u8>, Option<Vec<u8>>)> {
    let original = portal
        .store
        .get(&doc.original_sha256)
        .map_err(|e| ApiError::internal("reading the original", e))?;
    let signed = match &doc.signed_sha256 {
        Some(s) => Some(
            portal
                .store
                .get(s)
                .map_err(|e| ApiError::internal("reading the signature", e))?,
        ),
        None => None,
    };
    Ok((original, signed))
}

fn cades_options() -> CadesOptions {
    CadesOptions {
        attached: true,
        ..CadesOptions::default()
    }
}

fn pades_options(portal: &Portal, p: &ParticipantRow) -> PadesOptions {
    PadesOptions {
        field_name: Some(format!("Step{}-Participant{}", p.step, p.position + 1)),
        name: Some(p.name.clone()),
        // B-T when a TSA is configured: room for the token is reserved at prepare, the token is
        // asked at finish (one-shot signing: inside `pades::sign`).
        timestamp_authority: portal.config.tsa.clone().map(sigform::cades::SharedTsa),
        ..PadesOptions::default()
    }
}

/// `POST /sign/{key}/prepare` body.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PrepareRequest {
    /// The chain, signer first: base64 DER each, or PEM.
    #[serde(default)]
    pub certificates: Vec<String>,
    /// The chain as one PEM text.
    #[serde(default)]
    pub certificate_chain: Option<String>,
    /// `rsa-sha256`, `rsa-pss-sha256`, `ecdsa-p256-sha256`, `ecdsa-p384-sha384`; default from the
    /// key.
    #[serde(default)]
    pub signature_algorithm: Option<String>,
}

/// Its answer.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrepareResponse {
    /// The bytes to sign (base64): WebCrypto signs these (hashing them itself).
    pub to_be_signed: String,
    /// Their digest (base64), for signers that sign a hash.
    pub digest: String,
    /// `SHA-256` ...
    pub digest_algorithm: String,
    /// The algorithm the value must be made with.
    pub signature_algorithm: String,
}

fn parse_chain(req: &PrepareRequest) -> ApiResult<Vec<CertificateDer>> {
    let bad = |m: String| ApiError::bad_request("bad_certificate", m);
    let mut chain = Vec::new();
    if let Some(pem) = &req.certificate_chain {
        chain.extend(CertificateDer::parse_many(pem.as_bytes()).map_err(|e| bad(e.to_string()))?);
    }
    for c in &req.certificates {
        let der = if c.contains("-----BEGIN") {
            c.as_bytes().to_vec()
        } else {
            B64.decode(c.trim())
                .map_err(|e| bad(format!("a certificate is not base64: {e}")))?
        };
        chain.extend(CertificateDer::parse_many(&der).map_err(|e| bad(e.to_string()))?);
    }
    if chain.is_empty() {
        return Err(bad("no certificate given".into()));
    }
    Ok(chain)
}

const RSA_OID: &[u8] = &[6, 9, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 1, 1, 1];
const P256_OID: &[u8] = &[6, 8, 0x2a, 0x86, 0x48, 0xce, 0x3d, 3, 1, 7];
const P384_OID: &[u8] = &[6, 5, 0x2b, 0x81, 0x04, 0, 0x22];

fn algorithm(req: &PrepareRequest, cert: &CertificateDer) -> ApiResult<SignatureAlgorithm> {
    let by_name = |n: &str| -> Option<SignatureAlgorithm> {
        match n.to_ascii_lowercase().as_str() {
            "ecdsa-p256-sha256" | "ecdsa-sha256" => Some(SignatureAlgorithm::ECDSA_P256_SHA256),
            "ecdsa-p384-sha384" | "ecdsa-sha384" => Some(SignatureAlgorithm::ECDSA_P384_SHA384),
            other => other.parse().ok(),
        }
    };
    if let Some(n) = &req.signature_algorithm {
        return by_name(n).ok_or_else(|| {
            ApiError::bad_request(
                "bad_algorithm",
                format!("unknown signature algorithm {n:?}"),
            )
        });
    }
    let der = cert.der();
    let has = |oid: &[u8]| der.windows(oid.len()).any(|w| w == oid);
    if has(P256_OID) {
        Ok(SignatureAlgorithm::ECDSA_P256_SHA256)
    } else if has(P384_OID) {
        Ok(SignatureAlgorithm::ECDSA_P384_SHA384)
    } else if has(RSA_OID) {
        Ok(SignatureAlgorithm::RSA_SHA256)
    } else {
        Err(ApiError::bad_request(
            "bad_algorithm",
            "cannot tell the key's algorithm: give signatureAlgorithm",
        ))
    }
}

/// The certificate must be the participant's (CPF / CNPJ, when it carries one) and chain to the
/// trust anchors (when configured).
fn check_certificate(
    portal: &Portal,
    p: &ParticipantRow,
    chain: &[CertificateDer],
) -> ApiResult<()> {
    let Some(leaf) = chain.first() else {
        return Err(ApiError::bad_request("bad_certificate", "no certificate"));
    };
    let report = sigform::x509::signer_report(leaf);
    let ids = [
        ("CPF", "cpf_mismatch", &p.cpf, &report.cpf),
        ("CNPJ", "cnpj_mismatch", &p.cnpj, &report.cnpj),
    ];
    for (what, code, want, got) in ids {
        if let (Some(want), Some(got)) = (want, got)
            && want != got
        {
            return Err(ApiError::unprocessable(
                code,
                format!(
                    "the certificate carries {what} {got}, {} was invited with {want}",
                    p.name
                ),
            ));
        }
    }
    if let Some(trust) = &portal.config.trust {
        let v = sigform::x509::validate_chain(
            leaf,
            chain.get(1..).unwrap_or_default(),
            trust,
            &sigform::x509::RevocationData::default(),
            &sigform::x509::PathOptions::default(),
        );
        if !v.is_valid() {
            return Err(ApiError::unprocessable(
                "untrusted_certificate",
                format!(
                    "the certificate {} does not chain to a trusted root",
                    leaf.subject()
                ),
            ));
        }
    }
    Ok(())
}

/// Digital, step 1.
pub async fn prepare(
    portal: &Portal,
    key: &str,
    req: &PrepareRequest,
) -> ApiResult<PrepareResponse> {
    let p = db::participant(&portal.db, key).await?;
    check_kind(&p, "digital")?;
    let parts = db::participants(&portal.db, &p.document_id).await?;
    check_turn(&p, &parts)?;
    let chain = parse_chain(req)?;
    check_certificate(portal, &p, &chain)?;
    let Some((leaf, rest)) = chain.split_first() else {
        return Err(ApiError::bad_request("bad_certificate", "no certificate"));
    };
    let alg = algorithm(req, leaf)?;
    let identity = SignerIdentity::new(leaf.clone(), rest.to_vec());
    let doc = db::document(&portal.db, &p.document_id).await?;
    let (original, signed) = current(portal, &doc)?;
    let failed = |e: sigform::Error| ApiError::unprocessable("prepare_failed", e.to_string());
    let (tbs, digest, state, prepared_sha) = match signature_format(&doc) {
        SignatureFormat::Pades => {
            let input = signed.unwrap_or(original);
            let mut out = Cursor::new(Vec::new());
            let prepared = pades::prepare(
                Cursor::new(input),
                &mut out,
                &identity,
                alg,
                &pades_options(portal, &p),
            )
            .map_err(failed)?;
            let sha = portal
                .store
                .put(&out.into_inner())
                .map_err(|e| ApiError::internal("storing the prepared PDF", e))?;
            let state = serde_json::to_string(&prepared.state)
                .map_err(|e| ApiError::internal("state", e))?;
            (prepared.to_be_signed, prepared.digest, state, Some(sha))
        }
        _ => {
            let prepared = match signed {
                None => cades::prepare(&original[..], &identity, alg, &cades_options()),
                Some(p7s) => {
                    cades::prepare_cosign(&p7s, None::<&[u8]>, &identity, alg, &cades_options())
                }
            }
            .map_err(failed)?;
            let state = serde_json::to_string(&prepared.state)
                .map_err(|e| ApiError::internal("state", e))?;
            (prepared.to_be_signed, prepared.digest, state, None)
        }
    };
    sqlx::query(
        "UPDATE participants SET prepared_state = $1, prepared_sha256 = $2, prepared_revision = $3 \
         WHERE key = $4 AND status = 'pending'",
    )
    .bind(&state)
    .bind(&prepared_sha)
    .bind(doc.revision)
    .bind(key)
    .execute(&portal.db)
    .await?;
    Ok(PrepareResponse {
        to_be_signed: B64.encode(tbs),
        digest: B64.encode(digest),
        digest_algorithm: alg.digest().name().to_string(),
        signature_algorithm: alg.name(),
    })
}

/// `POST /sign/{key}/finish` body.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FinishRequest {
    /// The signature value, base64 (ECDSA: DER or raw r||s).
    pub signature: String,
}

/// Digital, step 2.
pub async fn finish(portal: &Portal, key: &str, req: &FinishRequest) -> ApiResult<()> {
    let p = db::participant(&portal.db, key).await?;
    check_kind(&p, "digital")?;
    let parts = db::participants(&portal.db, &p.document_id).await?;
    check_turn(&p, &parts)?;
    let (Some(state), Some(revision)) = (&p.prepared_state, p.prepared_revision) else {
        return Err(ApiError::conflict(
            "not_prepared",
            "call prepare before finish",
        ));
    };
    let doc = db::document(&portal.db, &p.document_id).await?;
    if doc.revision != revision {
        return Err(ApiError::conflict(
            "document_changed",
            "the document was signed by someone else since prepare: prepare again",
        ));
    }
    let value = B64
        .decode(req.signature.trim())
        .map_err(|e| ApiError::bad_request("bad_signature_encoding", e.to_string()))?;
    let refused = |e: sigform::Error| ApiError::unprocessable("signature_invalid", e.to_string());
    let internal = |e: serde_json::Error| ApiError::internal("stored signing state", e);
    let (bytes, cert) = match signature_format(&doc) {
        SignatureFormat::Pades => {
            let state: PdfSigningState = serde_json::from_str(state).map_err(internal)?;
            let prepared = p.prepared_sha256.as_deref().unwrap_or_default();
            let pdf = portal
                .store
                .get(prepared)
                .map_err(|e| ApiError::internal("reading the prepared PDF", e))?;
            let cert = state.cades.signer_certificate.0.clone();
            let tsa = portal.config.tsa.clone();
            let pdf = blocking(move || {
                let mut out = Cursor::new(pdf);
                match tsa {
                    Some(tsa) => pades::finish_timestamped(&mut out, &state, &value, tsa.as_ref()),
                    None => pades::finish(&mut out, &state, &value),
                }
                .map(|()| out.into_inner())
            })
            .await?
            .map_err(|e| finish_refused(e, &refused))?;
            (pdf, cert)
        }
        _ => {
            let state: SigningState = serde_json::from_str(state).map_err(internal)?;
            let p7s = cades::finish(&state, &value).map_err(refused)?;
            (p7s, state.signer_certificate.0)
        }
    };
    let bytes = timestamped(portal, &doc, bytes).await?;
    apply(portal, &doc.id, key, &bytes, revision, &cert).await
}

/// CAdES B-T when a TSA is configured ([`crate::Config::tsa`]): a signature timestamp on every
/// SignerInfo that has none yet (the one just made). PAdES signatures get theirs inside the
/// CMS when they are made (`PadesOptions::timestamp_authority`). The TSA is asked off the async workers (blocking HTTP); when
/// it fails nothing is written and the caller may try again (502 `timestamp_failed`).
async fn timestamped(portal: &Portal, doc: &DocumentRow, bytes: Vec<u8>) -> ApiResult<Vec<u8>> {
    let Some(tsa) = portal.config.tsa.clone() else {
        return Ok(bytes);
    };
    if signature_format(doc) == SignatureFormat::Pades {
        return Ok(bytes);
    }
    tokio::task::spawn_blocking(move || {
        cades::levels::add_signature_timestamp(&bytes, None, tsa.as_ref())
    })
    .await
    .map_err(|e| ApiError::internal("timestamping", e))?
    .map_err(timestamp_failed)
}

/// Runs blocking work (signing with a TSA asked over HTTP) off the async workers.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> ApiResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::internal("signing", e))
}

/// A failed PAdES finish: a TSA that did not answer is a 502 `timestamp_failed` (nothing
/// written, the participant may try again); anything else is what `refused` makes of it.
fn finish_refused(e: sigform::Error, refused: &dyn Fn(sigform::Error) -> ApiError) -> ApiError {
    match e {
        sigform::Error::Tsp(e) => timestamp_failed(e),
        e => refused(e),
    }
}

/// The 502 answer for a TSA that failed.
fn timestamp_failed(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(
        axum::http::StatusCode::BAD_GATEWAY,
        "timestamp_failed",
        format!("the time-stamping authority: {e}"),
    )
}

/// Stores a new signature made on `revision` by the certificate `cert` (DER), marks the
/// participant signed (both or neither), wakes the worker and mails the next step.
async fn apply(
    portal: &Portal,
    document_id: &str,
    key: &str,
    bytes: &[u8],
    revision: i64,
    cert: &[u8],
) -> ApiResult<()> {
    let sha = portal
        .store
        .put(bytes)
        .map_err(|e| ApiError::internal("storing the signature", e))?;
    let fingerprint = crate::store::sha256_hex(cert);
    let now = sigform::time::format_rfc3339(SystemTime::now());
    db::commit_signature(
        &portal.db,
        &Commit {
            document_id,
            key,
            signature: Some((&sha, revision)),
            signed_at: &now,
            certificate_sha256: Some(&fingerprint),
            evidence: None,
        },
    )
    .await?;
    portal.wake.notify_one();
    crate::mail::notify_open_step(portal, document_id).await;
    Ok(())
}

/// `POST /sign/{key}/electronic` body.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ElectronicRequest {
    /// The graphism: PNG, base64 or a `data:image/png;base64,` URL.
    pub graphism: String,
    /// SHA-256 (hex) of the document the signer was shown.
    pub document_sha256: String,
}

/// What the server saw of the request.
#[derive(Debug, Clone)]
pub struct Seen {
    /// Client IP.
    pub ip: String,
    /// User agent.
    pub user_agent: String,
}

const MAX_GRAPHISM: usize = 2 * 1024 * 1024;

fn graphism(req: &ElectronicRequest) -> ApiResult<Vec<u8>> {
    let bad = |m: String| ApiError::bad_request("bad_graphism", m);
    let b64 = req
        .graphism
        .strip_prefix("data:image/png;base64,")
        .unwrap_or(&req.graphism);
    if b64.len() > MAX_GRAPHISM * 4 / 3 + 4 {
        return Err(bad("the graphism is larger than 2 MiB".into()));
    }
    let png = B64
        .decode(b64.trim())
        .map_err(|e| bad(format!("not base64: {e}")))?;
    let decoder = png::Decoder::new(Cursor::new(&png[..]));
    let reader = decoder
        .read_info()
        .map_err(|e| bad(format!("not a PNG: {e}")))?;
    let info = reader.info();
    if info.width == 0 || info.height == 0 || info.width > 4000 || info.height > 4000 {
        return Err(bad("the graphism must be between 1x1 and 4000x4000".into()));
    }
    Ok(png)
}

/// Electronic signature.
pub async fn electronic(
    portal: &Portal,
    key: &str,
    req: &ElectronicRequest,
    seen: &Seen,
) -> ApiResult<()> {
    let p = db::participant(&portal.db, key).await?;
    check_kind(&p, "electronic")?;
    let parts = db::participants(&portal.db, &p.document_id).await?;
    check_turn(&p, &parts)?;
    let doc = db::document(&portal.db, &p.document_id).await?;
    if !req
        .document_sha256
        .eq_ignore_ascii_case(&doc.original_sha256)
    {
        return Err(ApiError::conflict(
            "document_mismatch",
            "the document hash shown to the signer is not this document's",
        ));
    }
    let png = graphism(req)?;
    let graphism_sha = portal
        .store
        .put(&png)
        .map_err(|e| ApiError::internal("storing the graphism", e))?;
    let now = SystemTime::now();
    let unix = now
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let time = sigform::time::format_rfc3339(now);
    let evidence = StoredEvidence {
        unix_time: unix,
        time: time.clone(),
        ip_address: seen.ip.clone(),
        user_agent: seen.user_agent.clone(),
        email: p.email.clone().unwrap_or_default(),
        document_sha256: doc.original_sha256.clone(),
        graphism_sha256: graphism_sha,
    };
    let evidence_json =
        serde_json::to_string(&evidence).map_err(|e| ApiError::internal("evidence", e))?;
    // PAdES: the server stamps the graphism into the PDF with its seal; CAdES: the evidence goes
    // into the sealed manifest only.
    let stamped = if signature_format(&doc) == SignatureFormat::Pades {
        let (original, signed) = current(portal, &doc)?;
        let when = time.replace('T', " ").replace('Z', " UTC");
        let options = PadesOptions {
            visible: Some(Visible {
                page: 1,
                rect: stamp_rect(p.position),
                image_png: Some(png.clone()),
                lines: Some(vec![
                    "Assinado eletronicamente por".into(),
                    p.name.clone(),
                    format!("em {when}"),
                    format!("IP {}", seen.ip),
                ]),
            }),
            reason: Some(format!("Assinatura eletrônica de {}", p.name)),
            ..pades_options(portal, &p)
        };
        let pdf = pades_sign(
            portal.config.seal.clone(),
            signed.unwrap_or(original),
            options,
        )
        .await?;
        Some(
            portal
                .store
                .put(&pdf)
                .map_err(|e| ApiError::internal("storing the PDF", e))?,
        )
    } else {
        None
    };
    db::commit_signature(
        &portal.db,
        &Commit {
            document_id: &doc.id,
            key,
            signature: stamped.as_deref().map(|s| (s, doc.revision)),
            signed_at: &time,
            certificate_sha256: None,
            evidence: Some(&evidence_json),
        },
    )
    .await?;
    portal.wake.notify_one();
    crate::mail::notify_open_step(portal, &doc.id).await;
    Ok(())
}

/// Where the `n`-th participant's stamp goes on page 1 (two columns, rows upwards).
fn stamp_rect(position: i64) -> [f64; 4] {
    let n = position.clamp(0, 20) as f64;
    let col = n % 2.0;
    let row = (n / 2.0).floor();
    let x = 40.0 + col * 265.0;
    let y = 70.0 + row * 70.0;
    [x, y, x + 250.0, y + 60.0]
}

/// Signs `pdf` off the async workers (the key operation, and the TSA over HTTP when one is
/// configured).
async fn pades_sign(
    signer: Arc<dyn Signer>,
    pdf: Vec<u8>,
    options: PadesOptions,
) -> ApiResult<Vec<u8>> {
    blocking(move || {
        let mut out = Cursor::new(Vec::new());
        pades::sign(Cursor::new(pdf), &mut out, signer.as_ref(), &options)
            .map(|()| out.into_inner())
    })
    .await?
    .map_err(|e| finish_refused(e, &|e| ApiError::internal("signing the PDF", e)))
}

/// A server signature (the worker calls this for a claimed job).
pub async fn server(portal: &Portal, key: &str) -> ApiResult<()> {
    let p = db::participant(&portal.db, key).await?;
    check_kind(&p, "server")?;
    let parts = db::participants(&portal.db, &p.document_id).await?;
    check_turn(&p, &parts)?;
    let id = p.certificate_id.clone().unwrap_or_default();
    let Some(signer) = portal.config.server_signers.get(&id).cloned() else {
        return Err(ApiError::conflict(
            "unknown_certificate",
            format!("server certificate {id:?} is not configured"),
        ));
    };
    let doc = db::document(&portal.db, &p.document_id).await?;
    let (original, signed) = current(portal, &doc)?;
    let failed = |e: sigform::Error| ApiError::internal("server signature", e);
    let bytes = match signature_format(&doc) {
        SignatureFormat::Pades => {
            pades_sign(
                signer.clone(),
                signed.unwrap_or(original),
                PadesOptions {
                    reason: Some("Assinatura do servidor".into()),
                    ..pades_options(portal, &p)
                },
            )
            .await?
        }
        _ => match signed {
            None => {
                cades::sign(&original[..], signer.as_ref(), &cades_options()).map_err(failed)?
            }
            Some(p7s) => cades::cosign(&p7s, None::<&[u8]>, signer.as_ref(), &cades_options())
                .map_err(failed)?,
        },
    };
    let bytes = timestamped(portal, &doc, bytes).await?;
    let cert = signer.identity().certificate().der();
    apply(portal, &doc.id, key, &bytes, doc.revision, cert).await
}
