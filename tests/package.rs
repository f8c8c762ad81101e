//! Signature packages: round trips (zip and JSON, with and without original and manifest PDF,
//! partly and fully signed, CAdES and PAdES), reproducibility, the hostile packages, and the
//! external judges (pdftotext, pdfsig, openssl, qpdf).

mod common;
use common::*;
use sigform::Signer;
use sigform::VerifyOptions;
use sigform::cades::{self, CadesOptions, SigningTime};
use sigform::package::{
    self, BuildOptions, BuiltPackage, Container, Document, ElectronicEvidence, Entry, Limits,
    PackageError, PackageStatus, ParticipantKind, PlannedParticipant, SignatureFormat,
    VerifyPackageOptions,
};
use sigform::pades::sign::PadesOptions;
use sigform::signer::SoftwareSigner;
use sigform::x509::TrustStore;
use std::io::{Cursor, Write};
use std::process::Command;
use std::time::{Duration, SystemTime};

fn signer(name: &str) -> SoftwareSigner {
    test_signer(name, "pki/intermediate-ca.pem")
}

fn t(secs: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_760_000_000 + secs)
}

fn pdf() -> Vec<u8> {
    tv_bytes("docs/sample-2pages.pdf")
}

fn doc(data: &[u8]) -> Document<'_> {
    Document {
        name: "contrato.pdf".into(),
        media_type: String::new(),
        data,
    }
}

fn evidence() -> ElectronicEvidence {
    ElectronicEvidence {
        time: t(120),
        ip_address: "203.0.113.7".into(),
        user_agent: "Mozilla/5.0 (test)".into(),
        email: "maria.conceicao@example.com".into(),
        graphism_png: package::demo::sample_graphism().unwrap(),
    }
}

fn plan(signed_electronic: bool) -> Vec<PlannedParticipant> {
    let mut joao = PlannedParticipant::new(1, ParticipantKind::Digital, "João da Silva");
    joao.cpf = Some("52998224725".into());
    let mut maria = PlannedParticipant::new(2, ParticipantKind::Electronic, "Maria da Conceição");
    maria.cpf = Some("39053344705".into());
    maria.email = Some("maria.conceicao@example.com".into());
    if signed_electronic {
        maria.evidence = Some(evidence());
    }
    let mut server = PlannedParticipant::new(3, ParticipantKind::Server, "EMPRESA EXEMPLO LTDA");
    server.cnpj = Some("11222333000181".into());
    vec![joao, maria, server]
}

fn cades_opts(attached: bool, at: SystemTime) -> CadesOptions {
    CadesOptions {
        attached,
        signing_time: SigningTime::At(at),
        ..CadesOptions::default()
    }
}

/// João's attached .p7s, and with the server's co-signature.
fn cades_signatures(attached: bool) -> (Vec<u8>, Vec<u8>) {
    let d = pdf();
    let one = cades::sign(
        d.as_slice(),
        &signer("icp-pf"),
        &cades_opts(attached, t(60)),
    )
    .unwrap();
    let content = (!attached).then_some(d.as_slice());
    let three = cades::cosign(
        &one,
        content,
        &signer("icp-pj"),
        &cades_opts(attached, t(180)),
    )
    .unwrap();
    (one, three)
}

fn trusted() -> VerifyPackageOptions {
    VerifyPackageOptions {
        verify: VerifyOptions {
            trust: Some(TrustStore::from_path(tv("pki/root-ca.pem")).unwrap()),
            validation_time: Some(t(3600)),
            ..VerifyOptions::default()
        },
        ..VerifyPackageOptions::default()
    }
}

fn build_with(
    format: SignatureFormat,
    sig: &[u8],
    plan: &[PlannedParticipant],
    container: Container,
    include_original: bool,
    include_manifest_pdf: bool,
    seal: Option<&SoftwareSigner>,
) -> BuiltPackage {
    let d = pdf();
    package::build(
        &doc(&d),
        format,
        sig,
        plan,
        &BuildOptions {
            include_original,
            include_manifest_pdf,
            container,
            time: t(300),
            seal: seal.map(|s| s as &dyn sigform::Signer),
            timestamp_authority: None,
        },
    )
    .unwrap_or_else(|e| panic!("build: {e}"))
}

/// The fully signed, sealed CAdES zip with everything in it.
fn full_cades_zip() -> BuiltPackage {
    let (_, three) = cades_signatures(true);
    build_with(
        SignatureFormat::CadesAttached,
        &three,
        &plan(true),
        Container::Zip,
        true,
        true,
        Some(&signer("icp-pj")),
    )
}

