//! Issue 14 item 8: the attacks of this file rewritten in other producers' structures — the
//! attacker's objects inside an object stream listed by an xref stream, or a hybrid update
//! (a classic table whose trailer names an `/XRefStm` holding the compressed entries) — and
//! combined with a tolerated defect (a shifted `startxref` or object offset). Each stays
//! caught.

use super::*;

/// How the attacker's update is laid out.
#[derive(Debug, Clone, Copy)]
enum Layout {
    /// Non-stream objects in an object stream; an xref stream lists everything.
    ObjStm,
    /// Non-stream objects in an object stream listed by an `/XRefStm`; the object stream and
    /// the other objects in a classic table whose trailer names it.
    Hybrid,
}

const LAYOUTS: [Layout; 2] = [Layout::ObjStm, Layout::Hybrid];

/// An xref stream (object `num`) with `entries` (number, type, field 2, field 3) and the
/// trailer entries `extra`.
fn xref_stream(num: u32, entries: &[(u32, u8, u64, u16)], extra: &str) -> Vec<u8> {
    let mut sorted = entries.to_vec();
    sorted.sort_unstable_by_key(|e| e.0);
    let mut data = Vec::new();
    let mut index = String::new();
    for (n, t, f2, f3) in &sorted {
        index.push_str(&format!("{n} 1 "));
        data.push(*t);
        data.extend_from_slice(&(*f2 as u32).to_be_bytes());
        data.extend_from_slice(&f3.to_be_bytes());
    }
    let mut body = format!(
        "<< /Type /XRef /W [1 4 2] /Index [{}] /Length {}{extra} >>\nstream\n",
        index.trim_end(),
        data.len()
    )
    .into_bytes();
    body.extend_from_slice(&data);
    body.extend_from_slice(b"\nendstream");
    let mut out = format!("{num} 0 obj\n").into_bytes();
    out.extend_from_slice(&body);
    out.extend_from_slice(b"\nendobj\n");
    out
}

