//! Certificate trust against the test PKI (`test-vectors/pki`), the OCSP responses of
//! `test-vectors/ocsp` and the extra certificates of `test-vectors/x509`.

use sigform::CertificateDer;
use sigform::asn1::oid;
use sigform::report::{Indication, SignatureReport, SubIndication};
use sigform::time::parse_rfc3339;
use sigform::x509::{
    ChainValidation, EkuPolicy, KeyUsagePolicy, PathOptions, RevocationData, RevocationPolicy,
    RevocationSource, TrustStore, cnpj_is_valid, cpf_is_valid, signer_report, validate_chain,
};
use std::path::PathBuf;

fn vectors(dir: &str, name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/test-vectors"))
        .join(dir)
        .join(name)
}

fn cert_in(dir: &str, name: &str) -> CertificateDer {
    let data = std::fs::read(vectors(dir, &format!("{name}.pem"))).unwrap();
    CertificateDer::parse_many(&data).unwrap().remove(0)
}

fn pki(name: &str) -> CertificateDer {
    cert_in("pki", name)
}

fn store() -> TrustStore {
    TrustStore::from_path(vectors("pki", "root-ca.pem")).unwrap()
}

fn at(t: &str) -> PathOptions {
    PathOptions::at(parse_rfc3339(t).unwrap())
}

const T: &str = "2026-01-01T00:00:00Z";

fn intermediates() -> Vec<CertificateDer> {
    vec![pki("intermediate-ca")]
}

fn validate(leaf: &str, rev: &RevocationData, opts: &PathOptions) -> ChainValidation {
    validate_chain(&pki(leaf), &intermediates(), &store(), rev, opts)
}

fn sub(v: &ChainValidation) -> Option<SubIndication> {
    v.outcome.as_ref().err().map(|e| e.sub_indication())
}

fn crl(name: &str) -> RevocationData {
    let mut r = RevocationData::new();
    add_crl(&mut r, "pki", name);
    r
}

fn add_crl(r: &mut RevocationData, dir: &str, name: &str) {
    r.add_crl(
        &std::fs::read(vectors(dir, name)).unwrap(),
        RevocationSource::File,
    )
    .unwrap();
}

fn ocsp(name: &str) -> RevocationData {
    let mut r = RevocationData::new();
    r.add_ocsp(
        &std::fs::read(vectors("ocsp", name)).unwrap(),
        RevocationSource::File,
    )
    .unwrap();
    r
}

#[test]
fn valid_chain_for_every_signer_kind() {
    for leaf in [
        "signer-rsa2048",
        "signer-rsa3072",
        "signer-p256",
        "signer-p384",
        "icp-pf",
        "icp-pj",
        "icp-pf-badcpf",
    ] {
        let v = validate(leaf, &RevocationData::new(), &at(T));
        assert!(v.is_valid(), "{leaf}: {:?}", v.outcome);
        assert_eq!(v.chain.len(), 3, "{leaf}");
        assert_eq!(
            v.anchor.as_ref().unwrap().subject(),
            "CN=sigform Test Root CA,O=sigform,C=BR"
        );
        let r = v.revocation.as_ref().unwrap();
        assert_eq!(r.status, "not_checked");
        assert_eq!(v.validation_time, T);
    }
}

#[test]
fn pool_may_contain_the_root_and_duplicates() {
    let chain =
        CertificateDer::parse_many(&std::fs::read(vectors("pki", "chain.pem")).unwrap()).unwrap();
    let mut pool = chain.clone();
    pool.extend(chain);
    pool.push(pki("signer-rsa2048"));
    let v = validate_chain(
        &pki("signer-rsa2048"),
        &pool,
        &store(),
        &RevocationData::new(),
        &at(T),
    );
    assert!(v.is_valid(), "{:?}", v.outcome);
    assert_eq!(v.chain.len(), 3);
}