fn pades_signed(steps: usize) -> Vec<u8> {
    let mut cur = pdf();
    let graphism = package::demo::sample_graphism().unwrap();
    let specs: Vec<(&str, PadesOptions)> = vec![
        (
            "icp-pf",
            PadesOptions {
                signing_time: Some(t(60)),
                ..PadesOptions::default()
            },
        ),
        (
            "icp-pj",
            PadesOptions {
                signing_time: Some(t(120)),
                visible: Some(sigform::pades::sign::Visible {
                    page: 1,
                    rect: [300.0, 40.0, 550.0, 100.0],
                    image_png: Some(graphism),
                    lines: Some(vec!["Maria da Conceição".into()]),
                }),
                ..PadesOptions::default()
            },
        ),
        (
            "icp-pj",
            PadesOptions {
                signing_time: Some(t(180)),
                ..PadesOptions::default()
            },
        ),
    ];
    for (who, opts) in specs.into_iter().take(steps) {
        let mut out = Cursor::new(Vec::new());
        sigform::pades::sign::sign(Cursor::new(cur.as_slice()), &mut out, &signer(who), &opts)
            .unwrap();
        cur = out.into_inner();
    }
    cur
}

// ---- round trips ----------------------------------------------------------------------------

#[test]
fn cades_round_trips_zip_and_json_with_and_without_original_and_manifest() {
    let (one, three) = cades_signatures(true);
    let server = signer("icp-pj");
    let opts = trusted();
    let mut n = 0;
    for container in [Container::Zip, Container::Json] {
        for include_original in [true, false] {
            for include_manifest_pdf in [true, false] {
                for (sig, signed) in [(&one, 2), (&three, 3)] {
                    let built = build_with(
                        SignatureFormat::CadesAttached,
                        sig,
                        &plan(true),
                        container,
                        include_original,
                        include_manifest_pdf,
                        Some(&server),
                    );
                    let report = package::verify(&built.bytes, &opts).unwrap();
                    let what = format!(
                        "{container:?} original={include_original} pdf={include_manifest_pdf} signed={signed}\n{report}"
                    );
                    assert_eq!(report.container, container, "{what}");
                    assert_eq!(report.signed, signed, "{what}");
                    assert_eq!(report.total, 3, "{what}");
                    let expected = if signed == 3 {
                        PackageStatus::FullySigned
                    } else {
                        PackageStatus::PartlySigned
                    };
                    assert_eq!(report.status, expected, "{what}");
                    assert!(report.failures.is_empty(), "{what}");
                    let pkg = package::read(&built.bytes, &Limits::default()).unwrap();
                    assert_eq!(pkg.get("contrato.pdf").is_some(), include_original);
                    assert_eq!(pkg.get("manifest.pdf").is_some(), include_manifest_pdf);
                    assert!(pkg.get("manifest.json.p7s").is_some());
                    assert_eq!(pkg.entries, built.entries);
                    if signed == 2 {
                        assert!(report.verdict().contains("PARTLY SIGNED (2 of 3)"));
                    }
                    n += 1;
                }
            }
        }
    }
    assert_eq!(n, 16);
}

#[test]
fn cades_detached_needs_the_original() {
    let (_, three) = cades_signatures(false);
    let built = build_with(
        SignatureFormat::CadesDetached,
        &three,
        &plan(true),
        Container::Zip,
        true,
        false,
        Some(&signer("icp-pj")),
    );
    let r = package::verify(&built.bytes, &trusted()).unwrap();
    assert_eq!(r.status, PackageStatus::FullySigned, "{r}");
    let d = pdf();
    let err = package::build(
        &doc(&d),
        SignatureFormat::CadesDetached,
        &three,
        &plan(true),
        &BuildOptions {
            include_original: false,
            ..BuildOptions::default()
        },
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("must include the original"),
        "{err}"
    );
}

#[test]
fn pades_round_trips_partly_and_fully_signed() {
    let server = signer("icp-pj");
    for container in [Container::Zip, Container::Json] {
        for (steps, signed, status) in [
            (1, 1, PackageStatus::PartlySigned),
            (3, 3, PackageStatus::FullySigned),
        ] {
            let signed_pdf = pades_signed(steps);
            // After step 1 Maria has not signed; with 3 steps, her graphism is stamped in S2.
            let built = build_with(
                SignatureFormat::Pades,
                &signed_pdf,
                &plan(steps > 1),
                container,
                steps == 3,
                true,
                Some(&server),
            );
            let r = package::verify(&built.bytes, &trusted()).unwrap();
            assert_eq!(r.status, status, "{r}");
            assert_eq!(r.signed, signed, "{r}");
            if steps == 3 {
                let maria = &r.participants[1];
                assert_eq!(maria.signature.as_deref(), Some("S2"), "{r}");
                assert!(maria.verified, "{r}");
                assert_eq!(r.participants[2].signature.as_deref(), Some("S3"), "{r}");
            }
        }
    }
}

