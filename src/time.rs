//! Time, without a date-time crate: the one place where times are parsed and written.
//!
//! - RFC 3339 for reports and the command line: [`format_rfc3339`], [`format_unix`] and
//!   [`rfc3339`] write UTC with second precision (`2025-06-01T00:00:00Z`); [`parse_rfc3339`]
//!   (and [`parse_rfc3339_arg`], its form for user input) is the one parser;
//! - CMS `Time` (RFC 5652 §11.3: UTCTime or GeneralizedTime): [`encode_time`], [`parse_time`];
//! - PDF dates (`D:YYYYMMDDHHmmSSOHH'mm'`, ISO 32000-2 §7.9.4): [`format_pdf_date`],
//!   [`parse_pdf_date`];
//! - Unix seconds: [`unix_seconds`], [`from_unix_seconds`].
//!
//! The RFC 3339 grammar accepted (surrounding whitespace is ignored):
//!
//! ```text
//! time     = date [ sep HH ":" MM ":" SS [ "." 1*DIGIT ] offset ]
//! date     = YYYY "-" MM "-" DD          ; a bare date is midnight UTC
//! sep      = "T" / "t" / " "
//! offset   = "Z" / "z" / ( "+" / "-" ) HH ":" MM
//! ```
//!
//! with every field of exactly its number of ASCII digits, a real calendar day (years 0000 to
//! 9999), hours to 23, minutes to 59, seconds to 60 (a leap second), and offsets to 23:59.
//! A date-time without an offset is refused (its meaning would depend on the machine).

use crate::asn1::tlv::{self, tag};
use crate::error::{Error, Result};
use der::{Decode, Encode};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

/// The civil date of a day count since 1970-01-01 (H. Hinnant's `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Seconds since the Unix epoch (negative before 1970), floored to the second.
pub fn unix_seconds(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => {
            let d = e.duration();
            let secs = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
            // floor: -0.5 s is second -1
            if d.subsec_nanos() > 0 {
                -secs - 1
            } else {
                -secs
            }
        }
    }
}

/// The `SystemTime` of a Unix second count.
pub fn from_unix_seconds(secs: i64) -> SystemTime {
    if secs >= 0 {
        UNIX_EPOCH + Duration::from_secs(secs as u64)
    } else {
        UNIX_EPOCH - Duration::from_secs(secs.unsigned_abs())
    }
}

/// Formats a Unix second count as RFC 3339 UTC, e.g. `2025-06-01T00:00:00Z`.
pub fn format_unix(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Formats a time as RFC 3339 UTC with second precision (fractions are floored).
pub fn format_rfc3339(t: SystemTime) -> String {
    format_unix(unix_seconds(t))
}

fn digits(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Parses an RFC 3339 date-time (or a bare `YYYY-MM-DD`, meaning midnight UTC): the crate's
/// one RFC 3339 parser (the grammar is in the [module documentation](self)). Fractions of a
/// second are kept to the nanosecond; a leap second `:60` counts as `:59`.
pub fn parse_rfc3339(s: &str) -> Option<SystemTime> {
    let s = s.trim();
    let date = s.get(..10)?;
    let year = digits(date.get(0..4)?)? as i64;
    let month = digits(date.get(5..7)?)?;
    let day = digits(date.get(8..10)?)?;
    if date.as_bytes().get(4) != Some(&b'-') || date.as_bytes().get(7) != Some(&b'-') {
        return None;
    }
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let rest = s.get(10..)?;
    if rest.is_empty() {
        return Some(from_unix_seconds(days * 86_400));
    }
    let sep = rest.as_bytes().first()?;
    if !matches!(sep, b'T' | b't' | b' ') {
        return None;
    }
    let rest = rest.get(1..)?;
    let time = rest.get(..8)?;
    let (h, mi, se) = (
        digits(time.get(0..2)?)?,
        digits(time.get(3..5)?)?,
        digits(time.get(6..8)?)?,
    );
    if time.as_bytes().get(2) != Some(&b':') || time.as_bytes().get(5) != Some(&b':') {
        return None;
    }
    if h > 23 || mi > 59 || se > 60 {
        return None;
    }
    let mut rest = rest.get(8..)?;
    let mut nanos = 0u32;
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return None;
        }
        let f = frac.get(..n)?;
        let mut scaled = 0u64;
        for (i, b) in f.bytes().enumerate() {
            if i < 9 {
                scaled = scaled * 10 + (b - b'0') as u64;
            }
        }
        for _ in n.min(9)..9 {
            scaled *= 10;
        }
        nanos = scaled as u32;
        rest = frac.get(n..)?;
    }
    let offset = match rest {
        "Z" | "z" => 0i64,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            if rest.len() != 6 || rest.as_bytes().get(3) != Some(&b':') {
                return None;
            }
            let oh = digits(rest.get(1..3)?)? as i64;
            let om = digits(rest.get(4..6)?)? as i64;
            if oh > 23 || om > 59 {
                return None;
            }
            sign * (oh * 3600 + om * 60)
        }
    };
    let secs = days * 86_400 + h as i64 * 3600 + mi as i64 * 60 + se.min(59) as i64 - offset;
    Some(from_unix_seconds(secs) + Duration::from_nanos(nanos as u64))
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ => {
            if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 {
                29
            } else {
                28
            }
        }
    }
}

