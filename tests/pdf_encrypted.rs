//! Encrypted PDFs under the standard security handler (test-vectors/encrypted, made by qpdf and
//! signed by pyHanko: see its generate.sh): opened with the empty or a given password, strings
//! and streams decrypted for reading, signatures verified; wrong passwords and public-key
//! encryption are typed refusals. Signing them incrementally (the update encrypted with the
//! file's key) is judged by pyHanko, pdfsig and qpdf when SIGFORM_INTEROP is set.

mod common;
use common::tv;
use sigform::VerifyOptions;
use sigform::pdf::{ObjRef, Object, PdfError, Reader, ReaderOptions};
use sigform::report::Indication;
use sigform::x509::TrustStore;
use std::io::Cursor;

const EMPTY_USER: [&str; 5] = ["rc4-40", "rc4-128", "aes-128", "aes-256", "aes-128-objstm"];

/// The decoded content of the first page and the /Info /Producer (if any) of a reader.
fn first_page_text<R: std::io::Read + std::io::Seek>(r: &Reader<R>) -> Vec<u8> {
    let page = r.page_refs().expect("pages")[0];
    let Object::Dictionary(p) = r.get(page).expect("page") else {
        panic!("page is not a dictionary")
    };
    let c = r.resolve_key(&p, "Contents").expect("contents");
    let s = c.as_stream().expect("one content stream");
    r.decode_stream(s).expect("decoded")
}

fn open_with(name: &str, password: &str) -> sigform::pdf::Result<Reader> {
    Reader::open_with(
        tv(&format!("encrypted/{name}.pdf")),
        ReaderOptions {
            password: password.as_bytes().to_vec(),
            ..ReaderOptions::default()
        },
    )
}

#[test]
fn empty_user_password_files_read_like_the_original() {
    let plain = Reader::open(tv("docs/sample-2pages.pdf")).expect("plain");
    let expected = first_page_text(&plain);
    for name in EMPTY_USER {
        let r = open_with(name, "").unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(r.is_encrypted());
        let what = r.encryption().expect("decrypting");
        let cipher = if name.starts_with("rc4") {
            "RC4"
        } else {
            "AES"
        };
        assert!(what.contains(cipher), "{name}: {what}");
        assert_eq!(first_page_text(&r), expected, "{name}");
        assert_eq!(r.page_refs().unwrap().len(), 2);
    }
}

#[test]
fn user_password_files_need_the_user_or_owner_password() {
    for name in ["aes-256-userpw", "rc4-128-userpw"] {
        assert!(matches!(
            open_with(name, ""),
            Err(PdfError::Password { .. })
        ));
        assert!(matches!(
            open_with(name, "wrong"),
            Err(PdfError::Password { .. })
        ));
        for pw in ["user", "owner"] {
            let r = open_with(name, pw).unwrap_or_else(|e| panic!("{name}/{pw}: {e}"));
            assert_eq!(r.page_refs().unwrap().len(), 2);
        }
    }
}

#[test]
fn public_key_encryption_is_a_clear_input_error() {
    let Some(p) = common::corpus_pdf("minimal-pubkey-aes256.pdf") else {
        return;
    };
    match Reader::open(p) {
        Err(PdfError::EncryptionUnsupported(m)) => assert!(m.contains("PubSec"), "{m}"),
        other => panic!("unexpected {other:?}"),
    }
}

fn options() -> VerifyOptions {
    VerifyOptions {
        trust: Some(TrustStore::from_path(tv("pki/root-ca.pem")).expect("root")),
        ..VerifyOptions::default()
    }
}

#[test]
fn pyhanko_signatures_on_encrypted_files_verify() {
    for name in ["rc4-40", "rc4-128", "aes-128", "aes-256"] {
        let bytes = std::fs::read(tv(&format!("encrypted/signed-pyhanko-{name}.pdf"))).unwrap();
        let r = sigform::pades::verify_pdf(Cursor::new(&bytes), &options()).expect(name);
        assert_eq!(r.signatures.len(), 1, "{name}");
        let s = &r.signatures[0];
        assert_eq!(
            s.indication,
            Indication::TotalPassed,
            "{name}: {:?}",
            s.checks
        );
        assert_eq!(
            s.details.as_ref().and_then(|d| d.field.as_deref()),
            Some("Sig1"),
            "{name}: the field name is decrypted"
        );
        assert!(r.warnings.iter().any(|w| w.contains("encrypted")));
        // A changed byte of the signed (encrypted) content fails it.
        let mut bad = bytes.clone();
        let i = bad.len() / 4;
        bad[i] ^= 0x01;
        if let Ok(r) = sigform::pades::verify_pdf(Cursor::new(&bad), &options()) {
            assert!(
                r.signatures
                    .iter()
                    .all(|s| s.indication != Indication::TotalPassed),
                "{name}: tampered file passed"
            );
        }
    }
}

