//! `--trust icp-brasil`: the ICP-Brasil roots built into sigform, on the ICP-Brasil signed files
//! of the real-world corpus (`../shared/corpus/realworld`, skipped with a notice when absent):
//! how far each chain goes, why it stops, and the signer's CPF.

mod common;
use common::corpus::shared;
use common::{sigform, tv};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn realworld(name: &str) -> Option<PathBuf> {
    shared(&format!("corpus/realworld/files/{name}"))
}

/// `sigform verify FILE --trust icp-brasil --format json [extra]`: exit code and report.
fn verify_json(file: &Path, extra: &[&str]) -> (i32, Value) {
    let mut args = vec![
        "verify",
        file.to_str().expect("UTF-8 path"),
        "--trust",
        "icp-brasil",
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    let (code, out, err) = sigform(&args);
    let report = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
    (code, report)
}

fn check<'a>(sig: &'a Value, name: &str) -> Vec<&'a Value> {
    sig["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["name"] == name)
        .collect()
}

/// DSS's AD-RB sample: `/Filter /PBAD_PAdES /SubFilter /PBAD.PAdES`, an e-CPF A3 signer under
/// AC SERASA RFB v2, whose certificate is not in the file: the CMS verifies, the chain stops
/// at that missing issuer, and the report names it and the signer's CPF.
#[test]
fn pbad_pades_file_verifies_up_to_its_missing_intermediate() {
    let Some(file) = realworld("dss_AD-RB.pdf") else {
        return;
    };
    let (code, r) = verify_json(&file, &[]);
    assert_eq!(code, 1, "{r:#}");
    let s = &r["signatures"][0];
    assert_eq!(s["indication"], "INDETERMINATE", "{s:#}");
    assert_eq!(s["sub_indication"], "NO_CERTIFICATE_CHAIN_FOUND", "{s:#}");
    assert_eq!(s["details"]["subfilter"], "PBAD.PAdES");
    assert_eq!(s["policy_oid"], "2.16.76.1.7.1.11.1");
    for name in ["signature-dictionary", "message-digest", "signature-value"] {
        let found = check(s, name);
        assert!(
            !found.is_empty() && found.iter().all(|c| c["passed"] == true),
            "{name}: {s:#}"
        );
    }
    assert_eq!(s["trust"]["evaluated"], true);
    let error = s["trust"]["error"].as_str().expect("trust error");
    assert!(
        error.contains(
            "no trusted issuer found for CN=AC SERASA RFB v2,OU=Secretaria da Receita Federal do Brasil - RFB,O=ICP-Brasil,C=BR"
        ),
        "{error}"
    );
    assert_eq!(s["signer"]["cpf"], "30773760830");
    assert_eq!(s["signer"]["cpf_valid"], true);
}

/// The same file with one byte of a signed content stream changed: the PBAD.PAdES profile
/// does not soften the digest check.
#[test]
fn pbad_pades_file_with_a_changed_byte_fails() {
    let Some(file) = realworld("dss_AD-RB.pdf") else {
        return;
    };
    let mut bytes = std::fs::read(&file).expect("read");
    // Inside the first stream (object 4's page content, 120 722 bytes from offset 7860),
    // well within the first signed range [0, 234543).
    let at = 68_221;
    assert!(bytes.get(7_860..7_860 + 120_722).is_some());
    bytes[at] ^= 1;
    let dir = tempfile::tempdir().expect("tempdir");
    let tampered = dir.path().join("tampered.pdf");
    std::fs::write(&tampered, &bytes).expect("write");
    let (code, r) = verify_json(&tampered, &[]);
    assert_eq!(code, 1, "{r:#}");
    let s = &r["signatures"][0];
    assert_eq!(s["indication"], "TOTAL_FAILED", "{s:#}");
    assert_eq!(s["sub_indication"], "HASH_FAILURE", "{s:#}");
}

/// openssl, as judge, agrees on the CMS of the PBAD.PAdES signature: it verifies over the
/// signed ranges and not over the ranges with one byte changed.
#[test]
fn openssl_agrees_on_the_pbad_pades_cms() {
    let Some(file) = realworld("dss_AD-RB.pdf") else {
        return;
    };
    let bytes = std::fs::read(&file).expect("read");
    let (_, r) = verify_json(&file, &[]);
    let br: Vec<usize> = r["signatures"][0]["details"]["byte_range"]
        .as_array()
        .expect("byte_range")
        .iter()
        .filter_map(|v| v.as_u64().and_then(|n| usize::try_from(n).ok()))
        .collect();
    assert_eq!(br.len(), 4, "{br:?}");
    let hex = std::str::from_utf8(&bytes[br[1] + 1..br[2] - 1]).expect("hex /Contents");
    let p7s = hex::decode(hex).expect("hex");
    let mut ranges = bytes[br[0]..br[0] + br[1]].to_vec();
    ranges.extend_from_slice(&bytes[br[2]..br[2] + br[3]]);
    let Some(ok) = common::judges::openssl_cms_signature_verifies(&p7s, &ranges) else {
        return;
    };
    assert!(ok, "openssl rejects the CMS over the signed ranges");
    ranges[68_221] ^= 1;
    let changed = common::judges::openssl_cms_signature_verifies(&p7s, &ranges);
    assert_eq!(changed, Some(false), "openssl accepts a changed byte");
}

