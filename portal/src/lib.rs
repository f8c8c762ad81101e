//! sigform-portal: a reference signing service on sigform, the seed portal's flow as REST and
//! pages. Upload (`POST /api/uploads`), create with signers / electronicSigners / serverSigners
//! in steps (`POST /api/documents`), sign (`/sign/{key}`: digital two-step, electronic graphism,
//! server signatures through a queue), follow (`GET /api/documents/{id}`), download
//! (`GET /api/packages/{id}`).
//!
//! Modules: `config` settings and the demo PKI; `db` the database and its rows; `store`
//! content-addressed blobs; `create` the create request's validation; `signing` the three ways
//! to sign; `mail` signing-link e-mails; `queue` the server-signature worker; `package` downloads and reports; `routes` the
//! HTTP API; `pages` the signing page; `error` JSON errors.

pub mod config;
pub mod create;
pub mod db;
pub mod error;
pub mod mail;
pub mod package;
pub mod pages;
pub mod queue;
pub mod routes;
pub mod signing;
pub mod store;

use std::sync::Arc;

pub use config::Config;

/// A running portal's shared state.
pub struct Portal {
    /// Settings.
    pub config: Config,
    /// Database.
    pub db: db::Db,
    /// Blobs.
    pub store: store::BlobStore,
    /// Wakes the worker when a step may have opened.
    pub wake: tokio::sync::Notify,
    /// This instance's name in the queue (`claimed_by`): process id and a random part.
    pub instance: String,
}

/// Errors starting.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The data directory.
    #[error("data directory: {0}")]
    Data(#[from] std::io::Error),
    /// The database.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}

impl Portal {
    /// Opens the data directory and the database (migrations applied).
    pub async fn open(config: Config) -> Result<Arc<Self>, StartError> {
        std::fs::create_dir_all(&config.data_dir)?;
        let store = store::BlobStore::open(&config.data_dir)?;
        let db = db::open(&config.database_url).await?;
        Ok(Arc::new(Self {
            config,
            db,
            store,
            wake: tokio::sync::Notify::new(),
            instance: format!(
                "pid{}-{}",
                std::process::id(),
                crate::config::random_hex(4).unwrap_or_default()
            ),
        }))
    }
}

/// Opens a portal, starts its worker (when configured) and answers its router.
pub async fn start(
    config: Config,
) -> Result<
    (
        axum::Router,
        Arc<Portal>,
        Option<tokio::task::JoinHandle<()>>,
    ),
    StartError,
> {
    let portal = Portal::open(config).await?;
    let worker = portal
        .config
        .run_worker
        .then(|| queue::spawn(portal.clone()));
    Ok((routes::router(portal.clone()), portal, worker))
}
