//! `sigform sign cades|pades FILE... --out-dir DIR [--threads N]`: many documents, one key load,
//! one output per document (DIR/NAME.p7s, DIR/NAME), a bad document failing alone (exit 1
//! naming it, the others written), no temporary file left behind; the outputs judged by
//! `openssl cms -verify`, `pdfsig` and sigform's own verifier.

mod common;
use common::cli::{arg, sigform};
use common::judges::{openssl_cms_verify, pdfsig_trusting};
use common::*;
use std::path::{Path, PathBuf};

fn key() -> Vec<String> {
    [
        "--key",
        arg(&tv("pki/signer-rsa2048.key.pem")),
        "--cert",
        arg(&tv("pki/signer-rsa2048.pem")),
        "--chain",
        arg(&tv("pki/chain.pem")),
    ]
    .map(String::from)
    .to_vec()
}

fn sign(kind: &str, inputs: &[PathBuf], extra: &[&str]) -> (i32, String, String) {
    let mut args: Vec<String> = vec!["sign".into(), kind.into()];
    args.extend(inputs.iter().map(|p| arg(p).to_string()));
    args.extend(extra.iter().map(|s| s.to_string()));
    args.extend(key());
    sigform(&args)
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn cades_batch_writes_every_good_document_and_names_the_bad_one() {
    let dir = tempdir();
    let out = dir.path().join("signed");
    let mut inputs = Vec::new();
    for i in 0..5 {
        let p = dir.path().join(format!("doc{i}.txt"));
        std::fs::write(&p, format!("document {i}\n").repeat(500 + i)).unwrap();
        inputs.push(p);
    }
    // A document that cannot be read (a directory): it fails alone.
    let bad = dir.path().join("not-a-file.txt");
    std::fs::create_dir(&bad).unwrap();
    inputs.insert(2, bad.clone());
    for threads in ["1", "2"] {
        let _ = std::fs::remove_dir_all(&out);
        let (code, stdout, stderr) = sign(
            "cades",
            &inputs,
            &["--out-dir", arg(&out), "--threads", threads],
        );
        assert_eq!(code, 1, "{stdout}{stderr}");
        assert!(stderr.contains(arg(&bad)), "{stderr}");
        assert!(stdout.contains("5 signed, 1 failed"), "{stdout}");
        let lines = stdout.lines().filter(|l| l.starts_with("signed ")).count();
        assert_eq!(lines, 5, "one line per document: {stdout}");
        let expected: Vec<String> = (0..5).map(|i| format!("doc{i}.txt.p7s")).collect();
        assert_eq!(
            names(&out),
            expected,
            "no temporary file left, no output for the bad one"
        );
    }
    for (i, input) in inputs.iter().filter(|p| p.is_file()).enumerate() {
        let p7s = std::fs::read(out.join(format!("doc{i}.txt.p7s"))).unwrap();
        let content = std::fs::read(input).unwrap();
        let p7s_path = out.join(format!("doc{i}.txt.p7s"));
        let (code, stdout, stderr) = sigform(&[
            "verify",
            arg(&p7s_path),
            "--content",
            arg(input),
            "--trust",
            arg(&tv("pki/root-ca.pem")),
        ]);
        assert_eq!(code, 0, "{stdout}{stderr}");
        openssl_cms_verify(&p7s, Some(&content), true);
    }
}

#[test]
fn all_good_is_exit_0_and_one_file_keeps_o() {
    let dir = tempdir();
    let inputs: Vec<PathBuf> = (0..3)
        .map(|i| {
            let p = dir.path().join(format!("d{i}.bin"));
            std::fs::write(&p, vec![i as u8; 10 * 1024]).unwrap();
            p
        })
        .collect();
    let out = dir.path().join("out");
    let (code, stdout, stderr) = sign("cades", &inputs, &["--out-dir", arg(&out)]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("3 signed, 0 failed"), "{stdout}");
    assert_eq!(names(&out), ["d0.bin.p7s", "d1.bin.p7s", "d2.bin.p7s"]);
    // Several documents without --out-dir: a usage error, nothing written.
    let o = dir.path().join("x.p7s");
    let (code, _, stderr) = sign("cades", &inputs, &["-o", arg(&o)]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("--out-dir"), "{stderr}");
    assert!(!o.exists());
    // One document with -o: as before.
    let (code, _, stderr) = sign("cades", &inputs[..1], &["-o", arg(&o)]);
    assert_eq!(code, 0, "{stderr}");
    assert!(o.exists());
}

#[test]
fn refuses_outputs_that_collide_or_replace_their_input() {
    let dir = tempdir();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    std::fs::create_dir_all(&a).unwrap();
    std::fs::create_dir_all(&b).unwrap();
    let pdf = tv_bytes("docs/sample-2pages.pdf");
    std::fs::write(a.join("x.pdf"), &pdf).unwrap();
    std::fs::write(b.join("x.pdf"), &pdf).unwrap();
    let out = dir.path().join("out");
    let (code, _, stderr) = sign(
        "pades",
        &[a.join("x.pdf"), b.join("x.pdf")],
        &["--out-dir", arg(&out)],
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("two inputs"), "{stderr}");
    // PAdES keeps the file name: signing into the inputs' own directory would replace them.
    let (code, _, stderr) = sign("pades", &[a.join("x.pdf")], &["--out-dir", arg(&a)]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("overwrite its input"), "{stderr}");
    assert_eq!(std::fs::read(a.join("x.pdf")).unwrap(), pdf);
    // The same file under another name (a hard link in another directory) is still the input.
    std::fs::hard_link(a.join("x.pdf"), out.join("x.pdf")).unwrap();
    let (code, _, stderr) = sign("pades", &[a.join("x.pdf")], &["--out-dir", arg(&out)]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("overwrite its input"), "{stderr}");
    // CAdES: `d` and `d.p7s` signed together: the first output is the second input.
    std::fs::write(b.join("d"), b"data").unwrap();
    std::fs::write(b.join("d.p7s"), b"more data").unwrap();
    let (code, _, stderr) = sign(
        "cades",
        &[b.join("d"), b.join("d.p7s")],
        &["--out-dir", arg(&b)],
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("would overwrite an input"), "{stderr}");
    assert_eq!(std::fs::read(b.join("d.p7s")).unwrap(), b"more data");
}

#[test]
fn pades_batch_signs_good_pdfs_and_fails_the_broken_one() {
    let dir = tempdir();
    let pdf = tv_bytes("docs/sample-2pages.pdf");
    let mut inputs = Vec::new();
    for name in ["first.pdf", "broken.pdf", "third.pdf"] {
        let p = dir.path().join(name);
        let bytes = if name == "broken.pdf" {
            b"%PDF-1.7\nnot really a PDF\n".to_vec()
        } else {
            pdf.clone()
        };
        std::fs::write(&p, bytes).unwrap();
        inputs.push(p);
    }
    let out = dir.path().join("out");
    let (code, stdout, stderr) = sign(
        "pades",
        &inputs,
        &["--out-dir", arg(&out), "--threads", "2"],
    );
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stderr.contains("broken.pdf"), "{stderr}");
    assert!(stdout.contains("2 signed, 1 failed"), "{stdout}");
    assert_eq!(names(&out), ["first.pdf", "third.pdf"]);
    for name in ["first.pdf", "third.pdf"] {
        let signed = out.join(name);
        assert!(std::fs::read(&signed).unwrap().starts_with(&pdf));
        let (code, stdout, stderr) = sigform(&[
            "verify",
            arg(&signed),
            "--trust",
            arg(&tv("pki/root-ca.pem")),
        ]);
        assert_eq!(code, 0, "{stdout}{stderr}");
        if let Some(report) = pdfsig_trusting(&signed) {
            assert!(report.contains("Signature is Valid"), "{report}");
        }
    }
}
