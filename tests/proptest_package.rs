//! Property tests for signature packages (issue #8).
//!
//! 1. Build → verify round trips over random plans: 1–4 participants of random kinds (digital
//!    with a software key of the test PKI, electronic with graphism and evidence, server), a
//!    random number of them signed, random options (original, manifest PDF, zip or JSON, seal),
//!    random documents, CAdES attached and detached, and a few PAdES plans. The verdict must be
//!    exactly what was built: fully signed, or partly signed k of n with the right
//!    participants; or failed for the one plan that must fail (electronic evidence unsealed).
//! 2. Mutations of one valid zip package and one valid JSON package (built once): any change of
//!    the bytes never panics the reader/verifier and is never accepted, except where the
//!    entries read stay exactly the same: zip metadata that covers nothing (see
//!    [`HARMLESS_ZIP_FIELDS`]), JSON white space and hex case. Deeper: an entry altered with
//!    the container made consistent again (the manifest refuses it), the manifest text edited
//!    (the seal refuses it).

mod common;
use common::*;
use proptest::prelude::*;
use proptest::sample::Index;
use sigform::VerifyOptions;
use sigform::cades::{self, CadesOptions, SigningTime};
use sigform::package::{
    self, BuildOptions, BuiltPackage, Container, Document, ElectronicEvidence, Entry, Limits,
    PackageReport, PackageStatus, ParticipantKind, ParticipantStatus, PlannedParticipant,
    SignatureFormat, VerifyPackageOptions,
};
use sigform::pades::sign::{PadesOptions, Visible};
use sigform::signer::{Signer, SoftwareSigner};
use sigform::x509::TrustStore;
use sigform::{DigestAlgorithm, SignatureAlgorithm};
use std::io::Cursor;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

// ---- material --------------------------------------------------------------------------------

fn t(secs: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_760_000_000 + secs)
}

/// The certificates participants sign with: each appears at most once in a plan, so that which
/// signature belongs to whom is unambiguous.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Id {
    /// ICP-Brasil natural person: matched by CPF.
    Pf,
    /// RSA 2048: matched by its pinned certificate.
    Alice,
    /// P-256: pinned.
    Carol,
    /// ICP-Brasil company: matched by CNPJ.
    Pj,
    /// RSA 3072: pinned.
    Bob,
    /// P-384: the seal (never a participant).
    Dave,
}

const DIGITAL: [Id; 3] = [Id::Pf, Id::Alice, Id::Carol];
const SERVER: [Id; 2] = [Id::Pj, Id::Bob];
const ALL: [Id; 6] = [Id::Pf, Id::Alice, Id::Carol, Id::Pj, Id::Bob, Id::Dave];

impl Id {
    fn file(self) -> &'static str {
        match self {
            Id::Pf => "icp-pf",
            Id::Alice => "signer-rsa2048",
            Id::Carol => "signer-p256",
            Id::Pj => "icp-pj",
            Id::Bob => "signer-rsa3072",
            Id::Dave => "signer-p384",
        }
    }

    /// A piece of the subject that names this certificate.
    fn cn(self) -> &'static str {
        match self {
            Id::Pf => "João da Silva",
            Id::Alice => "Alice RSA2048",
            Id::Carol => "Carol P256",
            Id::Pj => "EMPRESA EXEMPLO LTDA",
            Id::Bob => "Bob RSA3072",
            Id::Dave => "Dave P384",
        }
    }

    fn algorithms(self) -> Vec<SignatureAlgorithm> {
        match self {
            Id::Carol => vec![
                SignatureAlgorithm::ECDSA_P256_SHA256,
                SignatureAlgorithm::Ecdsa {
                    curve: sigform::alg::EcCurve::P256,
                    digest: DigestAlgorithm::Sha384,
                },
            ],
            Id::Dave => vec![SignatureAlgorithm::ECDSA_P384_SHA384],
            _ => vec![
                SignatureAlgorithm::RSA_SHA256,
                SignatureAlgorithm::RsaPkcs1v15 {
                    digest: DigestAlgorithm::Sha512,
                },
                SignatureAlgorithm::RSA_PSS_SHA256,
            ],
        }
    }
}