#[test]
fn output_is_reproducible() {
    let (_, three) = cades_signatures(true);
    for container in [Container::Zip, Container::Json] {
        let a = build_with(
            SignatureFormat::CadesAttached,
            &three,
            &plan(true),
            container,
            true,
            true,
            Some(&signer("icp-pj")),
        );
        let b = build_with(
            SignatureFormat::CadesAttached,
            &three,
            &plan(true),
            container,
            true,
            true,
            Some(&signer("icp-pj")),
        );
        assert_eq!(a.bytes, b.bytes, "{container:?}");
    }
}

#[test]
fn electronic_evidence_without_seal_fails_and_digital_only_passes_unsealed() {
    let (one, three) = cades_signatures(true);
    let built = build_with(
        SignatureFormat::CadesAttached,
        &three,
        &plan(true),
        Container::Zip,
        true,
        true,
        None,
    );
    let r = package::verify(&built.bytes, &trusted()).unwrap();
    assert_eq!(r.status, PackageStatus::Failed, "{r}");
    assert!(r.failures.iter().any(|f| f.contains("not sealed")), "{r}");

    let mut joao_only = plan(false);
    joao_only.truncate(1);
    let built = build_with(
        SignatureFormat::CadesAttached,
        &one,
        &joao_only,
        Container::Json,
        false,
        true,
        None,
    );
    let r = package::verify(&built.bytes, &trusted()).unwrap();
    assert_eq!(r.status, PackageStatus::FullySigned, "{r}");
    assert!(r.warnings.iter().any(|w| w.contains("not sealed")), "{r}");
}

#[test]
fn pinned_certificate_without_cpf() {
    let d = pdf();
    let alice = signer("signer-rsa2048");
    let sig = cades::sign(d.as_slice(), &alice, &cades_opts(true, t(60))).unwrap();
    let mut p = PlannedParticipant::new(1, ParticipantKind::Digital, "Alice");
    p.certificate_sha256 = Some(alice.identity().certificate().fingerprint_sha256());
    let built = build_with(
        SignatureFormat::CadesAttached,
        &sig,
        &[p.clone()],
        Container::Zip,
        true,
        false,
        None,
    );
    let r = package::verify(&built.bytes, &trusted()).unwrap();
    assert_eq!(r.status, PackageStatus::FullySigned, "{r}");
    // Without a pin or a CPF the signature belongs to nobody: build refuses.
    p.certificate_sha256 = None;
    let err = package::build(
        &doc(&d),
        SignatureFormat::CadesAttached,
        &sig,
        &[p],
        &BuildOptions::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("matches no participant"), "{err}");
}

#[test]
fn step_order_violations_fail() {
    // The server (step 1) co-signs after João (step 2).
    let (_, three) = cades_signatures(true);
    let mut p = plan(false);
    p.remove(1);
    p[0].step = 2;
    p[1].step = 1;
    let built = build_with(
        SignatureFormat::CadesAttached,
        &three,
        &p,
        Container::Zip,
        true,
        false,
        None,
    );
    let r = package::verify(&built.bytes, &trusted()).unwrap();
    assert_eq!(r.status, PackageStatus::Failed, "{r}");
    assert!(r.failures.iter().any(|f| f.contains("signed after")), "{r}");

    // The server (step 2) signed while João (step 1) is pending.
    let d = pdf();
    let server_only =
        cades::sign(d.as_slice(), &signer("icp-pj"), &cades_opts(true, t(60))).unwrap();
    let mut p = plan(false);
    p.remove(1);
    p[1].step = 2;
    let built = build_with(
        SignatureFormat::CadesAttached,
        &server_only,
        &p,
        Container::Zip,
        true,
        false,
        None,
    );
    let r = package::verify(&built.bytes, &trusted()).unwrap();
    assert_eq!(r.status, PackageStatus::Failed, "{r}");
    assert!(
        r.failures.iter().any(|f| f.contains("still pending")),
        "{r}"
    );
}