/// A Brazilian court filing (adbe.pkcs7.sha1) signed in January 2017 by a lawyer's e-CPF under
/// AC OAB G2 ← AC Certisign G6 ← AC Raiz v2, both intermediates in the CMS. At the signing
/// time the chain reaches the embedded v2 root; today the signer's certificate (and v2) have
/// expired, and the report says so rather than that no chain exists.
#[test]
fn court_filing_chain_reaches_the_v2_root_at_signing_time() {
    let Some(file) = realworld("mklb2_juntada.pdf") else {
        return;
    };
    let (code, r) = verify_json(&file, &["--at", "2017-01-16T12:00:00Z"]);
    let s = &r["signatures"][0];
    assert_eq!(code, 0, "{s:#}");
    assert_eq!(s["indication"], "TOTAL_PASSED", "{s:#}");
    assert_eq!(
        s["trust"]["anchor"],
        "CN=Autoridade Certificadora Raiz Brasileira v2,OU=Instituto Nacional de Tecnologia da Informacao - ITI,O=ICP-Brasil,C=BR"
    );
    let chain: Vec<&str> = s["chain"]
        .as_array()
        .expect("chain")
        .iter()
        .filter_map(|c| c["subject"].as_str())
        .collect();
    assert_eq!(chain.len(), 4, "{chain:?}");
    assert!(chain[1].starts_with("CN=AC OAB G2,"), "{chain:?}");
    assert!(chain[2].starts_with("CN=AC Certisign G6,"), "{chain:?}");
    assert_eq!(
        s["chain"][3]["fingerprint_sha256"],
        "fb47d92a9909fd4fa9bec02737543e1f3514ced747407a8d9cfa397b0915067c"
    );
    assert_eq!(s["signer"]["cpf"], "12308298731");
    assert_eq!(s["signer"]["cpf_valid"], true);

    let (code, r) = verify_json(&file, &["--at", "2026-01-01T00:00:00Z"]);
    let s = &r["signatures"][0];
    assert_eq!(code, 1, "{s:#}");
    assert_eq!(s["indication"], "INDETERMINATE", "{s:#}");
    assert_eq!(s["sub_indication"], "OUT_OF_BOUNDS_NO_POE", "{s:#}");
    let error = s["trust"]["error"].as_str().expect("trust error");
    assert!(error.contains("expired at 2019-10-17T23:59:59Z"), "{error}");
}

/// The embedded roots trust nothing else: a signature of the test PKI finds no chain, in
/// `verify` and in `cert verify`.
#[test]
fn embedded_roots_do_not_trust_another_pki() {
    let (code, r) = verify_json(&tv("signed/cades-attached-p256.p7s"), &[]);
    assert_eq!(code, 1, "{r:#}");
    let s = &r["signatures"][0];
    assert_eq!(s["sub_indication"], "NO_CERTIFICATE_CHAIN_FOUND", "{s:#}");

    let leaf = tv("pki/icp-pf.pem");
    let chain = tv("pki/chain.pem");
    let (code, out, err) = sigform(&[
        "cert",
        "verify",
        leaf.to_str().expect("UTF-8"),
        "--trust",
        "icp-brasil",
        "--untrusted",
        chain.to_str().expect("UTF-8"),
    ]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("NO_CERTIFICATE_CHAIN_FOUND"), "{out}");
}

/// Only the bare word names the embedded roots: `./icp-brasil` is a path (absent here).
#[test]
fn a_path_named_icp_brasil_is_a_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("icp-brasil");
    let (code, _, err) = sigform(&[
        "verify",
        tv("signed/cades-icp-policy.p7s").to_str().expect("UTF-8"),
        "--trust",
        missing.to_str().expect("UTF-8"),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("reading trust store"), "{err}");
}

/// The library store holds the four pinned roots.
#[test]
fn trust_store_holds_the_pinned_roots() {
    let store = sigform::TrustStore::icp_brasil();
    let mut fingerprints: Vec<String> = store
        .anchors()
        .iter()
        .map(|c| c.fingerprint_sha256())
        .collect();
    fingerprints.sort();
    assert_eq!(
        fingerprints,
        [
            "6e0bff069a26994c15de2c4888cc54af84882e5495b7fbf66be9ccffec7489f6",
            "caa53fc6091c6951887c976e378f6ef89aa6377c55d97b6475422b71ed7e9b17",
            "d8478e37ce19c690cf657381e68fe600e4e1a042536830f06847e03e554c4b01",
            "fb47d92a9909fd4fa9bec02737543e1f3514ced747407a8d9cfa397b0915067c",
        ]
    );
}
