//! `sigform demo`, `sigform package build` and `sigform package verify`: exit status and output.

mod common;
use common::*;
use std::path::{Path, PathBuf};

#[test]
fn demo_then_verify_by_hand() {
    let dir = tempdir();
    let demo = dir.path().join("demo");
    let (code, out, err) = sigform(&["demo", arg(&demo)]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("demo: every check passed"), "{out}");
    assert!(out.contains("PARTLY SIGNED (2 of 3)"), "{out}");
    let root = demo.join("root.pem");
    for name in [
        "contrato-cades.zip",
        "contrato-cades.json",
        "contrato-pades.zip",
        "contrato-pades.json",
    ] {
        let (code, out, err) = sigform(&[
            "package",
            "verify",
            arg(&demo.join(name)),
            "--trust",
            arg(&root),
        ]);
        assert_eq!(code, 0, "{name}: {out}\n{err}");
        assert!(out.contains("FULLY SIGNED (3 of 3)"), "{out}");
        assert!(out.contains("Maria da Conceição"), "{out}");
    }
    let partial = demo.join("contrato-cades-partial.zip");
    let (code, out, _) = sigform(&["package", "verify", arg(&partial), "--trust", arg(&root)]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("PARTLY SIGNED (2 of 3)"), "{out}");
    let (code, out, _) = sigform(&[
        "package",
        "verify",
        arg(&partial),
        "--trust",
        arg(&root),
        "--allow-partial",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["status"], "partly-signed");
    assert_eq!(v["signed"], 2);
    // Without trust anchors: not valid.
    let (code, _, err) = sigform(&["package", "verify", arg(&demo.join("contrato-cades.zip"))]);
    assert_eq!(code, 1);
    assert!(err.contains("no --trust"), "{err}");
    // A tampered copy: refused, exit 1; a missing file: exit 2.
    let mut bytes = std::fs::read(demo.join("contrato-cades.json")).unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap();
    bytes = text.replacen("\"size\": ", "\"size\": 1", 1).into_bytes();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, bytes).unwrap();
    let (code, out, _) = sigform(&["package", "verify", arg(&bad), "--trust", arg(&root)]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("REFUSED"), "{out}");
    let (code, _, _) = sigform(&["package", "verify", arg(&dir.path().join("nope.zip"))]);
    assert_eq!(code, 2);
    // Extraction after verification, into a fresh directory.
    let target = dir.path().join("extracted");
    let (code, out, err) = sigform(&[
        "package",
        "verify",
        arg(&demo.join("contrato-pades.zip")),
        "--trust",
        arg(&root),
        "--extract",
        arg(&target),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(target.join("contrato-signed.pdf").exists());
    assert!(target.join("manifest.json").exists());
}

#[test]
fn build_from_a_plan_file() {
    let dir = tempdir();
    let d = dir.path();
    let doc = tv("docs/sample.txt");
    let p7s = d.join("sample.txt.p7s");
    let pki = |n: &str| tv(&format!("pki/{n}"));
    let (code, out, err) = sigform(&[
        "sign",
        "cades",
        arg(&doc),
        "-o",
        arg(&p7s),
        "--key",
        arg(&pki("icp-pf.key.pem")),
        "--cert",
        arg(&pki("icp-pf.pem")),
        "--chain",
        arg(&pki("intermediate-ca.pem")),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let png = d.join("maria.png");
    std::fs::write(&png, sigform::package::demo::sample_graphism().unwrap()).unwrap();
    let plan = d.join("plan.json");
    std::fs::write(
        &plan,
        r#"{"participants": [
  {"step": 1, "kind": "digital", "name": "João da Silva", "cpf": "52998224725"},
  {"step": 2, "kind": "electronic", "name": "Maria da Conceição", "email": "maria@example.com",
   "evidence": {"time": "2025-06-01T12:00:00Z", "ip_address": "203.0.113.7",
                "user_agent": "test", "email": "maria@example.com", "graphism": "maria.png"}},
  {"step": 3, "kind": "server", "name": "EMPRESA EXEMPLO LTDA", "cnpj": "11222333000181"}
]}"#,
    )
    .unwrap();
    let seal = [
        pki("icp-pj.key.pem"),
        pki("icp-pj.pem"),
        pki("intermediate-ca.pem"),
    ];
    let mut outputs = Vec::new();
    for json in [false, true] {
        let out_path = d.join(if json { "pkg.json" } else { "pkg.zip" });
        let mut args = build_args(&doc, &p7s, &plan, &seal, &out_path);
        if json {
            args.push("--json");
        }
        let (code, out, err) = sigform(&args);
        assert_eq!(code, 0, "{out}{err}");
        let (code, out, err) = sigform(&[
            "package",
            "verify",
            arg(&out_path),
            "--trust",
            arg(&pki("root-ca.pem")),
            "--allow-partial",
        ]);
        assert_eq!(code, 0, "{out}{err}");
        assert!(out.contains("PARTLY SIGNED (2 of 3)"), "{out}");
        outputs.push(std::fs::read(&out_path).unwrap());
    }
    // Same input and time: same bytes.
    let again = d.join("again.zip");
    let (code, _, err) = sigform(&build_args(&doc, &p7s, &plan, &seal, &again));
    assert_eq!(code, 0, "{err}");
    assert_eq!(std::fs::read(&again).unwrap(), outputs[0]);
}

/// `package build` of `doc` signed by `p7s` (CAdES detached) with `plan`, sealed by `seal`
/// (key, certificate, chain), at a fixed time, into `out`.
fn build_args<'a>(
    doc: &'a Path,
    p7s: &'a Path,
    plan: &'a Path,
    seal: &'a [PathBuf; 3],
    out: &'a Path,
) -> Vec<&'a str> {
    vec![
        "package",
        "build",
        "--document",
        arg(doc),
        "--signature",
        arg(p7s),
        "--format",
        "cades-detached",
        "--plan",
        arg(plan),
        "--time",
        "2025-06-02T00:00:00Z",
        "--seal-key",
        arg(&seal[0]),
        "--seal-cert",
        arg(&seal[1]),
        "--seal-chain",
        arg(&seal[2]),
        "-o",
        arg(out),
    ]
}

/// `sigform verify` is the one entry point: a package (zip or JSON) gets the package
/// verification, with the same report and exit status as `sigform package verify`; the library's
/// `verify_file` names the package verifier instead of misreading a package as a CMS.
#[test]
fn verify_dispatches_packages() {
    let root = tv("signed/demo-root.pem");
    for (name, code) in [
        ("package-contrato-cades.zip", 0),
        ("package-contrato-pades.json", 0),
        ("package-contrato-cades-partial.zip", 1),
    ] {
        let file = tv(&format!("signed/{name}"));
        // One validation time for both runs, so that their reports can be compared whole.
        let direct = sigform(&[
            "verify",
            arg(&file),
            "--trust",
            arg(&root),
            "--at",
            "2026-06-01T00:00:00Z",
            "--format",
            "json",
        ]);
        let package = sigform(&[
            "package",
            "verify",
            arg(&file),
            "--trust",
            arg(&root),
            "--at",
            "2026-06-01T00:00:00Z",
            "--format",
            "json",
        ]);
        assert_eq!(direct.0, code, "{name}: {direct:?}");
        assert_eq!((direct.0, &direct.1), (package.0, &package.1), "{name}");
    }
    let err = sigform::verify_file(
        tv("signed/package-contrato-cades.zip"),
        None,
        &sigform::VerifyOptions::default(),
    )
    .expect_err("a package is not a CMS");
    assert!(err.to_string().contains("signature package"), "{err}");
}
