//! CAdES: round trips, interop with openssl and pyHanko, and the negative cases.

mod common;
use common::*;
use sigform::CertificateDer;
use sigform::VerifyOptions;
use sigform::asn1::Base64Bytes;
use sigform::asn1::tlv;
use sigform::cades::parse::{encode_signed_data, parse_signed_data, parse_signer_info};
use sigform::cades::{self, CadesOptions, SignaturePolicy, SigningTime};
use sigform::report::{Indication, SubIndication, ValidationReport};
use sigform::signer::software::PrivateKey;
use sigform::signer::{Signer, SignerIdentity, SoftwareSigner};
use sigform::{DigestAlgorithm, SignatureAlgorithm};
use std::process::Command;

fn signer(name: &str) -> SoftwareSigner {
    test_signer(name, "pki/chain.pem")
}

fn doc() -> Vec<u8> {
    tv_bytes("docs/sample.txt")
}

fn verify(p7s: &[u8], content: Option<&[u8]>) -> ValidationReport {
    let mut c = content.map(std::io::Cursor::new);
    cades::verify(
        p7s,
        c.as_mut().map(|c| c as &mut dyn std::io::Read),
        &VerifyOptions::default(),
    )
    .expect("parses")
}

/// Every signature's cryptographic checks passed (trust is evaluated elsewhere).
fn assert_intact(r: &ValidationReport) {
    assert!(!r.signatures.is_empty());
    fn walk(s: &sigform::report::SignatureReport) {
        let failed: Vec<_> = s
            .checks
            .iter()
            .filter(|c| !c.passed && c.name != "trust")
            .collect();
        assert!(failed.is_empty(), "{}: {failed:?}\n", s.id);
        assert!(
            s.sub_indication.is_none()
                || s.sub_indication == Some(SubIndication::NoCertificateChainFound),
            "{}: {:?}",
            s.id,
            s.sub_indication
        );
        s.counter_signatures.iter().for_each(walk);
    }
    r.signatures.iter().for_each(walk);
}

fn first_failure(r: &ValidationReport) -> (Indication, SubIndication) {
    let s = &r.signatures[0];
    (s.indication, s.sub_indication.expect("a failure"))
}

fn openssl_verify(p7s: &[u8], content: Option<&[u8]>) {
    openssl_cms_verify(p7s, content, true)
}

#[test]
fn detached_and_attached_all_key_kinds_interop() {
    let d = doc();
    for (name, alg) in [
        ("signer-rsa2048", None),
        ("signer-rsa3072", Some(SignatureAlgorithm::RSA_PSS_SHA256)),
        (
            "signer-rsa2048",
            Some(SignatureAlgorithm::RsaPkcs1v15 {
                digest: DigestAlgorithm::Sha512,
            }),
        ),
        ("signer-p256", None),
        ("signer-p384", None),
    ] {
        let mut s = signer(name);
        if let Some(a) = alg {
            s = s.with_algorithm(a).unwrap();
        }
        for attached in [false, true] {
            let opts = CadesOptions {
                attached,
                ..Default::default()
            };
            let p7s = cades::sign(&d[..], &s, &opts).unwrap();
            let r = verify(&p7s, (!attached).then_some(&d[..]));
            assert_intact(&r);
            assert_eq!(r.signatures[0].level, Some(sigform::report::Level::BB));
            openssl_verify(&p7s, (!attached).then_some(&d[..]));
        }
    }
}

#[test]
fn pyhanko_accepts_detached() {
    let d = doc();
    let p7s = cades::sign(&d[..], &signer("signer-rsa2048"), &CadesOptions::default()).unwrap();
    let dir = tempdir();
    let (sig, content) = (dir.path().join("s.p7s"), dir.path().join("doc.txt"));
    std::fs::write(&sig, &p7s).unwrap();
    std::fs::write(&content, &d).unwrap();
    let chain = tv("pki/chain.pem");
    let Some((ok, out)) = pyhanko_validate(&[
        "--other-certs",
        arg(&chain),
        "--detached",
        arg(&sig),
        arg(&content),
    ]) else {
        return;
    };
    assert!(ok && out.contains("INTACT:TRUSTED"), "pyHanko: {out}");
}

