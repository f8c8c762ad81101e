//! PKCS#11 tokens and HSMs (feature `pkcs11`): A3 smart cards and tokens, and the server HSM
//! that signs documents in bulk, through the `cryptoki` crate (OASIS PKCS#11 v2.40).
//!
//! The parts: `config` (the selectors, PIN source and [`Pkcs11Config`]), `pool` (the module
//! context and the session pool, login included), `objects` (finding the token, the key, its
//! certificate and issuers), `mechanism` (the mechanism plan: which mechanism, what to sign,
//! how to read the answer) and `errors` (PKCS#11 return values as [`SignerError`] variants).
//! This file holds [`Pkcs11Signer`].
//!
//! A [`Pkcs11Signer`] loads a module (`.so`), finds a token by label or slot, logs in once with a
//! PIN taken from an environment variable or a callback (zeroized right after the login), finds
//! the private key by label or id and its certificate on the token (same id, else same label) or
//! takes a supplied one. It keeps a pool of sessions, so that many threads sign at once; a lost
//! session (token reinserted, login gone) is reopened and the signature retried once.
//!
//! Mechanisms: `CKM_SHA256_RSA_PKCS` (and the SHA-384/512 ones), or `CKM_RSA_PKCS` over a
//! DigestInfo when the token lacks them; `CKM_SHA*_RSA_PKCS_PSS`, or `CKM_RSA_PKCS_PSS` over the
//! digest; `CKM_ECDSA` over the digest, the raw `r‖s` turned into a DER `Ecdsa-Sig-Value`.
//!
//! ```no_run
//! use sigform::signer::pkcs11::{KeySelector, PinSource, Pkcs11Config, Pkcs11Signer, TokenSelector};
//! let signer = Pkcs11Signer::open(Pkcs11Config::new(
//!     "/usr/lib/softhsm/libsofthsm2.so",
//!     TokenSelector::Label("server".into()),
//!     KeySelector::Label("seal".into()),
//!     PinSource::Env("TOKEN_PIN".into()),
//! ))?;
//! let p7s = sigform::cades::sign(&b"document"[..], &signer, &Default::default())?;
//! # Ok::<(), sigform::Error>(())
//! ```
//!
//! PKCS#11 logins belong to the application, not to a session: two signers of one process on the
//! same token share the login, and the second one's PIN is then not checked by the token.

mod config;
mod errors;
mod mechanism;
mod objects;
mod pool;

/// The key on the token, as far as signing needs to know: RSA with its modulus size, or EC on
/// a supported curve.
pub use crate::crypto::PublicKeyKind as TokenKeyKind;
pub use config::{KeySelector, PinCallback, PinSource, Pkcs11Config, TokenSelector};

use super::{Signer, SignerError, SignerIdentity};
use crate::alg::MIN_RSA_BITS;
use crate::alg::SignatureAlgorithm;
use crate::error::{KeyError, Result};
use cryptoki::error::{Error as CkError, RvError};
use errors::{map_error, session_lost};
use mechanism::{Plan, algorithm_for};
use objects::{KeyFacts, resolve_slot, token_issuers};
use pool::{Pool, context, lock};

/// A key on a PKCS#11 token or HSM. `Send + Sync`: share one (e.g. in an `Arc`) between threads;
/// each signature borrows a session from the pool.
pub struct Pkcs11Signer {
    identity: SignerIdentity,
    algorithm: SignatureAlgorithm,
    kind: TokenKeyKind,
    plan: Plan,
    pool: Pool,
}

impl std::fmt::Debug for Pkcs11Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pkcs11Signer")
            .field("token", &self.pool.token_label)
            .field("key", &self.pool.key)
            .field("kind", &self.kind)
            .field("algorithm", &self.algorithm)
            .field("mechanism", &self.plan.mechanism_type().to_string())
            .finish()
    }
}

