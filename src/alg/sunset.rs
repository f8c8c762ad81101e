//! Dated algorithm constraints (ETSI EN 319 102-1 §5.2.8 and §5.6.2.5, past signature
//! validation): an algorithm that is too weak today was acceptable before its *sunset date*,
//! so a signature proven (by a verified timestamp) to exist before that date still passes
//! its cryptographic constraints.
//!
//! Only RSA modulus sizes are dated: they are the one constraint the policy refuses outright
//! (see [`MIN_RSA_BITS`](super::MIN_RSA_BITS)); SHA-1 is accepted with a warning whatever the
//! time, and MD5 is refused whatever the time. The default dates are those of ETSI TS 119 312
//! v1.5.1 as the DSS default validation policy encodes them (esig/dss
//! `dss-policy-jaxb/src/main/resources/policy/constraint.xml`, `AlgoExpirationDate`); each
//! date is the first day such keys are no longer acceptable:
//!
//! * RSA below 786 bits: never acceptable.
//! * RSA of 786 to 1023 bits: until 2010-08-01.
//! * RSA of 1024 to 1899 bits: until 2019-10-01 (DSS dates 1024-1535 and 1536-1899 alike).
//! * RSA of 1900 to 2047 bits: until 2029-01-01.
//! * RSA of 2048 bits and more: undated. A deliberate departure: ETSI TS 119 312 and DSS date
//!   every RSA PKCS#1 v1.5 key (3000 bits and more too) at 2029-01-01; dating 2048-bit keys
//!   would make every RSA signature without a timestamp INDETERMINATE after 2028. SOG-IS ACM
//!   v1.3 (German Bundesnetzagentur notice of 2024-09-06) is stricter still: 1900-2999 bits
//!   legacy until 2025-12-31.
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

/// 2010-08-01T00:00:00Z: the sunset of RSA keys of 786 to 1023 bits.
const SUNSET_RSA_786: i64 = 1_280_620_800;
/// 2019-10-01T00:00:00Z: the sunset of RSA keys of 1024 to 1899 bits.
const SUNSET_RSA_1024: i64 = 1_569_888_000;
/// 2029-01-01T00:00:00Z: the sunset of RSA keys of 1900 to 2047 bits.
const SUNSET_RSA_1900: i64 = 1_861_920_000;

