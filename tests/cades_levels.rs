//! CAdES B-T, B-LT and B-LTA (ETSI EN 319 122-1): creation, extension and verification, with
//! `openssl ts -reply` (ESS v2) and certomancer (ESS v1, over HTTP) as TSAs, `openssl ts
//! -verify` and `openssl cms -verify -cades` as judges, and the DSS-made corpus files.

mod common;

use common::certomancer::Certomancer;
use common::cli::{arg, sigform};
use common::cms::{
    openssl_rsa1024_attached, signature_value, tamper_token, unsigned_attr_values as tokens,
};
use common::corpus::shared;
use common::judges::{openssl_cms_verify, openssl_ts_accepts, openssl_ts_accepts_with};
use common::openssl_tsa::OpensslTsa;
use common::{short_rsa_retired_at, tempdir, test_signer, tv, tv_bytes, years_from_now};
use sigform::asn1::tlv;
use sigform::cades::levels::{ValidationData, extend};
use sigform::cades::parse::parse_signed_data;
use sigform::cades::{self, CadesOptions, SharedTsa};
use sigform::report::{Indication, Level, SubIndication, TimestampKind, ValidationReport};
use sigform::tsp::{TimestampAuthority, TimestampToken, TspError};
use sigform::{DigestAlgorithm, TrustStore, VerifyOptions};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

const DOC: &[u8] = b"sigform: a document signed at B-T and above";

fn options() -> VerifyOptions {
    VerifyOptions {
        trust: Some(TrustStore::from_path(tv("pki/root-ca.pem")).unwrap()),
        ..VerifyOptions::default()
    }
}

fn verify(p7s: &[u8], content: Option<&[u8]>, options: &VerifyOptions) -> ValidationReport {
    let mut c = content;
    let reader = c.as_mut().map(|c| c as &mut dyn std::io::Read);
    cades::verify(p7s, reader, options).unwrap()
}

const SIG_TS: &str = "1.2.840.113549.1.9.16.2.14";
const ATS_V3: &str = "0.4.0.1733.2.4";
const ATS_V2: &str = "1.2.840.113549.1.9.16.2.48";

#[test]
fn cades_bt_with_openssl_tsa_verifies_and_is_judged() {
    let Some(tsa) = OpensslTsa::new() else { return };
    let signer = test_signer("signer-rsa2048", "pki/chain.pem");
    let opts = CadesOptions {
        timestamp_authority: Some(SharedTsa(Arc::new(tsa))),
        ..CadesOptions::default()
    };
    let p7s = cades::sign(DOC, &signer, &opts).unwrap();
    let r = verify(&p7s, Some(DOC), &options());
    let s = &r.signatures[0];
    assert!(r.valid, "{}", r);
    assert_eq!(s.level, Some(Level::BT));
    assert!(s.timestamp_time.is_some());
    assert_eq!(s.timestamps.len(), 1);
    assert_eq!(s.timestamps[0].kind, TimestampKind::SignatureTimestamp);
    assert_eq!(s.timestamps[0].indication, Indication::TotalPassed);
    let token = &tokens(&p7s, SIG_TS)[0];
    openssl_ts_accepts(
        token,
        &DigestAlgorithm::Sha256.digest(&signature_value(&p7s)),
    );
    openssl_cms_verify(&p7s, Some(DOC), true);

    // Co-signature with a timestamp: the first signer's bytes stay, the second is B-T too.
    let other = test_signer("signer-p256", "pki/chain.pem");
    let co = cades::cosign(&p7s, Some(DOC), &other, &opts).unwrap();
    let r = verify(&co, Some(DOC), &options());
    assert!(r.valid, "{}", r);
    assert!(r.signatures.iter().all(|s| s.level == Some(Level::BT)));
    // A counter-signature cannot carry a timestamp: a clear error; without, it still works.
    assert!(cades::countersign(&p7s, 0, &other, &opts).is_err());
    let cs = cades::countersign(&p7s, 0, &other, &CadesOptions::default()).unwrap();
    assert!(verify(&cs, Some(DOC), &options()).valid);
}

