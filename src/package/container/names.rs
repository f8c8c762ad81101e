//! Entry names: the rules a name must follow to be safe on every system, and the refusal of
//! exact and case-folded duplicates.

use crate::package::PackageError;
use std::collections::HashSet;

const WINDOWS_DEVICES: [&str; 22] = [
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8",
    "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

/// Longest entry name accepted, in bytes.
pub const MAX_NAME_LEN: usize = 255;
/// Deepest entry path accepted (components).
pub const MAX_NAME_DEPTH: usize = 8;

/// Checks a raw entry name: UTF-8, 1 to 255 bytes, relative, `/`-separated, no empty, `.` or
/// `..` component, no NUL or other control character, no backslash, no drive letter or colon,
/// no component ending in a dot or a space, no Windows device name. Returns it as `&str`.
pub fn validate_entry_name(raw: &[u8]) -> Result<&str, PackageError> {
    let refuse = |reason| Err(PackageError::unsafe_name(raw, reason));
    if raw.is_empty() {
        return refuse("empty name");
    }
    if raw.len() > MAX_NAME_LEN {
        return refuse("longer than 255 bytes");
    }
    if raw.contains(&0) {
        return refuse("NUL character");
    }
    let Ok(name) = std::str::from_utf8(raw) else {
        return refuse("not UTF-8");
    };
    if name.chars().any(char::is_control) {
        return refuse("control character");
    }
    if name.contains('\\') {
        return refuse("backslash");
    }
    if name.starts_with('/') {
        return refuse("absolute path");
    }
    if let [letter, b':', ..] = name.as_bytes()
        && letter.is_ascii_alphabetic()
    {
        return refuse("drive letter");
    }
    if name.contains(':') {
        return refuse("colon (drive or alternate data stream)");
    }
    let parts: Vec<&str> = name.split('/').collect();
    if parts.len() > MAX_NAME_DEPTH {
        return refuse("too many path components");
    }
    if let Some(last) = parts.last()
        && last.is_empty()
    {
        return refuse("ends with a slash (a directory)");
    }
    for p in &parts {
        match *p {
            "" => return refuse("empty path component"),
            "." | ".." => return refuse("dot or dot-dot component"),
            _ => {}
        }
        if p.ends_with('.') || p.ends_with(' ') {
            return refuse("component ending in a dot or a space");
        }
        let stem = p.split('.').next().unwrap_or(p).to_ascii_lowercase();
        if WINDOWS_DEVICES.contains(&stem.trim_end()) {
            return refuse("Windows device name");
        }
    }
    Ok(name)
}

/// Refuses exact and case-folded duplicates.
pub(super) fn check_duplicates<'a>(
    names: impl Iterator<Item = &'a str>,
) -> Result<(), PackageError> {
    let mut exact = HashSet::new();
    let mut folded = HashSet::new();
    for n in names {
        if !exact.insert(n) {
            return Err(PackageError::DuplicateName {
                name: n.to_string(),
                case_folded: false,
            });
        }
        if !folded.insert(n.to_lowercase()) {
            return Err(PackageError::DuplicateName {
                name: n.to_string(),
                case_folded: true,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for ok in [
            "a.pdf",
            "evidence/1-graphism.png",
            "João da Silva.pdf",
            "a..b",
        ] {
            assert!(validate_entry_name(ok.as_bytes()).is_ok(), "{ok}");
        }
        for (bad, why) in [
            ("", "empty name"),
            ("../x", "dot-dot"),
            ("a/../../x", "dot-dot"),
            ("/etc/passwd", "absolute"),
            ("C:/x", "drive letter"),
            ("c:x", "drive letter"),
            ("a\\b", "backslash"),
            ("a\0b", "NUL"),
            ("a\nb", "control"),
            ("a//b", "empty path component"),
            ("dir/", "slash"),
            ("./a", "dot"),
            ("a.", "dot or a space"),
            ("a ", "dot or a space"),
            ("CON.txt", "device"),
            ("ab:c", "colon"),
        ] {
            match validate_entry_name(bad.as_bytes()) {
                Err(PackageError::UnsafeName { reason, .. }) => {
                    assert!(reason.contains(why), "{bad:?}: {reason}")
                }
                other => panic!("{bad:?}: {other:?}"),
            }
        }
        assert!(validate_entry_name(&[0xff, 0x41]).is_err());
        assert!(validate_entry_name(&[b'a'; 256]).is_err());
    }
}
