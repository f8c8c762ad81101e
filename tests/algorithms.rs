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