/// Every (identity, algorithm) signer, loaded once.
fn signers() -> &'static Vec<(Id, Vec<SoftwareSigner>)> {
    static S: OnceLock<Vec<(Id, Vec<SoftwareSigner>)>> = OnceLock::new();
    S.get_or_init(|| {
        ALL.iter()
            .map(|&id| {
                let variants = id
                    .algorithms()
                    .into_iter()
                    .map(|alg| {
                        SoftwareSigner::from_files(
                            tv(&format!("pki/{}.key.pem", id.file())),
                            None,
                            tv(&format!("pki/{}.pem", id.file())),
                            Some(&tv("pki/intermediate-ca.pem")),
                        )
                        .unwrap()
                        .with_algorithm(alg)
                        .unwrap()
                    })
                    .collect();
                (id, variants)
            })
            .collect()
    })
}

/// The signer of `id` with its algorithm number `alg` (modulo the number it has).
fn signer(id: Id, alg: usize) -> &'static SoftwareSigner {
    let v = &signers().iter().find(|(i, _)| *i == id).unwrap().1;
    &v[alg % v.len()]
}

fn seal() -> &'static SoftwareSigner {
    signer(Id::Dave, 0)
}

fn graphism() -> &'static Vec<u8> {
    static G: OnceLock<Vec<u8>> = OnceLock::new();
    G.get_or_init(|| package::demo::sample_graphism().unwrap())
}

fn sample_pdf() -> &'static Vec<u8> {
    static P: OnceLock<Vec<u8>> = OnceLock::new();
    P.get_or_init(|| tv_bytes("docs/sample-2pages.pdf"))
}

fn trusted() -> &'static VerifyPackageOptions {
    static O: OnceLock<VerifyPackageOptions> = OnceLock::new();
    O.get_or_init(|| VerifyPackageOptions {
        verify: VerifyOptions {
            trust: Some(TrustStore::from_path(tv("pki/root-ca.pem")).unwrap()),
            validation_time: Some(t(3600)),
            ..VerifyOptions::default()
        },
        ..VerifyPackageOptions::default()
    })
}

fn evidence(i: usize) -> ElectronicEvidence {
    ElectronicEvidence {
        time: t(60 * (i as u64 + 1)),
        ip_address: format!("203.0.113.{}", i + 1),
        user_agent: "Mozilla/5.0 (proptest)".into(),
        email: format!("eletronico{i}@example.com"),
        graphism_png: graphism().clone(),
    }
}

// ---- plans -----------------------------------------------------------------------------------

/// A plan as drawn by proptest, before it is made consistent by [`resolve`].
#[derive(Clone, Debug)]
struct PlanSpec {
    /// 0 digital, 1 electronic, 2 server; one per participant (1–4).
    kinds: Vec<u8>,
    /// Whether each participant after the first is one step after the previous one (else the
    /// same step).
    step_up: Vec<bool>,
    /// Algorithm number of each participant's key.
    algs: Vec<usize>,
    /// Which digital and server certificates are used first.
    digital_order: Vec<usize>,
    server_order: Vec<usize>,
    /// How many participants (a prefix in plan order) have signed.
    signed: usize,
}

fn plan_spec() -> impl Strategy<Value = PlanSpec> {
    (1usize..=4).prop_flat_map(|n| {
        (
            proptest::collection::vec(0u8..3, n),
            proptest::collection::vec(any::<bool>(), n),
            proptest::collection::vec(0usize..3, n),
            Just(vec![0usize, 1, 2]).prop_shuffle(),
            Just(vec![0usize, 1]).prop_shuffle(),
            0usize..=n,
        )
            .prop_map(
                |(kinds, step_up, algs, digital_order, server_order, signed)| PlanSpec {
                    kinds,
                    step_up,
                    algs,
                    digital_order,
                    server_order,
                    signed,
                },
            )
    })
}

/// One participant of a resolved plan.
#[derive(Clone, Debug)]
struct Who {
    kind: ParticipantKind,
    /// Certificate of a digital or server participant.
    id: Option<Id>,
    alg: usize,
    step: u32,
}