#[test]
fn expired_signer() {
    let v = validate("signer-expired", &RevocationData::new(), &at(T));
    let e = v.outcome.as_ref().unwrap_err();
    assert_eq!(
        e.indication(),
        (Indication::Indeterminate, SubIndication::OutOfBoundsNoPoe)
    );
    assert_eq!(e.position(), Some(0));
    assert!(e.to_string().contains("2021-12-31T23:59:59Z"), "{e}");
    // the issuing CA only exists from 2024: inside the signer's own validity period the chain
    // fails on the intermediate instead (RFC 5280 checks every certificate at one time)
    let v = validate(
        "signer-expired",
        &RevocationData::new(),
        &at("2021-06-01T00:00:00Z"),
    );
    let e = v.outcome.as_ref().unwrap_err();
    assert_eq!(e.position(), Some(1));
    assert_eq!(e.sub_indication(), SubIndication::OutOfBoundsNoPoe);
}

#[test]
fn not_yet_valid_signer() {
    let v = validate("signer-notyet", &RevocationData::new(), &at(T));
    assert_eq!(
        v.outcome.as_ref().unwrap_err().indication(),
        (Indication::TotalFailed, SubIndication::NotYetValid)
    );
    assert!(
        validate(
            "signer-notyet",
            &RevocationData::new(),
            &at("2049-06-01T00:00:00Z")
        )
        .is_valid()
    );
}

#[test]
fn out_of_bounds_at_signer_or_ca() {
    // everything is valid from 2024-01-01: the signer is reported first
    let v = validate(
        "signer-rsa2048",
        &RevocationData::new(),
        &at("2023-06-01T00:00:00Z"),
    );
    let e = v.outcome.as_ref().unwrap_err();
    assert_eq!(e.sub_indication(), SubIndication::NotYetValid);
    assert_eq!(e.position(), Some(0));
    // a signer inside its validity period under a CA that is not: OUT_OF_BOUNDS_NO_POE
    let v = validate(
        "signer-notyet",
        &RevocationData::new(),
        &at("2050-12-31T23:59:59Z"),
    );
    assert!(v.is_valid(), "{:?}", v.outcome);
    let v = validate(
        "signer-expired",
        &RevocationData::new(),
        &at("2021-06-01T00:00:00Z"),
    );
    let e = v.outcome.as_ref().unwrap_err();
    assert_eq!(
        e.indication(),
        (Indication::Indeterminate, SubIndication::OutOfBoundsNoPoe)
    );
    assert_eq!(e.position(), Some(1));
}

#[test]
fn revoked_by_crl() {
    let data = crl("intermediate-ca.crl.der");
    let v = validate("signer-revoked", &data, &at(T));
    let e = v.outcome.as_ref().unwrap_err();
    assert_eq!(
        e.indication(),
        (Indication::Indeterminate, SubIndication::RevokedNoPoe)
    );
    let r = v.revocation.as_ref().unwrap();
    assert_eq!(r.status, "revoked");
    assert_eq!(r.source, "crl (file)");
    assert_eq!(r.revoked_at.as_deref(), Some("2025-06-01T00:00:00Z"));
    assert_eq!(r.reason.as_deref(), Some("keyCompromise"));
    // PEM CRLs load too
    let pem = crl("intermediate-ca.crl.pem");
    assert_eq!(
        sub(&validate("signer-revoked", &pem, &at(T))),
        Some(SubIndication::RevokedNoPoe)
    );
    // at the revocation instant it is revoked; before it, good with a warning
    assert!(!validate("signer-revoked", &data, &at("2025-06-01T00:00:00Z")).is_valid());
    let before = validate("signer-revoked", &data, &at("2025-05-01T00:00:00Z"));
    assert!(before.is_valid(), "{:?}", before.outcome);
    assert!(
        before
            .warnings
            .iter()
            .any(|w| w.contains("after the validation time")),
        "{:?}",
        before.warnings
    );
    // a certificate not on the CRL is good
    let good = validate("signer-rsa2048", &data, &at(T));
    assert!(good.is_valid());
    assert_eq!(good.revocation.as_ref().unwrap().status, "good");
}

