//! Reader behaviour on specific corpus files and on small hand-built hostile PDFs.

mod common;
use common::{PdfBuilder, XrefTable};

use std::io::Cursor;

use sigform::pdf::{
    Limits, ObjRef, Object, PdfError, Reader, ReaderOptions, StreamData, XrefEntry, XrefKind,
    filter,
};

/// The reader for a corpus file, or `None` (with a notice) when the corpus is absent.
fn corpus(name: &str) -> Option<sigform::pdf::Result<Reader>> {
    common::corpus_pdf(name).map(Reader::open)
}

fn open_bytes(b: &[u8]) -> sigform::pdf::Result<Reader<Cursor<Vec<u8>>>> {
    Reader::from_reader(Cursor::new(b.to_vec()))
}

/// Builds a classic-table PDF from `(number, body)` pairs; object 1 should be the catalog.
fn build(objects: &[(u32, &[u8])], trailer_extra: &str) -> Vec<u8> {
    let mut b = PdfBuilder::new(b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n");
    for (n, body) in objects {
        b.object(*n, body);
    }
    let trailer = format!("<</Size {}/Root 1 0 R{trailer_extra}>>", b.size());
    b.finish(XrefTable::SectionPerEntry, " \n", &trailer)
}

const CATALOG: &[u8] = b"<</Type/Catalog/Pages 2 0 R>>";
const PAGES: &[u8] = b"<</Type/Pages/Kids[3 0 R]/Count 1>>";
const PAGE: &[u8] = b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>";

fn minimal_objects() -> Vec<(u32, &'static [u8])> {
    vec![(1, CATALOG), (2, PAGES), (3, PAGE)]
}

fn assert_err<T: std::fmt::Debug>(r: sigform::pdf::Result<T>, pred: impl Fn(&PdfError) -> bool) {
    match r {
        Err(e) if pred(&e) => {}
        other => panic!("unexpected: {other:?}"),
    }
}

#[test]
fn built_minimal_file_reads() {
    let b = build(&minimal_objects(), "");
    let r = open_bytes(&b).unwrap();
    assert_eq!(r.version(), (1, 7));
    assert_eq!(r.revisions().len(), 1);
    assert_eq!(r.revisions()[0].end_offset, b.len() as u64);
    assert_eq!(r.xref_kind_last(), XrefKind::Table);
    assert_eq!(r.page_refs().unwrap(), vec![ObjRef::new(3, 0)]);
    assert_eq!(r.trailer_size(), Some(4));
    assert_eq!(r.max_object_number(), 3);
    assert_eq!(r.file_len(), b.len() as u64);
    let (s, e) = r.raw_object_span(ObjRef::new(2, 0)).unwrap();
    assert!(b[s as usize..e as usize].starts_with(b"2 0 obj"));
    assert!(b[s as usize..e as usize].ends_with(b"endobj"));
    let mut copy = Vec::new();
    r.read_range(0, b.len() as u64, &mut copy).unwrap();
    assert_eq!(copy, b);
    assert!(r.read_range(1, b.len() as u64, &mut Vec::new()).is_err());
}

#[test]
fn corpus_minimal_files() {
    let Some(r) = corpus("minimal.pdf") else {
        return;
    };
    let r = r.unwrap();
    assert_eq!(r.revisions().len(), 1);
    assert_eq!(r.revisions()[0].xref_offset, 565);
    assert_eq!(r.revisions()[0].end_offset, r.file_len());
    assert_eq!(r.catalog().unwrap().get_name("Type"), Some(&b"Catalog"[..]));
    let content = r.get(ObjRef::new(4, 0)).unwrap();
    let s = content.as_stream().unwrap();
    assert_eq!(
        s.data,
        StreamData::File {
            offset: 491,
            len: 55
        }
    );
    assert!(r.decode_stream(s).unwrap().starts_with(b"  BT\n"));

    let r = corpus("minimal-xref.pdf").unwrap().unwrap();
    assert_eq!(r.xref_kind_last(), XrefKind::Stream);
    assert_eq!(r.page_refs().unwrap().len(), 1);
    assert_eq!(r.trailer().get_name("Type"), Some(&b"XRef"[..]));
}

#[test]
fn hybrid_file_revisions() {
    let Some(r) = corpus("minimal-hybrid-xref.pdf") else {
        return;
    };
    let r = r.unwrap();
    let revs = r.revisions();
    assert_eq!(revs.len(), 2);
    assert_eq!(revs[0].kind, XrefKind::Table);
    assert_eq!(revs[1].kind, XrefKind::Hybrid);
    assert_eq!(r.xref_kind_last(), XrefKind::Hybrid);
    // Object 6 exists only through the /XRefStm of the second section.
    let six = ObjRef::new(6, 0);
    assert_eq!(r.get(six).unwrap(), Object::string(b"TestTest".to_vec()));
    assert_err(r.get_in_revision(six, 0), |e| {
        matches!(e, PdfError::MissingObject(_))
    });
    assert!(r.get_in_revision(six, 1).is_ok());
    assert!(matches!(
        r.xref_entry_in_revision(6, 0).unwrap(),
        Some(XrefEntry::Free { .. })
    ));
    let entries = r.revision_entries(1).unwrap();
    assert!(entries.iter().any(|(n, _)| *n == 6));
    // /Info /Title resolves through it.
    let info = r.resolve(r.trailer().get("Info").unwrap()).unwrap();
    let title = r
        .resolve(info.as_dict().unwrap().get("Title").unwrap())
        .unwrap();
    assert_eq!(title.as_string().unwrap().to_text(), "TestTest");
}

#[test]
fn corpus_refusals_are_typed() {
    type Check = fn(&PdfError) -> bool;
    let cases: &[(&str, Check)] = &[
        ("minimal-startxref-obo4.pdf", |e| {
            matches!(e, PdfError::BrokenXref { .. })
        }),
        ("minimal-startxref-obo5.pdf", |e| {
            matches!(e, PdfError::BrokenXref { .. })
        }),
        ("minimal-startxref-obo6.pdf", |e| {
            matches!(e, PdfError::BrokenXref { .. })
        }),
        ("minimal-startxref-hopeless.pdf", |e| {
            matches!(e, PdfError::BrokenXref { .. })
        }),
        ("minimal-startxref-hopeless2.pdf", |e| {
            matches!(e, PdfError::BrokenXref { .. })
        }),
        ("minimal-startxref-hopeless3.pdf", |e| {
            matches!(e, PdfError::BrokenXref { .. })
        }),
        ("minimal-illegal-header.pdf", |e| {
            matches!(e, PdfError::Malformed { .. })
        }),
        // Encrypted with a user password (not given): a typed refusal naming it.
        ("minimal-aes256.pdf", |e| {
            matches!(e, PdfError::Password { .. })
        }),
        ("minimal-rc4.pdf", |e| {
            matches!(e, PdfError::Password { .. })
        }),
        (
            "minimal-pubkey-aes256.pdf",
            |e| matches!(e, PdfError::EncryptionUnsupported(m) if m.contains("Adobe.PubSec")),
        ),
        ("malformed-encrypt-dict1.pdf", |e| {
            matches!(
                e,
                PdfError::Password { .. } | PdfError::EncryptionUnsupported(_)
            )
        }),
    ];
    for (name, pred) in cases {
        let Some(r) = corpus(name) else {
            return;
        };
        match r {
            Err(e) if pred(&e) => {}
            other => panic!("{name}: unexpected {other:?}"),
        }
    }
}

#[test]
fn encrypted_can_be_opened_for_inspection() {
    let Some(p) = common::corpus_pdf("minimal-aes256.pdf") else {
        return;
    };
    let opts = ReaderOptions {
        allow_encrypted: true,
        ..ReaderOptions::default()
    };
    let r = Reader::open_with(p, opts).unwrap();
    assert!(r.is_encrypted());
    assert!(r.trailer().contains_key("Encrypt"));
    assert_err(sigform::pdf::IncrementalWriter::new(&r), |e| {
        matches!(e, PdfError::Encrypted)
    });
}

#[test]
fn corpus_structural_oddities() {
    let Some(r) = corpus("circular-page-tree.pdf") else {
        return;
    };
    assert_err(r.unwrap().page_refs(), |e| {
        matches!(e, PdfError::Malformed { .. })
    });
    let r = corpus("page-tree-direct-kid.pdf").unwrap().unwrap();
    assert_err(r.page_refs(), |e| matches!(e, PdfError::Malformed { .. }));
    // The tolerant walk reads it in place, with a defect.
    let pages = r.pages().unwrap();
    assert!(matches!(
        pages.get(1),
        Some(sigform::pdf::PageNode::Direct { index: 1, .. })
    ));
    assert!(
        r.defects()
            .iter()
            .any(|d| d.kind == sigform::pdf::reader::DefectKind::DirectPageKid)
    );
    // A reference to an object that does not exist resolves to null.
    let r = corpus("minimal-with-nonexistent-refs.pdf")
        .unwrap()
        .unwrap();
    let page = r.get(ObjRef::new(3, 0)).unwrap();
    let bleh = page.as_dict().unwrap().get("Bleh").unwrap();
    assert_eq!(r.resolve(bleh).unwrap(), Object::Null);
    assert_err(r.get(ObjRef::new(100, 0)), |e| {
        matches!(e, PdfError::MissingObject(_))
    });
    // Generation 9 objects.
    let r = corpus("minimal-with-orphaned-xrefs.pdf").unwrap().unwrap();
    assert_eq!(r.catalog_ref(), Some(ObjRef::new(1, 9)));
    assert_err(r.get(ObjRef::new(1, 0)), |e| {
        matches!(e, PdfError::MissingObject(_))
    });
    // The xref points at the wrong object: an error when that object is loaded.
    let r = corpus("minimal-annotless.pdf").unwrap().unwrap();
    assert_err(r.get(ObjRef::new(3, 0)), |e| {
        matches!(e, PdfError::BrokenXref { .. })
    });
    // Object streams whose index and header disagree.
    let r = corpus("broken-objstream4.pdf").unwrap().unwrap();
    assert_err(r.get(ObjRef::new(6, 0)), |e| {
        matches!(e, PdfError::BrokenXref { .. })
    });
}

#[test]
fn linearized_file_is_one_revision() {
    let b = common::tv_bytes("pdf/linearized.pdf");
    let r = open_bytes(&b).unwrap();
    assert_eq!(r.revisions().len(), 1);
    let rev = &r.revisions()[0];
    assert_eq!(rev.section_offsets.len(), 2);
    assert_eq!(rev.end_offset, b.len() as u64);
    assert_eq!(r.page_refs().unwrap().len(), 2);
    let b = common::tv_bytes("pdf/linearized-objstm.pdf");
    let r = open_bytes(&b).unwrap();
    assert_eq!(r.revisions().len(), 1);
    assert_eq!(r.page_refs().unwrap().len(), 2);
    for o in r.object_refs() {
        r.get(o).unwrap();
    }
    let b = common::tv_bytes("pdf/objstm-xref-stream.pdf");
    let r = open_bytes(&b).unwrap();
    let compressed = r
        .object_refs()
        .into_iter()
        .filter(|o| matches!(r.xref_entry(o.num), Some(XrefEntry::Compressed { .. })))
        .count();
    assert!(compressed > 3);
    for o in r.object_refs() {
        r.get(o).unwrap();
        r.raw_object_span(o).unwrap();
    }
}

#[test]
fn junk_before_header_is_tolerated_with_absolute_offsets() {
    let mut b = vec![b'J'; 100];
    let inner = build(&minimal_objects(), "");
    b.extend_from_slice(&inner);
    // Offsets in `inner` are relative to its start: wrong in the combined file.
    assert!(open_bytes(&b).is_err());
    // A file whose offsets account for the junk opens.
    let mut junk_then_pdf = vec![b'J'; 100];
    junk_then_pdf.extend_from_slice(b"%PDF-1.4\n");
    let mut b = PdfBuilder::after(junk_then_pdf);
    for (n, body) in minimal_objects() {
        b.object(n, body);
    }
    let out = b.finish(XrefTable::OneSection, " \n", "<</Size 4/Root 1 0 R>>");
    let r = open_bytes(&out).unwrap();
    assert_eq!(r.header_offset(), 100);
    assert_eq!(r.version(), (1, 4));
    // More than 1024 bytes of junk: refused.
    let mut far = vec![b' '; 2000];
    far.extend_from_slice(&inner);
    assert_err(open_bytes(&far), |e| {
        matches!(e, PdfError::Malformed { .. })
    });
}

#[test]
fn prev_loops_are_refused() {
    let b = build(&minimal_objects(), "");
    let xref = b.windows(4).position(|w| w == b"xref").unwrap();
    // /Prev pointing at its own section.
    let b2 = build(&minimal_objects(), &format!("/Prev {xref}"));
    assert_err(open_bytes(&b2), |e| {
        matches!(e, PdfError::BrokenXref { .. })
    });
    // /Prev outside the file, or not a number.
    let b3 = build(&minimal_objects(), "/Prev 99999999");
    assert_err(open_bytes(&b3), |e| {
        matches!(e, PdfError::BrokenXref { .. })
    });
    let b4 = build(&minimal_objects(), "/Prev (x)");
    assert_err(open_bytes(&b4), |e| {
        matches!(e, PdfError::BrokenXref { .. })
    });
    // Two sections pointing at each other.
    let mut b5 = b.clone();
    let second = b5.len();
    b5.extend_from_slice(
        format!(
            "xref\n0 0\ntrailer\n<</Size 4/Root 1 0 R/Prev {second}>>\nstartxref\n{second}\n%%EOF\n"
        )
        .as_bytes(),
    );
    assert_err(open_bytes(&b5), |e| {
        matches!(e, PdfError::BrokenXref { .. })
    });
}

#[test]
fn stream_lengths_are_checked() {
    let mut objs = minimal_objects();
    objs.push((4, b"<</Length 5>>\nstream\nhello\nendstream"));
    let r = open_bytes(&build(&objs, "")).unwrap();
    let s = r.get(ObjRef::new(4, 0)).unwrap();
    assert_eq!(r.stream_data(s.as_stream().unwrap()).unwrap(), b"hello");
    // Wrong /Length: an error, not a search for `endstream`.
    for bad in [
        &b"<</Length 4>>\nstream\nhello\nendstream"[..],
        b"<</Length 7>>\nstream\nhello\nendstream",
        b"<</Length 99999>>\nstream\nhello\nendstream",
        b"<</Length -1>>\nstream\nhello\nendstream",
        b"<</Length (5)>>\nstream\nhello\nendstream",
        b"<<>>\nstream\nhello\nendstream",
        b"<</Length 5>>\nstream hello\nendstream",
    ] {
        let mut objs = minimal_objects();
        objs.push((4, bad));
        let r = open_bytes(&build(&objs, "")).unwrap();
        assert_err(r.get(ObjRef::new(4, 0)), |e| {
            matches!(e, PdfError::Malformed { .. })
        });
    }
    // Indirect /Length, and a /Length that refers back to the stream itself.
    let mut objs = minimal_objects();
    objs.push((4, b"<</Length 5 0 R>>\nstream\nhello\r\nendstream"));
    objs.push((5, b"5"));
    let r = open_bytes(&build(&objs, "")).unwrap();
    let s = r.get(ObjRef::new(4, 0)).unwrap();
    assert_eq!(r.stream_data(s.as_stream().unwrap()).unwrap(), b"hello");
    let mut objs = minimal_objects();
    objs.push((4, b"<</Length 4 0 R>>\nstream\nhello\nendstream"));
    let r = open_bytes(&build(&objs, "")).unwrap();
    assert!(r.get(ObjRef::new(4, 0)).is_err());
}

#[test]
fn decompression_bomb_is_refused() {
    let plain = vec![0u8; 4 << 20];
    let packed = filter::flate_encode(&plain).unwrap();
    let mut body =
        format!("<</Length {}/Filter/FlateDecode>>\nstream\n", packed.len()).into_bytes();
    body.extend_from_slice(&packed);
    body.extend_from_slice(b"\nendstream");
    let mut objs = minimal_objects();
    objs.push((4, &body));
    let file = build(&objs, "");
    let opts = ReaderOptions {
        limits: Limits {
            max_decoded_stream: 1 << 20,
            ..Limits::default()
        },
        ..ReaderOptions::default()
    };
    let r = Reader::from_reader_with(Cursor::new(file.clone()), opts).unwrap();
    let s = r.get(ObjRef::new(4, 0)).unwrap();
    assert_err(r.decode_stream(s.as_stream().unwrap()), |e| {
        matches!(e, PdfError::TooLarge { .. })
    });
    let r = open_bytes(&file).unwrap();
    let s = r.get(ObjRef::new(4, 0)).unwrap();
    assert_eq!(
        r.decode_stream(s.as_stream().unwrap()).unwrap().len(),
        4 << 20
    );
}

#[test]
fn nesting_and_reference_chains_are_bounded() {
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    let mut objs = minimal_objects();
    objs.push((4, deep.as_bytes()));
    objs.push((5, b"6 0 R"));
    objs.push((6, b"5 0 R"));
    let r = open_bytes(&build(&objs, "")).unwrap();
    assert_err(r.get(ObjRef::new(4, 0)), |e| {
        matches!(e, PdfError::TooLarge { .. })
    });
    assert_err(r.resolve(&Object::Reference(ObjRef::new(5, 0))), |e| {
        matches!(e, PdfError::TooLarge { .. })
    });
}

#[test]
fn wrong_object_at_offset_is_broken_xref() {
    let mut b = build(&minimal_objects(), "");
    // Renumber object 3 in place: "3 0 obj" -> "7 0 obj".
    let at = b.windows(7).position(|w| w == b"3 0 obj").unwrap();
    b[at] = b'7';
    let r = open_bytes(&b).unwrap();
    assert_err(r.get(ObjRef::new(3, 0)), |e| {
        matches!(e, PdfError::BrokenXref { .. })
    });
    assert_err(r.page_refs(), |e| matches!(e, PdfError::BrokenXref { .. }));
}

#[test]
fn xref_table_claims_are_bounded() {
    let mut b = build(&minimal_objects(), "");
    let xref = b.windows(6).position(|w| w == b"\nxref\n").unwrap();
    let tail = b.split_off(xref);
    let tail = String::from_utf8(tail)
        .unwrap()
        .replacen("0 1\n", "0 999999999\n", 1);
    b.extend_from_slice(tail.as_bytes());
    assert_err(open_bytes(&b), |e| matches!(e, PdfError::BrokenXref { .. }));
    // An entry whose offset is beyond the file.
    let mut b = build(&minimal_objects(), "");
    let at = b
        .windows(18)
        .position(|w| w == b"0000000015 00000 n")
        .unwrap();
    b[at..at + 10].copy_from_slice(b"0099999999");
    assert_err(open_bytes(&b), |e| matches!(e, PdfError::BrokenXref { .. }));
}

#[test]
fn truncated_files_are_refused() {
    let b = build(&minimal_objects(), "");
    for cut in [0, 5, 20, b.len() / 2, b.len() - 7, b.len() - 3] {
        assert!(open_bytes(&b[..cut]).is_err(), "cut at {cut}");
    }
}

#[test]
fn empty_object_is_null_and_duplicate_keys_refused() {
    let mut objs = minimal_objects();
    objs.push((4, b""));
    objs.push((5, b"<</A 1/A 2>>"));
    let r = open_bytes(&build(&objs, "")).unwrap();
    assert_eq!(r.get(ObjRef::new(4, 0)).unwrap(), Object::Null);
    assert_err(r.get(ObjRef::new(5, 0)), |e| {
        matches!(e, PdfError::Malformed { .. })
    });
}

#[test]
fn stream_data_cannot_run_into_the_next_object() {
    // Stream 4's /Length reaches over object 5 to an `endstream` inside it.
    let mut objs = minimal_objects();
    objs.push((4, b"<</Length 0000>>\nstream\nAB\nendstream"));
    objs.push((5, b"(y)\nendstream"));
    let mut b = build(&objs, "");
    let data = b.windows(7).position(|w| w == b"stream\n").unwrap() + 7;
    let fake = b
        .windows(13)
        .rposition(|w| w == b"\nendstream\nen")
        .unwrap();
    let len = format!("{:04}", fake - data);
    let at = b.windows(4).position(|w| w == b"0000").unwrap();
    b[at..at + 4].copy_from_slice(len.as_bytes());
    let r = open_bytes(&b).unwrap();
    assert_err(r.get(ObjRef::new(4, 0)), |e| match e {
        PdfError::Malformed { detail, .. } => detail.contains("runs into"),
        _ => false,
    });
}

/// Builds a PDF whose xref is an uncompressed xref stream (`/W [1 4 2]`). `extra` adds raw
/// entries `(number, type, field2, field3)`; `dict_extra` is spliced into the stream dictionary.
fn build_xref_stream(
    objects: &[(u32, &[u8])],
    extra: &[(u32, u8, u32, u16)],
    dict_extra: &str,
) -> Vec<u8> {
    let mut b = PdfBuilder::new(b"%PDF-1.7\n");
    for (n, body) in objects {
        b.object(*n, body);
    }
    let (mut out, entries) = b.into_parts();
    let mut rows: Vec<(u32, u8, u32, u16)> = entries
        .iter()
        .map(|(n, _, offset)| (*n, 1, offset.unwrap_or(0) as u32, 0))
        .collect();
    rows.extend_from_slice(extra);
    let xnum = rows.iter().map(|r| r.0).max().unwrap_or(0) + 1;
    let xref = out.len();
    rows.push((xnum, 1, xref as u32, 0));
    rows.sort_by_key(|r| r.0);
    let mut data = Vec::new();
    let mut index = String::new();
    for (n, t, a, b) in &rows {
        index.push_str(&format!("{n} 1 "));
        data.push(*t);
        data.extend_from_slice(&a.to_be_bytes());
        data.extend_from_slice(&b.to_be_bytes());
    }
    out.extend_from_slice(
        format!(
            "{xnum} 0 obj\n<</Type/XRef/Size {}/W[1 4 2]/Index[{index}]/Root 1 0 R/Length {}{dict_extra}>>\nstream\n",
            xnum + 1,
            data.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(&data);
    out.extend_from_slice(format!("\nendstream\nendobj\nstartxref\n{xref}\n%%EOF\n").as_bytes());
    out
}

#[test]
fn hand_built_xref_streams() {
    let ok = build_xref_stream(&minimal_objects(), &[], "");
    let r = open_bytes(&ok).unwrap();
    assert_eq!(r.xref_kind_last(), XrefKind::Stream);
    assert_eq!(r.page_refs().unwrap().len(), 1);
    // A /Size that hides the xref stream's own number does not lead to its reuse.
    let mut w = sigform::pdf::IncrementalWriter::new(&r).unwrap();
    assert!(w.allocate().num >= 5);

    // Bad /W, a /Size missing, a stream too short for /Index, numbers beyond u32.
    for (extra_dict, what) in [
        ("/W[1 9 2]", "W width 9"),
        ("/W[1 4]", "W of two"),
        ("/W[0 0 0]", "W all zero"),
        ("/Index[0 1000]", "Index beyond the data"),
        ("/Index[4294967295 2]", "numbers beyond u32"),
    ] {
        // Replace the original entry in place (the dictionary follows every object, so only
        // the stream's own offsets would move, and startxref points before it).
        let key = &extra_dict.as_bytes()[..extra_dict.find(['[', ' ']).unwrap() + 1];
        let start = ok.windows(key.len()).position(|w| w == key).unwrap();
        let end = start + ok[start..].iter().position(|&c| c == b']').unwrap() + 1;
        let mut bad = ok.clone();
        bad.splice(start..end, extra_dict.bytes());
        match open_bytes(&bad) {
            Err(PdfError::BrokenXref { .. }) => {}
            other => panic!("{what}: {other:?}"),
        }
    }
}

#[test]
fn object_stream_loops_terminate() {
    // Object 4 is said to live in object stream 4 itself.
    let b = build_xref_stream(&minimal_objects(), &[(4, 2, 4, 0)], "");
    let r = open_bytes(&b).unwrap();
    assert!(r.get(ObjRef::new(4, 0)).is_err());
    // Object 4 lives in object stream 5, whose /Length is object 4.
    let objstm: &[u8] = b"<</Type/ObjStm/N 1/First 4/Length 4 0 R>>\nstream\n4 0 (x)\nendstream";
    let mut objs = minimal_objects();
    objs.push((5, objstm));
    let b = build_xref_stream(&objs, &[(4, 2, 5, 0)], "");
    let r = open_bytes(&b).unwrap();
    assert!(r.get(ObjRef::new(4, 0)).is_err());
    assert!(r.get(ObjRef::new(5, 0)).is_err());
    // The same object stream with a direct /Length works.
    let objstm: &[u8] = b"<</Type/ObjStm/N 1/First 4/Length 7>>\nstream\n4 0 (x)\nendstream";
    let mut objs = minimal_objects();
    objs.push((5, objstm));
    let b = build_xref_stream(&objs, &[(4, 2, 5, 0)], "");
    let r = open_bytes(&b).unwrap();
    assert_eq!(
        r.get(ObjRef::new(4, 0)).unwrap(),
        Object::string(b"x".to_vec())
    );
    // Index out of range, or a header naming another object.
    let b = build_xref_stream(&objs, &[(4, 2, 5, 1)], "");
    assert!(open_bytes(&b).unwrap().get(ObjRef::new(4, 0)).is_err());
    let b = build_xref_stream(&objs, &[(6, 2, 5, 0)], "");
    assert!(open_bytes(&b).unwrap().get(ObjRef::new(6, 0)).is_err());
}

#[test]
fn corpus_startxref_a_few_bytes_off_is_tolerated_with_a_defect() {
    // obo1: white space before `xref`; obo2: one byte into it; obo3: white space before an
    // xref stream object. obo4–6 (inside `N G obj`, or not next to any section) stay refused.
    for name in [
        "minimal-startxref-obo1.pdf",
        "minimal-startxref-obo2.pdf",
        "minimal-startxref-obo3.pdf",
    ] {
        let Some(r) = corpus(name) else {
            return;
        };
        let r = r.unwrap_or_else(|e| panic!("{name}: {e}"));
        let d = r.defects();
        assert_eq!(d.len(), 1, "{name}: {d:?}");
        assert_eq!(
            d[0].kind,
            sigform::pdf::reader::DefectKind::ShiftedXrefOffset
        );
        assert!(!r.page_refs().unwrap().is_empty());
        assert!(r.unaccounted_tail().is_none());
    }
}

#[test]
fn white_space_before_an_object_is_tolerated_but_not_another_number() {
    let good = build(&minimal_objects(), "");
    // Point object 3's entry one byte early (at the end-of-line before `3 0 obj`).
    let at = good
        .windows(7)
        .position(|w| w == b"3 0 obj")
        .expect("object 3") as u64;
    let entry = format!("{at:010} 00000 n");
    let shifted = format!("{:010} 00000 n", at - 1);
    let text = good.clone();
    let pos = text
        .windows(entry.len())
        .position(|w| w == entry.as_bytes())
        .expect("entry");
    let mut bad = good.clone();
    bad[pos..pos + entry.len()].copy_from_slice(shifted.as_bytes());
    let r = open_bytes(&bad).unwrap();
    assert!(r.get(ObjRef::new(3, 0)).is_ok());
    assert!(
        r.defects()
            .iter()
            .any(|d| d.kind == sigform::pdf::reader::DefectKind::ShiftedObjectOffset)
    );
    // One byte late lands inside `3 0 obj` (on `0 obj`): never read as another object.
    let late = format!("{:010} 00000 n", at + 1);
    let mut bad = good;
    bad[pos..pos + entry.len()].copy_from_slice(late.as_bytes());
    let r = open_bytes(&bad).unwrap();
    assert_err(r.get(ObjRef::new(3, 0)), |e| {
        matches!(e, PdfError::BrokenXref { .. })
    });
}

/// A three-level page tree: root (2) over two nodes (3, 4) of three pages each (10..15).
/// `counts` gives the /Count of the root and of the two nodes.
fn tree_pdf(counts: [&str; 3]) -> Vec<u8> {
    let mut b = PdfBuilder::new(b"%PDF-1.7\n");
    b.object(1, b"<</Type/Catalog/Pages 2 0 R>>");
    b.object(
        2,
        format!("<</Type/Pages/Kids[3 0 R 4 0 R]{}>>", counts[0]).as_bytes(),
    );
    for (node, first, count) in [(3, 10, counts[1]), (4, 13, counts[2])] {
        b.object(
            node,
            format!(
                "<</Type/Pages/Parent 2 0 R/Kids[{} 0 R {} 0 R {} 0 R]{count}>>",
                first,
                first + 1,
                first + 2
            )
            .as_bytes(),
        );
    }
    for p in 10..16 {
        let parent = if p < 13 { 3 } else { 4 };
        b.object(p, format!("<</Type/Page/Parent {parent} 0 R>>").as_bytes());
    }
    b.finish(XrefTable::OneSection, " \n", "<</Size 16/Root 1 0 R>>")
}

#[test]
fn page_ref_descends_by_count_and_agrees_with_the_walk() {
    let good = open_bytes(&tree_pdf(["/Count 6", "/Count 3", "/Count 3"])).unwrap();
    // Wrong or missing counts: the walk decides, the answer is the same.
    let wrong = open_bytes(&tree_pdf(["/Count 6", "/Count 1", "/Count 5"])).unwrap();
    let missing = open_bytes(&tree_pdf(["", "", "/Count 3"])).unwrap();
    for r in [&good, &wrong, &missing] {
        let all = r.page_refs().unwrap();
        assert_eq!(
            all.iter().map(|p| p.num).collect::<Vec<_>>(),
            (10..16).collect::<Vec<_>>()
        );
        for (i, p) in all.iter().enumerate() {
            assert_eq!(r.page_ref(i).unwrap(), Some(*p), "page {i}");
        }
        assert_eq!(r.page_ref(6).unwrap(), None);
    }
    // A loop in the tree is an error, not a hang.
    let mut b = PdfBuilder::new(b"%PDF-1.7\n");
    b.object(1, b"<</Type/Catalog/Pages 2 0 R>>");
    b.object(2, b"<</Type/Pages/Kids[3 0 R]/Count 2>>");
    b.object(3, b"<</Type/Pages/Kids[2 0 R]/Count 2>>");
    let looped =
        open_bytes(&b.finish(XrefTable::OneSection, " \n", "<</Size 4/Root 1 0 R>>")).unwrap();
    assert!(looped.page_ref(1).is_err());
}
