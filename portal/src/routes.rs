//! The HTTP API: bearer-token endpoints for the integrating system (`/api/...`) and
//! participant-key endpoints for the signing page (`/sign/{key}/...`).

use crate::Portal;
use crate::create::{self, CreateDocument};
use crate::db::{self, DocumentRow, ParticipantRow};
use crate::error::{ApiError, ApiResult};
use crate::package::{self, Wanted};
use crate::signing::{self, ElectronicRequest, FinishRequest, PrepareRequest, Seen};
use axum::extract::rejection::{BytesRejection, JsonRejection, QueryRejection};
use axum::extract::{ConnectInfo, DefaultBodyLimit, FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::SystemTime;
use subtle::ConstantTimeEq;

type AppState = Arc<Portal>;

/// The router.
pub fn router(portal: Arc<Portal>) -> Router {
    let limit = portal.config.max_upload;
    Router::new()
        .route(
            "/api/uploads",
            post(upload).layer(DefaultBodyLimit::max(limit)),
        )
        .route("/api/documents", post(create_document))
        .route("/api/documents/{id}", get(get_document))
        .route("/api/packages/{id}", get(get_package))
        .route("/api/trust", get(trust))
        .route("/healthz", get(|| async { "ok" }))
        .route("/sign/{key}", get(crate::pages::sign_page))
        .route("/sign/{key}/document", get(sign_document))
        .route("/sign/{key}/prepare", post(prepare))
        .route("/sign/{key}/finish", post(finish))
        .route("/sign/{key}/electronic", post(electronic))
        .with_state(portal)
}

/// An API client that showed the bearer token.
pub struct Authed;

impl FromRequestParts<AppState> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Self> {
        let given = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        let want = state.config.token.as_bytes();
        if !given.is_empty() && bool::from(given.as_bytes().ct_eq(want)) {
            Ok(Authed)
        } else {
            Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "an API token is required: Authorization: Bearer TOKEN",
            ))
        }
    }
}

/// The client's address and browser, as evidence.
pub struct Client(pub Seen);

impl FromRequestParts<AppState> for Client {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> ApiResult<Self> {
        let header = |name: &str| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let ip = header("x-forwarded-for")
            .and_then(|v| v.split(',').next().map(|s| s.trim().to_string()))
            .or_else(|| {
                parts
                    .extensions
                    .get::<ConnectInfo<SocketAddr>>()
                    .map(|c| c.0.ip().to_string())
            })
            .unwrap_or_else(|| "unknown".into());
        let user_agent = header("user-agent").unwrap_or_else(|| "unknown".into());
        Ok(Client(Seen { ip, user_agent }))
    }
}

fn json_body<T>(body: Result<Json<T>, JsonRejection>) -> ApiResult<T> {
    body.map(|Json(t)| t).map_err(|e| {
        ApiError::bad_request(
            "malformed_json",
            format!("the request body: {}", e.body_text()),
        )
    })
}

fn now() -> String {
    sigform::time::format_rfc3339(SystemTime::now())
}

async fn upload(
    _: Authed,
    State(portal): State<AppState>,
    body: Result<axum::body::Bytes, BytesRejection>,
) -> ApiResult<Response> {
    let body = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "upload_too_large",
                format!("uploads are limited to {} bytes", portal.config.max_upload),
            )
        } else {
            ApiError::bad_request("bad_upload", e.body_text())
        }
    })?;
    if body.is_empty() {
        return Err(ApiError::bad_request("empty_upload", "the upload is empty"));
    }
    let media_type = match sigform::format::detect(&body) {
        sigform::FileFormat::Pdf => "application/pdf",
        sigform::FileFormat::ZipPackage => "application/zip",
        sigform::FileFormat::JsonPackage => "application/json",
        _ if std::str::from_utf8(&body).is_ok() => "text/plain",
        _ => "application/octet-stream",
    };
    let sha = portal
        .store
        .put(&body)
        .map_err(|e| ApiError::internal("storing the upload", e))?;
    let id = crate::config::random_hex(16).map_err(|e| ApiError::internal("random", e))?;
    sqlx::query(
        "INSERT INTO uploads (id, sha256, size, media_type, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&id)
    .bind(&sha)
    .bind(body.len() as i64)
    .bind(media_type)
    .bind(now())
    .execute(&portal.db)
    .await?;
    let answer = json!({
        "uploadId": id, "size": body.len(), "mediaType": media_type, "sha256": sha,
    });
    Ok((StatusCode::CREATED, Json(answer)).into_response())
}

