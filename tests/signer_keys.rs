//! Software keys: every format loads, every algorithm signs, openssl accepts the signatures,
//! mismatched keys and wrong passwords are typed errors.

mod common;
use common::*;
use sigform::signer::software::PrivateKey;
use sigform::signer::{Signer, SoftwareSigner};
use sigform::{DigestAlgorithm, KeyError, SignatureAlgorithm};
use std::process::Command;

fn load(name: &str) -> SoftwareSigner {
    test_signer(name, "pki/chain.pem")
}

fn key_err(r: sigform::Result<SoftwareSigner>) -> KeyError {
    match r {
        Err(sigform::Error::Key(k)) => k,
        Err(e) => panic!("expected a key error, got {e}"),
        Ok(_) => panic!("expected a key error, got a signer"),
    }
}

/// Verifies `sig` over `data` with `openssl dgst` (with the PSS options for RSA-PSS) using the
/// certificate's public key.
fn openssl_verify(signer: &SoftwareSigner, data: &[u8], sig: &[u8]) {
    let Some(openssl) = tool("openssl") else {
        return;
    };
    let dir = tempdir();
    let cert = dir.path().join("cert.der");
    let pubkey = dir.path().join("pub.pem");
    let datap = dir.path().join("data.bin");
    let sigp = dir.path().join("sig.bin");
    std::fs::write(&cert, signer.identity().certificate().der()).unwrap();
    std::fs::write(&datap, data).unwrap();
    std::fs::write(&sigp, sig).unwrap();
    let (ok, out) = run(Command::new(&openssl)
        .args(["x509", "-inform", "DER", "-pubkey", "-noout", "-in"])
        .arg(&cert));
    assert!(ok, "{out}");
    std::fs::write(&pubkey, out).unwrap();
    let alg = signer.algorithm();
    let digest = alg.digest().name().replace('-', "").to_ascii_lowercase();
    let dgst = format!("-{digest}");
    let mut cmd = Command::new(&openssl);
    cmd.arg("dgst")
        .arg(&dgst)
        .arg("-verify")
        .arg(&pubkey)
        .arg("-signature")
        .arg(&sigp);
    if let SignatureAlgorithm::RsaPss { salt_len, .. } = alg {
        // each -sigopt takes its value in the same argument
        cmd.args(["-sigopt", "rsa_padding_mode:pss"])
            .arg("-sigopt")
            .arg(format!("rsa_pss_saltlen:{salt_len}"))
            .arg("-sigopt")
            .arg(format!("rsa_mgf1_md:{digest}"));
    }
    cmd.arg(&datap);
    let (ok, out) = run(&mut cmd);
    assert!(
        ok && out.contains("Verified OK"),
        "openssl rejected {}: {out}",
        alg
    );
    // And a flipped bit must be rejected by openssl too (the check above can fail).
    let mut bad = sig.to_vec();
    if let Some(b) = bad.get_mut(sig.len() / 2) {
        *b ^= 1;
    }
    std::fs::write(&sigp, &bad).unwrap();
    let (ok, _) = run(&mut cmd);
    assert!(!ok, "openssl accepted a corrupted signature");
}

#[test]
fn every_key_kind_signs_and_openssl_verifies() {
    let data = b"sigform interop: every key kind".repeat(10);
    let cases: Vec<(&str, Vec<SignatureAlgorithm>)> = vec![
        (
            "signer-rsa2048",
            vec![
                SignatureAlgorithm::RSA_SHA256,
                SignatureAlgorithm::RsaPkcs1v15 {
                    digest: DigestAlgorithm::Sha384,
                },
                SignatureAlgorithm::RsaPkcs1v15 {
                    digest: DigestAlgorithm::Sha512,
                },
                SignatureAlgorithm::RSA_PSS_SHA256,
            ],
        ),
        (
            "signer-rsa3072",
            vec![
                SignatureAlgorithm::RSA_SHA256,
                SignatureAlgorithm::RSA_PSS_SHA256,
            ],
        ),
        ("signer-p256", vec![SignatureAlgorithm::ECDSA_P256_SHA256]),
        ("signer-p384", vec![SignatureAlgorithm::ECDSA_P384_SHA384]),
    ];
    for (name, algs) in cases {
        let base = load(name);
        assert_eq!(
            base.identity().chain().len(),
            2,
            "{name}: intermediate and root embedded"
        );
        for alg in algs {
            let signer = load(name).with_algorithm(alg).expect("algorithm fits");
            assert_eq!(signer.algorithm(), alg);
            let sig = signer.sign(&data).expect("sign");
            openssl_verify(&signer, &data, &sig);
        }
    }
}

