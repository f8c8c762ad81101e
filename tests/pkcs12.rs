//! PKCS#12 reader against the OpenSSL-generated test PKI in `test-vectors/pki/`
//! (see its README: every `.p12` has the key, the end-entity certificate and the chain, with
//! friendlyName and localKeyID on the key and the end-entity certificate; password `sigform`).

use sha1::{Digest, Sha1};
use sigform::signer::pkcs12::{
    MAX_INPUT_LEN, Pkcs12Contents, Pkcs12Error, Pkcs12Options, parse_pkcs12,
    parse_pkcs12_with_options,
};

const PKI: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/test-vectors/pki/");
const PASSWORD: &str = "sigform";

/// (file, certificate/key base name, friendlyName)
const FILES: &[(&str, &str, &str)] = &[
    ("signer-rsa2048.p12", "signer-rsa2048", "Alice RSA2048"),
    (
        "signer-rsa2048-legacy.p12",
        "signer-rsa2048",
        "Alice RSA2048",
    ),
    ("signer-p256.p12", "signer-p256", "Carol P256"),
    ("icp-pf.p12", "icp-pf", "Jo\u{e3}o da Silva:52998224725"),
    (
        "icp-pf-legacy.p12",
        "icp-pf",
        "Jo\u{e3}o da Silva:52998224725",
    ),
];