#[test]
fn cosign_keeps_existing_signer_infos_and_interops() {
    let d = doc();
    let first = cades::sign(&d[..], &signer("signer-rsa2048"), &CadesOptions::default()).unwrap();
    let second = cades::cosign(
        &first,
        Some(&d[..]),
        &signer("signer-p256"),
        &CadesOptions::default(),
    )
    .unwrap();
    let third = cades::cosign(
        &second,
        Some(&d[..]),
        &signer("signer-p384"),
        &CadesOptions::default(),
    )
    .unwrap();
    let a = parse_signed_data(&first).unwrap();
    let c = parse_signed_data(&third).unwrap();
    assert_eq!(c.signer_infos.len(), 3);
    assert_eq!(
        a.signer_infos[0].raw, c.signer_infos[0].raw,
        "first SignerInfo unchanged byte for byte"
    );
    assert_eq!(c.digest_algorithms.len(), 2, "SHA-256 and SHA-384, merged");
    let r = verify(&third, Some(&d));
    assert_intact(&r);
    assert_eq!(r.signatures.len(), 3);
    openssl_verify(&third, Some(&d));
    // attached
    let opts = CadesOptions {
        attached: true,
        ..Default::default()
    };
    let att = cades::sign(&d[..], &signer("signer-rsa2048"), &opts).unwrap();
    let att2 = cades::cosign::<&[u8]>(&att, None, &signer("signer-p256"), &CadesOptions::default())
        .unwrap();
    assert_intact(&verify(&att2, None));
    openssl_verify(&att2, None);
    // a detached co-sign without the content is a typed error
    assert!(
        cades::cosign::<&[u8]>(
            &first,
            None,
            &signer("signer-p256"),
            &CadesOptions::default()
        )
        .is_err()
    );
}

fn openssl_sign(extra: &[&str], attached: bool) -> Option<Vec<u8>> {
    openssl_sign_as("signer-rsa2048", true, extra, attached)
}

/// `openssl cms -sign` of `docs/sample.txt` by the test signer `name`, embedding
/// `pki/chain.pem` when `with_chain`; `None` when openssl is missing.
fn openssl_sign_as(
    name: &str,
    with_chain: bool,
    extra: &[&str],
    attached: bool,
) -> Option<Vec<u8>> {
    let openssl = tool("openssl")?;
    let dir = tempdir();
    let out = dir.path().join("o.p7s");
    let mut cmd = Command::new(openssl);
    cmd.args(["cms", "-sign", "-binary", "-outform", "DER", "-in"])
        .arg(tv("docs/sample.txt"))
        .arg("-signer")
        .arg(tv(&format!("pki/{name}.pem")))
        .arg("-inkey")
        .arg(tv(&format!("pki/{name}.key.pem")));
    if with_chain {
        cmd.arg("-certfile").arg(tv("pki/chain.pem"));
    }
    cmd.args(extra).arg("-out").arg(&out);
    if attached {
        cmd.arg("-nodetach");
    }
    let (ok, text) = run(&mut cmd);
    assert!(ok, "openssl cms -sign: {text}");
    Some(std::fs::read(out).unwrap())
}

#[test]
fn we_verify_what_openssl_signs() {
    let d = doc();
    let cases: Vec<(&str, Vec<&str>, bool)> = vec![
        ("detached", vec![], false),
        ("attached", vec![], true),
        ("stream BER", vec!["-stream"], true),
        ("stream BER detached", vec!["-stream"], false),
        ("noattr", vec!["-noattr"], false),
        ("cades", vec!["-cades"], false),
        ("pss", vec!["-keyopt", "rsa_padding_mode:pss"], false),
        ("sha512", vec!["-md", "sha512"], true),
    ];
    for (what, extra, attached) in cases {
        let Some(p7s) = openssl_sign(&extra, attached) else {
            return;
        };
        if extra.contains(&"-stream") && attached {
            assert_eq!(&p7s[..2], &[0x30, 0x80], "{what}: openssl wrote BER");
        }
        let r = verify(&p7s, (!attached).then_some(&d[..]));
        assert_intact(&r);
        // And the content swapped is caught on each.
        if !attached {
            let r = verify(&p7s, Some(b"another document"));
            assert_eq!(
                r.signatures[0].indication,
                Indication::TotalFailed,
                "{what}"
            );
        }
    }
}

