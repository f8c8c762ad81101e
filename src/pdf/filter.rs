//! Stream filters: FlateDecode (with PNG and TIFF predictors), ASCIIHexDecode, ASCII85Decode.
//! Every decoder refuses output beyond a caller-given limit (decompression bombs).

use std::io::{Read, Write};

use super::object::{Dictionary, Object, is_whitespace};
use super::parser::hex_val;
use super::{PdfError, Result};

/// Most filters in one `/Filter` array.
const MAX_FILTERS: usize = 8;

/// Decodes `data` through the filters named in `dict` (`/Filter`, `/DecodeParms`), refusing
/// output longer than `limit` bytes.
pub fn decode(dict: &Dictionary, data: &[u8], limit: u64) -> Result<Vec<u8>> {
    let filters: Vec<&[u8]> = match dict.get("Filter") {
        None | Some(Object::Null) => return bounded_copy(data, limit),
        Some(Object::Name(n)) => vec![n.as_slice()],
        Some(Object::Array(items)) => {
            if items.len() > MAX_FILTERS {
                return Err(PdfError::TooLarge {
                    what: format!("/Filter array of {} filters", items.len()),
                });
            }
            items
                .iter()
                .map(|o| {
                    o.as_name().ok_or_else(|| {
                        PdfError::Unsupported(format!("/Filter entry is a {}", o.type_name()))
                    })
                })
                .collect::<Result<_>>()?
        }
        Some(o) => {
            return Err(PdfError::Unsupported(format!(
                "/Filter is a {}",
                o.type_name()
            )));
        }
    };
    let parms: Vec<Option<&Dictionary>> = match dict.get("DecodeParms") {
        None | Some(Object::Null) => vec![None; filters.len()],
        Some(Object::Dictionary(d)) => {
            let mut v = vec![None; filters.len()];
            if let Some(first) = v.first_mut() {
                *first = Some(d);
            }
            v
        }
        Some(Object::Array(items)) => (0..filters.len())
            .map(|i| items.get(i).and_then(|o| o.as_dict()))
            .collect(),
        Some(o) => {
            return Err(PdfError::Unsupported(format!(
                "/DecodeParms is a {}",
                o.type_name()
            )));
        }
    };
    let mut current: Option<Vec<u8>> = None;
    for (name, parm) in filters.iter().zip(parms) {
        let input: &[u8] = current.as_deref().unwrap_or(data);
        let out = match *name {
            b"FlateDecode" | b"Fl" => {
                let raw = inflate(input, limit)?;
                apply_predictor(raw, parm, limit)?
            }
            b"ASCIIHexDecode" | b"AHx" => ascii_hex(input, limit)?,
            b"ASCII85Decode" | b"A85" => ascii85(input, limit)?,
            other => {
                return Err(PdfError::Unsupported(format!(
                    "stream filter /{}",
                    String::from_utf8_lossy(other)
                )));
            }
        };
        current = Some(out);
    }
    match current {
        Some(v) => Ok(v),
        None => bounded_copy(data, limit),
    }
}

fn bounded_copy(data: &[u8], limit: u64) -> Result<Vec<u8>> {
    if data.len() as u64 > limit {
        return Err(too_large(limit));
    }
    Ok(data.to_vec())
}

fn too_large(limit: u64) -> PdfError {
    PdfError::TooLarge {
        what: format!("decoded stream larger than the limit of {limit} bytes"),
    }
}

/// Inflates zlib data, refusing more than `limit` output bytes.
pub fn inflate(data: &[u8], limit: u64) -> Result<Vec<u8>> {
    let mut dec = flate2::read::ZlibDecoder::new(data).take(limit.saturating_add(1));
    let mut out = Vec::new();
    dec.read_to_end(&mut out)
        .map_err(|e| PdfError::Decode(format!("FlateDecode: {e}")))?;
    if out.len() as u64 > limit {
        return Err(too_large(limit));
    }
    Ok(out)
}

/// Compresses with zlib (FlateDecode).
pub fn flate_encode(data: &[u8]) -> Result<Vec<u8>> {
    let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data)
        .and_then(|_| enc.finish())
        .map_err(|e| PdfError::Decode(format!("FlateDecode (encoding): {e}")))
}

