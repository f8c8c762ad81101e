//! The Document Security Store update (ETSI EN 319 142-1 §5.4.2, ISO 32000-2 §12.8.4.3): the
//! catalog's `/DSS` gains `/Certs`, `/OCSPs` and `/CRLs` streams (existing entries kept, the
//! same data never added twice). `/VRI` is not written: it is optional, and verifiers (ours
//! included) must not rely on it.

use super::{ValidationData, certificates_to_validate};
use crate::error::{Error, Result};
use crate::pades::ranges::Prefix;
use crate::pades::sign::{Base, write_appended};
use crate::pdf::object::{Dictionary, ObjRef, Object, Stream};
use crate::pdf::writer::IncrementalWriter;
use crate::pdf::{Reader, ReaderOptions};
use std::collections::HashSet;
use std::io::{Read, Seek, Write};

/// Most entries of each kind in a DSS this writer extends.
const MAX_ENTRIES: usize = 1_000;

/// Adds `data` and the certificates of the PDF's signatures and timestamps to its DSS (made
/// when absent), writing `input` plus that update to `output` (the PDF is streamed: copied,
/// then the update appended).
pub fn add_validation_data<R: Read + Seek, W: Read + Write + Seek>(
    mut input: R,
    output: &mut W,
    data: &ValidationData,
) -> Result<()> {
    let len = super::copy_pdf(&mut input, output)?;
    append_validation_data(output, len, data).map(drop)
}

/// [`add_validation_data`] appended in place to `file`, whose first `base_len` bytes are the
/// PDF; returns the new length.
pub(super) fn append_validation_data<F: Read + Write + Seek>(
    file: &mut F,
    base_len: u64,
    data: &ValidationData,
) -> Result<u64> {
    let crls = data.checked_crls()?;
    let mut certs = certificates_to_validate(Prefix::new(file, base_len))?;
    certs.extend(data.certificates.iter().cloned());
    let mut pdf = Prefix::new(file, base_len);
    let reader = Reader::from_reader_with(&mut pdf, ReaderOptions::default())?;
    if reader.is_encrypted() {
        return Err(Error::Unsupported("encrypted PDF not supported".into()));
    }
    let catalog_ref = reader
        .catalog_ref()
        .ok_or_else(|| Error::malformed("PDF trailer", "no /Root reference"))?;
    let mut catalog = reader.catalog()?;
    let (dss_ref, mut dss) = existing_dss(&reader, &catalog)?;
    let mut writer = IncrementalWriter::new(&reader)?;
    for (key, items) in [
        ("Certs", &certs),
        ("OCSPs", &data.ocsp_responses),
        ("CRLs", &crls),
    ] {
        merge_entries(&reader, &mut writer, &mut dss, key, items)?;
    }
    match dss_ref {
        Some(r) => writer.update(r, Object::Dictionary(dss)),
        None => {
            let r = writer.add(Object::Dictionary(dss));
            catalog.insert("DSS", Object::Reference(r));
            writer.update(catalog_ref, Object::Dictionary(catalog));
        }
    }
    let separator = reader.append_separator().to_vec();
    let base_len = reader.file_len();
    drop(reader);
    let report = write_appended(Base::<F>::InPlace, file, writer, &separator, base_len)?;
    Ok(report.total_len)
}

/// The catalog's DSS: its object (when indirect) and dictionary; a new one when absent.
fn existing_dss<R: Read + Seek>(
    reader: &Reader<R>,
    catalog: &Dictionary,
) -> Result<(Option<ObjRef>, Dictionary)> {
    let dss_ref = catalog.get("DSS").and_then(Object::as_reference);
    match reader.resolve_key(catalog, "DSS")? {
        Object::Dictionary(d) => Ok((dss_ref, d)),
        Object::Null => {
            let mut d = Dictionary::new();
            d.insert("Type", Object::name("DSS"));
            Ok((None, d))
        }
        o => Err(Error::malformed(
            "PDF catalog",
            format!("/DSS is a {}, not a dictionary", o.type_name()),
        )),
    }
}

/// Adds to `dss[key]` a stream for each of `items` not already there.
fn merge_entries<R: Read + Seek>(
    reader: &Reader<R>,
    writer: &mut IncrementalWriter,
    dss: &mut Dictionary,
    key: &str,
    items: &[Vec<u8>],
) -> Result<()> {
    let mut entries = match reader.resolve_key(dss, key)? {
        Object::Array(a) => a,
        Object::Null => Vec::new(),
        o => {
            return Err(Error::malformed(
                "PDF /DSS",
                format!("/{key} is a {}, not an array", o.type_name()),
            ));
        }
    };
    let mut present: HashSet<Vec<u8>> = HashSet::new();
    for e in entries.iter().take(MAX_ENTRIES) {
        if let Ok(Object::Stream(s)) = reader.resolve(e)
            && let Ok(d) = reader.decode_stream(&s)
        {
            present.insert(d);
        }
    }
    for item in items {
        if entries.len() >= MAX_ENTRIES {
            return Err(Error::Unsupported(format!(
                "/DSS /{key} would hold more than {MAX_ENTRIES} entries"
            )));
        }
        if present.insert(item.clone()) {
            let r = writer.add(Object::Stream(Stream::new(Dictionary::new(), item.clone())));
            entries.push(Object::Reference(r));
        }
    }
    if !entries.is_empty() {
        dss.insert(key, Object::Array(entries));
    }
    Ok(())
}
