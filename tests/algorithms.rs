//! Algorithms real-world signers use (issue #14 item 6): ECDSA P-521 and ECDSA with SHA-224 /
//! SHA-512, Ed25519 (RFC 8419), SHA-3, RSASSA-PSS with any RFC 4055 parameter set, and the
//! policy cases (SHA-1 weak, RSA-1024 refused, Ed448 unsupported). The files come from
//! `test-vectors/algs/generate.sh` (OpenSSL, and pyHanko for Ed25519); certificates chain to
//! the test root, some signed with Ed25519, ECDSA P-521 and SHA3-256, and RSASSA-PSS.

mod common;
use common::*;
use sigform::VerifyOptions;
use sigform::cades;
use sigform::report::{Indication, SubIndication, ValidationReport};

const GOOD: &[&str] = &[
    "ed25519",
    "p521-sha512",
    "p521-sha224",
    "p256-sha512",
    "p256-sha224",
    "p256-sha3-256",
    "rsa-sha224",
    "rsa-sha3-256",
    "rsa-sha3-512",
    "pss-sha256-mgf512-salt0",
    "pss-sha256-mgf256-salt20",
    "pss-sha512-mgf256-salt64",
    "pss-sha256-salt-max",
];

fn content() -> Vec<u8> {
    tv_bytes("algs/content.txt")
}

fn options(root: &str) -> VerifyOptions {
    VerifyOptions {
        trust: Some(sigform::TrustStore::from_pem(&tv_bytes(root)).expect("root")),
        ..Default::default()
    }
}

fn verify_with(cms: &[u8], content: Option<&[u8]>, root: &str) -> ValidationReport {
    let mut c = content.map(std::io::Cursor::new);
    cades::verify(
        cms,
        c.as_mut().map(|c| c as &mut dyn std::io::Read),
        &options(root),
    )
    .expect("parses")
}

/// The detached file with the content, and the attached one.
fn both(name: &str) -> [(String, ValidationReport); 2] {
    let d = tv_bytes(&format!("algs/{name}.p7s"));
    let a = tv_bytes(&format!("algs/{name}.p7m"));
    [
        (
            format!("{name}.p7s"),
            verify_with(&d, Some(&content()), "pki/root-ca.pem"),
        ),
        (
            format!("{name}.p7m"),
            verify_with(&a, None, "pki/root-ca.pem"),
        ),
    ]
}

fn only(r: &ValidationReport) -> &sigform::SignatureReport {
    assert_eq!(r.signatures.len(), 1);
    &r.signatures[0]
}

#[test]
fn every_algorithm_verifies_with_the_test_root() {
    for name in GOOD {
        for (file, r) in both(name) {
            let s = only(&r);
            assert_eq!(
                s.indication,
                Indication::TotalPassed,
                "{file}: {:?} {:?}",
                failed_checks(s),
                s.warnings
            );
        }
    }
}

#[test]
fn algorithm_names_are_reported() {
    let name_of = |f: &str| {
        let [(_, r), _] = both(f);
        only(&r).signature_algorithm.clone().unwrap_or_default()
    };
    assert_eq!(name_of("ed25519"), "Ed25519");
    assert_eq!(name_of("p521-sha512"), "ECDSA-P-521-SHA-512");
    assert_eq!(name_of("p256-sha224"), "ECDSA-P-256-SHA-224");
    assert_eq!(name_of("p256-sha3-256"), "ECDSA-P-256-SHA3-256");
    assert_eq!(name_of("rsa-sha3-256"), "RSA-PKCS1v15-SHA3-256");
    assert_eq!(
        name_of("pss-sha256-mgf512-salt0"),
        "RSA-PSS-SHA-256-MGF1-SHA-512-salt0"
    );
    assert_eq!(
        name_of("pss-sha256-mgf256-salt20"),
        "RSA-PSS-SHA-256-salt20"
    );
}

#[test]
fn pss_with_sha1_defaults_is_weak_not_failed() {
    for (file, r) in both("pss-sha1-defaults") {
        let s = only(&r);
        assert_ne!(
            s.indication,
            Indication::TotalFailed,
            "{file}: {:?}",
            failed_checks(s)
        );
        assert!(
            s.warnings.iter().any(|w| w.contains("SHA-1")),
            "{file}: {:?}",
            s.warnings
        );
    }
}

