//! The library tests' `openssl ts -reply` TSA (`tests/common/openssl_tsa.rs`, included as it
//! is, with the four helpers it takes from its parent defined here), served over HTTP on a
//! local port so the portal reaches it as it would a real TSA (`--tsa URL`).

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

#[path = "../../../tests/common/openssl_tsa.rs"]
mod openssl_tsa;

pub use openssl_tsa::OpensslTsa;

fn tv(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../test-vectors")
        .join(rel)
}

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

fn run(cmd: &mut Command) -> (bool, String) {
    let out = cmd.output().expect("spawn external tool");
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

/// `name` on the PATH; `None` with a NOTICE, or a panic under `SIGFORM_INTEROP=1`.
fn tool(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    let found = std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file());
    if found.is_none() {
        let interop = std::env::var("SIGFORM_INTEROP").is_ok_and(|v| v == "1");
        assert!(!interop, "SIGFORM_INTEROP=1 but `{name}` is missing");
        eprintln!("NOTICE: `{name}` not found: skipped");
    }
    found
}

/// The TSA on `http://127.0.0.1:PORT/`, answering one request at a time until the test ends.
pub struct HttpTsa {
    /// Its URL.
    pub url: String,
    served: Arc<AtomicUsize>,
}

impl HttpTsa {
    /// Starts it (`None` when openssl is missing, see [`tool`]).
    pub fn start() -> Option<Self> {
        let tsa = OpensslTsa::new()?;
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let served = Arc::new(AtomicUsize::new(0));
        let count = served.clone();
        std::thread::spawn(move || {
            for mut stream in listener.incoming().flatten() {
                let query = read_request(&mut stream);
                let reply = tsa.reply(&query);
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/timestamp-reply\r\n\
                     Content-Length: {}\r\nConnection: close\r\n\r\n",
                    reply.len()
                );
                let _ = stream
                    .write_all(head.as_bytes())
                    .and_then(|_| stream.write_all(&reply));
                count.fetch_add(1, Ordering::SeqCst);
            }
        });
        Some(Self {
            url: format!("http://127.0.0.1:{port}/"),
            served,
        })
    }

    /// Tokens issued so far.
    pub fn served(&self) -> usize {
        self.served.load(Ordering::SeqCst)
    }
}

/// The body of a request with a `Content-Length`.
fn read_request(stream: &mut std::net::TcpStream) -> Vec<u8> {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        if let Some(split) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&data[..split]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            if data.len() >= split + 4 + length {
                return data[split + 4..split + 4 + length].to_vec();
            }
        }
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return Vec::new(),
            Ok(n) => data.extend_from_slice(&buf[..n]),
        }
    }
}
