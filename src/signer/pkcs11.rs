//! PKCS#11 tokens and HSMs (feature `pkcs11`): A3 smart cards and tokens, and the server HSM
//! that signs documents in bulk, through the `cryptoki` crate (OASIS PKCS#11 v2.40).
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

use super::{CertificateDer, Signer, SignerError, SignerIdentity};
use crate::alg::{DigestAlgorithm, EcCurve, SignatureAlgorithm, oid};
use crate::error::{Error, KeyError, Result};
use crate::signer::software::MIN_RSA_BITS;
use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::rsa::{PkcsMgfType, PkcsPssParams};
use cryptoki::mechanism::{Mechanism, MechanismType};
use cryptoki::object::{
    Attribute, AttributeType, CertificateType, KeyType, ObjectClass, ObjectHandle,
};
use cryptoki::session::{Session, SessionState, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::{AuthPin, Ulong};
use der::{Decode, Encode};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
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

/// The key on the token, as far as signing needs to know.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKeyKind {
    /// RSA with the modulus size in bits.
    Rsa(usize),
    /// EC on a supported curve.
    Ec(EcCurve),
}

impl std::fmt::Display for TokenKeyKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Rsa(bits) => write!(f, "RSA-{bits}"),
            Self::Ec(c) => write!(f, "EC-{}", c.name()),
        }
    }
}

/// How a signature is made on the token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Plan {
    /// `CKM_SHAxxx_RSA_PKCS` over the bytes to be signed.
    RsaHashAndSign(DigestAlgorithm),
    /// `CKM_RSA_PKCS` over DigestInfo(hash).
    RsaDigestInfo(DigestAlgorithm),
    /// `CKM_SHAxxx_RSA_PKCS_PSS` over the bytes to be signed.
    PssHashAndSign(DigestAlgorithm, u32),
    /// `CKM_RSA_PKCS_PSS` over the hash.
    PssDigest(DigestAlgorithm, u32),
    /// `CKM_ECDSA` over the hash.
    Ecdsa(DigestAlgorithm, EcCurve),
}

impl Plan {
    /// The mechanism name, for reports.
    fn mechanism_type(self) -> MechanismType {
        match self {
            Self::RsaHashAndSign(d) => hash_and_sign_mechanism(d, false),
            Self::RsaDigestInfo(_) => MechanismType::RSA_PKCS,
            Self::PssHashAndSign(d, _) => hash_and_sign_mechanism(d, true),
            Self::PssDigest(..) => MechanismType::RSA_PKCS_PSS,
            Self::Ecdsa(..) => MechanismType::ECDSA,
        }
    }

    fn choose(
        algorithm: SignatureAlgorithm,
        available: &[MechanismType],
    ) -> std::result::Result<Self, SignerError> {
        let has = |m: MechanismType| available.contains(&m);
        let missing = |a: MechanismType, b: MechanismType| {
            SignerError::MechanismNotSupported(format!(
                "{} needs {a} or {b}, and the token offers neither",
                algorithm.name()
            ))
        };
        match algorithm {
            SignatureAlgorithm::RsaPkcs1v15 { digest } => {
                let direct = hash_and_sign_mechanism(digest, false);
                if has(direct) {
                    Ok(Self::RsaHashAndSign(digest))
                } else if has(MechanismType::RSA_PKCS) {
                    Ok(Self::RsaDigestInfo(digest))
                } else {
                    Err(missing(direct, MechanismType::RSA_PKCS))
                }
            }
            SignatureAlgorithm::RsaPss { digest, salt_len } => {
                let direct = hash_and_sign_mechanism(digest, true);
                if has(direct) {
                    Ok(Self::PssHashAndSign(digest, salt_len))
                } else if has(MechanismType::RSA_PKCS_PSS) {
                    Ok(Self::PssDigest(digest, salt_len))
                } else {
                    Err(missing(direct, MechanismType::RSA_PKCS_PSS))
                }
            }
            SignatureAlgorithm::Ecdsa { curve, digest } => {
                if has(MechanismType::ECDSA) {
                    Ok(Self::Ecdsa(digest, curve))
                } else {
                    Err(SignerError::MechanismNotSupported(format!(
                        "{} needs CKM_ECDSA, which the token does not offer",
                        algorithm.name()
                    )))
                }
            }
        }
    }