/// Makes a spec consistent: certificates assigned without repetition (a kind whose
/// certificates are used up becomes electronic), and at least one signature for the signature
/// entry to hold (CAdES: a digital or server participant among the signed; PAdES: one signed).
/// Returns the participants and how many signed.
fn resolve(spec: &PlanSpec, pades: bool) -> (Vec<Who>, usize) {
    let (mut d, mut s) = (0usize, 0usize);
    let mut step = 1u32;
    let mut out = Vec::new();
    for (i, &k) in spec.kinds.iter().enumerate() {
        if i > 0 && spec.step_up[i] {
            step += 1;
        }
        let mut who = Who {
            kind: ParticipantKind::Electronic,
            id: None,
            alg: spec.algs[i],
            step,
        };
        if k == 0 && d < DIGITAL.len() {
            who.kind = ParticipantKind::Digital;
            who.id = Some(DIGITAL[spec.digital_order[d]]);
            d += 1;
        } else if k == 2 && s < SERVER.len() {
            who.kind = ParticipantKind::Server;
            who.id = Some(SERVER[spec.server_order[s]]);
            s += 1;
        }
        out.push(who);
    }
    let mut signed = spec.signed.min(out.len());
    if pades {
        signed = signed.max(1);
    } else {
        let first = match out.iter().position(|w| w.id.is_some()) {
            Some(p) => p,
            None => {
                out[0].kind = ParticipantKind::Digital;
                out[0].id = Some(DIGITAL[spec.digital_order[0]]);
                0
            }
        };
        signed = signed.max(first + 1);
    }
    (out, signed)
}

fn planned(who: &[Who], signed: usize) -> Vec<PlannedParticipant> {
    who.iter()
        .enumerate()
        .map(|(i, w)| {
            let mut p = PlannedParticipant::new(w.step, w.kind, format!("Participante {}", i + 1));
            match w.id {
                Some(Id::Pf) => p.cpf = Some("52998224725".into()),
                Some(Id::Pj) => p.cnpj = Some("11222333000181".into()),
                Some(id) => {
                    p.certificate_sha256 = Some(
                        signer(id, w.alg)
                            .identity()
                            .certificate()
                            .fingerprint_sha256(),
                    )
                }
                None => {
                    p.email = Some(format!("eletronico{i}@example.com"));
                    if i < signed {
                        p.evidence = Some(evidence(i));
                    }
                }
            }
            p
        })
        .collect()
}

/// The CAdES signature of the first `signed` participants: a signature, then co-signatures in
/// plan order with increasing signing times. Electronic participants have none.
fn cades_signature(doc: &[u8], who: &[Who], signed: usize, attached: bool) -> Vec<u8> {
    let mut p7s: Option<Vec<u8>> = None;
    for (i, w) in who.iter().enumerate().take(signed) {
        let Some(id) = w.id else { continue };
        let opts = CadesOptions {
            attached,
            signing_time: SigningTime::At(t(60 * (i as u64 + 1))),
            ..CadesOptions::default()
        };
        let s = signer(id, w.alg);
        p7s = Some(match p7s {
            None => cades::sign(doc, s, &opts).unwrap(),
            Some(existing) => {
                cades::cosign(&existing, (!attached).then_some(doc), s, &opts).unwrap()
            }
        });
    }
    p7s.expect("resolve() guarantees one signature")
}

/// The PDF signed by the first `signed` participants in turn; an electronic participant's
/// graphism is stamped by the seal certificate.
fn pades_signature(pdf: &[u8], who: &[Who], signed: usize) -> Vec<u8> {
    let mut cur = pdf.to_vec();
    for (i, w) in who.iter().enumerate().take(signed) {
        let mut opts = PadesOptions {
            signing_time: Some(t(60 * (i as u64 + 1))),
            ..PadesOptions::default()
        };
        let s = match w.id {
            Some(id) => signer(id, w.alg),
            None => {
                let y = 40.0 + 80.0 * i as f64;
                opts.visible = Some(Visible {
                    page: 1,
                    rect: [300.0, y, 550.0, y + 60.0],
                    image_png: Some(graphism().clone()),
                    lines: Some(vec![format!("Participante {}", i + 1)]),
                });
                seal()
            }
        };
        let mut out = Cursor::new(Vec::new());
        sigform::pades::sign::sign(Cursor::new(cur.as_slice()), &mut out, s, &opts).unwrap();
        cur = out.into_inner();
    }
    cur
}

#[derive(Clone, Debug)]
struct Options {
    container: Container,
    include_original: bool,
    include_manifest_pdf: bool,
    sealed: bool,
}

fn options() -> impl Strategy<Value = Options> {
    (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()).prop_map(|(z, o, m, s)| Options {
        container: if z { Container::Zip } else { Container::Json },
        include_original: o,
        include_manifest_pdf: m,
        sealed: s,
    })
}

fn build(
    name: &str,
    doc: &[u8],
    format: SignatureFormat,
    signature: &[u8],
    plan: &[PlannedParticipant],
    o: &Options,
) -> BuiltPackage {
    package::build(
        &Document {
            name: name.into(),
            media_type: String::new(),
            data: doc,
        },
        format,
        signature,
        plan,
        &BuildOptions {
            include_original: o.include_original,
            include_manifest_pdf: o.include_manifest_pdf,
            container: o.container,
            time: t(600),
            seal: o.sealed.then(|| seal() as &dyn Signer),
            timestamp_authority: None,
        },
    )
    .unwrap_or_else(|e| panic!("build: {e}"))
}

