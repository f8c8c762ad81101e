//! `manifest.pdf`: the manifest for a person to read, built with lopdf.
//!
//! A4 pages of Helvetica text (standard font, WinAnsiEncoding: "João", "Conceição" need no
//! embedded font), the electronic signers' graphisms as image XObjects (alpha kept as an SMask),
//! and page numbers. The output depends only on the manifest and the images: the same input
//! gives the same bytes.

use super::manifest::{Manifest, Participant, ParticipantKind, ParticipantStatus};
use crate::error::{Error, Result};
use crate::pades::appearance::{self, decode_png, winansi};
use lopdf::{Dictionary, Object, ObjectId, Stream, StringFormat};

const PAGE_W: f64 = 595.0;
const PAGE_H: f64 = 842.0;
const MARGIN: f64 = 50.0;
const BOTTOM: f64 = 60.0;
const GRAPHISM_MAX_W: f64 = 180.0;
const GRAPHISM_MAX_H: f64 = 60.0;
/// Largest graphism accepted, per side, and all graphisms together, in pixels: checked from
/// the PNG header before anything is decoded.
const MAX_GRAPHISM_SIDE: u32 = 2048;
const MAX_GRAPHISM_PIXELS: u64 = 8 * 1024 * 1024;

/// Checks a graphism: a PNG within the size limits (from its header) that decodes.
pub(crate) fn graphism_dimensions(png: &[u8]) -> Result<(u32, u32)> {
    let (w, h) =
        png_dimensions(png).ok_or_else(|| Error::malformed("PNG image", "no PNG header"))?;
    if w > MAX_GRAPHISM_SIDE || h > MAX_GRAPHISM_SIDE {
        return Err(Error::malformed(
            "PNG image",
            format!("{w}x{h}: graphisms are at most {MAX_GRAPHISM_SIDE} pixels a side"),
        ));
    }
    let img = decode_png(png)?;
    Ok((img.width, img.height))
}

/// Width and height from a PNG's IHDR chunk, without decoding.
fn png_dimensions(data: &[u8]) -> Option<(u32, u32)> {
    if data.get(..8)? != b"\x89PNG\r\n\x1a\n" || data.get(12..16)? != b"IHDR" {
        return None;
    }
    let be = |r: std::ops::Range<usize>| -> Option<u32> {
        Some(u32::from_be_bytes(data.get(r)?.try_into().ok()?))
    };
    Some((be(16..20)?, be(20..24)?))
}

enum Block {
    Text {
        bold: bool,
        size: f64,
        indent: f64,
        text: String,
    },
    Image {
        index: usize,
        width: f64,
        height: f64,
    },
    Gap(f64),
    Rule,
}

fn fmt(v: f64) -> String {
    appearance::number(v, 2)
}

/// Approximate Helvetica advance width in em/1000 of a WinAnsi byte.
fn char_width(b: u8, bold: bool) -> f64 {
    let w: f64 = match b {
        b'i' | b'j' | b'l' | b'.' | b',' | b':' | b';' | b'\'' | b'!' | b'|' => 278.0,
        b' ' | b'f' | b't' | b'r' | b'I' | b'(' | b')' | b'/' | b'-' | b'[' | b']' => 333.0,
        b'm' | b'M' => 833.0,
        b'w' | b'W' => 944.0,
        b'A'..=b'Z' | 0xc0..=0xde => 722.0,
        _ => 556.0,
    };
    if bold { w * 1.06 } else { w }
}

fn text_width(s: &[u8], size: f64, bold: bool) -> f64 {
    s.iter().map(|b| char_width(*b, bold)).sum::<f64>() * size / 1000.0
}

/// Splits `text` into lines that fit `width` (breaking at spaces; long words are cut).
fn wrap(text: &str, size: f64, bold: bool, width: f64) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = String::new();
    for word in text.split(' ') {
        let candidate = if cur.is_empty() {
            word.to_string()
        } else {
            format!("{cur} {word}")
        };
        if text_width(&winansi(&candidate), size, bold) <= width {
            cur = candidate;
            continue;
        }
        if !cur.is_empty() {
            lines.push(std::mem::take(&mut cur));
        }
        // The word alone may still be too long: cut it.
        let mut piece = String::new();
        for ch in word.chars() {
            piece.push(ch);
            if text_width(&winansi(&piece), size, bold) > width {
                piece.pop();
                lines.push(std::mem::take(&mut piece));
                piece.push(ch);
            }
        }
        cur = piece;
    }
    if !cur.is_empty() || lines.is_empty() {
        lines.push(cur);
    }
    lines
}