#[test]
fn cades_tampered_timestamp_fails_with_its_reason() {
    let Some(tsa) = OpensslTsa::new() else { return };
    let signer = test_signer("signer-rsa2048", "pki/chain.pem");
    let opts = CadesOptions {
        attached: true,
        timestamp_authority: Some(SharedTsa(Arc::new(tsa))),
        ..CadesOptions::default()
    };
    let p7s = cades::sign(DOC, &signer, &opts).unwrap();
    let bad = tamper_token(&p7s, SIG_TS);
    let r = verify(&bad, None, &options());
    let s = &r.signatures[0];
    assert!(!r.valid);
    assert_eq!(s.indication, Indication::TotalFailed);
    assert_eq!(s.sub_indication, Some(SubIndication::HashFailure));
    assert_eq!(s.timestamps[0].indication, Indication::TotalFailed);
    assert!(
        s.checks
            .iter()
            .any(|c| c.name == "signature-timestamp" && !c.passed)
    );
    assert_ne!(s.level, Some(Level::BT));
}

#[test]
fn cades_extend_to_lt_and_lta_verifies_and_is_judged() {
    let Some(tsa) = OpensslTsa::new() else { return };
    let signer = test_signer("signer-rsa2048", "pki/chain.pem");
    let bb = cades::sign(DOC, &signer, &CadesOptions::default()).unwrap();
    let data = ValidationData {
        certificates: sigform::CertificateDer::parse_many(&tv_bytes("pki/root-ca.pem"))
            .unwrap()
            .iter()
            .map(|c| c.der().to_vec())
            .collect(),
        crls: vec![tv_bytes("pki/intermediate-ca.crl.der")],
        ocsp_responses: Vec::new(),
    };
    let lt = extend(&bb, Level::BLT, None, &tsa, &data).unwrap();
    let r = verify(&lt, Some(DOC), &options());
    assert!(r.valid, "{}", r);
    assert_eq!(r.signatures[0].level, Some(Level::BLT));
    openssl_cms_verify(&lt, Some(DOC), true);

    let mut doc = DOC;
    let lta = extend(
        &lt,
        Level::BLTA,
        Some(&mut doc),
        &tsa,
        &ValidationData::default(),
    )
    .unwrap();
    let r = verify(&lta, Some(DOC), &options());
    assert!(r.valid, "{}", r);
    let s = &r.signatures[0];
    assert_eq!(s.level, Some(Level::BLTA));
    assert!(
        s.timestamps
            .iter()
            .all(|t| t.indication == Indication::TotalPassed)
    );
    openssl_cms_verify(&lta, Some(DOC), true);
    // The existing SignerInfo bytes before unsignedAttrs are untouched.
    let before = signature_value(&bb);
    assert_eq!(signature_value(&lta), before);

    // Renewal: a second archive timestamp; both verify.
    let mut doc = DOC;
    let renewed = extend(
        &lta,
        Level::BLTA,
        Some(&mut doc),
        &tsa,
        &ValidationData::default(),
    )
    .unwrap();
    let r = verify(&renewed, Some(DOC), &options());
    assert!(r.valid, "{}", r);
    assert_eq!(tokens(&renewed, ATS_V3).len(), 2);

    // A tampered archive timestamp fails; so does an element its index covers, removed.
    let bad = tamper_token(&lta, ATS_V3);
    let r = verify(&bad, Some(DOC), &options());
    assert_eq!(r.signatures[0].indication, Indication::TotalFailed);
    assert!(
        r.signatures[0]
            .checks
            .iter()
            .any(|c| c.name == "archive-timestamp" && !c.passed)
    );
}