/// The report says exactly what was built.
fn check_verdict(
    r: &PackageReport,
    built: &BuiltPackage,
    who: &[Who],
    signed: usize,
    format: SignatureFormat,
    o: &Options,
) -> Result<(), TestCaseError> {
    let n = who.len();
    prop_assert_eq!(r.container, o.container);
    prop_assert_eq!(r.format, format);
    prop_assert_eq!(r.total, n);
    prop_assert_eq!(r.sealed, o.sealed);
    prop_assert_eq!(r.seal.is_some(), o.sealed);
    prop_assert_eq!(r.participants.len(), n);
    if !o.sealed {
        prop_assert!(r.warnings.iter().any(|w| w.contains("not sealed")));
    }
    // The only plan that must fail: electronic evidence without a server seal (in PAdES the
    // seal certificate stamps the graphism, so such a plan is always sealed).
    let unsealed_evidence = !o.sealed
        && who
            .iter()
            .take(signed)
            .any(|w| w.kind == ParticipantKind::Electronic);
    let expected = if unsealed_evidence {
        PackageStatus::Failed
    } else if signed == n {
        PackageStatus::FullySigned
    } else {
        PackageStatus::PartlySigned
    };
    prop_assert_eq!(r.status, expected);
    if unsealed_evidence {
        prop_assert!(r.failures.iter().any(|f| f.contains("not sealed")));
    } else {
        prop_assert!(r.failures.is_empty());
        prop_assert_eq!(r.signed, signed);
        let verdict = match expected {
            PackageStatus::FullySigned => format!("FULLY SIGNED ({signed} of {n})"),
            _ => format!("PARTLY SIGNED ({signed} of {n})"),
        };
        prop_assert_eq!(r.verdict(), verdict);
    }
    // Participant by participant, and which signature is whose.
    let mut sig_no = 0usize;
    for (i, (w, c)) in who.iter().zip(&r.participants).enumerate() {
        prop_assert_eq!(c.step, w.step);
        prop_assert_eq!(c.kind, w.kind);
        prop_assert_eq!(&c.name, &format!("Participante {}", i + 1));
        if i >= signed {
            prop_assert_eq!(c.status, ParticipantStatus::Pending);
            prop_assert!(!c.verified);
            prop_assert!(c.signature.is_none());
            continue;
        }
        prop_assert_eq!(c.status, ParticipantStatus::Signed);
        let has_signature = w.id.is_some() || format == SignatureFormat::Pades;
        if has_signature {
            sig_no += 1;
            prop_assert_eq!(c.signature.clone(), Some(format!("S{sig_no}")));
            let by = w.id.unwrap_or(Id::Dave).cn();
            prop_assert!(
                c.signer.as_deref().is_some_and(|s| s.contains(by)),
                "participant {} signed by {:?}, expected {}",
                i + 1,
                c.signer,
                by
            );
        } else {
            prop_assert!(c.signature.is_none());
        }
        let expect_verified = !(unsealed_evidence && w.kind == ParticipantKind::Electronic);
        prop_assert_eq!(c.verified, expect_verified, "{:?}", c.problems);
    }
    prop_assert_eq!(r.signatures.signatures.len(), sig_no);
    // The package holds what the options asked for, and reads back as built.
    let pkg = package::read(&built.bytes, &Limits::default()).unwrap();
    prop_assert_eq!(&pkg.entries, &built.entries);
    let original = built.manifest.document.name.as_str();
    prop_assert_eq!(pkg.get(original).is_some(), o.include_original);
    prop_assert_eq!(
        pkg.get(package::MANIFEST_PDF).is_some(),
        o.include_manifest_pdf
    );
    prop_assert_eq!(pkg.get(package::SEAL).is_some(), o.sealed);
    let graphisms = pkg
        .entries
        .iter()
        .filter(|e| e.name.starts_with("evidence/"))
        .count();
    let electronic_signed = who
        .iter()
        .take(signed)
        .filter(|w| w.kind == ParticipantKind::Electronic)
        .count();
    prop_assert_eq!(graphisms, electronic_signed);
    Ok(())
}

