//! The JSON form of a package: one document, `{"schema": "sigform-package/1", "entries": [...]}`,
//! each entry with its declared size and SHA-256 and its bytes in base64. Read with the same
//! bounds as a zip: the declared sizes are checked before anything is decoded.

use super::names::{check_duplicates, validate_entry_name};
use super::{Container, Entry, Package};
use crate::package::{Limits, PACKAGE_SCHEMA, PackageError, at_most, sha256_hex};
use base64::Engine;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonPackage {
    schema: String,
    entries: Vec<JsonEntry>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonEntry {
    name: String,
    media_type: String,
    size: u64,
    sha256: String,
    data_base64: String,
}

/// Writes the JSON form: `{"schema": "sigform-package/1", "entries": [{"name", "media_type",
/// "size", "sha256", "data_base64"}]}`.
pub fn write_json(entries: &[Entry]) -> crate::Result<Vec<u8>> {
    check_duplicates(entries.iter().map(|e| e.name.as_str()))?;
    let mut out = Vec::with_capacity(entries.len());
    for e in entries {
        validate_entry_name(e.name.as_bytes())?;
        out.push(JsonEntry {
            name: e.name.clone(),
            media_type: e.media_type.clone(),
            size: e.data.len() as u64,
            sha256: sha256_hex(&e.data),
            data_base64: base64::engine::general_purpose::STANDARD.encode(&e.data),
        });
    }
    let mut v = serde_json::to_vec_pretty(&JsonPackage {
        schema: PACKAGE_SCHEMA.into(),
        entries: out,
    })
    .map_err(|e| PackageError::Json(e.to_string()))?;
    v.push(b'\n');
    Ok(v)
}

/// Reads the JSON form (see [`write_json`]) with the same checks as a zip.
pub fn read_json(data: &[u8], limits: &Limits) -> Result<Package, PackageError> {
    at_most("package size", data.len() as u64, limits.max_package_size)?;
    let pkg: JsonPackage =
        serde_json::from_slice(data).map_err(|e| PackageError::Json(e.to_string()))?;
    if pkg.schema != PACKAGE_SCHEMA {
        return Err(PackageError::Json(format!(
            "schema {:?} is not {PACKAGE_SCHEMA:?}",
            pkg.schema
        )));
    }
    at_most(
        "number of entries",
        pkg.entries.len() as u64,
        limits.max_entries as u64,
    )?;
    for e in &pkg.entries {
        validate_entry_name(e.name.as_bytes())?;
    }
    check_duplicates(pkg.entries.iter().map(|e| e.name.as_str()))?;
    // Declared sizes first, then decoding.
    check_declared(&pkg.entries, limits)?;
    let mut entries = Vec::with_capacity(pkg.entries.len());
    for e in pkg.entries {
        entries.push(decode_entry(e)?);
    }
    Ok(Package {
        container: Container::Json,
        entries,
    })
}

/// The declared sizes (each, and in all) against the limits, and the media types.
fn check_declared(entries: &[JsonEntry], limits: &Limits) -> Result<(), PackageError> {
    let mut total: u64 = 0;
    for e in entries {
        if e.size > limits.max_entry_size {
            return Err(PackageError::too_large(
                format!("declared size of entry {:?}", e.name),
                e.size,
                limits.max_entry_size,
            ));
        }
        total = total.saturating_add(e.size);
        at_most("declared total size", total, limits.max_total_size)?;
        if e.media_type.len() > 255 || e.media_type.chars().any(char::is_control) {
            return Err(PackageError::Json(format!(
                "entry {:?}: bad media type",
                e.name
            )));
        }
    }
    Ok(())
}

/// Decodes one entry whose declared size passed: the base64 length is checked before
/// decoding, then the real size and the SHA-256.
fn decode_entry(e: JsonEntry) -> Result<Entry, PackageError> {
    // Padded base64 of `size` bytes is exactly 4·⌈size/3⌉ characters.
    let expected_len = e.size.div_ceil(3).saturating_mul(4);
    if e.data_base64.len() as u64 != expected_len {
        return Err(PackageError::SizeMismatch {
            name: e.name,
            declared: e.size,
            actual: (e.data_base64.len() as u64 / 4) * 3,
        });
    }
    let data = base64::engine::general_purpose::STANDARD
        .decode(e.data_base64.as_bytes())
        .map_err(|err| PackageError::Json(format!("entry {:?}: {err}", e.name)))?;
    if data.len() as u64 != e.size {
        return Err(PackageError::SizeMismatch {
            name: e.name,
            declared: e.size,
            actual: data.len() as u64,
        });
    }
    let actual = sha256_hex(&data);
    if !actual.eq_ignore_ascii_case(&e.sha256) {
        return Err(PackageError::HashMismatch {
            name: e.name,
            expected: e.sha256,
            actual,
        });
    }
    Ok(Entry {
        name: e.name,
        media_type: e.media_type,
        data,
    })
}
