//! The two containers of a package, zip and JSON: writing them reproducibly, and reading them
//! as hostile input.
//!
//! Reading a zip: a strict scan of the end-of-central-directory record and of the central
//! directory (our own, so that duplicate names are seen before the zip library collapses them,
//! and so that every raw name is checked) bounds the entry count; every name is checked by
//! [`validate_entry_name`]; the zip library's view must agree with the scan; then, from the
//! central directory alone, encrypted entries, links and special files, directories, unknown
//! compression methods, declared sizes, the declared total and the compression ratios are
//! refused; local headers must agree with the central directory and no two entries may overlap;
//! only then is each entry's compressed data read (bounded by its declared compressed size) and
//! inflated with `take(declared + 1)`, so that no entry ever produces more than one byte over
//! what it declared; the real size and the CRC-32 must match.

use super::{Limits, PACKAGE_SCHEMA, PackageError, sha256_hex};
use base64::Engine;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::io::{Cursor, Read, Seek, SeekFrom, Write};
use std::path::{Component, Path};
use std::time::SystemTime;

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
fn check_duplicates<'a>(names: impl Iterator<Item = &'a str>) -> Result<(), PackageError> {
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

fn too_large(what: impl Into<String>, actual: u64, limit: u64) -> PackageError {
    PackageError::TooLarge {
        what: what.into(),
        actual,
        limit,
    }
}

// ---- writing -------------------------------------------------------------------------------

fn dos_time(t: SystemTime) -> zip::DateTime {
    der::DateTime::from_system_time(t)
        .ok()
        .and_then(|d| {
            zip::DateTime::from_date_and_time(
                d.year(),
                d.month(),
                d.day(),
                d.hour(),
                d.minutes(),
                d.seconds(),
            )
            .ok()
        })
        .unwrap_or_default()
}

/// Writes a zip: entries in the given order, deflated, each stamped with `time` (DOS time,
/// UTC), mode 0644, made by "Unix"; nothing else varies, so the same entries and time give the
/// same bytes.
pub fn write_zip(entries: &[Entry], time: SystemTime) -> crate::Result<Vec<u8>> {
    check_duplicates(entries.iter().map(|e| e.name.as_str()))?;
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(6))
        .last_modified_time(dos_time(time))
        .unix_permissions(0o644)
        .system(zip::System::Unix);
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let zerr = |e: zip::result::ZipError| PackageError::Zip(e.to_string());
    for e in entries {
        validate_entry_name(e.name.as_bytes())?;
        w.start_file(e.name.as_str(), options).map_err(zerr)?;
        w.write_all(&e.data)
            .map_err(|err| crate::Error::io("writing the zip", err))?;
    }
    Ok(w.finish().map_err(zerr)?.into_inner())
}

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

// ---- reading -------------------------------------------------------------------------------

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

/// Reads the JSON form (see [`write_json`]) with the same checks as a zip.
pub fn read_json(data: &[u8], limits: &Limits) -> Result<Package, PackageError> {
    if data.len() as u64 > limits.max_package_size {
        return Err(too_large(
            "package size",
            data.len() as u64,
            limits.max_package_size,
        ));
    }
    let pkg: JsonPackage =
        serde_json::from_slice(data).map_err(|e| PackageError::Json(e.to_string()))?;
    if pkg.schema != PACKAGE_SCHEMA {
        return Err(PackageError::Json(format!(
            "schema {:?} is not {PACKAGE_SCHEMA:?}",
            pkg.schema
        )));
    }
    if pkg.entries.len() > limits.max_entries {
        return Err(too_large(
            "number of entries",
            pkg.entries.len() as u64,
            limits.max_entries as u64,
        ));
    }
    for e in &pkg.entries {
        validate_entry_name(e.name.as_bytes())?;
    }
    check_duplicates(pkg.entries.iter().map(|e| e.name.as_str()))?;
    // Declared sizes first, then decoding.
    let mut total: u64 = 0;
    for e in &pkg.entries {
        if e.size > limits.max_entry_size {
            return Err(too_large(
                format!("declared size of entry {:?}", e.name),
                e.size,
                limits.max_entry_size,
            ));
        }
        total = total.saturating_add(e.size);
        if total > limits.max_total_size {
            return Err(too_large(
                "declared total size",
                total,
                limits.max_total_size,
            ));
        }
        if e.media_type.len() > 255 || e.media_type.chars().any(char::is_control) {
            return Err(PackageError::Json(format!(
                "entry {:?}: bad media type",
                e.name
            )));
        }
    }
    let mut entries = Vec::with_capacity(pkg.entries.len());
    for e in pkg.entries {
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
        entries.push(Entry {
            name: e.name,
            media_type: e.media_type,
            data,
        });
    }
    Ok(Package {
        container: Container::Json,
        entries,
    })
}