#[test]
fn rsa_1024_is_indeterminate_with_the_key_size() {
    let r = verify_with(
        &tv_bytes("algs/rsa1024.p7s"),
        Some(&content()),
        "pki/root-ca.pem",
    );
    let s = only(&r);
    assert_eq!(s.indication, Indication::Indeterminate);
    assert_eq!(
        s.sub_indication,
        Some(SubIndication::CryptoConstraintsFailure)
    );
    assert!(
        failed_checks(s).iter().any(|c| c.contains("1024")),
        "{:?}",
        failed_checks(s)
    );
}

#[test]
fn flipped_signature_bits_fail() {
    for name in GOOD.iter().chain(&["pss-sha1-defaults"]) {
        for ext in ["p7s", "p7m"] {
            let mut cms = tv_bytes(&format!("algs/{name}.{ext}"));
            // No unsigned attributes: the signature value ends the file.
            let last = cms.len() - 1;
            cms[last] ^= 0x01;
            let c = content();
            let r = verify_with(&cms, (ext == "p7s").then_some(&c[..]), "pki/root-ca.pem");
            let s = only(&r);
            assert_eq!(s.indication, Indication::TotalFailed, "{name}.{ext}");
            assert_eq!(
                s.sub_indication,
                Some(SubIndication::SigCryptoFailure),
                "{name}.{ext}"
            );
        }
    }
}

#[test]
fn other_content_fails() {
    for name in GOOD {
        let cms = tv_bytes(&format!("algs/{name}.p7s"));
        let mut c = content();
        c[0] ^= 0x20;
        let r = verify_with(&cms, Some(&c), "pki/root-ca.pem");
        assert_eq!(only(&r).indication, Indication::TotalFailed, "{name}");
    }
}

#[test]
fn another_root_is_not_trusted() {
    for name in GOOD {
        let cms = tv_bytes(&format!("algs/{name}.p7s"));
        let r = verify_with(&cms, Some(&content()), "pki/other-root-ca.pem");
        assert_ne!(only(&r).indication, Indication::TotalPassed, "{name}");
    }
}

/// Replaces the last occurrence of `from` (in the SignerInfo, after the certificates).
fn patch_last(cms: &mut [u8], from: &[u8], to: &[u8]) {
    let at = cms
        .windows(from.len())
        .rposition(|w| w == from)
        .expect("pattern present");
    cms[at..at + to.len()].copy_from_slice(to);
}

#[test]
fn changed_pss_parameters_fail() {
    const SHA512: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03];
    const SHA384: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02];
    let cases: [(&str, &[u8], &[u8]); 4] = [
        // saltLength 222 (the maximum) -> 221, 0 -> 1, 64 -> 32 (20, the default, is omitted).
        (
            "pss-sha256-salt-max",
            &[0xa2, 0x04, 0x02, 0x02, 0x00, 0xde],
            &[0xa2, 0x04, 0x02, 0x02, 0x00, 0xdd],
        ),
        (
            "pss-sha256-mgf512-salt0",
            &[0xa2, 0x03, 0x02, 0x01, 0x00],
            &[0xa2, 0x03, 0x02, 0x01, 0x01],
        ),
        (
            "pss-sha512-mgf256-salt64",
            &[0xa2, 0x03, 0x02, 0x01, 0x40],
            &[0xa2, 0x03, 0x02, 0x01, 0x20],
        ),
        // MGF1 with SHA-512 -> SHA-384.
        ("pss-sha256-mgf512-salt0", SHA512, SHA384),
    ];
    for (name, from, to) in cases {
        let mut cms = tv_bytes(&format!("algs/{name}.p7s"));
        patch_last(&mut cms, from, to);
        let r = verify_with(&cms, Some(&content()), "pki/root-ca.pem");
        let s = only(&r);
        assert_eq!(
            s.indication,
            Indication::TotalFailed,
            "{name}: {:?}",
            failed_checks(s)
        );
        assert_eq!(
            s.sub_indication,
            Some(SubIndication::SigCryptoFailure),
            "{name}"
        );
    }
}

#[test]
fn ed448_is_reported_unsupported() {
    let certs =
        sigform::CertificateDer::parse_many(&tv_bytes("algs/signer-ed448.pem")).expect("pem");
    let cert = &certs[0];
    let spki = sigform::asn1::cert::cert_fields(cert.der())
        .expect("fields")
        .spki
        .to_vec();
    let e = sigform::crypto::public_key_kind(&spki).expect_err("Ed448 is not verified");
    assert!(e.to_string().contains("Ed448"), "{e}");
    let id = spki::AlgorithmIdentifierOwned {
        oid: "1.3.101.113".parse().expect("oid"),
        parameters: None,
    };
    let e = sigform::alg::signature_algorithm_from_identifier(&id, None, None).expect_err("Ed448");
    assert!(e.to_string().contains("Ed448"), "{e}");
}