async fn create_document(
    _: Authed,
    State(portal): State<AppState>,
    body: Result<Json<CreateDocument>, JsonRejection>,
) -> ApiResult<Response> {
    let req = json_body(body)?;
    let name = req.name.trim();
    if name.is_empty() || sigform::package::validate_entry_name(name.as_bytes()).is_err() {
        return Err(ApiError::bad_request(
            "bad_name",
            "the document name must be a plain file name",
        ));
    }
    let format = match req.format.as_deref().unwrap_or("CAdES") {
        f if f.eq_ignore_ascii_case("cades") => "CAdES",
        f if f.eq_ignore_ascii_case("pades") => "PAdES",
        other => {
            return Err(ApiError::bad_request(
                "bad_format",
                format!("format {other:?}: CAdES or PAdES"),
            ));
        }
    };
    let servers = |id: &str| portal.config.server_signers.contains_key(id);
    let parts = create::participants(&req, &servers)?;
    let upload = sqlx::query_as::<_, (String, String)>(
        "SELECT sha256, media_type FROM uploads WHERE id = $1",
    )
    .bind(&req.upload_id)
    .fetch_all(&portal.db)
    .await?
    .into_iter()
    .next()
    .ok_or_else(|| {
        ApiError::bad_request("unknown_upload", format!("no upload {:?}", req.upload_id))
    })?;
    if format == "PAdES" && upload.1 != "application/pdf" {
        return Err(ApiError::bad_request(
            "not_a_pdf",
            format!("PAdES is for PDFs; this upload is {}", upload.1),
        ));
    }
    let random = |n| crate::config::random_hex(n).map_err(|e| ApiError::internal("random", e));
    let id = random(16)?;
    let sender = req
        .sender
        .as_ref()
        .map(serde_json::to_string)
        .transpose()
        .map_err(|e| ApiError::internal("sender", e))?;
    let mut tx = portal.db.begin().await?;
    sqlx::query(
        "INSERT INTO documents (id, name, format, media_type, original_sha256, sender, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(name)
    .bind(format)
    .bind(&upload.1)
    .bind(&upload.0)
    .bind(&sender)
    .bind(now())
    .execute(&mut *tx)
    .await?;
    for (i, p) in parts.iter().enumerate() {
        sqlx::query(
            "INSERT INTO participants (key, document_id, position, kind, name, email, cpf, cnpj, \
             step, certificate_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(random(32)?)
        .bind(&id)
        .bind(i as i64)
        .bind(p.kind)
        .bind(&p.name)
        .bind(&p.email)
        .bind(&p.cpf)
        .bind(&p.cnpj)
        .bind(i64::from(p.step))
        .bind(&p.certificate_id)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    if db::enqueue_open_server_steps(&portal.db, &id).await? > 0 {
        portal.wake.notify_one();
    }
    crate::mail::notify_open_step(&portal, &id).await;
    let view = document_view(&portal, &id, false).await?;
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

fn participant_view(portal: &Portal, p: &ParticipantRow) -> Value {
    json!({
        "key": p.key,
        "kind": p.kind,
        "name": p.name,
        "email": p.email,
        "individualIdentificationCode": p.cpf,
        "companyIdentificationCode": p.cnpj,
        "certificateId": p.certificate_id,
        "step": p.step,
        "status": p.status,
        "signedAt": p.signed_at,
        "signingLink": format!("{}/sign/{}", portal.config.public_url, p.key),
    })
}

fn status_of(parts: &[ParticipantRow]) -> &'static str {
    let signed = parts.iter().filter(|p| p.signed()).count();
    match signed {
        0 => "pending",
        n if n == parts.len() => "signed",
        _ => "partly-signed",
    }
}

async fn document_view(portal: &Portal, id: &str, with_report: bool) -> ApiResult<Value> {
    // Participants first: a signature committed in between shows in the report, never a
    // participant marked signed whose signature the report lacks.
    let parts = db::participants(&portal.db, id).await?;
    let doc = db::document(&portal.db, id).await?;
    let mut view = json!({
        "id": doc.id,
        "name": doc.name,
        "format": doc.format,
        "mediaType": doc.media_type,
        "sha256": doc.original_sha256,
        "sender": doc.sender.as_deref().and_then(|s| serde_json::from_str::<Value>(s).ok()),
        "createdAt": doc.created_at,
        "status": status_of(&parts),
        "openStep": db::open_step(&parts),
        "participants": parts.iter().map(|p| participant_view(portal, p)).collect::<Vec<_>>(),
    });
    if with_report {
        let report = package::report(portal, &doc, &parts)?;
        if let Some(obj) = view.as_object_mut() {
            obj.insert(
                "verdict".into(),
                report.as_ref().map(|r| r.verdict()).into(),
            );
            obj.insert(
                "report".into(),
                serde_json::to_value(&report).map_err(|e| ApiError::internal("report", e))?,
            );
        }
    }
    Ok(view)
}

async fn get_document(
    _: Authed,
    State(portal): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    Ok(Json(document_view(&portal, &id, true).await?))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PackageQuery {
    #[serde(default, alias = "IncludeOriginal")]
    include_original: Option<bool>,
    #[serde(default, alias = "IncludeManifest")]
    include_manifest: Option<bool>,
    #[serde(default, alias = "Zipped")]
    zipped: Option<bool>,
}

fn attachment(name: &str) -> HeaderValue {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    HeaderValue::from_str(&format!("attachment; filename=\"{safe}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

async fn get_package(
    _: Authed,
    State(portal): State<AppState>,
    Path(id): Path<String>,
    query: Result<Query<PackageQuery>, QueryRejection>,
) -> ApiResult<Response> {
    let Query(q) = query.map_err(|e| ApiError::bad_request("bad_query", e.body_text()))?;
    let parts = db::participants(&portal.db, &id).await?;
    let doc = db::document(&portal.db, &id).await?;
    let wanted = Wanted {
        include_original: q.include_original.unwrap_or(true),
        include_manifest: q.include_manifest.unwrap_or(true),
        zipped: q.zipped.unwrap_or(true),
    };
    let verdict = package::report(&portal, &doc, &parts)?
        .map(|r| r.verdict())
        .unwrap_or_else(|| "NOT SIGNED".into());
    let (bytes, media_type, file) = download(&portal, &doc, &parts, wanted)?;
    let mut headers = HeaderMap::new();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    headers.insert(header::CONTENT_DISPOSITION, attachment(&file));
    if let Ok(v) = HeaderValue::from_str(&verdict) {
        headers.insert("x-sigform-status", v);
    }
    Ok((StatusCode::OK, headers, bytes).into_response())
}

fn download(
    portal: &Portal,
    doc: &DocumentRow,
    parts: &[ParticipantRow],
    wanted: Wanted,
) -> ApiResult<(Vec<u8>, &'static str, String)> {
    let stem = doc
        .name
        .rsplit_once('.')
        .map(|(s, _)| s)
        .unwrap_or(&doc.name)
        .to_string();
    if doc.format == "PAdES" {
        let Some(signed) = &doc.signed_sha256 else {
            return Err(ApiError::conflict(
                "not_signed_yet",
                "no signature has been applied to this document yet",
            ));
        };
        let pdf = portal
            .store
            .get(signed)
            .map_err(|e| ApiError::internal("reading the signed PDF", e))?;
        return Ok((pdf, "application/pdf", format!("{stem}-signed.pdf")));
    }
    let bytes = package::build(portal, doc, parts, wanted)?;
    Ok(if wanted.zipped {
        (bytes, "application/zip", format!("{stem}-package.zip"))
    } else {
        (bytes, "application/json", format!("{stem}-package.json"))
    })
}

async fn trust(State(portal): State<AppState>) -> ApiResult<Response> {
    match &portal.config.trust_pem {
        Some(pem) => Ok((
            [(header::CONTENT_TYPE, "application/x-pem-file")],
            pem.clone(),
        )
            .into_response()),
        None => Err(ApiError::not_found(
            "no_trust",
            "no trust anchors are configured",
        )),
    }
}

async fn sign_document(
    State(portal): State<AppState>,
    Path(key): Path<String>,
) -> ApiResult<Response> {
    let p = db::participant(&portal.db, &key).await?;
    let doc = db::document(&portal.db, &p.document_id).await?;
    let data = portal
        .store
        .get(&doc.original_sha256)
        .map_err(|e| ApiError::internal("reading the document", e))?;
    let media = HeaderValue::from_str(&doc.media_type)
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    Ok(([(header::CONTENT_TYPE, media)], data).into_response())
}

async fn prepare(
    State(portal): State<AppState>,
    Path(key): Path<String>,
    body: Result<Json<PrepareRequest>, JsonRejection>,
) -> ApiResult<Json<signing::PrepareResponse>> {
    let req = json_body(body)?;
    Ok(Json(signing::prepare(&portal, &key, &req).await?))
}

async fn finish(
    State(portal): State<AppState>,
    Path(key): Path<String>,
    body: Result<Json<FinishRequest>, JsonRejection>,
) -> ApiResult<Json<Value>> {
    let req = json_body(body)?;
    signing::finish(&portal, &key, &req).await?;
    Ok(Json(json!({ "status": "signed" })))
}

async fn electronic(
    State(portal): State<AppState>,
    Path(key): Path<String>,
    Client(seen): Client,
    body: Result<Json<ElectronicRequest>, JsonRejection>,
) -> ApiResult<Json<Value>> {
    let req = json_body(body)?;
    signing::electronic(&portal, &key, &req, &seen).await?;
    Ok(Json(json!({ "status": "signed" })))
}