/// `52998224725` → `529.982.247-25`.
pub(crate) fn format_cpf(cpf: &str) -> String {
    match (cpf.get(0..3), cpf.get(3..6), cpf.get(6..9), cpf.get(9..11)) {
        (Some(a), Some(b), Some(c), Some(d)) if cpf.len() == 11 => format!("{a}.{b}.{c}-{d}"),
        _ => cpf.to_string(),
    }
}

/// `11222333000181` → `11.222.333/0001-81`.
pub(crate) fn format_cnpj(cnpj: &str) -> String {
    match (
        cnpj.get(0..2),
        cnpj.get(2..5),
        cnpj.get(5..8),
        cnpj.get(8..12),
        cnpj.get(12..14),
    ) {
        (Some(a), Some(b), Some(c), Some(d), Some(e)) if cnpj.len() == 14 => {
            format!("{a}.{b}.{c}/{d}-{e}")
        }
        _ => cnpj.to_string(),
    }
}

fn kind_label(k: ParticipantKind) -> &'static str {
    match k {
        ParticipantKind::Digital => "digital signature (certificate)",
        ParticipantKind::Electronic => "electronic signature (graphism and evidence)",
        ParticipantKind::Server => "server signature",
    }
}

struct Doc {
    blocks: Vec<Block>,
}

impl Doc {
    fn text(&mut self, bold: bool, size: f64, indent: f64, text: &str) {
        for line in wrap(text, size, bold, PAGE_W - 2.0 * MARGIN - indent) {
            self.blocks.push(Block::Text {
                bold,
                size,
                indent,
                text: line,
            });
        }
    }
    fn field(&mut self, label: &str, value: &str) {
        self.text(false, 9.0, 14.0, &format!("{label}: {value}"));
    }
    fn heading(&mut self, text: &str) {
        self.blocks.push(Block::Gap(8.0));
        self.text(true, 12.0, 0.0, text);
        self.blocks.push(Block::Rule);
    }
}

fn participant_blocks(doc: &mut Doc, p: &Participant, images: &[(String, appearance::Image)]) {
    let status = match p.status {
        ParticipantStatus::Signed => "SIGNED",
        ParticipantStatus::Pending => "PENDING",
    };
    doc.blocks.push(Block::Gap(6.0));
    doc.text(
        true,
        10.0,
        0.0,
        &format!(
            "Step {}: {} - {} - {status}",
            p.step,
            p.name,
            kind_label(p.kind)
        ),
    );
    if let Some(c) = &p.cpf {
        doc.field("CPF", &format_cpf(c));
    }
    if let Some(c) = &p.cnpj {
        doc.field("CNPJ", &format_cnpj(c));
    }
    if let Some(e) = &p.email {
        doc.field("E-mail", e);
    }
    if let Some(t) = &p.signed_at {
        doc.field("Signed at", t);
    }
    if let Some(s) = &p.signature {
        doc.field("Signature", s);
    }
    if let Some(c) = &p.certificate {
        doc.field("Certificate subject", &c.subject);
        doc.field("Issuer", &c.issuer);
        doc.field("Serial number", &c.serial);
        doc.field(
            "Valid",
            &format!("from {} to {}", c.not_before, c.not_after),
        );
        if let Some(cpf) = &c.cpf {
            doc.field("CPF in the certificate", &format_cpf(cpf));
        }
        if let Some(cnpj) = &c.cnpj {
            doc.field("CNPJ in the certificate", &format_cnpj(cnpj));
        }
        doc.field("Certificate SHA-256", &c.fingerprint_sha256);
    }
    if let Some(ev) = &p.evidence {
        doc.field("Evidence captured at", &ev.time);
        doc.field("IP address", &ev.ip_address);
        doc.field("User agent", &ev.user_agent);
        doc.field("E-mail", &ev.email);
        doc.field(
            "Graphism",
            &format!("{} (SHA-256 {})", ev.graphism.entry, ev.graphism.sha256),
        );
        if let Some((index, (_, img))) = images
            .iter()
            .enumerate()
            .find(|(_, (name, _))| *name == ev.graphism.entry)
        {
            let scale = (GRAPHISM_MAX_W / img.width.max(1) as f64)
                .min(GRAPHISM_MAX_H / img.height.max(1) as f64);
            doc.blocks.push(Block::Gap(4.0));
            doc.blocks.push(Block::Image {
                index,
                width: img.width as f64 * scale,
                height: img.height as f64 * scale,
            });
        }
    }
}

