//! The document timestamp (ISO 32000-2 §12.8.5, ETSI EN 319 142-1 §5.4.3): a new invisible
//! signature field whose value is `/Type /DocTimeStamp /SubFilter /ETSI.RFC3161`, with an
//! RFC 3161 token over the two byte ranges in `/Contents`.

use crate::cades::levels::TIMESTAMP_DIGEST;
use crate::error::{Error, Result};
use crate::pades::ranges::{Seekable, SignedRanges};
use crate::pades::sign::{DictKind, PadesOptions, append_update, write_contents};
use crate::tsp::TimestampAuthority;
use std::io::{Read, Seek, Write};

/// Bytes reserved for the token at the first attempt (a token with a two-certificate chain
/// is 3–6 KiB).
const FIRST_RESERVE: usize = 10 * 1024;
/// Room added to a measured token when retrying (the next token may be a little larger).
const RETRY_MARGIN: usize = 4096;
/// Attempts: the first with [`FIRST_RESERVE`], then with the size measured.
const ATTEMPTS: usize = 3;

/// Adds a document timestamp from `tsa` to the PDF `input`, writing `output` (the PDF is
/// streamed: copied, then the update appended). When the token does not fit the room
/// reserved, the update is written again with room for the measured size and a new token is
/// requested (its imprint changes with the byte ranges).
pub fn add_document_timestamp<R: Read + Seek, W: Read + Write + Seek>(
    mut input: R,
    output: &mut W,
    tsa: &dyn TimestampAuthority,
) -> Result<()> {
    let len = super::copy_pdf(&mut input, output)?;
    append_document_timestamp(output, len, tsa).map(drop)
}

/// [`add_document_timestamp`] appended in place to `file`, whose first `base_len` bytes are
/// the PDF; returns the new length.
pub(super) fn append_document_timestamp<F: Read + Write + Seek>(
    file: &mut F,
    base_len: u64,
    tsa: &dyn TimestampAuthority,
) -> Result<u64> {
    let mut reserve = FIRST_RESERVE;
    let options = PadesOptions::default();
    for _ in 0..ATTEMPTS {
        // A retry rewrites the update after the same `base_len` bytes, larger each time.
        let placed = append_update(
            file,
            base_len,
            &options,
            &DictKind::DocumentTimestamp,
            reserve,
        )?;
        let digest = TIMESTAMP_DIGEST
            .digest_reader(SignedRanges::new(Seekable(file), placed.ranges()))
            .map_err(|e| Error::io("hashing the byte ranges", e))?;
        let token = tsa.timestamp(TIMESTAMP_DIGEST, &digest)?;
        match write_contents(file, placed.contents_offset, placed.hex_len, token.as_der()) {
            Err(Error::ContentsTooSmall { needed, .. }) => reserve = needed + RETRY_MARGIN,
            Err(e) => return Err(e),
            Ok(()) => return Ok(placed.total),
        }
    }
    Err(Error::ContentsTooSmall {
        needed: reserve,
        reserved: reserve,
    })
}