#[test]
fn the_encrypt_dictionary_and_signature_contents_are_not_decrypted() {
    let bytes = std::fs::read(tv("encrypted/signed-pyhanko-aes-128.pdf")).unwrap();
    let r = Reader::from_reader(Cursor::new(&bytes)).unwrap();
    // The signature's /Contents is the CMS as written (a DER SEQUENCE), not "decrypted" noise.
    let sig = r
        .object_refs()
        .into_iter()
        .filter_map(|o: ObjRef| r.get(o).ok())
        .find_map(|o| match o {
            Object::Dictionary(d) if d.contains_key("ByteRange") => Some(d),
            _ => None,
        })
        .expect("signature dictionary");
    let contents = &sig.get("Contents").unwrap().as_string().unwrap().bytes;
    assert_eq!(contents[0], 0x30);
}

/// Every encrypted test file with the password that opens it (empty: owner-restricted).
const ALL: [(&str, &str); 7] = [
    ("rc4-40", ""),
    ("rc4-128", ""),
    ("aes-128", ""),
    ("aes-256", ""),
    ("aes-128-objstm", ""),
    ("aes-256-userpw", "user"),
    ("rc4-128-userpw", "user"),
];

/// `name` signed by sigform (with a /Reason that needs UTF-16 and a DocMDP-free approval).
fn sign_encrypted(name: &str, password: &str) -> Vec<u8> {
    let input = std::fs::read(tv(&format!("encrypted/{name}.pdf"))).unwrap();
    let mut out = Cursor::new(Vec::new());
    let options = sigform::pades::sign::PadesOptions {
        reason: Some("Aprovação".into()),
        pdf_password: Some(password.as_bytes().to_vec()),
        ..Default::default()
    };
    let signer = common::test_signer("signer-rsa2048", "pki/chain.pem");
    sigform::pades::sign::sign(Cursor::new(input), &mut out, &signer, &options)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    out.into_inner()
}

fn verify_with(bytes: &[u8], password: &str) -> sigform::report::ValidationReport {
    let options = VerifyOptions {
        pdf_password: Some(password.into()),
        ..options()
    };
    sigform::pades::verify_pdf(Cursor::new(bytes), &options).expect("readable")
}

#[test]
fn signing_an_encrypted_file_encrypts_the_update_and_verifies() {
    for (name, pw) in ALL {
        let signed = sign_encrypted(name, pw);
        let r = verify_with(&signed, pw);
        assert_eq!(r.signatures.len(), 1, "{name}");
        let s = &r.signatures[0];
        assert_eq!(
            s.indication,
            Indication::TotalPassed,
            "{name}: {:?}",
            s.checks
        );
        // Read back: the strings are decrypted to what was written, /Contents is the raw CMS,
        // and the update is really encrypted (the reason is not in the file in clear).
        let reader = Reader::from_reader_with(
            Cursor::new(&signed),
            ReaderOptions {
                password: pw.as_bytes().to_vec(),
                ..ReaderOptions::default()
            },
        )
        .unwrap();
        assert!(reader.trailer().contains_key("Encrypt"), "{name}");
        let sig = reader
            .object_refs()
            .into_iter()
            .filter_map(|o: ObjRef| reader.get(o).ok())
            .find_map(|o| match o {
                Object::Dictionary(d) if d.contains_key("ByteRange") => Some(d),
                _ => None,
            })
            .expect("signature dictionary");
        assert_eq!(
            sig.get("Contents").unwrap().as_string().unwrap().bytes[0],
            0x30
        );
        let reason = sig.get("Reason").unwrap().as_string().unwrap();
        assert_eq!(reason.to_text(), "Aprovação", "{name}");
        let m = &sig.get("M").unwrap().as_string().unwrap().bytes;
        assert!(m.starts_with(b"D:"), "{name}: /M {m:?}");
        assert!(
            !signed
                .windows(7)
                .any(|w| w == b"(D:2026" || w == b"(D:2025"),
            "{name}: /M written in clear"
        );
        // The /ID is the file's (its first string is part of the key).
        let orig = open_with(name, pw).unwrap();
        assert_eq!(
            reader.trailer().get("ID"),
            orig.trailer().get("ID"),
            "{name}"
        );
        // A changed byte of the update fails the signature.
        let mut bad = signed.clone();
        let i = signed.len() - 200;
        bad[i] ^= 0x01;
        if let Ok(r) = sigform::pades::verify_pdf(
            Cursor::new(&bad),
            &VerifyOptions {
                pdf_password: Some(pw.into()),
                ..options()
            },
        ) {
            assert!(
                r.signatures
                    .iter()
                    .all(|s| s.indication != Indication::TotalPassed),
                "{name}: tampered file passed"
            );
        }
    }
}

#[test]
fn signing_needs_the_user_password_of_a_protected_file() {
    let input = std::fs::read(tv("encrypted/aes-256-userpw.pdf")).unwrap();
    let signer = common::test_signer("signer-rsa2048", "pki/chain.pem");
    let mut out = Cursor::new(Vec::new());
    let err = sigform::pades::sign::sign(
        Cursor::new(input),
        &mut out,
        &signer,
        &sigform::pades::sign::PadesOptions::default(),
    )
    .expect_err("no password");
    assert!(err.to_string().to_lowercase().contains("password"), "{err}");
}