#[test]
fn openssl_resign_and_our_cosign_on_openssl_files() {
    let Some(openssl) = tool("openssl") else {
        return;
    };
    let d = doc();
    let base = openssl_sign(&[], false).unwrap();
    // our co-signature on an openssl-made file
    let ours = cades::cosign(
        &base,
        Some(&d[..]),
        &signer("signer-p256"),
        &CadesOptions::default(),
    )
    .unwrap();
    assert_intact(&verify(&ours, Some(&d)));
    openssl_cms_verify(&ours, Some(&d), false);
    let before = parse_signed_data(&base).unwrap();
    let after = parse_signed_data(&ours).unwrap();
    assert_eq!(before.signer_infos[0].raw, after.signer_infos[0].raw);
    // openssl -resign of our file
    let dir = tempdir();
    std::fs::write(dir.path().join("ours.p7s"), &ours).unwrap();
    std::fs::write(dir.path().join("doc"), &d).unwrap();
    let (ok, text) = run(Command::new(openssl)
        .args([
            "cms", "-resign", "-binary", "-inform", "DER", "-outform", "DER", "-in",
        ])
        .arg(dir.path().join("ours.p7s"))
        .arg("-content")
        .arg(dir.path().join("doc"))
        .arg("-signer")
        .arg(tv("pki/signer-p384.pem"))
        .arg("-inkey")
        .arg(tv("pki/signer-p384.key.pem"))
        .arg("-out")
        .arg(dir.path().join("resigned.p7s")));
    assert!(ok, "{text}");
    let resigned = std::fs::read(dir.path().join("resigned.p7s")).unwrap();
    let r = verify(&resigned, Some(&d));
    assert_eq!(r.signatures.len(), 3);
    assert_intact(&r);
}

#[test]
fn two_step_signing_matches_one_shot() {
    let d = doc();
    for name in ["signer-rsa2048", "signer-p256"] {
        let s = signer(name);
        let prepared = cades::prepare(
            &d[..],
            s.identity(),
            s.algorithm(),
            &CadesOptions::default(),
        )
        .unwrap();
        assert_eq!(
            prepared.digest,
            prepared.digest_algorithm.digest(&prepared.to_be_signed)
        );
        // the state travels as JSON (another process / request)
        let json = serde_json::to_string(&prepared.state).unwrap();
        let state: cades::SigningState = serde_json::from_str(&json).unwrap();
        // the remote signer signs the digest
        let value = s
            .key()
            .sign_digest(s.algorithm(), &prepared.digest)
            .unwrap();
        let p7s = cades::finish(&state, &value).unwrap();
        assert_intact(&verify(&p7s, Some(&d)));
        openssl_verify(&p7s, Some(&d));
        // a wrong value never produces a file
        let mut bad = value.clone();
        let n = bad.len() / 2;
        bad[n] ^= 0xff;
        assert!(cades::finish(&state, &bad).is_err());
    }
    // two-step co-signature, and raw r||s ECDSA values
    let first = cades::sign(&d[..], &signer("signer-rsa2048"), &CadesOptions::default()).unwrap();
    let s = signer("signer-p256");
    let p = cades::prepare_cosign(
        &first,
        Some(&d[..]),
        s.identity(),
        s.algorithm(),
        &CadesOptions::default(),
    )
    .unwrap();
    let der_sig = s.sign(&p.to_be_signed).unwrap();
    let raw = p256::ecdsa::Signature::from_der(&der_sig)
        .unwrap()
        .to_bytes()
        .to_vec();
    let p7s = cades::finish(&p.state, &raw).unwrap();
    assert_intact(&verify(&p7s, Some(&d)));
    openssl_verify(&p7s, Some(&d));
}

#[test]
fn counter_signature_round_trip() {
    let d = doc();
    let first = cades::sign(&d[..], &signer("signer-rsa2048"), &CadesOptions::default()).unwrap();
    let cs =
        cades::countersign(&first, 0, &signer("signer-p256"), &CadesOptions::default()).unwrap();
    let r = verify(&cs, Some(&d));
    assert_intact(&r);
    assert_eq!(r.signatures[0].counter_signatures.len(), 1);
    assert_eq!(r.signatures[0].counter_signatures[0].id, "S1.C1");
    openssl_verify(&cs, Some(&d));
    // the counter-signed SignerInfo's signed part is unchanged
    let a = parse_signed_data(&first).unwrap();
    let b = parse_signed_data(&cs).unwrap();
    assert_eq!(
        a.signer_infos[0].signed_attrs_raw,
        b.signer_infos[0].signed_attrs_raw
    );
    assert_eq!(a.signer_infos[0].signature, b.signer_infos[0].signature);
    // a counter-signature moved onto another signature fails
    let co = cades::cosign(
        &first,
        Some(&d[..]),
        &signer("signer-p384"),
        &CadesOptions::default(),
    )
    .unwrap();
    let cs2 = cades::countersign(&co, 1, &signer("signer-p256"), &CadesOptions::default()).unwrap();
    let sd = parse_signed_data(&cs2).unwrap();
    let moved_attr = sd.signer_infos[1].unsigned_attrs_raw.unwrap();
    let si0 = sd.signer_infos[0].raw;
    let mut rebuilt = Vec::new();
    for t in tlv::read_single(si0, "si").unwrap().children() {
        rebuilt.extend_from_slice(t.unwrap().raw);
    }
    rebuilt.extend_from_slice(moved_attr);
    let si0_new = tlv::tlv(0x30, &rebuilt);
    let forged = rebuild(&cs2, |sis| sis[0] = si0_new.clone());
    let r = verify(&forged, Some(&d));
    assert_eq!(
        r.signatures[0].counter_signatures[0].indication,
        Indication::TotalFailed
    );
    assert!(!r.valid);
    // target out of range is a typed error
    assert!(
        cades::countersign(&first, 5, &signer("signer-p256"), &CadesOptions::default()).is_err()
    );
}

