//! The signature dictionary with its placeholders (a fixed-width `/ByteRange`, a zero-filled
//! `/Contents`), the signed file written around it, and the real `/ByteRange` written into
//! the placeholder once the offsets are known.

use super::PadesOptions;
use crate::error::{Error, Result};
use crate::pdf::object::{ObjRef, Object, PdfString};
use crate::pdf::writer::{IncrementalWriter, WriteReport};
use std::io::{Read, Seek, SeekFrom, Write};
use std::time::SystemTime;

const BYTE_RANGE_PLACEHOLDER: &str = "[0 0000000000 0000000000 0000000000]";

/// Where the placeholders are in the serialised signature dictionary.
pub(super) struct Slots {
    /// Offset of the `/ByteRange` placeholder in `body`.
    byte_range_at: usize,
    /// Offset of the first hex digit of `/Contents` in `body`.
    contents_at: usize,
    /// Number of hex digits reserved.
    pub(super) hex_len: usize,
}

/// What the dictionary with the placeholders is.
pub(crate) enum DictKind<'a> {
    /// A signature (`/Type /Sig`) by `name` at `time`.
    Signature { name: &'a str, time: SystemTime },
    /// A document timestamp (`/Type /DocTimeStamp /SubFilter /ETSI.RFC3161`).
    DocumentTimestamp,
}

/// Where the placeholders ended up in the written file.
pub(crate) struct Placed {
    /// Offset of the `<` of `/Contents`.
    pub(crate) contents_start: u64,
    /// Offset just after its `>`.
    pub(crate) contents_end: u64,
    /// Length of the whole file.
    pub(crate) total: u64,
    /// Offset of the first hex digit of `/Contents`.
    pub(crate) contents_offset: u64,
    /// Number of hex digits reserved.
    pub(crate) hex_len: usize,
}

impl Placed {
    /// The two signed ranges `(start, length)` of the `/ByteRange`.
    pub(crate) fn ranges(&self) -> [(u64, u64); 2] {
        [
            (0, self.contents_start),
            (self.contents_end, self.total - self.contents_end),
        ]
    }
}

/// Serialises the signature (or document timestamp) dictionary with room for
/// `contents_size` bytes of CMS; returns it and where its placeholders are. The strings
/// other than `/Contents` go through `string` (which encrypts them in an encrypted file, as
/// pyHanko does: ISO 32000-2 §7.6.2 exempts only `/Contents`).
pub(super) fn signature_dictionary(
    options: &PadesOptions,
    kind: &DictKind<'_>,
    contents_size: usize,
    string: &dyn Fn(PdfString) -> Result<PdfString>,
) -> Result<(Vec<u8>, Slots)> {
    let hex_len = contents_size * 2;
    let mut body = Vec::with_capacity(hex_len + 1024);
    match kind {
        DictKind::Signature { .. } => {
            body.extend_from_slice(b"<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /");
            body.extend_from_slice(options.subfilter.name().as_bytes());
        }
        DictKind::DocumentTimestamp => body.extend_from_slice(
            b"<< /Type /DocTimeStamp /Filter /Adobe.PPKLite /SubFilter /ETSI.RFC3161",
        ),
    }
    body.extend_from_slice(b"\n/ByteRange ");
    let byte_range_at = body.len();
    body.extend_from_slice(BYTE_RANGE_PLACEHOLDER.as_bytes());
    body.extend_from_slice(b"\n/Contents <");
    let contents_at = body.len();
    body.resize(body.len() + hex_len, b'0');
    body.extend_from_slice(b">");
    if let DictKind::Signature { name, time } = kind {
        signature_entries(&mut body, options, name, *time, string)?;
    }
    body.extend_from_slice(b" >>");
    let slots = Slots {
        byte_range_at,
        contents_at,
        hex_len,
    };
    Ok((body, slots))
}