fn read_at<R: Read + Seek>(r: &mut R, offset: u64, len: usize) -> Result<Vec<u8>, PackageError> {
    let io = |e: std::io::Error| PackageError::Zip(format!("reading at {offset}: {e}"));
    r.seek(SeekFrom::Start(offset)).map_err(io)?;
    let mut buf = vec![0u8; len];
    r.read_exact(&mut buf).map_err(io)?;
    Ok(buf)
}

fn le16(b: &[u8], at: usize) -> u16 {
    match b.get(at..at + 2) {
        Some(&[x, y]) => u16::from_le_bytes([x, y]),
        _ => 0,
    }
}

fn le32(b: &[u8], at: usize) -> u32 {
    match b.get(at..at + 4) {
        Some(&[a, c, d, e]) => u32::from_le_bytes([a, c, d, e]),
        _ => 0,
    }
}

const EOCD_SIG: u32 = 0x0605_4b50;
const CDFH_SIG: u32 = 0x0201_4b50;
const EOCD_LEN: u64 = 22;

/// Strict scan of the end record and central directory: the raw names, in order, with any
/// duplicates. The end record must end the file exactly (its comment reaching the last byte),
/// describe one disk, and the central directory must fill exactly the bytes before it.
fn scan_central_directory<R: Read + Seek>(
    r: &mut R,
    file_len: u64,
    limits: &Limits,
) -> Result<Vec<Vec<u8>>, PackageError> {
    let zip_err = |m: &str| PackageError::Zip(m.to_string());
    if file_len < EOCD_LEN {
        return Err(zip_err("too short for an end of central directory record"));
    }
    let tail_len = file_len.min(EOCD_LEN + 0xffff);
    let tail_start = file_len - tail_len;
    let tail = read_at(r, tail_start, tail_len as usize)?;
    let mut eocd_at = None;
    for i in (0..=tail.len().saturating_sub(EOCD_LEN as usize)).rev() {
        if le32(&tail, i) == EOCD_SIG {
            let comment_len = le16(&tail, i + 20) as usize;
            if i + EOCD_LEN as usize + comment_len == tail.len() {
                eocd_at = Some(i);
                break;
            }
        }
    }
    let i = eocd_at.ok_or_else(|| zip_err("no end of central directory record ends the file"))?;
    let (disk, cd_disk) = (le16(&tail, i + 4), le16(&tail, i + 6));
    let (n_disk, n_total) = (le16(&tail, i + 8), le16(&tail, i + 10));
    let (cd_size, cd_offset) = (le32(&tail, i + 12) as u64, le32(&tail, i + 16) as u64);
    if disk != 0 || cd_disk != 0 || n_disk != n_total {
        return Err(zip_err("multi-disk archives are not accepted"));
    }
    if n_total == 0xffff || cd_size == 0xffff_ffff || cd_offset == 0xffff_ffff {
        return Err(zip_err("zip64 archives are not accepted"));
    }
    if n_total as usize > limits.max_entries {
        return Err(too_large(
            "number of entries",
            n_total as u64,
            limits.max_entries as u64,
        ));
    }
    let eocd_offset = tail_start + i as u64;
    if cd_offset.checked_add(cd_size) != Some(eocd_offset) {
        return Err(zip_err(
            "the central directory does not end where the end record begins",
        ));
    }
    let cd = read_at(
        r,
        cd_offset,
        usize::try_from(cd_size).map_err(|_| zip_err("central directory too large"))?,
    )?;
    let mut names = Vec::with_capacity(n_total as usize);
    let mut pos = 0usize;
    for _ in 0..n_total {
        if le32(&cd, pos) != CDFH_SIG || pos + 46 > cd.len() {
            return Err(zip_err("bad central directory header"));
        }
        let name_len = le16(&cd, pos + 28) as usize;
        let extra_len = le16(&cd, pos + 30) as usize;
        let comment_len = le16(&cd, pos + 32) as usize;
        let name = cd
            .get(pos + 46..pos + 46 + name_len)
            .ok_or_else(|| zip_err("central directory header beyond its end"))?;
        names.push(name.to_vec());
        pos += 46 + name_len + extra_len + comment_len;
    }
    if pos != cd.len() {
        return Err(zip_err(
            "the central directory holds more than its entry count",
        ));
    }
    Ok(names)
}

