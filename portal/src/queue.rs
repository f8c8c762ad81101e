//! The server-signature queue: rows in `jobs`, claimed one at a time with
//! `UPDATE ... WHERE state = 'pending' ... RETURNING` (`FOR UPDATE SKIP LOCKED` on PostgreSQL)
//! and a lease, so that a job survives a
//! restart (a crashed worker's lease runs out and the job is claimed again) and two workers
//! never run one job at once. Applying the signature is a compare-and-set on the document's
//! revision and the participant's status: a job run twice signs once.

use crate::Portal;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// How long a claim holds by default before another worker may take the job over
/// ([`crate::Config::lease_seconds`]).
pub const LEASE_SECONDS: i64 = 120;
/// Attempts before a job is given up (`failed`, with its error).
pub const MAX_ATTEMPTS: i64 = 5;

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Claims one job: a pending one, or a running one whose lease ran out. On PostgreSQL the row
/// is picked with `FOR UPDATE SKIP LOCKED` (instances never wait on, or both take, one row); on
/// SQLite, which runs one writer at a time, the same `UPDATE ... RETURNING` re-checks the state
/// it claims from.
pub async fn claim(portal: &Portal) -> Result<Option<String>, sqlx::Error> {
    let now = unix_now();
    let lock = match crate::db::backend(&portal.db) {
        crate::db::Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        crate::db::Backend::Sqlite => "",
    };
    let sql = format!(
        "UPDATE jobs SET state = 'running', attempts = attempts + 1, claimed_until = $1, \
         claimed_by = $3 WHERE participant_key = (SELECT participant_key FROM jobs \
             WHERE state = 'pending' OR (state = 'running' AND claimed_until < $2) \
             LIMIT 1{lock}) \
         AND (state = 'pending' OR (state = 'running' AND claimed_until < $2)) \
         RETURNING participant_key"
    );
    sqlx::query_scalar(&sql)
        .bind(now + portal.config.lease_seconds.max(1))
        .bind(now)
        .bind(&portal.instance)
        .fetch_all(&portal.db)
        .await
        .map(|rows| rows.into_iter().next())
}

/// Runs one claimed job; on failure it goes back to pending (or failed after
/// [`MAX_ATTEMPTS`]). Losing a race on the document (another participant, perhaps on another
/// instance, signed it first) is not a failure: the job goes back to pending, its attempt not
/// counted.
pub async fn run_one(portal: &Portal, key: &str) -> Result<(), sqlx::Error> {
    match crate::signing::server(portal, key).await {
        Ok(()) => Ok(()),
        Err(e) if e.code == "already_signed" => {
            sqlx::query("UPDATE jobs SET state = 'done' WHERE participant_key = $1")
                .bind(key)
                .execute(&portal.db)
                .await
                .map(|_| ())
        }
        Err(e) if e.code == "document_changed" => sqlx::query(
            "UPDATE jobs SET state = 'pending', attempts = attempts - 1, claimed_until = 0 \
             WHERE participant_key = $1",
        )
        .bind(key)
        .execute(&portal.db)
        .await
        .map(|_| ()),
        Err(e) => {
            eprintln!(
                "sigform-portal: server signature {key}: {}: {}",
                e.code, e.message
            );
            sqlx::query(
                "UPDATE jobs SET state = CASE WHEN attempts >= $1 THEN 'failed' ELSE 'pending' END, \
                 claimed_until = 0, error = $2 WHERE participant_key = $3",
            )
            .bind(MAX_ATTEMPTS)
            .bind(format!("{}: {}", e.code, e.message))
            .bind(key)
            .execute(&portal.db)
            .await
            .map(|_| ())
        }
    }
}

/// Runs every job that can be claimed now; answers how many ran.
pub async fn drain(portal: &Portal) -> Result<usize, sqlx::Error> {
    let mut n = 0;
    while let Some(key) = claim(portal).await? {
        run_one(portal, &key).await?;
        n += 1;
    }
    Ok(n)
}

/// The worker: drains the queue when woken (a signature was applied) and every second.
pub fn spawn(portal: Arc<Portal>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if let Err(e) = drain(&portal).await {
                eprintln!("sigform-portal: queue: {e}");
            }
            let _ = tokio::time::timeout(Duration::from_secs(1), portal.wake.notified()).await;
        }
    })
}