/// Appends an update that sets the objects `f` returns, laid out as `layout`: streams as
/// ordinary objects, every other object inside one new object stream. `redirect` adds xref
/// entries pointing existing objects at given offsets (an xref-only change).
fn compressed_update(
    bytes: &[u8],
    layout: Layout,
    redirect: &[(u32, u64)],
    f: impl FnOnce(&Reader<Cursor<&[u8]>>, u32) -> Vec<(u32, Object)>,
) -> Vec<u8> {
    let reader = Reader::from_reader(Cursor::new(bytes)).expect("reader");
    let prev = reader.last_xref_offset();
    let root = reader.catalog_ref().expect("root");
    let next = u32::try_from(reader.next_object_number()).unwrap();
    let objects = f(&reader, next);
    let mut out = bytes.to_vec();
    out.extend_from_slice(reader.append_separator());
    drop(reader);
    let top = objects
        .iter()
        .map(|(n, _)| *n + 1)
        .max()
        .unwrap_or(next)
        .max(next);
    let (objstm_num, xref_num) = (top, top + 1);
    let mut plain = Vec::new(); // (num, type, f2, f3) of objects at offsets
    let mut compressed = Vec::new();
    let (mut header, mut payload) = (String::new(), Vec::new());
    for (n, o) in &objects {
        if matches!(o, Object::Stream(_)) {
            plain.push((*n, 1u8, out.len() as u64, 0u16));
            out.extend_from_slice(format!("{n} 0 obj\n").as_bytes());
            o.write_pdf(&mut out);
            out.extend_from_slice(b"\nendobj\n");
        } else {
            header.push_str(&format!("{n} {} ", payload.len()));
            compressed.push((*n, 2u8, u64::from(objstm_num), compressed.len() as u16));
            o.write_pdf(&mut payload);
            payload.push(b'\n');
        }
    }
    let first = header.len();
    let mut data = header.into_bytes();
    data.extend_from_slice(&payload);
    plain.push((objstm_num, 1, out.len() as u64, 0));
    out.extend_from_slice(
        format!(
            "{objstm_num} 0 obj\n<< /Type /ObjStm /N {} /First {first} /Length {} >>\nstream\n",
            compressed.len(),
            data.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(&data);
    out.extend_from_slice(b"\nendstream\nendobj\n");
    for (n, at) in redirect {
        plain.push((*n, 1, *at, 0));
    }
    let size = xref_num + 1;
    let xref_at = out.len() as u64;
    match layout {
        Layout::ObjStm => {
            let mut all = plain.clone();
            all.extend_from_slice(&compressed);
            all.push((xref_num, 1, xref_at, 0));
            let extra = format!(" /Size {size} /Root {root} /Prev {prev}");
            out.extend_from_slice(&xref_stream(xref_num, &all, &extra));
            out.extend_from_slice(format!("startxref\n{xref_at}\n%%EOF\n").as_bytes());
            out
        }
        Layout::Hybrid => {
            out.extend_from_slice(&xref_stream(
                xref_num,
                &compressed,
                &format!(" /Size {size}"),
            ));
            // The table lists the xref stream too (as hybrid writers do).
            let entries: Vec<(u32, u16, Option<u64>)> = plain
                .iter()
                .map(|(n, _, at, _)| (*n, 0, Some(*at)))
                .chain([(xref_num, 0, Some(xref_at))])
                .collect();
            let mut b = PdfBuilder::after(out);
            for (n, g, at) in &entries {
                b.entry(*n, *g, *at);
            }
            let trailer =
                format!("<< /Size {size} /Root {root} /Prev {prev} /XRefStm {xref_at} >>");
            b.finish(XrefTable::SectionPerEntry, "\r\n", &trailer)
        }
    }
}

/// The file's objects as a reader of `bytes` sees them (asserts the layout is really read).
fn assert_compressed(bytes: &[u8], num: u32) {
    let reader = Reader::from_reader(Cursor::new(bytes)).expect("reader");
    assert!(
        matches!(
            reader.xref_entry_in_revision(num, reader.revisions().len() - 1),
            Ok(Some(sigform::pdf::XrefEntry::Compressed { .. }))
        ),
        "object {num} is not in an object stream"
    );
}

#[test]
fn shadow_replace_through_an_object_stream() {
    for layout in LAYOUTS {
        let out = compressed_update(&signed(), layout, &[], |reader, _| {
            let mut page = get_dict(reader, 3);
            page.insert("Contents", Object::Reference(ObjRef::new(7, 0)));
            vec![(3, Object::Dictionary(page))]
        });
        assert_compressed(&out, 3);
        assert_modified(&verify(&out).signatures[0], "page_content");
    }
}

#[test]
fn shadow_hide_through_an_object_stream() {
    for layout in LAYOUTS {
        let out = compressed_update(
            &certified(Certification::FormFilling),
            layout,
            &[],
            |reader, _| {
                let mut page = get_dict(reader, 3);
                let annots: Vec<Object> = page
                    .get("Annots")
                    .and_then(Object::as_array)
                    .unwrap_or_default()
                    .iter()
                    .filter(|o| **o != Object::Reference(ObjRef::new(13, 0)))
                    .cloned()
                    .collect();
                page.insert("Annots", Object::Array(annots));
                vec![(3, Object::Dictionary(page))]
            },
        );
        assert_compressed(&out, 3);
        assert_modified(&verify(&out).signatures[0], "annotation");
    }
}

#[test]
fn shadow_hide_and_replace_redirected_by_an_xref_stream() {
    let rev1 = build_pdf(&base_objects(HIDDEN_TEXT), Some(15));
    let rev2 = update(&rev1, |_, w| {
        w.update(ObjRef::new(5, 0), plain_stream(VISIBLE_TEXT));
    });
    let signed = sign_with(&rev2, &PadesOptions::default());
    let hidden_at = offset_in(&signed, 5, 0);
    for layout in LAYOUTS {
        // The redirection, plus an innocent-looking /Info rewrite inside an object stream.
        let out = compressed_update(&signed, layout, &[(5, hidden_at)], |_, next| {
            let mut info = Dictionary::new();
            info.insert(
                "Producer",
                Object::String(PdfString::literal(b"x".to_vec())),
            );
            vec![(next, Object::Dictionary(info))]
        });
        assert_modified(&verify(&out).signatures[0], "xref_redirect");
    }
}

#[test]
fn isa_through_an_object_stream() {
    for layout in LAYOUTS {
        // New content stream (plain) and the page pointing at it (compressed).
        let out = compressed_update(&signed(), layout, &[], |reader, next| {
            let mut page = get_dict(reader, 3);
            page.insert("Contents", Object::Reference(ObjRef::new(next, 0)));
            vec![
                (next, plain_stream(HIDDEN_TEXT)),
                (3, Object::Dictionary(page)),
            ]
        });
        assert_compressed(&out, 3);
        assert_modified(&verify(&out).signatures[0], "page_content");
        // OpenAction JavaScript: the catalog and the action both compressed.
        let out = compressed_update(&signed(), layout, &[], |reader, next| {
            let mut js = Dictionary::new();
            js.insert("S", Object::name("JavaScript"));
            js.insert(
                "JS",
                Object::String(PdfString::literal(b"app.alert(1)".to_vec())),
            );
            let root = reader.catalog_ref().expect("root");
            let mut cat = reader.catalog().expect("catalog");
            cat.insert("OpenAction", Object::Reference(ObjRef::new(next, 0)));
            vec![
                (next, Object::Dictionary(js)),
                (root.num, Object::Dictionary(cat)),
            ]
        });
        assert_modified(&verify(&out).signatures[0], "javascript");
    }
}

/// `bytes` with its last `startxref` value lowered by one (pointing at the end-of-line
/// before the section: the tolerated shifted-xref-offset defect).
fn shift_last_startxref(bytes: &[u8]) -> Vec<u8> {
    let at = rfind(bytes, b"startxref").expect("startxref") + b"startxref".len();
    let tail = std::str::from_utf8(&bytes[at..]).unwrap();
    let value: u64 = tail.split_whitespace().next().unwrap().parse().unwrap();
    let mut out = bytes[..at].to_vec();
    out.extend_from_slice(format!("\n{}\n%%EOF\n", value - 1).as_bytes());
    out
}

#[test]
fn a_tolerated_defect_does_not_hide_a_shadow_attack() {
    // Shifted startxref over a plain update, an xref-stream update and a hybrid one.
    let plain = update(&signed(), |reader, w| {
        let mut page = get_dict(reader, 3);
        page.insert("Contents", Object::Reference(ObjRef::new(7, 0)));
        w.update(ObjRef::new(3, 0), Object::Dictionary(page));
    });
    let mut files = vec![plain.clone()];
    for layout in LAYOUTS {
        files.push(compressed_update(&signed(), layout, &[], |reader, _| {
            let mut page = get_dict(reader, 3);
            page.insert("Contents", Object::Reference(ObjRef::new(7, 0)));
            vec![(3, Object::Dictionary(page))]
        }));
    }
    for (i, f) in files.iter().enumerate() {
        let shifted = shift_last_startxref(f);
        let r = verify(&shifted);
        assert!(
            r.warnings.iter().any(|w| w.contains("shifted-xref-offset"))
                || r.signatures[0]
                    .warnings
                    .iter()
                    .any(|w| w.contains("shifted-xref-offset")),
            "file {i}: the defect is reported: {:?}",
            r.warnings
        );
        assert_modified(&r.signatures[0], "page_content");
    }
    // Shifted object offset: the attacker's page entry names the white space before it.
    let at = offset_in(&plain, 3, 2);
    assert_eq!(plain[at as usize - 1], b'\n');
    let out = raw_update(&plain, &[], &[(3, 0, Some(at - 1))]);
    let s = &verify(&out).signatures[0];
    // The revision analysis does not take the recovered reading: it refuses the entry, so the
    // signature fails (format) instead of comparing a guessed object.
    assert_eq!(
        s.indication,
        Indication::TotalFailed,
        "{:?}",
        failed_checks(s)
    );
    assert!(
        failed_checks(s).iter().any(|c| c.contains("3 0 R")),
        "{:?}",
        failed_checks(s)
    );
}

#[test]
fn benign_updates_in_these_layouts_pass() {
    // The control: the same layouts carrying a harmless change (a new /Info) pass, so the
    // attacks above fail for their content, not for their structure.
    for layout in LAYOUTS {
        let out = compressed_update(&signed(), layout, &[], |_, next| {
            let mut info = Dictionary::new();
            info.insert(
                "Producer",
                Object::String(PdfString::literal(b"x".to_vec())),
            );
            vec![(next, Object::Dictionary(info))]
        });
        assert_passed(&verify(&out).signatures[0]);
        // qpdf (a judge, under SIGFORM_INTEROP) reads the layout as well-formed.
        let dir = tempdir();
        let path = dir.path().join("benign.pdf");
        std::fs::write(&path, &out).unwrap();
        if let Some((ok, report)) = judges::qpdf_check(&path) {
            assert!(ok, "{layout:?}: {report}");
        }
    }
}
