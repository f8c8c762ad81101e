//! How to reach a key: the module, the token and key selectors, the PIN source and the
//! optional certificate, chain, algorithm and session bound ([`Pkcs11Config`]).

use crate::alg::SignatureAlgorithm;
use crate::signer::SignerError;
use crate::x509::CertificateDer;
use std::path::PathBuf;
use std::sync::Arc;
use zeroize::Zeroizing;

/// Which token to use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenSelector {
    /// The token with this label (`CK_TOKEN_INFO.label`, trailing blanks ignored).
    Label(String),
    /// The token in this slot (slot id as the module reports it).
    Slot(u64),
}

impl std::fmt::Display for TokenSelector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Label(l) => write!(f, "label '{l}'"),
            Self::Slot(s) => write!(f, "slot {s}"),
        }
    }
}

/// Which private key to use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeySelector {
    /// `CKA_LABEL`.
    Label(String),
    /// `CKA_ID` (bytes; `01` for `--id 01`).
    Id(Vec<u8>),
}

impl std::fmt::Display for KeySelector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Label(l) => write!(f, "label '{l}'"),
            Self::Id(id) => write!(f, "id {}", hex::encode(id)),
        }
    }
}

/// A function returning the PIN (e.g. asking the user). Called at the first login and again
/// only when the login was lost (token reinserted).
pub type PinCallback =
    dyn Fn() -> std::result::Result<Zeroizing<String>, SignerError> + Send + Sync;

/// Where the user PIN comes from. The PIN is read when a login is needed and zeroized right
/// after it; it is never logged nor kept.
#[derive(Clone)]
pub enum PinSource {
    /// The environment variable with this name.
    Env(String),
    /// A callback.
    Callback(Arc<PinCallback>),
    /// The token's own PIN pad (`CKF_PROTECTED_AUTHENTICATION_PATH`): login without a PIN.
    ProtectedAuthenticationPath,
}

impl std::fmt::Debug for PinSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Env(v) => write!(f, "Env({v})"),
            Self::Callback(_) => f.write_str("Callback"),
            Self::ProtectedAuthenticationPath => f.write_str("ProtectedAuthenticationPath"),
        }
    }
}

/// How to reach a PKCS#11 key. Build with [`Pkcs11Config::new`] and the `with_*` methods.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Pkcs11Config {
    /// The PKCS#11 module (shared library).
    pub module: PathBuf,
    /// The token.
    pub token: TokenSelector,
    /// The private key.
    pub key: KeySelector,
    /// The user PIN.
    pub pin: PinSource,
    /// The signer certificate; `None`: read from the token (same `CKA_ID` as the key, else the
    /// same label).
    pub certificate: Option<CertificateDer>,
    /// Certificates to embed besides the signer's; `None`: the issuers found on the token.
    pub chain: Option<Vec<CertificateDer>>,
    /// The signature algorithm; `None`: RSA PKCS#1 v1.5 SHA-256, ECDSA P-256 SHA-256 or P-384
    /// SHA-384 after the key.
    pub algorithm: Option<SignatureAlgorithm>,
    /// Most sessions open at once (at most this many signatures run in parallel); 0: the number
    /// of CPUs.
    pub max_sessions: usize,
}

impl Pkcs11Config {
    /// A configuration with the certificate and chain from the token and the key's default
    /// algorithm.
    pub fn new(
        module: impl Into<PathBuf>,
        token: TokenSelector,
        key: KeySelector,
        pin: PinSource,
    ) -> Self {
        Self {
            module: module.into(),
            token,
            key,
            pin,
            certificate: None,
            chain: None,
            algorithm: None,
            max_sessions: 0,
        }
    }

    /// Uses this signer certificate instead of the token's.
    pub fn with_certificate(mut self, certificate: CertificateDer) -> Self {
        self.certificate = Some(certificate);
        self
    }

    /// Embeds these certificates (intermediates) instead of the issuers found on the token.
    pub fn with_chain(mut self, chain: Vec<CertificateDer>) -> Self {
        self.chain = Some(chain);
        self
    }

    /// Chooses the signature algorithm.
    pub fn with_algorithm(mut self, algorithm: SignatureAlgorithm) -> Self {
        self.algorithm = Some(algorithm);
        self
    }

    /// Bounds the session pool.
    pub fn with_max_sessions(mut self, max_sessions: usize) -> Self {
        self.max_sessions = max_sessions;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pin_source_debug_shows_no_secret() {
        let cb = PinSource::Callback(Arc::new(|| Ok(Zeroizing::new("1234".to_string()))));
        assert_eq!(format!("{cb:?}"), "Callback");
        assert_eq!(format!("{:?}", PinSource::Env("PIN".into())), "Env(PIN)");
    }
}
