//! `openssl ts -reply` as a time-stamping authority for the tests (the test PKI's `tsa`
//! certificate and key): its queries, replies and `openssl ts -verify`, and a
//! [`TimestampAuthority`] over it.

use super::{run, tempdir, tool, tv};
use sigform::DigestAlgorithm;
use sigform::tsp::{TimeStampReq, TimeStampResp, TimestampAuthority, TimestampToken, TspError};
use std::path::{Path, PathBuf};
use std::process::Command;

/// `openssl ts -reply` as a TSA: the test PKI's `tsa` certificate and key, policy 1.2.3.4.1
/// (1.2.3.4.5 on request), accuracy 1.5001 s, ESS signing-certificate-v2 (SHA-256).
pub struct OpensslTsa {
    openssl: PathBuf,
    dir: tempfile::TempDir,
}

impl OpensslTsa {
    pub fn new() -> Option<Self> {
        Self::with_ess("sha256")
    }

    /// `ess_cert_id_alg`: sha256 gives ESS signing-certificate-v2, sha1 signing-certificate.
    pub fn with_ess(ess_cert_id_alg: &str) -> Option<Self> {
        Self::with_certificate("tsa", ess_cert_id_alg)
    }

    /// The test PKI's `tsa-rsa1024`: a TSA whose RSA key of 1024 bits is too short today
    /// (`openssl ts` does not judge key sizes), ESS signing-certificate-v2.
    pub fn rsa1024() -> Option<Self> {
        Self::with_certificate("tsa-rsa1024", "sha256")
    }

    /// The test PKI's `tsa` with every certificate of the test PKI in its tokens (20+ KB
    /// each: larger than the room signing and document timestamps reserve at first).
    pub fn with_large_tokens() -> Option<Self> {
        let tsa = Self::with_certificate("tsa", "sha256")?;
        let mut all = String::new();
        let mut names: Vec<_> = std::fs::read_dir(tv("pki"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "pem"))
            .collect();
        names.sort();
        for p in names {
            let text = std::fs::read_to_string(&p).unwrap();
            for block in text.split("-----BEGIN ").skip(1) {
                if block.starts_with("CERTIFICATE-----") {
                    all.push_str("-----BEGIN ");
                    all.push_str(
                        block
                            .split_inclusive("-----END CERTIFICATE-----\n")
                            .next()
                            .unwrap(),
                    );
                }
            }
        }
        std::fs::write(tsa.path("all-certs.pem"), all).unwrap();
        let config = std::fs::read_to_string(tsa.path("ts.cnf"))
            .unwrap()
            .replace(
                &format!("certs = {}/intermediate-ca.pem", tv("pki").display()),
                &format!("certs = {}", tsa.path("all-certs.pem").display()),
            );
        std::fs::write(tsa.path("ts.cnf"), config).unwrap();
        Some(tsa)
    }

    /// The TSA of the test PKI's `NAME.pem` and `NAME.key.pem`.
    fn with_certificate(name: &str, ess_cert_id_alg: &str) -> Option<Self> {
        let openssl = tool("openssl")?;
        let dir = tempdir();
        let pki = tv("pki");
        let config = format!(
            "[ tsa ]\ndefault_tsa = tsa1\n[ tsa1 ]\nserial = {serial}\ncrypto_device = builtin\n\
             signer_cert = {pki}/{name}.pem\ncerts = {pki}/intermediate-ca.pem\n\
             signer_key = {pki}/{name}.key.pem\nsigner_digest = sha256\ndefault_policy = 1.2.3.4.1\n\
             other_policies = 1.2.3.4.5\ndigests = sha1, sha256, sha384, sha512\n\
             accuracy = secs:1, millisecs:500, microsecs:100\nclock_precision_digits = 3\n\
             ordering = yes\ntsa_name = yes\ness_cert_id_chain = no\ness_cert_id_alg = {ess_cert_id_alg}\n",
            serial = dir.path().join("serial").display(),
            pki = pki.display(),
        );
        std::fs::write(dir.path().join("serial"), "01\n").unwrap();
        std::fs::write(dir.path().join("ts.cnf"), config).unwrap();
        Some(Self { openssl, dir })
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn openssl(&self, args: &[&str]) -> (bool, String) {
        run(Command::new(&self.openssl)
            .args(args)
            .current_dir(self.dir.path()))
    }

    /// `openssl ts -query` over `data` (SHA-256) with `extra` options.
    pub fn query(&self, data: &[u8], extra: &[&str]) -> Vec<u8> {
        std::fs::write(self.path("data"), data).unwrap();
        let mut args = vec!["ts", "-query", "-data", "data", "-sha256", "-out", "q.tsq"];
        args.extend_from_slice(extra);
        let (ok, out) = self.openssl(&args);
        assert!(ok, "openssl ts -query: {out}");
        std::fs::read(self.path("q.tsq")).unwrap()
    }

    /// `openssl ts -reply` to `query`.
    pub fn reply(&self, query: &[u8]) -> Vec<u8> {
        std::fs::write(self.path("q.tsq"), query).unwrap();
        let (ok, out) = self.openssl(&[
            "ts",
            "-reply",
            "-config",
            "ts.cnf",
            "-queryfile",
            "q.tsq",
            "-out",
            "r.tsr",
        ]);
        assert!(ok, "openssl ts -reply: {out}");
        std::fs::read(self.path("r.tsr")).unwrap()
    }

    /// `openssl ts -verify -in RESPONSE -queryfile QUERY -CAfile ROOT -untrusted CHAIN`.
    pub fn verify(
        &self,
        response: &[u8],
        query: &[u8],
        root: &Path,
        untrusted: &Path,
    ) -> (bool, String) {
        std::fs::write(self.path("v.tsr"), response).unwrap();
        std::fs::write(self.path("v.tsq"), query).unwrap();
        let (ran, out) = self.openssl(&[
            "ts",
            "-verify",
            "-in",
            "v.tsr",
            "-queryfile",
            "v.tsq",
            "-CAfile",
            &root.display().to_string(),
            "-untrusted",
            &untrusted.display().to_string(),
        ]);
        (ran && out.contains("Verification: OK"), out)
    }
}

impl TimestampAuthority for OpensslTsa {
    fn timestamp(&self, alg: DigestAlgorithm, digest: &[u8]) -> Result<TimestampToken, TspError> {
        let req = TimeStampReq::new(alg, digest)?;
        let reply = self.reply(&req.to_der()?);
        let token = TimeStampResp::from_der(&reply)?.into_token()?;
        token.check_answers(&req)?;
        Ok(token)
    }
}
