//! Issue 14 item 2: a page given as a direct dictionary in `/Kids`. Read with a
//! `direct-page-kid` warning; signed invisibly (the widget goes to the first page that is an
//! object of its own; pyHanko refuses to sign such files at all, and validates them); a visible
//! signature on the direct page is a clear refusal; changing the direct page after signing is
//! still a modification.

use super::*;

const DIRECT_PAGE: &str = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>";

/// Two pages: the first a direct dictionary in the root's /Kids, the second object 3.
fn direct_kid_doc(first_contents: &str) -> Vec<u8> {
    let mut b = PdfBuilder::new(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n");
    b.object(1, b"<< /Type /Catalog /Pages 2 0 R >>");
    b.object(
        2,
        format!(
            "<< /Type /Pages /Kids [{} 3 0 R] /Count 2 >>",
            DIRECT_PAGE.replace("/Contents 4 0 R", first_contents)
        )
        .as_bytes(),
    );
    b.object(3, DIRECT_PAGE.as_bytes());
    b.object(4, &stream("", VISIBLE_TEXT));
    b.object(5, b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
    b.object(6, &stream("", HIDDEN_TEXT));
    b.finish(
        XrefTable::OneSection,
        "\r\n",
        "<< /Size 7 /Root 1 0 R /ID [<00112233445566778899aabbccddeeff> <00112233445566778899aabbccddeeff>] >>",
    )
}

fn has_defect_warning(r: &ValidationReport) -> bool {
    r.warnings.iter().any(|w| w.contains("direct-page-kid"))
}

#[test]
fn the_reader_tolerates_a_direct_page_with_a_defect() {
    let doc = direct_kid_doc("/Contents 4 0 R");
    let reader = Reader::from_reader(Cursor::new(doc.as_slice())).unwrap();
    // The strict walk still refuses it; the tolerant one lists it in place.
    assert!(reader.page_refs().is_err());
    let pages = reader.pages().unwrap();
    assert_eq!(
        pages,
        vec![
            sigform::pdf::PageNode::Direct {
                parent: ObjRef::new(2, 0),
                index: 0
            },
            sigform::pdf::PageNode::Indirect(ObjRef::new(3, 0)),
        ]
    );
    assert!(
        reader
            .defects()
            .iter()
            .any(|d| d.kind == sigform::pdf::reader::DefectKind::DirectPageKid)
    );
}

#[test]
fn the_node_walk_finds_a_direct_page_below_the_root_without_reading_the_pages() {
    // Root -> intermediate node 6 -> [direct page, page 3]: the walk a verifier does reads
    // the /Pages nodes only, and still notes the defect one level down.
    let mut b = PdfBuilder::new(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n");
    b.object(1, b"<< /Type /Catalog /Pages 2 0 R >>");
    b.object(2, b"<< /Type /Pages /Kids [6 0 R] /Count 2 >>");
    b.object(
        6,
        format!(
            "<< /Type /Pages /Parent 2 0 R /Kids [{} 3 0 R] /Count 2 >>",
            DIRECT_PAGE.replace("/Parent 2 0 R", "/Parent 6 0 R")
        )
        .as_bytes(),
    );
    b.object(
        3,
        DIRECT_PAGE
            .replace("/Parent 2 0 R", "/Parent 6 0 R")
            .as_bytes(),
    );
    b.object(4, &stream("", VISIBLE_TEXT));
    b.object(5, b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
    let doc = b.finish(XrefTable::OneSection, "\r\n", "<< /Size 7 /Root 1 0 R >>");
    let reader = Reader::from_reader(Cursor::new(doc.as_slice())).unwrap();
    reader.note_page_tree_defects().unwrap();
    let defects = reader.defects();
    assert!(
        defects.iter().any(
            |d| d.kind == sigform::pdf::reader::DefectKind::DirectPageKid
                && d.detail.contains("6 0 R")
        ),
        "{defects:?}"
    );
}

#[test]
fn invisible_signature_on_a_file_with_a_direct_page_verifies_with_a_warning() {
    let signed = sign_with(&direct_kid_doc("/Contents 4 0 R"), &PadesOptions::default());
    let r = verify(&signed);
    assert_passed(&r.signatures[0]);
    assert!(has_defect_warning(&r), "{:?}", r.warnings);
    // The widget is on page 2, the first page that is an object of its own.
    let reader = Reader::from_reader(Cursor::new(signed.as_slice())).unwrap();
    let page2 = get_dict(&reader, 3);
    assert!(page2.get("Annots").is_some());
    // pyHanko (a judge) validates it too.
    let dir = tempdir();
    let path = dir.path().join("direct.pdf");
    std::fs::write(&path, &signed).unwrap();
    if let Some((ok, out)) = judges::pyhanko_validate(&[path.as_os_str()]) {
        assert!(ok && out.contains("INTACT:TRUSTED,UNTOUCHED"), "{out}");
    }
}

#[test]
fn visible_signature_on_the_direct_page_is_refused_and_on_another_page_works() {
    let doc = direct_kid_doc("/Contents 4 0 R");
    let visible = |page| PadesOptions {
        visible: Some(Visible {
            page,
            rect: [100.0, 100.0, 250.0, 150.0],
            ..Visible::default()
        }),
        ..PadesOptions::default()
    };
    let mut out = Cursor::new(Vec::new());
    let err = psign::sign(
        Cursor::new(&doc),
        &mut out,
        &signer("signer-rsa2048"),
        &visible(1),
    )
    .expect_err("direct page");
    assert!(err.to_string().contains("direct dictionary"), "{err}");
    let signed = sign_with(&doc, &visible(2));
    assert_passed(&verify(&signed).signatures[0]);
}

#[test]
fn changing_the_direct_page_after_signing_is_caught() {
    let signed = sign_with(&direct_kid_doc("/Contents 4 0 R"), &PadesOptions::default());
    // The attacker rewrites the /Pages node so that the direct page shows object 6.
    let out = update(&signed, |reader, w| {
        let mut pages = get_dict(reader, 2);
        let mut kids = pages
            .get("Kids")
            .and_then(Object::as_array)
            .unwrap()
            .to_vec();
        let Object::Dictionary(mut page) = kids[0].clone() else {
            panic!("direct page")
        };
        page.insert("Contents", Object::Reference(ObjRef::new(6, 0)));
        kids[0] = Object::Dictionary(page);
        pages.insert("Kids", Object::Array(kids));
        w.update(ObjRef::new(2, 0), Object::Dictionary(pages));
    });
    // The direct page is part of its /Pages node: the change is a page tree change.
    assert_modified(&verify(&out).signatures[0], "page_tree");
}
