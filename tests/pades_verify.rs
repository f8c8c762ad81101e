//! PAdES verification: benign updates pass, and every published attack class on PDF signatures
//! (Universal Signature Forgery, Incremental Saving, Signature Wrapping, Shadow, certification
//! attacks) is caught. Every attack file is generated here from our own signer's output plus
//! byte or incremental-update manipulation.

mod common;
use common::*;
use sigform::VerifyOptions;
use sigform::asn1::tlv;
use sigform::cades::{self, CadesOptions, SigningTime};
use sigform::pades::sign::{self as psign, Certification, PadesOptions, SubFilter, Visible};
use sigform::pdf::{Dictionary, IncrementalWriter, ObjRef, Object, PdfString, Reader, Stream};
use sigform::report::{
    CertificationReport, Indication, Level, PdfSignatureKind, SignatureReport, SubIndication,
    ValidationReport,
};
use sigform::signer::{Signer, SoftwareSigner};
use sigform::x509::TrustStore;
use std::io::Cursor;

// ---------------------------------------------------------------------------------------------
// Material

fn signer(name: &str) -> SoftwareSigner {
    test_signer(name, "pki/chain.pem")
}

fn options() -> VerifyOptions {
    VerifyOptions {
        trust: Some(TrustStore::from_path(tv("pki/root-ca.pem")).expect("root")),
        ..VerifyOptions::default()
    }
}

fn stream(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut v = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
    v.extend_from_slice(data);
    v.extend_from_slice(b"\nendstream");
    v
}

/// A PDF with a classic xref table from numbered object bodies (object 1 is the catalog).
fn build_pdf(objects: &[(u32, Vec<u8>)], info: Option<u32>) -> Vec<u8> {
    let mut b = PdfBuilder::new(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n");
    for (n, body) in objects {
        b.object(*n, body);
    }
    let info = info.map(|i| format!(" /Info {i} 0 R")).unwrap_or_default();
    let trailer = format!("<< /Size {} /Root 1 0 R{info} >>", b.size());
    b.finish(XrefTable::OneSection, "\r\n", &trailer)
}

const VISIBLE_TEXT: &[u8] = b"BT /F1 24 Tf 72 700 Td (Pay 100 EUR to Alice) Tj ET\n\
BT /F1 24 Tf 72 650 Td (Pay 999999 EUR to Mallory) Tj ET\nq /Ov Do Q\n";
const HIDDEN_TEXT: &[u8] = b"BT /F1 24 Tf 72 700 Td (Pay 999999 EUR to Mallory) Tj ET\n";

/// The document to sign: two pages, a font, an overlay XObject hiding a line, an unused
/// ("hidden") content stream, a text field with its appearance, a square annotation over the
/// hidden line, and an information dictionary.
fn base_objects(content5: &[u8]) -> Vec<(u32, Vec<u8>)> {
    vec![
        (
            1,
            b"<< /Type /Catalog /Pages 2 0 R /AcroForm 9 0 R >>".to_vec(),
        ),
        (2, b"<< /Type /Pages /Kids [3 0 R 10 0 R] /Count 2 >>".to_vec()),
        (
            3,
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> /XObject << /Ov 6 0 R >> >> /Contents 5 0 R /Annots [8 0 R 13 0 R] >>".to_vec(),
        ),
        (
            4,
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
                .to_vec(),
        ),
        (5, stream("", content5)),
        (
            6,
            stream(
                "/Type /XObject /Subtype /Form /BBox [0 0 612 792]",
                b"1 1 1 rg 60 640 500 40 re f",
            ),
        ),
        (7, stream("", HIDDEN_TEXT)),
        (
            8,
            b"<< /FT /Tx /T (Amount) /V (100) /DA (/Helv 12 Tf 0 g) /Type /Annot /Subtype /Widget /F 4 /Rect [72 500 300 530] /P 3 0 R /AP << /N 11 0 R >> >>".to_vec(),
        ),
        (
            9,
            b"<< /Fields [8 0 R] /DA (/Helv 0 Tf 0 g) /DR << /Font << /Helv 4 0 R >> >> >>"
                .to_vec(),
        ),
        (
            10,
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 12 0 R >>".to_vec(),
        ),
        (
            11,
            stream(
                "/Type /XObject /Subtype /Form /BBox [0 0 228 30] /Resources << /Font << /Helv 4 0 R >> >>",
                b"/Tx BMC BT /Helv 12 Tf 2 10 Td (100) Tj ET EMC",
            ),
        ),
        (
            12,
            stream("", b"BT /F1 12 Tf 72 700 Td (Terms and conditions) Tj ET"),
        ),
        (
            13,
            b"<< /Type /Annot /Subtype /Square /Rect [60 640 560 680] /C [1 1 1] /IC [1 1 1] /F 4 /AP << /N 14 0 R >> >>".to_vec(),
        ),
        (
            14,
            stream(
                "/Type /XObject /Subtype /Form /BBox [0 0 500 40]",
                b"1 1 1 rg 0 0 500 40 re f",
            ),
        ),
        (15, b"<< /Title (Invoice) /Producer (sigform tests) >>".to_vec()),
    ]
}

fn base_doc() -> Vec<u8> {
    build_pdf(&base_objects(VISIBLE_TEXT), Some(15))
}

fn sign_with(doc: &[u8], opts: &PadesOptions) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    psign::sign(Cursor::new(doc), &mut out, &signer("signer-rsa2048"), opts).expect("sign");
    out.into_inner()
}

fn signed() -> Vec<u8> {
    sign_with(
        &base_doc(),
        &PadesOptions {
            field_name: Some("Sig1".into()),
            ..PadesOptions::default()
        },
    )
}

fn certified(p: Certification) -> Vec<u8> {
    sign_with(
        &base_doc(),
        &PadesOptions {
            field_name: Some("Sig1".into()),
            certify: Some(p),
            ..PadesOptions::default()
        },
    )
}

fn verify(bytes: &[u8]) -> ValidationReport {
    sigform::pades::verify_pdf(Cursor::new(bytes), &options()).expect("a readable PDF")
}

// ---------------------------------------------------------------------------------------------
// Report helpers

fn category(s: &SignatureReport) -> &str {
    s.details
        .as_ref()
        .and_then(|d| d.modification_category.as_deref())
        .unwrap_or("")
}

/// (kind, allowed, detail) of each modification.
fn mods(s: &SignatureReport) -> Vec<(String, bool, String)> {
    s.details
        .as_ref()
        .and_then(|d| d.modifications.as_ref())
        .map(|a| {
            a.iter()
                .map(|m| (m.kind.clone(), m.allowed, m.detail.clone()))
                .collect()
        })
        .unwrap_or_default()
}

fn passed(s: &SignatureReport) -> bool {
    s.indication == Indication::TotalPassed
}

fn assert_passed(s: &SignatureReport) {
    assert!(
        passed(s),
        "{} should pass: {:?} {:?}\n{:?}\nmods: {:?}",
        s.id,
        s.indication,
        s.sub_indication,
        failed_checks(s),
        mods(s)
    );
}

/// The signature failed because of a change after signing of kind `kind`.
fn assert_modified(s: &SignatureReport, kind: &str) {
    assert_eq!(
        s.indication,
        Indication::TotalFailed,
        "{}: {:?}",
        s.id,
        mods(s)
    );
    assert_eq!(
        s.sub_indication,
        Some(SubIndication::SigConstraintsFailure),
        "{:?}",
        failed_checks(s)
    );
    assert_eq!(category(s), "other");
    let m = mods(s);
    assert!(
        m.iter().any(|(k, allowed, _)| k == kind && !allowed),
        "expected a refused `{kind}` modification, got {m:?}"
    );
    // The cryptography itself is intact: only the changes fail the signature.
    assert!(
        s.checks
            .iter()
            .any(|c| c.name == "signature-value" && c.passed)
    );
}

/// The signature failed structurally (format), and a check named `check` says why.
fn assert_format_failure(s: &SignatureReport, check: &str) {
    assert_eq!(
        s.indication,
        Indication::TotalFailed,
        "{:?}",
        failed_checks(s)
    );
    assert_eq!(s.sub_indication, Some(SubIndication::FormatFailure));
    assert!(
        s.checks.iter().any(|c| c.name == check && !c.passed),
        "expected a failed `{check}` check: {:?}",
        failed_checks(s)
    );
}

// ---------------------------------------------------------------------------------------------
// Update helpers

/// Appends an incremental update built by `f`.
fn update(bytes: &[u8], f: impl FnOnce(&Reader<Cursor<&[u8]>>, &mut IncrementalWriter)) -> Vec<u8> {
    let reader = Reader::from_reader(Cursor::new(bytes)).expect("reader");
    let mut w = IncrementalWriter::new(&reader).expect("writer");
    f(&reader, &mut w);
    let mut out = bytes.to_vec();
    out.extend_from_slice(reader.append_separator());
    let base = out.len() as u64;
    w.write(&mut out, base).expect("write");
    out
}

fn get_dict(reader: &Reader<Cursor<&[u8]>>, num: u32) -> Dictionary {
    reader
        .get(ObjRef::new(num, 0))
        .expect("object")
        .as_dict()
        .cloned()
        .expect("dictionary")
}

/// Updates object `num` (a dictionary) with `r` appended to its array `key` (made if absent).
fn append_ref(
    reader: &Reader<Cursor<&[u8]>>,
    w: &mut IncrementalWriter,
    num: u32,
    key: &str,
    r: ObjRef,
) {
    let mut dict = get_dict(reader, num);
    let mut array = dict
        .get(key)
        .and_then(Object::as_array)
        .unwrap_or_default()
        .to_vec();
    array.push(Object::Reference(r));
    dict.insert(key, Object::Array(array));
    w.update(ObjRef::new(num, 0), Object::Dictionary(dict));
}

fn plain_stream(data: &[u8]) -> Object {
    Object::Stream(Stream::new(Dictionary::new(), data.to_vec()))
}

/// Appends objects and xref entries written by hand (for xref-only manipulation).
/// `entries`: (number, generation, Some(offset) in use | None free).
fn raw_update(
    bytes: &[u8],
    objects: &[(u32, u16, Vec<u8>)],
    entries: &[(u32, u16, Option<u64>)],
) -> Vec<u8> {
    let reader = Reader::from_reader(Cursor::new(bytes)).expect("reader");
    let prev = reader.last_xref_offset();
    let root = reader.catalog_ref().expect("root");
    let size = reader.next_object_number();
    let mut out = bytes.to_vec();
    out.extend_from_slice(reader.append_separator());
    raw_section(&mut out, objects, entries, prev, root, size)
}

fn raw_section(
    out: &mut Vec<u8>,
    objects: &[(u32, u16, Vec<u8>)],
    entries: &[(u32, u16, Option<u64>)],
    prev: u64,
    root: ObjRef,
    size: u64,
) -> Vec<u8> {
    let mut b = PdfBuilder::after(std::mem::take(out));
    for (n, g, offset) in entries {
        b.entry(*n, *g, *offset);
    }
    for (n, g, body) in objects {
        b.object_gen(*n, *g, body);
    }
    let size = size.max(u64::from(b.size()));
    let trailer = format!("<< /Size {size} /Root {root} /Prev {prev} >>");
    b.finish(XrefTable::SectionPerEntry, "\r\n", &trailer)
}

