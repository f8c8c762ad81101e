//! Visible signature appearances: the text stamp (signer, date, reason) and an optional PNG image
//! (an electronic signer's handwritten graphism), with its alpha channel kept as an SMask.
//!
//! This module produces content-stream bytes and decoded image planes; `pades::sign` wraps them
//! in PDF objects. Text is set in the standard Helvetica font with WinAnsiEncoding, which covers
//! Portuguese ("João", "Conceição").

use crate::error::{Error, Result};

/// Largest image accepted (per side), and decoded size bound.
pub const MAX_IMAGE_SIDE: u32 = 4096;
const MAX_IMAGE_BYTES: usize = 64 * 1024 * 1024;

/// A decoded image ready to become an image XObject.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Image {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// 8-bit samples: RGB (3 per pixel) or gray (1 per pixel).
    pub samples: Vec<u8>,
    /// True when `samples` is RGB, false for gray.
    pub rgb: bool,
    /// 8-bit alpha, one per pixel, when the PNG has transparency (becomes the SMask).
    pub alpha: Option<Vec<u8>>,
}

/// Decodes a PNG (any colour type and depth; palettes and 16-bit are reduced to 8-bit).
pub fn decode_png(data: &[u8]) -> Result<Image> {
    let bad = |e: &dyn std::fmt::Display| Error::malformed("PNG image", e);
    let mut decoder = png::Decoder::new_with_limits(
        std::io::Cursor::new(data),
        png::Limits {
            bytes: MAX_IMAGE_BYTES,
        },
    );
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().map_err(|e| bad(&e))?;
    let (w, h) = {
        let info = reader.info();
        (info.width, info.height)
    };
    if w == 0 || h == 0 || w > MAX_IMAGE_SIDE || h > MAX_IMAGE_SIDE {
        return Err(Error::malformed(
            "PNG image",
            format!("{w}x{h} pixels (at most {MAX_IMAGE_SIDE} per side)"),
        ));
    }
    let size = reader
        .output_buffer_size()
        .ok_or_else(|| Error::malformed("PNG image", "too large"))?;
    if size > MAX_IMAGE_BYTES {
        return Err(Error::malformed("PNG image", "too large"));
    }
    let mut buf = vec![0u8; size];
    let out = reader.next_frame(&mut buf).map_err(|e| bad(&e))?;
    let pixels = (out.width as usize).saturating_mul(out.height as usize);
    let frame = buf
        .get(..out.line_size.saturating_mul(out.height as usize))
        .unwrap_or_default();
    // Drop any per-line padding: rows are line_size bytes.
    let channels = match out.color_type {
        png::ColorType::Grayscale => 1,
        png::ColorType::GrayscaleAlpha => 2,
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        png::ColorType::Indexed => {
            return Err(Error::malformed("PNG image", "palette not expanded"));
        }
    };
    let row_len = out.width as usize * channels;
    let mut samples = Vec::with_capacity(pixels * 3);
    let mut alpha = Vec::with_capacity(pixels);
    let has_alpha = channels == 2 || channels == 4;
    for row in frame.chunks(out.line_size.max(1)) {
        let row = row.get(..row_len).unwrap_or(row);
        for px in row.chunks(channels) {
            match px {
                [g] => samples.push(*g),
                [g, a] => {
                    samples.push(*g);
                    alpha.push(*a);
                }
                [r, g, b] => samples.extend_from_slice(&[*r, *g, *b]),
                [r, g, b, a] => {
                    samples.extend_from_slice(&[*r, *g, *b]);
                    alpha.push(*a);
                }
                _ => return Err(Error::malformed("PNG image", "truncated pixel data")),
            }
        }
    }
    let rgb = channels >= 3;
    let expected = pixels * if rgb { 3 } else { 1 };
    if samples.len() != expected {
        return Err(Error::malformed(
            "PNG image",
            "pixel data does not fill the image",
        ));
    }
    let alpha = (has_alpha && alpha.iter().any(|a| *a != 255)).then_some(alpha);
    Ok(Image {
        width: out.width,
        height: out.height,
        samples,
        rgb,
        alpha,
    })
}

/// Encodes text for a WinAnsiEncoding font; characters outside it become `?`.
pub fn winansi(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| match c as u32 {
            0x20..=0x7e => c as u8,
            0xa0..=0xff => c as u32 as u8,
            0x20ac => 0x80, // €
            0x2013 => 0x96, // –
            0x2014 => 0x97, // —
            0x2018 => 0x91,
            0x2019 => 0x92,
            0x201c => 0x93,
            0x201d => 0x94,
            0x2022 => 0x95,
            _ => b'?',
        })
        .collect()
}

/// A PDF literal string `( … )` with escapes, for content streams.
pub fn literal(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + 2);
    out.push(b'(');
    for b in bytes {
        match b {
            b'(' | b')' | b'\\' => {
                out.push(b'\\');
                out.push(*b);
            }
            0x20..=0x7e => out.push(*b),
            _ => out.extend_from_slice(format!("\\{b:03o}").as_bytes()),
        }
    }
    out.push(b')');
    out
}

/// Approximate Helvetica advance width (per 1000 em) used for fitting text.
fn helvetica_width(b: u8) -> f64 {
    match b {
        b'i' | b'j' | b'l' | b'.' | b',' | b':' | b';' | b'\'' | b'!' | b'|' => 250.0,
        b' ' | b'f' | b't' | b'r' | b'I' | b'(' | b')' | b'/' | b'-' => 320.0,
        b'm' | b'w' | b'M' | b'W' => 850.0,
        b'A'..=b'Z' => 680.0,
        _ => 556.0,
    }
}