fn string(s: &str) -> Object {
    Object::String(s.as_bytes().to_vec(), StringFormat::Literal)
}

fn flate_stream(mut dict: Dictionary, data: &[u8]) -> Result<Stream> {
    let compressed = crate::pdf::filter::flate_encode(data)?;
    dict.set("Filter", Object::Name(b"FlateDecode".to_vec()));
    Ok(Stream::new(dict, compressed).with_compression(false))
}

/// Builds `manifest.pdf` (unsigned) from the manifest and the graphism PNGs, given as
/// (entry name, bytes).
pub fn manifest_pdf(manifest: &Manifest, graphisms: &[(&str, &[u8])]) -> Result<Vec<u8>> {
    let images = decode_graphisms(graphisms)?;
    let doc = manifest_blocks(manifest, &images);
    let pages = lay_out(&doc.blocks);
    write_pdf(manifest, pages, &images)
}

/// The graphisms, decoded, once their sizes (read from the PNG headers) are within the limits.
fn decode_graphisms(graphisms: &[(&str, &[u8])]) -> Result<Vec<(String, appearance::Image)>> {
    let mut images = Vec::new();
    let mut pixels: u64 = 0;
    for (name, png) in graphisms {
        let (w, h) = png_dimensions(png)
            .ok_or_else(|| Error::malformed("PNG image", format!("{name}: no PNG header")))?;
        pixels = pixels.saturating_add(u64::from(w) * u64::from(h));
        if w > MAX_GRAPHISM_SIDE || h > MAX_GRAPHISM_SIDE || pixels > MAX_GRAPHISM_PIXELS {
            return Err(Error::malformed(
                "PNG image",
                format!(
                    "{name}: graphisms are at most {MAX_GRAPHISM_SIDE} pixels a side and {MAX_GRAPHISM_PIXELS} pixels in all"
                ),
            ));
        }
        images.push((name.to_string(), decode_png(png)?));
    }
    Ok(images)
}

/// The text and images of the manifest, in reading order.
fn manifest_blocks(manifest: &Manifest, images: &[(String, appearance::Image)]) -> Doc {
    let mut doc = Doc { blocks: Vec::new() };
    doc.text(true, 16.0, 0.0, "Signature manifest");
    doc.text(
        false,
        9.0,
        0.0,
        &format!(
            "Package created {} by {}",
            manifest.created, manifest.generator
        ),
    );

    let d = &manifest.document;
    let (signed, total) = manifest.signed_count();
    doc.heading("Document");
    doc.field("Name", &d.name);
    doc.field("Media type", &d.media_type);
    doc.field("Size", &format!("{} bytes", d.size));
    doc.field("SHA-256", &d.sha256);
    doc.field(
        "Signature",
        &format!(
            "{} ({})",
            manifest.signature.entry,
            match manifest.signature.format {
                super::SignatureFormat::CadesAttached => "CAdES, attached",
                super::SignatureFormat::CadesDetached => "CAdES, detached",
                super::SignatureFormat::Pades => "PAdES",
            }
        ),
    );
    doc.field(
        "Status",
        &if signed == total {
            format!("signed by all {total} participants")
        } else {
            format!("PARTLY SIGNED: {signed} of {total} participants have signed")
        },
    );

    doc.heading("Participants");
    let mut order: Vec<&Participant> = manifest.participants.iter().collect();
    order.sort_by_key(|p| p.step);
    for p in order {
        participant_blocks(&mut doc, p, images);
    }

    if let Some(seal) = &manifest.seal {
        doc.heading("Seal");
        doc.text(
            false,
            9.0,
            0.0,
            &format!(
                "{} is a detached CAdES signature over manifest.json; this PDF is signed with the same certificate.",
                seal.entry
            ),
        );
        doc.field("Sealed by", &seal.certificate.subject);
        doc.field("Issuer", &seal.certificate.issuer);
        doc.field("Serial number", &seal.certificate.serial);
        doc.field("Certificate SHA-256", &seal.certificate.fingerprint_sha256);
    }

    doc.heading("Package entries");
    for e in &manifest.entries {
        doc.text(
            false,
            9.0,
            0.0,
            &format!("{} ({}, {} bytes)", e.name, e.media_type, e.size),
        );
        doc.text(false, 8.0, 14.0, &format!("SHA-256 {}", e.sha256));
    }
    doc
}