const DOC_NAMES: [&str; 4] = [
    "contrato.pdf",
    "dados.bin",
    "lote/nota 1.txt",
    "Relatório.xml",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// CAdES packages (attached and detached): build, then verify; the verdict is the plan's.
    #[test]
    fn cades_package_round_trip(
        spec in plan_spec(),
        o in options(),
        attached: bool,
        doc in proptest::collection::vec(any::<u8>(), 0..4096),
        name in 0usize..DOC_NAMES.len(),
    ) {
        let (who, signed) = resolve(&spec, false);
        let plan = planned(&who, signed);
        let mut o = o;
        if !attached {
            o.include_original = true; // a detached .p7s needs the original (build refuses otherwise)
        }
        let format = if attached { SignatureFormat::CadesAttached } else { SignatureFormat::CadesDetached };
        let sig = cades_signature(&doc, &who, signed, attached);
        let built = build(DOC_NAMES[name], &doc, format, &sig, &plan, &o);
        let r = package::verify(&built.bytes, trusted()).unwrap();
        check_verdict(&r, &built, &who, signed, format, &o).map_err(|e| {
            TestCaseError::fail(format!("{e}\nplan {who:?}, {signed} signed, {o:?}\n{r}"))
        })?;
    }
}

proptest! {
    // Each case signs the PDF up to four times and verifies every revision: fewer cases.
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// PAdES packages: the PDF signed in turn by the signed participants (electronic ones
    /// stamped by the seal certificate); always sealed, as electronic stamps need it.
    #[test]
    fn pades_package_round_trip(spec in plan_spec(), o in options()) {
        let (who, signed) = resolve(&spec, true);
        let plan = planned(&who, signed);
        let o = Options { sealed: true, ..o };
        let pdf = sample_pdf();
        let sig = pades_signature(pdf, &who, signed);
        let built = build("contrato.pdf", pdf, SignatureFormat::Pades, &sig, &plan, &o);
        let r = package::verify(&built.bytes, trusted()).unwrap();
        check_verdict(&r, &built, &who, signed, SignatureFormat::Pades, &o).map_err(|e| {
            TestCaseError::fail(format!("{e}\nplan {who:?}, {signed} signed, {o:?}\n{r}"))
        })?;
    }
}

// ---- mutations -------------------------------------------------------------------------------

/// The reference packages, fully signed and sealed: João (digital, step 1), an electronic
/// signer with evidence (step 2) and the company (server, step 3) over a small text, CAdES
/// attached, with the original and the manifest PDF; zipped and as JSON.
fn reference() -> &'static (BuiltPackage, BuiltPackage) {
    static R: OnceLock<(BuiltPackage, BuiltPackage)> = OnceLock::new();
    R.get_or_init(|| {
        let spec = PlanSpec {
            kinds: vec![0, 1, 2],
            step_up: vec![true, true, true],
            algs: vec![0, 0, 0],
            digital_order: vec![0, 1, 2],
            server_order: vec![0, 1],
            signed: 3,
        };
        let (who, signed) = resolve(&spec, false);
        let plan = planned(&who, signed);
        let doc = tv_bytes("docs/sample.txt");
        let sig = cades_signature(&doc, &who, signed, true);
        let mut o = Options {
            container: Container::Zip,
            include_original: true,
            include_manifest_pdf: true,
            sealed: true,
        };
        let zip = build(
            "contrato.txt",
            &doc,
            SignatureFormat::CadesAttached,
            &sig,
            &plan,
            &o,
        );
        o.container = Container::Json;
        let json = build(
            "contrato.txt",
            &doc,
            SignatureFormat::CadesAttached,
            &sig,
            &plan,
            &o,
        );
        for p in [&zip, &json] {
            let r = package::verify(&p.bytes, trusted()).unwrap();
            assert_eq!(r.status, PackageStatus::FullySigned, "{r}");
        }
        (zip, json)
    })
}

/// A byte-level mutation.
#[derive(Clone, Debug)]
enum Mutation {
    Xor { at: Index, mask: u8 },
    Truncate { at: Index },
    Insert { at: Index, bytes: Vec<u8> },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<Index>(), 1u8..=255).prop_map(|(at, mask)| Mutation::Xor { at, mask }),
        1 => any::<Index>().prop_map(|at| Mutation::Truncate { at }),
        1 => (any::<Index>(), proptest::collection::vec(any::<u8>(), 1..24))
            .prop_map(|(at, bytes)| Mutation::Insert { at, bytes }),
    ]
}

