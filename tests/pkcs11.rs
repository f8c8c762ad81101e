//! PKCS#11 signing through SoftHSM2: CAdES and PAdES with RSA and P-256 keys on a token, judged
//! by `openssl cms -verify` and `pdfsig`; the typed errors (wrong PIN, missing token or key,
//! unsupported mechanism, missing or mismatched certificate); concurrency, re-login, batch
//! signing and the CLI.
#![cfg(feature = "pkcs11")]

mod common;
use common::softhsm::{PIN, SoftHsm};
use common::*;
use sigform::CertificateDer;
use sigform::VerifyOptions;
use sigform::batch::{BatchJob, sign_batch};
use sigform::cades::{self, CadesOptions};
use sigform::pades::sign::PadesOptions;
use sigform::report::Indication;
use sigform::signer::pkcs11::{KeySelector, PinSource, Pkcs11Config, Pkcs11Signer, TokenSelector};
use sigform::signer::{Signer, SignerError};
use sigform::{DigestAlgorithm, Error, KeyError, SignatureAlgorithm};
use std::path::Path;
use std::sync::{Arc, OnceLock};
use zeroize::Zeroizing;

/// The main token: `rsa` (id 01) and `p256` (id 02) with certificates, the intermediate CA
/// certificate (id 0a), and `nocert` (id 03), a key without a certificate.
const TOKEN: &str = "sigform";
/// A token used only for wrong-PIN attempts (a login is per process and token: a successful
/// one elsewhere would hide the wrong PIN).
const PIN_TOKEN: &str = "sigform-pin";
/// A token used only by the logout test (a logout ends the login of every session of the
/// process on the token, which would disturb the tests running beside it).
const LOGOUT_TOKEN: &str = "sigform-logout";
/// SoftHSM's mechanisms minus SHA-384 RSA PKCS#1 (so RSA-SHA384 goes through CKM_RSA_PKCS and
/// a DigestInfo), plain CKM_RSA_PKCS_PSS and CKM_SHA512_RSA_PKCS_PSS (so RSA-PSS-SHA512 has no
/// mechanism). SoftHSM 2.6.1 skips the first entry of the list: it is repeated.
const MECHANISMS: &str =
    "-CKM_SHA384_RSA_PKCS,CKM_SHA384_RSA_PKCS,CKM_RSA_PKCS_PSS,CKM_SHA512_RSA_PKCS_PSS";
const PIN_VAR: &str = "SIGFORM_TEST_TOKEN_PIN";

/// One token store per test process: SoftHSM reads `SOFTHSM2_CONF` once, at `C_Initialize`.
fn hsm() -> Option<&'static SoftHsm> {
    static HSM: OnceLock<Option<SoftHsm>> = OnceLock::new();
    HSM.get_or_init(|| {
        let hsm = SoftHsm::new(Some(MECHANISMS))?;
        hsm.init_token(TOKEN);
        hsm.import_key(TOKEN, "rsa", "01", &tv("pki/signer-rsa2048.key.pem"));
        hsm.import_cert(TOKEN, "rsa", "01", &tv("pki/signer-rsa2048.pem"));
        hsm.import_key(TOKEN, "p256", "02", &tv("pki/signer-p256.key.pem"));
        hsm.import_cert(TOKEN, "p256", "02", &tv("pki/signer-p256.pem"));
        hsm.import_cert(TOKEN, "ca", "0a", &tv("pki/intermediate-ca.pem"));
        hsm.import_key(
            TOKEN,
            "nocert",
            "03",
            &tv("pki/other-signer-rsa2048.key.pem"),
        );
        hsm.init_token(PIN_TOKEN);
        hsm.import_key(PIN_TOKEN, "p256", "01", &tv("pki/signer-p256.key.pem"));
        hsm.init_token(LOGOUT_TOKEN);
        hsm.import_key(LOGOUT_TOKEN, "p256", "01", &tv("pki/signer-p256.key.pem"));
        hsm.import_cert(LOGOUT_TOKEN, "p256", "01", &tv("pki/signer-p256.pem"));
        // SAFETY: set once, before any PKCS#11 call of this process (every test reaches the
        // module through this function, and waits here until it returns). Rust's own
        // environment accesses are locked; no C code of this process reads the environment
        // concurrently at this point.
        unsafe {
            std::env::set_var("SOFTHSM2_CONF", &hsm.conf);
            std::env::set_var(PIN_VAR, PIN);
        }
        Some(hsm)
    })
    .as_ref()
}