#[test]
fn revoked_by_ocsp() {
    for f in [
        "signer-revoked.revoked.ocsp.der",
        "signer-revoked.revoked-by-ca.ocsp.der",
    ] {
        let v = validate("signer-revoked", &ocsp(f), &at(T));
        assert_eq!(sub(&v), Some(SubIndication::RevokedNoPoe), "{f}");
        let r = v.revocation.as_ref().unwrap();
        assert_eq!(r.source, "ocsp (file)");
        assert_eq!(r.revoked_at.as_deref(), Some("2025-06-01T00:00:00Z"));
        assert_eq!(r.reason.as_deref(), Some("keyCompromise"));
    }
}

#[test]
fn good_by_ocsp() {
    for (leaf, f) in [
        ("signer-rsa2048", "signer-rsa2048.good.ocsp.der"),
        ("signer-rsa2048", "signer-rsa2048.good-by-ca.ocsp.der"),
        ("signer-p256", "signer-p256.good-sha256.ocsp.der"),
    ] {
        let mut opts = at(T);
        opts.check_revocation = RevocationPolicy::Require;
        let mut data = ocsp(f);
        add_crl(&mut data, "pki", "root-ca.crl.pem"); // status of the intermediate
        let v = validate(leaf, &data, &opts);
        assert!(v.is_valid(), "{f}: {:?} {:?}", v.outcome, v.warnings);
        let r = v.revocation.as_ref().unwrap();
        assert_eq!(
            (r.status.as_str(), r.source.as_str()),
            ("good", "ocsp (file)"),
            "{f}"
        );
    }
}

#[test]
fn ocsp_for_another_certificate_does_not_count() {
    let data = ocsp("signer-rsa3072.good.ocsp.der");
    let v = validate("signer-rsa2048", &data, &at(T));
    assert!(v.is_valid());
    assert_eq!(v.revocation.as_ref().unwrap().status, "not_checked");
    let mut opts = at(T);
    opts.check_revocation = RevocationPolicy::Require;
    let v = validate("signer-rsa2048", &data, &opts);
    assert_eq!(sub(&v), Some(SubIndication::TryLater));
    assert_eq!(v.outcome.as_ref().unwrap_err().position(), Some(0));
}

#[test]
fn ocsp_from_an_unauthorized_responder_is_ignored() {
    let data = ocsp("signer-rsa2048.unauthorized.ocsp.der");
    let v = validate("signer-rsa2048", &data, &at(T));
    assert!(v.is_valid());
    assert_eq!(v.revocation.as_ref().unwrap().status, "not_checked");
    assert!(
        v.warnings.iter().any(|w| w.contains("ignored")),
        "{:?}",
        v.warnings
    );
    let mut opts = at(T);
    opts.check_revocation = RevocationPolicy::Require;
    assert_eq!(
        sub(&validate("signer-rsa2048", &data, &opts)),
        Some(SubIndication::TryLater)
    );
}

#[test]
fn required_revocation_covers_the_whole_chain() {
    let mut opts = at(T);
    opts.check_revocation = RevocationPolicy::Require;
    let mut data = crl("intermediate-ca.crl.der");
    // no status for the intermediate yet
    let v = validate("signer-rsa2048", &data, &opts);
    let e = v.outcome.as_ref().unwrap_err();
    assert_eq!(e.sub_indication(), SubIndication::TryLater);
    assert_eq!(e.position(), Some(1));
    add_crl(&mut data, "pki", "root-ca.crl.pem");
    assert!(validate("signer-rsa2048", &data, &opts).is_valid());
    // a stale CRL (validation after nextUpdate) does not count
    let late = {
        let mut o = at("2051-01-01T00:00:00Z");
        o.check_revocation = RevocationPolicy::Require;
        o
    };
    let v = validate("signer-rsa2048", &data, &late);
    assert!(!v.is_valid());
}