#[test]
fn openssl_accepts_the_files_it_can_read() {
    // OpenSSL 3.0 verifies neither CMS EdDSA nor certificates signed with ECDSA-SHA3 (P-256
    // signer): those are left to sigform and pyHanko.
    for name in GOOD
        .iter()
        .filter(|n| **n != "ed25519" && !n.starts_with("p256"))
    {
        let d = tv_bytes(&format!("algs/{name}.p7s"));
        openssl_cms_verify(&d, Some(&content()), false);
        let a = tv_bytes(&format!("algs/{name}.p7m"));
        openssl_cms_verify(&a, None, false);
    }
}

#[test]
fn pyhanko_accepts_the_ed25519_cms() {
    let d = tv_bytes("algs/ed25519.p7s");
    let a = tv_bytes("algs/ed25519.p7m");
    for (file, cms, c) in [("p7s", &d, Some(content())), ("p7m", &a, None)] {
        let Some((ok, out)) = pyhanko_cms_validate(cms, c.as_deref()) else {
            return;
        };
        assert!(ok, "pyHanko rejects ed25519.{file}: {out}");
    }
}

const PADES: &[(&str, &str)] = &[
    ("pades-ed25519", "Ed25519"),
    ("pades-p521", "ECDSA-P-521-SHA-512"),
    ("pades-rsa-pss", "RSA-PSS-SHA-256-salt222"),
];

fn verify_pdf(path: &std::path::Path) -> ValidationReport {
    sigform::verify_file(path, None, &options("pki/root-ca.pem")).expect("verifies")
}

#[test]
fn pades_with_the_new_algorithms_passes_and_pyhanko_agrees() {
    for (name, alg) in PADES {
        let path = tv(&format!("algs/{name}.pdf"));
        let r = verify_pdf(&path);
        let s = only(&r);
        assert_eq!(
            s.indication,
            Indication::TotalPassed,
            "{name}: {:?} {:?}",
            failed_checks(s),
            s.warnings
        );
        assert_eq!(s.signature_algorithm.as_deref(), Some(*alg), "{name}");
        if let Some((ok, out)) = pyhanko_validate(&[&path]) {
            assert!(ok, "pyHanko rejects {name}: {out}");
        }
    }
}

#[test]
fn pades_with_a_flipped_signature_bit_fails() {
    for (name, _) in PADES {
        let mut pdf = tv_bytes(&format!("algs/{name}.pdf"));
        // The signature value ends the CMS: flip a bit of the last non-zero hex digit pair
        // of /Contents (the placeholder is zero-padded after the CMS).
        let start = (0..pdf.len())
            .find_map(|i| {
                let rest = pdf[i..].strip_prefix(b"/Contents")?;
                let lt = rest.iter().position(|b| *b != b' ')?;
                (rest[lt] == b'<').then_some(i + 9 + lt + 1)
            })
            .expect("/Contents <");
        let end = start + pdf[start..].iter().position(|b| *b == b'>').expect(">");
        let hex = String::from_utf8(pdf[start..end].to_vec()).expect("hex");
        let mut der = ::hex::decode(hex.trim()).expect("hex");
        let trimmed = der.iter().rposition(|b| *b != 0).expect("non-zero");
        der[trimmed] ^= 0x01;
        let patched = if hex.bytes().any(|b| b.is_ascii_lowercase()) {
            ::hex::encode(&der)
        } else {
            ::hex::encode_upper(&der)
        };
        assert_eq!(patched.len(), end - start);
        pdf[start..end].copy_from_slice(patched.as_bytes());
        let dir = tempdir();
        let path = dir.path().join("t.pdf");
        std::fs::write(&path, &pdf).expect("write");
        let r = verify_pdf(&path);
        let s = only(&r);
        assert_eq!(
            s.indication,
            Indication::TotalFailed,
            "{name}: {:?}",
            failed_checks(s)
        );
        assert_eq!(
            s.sub_indication,
            Some(SubIndication::SigCryptoFailure),
            "{name}"
        );
    }
}

/// The DER of the first certificate in a PEM file.
fn cert_der(rel: &str) -> Vec<u8> {
    let certs = sigform::CertificateDer::parse_many(&tv_bytes(rel)).expect("pem");
    certs[0].der().to_vec()
}