#[test]
fn default_algorithms() {
    assert_eq!(
        load("signer-rsa2048").algorithm(),
        SignatureAlgorithm::RSA_SHA256
    );
    assert_eq!(
        load("signer-p256").algorithm(),
        SignatureAlgorithm::ECDSA_P256_SHA256
    );
    assert_eq!(
        load("signer-p384").algorithm(),
        SignatureAlgorithm::ECDSA_P384_SHA384
    );
}

#[test]
fn all_key_formats_load_the_same_key() {
    let cert = tv_bytes("pki/signer-rsa2048.pem");
    for (file, pw) in [
        ("pki/signer-rsa2048.key.pem", None),
        ("pki/signer-rsa2048.key.der", None),
        ("pki/signer-rsa2048.pkcs1.pem", None),
        ("pki/signer-rsa2048.enc.key.pem", Some("sigform")),
        ("pki/signer-rsa2048.enc-3des.key.pem", Some("sigform")),
    ] {
        let s = SoftwareSigner::from_pem_or_der(&tv_bytes(file), pw, &cert, None)
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(s.key().key_type().starts_with("RSA-2048"), "{file}");
    }
    let cert = tv_bytes("pki/signer-p256.pem");
    for (file, pw) in [
        ("pki/signer-p256.key.pem", None),
        ("pki/signer-p256.sec1.pem", None),
        ("pki/signer-p256.sec1.der", None),
        ("pki/signer-p256.enc.key.pem", Some("sigform")),
    ] {
        let s = SoftwareSigner::from_pem_or_der(&tv_bytes(file), pw, &cert, None)
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(s.key().key_type(), "EC-P-256", "{file}");
    }
    // DER certificate works too.
    SoftwareSigner::from_pem_or_der(
        &tv_bytes("pki/signer-rsa2048.key.pem"),
        None,
        &tv_bytes("pki/signer-rsa2048.cert.der"),
        None,
    )
    .expect("DER certificate");
}

#[test]
fn encrypted_key_password_errors() {
    let cert = tv_bytes("pki/signer-rsa2048.pem");
    let key = tv_bytes("pki/signer-rsa2048.enc.key.pem");
    assert_eq!(
        key_err(SoftwareSigner::from_pem_or_der(&key, None, &cert, None)),
        KeyError::PasswordRequired
    );
    assert_eq!(
        key_err(SoftwareSigner::from_pem_or_der(
            &key,
            Some("wrong"),
            &cert,
            None
        )),
        KeyError::WrongPassword
    );
    let key = tv_bytes("pki/signer-p256.enc.key.pem");
    assert_eq!(
        key_err(SoftwareSigner::from_pem_or_der(
            &key,
            Some("nope"),
            &tv_bytes("pki/signer-p256.pem"),
            None
        )),
        KeyError::WrongPassword
    );
}

#[test]
fn key_certificate_mismatch_is_refused() {
    for (key, cert) in [
        ("pki/signer-rsa2048.key.pem", "pki/signer-rsa3072.pem"),
        ("pki/signer-p256.key.pem", "pki/signer-rsa2048.pem"),
        ("pki/signer-p384.key.pem", "pki/signer-p256.pem"),
        ("pki/other-signer-rsa2048.key.pem", "pki/signer-rsa2048.pem"),
    ] {
        let err = key_err(SoftwareSigner::from_pem_or_der(
            &tv_bytes(key),
            None,
            &tv_bytes(cert),
            None,
        ));
        assert!(
            matches!(err, KeyError::KeyCertificateMismatch { .. }),
            "{key} vs {cert}: {err:?}"
        );
    }
}

#[test]
fn short_rsa_keys_are_refused() {
    let err = key_err(SoftwareSigner::from_pem_or_der(
        &tv_bytes("pki/signer-rsa1024.key.pem"),
        None,
        &tv_bytes("pki/signer-rsa1024.pem"),
        None,
    ));
    assert_eq!(
        err,
        KeyError::KeyTooShort {
            bits: 1024,
            min: 2048
        }
    );
}

