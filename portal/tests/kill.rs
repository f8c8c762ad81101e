//! SIGKILL the portal binary between prepare and finish and with a server signature queued,
//! restart it on the same data directory: no document lost, nothing signed twice, the flow
//! continues. Talks HTTP/1.1 over a plain TCP stream (no client library).

mod common;
mod support;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use common::{joao, joao_certificates, key_of, sample_pdf, three_steps, verify_package};
use serde_json::{Value, json};
use sigform::signer::Signer;
use std::time::Duration;
use support::http::free_port;
use support::process::{PortalProcess as Portal, TOKEN};

#[test]
fn sigkill_between_prepare_and_finish_and_with_a_queued_server_signature() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let port = free_port();
    let portal = Portal::start(&data, port, &[]);
    let (s, out) = portal.request("POST", "/api/uploads", Some(TOKEN), Some(&sample_pdf()));
    assert_eq!(s, 201, "{}", String::from_utf8_lossy(&out));
    let upload: Value = serde_json::from_slice(&out).expect("json");
    let upload = upload["uploadId"].as_str().expect("id").to_string();
    let (s, doc) = portal.json(
        "POST",
        "/api/documents",
        true,
        Some(three_steps(&upload, "CAdES")),
    );
    assert_eq!(s, 201, "{doc}");
    let id = doc["id"].as_str().expect("id").to_string();
    let digital = key_of(&doc, "digital");
    let signer = joao();
    let certs = joao_certificates();
    let (s, prepared) = portal.json(
        "POST",
        &format!("/sign/{digital}/prepare"),
        false,
        Some(json!({ "certificates": certs })),
    );
    assert_eq!(s, 200, "{prepared}");
    portal.kill();

    // Restarted: finish with the value for the prepare made before the kill.
    let portal = Portal::start(&data, port, &[]);
    let tbs = B64
        .decode(prepared["toBeSigned"].as_str().expect("tbs"))
        .expect("b64");
    let value = B64.encode(signer.sign(&tbs).expect("sign"));
    let (s, v) = portal.json(
        "POST",
        &format!("/sign/{digital}/finish"),
        false,
        Some(json!({ "signature": value })),
    );
    assert_eq!(s, 200, "{v}");
    // Maria signs; killed at once, while the server signature may be queued or running.
    let (s, v) = portal.json(
        "POST",
        &format!("/sign/{}/electronic", key_of(&doc, "electronic")),
        false,
        Some(json!({
            "graphism": B64.encode(sigform::package::demo::sample_graphism().expect("png")),
            "documentSha256": doc["sha256"],
        })),
    );
    assert_eq!(s, 200, "{v}");
    portal.kill();

    let portal = Portal::start(&data, port, &[]);
    let mut done = Value::Null;
    for _ in 0..300 {
        let (_, v) = portal.json("GET", &format!("/api/documents/{id}"), true, None);
        if v["status"] == "signed" {
            done = v;
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    // A job the killed instance had claimed is taken over when its lease (2 s) runs out.
    assert_eq!(done["verdict"], "FULLY SIGNED (3 of 3)", "{done}");
    let (s, zip) = portal.request("GET", &format!("/api/packages/{id}"), Some(TOKEN), None);
    assert_eq!(s, 200);
    let report = verify_package(&zip);
    assert_eq!(
        report.signatures.signatures.len(),
        2,
        "João and the server, once each"
    );
    portal.kill();
}
