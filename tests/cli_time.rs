//! `sigform verify --at` and `sigform cert verify --at` accept the same time forms (one RFC 3339
//! parser, `sigform::time::parse_rfc3339`) and mean the same instant by them.

use std::process::Command;

fn vector(path: &str) -> String {
    format!("{}/test-vectors/{path}", env!("CARGO_MANIFEST_DIR"))
}

/// Exit status and the first signature's `trust.validation_time` of a JSON report.
fn run(args: &[String]) -> (i32, Option<String>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sigform"))
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let time = serde_json::from_str::<serde_json::Value>(&stdout)
        .ok()
        .and_then(|v| {
            v["signatures"][0]["trust"]["validation_time"]
                .as_str()
                .map(String::from)
        });
    (
        out.status.code().unwrap_or(-1),
        time,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn verify(at: &str) -> (i32, Option<String>, String) {
    run(&[
        "verify".into(),
        vector("signed/cades-attached-p256.p7s"),
        "--trust".into(),
        vector("pki/root-ca.pem"),
        "--at".into(),
        at.into(),
        "--format".into(),
        "json".into(),
    ])
}

fn cert_verify(at: &str) -> (i32, Option<String>, String) {
    run(&[
        "cert".into(),
        "verify".into(),
        vector("pki/icp-pj.pem"),
        "--trust".into(),
        vector("pki/root-ca.pem"),
        "--untrusted".into(),
        vector("pki/intermediate-ca.pem"),
        "--at".into(),
        at.into(),
        "--format".into(),
        "json".into(),
    ])
}

#[test]
fn both_commands_accept_the_same_forms() {
    for at in [
        "2026-06-01",
        "2026-06-01T00:00:00Z",
        "2026-06-01t00:00:00z",
        "2026-06-01 00:00:00Z",
        "2026-06-01T00:00:00.250Z",
        "2026-06-01T02:00:00+02:00",
        "2026-05-31T21:00:00-03:00",
    ] {
        for (name, (code, time, err)) in [("verify", verify(at)), ("cert verify", cert_verify(at))]
        {
            assert_eq!(code, 0, "{name} --at {at}: {err}");
            assert_eq!(
                time.as_deref(),
                Some("2026-06-01T00:00:00Z"),
                "{name} --at {at}"
            );
        }
    }
}

#[test]
fn both_commands_refuse_the_same_forms() {
    for at in [
        "2026-06-01T00:00:00",
        "2026-06-01T00:00:00.Z",
        "2026-06-01T00:00:00+0200",
        "2026-13-01",
        "01/06/2026",
        "now",
    ] {
        let (code, _, err) = verify(at);
        let (cert_code, _, cert_err) = cert_verify(at);
        assert!(code != 0 && code != 1, "verify --at {at}: {code} {err}");
        assert!(
            cert_code != 0 && cert_code != 1,
            "cert verify --at {at}: {cert_code} {cert_err}"
        );
    }
}