/// One page: its content stream (without the footer) and the images it shows.
struct Page {
    content: Vec<u8>,
    images: Vec<usize>,
}

/// A text line in the content stream: `text` in font `font` at (`x`, `y`).
fn show_text(content: &mut Vec<u8>, font: &str, size: f64, x: f64, y: f64, text: &str) {
    content.extend_from_slice(
        format!("BT /{font} {} Tf {} {} Td ", fmt(size), fmt(x), fmt(y)).as_bytes(),
    );
    content.extend_from_slice(&appearance::literal(&winansi(text)));
    content.extend_from_slice(b" Tj ET\n");
}

/// Lays the blocks out top to bottom, starting a new page when one does not fit (a gap at
/// the top of a page is dropped).
fn lay_out(blocks: &[Block]) -> Vec<Page> {
    let mut pages = Vec::new();
    let mut page = Page {
        content: Vec::new(),
        images: Vec::new(),
    };
    let mut y = PAGE_H - MARGIN;
    for block in blocks {
        let need = match block {
            Block::Text { size, .. } => size * 1.35,
            Block::Image { height, .. } => *height + 4.0,
            Block::Gap(g) => *g,
            Block::Rule => 6.0,
        };
        if y - need < BOTTOM {
            pages.push(std::mem::replace(
                &mut page,
                Page {
                    content: Vec::new(),
                    images: Vec::new(),
                },
            ));
            y = PAGE_H - MARGIN;
            if matches!(block, Block::Gap(_)) {
                continue;
            }
        }
        y = draw(block, y, &mut page);
    }
    pages.push(page);
    pages
}

/// Draws one block whose top is at `y` onto `page`; returns its bottom.
fn draw(block: &Block, mut y: f64, page: &mut Page) -> f64 {
    match block {
        Block::Text {
            bold,
            size,
            indent,
            text,
        } => {
            y -= size * 1.35;
            let font = if *bold { "F2" } else { "F1" };
            show_text(&mut page.content, font, *size, MARGIN + indent, y, text);
        }
        Block::Image {
            index,
            width,
            height,
        } => {
            y -= height + 4.0;
            page.content.extend_from_slice(
                format!(
                    "q {} 0 0 {} {} {} cm /Im{index} Do Q\n",
                    fmt(*width),
                    fmt(*height),
                    fmt(MARGIN + 14.0),
                    fmt(y + 2.0)
                )
                .as_bytes(),
            );
            if !page.images.contains(index) {
                page.images.push(*index);
            }
        }
        Block::Gap(g) => y -= g,
        Block::Rule => {
            y -= 4.0;
            page.content.extend_from_slice(
                format!(
                    "q 0.5 w 0.6 G {} {} m {} {} l S Q\n",
                    fmt(MARGIN),
                    fmt(y),
                    fmt(PAGE_W - MARGIN),
                    fmt(y)
                )
                .as_bytes(),
            );
            y -= 2.0;
        }
    }
    y
}

fn name(n: &str) -> Object {
    Object::Name(n.as_bytes().to_vec())
}

/// A standard Type 1 font in WinAnsiEncoding.
fn font(pdf: &mut lopdf::Document, base: &str) -> ObjectId {
    let mut f = Dictionary::new();
    f.set("Type", name("Font"));
    f.set("Subtype", name("Type1"));
    f.set("BaseFont", name(base));
    f.set("Encoding", name("WinAnsiEncoding"));
    pdf.add_object(f)
}

/// An 8-bit image XObject dictionary (the stream data is added by the caller).
fn image_dict(width: u32, height: u32, color_space: &str) -> Dictionary {
    let mut d = Dictionary::new();
    d.set("Type", name("XObject"));
    d.set("Subtype", name("Image"));
    d.set("Width", Object::Integer(width.into()));
    d.set("Height", Object::Integer(height.into()));
    d.set("ColorSpace", name(color_space));
    d.set("BitsPerComponent", Object::Integer(8));
    d
}

