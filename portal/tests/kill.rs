//! SIGKILL the portal binary between prepare and finish and with a server signature queued,
//! restart it on the same data directory: no document lost, nothing signed twice, the flow
//! continues. Talks HTTP/1.1 over a plain TCP stream (no client library).

mod common;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use common::{TOKEN, joao, joao_certificates, key_of, sample_pdf, three_steps, verify_package};
use serde_json::{Value, json};
use sigform::signer::Signer;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Portal {
    child: Child,
    port: u16,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

impl Portal {
    fn start(data: &Path, port: u16) -> Self {
        let child = Command::new(env!("CARGO_BIN_EXE_sigform-portal"))
            .args([
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--lease-seconds",
                "2",
                "--data",
            ])
            .arg(data)
            .env("SIGFORM_PORTAL_TOKEN", TOKEN)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn portal");
        let p = Self { child, port };
        for _ in 0..200 {
            if p.request("GET", "/healthz", None, None).0 == 200 {
                return p;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the portal did not start");
    }

    fn kill(mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("wait");
    }

    fn request(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&[u8]>,
    ) -> (u16, Vec<u8>) {
        let Ok(mut s) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return (0, Vec::new());
        };
        let body = body.unwrap_or_default();
        let auth = token
            .map(|t| format!("Authorization: Bearer {t}\r\n"))
            .unwrap_or_default();
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n{auth}\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        if s.write_all(head.as_bytes())
            .and_then(|_| s.write_all(body))
            .is_err()
        {
            return (0, Vec::new());
        }
        let mut out = Vec::new();
        let _ = s.read_to_end(&mut out);
        let split = out
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .unwrap_or(out.len());
        let head = String::from_utf8_lossy(&out[..split]).to_string();
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        let mut body = out.get(split + 4..).unwrap_or_default().to_vec();
        if head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked")
        {
            body = dechunk(&body);
        }
        (status, body)
    }

    fn json(&self, method: &str, path: &str, token: bool, body: Option<Value>) -> (u16, Value) {
        let b = body.map(|b| b.to_string().into_bytes());
        let (s, out) = self.request(method, path, token.then_some(TOKEN), b.as_deref());
        (s, serde_json::from_slice(&out).unwrap_or(Value::Null))
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = data.windows(2).position(|w| w == b"\r\n") {
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&data[..eol]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.extend_from_slice(&data[eol + 2..eol + 2 + size]);
        data = &data[eol + 2 + size + 2..];
    }
    out
}

#[test]
fn sigkill_between_prepare_and_finish_and_with_a_queued_server_signature() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let port = free_port();
    let portal = Portal::start(&data, port);
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
    let portal = Portal::start(&data, port);
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

    let portal = Portal::start(&data, port);
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
