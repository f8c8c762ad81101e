//! PEM text (RFC 7468): recognising it and extracting the DER of its blocks, for certificates,
//! CRLs and keys.

use crate::error::{Error, Result};

/// Whether `data` starts (after white space) with a PEM encapsulation boundary.
pub(crate) fn looks_like_pem(data: &[u8]) -> bool {
    let start = data
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(data.len());
    data.get(start..)
        .is_some_and(|d| d.starts_with(b"-----BEGIN "))
}

/// Extracts every PEM block with the given label from `text` (other labels are skipped).
pub(crate) fn pem_blocks(text: &str, label: &str) -> Vec<Result<Vec<u8>>> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(b) = rest.find(&begin) {
        let after = rest.get(b..).unwrap_or_default();
        let Some(e) = after.find(&end) else {
            out.push(Err(Error::malformed(
                "PEM",
                format!("unterminated {label} block"),
            )));
            break;
        };
        let block_end = e + end.len();
        let block = after.get(..block_end).unwrap_or_default();
        out.push(
            der::pem::decode_vec(block.as_bytes())
                .map(|(_, der)| der)
                .map_err(|e| Error::malformed("PEM", e)),
        );
        rest = after.get(block_end..).unwrap_or_default();
    }
    out
}
