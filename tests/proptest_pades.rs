//! Property tests for PAdES verification (issue #8).
//!
//! 1. One signed PDF (built once), mutated at random (a byte XORed, truncated, bytes
//!    appended, a range overwritten, an incremental update appended): `pades::verify_pdf` never
//!    panics; a change of any signed byte (everything but the `/Contents` hex string) or of the
//!    `/Contents` value fails the signature; bytes appended after the last `%%EOF` never give a
//!    passing whole-file signature without a note: white space passes with a warning, anything
//!    else fails, and an appended update makes the signature cover a revision, not the file.
//! 2. Sign → verify over generated PDFs (`benches/support/genpdf.rs`) with random algorithms
//!    and one to three signatures in sequence: every signature passes, the last covers the
//!    whole file and each earlier one its own revision.

mod common;
#[path = "../benches/support/genpdf.rs"]
mod genpdf;

use common::*;
use proptest::prelude::*;
use proptest::sample::Index;
use sigform::VerifyOptions;
use sigform::pades::sign::{self as psign, PadesOptions, SubFilter, Visible};
use sigform::pdf::{IncrementalWriter, Object, PdfString, Reader};
use sigform::report::{SignatureReport, ValidationReport};
use sigform::signer::SoftwareSigner;
use sigform::x509::TrustStore;
use sigform::{DigestAlgorithm, SignatureAlgorithm};
use std::io::Cursor;
use std::ops::Range;
use std::sync::OnceLock;

fn load(name: &str, alg: SignatureAlgorithm) -> SoftwareSigner {
    test_signer(name, "pki/intermediate-ca.pem")
        .with_algorithm(alg)
        .unwrap()
}

/// RSA (PKCS#1 v1.5 SHA-256, PKCS#1 v1.5 SHA-512, PSS) and P-256 (SHA-256, SHA-384).
fn signers() -> &'static Vec<SoftwareSigner> {
    static S: OnceLock<Vec<SoftwareSigner>> = OnceLock::new();
    S.get_or_init(|| {
        vec![
            load("signer-rsa2048", SignatureAlgorithm::RSA_SHA256),
            load(
                "signer-rsa2048",
                SignatureAlgorithm::RsaPkcs1v15 {
                    digest: DigestAlgorithm::Sha512,
                },
            ),
            load("signer-rsa2048", SignatureAlgorithm::RSA_PSS_SHA256),
            load("signer-p256", SignatureAlgorithm::ECDSA_P256_SHA256),
            load(
                "signer-p256",
                SignatureAlgorithm::Ecdsa {
                    curve: sigform::alg::EcCurve::P256,
                    digest: DigestAlgorithm::Sha384,
                },
            ),
        ]
    })
}

fn options() -> &'static VerifyOptions {
    static O: OnceLock<VerifyOptions> = OnceLock::new();
    O.get_or_init(|| VerifyOptions {
        trust: Some(TrustStore::from_path(tv("pki/root-ca.pem")).unwrap()),
        ..VerifyOptions::default()
    })
}

fn sign(pdf: &[u8], signer: &SoftwareSigner, opts: &PadesOptions) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    psign::sign(Cursor::new(pdf), &mut out, signer, opts).unwrap();
    out.into_inner()
}

fn verify(pdf: &[u8]) -> Option<ValidationReport> {
    sigform::pades::verify_pdf(Cursor::new(pdf), options()).ok()
}

fn coverage(s: &SignatureReport) -> &str {
    s.details
        .as_ref()
        .and_then(|d| d.coverage.as_deref())
        .unwrap_or("")
}

// ---- the signed file and its regions ---------------------------------------------------------

/// The sample PDF signed once, and where its signature lies.
struct Signed {
    bytes: Vec<u8>,
    /// `[0, gap.start)` and `[gap.end, end)` are signed.
    gap: Range<usize>,
    end: usize,
}

fn signed() -> &'static Signed {
    static S: OnceLock<Signed> = OnceLock::new();
    S.get_or_init(|| {
        let bytes = sign(
            &tv_bytes("docs/sample-2pages.pdf"),
            &signers()[0],
            &PadesOptions {
                field_name: Some("Sig1".into()),
                ..PadesOptions::default()
            },
        );
        let r = verify(&bytes).unwrap();
        assert!(r.valid, "{r}");
        let s = &r.signatures[0];
        assert_eq!(coverage(s), "whole file");
        let br: Vec<usize> = pdf_details(s)
            .byte_range
            .unwrap()
            .iter()
            .map(|&v| v as usize)
            .collect();
        assert_eq!(br[0], 0);
        let signed = Signed {
            gap: br[1]..br[2],
            end: br[2] + br[3],
            bytes,
        };
        assert_eq!(signed.bytes[signed.gap.start], b'<');
        assert_eq!(signed.bytes[signed.gap.end - 1], b'>');
        assert!(signed.end <= signed.bytes.len());
        signed
    })
}