    /// The mechanism and the bytes to hand to `C_Sign`.
    fn prepare(self, to_be_signed: &[u8]) -> (Mechanism<'static>, Vec<u8>) {
        match self {
            Self::RsaHashAndSign(d) => (
                match d {
                    DigestAlgorithm::Sha1 => Mechanism::Sha1RsaPkcs,
                    DigestAlgorithm::Sha256 => Mechanism::Sha256RsaPkcs,
                    DigestAlgorithm::Sha384 => Mechanism::Sha384RsaPkcs,
                    DigestAlgorithm::Sha512 => Mechanism::Sha512RsaPkcs,
                },
                to_be_signed.to_vec(),
            ),
            Self::RsaDigestInfo(d) => (Mechanism::RsaPkcs, digest_info(d, &d.digest(to_be_signed))),
            Self::PssHashAndSign(d, salt) => {
                let p = pss_params(d, salt);
                (
                    match d {
                        DigestAlgorithm::Sha1 => Mechanism::Sha1RsaPkcsPss(p),
                        DigestAlgorithm::Sha256 => Mechanism::Sha256RsaPkcsPss(p),
                        DigestAlgorithm::Sha384 => Mechanism::Sha384RsaPkcsPss(p),
                        DigestAlgorithm::Sha512 => Mechanism::Sha512RsaPkcsPss(p),
                    },
                    to_be_signed.to_vec(),
                )
            }
            Self::PssDigest(d, salt) => (
                Mechanism::RsaPkcsPss(pss_params(d, salt)),
                d.digest(to_be_signed),
            ),
            Self::Ecdsa(d, _) => (Mechanism::Ecdsa, d.digest(to_be_signed)),
        }
    }
}

fn hash_and_sign_mechanism(d: DigestAlgorithm, pss: bool) -> MechanismType {
    match (d, pss) {
        (DigestAlgorithm::Sha1, false) => MechanismType::SHA1_RSA_PKCS,
        (DigestAlgorithm::Sha256, false) => MechanismType::SHA256_RSA_PKCS,
        (DigestAlgorithm::Sha384, false) => MechanismType::SHA384_RSA_PKCS,
        (DigestAlgorithm::Sha512, false) => MechanismType::SHA512_RSA_PKCS,
        (DigestAlgorithm::Sha1, true) => MechanismType::SHA1_RSA_PKCS_PSS,
        (DigestAlgorithm::Sha256, true) => MechanismType::SHA256_RSA_PKCS_PSS,
        (DigestAlgorithm::Sha384, true) => MechanismType::SHA384_RSA_PKCS_PSS,
        (DigestAlgorithm::Sha512, true) => MechanismType::SHA512_RSA_PKCS_PSS,
    }
}

fn pss_params(d: DigestAlgorithm, salt_len: u32) -> PkcsPssParams {
    let (hash_alg, mgf) = match d {
        DigestAlgorithm::Sha1 => (MechanismType::SHA1, PkcsMgfType::MGF1_SHA1),
        DigestAlgorithm::Sha256 => (MechanismType::SHA256, PkcsMgfType::MGF1_SHA256),
        DigestAlgorithm::Sha384 => (MechanismType::SHA384, PkcsMgfType::MGF1_SHA384),
        DigestAlgorithm::Sha512 => (MechanismType::SHA512, PkcsMgfType::MGF1_SHA512),
    };
    PkcsPssParams {
        hash_alg,
        mgf,
        // A u32 always fits a CK_ULONG (32 or 64 bits).
        s_len: Ulong::try_from(salt_len as usize).unwrap_or_else(|_| Ulong::from(0)),
    }
}

/// DER DigestInfo (RFC 8017 §9.2): `SEQUENCE { AlgorithmIdentifier { oid, NULL }, OCTET STRING }`.
fn digest_info(d: DigestAlgorithm, digest: &[u8]) -> Vec<u8> {
    // The encodings are fixed; RFC 8017 §9.2 note 1 lists them.
    let prefix: &[u8] = match d {
        DigestAlgorithm::Sha1 => &[
            0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04,
            0x14,
        ],
        DigestAlgorithm::Sha256 => &[
            0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x01, 0x05, 0x00, 0x04, 0x20,
        ],
        DigestAlgorithm::Sha384 => &[
            0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x02, 0x05, 0x00, 0x04, 0x30,
        ],
        DigestAlgorithm::Sha512 => &[
            0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x03, 0x05, 0x00, 0x04, 0x40,
        ],
    };
    let mut out = Vec::with_capacity(prefix.len() + digest.len());
    out.extend_from_slice(prefix);
    out.extend_from_slice(digest);
    out
}

