//! Load run (BENCHMARKS.md, not a test): N documents (default 200) x 3 participants (digital,
//! electronic, server in steps 1-2-3) through the HTTP API of an in-process portal on a local
//! port, from C client threads (default 4). Prints throughput, p50/p99 latency per call, peak
//! RSS of the process (server and clients) and the error count. SQLite in a temporary
//! directory, or the PostgreSQL database named by `DATABASE_URL`.
//!
//! ```sh
//! cargo run --release -p sigform-portal --example load -- [DOCUMENTS] [CLIENTS]
//! ```

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Value, json};
use sigform::signer::{Signer, SoftwareSigner};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const TOKEN: &str = "load-token";

fn vector(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../test-vectors")
        .join(rel)
}

#[path = "../tests/support/http.rs"]
mod http;

fn request(port: u16, method: &str, path: &str, auth: bool, body: &[u8]) -> (u16, Vec<u8>) {
    http::request(port, method, path, auth.then_some(TOKEN), body)
}

struct Stats {
    calls: BTreeMap<&'static str, Vec<Duration>>,
    errors: Vec<String>,
}

#[allow(clippy::too_many_arguments)] // one call, as the load run writes it: flat is clearer here
fn timed(
    stats: &Mutex<Stats>,
    name: &'static str,
    port: u16,
    method: &str,
    path: &str,
    auth: bool,
    body: &[u8],
    want: u16,
) -> Value {
    let t = Instant::now();
    let (s, out) = request(port, method, path, auth, body);
    let d = t.elapsed();
    let mut st = stats.lock().expect("lock");
    st.calls.entry(name).or_default().push(d);
    if s != want {
        st.errors
            .push(format!("{name}: {s} {}", String::from_utf8_lossy(&out)));
    }
    serde_json::from_slice(&out).unwrap_or(Value::Null)
}