#[test]
fn cades_certomancer_tsa_ess_v1_bt() {
    let Some(cm) = Certomancer::start() else {
        return;
    };
    let dir = tempdir();
    let root = dir.path().join("root.pem");
    std::fs::write(&root, cm.root_pem()).unwrap();
    let tsa = sigform::tsp::HttpTimestampAuthority::new(cm.tsa_url("tsa")).unwrap();
    let signer = test_signer("signer-rsa2048", "pki/chain.pem");
    let bb = cades::sign(DOC, &signer, &CadesOptions::default()).unwrap();
    let bt = extend(&bb, Level::BT, None, &tsa, &ValidationData::default()).unwrap();
    let mut opts = options();
    let mut store = TrustStore::from_path(tv("pki/root-ca.pem")).unwrap();
    for c in sigform::CertificateDer::parse_many(&cm.root_pem()).unwrap() {
        store.add(c);
    }
    opts.trust = Some(store);
    let r = verify(&bt, Some(DOC), &opts);
    assert!(r.valid, "{}", r);
    assert_eq!(r.signatures[0].level, Some(Level::BT));
    assert_eq!(
        r.signatures[0].timestamps[0].indication,
        Indication::TotalPassed
    );
    // The TSA's root not trusted: the token is INDETERMINATE on its own (intact, so the level
    // stays B-T), the signature is not failed by it.
    let r = verify(&bt, Some(DOC), &options());
    let s = &r.signatures[0];
    assert!(r.valid, "{r}");
    assert_eq!(s.level, Some(Level::BT));
    assert_eq!(s.timestamps[0].indication, Indication::Indeterminate);
    assert_eq!(
        s.timestamps[0].sub_indication,
        Some(SubIndication::NoCertificateChainFound)
    );
}

#[test]
fn cades_dss_corpus_levels_and_tampered_token() {
    let Some(lta) = shared("corpus/realworld/files/dss_Signature-C-B-LTA-10.p7m") else {
        return;
    };
    let Some(bt) = shared("corpus/realworld/files/siva_TEST_ESTEID2018_CAdES_T_enveloping.p7m")
    else {
        return;
    };
    for (path, level) in [(&lta, Level::BLTA), (&bt, Level::BT)] {
        let p7s = std::fs::read(path).unwrap();
        let r = verify(&p7s, None, &options());
        let s = &r.signatures[0];
        assert_eq!(s.level, Some(level), "{}", r);
        assert_ne!(s.indication, Indication::TotalFailed, "{}", r);
        let bad = tamper_token(&p7s, SIG_TS);
        let r = verify(&bad, None, &options());
        assert_eq!(r.signatures[0].indication, Indication::TotalFailed, "{}", r);
        assert_eq!(
            r.signatures[0].sub_indication,
            Some(SubIndication::HashFailure)
        );
    }
    let p7s = std::fs::read(&lta).unwrap();
    for oid in [ATS_V3, ATS_V2] {
        let bad = tamper_token(&p7s, oid);
        let r = verify(&bad, None, &options());
        assert_eq!(r.signatures[0].indication, Indication::TotalFailed, "{}", r);
    }
    // Extended twice with archive-time-stamp-v2 (detached): B-LTA with its content; without
    // it the archive timestamps cannot be checked (INDETERMINATE, not failed).
    let Some(two) = shared("corpus/realworld/files/dss_dss1670_signatureExtendedTwoLTA.p7s") else {
        return;
    };
    let p7s = std::fs::read(&two).unwrap();
    let content = std::fs::read(two.with_extension("p7s.content")).unwrap();
    let r = verify(&p7s, Some(&content), &options());
    let s = &r.signatures[0];
    assert_eq!(s.level, Some(Level::BLTA), "{r}");
    assert_eq!(s.timestamps.len(), 3);
    assert_ne!(s.indication, Indication::TotalFailed, "{r}");
    let r = verify(&p7s, None, &options());
    assert!(
        r.signatures[0]
            .timestamps
            .iter()
            .all(|t| t.indication != Indication::TotalFailed),
        "{r}"
    );
    let bad = tamper_token(&p7s, ATS_V2);
    let r = verify(&bad, Some(&content), &options());
    assert_eq!(r.signatures[0].indication, Indication::TotalFailed, "{r}");
    // The content changed: the signature and the archive timestamps fail.
    let r = verify(&p7s, Some(b"other content"), &options());
    assert_eq!(r.signatures[0].indication, Indication::TotalFailed, "{r}");
}