/// Turns a PKCS#11 ECDSA signature (`r‖s`, each as long as the curve order) into DER.
/// A token that already answers in DER is accepted too.
fn ecdsa_to_der(curve: EcCurve, raw: &[u8]) -> std::result::Result<Vec<u8>, SignerError> {
    let bad = |e: &dyn std::fmt::Display| {
        SignerError::Crypto(format!(
            "the token returned a malformed {} ECDSA signature ({} bytes): {e}",
            curve.name(),
            raw.len()
        ))
    };
    match curve {
        EcCurve::P256 => {
            let sig = if raw.len() == 64 {
                p256::ecdsa::Signature::from_slice(raw).map_err(|e| bad(&e))?
            } else {
                p256::ecdsa::Signature::from_der(raw).map_err(|e| bad(&e))?
            };
            Ok(sig.to_der().as_bytes().to_vec())
        }
        EcCurve::P384 => {
            let sig = if raw.len() == 96 {
                p384::ecdsa::Signature::from_slice(raw).map_err(|e| bad(&e))?
            } else {
                p384::ecdsa::Signature::from_der(raw).map_err(|e| bad(&e))?
            };
            Ok(sig.to_der().as_bytes().to_vec())
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding one of these locks leaves consistent data (plain pushes and pops).
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// One initialised context per module and process: `C_Initialize` is process-wide, and the
/// module is never finalised while the process may still use it.
fn context(module: &Path) -> std::result::Result<Pkcs11, SignerError> {
    static CONTEXTS: OnceLock<Mutex<HashMap<PathBuf, Pkcs11>>> = OnceLock::new();
    let key = module
        .canonicalize()
        .unwrap_or_else(|_| module.to_path_buf());
    let mut map = lock(CONTEXTS.get_or_init(Default::default));
    if let Some(ctx) = map.get(&key) {
        return Ok(ctx.clone());
    }
    let ctx = Pkcs11::new(&key).map_err(|e| {
        SignerError::Unavailable(format!(
            "loading the PKCS#11 module {}: {e}",
            module.display()
        ))
    })?;
    match ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
        Ok(()) | Err(CkError::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => {}
        Err(e) => {
            return Err(SignerError::Unavailable(format!(
                "initialising the PKCS#11 module {}: {}",
                module.display(),
                short(&e)
            )));
        }
    }
    map.insert(key, ctx.clone());
    Ok(ctx)
}

/// A PKCS#11 error in a few words (cryptoki's Display quotes the whole specification text).
fn short(e: &CkError) -> String {
    match e {
        CkError::Pkcs11(rv, f) => format!("{f} returned {rv:?}"),
        other => other.to_string(),
    }
}

/// Maps a PKCS#11 error to the signer's error, with context.
fn map_error(e: &CkError, token: &str, doing: &str) -> SignerError {
    let CkError::Pkcs11(rv, _) = e else {
        return SignerError::Crypto(format!("{doing} on token '{token}': {}", short(e)));
    };
    match rv {
        RvError::PinIncorrect => SignerError::WrongPin(format!("'{token}'")),
        RvError::PinLocked => SignerError::PinLocked(format!("'{token}'")),
        RvError::PinExpired => {
            SignerError::Refused(format!("the PIN of token '{token}' has expired"))
        }
        RvError::TokenNotPresent
        | RvError::DeviceRemoved
        | RvError::TokenNotRecognized
        | RvError::SlotIdInvalid => {
            SignerError::TokenRemoved(format!("'{token}' while {doing}: {}", short(e)))
        }
        RvError::MechanismInvalid | RvError::MechanismParamInvalid => {
            SignerError::MechanismNotSupported(format!(
                "token '{token}' refused the mechanism while {doing}: {}",
                short(e)
            ))
        }
        RvError::KeyFunctionNotPermitted => SignerError::Refused(format!(
            "the key on token '{token}' may not sign (CKA_SIGN is false)"
        )),
        RvError::FunctionCanceled => SignerError::Refused(format!("{doing} was cancelled")),
        _ => SignerError::Crypto(format!("{doing} on token '{token}': {}", short(e))),
    }
}

/// Errors after which the session is worth reopening (and the signature retrying once).
fn session_lost(e: &CkError) -> bool {
    matches!(
        e,
        CkError::Pkcs11(
            RvError::SessionHandleInvalid
                | RvError::SessionClosed
                | RvError::UserNotLoggedIn
                | RvError::KeyHandleInvalid
                | RvError::ObjectHandleInvalid
                | RvError::DeviceRemoved
                | RvError::TokenNotPresent
                | RvError::DeviceError
                | RvError::CryptokiNotInitialized,
            _
        )
    )
}

struct PooledSession {
    session: Session,
    key: ObjectHandle,
}

#[derive(Default)]
struct PoolState {
    idle: Vec<PooledSession>,
    open: usize,
}

/// Sessions on one token, logged in once, handed to one thread at a time.
struct Pool {
    ctx: Pkcs11,
    token: TokenSelector,
    token_label: String,
    slot: Mutex<Slot>,
    key: KeySelector,
    pin: PinSource,
    /// Set when the token refused the PIN: no further attempt is made with it (a smart card
    /// locks after a few).
    pin_rejected: AtomicBool,
    max: usize,
    state: Mutex<PoolState>,
    cond: Condvar,
}

/// A session borrowed from the pool; back in the pool on drop unless discarded.
struct Lease<'a> {
    pool: &'a Pool,
    inner: Option<PooledSession>,
}

impl Lease<'_> {
    fn get(&self) -> std::result::Result<&PooledSession, SignerError> {
        self.inner
            .as_ref()
            .ok_or_else(|| SignerError::Crypto("session already discarded".into()))
    }

    /// Closes the session instead of returning it (after an error).
    fn discard(&mut self) {
        if let Some(s) = self.inner.take() {
            drop(s);
            let mut st = lock(&self.pool.state);
            st.open = st.open.saturating_sub(1);
            drop(st);
            self.pool.cond.notify_one();
        }
    }
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        if let Some(s) = self.inner.take() {
            lock(&self.pool.state).idle.push(s);
            self.pool.cond.notify_one();
        }
    }
}

