//! The TSA setting: with `Config::tsa` (here the openssl-ts TSA over HTTP, as `--tsa URL` sets
//! it) the digital and the server signatures are CAdES B-T, their signature timestamps verified
//! in the follow report, and every PAdES signature (digital, the electronic seal, the server's)
//! is PAdES B-T; with an unreachable TSA, finish answers 502 `timestamp_failed` and
//! nothing is written.

mod common;
mod support;

use axum::http::StatusCode;
use common::*;
use support::tsa::HttpTsa;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signatures_are_timestamped_when_a_tsa_is_configured() {
    let Some((tsa, app, id, done, _dir)) = sign_all_with_a_tsa("CAdES").await else {
        return;
    };
    let signatures = done["report"]["signatures"]["signatures"]
        .as_array()
        .expect("signatures");
    assert_eq!(signatures.len(), 2, "João and the server");
    for s in signatures {
        assert_eq!(s["level"], "B-T", "{s}");
        assert_eq!(s["indication"], "TOTAL_PASSED", "{s}");
    }
    assert_eq!(tsa.served(), 2, "one token per signature");
    let (s, _, zip) = app.package(&id, "").await;
    assert_eq!(s, StatusCode::OK);
    let report = verify_package(&zip);
    assert_eq!(report.status, sigform::package::PackageStatus::FullySigned);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pades_signatures_are_timestamped_when_a_tsa_is_configured() {
    let Some((tsa, app, id, _, _dir)) = sign_all_with_a_tsa("PAdES").await else {
        return;
    };
    let (_, _, pdf) = app.package(&id, "").await;
    let options = sigform::VerifyOptions {
        trust: Some(sigform::x509::TrustStore::from_path(vector("pki/root-ca.pem")).expect("root")),
        ..sigform::VerifyOptions::default()
    };
    let report =
        sigform::pades::verify_pdf(std::io::Cursor::new(&pdf), &options).expect("verify pdf");
    assert_eq!(report.signatures.len(), 3, "{report}");
    for s in &report.signatures {
        assert_eq!(
            s.level,
            Some(sigform::report::Level::BT),
            "{}: {report}",
            s.id
        );
        assert!(s.timestamp_time.is_some(), "{report}");
    }
    assert!(report.valid, "{report}");
    assert_eq!(tsa.served(), 3, "one token per signature");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_tsa_refuses_the_signature_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let closed = support::http::free_port();
    let mut config = common::config(dir.path(), true);
    config
        .set_tsa_url(&format!("http://127.0.0.1:{closed}/"))
        .expect("tsa url");
    let app = App::start_with(config).await;
    let upload = app.upload(sample_pdf()).await;
    let doc = app.create_three(&upload, "CAdES").await;
    let id = doc["id"].as_str().expect("id").to_string();
    let (s, v) = app.sign_digital(&key_of(&doc, "digital")).await;
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::BAD_GATEWAY, "timestamp_failed"),
        "{v}"
    );
    let after = app.document(&id).await;
    assert_eq!(after["status"], "pending", "{after}");
    assert_eq!(after["participants"][0]["status"], "pending", "{after}");
    let (s, v) = app.api("GET", &format!("/api/packages/{id}"), None).await;
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::CONFLICT, "not_signed_yet")
    );
    assert!(
        config_url_rejected(),
        "a TSA URL that is not http(s) is refused"
    );
    app.stop().await;
}

/// A portal with the test TSA, and a document in `format` whose three participants (digital,
/// electronic, server) have signed: the TSA, the portal, the document id, its follow answer and
/// the portal's data directory. `None` (after a notice) without openssl.
async fn sign_all_with_a_tsa(
    format: &str,
) -> Option<(HttpTsa, App, String, serde_json::Value, tempfile::TempDir)> {
    let tsa = HttpTsa::start()?;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = common::config(dir.path(), true);
    config.set_tsa_url(&tsa.url).expect("tsa url");
    let app = App::start_with(config).await;
    let upload = app.upload(sample_pdf()).await;
    let doc = app.create_three(&upload, format).await;
    let id = doc["id"].as_str().expect("id").to_string();
    let (s, v) = app.sign_digital(&key_of(&doc, "digital")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let sha = doc["sha256"].as_str().expect("sha");
    let (s, v) = app.sign_electronic(&key_of(&doc, "electronic"), sha).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let done = app.wait_signed(&id).await;
    assert_eq!(done["verdict"], "FULLY SIGNED (3 of 3)", "{done}");
    Some((tsa, app, id, done, dir))
}

fn config_url_rejected() -> bool {
    let dir = std::env::temp_dir();
    let mut config = common::config(&dir, false);
    matches!(
        config.set_tsa_url("ftp://tsa.example"),
        Err(sigform_portal::config::ConfigError::Tsa { .. })
    )
}
