//! What a portal runs with: where its data is, its API token, its server certificates, the seal
//! and the trust anchors; [`Config::demo`] fills in the demo PKI.

use sigform::signer::{Signer, SoftwareSigner};
use sigform::tsp::{HttpTimestampAuthority, TimestampAuthority};
use sigform::x509::TrustStore;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use sigform::package::demo::pki::{INTERMEDIATE_PEM, PF_CERT, PF_KEY, PJ_CERT, PJ_KEY, ROOT_PEM};

/// The id of the demo server certificate (`certificateId` in `serverSigners`).
pub const DEMO_SERVER_CERTIFICATE: &str = "demo-server";

/// The demo digital signer the test signing page uses through WebCrypto (its key is public:
/// demonstration only).
#[derive(Clone, Debug)]
pub struct DemoSigner {
    /// PKCS#8 private key, PEM.
    pub key_pem: String,
    /// Certificate then intermediate, PEM.
    pub chain_pem: String,
}

/// The portal's settings.
#[derive(Clone)]
pub struct Config {
    /// Data directory (blobs).
    pub data_dir: PathBuf,
    /// sqlx URL of the database (`sqlite://FILE` or `postgres://...`).
    pub database_url: String,
    /// API bearer token.
    pub token: String,
    /// Base of the signing links (`http://host:port`).
    pub public_url: String,
    /// Largest upload accepted, in bytes.
    pub max_upload: usize,
    /// Server certificates by `certificateId`.
    pub server_signers: BTreeMap<String, Arc<dyn Signer>>,
    /// The signer that seals manifests and stamps electronic signatures.
    pub seal: Arc<dyn Signer>,
    /// Trust anchors: signer certificates must chain to them; packages are verified with them.
    pub trust: Option<TrustStore>,
    /// PEM of the trust anchors (handed out at `/api/trust`).
    pub trust_pem: Option<Vec<u8>>,
    /// The demo signer for the test page, when running with the demo PKI.
    pub demo_signer: Option<DemoSigner>,
    /// Run the server-signature worker.
    pub run_worker: bool,
    /// Seconds a worker's claim on a server signature holds (a crashed worker's job is taken
    /// over after this).
    pub lease_seconds: i64,
    /// The SMTP relay for signing-link e-mails (`None`: no e-mail).
    pub smtp: Option<crate::mail::SmtpConfig>,
    /// The time-stamping authority (`None`: none): CAdES signatures are then made B-T, with a
    /// signature timestamp ([`Config::set_tsa_url`] for one reached over HTTP).
    pub tsa: Option<Arc<dyn TimestampAuthority>>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("data_dir", &self.data_dir)
            .field("database_url", &self.database_url)
            .field("public_url", &self.public_url)
            .field("server_signers", &self.server_signers.keys())
            .field("tsa", &self.tsa.is_some())
            .finish_non_exhaustive()
    }
}

/// Errors setting up.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A key or certificate did not load.
    #[error("loading {what}: {source}")]
    Key {
        /// Which.
        what: String,
        /// Why.
        source: Box<sigform::Error>,
    },
    /// The TSA URL is not usable.
    #[error("TSA {url}: {source}")]
    Tsa {
        /// The URL given.
        url: String,
        /// Why.
        source: Box<sigform::tsp::TspError>,
    },
    /// Randomness unavailable.
    #[error("no randomness: {0}")]
    Random(String),
}

/// `n` random bytes in hex.
pub fn random_hex(n: usize) -> Result<String, ConfigError> {
    let mut b = vec![0u8; n];
    getrandom::fill(&mut b).map_err(|e| ConfigError::Random(e.to_string()))?;
    Ok(hex::encode(b))
}

impl Config {
    /// The demo configuration: the committed test PKI (its private keys are public), the server
    /// certificate `demo-server` (CNPJ 11.222.333/0001-81), which also seals.
    pub fn demo(
        data_dir: PathBuf,
        database_url: String,
        token: String,
    ) -> Result<Self, ConfigError> {
        let key = |e| ConfigError::Key {
            what: "the demo PKI".into(),
            source: Box::new(e),
        };
        let server: Arc<dyn Signer> = Arc::new(
            SoftwareSigner::from_pem_or_der(PJ_KEY, None, PJ_CERT, Some(INTERMEDIATE_PEM))
                .map_err(key)?,
        );
        let mut server_signers = BTreeMap::new();
        server_signers.insert(DEMO_SERVER_CERTIFICATE.to_string(), server.clone());
        Ok(Self {
            data_dir,
            database_url,
            token,
            public_url: "http://127.0.0.1:8080".into(),
            max_upload: 32 * 1024 * 1024,
            server_signers,
            seal: server,
            trust: Some(TrustStore::from_pem(ROOT_PEM).map_err(key)?),
            trust_pem: Some(ROOT_PEM.to_vec()),
            demo_signer: Some(DemoSigner {
                key_pem: String::from_utf8_lossy(PF_KEY).into_owned(),
                chain_pem: format!(
                    "{}{}",
                    String::from_utf8_lossy(PF_CERT),
                    String::from_utf8_lossy(INTERMEDIATE_PEM)
                ),
            }),
            run_worker: true,
            smtp: None,
            tsa: None,
            lease_seconds: crate::queue::LEASE_SECONDS,
        })
    }

    /// Timestamps signatures with the RFC 3161 TSA at `url` (`http://` or `https://`; the
    /// library's default timeouts and answer bound).
    pub fn set_tsa_url(&mut self, url: &str) -> Result<(), ConfigError> {
        let tsa = HttpTimestampAuthority::new(url).map_err(|e| ConfigError::Tsa {
            url: url.into(),
            source: Box::new(e),
        })?;
        self.tsa = Some(Arc::new(tsa));
        Ok(())
    }

    /// Adds a server certificate from a PKCS#12 file.
    pub fn add_pkcs12(&mut self, id: &str, path: &str, password: &str) -> Result<(), ConfigError> {
        let signer =
            SoftwareSigner::from_pkcs12_file(path, password).map_err(|e| ConfigError::Key {
                what: path.into(),
                source: Box::new(e),
            })?;
        self.server_signers.insert(id.into(), Arc::new(signer));
        Ok(())
    }

    /// Adds a server certificate whose key is on a PKCS#11 token or HSM (feature `pkcs11`):
    /// the key by label, the PIN from the environment variable `pin_env`; the certificate and
    /// chain from the token unless `certificates` (PEM, signer first) is given.
    #[cfg(feature = "pkcs11")]
    pub fn add_pkcs11(
        &mut self,
        id: &str,
        module: &str,
        token_label: &str,
        key_label: &str,
        pin_env: &str,
        certificates: Option<&[u8]>,
    ) -> Result<(), ConfigError> {
        use sigform::signer::pkcs11::{KeySelector, PinSource, Pkcs11Config, TokenSelector};
        let err = |e| ConfigError::Key {
            what: format!("PKCS#11 key {key_label} on {token_label}"),
            source: Box::new(e),
        };
        let mut config = Pkcs11Config::new(
            module,
            TokenSelector::Label(token_label.into()),
            KeySelector::Label(key_label.into()),
            PinSource::Env(pin_env.into()),
        );
        if let Some(pem) = certificates {
            let mut certs = sigform::CertificateDer::parse_many(pem)
                .map_err(err)?
                .into_iter();
            if let Some(leaf) = certs.next() {
                config = config.with_certificate(leaf).with_chain(certs.collect());
            }
        }
        let signer = sigform::signer::Pkcs11Signer::open(config).map_err(err)?;
        self.server_signers.insert(id.into(), Arc::new(signer));
        Ok(())
    }
}