#[test]
fn resorted_signer_infos_keep_their_step_order() {
    use sigform::cades::parse::{encode_signed_data, parse_signed_data};
    let (_, three) = cades_signatures(true);
    let sd = parse_signed_data(&three).unwrap();
    let mut sis: Vec<Vec<u8>> = sd.signer_infos.iter().map(|s| s.raw.to_vec()).collect();
    sis.reverse();
    let resorted = encode_signed_data(
        sd.version,
        sd.digest_algorithms.iter().map(|a| a.to_vec()).collect(),
        &sd.econtent_type,
        sd.econtent,
        sd.certificates.iter().map(|c| c.to_vec()).collect(),
        sd.crls.iter().map(|c| c.to_vec()).collect(),
        sis,
    );
    let built = build_with(
        SignatureFormat::CadesAttached,
        &resorted,
        &plan(true),
        Container::Zip,
        true,
        false,
        Some(&signer("icp-pj")),
    );
    assert_eq!(
        built.manifest.participants[0].signature.as_deref(),
        Some("S2")
    );
    let r = package::verify(&built.bytes, &trusted()).unwrap();
    assert_eq!(r.status, PackageStatus::FullySigned, "{r}");
}

#[test]
fn trust_is_required() {
    let built = full_cades_zip();
    let r = package::verify(&built.bytes, &VerifyPackageOptions::default()).unwrap();
    assert_eq!(r.status, PackageStatus::Failed, "{r}");
    let mut other = trusted();
    other.verify.trust = Some(TrustStore::from_path(tv("pki/other-root-ca.pem")).unwrap());
    let r = package::verify(&built.bytes, &other).unwrap();
    assert_eq!(r.status, PackageStatus::Failed, "{r}");
    assert!(!r.participants.iter().any(|p| p.verified), "{r}");
}

#[test]
fn extract_writes_only_inside_a_fresh_target() {
    let built = full_cades_zip();
    let dir = tempdir();
    let target = dir.path().join("out");
    let pkg = package::read(&built.bytes, &Limits::default()).unwrap();
    pkg.extract_to(&target).unwrap();
    for e in &pkg.entries {
        assert_eq!(
            std::fs::read(target.join(&e.name)).unwrap(),
            e.data,
            "{}",
            e.name
        );
    }
    // Not into a non-empty directory.
    assert!(matches!(
        pkg.extract_to(&target),
        Err(PackageError::Extract { .. })
    ));
}

// ---- hostile packages ----------------------------------------------------------------------

/// A zip written by hand, so that every field can be wrong.
struct RawEntry {
    name: Vec<u8>,
    data: Vec<u8>,
    deflate: bool,
    flags: u16,
    external: u32,
    /// Declared uncompressed size (default: the real one).
    declared: Option<u64>,
    /// Declare the size in a zip64 extra field.
    zip64: bool,
}

impl RawEntry {
    fn new(name: impl AsRef<[u8]>, data: &[u8]) -> Self {
        Self {
            name: name.as_ref().to_vec(),
            data: data.to_vec(),
            deflate: false,
            flags: 0,
            external: 0o100644 << 16,
            declared: None,
            zip64: false,
        }
    }
}

fn raw_zip(entries: &[RawEntry]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for e in entries {
        let body = if e.deflate {
            let mut enc =
                flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
            enc.write_all(&e.data).unwrap();
            enc.finish().unwrap()
        } else {
            e.data.clone()
        };
        let mut crc = flate2::Crc::new();
        crc.update(&e.data);
        let size = e.declared.unwrap_or(e.data.len() as u64);
        let (size32, csize32, extra) = if e.zip64 {
            let mut x = vec![0x01, 0x00, 16, 0];
            x.extend_from_slice(&size.to_le_bytes());
            x.extend_from_slice(&(body.len() as u64).to_le_bytes());
            (0xffff_ffffu32, 0xffff_ffffu32, x)
        } else {
            (size as u32, body.len() as u32, Vec::new())
        };
        let method: u16 = if e.deflate { 8 } else { 0 };
        let offset = out.len() as u32;
        let mut common = Vec::new();
        common.extend_from_slice(&45u16.to_le_bytes()); // version needed
        common.extend_from_slice(&e.flags.to_le_bytes());
        common.extend_from_slice(&method.to_le_bytes());
        common.extend_from_slice(&0u16.to_le_bytes()); // time
        common.extend_from_slice(&0x21u16.to_le_bytes()); // date 1980-01-01
        common.extend_from_slice(&crc.sum().to_le_bytes());
        common.extend_from_slice(&csize32.to_le_bytes());
        common.extend_from_slice(&size32.to_le_bytes());
        common.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
        common.extend_from_slice(&(extra.len() as u16).to_le_bytes());
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        out.extend_from_slice(&common);
        out.extend_from_slice(&e.name);
        out.extend_from_slice(&extra);
        out.extend_from_slice(&body);
        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&((3u16 << 8) | 45).to_le_bytes()); // made by Unix
        central.extend_from_slice(&common);
        central.extend_from_slice(&0u16.to_le_bytes()); // comment
        central.extend_from_slice(&0u16.to_le_bytes()); // disk
        central.extend_from_slice(&0u16.to_le_bytes()); // internal attributes
        central.extend_from_slice(&e.external.to_le_bytes());
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(&e.name);
        central.extend_from_slice(&extra);
    }
    let cd_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