#[test]
fn algorithm_must_fit_the_key() {
    let s = load("signer-p256");
    assert!(matches!(
        s.with_algorithm(SignatureAlgorithm::RSA_SHA256),
        Err(KeyError::AlgorithmMismatch { .. })
    ));
    let s = load("signer-rsa2048");
    assert!(
        s.with_algorithm(SignatureAlgorithm::RsaPkcs1v15 {
            digest: DigestAlgorithm::Sha1
        })
        .is_err()
    );
}

#[test]
fn garbage_keys_are_typed_errors() {
    for bad in [
        &b""[..],
        b"not a key",
        b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        b"-----BEGIN PRIVATE KEY-----\nMIIB",
        &[0x30, 0x82, 0xff, 0xff, 0x02, 0x01, 0x00],
    ] {
        assert!(PrivateKey::from_pem_or_der(bad, None).is_err());
    }
    // Truncations of a real key never panic.
    let der = tv_bytes("pki/signer-rsa2048.key.der");
    for n in (0..der.len()).step_by(7) {
        let _ = PrivateKey::from_pem_or_der(&der[..n], None);
    }
}

#[test]
fn debug_output_holds_no_key_material() {
    let s = load("signer-rsa2048");
    let dbg = format!("{:?}", s.key());
    assert_eq!(dbg, "PrivateKey(RSA-2048)");
}

#[test]
fn pkcs12_a1_files_sign_and_openssl_verifies() {
    use sigform::signer::pkcs12::Pkcs12Error;
    let data = b"A1 certificate signing";
    for (file, subject_part, chain_len) in [
        ("pki/signer-rsa2048.p12", "Alice", 2),
        ("pki/signer-rsa2048-legacy.p12", "Alice", 2),
        ("pki/signer-p256.p12", "Carol", 2),
        ("pki/icp-pf.p12", "Jo", 2),
        ("pki/icp-pf-legacy.p12", "Jo", 2),
    ] {
        let s = SoftwareSigner::from_pkcs12_file(tv(file), "sigform")
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(
            s.identity().certificate().subject().contains(subject_part),
            "{file}"
        );
        assert!(
            s.identity().chain().len() >= chain_len - 1,
            "{file}: chain {}",
            s.identity().chain().len()
        );
        let sig = s.sign(data).unwrap();
        openssl_verify(&s, data, &sig);
        match SoftwareSigner::from_pkcs12_file(tv(file), "wrong password") {
            Err(sigform::Error::Pkcs12(Pkcs12Error::WrongPassword)) => {}
            other => panic!(
                "{file}: expected WrongPassword, got {:?}",
                other.map(|_| ())
            ),
        }
    }
    // A tampered file is a typed error, never garbage.
    let mut bytes = tv_bytes("pki/signer-rsa2048-legacy.p12");
    let n = bytes.len() / 2;
    bytes[n] ^= 0x55;
    assert!(matches!(
        SoftwareSigner::from_pkcs12(&bytes, "sigform"),
        Err(sigform::Error::Pkcs12(_))
    ));
}

#[test]
fn cli_key_info_and_exit_codes() {
    let p12 = tv("pki/signer-rsa2048.p12");
    let key_info = [
        "key",
        "info",
        "--p12",
        arg(&p12),
        "--pass-env",
        "SIGFORM_TEST_PASS",
    ];
    let (code, out, err) = sigform_env(&key_info, &[("SIGFORM_TEST_PASS", "sigform".as_ref())]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Alice RSA2048"));
    // wrong password: input error, exit 2, message on stderr
    let (code, _, err) = sigform_env(&key_info, &[("SIGFORM_TEST_PASS", "nope".as_ref())]);
    assert_eq!(code, 2);
    assert!(err.contains("wrong password"));
    // usage error: exit 2
    let (code, _, _) = sigform(&["key", "info", "--bogus"]);
    assert_eq!(code, 2);
    // a key that does not match its certificate: exit 2, no output file left
    let dir = tempdir();
    let target = dir.path().join("sig.bin");
    let (code, _, _) = sigform(&[
        "sign",
        "raw",
        arg(&tv("docs/sample.txt")),
        "-o",
        arg(&target),
        "--key",
        arg(&tv("pki/signer-p256.key.pem")),
        "--cert",
        arg(&tv("pki/signer-rsa2048.pem")),
    ]);
    assert_eq!(code, 2);
    assert!(!target.exists());
    assert!(
        std::fs::read_dir(dir.path()).unwrap().next().is_none(),
        "no partial file"
    );
}