#[test]
fn revoked_ca() {
    let mut data = RevocationData::new();
    add_crl(&mut data, "x509", "root-revokes-intermediate.crl.der");
    let v = validate("signer-rsa2048", &data, &at("2026-06-01T00:00:00Z"));
    let e = v.outcome.as_ref().unwrap_err();
    assert_eq!(
        e.indication(),
        (Indication::Indeterminate, SubIndication::RevokedCaNoPoe)
    );
    assert_eq!(e.position(), Some(1));
    let before = validate("signer-rsa2048", &data, &at("2025-12-01T00:00:00Z"));
    assert!(before.is_valid(), "{:?}", before.outcome);
}

#[test]
fn untrusted_root() {
    let v = validate_chain(
        &pki("other-signer-rsa2048"),
        &[pki("other-root-ca")],
        &store(),
        &RevocationData::new(),
        &at(T),
    );
    assert_eq!(
        v.outcome.as_ref().unwrap_err().indication(),
        (
            Indication::Indeterminate,
            SubIndication::NoCertificateChainFound
        )
    );
    assert!(v.anchor.is_none());
    let other =
        TrustStore::from_pem(&std::fs::read(vectors("pki", "other-root-ca.pem")).unwrap()).unwrap();
    let v = validate_chain(
        &pki("other-signer-rsa2048"),
        &[],
        &other,
        &RevocationData::new(),
        &at(T),
    );
    assert!(v.is_valid(), "{:?}", v.outcome);
}

#[test]
fn missing_intermediate() {
    let v = validate_chain(
        &pki("signer-rsa2048"),
        &[],
        &store(),
        &RevocationData::new(),
        &at(T),
    );
    assert_eq!(sub(&v), Some(SubIndication::NoCertificateChainFound));
    assert_eq!(v.chain.len(), 1);
}

#[test]
fn wrong_key_usage() {
    let v = validate("signer-badku", &RevocationData::new(), &at(T));
    assert_eq!(
        v.outcome.as_ref().unwrap_err().indication(),
        (
            Indication::Indeterminate,
            SubIndication::ChainConstraintsFailure
        )
    );
    let mut opts = at(T);
    opts.key_usage = KeyUsagePolicy::Any;
    assert!(validate("signer-badku", &RevocationData::new(), &opts).is_valid());
}

#[test]
fn ca_certificate_as_signer() {
    let v = validate_chain(
        &pki("intermediate-ca"),
        &[],
        &store(),
        &RevocationData::new(),
        &at(T),
    );
    let e = v.outcome.as_ref().unwrap_err();
    assert_eq!(e.sub_indication(), SubIndication::ChainConstraintsFailure);
    assert!(e.to_string().contains("CA certificate"), "{e}");
    let mut opts = at(T);
    opts.allow_ca_signer = true;
    opts.key_usage = KeyUsagePolicy::Any;
    let v = validate_chain(
        &pki("intermediate-ca"),
        &[],
        &store(),
        &RevocationData::new(),
        &opts,
    );
    assert!(v.is_valid(), "{:?}", v.outcome);
}

