//! Helpers for the portal tests: a portal on a temporary directory, requests through the router
//! in-process, the demo signer.

#![allow(dead_code)]

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use sigform::signer::{Signer, SoftwareSigner};
use sigform_portal::{Config, Portal};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tower::ServiceExt;

pub const TOKEN: &str = "test-token-0123456789";

pub fn vector(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../test-vectors")
        .join(rel)
}

pub fn config(dir: &Path, worker: bool) -> Config {
    let url = format!("sqlite://{}", dir.join("portal.sqlite3").display());
    let mut c = Config::demo(dir.to_path_buf(), url, TOKEN.into()).expect("demo config");
    c.run_worker = worker;
    c.public_url = "http://portal.test".into();
    c
}

pub struct App {
    pub router: Router,
    pub portal: Arc<Portal>,
    pub worker: Option<tokio::task::JoinHandle<()>>,
}

impl App {
    pub async fn start(dir: &Path, worker: bool) -> Self {
        Self::start_with(config(dir, worker)).await
    }

    pub async fn start_with(config: Config) -> Self {
        let (router, portal, worker) = sigform_portal::start(config).await.expect("start");
        Self {
            router,
            portal,
            worker,
        }
    }

    /// Stops the worker and closes the database (as a process exit would).
    pub async fn stop(self) {
        if let Some(w) = self.worker {
            w.abort();
            let _ = w.await;
        }
        self.portal.db.close().await;
    }

