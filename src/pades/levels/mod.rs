//! PAdES baseline levels above B-B (ETSI EN 319 142-1): creating and extending them.
//!
//! - B-T: a signature-time-stamp inside the CMS, made while signing
//!   ([`crate::pades::sign::PadesOptions::timestamp_authority`]); for a PDF already signed
//!   without one, a document timestamp over the whole file ([`extend`]);
//! - B-LT: an incremental update adding the Document Security Store (`/DSS` with `/Certs`,
//!   `/OCSPs`, `/CRLs`) with the validation data of the signers' and the TSAs' chains
//!   ([`add_validation_data`], in `dss`);
//! - B-LTA: a document timestamp (`/Type /DocTimeStamp /SubFilter /ETSI.RFC3161`) over the
//!   file with its DSS ([`add_document_timestamp`], in `doc_timestamp`); adding the DSS for the
//!   last document timestamp's TSA and one more document timestamp renews it.
//!
//! Every step is an incremental update: the bytes already there, signatures included, are
//! copied unchanged. Verification of these levels is in [`crate::pades::verify`].

mod doc_timestamp;
mod dss;

pub use crate::cades::levels::ValidationData;
pub use doc_timestamp::add_document_timestamp;
pub use dss::add_validation_data;

use crate::asn1::oid;
use crate::asn1::tlv;
use crate::cades::parse::parse_signed_data;
use crate::error::{Error, Result};
use crate::pades::ranges::Prefix;
use crate::pades::verify::discovery::find_signatures;
use crate::pdf::{Object, Reader};
use crate::report::Level;
use crate::tsp::TimestampAuthority;
use std::io::{Read, Seek, SeekFrom, Write};

/// One signature dictionary of the file: whether it is a document timestamp, and its CMS.
struct SignatureCms {
    document_timestamp: bool,
    cms: Vec<u8>,
}

/// The CMS of every signature and document timestamp of the PDF (those whose `/Contents` can
/// be read).
fn signatures<R: Read + Seek>(reader: &Reader<R>) -> Result<Vec<SignatureCms>> {
    let last = reader
        .revisions()
        .len()
        .checked_sub(1)
        .ok_or_else(|| Error::malformed("PDF", "no revision"))?;
    let (mut problems, mut warnings) = (Vec::new(), Vec::new());
    let mut out = Vec::new();
    for found in find_signatures(reader, last, &mut problems, &mut warnings) {
        let Some(d) = found.dict else { continue };
        let Some(Object::String(s)) = d.get("Contents") else {
            continue;
        };
        let Ok((cms, _padding)) = tlv::split_first(&s.bytes) else {
            continue;
        };
        out.push(SignatureCms {
            document_timestamp: d.get_name("SubFilter") == Some(b"ETSI.RFC3161".as_slice()),
            cms: cms.to_vec(),
        });
    }
    Ok(out)
}

/// Whether the signature `cms` carries a signature-time-stamp.
fn has_signature_timestamp(cms: &[u8]) -> bool {
    let Ok(der) = tlv::normalize(cms) else {
        return false;
    };
    parse_signed_data(&der).is_ok_and(|sd| {
        sd.signer_infos
            .iter()
            .all(|si| !si.unsigned_attr(&oid::SIGNATURE_TIMESTAMP).is_empty())
    })
}

/// The certificates of the PDF whose revocation status B-LT needs: those of every signature
/// and of its timestamp tokens, and of every document timestamp (DER, each once).
pub fn certificates_to_validate<R: Read + Seek>(input: R) -> Result<Vec<Vec<u8>>> {
    let reader = Reader::from_reader(input)?;
    let mut out = Vec::new();
    for s in signatures(&reader)? {
        out.extend(crate::cades::levels::certificates_to_validate(&s.cms)?);
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// Whether B-T needs a document timestamp: some signature has no signature-time-stamp and no
/// document timestamp follows it (none in the file).
fn needs_document_timestamp<R: Read + Seek>(reader: &Reader<R>) -> Result<bool> {
    let sigs = signatures(reader)?;
    if sigs.iter().any(|s| s.document_timestamp) {
        return Ok(false);
    }
    if sigs.is_empty() {
        return Err(Error::InvalidArgument(
            "the PDF has no signature to extend".into(),
        ));
    }
    Ok(sigs.iter().any(|s| !has_signature_timestamp(&s.cms)))
}

/// Extends the signed PDF `input` to `level`, writing `output`: B-T adds a document timestamp
/// when a signature has no signature-time-stamp (and no document timestamp covers it); B-LT
/// also adds a DSS with `data` and the certificates of the signatures and their timestamps;
/// B-LTA also adds a document timestamp. From B-LTA, B-LTA again renews: a DSS with the last
/// document timestamp's validation data, then a new document timestamp.
///
/// The PDF is streamed: copied to `output` once, each update then appended to it in place
/// (memory stays bounded whatever the file size). On an error `output` holds a partial file.
pub fn extend<R: Read + Seek, W: Read + Write + Seek>(
    mut input: R,
    output: &mut W,
    level: Level,
    tsa: &dyn TimestampAuthority,
    data: &ValidationData,
) -> Result<()> {
    if level == Level::BB {
        return Err(Error::InvalidArgument(
            "extension goes to B-T, B-LT or B-LTA".into(),
        ));
    }
    let mut len = copy_pdf(&mut input, output)?;
    if needs_document_timestamp(&Reader::from_reader(Prefix::new(output, len))?)? {
        len = doc_timestamp::append_document_timestamp(output, len, tsa)?;
    }
    if level >= Level::BLT {
        len = dss::append_validation_data(output, len, data)?;
    }
    if level == Level::BLTA {
        doc_timestamp::append_document_timestamp(output, len, tsa)?;
    }
    output.flush().map_err(|e| Error::io("writing the PDF", e))
}

/// Copies the PDF `input` to the start of `output`; returns its length.
fn copy_pdf<R: Read + Seek, W: Write + Seek>(input: &mut R, output: &mut W) -> Result<u64> {
    input
        .seek(SeekFrom::Start(0))
        .map_err(|e| Error::io("reading the PDF", e))?;
    output
        .seek(SeekFrom::Start(0))
        .and_then(|_| std::io::copy(input, output))
        .map_err(|e| Error::io("writing the PDF", e))
}
