//! The external judges of our output, one helper each: `openssl cms -verify`, `pdfsig` with an
//! NSS database trusting the test root, `pyhanko sign validate` and `qpdf --check`. Each is
//! gated like every external tool ([`tool`]): missing, it is a skip with a notice (the helper
//! returns `None` or does nothing), or a failure under `SIGFORM_INTEROP=1`.

use super::{run, tempdir, tool, tv};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

/// `openssl cms -verify` of a DER `.p7s` (with the detached `content`, if any) against the test
/// root, any purpose; `cades` adds `-cades` (checks the ESS signing-certificate attribute).
/// Panics unless openssl says "Verification successful".
pub fn openssl_cms_verify(p7s: &[u8], content: Option<&[u8]>, cades: bool) {
    let Some(openssl) = tool("openssl") else {
        return;
    };
    let dir = tempdir();
    let p = dir.path().join("s.p7s");
    std::fs::write(&p, p7s).unwrap();
    let mut cmd = Command::new(openssl);
    cmd.args([
        "cms", "-verify", "-binary", "-inform", "DER", "-purpose", "any",
    ]);
    if cades {
        cmd.arg("-cades");
    }
    cmd.arg("-in")
        .arg(&p)
        .arg("-CAfile")
        .arg(tv("pki/root-ca.pem"))
        .arg("-out")
        .arg(dir.path().join("out"));
    if let Some(c) = content {
        let cp = dir.path().join("content");
        std::fs::write(&cp, c).unwrap();
        cmd.arg("-content").arg(cp);
    }
    let (ok, out) = run(&mut cmd);
    assert!(
        ok && out.contains("Verification successful"),
        "openssl cms -verify rejected the .p7s: {out}"
    );
}

/// `openssl cms -verify -noverify` of a DER `.p7s` over the detached `content`: whether the
/// signature itself verifies (no chain is built: for real-world files whose roots openssl does
/// not have). `None` (after a notice) when openssl is missing.
pub fn openssl_cms_signature_verifies(p7s: &[u8], content: &[u8]) -> Option<bool> {
    let openssl = tool("openssl")?;
    let dir = tempdir();
    let (p, cp) = (dir.path().join("s.p7s"), dir.path().join("content"));
    std::fs::write(&p, p7s).unwrap();
    std::fs::write(&cp, content).unwrap();
    let mut cmd = Command::new(openssl);
    cmd.args(["cms", "-verify", "-binary", "-inform", "DER", "-noverify"])
        .arg("-in")
        .arg(&p)
        .arg("-content")
        .arg(&cp)
        .arg("-out")
        .arg(dir.path().join("out"));
    let (ok, out) = run(&mut cmd);
    Some(ok && out.contains("Verification successful"))
}

/// `pdfsig` with an NSS database that trusts the test root (`pki/root-ca.pem`), made once and
/// used for any number of files.
pub struct PdfsigTrusting {
    pdfsig: PathBuf,
    /// `sql:DIR`, the database.
    db: String,
    /// Keeps the database alive.
    _dir: tempfile::TempDir,
}

impl PdfsigTrusting {
    /// The database, or `None` (after a notice) when pdfsig or certutil is missing.
    pub fn new() -> Option<Self> {
        let pdfsig = tool("pdfsig")?;
        let certutil = tool("certutil")?;
        let dir = tempdir();
        let db = format!("sql:{}", dir.path().display());
        let (ok, out) = run(Command::new(&certutil).args(["-N", "-d", &db, "--empty-password"]));
        assert!(ok, "certutil -N: {out}");
        let (ok, out) = run(Command::new(&certutil)
            .args(["-A", "-d", &db, "-n", "root", "-t", "CT,C,C", "-i"])
            .arg(tv("pki/root-ca.pem")));
        assert!(ok, "certutil -A: {out}");
        Some(Self {
            pdfsig,
            db,
            _dir: dir,
        })
    }

    /// pdfsig's report on `pdf` (stdout and stderr; its exit status says nothing more).
    pub fn run(&self, pdf: &Path) -> String {
        self.run_with(pdf, &[])
    }

    /// [`PdfsigTrusting::run`] with further options (e.g. `-upw PASSWORD`).
    pub fn run_with(&self, pdf: &Path, args: &[&str]) -> String {
        run(Command::new(&self.pdfsig)
            .args(["-nssdir", &self.db])
            .args(args)
            .arg(pdf))
        .1
    }
}

/// pdfsig's report on `pdf` with the test root trusted, or `None` when pdfsig or certutil is
/// missing (a fresh database each time: [`PdfsigTrusting`] keeps one for many files).
pub fn pdfsig_trusting(pdf: &Path) -> Option<String> {
    Some(PdfsigTrusting::new()?.run(pdf))
}

/// pdfsig's report on `pdf` without a trust database (what it sees, not whom it trusts), or
/// `None` when pdfsig is missing.
pub fn pdfsig_untrusted(pdf: &Path) -> Option<String> {
    let pdfsig = tool("pdfsig")?;
    Some(run(Command::new(pdfsig).arg(pdf)).1)
}

