//! RFC 3161 with real TSAs: `openssl ts -reply` (tokens with ESS signing-certificate-v2, signed
//! by the test PKI's TSA) and certomancer over HTTP on 127.0.0.1 (ESS v1 tokens). Our verifier
//! accepts their tokens and refuses tampered ones with the right `TspError`; openssl accepts our
//! requests and `openssl ts -verify` accepts what our client got.
#![cfg(feature = "http")]

mod common;

use common::certomancer::Certomancer;
use common::openssl_tsa::OpensslTsa;
use common::{tempdir, tv};
use sigform::DigestAlgorithm;
use sigform::asn1::tlv;
use sigform::cades::parse::parse_signed_data;
use sigform::tsp::{
    EssVersion, FailureInfo, HttpTimestampAuthority, TimeStampReq, TimeStampResp,
    TimestampAuthority, TimestampToken, TokenVerifyOptions, TspError, verify_response,
    verify_token, verify_token_digest,
};
use sigform::x509::{PathError, TrustStore};
use sigform::{CertificateDer, SoftwareSigner};
use std::time::{Duration, SystemTime};

const DATA: &[u8] = b"sigform: the data to timestamp";

fn pki_options() -> TokenVerifyOptions {
    TokenVerifyOptions::new(TrustStore::from_path(tv("pki/root-ca.pem")).unwrap())
}

fn sha256(data: &[u8]) -> Vec<u8> {
    DigestAlgorithm::Sha256.digest(data)
}

/// Offset of `part` (a slice of `base`) in `base`.
fn offset(base: &[u8], part: &[u8]) -> usize {
    part.as_ptr() as usize - base.as_ptr() as usize
}

fn near_now(t: SystemTime) -> bool {
    let now = SystemTime::now();
    let d = now
        .duration_since(t)
        .or_else(|e| Ok::<_, ()>(e.duration()))
        .unwrap();
    d < Duration::from_secs(600)
}

#[test]
fn tsp_openssl_token_verifies() {
    let Some(tsa) = OpensslTsa::new() else { return };
    let query = tsa.query(DATA, &["-cert"]);
    let request = TimeStampReq::from_der(&query).unwrap();
    assert!(request.cert_req && request.nonce.is_some());
    let response = tsa.reply(&query);
    let (token, v) = verify_response(&response, &request, &pki_options()).unwrap();
    assert_eq!(v.ess, EssVersion::V2);
    assert_eq!(v.tsa_subject, "CN=sigform Test TSA");
    assert_eq!(v.policy.to_string(), "1.2.3.4.1");
    assert_eq!(v.accuracy, Some(Duration::from_micros(1_500_100)));
    assert!(v.ordering);
    assert_eq!(v.imprint_algorithm, DigestAlgorithm::Sha256);
    assert!(near_now(v.gen_time), "{}", v.gen_time_rfc3339);
    assert!(!v.serial.is_empty());
    assert_eq!(v.chain.chain.len(), 3, "TSA, intermediate, root");
    // The same token over the data itself, and from its bytes alone.
    let again = TimestampToken::from_der(token.as_der()).unwrap();
    verify_token(&again, DATA, &pki_options()).unwrap();
    assert_eq!(token.imprint(), sha256(DATA).as_slice());

    // ess_cert_id_alg = sha1: the old signing-certificate (v1) attribute.
    let Some(tsa) = OpensslTsa::with_ess("sha1") else {
        return;
    };
    let query = tsa.query(DATA, &["-cert"]);
    let request = TimeStampReq::from_der(&query).unwrap();
    let (_, v) = verify_response(&tsa.reply(&query), &request, &pki_options()).unwrap();
    assert_eq!(v.ess, EssVersion::V1);
}

