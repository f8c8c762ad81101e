//! The database: opening (a SQLite file by default, PostgreSQL when the URL names one; the same
//! migrations applied), the rows, and the queries shared by the API, the signing endpoints and
//! the worker. One pool through sqlx's `Any` driver; every query is written with `$N`
//! placeholders, which both SQLite and PostgreSQL understand.

use crate::error::{ApiError, ApiResult};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Executor, Row};
use std::time::Duration;

/// The pool.
pub type Db = AnyPool;

/// Which database a pool talks to (the few statements that differ: the queue's claim).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// An embedded SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// The backend of a URL (`sqlite:...`, `postgres://...` / `postgresql://...`), or `None`.
pub fn backend_of(url: &str) -> Option<Backend> {
    let scheme = url.split_once(':')?.0.to_ascii_lowercase();
    match scheme.as_str() {
        "sqlite" => Some(Backend::Sqlite),
        "postgres" | "postgresql" => Some(Backend::Postgres),
        _ => None,
    }
}

/// The backend of an open pool.
pub fn backend(db: &Db) -> Backend {
    backend_of(db.connect_options().database_url.as_str()).unwrap_or(Backend::Sqlite)
}

/// Opens the database (a SQLite file is created if missing) and applies the migrations.
pub async fn open(url: &str) -> Result<Db, sqlx::Error> {
    sqlx::any::install_default_drivers();
    let url = match backend_of(url) {
        Some(Backend::Sqlite) if !url.contains("mode=") => {
            let sep = if url.contains('?') { '&' } else { '?' };
            format!("{url}{sep}mode=rwc")
        }
        Some(_) => url.to_string(),
        None => {
            return Err(sqlx::Error::Configuration(
                format!("unsupported database URL (sqlite:... or postgres://...): {url}").into(),
            ));
        }
    };
    let pool = AnyPoolOptions::new()
        .max_connections(8)
        .acquire_timeout(Duration::from_secs(30))
        .after_connect(|conn, _| {
            Box::pin(async move {
                if conn.backend_name() == "SQLite" {
                    conn.execute(
                        "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 10000; \
                         PRAGMA foreign_keys = ON;",
                    )
                    .await?;
                }
                Ok(())
            })
        })
        .connect(&url)
        .await?;
    sqlx::migrate!("./migrations").run(&pool).await?;
    Ok(pool)
}

/// A document.
#[derive(Clone, Debug)]
pub struct DocumentRow {
    /// Id (random, hex).
    pub id: String,
    /// File name.
    pub name: String,
    /// `CAdES` or `PAdES`.
    pub format: String,
    /// Media type sniffed at upload.
    pub media_type: String,
    /// The original's blob.
    pub original_sha256: String,
    /// The current signature's blob.
    pub signed_sha256: Option<String>,
    /// Changes of `signed_sha256` so far.
    pub revision: i64,
    /// Sender (JSON).
    pub sender: Option<String>,
    /// Creation time (RFC 3339).
    pub created_at: String,
}

/// A participant.
#[derive(Clone, Debug)]
pub struct ParticipantRow {
    /// The signing-link key (random, hex).
    pub key: String,
    /// Document.
    pub document_id: String,
    /// Order in the request (signers, then electronic, then server).
    pub position: i64,
    /// `digital`, `electronic` or `server`.
    pub kind: String,
    /// Name.
    pub name: String,
    /// E-mail.
    pub email: Option<String>,
    /// CPF (digits).
    pub cpf: Option<String>,
    /// CNPJ (digits).
    pub cnpj: Option<String>,
    /// Step.
    pub step: i64,
    /// Server certificate id.
    pub certificate_id: Option<String>,
    /// `pending` or `signed`.
    pub status: String,
    /// When (RFC 3339).
    pub signed_at: Option<String>,
    /// The certificate that signed (SHA-256 hex).
    pub certificate_sha256: Option<String>,
    /// Electronic evidence (JSON).
    pub evidence: Option<String>,
    /// Two-step state between prepare and finish (JSON).
    pub prepared_state: Option<String>,
    /// PAdES: the prepared PDF's blob.
    pub prepared_sha256: Option<String>,
    /// The document revision the preparation was made on.
    pub prepared_revision: Option<i64>,
    /// When the signing link was e-mailed.
    pub notified_at: Option<String>,
}

impl ParticipantRow {
    /// True once signed.
    pub fn signed(&self) -> bool {
        self.status == "signed"
    }
}

fn document_from(r: &AnyRow) -> Result<DocumentRow, sqlx::Error> {
    Ok(DocumentRow {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        format: r.try_get("format")?,
        media_type: r.try_get("media_type")?,
        original_sha256: r.try_get("original_sha256")?,
        signed_sha256: r.try_get("signed_sha256")?,
        revision: r.try_get("revision")?,
        sender: r.try_get("sender")?,
        created_at: r.try_get("created_at")?,
    })
}