/// The value of the `/Contents` hex string in the gap (hex case does not matter); `None`
/// when the gap is no longer `<` hex digits `>`.
fn contents_value(pdf: &[u8], gap: &Range<usize>) -> Option<Vec<u8>> {
    match pdf.get(gap.clone())? {
        [b'<', inner @ .., b'>'] => hex::decode(inner).ok(),
        _ => None,
    }
}

fn passes(r: &ValidationReport) -> bool {
    r.signatures.iter().any(|s| s.passed())
}

/// Which part of the signed file an offset is in.
#[derive(Debug, PartialEq, Eq)]
enum Region {
    /// Covered by the ByteRange.
    Signed,
    /// The `/Contents` hex string (the signature itself).
    Contents,
    /// After the signed bytes (an end-of-line after `%%EOF`, when not signed).
    Trailing,
}

fn region(s: &Signed, at: usize) -> Region {
    if s.gap.contains(&at) {
        Region::Contents
    } else if at < s.end {
        Region::Signed
    } else {
        Region::Trailing
    }
}

/// Offsets whose bytes differ (over the shorter length).
fn changed(a: &[u8], b: &[u8]) -> Vec<usize> {
    a.iter()
        .zip(b)
        .enumerate()
        .filter(|(_, (x, y))| x != y)
        .map(|(i, _)| i)
        .collect()
}

/// The verdict on a file of the same length as the original whose bytes at `diff` changed.
fn check_in_place(s: &Signed, bytes: &[u8], diff: &[usize]) -> Result<(), TestCaseError> {
    let Some(r) = verify(bytes) else {
        return Ok(()); // not a readable PDF any more: refused
    };
    let what = |r: &ValidationReport| {
        format!(
            "changed {:?} ({:?}): {:?}",
            diff.iter().take(8).collect::<Vec<_>>(),
            diff.iter().map(|&i| region(s, i)).collect::<Vec<_>>(),
            r.signatures.iter().map(failed_checks).collect::<Vec<_>>()
        )
    };
    if diff.iter().any(|&i| region(s, i) == Region::Signed) {
        prop_assert!(
            !passes(&r),
            "a signed byte changed and a signature passes: {}",
            what(&r)
        );
    } else if diff.iter().any(|&i| region(s, i) == Region::Contents) {
        // The /Contents value is the CMS. The same value (a hex letter's case changed) is the
        // same signature and must still pass; a CMS changed only in bytes no signature covers
        // and verification ignores (see `common::cms`) may pass; any other change must fail.
        let before = contents_value(&s.bytes, &s.gap).unwrap();
        match contents_value(bytes, &s.gap) {
            Some(after) if after == before => {
                prop_assert!(
                    passes(&r),
                    "the same /Contents value (hex case) must still pass: {}",
                    what(&r)
                );
            }
            Some(after) if after.len() == before.len() => {
                let cms_diff = changed(&before, &after);
                let ignorable: Vec<_> = cms_diff
                    .iter()
                    .map(|&i| common::cms::ignorable(&before, i))
                    .collect();
                if !ignorable.iter().all(Option::is_some) {
                    prop_assert!(
                        !passes(&r),
                        "the CMS changed at {:?} and a signature passes: {}",
                        cms_diff.iter().take(8).collect::<Vec<_>>(),
                        what(&r)
                    );
                }
            }
            _ => prop_assert!(
                !passes(&r),
                "/Contents is no longer its hex string and a signature passes: {}",
                what(&r)
            ),
        }
    } else {
        check_tail(s, bytes, &r)?;
    }
    Ok(())
}

/// Bytes after the signed ones: a passing signature only when they are white space, and then
/// with a warning that they are not signed.
fn check_tail(s: &Signed, bytes: &[u8], r: &ValidationReport) -> Result<(), TestCaseError> {
    let tail = &bytes[s.end.min(bytes.len())..];
    let blank = tail.iter().all(|b| b" \t\r\n\x0c\x00".contains(b));
    if !passes(r) {
        return Ok(());
    }
    prop_assert!(
        blank && tail.len() <= 64 * 1024,
        "{} unsigned trailing bytes, not all white space, and a signature passes",
        tail.len()
    );
    let sig = &r.signatures[0];
    prop_assert_eq!(coverage(sig), "whole file");
    prop_assert!(
        tail.is_empty() || sig.warnings.iter().any(|w| w.contains("not signed")),
        "trailing white space passes without a warning: {:?}",
        sig.warnings
    );
    Ok(())
}