/// Offset of object `num` as revision `rev` sees it.
fn offset_in(bytes: &[u8], num: u32, rev: usize) -> u64 {
    let reader = Reader::from_reader(Cursor::new(bytes)).expect("reader");
    match reader.xref_entry_in_revision(num, rev).expect("rev") {
        Some(sigform::pdf::XrefEntry::InUse { offset, .. }) => offset,
        e => panic!("object {num} in revision {rev}: {e:?}"),
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// The last /ByteRange of the file: its four values and where its `[...]` text lies.
fn last_byte_range(bytes: &[u8]) -> ([u64; 4], usize, usize) {
    let at = rfind(bytes, b"/ByteRange").expect("ByteRange") + b"/ByteRange".len();
    let open = at + find(&bytes[at..], b"[").expect("[");
    let close = open + find(&bytes[open..], b"]").expect("]");
    let text = std::str::from_utf8(&bytes[open + 1..close]).expect("ascii");
    let v: Vec<u64> = text
        .split_whitespace()
        .map(|t| t.parse().expect("int"))
        .collect();
    ([v[0], v[1], v[2], v[3]], open, close)
}

/// Runs our signer's first step on `doc` (the file with a zeroed /Contents and a real
/// /ByteRange), for tests that finish the signature themselves.
fn prepared(doc: &[u8], opts: &PadesOptions) -> Vec<u8> {
    let s = signer("signer-rsa2048");
    let mut out = Cursor::new(Vec::new());
    psign::prepare(
        Cursor::new(doc),
        &mut out,
        s.identity(),
        s.algorithm(),
        opts,
    )
    .expect("prepare");
    out.into_inner()
}

/// Rewrites the last /ByteRange (same width, padded) to `br`.
fn set_byte_range(bytes: &mut [u8], br: [u64; 4]) {
    let (_, open, close) = last_byte_range(bytes);
    let width = {
        // the placeholder is padded with spaces up to the next line
        let mut end = close + 1;
        while bytes.get(end) == Some(&b' ') {
            end += 1;
        }
        end - open
    };
    let text = format!("[{} {} {} {}]", br[0], br[1], br[2], br[3]);
    assert!(text.len() <= width, "byte range does not fit");
    let padded = format!("{text:<width$}");
    bytes[open..open + width].copy_from_slice(padded.as_bytes());
}

/// Signs the ranges the last /ByteRange names with `make_cms` and writes the CMS into the
/// last /Contents.
fn finish_with(mut bytes: Vec<u8>, make_cms: impl FnOnce(&[u8]) -> Vec<u8>) -> Vec<u8> {
    let (br, _, _) = last_byte_range(&bytes);
    let mut data = bytes[br[0] as usize..(br[0] + br[1]) as usize].to_vec();
    data.extend_from_slice(&bytes[br[2] as usize..(br[2] + br[3]) as usize]);
    let cms = make_cms(&data);
    let hex = hex::encode_upper(cms);
    let at = rfind(&bytes, b"/Contents <").expect("Contents") + b"/Contents <".len();
    let end = at + find(&bytes[at..], b">").expect(">");
    assert!(hex.len() <= end - at, "CMS does not fit");
    bytes[at..at + hex.len()].copy_from_slice(hex.as_bytes());
    bytes
}

fn cms_over(data: &[u8]) -> Vec<u8> {
    cades::sign(
        Cursor::new(data),
        &signer("signer-rsa2048"),
        &CadesOptions {
            signing_time: SigningTime::Omit,
            ..CadesOptions::default()
        },
    )
    .expect("cms")
}

/// Adds a forged signature field whose signature dictionary body is `sig_body`.
fn forge(bytes: &[u8], sig_body: &str) -> Vec<u8> {
    update(bytes, |reader, w| {
        let sig = w.allocate();
        w.put_raw(sig, sig_body.as_bytes().to_vec());
        let mut field = Dictionary::new();
        field.insert("FT", Object::name("Sig"));
        field.insert("T", Object::String(PdfString::literal(b"Forged".to_vec())));
        field.insert("V", Object::Reference(sig));
        field.insert("Type", Object::name("Annot"));
        field.insert("Subtype", Object::name("Widget"));
        field.insert(
            "Rect",
            Object::Array(vec![0.into(), 0.into(), 0.into(), 0.into()]),
        );
        field.insert("P", Object::Reference(ObjRef::new(3, 0)));
        let f = w.add(Object::Dictionary(field));
        append_ref(reader, w, 9, "Fields", f);
        append_ref(reader, w, 3, "Annots", f);
    })
}

// ---------------------------------------------------------------------------------------------
// Benign

#[test]
fn our_signature_verifies_whole_file() {
    let r = verify(&signed());
    assert_eq!(r.format, "PAdES");
    assert_eq!(r.signatures.len(), 1, "{r}");
    let s = &r.signatures[0];
    assert_passed(s);
    assert!(r.valid);
    assert_eq!(pdf_details(s).coverage.as_deref(), Some("whole file"));
    assert_eq!(pdf_details(s).field.as_deref(), Some("Sig1"));
    assert_eq!(
        pdf_details(s).subfilter.as_deref(),
        Some("ETSI.CAdES.detached")
    );
    assert_eq!(category(s), "untouched");
    assert!(s.trust.evaluated && s.trust.anchor.is_some());
    assert!(s.claimed_signing_time.is_some(), "/M is the claimed time");
}

#[test]
fn adbe_subfilter_and_visible_signature_verify() {
    let png = {
        let mut v = Vec::new();
        let mut enc = png::Encoder::new(&mut v, 2, 2);
        enc.set_color(png::ColorType::Rgba);
        enc.set_depth(png::BitDepth::Eight);
        let mut w = enc.write_header().expect("png");
        w.write_image_data(&[0, 0, 0, 255, 0, 0, 0, 0, 0, 0, 0, 128, 255, 255, 255, 255])
            .expect("png");
        drop(w);
        v
    };
    let out = sign_with(
        &base_doc(),
        &PadesOptions {
            subfilter: SubFilter::AdbePkcs7Detached,
            visible: Some(Visible {
                page: 2,
                rect: [72.0, 100.0, 300.0, 160.0],
                image_png: Some(png),
                lines: None,
            }),
            ..PadesOptions::default()
        },
    );
    let r = verify(&out);
    assert_passed(&r.signatures[0]);
    assert_eq!(
        pdf_details(&r.signatures[0]).subfilter.as_deref(),
        Some("adbe.pkcs7.detached")
    );
}

#[test]
fn second_signature_passes_and_first_is_form_filling() {
    let one = signed();
    let two = sign_with(
        &one,
        &PadesOptions {
            field_name: Some("Sig2".into()),
            visible: Some(Visible {
                page: 1,
                rect: [300.0, 50.0, 550.0, 120.0],
                ..Visible::default()
            }),
            ..PadesOptions::default()
        },
    );
    let r = verify(&two);
    assert_eq!(r.signatures.len(), 2, "{r}");
    let (s1, s2) = (&r.signatures[0], &r.signatures[1]);
    assert_passed(s1);
    assert_passed(s2);
    assert_eq!(pdf_details(s1).coverage.as_deref(), Some("revision 2 of 3"));
    assert_eq!(pdf_details(s2).coverage.as_deref(), Some("whole file"));
    assert_eq!(category(s1), "form_filling");
    assert_eq!(category(s2), "untouched");
    assert!(mods(s1).iter().all(|(_, allowed, _)| *allowed));
    assert!(r.valid);
}

#[test]
fn form_filling_after_signing_passes_and_is_reported() {
    let out = update(&signed(), |reader, w| {
        let mut field = get_dict(reader, 8);
        field.insert("V", Object::String(PdfString::literal(b"250".to_vec())));
        let mut ap = Dictionary::new();
        ap.insert("Type", Object::name("XObject"));
        ap.insert("Subtype", Object::name("Form"));
        ap.insert(
            "BBox",
            Object::Array(vec![0.into(), 0.into(), 228.into(), 30.into()]),
        );
        let n = w.add(Object::Stream(Stream::new(
            ap,
            b"/Tx BMC BT /Helv 12 Tf 2 10 Td (250) Tj ET EMC".to_vec(),
        )));
        let mut apd = Dictionary::new();
        apd.insert("N", Object::Reference(n));
        field.insert("AP", Object::Dictionary(apd));
        w.update(ObjRef::new(8, 0), Object::Dictionary(field));
    });
    let r = verify(&out);
    let s = &r.signatures[0];
    assert_passed(s);
    assert_eq!(category(s), "form_filling");
    assert!(
        mods(s).iter().any(|(_, _, d)| d.contains("Amount")),
        "{:?}",
        mods(s)
    );
    assert!(
        s.warnings
            .iter()
            .any(|w| w.contains("changed after this signature"))
    );
}

fn add_dss(bytes: &[u8], crl: bool) -> Vec<u8> {
    update(bytes, |reader, w| {
        let mut certs = Vec::new();
        for c in sigform::CertificateDer::parse_many(&tv_bytes("pki/chain.pem")).expect("chain") {
            certs.push(Object::Reference(w.add(Object::Stream(Stream::new(
                Dictionary::new(),
                c.der().to_vec(),
            )))));
        }
        let mut dss = Dictionary::new();
        dss.insert("Type", Object::name("DSS"));
        dss.insert("Certs", Object::Array(certs));
        if crl {
            let c = w.add(Object::Stream(Stream::new(
                Dictionary::new(),
                tv_bytes("pki/intermediate-ca.crl.der"),
            )));
            dss.insert("CRLs", Object::Array(vec![Object::Reference(c)]));
        }
        let dss_ref = w.add(Object::Dictionary(dss));
        let root = reader.catalog_ref().expect("root");
        let mut cat = reader.catalog().expect("catalog");
        cat.insert("DSS", Object::Reference(dss_ref));
        w.update(root, Object::Dictionary(cat));
    })
}

#[test]
fn dss_added_after_signing_is_an_lta_update() {
    let r = verify(&add_dss(&signed(), true));
    let s = &r.signatures[0];
    assert_passed(s);
    assert_eq!(category(s), "lta_updates");
    let rev = s
        .revocation
        .as_ref()
        .expect("revocation status from the DSS CRL");
    assert_eq!(rev.status, "good");
    assert!(rev.source.contains("dss"), "{rev:?}");
}

#[test]
fn dss_crl_revokes_the_signer() {
    let doc = base_doc();
    let mut out = Cursor::new(Vec::new());
    psign::sign(
        Cursor::new(&doc),
        &mut out,
        &signer("signer-revoked"),
        &PadesOptions::default(),
    )
    .expect("sign");
    let bytes = out.into_inner();
    // Without revocation data the chain is fine; the DSS CRL shows the certificate revoked.
    assert_passed(&verify(&bytes).signatures[0]);
    let r = verify(&add_dss(&bytes, true));
    let s = &r.signatures[0];
    assert!(!passed(s));
    let rev = s.revocation.as_ref().expect("revocation");
    assert_eq!(rev.status, "revoked", "{rev:?}");
    assert!(rev.source.contains("dss"));
}

#[test]
fn info_update_and_identical_rewrite_are_harmless() {
    let out = update(&signed(), |reader, w| {
        let mut info = get_dict(reader, 15);
        info.insert(
            "Title",
            Object::String(PdfString::literal(b"Paid".to_vec())),
        );
        w.update(ObjRef::new(15, 0), Object::Dictionary(info));
        // the page font, rewritten identically
        w.update(ObjRef::new(4, 0), Object::Dictionary(get_dict(reader, 4)));
    });
    let s = &verify(&out).signatures[0];
    assert_passed(s);
    assert_eq!(category(s), "lta_updates");
    assert_eq!(mods(s).len(), 1, "{:?}", mods(s));
}

/// A document timestamp (ETSI.RFC3161) made with the test TSA, by our signer's first step,
/// the dictionary turned into a /DocTimeStamp and the CMS a timestamp token over the ranges.
fn add_document_timestamp(bytes: &[u8]) -> Vec<u8> {
    add_timestamp_as(
        bytes,
        b"/Type /DocTimeStamp /Filter /Adobe.PPKLite /SubFilter /ETSI.RFC3161",
    )
}

/// [`add_document_timestamp`] with the signature dictionary's entries written as `to`.
fn add_timestamp_as(bytes: &[u8], to: &[u8]) -> Vec<u8> {
    let p = prepared(bytes, &PadesOptions::default());
    let from = b"/Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached";
    let at = rfind(&p, from).expect("sig dict");
    let mut v = p[..at].to_vec();
    v.extend_from_slice(to);
    // A shorter `to` is padded with white space inside the dictionary.
    v.resize(v.len() + from.len().saturating_sub(to.len()), b' ');
    v.extend_from_slice(&p[at + from.len()..]);
    // A longer `to` takes its extra bytes from the /ByteRange padding that follows, so that
    // every offset stays where the first step put it.
    let extra = to.len().saturating_sub(from.len());
    let (_, _, close) = last_byte_range(&v);
    assert!(
        v[close + 1..close + 1 + extra].iter().all(|&b| b == b' '),
        "padding after the byte range"
    );
    v.drain(close + 1..close + 1 + extra);
    let p = v;
    finish_with(p, |data| {
        let digest = sigform::DigestAlgorithm::Sha256.digest(data);
        let alg = tlv::constructed(
            tlv::tag::SEQUENCE,
            &[&tlv::tlv(
                tlv::tag::OID,
                sigform::DigestAlgorithm::Sha256.oid().as_bytes(),
            )],
        );
        let imprint = tlv::constructed(
            tlv::tag::SEQUENCE,
            &[&alg, &tlv::tlv(tlv::tag::OCTET_STRING, &digest)],
        );
        let policy: der::asn1::ObjectIdentifier = "1.2.3.4.1".parse().expect("oid");
        let tst = tlv::constructed(
            tlv::tag::SEQUENCE,
            &[
                &tlv::tlv(tlv::tag::INTEGER, &[1]),
                &tlv::tlv(tlv::tag::OID, policy.as_bytes()),
                &imprint,
                &tlv::tlv(tlv::tag::INTEGER, &[0x2a]),
                &tlv::tlv(tlv::tag::GENERALIZED_TIME, b"20260102030405Z"),
            ],
        );
        cades::sign(
            Cursor::new(tst),
            &signer("tsa"),
            &CadesOptions {
                attached: true,
                signing_time: SigningTime::Omit,
                content_type: "1.2.840.113549.1.9.16.1.4".parse().expect("oid"),
                ..CadesOptions::default()
            },
        )
        .expect("token")
    })
}

#[test]
fn document_timestamp_verifies_and_is_an_lta_update() {
    let out = add_document_timestamp(&add_dss(&signed(), false));
    let r = verify(&out);
    assert_eq!(r.signatures.len(), 2, "{r}");
    let (s1, ts) = (&r.signatures[0], &r.signatures[1]);
    assert_passed(s1);
    assert_eq!(category(s1), "lta_updates", "{:?}", mods(s1));
    assert_eq!(
        pdf_details(ts).kind,
        Some(PdfSignatureKind::DocumentTimestamp)
    );
    assert_eq!(pdf_details(ts).subfilter.as_deref(), Some("ETSI.RFC3161"));
    assert_passed(ts);
    assert_eq!(ts.timestamp_time.as_deref(), Some("2026-01-02T03:04:05Z"));
    assert!(
        ts.checks
            .iter()
            .any(|c| c.name == "message-imprint" && c.passed)
    );
}

#[test]
fn document_timestamp_over_other_bytes_fails() {
    let mut out = add_document_timestamp(&signed());
    // One byte of the signed revision changes: the imprint no longer matches.
    let at = find(&out, b"(Invoice)").expect("title") + 1;
    out[at] = b'X';
    let r = verify(&out);
    let ts = &r.signatures[1];
    assert_eq!(ts.indication, Indication::TotalFailed);
    assert!(
        failed_checks(ts)
            .iter()
            .any(|c| c.starts_with("message-imprint"))
    );
}

/// A legacy adbe.pkcs7.sha1 signature: the CMS encapsulates the SHA-1 digest of the ranges.
fn sha1_signed(tamper: bool) -> Vec<u8> {
    let p = prepared(
        &base_doc(),
        &PadesOptions {
            subfilter: SubFilter::AdbePkcs7Detached,
            ..PadesOptions::default()
        },
    );
    let from = b"/SubFilter /adbe.pkcs7.detached";
    let to = b"/SubFilter /adbe.pkcs7.sha1";
    let at = rfind(&p, from).expect("subfilter");
    let mut v = p[..at].to_vec();
    v.extend_from_slice(to);
    v.extend_from_slice(&p[at + from.len()..]);
    let (_, _, close) = last_byte_range(&v);
    for _ in 0..from.len() - to.len() {
        v.insert(close + 1, b' ');
    }
    finish_with(v, |data| {
        let mut digest = sigform::DigestAlgorithm::Sha1.digest(data);
        if tamper {
            digest[0] ^= 1;
        }
        cades::sign(
            Cursor::new(digest),
            &signer("signer-rsa2048"),
            &CadesOptions {
                attached: true,
                ..CadesOptions::default()
            },
        )
        .expect("cms")
    })
}

#[test]
fn legacy_adbe_pkcs7_sha1_verifies_with_a_warning() {
    let s = &verify(&sha1_signed(false)).signatures[0];
    assert_passed(s);
    assert_eq!(pdf_details(s).subfilter.as_deref(), Some("adbe.pkcs7.sha1"));
    assert!(s.warnings.iter().any(|w| w.contains("legacy")));
    let s = &verify(&sha1_signed(true)).signatures[0];
    assert_eq!(s.indication, Indication::TotalFailed);
    assert_eq!(s.sub_indication, Some(SubIndication::HashFailure));
}

#[test]
fn unsigned_pdf_has_no_signatures_and_is_not_valid() {
    let r = verify(&base_doc());
    assert!(r.signatures.is_empty());
    assert!(!r.valid);
    assert!(r.warnings.iter().any(|w| w.contains("no signatures")));
}

#[test]
fn no_trust_anchors_gives_indeterminate() {
    let r = sigform::pades::verify_pdf(Cursor::new(signed()), &VerifyOptions::default())
        .expect("report");
    let s = &r.signatures[0];
    assert_eq!(s.indication, Indication::Indeterminate);
    assert_eq!(
        s.sub_indication,
        Some(SubIndication::NoCertificateChainFound)
    );
    assert_eq!(
        failed_checks(s).len(),
        1,
        "only trust: {:?}",
        failed_checks(s)
    );
}

// ---------------------------------------------------------------------------------------------
// Universal Signature Forgery: a forged signature dictionary with missing, empty, null or
// malformed values must fail closed.

const USF_VARIANTS: &[(&str, &str, &str)] = &[
    (
        "contents missing",
        "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached /ByteRange [0 10 20 30] >>",
        "contents",
    ),
    (
        "contents empty",
        "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached /ByteRange [0 10 20 30] /Contents <> >>",
        "contents",
    ),
    (
        "contents null",
        "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached /ByteRange [0 10 20 30] /Contents null >>",
        "contents",
    ),
    (
        "byterange missing",
        "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached /Contents <3000> >>",
        "byte-range",
    ),
    (
        "byterange empty",
        "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached /ByteRange [] /Contents <3000> >>",
        "byte-range",
    ),
    (
        "byterange null",
        "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached /ByteRange null /Contents <3000> >>",
        "byte-range",
    ),
    (
        "byterange negative",
        "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached /ByteRange [0 -1 20 30] /Contents <3000> >>",
        "byte-range",
    ),
    (
        "byterange with a reference",
        "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached /ByteRange [0 4 0 R 30] /Contents <3000> >>",
        "byte-range",
    ),
    (
        "both missing",
        "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached >>",
        "byte-range",
    ),
    (
        "unknown subfilter",
        "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /acme.x509.rsa_sha3 /ByteRange [0 10 20 30] /Contents <3000> >>",
        "signature-dictionary",
    ),
    (
        "legacy x509 sub-filter without a certificate",
        "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.x509.rsa_sha1 /ByteRange [0 10 20 30] /Contents <3000> >>",
        "signer-certificate",
    ),
];

#[test]
fn usf_forged_signature_on_unsigned_document_fails() {
    for (name, body, check) in USF_VARIANTS {
        let r = verify(&forge(&base_doc(), body));
        assert_eq!(r.signatures.len(), 1, "{name}: {r}");
        let s = &r.signatures[0];
        assert!(!r.valid, "{name}");
        assert_format_failure(s, check);
        assert_eq!(pdf_details(s).field.as_deref(), Some("Forged"), "{name}");
    }
}

#[test]
fn usf_forged_second_signature_fails_while_the_first_holds() {
    let out = forge(
        &signed(),
        "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange [0 0 0 0] /Contents null >>",
    );
    let r = verify(&out);
    assert!(!r.valid);
    let forged = r
        .signatures
        .iter()
        .find(|s| s.details.as_ref().and_then(|d| d.field.as_deref()) == Some("Forged"))
        .expect("forged one reported");
    assert_format_failure(forged, "byte-range");
}

#[test]
fn usf_placeholder_contents_fails() {
    // our own first step, never finished: /Contents all zeros
    let p = prepared(&base_doc(), &PadesOptions::default());
    let s = &verify(&p).signatures[0];
    assert_format_failure(s, "cms");
}

// ---------------------------------------------------------------------------------------------
// Incremental Saving Attacks: content, pages, catalog or object redefinitions after signing.

#[test]
fn isa_page_contents_replaced() {
    let out = update(&signed(), |reader, w| {
        let c = w.add(plain_stream(HIDDEN_TEXT));
        let mut page = get_dict(reader, 3);
        page.insert("Contents", Object::Reference(c));
        w.update(ObjRef::new(3, 0), Object::Dictionary(page));
    });
    assert_modified(&verify(&out).signatures[0], "page_content");
}

#[test]
fn isa_content_stream_redefined() {
    let out = update(&signed(), |_, w| {
        w.update(ObjRef::new(5, 0), plain_stream(HIDDEN_TEXT));
    });
    let s = &verify(&out).signatures[0];
    assert_modified(s, "page_content");
    assert!(mods(s).iter().any(|(_, _, d)| d.contains("Contents")));
}

#[test]
fn isa_page_added() {
    let out = update(&signed(), |reader, w| {
        let c = w.add(plain_stream(HIDDEN_TEXT));
        let mut p = Dictionary::new();
        p.insert("Type", Object::name("Page"));
        p.insert("Parent", Object::Reference(ObjRef::new(2, 0)));
        p.insert(
            "MediaBox",
            Object::Array(vec![0.into(), 0.into(), 612.into(), 792.into()]),
        );
        p.insert("Contents", Object::Reference(c));
        let page = w.add(Object::Dictionary(p));
        let mut pages = get_dict(reader, 2);
        let mut kids = pages
            .get("Kids")
            .and_then(Object::as_array)
            .unwrap_or_default()
            .to_vec();
        kids.push(Object::Reference(page));
        pages.insert("Kids", Object::Array(kids));
        pages.insert("Count", Object::Integer(3));
        w.update(ObjRef::new(2, 0), Object::Dictionary(pages));
    });
    assert_modified(&verify(&out).signatures[0], "page_tree");
}

#[test]
fn isa_page_cropped_to_hide_content() {
    let out = update(&signed(), |reader, w| {
        let mut page = get_dict(reader, 3);
        page.insert(
            "CropBox",
            Object::Array(vec![0.into(), 0.into(), 612.into(), 690.into()]),
        );
        w.update(ObjRef::new(3, 0), Object::Dictionary(page));
    });
    assert_modified(&verify(&out).signatures[0], "page");
}

#[test]
fn isa_catalog_open_action_javascript() {
    let out = update(&signed(), |reader, w| {
        let mut js = Dictionary::new();
        js.insert("S", Object::name("JavaScript"));
        js.insert(
            "JS",
            Object::String(PdfString::literal(b"app.alert(1)".to_vec())),
        );
        let a = w.add(Object::Dictionary(js));
        let root = reader.catalog_ref().expect("root");
        let mut cat = reader.catalog().expect("catalog");
        cat.insert("OpenAction", Object::Reference(a));
        w.update(root, Object::Dictionary(cat));
    });
    let s = &verify(&out).signatures[0];
    assert_modified(s, "javascript");
}

#[test]
fn isa_catalog_names_added() {
    let out = update(&signed(), |reader, w| {
        let mut js = Dictionary::new();
        js.insert("S", Object::name("JavaScript"));
        js.insert(
            "JS",
            Object::String(PdfString::literal(b"this.print()".to_vec())),
        );
        let a = w.add(Object::Dictionary(js));
        let mut tree = Dictionary::new();
        tree.insert(
            "Names",
            Object::Array(vec![
                Object::String(PdfString::literal(b"x".to_vec())),
                Object::Reference(a),
            ]),
        );
        let mut names = Dictionary::new();
        names.insert("JavaScript", Object::Dictionary(tree));
        let root = reader.catalog_ref().expect("root");
        let mut cat = reader.catalog().expect("catalog");
        cat.insert("Names", Object::Dictionary(names));
        w.update(root, Object::Dictionary(cat));
    });
    assert_modified(&verify(&out).signatures[0], "catalog");
}

#[test]
fn isa_font_redefined() {
    // "Replace via font": the glyphs of the signed text are remapped.
    let out = update(&signed(), |reader, w| {
        let mut f = get_dict(reader, 4);
        let mut enc = Dictionary::new();
        enc.insert(
            "Differences",
            Object::Array(vec![49.into(), Object::name("nine")]),
        );
        f.insert("Encoding", Object::Dictionary(enc));
        w.update(ObjRef::new(4, 0), Object::Dictionary(f));
    });
    assert_modified(&verify(&out).signatures[0], "font");
}

#[test]
fn isa_object_freed_in_a_later_xref() {
    let out = raw_update(&signed(), &[], &[(5, 1, None)]);
    assert_modified(&verify(&out).signatures[0], "deleted");
}

#[test]
fn isa_object_number_reused_with_new_generation() {
    let signed = signed();
    let r = Reader::from_reader(Cursor::new(&signed)).expect("reader");
    let page = r.get(ObjRef::new(3, 0)).expect("page").to_pdf_bytes();
    let page = String::from_utf8_lossy(&page).replace("/Contents 5 0 R", "/Contents 5 1 R");
    drop(r);
    let out = raw_update(
        &signed,
        &[(5, 1, stream("", HIDDEN_TEXT)), (3, 0, page.into_bytes())],
        &[],
    );
    let s = &verify(&out).signatures[0];
    assert_modified(s, "object_reuse");
}

#[test]
fn isa_signature_field_removed_leaves_an_orphan_that_fails() {
    let out = update(&signed(), |reader, w| {
        let mut acro = get_dict(reader, 9);
        acro.insert(
            "Fields",
            Object::Array(vec![Object::Reference(ObjRef::new(8, 0))]),
        );
        w.update(ObjRef::new(9, 0), Object::Dictionary(acro));
        let mut page = get_dict(reader, 3);
        page.insert(
            "Annots",
            Object::Array(vec![
                Object::Reference(ObjRef::new(8, 0)),
                Object::Reference(ObjRef::new(13, 0)),
            ]),
        );
        w.update(ObjRef::new(3, 0), Object::Dictionary(page));
    });
    let r = verify(&out);
    assert_eq!(r.signatures.len(), 1, "the orphan is still reported: {r}");
    let s = &r.signatures[0];
    assert!(!passed(s));
    assert!(
        failed_checks(s)
            .iter()
            .any(|c| c.starts_with("signature-field"))
    );
    assert!(!r.valid);
}

#[test]
fn orphan_signature_dictionary_spelled_with_name_escapes_is_found() {
    // A name may spell any byte as #xx (ISO 32000-2 §7.3.5): the search for signature
    // dictionaries no field reaches filters objects by their bytes before parsing them, and
    // must not miss `/Type /S#69g` or `/B#79teRange`.
    let signed = signed();
    let n = Reader::from_reader(Cursor::new(&signed))
        .expect("reader")
        .next_object_number() as u32;
    for dict in [
        &b"<< /Type /S#69g /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange [0 1 2 3] /Contents <3082> >>"[..],
        &b"<< /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /B#79teRange [0 1 2 3] /Contents <3082> >>"[..],
    ] {
        let out = raw_update(&signed, &[(n, 0, dict.to_vec())], &[]);
        let r = verify(&out);
        assert_eq!(r.signatures.len(), 2, "the escaped orphan is reported: {r}");
        assert!(!r.valid, "{r}");
    }
}

#[test]
fn isa_signature_dictionary_redefined() {
    let signed = signed();
    let reader = Reader::from_reader(Cursor::new(&signed)).expect("reader");
    let sig_ref = {
        let acro = reader
            .resolve_key(&reader.catalog().expect("cat"), "AcroForm")
            .expect("acro");
        let fields = reader
            .resolve_key(acro.as_dict().expect("dict"), "Fields")
            .expect("fields");
        let last = fields
            .as_array()
            .expect("array")
            .last()
            .cloned()
            .expect("field");
        let f = reader.resolve(&last).expect("field");
        f.as_dict().and_then(|d| d.get_ref("V")).expect("V")
    };
    let (start, end) = reader.raw_object_span(sig_ref).expect("span");
    drop(reader);
    // The same dictionary, re-appended with another /M: the live one is no longer signed.
    let body = &signed[start as usize..end as usize];
    let body_start = find(body, b"obj").expect("obj") + 3;
    let body_end = rfind(body, b"endobj").expect("endobj");
    let new_body =
        String::from_utf8_lossy(&body[body_start..body_end]).replace("/M (D:", "/M (D:1999");
    let out = raw_update(&signed, &[(sig_ref.num, 0, new_body.into_bytes())], &[]);
    let r = verify(&out);
    assert!(!r.valid);
    assert_format_failure(&r.signatures[0], "contents");
}

// ---------------------------------------------------------------------------------------------
// Signature Wrapping.

/// The classic wrapping: the signed bytes after the split point are moved behind a new,
/// unsigned /ByteRange in the gap; the CMS stays valid over the very same bytes.
#[test]
fn swa_second_range_moved_behind_an_enlarged_gap() {
    let o = signed();
    let ([_, a, b, c], _, _) = last_byte_range(&o);
    let (a, b, c) = (a as usize, b as usize, c as usize);
    let p = rfind(&o[..a], b"/ByteRange").expect("ByteRange before /Contents");
    let hex = &o[a..b];
    let mut moved = o[p..a].to_vec();
    moved.extend_from_slice(&o[b..b + c]);
    let make_gap = |b2: usize| {
        let mut g = format!(
            "/ByteRange [0 {p:010} {b2:010} {:010}] /Contents ",
            moved.len()
        )
        .into_bytes();
        g.extend_from_slice(hex);
        g.extend_from_slice(b" >>\nendobj\n%");
        g
    };
    let gap_len = make_gap(0).len();
    let gap = make_gap(p + gap_len);
    let mut n = o[..p].to_vec();
    n.extend_from_slice(&gap);
    n.extend_from_slice(&moved);
    // The old xref is intact inside the moved bytes; the attacker's update chains to it and
    // redefines the page content.
    let old_xref = {
        let r = Reader::from_reader(Cursor::new(&o)).expect("reader");
        r.last_xref_offset() as usize
    };
    let moved_xref = old_xref - b + p + gap_len + (a - p);
    n.push(b'\n');
    let out = raw_section(
        &mut n,
        &[(5, 0, stream("", HIDDEN_TEXT))],
        &[],
        moved_xref as u64,
        ObjRef::new(1, 0),
        64,
    );
    let r = verify(&out);
    assert!(!r.valid, "{r}");
    let s = &r.signatures[0];
    assert_eq!(s.indication, Indication::TotalFailed);
    // The CMS itself is intact: only the structure gives the wrapping away.
    assert!(
        s.checks
            .iter()
            .any(|c| c.name == "message-digest" && c.passed),
        "{s:?}"
    );
    assert!(failed_checks(s).iter().any(|c| c.starts_with("contents")));
    assert!(failed_checks(s).iter().any(|c| c.starts_with("coverage")));
}

#[test]
fn swa_hidden_data_in_an_enlarged_gap() {
    let mut p = prepared(&base_doc(), &PadesOptions::default());
    let ([_, a, b, c], _, _) = last_byte_range(&p);
    // The gap swallows 12 bytes after the /Contents string (the attacker's room).
    set_byte_range(&mut p, [0, a, b + 12, c - 12]);
    let out = finish_with(p, cms_over);
    let s = &verify(&out).signatures[0];
    assert!(
        s.checks
            .iter()
            .any(|c| c.name == "message-digest" && c.passed)
    );
    assert_format_failure(s, "contents");
}

#[test]
fn swa_signed_range_stops_before_the_end_of_the_revision() {
    let mut p = prepared(&base_doc(), &PadesOptions::default());
    let ([_, a, b, c], _, _) = last_byte_range(&p);
    set_byte_range(&mut p, [0, a, b, c - 40]);
    let out = finish_with(p, cms_over);
    let s = &verify(&out).signatures[0];
    assert!(
        s.checks
            .iter()
            .any(|c| c.name == "message-digest" && c.passed)
    );
    assert_format_failure(s, "coverage");
}

#[test]
fn swa_first_range_not_at_zero() {
    let mut p = prepared(&base_doc(), &PadesOptions::default());
    let ([_, a, b, c], _, _) = last_byte_range(&p);
    set_byte_range(&mut p, [16, a - 16, b, c]);
    let out = finish_with(p, cms_over);
    assert_format_failure(&verify(&out).signatures[0], "byte-range");
}

#[test]
fn uncovered_bytes_after_the_last_eof_fail() {
    let mut out = signed();
    out.extend_from_slice(b"%% trailing junk that no revision owns\n");
    let s = &verify(&out).signatures[0];
    assert_format_failure(s, "coverage");
}

#[test]
fn trailing_white_space_is_tolerated_with_a_warning() {
    let mut out = signed();
    out.extend_from_slice(b"\r\n\n  \0\0");
    let s = &verify(&out).signatures[0];
    assert_passed(s);
    assert!(s.warnings.iter().any(|w| w.contains("white-space")));
}

// ---------------------------------------------------------------------------------------------
// Shadow attacks: content already inside the signed bytes, revealed or re-pointed later.

#[test]
fn shadow_hide_overlay_xobject_emptied() {
    let out = update(&signed(), |_, w| {
        let mut d = Dictionary::new();
        d.insert("Type", Object::name("XObject"));
        d.insert("Subtype", Object::name("Form"));
        d.insert(
            "BBox",
            Object::Array(vec![0.into(), 0.into(), 612.into(), 792.into()]),
        );
        w.update(
            ObjRef::new(6, 0),
            Object::Stream(Stream::new(d, Vec::new())),
        );
    });
    assert_modified(&verify(&out).signatures[0], "xobject");
}

fn remove_square_annotation(bytes: &[u8]) -> Vec<u8> {
    update(bytes, |reader, w| {
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
        w.update(ObjRef::new(3, 0), Object::Dictionary(page));
    })
}

#[test]
fn shadow_hide_annotation_removed_after_certification_fails() {
    let s = &verify(&remove_square_annotation(&certified(
        Certification::FormFilling,
    )))
    .signatures[0];
    assert_modified(s, "annotation");
}

#[test]
fn shadow_hide_annotation_removed_after_approval_is_named() {
    // Without certification, annotation changes are allowed, but the report names them.
    let s = &verify(&remove_square_annotation(&signed())).signatures[0];
    assert_passed(s);
    assert_eq!(category(s), "annotations");
    assert!(
        mods(s)
            .iter()
            .any(|(k, _, d)| k == "annotation" && d.contains("13 0 R removed"))
    );
}

#[test]
fn shadow_replace_contents_repointed_to_hidden_object() {
    let out = update(&signed(), |reader, w| {
        let mut page = get_dict(reader, 3);
        page.insert("Contents", Object::Reference(ObjRef::new(7, 0)));
        w.update(ObjRef::new(3, 0), Object::Dictionary(page));
    });
    assert_modified(&verify(&out).signatures[0], "page_content");
}

#[test]
fn shadow_hide_and_replace_by_xref_redirection() {
    // The document already holds, in an earlier revision, another version of the content
    // stream; after signing, an xref-only update points the object back at it.
    let rev1 = build_pdf(&base_objects(HIDDEN_TEXT), Some(15));
    let rev2 = update(&rev1, |_, w| {
        w.update(ObjRef::new(5, 0), plain_stream(VISIBLE_TEXT));
    });
    let signed = sign_with(&rev2, &PadesOptions::default());
    assert_passed(&verify(&signed).signatures[0]);
    let hidden_at = offset_in(&signed, 5, 0);
    let out = raw_update(&signed, &[], &[(5, 0, Some(hidden_at))]);
    let s = &verify(&out).signatures[0];
    assert_modified(s, "xref_redirect");
}

#[test]
fn shadow_replace_form_value_under_no_changes_certification() {
    let out = update(&certified(Certification::NoChanges), |reader, w| {
        let mut field = get_dict(reader, 8);
        field.insert("V", Object::String(PdfString::literal(b"999999".to_vec())));
        w.update(ObjRef::new(8, 0), Object::Dictionary(field));
    });
    assert_modified(&verify(&out).signatures[0], "form_field");
}

#[test]
fn shadow_replace_via_resources_inherited_from_a_detached_parent() {
    // Page 2 inherits its font from a /Parent that the page tree itself does not list; the
    // attacker remaps that font after signing.
    let mut objs = base_objects(VISIBLE_TEXT);
    for (n, body) in objs.iter_mut() {
        if *n == 10 {
            *body = b"<< /Type /Page /Parent 16 0 R /MediaBox [0 0 612 792] /Contents 12 0 R >>"
                .to_vec();
        }
    }
    objs.push((
        16,
        b"<< /Type /Pages /Kids [10 0 R] /Count 1 /Resources << /Font << /F1 17 0 R >> >> >>"
            .to_vec(),
    ));
    objs.push((
        17,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
    ));
    let signed = sign_with(&build_pdf(&objs, Some(15)), &PadesOptions::default());
    assert_passed(&verify(&signed).signatures[0]);
    let out = update(&signed, |reader, w| {
        let mut f = get_dict(reader, 17);
        f.insert("BaseFont", Object::name("ZapfDingbats"));
        w.update(ObjRef::new(17, 0), Object::Dictionary(f));
    });
    assert_modified(&verify(&out).signatures[0], "font");
}

fn sig_value_of(bytes: &[u8], field: &str) -> ObjRef {
    let reader = Reader::from_reader(Cursor::new(bytes)).expect("reader");
    let acro = reader
        .resolve_key(&reader.catalog().expect("catalog"), "AcroForm")
        .expect("acroform");
    let fields = reader
        .resolve_key(acro.as_dict().expect("dict"), "Fields")
        .expect("fields");
    for f in fields.as_array().expect("array") {
        let d = reader.resolve(f).expect("field");
        let d = d.as_dict().expect("dict");
        if d.get("T")
            .and_then(Object::as_string)
            .map(|t| t.to_text())
            .as_deref()
            == Some(field)
        {
            return d.get_ref("V").expect("V");
        }
    }
    panic!("no field {field}");
}

#[test]
fn isa_new_field_reusing_an_existing_signature_value_fails() {
    let one = signed();
    let v = sig_value_of(&one, "Sig1");
    let out = update(&one, |reader, w| {
        let mut field = Dictionary::new();
        field.insert("FT", Object::name("Sig"));
        field.insert(
            "T",
            Object::String(PdfString::literal(b"CEO approval".to_vec())),
        );
        field.insert("V", Object::Reference(v));
        field.insert("Type", Object::name("Annot"));
        field.insert("Subtype", Object::name("Widget"));
        field.insert(
            "Rect",
            Object::Array(vec![0.into(), 0.into(), 0.into(), 0.into()]),
        );
        let f = w.add(Object::Dictionary(field));
        append_ref(reader, w, 9, "Fields", f);
    });
    let r = verify(&out);
    assert!(!r.valid);
    assert_modified(&r.signatures[0], "signature");
}

// ---------------------------------------------------------------------------------------------
// Certification attacks.

fn add_annotation(bytes: &[u8]) -> Vec<u8> {
    update(bytes, |reader, w| {
        let mut a = Dictionary::new();
        a.insert("Type", Object::name("Annot"));
        a.insert("Subtype", Object::name("FreeText"));
        a.insert(
            "Rect",
            Object::Array(vec![72.into(), 690.into(), 560.into(), 730.into()]),
        );
        a.insert(
            "Contents",
            Object::String(PdfString::literal(b"Pay 999999 EUR".to_vec())),
        );
        a.insert(
            "DA",
            Object::String(PdfString::literal(b"/Helv 24 Tf 0 g".to_vec())),
        );
        let ar = w.add(Object::Dictionary(a));
        append_ref(reader, w, 3, "Annots", ar);
    })
}

#[test]
fn certification_p2_annotation_added_fails() {
    let s = &verify(&add_annotation(&certified(Certification::FormFilling))).signatures[0];
    assert_modified(s, "annotation");
    assert_eq!(
        pdf_details(s).certification,
        Some(CertificationReport { docmdp: 2 })
    );
}

#[test]
fn certification_p1_annotation_added_fails() {
    let s = &verify(&add_annotation(&certified(Certification::NoChanges))).signatures[0];
    assert_modified(s, "annotation");
}

#[test]
fn certification_p3_annotation_added_passes() {
    let s = &verify(&add_annotation(&certified(Certification::Annotations))).signatures[0];
    assert_passed(s);
    assert_eq!(category(s), "annotations");
}

#[test]
fn certification_p2_visible_signature_widget_fails() {
    let two = sign_with(
        &certified(Certification::FormFilling),
        &PadesOptions {
            field_name: Some("Sig2".into()),
            visible: Some(Visible {
                page: 1,
                rect: [60.0, 640.0, 560.0, 740.0],
                lines: Some(vec!["Pay 999999 EUR to Mallory".into()]),
                ..Visible::default()
            }),
            ..PadesOptions::default()
        },
    );
    let r = verify(&two);
    assert_modified(&r.signatures[0], "annotation");
    assert_passed(&r.signatures[1]);
}

#[test]
fn certification_p2_invisible_second_signature_passes() {
    let two = sign_with(
        &certified(Certification::FormFilling),
        &PadesOptions {
            field_name: Some("Sig2".into()),
            ..PadesOptions::default()
        },
    );
    let r = verify(&two);
    assert_passed(&r.signatures[0]);
    assert_eq!(category(&r.signatures[0]), "form_filling");
    assert_passed(&r.signatures[1]);
}

#[test]
fn certification_p1_signature_field_added_fails() {
    // Our signer refuses to sign a P=1 document; the attacker adds the field himself.
    let out = forge(
        &certified(Certification::NoChanges),
        "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange [0 0 0 0] /Contents <00> >>",
    );
    let r = verify(&out);
    let s1 = r
        .signatures
        .iter()
        .find(|s| s.details.as_ref().and_then(|d| d.field.as_deref()) == Some("Sig1"))
        .expect("certification signature");
    assert_modified(s1, "signature");
}

#[test]
fn certification_p1_allows_validation_data() {
    let s = &verify(&add_dss(&certified(Certification::NoChanges), true)).signatures[0];
    assert_passed(s);
    assert_eq!(category(s), "lta_updates");
}

// ---------------------------------------------------------------------------------------------
// Hostile input: mutations never panic and never pass.

#[test]
fn byte_mutations_never_pass() {
    let base = signed();
    let (br, _, _) = last_byte_range(&base);
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for i in 0..300 {
        let mut m = base.clone();
        let pos = (next() % m.len() as u64) as usize;
        let in_gap = (br[1] as usize..br[2] as usize).contains(&pos);
        m[pos] = m[pos].wrapping_add(1 + (next() % 200) as u8);
        if i % 3 == 0 {
            m.truncate(m.len() - (next() % 64) as usize);
        }
        if let Ok(r) = sigform::pades::verify_pdf(Cursor::new(&m), &options())
            && r.valid
        {
            // Only a change inside the unsigned gap padding can leave the signature valid.
            assert!(in_gap, "mutation at {pos} passed");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Corpus (pyHanko's test files): coverage anomalies fail, already-signed files are intact,
// form updates judged as pyHanko's own tests judge them.

fn corpus(rel: &str) -> Option<std::path::PathBuf> {
    corpus_pdf(rel)
}

fn verify_corpus(rel: &str) -> Option<ValidationReport> {
    let p = corpus(rel)?;
    Some(sigform::pades::verify_pdf_file(&p, &VerifyOptions::default()).expect("readable"))
}

#[test]
fn corpus_coverage_anomalies_all_fail_with_a_reason() {
    for f in [
        "base.pdf",
        "one-byterange.pdf",
        "signature-gap-too-big.pdf",
        "tail-uncovered.pdf",
        "weird-byterange.pdf",
    ] {
        let Some(r) = verify_corpus(&format!("coverage-anomalies/{f}")) else {
            return;
        };
        assert!(!r.valid, "{f}");
        for s in &r.signatures {
            assert_eq!(s.indication, Indication::TotalFailed, "{f}");
            assert_eq!(s.sub_indication, Some(SubIndication::FormatFailure), "{f}");
            assert!(!failed_checks(s).is_empty());
        }
    }
}

/// Integrity holds: every check passes except trust (the roots are not provided) and, for
/// Ed448 (unsupported here), the algorithm.
fn assert_intact(f: &str, s: &SignatureReport) {
    let bad: Vec<String> = failed_checks(s)
        .into_iter()
        .filter(|c| {
            !c.starts_with("trust")
                && !c.starts_with("signature-algorithm")
                && !c.starts_with("digest-algorithm")
        })
        .collect();
    assert!(bad.is_empty(), "{f} {}: {bad:?}", s.id);
    assert_eq!(s.indication, Indication::Indeterminate, "{f} {}", s.id);
    assert!(
        matches!(
            s.sub_indication,
            Some(SubIndication::NoCertificateChainFound | SubIndication::CryptoConstraintsFailure)
        ),
        "{f}: {:?}",
        s.sub_indication
    );
}

#[test]
fn corpus_already_signed_files_are_intact() {
    let files: &[(&str, &[&str])] = &[
        (
            "minimal-signed-twice-both-created.pdf",
            &["form_filling", "untouched"],
        ),
        (
            "minimal-signed-twice-no-sig-type.pdf",
            &["form_filling", "untouched"],
        ),
        (
            "minimal-signed-twice-second-created.pdf",
            &["form_filling", "untouched"],
        ),
        (
            "minimal-two-fields-signed-twice.pdf",
            &["form_filling", "untouched"],
        ),
        (
            "pades-lta-dss-indirect-arrs-test.pdf",
            &["lta_updates", "lta_updates"],
        ),
        (
            "pades-lta-dss-indirect-arrs-test-2.pdf",
            &["form_filling", "form_filling", "lta_updates"],
        ),
        ("pades-with-old-style-signing-cert-attr.pdf", &["untouched"]),
        (
            "pades-with-old-style-signing-cert-attr-issser.pdf",
            &["untouched"],
        ),
        ("sig-with-ski-sid.pdf", &["untouched"]),
        ("sig-no-signed-attrs.pdf", &["untouched"]),
        ("certified-with-indirect-refs-in-dir.pdf", &["untouched"]),
        ("ed448-disallowed-hash.pdf", &["untouched"]),
        ("ed448-shake256-nolen.pdf", &["untouched"]),
    ];
    for (f, cats) in files {
        let Some(r) = verify_corpus(f) else { return };
        assert_eq!(r.signatures.len(), cats.len(), "{f}: {r}");
        for (s, cat) in r.signatures.iter().zip(cats.iter()) {
            assert_intact(f, s);
            assert_eq!(category(s), *cat, "{f} {}: {:?}", s.id, mods(s));
        }
    }
    // The timestamps of the LTA files verify as document timestamps.
    if let Some(r) = verify_corpus("pades-lta-dss-indirect-arrs-test.pdf") {
        let ts = &r.signatures[1];
        assert_eq!(
            pdf_details(ts).kind,
            Some(PdfSignatureKind::DocumentTimestamp)
        );
        assert!(
            ts.checks
                .iter()
                .any(|c| c.name == "message-imprint" && c.passed)
        );
    }
}

#[test]
fn corpus_public_key_encrypted_file_is_a_clear_input_error() {
    // Its structure cannot be decrypted without the recipient's private key: no verdict on
    // strings read as stored, a typed error naming the handler instead.
    let Some(p) = corpus("signed-encrypted-pubkey-with-catalog-ref.pdf") else {
        return;
    };
    match sigform::pades::verify_pdf_file(&p, &VerifyOptions::default()) {
        Err(e) => assert!(e.to_string().contains("Adobe.PubSec"), "{e}"),
        Ok(r) => panic!("verified a public-key encrypted file: {r}"),
    }
}

#[test]
fn corpus_signature_with_encapsulated_content_is_refused() {
    // pyHanko refuses it too: a detached SubFilter with eContent.
    let Some(r) = verify_corpus("pdf-sig-with-econtent.pdf") else {
        return;
    };
    assert_format_failure(&r.signatures[0], "pdf-detached");
}

#[test]
fn corpus_form_updates_judged_as_pyhanko_judges_them() {
    // pkgs/pyhanko/tests/test_diff_analysis.py: test_appearance_update_edge_cases (FORM_FILLING)
    // and test_disallow_appearance_stream_override_if_clobbers (OTHER, naming .FooBar).
    for f in [
        "form-update-override-appearance-stream.pdf",
        "form-update-override-appearance-stream-ap-indirect.pdf",
        "form-update-no-override-appearance-stream-ap-indirect.pdf",
        "form-update-original-ap-type-wrong.pdf",
    ] {
        let Some(r) = verify_corpus(f) else { return };
        assert_intact(f, &r.signatures[0]);
        assert_eq!(category(&r.signatures[0]), "form_filling", "{f}");
    }
    for f in [
        "form-update-override-appearance-stream-sneaky.pdf",
        "form-update-override-appearance-stream-ap-indirect-sneaky.pdf",
        "form-update-no-override-appearance-stream-ap-indirect-sneaky.pdf",
        "form-update-ap-indirect-sneaky-trailer.pdf",
    ] {
        let Some(r) = verify_corpus(f) else { return };
        let s = &r.signatures[0];
        assert_eq!(category(s), "other", "{f}");
        assert_eq!(s.indication, Indication::TotalFailed);
        assert!(
            mods(s)
                .iter()
                .any(|(_, allowed, d)| !allowed && d.contains("FooBar")),
            "{f}: {:?}",
            mods(s)
        );
    }
    // test_diff_analysis_add_extensions_dict / ..._not_all_paths
    for f in [
        "extensions-direct.pdf",
        "extensions-indirect.pdf",
        "extensions-update-direct.pdf",
        "extensions-update-indirect.pdf",
    ] {
        let Some(r) = verify_corpus(f) else { return };
        assert_eq!(category(&r.signatures[0]), "form_filling", "{f}");
    }
    if let Some(r) = verify_corpus("extensions-indirect-not-all-paths.pdf") {
        let s = &r.signatures[0];
        assert_eq!(category(s), "other");
        assert!(mods(s).iter().any(|(_, _, d)| d.contains("DontOverrideMe")));
    }
}

#[test]
fn corpus_broken_files_never_panic() {
    let Some(dir) = corpus("") else { return };
    for entry in std::fs::read_dir(dir).expect("dir").flatten() {
        let p = entry.path();
        if p.extension().is_some_and(|e| e == "pdf") {
            let _ = sigform::pades::verify_pdf_file(&p, &options());
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Interop: pyHanko's signatures verify here; ours verify in pyHanko; both together.

fn pyhanko_sign(input: &[u8], field: &str) -> Option<Vec<u8>> {
    let tool = tool("pyhanko")?;
    let dir = tempdir();
    let inp = dir.path().join("in.pdf");
    let out = dir.path().join("out.pdf");
    std::fs::write(&inp, input).expect("write");
    let (ok, text) = run(std::process::Command::new(tool)
        .args([
            "sign",
            "addsig",
            "--field",
            field,
            "--use-pades",
            "pemder",
            "--key",
        ])
        .arg(tv("pki/signer-rsa2048.key.pem"))
        .arg("--cert")
        .arg(tv("pki/signer-rsa2048.pem"))
        .arg("--chain")
        .arg(tv("pki/intermediate-ca.pem"))
        .arg("--no-pass")
        .arg(&inp)
        .arg(&out));
    assert!(ok, "pyhanko sign: {text}");
    Some(std::fs::read(&out).expect("signed"))
}

#[test]
fn interop_pyhanko_signature_verifies_total_passed() {
    let Some(out) = pyhanko_sign(&base_doc(), "Sig1") else {
        return;
    };
    let r = verify(&out);
    assert_eq!(r.signatures.len(), 1, "{r}");
    assert_passed(&r.signatures[0]);
    assert!(r.valid);
}

#[test]
fn interop_ours_over_pyhanko_and_pyhanko_over_ours() {
    let Some(theirs) = pyhanko_sign(&base_doc(), "Sig1") else {
        return;
    };
    let both = sign_with(
        &theirs,
        &PadesOptions {
            field_name: Some("Sig2".into()),
            ..PadesOptions::default()
        },
    );
    let r = verify(&both);
    assert_eq!(r.signatures.len(), 2);
    assert_passed(&r.signatures[0]);
    assert_passed(&r.signatures[1]);
    assert_eq!(category(&r.signatures[0]), "form_filling");

    let Some(again) = pyhanko_sign(&signed(), "Sig2") else {
        return;
    };
    let r = verify(&again);
    assert_eq!(r.signatures.len(), 2);
    assert!(r.valid, "{r}");
}

#[test]
fn interop_pyhanko_validates_ours() {
    let dir = tempdir();
    let f = dir.path().join("ours.pdf");
    std::fs::write(&f, signed()).expect("write");
    let Some((ok, text)) = pyhanko_validate(&[&f]) else {
        return;
    };
    assert!(ok && text.contains("INTACT:TRUSTED"), "{text}");
}

// ---------------------------------------------------------------------------------------------
// CLI

#[test]
fn cli_verify_pdf_json_and_exit_codes() {
    let dir = tempdir();
    let good = dir.path().join("good.pdf");
    let bad = dir.path().join("bad.pdf");
    std::fs::write(&good, signed()).expect("write");
    std::fs::write(
        &bad,
        update(&signed(), |_, w| {
            w.update(ObjRef::new(5, 0), plain_stream(HIDDEN_TEXT))
        }),
    )
    .expect("write");
    let root = tv("pki/root-ca.pem");
    let (code, out, err) = sigform(&[
        "verify",
        "--trust",
        arg(&root),
        "--format",
        "json",
        arg(&good),
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["format"], "PAdES");
    assert_eq!(v["signatures"][0]["indication"], "TOTAL_PASSED");
    assert_eq!(v["signatures"][0]["details"]["coverage"], "whole file");
    let (code, text, _) = sigform(&["verify", "--trust", arg(&root), arg(&bad)]);
    assert_eq!(code, 1);
    assert!(text.contains("modification_category: other"), "{text}");
    assert!(text.contains("page_content [NOT ALLOWED]"), "{text}");
    let (code, _, _) = sigform(&["verify", arg(&dir.path().join("missing.pdf"))]);
    assert_eq!(code, 2);
}

// ---------------------------------------------------------------------------------------------
// Real-world forms (issue 14): document timestamps written by other tools, usage rights,
// /Perms /DocMDP against the certification it names.

#[test]
fn document_timestamp_as_type_sig_verifies_with_a_warning() {
    // Older DSS versions wrote document timestamps as /Type /Sig.
    let out = add_timestamp_as(
        &signed(),
        b"/Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.RFC3161",
    );
    let r = verify(&out);
    let ts = &r.signatures[1];
    assert_eq!(
        pdf_details(ts).kind,
        Some(PdfSignatureKind::DocumentTimestamp)
    );
    assert_passed(ts);
    assert!(
        ts.warnings
            .iter()
            .any(|w| w.contains("/Type /Sig with /SubFilter /ETSI.RFC3161")),
        "{:?}",
        ts.warnings
    );
    assert_passed(&r.signatures[0]);
    // /Type /DocTimeStamp over a CAdES signature stays a format failure.
    let bad = add_timestamp_as(
        &signed(),
        b"/Type /DocTimeStamp /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached",
    );
    assert_format_failure(&verify(&bad).signatures[1], "signature-dictionary");
}

#[test]
fn document_timestamp_without_filter_verifies_with_a_warning() {
    let out = add_timestamp_as(&signed(), b"/Type /DocTimeStamp /SubFilter /ETSI.RFC3161");
    let ts = &verify(&out).signatures[1];
    assert_passed(ts);
    assert!(
        ts.warnings.iter().any(|w| w.starts_with("no /Filter")),
        "{:?}",
        ts.warnings
    );
    // Without /Filter and with an unknown /SubFilter: a failure.
    let bad = add_timestamp_as(&signed(), b"/Type /Sig /SubFilter /acme.sub");
    assert_format_failure(&verify(&bad).signatures[1], "signature-dictionary");
}

#[test]
fn perms_docmdp_naming_an_approval_signature_is_no_certification() {
    // A later update points /Perms /DocMDP at the approval signature's dictionary: it does not
    // become a certification, the report says why, and the catalog change is refused.
    let bytes = signed();
    let sig = {
        let d = verify(&bytes).signatures[0].clone();
        let obj = pdf_details(&d)
            .signature_object
            .clone()
            .expect("sig object");
        let num: u32 = obj
            .split(' ')
            .next()
            .and_then(|n| n.parse().ok())
            .expect("num");
        ObjRef::new(num, 0)
    };
    let out = update(&bytes, |reader, w| {
        let root = reader.catalog_ref().expect("root");
        let mut cat = reader.catalog().expect("catalog");
        let mut perms = Dictionary::new();
        perms.insert("DocMDP", Object::Reference(sig));
        cat.insert("Perms", Object::Dictionary(perms));
        w.update(root, Object::Dictionary(cat));
    });
    let s = &verify(&out).signatures[0];
    assert!(pdf_details(s).certification.is_none());
    assert!(
        s.warnings
            .iter()
            .any(|w| w
                .contains("/Perms /DocMDP names this signature, but it has no DocMDP transform")),
        "{:?}",
        s.warnings
    );
    assert_modified(s, "catalog");
}

#[test]
fn docmdp_transform_the_catalog_does_not_name_is_no_certification() {
    // The signature declares DocMDP P=1, but its revision's catalog names no certification:
    // the document is not certified (later changes are judged as after an approval), and the
    // report says why.
    let p = prepared(
        &base_doc(),
        &PadesOptions {
            field_name: Some("Sig1".into()),
            certify: Some(Certification::NoChanges),
            ..PadesOptions::default()
        },
    );
    let at = find(&p, b"/Perms").expect("catalog /Perms");
    let k = at + find(&p[at..], b"/DocMDP").expect("/Perms /DocMDP");
    let mut p = p;
    p[k..k + 7].copy_from_slice(b"/DocMDX");
    let bytes = finish_with(p, cms_over);
    let s = &verify(&bytes).signatures[0];
    assert_passed(s);
    assert!(pdf_details(s).certification.is_none());
    assert!(
        s.warnings.iter().any(|w| w.contains(
            "declares a DocMDP transform, but the catalog's /Perms /DocMDP of its revision names no signature"
        )),
        "{:?}",
        s.warnings
    );
    // The certified original, for contrast: a certification.
    let c = &verify(&certified(Certification::NoChanges)).signatures[0];
    assert!(pdf_details(c).certification.is_some());
}

/// The report of `file` of the real-world corpus, or `None` (after a notice) without it.
fn realworld(file: &str) -> Option<ValidationReport> {
    let path = shared(&format!("corpus/realworld/files/{file}"))?;
    Some(sigform::pades::verify_pdf_file(path, &options()).expect("a readable PDF"))
}

#[test]
fn usage_rights_signatures_are_reported_and_do_not_decide() {
    // Adobe usage rights (/Perms /UR3) on a form filled afterwards (an IRS form): the
    // usage-rights signature is reported as such, its changes are not judged.
    let Some(r) = realworld("pdfjs_prefilled_f1040.pdf") else {
        return;
    };
    let ur: Vec<&SignatureReport> = r
        .signatures
        .iter()
        .filter(|s| pdf_details(s).kind == Some(PdfSignatureKind::UsageRights))
        .collect();
    assert_eq!(ur.len(), 1, "{r}");
    assert_ne!(ur[0].indication, Indication::TotalFailed, "{r}");
    assert!(!ur[0].checks.iter().any(|c| c.name == "signature-field"));
    // DSS's filled form: the approval signature holds (choice /I is a value), the usage
    // rights signature is reported beside it.
    let Some(r) = realworld("dss_pades-signed-filled-form.pdf") else {
        return;
    };
    let kinds: Vec<Option<PdfSignatureKind>> =
        r.signatures.iter().map(|s| pdf_details(s).kind).collect();
    assert!(
        kinds.contains(&Some(PdfSignatureKind::UsageRights)),
        "{kinds:?}"
    );
    for s in &r.signatures {
        assert_ne!(s.indication, Indication::TotalFailed, "{r}");
    }
}

#[test]
fn pades_levels_of_real_files() {
    // pdfcpu's B-LTA sample: DSS with revocation data and a document timestamp after the
    // signature; DSS SK-6's last signature: a DSS older than the signature is not its
    // validation data (B-T).
    let Some(r) = realworld("pdfcpu_testPAdES_BLTA.pdf") else {
        return;
    };
    assert_eq!(r.signatures[0].level, Some(Level::BLTA), "{r}");
    let Some(r) = realworld("dss_Signature-P-SK-6.pdf") else {
        return;
    };
    let last = r.signatures.last().expect("signatures");
    assert_eq!(last.level, Some(Level::BT), "{r}");
}

// ---------------------------------------------------------------------------------------------
// Tolerated reader defects (docs/tolerated-defects.md) never turn an attack into a pass.

/// Moves the last `startxref` value by `delta` bytes.
fn shift_last_startxref(bytes: &[u8], delta: i64) -> Vec<u8> {
    let at = rfind(bytes, b"startxref").expect("startxref");
    let tail = std::str::from_utf8(&bytes[at..]).expect("ascii tail");
    let n: i64 = tail
        .split_ascii_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("offset");
    let mut out = bytes[..at].to_vec();
    out.extend_from_slice(format!("startxref\n{}\n%%EOF\n", n + delta).as_bytes());
    out
}

fn warned(r: &ValidationReport, kind: &str) -> bool {
    r.warnings.iter().any(|w| w.contains(kind))
}

#[test]
fn shifted_startxref_is_tolerated_and_the_attack_still_fails() {
    let attacked = update(&signed(), |_, w| {
        w.update(ObjRef::new(5, 0), plain_stream(HIDDEN_TEXT));
    });
    // One byte short (the end-of-line before `xref`) and one byte into the keyword.
    for delta in [-1, 1] {
        let out = shift_last_startxref(&attacked, delta);
        let r = verify(&out);
        assert!(warned(&r, "shifted-xref-offset"), "{:?}", r.warnings);
        assert_modified(&r.signatures[0], "page_content");
    }
    // On the signed file itself the shift is a change of signed bytes: it is read, and fails.
    let r = verify(&shift_last_startxref(&signed(), -1));
    assert!(warned(&r, "shifted-xref-offset"));
    assert_eq!(
        r.signatures[0].sub_indication,
        Some(SubIndication::HashFailure)
    );
}

#[test]
fn shifted_prev_that_skips_the_signed_revision_never_passes() {
    // The update's /Prev names the white space before the *unsigned* revision's xref: the
    // recovered chain has no signed revision, so the signature cannot be found intact.
    let s = signed();
    let first_xref = find(&s, b"\nxref").expect("first xref") as u64;
    let mut out = s.clone();
    out.extend_from_slice(b"\n");
    let base = out.len() as u64;
    let body = stream("", HIDDEN_TEXT);
    out.extend_from_slice(b"5 0 obj\n");
    out.extend_from_slice(&body);
    out.extend_from_slice(b"\nendobj\n");
    let xref_at = out.len();
    out.extend_from_slice(
        format!(
            "xref\n0 1\n0000000000 65535 f\r\n5 1\n{base:010} 00000 n\r\ntrailer\n<< /Size 16 /Root 1 0 R /Prev {first_xref} >>\nstartxref\n{xref_at}\n%%EOF\n"
        )
        .as_bytes(),
    );
    match sigform::pades::verify_pdf(Cursor::new(&out), &options()) {
        Err(_) => {}
        Ok(r) => assert!(
            !r.signatures.iter().any(passed) && !r.valid,
            "{:?}",
            r.signatures
                .iter()
                .map(|s| (s.indication, failed_checks(s)))
                .collect::<Vec<_>>()
        ),
    }
}

#[test]
fn prev_zero_cuts_the_chain_and_the_signature_fails() {
    let s = signed();
    let reader = Reader::from_reader(Cursor::new(&s[..])).expect("reader");
    let root = reader.catalog_ref().expect("root");
    let mut out = s.clone();
    out.extend_from_slice(reader.append_separator());
    let base = out.len() as u64;
    out.extend_from_slice(b"5 0 obj\n");
    out.extend_from_slice(&stream("", HIDDEN_TEXT));
    out.extend_from_slice(b"\nendobj\n");
    let xref_at = out.len();
    out.extend_from_slice(
        format!(
            "xref\n0 1\n0000000000 65535 f\r\n5 1\n{base:010} 00000 n\r\ntrailer\n<< /Size 16 /Root {root} /Prev 0 >>\nstartxref\n{xref_at}\n%%EOF\n"
        )
        .as_bytes(),
    );
    match sigform::pades::verify_pdf(Cursor::new(&out), &options()) {
        Err(_) => {}
        Ok(r) => {
            assert!(warned(&r, "prev-zero"), "{:?}", r.warnings);
            assert!(!r.signatures.iter().any(passed));
        }
    }
}

/// An incremental saving attack written for repairing viewers: objects appended after the
/// signed `%%EOF` without a usable xref (with none at all, or with an empty table and a
/// `startxref` not followed by `%%EOF`). A verdict, never an input error.
#[test]
fn objects_appended_without_a_usable_xref_fail_the_signature() {
    let page = b"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 16 0 R >>\nendobj\n";
    let mut big = stream("", &vec![b'%'; 4096]);
    big.splice(0..0, b"16 0 obj\n".iter().copied());
    big.extend_from_slice(b"\nendobj\n");
    let tails: [Vec<u8>; 2] = [
        [&page[..], &big[..]].concat(),
        [
            &page[..],
            b"xref\ntrailer\n<< /Root 1 0 R >>\nstartxref\n9999 % the xref above\n",
        ]
        .concat(),
    ];
    for tail in tails {
        let mut out = signed();
        out.extend_from_slice(b"\n");
        out.extend_from_slice(&tail);
        let r = verify(&out);
        assert!(warned(&r, "unaccounted-tail"), "{:?}", r.warnings);
        assert_eq!(r.signatures[0].indication, Indication::TotalFailed);
        // Nothing can be appended to such a file either.
        let reader = Reader::from_reader(Cursor::new(&out[..])).expect("reader");
        assert!(reader.unaccounted_tail().is_some());
        assert!(IncrementalWriter::new(&reader).is_err());
    }
}

// ---------------------------------------------------------------------------------------------
// The legacy adbe.x509.rsa_sha1 sub-filter: a bare PKCS#1 signature, the certificate in /Cert.

fn x509_rsa_sha1_signed() -> Vec<u8> {
    let s = signer("signer-rsa2048");
    let cert = hex::encode_upper(s.identity().certificate().der());
    let body = format!(
        "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.x509.rsa_sha1 /Cert <{cert}> \
         /ByteRange [0 0000000000 0000000000 0000000000] /Contents <{}> >>",
        "0".repeat(1200)
    );
    let mut bytes = forge(&signed(), &body);
    let at = rfind(&bytes, b"/Contents <").expect("Contents") + b"/Contents ".len();
    let end = at + find(&bytes[at..], b">").expect(">") + 1;
    let len = bytes.len() as u64;
    set_byte_range(&mut bytes, [0, at as u64, end as u64, len - end as u64]);
    finish_with(bytes, |data| {
        let sig = s.sign(data).expect("sign");
        let mut der = vec![0x04, 0x82, (sig.len() >> 8) as u8, sig.len() as u8];
        der.extend_from_slice(&sig);
        der
    })
}

fn forged_field(r: &ValidationReport) -> &SignatureReport {
    r.signatures
        .iter()
        .find(|s| s.details.as_ref().and_then(|d| d.field.as_deref()) == Some("Forged"))
        .expect("the legacy signature")
}

#[test]
fn legacy_x509_rsa_sha1_verifies_with_a_warning() {
    let bytes = x509_rsa_sha1_signed();
    let r = verify(&bytes);
    let s = forged_field(&r);
    assert!(
        s.checks
            .iter()
            .any(|c| c.name == "signature-value" && c.passed),
        "{:?}",
        failed_checks(s)
    );
    assert!(s.warnings.iter().any(|w| w.contains("legacy")));
    assert_ne!(
        s.indication,
        Indication::TotalFailed,
        "{:?}",
        failed_checks(s)
    );
    // A changed signed byte (in the first range) breaks it.
    let mut bad = bytes.clone();
    let i = find(&bad, b"Pay 100").expect("text");
    bad[i + 4] = b'9';
    let s2 = verify(&bad);
    let s2 = forged_field(&s2);
    assert_eq!(s2.indication, Indication::TotalFailed);
    assert_eq!(s2.sub_indication, Some(SubIndication::SigCryptoFailure));
}

// ---------- a weak key and the proof of existence of a later document timestamp ----------

/// A PDF signed (CMS made by openssl: sigform refuses to sign with it) with the RSA-1024 test
/// key, then given a document timestamp by the openssl test TSA.
fn rsa1024_pdf_with_document_timestamp() -> Option<Vec<u8>> {
    let (openssl, tsa) = (tool("openssl")?, common::openssl_tsa::OpensslTsa::new()?);
    let cert = sigform::CertificateDer::parse_many(&tv_bytes("pki/signer-rsa1024.pem"))
        .unwrap()
        .remove(0);
    let identity = sigform::SignerIdentity::new(cert, vec![]);
    let alg = sigform::SignatureAlgorithm::RsaPkcs1v15 {
        digest: sigform::DigestAlgorithm::Sha256,
    };
    // adbe.pkcs7.detached: openssl writes no signing-certificate-v2 (required by ETSI.CAdES).
    let opts = PadesOptions {
        contents_size: Some(8192),
        subfilter: SubFilter::AdbePkcs7Detached,
        ..PadesOptions::default()
    };
    let mut out = Cursor::new(Vec::new());
    let input = std::fs::File::open(tv("pdf/qdf.pdf")).unwrap();
    let prepared = psign::prepare(input, &mut out, &identity, alg, &opts).unwrap();
    let (offset, capacity) = (
        prepared.state.contents_offset as usize,
        prepared.state.contents_capacity,
    );
    let mut pdf = out.into_inner();
    // The ByteRange: everything but `<hex>`.
    let mut signed = pdf[..offset - 1].to_vec();
    signed.extend_from_slice(&pdf[offset + capacity + 1..]);
    let dir = tempdir();
    let (data, cms) = (dir.path().join("d"), dir.path().join("c.p7s"));
    std::fs::write(&data, &signed).unwrap();
    let mut cmd = std::process::Command::new(openssl);
    cmd.args([
        "cms", "-sign", "-binary", "-outform", "DER", "-md", "sha256", "-in",
    ])
    .arg(&data)
    .arg("-signer")
    .arg(tv("pki/signer-rsa1024.pem"))
    .arg("-inkey")
    .arg(tv("pki/signer-rsa1024.key.pem"))
    .arg("-certfile")
    .arg(tv("pki/chain.pem"))
    .arg("-out")
    .arg(&cms);
    let (ok, text) = run(&mut cmd);
    assert!(ok, "openssl cms -sign: {text}");
    let hex = hex::encode(std::fs::read(&cms).unwrap());
    assert!(hex.len() <= capacity);
    pdf[offset..offset + hex.len()].copy_from_slice(hex.as_bytes());
    let mut stamped = Cursor::new(Vec::new());
    sigform::pades::levels::add_document_timestamp(Cursor::new(pdf), &mut stamped, &tsa).unwrap();
    Some(stamped.into_inner())
}

#[test]
fn weak_rsa_key_is_judged_at_a_later_document_timestamp() {
    let Some(pdf) = rsa1024_pdf_with_document_timestamp() else {
        return;
    };
    let year = std::time::Duration::from_secs(365 * 86_400);
    let now = std::time::SystemTime::now();
    let options = |sunset| VerifyOptions {
        trust: Some(TrustStore::from_pem(&tv_bytes("pki/root-ca.pem")).unwrap()),
        // In 20 years (the test PKI lasts until 2050), RSA keys under 2048 bits retired at
        // `sunset`.
        validation_time: Some(now + 20 * year),
        algorithms: sigform::alg::AlgorithmPolicy {
            rsa: vec![sigform::alg::RsaSunset {
                below_bits: 2048,
                sunset: Some(sunset),
            }],
        },
        ..VerifyOptions::default()
    };
    let signature_value = |r: &sigform::report::ValidationReport| {
        let c = r.signatures[0]
            .checks
            .iter()
            .find(|c| c.name == "signature-value")
            .unwrap()
            .clone();
        (c.passed, c.detail.unwrap_or_default())
    };
    // Retired in 10 years: the document timestamp made today is the proof of existence.
    let r =
        sigform::pades::verify::verify_pdf(Cursor::new(&pdf), &options(now + 10 * year)).unwrap();
    assert_eq!(r.signatures.len(), 2, "{r}");
    assert_eq!(
        r.signatures[0].indication,
        Indication::TotalPassed,
        "{}",
        serde_json::to_string_pretty(&r).unwrap()
    );
    let (passed, detail) = signature_value(&r);
    assert!(passed);
    assert!(
        detail.contains("acceptable at the validation time"),
        "{detail}"
    );
    assert!(
        r.signatures[0]
            .warnings
            .iter()
            .any(|w| w.contains("proof of existence given by a later document timestamp")),
        "{r}"
    );
    // Retired yesterday, and with the default policy (2013): the proof comes too late.
    let yesterday = now - std::time::Duration::from_secs(86_400);
    let default = VerifyOptions {
        trust: Some(TrustStore::from_pem(&tv_bytes("pki/root-ca.pem")).unwrap()),
        ..VerifyOptions::default()
    };
    for opts in [options(yesterday), default] {
        let r = sigform::pades::verify::verify_pdf(Cursor::new(&pdf), &opts).unwrap();
        let s = &r.signatures[0];
        assert_eq!(
            (s.indication, s.sub_indication),
            (
                Indication::Indeterminate,
                Some(SubIndication::CryptoConstraintsFailure)
            ),
            "{r}"
        );
        assert!(!signature_value(&r).0);
    }
}

#[path = "pades_verify/producers.rs"]
mod producers;

#[path = "pades_verify/direct_page.rs"]
mod direct_page;
