//! The zip form of a package: written reproducibly, read as hostile input.
//!
//! Reading: a strict scan of the end-of-central-directory record and of the central
//! directory (our own, so that duplicate names are seen before the zip library collapses them,
//! and so that every raw name is checked) bounds the entry count; every name is checked by
//! [`validate_entry_name`]; the zip library's view must agree with the scan; then, from the
//! central directory alone, encrypted entries, links and special files, directories, unknown
//! compression methods, declared sizes, the declared total and the compression ratios are
//! refused; local headers must agree with the central directory and no two entries may overlap;
//! only then is each entry's compressed data read (bounded by its declared compressed size) and
//! inflated with `take(declared + 1)`, so that no entry ever produces more than one byte over
//! what it declared; the real size and the CRC-32 must match.

use super::names::{check_duplicates, validate_entry_name};
use super::{Container, Entry, Package};
use crate::package::{Limits, PackageError, at_most};
use std::io::{Cursor, Read, Seek, SeekFrom, Write};
use std::time::SystemTime;
use zip::CompressionMethod;

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
    at_most(
        "number of entries",
        n_total as u64,
        limits.max_entries as u64,
    )?;
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

/// What the central directory declares about one entry, once checked.
struct Declared {
    method: CompressionMethod,
    size: u64,
    csize: u64,
    crc: u32,
}

fn zip_error(e: zip::result::ZipError) -> PackageError {
    PackageError::Zip(e.to_string())
}

/// Reads a zip package (see the module documentation for the order of the checks).
pub fn read_zip<R: Read + Seek>(mut r: R, limits: &Limits) -> Result<Package, PackageError> {
    let file_len = r
        .seek(SeekFrom::End(0))
        .map_err(|e| PackageError::Zip(e.to_string()))?;
    at_most("package size", file_len, limits.max_package_size)?;
    // 1. Our own view of the central directory: count and raw names.
    let raw_names = scan_central_directory(&mut r, file_len, limits)?;
    let mut names = Vec::with_capacity(raw_names.len());
    for raw in &raw_names {
        names.push(validate_entry_name(raw)?.to_string());
    }
    check_duplicates(names.iter().map(String::as_str))?;

    // 2. The zip library's view must be the same.
    let mut archive = zip::ZipArchive::new(&mut r).map_err(zip_error)?;
    if archive.len() != names.len() || archive.offset() != 0 {
        return Err(PackageError::Zip(
            "the zip library sees another central directory".into(),
        ));
    }

    // 3. Metadata, from the central directory only.
    let mut total: u64 = 0;
    let mut declared = Vec::with_capacity(names.len());
    for (i, name) in names.iter().enumerate() {
        let f = archive.by_index_data(i).map_err(zip_error)?;
        if f.name_raw() != name.as_bytes() {
            return Err(PackageError::Zip(format!(
                "entry {i}: the zip library reads another name than the central directory's"
            )));
        }
        declared.push(check_declared(&f, name, file_len, &mut total, limits)?);
    }
    // Local headers agree with the central directory; no overlapping entries; no hidden ones.
    archive.validate_header_consistency().map_err(zip_error)?;

    // 4. The data, bounded by the declared sizes.
    let mut entries = Vec::with_capacity(names.len());
    for (i, (name, d)) in names.into_iter().zip(declared).enumerate() {
        let raw = {
            let f = archive.by_index_raw(i).map_err(zip_error)?;
            let mut raw = Vec::new();
            f.take(d.csize.saturating_add(1))
                .read_to_end(&mut raw)
                .map_err(|e| PackageError::Zip(format!("entry {name:?}: {e}")))?;
            raw
        };
        let data = inflate_checked(raw, &name, &d)?;
        entries.push(Entry::new(name, "", data));
    }
    Ok(Package {
        container: Container::Zip,
        entries,
    })
}

/// One entry's central directory record: a regular file, not encrypted, stored or deflated,
/// within the size, total and ratio limits (`total` adds up the declared sizes so far).
fn check_declared(
    f: &zip::read::ZipFileEntry<'_>,
    name: &str,
    file_len: u64,
    total: &mut u64,
    limits: &Limits,
) -> Result<Declared, PackageError> {
    let mode = f.unix_mode().unwrap_or(0);
    if f.is_symlink() || (mode & 0o170000 != 0 && mode & 0o170000 != 0o100000) {
        if f.is_dir() {
            return Err(PackageError::Directory { name: name.into() });
        }
        return Err(PackageError::Symlink { name: name.into() });
    }
    if f.is_dir() {
        return Err(PackageError::Directory { name: name.into() });
    }
    if f.encrypted() {
        return Err(PackageError::Encrypted { name: name.into() });
    }
    let method = f.compression();
    if !matches!(
        method,
        CompressionMethod::Stored | CompressionMethod::Deflated
    ) {
        return Err(PackageError::UnsupportedCompression {
            name: name.into(),
            method: format!("{method:?}"),
        });
    }
    let (size, csize) = (f.size(), f.compressed_size());
    if size > limits.max_entry_size {
        return Err(PackageError::too_large(
            format!("declared size of entry {name:?}"),
            size,
            limits.max_entry_size,
        ));
    }
    *total = total.saturating_add(size);
    at_most("declared total size", *total, limits.max_total_size)?;
    if size > limits.ratio_floor && size / csize.max(1) > limits.max_ratio {
        return Err(PackageError::too_large(
            format!("compression ratio of entry {name:?}"),
            size / csize.max(1),
            limits.max_ratio,
        ));
    }
    if method == CompressionMethod::Stored && size != csize {
        return Err(PackageError::SizeMismatch {
            name: name.into(),
            declared: size,
            actual: csize,
        });
    }
    if csize > file_len {
        return Err(PackageError::Zip(format!(
            "entry {name:?}: compressed size beyond the file"
        )));
    }
    Ok(Declared {
        method,
        size,
        csize,
        crc: f.crc32(),
    })
}

/// The entry's data from its compressed bytes (read up to one byte over the declared
/// compressed size), inflated up to one byte over the declared size; both sizes and the CRC-32
/// must match.
fn inflate_checked(raw: Vec<u8>, name: &str, d: &Declared) -> Result<Vec<u8>, PackageError> {
    if raw.len() as u64 != d.csize {
        return Err(PackageError::Zip(format!(
            "entry {name:?}: compressed data truncated"
        )));
    }
    let data = match d.method {
        CompressionMethod::Stored => raw,
        _ => {
            let mut out = Vec::new();
            flate2::read::DeflateDecoder::new(raw.as_slice())
                .take(d.size.saturating_add(1))
                .read_to_end(&mut out)
                .map_err(|e| PackageError::Zip(format!("entry {name:?}: inflating: {e}")))?;
            out
        }
    };
    if data.len() as u64 != d.size {
        return Err(PackageError::SizeMismatch {
            name: name.into(),
            declared: d.size,
            actual: data.len() as u64,
        });
    }
    let mut c = flate2::Crc::new();
    c.update(&data);
    if c.sum() != d.crc {
        return Err(PackageError::Zip(format!(
            "entry {name:?}: CRC-32 mismatch"
        )));
    }
    Ok(data)
}
