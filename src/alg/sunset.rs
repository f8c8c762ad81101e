//! Dated algorithm constraints (ETSI EN 319 102-1 §5.2.8 and §5.6.2.5, past signature
//! validation): an algorithm that is too weak today was acceptable before its *sunset date*,
//! so a signature proven (by a verified timestamp) to exist before that date still passes
//! its cryptographic constraints.
//!
//! Only RSA modulus sizes are dated: they are the one constraint the policy refuses outright
//! (see [`MIN_RSA_BITS`](super::MIN_RSA_BITS)); SHA-1 is accepted with a warning whatever the
//! time, and MD5 is refused whatever the time. The default dates:
//!
//! * RSA below 1024 bits: never acceptable.
//! * RSA of 1024 to 1899 bits: until 2013-12-31 (NIST SP 800-131A Rev. 2, table 2: RSA keys
//!   under 2048 bits are disallowed for signature generation after 2013; the ETSI TS 119 312
//!   and DSS default validation policies retire 1024-bit RSA in the same period).
//! * RSA of 1900 to 2047 bits: until 2025-12-31 (SOG-IS Agreed Cryptographic Mechanisms
//!   v1.2, RSA moduli of at least 1900 bits are legacy until 2025; ETSI TS 119 312 follows).
//!
//! Callers with another policy (as DSS's `constraint.xml` `AlgoExpirationDate` entries allow)
//! set their own [`AlgorithmPolicy`].

use std::time::SystemTime;

/// One dated RSA key-size constraint: keys of fewer than `below_bits` bits (and at least the
/// previous entry's bound) are acceptable only before `sunset`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RsaSunset {
    /// Keys shorter than this (in bits) are covered by this entry.
    pub below_bits: usize,
    /// The first instant at which such keys are no longer acceptable (`None`: never
    /// acceptable).
    pub sunset: Option<SystemTime>,
}

/// The dated algorithm policy used by verification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlgorithmPolicy {
    /// RSA key-size constraints, in increasing `below_bits` order. Keys at least as long as
    /// the last bound are acceptable at any time.
    pub rsa: Vec<RsaSunset>,
}

/// 2014-01-01T00:00:00Z: the sunset of RSA keys of 1024 to 1899 bits.
const SUNSET_RSA_1024: i64 = 1_388_534_400;
/// 2026-01-01T00:00:00Z: the sunset of RSA keys of 1900 to 2047 bits.
const SUNSET_RSA_1900: i64 = 1_767_225_600;

impl Default for AlgorithmPolicy {
    fn default() -> Self {
        let at = crate::time::from_unix_seconds;
        Self {
            rsa: vec![
                RsaSunset {
                    below_bits: 1024,
                    sunset: None,
                },
                RsaSunset {
                    below_bits: 1900,
                    sunset: Some(at(SUNSET_RSA_1024)),
                },
                RsaSunset {
                    below_bits: super::MIN_RSA_BITS,
                    sunset: Some(at(SUNSET_RSA_1900)),
                },
            ],
        }
    }
}

/// Whether an RSA key of some size is acceptable, and until when.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RsaVerdict {
    /// Acceptable at any time.
    Always,
    /// Acceptable only before this instant.
    Until(SystemTime),
    /// Never acceptable.
    Never,
}

impl AlgorithmPolicy {
    /// The constraint on an RSA key of `bits` bits.
    pub fn rsa(&self, bits: usize) -> RsaVerdict {
        match self.rsa.iter().find(|s| bits < s.below_bits) {
            None => RsaVerdict::Always,
            Some(RsaSunset { sunset: None, .. }) => RsaVerdict::Never,
            Some(RsaSunset {
                sunset: Some(t), ..
            }) => RsaVerdict::Until(*t),
        }
    }

    /// Whether an RSA key of `bits` bits is acceptable at `time`.
    pub fn rsa_acceptable_at(&self, bits: usize, time: SystemTime) -> bool {
        match self.rsa(bits) {
            RsaVerdict::Always => true,
            RsaVerdict::Until(sunset) => time < sunset,
            RsaVerdict::Never => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::from_unix_seconds as at;

    #[test]
    fn default_dates() {
        let p = AlgorithmPolicy::default();
        assert_eq!(p.rsa(2048), RsaVerdict::Always);
        assert_eq!(p.rsa(512), RsaVerdict::Never);
        assert_eq!(p.rsa(1024), RsaVerdict::Until(at(SUNSET_RSA_1024)));
        assert_eq!(p.rsa(2000), RsaVerdict::Until(at(SUNSET_RSA_1900)));
        assert!(p.rsa_acceptable_at(1024, at(SUNSET_RSA_1024 - 1)));
        assert!(!p.rsa_acceptable_at(1024, at(SUNSET_RSA_1024)));
        assert!(!p.rsa_acceptable_at(1000, at(0)));
        assert_eq!(
            crate::time::format_rfc3339(at(SUNSET_RSA_1024)),
            "2014-01-01T00:00:00Z"
        );
        assert_eq!(
            crate::time::format_rfc3339(at(SUNSET_RSA_1900)),
            "2026-01-01T00:00:00Z"
        );
    }
}
