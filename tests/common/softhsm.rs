//! A SoftHSM2 token store in a temporary directory, with its own `softhsm2.conf`, for the
//! PKCS#11 tests and benches. Gated like every external tool: missing SoftHSM2 or OpenSC is a
//! skip with a notice, or a failure under `SIGFORM_INTEROP=1`.

use super::{interop_required, run, tool};
use std::path::{Path, PathBuf};
use std::process::Command;

/// User PIN of every test token.
pub const PIN: &str = "246810";
/// Security-officer PIN of every test token.
pub const SO_PIN: &str = "13579111";

/// Where Debian and Ubuntu install the module.
const MODULES: [&str; 2] = [
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
];

/// A token directory and the configuration that points at it.
pub struct SoftHsm {
    /// Keeps the directory alive.
    pub dir: tempfile::TempDir,
    /// The `softhsm2.conf` to put in `SOFTHSM2_CONF`.
    pub conf: PathBuf,
    /// The PKCS#11 module.
    pub module: PathBuf,
    softhsm_util: PathBuf,
    pkcs11_tool: PathBuf,
}

/// The SoftHSM2 module, or `None` (after a notice) when it is not installed.
pub fn module() -> Option<PathBuf> {
    if let Some(m) = MODULES.iter().map(PathBuf::from).find(|p| p.exists()) {
        return Some(m);
    }
    if interop_required() {
        panic!(
            "SIGFORM_INTEROP=1 but the SoftHSM2 module is missing (run scripts/install-deps.sh)"
        );
    }
    eprintln!("NOTICE: skipping PKCS#11 check: the SoftHSM2 module is not installed");
    None
}

impl SoftHsm {
    /// A fresh, empty token store. `mechanisms` is SoftHSM's `slots.mechanisms` value (None:
    /// all). SoftHSM 2.6.1 ignores the first entry of a `-`-prefixed list; repeat it.
    pub fn new(mechanisms: Option<&str>) -> Option<Self> {
        let softhsm_util = tool("softhsm2-util")?;
        let pkcs11_tool = tool("pkcs11-tool")?;
        let module = module()?;
        let dir = tempfile::tempdir().expect("temp dir");
        let tokens = dir.path().join("tokens");
        std::fs::create_dir(&tokens).expect("token dir");
        let conf = dir.path().join("softhsm2.conf");
        std::fs::write(
            &conf,
            format!(
                "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n\
                 slots.removable = false\nslots.mechanisms = {}\n",
                tokens.display(),
                mechanisms.unwrap_or("ALL")
            ),
        )
        .expect("softhsm2.conf");
        Some(Self {
            dir,
            conf,
            module,
            softhsm_util,
            pkcs11_tool,
        })
    }

    fn cmd(&self, program: &Path) -> Command {
        let mut c = Command::new(program);
        c.env("SOFTHSM2_CONF", &self.conf);
        c
    }

    /// Initialises a token in the first free slot.
    pub fn init_token(&self, label: &str) {
        let (ok, out) = run(self.cmd(&self.softhsm_util).args([
            "--init-token",
            "--free",
            "--label",
            label,
            "--pin",
            PIN,
            "--so-pin",
            SO_PIN,
        ]));
        assert!(ok, "softhsm2-util --init-token: {out}");
    }

    /// Imports a PKCS#8 PEM private key (and its public half) under `label` and `id` (hex).
    pub fn import_key(&self, token: &str, label: &str, id_hex: &str, key_pem: &Path) {
        let (ok, out) = run(self
            .cmd(&self.softhsm_util)
            .arg("--import")
            .arg(key_pem)
            .args([
                "--token", token, "--label", label, "--id", id_hex, "--pin", PIN,
            ]));
        assert!(ok, "softhsm2-util --import {}: {out}", key_pem.display());
    }

    /// Writes a certificate (PEM or DER file) under `label` and `id` (hex).
    pub fn import_cert(&self, token: &str, label: &str, id_hex: &str, cert: &Path) {
        let data = std::fs::read(cert).expect("certificate");
        let der = match sigform::CertificateDer::parse_many(&data) {
            Ok(mut v) if !v.is_empty() => v.remove(0).der().to_vec(),
            _ => panic!("{} is not a certificate", cert.display()),
        };
        let der_path = self
            .dir
            .path()
            .join(format!("{token}-{label}-{id_hex}.der"));
        std::fs::write(&der_path, der).expect("write DER");
        let (ok, out) = run(self
            .cmd(&self.pkcs11_tool)
            .arg("--module")
            .arg(&self.module)
            .args([
                "--token-label",
                token,
                "--login",
                "--pin",
                PIN,
                "--write-object",
            ])
            .arg(&der_path)
            .args(["--type", "cert", "--id", id_hex, "--label", label]));
        assert!(ok, "pkcs11-tool --write-object {}: {out}", cert.display());
    }
}