/// An incremental update appended to the signed file.
#[derive(Clone, Debug)]
enum Update {
    /// A new object nothing refers to.
    NewObject(String),
    /// A new key in the catalog.
    CatalogKey(String),
    /// The first page turned.
    Rotate,
    /// The `/Info` dictionary's title changed.
    Title(String),
}

fn append_update(pdf: &[u8], u: &Update) -> Vec<u8> {
    let reader = Reader::from_reader(Cursor::new(pdf)).unwrap();
    let mut w = IncrementalWriter::new(&reader).unwrap();
    match u {
        Update::NewObject(s) => {
            w.add(Object::String(PdfString::literal(s.as_bytes().to_vec())));
        }
        Update::CatalogKey(s) => {
            let root = reader.catalog_ref().unwrap();
            let mut cat = reader.get(root).unwrap().as_dict().unwrap().clone();
            cat.insert(
                "PieceInfo",
                Object::String(PdfString::literal(s.as_bytes().to_vec())),
            );
            w.update(root, Object::Dictionary(cat));
        }
        Update::Rotate => {
            let page = reader.page_refs().unwrap()[0];
            let mut d = reader.get(page).unwrap().as_dict().unwrap().clone();
            d.insert("Rotate", Object::Integer(90));
            w.update(page, Object::Dictionary(d));
        }
        Update::Title(s) => {
            let mut info = sigform::pdf::Dictionary::new();
            info.insert(
                "Title",
                Object::String(PdfString::literal(s.as_bytes().to_vec())),
            );
            let r = w.add(Object::Dictionary(info));
            w.set_trailer_entry("Info", Object::Reference(r));
        }
    }
    let mut out = pdf.to_vec();
    out.extend_from_slice(reader.append_separator());
    let base = out.len() as u64;
    w.write(&mut out, base).unwrap();
    out
}

#[derive(Clone, Debug)]
enum Mutation {
    Xor {
        at: Index,
        mask: u8,
    },
    Truncate {
        at: Index,
    },
    Append(Vec<u8>),
    /// Appended white space (tolerated with a warning).
    AppendBlank(Vec<u8>),
    /// Appended bytes that end like a revision (`%%EOF`).
    AppendFakeRevision(Vec<u8>),
    Overwrite {
        at: Index,
        bytes: Vec<u8>,
    },
    /// An overwrite inside the `/Contents` hex string with hex digits.
    OverwriteContents {
        at: Index,
        hex: Vec<u8>,
    },
    Update(Update),
}