#[test]
fn judges_accept_sigform_signatures_on_encrypted_files() {
    let dir = common::tempdir();
    let pdfsig = common::judges::PdfsigTrusting::new();
    for (name, pw) in ALL {
        let path = dir.path().join(format!("{name}.pdf"));
        std::fs::write(&path, sign_encrypted(name, pw)).unwrap();
        let judge_pw = if pw.is_empty() { "owner" } else { pw };
        if let Some((ok, out)) = common::judges::pyhanko_validate(&[
            "--password".as_ref(),
            judge_pw.as_ref(),
            path.as_os_str(),
        ]) {
            assert!(
                ok && out.contains("INTACT:TRUSTED,UNTOUCHED"),
                "pyHanko on {name}: {out}"
            );
        }
        let qpdf_pw = format!("--password={pw}");
        if let Some((ok, out)) = common::judges::qpdf_check_with(&path, &[&qpdf_pw]) {
            assert!(
                ok && out.contains("No syntax or stream encoding errors"),
                "qpdf on {name}: {out}"
            );
        }
        if let Some(p) = &pdfsig {
            let args: &[&str] = if pw.is_empty() { &[] } else { &["-upw", pw] };
            let out = p.run_with(&path, args);
            assert!(
                out.contains("Signature is Valid") && out.contains("Total document signed"),
                "pdfsig on {name}: {out}"
            );
        }
    }
}

#[test]
fn visible_and_second_signatures_on_encrypted_files() {
    let signer = common::test_signer("signer-rsa2048", "pki/chain.pem");
    let sign = |input: Vec<u8>, options: sigform::pades::sign::PadesOptions| {
        let mut out = Cursor::new(Vec::new());
        sigform::pades::sign::sign(Cursor::new(input), &mut out, &signer, &options).unwrap();
        out.into_inner()
    };
    // A visible signature (an encrypted appearance stream) on a user-password AES-256 file.
    let visible = sign(
        std::fs::read(tv("encrypted/aes-256-userpw.pdf")).unwrap(),
        sigform::pades::sign::PadesOptions {
            visible: Some(sigform::pades::sign::Visible {
                page: 1,
                rect: [100.0, 100.0, 300.0, 160.0],
                ..Default::default()
            }),
            pdf_password: Some(b"user".to_vec()),
            ..Default::default()
        },
    );
    let r = verify_with(&visible, "user");
    assert_eq!(r.signatures[0].indication, Indication::TotalPassed);
    // A second signature after pyHanko's on an AES-256 file: both hold.
    let second = sign(
        std::fs::read(tv("encrypted/signed-pyhanko-aes-256.pdf")).unwrap(),
        sigform::pades::sign::PadesOptions {
            field_name: Some("Sig2".into()),
            ..Default::default()
        },
    );
    let r = verify_with(&second, "");
    assert_eq!(r.signatures.len(), 2);
    for s in &r.signatures {
        assert_eq!(
            s.indication,
            Indication::TotalPassed,
            "{}: {:?}",
            s.id,
            s.checks
        );
    }
    let dir = common::tempdir();
    for (name, bytes, pw) in [("v.pdf", &visible, "user"), ("s.pdf", &second, "owner")] {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        if let Some((ok, out)) = common::judges::pyhanko_validate(&[
            "--password".as_ref(),
            pw.as_ref(),
            path.as_os_str(),
        ]) {
            assert!(ok, "pyHanko on {name}: {out}");
            assert!(
                !out.contains("INTACT:UNTRUSTED") && !out.contains("INVALID"),
                "{out}"
            );
        }
    }
}

#[test]
fn cli_signs_a_user_password_file_with_password() {
    let dir = common::tempdir();
    let out = dir.path().join("signed.pdf");
    let input = tv("encrypted/rc4-128-userpw.pdf");
    let key_args = |extra: &[&str]| -> (i32, String, String) {
        let mut args: Vec<String> = vec!["sign".into(), "pades".into()];
        for (flag, file) in [
            ("--key", "pki/signer-rsa2048.key.pem"),
            ("--cert", "pki/signer-rsa2048.pem"),
            ("--chain", "pki/chain.pem"),
        ] {
            args.push(flag.into());
            args.push(tv(file).display().to_string());
        }
        args.extend(extra.iter().map(|s| s.to_string()));
        args.push("-o".into());
        args.push(out.display().to_string());
        args.push(input.display().to_string());
        common::cli::sigform(&args)
    };
    // Without the password: a clear refusal naming it.
    let (code, _, err) = key_args(&[]);
    assert_ne!(code, 0);
    assert!(err.to_lowercase().contains("password"), "{err}");
    let (code, _, err) = key_args(&["--password", "user"]);
    assert_eq!(code, 0, "{err}");
    let (code, stdout, err) = common::cli::sigform(&[
        "verify",
        "--password",
        "user",
        "--trust",
        &tv("pki/root-ca.pem").display().to_string(),
        &out.display().to_string(),
    ]);
    assert_eq!(code, 0, "{stdout}{err}");
    assert!(stdout.contains("TOTAL_PASSED"), "{stdout}");
}