/// `/M`, `/Name`, `/Reason`, `/Location`, `/ContactInfo` and the DocMDP `/Reference` of a
/// signature dictionary.
fn signature_entries(
    body: &mut Vec<u8>,
    options: &PadesOptions,
    signer_name: &str,
    signing_time: SystemTime,
    string: &dyn Fn(PdfString) -> Result<PdfString>,
) -> Result<()> {
    body.extend_from_slice(b"\n/M ");
    Object::String(string(PdfString::literal(
        crate::time::format_pdf_date(signing_time).into_bytes(),
    ))?)
    .write_pdf(body);
    body.extend_from_slice(b" /Name ");
    Object::String(string(PdfString::text(signer_name))?).write_pdf(body);
    for (key, value) in [
        ("Reason", &options.reason),
        ("Location", &options.location),
        ("ContactInfo", &options.contact_info),
    ] {
        if let Some(v) = value {
            body.extend_from_slice(format!(" /{key} ").as_bytes());
            Object::String(string(PdfString::text(v))?).write_pdf(body);
        }
    }
    if let Some(c) = options.certify {
        body.extend_from_slice(
            format!(
                "\n/Reference [<< /Type /SigRef /TransformMethod /DocMDP /TransformParams << /Type /TransformParams /P {} /V /1.2 >> >>]",
                c.p()
            )
            .as_bytes(),
        );
    }
    Ok(())
}

/// Where the `base_len` bytes an update follows come from.
pub(crate) enum Base<'a, R> {
    /// The first bytes of this input, copied to the output first.
    Copy(&'a mut R),
    /// The output's own first bytes: the update is appended in place (an extension that
    /// adds several updates one after the other writes the file once).
    InPlace,
}

/// Writes `output`: the first `base_len` bytes of `base`, `separator`, then the update.
pub(crate) fn write_appended<R: Read + Seek, W: Write + Seek>(
    base: Base<'_, R>,
    output: &mut W,
    writer: IncrementalWriter,
    separator: &[u8],
    base_len: u64,
) -> Result<WriteReport> {
    let io = |e| Error::io("writing the PDF update", e);
    match base {
        Base::Copy(input) => {
            input.seek(SeekFrom::Start(0)).map_err(io)?;
            output.seek(SeekFrom::Start(0)).map_err(io)?;
            let copied = std::io::copy(&mut input.by_ref().take(base_len), output).map_err(io)?;
            if copied != base_len {
                return Err(Error::io(
                    "copying the PDF",
                    std::io::Error::from(std::io::ErrorKind::UnexpectedEof),
                ));
            }
        }
        Base::InPlace => {
            output.seek(SeekFrom::Start(base_len)).map_err(io)?;
        }
    }
    output.write_all(separator).map_err(io)?;
    let report = writer.write(output, base_len + separator.len() as u64)?;
    output.flush().map_err(io)?;
    Ok(report)
}

/// Writes the signed file to `output`: the first `base_len` bytes of `base`, `separator`,
/// then the update, whose signature dictionary `sig_ref` is `sig`; then fills the
/// `/ByteRange` placeholder.
pub(super) fn write_signed_file<R: Read + Seek, W: Write + Seek>(
    base: Base<'_, R>,
    output: &mut W,
    writer: IncrementalWriter,
    (sig_ref, sig): (ObjRef, &Slots),
    separator: &[u8],
    base_len: u64,
) -> Result<Placed> {
    let io = |e| Error::io("writing the signed PDF", e);
    let report = write_appended(base, output, writer, separator, base_len)?;
    let written = report
        .object(sig_ref)
        .ok_or_else(|| Error::malformed("PDF update", "signature dictionary not written"))?;
    let contents_offset = written.body_offset + sig.contents_at as u64;
    let placed = Placed {
        contents_start: contents_offset - 1,                    // the '<'
        contents_end: contents_offset + sig.hex_len as u64 + 1, // after '>'
        total: report.total_len,
        contents_offset,
        hex_len: sig.hex_len,
    };
    let br = format!(
        "[0 {} {} {}]",
        placed.contents_start,
        placed.contents_end,
        placed.total - placed.contents_end
    );
    if br.len() > BYTE_RANGE_PLACEHOLDER.len() {
        return Err(Error::Unsupported(
            "file too large for the /ByteRange placeholder".into(),
        ));
    }
    let br_padded = format!("{br:<width$}", width = BYTE_RANGE_PLACEHOLDER.len());
    output
        .seek(SeekFrom::Start(
            written.body_offset + sig.byte_range_at as u64,
        ))
        .map_err(io)?;
    output.write_all(br_padded.as_bytes()).map_err(io)?;
    output.flush().map_err(io)?;
    Ok(placed)
}