    pub async fn call(
        &self,
        method: &str,
        uri: &str,
        token: Option<&str>,
        body: Vec<u8>,
        content_type: &str,
    ) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        let req = req
            .header("content-type", content_type)
            .header("user-agent", "portal-test/1.0")
            .header("x-forwarded-for", "203.0.113.9")
            .body(Body::from(body))
            .expect("request");
        let resp = self.router.clone().oneshot(req).await.expect("response");
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes()
            .to_vec();
        (status, headers, bytes)
    }

    /// JSON in, JSON out, with the token.
    pub async fn api(&self, method: &str, uri: &str, body: Option<Value>) -> (StatusCode, Value) {
        let body = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
        let (s, _, b) = self
            .call(method, uri, Some(TOKEN), body, "application/json")
            .await;
        (s, serde_json::from_slice(&b).unwrap_or(Value::Null))
    }

    /// A participant-key call (no token).
    pub async fn sign_call(&self, uri: &str, body: Value) -> (StatusCode, Value) {
        let (s, _, b) = self
            .call(
                "POST",
                uri,
                None,
                body.to_string().into_bytes(),
                "application/json",
            )
            .await;
        (s, serde_json::from_slice(&b).unwrap_or(Value::Null))
    }

    pub async fn upload(&self, data: Vec<u8>) -> String {
        let (s, _, b) = self
            .call(
                "POST",
                "/api/uploads",
                Some(TOKEN),
                data,
                "application/octet-stream",
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{}", String::from_utf8_lossy(&b));
        let v: Value = serde_json::from_slice(&b).expect("json");
        v["uploadId"].as_str().expect("uploadId").to_string()
    }

    /// Creates the seed's document: João digital at step 1, Maria electronic at 2, the server
    /// at 3.
    pub async fn create_three(&self, upload: &str, format: &str) -> Value {
        let (s, v) = self
            .api("POST", "/api/documents", Some(three_steps(upload, format)))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        v
    }

    /// A download (`query` is the part after `?`, may be empty).
    pub async fn package(
        &self,
        id: &str,
        query: &str,
    ) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        self.call(
            "GET",
            &format!("/api/packages/{id}?{query}"),
            Some(TOKEN),
            vec![],
            "",
        )
        .await
    }

    /// The digital two-step with the demo key, signing in the test.
    pub async fn sign_digital(&self, key: &str) -> (StatusCode, Value) {
        let signer = joao();
        let (s, prepared) = self
            .sign_call(
                &format!("/sign/{key}/prepare"),
                json!({ "certificates": joao_certificates() }),
            )
            .await;
        if s != StatusCode::OK {
            return (s, prepared);
        }
        let tbs = B64
            .decode(prepared["toBeSigned"].as_str().expect("toBeSigned"))
            .expect("b64");
        let value = signer.sign(&tbs).expect("sign");
        self.sign_call(
            &format!("/sign/{key}/finish"),
            json!({ "signature": B64.encode(value) }),
        )
        .await
    }

    pub async fn sign_electronic(&self, key: &str, sha: &str) -> (StatusCode, Value) {
        let png = sigform::package::demo::sample_graphism().expect("graphism");
        self.sign_call(
            &format!("/sign/{key}/electronic"),
            json!({ "graphism": format!("data:image/png;base64,{}", B64.encode(png)),
                    "documentSha256": sha }),
        )
        .await
    }

    pub async fn document(&self, id: &str) -> Value {
        let (s, v) = self.api("GET", &format!("/api/documents/{id}"), None).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        v
    }

    /// Waits (up to 30 s) until the document is fully signed.
    pub async fn wait_signed(&self, id: &str) -> Value {
        for _ in 0..300 {
            let v = self.document(id).await;
            if v["status"] == "signed" {
                return v;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!(
            "document {id} not signed in time: {}",
            self.document(id).await
        );
    }
}

pub fn three_steps(upload: &str, format: &str) -> Value {
    json!({
        "name": "contrato.pdf",
        "uploadId": upload,
        "format": format,
        "sender": { "name": "Ana Remetente", "email": "ana@example.com" },
        "signers": [{ "name": "João da Silva", "email": "joao.silva@example.com",
                      "individualIdentificationCode": "529.982.247-25", "step": 1 }],
        "electronicSigners": [{ "name": "Maria da Conceição", "email": "maria@example.com",
                      "individualIdentificationCode": "390.533.447-05", "step": 2 }],
        "serverSigners": [{ "name": "EMPRESA EXEMPLO LTDA", "email": "contato@example.com",
                      "companyIdentificationCode": "11.222.333/0001-81",
                      "certificateId": "demo-server", "step": 3 }]
    })
}

/// The demo digital signer (ICP-Brasil PF certificate with CPF 529.982.247-25).
pub fn joao() -> SoftwareSigner {
    let chain = vector("pki/intermediate-ca.pem");
    SoftwareSigner::from_files(
        vector("pki/icp-pf.key.pem"),
        None,
        vector("pki/icp-pf.pem"),
        Some(chain.as_path()),
    )
    .expect("demo signer")
}

/// João's chain, base64 DER, signer first (the prepare request's `certificates`).
pub fn joao_certificates() -> Vec<String> {
    joao()
        .identity()
        .all_certificates()
        .map(|c| B64.encode(c.der()))
        .collect()
}

pub fn sample_pdf() -> Vec<u8> {
    std::fs::read(vector("docs/sample-2pages.pdf")).expect("sample pdf")
}

pub fn key_of(doc: &Value, kind: &str) -> String {
    doc["participants"]
        .as_array()
        .expect("participants")
        .iter()
        .find(|p| p["kind"] == kind)
        .and_then(|p| p["key"].as_str())
        .expect("participant")
        .to_string()
}

/// Verifies a package with the demo root.
pub fn verify_package(bytes: &[u8]) -> sigform::package::PackageReport {
    let options = sigform::package::VerifyPackageOptions {
        verify: sigform::VerifyOptions {
            trust: Some(
                sigform::x509::TrustStore::from_path(vector("pki/root-ca.pem")).expect("root"),
            ),
            ..sigform::VerifyOptions::default()
        },
        ..Default::default()
    };
    sigform::package::verify(bytes, &options).expect("package verifies")
}

pub fn error_code(v: &Value) -> &str {
    v["error"]["code"].as_str().unwrap_or("")
}