fn pin(p: &str) -> PinSource {
    let p = p.to_string();
    PinSource::Callback(Arc::new(move || Ok(Zeroizing::new(p.clone()))))
}

fn config(hsm: &SoftHsm, key: &str) -> Pkcs11Config {
    Pkcs11Config::new(
        &hsm.module,
        TokenSelector::Label(TOKEN.into()),
        KeySelector::Label(key.into()),
        pin(PIN),
    )
}

fn open(cfg: Pkcs11Config) -> Pkcs11Signer {
    Pkcs11Signer::open(cfg).unwrap_or_else(|e| panic!("opening the token key: {e}"))
}

fn open_err(cfg: Pkcs11Config) -> Error {
    match Pkcs11Signer::open(cfg) {
        Ok(s) => panic!("expected an error, got {s:?}"),
        Err(e) => e,
    }
}

fn verify_trusted(p7s: &[u8], content: &[u8]) {
    let opts = VerifyOptions {
        trust: Some(sigform::x509::TrustStore::from_pem(&tv_bytes("pki/root-ca.pem")).unwrap()),
        ..Default::default()
    };
    let mut c = content;
    let r = cades::verify(p7s, Some(&mut c), &opts).unwrap();
    assert_eq!(
        r.signatures[0].indication,
        Indication::TotalPassed,
        "{:#?}",
        r.signatures[0]
    );
}

fn openssl_verify(p7s: &[u8], content: &[u8]) {
    openssl_cms_verify(p7s, Some(content), true)
}

/// `pdfsig` with an NSS database trusting the test root: the signature is valid and trusted.
fn pdfsig_verify(pdf: &Path) {
    let Some(out) = pdfsig_trusting(pdf) else {
        return;
    };
    assert!(
        out.contains("Signature Validation: Signature is Valid.")
            && out.contains("Certificate Validation: Certificate is Trusted."),
        "pdfsig: {out}"
    );
}

fn sign_pdf(signer: &dyn Signer, out: &Path) {
    sigform::pades::sign::sign_file(
        tv("docs/sample-2pages.pdf"),
        out,
        signer,
        &PadesOptions::default(),
    )
    .unwrap_or_else(|e| panic!("PAdES through the token: {e}"));
}

#[test]
fn rsa_and_p256_keys_sign_cades_and_pades_that_openssl_and_pdfsig_accept() {
    let Some(hsm) = hsm() else { return };
    let doc = tv_bytes("docs/sample.txt");
    let dir = tempdir();
    for (key, alg, mechanism) in [
        ("rsa", None, "CKM_SHA256_RSA_PKCS"),
        (
            "rsa",
            Some(SignatureAlgorithm::RsaPkcs1v15 {
                digest: DigestAlgorithm::Sha384,
            }),
            "CKM_RSA_PKCS",
        ),
        (
            "rsa",
            Some(SignatureAlgorithm::RSA_PSS_SHA256),
            "CKM_SHA256_RSA_PKCS_PSS",
        ),
        ("p256", None, "CKM_ECDSA"),
    ] {
        let mut cfg = config(hsm, key);
        if let Some(a) = alg {
            cfg = cfg.with_algorithm(a);
        }
        let signer = open(cfg);
        let what = format!("{key} {}", signer.algorithm());
        assert_eq!(signer.mechanism(), mechanism, "{what}");
        // The intermediate comes from the token.
        assert_eq!(signer.identity().chain().len(), 1, "{what}");
        assert!(
            signer.identity().chain()[0]
                .subject()
                .contains("Intermediate")
        );

        let p7s = cades::sign(&doc[..], &signer, &CadesOptions::default())
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        verify_trusted(&p7s, &doc);
        openssl_verify(&p7s, &doc);

        // pdfsig (NSS) does not take RSA-PSS in CMS; the other three go through it.
        if !matches!(signer.algorithm(), SignatureAlgorithm::RsaPss { .. }) {
            let out = dir.path().join(format!("{key}-{}.pdf", signer.algorithm()));
            sign_pdf(&signer, &out);
            pdfsig_verify(&out);
        }
    }
}

#[test]
fn key_by_id_and_pin_from_the_environment() {
    let Some(hsm) = hsm() else { return };
    let signer = open(Pkcs11Config::new(
        &hsm.module,
        TokenSelector::Label(TOKEN.into()),
        KeySelector::Id(vec![0x02]),
        PinSource::Env(PIN_VAR.into()),
    ));
    assert_eq!(signer.algorithm(), SignatureAlgorithm::ECDSA_P256_SHA256);
    assert!(signer.identity().certificate().subject().contains("P256"));
    let debug = format!("{signer:?}");
    assert!(!debug.contains(PIN), "{debug}");
    let doc = b"by id".to_vec();
    let p7s = cades::sign(&doc[..], &signer, &CadesOptions::default()).unwrap();
    verify_trusted(&p7s, &doc);
}