/// `v` as a content-stream number: at most `decimals` decimals, trailing zeros dropped
/// (`1.50` → `1.5`, `-0.00` → `0`).
pub(crate) fn number(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() || s == "-0" {
        "0".into()
    } else {
        s.into()
    }
}

fn fmt(v: f64) -> String {
    number(v, 3)
}

/// Builds the appearance content stream for a `width` × `height` box: a thin border, the image
/// (named `/Img`, when `image` gives its pixel size) on the left, and `lines` of text (font `/F1`).
pub fn content_stream(
    width: f64,
    height: f64,
    lines: &[String],
    image: Option<(u32, u32)>,
) -> Vec<u8> {
    let mut out = Vec::new();
    let pad = 2.0;
    out.extend_from_slice(b"q 0.5 w 0.2 0.2 0.5 RG ");
    out.extend_from_slice(
        format!(
            "{} {} {} {} re S Q\n",
            fmt(0.25),
            fmt(0.25),
            fmt(width - 0.5),
            fmt(height - 0.5)
        )
        .as_bytes(),
    );
    let mut text_x = pad;
    if let Some((iw, ih)) = image {
        // The image takes up to 40 % of the width (all of it without text), aspect kept.
        let area_w = if lines.is_empty() {
            width - 2.0 * pad
        } else {
            (width - 2.0 * pad) * 0.4
        };
        let area_h = height - 2.0 * pad;
        let scale = (area_w / iw.max(1) as f64).min(area_h / ih.max(1) as f64);
        let (w, h) = (iw as f64 * scale, ih as f64 * scale);
        let y = pad + (area_h - h) / 2.0;
        out.extend_from_slice(
            format!(
                "q {} 0 0 {} {} {} cm /Img Do Q\n",
                fmt(w),
                fmt(h),
                fmt(pad),
                fmt(y)
            )
            .as_bytes(),
        );
        text_x = pad * 2.0 + area_w;
    }
    if !lines.is_empty() {
        let encoded: Vec<Vec<u8>> = lines.iter().map(|l| winansi(l)).collect();
        let avail_w = (width - text_x - pad).max(1.0);
        let avail_h = (height - 2.0 * pad).max(1.0);
        let widest = encoded
            .iter()
            .map(|l| l.iter().map(|b| helvetica_width(*b)).sum::<f64>() / 1000.0)
            .fold(0.0f64, f64::max)
            .max(0.001);
        let size = (avail_h / (encoded.len() as f64 * 1.2))
            .min(avail_w / widest)
            .clamp(2.0, 12.0);
        let leading = size * 1.2;
        let block = leading * encoded.len() as f64;
        let top = pad + (avail_h + block) / 2.0 - size;
        out.extend_from_slice(
            format!(
                "BT /F1 {} Tf 0 g {} TL {} {} Td\n",
                fmt(size),
                fmt(leading),
                fmt(text_x),
                fmt(top)
            )
            .as_bytes(),
        );
        for (i, l) in encoded.iter().enumerate() {
            if i > 0 {
                out.extend_from_slice(b"T* ");
            }
            out.extend_from_slice(&literal(l));
            out.extend_from_slice(b" Tj\n");
        }
        out.extend_from_slice(b"ET\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png_bytes(color: png::ColorType, w: u32, h: u32, data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        {
            let mut enc = png::Encoder::new(&mut out, w, h);
            enc.set_color(color);
            enc.set_depth(png::BitDepth::Eight);
            let mut wr = enc.write_header().unwrap();
            wr.write_image_data(data).unwrap();
        }
        out
    }

    #[test]
    fn rgba_keeps_alpha() {
        let data = [255, 0, 0, 0, 0, 255, 0, 128, 0, 0, 255, 255, 9, 9, 9, 255];
        let img = decode_png(&png_bytes(png::ColorType::Rgba, 2, 2, &data)).unwrap();
        assert!(img.rgb);
        assert_eq!(img.samples, vec![255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 9, 9]);
        assert_eq!(img.alpha, Some(vec![0, 128, 255, 255]));
    }

    #[test]
    fn gray_and_opaque() {
        let img = decode_png(&png_bytes(png::ColorType::Grayscale, 3, 1, &[1, 2, 3])).unwrap();
        assert!(!img.rgb);
        assert_eq!(img.alpha, None);
        assert_eq!(img.samples, vec![1, 2, 3]);
    }

    #[test]
    fn garbage_png() {
        assert!(decode_png(b"\x89PNG\r\n\x1a\nnot really").is_err());
        assert!(decode_png(b"").is_err());
    }

    #[test]
    fn accents_in_winansi() {
        assert_eq!(
            winansi("João Conceição"),
            b"Jo\xe3o Concei\xe7\xe3o".to_vec()
        );
        assert_eq!(literal(b"a(b)\\\xe3"), b"(a\\(b\\)\\\\\\343)".to_vec());
    }

    #[test]
    fn content_stream_is_text() {
        let c = content_stream(
            200.0,
            50.0,
            &["Assinado por João".into(), "2026-11-27".into()],
            Some((10, 5)),
        );
        let s = String::from_utf8_lossy(&c);
        assert!(s.contains("/Img Do"));
        assert!(s.contains("/F1"));
        assert!(s.contains("Tj"));
    }
}