impl Pkcs11Signer {
    /// Loads the module, finds the token, logs in, finds the key and its certificate, and
    /// checks that the token offers a mechanism for the algorithm.
    ///
    /// Errors: [`SignerError::TokenNotFound`], [`SignerError::WrongPin`],
    /// [`SignerError::PinLocked`], [`SignerError::KeyNotFound`],
    /// [`SignerError::MechanismNotSupported`] (inside
    /// [`Error::Signer`](crate::Error::Signer)); [`KeyError::NoCertificate`],
    /// [`KeyError::KeyCertificateMismatch`], [`KeyError::KeyTooShort`],
    /// [`KeyError::AlgorithmMismatch`] (inside [`Error::Key`](crate::Error::Key)).
    pub fn open(config: Pkcs11Config) -> Result<Self> {
        let ctx = context(&config.module)?;
        let slot = resolve_slot(&ctx, &config.token)?;
        let token_label = ctx
            .get_token_info(slot)
            .map(|i| i.label().trim_end().to_string())
            .unwrap_or_else(|_| config.token.to_string());
        let mechanisms = ctx
            .get_mechanism_list(slot)
            .map_err(|e| map_error(&e, &token_label, "listing the mechanisms"))?;
        let max = if config.max_sessions == 0 {
            std::thread::available_parallelism().map_or(2, |n| n.get())
        } else {
            config.max_sessions
        };
        let pool = Pool::new(ctx, &config, slot, token_label, max);
        let lease = pool.checkout()?;
        let first = lease.get()?;
        let facts = KeyFacts::read(&first.session, first.key, &pool.token_label)?;
        let certificate = match config.certificate {
            Some(c) => c,
            None => facts
                .find_certificate(&first.session, &pool.token_label)?
                .ok_or(KeyError::NoCertificate)?,
        };
        facts.check_certificate(&first.session, &certificate)?;
        let chain = match config.chain {
            Some(c) => c,
            None => token_issuers(&first.session, &certificate),
        };
        drop(lease);
        let kind = facts.kind;
        if let TokenKeyKind::Rsa(bits) = kind
            && bits < MIN_RSA_BITS
        {
            return Err(KeyError::KeyTooShort {
                bits,
                min: MIN_RSA_BITS,
            }
            .into());
        }
        let algorithm = algorithm_for(kind, config.algorithm)?;
        let plan = Plan::choose(algorithm, &mechanisms).map_err(|e| match e {
            SignerError::MechanismNotSupported(m) => {
                SignerError::MechanismNotSupported(format!("token '{}': {m}", pool.token_label))
            }
            other => other,
        })?;
        Ok(Self {
            identity: SignerIdentity::new(certificate, chain),
            algorithm,
            kind,
            plan,
            pool,
        })
    }

    /// The key's type and size.
    pub fn key_kind(&self) -> TokenKeyKind {
        self.kind
    }

    /// The token's label.
    pub fn token_label(&self) -> &str {
        &self.pool.token_label
    }

    /// The PKCS#11 mechanism used to sign, e.g. `CKM_SHA256_RSA_PKCS`.
    pub fn mechanism(&self) -> String {
        self.plan.mechanism_type().to_string()
    }

    /// Ends the login: PKCS#11 logs out every session of this process on the token. The next
    /// signature logs in again, with the PIN read anew from its source (the pooled sessions are
    /// reopened when next used).
    pub fn logout(&self) -> std::result::Result<(), SignerError> {
        let lease = self.pool.checkout()?;
        let s = lease.get()?;
        match s.session.logout() {
            Ok(()) | Err(CkError::Pkcs11(RvError::UserNotLoggedIn, _)) => Ok(()),
            Err(e) => Err(map_error(&e, &self.pool.token_label, "logging out")),
        }
    }

    /// Sessions currently open (idle or in use).
    pub fn open_sessions(&self) -> usize {
        lock(&self.pool.state).open
    }
}

impl Signer for Pkcs11Signer {
    fn identity(&self) -> &SignerIdentity {
        &self.identity
    }

    fn algorithm(&self) -> SignatureAlgorithm {
        self.algorithm
    }

    fn sign(&self, to_be_signed: &[u8]) -> std::result::Result<Vec<u8>, SignerError> {
        let (mechanism, input) = self.plan.prepare(to_be_signed);
        let mut last = None;
        for _attempt in 0..2 {
            let mut lease = self.pool.checkout()?;
            let result = {
                let s = lease.get()?;
                s.session.sign(&mechanism, s.key, &input)
            };
            match result {
                Ok(raw) => return self.plan.finish(self.kind, raw),
                Err(e) => {
                    // Never put back a session whose state is in doubt.
                    lease.discard();
                    if !session_lost(&e) {
                        return Err(map_error(&e, &self.pool.token_label, "signing"));
                    }
                    // Retry once on a fresh session (logged in again if needed).
                    self.pool.drain_idle();
                    last = Some(e);
                }
            }
        }
        Err(match last {
            Some(e) => map_error(&e, &self.pool.token_label, "signing"),
            None => SignerError::Crypto("signing failed".into()),
        })
    }
}