fn parm_int(parm: Option<&Dictionary>, key: &str, default: i64) -> i64 {
    parm.and_then(|d| d.get_int(key)).unwrap_or(default)
}

fn apply_predictor(data: Vec<u8>, parm: Option<&Dictionary>, limit: u64) -> Result<Vec<u8>> {
    let predictor = parm_int(parm, "Predictor", 1);
    if predictor == 1 {
        return Ok(data);
    }
    let colors = parm_int(parm, "Colors", 1);
    let bpc = parm_int(parm, "BitsPerComponent", 8);
    let columns = parm_int(parm, "Columns", 1);
    if !(1..=32).contains(&colors)
        || ![1, 2, 4, 8, 16].contains(&bpc)
        || !(1..=1 << 24).contains(&columns)
    {
        return Err(PdfError::Decode(format!(
            "bad predictor parameters /Colors {colors} /BitsPerComponent {bpc} /Columns {columns}"
        )));
    }
    // All three are small positive numbers now: at most 512 bits per pixel, 2^33 bits a row.
    let bits_per_pixel = (colors * bpc) as u64;
    let bpp = usize::try_from(bits_per_pixel.div_ceil(8).max(1)).unwrap_or(64);
    let row_len = usize::try_from((bits_per_pixel * columns as u64).div_ceil(8)).map_err(|_| {
        PdfError::TooLarge {
            what: "predictor row".into(),
        }
    })?;
    if row_len as u64 > limit {
        return Err(too_large(limit));
    }
    match predictor {
        2 => {
            if bpc != 8 {
                return Err(PdfError::Unsupported(format!(
                    "TIFF predictor with {bpc} bits per component"
                )));
            }
            let mut out = data;
            for row in out.chunks_mut(row_len) {
                for i in bpp..row.len() {
                    let left = row.get(i - bpp).copied().unwrap_or(0);
                    if let Some(b) = row.get_mut(i) {
                        *b = b.wrapping_add(left);
                    }
                }
            }
            Ok(out)
        }
        10..=15 => png_unpredict(&data, row_len, bpp, limit),
        p => Err(PdfError::Unsupported(format!("predictor {p}"))),
    }
}

fn png_unpredict(data: &[u8], row_len: usize, bpp: usize, limit: u64) -> Result<Vec<u8>> {
    let stride = row_len.saturating_add(1);
    let rows = data.len() / stride;
    if rows == 0 {
        // Not even one row: nothing to allocate rows for.
        return Ok(Vec::new());
    }
    if rows as u64 * row_len as u64 > limit {
        return Err(too_large(limit));
    }
    let mut out: Vec<u8> = Vec::with_capacity(rows * row_len);
    let mut prev = vec![0u8; row_len];
    let mut cur = vec![0u8; row_len];
    // A final partial row is ignored, as other readers do.
    for chunk in data.chunks_exact(stride) {
        let Some((&kind, raw)) = chunk.split_first() else {
            break;
        };
        for i in 0..row_len {
            let x = raw.get(i).copied().unwrap_or(0);
            let a = if i >= bpp {
                cur.get(i - bpp).copied().unwrap_or(0)
            } else {
                0
            };
            let b = prev.get(i).copied().unwrap_or(0);
            let c = if i >= bpp {
                prev.get(i - bpp).copied().unwrap_or(0)
            } else {
                0
            };
            let v = match kind {
                0 => x,
                1 => x.wrapping_add(a),
                2 => x.wrapping_add(b),
                3 => x.wrapping_add(((u16::from(a) + u16::from(b)) / 2) as u8),
                4 => x.wrapping_add(paeth(a, b, c)),
                k => {
                    return Err(PdfError::Decode(format!("PNG predictor row type {k}")));
                }
            };
            if let Some(slot) = cur.get_mut(i) {
                *slot = v;
            }
        }
        out.extend_from_slice(&cur);
        std::mem::swap(&mut prev, &mut cur);
    }
    Ok(out)
}

fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let p = i16::from(a) + i16::from(b) - i16::from(c);
    let pa = (p - i16::from(a)).abs();
    let pb = (p - i16::from(b)).abs();
    let pc = (p - i16::from(c)).abs();
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}

fn ascii_hex(data: &[u8], limit: u64) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(data.len() / 2);
    let mut high: Option<u8> = None;
    for &b in data {
        if b == b'>' {
            break;
        }
        if is_whitespace(b) {
            continue;
        }
        let v = hex_val(b)
            .ok_or_else(|| PdfError::Decode(format!("ASCIIHexDecode: byte 0x{b:02X}")))?;
        match high.take() {
            None => high = Some(v),
            Some(h) => out.push(h << 4 | v),
        }
    }
    if let Some(h) = high {
        out.push(h << 4);
    }
    if out.len() as u64 > limit {
        return Err(too_large(limit));
    }
    Ok(out)
}

fn ascii85(data: &[u8], limit: u64) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(data.len() / 5 * 4 + 4);
    let mut group = [0u8; 5];
    let mut n = 0usize;
    for b in data.iter().copied() {
        if is_whitespace(b) {
            continue;
        }
        if b == b'~' {
            break;
        }
        if b == b'z' {
            if n != 0 {
                return Err(PdfError::Decode("ASCII85Decode: 'z' inside a group".into()));
            }
            out.extend_from_slice(&[0, 0, 0, 0]);
        } else if (b'!'..=b'u').contains(&b) {
            if let Some(slot) = group.get_mut(n) {
                *slot = b - b'!';
            }
            n += 1;
            if n == 5 {
                let v = group.iter().fold(0u64, |acc, &d| acc * 85 + u64::from(d));
                let v = u32::try_from(v)
                    .map_err(|_| PdfError::Decode("ASCII85Decode: group overflow".into()))?;
                out.extend_from_slice(&v.to_be_bytes());
                n = 0;
            }
        } else {
            return Err(PdfError::Decode(format!("ASCII85Decode: byte 0x{b:02X}")));
        }
        if out.len() as u64 > limit {
            return Err(too_large(limit));
        }
    }
    if n == 1 {
        return Err(PdfError::Decode("ASCII85Decode: a lone final digit".into()));
    }
    if n > 1 {
        for slot in group.iter_mut().skip(n) {
            *slot = 84;
        }
        let v = group.iter().fold(0u64, |acc, &d| acc * 85 + u64::from(d));
        let v = u32::try_from(v)
            .map_err(|_| PdfError::Decode("ASCII85Decode: group overflow".into()))?;
        out.extend_from_slice(v.to_be_bytes().get(..n - 1).unwrap_or(&[]));
    }
    if out.len() as u64 > limit {
        return Err(too_large(limit));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flate_round_trip_and_limit() {
        let plain = vec![7u8; 100_000];
        let enc = flate_encode(&plain).unwrap();
        assert_eq!(inflate(&enc, 100_000).unwrap(), plain);
        assert!(matches!(
            inflate(&enc, 99_999),
            Err(PdfError::TooLarge { .. })
        ));
        assert!(inflate(b"not zlib", 100).is_err());
    }

    #[test]
    fn png_up_predictor() {
        // two rows of 3 columns, predictor Up (2)
        let data = [2u8, 1, 2, 3, 2, 1, 1, 1];
        let out = png_unpredict(&data, 3, 1, 100).unwrap();
        assert_eq!(out, vec![1, 2, 3, 2, 3, 4]);
        assert!(png_unpredict(&[9, 0, 0, 0], 3, 1, 100).is_err());
    }

    #[test]
    fn ascii_filters() {
        assert_eq!(ascii_hex(b"48 65 6C6C 6f7>", 100).unwrap(), b"Hello\x70");
        assert_eq!(ascii85(b"87cURD]i,\"Ebo7~>", 100).unwrap(), b"Hello World");
        assert_eq!(ascii85(b"z~>", 100).unwrap(), vec![0, 0, 0, 0]);
        assert!(ascii85(b"s8W-\"~>", 100).is_err());
    }
}