impl Pool {
    /// Closes every idle session (after a session was lost: the others most likely are too).
    fn drain_idle(&self) {
        let idle = {
            let mut st = lock(&self.state);
            let idle = std::mem::take(&mut st.idle);
            st.open = st.open.saturating_sub(idle.len());
            idle
        };
        drop(idle);
        self.cond.notify_all();
    }

    fn checkout(&self) -> std::result::Result<Lease<'_>, SignerError> {
        let mut st = lock(&self.state);
        loop {
            if let Some(s) = st.idle.pop() {
                return Ok(Lease {
                    pool: self,
                    inner: Some(s),
                });
            }
            if st.open < self.max {
                st.open += 1;
                drop(st);
                return match self.open_session() {
                    Ok(s) => Ok(Lease {
                        pool: self,
                        inner: Some(s),
                    }),
                    Err(e) => {
                        let mut st = lock(&self.state);
                        st.open = st.open.saturating_sub(1);
                        drop(st);
                        self.cond.notify_one();
                        Err(e)
                    }
                };
            }
            st = self.cond.wait(st).unwrap_or_else(|e| e.into_inner());
        }
    }

    fn open_session(&self) -> std::result::Result<PooledSession, SignerError> {
        let slot = *lock(&self.slot);
        let session = match self.ctx.open_ro_session(slot) {
            Ok(s) => s,
            Err(e)
                if session_lost(&e) || matches!(e, CkError::Pkcs11(RvError::SlotIdInvalid, _)) =>
            {
                // The token may be back in another slot.
                let slot = resolve_slot(&self.ctx, &self.token).map_err(|_| {
                    SignerError::TokenRemoved(format!("'{}': {}", self.token_label, short(&e)))
                })?;
                *lock(&self.slot) = slot;
                self.ctx
                    .open_ro_session(slot)
                    .map_err(|e| map_error(&e, &self.token_label, "opening a session"))?
            }
            Err(e) => return Err(map_error(&e, &self.token_label, "opening a session")),
        };
        self.ensure_login(&session)?;
        let key = self.find_key(&session)?;
        Ok(PooledSession { session, key })
    }

    fn ensure_login(&self, session: &Session) -> std::result::Result<(), SignerError> {
        let state = session
            .get_session_info()
            .map_err(|e| map_error(&e, &self.token_label, "reading the session state"))?
            .session_state();
        if matches!(state, SessionState::RoUser | SessionState::RwUser) {
            return Ok(());
        }
        if self.pin_rejected.load(Ordering::SeqCst) {
            return Err(SignerError::WrongPin(format!("'{}'", self.token_label)));
        }
        let slot = *lock(&self.slot);
        if let Ok(info) = self.ctx.get_token_info(slot)
            && info.user_pin_locked()
        {
            return Err(SignerError::PinLocked(format!("'{}'", self.token_label)));
        }
        let result = match &self.pin {
            PinSource::ProtectedAuthenticationPath => session.login(UserType::User, None),
            source => {
                let pin: Zeroizing<String> = match source {
                    PinSource::Env(var) => {
                        std::env::var(var).map(Zeroizing::new).map_err(|_| {
                            SignerError::Refused(format!(
                                "the PIN variable {var} is not set (token '{}')",
                                self.token_label
                            ))
                        })?
                    }
                    PinSource::Callback(f) => f()?,
                    PinSource::ProtectedAuthenticationPath => Zeroizing::new(String::new()),
                };
                // AuthPin (secrecy) zeroizes its copy on drop; `pin` is zeroized here too.
                let auth = AuthPin::from(pin.as_str());
                session.login(UserType::User, Some(&auth))
            }
        };
        match result {
            Ok(()) | Err(CkError::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => Ok(()),
            Err(e) => {
                if matches!(e, CkError::Pkcs11(RvError::PinIncorrect, _)) {
                    self.pin_rejected.store(true, Ordering::SeqCst);
                }
                Err(map_error(&e, &self.token_label, "logging in"))
            }
        }
    }

    fn find_key(&self, session: &Session) -> std::result::Result<ObjectHandle, SignerError> {
        let mut template = vec![Attribute::Class(ObjectClass::PRIVATE_KEY)];
        template.push(match &self.key {
            KeySelector::Label(l) => Attribute::Label(l.as_bytes().to_vec()),
            KeySelector::Id(id) => Attribute::Id(id.clone()),
        });
        let found = session
            .find_objects(&template)
            .map_err(|e| map_error(&e, &self.token_label, "looking for the key"))?;
        match found.as_slice() {
            [one] => Ok(*one),
            [] => Err(SignerError::KeyNotFound(format!(
                "no private key with {} on token '{}'",
                self.key, self.token_label
            ))),
            more => Err(SignerError::Unavailable(format!(
                "{} private keys with {} on token '{}': select the key by id",
                more.len(),
                self.key,
                self.token_label
            ))),
        }
    }
}