#[test]
fn cades_cli_sign_lta_with_certomancer_and_fetched_revocation() {
    let Some(cm) = Certomancer::start() else {
        return;
    };
    let dir = tempdir();
    let p = |n: &str| dir.path().join(n);
    std::fs::write(p("doc.txt"), DOC).unwrap();
    std::fs::write(p("cm-root.pem"), cm.root_pem()).unwrap();
    std::fs::write(p("cm-interm.pem"), cm.intermediate_pem()).unwrap();
    let mut bundle = tv_bytes("pki/root-ca.pem");
    bundle.extend(cm.root_pem());
    std::fs::write(p("trust.pem"), bundle).unwrap();
    let tsa = cm.tsa_url("tsa");
    let (code, _, err) = sigform(&[
        "sign",
        "cades",
        arg(&p("doc.txt")),
        "-o",
        arg(&p("s.p7s")),
        "--key",
        arg(&tv("pki/signer-rsa2048.key.pem")),
        "--cert",
        arg(&tv("pki/signer-rsa2048.pem")),
        "--chain",
        arg(&tv("pki/chain.pem")),
        "--tsa",
        &tsa,
        "--level",
        "B-LTA",
        "--fetch-revocation",
        "--crl",
        arg(&tv("pki/intermediate-ca.crl.der")),
        "--ocsp",
        arg(&tv("ocsp/signer-rsa2048.good.ocsp.der")),
        "--add-cert",
        arg(&p("cm-root.pem")),
    ]);
    assert_eq!(code, 0, "{err}");
    let p7s = std::fs::read(p("s.p7s")).unwrap();
    // The OCSP response given as id-ri-ocsp-response; the CRLs of the TSA's chain fetched from
    // certomancer (its OCSP answers carry fractional producedAt, which the OCSP reader refuses,
    // so the fetcher falls back to the CRL distribution points, with a warning).
    let der = tlv::normalize(&p7s).unwrap();
    let sd = parse_signed_data(&der).unwrap();
    assert!(
        sd.crls.iter().any(|c| c.first() == Some(&0xa1))
            && sd.crls.iter().filter(|c| c.first() == Some(&0x30)).count() >= 3,
        "no OCSP response embedded: {err} {:?} certs {}",
        sd.crls.iter().map(|c| c[0]).collect::<Vec<_>>(),
        sd.certificates.len()
    );
    let (code, out, err) = sigform(&[
        "verify",
        arg(&p("s.p7s")),
        "--content",
        arg(&p("doc.txt")),
        "--trust",
        arg(&p("trust.pem")),
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let r: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(r["signatures"][0]["level"], "B-LTA", "{out}");
    openssl_cms_verify(&p7s, Some(DOC), true);
    let sig = signature_value(&p7s);
    for (oid, digest) in [
        (SIG_TS, Some(DigestAlgorithm::Sha256.digest(&sig))),
        (ATS_V3, None),
    ] {
        for t in tokens(&p7s, oid) {
            let d = digest
                .clone()
                .unwrap_or_else(|| TimestampToken::from_der(&t).unwrap().imprint().to_vec());
            openssl_ts_accepts_with(&t, &d, &p("cm-root.pem"), &p("cm-interm.pem"));
        }
    }

    // extend: a B-B .p7s to B-T.
    let (code, _, err) = sigform(&[
        "sign",
        "cades",
        arg(&p("doc.txt")),
        "-o",
        arg(&p("bb.p7s")),
        "--key",
        arg(&tv("pki/signer-rsa2048.key.pem")),
        "--cert",
        arg(&tv("pki/signer-rsa2048.pem")),
        "--chain",
        arg(&tv("pki/chain.pem")),
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = sigform(&[
        "extend",
        arg(&p("bb.p7s")),
        "-o",
        arg(&p("bt.p7s")),
        "--level",
        "B-T",
        "--tsa",
        &tsa,
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, out, _) = sigform(&[
        "verify",
        arg(&p("bt.p7s")),
        "--content",
        arg(&p("doc.txt")),
        "--trust",
        arg(&p("trust.pem")),
        "--format",
        "json",
    ]);
    let r: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(r["signatures"][0]["level"], "B-T", "{out}");
    assert_eq!(code, 0, "{out}");
    // ICP-Brasil AD-RT: B-T under the AD-RB policy attributes.
    let (code, _, err) = sigform(&[
        "sign",
        "cades",
        arg(&p("doc.txt")),
        "-o",
        arg(&p("adrt.p7s")),
        "--key",
        arg(&tv("pki/signer-rsa2048.key.pem")),
        "--cert",
        arg(&tv("pki/signer-rsa2048.pem")),
        "--chain",
        arg(&tv("pki/chain.pem")),
        "--policy-oid",
        "2.16.76.1.7.1.1.2.3",
        "--policy-hash",
        &"cd".repeat(32),
        "--tsa",
        &tsa,
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, out, _) = sigform(&[
        "verify",
        arg(&p("adrt.p7s")),
        "--content",
        arg(&p("doc.txt")),
        "--trust",
        arg(&p("trust.pem")),
        "--format",
        "json",
    ]);
    let r: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(code, 0, "{out}");
    assert_eq!(r["signatures"][0]["level"], "B-T", "{out}");
    assert_eq!(
        r["signatures"][0]["policy_oid"], "2.16.76.1.7.1.1.2.3",
        "{out}"
    );

    // extend: a file that is not a signature (a PDF without one) is refused (exit 2).
    std::fs::write(p("x.pdf"), b"%PDF-1.7\n").unwrap();
    let (code, _, err) = sigform(&[
        "extend",
        arg(&p("x.pdf")),
        "-o",
        arg(&p("y.pdf")),
        "--level",
        "B-T",
        "--tsa",
        &tsa,
    ]);
    assert_eq!(code, 2);
    assert!(!p("y.pdf").exists(), "{err}");
}

/// A B-T signature by `signer` whose token certomancer makes at the fake time `at`.
fn bt_at(cm: &Certomancer, signer: &str, at: &str) -> Vec<u8> {
    let tsa = sigform::tsp::HttpTimestampAuthority::new(cm.tsa_url("tsa"))
        .unwrap()
        .with_header("X-Certomancer-Fake-Time", at);
    let signer = test_signer(signer, "pki/chain.pem");
    let bb = cades::sign(DOC, &signer, &CadesOptions::default()).unwrap();
    extend(&bb, Level::BT, None, &tsa, &ValidationData::default()).unwrap()
}

fn options_with(cm: &Certomancer, at: &str, crl: bool) -> VerifyOptions {
    let mut store = TrustStore::from_path(tv("pki/root-ca.pem")).unwrap();
    for c in sigform::CertificateDer::parse_many(&cm.root_pem()).unwrap() {
        store.add(c);
    }
    let mut o = VerifyOptions {
        trust: Some(store),
        validation_time: Some(sigform::time::parse_rfc3339(at).unwrap()),
        ..VerifyOptions::default()
    };
    if crl {
        o.revocation
            .add_crl(
                &tv_bytes("pki/intermediate-ca.crl.der"),
                sigform::x509::RevocationSource::File,
            )
            .unwrap();
    }
    o
}

#[test]
fn cades_proof_of_existence_expired_and_revoked_signers() {
    let Some(cm) = Certomancer::start() else {
        return;
    };
    // Expired after the timestamp (2044; the signer certificate ends in 2050): valid in 2051.
    let bt = bt_at(&cm, "signer-rsa2048", "2044-06-01T12:00:00+00:00");
    let r = verify(
        &bt,
        Some(DOC),
        &options_with(&cm, "2051-01-01T00:00:00Z", false),
    );
    let s = &r.signatures[0];
    assert!(r.valid, "{r}");
    assert!(
        s.warnings
            .iter()
            .any(|w| w.contains("past signature validation")),
        "{r}"
    );
    // The same signature without its timestamp has no proof of existence.
    let bb = cades::sign(
        DOC,
        &test_signer("signer-rsa2048", "pki/chain.pem"),
        &CadesOptions::default(),
    )
    .unwrap();
    let r = verify(
        &bb,
        Some(DOC),
        &options_with(&cm, "2051-01-01T00:00:00Z", false),
    );
    assert_eq!(
        r.signatures[0].sub_indication,
        Some(SubIndication::OutOfBoundsNoPoe)
    );

    // signer-revoked was revoked on 2025-06-01: a timestamp before that keeps it valid...
    let before = bt_at(&cm, "signer-revoked", "2024-12-01T12:00:00+00:00");
    let r = verify(
        &before,
        Some(DOC),
        &options_with(&cm, "2026-01-01T00:00:00Z", true),
    );
    assert!(r.valid, "{r}");
    // ...one after it does not.
    let after = bt_at(&cm, "signer-revoked", "2025-09-01T12:00:00+00:00");
    let r = verify(
        &after,
        Some(DOC),
        &options_with(&cm, "2026-01-01T00:00:00Z", true),
    );
    assert!(!r.valid, "{r}");
    assert_eq!(
        r.signatures[0].sub_indication,
        Some(SubIndication::RevokedNoPoe)
    );
}

#[test]
fn cades_timestamp_negative_cases() {
    let Some(tsa) = OpensslTsa::new() else { return };
    let signer = test_signer("signer-rsa2048", "pki/chain.pem");
    let bb = cades::sign(
        DOC,
        &signer,
        &CadesOptions {
            attached: true,
            ..Default::default()
        },
    )
    .unwrap();

    // A token over other data (as if taken from another signature): HASH_FAILURE.
    struct Elsewhere(OpensslTsa);
    impl TimestampAuthority for Elsewhere {
        fn timestamp(&self, alg: DigestAlgorithm, _: &[u8]) -> Result<TimestampToken, TspError> {
            self.0
                .timestamp(alg, &alg.digest(b"another signature value"))
        }
    }
    let wrong = extend(
        &bb,
        Level::BT,
        None,
        &Elsewhere(tsa),
        &ValidationData::default(),
    )
    .unwrap();
    let r = verify(&wrong, None, &options());
    assert_eq!(r.signatures[0].indication, Indication::TotalFailed);
    assert_eq!(
        r.signatures[0].sub_indication,
        Some(SubIndication::HashFailure)
    );

    // A token that is not DER of a ContentInfo: FORMAT_FAILURE, no panic.
    let Some(tsa) = OpensslTsa::new() else { return };
    let bt = extend(&bb, Level::BT, None, &tsa, &ValidationData::default()).unwrap();
    let der = tlv::normalize(&bt).unwrap().into_owned();
    let token = tokens(&der, SIG_TS)[0].clone();
    let at = der
        .windows(token.len())
        .position(|w| w == token.as_slice())
        .unwrap();
    let mut bad = der.clone();
    bad[at] = 0x31; // SEQUENCE -> SET: still a TLV, not a token
    let r = verify(&bad, None, &options());
    assert_eq!(
        r.signatures[0].sub_indication,
        Some(SubIndication::FormatFailure),
        "{r}"
    );

    // Any single byte flipped in a B-LTA file: a verdict, never a panic, never a pass with a
    // changed timestamp.
    let mut doc = DOC;
    let lta = extend(
        &bb,
        Level::BLTA,
        Some(&mut doc),
        &tsa,
        &ValidationData {
            crls: vec![tv_bytes("pki/intermediate-ca.crl.der")],
            ..Default::default()
        },
    )
    .unwrap();
    let step = (lta.len() / 400).max(1);
    for i in (0..lta.len()).step_by(step) {
        let mut m = lta.clone();
        m[i] ^= 0x5a;
        let _ = cades::verify(&m, None, &options());
    }
}

// ---------- weak algorithms and proof of existence (EN 319 102-1 §5.6.2.5) ----------

/// Options validating in 20 years (the test PKI lasts until 2050) with RSA keys under 2048
/// bits retired at `sunset`.
fn options_in_20_years(sunset: SystemTime) -> VerifyOptions {
    VerifyOptions {
        validation_time: Some(years_from_now(20)),
        algorithms: short_rsa_retired_at(sunset),
        ..options()
    }
}

fn signature_value_check(r: &ValidationReport) -> (bool, String) {
    let c = r.signatures[0]
        .checks
        .iter()
        .find(|c| c.name == "signature-value")
        .expect("a signature-value check");
    (c.passed, c.detail.clone().unwrap_or_default())
}

#[test]
fn weak_rsa_key_is_accepted_with_a_timestamp_before_its_sunset() {
    let (Some(bb), Some(tsa)) = (openssl_rsa1024_attached(DOC), OpensslTsa::new()) else {
        return;
    };
    let bt = extend(&bb, Level::BT, None, &tsa, &ValidationData::default()).unwrap();
    // Validated in 20 years, when RSA-1024 (retired in 10) is refused: the timestamp, made
    // today, proves the signature existed before the sunset.
    let r = verify(&bt, None, &options_in_20_years(years_from_now(10)));
    let s = &r.signatures[0];
    assert!(r.valid, "{r}");
    // (openssl writes no ESS signing-certificate attribute: a CMS signature, no CAdES level)
    assert!(s.timestamp_time.is_some());
    let (passed, detail) = signature_value_check(&r);
    assert!(passed);
    assert!(
        detail.contains("RSA key of 1024 bits accepted: the signature timestamp S1.T1 at"),
        "{detail}"
    );
    assert!(
        s.warnings.iter().any(|w| w.contains("proof of existence")),
        "the chain (an RSA-1024 signer certificate) is validated at the timestamp: {:?}",
        s.warnings
    );
}

#[test]
fn weak_rsa_key_is_refused_with_a_timestamp_after_its_sunset() {
    let (Some(bb), Some(tsa)) = (openssl_rsa1024_attached(DOC), OpensslTsa::new()) else {
        return;
    };
    let bt = extend(&bb, Level::BT, None, &tsa, &ValidationData::default()).unwrap();
    // The default policy: RSA keys of 1024 to 1899 bits were retired at the end of 2013, long
    // before today's timestamp.
    let yesterday = SystemTime::now() - Duration::from_secs(86_400);
    for opts in [options(), options_in_20_years(yesterday)] {
        let r = verify(&bt, None, &opts);
        let s = &r.signatures[0];
        assert!(!r.valid);
        assert_eq!(s.indication, Indication::Indeterminate);
        assert_eq!(
            s.sub_indication,
            Some(SubIndication::CryptoConstraintsFailure)
        );
        assert_eq!(s.timestamps[0].indication, Indication::TotalPassed);
        let (passed, detail) = signature_value_check(&r);
        assert!(!passed);
        assert!(detail.contains("RSA key of 1024 bits"), "{detail}");
        assert!(detail.contains("is not before"), "{detail}");
    }
}

#[test]
fn weak_rsa_key_without_a_valid_timestamp_is_refused() {
    let (Some(bb), Some(tsa)) = (openssl_rsa1024_attached(DOC), OpensslTsa::new()) else {
        return;
    };
    // No timestamp: no proof of existence.
    let r = verify(&bb, None, &options_in_20_years(years_from_now(10)));
    let s = &r.signatures[0];
    assert_eq!(
        (s.indication, s.sub_indication),
        (
            Indication::Indeterminate,
            Some(SubIndication::CryptoConstraintsFailure)
        )
    );
    let (passed, detail) = signature_value_check(&r);
    assert!(!passed);
    assert!(detail.contains("no proof of existence before"), "{detail}");
    // A tampered timestamp: its own failure, and no proof of existence either.
    let bt = extend(&bb, Level::BT, None, &tsa, &ValidationData::default()).unwrap();
    let bad = tamper_token(&bt, SIG_TS);
    let r = verify(&bad, None, &options_in_20_years(years_from_now(10)));
    let s = &r.signatures[0];
    assert!(!r.valid);
    assert_eq!(s.timestamps[0].indication, Indication::TotalFailed);
    assert_eq!(
        s.timestamps[0].sub_indication,
        Some(SubIndication::HashFailure)
    );
    let (passed, detail) = signature_value_check(&r);
    assert!(!passed);
    assert!(detail.contains("no proof of existence before"), "{detail}");
}
