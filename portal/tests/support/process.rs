//! The `sigform-portal` binary as a child process on a local port (started with the test token,
//! ready once `/healthz` answers), stopped with SIGKILL.

#![allow(dead_code)]

use super::http;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The API token the processes run with.
pub const TOKEN: &str = "test-token-0123456789";

/// A running portal.
pub struct PortalProcess {
    child: Child,
    /// Its port on 127.0.0.1.
    pub port: u16,
}

impl PortalProcess {
    /// Starts the binary on `data` and `port` with `extra` arguments (a 2 s claim lease).
    pub fn start(data: &Path, port: u16, extra: &[&str]) -> Self {
        let child = Command::new(env!("CARGO_BIN_EXE_sigform-portal"))
            .args([
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--lease-seconds",
                "2",
                "--data",
            ])
            .arg(data)
            .args(extra)
            .env("SIGFORM_PORTAL_TOKEN", TOKEN)
            .env_remove("DATABASE_URL")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn portal");
        let mut p = Self { child, port };
        for _ in 0..400 {
            if p.request("GET", "/healthz", None, None).0 == 200 {
                return p;
            }
            if let Ok(Some(status)) = p.child.try_wait() {
                panic!("the portal exited: {status}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the portal did not start");
    }

    /// SIGKILL, and wait for the exit.
    pub fn kill(mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("wait");
    }

    /// Raw bytes in and out; `token` adds the bearer token.
    pub fn request(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&[u8]>,
    ) -> (u16, Vec<u8>) {
        http::request(self.port, method, path, token, body.unwrap_or_default())
    }

    /// JSON in and out; `token`: with the API token.
    pub fn json(
        &self,
        method: &str,
        path: &str,
        token: bool,
        body: Option<serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        http::json(
            self.port,
            method,
            path,
            token.then_some(TOKEN),
            body.as_ref(),
        )
    }
}

impl Drop for PortalProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