#[test]
fn cycle_without_anchor_and_with_one() {
    let x = |n: &str| cert_in("x509", n);
    let cyclic = vec![x("cycle-a-by-b"), x("cycle-b-by-a")];
    let started = std::time::Instant::now();
    let v = validate_chain(
        &x("cycle-leaf"),
        &cyclic,
        &store(),
        &RevocationData::new(),
        &PathOptions::default(),
    );
    assert_eq!(sub(&v), Some(SubIndication::NoCertificateChainFound));
    let mut pool = cyclic.clone();
    pool.push(x("cycle-b-by-root"));
    let v = validate_chain(
        &x("cycle-leaf"),
        &pool,
        &store(),
        &RevocationData::new(),
        &PathOptions::default(),
    );
    assert!(v.is_valid(), "{:?}", v.outcome);
    let subjects: Vec<String> = v.chain.iter().map(CertificateDer::subject).collect();
    assert_eq!(
        subjects,
        [
            "CN=Cycle Leaf,O=sigform Test,C=BR",
            "CN=sigform Cycle CA A",
            "CN=sigform Cycle CA B",
            "CN=sigform Test Root CA,O=sigform,C=BR"
        ]
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
}

#[test]
fn weak_rsa_1024_signer() {
    let v = validate("signer-rsa1024", &RevocationData::new(), &at(T));
    let e = v.outcome.as_ref().unwrap_err();
    assert_eq!(
        e.indication(),
        (
            Indication::Indeterminate,
            SubIndication::CryptoConstraintsFailure
        )
    );
    assert!(e.to_string().contains("1024"), "{e}");
}

#[test]
fn code_signing_only_eku() {
    let v = validate("signer-codesign", &RevocationData::new(), &at(T));
    let e = v.outcome.as_ref().unwrap_err();
    assert_eq!(e.sub_indication(), SubIndication::ChainConstraintsFailure);
    assert!(e.to_string().contains("extendedKeyUsage"), "{e}");
    let mut opts = at(T);
    opts.eku = EkuPolicy::Any;
    assert!(validate("signer-codesign", &RevocationData::new(), &opts).is_valid());
}

#[test]
fn eku_policies_for_tsa_and_ocsp_certificates() {
    assert!(!validate("tsa", &RevocationData::new(), &at(T)).is_valid());
    let mut opts = at(T);
    opts.eku = EkuPolicy::Require(vec![oid::KP_TIME_STAMPING]);
    assert!(validate("tsa", &RevocationData::new(), &opts).is_valid());
    assert!(!validate("signer-rsa2048", &RevocationData::new(), &opts).is_valid());
    assert!(!validate("ocsp", &RevocationData::new(), &at(T)).is_valid());
}

#[test]
fn signer_that_is_itself_an_anchor() {
    let mut s = TrustStore::new();
    s.add(pki("signer-rsa2048"));
    let v = validate_chain(
        &pki("signer-rsa2048"),
        &[],
        &s,
        &RevocationData::new(),
        &at(T),
    );
    assert!(v.is_valid(), "{:?}", v.outcome);
    assert_eq!(v.chain.len(), 1);
    let mut opts = at(T);
    opts.allow_anchor_as_signer = false;
    let v = validate_chain(
        &pki("signer-rsa2048"),
        &[],
        &s,
        &RevocationData::new(),
        &opts,
    );
    assert_eq!(sub(&v), Some(SubIndication::NoCertificateChainFound));
    // still subject to the signer checks
    let mut s = TrustStore::new();
    s.add(pki("signer-expired"));
    let v = validate_chain(
        &pki("signer-expired"),
        &[],
        &s,
        &RevocationData::new(),
        &at(T),
    );
    assert_eq!(sub(&v), Some(SubIndication::OutOfBoundsNoPoe));
}

#[test]
fn identity_and_icp_brasil() {
    let pf = signer_report(&pki("icp-pf"));
    assert_eq!(pf.cpf.as_deref(), Some("52998224725"));
    assert_eq!(pf.cpf_valid, Some(true));
    assert_eq!(pf.cnpj, None);
    assert_eq!(pf.email.as_deref(), Some("joao.silva@example.com"));
    assert_eq!(pf.common_name.as_deref(), Some("João da Silva:52998224725"));
    assert_eq!(pf.not_before, "2024-01-01T00:00:00Z");
    assert_eq!(pf.not_after, "2050-12-31T23:59:59Z");
    assert_eq!(pf.serial, "73696766000000000000000000002001");

    let bad = signer_report(&pki("icp-pf-badcpf"));
    assert_eq!(bad.cpf.as_deref(), Some("52998224726"));
    assert_eq!(bad.cpf_valid, Some(false));

    let pj = signer_report(&pki("icp-pj"));
    assert_eq!(pj.cnpj.as_deref(), Some("11222333000181"));
    assert_eq!(pj.cnpj_valid, Some(true));
    assert_eq!(pj.cpf, None);
    let ids = sigform::x509::icp_brasil_ids(&pki("icp-pj"));
    assert_eq!(ids.responsible_cpf.as_deref(), Some("11144477735"));

    let alice = signer_report(&pki("signer-rsa2048"));
    assert_eq!(alice.email.as_deref(), Some("alice@example.com"));
    assert_eq!(alice.common_name.as_deref(), Some("Alice RSA2048"));
    assert_eq!(alice.cpf, None);
    assert_eq!(alice.subject, "CN=Alice RSA2048,O=sigform Test,C=BR");
    assert_eq!(
        alice.issuer,
        "CN=sigform Test Intermediate CA,O=sigform,C=BR"
    );

    assert!(cpf_is_valid("52998224725") && !cpf_is_valid("52998224726"));
    assert!(cnpj_is_valid("11222333000181"));
}

#[test]
fn report_integration() {
    let v = validate("signer-revoked", &crl("intermediate-ca.crl.der"), &at(T));
    let mut report = SignatureReport::new("S1");
    v.apply_to(&mut report);
    report.conclude();
    assert_eq!(report.indication, Indication::Indeterminate);
    assert_eq!(report.sub_indication, Some(SubIndication::RevokedNoPoe));
    assert!(report.trust.evaluated);
    assert_eq!(report.trust.validation_time.as_deref(), Some(T));
    assert!(report.trust.error.is_some());
    assert_eq!(report.chain.len(), 3);
    assert_eq!(report.chain[2].source.as_deref(), Some("trust-store"));
    assert_eq!(report.chain[1].source.as_deref(), Some("pool"));
    assert_eq!(report.revocation.as_ref().unwrap().status, "revoked");
    assert_eq!(
        report.signer.as_ref().unwrap().subject,
        "CN=Test Revoked RSA2048,O=sigform Test,C=BR"
    );
    assert!(
        report
            .checks
            .iter()
            .any(|c| c.name == "revocation" && !c.passed)
    );

    let v = validate("icp-pf", &RevocationData::new(), &at(T));
    let mut report = SignatureReport::new("S1");
    v.apply_to(&mut report);
    report.conclude();
    assert_eq!(report.indication, Indication::TotalPassed);
    assert_eq!(report.signer.as_ref().unwrap().cpf_valid, Some(true));
    assert_eq!(
        report.trust.anchor.as_deref(),
        Some("CN=sigform Test Root CA,O=sigform,C=BR")
    );
    let json = serde_json::to_string(&report).unwrap();
    assert!(json.contains("\"certificate-chain\""));
}

#[test]
fn trust_store_from_directory() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(vectors("pki", "root-ca.pem"), dir.path().join("root.pem")).unwrap();
    std::fs::copy(
        vectors("pki", "other-root-ca.pem"),
        dir.path().join("other.crt"),
    )
    .unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not a certificate").unwrap();
    let s = TrustStore::from_path(dir.path()).unwrap();
    assert_eq!(s.len(), 2);
    assert!(
        validate_chain(
            &pki("signer-p256"),
            &intermediates(),
            &s,
            &RevocationData::new(),
            &at(T)
        )
        .is_valid()
    );
    let empty = tempfile::tempdir().unwrap();
    assert!(TrustStore::from_path(empty.path()).is_err());
    assert!(
        TrustStore::from_pem(b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
            .is_err()
    );
}

#[test]
fn malformed_revocation_data_is_an_error() {
    let mut r = RevocationData::new();
    assert!(r.add_crl(b"not a crl", RevocationSource::File).is_err());
    assert!(
        r.add_ocsp(b"\x30\x03\x0a\x01\x03", RevocationSource::File)
            .is_err()
    ); // tryLater
    assert!(r.add_ocsp(b"garbage", RevocationSource::Dss).is_err());
    assert!(r.is_empty());
}