/// [`parse_rfc3339`] for a time the user gave (an option, an argument): the error names the
/// expected form.
pub fn parse_rfc3339_arg(s: &str) -> Result<SystemTime> {
    parse_rfc3339(s).ok_or_else(|| {
        Error::InvalidArgument(format!(
            "time {s:?} is not RFC 3339 (e.g. 2026-11-27T20:46:31Z)"
        ))
    })
}

/// Formats a time as RFC 3339 UTC (`2026-11-27T20:46:31Z`).
pub fn rfc3339(dt: &der::DateTime) -> String {
    format_unix(i64::try_from(dt.unix_duration().as_secs()).unwrap_or(i64::MAX))
}

/// Encodes a time as CMS `Time` (RFC 5652 §11.3): UTCTime for 1950–2049, else GeneralizedTime.
pub fn encode_time(t: SystemTime) -> Result<Vec<u8>> {
    let dt = der::DateTime::from_system_time(t)
        .map_err(|e| Error::InvalidArgument(format!("time: {e}")))?;
    let enc = if (1950..2050).contains(&dt.year()) {
        der::asn1::UtcTime::from_date_time(dt).and_then(|u| u.to_der())
    } else {
        der::asn1::GeneralizedTime::from_date_time(dt).to_der()
    };
    enc.map_err(|e| Error::InvalidArgument(format!("time: {e}")))
}

/// Parses a CMS `Time` (UTCTime or GeneralizedTime element).
pub fn parse_time(raw: &[u8]) -> Result<der::DateTime> {
    let t = tlv::read_single(raw, "Time")?;
    match t.tag {
        tag::UTC_TIME => der::asn1::UtcTime::from_der(raw)
            .map(|u| u.to_date_time())
            .map_err(|e| Error::malformed("UTCTime", e)),
        tag::GENERALIZED_TIME => der::asn1::GeneralizedTime::from_der(raw)
            .map(|g| g.to_date_time())
            .map_err(|e| Error::malformed("GeneralizedTime", e)),
        other => Err(Error::malformed("Time", format!("tag 0x{other:02x}"))),
    }
}

/// A PDF date string `D:YYYYMMDDHHmmSS+00'00'` (UTC); `D:19700101000000+00'00'` for a time
/// outside 1970–9999.
pub fn format_pdf_date(t: SystemTime) -> String {
    match der::DateTime::from_system_time(t) {
        Ok(d) => format!(
            "D:{:04}{:02}{:02}{:02}{:02}{:02}+00'00'",
            d.year(),
            d.month(),
            d.day(),
            d.hour(),
            d.minutes(),
            d.seconds()
        ),
        Err(_) => "D:19700101000000+00'00'".into(),
    }
}

