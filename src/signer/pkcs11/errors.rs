//! PKCS#11 return values mapped to [`SignerError`] variants a caller can tell apart (wrong
//! PIN, locked PIN, token removed, mechanism refused...), and the ones after which a session
//! is worth reopening.

use crate::signer::SignerError;
use cryptoki::error::{Error as CkError, RvError};

/// A PKCS#11 error in a few words (cryptoki's Display quotes the whole specification text).
pub(super) fn short(e: &CkError) -> String {
    match e {
        CkError::Pkcs11(rv, f) => format!("{f} returned {rv:?}"),
        other => other.to_string(),
    }
}

/// Maps a PKCS#11 error to the signer's error, with context.
pub(super) fn map_error(e: &CkError, token: &str, doing: &str) -> SignerError {
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
pub(super) fn session_lost(e: &CkError) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_map_to_typed_variants() {
        let e = |rv| CkError::Pkcs11(rv, cryptoki::context::Function::Login);
        let cases = [
            (RvError::PinIncorrect, "WrongPin("),
            (RvError::PinLocked, "PinLocked("),
            (RvError::DeviceRemoved, "TokenRemoved("),
            (RvError::TokenNotPresent, "TokenRemoved("),
            (RvError::MechanismInvalid, "MechanismNotSupported("),
            (RvError::MechanismParamInvalid, "MechanismNotSupported("),
        ];
        for (rv, variant) in cases {
            let mapped = format!("{:?}", map_error(&e(rv), "t", "x"));
            assert!(mapped.starts_with(variant), "{rv:?} -> {mapped}");
        }
        assert!(session_lost(&e(RvError::SessionHandleInvalid)));
        assert!(session_lost(&e(RvError::UserNotLoggedIn)));
        assert!(!session_lost(&e(RvError::PinIncorrect)));
    }
}