/// The JSON form with every field under control.
fn raw_json(entries: &[(&str, u64, &str, &[u8])]) -> Vec<u8> {
    use base64::Engine;
    let list: Vec<_> = entries
        .iter()
        .map(|(name, size, sha, data)| {
            serde_json::json!({
                "name": name, "media_type": "text/plain", "size": size, "sha256": sha,
                "data_base64": base64::engine::general_purpose::STANDARD.encode(data),
            })
        })
        .collect();
    serde_json::to_vec(&serde_json::json!({"schema": "sigform-package/1", "entries": list}))
        .unwrap()
}

fn sha(d: &[u8]) -> String {
    hex::encode(sigform::DigestAlgorithm::Sha256.digest(d))
}

/// Refused by `verify` with `check`'s error (and by `read` too, when the container itself is
/// at fault); nothing is written: extraction (`Package::extract_to`, `--extract`) only follows
/// a verification that passed, and the temporary directory stays empty.
fn refused(bytes: &[u8], limits: &Limits, check: impl Fn(&PackageError) -> bool, what: &str) {
    let dir = tempdir();
    let opts = VerifyPackageOptions {
        limits: *limits,
        ..trusted()
    };
    let err = package::verify(bytes, &opts).expect_err(what);
    assert!(check(&err), "{what}: {err:?}");
    if let Err(e) = package::read(bytes, limits) {
        assert!(check(&e), "{what}: {e:?}");
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "{what}");
}

#[test]
fn unsafe_names_are_refused_in_zip_and_json() {
    let cases: [(&[u8], &str); 13] = [
        (b"../evil.txt", "dot-dot"),
        (b"a/../../evil.txt", "dot-dot"),
        (b"/etc/evil.txt", "absolute"),
        (b"C:/evil.txt", "drive letter"),
        (b"C:evil.txt", "drive letter"),
        (b"dir\\..\\evil.txt", "backslash"),
        (b"evil\0.txt", "NUL"),
        (b"evil\n.txt", "control"),
        (b"a//evil.txt", "empty path component"),
        (b"./evil.txt", "dot"),
        (b"evil.txt.", "dot or a space"),
        (b"NUL.txt", "device"),
        (b"\xff\xfe.txt", "UTF-8"),
    ];
    for (name, why) in cases {
        let check = |e: &PackageError| matches!(e, PackageError::UnsafeName { reason, .. } if reason.contains(why));
        let what = String::from_utf8_lossy(name).into_owned();
        refused(
            &raw_zip(&[RawEntry::new(name, b"x")]),
            &Limits::default(),
            check,
            &what,
        );
        if let Ok(n) = std::str::from_utf8(name) {
            refused(
                &raw_json(&[(n, 1, &sha(b"x"), b"x")]),
                &Limits::default(),
                check,
                &format!("json {what}"),
            );
        }
    }
}