fn one_document(port: u16, stats: &Mutex<Stats>, pdf: &[u8], signer: &SoftwareSigner, png: &str) {
    let up = timed(
        stats,
        "upload",
        port,
        "POST",
        "/api/uploads",
        true,
        pdf,
        201,
    );
    let Some(upload) = up["uploadId"].as_str() else {
        return;
    };
    let body = json!({
        "name": "contrato.pdf", "uploadId": upload, "format": "CAdES",
        "signers": [{"name": "João da Silva", "email": "joao@example.com",
                     "individualIdentificationCode": "52998224725", "step": 1}],
        "electronicSigners": [{"name": "Maria", "email": "maria@example.com",
                     "individualIdentificationCode": "39053344705", "step": 2}],
        "serverSigners": [{"name": "EMPRESA", "certificateId": "demo-server",
                     "companyIdentificationCode": "11222333000181", "step": 3}]
    });
    let doc = timed(
        stats,
        "create",
        port,
        "POST",
        "/api/documents",
        true,
        body.to_string().as_bytes(),
        201,
    );
    let key = |kind: &str| {
        doc["participants"]
            .as_array()
            .and_then(|ps| ps.iter().find(|p| p["kind"] == kind))
            .and_then(|p| p["key"].as_str())
            .unwrap_or_default()
            .to_string()
    };
    let Some(id) = doc["id"].as_str() else { return };
    let certs: Vec<String> = signer
        .identity()
        .all_certificates()
        .map(|c| B64.encode(c.der()))
        .collect();
    let prepared = timed(
        stats,
        "prepare",
        port,
        "POST",
        &format!("/sign/{}/prepare", key("digital")),
        false,
        json!({"certificates": certs}).to_string().as_bytes(),
        200,
    );
    let tbs = B64
        .decode(prepared["toBeSigned"].as_str().unwrap_or_default())
        .unwrap_or_default();
    let value = B64.encode(signer.sign(&tbs).unwrap_or_default());
    timed(
        stats,
        "finish",
        port,
        "POST",
        &format!("/sign/{}/finish", key("digital")),
        false,
        json!({"signature": value}).to_string().as_bytes(),
        200,
    );
    timed(
        stats,
        "electronic",
        port,
        "POST",
        &format!("/sign/{}/electronic", key("electronic")),
        false,
        json!({"graphism": png, "documentSha256": doc["sha256"]})
            .to_string()
            .as_bytes(),
        200,
    );
    let started = Instant::now();
    loop {
        let v = timed(
            stats,
            "follow",
            port,
            "GET",
            &format!("/api/documents/{id}"),
            true,
            b"",
            200,
        );
        if v["status"] == "signed" {
            break;
        }
        if started.elapsed() > Duration::from_secs(60) {
            stats
                .lock()
                .expect("lock")
                .errors
                .push(format!("{id}: not signed in 60 s"));
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    timed(
        stats,
        "download",
        port,
        "GET",
        &format!("/api/packages/{id}"),
        true,
        b"",
        200,
    );
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or_default()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let documents: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(200);
    let clients: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(4);
    let dir = tempfile::tempdir().expect("tempdir");
    let url = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}", dir.path().join("load.sqlite3").display()));
    let config =
        sigform_portal::Config::demo(dir.path().to_path_buf(), url, TOKEN.into()).expect("config");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let (router, _portal, _worker) = rt.block_on(sigform_portal::start(config)).expect("start");
    rt.spawn(async move {
        let _ = axum::serve(listener, router).await;
    });

    let pdf = Arc::new(std::fs::read(vector("docs/sample-2pages.pdf")).expect("pdf"));
    let chain = vector("pki/intermediate-ca.pem");
    let signer = Arc::new(
        SoftwareSigner::from_files(
            vector("pki/icp-pf.key.pem"),
            None,
            vector("pki/icp-pf.pem"),
            Some(chain.as_path()),
        )
        .expect("signer"),
    );
    let png = format!(
        "data:image/png;base64,{}",
        B64.encode(sigform::package::demo::sample_graphism().expect("png"))
    );
    let stats = Arc::new(Mutex::new(Stats {
        calls: BTreeMap::new(),
        errors: Vec::new(),
    }));
    let next = Arc::new(Mutex::new(0usize));
    let t0 = Instant::now();
    let threads: Vec<_> = (0..clients)
        .map(|_| {
            let (pdf, signer, png, stats, next) = (
                pdf.clone(),
                signer.clone(),
                png.clone(),
                stats.clone(),
                next.clone(),
            );
            std::thread::spawn(move || {
                loop {
                    let n = {
                        let mut n = next.lock().expect("lock");
                        *n += 1;
                        *n
                    };
                    if n > documents {
                        break;
                    }
                    one_document(port, &stats, &pdf, &signer, &png);
                }
            })
        })
        .collect();
    for t in threads {
        let _ = t.join();
    }
    let elapsed = t0.elapsed();
    let st = stats.lock().expect("lock");
    println!(
        "{documents} documents x 3 participants, {clients} clients: {:.1} s, {:.1} documents/s",
        elapsed.as_secs_f64(),
        documents as f64 / elapsed.as_secs_f64()
    );
    println!("| call | count | p50 ms | p99 ms |\n| --- | --- | --- | --- |");
    for (name, ds) in &st.calls {
        let mut ds = ds.clone();
        ds.sort();
        println!(
            "| {name} | {} | {:.1} | {:.1} |",
            ds.len(),
            percentile(&ds, 0.5).as_secs_f64() * 1e3,
            percentile(&ds, 0.99).as_secs_f64() * 1e3
        );
    }
    let hwm = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .map(str::to_string)
        })
        .unwrap_or_default();
    println!(
        "peak RSS (server + clients): {}",
        hwm.trim_start_matches("VmHWM:").trim()
    );
    println!("errors: {}", st.errors.len());
    for e in st.errors.iter().take(5) {
        println!("  {e}");
    }
    if !st.errors.is_empty() {
        std::process::exit(1);
    }
}