/// Reads a zip package (see the module documentation for the order of the checks).
pub fn read_zip<R: Read + Seek>(mut r: R, limits: &Limits) -> Result<Package, PackageError> {
    let zerr = |e: zip::result::ZipError| PackageError::Zip(e.to_string());
    let file_len = r
        .seek(SeekFrom::End(0))
        .map_err(|e| PackageError::Zip(e.to_string()))?;
    if file_len > limits.max_package_size {
        return Err(too_large("package size", file_len, limits.max_package_size));
    }
    // 1. Our own view of the central directory: count and raw names.
    let raw_names = scan_central_directory(&mut r, file_len, limits)?;
    let mut names = Vec::with_capacity(raw_names.len());
    for raw in &raw_names {
        names.push(validate_entry_name(raw)?.to_string());
    }
    check_duplicates(names.iter().map(String::as_str))?;

    // 2. The zip library's view must be the same.
    let mut archive = zip::ZipArchive::new(&mut r).map_err(zerr)?;
    if archive.len() != names.len() || archive.offset() != 0 {
        return Err(PackageError::Zip(
            "the zip library sees another central directory".into(),
        ));
    }

    // 3. Metadata, from the central directory only.
    let mut total: u64 = 0;
    let mut meta = Vec::with_capacity(names.len());
    for (i, name) in names.iter().enumerate() {
        let f = archive.by_index_data(i).map_err(zerr)?;
        if f.name_raw() != name.as_bytes() {
            return Err(PackageError::Zip(format!(
                "entry {i}: the zip library reads another name than the central directory's"
            )));
        }
        let mode = f.unix_mode().unwrap_or(0);
        if f.is_symlink() || (mode & 0o170000 != 0 && mode & 0o170000 != 0o100000) {
            if f.is_dir() {
                return Err(PackageError::Directory { name: name.clone() });
            }
            return Err(PackageError::Symlink { name: name.clone() });
        }
        if f.is_dir() {
            return Err(PackageError::Directory { name: name.clone() });
        }
        if f.encrypted() {
            return Err(PackageError::Encrypted { name: name.clone() });
        }
        let method = f.compression();
        if !matches!(
            method,
            zip::CompressionMethod::Stored | zip::CompressionMethod::Deflated
        ) {
            return Err(PackageError::UnsupportedCompression {
                name: name.clone(),
                method: format!("{method:?}"),
            });
        }
        let (size, csize) = (f.size(), f.compressed_size());
        if size > limits.max_entry_size {
            return Err(too_large(
                format!("declared size of entry {name:?}"),
                size,
                limits.max_entry_size,
            ));
        }
        total = total.saturating_add(size);
        if total > limits.max_total_size {
            return Err(too_large(
                "declared total size",
                total,
                limits.max_total_size,
            ));
        }
        if size > limits.ratio_floor && size / csize.max(1) > limits.max_ratio {
            return Err(too_large(
                format!("compression ratio of entry {name:?}"),
                size / csize.max(1),
                limits.max_ratio,
            ));
        }
        if method == zip::CompressionMethod::Stored && size != csize {
            return Err(PackageError::SizeMismatch {
                name: name.clone(),
                declared: size,
                actual: csize,
            });
        }
        if csize > file_len {
            return Err(PackageError::Zip(format!(
                "entry {name:?}: compressed size beyond the file"
            )));
        }
        meta.push((method, size, csize, f.crc32()));
    }
    // Local headers agree with the central directory; no overlapping entries; no hidden ones.
    archive.validate_header_consistency().map_err(zerr)?;

    // 4. The data, bounded by the declared sizes.
    let mut entries = Vec::with_capacity(names.len());
    for (i, (name, (method, size, csize, crc))) in names.into_iter().zip(meta).enumerate() {
        let raw = {
            let f = archive.by_index_raw(i).map_err(zerr)?;
            let mut raw = Vec::new();
            f.take(csize.saturating_add(1))
                .read_to_end(&mut raw)
                .map_err(|e| PackageError::Zip(format!("entry {name:?}: {e}")))?;
            raw
        };
        if raw.len() as u64 != csize {
            return Err(PackageError::Zip(format!(
                "entry {name:?}: compressed data truncated"
            )));
        }
        let data = match method {
            zip::CompressionMethod::Stored => raw,
            _ => {
                let mut out = Vec::new();
                flate2::read::DeflateDecoder::new(raw.as_slice())
                    .take(size.saturating_add(1))
                    .read_to_end(&mut out)
                    .map_err(|e| PackageError::Zip(format!("entry {name:?}: inflating: {e}")))?;
                out
            }
        };
        if data.len() as u64 != size {
            return Err(PackageError::SizeMismatch {
                name,
                declared: size,
                actual: data.len() as u64,
            });
        }
        let mut c = flate2::Crc::new();
        c.update(&data);
        if c.sum() != crc {
            return Err(PackageError::Zip(format!(
                "entry {name:?}: CRC-32 mismatch"
            )));
        }
        entries.push(Entry::new(name, "", data));
    }
    Ok(Package {
        container: Container::Zip,
        entries,
    })
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
