//! The session pool: one initialised PKCS#11 context per module and process, and per signer a
//! bounded pool of logged-in sessions handed to one thread at a time. A lost session is
//! closed, never given back; the PIN is read when a login is needed and zeroized after it.

use super::config::{KeySelector, PinSource, Pkcs11Config, TokenSelector};
use super::errors::{map_error, session_lost, short};
use super::objects::{find_key, resolve_slot};
use crate::signer::SignerError;
use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::object::ObjectHandle;
use cryptoki::session::{Session, SessionState, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock};
use zeroize::Zeroizing;

/// Locks `m`, recovering the data of a poisoned lock.
pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding one of these locks leaves consistent data (plain pushes and pops).
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// One initialised context per module and process: `C_Initialize` is process-wide, and the
/// module is never finalised while the process may still use it.
pub(super) fn context(module: &Path) -> std::result::Result<Pkcs11, SignerError> {
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

/// An open session, logged in, with the key's handle in it.
pub(super) struct PooledSession {
    pub(super) session: Session,
    pub(super) key: ObjectHandle,
}

/// The idle sessions and the count of open ones.
#[derive(Default)]
pub(super) struct PoolState {
    idle: Vec<PooledSession>,
    pub(super) open: usize,
}

/// Sessions on one token, logged in once, handed to one thread at a time.
pub(super) struct Pool {
    ctx: Pkcs11,
    token: TokenSelector,
    pub(super) token_label: String,
    slot: Mutex<Slot>,
    pub(super) key: KeySelector,
    pin: PinSource,
    /// Set when the token refused the PIN: no further attempt is made with it (a smart card
    /// locks after a few).
    pin_rejected: AtomicBool,
    max: usize,
    pub(super) state: Mutex<PoolState>,
    cond: Condvar,
}

/// A session borrowed from the pool; back in the pool on drop unless discarded.
pub(super) struct Lease<'a> {
    pool: &'a Pool,
    inner: Option<PooledSession>,
}

impl Lease<'_> {
    pub(super) fn get(&self) -> std::result::Result<&PooledSession, SignerError> {
        self.inner
            .as_ref()
            .ok_or_else(|| SignerError::Crypto("session already discarded".into()))
    }

    /// Closes the session instead of returning it (after an error).
    pub(super) fn discard(&mut self) {
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
    /// An empty pool of at most `max` sessions on the token in `slot`.
    pub(super) fn new(
        ctx: Pkcs11,
        config: &Pkcs11Config,
        slot: Slot,
        token_label: String,
        max: usize,
    ) -> Self {
        Self {
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
        }
    }

    /// Closes every idle session (after a session was lost: the others most likely are too).
    pub(super) fn drain_idle(&self) {
        let idle = {
            let mut st = lock(&self.state);
            let idle = std::mem::take(&mut st.idle);
            st.open = st.open.saturating_sub(idle.len());
            idle
        };
        drop(idle);
        self.cond.notify_all();
    }

    /// A session: an idle one, else a new one while fewer than `max` are open, else the first
    /// one given back.
    pub(super) fn checkout(&self) -> std::result::Result<Lease<'_>, SignerError> {
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

    /// Opens a session (finding the token again if it moved), logs in and finds the key.
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
        let key = find_key(&session, &self.key, &self.token_label)?;
        Ok(PooledSession { session, key })
    }

    /// Logs in unless the session already is; never retries a PIN the token refused.
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
}
