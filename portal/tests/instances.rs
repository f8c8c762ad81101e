//! Two portal processes on one PostgreSQL database (and one shared data directory): documents
//! created on either, each with three server signers (two in step 1, one in step 2), are signed
//! by whichever instance claims the job first. Every server signature happens exactly once: the
//! packages hold three signatures each, the jobs table shows every job done and both
//! instances at work. PostgreSQL comes from the Debian package (support::postgres); without it
//! the test skips with a NOTICE, and fails under SIGFORM_INTEROP=1.

mod common;
mod support;

use common::{sample_pdf, vector, verify_package};
use serde_json::{Value, json};
use sigform::package::PackageStatus;
use std::time::{Duration, Instant};
use support::http::free_port;
use support::postgres::Postgres;
use support::process::{PortalProcess, TOKEN};

const DOCUMENTS: usize = 16;

fn create(portal: &PortalProcess, n: usize) -> String {
    let (s, out) = portal.request("POST", "/api/uploads", Some(TOKEN), Some(&sample_pdf()));
    assert_eq!(s, 201, "{}", String::from_utf8_lossy(&out));
    let upload: Value = serde_json::from_slice(&out).expect("json");
    let body = json!({
        "name": format!("contrato-{n}.pdf"),
        "uploadId": upload["uploadId"],
        "format": "CAdES",
        "serverSigners": [
            { "name": "EMPRESA EXEMPLO LTDA", "certificateId": "demo-server",
              "companyIdentificationCode": "11.222.333/0001-81", "step": 1 },
            { "name": "Carol P256", "certificateId": "carol", "step": 1 },
            { "name": "Alice RSA2048", "certificateId": "alice", "step": 2 }
        ]
    });
    let (s, doc) = portal.json("POST", "/api/documents", true, Some(body));
    assert_eq!(s, 201, "{doc}");
    doc["id"].as_str().expect("id").to_string()
}

async fn jobs_by_instance(url: &str) -> Vec<(String, String, i64)> {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.expect("connect");
    let rows: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT state, COALESCE(claimed_by, ''), COUNT(*) FROM jobs \
         GROUP BY state, claimed_by ORDER BY state, claimed_by",
    )
    .fetch_all(&pool)
    .await
    .expect("jobs");
    pool.close().await;
    rows
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_sign_every_server_signature_exactly_once() {
    let Some(pg) = Postgres::start() else {
        return;
    };
    let url = pg.database("portal");
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let p12 = |id: &str, file: &str| format!("{id}={}:sigform", vector(file).display());
    let (carol, alice) = (
        p12("carol", "pki/signer-p256.p12"),
        p12("alice", "pki/signer-rsa2048.p12"),
    );
    let args = [
        "--database-url",
        &url,
        "--server-p12",
        &carol,
        "--server-p12",
        &alice,
    ];
    let a = PortalProcess::start(&data, free_port(), &args);
    let b = PortalProcess::start(&data, free_port(), &args);
    let instances = [&a, &b];
    let ids: Vec<String> = (0..DOCUMENTS)
        .map(|n| create(instances[n % 2], n))
        .collect();

    let deadline = Instant::now() + Duration::from_secs(120);
    for (n, id) in ids.iter().enumerate() {
        let portal = instances[(n + 1) % 2];
        loop {
            let (_, v) = portal.json("GET", &format!("/api/documents/{id}"), true, None);
            if v["status"] == "signed" {
                assert_eq!(v["verdict"], "FULLY SIGNED (3 of 3)", "{v}");
                break;
            }
            assert!(Instant::now() < deadline, "document {id} not signed: {v}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let (s, zip) = portal.request("GET", &format!("/api/packages/{id}"), Some(TOKEN), None);
        assert_eq!(s, 200);
        let report = verify_package(&zip);
        assert_eq!(report.status, PackageStatus::FullySigned, "{report}");
        assert_eq!(
            report.signatures.signatures.len(),
            3,
            "{id}: three server signatures, once each"
        );
    }

    let jobs = jobs_by_instance(&url).await;
    let done: i64 = jobs.iter().filter(|j| j.0 == "done").map(|j| j.2).sum();
    assert_eq!(done, (3 * DOCUMENTS) as i64, "{jobs:?}");
    assert!(jobs.iter().all(|j| j.0 == "done"), "{jobs:?}");
    let workers = jobs.iter().filter(|j| !j.1.is_empty()).count();
    assert_eq!(workers, 2, "both instances claimed jobs: {jobs:?}");
    a.kill();
    b.kill();
    drop(pg);
}