#[test]
fn policy_and_commitment_are_reported() {
    let d = doc();
    let opts = CadesOptions {
        policy: Some(SignaturePolicy {
            oid: "2.16.76.1.7.1.1.2.3".into(),
            hash_algorithm: DigestAlgorithm::Sha256,
            hash: vec![0x11; 32],
            uri: Some("http://politicas.icpbrasil.gov.br/PA_AD_RB_v2_3.der".into()),
        }),
        commitment_types: vec!["1.2.840.113549.1.9.16.6.5".parse().unwrap()],
        ..Default::default()
    };
    let p7s = cades::sign(&d[..], &signer("icp-pf"), &opts).unwrap();
    let r = verify(&p7s, Some(&d));
    assert_intact(&r);
    assert_eq!(
        r.signatures[0].policy_oid.as_deref(),
        Some("2.16.76.1.7.1.1.2.3")
    );
    assert_eq!(
        r.signatures[0].commitment_types,
        vec!["1.2.840.113549.1.9.16.6.5".to_string()]
    );
    openssl_verify(&p7s, Some(&d));
    // no signing time
    let opts = CadesOptions {
        signing_time: SigningTime::Omit,
        ..Default::default()
    };
    let p7s = cades::sign(&d[..], &signer("signer-p256"), &opts).unwrap();
    let r = verify(&p7s, Some(&d));
    assert_intact(&r);
    assert!(r.signatures[0].claimed_signing_time.is_none());
}

// ---------- negative cases ----------

/// Re-encodes a SignedData after `f` edits its SignerInfos (raw encodings).
fn rebuild(p7s: &[u8], f: impl FnOnce(&mut Vec<Vec<u8>>)) -> Vec<u8> {
    rebuild_all(p7s, |_, _, sis| f(sis))
}

fn rebuild_all(
    p7s: &[u8],
    f: impl FnOnce(&mut der::asn1::ObjectIdentifier, &mut Vec<Vec<u8>>, &mut Vec<Vec<u8>>),
) -> Vec<u8> {
    let sd = parse_signed_data(p7s).unwrap();
    let mut ct = sd.econtent_type;
    let mut certs: Vec<Vec<u8>> = sd.certificates.iter().map(|c| c.to_vec()).collect();
    let mut sis: Vec<Vec<u8>> = sd.signer_infos.iter().map(|s| s.raw.to_vec()).collect();
    f(&mut ct, &mut certs, &mut sis);
    encode_signed_data(
        sd.version,
        sd.digest_algorithms.iter().map(|a| a.to_vec()).collect(),
        &ct,
        sd.econtent,
        certs,
        vec![],
        sis,
    )
}

/// Replaces the first occurrence of `from` with `to` (same length) in `data`.
fn patch(data: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    assert_eq!(from.len(), to.len());
    let pos = data
        .windows(from.len())
        .position(|w| w == from)
        .expect("pattern present");
    let mut v = data.to_vec();
    v[pos..pos + from.len()].copy_from_slice(to);
    v
}

/// Replaces field `index` of the first SignerInfo with `new` (a complete encoding).
fn replace_si_field(p7s: &[u8], index: usize, new: &[u8]) -> Vec<u8> {
    rebuild(p7s, |sis| {
        let parts: Vec<Vec<u8>> = tlv::read_single(&sis[0], "si")
            .unwrap()
            .children()
            .map(|t| t.unwrap().raw.to_vec())
            .collect();
        let mut parts = parts;
        parts[index] = new.to_vec();
        let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
        sis[0] = tlv::constructed(0x30, &refs);
    })
}

fn base() -> (Vec<u8>, Vec<u8>) {
    let d = doc();
    (
        cades::sign(&d[..], &signer("signer-rsa2048"), &CadesOptions::default()).unwrap(),
        d,
    )
}

const SHA256_OID: &[u8] = &[
    0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
];

#[test]
fn content_swapped() {
    let (p7s, _) = base();
    let r = verify(&p7s, Some(b"Contrato adulterado"));
    assert_eq!(
        first_failure(&r),
        (Indication::TotalFailed, SubIndication::HashFailure)
    );
    // and without content
    let r = verify(&p7s, None);
    assert_eq!(
        first_failure(&r),
        (Indication::Indeterminate, SubIndication::SignedDataNotFound)
    );
}

