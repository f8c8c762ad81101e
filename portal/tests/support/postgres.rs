//! A throw-away PostgreSQL server from the Debian package (`/usr/lib/postgresql/NN/bin`, or the
//! directory in `SIGFORM_PG_BIN`): `initdb` in a temporary directory, `postgres` on a free
//! 127.0.0.1 port with its socket in that directory, stopped by its PID when dropped. As root
//! (PostgreSQL refuses to run as root) it runs as the `postgres` user through `setpriv`.
//!
//! [`Postgres::start`] answers `None` with a printed NOTICE when PostgreSQL is missing, and
//! panics instead under `SIGFORM_INTEROP=1` (a missing tool then fails the test).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A running server.
pub struct Postgres {
    child: Child,
    dir: tempfile::TempDir,
    bin: PathBuf,
    /// Its TCP port on 127.0.0.1.
    pub port: u16,
}

/// The newest `/usr/lib/postgresql/NN/bin` holding `initdb` (or `SIGFORM_PG_BIN`).
fn bin_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("SIGFORM_PG_BIN") {
        return Some(PathBuf::from(dir));
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.trim_ascii() == b"0")
        .unwrap_or(false)
}

/// `program` as the `postgres` user when we are root, as ourselves otherwise.
fn command(program: &Path, root: bool) -> Command {
    if root {
        let mut c = Command::new("setpriv");
        c.args([
            "--reuid=postgres",
            "--regid=postgres",
            "--init-groups",
            "--",
        ])
        .arg(program);
        c
    } else {
        Command::new(program)
    }
}

impl Postgres {
    /// Starts a server, or `None` (NOTICE printed) when PostgreSQL is not installed; panics
    /// when it is missing under `SIGFORM_INTEROP=1` or does not start.
    pub fn start() -> Option<Self> {
        let Some(bin) = bin_dir() else {
            let interop = std::env::var("SIGFORM_INTEROP").is_ok_and(|v| v == "1");
            assert!(
                !interop,
                "SIGFORM_INTEROP=1 but PostgreSQL is not installed (scripts/install-deps.sh)"
            );
            eprintln!("NOTICE: PostgreSQL not installed (/usr/lib/postgresql/NN/bin): skipped");
            return None;
        };
        let root = is_root();
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().join("data");
        if root {
            let ok = Command::new("chown")
                .args(["postgres:postgres"])
                .arg(dir.path())
                .status()
                .is_ok_and(|s| s.success());
            assert!(ok, "chown postgres {}", dir.path().display());
        }
        let out = command(&bin.join("initdb"), root)
            .args([
                "--auth=trust",
                "--username=postgres",
                "--encoding=UTF8",
                "--no-sync",
                "-D",
            ])
            .arg(&data)
            .output()
            .expect("run initdb");
        assert!(
            out.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let port = super::http::free_port();
        let child = command(&bin.join("postgres"), root)
            .arg("-D")
            .arg(&data)
            .args(["-p", &port.to_string(), "-k"])
            .arg(dir.path())
            .args(["-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"])
            .args(["-c", "max_connections=100"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn postgres");
        let pg = Self {
            child,
            dir,
            bin,
            port,
        };
        pg.wait_ready();
        Some(pg)
    }

    fn wait_ready(&self) {
        for _ in 0..300 {
            let ready = Command::new(self.bin.join("pg_isready"))
                .args(["-q", "-h", "127.0.0.1", "-p", &self.port.to_string()])
                .status()
                .is_ok_and(|s| s.success());
            if ready {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("PostgreSQL did not start on port {}", self.port);
    }

    /// Creates a database; answers its URL.
    pub fn database(&self, name: &str) -> String {
        let out = Command::new(self.bin.join("psql"))
            .args(["-q", "-h", "127.0.0.1", "-p", &self.port.to_string()])
            .args(["-U", "postgres", "-d", "postgres", "-c"])
            .arg(format!("CREATE DATABASE {name}"))
            .output()
            .expect("run psql");
        assert!(
            out.status.success(),
            "CREATE DATABASE {name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        format!(
            "postgres://postgres@127.0.0.1:{}/{name}?sslmode=disable",
            self.port
        )
    }
}

impl Drop for Postgres {
    /// Fast shutdown (SIGINT to the postmaster's PID), SIGKILL if it lingers.
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status();
        for _ in 0..100 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