/// The blocks of a pdfsig report, one per signature field that is signed (a field pdfsig
/// reports "is not signed" is left out).
pub fn pdfsig_signatures(report: &str) -> Vec<&str> {
    report
        .split("Signature #")
        .skip(1)
        .filter(|b| !b.contains("is not signed"))
        .collect()
}

/// `pyhanko sign validate` with the test root as the only trust anchor and no revocation
/// check; `args` are the further options and the file(s). Returns (exit status 0, stdout and
/// stderr), or `None` when pyHanko is missing.
pub fn pyhanko_validate<S: AsRef<OsStr>>(args: &[S]) -> Option<(bool, String)> {
    let pyhanko = tool("pyhanko")?;
    Some(run(Command::new(pyhanko)
        .args([
            "sign",
            "validate",
            "--no-revocation-check",
            "--trust-replace",
            "--trust",
        ])
        .arg(tv("pki/root-ca.pem"))
        .args(args)))
}

/// `qpdf --check` of `pdf`: (exit status 0, stdout and stderr), or `None` when qpdf is
/// missing.
pub fn qpdf_check(pdf: &Path) -> Option<(bool, String)> {
    qpdf_check_with(pdf, &[])
}

/// [`qpdf_check`] with further options (e.g. `--password=PASSWORD`).
pub fn qpdf_check_with(pdf: &Path, args: &[&str]) -> Option<(bool, String)> {
    let qpdf = tool("qpdf")?;
    Some(run(Command::new(qpdf).args(args).arg("--check").arg(pdf)))
}

/// pyHanko's CMS validator (`async_validate_detached_cms`, or `async_validate_cms_signature`
/// for attached content) on a DER CMS, trusting the test root, no revocation fetching: `Some`
/// (intact, valid and trusted; pyHanko's words) or `None` when pyHanko is missing. It judges the
/// signatures OpenSSL 3.0 cannot read (CMS EdDSA).
pub fn pyhanko_cms_validate(cms: &[u8], content: Option<&[u8]>) -> Option<(bool, String)> {
    let pyhanko = tool("pyhanko")?;
    let python = pyhanko.with_file_name("python");
    let dir = tempdir();
    let p = dir.path().join("s.p7");
    std::fs::write(&p, cms).unwrap();
    let mut cmd = Command::new(if python.exists() {
        python
    } else {
        PathBuf::from("python3")
    });
    cmd.arg("-c")
        .arg(PYHANKO_CMS)
        .arg(&p)
        .arg(tv("pki/root-ca.pem"));
    if let Some(c) = content {
        let cp = dir.path().join("content");
        std::fs::write(&cp, c).unwrap();
        cmd.arg(cp);
    }
    let (ok, out) = run(&mut cmd);
    Some((
        ok && out.contains("intact=True valid=True trusted=True"),
        out,
    ))
}

const PYHANKO_CMS: &str = r#"
import asyncio, sys
from asn1crypto import cms, pem, x509
from pyhanko.sign.validation import async_validate_detached_cms, generic_cms
from pyhanko_certvalidator import ValidationContext
root = x509.Certificate.load(pem.unarmor(open(sys.argv[2], 'rb').read())[2])
vc = ValidationContext(trust_roots=[root], allow_fetching=False, revocation_mode='soft-fail')
sd = cms.ContentInfo.load(open(sys.argv[1], 'rb').read())['content']
if len(sys.argv) > 3:
    st = asyncio.run(async_validate_detached_cms(
        open(sys.argv[3], 'rb').read(), sd, signer_validation_context=vc))
else:
    st = asyncio.run(generic_cms.async_validate_cms_signature(
        sd, validation_context=vc))
print(f"intact={st.intact} valid={st.valid} trusted={st.trusted}")
"#;

/// `openssl ts -verify -digest HEX -in TOKEN -token_in -CAfile root -untrusted chain` with the
/// test PKI: it must print "Verification: OK". Without openssl (and SIGFORM_INTEROP unset),
/// nothing is checked.
pub fn openssl_ts_accepts(token: &[u8], digest: &[u8]) {
    openssl_ts_accepts_with(
        token,
        digest,
        &super::tv("pki/root-ca.pem"),
        &super::tv("pki/intermediate-ca.pem"),
    )
}

/// [`openssl_ts_accepts`] with another root and intermediate.
pub fn openssl_ts_accepts_with(
    token: &[u8],
    digest: &[u8],
    root: &std::path::Path,
    untrusted: &std::path::Path,
) {
    let Some(openssl) = super::tool("openssl") else {
        return;
    };
    let dir = super::tempdir();
    let t = dir.path().join("t.der");
    std::fs::write(&t, token).unwrap();
    let (ok, out) = super::run(
        std::process::Command::new(openssl)
            .args(["ts", "-verify", "-token_in", "-in"])
            .arg(&t)
            .arg("-digest")
            .arg(hex::encode(digest))
            .arg("-CAfile")
            .arg(root)
            .arg("-untrusted")
            .arg(untrusted),
    );
    assert!(
        ok && out.contains("Verification: OK"),
        "openssl ts -verify: {out}"
    );
}