#[test]
fn duplicates_links_directories_and_encryption_are_refused() {
    let l = Limits::default();
    let dup = |e: &PackageError, folded: bool| matches!(e, PackageError::DuplicateName { case_folded, .. } if *case_folded == folded);
    refused(
        &raw_zip(&[RawEntry::new("a.txt", b"1"), RawEntry::new("a.txt", b"2")]),
        &l,
        |e| dup(e, false),
        "duplicate",
    );
    refused(
        &raw_zip(&[RawEntry::new("a.txt", b"1"), RawEntry::new("A.TXT", b"2")]),
        &l,
        |e| dup(e, true),
        "case-folded duplicate",
    );
    refused(
        &raw_json(&[
            ("a.txt", 1, &sha(b"1"), b"1"),
            ("a.txt", 1, &sha(b"1"), b"1"),
        ]),
        &l,
        |e| dup(e, false),
        "json duplicate",
    );
    refused(
        &raw_json(&[
            ("a.txt", 1, &sha(b"1"), b"1"),
            ("A.txt", 1, &sha(b"1"), b"1"),
        ]),
        &l,
        |e| dup(e, true),
        "json case-folded duplicate",
    );
    let mut link = RawEntry::new("link", b"/etc/passwd");
    link.external = 0o120777 << 16;
    refused(
        &raw_zip(&[link]),
        &l,
        |e| matches!(e, PackageError::Symlink { .. }),
        "symlink",
    );
    let mut dir = RawEntry::new("dir/", b"");
    dir.external = (0o040755 << 16) | 0x10;
    refused(
        &raw_zip(&[dir]),
        &l,
        |e| {
            matches!(
                e,
                PackageError::UnsafeName { .. } | PackageError::Directory { .. }
            )
        },
        "directory",
    );
    let mut enc = RawEntry::new("secret.txt", b"xxxxxxxxxxxxxxxxxxxx");
    enc.flags = 1;
    refused(
        &raw_zip(&[enc]),
        &l,
        |e| matches!(e, PackageError::Encrypted { .. }),
        "encrypted",
    );
}

#[test]
fn bombs_and_size_lies_are_refused_before_inflating() {
    let l = Limits::default();
    // 10 GB declared (zip64 extra), a few bytes present.
    let mut bomb = RawEntry::new("bomb.bin", &[0u8; 1000]);
    bomb.deflate = true;
    bomb.zip64 = true;
    bomb.declared = Some(10 * 1024 * 1024 * 1024);
    refused(
        &raw_zip(&[bomb]),
        &l,
        |e| matches!(e, PackageError::TooLarge { actual, .. } if *actual == 10 * 1024 * 1024 * 1024),
        "10 GB declared",
    );
    // A real bomb: 64 MiB of zeros in ~64 KB: the ratio is refused, nothing is inflated.
    let mut zeros = RawEntry::new("zeros.bin", &vec![0u8; 64 * 1024 * 1024]);
    zeros.deflate = true;
    refused(
        &raw_zip(&[zeros]),
        &l,
        |e| matches!(e, PackageError::TooLarge { what, .. } if what.contains("ratio")),
        "ratio",
    );
    // Totals and counts above configured limits.
    let small = Limits {
        max_entry_size: 1000,
        max_total_size: 1500,
        max_entries: 3,
        ..Limits::default()
    };
    refused(
        &raw_zip(&[RawEntry::new("a", &[1; 1001])]),
        &small,
        |e| matches!(e, PackageError::TooLarge { .. }),
        "entry size",
    );
    refused(
        &raw_zip(&[RawEntry::new("a", &[1; 800]), RawEntry::new("b", &[1; 800])]),
        &small,
        |e| matches!(e, PackageError::TooLarge { what, .. } if what.contains("total")),
        "total size",
    );
    let many: Vec<RawEntry> = (0..4)
        .map(|i| RawEntry::new(format!("f{i}"), b"x"))
        .collect();
    refused(
        &raw_zip(&many),
        &small,
        |e| matches!(e, PackageError::TooLarge { what, .. } if what.contains("number")),
        "count",
    );
    // Declared smaller than real: inflating stops one byte past the declaration.
    let mut lie = RawEntry::new("lie.txt", &[b'a'; 5000]);
    lie.deflate = true;
    lie.declared = Some(100);
    refused(
        &raw_zip(&[lie]),
        &l,
        |e| {
            matches!(
                e,
                PackageError::SizeMismatch {
                    declared: 100,
                    actual: 101,
                    ..
                }
            )
        },
        "declared smaller",
    );
    // Declared larger than real.
    let mut lie = RawEntry::new("lie.txt", &[b'a'; 50]);
    lie.deflate = true;
    lie.declared = Some(100);
    refused(
        &raw_zip(&[lie]),
        &l,
        |e| {
            matches!(
                e,
                PackageError::SizeMismatch {
                    declared: 100,
                    actual: 50,
                    ..
                }
            )
        },
        "declared larger",
    );
    // JSON: declared sizes are checked before decoding; size and hash must match.
    refused(
        &raw_json(&[("big", 10 * 1024 * 1024 * 1024, &sha(b"x"), b"x")]),
        &l,
        |e| matches!(e, PackageError::TooLarge { .. }),
        "json 10 GB",
    );
    refused(
        &raw_json(&[("a.txt", 2, &sha(b"x"), b"x")]),
        &l,
        |e| matches!(e, PackageError::SizeMismatch { .. }),
        "json size",
    );
    refused(
        &raw_json(&[("a.txt", 1, &sha(b"y"), b"x")]),
        &l,
        |e| matches!(e, PackageError::HashMismatch { .. }),
        "json hash",
    );
    refused(
        b"%PDF-1.7",
        &l,
        |e| matches!(e, PackageError::NotAPackage),
        "not a package",
    );
}

