//! certomancer as a live TSA, OCSP responder and CRL server on 127.0.0.1
//! (`test-vectors/certomancer/pki.yml`, which lists the endpoints).
//!
//! [`Certomancer::start`] runs `certomancer --config ... animate --port N --no-web-ui` on a free
//! port, waits until it answers, and [`Drop`] kills that process by its PID. Plain HTTP/1.0 over
//! `std::net` fetches certificates, so the helper needs no HTTP crate.

use super::{tool, tv};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long certomancer may take to start (it builds every certificate first: ~10 s here).
const START_TIMEOUT: Duration = Duration::from_secs(90);

/// A running certomancer Animator.
pub struct Certomancer {
    child: Child,
    port: u16,
    log: tempfile::NamedTempFile,
}

impl Certomancer {
    /// Starts certomancer on a free port. `None` (after a NOTICE) when certomancer is missing
    /// and `SIGFORM_INTEROP` is not 1; panics when it does not start.
    pub fn start() -> Option<Self> {
        let bin = tool("certomancer")?;
        let mut last_log = String::new();
        // A port picked free can be taken before certomancer binds it: try a few.
        for _ in 0..3 {
            let port = free_port();
            let log = tempfile::NamedTempFile::new().expect("log file");
            let child = Command::new(&bin)
                .arg("--config")
                .arg(tv("certomancer/pki.yml"))
                .arg("--key-root")
                .arg(tv("pki"))
                .arg("--service-url-prefix")
                .arg(format!("http://127.0.0.1:{port}"))
                .args(["animate", "--port", &port.to_string(), "--no-web-ui"])
                .stdin(Stdio::null())
                .stdout(log.reopen().expect("log"))
                .stderr(log.reopen().expect("log"))
                .spawn()
                .expect("spawn certomancer");
            let mut c = Self { child, port, log };
            if c.wait_ready() {
                return Some(c);
            }
            last_log = c.log_text();
        }
        panic!("certomancer did not start:\n{last_log}");
    }

    /// Polls the root certificate's URL until it answers 200, or the process ends, or the
    /// start timeout passes.
    fn wait_ready(&mut self) -> bool {
        let deadline = Instant::now() + START_TIMEOUT;
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return false;
            }
            if self.try_get("/sigform/certs/root/ca.cert.pem").is_some() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        false
    }

    /// certomancer's output so far.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(self.log.path()).unwrap_or_default()
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:PORT` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// The URL of the time-stamping service `label` (`tsa` or `tsa-lax`).
    pub fn tsa_url(&self, label: &str) -> String {
        self.url(&format!("/sigform/tsa/{label}"))
    }

    /// The root certificate (PEM), the trust anchor of everything it serves.
    pub fn root_pem(&self) -> Vec<u8> {
        self.get("/sigform/certs/root/ca.cert.pem")
    }

    /// The intermediate CA certificate (PEM).
    pub fn intermediate_pem(&self) -> Vec<u8> {
        self.get("/sigform/certs/interm/ca.cert.pem")
    }

    /// GET `path`: the body of a 200 answer (panics otherwise).
    pub fn get(&self, path: &str) -> Vec<u8> {
        self.try_get(path)
            .unwrap_or_else(|| panic!("GET {path} failed; certomancer log:\n{}", self.log_text()))
    }

    fn try_get(&self, path: &str) -> Option<Vec<u8>> {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        s.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
        write!(s, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
        let mut answer = Vec::new();
        s.take(16 << 20).read_to_end(&mut answer).ok()?;
        let split = answer.windows(4).position(|w| w == b"\r\n\r\n")?;
        let head = String::from_utf8_lossy(&answer[..split]);
        let status_ok = head
            .lines()
            .next()
            .is_some_and(|l| l.split_whitespace().nth(1) == Some("200"));
        status_ok.then(|| answer[split + 4..].to_vec())
    }
}

impl Drop for Certomancer {
    fn drop(&mut self) {
        // Ends exactly the process this helper started (Child::kill signals its PID).
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port free on 127.0.0.1 a moment ago.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}