/// The image XObjects, with their alpha as an SMask, in the order of `images`.
fn image_objects(
    pdf: &mut lopdf::Document,
    images: &[(String, appearance::Image)],
) -> Result<Vec<ObjectId>> {
    let mut image_ids = Vec::new();
    for (_, img) in images {
        let space = if img.rgb { "DeviceRGB" } else { "DeviceGray" };
        let mut idict = image_dict(img.width, img.height, space);
        if let Some(alpha) = &img.alpha {
            let s = image_dict(img.width, img.height, "DeviceGray");
            let smask = pdf.add_object(flate_stream(s, alpha)?);
            idict.set("SMask", Object::Reference(smask));
        }
        image_ids.push(pdf.add_object(flate_stream(idict, &img.samples)?));
    }
    Ok(image_ids)
}

/// Writes the document: fonts, images, the pages with their footers, the page tree, the
/// catalog, the info dictionary and an ID derived from the manifest.
fn write_pdf(
    manifest: &Manifest,
    pages: Vec<Page>,
    images: &[(String, appearance::Image)],
) -> Result<Vec<u8>> {
    let mut pdf = lopdf::Document::with_version("1.7");
    let pages_id = pdf.new_object_id();
    let f1 = font(&mut pdf, "Helvetica");
    let f2 = font(&mut pdf, "Helvetica-Bold");
    let image_ids = image_objects(&mut pdf, images)?;
    let n_pages = pages.len();
    let mut kids = Vec::new();
    for (i, mut page) in pages.into_iter().enumerate() {
        let footer = format!("Page {} of {n_pages} - {}", i + 1, manifest.document.name);
        show_text(&mut page.content, "F1", 8.0, MARGIN, 30.0, &footer);
        let content_id = pdf.add_object(flate_stream(Dictionary::new(), &page.content)?);
        let mut fonts = Dictionary::new();
        fonts.set("F1", Object::Reference(f1));
        fonts.set("F2", Object::Reference(f2));
        let mut resources = Dictionary::new();
        resources.set("Font", Object::Dictionary(fonts));
        if !page.images.is_empty() {
            let mut xo = Dictionary::new();
            for idx in page.images {
                if let Some(id) = image_ids.get(idx) {
                    xo.set(format!("Im{idx}").as_bytes(), Object::Reference(*id));
                }
            }
            resources.set("XObject", Object::Dictionary(xo));
        }
        let mut page = Dictionary::new();
        page.set("Type", name("Page"));
        page.set("Parent", Object::Reference(pages_id));
        page.set(
            "MediaBox",
            Object::Array(vec![
                0.into(),
                0.into(),
                Object::Real(PAGE_W as f32),
                Object::Real(PAGE_H as f32),
            ]),
        );
        page.set("Resources", Object::Dictionary(resources));
        page.set("Contents", Object::Reference(content_id));
        kids.push(Object::Reference(pdf.add_object(page)));
    }
    let mut pages_dict = Dictionary::new();
    pages_dict.set("Type", name("Pages"));
    pages_dict.set("Count", Object::Integer(n_pages as i64));
    pages_dict.set("Kids", Object::Array(kids));
    pdf.objects.insert(pages_id, Object::Dictionary(pages_dict));
    let mut catalog = Dictionary::new();
    catalog.set("Type", name("Catalog"));
    catalog.set("Pages", Object::Reference(pages_id));
    let catalog_id = pdf.add_object(catalog);
    let mut info = Dictionary::new();
    info.set("Title", string("Signature manifest"));
    info.set("Producer", string(&manifest.generator));
    let info_id = pdf.add_object(info);
    let id = crate::alg::DigestAlgorithm::Sha256.digest(&manifest.to_json());
    let id = id.get(..16).unwrap_or_default().to_vec();
    pdf.trailer.set("Root", Object::Reference(catalog_id));
    pdf.trailer.set("Info", Object::Reference(info_id));
    pdf.trailer.set(
        "ID",
        Object::Array(vec![
            Object::String(id.clone(), StringFormat::Hexadecimal),
            Object::String(id, StringFormat::Hexadecimal),
        ]),
    );
    let mut out = Vec::new();
    pdf.save_to(&mut out)
        .map_err(|e| Error::Unsupported(format!("writing the manifest PDF: {e}")))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_and_ids() {
        let lines = wrap(&"a".repeat(300), 9.0, false, 100.0);
        assert!(lines.len() > 3);
        assert!(
            lines
                .iter()
                .all(|l| text_width(&winansi(l), 9.0, false) <= 100.0)
        );
        assert_eq!(format_cpf("52998224725"), "529.982.247-25");
        assert_eq!(format_cnpj("11222333000181"), "11.222.333/0001-81");
    }
}
