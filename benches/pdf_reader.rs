//! Open a generated ~20 MB PDF with ~100k objects and resolve every object.

use std::io::Cursor;

use criterion::{Criterion, criterion_group, criterion_main};
use sigform::pdf::{Dictionary, IncrementalWriter, Object, PdfString, Reader};

const MINIMAL: &[u8] = b"%PDF-1.7\n1 0 obj\n<</Type/Catalog/Pages 2 0 R>>\nendobj\n2 0 obj\n<</Type/Pages/Kids[]/Count 0>>\nendobj\nxref\n0 3\n0000000000 65535 f \n0000000009 00000 n \n0000000054 00000 n \ntrailer\n<</Size 3/Root 1 0 R>>\nstartxref\n100\n%%EOF\n";

/// A file with `n` objects of ~200 bytes each, appended in one update.
fn generate(n: usize) -> Vec<u8> {
    let reader = Reader::from_reader(Cursor::new(MINIMAL.to_vec())).expect("minimal");
    let mut w = IncrementalWriter::new(&reader).expect("writer");
    let mut prev = None;
    for i in 0..n {
        let mut d = Dictionary::new();
        d.insert("Type", Object::name("Annot"));
        d.insert("Subtype", Object::name("Text"));
        d.insert(
            "Rect",
            Object::Array(vec![
                Object::Integer(i as i64),
                Object::Real(12.5),
                Object::Integer(300),
                Object::Real(144.25),
            ]),
        );
        d.insert(
            "Contents",
            Object::String(PdfString::literal(format!(
                "note number {i} with some text (and parens)"
            ))),
        );
        d.insert("M", Object::string(b"D:20240101120000Z".to_vec()));
        if let Some(p) = prev {
            d.insert("Prev", Object::Reference(p));
        }
        prev = Some(w.add(Object::Dictionary(d)));
    }
    let mut out = MINIMAL.to_vec();
    let base = out.len() as u64;
    w.write(&mut out, base).expect("write");
    out
}

fn bench(c: &mut Criterion) {
    let data = generate(100_000);
    eprintln!("generated {} bytes", data.len());
    let mut g = c.benchmark_group("pdf_reader");
    g.sample_size(10);
    g.bench_function("open", |b| {
        b.iter(|| Reader::from_reader(Cursor::new(data.as_slice())).expect("open"))
    });
    g.bench_function("open_and_resolve_100k_objects", |b| {
        b.iter(|| {
            let r = Reader::from_reader(Cursor::new(data.as_slice())).expect("open");
            let mut n = 0usize;
            for o in r.object_refs() {
                r.get(o).expect("object");
                n += 1;
            }
            n
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
