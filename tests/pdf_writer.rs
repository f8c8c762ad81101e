//! Incremental writer round trips: our reader, lopdf and `qpdf --check` read what we append,
//! the original bytes stay a prefix, and a second update on top still validates.

mod common;

use std::io::Cursor;

use proptest::prelude::*;
use sigform::pdf::{
    Dictionary, IncrementalWriter, ObjRef, Object, PdfString, Reader, Stream, WriteReport, XrefKind,
};

fn corpus(name: &str) -> Option<Vec<u8>> {
    common::corpus_pdf(name).map(|p| std::fs::read(p).expect("reading a corpus file"))
}

fn vector(name: &str) -> Vec<u8> {
    common::tv_bytes(&format!("pdf/{name}"))
}

/// Appends one update built by `f` to `orig`; checks the prefix property and the report.
fn append(
    orig: &[u8],
    f: impl FnOnce(&Reader<Cursor<Vec<u8>>>, &mut IncrementalWriter),
) -> (Vec<u8>, WriteReport) {
    let reader = Reader::from_reader(Cursor::new(orig.to_vec())).expect("open original");
    let mut w = IncrementalWriter::new(&reader).expect("writer");
    f(&reader, &mut w);
    let mut out = orig.to_vec();
    out.extend_from_slice(reader.append_separator());
    let base = out.len() as u64;
    let report = w.write(&mut out, base).expect("write");
    assert!(out.starts_with(orig), "original bytes must be a prefix");
    assert_eq!(report.total_len, out.len() as u64);
    for o in &report.objects {
        let at = usize::try_from(o.offset).unwrap();
        let header = format!("{} {} obj\n", o.r.num, o.r.r#gen);
        assert_eq!(&out[at..at + header.len()], header.as_bytes());
        assert_eq!(o.body_offset, o.offset + header.len() as u64);
        let end = usize::try_from(o.body_offset + o.body_len).unwrap();
        assert_eq!(&out[end..end + 7], b"\nendobj");
    }
    (out, report)
}

/// The standard update: a new dictionary, a new flate stream, a text string, and a changed
/// catalog pointing at them.
fn standard_update(
    reader: &Reader<Cursor<Vec<u8>>>,
    w: &mut IncrementalWriter,
) -> (ObjRef, ObjRef, ObjRef) {
    let mut d = Dictionary::new();
    d.insert("Type", Object::name("SigformTest"));
    d.insert("Name", Object::text("João"));
    d.insert("Greek", Object::text("Ωmega"));
    let dict_ref = w.add(Object::Dictionary(d));
    let stream = Stream::flate(Dictionary::new(), &b"hello stream ".repeat(50)).unwrap();
    let stream_ref = w.add(Object::Stream(stream));
    let root = reader.catalog_ref().unwrap();
    let mut catalog = reader.catalog().unwrap();
    catalog.insert("SigformTest", Object::Reference(dict_ref));
    catalog.insert("SigformStream", Object::Reference(stream_ref));
    w.update(root, Object::Dictionary(catalog));
    (dict_ref, stream_ref, root)
}

fn check_qpdf(bytes: &[u8], what: &str) {
    let dir = common::tempdir();
    let path = dir.path().join("out.pdf");
    std::fs::write(&path, bytes).unwrap();
    let Some((ok, text)) = common::qpdf_check(&path) else {
        return;
    };
    assert!(ok, "qpdf --check failed on {what}:\n{text}");
    assert!(
        !text.contains("WARNING"),
        "qpdf --check warned on {what}:\n{text}"
    );
}

fn check_lopdf(bytes: &[u8], refs: &[ObjRef], what: &str) {
    let doc = lopdf::Document::load_mem(bytes).unwrap_or_else(|e| panic!("lopdf on {what}: {e}"));
    for r in refs {
        doc.get_object((r.num, r.r#gen))
            .unwrap_or_else(|e| panic!("lopdf on {what}: object {r}: {e}"));
    }
}

fn round_trip(orig: &[u8], expected_kind: XrefKind, what: &str) {
    let before = Reader::from_reader(Cursor::new(orig.to_vec())).unwrap();
    let n_rev = before.revisions().len();
    let old_catalog = before.catalog().unwrap();
    let mut refs = None;
    let (out, report) = append(orig, |r, w| refs = Some(standard_update(r, w)));
    let (dict_ref, stream_ref, root) = refs.unwrap();
    assert_eq!(report.objects.len(), 3);
    assert_eq!(
        report.xref_stream.is_some(),
        expected_kind == XrefKind::Stream
    );

    let after = Reader::from_reader(Cursor::new(out.clone())).unwrap();
    assert_eq!(after.xref_kind_last(), expected_kind, "{what}");
    assert_eq!(after.revisions().len(), n_rev + 1, "{what}");
    let last = after.revisions().last().unwrap();
    assert_eq!(last.end_offset, out.len() as u64);
    assert_eq!(last.xref_offset, report.xref_offset);
    // The previous revision ends where the original file ended.
    let prev = &after.revisions()[n_rev - 1];
    assert_eq!(
        prev.end_offset,
        before.revisions().last().unwrap().end_offset
    );
    let d = after.get(dict_ref).unwrap();
    let d = d.as_dict().unwrap();
    assert_eq!(d.get_name("Type"), Some(&b"SigformTest"[..]));
    assert_eq!(
        d.get("Name").unwrap().as_string().unwrap().to_text(),
        "João"
    );
    assert_eq!(
        d.get("Greek").unwrap().as_string().unwrap().to_text(),
        "Ωmega"
    );
    let s = after.get(stream_ref).unwrap();
    assert_eq!(
        after.decode_stream(s.as_stream().unwrap()).unwrap(),
        b"hello stream ".repeat(50)
    );
    let cat = after.catalog().unwrap();
    assert_eq!(cat.get_ref("SigformTest"), Some(dict_ref));
    // As of the previous revision the catalog is the old one and the new objects do not exist.
    let old = after.get_in_revision(root, n_rev - 1).unwrap();
    assert_eq!(old.as_dict().unwrap(), &old_catalog);
    assert!(after.get_in_revision(dict_ref, n_rev - 1).is_err());
    assert_eq!(after.page_refs().unwrap(), before.page_refs().unwrap());
    // /ID: first element kept.
    if let Some(Object::Array(id)) = before.trailer().get("ID") {
        let new_id = after.trailer().get("ID").unwrap().as_array().unwrap();
        assert_eq!(new_id[0], id[0]);
        assert_ne!(new_id[1], id[1]);
    }
    check_lopdf(&out, &[dict_ref, stream_ref, root], what);
    check_qpdf(&out, what);

    // A second update on top of the first.
    let mut second = None;
    let (out2, _) = append(&out, |r, w| {
        let mut cat = r.catalog().unwrap();
        let n = w.add(Object::string(b"second".to_vec()));
        cat.insert("Second", Object::Reference(n));
        w.update(r.catalog_ref().unwrap(), Object::Dictionary(cat));
        second = Some(n);
    });
    let second = second.unwrap();
    let again = Reader::from_reader(Cursor::new(out2.clone())).unwrap();
    assert_eq!(again.revisions().len(), n_rev + 2);
    assert_eq!(
        again.get(second).unwrap(),
        Object::String(PdfString::literal(b"second".to_vec()))
    );
    assert_eq!(
        again.catalog().unwrap().get_ref("SigformTest"),
        Some(dict_ref)
    );
    check_lopdf(&out2, &[dict_ref, stream_ref, second], what);
    check_qpdf(&out2, &format!("{what} (twice)"));
}

#[test]
fn round_trip_classic_table() {
    if let Some(b) = corpus("minimal.pdf") {
        round_trip(&b, XrefKind::Table, "minimal.pdf");
    }
}

#[test]
fn round_trip_xref_stream() {
    if let Some(b) = corpus("minimal-xref.pdf") {
        round_trip(&b, XrefKind::Stream, "minimal-xref.pdf");
    }
}

#[test]
fn round_trip_hybrid() {
    if let Some(b) = corpus("minimal-hybrid-xref.pdf") {
        round_trip(&b, XrefKind::Table, "minimal-hybrid-xref.pdf");
    }
}

#[test]
fn round_trip_signed_corpus_file() {
    if let Some(b) = corpus("minimal-two-fields-signed-twice.pdf") {
        // Linearized with xref streams, then an incremental update with an xref stream.
        round_trip(&b, XrefKind::Stream, "minimal-two-fields-signed-twice.pdf");
    }
}

#[test]
fn round_trip_linearized_and_object_streams() {
    round_trip(&vector("linearized.pdf"), XrefKind::Table, "linearized.pdf");
    round_trip(
        &vector("linearized-objstm.pdf"),
        XrefKind::Stream,
        "linearized-objstm.pdf",
    );
    round_trip(
        &vector("objstm-xref-stream.pdf"),
        XrefKind::Stream,
        "objstm-xref-stream.pdf",
    );
    round_trip(&vector("qdf.pdf"), XrefKind::Table, "qdf.pdf");
    round_trip(
        &common::tv_bytes("docs/sample-2pages.pdf"),
        XrefKind::Table,
        "sample-2pages.pdf",
    );
}

#[test]
fn file_without_final_eol_gets_a_separator() {
    let Some(mut b) = corpus("minimal.pdf") else {
        return;
    };
    while b.last().is_some_and(|c| *c == b'\n' || *c == b'\r') {
        b.pop();
    }
    let reader = Reader::from_reader(Cursor::new(b.clone())).unwrap();
    assert_eq!(reader.append_separator(), b"\n");
    let (out, _) = append(&b, |r, w| {
        standard_update(r, w);
    });
    assert_eq!(out[b.len()], b'\n');
    let again = Reader::from_reader(Cursor::new(out.clone())).unwrap();
    assert_eq!(again.revisions().len(), 2);
    // The first revision's %%EOF ends the original bytes; the separator counts as its EOL.
    assert_eq!(again.revisions()[0].eof_offset + 5, b.len() as u64);
    assert_eq!(again.revisions()[0].end_offset, b.len() as u64 + 1);
    check_qpdf(&out, "minimal.pdf without final EOL");
}

#[test]
fn put_raw_and_placeholders() {
    let Some(b) = corpus("minimal.pdf") else {
        return;
    };
    let mut sig = None;
    let (out, report) = append(&b, |_, w| {
        let r = w.allocate();
        let body =
            b"<</Type/Sig/Contents <0000000000>/ByteRange [0 0000000000 0000000000 0000000000]>>"
                .to_vec();
        w.put_raw(r, body);
        sig = Some(r);
    });
    let sig = sig.unwrap();
    let wo = report.object(sig).unwrap();
    let body = &out[wo.body_offset as usize..(wo.body_offset + wo.body_len) as usize];
    assert!(body.starts_with(b"<</Type/Sig/Contents <0000000000>"));
    let reader = Reader::from_reader(Cursor::new(out)).unwrap();
    let d = reader.get(sig).unwrap();
    assert_eq!(d.as_dict().unwrap().get_name("Type"), Some(&b"Sig"[..]));
    assert_eq!(
        reader.raw_object_span(sig).unwrap(),
        (wo.offset, wo.body_offset + wo.body_len + 7)
    );
}

#[test]
fn writer_refuses_misuse() {
    let Some(b) = corpus("minimal.pdf") else {
        return;
    };
    let reader = Reader::from_reader(Cursor::new(b.clone())).unwrap();
    // An object number never allocated.
    let mut w = IncrementalWriter::new(&reader).unwrap();
    w.update(ObjRef::new(999, 0), Object::Null);
    let mut out = Vec::new();
    assert!(w.write(&mut out, b.len() as u64).is_err());
    // A base offset inside the original file.
    let w = IncrementalWriter::new(&reader).unwrap();
    assert!(w.write(&mut Vec::new(), 10).is_err());
    // A stream whose data is still in the file.
    let mut w = IncrementalWriter::new(&reader).unwrap();
    let content = reader.get(ObjRef::new(4, 0)).unwrap();
    w.update(ObjRef::new(4, 0), content.clone());
    assert!(w.write(&mut Vec::new(), b.len() as u64).is_err());
    // … which works once loaded.
    let mut w = IncrementalWriter::new(&reader).unwrap();
    let Object::Stream(mut s) = content else {
        panic!("stream expected")
    };
    reader.load_stream(&mut s).unwrap();
    w.update(ObjRef::new(4, 0), Object::Stream(s));
    let mut out = b.clone();
    w.write(&mut out, b.len() as u64).unwrap();
    let again = Reader::from_reader(Cursor::new(out)).unwrap();
    let s = again.get(ObjRef::new(4, 0)).unwrap();
    assert!(
        again
            .decode_stream(s.as_stream().unwrap())
            .unwrap()
            .starts_with(b"  BT")
    );
}

#[test]
fn allocation_skips_numbers_of_all_sections() {
    // minimal-broken-xref-size.pdf: the newest /Size (6) is below the previous one (7).
    let Some(b) = corpus("minimal-broken-xref-size.pdf") else {
        return;
    };
    let reader = Reader::from_reader(Cursor::new(b.clone())).unwrap();
    let mut w = IncrementalWriter::new(&reader).unwrap();
    assert!(w.allocate().num >= 7);
}

// ----- property test: random object graphs survive write + read -----

fn arb_leaf() -> impl Strategy<Value = Object> {
    prop_oneof![
        Just(Object::Null),
        any::<bool>().prop_map(Object::Boolean),
        any::<i64>().prop_map(Object::Integer),
        (-1e12f64..1e12f64).prop_map(Object::Real),
        (proptest::collection::vec(any::<u8>(), 0..40), any::<bool>())
            .prop_map(|(bytes, hex)| Object::String(PdfString { bytes, hex })),
        proptest::collection::vec(any::<u8>(), 0..20).prop_map(Object::Name),
        (1u32..50, 0u16..3).prop_map(|(n, g)| Object::Reference(ObjRef::new(n, g))),
    ]
}

fn arb_object() -> impl Strategy<Value = Object> {
    arb_leaf().prop_recursive(5, 64, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..8).prop_map(Object::Array),
            proptest::collection::btree_map(
                proptest::collection::vec(any::<u8>(), 0..12),
                inner,
                0..8
            )
            .prop_map(|m| {
                let mut d = Dictionary::new();
                for (k, v) in m {
                    d.insert(k, v);
                }
                Object::Dictionary(d)
            }),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn random_objects_round_trip(objs in proptest::collection::vec(arb_object(), 1..6), stream_data in proptest::collection::vec(any::<u8>(), 0..300)) {
        let Some(b) = corpus("minimal.pdf") else { return Ok(()); };
        let mut refs = Vec::new();
        let (out, _) = append(&b, |_, w| {
            for o in &objs {
                refs.push(w.add(o.clone()));
            }
            let mut d = Dictionary::new();
            d.insert("Kind", Object::name("raw"));
            refs.push(w.add(Object::Stream(Stream::new(d, stream_data.clone()))));
        });
        let reader = Reader::from_reader(Cursor::new(out)).unwrap();
        for (o, r) in objs.iter().zip(&refs) {
            prop_assert_eq!(&reader.get(*r).unwrap(), o);
        }
        let s = reader.get(*refs.last().unwrap()).unwrap();
        prop_assert_eq!(reader.stream_data(s.as_stream().unwrap()).unwrap(), stream_data);
    }
}
