//! The PDF reader on arbitrary bytes: open, list revisions, resolve every object (in every
//! revision), decode streams, walk the pages, then append an update with the incremental
//! writer and read the result back. Errors are fine; panics, hangs and huge allocations are
//! not.
#![no_main]
use std::io::Cursor;

use libfuzzer_sys::fuzz_target;
use sigform::pdf::{Dictionary, IncrementalWriter, Limits, Object, Reader, ReaderOptions};

fn options() -> ReaderOptions {
    ReaderOptions {
        limits: Limits {
            max_decoded_stream: 4 << 20,
            max_object_bytes: 4 << 20,
            ..Limits::default()
        },
        allow_encrypted: true,
        password: Vec::new(),
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(reader) = Reader::from_reader_with(Cursor::new(data), options()) else {
        return;
    };
    let revisions = reader.revisions().len();
    for k in 0..revisions {
        let _ = reader.revision_entries(k);
    }
    let refs = reader.object_refs();
    for r in refs.iter().take(2000) {
        if let Ok(obj) = reader.get(*r) {
            if let Some(s) = obj.as_stream() {
                let _ = reader.decode_stream(s);
            }
            let mut out = Vec::new();
            obj.write_pdf(&mut out);
        }
        let _ = reader.raw_object_span(*r);
        for k in 0..revisions.min(4) {
            let _ = reader.get_in_revision(*r, k);
        }
    }
    let _ = reader.page_refs();
    let _ = reader.catalog();

    // Append an update and read it back: whatever opened must still open.
    if reader.is_encrypted() {
        return;
    }
    let Ok(mut w) = IncrementalWriter::new(&reader) else {
        return;
    };
    let mut d = Dictionary::new();
    d.insert("Fuzz", Object::text("João"));
    let added = w.add(Object::Dictionary(d));
    if let (Some(root), Ok(mut catalog)) = (reader.catalog_ref(), reader.catalog()) {
        catalog.insert("FuzzRef", Object::Reference(added));
        w.update(root, Object::Dictionary(catalog));
    }
    let mut out = data.to_vec();
    out.extend_from_slice(reader.append_separator());
    let base = out.len() as u64;
    let report = match w.write(&mut out, base) {
        Ok(r) => r,
        // Object numbers near u32::MAX leave no room for new objects.
        Err(sigform::pdf::PdfError::TooLarge { .. }) => return,
        Err(e) => panic!("writing an update of a file that opened: {e}"),
    };
    assert_eq!(report.total_len, out.len() as u64);
    let again = Reader::from_reader_with(Cursor::new(out.as_slice()), options())
        .expect("re-opening the updated file");
    assert_eq!(again.revisions().last().map(|r| r.end_offset), Some(out.len() as u64));
    let got = again.get(added).expect("the added object");
    assert!(got.as_dict().is_some());
});