impl Default for AlgorithmPolicy {
    fn default() -> Self {
        let at = crate::time::from_unix_seconds;
        Self {
            rsa: vec![
                RsaSunset {
                    below_bits: 786,
                    sunset: None,
                },
                RsaSunset {
                    below_bits: 1024,
                    sunset: Some(at(SUNSET_RSA_786)),
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

/// How an RSA key shorter than the minimum is judged (ETSI EN 319 102-1 §5.2.8, §5.6.2.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RsaJudgement {
    /// Acceptable at any time.
    Always,
    /// Acceptable at the validation time, before `sunset`.
    AtValidation {
        /// The sunset date of such keys.
        sunset: SystemTime,
    },
    /// Too weak at the validation time, acceptable at the proof of existence `poe`, before
    /// `sunset`.
    AtPoe {
        /// The proof of existence.
        poe: SystemTime,
        /// The sunset date of such keys.
        sunset: SystemTime,
    },
    /// Not acceptable: never (`sunset` is `None`), or neither at the validation time nor at
    /// the proof of existence (`poe`, when there is one).
    Refused {
        /// The sunset date of such keys.
        sunset: Option<SystemTime>,
        /// The proof of existence, not before the sunset.
        poe: Option<SystemTime>,
    },
}

impl RsaJudgement {
    /// The words a report gives a judgement that a proof of existence decided, for `what`
    /// (`the signature`, `the token`) whose proof `by` names: how the proof rescued it
    /// (`AtPoe`), or why none does (`Refused` with a sunset date). `None` for the other
    /// judgements, which the caller words.
    pub fn poe_text(&self, what: &str, by: Option<&str>) -> Option<String> {
        let at = crate::time::format_rfc3339;
        let by = by.unwrap_or("a timestamp");
        match *self {
            Self::AtPoe { poe, sunset } => Some(format!(
                "{by} at {} proves {what} existed before {}, the sunset date of such keys",
                at(poe),
                at(sunset)
            )),
            Self::Refused {
                sunset: Some(s),
                poe: Some(p),
            } => Some(format!(
                "its proof of existence ({by} at {}) is not before {}, the sunset date of such keys",
                at(p),
                at(s)
            )),
            Self::Refused {
                sunset: Some(s),
                poe: None,
            } => Some(format!(
                "no proof of existence before {}, the sunset date of such keys",
                at(s)
            )),
            _ => None,
        }
    }
}

impl AlgorithmPolicy {
    /// Judges an RSA key of `bits` bits of an object validated at `validation`, which a proof
    /// of existence may date at `poe`.
    pub fn judge_rsa(
        &self,
        bits: usize,
        validation: SystemTime,
        poe: Option<SystemTime>,
    ) -> RsaJudgement {
        match self.rsa(bits) {
            RsaVerdict::Always => RsaJudgement::Always,
            RsaVerdict::Never => RsaJudgement::Refused { sunset: None, poe },
            RsaVerdict::Until(sunset) if validation < sunset => {
                RsaJudgement::AtValidation { sunset }
            }
            RsaVerdict::Until(sunset) => match poe {
                Some(p) if p < sunset => RsaJudgement::AtPoe { poe: p, sunset },
                _ => RsaJudgement::Refused {
                    sunset: Some(sunset),
                    poe,
                },
            },
        }
    }

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
        assert_eq!(p.rsa(4096), RsaVerdict::Always);
        assert_eq!(p.rsa(512), RsaVerdict::Never);
        assert_eq!(p.rsa(785), RsaVerdict::Never);
        assert_eq!(p.rsa(786), RsaVerdict::Until(at(SUNSET_RSA_786)));
        assert_eq!(p.rsa(1023), RsaVerdict::Until(at(SUNSET_RSA_786)));
        assert_eq!(p.rsa(1024), RsaVerdict::Until(at(SUNSET_RSA_1024)));
        assert_eq!(p.rsa(1536), RsaVerdict::Until(at(SUNSET_RSA_1024)));
        assert_eq!(p.rsa(1899), RsaVerdict::Until(at(SUNSET_RSA_1024)));
        assert_eq!(p.rsa(1900), RsaVerdict::Until(at(SUNSET_RSA_1900)));
        assert_eq!(p.rsa(2047), RsaVerdict::Until(at(SUNSET_RSA_1900)));
        assert!(p.rsa_acceptable_at(1024, at(SUNSET_RSA_1024 - 1)));
        assert!(!p.rsa_acceptable_at(1024, at(SUNSET_RSA_1024)));
        // 786-1023 bits: acceptable before 2010-08-01 (1970 is), not after.
        assert!(p.rsa_acceptable_at(1000, at(0)));
        assert!(!p.rsa_acceptable_at(1000, at(SUNSET_RSA_786)));
        assert!(!p.rsa_acceptable_at(785, at(0)));
        for (t, text) in [
            (SUNSET_RSA_786, "2010-08-01T00:00:00Z"),
            (SUNSET_RSA_1024, "2019-10-01T00:00:00Z"),
            (SUNSET_RSA_1900, "2029-01-01T00:00:00Z"),
        ] {
            assert_eq!(crate::time::format_rfc3339(at(t)), text);
        }
    }

    #[test]
    fn judgement_at_the_validation_time_then_at_the_proof_of_existence() {
        let p = AlgorithmPolicy::default();
        let sunset = at(SUNSET_RSA_1024);
        let (before, after) = (at(SUNSET_RSA_1024 - 1), at(SUNSET_RSA_1024));
        assert_eq!(p.judge_rsa(4096, after, None), RsaJudgement::Always);
        assert_eq!(
            p.judge_rsa(1024, before, None),
            RsaJudgement::AtValidation { sunset }
        );
        assert_eq!(
            p.judge_rsa(1024, after, Some(before)),
            RsaJudgement::AtPoe {
                poe: before,
                sunset
            }
        );
        assert_eq!(
            p.judge_rsa(1024, after, Some(after)),
            RsaJudgement::Refused {
                sunset: Some(sunset),
                poe: Some(after)
            }
        );
        assert_eq!(
            p.judge_rsa(512, at(0), Some(at(0))),
            RsaJudgement::Refused {
                sunset: None,
                poe: Some(at(0))
            }
        );
    }
}