fn participant_from(r: &AnyRow) -> Result<ParticipantRow, sqlx::Error> {
    Ok(ParticipantRow {
        key: r.try_get("key")?,
        document_id: r.try_get("document_id")?,
        position: r.try_get("position")?,
        kind: r.try_get("kind")?,
        name: r.try_get("name")?,
        email: r.try_get("email")?,
        cpf: r.try_get("cpf")?,
        cnpj: r.try_get("cnpj")?,
        step: r.try_get("step")?,
        certificate_id: r.try_get("certificate_id")?,
        status: r.try_get("status")?,
        signed_at: r.try_get("signed_at")?,
        certificate_sha256: r.try_get("certificate_sha256")?,
        evidence: r.try_get("evidence")?,
        prepared_state: r.try_get("prepared_state")?,
        prepared_sha256: r.try_get("prepared_sha256")?,
        prepared_revision: r.try_get("prepared_revision")?,
        notified_at: r.try_get("notified_at")?,
    })
}

/// The document `id`, or 404.
pub async fn document(db: &Db, id: &str) -> ApiResult<DocumentRow> {
    let row = sqlx::query("SELECT * FROM documents WHERE id = $1")
        .bind(id)
        .fetch_all(db)
        .await?
        .into_iter()
        .next();
    match row {
        Some(r) => Ok(document_from(&r)?),
        None => Err(ApiError::not_found(
            "unknown_document",
            format!("no document {id}"),
        )),
    }
}

/// The participants of a document, in order.
pub async fn participants(db: &Db, document_id: &str) -> ApiResult<Vec<ParticipantRow>> {
    let rows = sqlx::query("SELECT * FROM participants WHERE document_id = $1 ORDER BY position")
        .bind(document_id)
        .fetch_all(db)
        .await?;
    Ok(rows
        .iter()
        .map(participant_from)
        .collect::<Result<Vec<_>, sqlx::Error>>()?)
}

/// The participant of a signing key, or 404.
pub async fn participant(db: &Db, key: &str) -> ApiResult<ParticipantRow> {
    let row = sqlx::query("SELECT * FROM participants WHERE key = $1")
        .bind(key)
        .fetch_all(db)
        .await?
        .into_iter()
        .next();
    match row {
        Some(r) => Ok(participant_from(&r)?),
        None => Err(ApiError::not_found(
            "unknown_participant",
            "no participant has this signing key",
        )),
    }
}

/// The lowest step with a participant still to sign (`None` when all signed).
pub fn open_step(parts: &[ParticipantRow]) -> Option<i64> {
    parts.iter().filter(|p| !p.signed()).map(|p| p.step).min()
}

/// Queues every server participant whose step is open (idempotent).
pub async fn enqueue_open_server_steps(db: &Db, document_id: &str) -> ApiResult<usize> {
    let parts = participants(db, document_id).await?;
    let Some(open) = open_step(&parts) else {
        return Ok(0);
    };
    let mut queued = 0;
    for p in parts
        .iter()
        .filter(|p| p.kind == "server" && !p.signed() && p.step == open)
    {
        let done = sqlx::query(
            "INSERT INTO jobs (participant_key, document_id) VALUES ($1, $2) \
             ON CONFLICT (participant_key) DO NOTHING",
        )
        .bind(&p.key)
        .bind(document_id)
        .execute(db)
        .await?;
        queued += done.rows_affected() as usize;
    }
    Ok(queued)
}

/// A signature applied: the document's signature becomes `signed_sha256` if the document is
/// still at `revision` (`None`: the signature is unchanged, as for an electronic CAdES signer),
/// and the participant is signed if still pending; both or neither.
pub struct Commit<'a> {
    /// Document.
    pub document_id: &'a str,
    /// Participant.
    pub key: &'a str,
    /// New signature blob and the revision it was made on.
    pub signature: Option<(&'a str, i64)>,
    /// Signing time.
    pub signed_at: &'a str,
    /// Certificate fingerprint.
    pub certificate_sha256: Option<&'a str>,
    /// Evidence JSON.
    pub evidence: Option<&'a str>,
}

/// Applies a [`Commit`] in one transaction; 409 when someone else changed the document first
/// or the participant had already signed.
pub async fn commit_signature(db: &Db, c: &Commit<'_>) -> ApiResult<()> {
    let mut tx = db.begin().await?;
    if let Some((sha, revision)) = c.signature {
        let n = sqlx::query(
            "UPDATE documents SET signed_sha256 = $1, revision = revision + 1 \
             WHERE id = $2 AND revision = $3",
        )
        .bind(sha)
        .bind(c.document_id)
        .bind(revision)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n != 1 {
            return Err(ApiError::conflict(
                "document_changed",
                "the document was signed by someone else meanwhile: prepare again",
            ));
        }
    }
    let n = sqlx::query(
        "UPDATE participants SET status = 'signed', signed_at = $1, certificate_sha256 = $2, \
         evidence = $3, prepared_state = NULL, prepared_sha256 = NULL, prepared_revision = NULL \
         WHERE key = $4 AND status = 'pending'",
    )
    .bind(c.signed_at)
    .bind(c.certificate_sha256)
    .bind(c.evidence)
    .bind(c.key)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n != 1 {
        return Err(ApiError::conflict(
            "already_signed",
            "this participant has already signed",
        ));
    }
    sqlx::query("UPDATE jobs SET state = 'done', error = NULL WHERE participant_key = $1")
        .bind(c.key)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    enqueue_open_server_steps(db, c.document_id).await?;
    Ok(())
}
