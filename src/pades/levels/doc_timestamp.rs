//! The document timestamp (ISO 32000-2 §12.8.5, ETSI EN 319 142-1 §5.4.3): a new invisible
//! signature field whose value is `/Type /DocTimeStamp /SubFilter /ETSI.RFC3161`, with an
//! RFC 3161 token over the two byte ranges in `/Contents`.

use crate::cades::levels::TIMESTAMP_DIGEST;
use crate::error::{Error, Result};
use crate::pades::ranges::{Seekable, SignedRanges};
use crate::pades::sign::{DictKind, PadesOptions, write_contents, write_update};
use crate::tsp::TimestampAuthority;
use std::io::{Read, Seek, Write};

/// Bytes reserved for the token at the first attempt (a token with a two-certificate chain
/// is 3–6 KiB).
const FIRST_RESERVE: usize = 10 * 1024;
/// Room added to a measured token when retrying (the next token may be a little larger).
const RETRY_MARGIN: usize = 4096;
/// Attempts: the first with [`FIRST_RESERVE`], then with the size measured.
const ATTEMPTS: usize = 3;

/// Adds a document timestamp from `tsa` to the PDF `input`, writing `output`. When the token
/// does not fit the room reserved, the update is written again with room for the measured
/// size and a new token is requested (its imprint changes with the byte ranges).
pub fn add_document_timestamp<R: Read + Seek, W: Read + Write + Seek>(
    mut input: R,
    output: &mut W,
    tsa: &dyn TimestampAuthority,
) -> Result<()> {
    let mut reserve = FIRST_RESERVE;
    let options = PadesOptions::default();
    for _ in 0..ATTEMPTS {
        let placed = write_update(
            &mut input,
            output,
            &options,
            &DictKind::DocumentTimestamp,
            reserve,
        )?;
        let digest = TIMESTAMP_DIGEST
            .digest_reader(SignedRanges::new(Seekable(output), placed.ranges()))
            .map_err(|e| Error::io("hashing the byte ranges", e))?;
        let token = tsa.timestamp(TIMESTAMP_DIGEST, &digest)?;
        match write_contents(
            output,
            placed.contents_offset,
            placed.hex_len,
            token.as_der(),
        ) {
            Err(Error::ContentsTooSmall { needed, .. }) => reserve = needed + RETRY_MARGIN,
            other => return other,
        }
    }
    Err(Error::ContentsTooSmall {
        needed: reserve,
        reserved: reserve,
    })
}
