//! Every bad input gets a 4xx JSON error with a stable code, and nothing is half-written.

mod common;

use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use common::*;
use serde_json::{Value, json};

async fn documents_count(app: &App) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM documents")
        .fetch_one(&app.portal.db)
        .await
        .expect("count")
}

async fn refused(app: &App, body: Value, status: StatusCode, code: &str) {
    let before = documents_count(app).await;
    let (s, v) = app.api("POST", "/api/documents", Some(body)).await;
    assert_eq!((s, error_code(&v)), (status, code), "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty())
    );
    assert_eq!(
        documents_count(app).await,
        before,
        "nothing written for {code}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_refuses_bad_requests() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = App::start(dir.path(), false).await;
    let pdf = app.upload(sample_pdf()).await;
    let text = app.upload(b"just some text\n".to_vec()).await;
    let bad = StatusCode::BAD_REQUEST;

    // Malformed JSON, and JSON of the wrong shape.
    let (s, _, b) = app
        .call(
            "POST",
            "/api/documents",
            Some(TOKEN),
            b"{\"name\":".to_vec(),
            "application/json",
        )
        .await;
    let v: Value = serde_json::from_slice(&b).expect("json error");
    assert_eq!((s, error_code(&v)), (bad, "malformed_json"));
    refused(
        &app,
        json!({"name": "x.pdf", "uploadId": pdf, "colour": 1}),
        bad,
        "malformed_json",
    )
    .await;

    let base = three_steps(&pdf, "CAdES");
    let with = |path: &[&str], value: Value| {
        let mut b = base.clone();
        let mut at = &mut b;
        for k in &path[..path.len() - 1] {
            at = if let Ok(i) = k.parse::<usize>() {
                &mut at[i]
            } else {
                &mut at[*k]
            };
        }
        at[path[path.len() - 1]] = value;
        b
    };
    refused(
        &app,
        with(&["uploadId"], json!("0000")),
        bad,
        "unknown_upload",
    )
    .await;
    refused(&app, three_steps(&text, "PAdES"), bad, "not_a_pdf").await;
    refused(&app, with(&["format"], json!("XAdES")), bad, "bad_format").await;
    refused(
        &app,
        with(
            &["signers", "0", "individualIdentificationCode"],
            json!("529.982.247-26"),
        ),
        bad,
        "bad_cpf",
    )
    .await;
    refused(
        &app,
        with(
            &["serverSigners", "0", "companyIdentificationCode"],
            json!("11.222.333/0001-82"),
        ),
        bad,
        "bad_cnpj",
    )
    .await;
    refused(
        &app,
        with(
            &["electronicSigners", "0", "individualIdentificationCode"],
            json!("529.982.247-25"),
        ),
        bad,
        "duplicate_participant",
    )
    .await;
    refused(
        &app,
        with(&["serverSigners", "0", "step"], json!(4)),
        bad,
        "step_gap",
    )
    .await;
    refused(
        &app,
        with(&["signers", "0", "step"], json!(0)),
        bad,
        "bad_step",
    )
    .await;
    refused(
        &app,
        with(&["serverSigners", "0", "certificateId"], json!(72)),
        bad,
        "unknown_certificate",
    )
    .await;
    refused(
        &app,
        with(&["name"], json!("../etc/passwd")),
        bad,
        "bad_name",
    )
    .await;
    refused(
        &app,
        json!({"name": "a.pdf", "uploadId": pdf, "signers": [], "electronicSigners": null}),
        bad,
        "no_participants",
    )
    .await;
    refused(
        &app,
        with(
            &["signers", "0", "individualIdentificationCode"],
            Value::Null,
        ),
        bad,
        "missing_identification",
    )
    .await;

    // No token, wrong token.
    let (s, _, b) = app
        .call(
            "POST",
            "/api/documents",
            None,
            base.to_string().into_bytes(),
            "application/json",
        )
        .await;
    let v: Value = serde_json::from_slice(&b).expect("json");
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::UNAUTHORIZED, "unauthorized")
    );
    let (s, _, _) = app
        .call(
            "GET",
            "/api/documents/x",
            Some("test-token-0123456788"),
            vec![],
            "",
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, v) = app.api("GET", "/api/documents/nope", None).await;
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::NOT_FOUND, "unknown_document")
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_are_bounded_and_sniffed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = config(dir.path(), false);
    config.max_upload = 1024;
    let (router, portal, _) = sigform_portal::start(config).await.expect("start");
    let app = App {
        router,
        portal,
        worker: None,
    };
    let (s, _, b) = app
        .call(
            "POST",
            "/api/uploads",
            Some(TOKEN),
            vec![b'x'; 2048],
            "application/octet-stream",
        )
        .await;
    let v: Value = serde_json::from_slice(&b).expect("json");
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::PAYLOAD_TOO_LARGE, "upload_too_large")
    );
    let (s, _, b) = app
        .call(
            "POST",
            "/api/uploads",
            Some(TOKEN),
            vec![],
            "application/octet-stream",
        )
        .await;
    let v: Value = serde_json::from_slice(&b).expect("json");
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::BAD_REQUEST, "empty_upload")
    );
    let (s, _, b) = app
        .call(
            "POST",
            "/api/uploads",
            Some(TOKEN),
            b"%PDF-1.7\n%%EOF\n".to_vec(),
            "text/plain",
        )
        .await;
    let v: Value = serde_json::from_slice(&b).expect("json");
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(v["mediaType"], "application/pdf");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_refuses_wrong_turns_values_and_certificates() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = App::start(dir.path(), false).await;
    let upload = app.upload(sample_pdf()).await;
    let doc = app.create_three(&upload, "CAdES").await;
    let (digital, electronic) = (key_of(&doc, "digital"), key_of(&doc, "electronic"));
    let sha = doc["sha256"].as_str().expect("sha").to_string();

    // Wrong step: Maria before João.
    let (s, v) = app.sign_electronic(&electronic, &sha).await;
    assert_eq!((s, error_code(&v)), (StatusCode::CONFLICT, "step_not_open"));
    // Wrong kind of signature for the key.
    let (s, v) = app.sign_electronic(&digital, &sha).await;
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::CONFLICT, "wrong_signature_kind")
    );
    // Unknown key.
    let (s, v) = app
        .sign_call("/sign/abc/prepare", json!({"certificates": []}))
        .await;
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::NOT_FOUND, "unknown_participant")
    );
    // Finish before prepare.
    let (s, v) = app
        .sign_call(
            &format!("/sign/{digital}/finish"),
            json!({"signature": "AAAA"}),
        )
        .await;
    assert_eq!((s, error_code(&v)), (StatusCode::CONFLICT, "not_prepared"));
    // Garbage certificate.
    let (s, v) = app
        .sign_call(
            &format!("/sign/{digital}/prepare"),
            json!({"certificates": ["AAAA"]}),
        )
        .await;
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::BAD_REQUEST, "bad_certificate"),
        "{v}"
    );
    // A certificate with another CPF.
    let other = std::fs::read_to_string(vector("pki/icp-pf-badcpf.pem")).expect("badcpf");
    let inter = std::fs::read_to_string(vector("pki/intermediate-ca.pem")).expect("inter");
    let (s, v) = app
        .sign_call(
            &format!("/sign/{digital}/prepare"),
            json!({"certificateChain": format!("{other}{inter}")}),
        )
        .await;
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::UNPROCESSABLE_ENTITY, "cpf_mismatch"),
        "{v}"
    );
    // A certificate that does not chain to the trust anchors.
    let foreign = std::fs::read_to_string(vector("pki/other-signer-rsa2048.pem")).expect("other");
    let (s, v) = app
        .sign_call(
            &format!("/sign/{digital}/prepare"),
            json!({"certificateChain": foreign}),
        )
        .await;
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::UNPROCESSABLE_ENTITY, "untrusted_certificate"),
        "{v}"
    );
    // A signature value that does not verify.
    let certs = joao_certificates();
    let (s, v) = app
        .sign_call(
            &format!("/sign/{digital}/prepare"),
            json!({"certificates": certs}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = app
        .sign_call(
            &format!("/sign/{digital}/finish"),
            json!({"signature": B64.encode([7u8; 256])}),
        )
        .await;
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::UNPROCESSABLE_ENTITY, "signature_invalid")
    );
    let (s, v) = app
        .sign_call(
            &format!("/sign/{digital}/finish"),
            json!({"signature": "not base64!"}),
        )
        .await;
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::BAD_REQUEST, "bad_signature_encoding")
    );
    assert_eq!(
        app.document(doc["id"].as_str().expect("id")).await["status"],
        "pending"
    );
    // Then the right one; Maria with a stale hash and a non-PNG graphism.
    let (s, v) = app.sign_digital(&digital).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = app.sign_electronic(&electronic, &"0".repeat(64)).await;
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::CONFLICT, "document_mismatch")
    );
    let (s, v) = app
        .sign_call(
            &format!("/sign/{electronic}/electronic"),
            json!({"graphism": B64.encode(b"GIF89a"), "documentSha256": sha}),
        )
        .await;
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::BAD_REQUEST, "bad_graphism")
    );
    app.stop().await;
}