/// Finds the slot of the selected token.
fn resolve_slot(ctx: &Pkcs11, token: &TokenSelector) -> std::result::Result<Slot, SignerError> {
    let slots = ctx.get_slots_with_token().map_err(|e| {
        SignerError::Unavailable(format!("listing the PKCS#11 slots: {}", short(&e)))
    })?;
    match token {
        TokenSelector::Slot(id) => slots
            .into_iter()
            .find(|s| s.id() == *id)
            .ok_or_else(|| SignerError::TokenNotFound(format!("no token in slot {id}"))),
        TokenSelector::Label(label) => {
            let mut matching = Vec::new();
            let mut seen = Vec::new();
            for s in slots {
                let Ok(info) = ctx.get_token_info(s) else {
                    continue;
                };
                let l = info.label().trim_end().to_string();
                if info.token_initialized() && l == label.trim_end() {
                    matching.push(s);
                }
                seen.push(l);
            }
            match matching.as_slice() {
                [one] => Ok(*one),
                [] => Err(SignerError::TokenNotFound(format!(
                    "no token labelled '{label}' (tokens present: {})",
                    if seen.is_empty() {
                        "none".to_string()
                    } else {
                        seen.iter()
                            .map(|l| format!("'{l}'"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    }
                ))),
                more => Err(SignerError::Unavailable(format!(
                    "{} tokens labelled '{label}': select the token by slot",
                    more.len()
                ))),
            }
        }
    }
}

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
    /// [`SignerError::MechanismNotSupported`] (inside [`Error::Signer`]);
    /// [`KeyError::NoCertificate`], [`KeyError::KeyCertificateMismatch`],
    /// [`KeyError::KeyTooShort`], [`KeyError::AlgorithmMismatch`] (inside [`Error::Key`]).
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
        let pool = Pool {
            ctx,
            token: config.token.clone(),
            token_label,
            slot: Mutex::new(slot),
            key: config.key.clone(),
            pin: config.pin.clone(),
            pin_rejected: AtomicBool::new(false),
            max,
            state: Mutex::new(PoolState::default()),
            cond: Condvar::new(),
        };
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
        let algorithm = config.algorithm.unwrap_or(match kind {
            TokenKeyKind::Rsa(_) => SignatureAlgorithm::RSA_SHA256,
            TokenKeyKind::Ec(EcCurve::P256) => SignatureAlgorithm::ECDSA_P256_SHA256,
            TokenKeyKind::Ec(EcCurve::P384) => SignatureAlgorithm::ECDSA_P384_SHA384,
        });
        let fits = algorithm.digest() != DigestAlgorithm::Sha1
            && match (kind, algorithm) {
                (TokenKeyKind::Rsa(_), SignatureAlgorithm::RsaPkcs1v15 { .. })
                | (TokenKeyKind::Rsa(_), SignatureAlgorithm::RsaPss { .. }) => true,
                (TokenKeyKind::Ec(c), SignatureAlgorithm::Ecdsa { curve, .. }) => c == curve,
                _ => false,
            };
        if !fits {
            return Err(KeyError::AlgorithmMismatch {
                algorithm: algorithm.name(),
                key: kind.to_string(),
            }
            .into());
        }
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

    fn finish(&self, raw: Vec<u8>) -> std::result::Result<Vec<u8>, SignerError> {
        match (self.plan, self.kind) {
            (Plan::Ecdsa(_, curve), _) => ecdsa_to_der(curve, &raw),
            (_, TokenKeyKind::Rsa(bits)) => {
                // A PKCS#1 signature is exactly as long as the modulus; some tokens drop
                // leading zero bytes.
                let k = bits.div_ceil(8);
                if raw.len() < k {
                    let mut out = vec![0u8; k - raw.len()];
                    out.extend_from_slice(&raw);
                    Ok(out)
                } else {
                    Ok(raw)
                }
            }
            _ => Ok(raw),
        }
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
                Ok(raw) => return self.finish(raw),
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

/// What the token says about the private key.
struct KeyFacts {
    kind: TokenKeyKind,
    id: Vec<u8>,
    label: Vec<u8>,
    modulus: Vec<u8>,
}

impl KeyFacts {
    fn read(session: &Session, key: ObjectHandle, token: &str) -> Result<Self> {
        let attrs = session
            .get_attributes(
                key,
                &[
                    AttributeType::KeyType,
                    AttributeType::Id,
                    AttributeType::Label,
                    AttributeType::Modulus,
                    AttributeType::EcParams,
                    AttributeType::Sign,
                ],
            )
            .map_err(|e| map_error(&e, token, "reading the key's attributes"))?;
        let mut key_type = None;
        let (mut id, mut label, mut modulus, mut ec_params) = (vec![], vec![], vec![], vec![]);
        let mut can_sign = true;
        for a in attrs {
            match a {
                Attribute::KeyType(t) => key_type = Some(t),
                Attribute::Id(v) => id = v,
                Attribute::Label(v) => label = v,
                Attribute::Modulus(v) => modulus = v,
                Attribute::EcParams(v) => ec_params = v,
                Attribute::Sign(b) => can_sign = b,
                _ => {}
            }
        }
        if !can_sign {
            return Err(SignerError::Refused(format!(
                "the key on token '{token}' may not sign (CKA_SIGN is false)"
            ))
            .into());
        }
        let kind = match key_type {
            Some(t) if t == KeyType::RSA => {
                let m = trim_zeros(&modulus);
                let bits = match m.first() {
                    Some(b) => (m.len() - 1) * 8 + (8 - b.leading_zeros() as usize),
                    None => {
                        return Err(KeyError::Malformed(
                            "the RSA key on the token has no readable modulus".into(),
                        )
                        .into());
                    }
                };
                TokenKeyKind::Rsa(bits)
            }
            Some(t) if t == KeyType::EC => {
                let curve = der::asn1::ObjectIdentifier::from_der(&ec_params).map_err(|_| {
                    KeyError::UnsupportedCurve("EC key without a named curve".into())
                })?;
                TokenKeyKind::Ec(
                    EcCurve::from_oid(&curve)
                        .ok_or_else(|| KeyError::UnsupportedCurve(curve.to_string()))?,
                )
            }
            Some(t) => return Err(KeyError::UnsupportedKeyType(t.to_string()).into()),
            None => {
                return Err(
                    KeyError::Malformed("the token did not report the key type".into()).into(),
                );
            }
        };
        Ok(Self {
            kind,
            id,
            label,
            modulus,
        })
    }

    /// Objects of `class` that go with the key: same `CKA_ID` when it has one, else same label.
    fn companions(&self, session: &Session, class: ObjectClass) -> Vec<ObjectHandle> {
        let by = |a: Attribute| {
            session
                .find_objects(&[Attribute::Class(class), a])
                .unwrap_or_default()
        };
        let mut found = Vec::new();
        if !self.id.is_empty() {
            found = by(Attribute::Id(self.id.clone()));
        }
        if found.is_empty() && !self.label.is_empty() {
            found = by(Attribute::Label(self.label.clone()));
        }
        found
    }

    fn find_certificate(&self, session: &Session, token: &str) -> Result<Option<CertificateDer>> {
        for h in self.companions(session, ObjectClass::CERTIFICATE) {
            let Some(der) = value_of(session, h) else {
                continue;
            };
            let cert = CertificateDer::from_der(&der).map_err(|e| Error::Certificate {
                context: format!("on token '{token}'"),
                detail: e.to_string(),
            })?;
            if self.check_certificate(session, &cert).is_ok() {
                return Ok(Some(cert));
            }
        }
        Ok(None)
    }

    /// Refuses a certificate whose public key is not the key's.
    fn check_certificate(&self, session: &Session, cert: &CertificateDer) -> Result<()> {
        let mismatch = || KeyError::KeyCertificateMismatch {
            subject: cert.subject(),
        };
        let spki = cert
            .certificate()
            .tbs_certificate()
            .subject_public_key_info();
        let raw = spki.subject_public_key.raw_bytes();
        match self.kind {
            TokenKeyKind::Rsa(_) => {
                if spki.algorithm.oid != oid::RSA_ENCRYPTION
                    && spki.algorithm.oid != oid::RSASSA_PSS
                {
                    return Err(mismatch().into());
                }
                let pk = pkcs1::RsaPublicKey::<der::asn1::UintRef<'_>>::from_der(raw)
                    .map_err(|_| mismatch())?;
                if trim_zeros(pk.modulus.as_bytes()) != trim_zeros(&self.modulus) {
                    return Err(mismatch().into());
                }
            }
            TokenKeyKind::Ec(curve) => {
                let cert_curve = spki
                    .to_der()
                    .ok()
                    .and_then(|d| crate::crypto::ec_curve_of(&d));
                if spki.algorithm.oid != oid::EC_PUBLIC_KEY || cert_curve != Some(curve) {
                    return Err(mismatch().into());
                }
                // The private key object has no EC point; compare with the public key object
                // that goes with it, when the token has one.
                for h in self.companions(session, ObjectClass::PUBLIC_KEY) {
                    let point = session
                        .get_attributes(h, &[AttributeType::EcPoint])
                        .ok()
                        .and_then(|v| {
                            v.into_iter().find_map(|a| match a {
                                Attribute::EcPoint(p) => Some(p),
                                _ => None,
                            })
                        });
                    if let Some(p) = point {
                        // CKA_EC_POINT is a DER OCTET STRING (some modules give it bare).
                        let bare = der::asn1::OctetString::from_der(&p)
                            .map(|o| o.as_bytes().to_vec())
                            .unwrap_or(p);
                        if bare != raw {
                            return Err(mismatch().into());
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

fn value_of(session: &Session, h: ObjectHandle) -> Option<Vec<u8>> {
    session
        .get_attributes(h, &[AttributeType::Value])
        .ok()?
        .into_iter()
        .find_map(|a| match a {
            Attribute::Value(v) => Some(v),
            _ => None,
        })
}

fn trim_zeros(b: &[u8]) -> &[u8] {
    let start = b.iter().position(|&x| x != 0).unwrap_or(b.len());
    b.get(start..).unwrap_or_default()
}

/// The issuers of `leaf` among the X.509 certificates on the token (intermediates, root), in
/// order, at most 8.
fn token_issuers(session: &Session, leaf: &CertificateDer) -> Vec<CertificateDer> {
    let handles = session
        .find_objects(&[
            Attribute::Class(ObjectClass::CERTIFICATE),
            Attribute::CertificateType(CertificateType::X_509),
        ])
        .unwrap_or_default();
    let all: Vec<CertificateDer> = handles
        .into_iter()
        .filter_map(|h| value_of(session, h))
        .filter_map(|d| CertificateDer::from_der(&d).ok())
        .collect();
    let name = |c: &CertificateDer, issuer: bool| {
        let tbs = c.certificate().tbs_certificate();
        if issuer {
            tbs.issuer().to_der().ok()
        } else {
            tbs.subject().to_der().ok()
        }
    };
    let mut chain: Vec<CertificateDer> = Vec::new();
    let mut current = leaf.clone();
    for _ in 0..8 {
        let issuer = name(&current, true);
        if issuer.is_none() || issuer == name(&current, false) {
            break; // self-issued: the root
        }
        let Some(next) = all
            .iter()
            .find(|c| name(c, false) == issuer && *c != leaf && !chain.contains(c))
        else {
            break;
        };
        chain.push(next.clone());
        current = next.clone();
    }
    chain
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_info_prefixes_are_der() {
        for d in [
            DigestAlgorithm::Sha1,
            DigestAlgorithm::Sha256,
            DigestAlgorithm::Sha384,
            DigestAlgorithm::Sha512,
        ] {
            let di = digest_info(d, &d.digest(b"abc"));
            // SEQUENCE { SEQUENCE { OID, NULL }, OCTET STRING }: re-encode through der.
            let any = der::asn1::Any::from_der(&di).expect("DER");
            assert_eq!(any.to_der().expect("encode"), di);
            let inner = d.algorithm_identifier().oid.to_der().expect("oid");
            assert!(di.windows(inner.len()).any(|w| w == inner), "{d}");
            assert_eq!(di.len(), di.get(1).copied().unwrap_or(0) as usize + 2);
        }
    }

    #[test]
    fn raw_ecdsa_becomes_der() {
        use signature::hazmat::PrehashSigner;
        let key = p256::ecdsa::SigningKey::from_slice(&[7u8; 32]).expect("key");
        let digest = DigestAlgorithm::Sha256.digest(b"m");
        let sig: p256::ecdsa::Signature = key.sign_prehash(&digest).expect("sign");
        let raw = sig.to_bytes().to_vec();
        let der = ecdsa_to_der(EcCurve::P256, &raw).expect("der");
        assert_eq!(der, sig.to_der().as_bytes());
        // DER in, DER out.
        assert_eq!(ecdsa_to_der(EcCurve::P256, &der).expect("der"), der);
        assert!(matches!(
            ecdsa_to_der(EcCurve::P384, &raw),
            Err(SignerError::Crypto(_))
        ));
        assert!(ecdsa_to_der(EcCurve::P256, &[0u8; 64]).is_err());
    }

    #[test]
    fn errors_map_to_typed_variants() {
        let e = |rv| CkError::Pkcs11(rv, cryptoki::context::Function::Login);
        assert!(matches!(
            map_error(&e(RvError::PinIncorrect), "t", "x"),
            SignerError::WrongPin(_)
        ));
        assert!(matches!(
            map_error(&e(RvError::PinLocked), "t", "x"),
            SignerError::PinLocked(_)
        ));
        assert!(matches!(
            map_error(&e(RvError::DeviceRemoved), "t", "x"),
            SignerError::TokenRemoved(_)
        ));
        assert!(matches!(
            map_error(&e(RvError::TokenNotPresent), "t", "x"),
            SignerError::TokenRemoved(_)
        ));
        assert!(matches!(
            map_error(&e(RvError::MechanismInvalid), "t", "x"),
            SignerError::MechanismNotSupported(_)
        ));
        assert!(matches!(
            map_error(&e(RvError::MechanismParamInvalid), "t", "x"),
            SignerError::MechanismNotSupported(_)
        ));
        assert!(session_lost(&e(RvError::SessionHandleInvalid)));
        assert!(session_lost(&e(RvError::UserNotLoggedIn)));
        assert!(!session_lost(&e(RvError::PinIncorrect)));
    }

    #[test]
    fn mechanism_choice_falls_back_and_refuses() {
        let rsa256 = SignatureAlgorithm::RSA_SHA256;
        assert_eq!(
            Plan::choose(
                rsa256,
                &[MechanismType::SHA256_RSA_PKCS, MechanismType::RSA_PKCS]
            ),
            Ok(Plan::RsaHashAndSign(DigestAlgorithm::Sha256))
        );
        assert_eq!(
            Plan::choose(rsa256, &[MechanismType::RSA_PKCS]),
            Ok(Plan::RsaDigestInfo(DigestAlgorithm::Sha256))
        );
        assert!(matches!(
            Plan::choose(rsa256, &[MechanismType::ECDSA]),
            Err(SignerError::MechanismNotSupported(_))
        ));
        assert_eq!(
            Plan::choose(
                SignatureAlgorithm::RSA_PSS_SHA256,
                &[MechanismType::RSA_PKCS_PSS]
            ),
            Ok(Plan::PssDigest(DigestAlgorithm::Sha256, 32))
        );
        assert!(matches!(
            Plan::choose(
                SignatureAlgorithm::ECDSA_P256_SHA256,
                &[MechanismType::RSA_PKCS]
            ),
            Err(SignerError::MechanismNotSupported(_))
        ));
    }

    #[test]
    fn pin_source_debug_shows_no_secret() {
        let cb = PinSource::Callback(Arc::new(|| Ok(Zeroizing::new("1234".to_string()))));
        assert_eq!(format!("{cb:?}"), "Callback");
        assert_eq!(format!("{:?}", PinSource::Env("PIN".into())), "Env(PIN)");
    }
}
