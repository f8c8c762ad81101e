//! Prints a PDF's structure as sigform's strict reader sees it: header, revisions (with their
//! xref kind and where each ends), pages, and every object's xref entry.
//!
//! `cargo run --example pdf_info -- file.pdf`

use sigform::pdf::Reader;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: pdf_info FILE.pdf")?;
    let reader = Reader::open(&path)?;
    let (maj, min) = reader.version();
    println!("{path}: PDF {maj}.{min}, {} bytes", reader.file_len());
    for (k, rev) in reader.revisions().iter().enumerate() {
        println!(
            "revision {k}: {:?} xref at {} (sections {:?}), %%EOF at {}, ends at {}",
            rev.kind, rev.xref_offset, rev.section_offsets, rev.eof_offset, rev.end_offset
        );
        for (num, entry) in reader.revision_entries(k)? {
            println!("  {num}: {entry:?}");
        }
    }
    match reader.page_refs() {
        Ok(pages) => println!("{} pages: {pages:?}", pages.len()),
        Err(e) => println!("pages: {e}"),
    }
    for r in reader.object_refs() {
        match reader.get(r) {
            Ok(o) => println!("{r}: {}", o.type_name()),
            Err(e) => println!("{r}: error: {e}"),
        }
    }
    Ok(())
}