/// Applies `m`; returns the new bytes and the offset it touched.
fn apply(data: &[u8], m: &Mutation) -> (Vec<u8>, usize) {
    let mut v = data.to_vec();
    match m {
        Mutation::Xor { at, mask } => {
            let i = at.index(v.len());
            v[i] ^= mask;
            (v, i)
        }
        Mutation::Truncate { at } => {
            let i = at.index(v.len());
            v.truncate(i);
            (v, i)
        }
        Mutation::Insert { at, bytes } => {
            let i = at.index(v.len() + 1);
            v.splice(i..i, bytes.iter().copied());
            (v, i)
        }
    }
}

/// What a verification of altered bytes may give: an error, or a failed package.
fn refused(bytes: &[u8]) -> Result<(), String> {
    match package::verify(bytes, trusted()) {
        Err(_) => Ok(()),
        Ok(r) if r.status == PackageStatus::Failed => Ok(()),
        Ok(r) => Err(format!("accepted:\n{r}")),
    }
}

/// The JSON package as a value.
fn json_value(bytes: &[u8]) -> serde_json::Value {
    serde_json::from_slice(bytes).unwrap()
}

/// Rewrites entry `i` of a JSON package value with `data`; with `fix`, its `size` and
/// `sha256` are updated too, so that the container accepts it and the manifest (or the seal
/// over the manifest) must be what refuses it.
fn set_json_entry(v: &mut serde_json::Value, i: usize, data: &[u8], fix: bool) {
    use base64::Engine;
    let e = &mut v["entries"][i];
    e["data_base64"] = base64::engine::general_purpose::STANDARD
        .encode(data)
        .into();
    if fix {
        e["size"] = data.len().into();
        e["sha256"] = hex::encode(DigestAlgorithm::Sha256.digest(data)).into();
    }
}

/// Fields of a zip that nothing the package verifies depends on: the entries are their names
/// and bytes (the manifest's SHA-256 and the seal cover those; CRC-32, sizes, names and times
/// are cross-checked between local headers and the central directory), not how the archive
/// describes them. A change here leaves the same entries, so it may pass:
/// - "version made by" / "version needed to extract" (which spec level, which host);
/// - the general-purpose flags other than encryption and data descriptor (which are refused),
///   e.g. bit 11, UTF-8 names: names are validated as UTF-8 whatever the flag says;
/// - internal attributes, and external attributes other than the file type (a Unix type other
///   than a regular file is refused; permission and MS-DOS attribute bits are not used:
///   extraction writes regular files only);
/// - "disk number start" (only the end record's disk numbers decide single-disk);
/// - compressed data whose inflated bytes are unchanged (the unused bits after the end of a
///   deflate stream).
const HARMLESS_ZIP_FIELDS: [&str; 8] = [
    "central version made by",
    "central version needed",
    "local version needed",
    "central flags",
    "local flags",
    "central internal attributes",
    "central external attributes",
    "central disk",
];

fn harmless_zip_field(field: &str) -> bool {
    field.starts_with("data +") || HARMLESS_ZIP_FIELDS.iter().any(|f| field.starts_with(f))
}