fn text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 ]{0,24}"
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let hex_digit = proptest::sample::select(b"0123456789abcdefABCDEF".to_vec());
    let blank = proptest::sample::select(b" \t\r\n\x0c\x00".to_vec());
    prop_oneof![
        6 => (any::<Index>(), 1u8..=255).prop_map(|(at, mask)| Mutation::Xor { at, mask }),
        1 => any::<Index>().prop_map(|at| Mutation::Truncate { at }),
        1 => proptest::collection::vec(any::<u8>(), 1..64).prop_map(Mutation::Append),
        1 => proptest::collection::vec(blank, 1..64).prop_map(Mutation::AppendBlank),
        1 => proptest::collection::vec(any::<u8>(), 0..64).prop_map(Mutation::AppendFakeRevision),
        2 => (any::<Index>(), proptest::collection::vec(any::<u8>(), 1..64))
            .prop_map(|(at, bytes)| Mutation::Overwrite { at, bytes }),
        2 => (any::<Index>(), proptest::collection::vec(hex_digit, 1..16))
            .prop_map(|(at, hex)| Mutation::OverwriteContents { at, hex }),
        1 => prop_oneof![
            text().prop_map(Update::NewObject),
            text().prop_map(Update::CatalogKey),
            Just(Update::Rotate),
            text().prop_map(Update::Title),
        ]
        .prop_map(Mutation::Update),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn mutated_signed_pdf_never_panics_nor_passes(m in mutation()) {
        let s = signed();
        let orig = &s.bytes;
        let mut v = orig.clone();
        match &m {
            Mutation::Xor { at, mask } => {
                let i = at.index(v.len());
                v[i] ^= mask;
                check_in_place(s, &v, &[i])?;
            }
            Mutation::Overwrite { at, bytes } => {
                let i = at.index(v.len());
                let end = (i + bytes.len()).min(v.len());
                v[i..end].copy_from_slice(&bytes[..end - i]);
                let diff = changed(orig, &v);
                if !diff.is_empty() {
                    check_in_place(s, &v, &diff)?;
                }
            }
            Mutation::OverwriteContents { at, hex } => {
                let inner = s.gap.start + 1..s.gap.end - 1;
                let i = inner.start + at.index(inner.len());
                let end = (i + hex.len()).min(inner.end);
                v[i..end].copy_from_slice(&hex[..end - i]);
                let diff = changed(orig, &v);
                if !diff.is_empty() {
                    check_in_place(s, &v, &diff)?;
                }
            }
            Mutation::Truncate { at } => {
                v.truncate(at.index(v.len()));
                if let Some(r) = verify(&v) {
                    // Every truncation removes signed bytes (the signature covers the file).
                    prop_assert!(!passes(&r), "truncated to {} bytes and a signature passes", v.len());
                }
            }
            Mutation::Append(bytes) | Mutation::AppendBlank(bytes) => {
                v.extend_from_slice(bytes);
                if let Some(r) = verify(&v) {
                    check_tail(s, &v, &r)?;
                }
            }
            Mutation::AppendFakeRevision(bytes) => {
                v.extend_from_slice(bytes);
                v.extend_from_slice(b"\nstartxref\n0\n%%EOF\n");
                if let Some(r) = verify(&v) {
                    prop_assert!(!passes(&r), "junk ending in %%EOF after the signed file passes");
                }
            }
            Mutation::Update(u) => {
                let v = append_update(orig, u);
                let r = verify(&v);
                prop_assert!(r.is_some(), "an incremental update made the file unreadable");
                let r = r.unwrap();
                let sig = &r.signatures[0];
                // Never the whole file: the report names the revision the signature covers
                // (an unreferenced new object or a new /Info may pass, as such).
                prop_assert!(coverage(sig).starts_with("revision "), "coverage {:?}", coverage(sig));
                prop_assert_eq!(pdf_details(sig).revisions, Some(pdf_details(sig).revision.unwrap() + 1));
                if matches!(u, Update::Rotate) {
                    prop_assert!(!sig.passed(), "a page turned after signing passes");
                }
            }
        }
    }
}

// ---- sign → verify over generated PDFs -------------------------------------------------------

proptest! {
    // Each case signs up to three times and verifies every revision.
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn generated_pdfs_sign_then_verify(
        size in 200usize..24_000,
        pages in 1usize..5,
        algs in proptest::collection::vec(0usize..5, 1..=3),
        adbe in proptest::collection::vec(any::<bool>(), 3),
        visible in proptest::collection::vec(any::<bool>(), 3),
    ) {
        let mut pdf = Vec::new();
        genpdf::generate(&mut pdf, size, pages).unwrap();
        let n = algs.len();
        for (i, &a) in algs.iter().enumerate() {
            let opts = PadesOptions {
                field_name: Some(format!("Sig{}", i + 1)),
                subfilter: if adbe[i] { SubFilter::AdbePkcs7Detached } else { SubFilter::EtsiCadesDetached },
                visible: visible[i].then(|| Visible {
                    page: 1 + i % pages,
                    rect: [72.0, 72.0 + 70.0 * i as f64, 300.0, 130.0 + 70.0 * i as f64],
                    ..Visible::default()
                }),
                ..PadesOptions::default()
            };
            pdf = sign(&pdf, &signers()[a], &opts);
        }
        let r = verify(&pdf).expect("our output is readable");
        prop_assert_eq!(r.signatures.len(), n, "{}", r);
        prop_assert!(r.valid, "{}", r);
        for (i, s) in r.signatures.iter().enumerate() {
            prop_assert!(s.passed(), "S{}: {:?}", i + 1, failed_checks(s));
            let field = format!("Sig{}", i + 1);
            prop_assert_eq!(pdf_details(s).field.as_deref(), Some(field.as_str()));
            let expected = if i + 1 == n {
                "whole file".to_string()
            } else {
                format!("revision {} of {}", i + 2, n + 1)
            };
            prop_assert_eq!(coverage(s), expected.as_str());
            let category = pdf_details(s).modification_category.as_deref();
            if i + 1 == n {
                prop_assert_eq!(category, Some("untouched"));
            } else {
                // Later signatures are allowed changes, reported as such.
                prop_assert_eq!(category, Some("form_filling"));
            }
            let sub = if adbe[i] { "adbe.pkcs7.detached" } else { "ETSI.CAdES.detached" };
            prop_assert_eq!(pdf_details(s).subfilter.as_deref(), Some(sub));
        }
    }
}
