//! Generates a valid PDF of about `size` bytes with `pages` pages and many small objects:
//! each page has a content stream (text plus an incompressible comment payload) and its own
//! font and annotation-free resources, so the file has several objects per page.
#![allow(dead_code)]

use std::io::Write;

/// Writes the PDF to `out`.
pub fn generate(out: &mut impl Write, size: usize, pages: usize) -> std::io::Result<()> {
    let pages = pages.max(1);
    let mut offsets: Vec<usize> = Vec::new();
    let mut pos = 0usize;
    let emit = |out: &mut dyn Write, data: &[u8], pos: &mut usize| -> std::io::Result<()> {
        out.write_all(data)?;
        *pos += data.len();
        Ok(())
    };
    emit(out, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", &mut pos)?;
    // objects: 1 catalog, 2 pages, then per page: page, content, font = 3 objects
    let first = 3;
    let per_page_payload = size / pages;
    let mut seed: u64 = 0x9e3779b97f4a7c15;
    let mut objs: Vec<Vec<u8>> = Vec::new();
    objs.push(b"<< /Type /Catalog /Pages 2 0 R >>".to_vec());
    let kids: Vec<String> = (0..pages)
        .map(|i| format!("{} 0 R", first + 3 * i))
        .collect();
    objs.push(
        format!(
            "<< /Type /Pages /Count {pages} /Kids [{}] >>",
            kids.join(" ")
        )
        .into_bytes(),
    );
    for i in 0..pages {
        let page = first + 3 * i;
        objs.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {} 0 R /Resources << /Font << /F1 {} 0 R >> >> >>",
                page + 1,
                page + 2
            )
            .into_bytes(),
        );
        let mut content = format!(
            "BT /F1 18 Tf 72 770 Td (sigform benchmark page {}) Tj ET\n",
            i + 1
        )
        .into_bytes();
        while content.len() < per_page_payload {
            // a comment line of pseudo-random printable bytes
            content.push(b'%');
            for _ in 0..120 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                content.push(b'!' + (seed % 90) as u8);
            }
            content.push(b'\n');
        }
        let mut stream = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
        stream.extend_from_slice(&content);
        stream.extend_from_slice(b"\nendstream");
        objs.push(stream);
        objs.push(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec());
    }
    for (i, body) in objs.iter().enumerate() {
        offsets.push(pos);
        emit(out, format!("{} 0 obj\n", i + 1).as_bytes(), &mut pos)?;
        emit(out, body, &mut pos)?;
        emit(out, b"\nendobj\n", &mut pos)?;
    }
    let xref = pos;
    let mut x = format!("xref\n0 {}\n0000000000 65535 f \n", objs.len() + 1);
    for o in &offsets {
        x.push_str(&format!("{o:010} 00000 n \n"));
    }
    x.push_str(&format!(
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objs.len() + 1
    ));
    emit(out, x.as_bytes(), &mut pos)?;
    Ok(())
}