#[test]
fn wrong_pin_is_a_typed_error() {
    let Some(hsm) = hsm() else { return };
    let cfg = Pkcs11Config::new(
        &hsm.module,
        TokenSelector::Label(PIN_TOKEN.into()),
        KeySelector::Label("p256".into()),
        pin("999999"),
    );
    let e = open_err(cfg);
    assert!(
        matches!(&e, Error::Signer(SignerError::WrongPin(t)) if t.contains(PIN_TOKEN)),
        "{e}"
    );
    assert!(!e.to_string().contains("999999"));
}

#[test]
fn missing_token_and_missing_key_are_typed_errors() {
    let Some(hsm) = hsm() else { return };
    let e = open_err(Pkcs11Config::new(
        &hsm.module,
        TokenSelector::Label("no-such-token".into()),
        KeySelector::Label("rsa".into()),
        pin(PIN),
    ));
    assert!(
        matches!(&e, Error::Signer(SignerError::TokenNotFound(m)) if m.contains(TOKEN)),
        "{e}"
    );
    let e = open_err(Pkcs11Config::new(
        &hsm.module,
        TokenSelector::Slot(987_654_321),
        KeySelector::Label("rsa".into()),
        pin(PIN),
    ));
    assert!(
        matches!(e, Error::Signer(SignerError::TokenNotFound(_))),
        "{e}"
    );
    let e = open_err(config(hsm, "no-such-key"));
    assert!(
        matches!(&e, Error::Signer(SignerError::KeyNotFound(m)) if m.contains("no-such-key")),
        "{e}"
    );
    let e = open_err(Pkcs11Config::new(
        "/nonexistent/libpkcs11.so",
        TokenSelector::Label(TOKEN.into()),
        KeySelector::Label("rsa".into()),
        pin(PIN),
    ));
    assert!(
        matches!(e, Error::Signer(SignerError::Unavailable(_))),
        "{e}"
    );
}

#[test]
fn mechanism_the_token_lacks_is_a_typed_error() {
    let Some(hsm) = hsm() else { return };
    let e = open_err(
        config(hsm, "rsa").with_algorithm(SignatureAlgorithm::RsaPss {
            digest: DigestAlgorithm::Sha512,
            salt_len: 64,
        }),
    );
    assert!(
        matches!(&e, Error::Signer(SignerError::MechanismNotSupported(m))
            if m.contains("CKM_SHA512_RSA_PKCS_PSS")),
        "{e}"
    );
    // An algorithm that does not fit the key is refused before any mechanism is looked at.
    let e = open_err(config(hsm, "p256").with_algorithm(SignatureAlgorithm::RSA_SHA256));
    assert!(
        matches!(e, Error::Key(KeyError::AlgorithmMismatch { .. })),
        "{e}"
    );
}

#[test]
fn certificate_supplied_missing_or_mismatched() {
    let Some(hsm) = hsm() else { return };
    let e = open_err(config(hsm, "nocert"));
    assert!(matches!(e, Error::Key(KeyError::NoCertificate)), "{e}");
    let cert = |f: &str| CertificateDer::parse_many(&tv_bytes(f)).unwrap().remove(0);
    let e = open_err(config(hsm, "nocert").with_certificate(cert("pki/signer-rsa2048.pem")));
    assert!(
        matches!(e, Error::Key(KeyError::KeyCertificateMismatch { .. })),
        "{e}"
    );
    let e = open_err(config(hsm, "p256").with_certificate(cert("pki/signer-p384.pem")));
    assert!(
        matches!(e, Error::Key(KeyError::KeyCertificateMismatch { .. })),
        "{e}"
    );
    let signer = open(
        config(hsm, "nocert")
            .with_certificate(cert("pki/other-signer-rsa2048.pem"))
            .with_chain(vec![]),
    );
    assert!(signer.identity().chain().is_empty());
    let doc = b"supplied certificate".to_vec();
    let p7s = cades::sign(&doc[..], &signer, &CadesOptions::default()).unwrap();
    let mut c = &doc[..];
    let r = cades::verify(&p7s, Some(&mut c), &VerifyOptions::default()).unwrap();
    assert!(
        r.signatures[0]
            .checks
            .iter()
            .all(|c| c.passed || c.name == "trust"),
        "{:#?}",
        r.signatures[0]
    );
}