/// The entries of a package, changed by `f`, rewritten as a zip.
fn rewrite(built: &BuiltPackage, f: impl FnOnce(&mut Vec<Entry>)) -> Vec<u8> {
    let mut entries = built.entries.clone();
    f(&mut entries);
    package::write_zip(&entries, t(0)).unwrap()
}

fn entry<'a>(entries: &'a mut [Entry], name: &str) -> &'a mut Entry {
    entries.iter_mut().find(|e| e.name == name).unwrap()
}

#[test]
fn tampered_packages_are_refused() {
    let built = full_cades_zip();
    let l = Limits::default();
    // Unchanged, rewritten: still valid.
    let same = rewrite(&built, |_| {});
    assert_eq!(
        package::verify(&same, &trusted()).unwrap().status,
        PackageStatus::FullySigned
    );
    // An entry altered.
    refused(
        &rewrite(&built, |es| entry(es, "contrato.pdf.p7s").data[100] ^= 1),
        &l,
        |e| matches!(e, PackageError::HashMismatch { name, .. } if name == "contrato.pdf.p7s"),
        "altered signature entry",
    );
    // An entry missing.
    refused(
        &rewrite(&built, |es| es.retain(|e| !e.name.starts_with("evidence/"))),
        &l,
        |e| matches!(e, PackageError::MissingEntry { .. }),
        "missing graphism",
    );
    refused(
        &rewrite(&built, |es| es.retain(|e| e.name != "manifest.json.p7s")),
        &l,
        |e| matches!(e, PackageError::MissingEntry { name } if name == "manifest.json.p7s"),
        "missing seal",
    );
    // An extra entry.
    refused(
        &rewrite(&built, |es| {
            es.push(Entry::new("extra.txt", "", b"hi".to_vec()))
        }),
        &l,
        |e| matches!(e, PackageError::ExtraEntry { name } if name == "extra.txt"),
        "extra entry",
    );
    // The manifest edited after sealing (the evidence's IP address).
    refused(
        &rewrite(&built, |es| {
            let m = entry(es, "manifest.json");
            m.data = String::from_utf8(m.data.clone())
                .unwrap()
                .replace("203.0.113.7", "203.0.113.8")
                .into_bytes();
        }),
        &l,
        |e| matches!(e, PackageError::SealInvalid(_)),
        "manifest edited after sealing",
    );
    // A swapped signature: a valid .p7s over another document, the manifest updated to match.
    let other = cades::sign(
        b"another document".as_slice(),
        &signer("icp-pf"),
        &cades_opts(true, t(60)),
    )
    .unwrap();
    let swap = |es: &mut Vec<Entry>, other: &[u8]| {
        entry(es, "contrato.pdf.p7s").data = other.to_vec();
        let m = entry(es, "manifest.json");
        let mut v: serde_json::Value = serde_json::from_slice(&m.data).unwrap();
        for e in v["entries"].as_array_mut().unwrap() {
            if e["name"] == "contrato.pdf.p7s" {
                e["size"] = other.len().into();
                e["sha256"] = sha(other).into();
            }
        }
        m.data = serde_json::to_vec_pretty(&v).unwrap();
    };
    refused(
        &rewrite(&built, |es| swap(es, &other)),
        &l,
        |e| matches!(e, PackageError::SealInvalid(_)),
        "swapped signature, sealed",
    );
    // Unsealed, the swap is caught by the signature itself.
    let (_, three) = cades_signatures(true);
    let unsealed = build_with(
        SignatureFormat::CadesAttached,
        &three,
        &plan(false),
        Container::Zip,
        true,
        false,
        None,
    );
    refused(
        &rewrite(&unsealed, |es| swap(es, &other)),
        &l,
        |e| matches!(e, PackageError::SignatureMismatch(_)),
        "swapped signature, unsealed",
    );
    // The seal replaced by a seal over another manifest.
    let other_seal = cades::sign(
        b"{}".as_slice(),
        &signer("icp-pj"),
        &cades_opts(false, t(60)),
    )
    .unwrap();
    refused(
        &rewrite(&built, |es| {
            entry(es, "manifest.json.p7s").data = other_seal
        }),
        &l,
        |e| matches!(e, PackageError::SealInvalid(_)),
        "replaced seal",
    );
}