/// Entries equal in name and bytes, and in media type for every entry but `manifest.json` and
/// the seal. (A JSON package's media types are checked against the manifest, which records
/// them for the entries it lists; the manifest's and the seal's own media types are recorded
/// nowhere, so a change of them is not caught: reported, not fixed.)
fn same_entries(a: &[Entry], b: &[Entry]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            x.name == y.name
                && x.data == y.data
                && (x.media_type == y.media_type
                    || [package::MANIFEST_JSON, package::SEAL].contains(&x.name.as_str()))
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    /// Any byte-level change of the zip package: no panic, and never accepted unless it is a
    /// byte XORed in a field listed in [`HARMLESS_ZIP_FIELDS`] and the entries read are exactly
    /// the original ones.
    #[test]
    fn mutated_zip_package_is_refused(m in mutation()) {
        let (zip, _) = reference();
        let (bytes, at) = apply(&zip.bytes, &m);
        if bytes == zip.bytes {
            prop_assert_eq!(package::verify(&bytes, trusted()).unwrap().status, PackageStatus::FullySigned);
            return Ok(());
        }
        if let Err(e) = refused(&bytes) {
            let field = zip_field(&zip.bytes, at);
            let same = package::read(&bytes, &Limits::default()).is_ok_and(|p| same_entries(&p.entries, &zip.entries));
            prop_assert!(
                matches!(m, Mutation::Xor { .. }) && harmless_zip_field(&field) && same,
                "{:?} at {} ({}), same entries: {}: {}", m, at, field, same, e
            );
        }
    }

    /// Any byte-level change of the JSON package: no panic, and never accepted unless the
    /// entries read are the original ones (JSON white space, the case of a hex digit in an
    /// entry's `sha256`).
    #[test]
    fn mutated_json_package_is_refused(m in mutation()) {
        let (_, json) = reference();
        let (bytes, at) = apply(&json.bytes, &m);
        if bytes == json.bytes {
            return Ok(());
        }
        if let Err(e) = refused(&bytes) {
            let same = package::read(&bytes, &Limits::default()).is_ok_and(|p| same_entries(&p.entries, &json.entries));
            let ctx = String::from_utf8_lossy(&json.bytes[at.saturating_sub(40)..(at + 40).min(json.bytes.len())]).into_owned();
            prop_assert!(same, "{:?} at {} (near {:?}): {}", m, at, ctx, e);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// One entry of the JSON package altered inside its base64 data (one character replaced by
    /// another of the alphabet, or a byte of the decoded data XORed), with or without the
    /// container's size and hash updated to match: never accepted.
    #[test]
    fn json_entry_altered_is_refused(entry: Index, at: Index, mask in 1u8..=255, fix: bool) {
        let (_, json) = reference();
        let mut v = json_value(&json.bytes);
        let n = v["entries"].as_array().unwrap().len();
        let i = entry.index(n);
        let mut data = json.entries[i].data.clone();
        if data.is_empty() {
            return Ok(());
        }
        let k = at.index(data.len());
        if harmless_cms_byte(&json.entries[i], k) {
            return Ok(());
        }
        data[k] ^= mask;
        set_json_entry(&mut v, i, &data, fix);
        let bytes = serde_json::to_vec_pretty(&v).unwrap();
        if let Err(e) = refused(&bytes) {
            prop_assert!(false, "entry {} byte {} ^ {:#x} (fixed: {}): {}", json.entries[i].name, k, mask, fix, e);
        }
    }

    /// The manifest text itself edited (one printable character replaced anywhere), the JSON
    /// container made consistent: the seal refuses it (or the manifest no longer parses).
    #[test]
    fn manifest_text_edited_is_refused(at: Index, ch in 0x20u8..0x7f) {
        let (_, json) = reference();
        let i = json.entries.iter().position(|e| e.name == package::MANIFEST_JSON).unwrap();
        let mut data = json.entries[i].data.clone();
        let k = at.index(data.len());
        if data[k] == ch {
            return Ok(());
        }
        data[k] = ch;
        let mut v = json_value(&json.bytes);
        set_json_entry(&mut v, i, &data, true);
        let bytes = serde_json::to_vec_pretty(&v).unwrap();
        if let Err(e) = refused(&bytes) {
            let ctx = String::from_utf8_lossy(&data[k.saturating_sub(30)..(k + 30).min(data.len())]).into_owned();
            prop_assert!(false, "manifest byte {} := {:?} (near {:?}): {}", k, ch as char, ctx, e);
        }
    }

    /// One entry of the zip package altered (a byte XORed), the zip rewritten consistently
    /// (CRC, sizes): the manifest or the seal refuses it.
    #[test]
    fn zip_entry_altered_is_refused(entry: Index, at: Index, mask in 1u8..=255) {
        let (zip, _) = reference();
        let mut entries: Vec<Entry> = zip.entries.clone();
        let i = entry.index(entries.len());
        if entries[i].data.is_empty() {
            return Ok(());
        }
        let k = at.index(entries[i].data.len());
        if harmless_cms_byte(&entries[i], k) {
            return Ok(());
        }
        entries[i].data[k] ^= mask;
        let bytes = package::write_zip(&entries, t(600)).unwrap();
        if let Err(e) = refused(&bytes) {
            prop_assert!(false, "entry {} byte {} ^ {:#x}: {}", entries[i].name, k, mask, e);
        }
    }
}

/// Whether byte `k` of `entry` is a byte of a `.p7s` that no signature covers and verification
/// ignores (`common::cms::ignorable`: the SignedData and SignerInfo versions, the contents of
/// digestAlgorithms, RSA PKCS#1 v1.5 parameters). Such a change has no effect, and in the seal
/// (`manifest.json.p7s`, the one entry the manifest cannot hash) it goes unnoticed by design.
fn harmless_cms_byte(entry: &Entry, k: usize) -> bool {
    entry.name.ends_with(".p7s") && common::cms::ignorable(&entry.data, k).is_some()
}

#[test]
fn json_media_type_differing_from_the_manifest_is_refused() {
    // Found by `mutated_json_package_is_refused`: the JSON form's media types were not checked,
    // so a sealed package whose document was relabelled (say as text/html) still passed.
    let (_, json) = reference();
    let mut v = json_value(&json.bytes);
    v["entries"][0]["media_type"] = "text/html".into();
    let bytes = serde_json::to_vec_pretty(&v).unwrap();
    match package::verify(&bytes, trusted()) {
        Err(package::PackageError::Manifest(m)) => assert!(m.contains("media type"), "{m}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn rewritten_unchanged_packages_still_verify() {
    // The control for the properties above: re-serialising the JSON and rewriting the zip
    // without a change keeps the package fully signed, so their refusals are the mutation's.
    let (zip, json) = reference();
    let bytes = serde_json::to_vec_pretty(&json_value(&json.bytes)).unwrap();
    let r = package::verify(&bytes, trusted()).unwrap();
    assert_eq!(r.status, PackageStatus::FullySigned, "{r}");
    let bytes = package::write_zip(&zip.entries, t(600)).unwrap();
    let r = package::verify(&bytes, trusted()).unwrap();
    assert_eq!(r.status, PackageStatus::FullySigned, "{r}");
}

// ---- zip layout ------------------------------------------------------------------------------

fn le16(b: &[u8], at: usize) -> usize {
    u16::from_le_bytes([b[at], b[at + 1]]) as usize
}

fn le32(b: &[u8], at: usize) -> usize {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]) as usize
}

/// Names the zip structure field at `offset` of a well-formed zip (ours), for diagnostics and
/// for [`harmless_zip_field`].
fn zip_field(zip: &[u8], offset: usize) -> String {
    let eocd = zip.len() - 22;
    let cd_offset = le32(zip, eocd + 16);
    let count = le16(zip, eocd + 10);
    if offset >= eocd {
        return format!("end of central directory +{}", offset - eocd);
    }
    let local_fields: [(usize, &str); 11] = [
        (0, "local signature"),
        (4, "local version needed"),
        (6, "local flags"),
        (8, "local method"),
        (10, "local time"),
        (12, "local date"),
        (14, "local crc"),
        (18, "local compressed size"),
        (22, "local size"),
        (26, "local name length"),
        (28, "local extra length"),
    ];
    let central_fields: [(usize, &str); 17] = [
        (0, "central signature"),
        (4, "central version made by"),
        (6, "central version needed"),
        (8, "central flags"),
        (10, "central method"),
        (12, "central time"),
        (14, "central date"),
        (16, "central crc"),
        (20, "central compressed size"),
        (24, "central size"),
        (28, "central name length"),
        (30, "central extra length"),
        (32, "central comment length"),
        (34, "central disk"),
        (36, "central internal attributes"),
        (38, "central external attributes"),
        (42, "central local header offset"),
    ];
    let mut p = cd_offset;
    for _ in 0..count {
        let name_len = le16(zip, p + 28);
        let extra_len = le16(zip, p + 30);
        let comment_len = le16(zip, p + 32);
        let name = String::from_utf8_lossy(&zip[p + 46..p + 46 + name_len]).into_owned();
        let end = p + 46 + name_len + extra_len + comment_len;
        if offset >= p && offset < end {
            let rel = offset - p;
            if rel < 46 {
                let f = central_fields
                    .iter()
                    .rev()
                    .find(|(o, _)| *o <= rel)
                    .unwrap();
                return format!("{} +{} of {name:?}", f.1, rel - f.0);
            }
            return format!("central name/extra/comment +{} of {name:?}", rel - 46);
        }
        let local = le32(zip, p + 42);
        let csize = le32(zip, p + 20);
        let l_name = le16(zip, local + 26);
        let l_extra = le16(zip, local + 28);
        let data = local + 30 + l_name + l_extra;
        if offset >= local && offset < data {
            let rel = offset - local;
            if rel < 30 {
                let f = local_fields.iter().rev().find(|(o, _)| *o <= rel).unwrap();
                return format!("{} +{} of {name:?}", f.1, rel - f.0);
            }
            return format!("local name/extra +{} of {name:?}", rel - 30);
        }
        if offset >= data && offset < data + csize {
            return format!("data +{} of {} of {name:?}", offset - data, csize);
        }
        p = end;
    }
    "outside every entry".into()
}
