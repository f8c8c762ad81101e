//! RFC 3339 times for reports and the command line, without a date-time crate.
//!
//! Reports write UTC with second precision (`2025-06-01T00:00:00Z`). Parsing accepts
//! `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` (also with a space or lowercase `t`/`z`) and a bare
//! date `YYYY-MM-DD` (midnight UTC).

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

/// Parses an RFC 3339 date-time (or a bare `YYYY-MM-DD`, meaning midnight UTC).
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
        let b = parse_rfc3339("2024-04-01T02:00:00+02:00").unwrap();
        assert_eq!(unix_seconds(b), 1_711_929_600);
        assert_eq!(
            format_rfc3339(parse_rfc3339("2025-06-01").unwrap()),
            "2025-06-01T00:00:00Z"
        );
        for bad in [
            "",
            "2025-13-01",
            "2025-02-30T00:00:00Z",
            "2025-06-01T24:00:00Z",
            "2025-06-01T00:00:00",
            "2025-06-01T00:00:00.Z",
            "2025-06-01T00:00:00+0100",
            "２０２５-06-01",
        ] {
            assert!(parse_rfc3339(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn floor_before_epoch() {
        let t = UNIX_EPOCH - Duration::from_millis(500);
        assert_eq!(unix_seconds(t), -1);
    }
}