fn pki(name: &str) -> Vec<u8> {
    let path = format!("{PKI}{name}");
    std::fs::read(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"))
}

/// DER of the first block of a PEM file, checking its label.
fn pem_der(name: &str, label: &str) -> Vec<u8> {
    let pem = String::from_utf8(pki(name)).expect("PEM is text");
    let (found, doc) = pkcs8::Document::from_pem(&pem).expect("PEM");
    assert_eq!(found, label, "{name}");
    doc.as_bytes().to_vec()
}

/// The unencrypted PKCS#8 DER of key `base`: `BASE.key.der` if present, else `BASE.key.pem`.
fn key_der(base: &str) -> Vec<u8> {
    let der_path = format!("{PKI}{base}.key.der");
    if std::path::Path::new(&der_path).exists() {
        return pki(&format!("{base}.key.der"));
    }
    pem_der(&format!("{base}.key.pem"), "PRIVATE KEY")
}

fn cert_der(base: &str) -> Vec<u8> {
    pem_der(&format!("{base}.pem"), "CERTIFICATE")
}

fn check(file: &str, base: &str, friendly_name: &str, contents: &Pkcs12Contents) {
    assert_eq!(contents.keys.len(), 1, "{file}: one key");
    assert_eq!(
        contents.certificates.len(),
        3,
        "{file}: leaf + intermediate + root"
    );

    let key = contents.key().expect("key");
    assert_eq!(
        key.pkcs8_der.as_slice(),
        key_der(base).as_slice(),
        "{file}: key is the PKCS#8 DER of {base}.key.pem"
    );
    assert_eq!(key.friendly_name.as_deref(), Some(friendly_name), "{file}");

    let leaf = cert_der(base);
    // OpenSSL sets localKeyID to the SHA-1 of the end-entity certificate.
    let id = Sha1::digest(&leaf).to_vec();
    assert_eq!(key.local_key_id.as_deref(), Some(id.as_slice()), "{file}");
    let cert = contents
        .certificate_for(key)
        .expect("certificate for the key");
    assert_eq!(cert.der, leaf, "{file}: leaf certificate");
    assert_eq!(cert.friendly_name.as_deref(), Some(friendly_name), "{file}");

    for ca in ["intermediate-ca", "root-ca"] {
        let der = cert_der(ca);
        let c = contents
            .certificates
            .iter()
            .find(|c| c.der == der)
            .unwrap_or_else(|| panic!("{file}: {ca} missing"));
        assert_eq!(c.local_key_id, None, "{file}: {ca}");
        assert_eq!(c.friendly_name, None, "{file}: {ca}");
    }
}

#[test]
fn modern_and_legacy_files_load() {
    for &(file, base, name) in FILES {
        let contents = parse_pkcs12(&pki(file), PASSWORD).unwrap_or_else(|e| panic!("{file}: {e}"));
        check(file, base, name, &contents);
    }
}

#[test]
fn mac_is_present_and_required_mac_passes() {
    let strict = Pkcs12Options::new().with_require_mac(true);
    for &(file, _, _) in FILES {
        parse_pkcs12_with_options(&pki(file), PASSWORD, &strict)
            .unwrap_or_else(|e| panic!("{file}: {e}"));
    }
}

#[test]
fn wrong_password_is_a_typed_error() {
    for &(file, _, _) in FILES {
        for wrong in ["wrong", "", "Sigform", "sigform "] {
            assert_eq!(
                parse_pkcs12(&pki(file), wrong).map(|_| ()),
                Err(Pkcs12Error::WrongPassword),
                "{file} with {wrong:?}"
            );
        }
    }
}

/// A byte flipped inside the encrypted (MAC-protected) content is caught by the MAC.
#[test]
fn tampered_content_is_rejected() {
    for file in ["signer-rsa2048.p12", "signer-rsa2048-legacy.p12"] {
        let data = pki(file);
        let mut tampered = data.clone();
        tampered[data.len() / 2] ^= 0x80;
        assert_eq!(
            parse_pkcs12(&tampered, PASSWORD).map(|_| ()),
            Err(Pkcs12Error::WrongPassword),
            "{file}"
        );
    }
}

/// Flipping any byte never panics; the result is an error, or (for the few bytes neither the
/// MAC nor the parser depends on, e.g. an ignored NULL parameter) the same contents.
#[test]
fn tampered_bytes_never_panic() {
    for file in ["signer-rsa2048.p12", "signer-rsa2048-legacy.p12"] {
        let data = pki(file);
        let original = parse_pkcs12(&data, PASSWORD).expect("original");
        for position in (0..data.len()).step_by(7) {
            let mut tampered = data.clone();
            tampered[position] ^= 0x01;
            match parse_pkcs12(&tampered, PASSWORD) {
                Ok(contents) => {
                    assert_eq!(
                        contents.certificates, original.certificates,
                        "{file}@{position}"
                    );
                    assert_eq!(
                        contents.keys[0].pkcs8_der, original.keys[0].pkcs8_der,
                        "{file}@{position}"
                    );
                }
                Err(
                    Pkcs12Error::WrongPassword
                    | Pkcs12Error::Malformed(_)
                    | Pkcs12Error::UnsupportedAlgorithm(_)
                    | Pkcs12Error::UnsupportedVersion(_)
                    | Pkcs12Error::TooLarge(_),
                ) => {}
                Err(other) => panic!("{file}@{position}: unexpected {other:?}"),
            }
        }
    }
}

#[test]
fn truncated_files_are_errors() {
    for &(file, _, _) in FILES {
        let data = pki(file);
        for len in (0..data.len()).step_by(97) {
            assert!(
                parse_pkcs12(&data[..len], PASSWORD).is_err(),
                "{file} truncated to {len} bytes"
            );
        }
    }
}

#[test]
fn garbage_is_malformed() {
    let mut noise = Vec::with_capacity(4096);
    let mut x: u32 = 0x2545_f491;
    for _ in 0..4096 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        noise.push(x.to_le_bytes()[0]);
    }
    let pem = pki("signer-rsa2048.pem");
    let inputs: [&[u8]; 8] = [
        b"",
        b"\x30",
        b"\x30\x80\x00\x00",
        b"not a pkcs12 file",
        &noise,
        &pem,
        &[0x30, 0x84, 0xff, 0xff, 0xff, 0xff],
        &[0x04, 0x03, 0x02, 0x01, 0x03],
    ];
    for input in inputs {
        match parse_pkcs12(input, PASSWORD) {
            Err(Pkcs12Error::Malformed(message)) => assert!(!message.is_empty()),
            other => panic!("expected Malformed, got {other:?}"),
        }
    }
}

#[test]
fn oversized_input_is_too_large() {
    let data = vec![0x30; MAX_INPUT_LEN + 1];
    assert!(matches!(
        parse_pkcs12(&data, PASSWORD),
        Err(Pkcs12Error::TooLarge(_))
    ));
}

#[test]
fn debug_output_redacts_the_key() {
    let contents = parse_pkcs12(&pki("signer-rsa2048.p12"), PASSWORD).expect("parse");
    let debug = format!("{contents:?}");
    assert!(debug.contains("redacted"));
    let key = &contents.keys[0].pkcs8_der;
    let tail = format!("{:?}", &key[key.len() - 16..]);
    let tail = tail.trim_start_matches('[').trim_end_matches(']');
    assert!(!debug.contains(tail), "key bytes leaked into Debug output");
}
