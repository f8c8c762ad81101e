//! Format detection: is a file a PDF, a CMS signature or a signature package?
//!
//! [`detect`] looks only at the first bytes ([`HEAD_LEN`] of them are enough), so a caller can
//! decide how to read a file before reading it whole: a PDF is verified streamed, a CMS is parsed
//! from memory, a package is opened as a container.
//!
//! ```
//! use sigform::format::{FileFormat, detect};
//!
//! assert_eq!(detect(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"), FileFormat::Pdf);
//! assert_eq!(detect(b"PK\x03\x04\x14\x00"), FileFormat::ZipPackage);
//! assert_eq!(detect(b"\x30\x82\x05\x3c\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02"), FileFormat::Cms);
//! ```

use std::io::Read;
use std::path::Path;

/// How many leading bytes [`detect`] reads: ISO 32000-1 readers accept the `%PDF-` header
/// within the first 1024 bytes (Adobe's implementation note 13); the header itself is 5 more.
pub const HEAD_LEN: usize = 1029;

/// What a file is, judged from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileFormat {
    /// A PDF: a `%PDF-` header within the first 1024 bytes.
    Pdf,
    /// A zip container (a signature package): the local file header signature `PK\x03\x04`.
    ZipPackage,
    /// A JSON document (a signature package in its JSON form): `{` after optional white space
    /// and a UTF-8 byte order mark.
    JsonPackage,
    /// A CMS / PKCS#7 structure in PEM (`-----BEGIN PKCS7-----`, `-----BEGIN CMS-----`).
    CmsPem,
    /// Anything else: read as a DER or BER CMS `ContentInfo`; its parser says whether it is one.
    Cms,
}

/// The format of a file from its first bytes (at most [`HEAD_LEN`] are looked at).
pub fn detect(head: &[u8]) -> FileFormat {
    let head = head.get(..HEAD_LEN).unwrap_or(head);
    // A CMS ContentInfo of signedData whose attached content is a PDF holds `%PDF-` early:
    // the ContentInfo's own start decides first.
    if is_signed_data_start(head) {
        return FileFormat::Cms;
    }
    if head.windows(5).any(|w| w == b"%PDF-") {
        return FileFormat::Pdf;
    }
    if head.starts_with(b"PK\x03\x04") {
        return FileFormat::ZipPackage;
    }
    let text = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    let trimmed = text.trim_ascii_start();
    if trimmed.starts_with(b"{") {
        return FileFormat::JsonPackage;
    }
    if trimmed.starts_with(b"-----BEGIN PKCS7-----") || trimmed.starts_with(b"-----BEGIN CMS-----")
    {
        return FileFormat::CmsPem;
    }
    FileFormat::Cms
}

/// True when `head` starts a DER/BER SEQUENCE whose first element is the signedData OID
/// (1.2.840.113549.1.7.2), as a CMS ContentInfo does.
fn is_signed_data_start(head: &[u8]) -> bool {
    const SIGNED_DATA: &[u8] = &[
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02,
    ];
    let Some((&0x30, rest)) = head.split_first() else {
        return false;
    };
    // The length octets: short form, indefinite (0x80), or long form 0x81..=0x84.
    let skip = match rest.first() {
        Some(&l) if l <= 0x80 => 1,
        Some(&l) if (0x81..=0x84).contains(&l) => 1 + usize::from(l & 0x7f),
        _ => return false,
    };
    rest.get(skip..).is_some_and(|r| r.starts_with(SIGNED_DATA))
}

/// The format of the file at `path`, reading at most [`HEAD_LEN`] bytes of it.
///
/// ```no_run
/// # fn main() -> std::io::Result<()> {
/// match sigform::format::detect_file("signed.pdf")? {
///     sigform::format::FileFormat::Pdf => println!("a PDF"),
///     other => println!("{other:?}"),
/// }
/// # Ok(()) }
/// ```
pub fn detect_file(path: impl AsRef<Path>) -> std::io::Result<FileFormat> {
    let mut head = Vec::with_capacity(HEAD_LEN);
    std::fs::File::open(path)?
        .take(HEAD_LEN as u64)
        .read_to_end(&mut head)?;
    Ok(detect(&head))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdf_header_within_1024_bytes() {
        let mut late = vec![b' '; 1024];
        late.extend_from_slice(b"%PDF-1.4");
        assert_eq!(detect(&late), FileFormat::Pdf);
        let mut too_late = vec![b' '; 1025];
        too_late.extend_from_slice(b"%PDF-1.4");
        assert_eq!(detect(&too_late), FileFormat::Cms);
    }

    #[test]
    fn containers_and_pem() {
        assert_eq!(
            detect(b"\xef\xbb\xbf \n{\"manifest\":1}"),
            FileFormat::JsonPackage
        );
        assert_eq!(detect(b"PK\x03\x04"), FileFormat::ZipPackage);
        assert_eq!(detect(b"PK\x05\x06"), FileFormat::Cms);
        assert_eq!(detect(b"\n-----BEGIN PKCS7-----\nMIIB"), FileFormat::CmsPem);
        assert_eq!(detect(b""), FileFormat::Cms);
    }

    #[test]
    fn cms_whose_attached_content_is_a_pdf() {
        let mut cms = vec![0x30, 0x82, 0x10, 0x00];
        cms.extend_from_slice(&[
            0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02,
        ]);
        cms.extend_from_slice(b"\xa0\x80%PDF-1.7");
        assert_eq!(detect(&cms), FileFormat::Cms);
        let mut pdf = b"0 %PDF-1.7".to_vec();
        pdf.insert(0, 0x30);
        assert_eq!(detect(&pdf), FileFormat::Pdf);
    }
}
