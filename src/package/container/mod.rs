//! The two containers of a package, zip and JSON: writing them reproducibly, and reading them
//! as hostile input. The parts:
//! - `names`: the entry name rules ([`validate_entry_name`]) and the duplicate check;
//! - `zip`: writing a reproducible zip, and reading one (central directory first, then
//!   bounded inflation; the order of the checks is in that module's documentation);
//! - `json`: the JSON form, written and read with the same bounds as a zip;
//! - here: [`Entry`] and [`Package`], extraction to a directory, and [`read`], which tells the
//!   two forms apart.

mod json;
mod names;
mod zip;

pub use self::zip::{read_zip, write_zip};
pub use json::{read_json, write_json};
pub use names::validate_entry_name;

use super::{Limits, PackageError};
use serde::{Deserialize, Serialize};
use std::io::{Cursor, Write};
use std::path::{Component, Path};

/// Which form a package takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Container {
    /// A zip archive.
    Zip,
    /// One JSON document with base64 entries.
    Json,
}

/// One file of a package.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Name (validated by [`validate_entry_name`]).
    pub name: String,
    /// Media type (from the JSON form; guessed from the name for zip entries).
    pub media_type: String,
    /// Content.
    pub data: Vec<u8>,
}

impl Entry {
    /// An entry; the media type is guessed from the name when `media_type` is empty.
    pub fn new(name: impl Into<String>, media_type: impl Into<String>, data: Vec<u8>) -> Self {
        let name = name.into();
        let mut media_type = media_type.into();
        if media_type.is_empty() {
            media_type = guess_media_type(&name).into();
        }
        Self {
            name,
            media_type,
            data,
        }
    }
}

/// A package read into memory (within [`Limits`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Package {
    /// The form it was read from.
    pub container: Container,
    /// The entries, in package order.
    pub entries: Vec<Entry>,
}

impl Package {
    /// The entry of this name.
    pub fn get(&self, name: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.name == name)
    }

    /// Writes every entry under `dir`, which must not exist or be an empty directory. Only
    /// regular files and directories are created, never over an existing path; entry names
    /// were validated when the package was read.
    pub fn extract_to(&self, dir: &Path) -> Result<(), PackageError> {
        let fail = |name: &str, reason: String| PackageError::Extract {
            name: name.to_string(),
            reason,
        };
        match std::fs::symlink_metadata(dir) {
            Ok(m) if m.is_dir() => {
                let mut it = std::fs::read_dir(dir).map_err(|e| fail("", e.to_string()))?;
                if it.next().is_some() {
                    return Err(fail(
                        "",
                        format!("target directory {} is not empty", dir.display()),
                    ));
                }
            }
            Ok(_) => {
                return Err(fail(
                    "",
                    format!("target {} is not a directory", dir.display()),
                ));
            }
            Err(_) => std::fs::create_dir_all(dir).map_err(|e| fail("", e.to_string()))?,
        }
        for e in &self.entries {
            validate_entry_name(e.name.as_bytes())?;
            let rel = Path::new(&e.name);
            if !rel.components().all(|c| matches!(c, Component::Normal(_))) {
                return Err(PackageError::unsafe_name(
                    &e.name,
                    "not a plain relative path",
                ));
            }
            let target = dir.join(rel);
            if let Some(parent) = target.parent() {
                let mut cur = dir.to_path_buf();
                let inner = parent.strip_prefix(dir).map_err(|_| {
                    fail(&e.name, "the entry would leave the target directory".into())
                })?;
                for c in inner.components() {
                    cur.push(c);
                    match std::fs::symlink_metadata(&cur) {
                        Ok(m) if m.is_dir() && !m.file_type().is_symlink() => {}
                        Ok(_) => {
                            return Err(fail(
                                &e.name,
                                format!("{} exists and is not a directory", cur.display()),
                            ));
                        }
                        Err(_) => std::fs::create_dir(&cur)
                            .map_err(|err| fail(&e.name, err.to_string()))?,
                    }
                }
            }
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&target)
                .map_err(|err| fail(&e.name, err.to_string()))?;
            f.write_all(&e.data)
                .map_err(|err| fail(&e.name, err.to_string()))?;
        }
        Ok(())
    }
}

/// The media type of a file name's extension.
pub(crate) fn guess_media_type(name: &str) -> &'static str {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "pdf" => "application/pdf",
        "p7s" => "application/pkcs7-signature",
        "json" => "application/json",
        "png" => "image/png",
        "txt" => "text/plain",
        "xml" => "application/xml",
        _ => "application/octet-stream",
    }
}

/// Reads a package, zip or JSON (told apart by their first bytes).
pub fn read(data: &[u8], limits: &Limits) -> Result<Package, PackageError> {
    if data.starts_with(b"PK") {
        return read_zip(Cursor::new(data), limits);
    }
    match data.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => read_json(data, limits),
        _ => Err(PackageError::NotAPackage),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::SystemTime;

    #[test]
    fn zip_and_json_round_trip_and_reproducible() {
        let t = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_750_000_000);
        let entries = vec![
            Entry::new("a.txt", "", b"hello".repeat(100)),
            Entry::new("dir/b.pdf", "", b"%PDF-1.7".to_vec()),
        ];
        let z1 = write_zip(&entries, t).unwrap();
        let z2 = write_zip(&entries, t).unwrap();
        assert_eq!(z1, z2);
        let p = read(&z1, &Limits::default()).unwrap();
        assert_eq!(p.container, Container::Zip);
        assert_eq!(p.entries, entries);
        let j = write_json(&entries).unwrap();
        let p = read(&j, &Limits::default()).unwrap();
        assert_eq!(p.container, Container::Json);
        assert_eq!(p.entries, entries);
    }
}
