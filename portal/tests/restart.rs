//! Restart survival: the app is dropped (worker stopped, database closed) between prepare and
//! finish and while a server signature is queued; a new app on the same data directory and
//! SQLite file continues the flow; no signature is lost or applied twice.

mod common;

use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use common::*;
use serde_json::json;
use sigform::package::PackageStatus;
use sigform::signer::Signer;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flow_survives_restarts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = App::start(dir.path(), false).await;
    let upload = app.upload(sample_pdf()).await;
    let doc = app.create_three(&upload, "CAdES").await;
    let id = doc["id"].as_str().expect("id").to_string();
    let digital = key_of(&doc, "digital");
    let signer = joao();
    let certs = joao_certificates();
    let (s, prepared) = app
        .sign_call(
            &format!("/sign/{digital}/prepare"),
            json!({ "certificates": certs }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{prepared}");
    app.stop().await;

    // Restart 1: finish with the value of the prepare answered before the restart.
    let app = App::start(dir.path(), false).await;
    let tbs = B64
        .decode(prepared["toBeSigned"].as_str().expect("tbs"))
        .expect("b64");
    let value = signer.sign(&tbs).expect("sign");
    let (s, v) = app
        .sign_call(
            &format!("/sign/{digital}/finish"),
            json!({ "signature": B64.encode(&value) }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = app
        .sign_call(
            &format!("/sign/{digital}/finish"),
            json!({ "signature": B64.encode(&value) }),
        )
        .await;
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::CONFLICT, "already_signed")
    );
    let (s, v) = app
        .sign_electronic(
            &key_of(&doc, "electronic"),
            doc["sha256"].as_str().expect("sha"),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // The server signature is queued, but this instance has no worker.
    let queued: (String, i64) =
        sqlx::query_as("SELECT state, attempts FROM jobs WHERE document_id = ?")
            .bind(&id)
            .fetch_one(&app.portal.db)
            .await
            .expect("job");
    assert_eq!(queued, ("pending".to_string(), 0));
    // A job claimed by a worker that then died: its lease holds it until it runs out.
    let claimed = sigform_portal::queue::claim(&app.portal)
        .await
        .expect("claim");
    assert_eq!(claimed.as_deref(), Some(key_of(&doc, "server").as_str()));
    assert_eq!(
        sigform_portal::queue::claim(&app.portal)
            .await
            .expect("claim"),
        None
    );
    sqlx::query("UPDATE jobs SET claimed_until = 0")
        .execute(&app.portal.db)
        .await
        .expect("expire lease");
    app.stop().await;

    // Restart 2, with the worker: it takes the job over and the document completes.
    let app = App::start(dir.path(), true).await;
    let done = app.wait_signed(&id).await;
    assert_eq!(done["verdict"], "FULLY SIGNED (3 of 3)");
    let (_, _, zip) = app.package(&id, "").await;
    let report = verify_package(&zip);
    assert_eq!(report.status, PackageStatus::FullySigned);
    assert_eq!(
        report.signatures.signatures.len(),
        2,
        "João and the server, once each"
    );
    // Running the finished job again signs nothing twice.
    sqlx::query("UPDATE jobs SET state = 'pending'")
        .execute(&app.portal.db)
        .await
        .expect("requeue");
    sigform_portal::queue::drain(&app.portal)
        .await
        .expect("drain");
    let (_, _, zip) = app.package(&id, "").await;
    assert_eq!(verify_package(&zip).signatures.signatures.len(), 2);
    app.stop().await;
}