#[test]
fn tsp_our_requests_are_accepted_by_openssl() {
    let Some(tsa) = OpensslTsa::new() else { return };
    for (alg, policy) in [
        (DigestAlgorithm::Sha256, None),
        (DigestAlgorithm::Sha512, Some("1.2.3.4.5")),
    ] {
        let mut request = TimeStampReq::new(alg, &alg.digest(DATA)).unwrap();
        if let Some(p) = policy {
            request = request.with_policy(p.parse().unwrap());
        }
        let query = request.to_der().unwrap();
        let response = tsa.reply(&query);
        let (_, v) = verify_response(&response, &request, &pki_options()).unwrap();
        assert_eq!(v.imprint_algorithm, alg);
        assert_eq!(v.policy.to_string(), policy.unwrap_or("1.2.3.4.1"));
        let (ok, out) = tsa.verify(
            &response,
            &query,
            &tv("pki/root-ca.pem"),
            &tv("pki/intermediate-ca.pem"),
        );
        assert!(
            ok,
            "openssl ts -verify refused a token for our request: {out}"
        );
    }
}

#[test]
fn tsp_tampered_openssl_tokens_are_refused() {
    let Some(tsa) = OpensslTsa::new() else { return };
    let query = tsa.query(DATA, &["-cert"]);
    let request = TimeStampReq::from_der(&query).unwrap();
    let token = TimeStampResp::from_der(&tsa.reply(&query))
        .unwrap()
        .into_token()
        .unwrap();
    let nonce = request.nonce.as_ref().unwrap().as_bytes().to_vec();
    let opts = |f: &dyn Fn(&mut TokenVerifyOptions)| {
        let mut o = pki_options();
        o.nonce = Some(nonce.clone());
        f(&mut o);
        o
    };
    let check = |t: &TimestampToken, o: &TokenVerifyOptions| verify_token(t, DATA, o);
    check(&token, &opts(&|_| {})).unwrap();

    // Other data, another nonce, another policy.
    assert_eq!(
        verify_token(&token, b"other data", &pki_options()).unwrap_err(),
        TspError::ImprintMismatch
    );
    assert_eq!(
        check(&token, &opts(&|o| o.nonce = Some(vec![1, 2, 3]))).unwrap_err(),
        TspError::NonceMismatch
    );
    assert!(matches!(
        check(
            &token,
            &opts(&|o| o.policy = Some("1.2.3.4.5".parse().unwrap()))
        ),
        Err(TspError::PolicyMismatch { .. })
    ));
    assert!(matches!(
        verify_token_digest(&token, DigestAlgorithm::Sha512, &[0; 64], &pki_options()),
        Err(TspError::ImprintAlgorithmMismatch { .. })
    ));

    // A byte of the TSTInfo (its serial number): messageDigest no longer matches.
    let der = token.as_der().to_vec();
    let tst = token.tst_info_der();
    let tst_at = der.windows(tst.len()).position(|w| w == tst).unwrap();
    let mut fields = tlv::read_single(tst, "TSTInfo").unwrap().children();
    let serial = fields.nth(3).unwrap().unwrap().content; // version, policy, imprint, serial
    let serial_end = tst_at + offset(tst, serial) + serial.len() - 1;
    let mut bad = der.clone();
    bad[serial_end] ^= 1;
    let bad = TimestampToken::from_der(&bad).unwrap();
    assert_eq!(
        check(&bad, &opts(&|_| {})).unwrap_err(),
        TspError::TstInfoDigestMismatch
    );

    // A byte of the signature value.
    let sd = parse_signed_data(&der).unwrap();
    let sig = sd.signer_infos[0].signature;
    let mut bad = der.clone();
    bad[offset(&der, sig) + sig.len() - 1] ^= 1;
    let bad = TimestampToken::from_der(&bad).unwrap();
    assert!(matches!(
        check(&bad, &opts(&|_| {})),
        Err(TspError::BadSignature(_))
    ));

    // Another trust anchor; none at all.
    let other =
        TokenVerifyOptions::new(TrustStore::from_path(tv("pki/other-root-ca.pem")).unwrap());
    assert!(matches!(
        check(&token, &other),
        Err(TspError::Chain(PathError::NoChain { .. }))
    ));
    assert_eq!(
        check(&token, &TokenVerifyOptions::default()).unwrap_err(),
        TspError::NoTrustAnchors
    );
}