#[test]
fn certificates_with_a_flipped_signature_bit_are_not_trusted() {
    // (CMS, embedded certificate whose signature is spoiled): ECDSA P-521 with SHA-512, ECDSA
    // P-521 with SHA3-256, RSASSA-PSS (MGF1-SHA-512), Ed25519 and RSA (the Ed25519 CA)
    // certificate signatures.
    for (name, cert) in [
        ("p521-sha512", "signer-p521"),
        ("p256-sha224", "signer-p256"),
        ("rsa-sha224", "signer-rsa"),
        ("ed25519", "signer-ed25519"),
        ("ed25519", "ca-ed25519"),
    ] {
        let mut cms = tv_bytes(&format!("algs/{name}.p7s"));
        let der = cert_der(&format!("algs/{cert}.pem"));
        let at = cms
            .windows(der.len())
            .position(|w| w == der)
            .expect("certificate embedded");
        cms[at + der.len() - 1] ^= 0x01;
        let r = verify_with(&cms, Some(&content()), "pki/root-ca.pem");
        let s = only(&r);
        assert_ne!(s.indication, Indication::TotalPassed, "{name}");
        assert!(
            failed_checks(s)
                .iter()
                .any(|c| c.contains("certificate-chain")),
            "{name}: {:?}",
            failed_checks(s)
        );
    }
}

#[test]
fn pyca_accepts_the_certificate_signatures() {
    // pyca/cryptography (in pyHanko's virtualenv) as the judge of the certificate signatures
    // OpenSSL 3.0 cannot check (ECDSA with SHA3-256) and of the others.
    let Some(pyhanko) = tool("pyhanko") else {
        return;
    };
    let script = "import sys\nfrom cryptography import x509\n\
        l = lambda p: x509.load_pem_x509_certificate(open(p, 'rb').read())\n\
        l(sys.argv[1]).verify_directly_issued_by(l(sys.argv[2]))\nprint('verified')\n";
    for (cert, issuer) in [
        ("algs/signer-p256.pem", "algs/ca-p521.pem"),
        ("algs/signer-p521.pem", "algs/ca-p521.pem"),
        ("algs/signer-ed25519.pem", "algs/ca-ed25519.pem"),
        ("algs/signer-rsa.pem", "pki/intermediate-ca.pem"),
    ] {
        let (ok, out) = run(std::process::Command::new(pyhanko.with_file_name("python"))
            .args(["-c", script])
            .arg(tv(cert))
            .arg(tv(issuer)));
        assert!(ok && out.contains("verified"), "{cert}: {out}");
    }
}

#[test]
fn ed25519_without_signed_attributes() {
    // Attached: the content is at hand and the signature covers it (RFC 8419 §3.1).
    let a = tv_bytes("algs/ed25519-noattr.p7m");
    let r = verify_with(&a, None, "pki/root-ca.pem");
    let s = only(&r);
    assert_eq!(
        s.indication,
        Indication::TotalPassed,
        "{:?} {:?}",
        failed_checks(s),
        s.warnings
    );
    assert!(
        s.warnings
            .iter()
            .any(|w| w.contains("no signed attributes"))
    );
    // No judge here: OpenSSL 3.0 has no CMS EdDSA, and pyHanko checks a signature without
    // signed attributes over the content's digest (not PureEdDSA over the content, as RFC 8419
    // §3.1 says), so it rejects this file.
    // The same signature over other content fails.
    let mut bad = a.clone();
    let c = content();
    let at = bad
        .windows(c.len())
        .position(|w| w == c)
        .expect("content embedded");
    bad[at] ^= 0x20;
    let r = verify_with(&bad, None, "pki/root-ca.pem");
    assert_eq!(only(&r).indication, Indication::TotalFailed);
    // Detached: the content is streamed into digests, which EdDSA cannot use: a clear
    // INDETERMINATE, never a pass.
    let d = tv_bytes("algs/ed25519-noattr.p7s");
    let r = verify_with(&d, Some(&content()), "pki/root-ca.pem");
    let s = only(&r);
    assert_eq!(s.indication, Indication::Indeterminate);
    assert_eq!(
        s.sub_indication,
        Some(SubIndication::CryptoConstraintsFailure)
    );
    assert!(
        failed_checks(s)
            .iter()
            .any(|c| c.contains("signs the message itself")),
        "{:?}",
        failed_checks(s)
    );
}