#[test]
fn message_digest_altered() {
    let (p7s, d) = base();
    let md = DigestAlgorithm::Sha256.digest(&d);
    let mut other = md.clone();
    other[0] ^= 1;
    let forged = patch(&p7s, &md, &other);
    let r = verify(&forged, Some(&d));
    assert_eq!(
        first_failure(&r),
        (Indication::TotalFailed, SubIndication::HashFailure)
    );
    assert!(!r.valid);
}

#[test]
fn signature_bit_flipped() {
    let (p7s, d) = base();
    let sd = parse_signed_data(&p7s).unwrap();
    let sig = sd.signer_infos[0].signature.to_vec();
    let mut bad = sig.clone();
    bad[10] ^= 0x01;
    let r = verify(&patch(&p7s, &sig, &bad), Some(&d));
    assert_eq!(
        first_failure(&r),
        (Indication::TotalFailed, SubIndication::SigCryptoFailure)
    );
}

#[test]
fn signed_attribute_altered_after_signing() {
    let d = doc();
    let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_767_225_600); // 2026-01-01
    let opts = CadesOptions {
        signing_time: SigningTime::At(t),
        ..Default::default()
    };
    let p7s = cades::sign(&d[..], &signer("signer-rsa2048"), &opts).unwrap();
    let forged = patch(&p7s, b"260101000000Z", b"250101000000Z"); // back-dated
    let r = verify(&forged, Some(&d));
    assert_eq!(
        first_failure(&r),
        (Indication::TotalFailed, SubIndication::SigCryptoFailure)
    );
}

#[test]
fn swapped_signed_attributes_between_signers() {
    let d = doc();
    let first = cades::sign(&d[..], &signer("signer-rsa2048"), &CadesOptions::default()).unwrap();
    let both = cades::cosign(
        &first,
        Some(&d[..]),
        &signer("signer-rsa3072"),
        &CadesOptions::default(),
    )
    .unwrap();
    let forged = rebuild(&both, |sis| {
        let a = parse_signer_info(&sis[0])
            .unwrap()
            .signed_attrs_raw
            .unwrap()
            .to_vec();
        let b = parse_signer_info(&sis[1])
            .unwrap()
            .signed_attrs_raw
            .unwrap()
            .to_vec();
        let swap = |si: &[u8], from: &[u8], to: &[u8]| -> Vec<u8> {
            let parts: Vec<Vec<u8>> = tlv::read_single(si, "si")
                .unwrap()
                .children()
                .map(|t| {
                    let r = t.unwrap().raw.to_vec();
                    if r == from { to.to_vec() } else { r }
                })
                .collect();
            let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
            tlv::constructed(0x30, &refs)
        };
        let s0 = swap(&sis[0], &a, &b);
        let s1 = swap(&sis[1], &b, &a);
        sis[0] = s0;
        sis[1] = s1;
    });
    let r = verify(&forged, Some(&d));
    for s in &r.signatures {
        assert_eq!(
            s.indication,
            Indication::TotalFailed,
            "{}: {:?}",
            s.id,
            s.sub_indication
        );
    }
}

#[test]
fn content_type_mismatch() {
    let (p7s, d) = base();
    let forged = rebuild_all(&p7s, |ct, _, _| {
        *ct = "1.2.840.113549.1.7.5".parse().unwrap()
    });
    let r = verify(&forged, Some(&d));
    assert_eq!(
        first_failure(&r),
        (Indication::TotalFailed, SubIndication::FormatFailure)
    );
    assert!(
        r.signatures[0]
            .checks
            .iter()
            .any(|c| c.name == "content-type" && !c.passed)
    );
}

#[test]
fn digest_algorithm_swapped() {
    let (p7s, d) = base();
    let sha512 = sigform::asn1::ess::digest_algorithm_identifier(DigestAlgorithm::Sha512);
    let forged = replace_si_field(&p7s, 2, &sha512);
    let r = verify(&forged, Some(&d));
    assert_eq!(r.signatures[0].indication, Indication::TotalFailed);
}

