//! The seed's whole flow through the HTTP API, in-process: upload, create with a digital, an
//! electronic and a server signer in steps 1-2-3, sign each, follow, download every
//! IncludeOriginal / IncludeManifest / Zipped combination, verify with sigform.

mod common;
mod support;

use axum::http::StatusCode;
use common::*;
use sigform::package::{Container, PackageStatus};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cades_flow_three_steps() {
    let dir = tempfile::tempdir().expect("tempdir");
    cades_flow(App::start(dir.path(), true).await).await;
}

/// The same flow on PostgreSQL (the same migrations and queries).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cades_flow_three_steps_on_postgresql() {
    let Some(pg) = support::postgres::Postgres::start() else {
        return;
    };
    let url = pg.database("flow");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = common::config(dir.path(), true);
    config.database_url = url;
    cades_flow(App::start_with(config).await).await;
    drop(pg);
}

async fn cades_flow(app: App) {
    let upload = app.upload(sample_pdf()).await;
    let doc = app.create_three(&upload, "CAdES").await;
    let id = doc["id"].as_str().expect("id").to_string();
    assert_eq!(doc["status"], "pending");
    assert_eq!(doc["participants"].as_array().map(Vec::len), Some(3));
    let link = doc["participants"][0]["signingLink"]
        .as_str()
        .expect("link");
    assert!(link.starts_with("http://portal.test/sign/") && link.len() > 24 + 60);

    // Nothing signed yet: no package.
    let (s, v) = app.api("GET", &format!("/api/packages/{id}"), None).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(error_code(&v), "not_signed_yet");

    // Step 1: João, two-step, signed in the test with the demo key.
    let (s, v) = app.sign_digital(&key_of(&doc, "digital")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let after1 = app.document(&id).await;
    assert_eq!(after1["status"], "partly-signed");
    assert_eq!(after1["verdict"], "PARTLY SIGNED (1 of 3)");
    assert_eq!(after1["openStep"], 2);
    let (s, _, partial) = app.package(&id, "").await;
    assert_eq!(s, StatusCode::OK);
    let report = verify_package(&partial);
    assert_eq!(report.status, PackageStatus::PartlySigned);
    assert_eq!((report.signed, report.total), (1, 3));

    // Step 2: Maria, graphism and evidence; then the worker signs step 3.
    let sha = doc["sha256"].as_str().expect("sha");
    let (s, v) = app.sign_electronic(&key_of(&doc, "electronic"), sha).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let done = app.wait_signed(&id).await;
    assert_eq!(done["verdict"], "FULLY SIGNED (3 of 3)");
    assert_eq!(done["report"]["status"], "fully-signed");

    // Every download combination verifies FULLY SIGNED.
    for original in [true, false] {
        for manifest in [true, false] {
            for zipped in [true, false] {
                let uri = format!(
                    "/api/packages/{id}?includeOriginal={original}&includeManifest={manifest}&zipped={zipped}"
                );
                let (s, h, bytes) = app.call("GET", &uri, Some(TOKEN), vec![], "").await;
                assert_eq!(s, StatusCode::OK, "{uri}");
                assert_eq!(
                    h.get("x-sigform-status").and_then(|v| v.to_str().ok()),
                    Some("FULLY SIGNED (3 of 3)")
                );
                let report = verify_package(&bytes);
                assert_eq!(report.status, PackageStatus::FullySigned, "{uri}: {report}");
                assert_eq!(
                    report.container,
                    if zipped {
                        Container::Zip
                    } else {
                        Container::Json
                    }
                );
                let pkg = sigform::package::read(&bytes, &Default::default()).expect("read");
                assert_eq!(pkg.get("contrato.pdf").is_some(), original, "{uri}");
                assert_eq!(pkg.get("manifest.pdf").is_some(), manifest, "{uri}");
                let electronic = report
                    .participants
                    .iter()
                    .find(|p| p.name == "Maria da Conceição")
                    .expect("maria");
                assert!(electronic.verified, "{uri}");
            }
        }
    }
    // The evidence the server saw is in the manifest.
    let (_, _, json) = app.package(&id, "zipped=false").await;
    let pkg = sigform::package::read(&json, &Default::default()).expect("read");
    let manifest =
        String::from_utf8_lossy(&pkg.get("manifest.json").expect("manifest").data).into_owned();
    assert!(manifest.contains("203.0.113.9") && manifest.contains("portal-test/1.0"));

    // A second attempt by anyone is refused.
    let (s, v) = app.sign_digital(&key_of(&doc, "digital")).await;
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::CONFLICT, "already_signed")
    );
    let (s, v) = app.sign_electronic(&key_of(&doc, "electronic"), sha).await;
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::CONFLICT, "already_signed")
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pades_flow_three_steps() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = App::start(dir.path(), true).await;
    let upload = app.upload(sample_pdf()).await;
    let doc = app.create_three(&upload, "PAdES").await;
    let id = doc["id"].as_str().expect("id").to_string();
    let (s, v) = app.sign_digital(&key_of(&doc, "digital")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, h, pdf1) = app.package(&id, "").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        h.get("content-type").and_then(|v| v.to_str().ok()),
        Some("application/pdf")
    );
    assert_eq!(
        h.get("x-sigform-status").and_then(|v| v.to_str().ok()),
        Some("PARTLY SIGNED (1 of 3)")
    );
    assert!(pdf1.starts_with(b"%PDF-"));
    let sha = doc["sha256"].as_str().expect("sha");
    let (s, v) = app.sign_electronic(&key_of(&doc, "electronic"), sha).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let done = app.wait_signed(&id).await;
    assert_eq!(done["verdict"], "FULLY SIGNED (3 of 3)", "{done}");
    let (_, _, pdf) = app.package(&id, "").await;
    let options = sigform::VerifyOptions {
        trust: Some(sigform::x509::TrustStore::from_path(vector("pki/root-ca.pem")).expect("root")),
        ..sigform::VerifyOptions::default()
    };
    let report =
        sigform::pades::verify_pdf(std::io::Cursor::new(&pdf), &options).expect("verify pdf");
    assert_eq!(report.signatures.len(), 3);
    assert!(report.valid, "{report:?}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_page_shows_the_document_and_the_means() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = App::start(dir.path(), false).await;
    let upload = app.upload(sample_pdf()).await;
    let doc = app.create_three(&upload, "CAdES").await;
    let sha = doc["sha256"].as_str().expect("sha");
    let (s, _, page) = app
        .call(
            "GET",
            &format!("/sign/{}", key_of(&doc, "digital")),
            None,
            vec![],
            "",
        )
        .await;
    let page = String::from_utf8_lossy(&page);
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains(sha) && page.contains("crypto.subtle.sign") && page.contains("contrato.pdf")
    );
    let (_, _, page) = app
        .call(
            "GET",
            &format!("/sign/{}", key_of(&doc, "electronic")),
            None,
            vec![],
            "",
        )
        .await;
    let page = String::from_utf8_lossy(&page);
    assert!(page.contains("step 1 is not complete yet"), "{page}");
    let (s, h, body) = app
        .call(
            "GET",
            &format!("/sign/{}/document", key_of(&doc, "digital")),
            None,
            vec![],
            "",
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body, sample_pdf());
    assert_eq!(
        h.get("content-type").and_then(|v| v.to_str().ok()),
        Some("application/pdf")
    );
    app.stop().await;
}
