//! `sigform cert verify`: exit status and output.

mod common;
use common::{sigform, sigform_command};

fn pki(name: &str) -> String {
    format!("{}/test-vectors/pki/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn valid_chain_exits_0() {
    let (code, out, _) = sigform(&[
        "cert",
        "verify",
        &pki("icp-pj.pem"),
        "--trust",
        &pki("root-ca.pem"),
        "--untrusted",
        &pki("intermediate-ca.pem"),
        "--at",
        "2026-01-01T00:00:00Z",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains(": VALID"), "{out}");
    assert!(out.contains("CNPJ:       11222333000181 (valid)"), "{out}");
}

#[test]
fn revoked_exits_1_with_json() {
    let (code, out, _) = sigform(&[
        "cert",
        "verify",
        &pki("signer-revoked.pem"),
        "--trust",
        &pki("root-ca.pem"),
        "--untrusted",
        &pki("chain.pem"),
        "--crl",
        &pki("intermediate-ca.crl.pem"),
        "--at",
        "2026-01-01T00:00:00Z",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["valid"], false);
    assert_eq!(v["signatures"][0]["sub_indication"], "REVOKED_NO_POE");
    assert_eq!(v["signatures"][0]["revocation"]["status"], "revoked");
}

#[test]
fn untrusted_and_revocation_required_exit_1() {
    let (code, out, _) = sigform(&[
        "cert",
        "verify",
        &pki("other-signer-rsa2048.pem"),
        "--trust",
        &pki("root-ca.pem"),
    ]);
    assert_eq!(code, 1);
    assert!(out.contains("NO_CERTIFICATE_CHAIN_FOUND"), "{out}");
    let (code, out, _) = sigform(&[
        "cert",
        "verify",
        &pki("signer-rsa2048.pem"),
        "--trust",
        &pki("root-ca.pem"),
        "--untrusted",
        &pki("intermediate-ca.pem"),
        "--ocsp",
        &format!(
            "{}/test-vectors/ocsp/signer-rsa2048.good.ocsp.der",
            env!("CARGO_MANIFEST_DIR")
        ),
        "--require-revocation",
        "--at",
        "2026-01-01T00:00:00Z",
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("TRY_LATER"), "{out}");
}

#[test]
fn input_errors_exit_2() {
    let (code, _, err) = sigform(&[
        "cert",
        "verify",
        &pki("signer-rsa2048.pem"),
        "--trust",
        &pki("root-ca.pem"),
        "--at",
        "yesterday",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("RFC 3339"), "{err}");
    let (code, _, _) = sigform(&[
        "cert",
        "verify",
        &pki("missing.pem"),
        "--trust",
        &pki("root-ca.pem"),
    ]);
    assert_eq!(code, 2);
    let (code, _, _) = sigform(&[
        "cert",
        "verify",
        &pki("signer-rsa2048.pem"),
        "--trust",
        &pki("root-ca.pem"),
        "--crl",
        &pki("root-ca.pem"),
    ]);
    assert_eq!(code, 2);
    let (code, _, _) = sigform(&["cert", "verify", &pki("signer-rsa2048.pem")]);
    assert_eq!(code, 2);
}

/// `sigform … | head`: a reader that has gone away ends the process quietly (status 141, as
/// SIGPIPE would), never with a panic message.
#[test]
fn closed_stdout_is_not_a_panic() {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = sigform_command()
        .args([
            "cert",
            "verify",
            &pki("icp-pj.pem"),
            "--trust",
            &pki("root-ca.pem"),
        ])
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(141), "{stderr}");
}