#[test]
fn signature_algorithm_oid_swapped() {
    let (p7s, d) = base();
    for alg in [
        SignatureAlgorithm::RsaPkcs1v15 {
            digest: DigestAlgorithm::Sha512,
        },
        SignatureAlgorithm::RSA_PSS_SHA256,
        SignatureAlgorithm::ECDSA_P256_SHA256,
    ] {
        let id = der::Encode::to_der(&alg.algorithm_identifier()).unwrap();
        let r = verify(&replace_si_field(&p7s, 4, &id), Some(&d));
        assert!(!r.valid);
        assert!(
            matches!(
                r.signatures[0].sub_indication,
                Some(
                    SubIndication::SigCryptoFailure
                        | SubIndication::FormatFailure
                        | SubIndication::CryptoConstraintsFailure
                )
            ),
            "{alg}: {:?}",
            r.signatures[0].sub_indication
        );
    }
}

#[test]
fn signer_certificate_replaced_same_issuer_serial() {
    let (p7s, d) = base();
    let genuine = CertificateDer::parse_many(&tv_bytes("pki/signer-rsa2048.pem"))
        .unwrap()
        .remove(0);
    let other = CertificateDer::parse_many(&tv_bytes("pki/signer-rsa3072.pem"))
        .unwrap()
        .remove(0);
    let gf = sigform::asn1::cert::cert_fields(genuine.der()).unwrap();
    let of = sigform::asn1::cert::cert_fields(other.der()).unwrap();
    let impostor = patch(other.der(), of.serial, gf.serial);
    let forged = rebuild_all(&p7s, |_, certs, _| {
        certs.retain(|c| c.as_slice() != genuine.der());
        certs.push(impostor.clone());
    });
    let r = verify(&forged, Some(&d));
    assert!(!r.valid);
    assert_eq!(
        r.signatures[0].indication,
        Indication::TotalFailed,
        "{:?}",
        r.signatures[0].sub_indication
    );
}

#[test]
fn signing_certificate_v2_of_another_certificate() {
    let d = doc();
    let alice = signer("signer-rsa2048");
    let bob = signer("signer-rsa3072");
    // Signed attributes naming Bob's certificate, signed by Alice with Alice's certificate.
    let mut p = cades::prepare(
        &d[..],
        bob.identity(),
        alice.algorithm(),
        &CadesOptions::default(),
    )
    .unwrap();
    p.state.signer_certificate = Base64Bytes(alice.identity().certificate().der().to_vec());
    let value = alice.sign(&p.to_be_signed).unwrap();
    let p7s = cades::finish(&p.state, &value).unwrap();
    let r = verify(&p7s, Some(&d));
    assert_eq!(
        first_failure(&r),
        (
            Indication::Indeterminate,
            SubIndication::NoSignerCertificateFound
        )
    );
    assert!(
        r.signatures[0]
            .checks
            .iter()
            .any(|c| c.name == "signing-certificate" && !c.passed)
    );
}

#[test]
fn sid_matching_no_certificate() {
    let (p7s, d) = base();
    let forged = rebuild_all(&p7s, |_, certs, _| certs.clear());
    let r = verify(&forged, Some(&d));
    assert_eq!(
        first_failure(&r),
        (
            Indication::Indeterminate,
            SubIndication::NoSignerCertificateFound
        )
    );
    // given as an extra certificate it is found again
    let opts = VerifyOptions {
        extra_certificates: CertificateDer::parse_many(&tv_bytes("pki/signer-rsa2048.pem"))
            .unwrap(),
        ..Default::default()
    };
    let mut c = std::io::Cursor::new(&d);
    let r = cades::verify(&forged, Some(&mut c), &opts).unwrap();
    assert_intact(&r);
}

#[test]
fn malformed_der_is_a_typed_error() {
    let (p7s, _) = base();
    let v = |b: &[u8]| cades::verify(b, None, &VerifyOptions::default());
    // truncations
    for n in (0..p7s.len()).step_by(37) {
        assert!(v(&p7s[..n]).is_err(), "truncated at {n}");
    }
    // trailing garbage
    let mut t = p7s.clone();
    t.extend_from_slice(b"garbage");
    assert!(matches!(v(&t), Err(sigform::Error::Malformed { .. })));
    // huge length field
    assert!(v(&[0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x06, 0x09]).is_err());
    assert!(v(&[0x30, 0x88, 1, 0, 0, 0, 0, 0, 0, 0]).is_err());
    // 10,000 nested SEQUENCEs
    let mut nested = vec![0x05, 0x00];
    for _ in 0..10_000 {
        nested = tlv::tlv(0x30, &nested);
    }
    assert!(v(&nested).is_err());
    let mut indef = Vec::new();
    for _ in 0..10_000 {
        indef.extend_from_slice(&[0x30, 0x80]);
    }
    assert!(v(&indef).is_err());
    // wrong ContentInfo type (envelopedData)
    let wrong = patch(
        &p7s[..40],
        &[
            0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02,
        ],
        &[
            0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x03,
        ],
    );
    let mut w = wrong;
    w.extend_from_slice(&p7s[40..]);
    let e = v(&w).unwrap_err();
    assert!(e.to_string().contains("not signedData"), "{e}");
    // random bytes
    assert!(v(b"\x00\x01\x02 not asn.1").is_err());
    // digestAlgorithms is covered by no signature, but its syntax still counts: an
    // AlgorithmIdentifier re-tagged as a SET is malformed (OpenSSL refuses it too)
    let sha256 = [
        0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
    ];
    let at = p7s
        .windows(sha256.len())
        .position(|w| w == sha256)
        .expect("the first SHA-256 OID is in digestAlgorithms");
    let mut retagged = p7s.clone();
    assert_eq!(retagged[at - 2], 0x30);
    retagged[at - 2] = 0x31;
    let e = v(&retagged).unwrap_err();
    assert!(e.to_string().contains("digestAlgorithms"), "{e}");
}