/// Parses a PDF date `D:YYYYMMDDHHmmSSOHH'mm'` (the `D:` prefix and every field after the
/// year optional; `O` is `+`, `-` or `Z`) into UTC. `None` when the fields are not numbers or
/// the time falls outside 1970–9999.
pub fn parse_pdf_date(s: &[u8]) -> Option<der::DateTime> {
    let s = std::str::from_utf8(s).ok()?;
    let s = s.strip_prefix("D:").unwrap_or(s);
    let num = |a: usize, b: usize, default: u32| -> Option<u32> {
        match s.get(a..b) {
            Some(t) if !t.is_empty() => t.parse().ok(),
            _ => Some(default),
        }
    };
    let year = u16::try_from(num(0, 4, 0)?).ok()?;
    if s.len() < 4 {
        return None;
    }
    let dt = der::DateTime::new(
        year,
        u8::try_from(num(4, 6, 1)?).ok()?,
        u8::try_from(num(6, 8, 1)?).ok()?,
        u8::try_from(num(8, 10, 0)?).ok()?,
        u8::try_from(num(10, 12, 0)?).ok()?,
        u8::try_from(num(12, 14, 0)?).ok()?,
    )
    .ok()?;
    let mut secs = i64::try_from(dt.unix_duration().as_secs()).ok()?;
    if let Some(rest) = s.get(14..) {
        let sign = match rest.as_bytes().first() {
            Some(b'+') => -1,
            Some(b'-') => 1,
            _ => 0,
        };
        if sign != 0 {
            let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
            let h: i64 = digits.get(0..2).and_then(|t| t.parse().ok()).unwrap_or(0);
            let m: i64 = digits.get(2..4).and_then(|t| t.parse().ok()).unwrap_or(0);
            secs += sign * (h * 3600 + m * 60);
        }
    }
    der::DateTime::from_unix_duration(Duration::from_secs(u64::try_from(secs).ok()?)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip() {
        for s in [
            "1970-01-01T00:00:00Z",
            "2025-06-01T00:00:00Z",
            "2050-12-31T23:59:59Z",
            "2000-02-29T12:34:56Z",
            "1969-12-31T23:59:59Z",
            "9999-12-31T23:59:59Z",
        ] {
            let t = parse_rfc3339(s).unwrap();
            assert_eq!(format_rfc3339(t), s);
        }
    }

    #[test]
    fn offsets_and_fractions() {
        let a = parse_rfc3339("2024-04-01T00:00:00.005+00:00").unwrap();
        assert_eq!(format_rfc3339(a), "2024-04-01T00:00:00Z");
        assert_eq!(unix_seconds(a), 1_711_929_600);
        assert_eq!(
            a - Duration::from_millis(5),
            from_unix_seconds(1_711_929_600)
        );
        let b = parse_rfc3339("2024-04-01T02:00:00+02:00").unwrap();
        assert_eq!(unix_seconds(b), 1_711_929_600);
        assert_eq!(
            format_rfc3339(parse_rfc3339("2025-06-01").unwrap()),
            "2025-06-01T00:00:00Z"
        );
        let t = parse_rfc3339("2026-11-27T20:46:31Z").unwrap();
        let t2 = parse_rfc3339("2026-11-27T17:46:31.250-03:00").unwrap();
        assert_eq!(unix_seconds(t), unix_seconds(t2));
    }

    /// Every form the two former parsers (`x509::time` and `asn1::ess`) accepted as RFC 3339.
    #[test]
    fn accepted_forms() {
        let midnight = 1_748_736_000; // 2025-06-01T00:00:00Z
        for (s, secs) in [
            ("2025-06-01", midnight),
            (" 2025-06-01 ", midnight),
            ("2025-06-01T00:00:00Z", midnight),
            ("2025-06-01t00:00:00z", midnight),
            ("2025-06-01 00:00:00Z", midnight),
            ("2025-06-01T00:00:00.5Z", midnight),
            ("2025-06-01T00:00:00.123456789123Z", midnight),
            ("2025-06-01T02:30:00+02:30", midnight),
            ("2025-05-31T21:00:00-03:00", midnight),
            ("2025-05-31T23:59:60Z", midnight - 1),
            ("2024-02-29T00:00:00Z", 1_709_164_800),
            ("1969-12-31T23:59:59Z", -1),
            ("0000-01-01", -62_167_219_200),
        ] {
            let t = parse_rfc3339(s).unwrap_or_else(|| panic!("{s:?} refused"));
            assert_eq!(unix_seconds(t), secs, "{s}");
            assert_eq!(unix_seconds(parse_rfc3339_arg(s).unwrap()), secs, "{s}");
        }
    }

    #[test]
    fn refused_forms() {
        for bad in [
            "",
            "2025",
            "2025-6-1",
            "2025/06/01",
            "20250601",
            "2025-13-01",
            "2025-00-01",
            "2025-02-29",
            "2025-02-30T00:00:00Z",
            "2025-06-01T",
            "2025-06-01T00:00Z",
            "2025-06-01T24:00:00Z",
            "2025-06-01T00:60:00Z",
            "2025-06-01T00:00:61Z",
            "2025-06-01T00x00x00Z",
            "2025-06-01X00:00:00Z",
            "2025-06-01T00:00:00",
            "2025-06-01T00:00:00.Z",
            "2025-06-01T00:00:00+0100",
            "2025-06-01T00:00:00+01",
            "2025-06-01T00:00:00+24:00",
            "2025-06-01T00:00:00+00:60",
            "2025-06-01T00:00:00Zjunk",
            "2025-06-01T00:00:00ZZ",
            "2025-06-01junk",
            "x026-11-27T20:46:31Z",
            "+2025-06-01",
            "２０２５-06-01",
        ] {
            assert!(parse_rfc3339(bad).is_none(), "{bad}");
            assert!(parse_rfc3339_arg(bad).is_err(), "{bad}");
        }
        assert_eq!(
            parse_rfc3339_arg("2025-06-01T00:00:00")
                .unwrap_err()
                .to_string(),
            Error::InvalidArgument(
                "time \"2025-06-01T00:00:00\" is not RFC 3339 (e.g. 2026-11-27T20:46:31Z)".into()
            )
            .to_string()
        );
    }

    #[test]
    fn floor_before_epoch() {
        let t = UNIX_EPOCH - Duration::from_millis(500);
        assert_eq!(unix_seconds(t), -1);
    }

    #[test]
    fn cms_time() {
        let t = parse_rfc3339("2026-11-27T20:46:31Z").unwrap();
        for year in ["1990", "2026", "2049", "2050", "9999"] {
            let s = format!("{year}-11-27T20:46:31Z");
            let t = parse_rfc3339(&s).unwrap();
            let der = encode_time(t).unwrap();
            let utc = (1950..2050).contains(&year.parse::<i32>().unwrap());
            assert_eq!(
                der.first(),
                Some(if utc {
                    &tag::UTC_TIME
                } else {
                    &tag::GENERALIZED_TIME
                })
            );
            assert_eq!(rfc3339(&parse_time(&der).unwrap()), s);
        }
        let dt = der::DateTime::from_system_time(t).unwrap();
        assert_eq!(rfc3339(&dt), "2026-11-27T20:46:31Z");
        assert!(parse_time(&[0x04, 0x00]).is_err());
        assert!(encode_time(UNIX_EPOCH - Duration::from_secs(1)).is_err());
    }

    #[test]
    fn pdf_dates() {
        let parse = |s: &[u8]| parse_pdf_date(s).map(|d| rfc3339(&d));
        assert_eq!(
            parse(b"D:20221123003718+01'00'").as_deref(),
            Some("2022-11-22T23:37:18Z")
        );
        assert_eq!(
            parse(b"D:20260101120000Z").as_deref(),
            Some("2026-01-01T12:00:00Z")
        );
        assert_eq!(
            parse(b"D:20260101120000-03'00'").as_deref(),
            Some("2026-01-01T15:00:00Z")
        );
        assert_eq!(parse(b"D:2026").as_deref(), Some("2026-01-01T00:00:00Z"));
        assert_eq!(parse(b"garbage"), None);
        assert_eq!(parse(b"D:19700101000000+01'00'"), None);
        let t = parse_rfc3339("2025-06-01T12:34:56Z").unwrap();
        assert_eq!(format_pdf_date(t), "D:20250601123456+00'00'");
        assert_eq!(
            parse(format_pdf_date(t).as_bytes()).as_deref(),
            Some("2025-06-01T12:34:56Z")
        );
        assert_eq!(
            format_pdf_date(UNIX_EPOCH - Duration::from_secs(1)),
            "D:19700101000000+00'00'"
        );
    }
}