#[test]
fn a_pdf_changed_after_its_last_signature_is_refused() {
    use sigform::pdf::{IncrementalWriter, Object, Reader};
    let signed = pades_signed(1);
    let reader = Reader::from_reader(Cursor::new(signed.as_slice())).unwrap();
    let mut w = IncrementalWriter::new(&reader).unwrap();
    // Turn the first page: a change no signature covers and no rule allows.
    let page = reader.page_refs().unwrap()[0];
    let mut dict = reader.get(page).unwrap().as_dict().unwrap().clone();
    dict.insert("Rotate", Object::Integer(90));
    w.update(page, Object::Dictionary(dict));
    let mut changed = signed.clone();
    changed.extend_from_slice(reader.append_separator());
    let base = changed.len() as u64;
    w.write(&mut changed, base).unwrap();
    let d = pdf();
    let err = package::build(
        &doc(&d),
        SignatureFormat::Pades,
        &changed,
        &plan(false),
        &BuildOptions::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("modified after signing"), "{err}");
    // Smuggled into a valid unsealed package: refused on verification.
    let built = build_with(
        SignatureFormat::Pades,
        &signed,
        &plan(false),
        Container::Zip,
        false,
        false,
        None,
    );
    let bytes = rewrite(&built, |es| {
        let name = "contrato-signed.pdf";
        entry(es, name).data = changed.clone();
        let m = entry(es, "manifest.json");
        let mut v: serde_json::Value = serde_json::from_slice(&m.data).unwrap();
        for e in v["entries"].as_array_mut().unwrap() {
            if e["name"] == name {
                e["size"] = changed.len().into();
                e["sha256"] = sha(&changed).into();
            }
        }
        m.data = serde_json::to_vec_pretty(&v).unwrap();
    });
    refused(
        &bytes,
        &Limits::default(),
        |e| matches!(e, PackageError::SignatureMismatch(m) if m.contains("modified after signing")),
        "unsigned change after the last signature",
    );
}

// ---- external judges -----------------------------------------------------------------------

fn write_package_files(built: &BuiltPackage) -> tempfile::TempDir {
    let dir = tempdir();
    for e in &built.entries {
        let p = dir.path().join(&e.name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, &e.data).unwrap();
    }
    dir
}

#[test]
fn pdftotext_shows_the_names_with_accents() {
    let Some(pdftotext) = tool("pdftotext") else {
        return;
    };
    let built = full_cades_zip();
    let dir = write_package_files(&built);
    let (ok, _) = run(Command::new(pdftotext)
        .arg("-enc")
        .arg("UTF-8")
        .arg(dir.path().join("manifest.pdf"))
        .arg(dir.path().join("manifest.txt")));
    assert!(ok);
    let text = std::fs::read_to_string(dir.path().join("manifest.txt")).unwrap();
    for needle in [
        "João da Silva",
        "Maria da Conceição",
        "EMPRESA EXEMPLO LTDA",
        "529.982.247-25",
        "203.0.113.7",
        &built.manifest.document.sha256,
    ] {
        assert!(text.contains(needle), "{needle} not in:\n{text}");
    }
}

#[test]
fn pdfsig_validates_the_manifest_pdf_seal() {
    let built = full_cades_zip();
    let dir = write_package_files(&built);
    let Some(out) = pdfsig_trusting(&dir.path().join("manifest.pdf")) else {
        return;
    };
    assert!(out.contains("Signature is Valid."), "{out}");
    assert!(out.contains("Certificate is Trusted."), "{out}");
    assert!(out.contains("EMPRESA EXEMPLO LTDA"), "{out}");
}

#[test]
fn openssl_validates_the_manifest_seal() {
    let built = full_cades_zip();
    let dir = write_package_files(&built);
    let read = |name: &str| std::fs::read(dir.path().join(name)).unwrap();
    openssl_cms_verify(
        &read("manifest.json.p7s"),
        Some(&read("manifest.json")),
        false,
    );
}

#[test]
fn qpdf_checks_the_manifest_pdf() {
    let built = full_cades_zip();
    let dir = write_package_files(&built);
    let Some((ok, out)) = qpdf_check(&dir.path().join("manifest.pdf")) else {
        return;
    };
    assert!(ok, "{out}");
}