#[test]
fn md5_digest_is_refused() {
    let (p7s, d) = base();
    let md5 = tlv::tlv(
        0x30,
        &[0x06, 0x08, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x05],
    );
    let r = verify(&replace_si_field(&p7s, 2, &md5), Some(&d));
    assert_eq!(
        first_failure(&r),
        (
            Indication::Indeterminate,
            SubIndication::CryptoConstraintsFailure
        )
    );
    assert!(SHA256_OID.len() == 11);
}

#[test]
fn rsa_1024_is_refused() {
    let d = doc();
    let key = PrivateKey::from_pem_or_der(&tv_bytes("pki/signer-rsa1024.key.pem"), None).unwrap();
    let cert = CertificateDer::parse_many(&tv_bytes("pki/signer-rsa1024.pem"))
        .unwrap()
        .remove(0);
    let weak =
        SoftwareSigner::new_allowing_short_rsa(key, SignerIdentity::new(cert, vec![])).unwrap();
    let p = cades::prepare(
        &d[..],
        weak.identity(),
        weak.algorithm(),
        &CadesOptions::default(),
    )
    .unwrap();
    let value = weak.sign(&p.to_be_signed).unwrap();
    // finish refuses to produce it (the value does not pass the policy)...
    assert!(cades::finish(&p.state, &value).is_err());
    // ...so build it from an openssl-made file instead
    let Some(weak_p7s) = openssl_sign_as("signer-rsa1024", false, &[], false) else {
        return;
    };
    let r = verify(&weak_p7s, Some(&d));
    assert_eq!(
        first_failure(&r),
        (
            Indication::Indeterminate,
            SubIndication::CryptoConstraintsFailure
        )
    );
}

#[test]
fn never_passes_without_trust() {
    let (p7s, d) = base();
    let r = verify(&p7s, Some(&d));
    assert!(!r.valid, "no trust anchors: never TOTAL_PASSED");
    assert!(!r.signatures[0].trust.evaluated);
}

// ---------- trust ----------

fn verify_trusted(p7s: &[u8], content: &[u8], crl: bool) -> ValidationReport {
    let mut opts = VerifyOptions {
        trust: Some(sigform::x509::TrustStore::from_pem(&tv_bytes("pki/root-ca.pem")).unwrap()),
        ..Default::default()
    };
    if crl {
        opts.revocation
            .add_crl(
                &tv_bytes("pki/intermediate-ca.crl.der"),
                sigform::x509::RevocationSource::File,
            )
            .unwrap();
    }
    let mut c = content;
    cades::verify(p7s, Some(&mut c), &opts).unwrap()
}