#[test]
fn tsp_openssl_tokens_without_nonce_or_certificate() {
    let Some(tsa) = OpensslTsa::new() else { return };
    // No nonce asked: a verifier expecting one refuses the token.
    let token = TimeStampResp::from_der(&tsa.reply(&tsa.query(DATA, &["-cert", "-no_nonce"])))
        .unwrap()
        .into_token()
        .unwrap();
    let mut o = pki_options();
    o.nonce = Some(vec![7; 8]);
    assert_eq!(
        verify_token(&token, DATA, &o).unwrap_err(),
        TspError::NonceMissing
    );
    verify_token(&token, DATA, &pki_options()).unwrap();

    // No certReq: no certificate in the token; given by the caller, it verifies.
    let token = TimeStampResp::from_der(&tsa.reply(&tsa.query(DATA, &[])))
        .unwrap()
        .into_token()
        .unwrap();
    assert_eq!(
        verify_token(&token, DATA, &pki_options()).unwrap_err(),
        TspError::TsaCertificateNotFound
    );
    let certs = |name: &str| CertificateDer::parse_many(&std::fs::read(tv(name)).unwrap()).unwrap();
    let mut o = pki_options();
    o.extra_certificates = certs("pki/tsa.pem");
    assert!(matches!(
        verify_token(&token, DATA, &o),
        Err(TspError::Chain(PathError::NoChain { .. }))
    ));
    o.extra_certificates
        .extend(certs("pki/intermediate-ca.pem"));
    verify_token(&token, DATA, &o).unwrap();

    // A twin of the TSA certificate (same key, issuer and serial, other validity): the
    // signature verifies with its key, but ESS signing-certificate-v2 names the real one.
    let twin = tsa.path("twin.pem");
    let ext = tsa.path("twin.ext");
    std::fs::write(&ext, "extendedKeyUsage = critical, timeStamping\n").unwrap();
    let pki = tv("pki");
    let (ok, out) = tsa.openssl(&[
        "req",
        "-new",
        "-key",
        &format!("{}/tsa.key.pem", pki.display()),
        "-subj",
        "/CN=sigform Test TSA",
        "-out",
        "twin.csr",
    ]);
    assert!(ok, "{out}");
    let (ok, out) = tsa.openssl(&[
        "x509",
        "-req",
        "-in",
        "twin.csr",
        "-CA",
        &format!("{}/intermediate-ca.pem", pki.display()),
        "-CAkey",
        &format!("{}/intermediate-ca.key.pem", pki.display()),
        "-set_serial",
        "0x73696766000000000000000000003001",
        "-days",
        "30",
        "-extfile",
        &ext.display().to_string(),
        "-out",
        &twin.display().to_string(),
    ]);
    assert!(ok, "{out}");
    let mut o = pki_options();
    o.extra_certificates = CertificateDer::parse_many(&std::fs::read(&twin).unwrap()).unwrap();
    o.extra_certificates
        .extend(certs("pki/intermediate-ca.pem"));
    assert!(matches!(
        verify_token(&token, DATA, &o),
        Err(TspError::EssMismatch(_))
    ));
}