#[test]
fn many_threads_share_a_bounded_session_pool() {
    let Some(hsm) = hsm() else { return };
    for key in ["rsa", "p256"] {
        let signer = open(config(hsm, key).with_max_sessions(3));
        let signatures: Vec<(Vec<u8>, Vec<u8>)> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..6)
                .map(|t| {
                    let signer = &signer;
                    s.spawn(move || {
                        (0..8)
                            .map(|i| {
                                let msg = format!("thread {t} message {i}").into_bytes();
                                let sig = signer.sign(&msg).expect("sign");
                                (msg, sig)
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap())
                .collect()
        });
        assert!(signer.open_sessions() <= 3, "{}", signer.open_sessions());
        let spki = signer
            .identity()
            .certificate()
            .certificate()
            .tbs_certificate()
            .subject_public_key_info()
            .to_der_vec();
        for (msg, sig) in &signatures {
            sigform::crypto::verify_signature(&spki, signer.algorithm(), msg, sig)
                .unwrap_or_else(|e| panic!("{key}: {e}"));
        }
    }
}

trait ToDerVec {
    fn to_der_vec(&self) -> Vec<u8>;
}
impl<T: der::Encode> ToDerVec for T {
    fn to_der_vec(&self) -> Vec<u8> {
        self.to_der().unwrap()
    }
}

#[test]
fn a_lost_login_is_restored() {
    let Some(hsm) = hsm() else { return };
    let signer = open(
        Pkcs11Config::new(
            &hsm.module,
            TokenSelector::Label(LOGOUT_TOKEN.into()),
            KeySelector::Label("p256".into()),
            pin(PIN),
        )
        .with_max_sessions(2),
    );
    signer.sign(b"before").unwrap();
    // Logging out ends the login of every session of this process on the token: the pooled
    // sessions now fail with CKR_USER_NOT_LOGGED_IN (or an invalid key handle), are reopened
    // and logged in again.
    signer.logout().unwrap();
    for _ in 0..3 {
        signer.sign(b"after").unwrap();
    }
    drop(signer);

    // A PIN the token refuses at a re-login is never tried again (a smart card would lock).
    let calls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = calls.clone();
    let changing_pin = PinSource::Callback(Arc::new(move || {
        let n = counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Ok(Zeroizing::new(
            if n == 0 { PIN } else { "000000" }.to_string(),
        ))
    }));
    let signer = open(Pkcs11Config::new(
        &hsm.module,
        TokenSelector::Label(LOGOUT_TOKEN.into()),
        KeySelector::Label("p256".into()),
        changing_pin,
    ));
    signer.sign(b"logged in").unwrap();
    signer.logout().unwrap();
    for _ in 0..3 {
        let e = signer.sign(b"wrong PIN now").unwrap_err();
        assert!(matches!(e, SignerError::WrongPin(_)), "{e}");
    }
    assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 2);
}

#[test]
fn batch_signs_cades_and_pades_and_isolates_a_bad_document() {
    let Some(hsm) = hsm() else { return };
    let signer = open(config(hsm, "rsa"));
    let doc = tv_bytes("docs/sample.txt");
    let pdf = tv_bytes("docs/sample-2pages.pdf");
    let mut jobs = Vec::new();
    for i in 0..6 {
        jobs.push(BatchJob::cades([&doc[..], &[i as u8]].concat()));
        jobs.push(BatchJob::pades(pdf.clone()));
    }
    jobs.insert(
        3,
        BatchJob::pades(b"%PDF-1.7\nthis is not a PDF\n%%EOF\n".to_vec()),
    );
    let results = sign_batch(&signer, &jobs, 2);
    assert_eq!(results.len(), jobs.len());
    let dir = tempdir();
    for (i, (job, r)) in jobs.iter().zip(&results).enumerate() {
        match job {
            BatchJob::Pades { pdf: p, .. } if !p.starts_with(&pdf) => {
                assert!(r.is_err(), "the bad PDF failed");
            }
            BatchJob::Cades { content, .. } => {
                let p7s = r.as_ref().unwrap_or_else(|e| panic!("job {i}: {e}"));
                verify_trusted(p7s, content);
            }
            BatchJob::Pades { .. } => {
                let signed = r.as_ref().unwrap_or_else(|e| panic!("job {i}: {e}"));
                assert!(signed.starts_with(&pdf));
                if i == 1 {
                    let out = dir.path().join("batch.pdf");
                    std::fs::write(&out, signed).unwrap();
                    pdfsig_verify(&out);
                }
            }
        }
    }
}

fn cli(hsm: &SoftHsm, args: &[&str], pin: &str) -> (i32, String) {
    let mut args = args.to_vec();
    args.extend([
        "--pkcs11-module",
        arg(&hsm.module),
        "--token-label",
        TOKEN,
        "--pin-env",
        "CLI_PIN",
    ]);
    let (code, out, err) = sigform_env(
        &args,
        &[
            ("SOFTHSM2_CONF", hsm.conf.as_os_str()),
            ("CLI_PIN", pin.as_ref()),
        ],
    );
    (code, out + &err)
}

#[test]
fn cli_signs_cades_and_pades_with_token_keys() {
    // A token store of its own: SoftHSM's file store is not safe to read in one process (the
    // CLI) while another (this test process) rewrites a token's files, e.g. at each login.
    let Some(hsm) = SoftHsm::new(None) else {
        return;
    };
    let hsm = &hsm;
    hsm.init_token(TOKEN);
    hsm.import_key(TOKEN, "rsa", "01", &tv("pki/signer-rsa2048.key.pem"));
    hsm.import_cert(TOKEN, "rsa", "01", &tv("pki/signer-rsa2048.pem"));
    hsm.import_key(TOKEN, "p256", "02", &tv("pki/signer-p256.key.pem"));
    hsm.import_cert(TOKEN, "p256", "02", &tv("pki/signer-p256.pem"));
    hsm.import_cert(TOKEN, "ca", "0a", &tv("pki/intermediate-ca.pem"));
    let dir = tempdir();
    let doc = tv("docs/sample.txt");
    let doc_s = doc.to_str().unwrap();
    for key in ["rsa", "p256"] {
        let p7s = dir.path().join(format!("{key}.p7s"));
        let (code, out) = cli(
            hsm,
            &[
                "sign",
                "cades",
                doc_s,
                "-o",
                p7s.to_str().unwrap(),
                "--key-label",
                key,
            ],
            PIN,
        );
        assert_eq!(code, 0, "{out}");
        openssl_verify(&std::fs::read(&p7s).unwrap(), &tv_bytes("docs/sample.txt"));

        let pdf = dir.path().join(format!("{key}.pdf"));
        let (code, out) = cli(
            hsm,
            &[
                "sign",
                "pades",
                tv("docs/sample-2pages.pdf").to_str().unwrap(),
                "-o",
                pdf.to_str().unwrap(),
                "--key-label",
                key,
            ],
            PIN,
        );
        assert_eq!(code, 0, "{out}");
        pdfsig_verify(&pdf);
    }
    // A batch on the token: one login, every document signed, each judged by openssl.
    let batch_dir = dir.path().join("batch");
    let inputs: Vec<std::path::PathBuf> = (0..4)
        .map(|i| {
            let p = dir.path().join(format!("doc{i}.txt"));
            std::fs::write(&p, format!("batch document {i}\n")).unwrap();
            p
        })
        .collect();
    let mut args: Vec<&str> = vec!["sign", "cades"];
    args.extend(inputs.iter().map(|p| p.to_str().unwrap()));
    args.extend(["--out-dir", batch_dir.to_str().unwrap(), "--threads", "2"]);
    args.extend(["--key-label", "rsa"]);
    let (code, out) = cli(hsm, &args, PIN);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("4 signed, 0 failed"), "{out}");
    for (i, input) in inputs.iter().enumerate() {
        let p7s = std::fs::read(batch_dir.join(format!("doc{i}.txt.p7s"))).unwrap();
        openssl_verify(&p7s, &std::fs::read(input).unwrap());
    }
    let (code, out) = cli(hsm, &["key", "info", "--key-label", "rsa"], PIN);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("CKM_SHA256_RSA_PKCS"), "{out}");

    // A wrong PIN: exit 2, a clear message, no output file, no PIN echoed.
    let bad = dir.path().join("bad.p7s");
    let (code, out) = cli(
        hsm,
        &[
            "sign",
            "cades",
            doc_s,
            "-o",
            bad.to_str().unwrap(),
            "--key-label",
            "rsa",
        ],
        "111111",
    );
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("wrong PIN"), "{out}");
    assert!(!out.contains("111111"), "{out}");
    assert!(!bad.exists());
}