#[test]
fn trusted_chain_passes_and_bad_chains_do_not() {
    let d = doc();
    // good signers, with and without revocation data
    for name in ["signer-rsa2048", "signer-p256", "icp-pf"] {
        let p7s = cades::sign(&d[..], &signer(name), &CadesOptions::default()).unwrap();
        for crl in [false, true] {
            let r = verify_trusted(&p7s, &d, crl);
            assert!(r.valid, "{name}: {r}");
            assert_eq!(r.signatures[0].indication, Indication::TotalPassed);
            assert!(r.signatures[0].trust.evaluated);
        }
    }
    // ICP-Brasil identity reaches the report
    let p7s = cades::sign(&d[..], &signer("icp-pf"), &CadesOptions::default()).unwrap();
    let r = verify_trusted(&p7s, &d, false);
    let s = r.signatures[0].signer.as_ref().unwrap();
    assert_eq!(s.cpf.as_deref(), Some("52998224725"));
    assert_eq!(s.cpf_valid, Some(true));
    // revoked (CRL given)
    let p7s = cades::sign(&d[..], &signer("signer-revoked"), &CadesOptions::default()).unwrap();
    let r = verify_trusted(&p7s, &d, true);
    assert!(!r.valid);
    assert!(
        matches!(
            r.signatures[0].sub_indication,
            Some(SubIndication::RevokedNoPoe | SubIndication::Revoked)
        ),
        "{:?}",
        r.signatures[0].sub_indication
    );
    // untrusted root
    let other = SoftwareSigner::from_files(
        tv("pki/other-signer-rsa2048.key.pem"),
        None,
        tv("pki/other-signer-rsa2048.pem"),
        Some(&tv("pki/other-root-ca.pem")),
    )
    .unwrap();
    let p7s = cades::sign(&d[..], &other, &CadesOptions::default()).unwrap();
    let r = verify_trusted(&p7s, &d, false);
    assert_eq!(
        first_failure(&r),
        (
            Indication::Indeterminate,
            SubIndication::NoCertificateChainFound
        )
    );
    // expired signer
    let p7s = cades::sign(&d[..], &signer("signer-expired"), &CadesOptions::default()).unwrap();
    let r = verify_trusted(&p7s, &d, false);
    assert!(!r.valid);
    // a tampered content with a trusted signer still fails on the hash
    let p7s = cades::sign(&d[..], &signer("signer-rsa2048"), &CadesOptions::default()).unwrap();
    let r = verify_trusted(&p7s, b"tampered", false);
    assert_eq!(
        first_failure(&r),
        (Indication::TotalFailed, SubIndication::HashFailure)
    );
}

#[test]
fn cli_verify_exit_codes() {
    let dir = tempdir();
    let d = doc();
    let p7s = cades::sign(&d[..], &signer("signer-rsa2048"), &CadesOptions::default()).unwrap();
    let sig = dir.path().join("s.p7s");
    std::fs::write(&sig, &p7s).unwrap();
    std::fs::write(dir.path().join("bad.txt"), b"other").unwrap();
    let root = tv("pki/root-ca.pem");
    let run_verify = |content: &str, extra: &[&str]| {
        let content = if content == "doc" {
            tv("docs/sample.txt")
        } else {
            dir.path().join(content)
        };
        let mut args = vec!["verify", arg(&sig), "--content", arg(&content)];
        args.extend(extra);
        sigform(&args)
    };
    let root = arg(&root);
    let (code, out, _) = run_verify("doc", &["--trust", root, "--format", "json"]);
    assert_eq!(code, 0, "{out}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["valid"], true);
    assert_eq!(json["signatures"][0]["indication"], "TOTAL_PASSED");
    assert!(
        json["signatures"][0]["signer"]["subject"]
            .as_str()
            .unwrap()
            .contains("Alice")
    );
    let (code, out, _) = run_verify("bad.txt", &["--trust", root, "--format", "json"]);
    assert_eq!(code, 1);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["signatures"][0]["sub_indication"], "HASH_FAILURE");
    let (code, _, _) = run_verify("missing.txt", &["--trust", root]);
    assert_eq!(code, 2);
}

/// A token whose key is not the certificate's: its values are verified before a file is written
/// (only a signer that `checks_own_signatures`, the RSA software key, skips that check).
struct WrongKeyToken {
    identity: SignerIdentity,
    key: SoftwareSigner,
}

impl Signer for WrongKeyToken {
    fn identity(&self) -> &SignerIdentity {
        &self.identity
    }
    fn algorithm(&self) -> SignatureAlgorithm {
        self.key.algorithm()
    }
    fn sign(&self, tbs: &[u8]) -> Result<Vec<u8>, sigform::signer::SignerError> {
        self.key.sign(tbs)
    }
}

#[test]
fn a_value_from_another_key_is_refused_before_any_file() {
    let right = signer("signer-rsa2048");
    let token = WrongKeyToken {
        identity: right.identity().clone(),
        key: SoftwareSigner::from_files(
            tv("pki/other-signer-rsa2048.key.pem"),
            None,
            tv("pki/other-signer-rsa2048.pem"),
            None,
        )
        .unwrap(),
    };
    assert!(right.checks_own_signatures() && !token.checks_own_signatures());
    let err = cades::sign(&doc()[..], &token, &CadesOptions::default()).unwrap_err();
    assert!(err.to_string().contains("does not verify"), "{err}");
    let mut out = std::io::Cursor::new(Vec::new());
    let pdf = tv_bytes("docs/sample-2pages.pdf");
    let err = sigform::pades::sign::sign(
        std::io::Cursor::new(&pdf[..]),
        &mut out,
        &token,
        &Default::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("does not verify"), "{err}");
    // The right key signs both.
    assert!(cades::sign(&doc()[..], &right, &CadesOptions::default()).is_ok());
}