#[test]
fn tsp_openssl_rejections_and_non_tokens() {
    let Some(tsa) = OpensslTsa::new() else { return };
    let response = tsa.reply(&tsa.query(DATA, &["-tspolicy", "1.9.9.9"]));
    match TimeStampResp::from_der(&response).unwrap().into_token() {
        Err(TspError::Rejected { fail_info, .. }) => {
            assert_eq!(fail_info, vec![FailureInfo::UnacceptedPolicy])
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
    // A CAdES signature is a SignedData, but not over a TSTInfo.
    let signer = SoftwareSigner::from_files(
        tv("pki/signer-rsa2048.key.pem"),
        None,
        tv("pki/signer-rsa2048.pem"),
        None,
    )
    .unwrap();
    let options = sigform::cades::CadesOptions {
        attached: true,
        ..Default::default()
    };
    let p7s = sigform::cades::sign(DATA, &signer, &options).unwrap();
    assert!(matches!(
        TimestampToken::from_der(&p7s),
        Err(TspError::NotATimestampToken(_))
    ));
    assert!(matches!(
        TimestampToken::from_der(&vec![0x30; 2 << 20]),
        Err(TspError::TooLarge { .. })
    ));
}

#[test]
fn tsp_certomancer_tsa_over_http() {
    let Some(cm) = Certomancer::start() else {
        return;
    };
    let dir = tempdir();
    let root = dir.path().join("root.pem");
    let interm = dir.path().join("interm.pem");
    std::fs::write(&root, cm.root_pem()).unwrap();
    std::fs::write(&interm, cm.intermediate_pem()).unwrap();
    let trust = || TokenVerifyOptions::new(TrustStore::from_path(&root).unwrap());

    // The trait: digest in, checked token out; ESS v1 (SHA-1) from certomancer.
    let tsa = HttpTimestampAuthority::new(cm.tsa_url("tsa")).unwrap();
    let token = tsa
        .timestamp(DigestAlgorithm::Sha256, &sha256(DATA))
        .unwrap();
    let v = verify_token(&token, DATA, &trust()).unwrap();
    assert_eq!(v.ess, EssVersion::V1);
    assert_eq!(
        v.tsa_subject,
        "CN=sigform Certomancer TSA,O=sigform Certomancer,C=BR"
    );
    assert!(near_now(v.gen_time), "{}", v.gen_time_rfc3339);
    assert_eq!(
        verify_token(&token, b"other data", &trust()).unwrap_err(),
        TspError::ImprintMismatch
    );

    // One exchange by hand: the nonce must be the request's.
    let request = tsa
        .request_for(DigestAlgorithm::Sha256, &sha256(DATA))
        .unwrap();
    let response = tsa.exchange(&request).unwrap();
    let (token, _) = verify_response(&response, &request, &trust()).unwrap();
    let other = tsa
        .request_for(DigestAlgorithm::Sha256, &sha256(DATA))
        .unwrap();
    assert_ne!(other.nonce, request.nonce);
    assert_eq!(
        token.check_answers(&other).unwrap_err(),
        TspError::NonceMismatch
    );
    assert_eq!(
        verify_response(&response, &other, &trust()).unwrap_err(),
        TspError::NonceMismatch
    );

    // openssl ts -verify accepts what our client got.
    if let Some(openssl) = OpensslTsa::new() {
        let (ok, out) = openssl.verify(&response, &request.to_der().unwrap(), &root, &interm);
        assert!(
            ok,
            "openssl ts -verify refused certomancer's answer to us: {out}"
        );
    }

    // A TSA whose certificate's timeStamping EKU is not critical (RFC 3161 §2.3).
    let lax = HttpTimestampAuthority::new(cm.tsa_url("tsa-lax")).unwrap();
    let token = lax
        .timestamp(DigestAlgorithm::Sha256, &sha256(DATA))
        .unwrap();
    assert!(matches!(
        verify_token(&token, DATA, &trust()),
        Err(TspError::TsaKeyPurpose { .. })
    ));

    // certomancer's fake clock: genTime follows it, and the chain is validated at genTime.
    let at = |time: &str| {
        HttpTimestampAuthority::new(cm.tsa_url("tsa"))
            .unwrap()
            .with_header("X-Certomancer-Fake-Time", time)
            .timestamp(
                DigestAlgorithm::Sha384,
                &DigestAlgorithm::Sha384.digest(DATA),
            )
            .unwrap()
    };
    let v = verify_token(&at("2030-06-01T12:00:00+00:00"), DATA, &trust()).unwrap();
    assert!(
        v.gen_time_rfc3339.starts_with("2030-06-01T12:00:00"),
        "{}",
        v.gen_time_rfc3339
    );
    assert_eq!(v.imprint_algorithm, DigestAlgorithm::Sha384);
    assert!(matches!(
        verify_token(&at("2046-01-01T00:00:00+00:00"), DATA, &trust()),
        Err(TspError::Chain(PathError::Expired { .. }))
    ));

    // Wrong endpoint: an HTTP error, not a token.
    let missing = HttpTimestampAuthority::new(cm.tsa_url("no-such-tsa")).unwrap();
    assert_eq!(
        missing
            .timestamp(DigestAlgorithm::Sha256, &sha256(DATA))
            .unwrap_err(),
        TspError::HttpStatus(404)
    );
}

/// Every byte of an openssl response flipped (sampled) and the response cut short: parsing and
/// verification return an error or a verdict, never a panic. (The fuzz target `tsp` does the
/// same at length.)
#[test]
fn tsp_mutated_responses_never_panic() {
    let Some(tsa) = OpensslTsa::new() else { return };
    let query = tsa.query(DATA, &["-cert"]);
    let request = TimeStampReq::from_der(&query).unwrap();
    let response = tsa.reply(&query);
    let options = pki_options();
    let mut verified = 0;
    for i in (0..response.len()).step_by(5) {
        let mut bad = response.clone();
        bad[i] ^= 0x5a;
        if verify_response(&bad, &request, &options).is_ok() {
            verified += 1;
        }
    }
    for len in (0..response.len()).step_by(11) {
        assert!(verify_response(&response[..len], &request, &options).is_err());
    }
    // Only bytes no signature covers may change without failing (versions, digestAlgorithms,
    // unused parts of the status and the certificate set): a handful at most.
    eprintln!(
        "{verified} of {} sampled mutations verified",
        response.len() / 5
    );
    assert!(
        verified < response.len() / 50,
        "{verified} mutations verified"
    );
}

#[test]
fn tsp_weak_tsa_key_is_judged_at_the_proof_of_existence() {
    use sigform::alg::{AlgorithmPolicy, RsaSunset};
    use sigform::tsp::TokenPoe;
    let Some(tsa) = OpensslTsa::rsa1024() else {
        return;
    };
    let query = tsa.query(DATA, &["-cert"]);
    let request = TimeStampReq::from_der(&query).unwrap();
    let response = tsa.reply(&query);
    // openssl does not judge key sizes.
    let (ok, out) = tsa.verify(
        &response,
        &query,
        &tv("pki/root-ca.pem"),
        &tv("pki/intermediate-ca.pem"),
    );
    assert!(ok, "{out}");
    // The default policy: RSA-1024 retired on 2019-10-01, no proof of existence.
    let err = verify_response(&response, &request, &pki_options()).unwrap_err();
    match &err {
        TspError::WeakTsaKey {
            bits: 1024,
            min: 2048,
            sunset: Some(s),
            reason,
        } => {
            assert_eq!(sigform::time::format_rfc3339(*s), "2019-10-01T00:00:00Z");
            assert!(
                reason.contains("no proof of existence before 2019-10-01"),
                "{reason}"
            );
        }
        other => panic!("{other:?}"),
    }
    // Validated in 20 years with RSA-1024 retired in 10: refused without a proof, accepted
    // with one before the sunset, refused with one after it.
    let year = Duration::from_secs(365 * 86_400);
    let now = SystemTime::now();
    let mut options = pki_options();
    options.validation_time = Some(now + 20 * year);
    options.algorithms = AlgorithmPolicy {
        rsa: vec![RsaSunset {
            below_bits: 2048,
            sunset: Some(now + 10 * year),
        }],
    };
    let token = TimeStampResp::from_der(&response)
        .unwrap()
        .into_token()
        .unwrap();
    assert!(matches!(
        verify_token(&token, DATA, &options),
        Err(TspError::WeakTsaKey { .. })
    ));
    options.poe = Some(TokenPoe {
        time: now + year,
        by: "the archive timestamp X".into(),
    });
    let v = verify_token(&token, DATA, &options).unwrap();
    let note = v.proof_of_existence.unwrap();
    assert!(
        note.contains("accepted: the archive timestamp X at")
            && note.contains("proves the token existed before"),
        "{note}"
    );
    options.poe = Some(TokenPoe {
        time: now + 11 * year,
        by: "the archive timestamp Y".into(),
    });
    let err = verify_token(&token, DATA, &options).unwrap_err();
    assert!(
        err.to_string()
            .contains("its proof of existence (the archive timestamp Y at"),
        "{err}"
    );
    // The chain is judged at genTime with the same policy: validated today, no proof needed.
    options.validation_time = None;
    options.poe = None;
    let v = verify_token(&token, DATA, &options).unwrap();
    assert!(v.proof_of_existence.is_none());
}
