//! `sigform demo`: the whole flow with no setup.
//!
//! A demo PKI (the committed test PKI, embedded: **its private keys are public, for
//! demonstration only**), a sample document, and the portal's three kinds of participant:
//! João da Silva signs digitally (ICP-Brasil A1 certificate with his CPF, software key), Maria
//! da Conceição signs electronically (a handwritten graphism and the evidence captured, sealed
//! by the server), and the server signs with the company certificate (CNPJ). The CAdES package
//! (partly signed after step 2, then fully signed) and the PAdES package are built, zipped and
//! as JSON, verified, and left in the directory with the trust anchor, so that
//! `sigform package verify DIR/<package>.zip --trust DIR/root.pem` can be run afterwards.

use super::{
    BuildOptions, Container, Document, ElectronicEvidence, PackageStatus, ParticipantKind,
    PlannedParticipant, SignatureFormat, VerifyPackageOptions, build, verify,
};
use crate::VerifyOptions;
use crate::cades::{self, CadesOptions, SigningTime};
use crate::error::{Error, Result};
use crate::pades::sign::{PadesOptions, Visible};
use crate::signer::SoftwareSigner;
use crate::x509::TrustStore;
use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// The demo PKI, embedded (the test PKI of `test-vectors/pki`; its private keys are public:
/// demonstration only). `sigform demo` and the reference portal's demo mode use it.
pub mod pki {
    /// The root CA certificate (PEM): the trust anchor of everything the demo signs.
    pub const ROOT_PEM: &[u8] = include_bytes!("../../test-vectors/pki/root-ca.pem");
    /// The intermediate CA certificate (PEM), embedded in every signature's chain.
    pub const INTERMEDIATE_PEM: &[u8] =
        include_bytes!("../../test-vectors/pki/intermediate-ca.pem");
    /// An ICP-Brasil-style natural person's certificate (CPF 52998224725), PEM.
    pub const PF_CERT: &[u8] = include_bytes!("../../test-vectors/pki/icp-pf.pem");
    /// Its private key (PKCS#8 PEM).
    pub const PF_KEY: &[u8] = include_bytes!("../../test-vectors/pki/icp-pf.key.pem");
    /// An ICP-Brasil-style legal person's certificate (CNPJ 11222333000181): the server signer.
    pub const PJ_CERT: &[u8] = include_bytes!("../../test-vectors/pki/icp-pj.pem");
    /// Its private key (PKCS#8 PEM).
    pub const PJ_KEY: &[u8] = include_bytes!("../../test-vectors/pki/icp-pj.key.pem");
}
use pki::{INTERMEDIATE_PEM, PF_CERT, PF_KEY, PJ_CERT, PJ_KEY, ROOT_PEM};
const SAMPLE_PDF: &[u8] = include_bytes!("../../test-vectors/docs/sample-2pages.pdf");

/// What the demo did.
#[derive(Debug, Clone)]
pub struct DemoOutcome {
    /// Files written.
    pub files: Vec<PathBuf>,
    /// Each check: what, expected, and whether it held.
    pub checks: Vec<(String, bool)>,
}

impl DemoOutcome {
    /// True when every check held.
    pub fn all_passed(&self) -> bool {
        self.checks.iter().all(|(_, ok)| *ok)
    }
}

/// A handwritten-looking graphism: a blue stroke on a transparent 360×120 PNG.
pub fn sample_graphism() -> Result<Vec<u8>> {
    let (w, h) = (360u32, 120u32);
    let mut px = vec![0u8; (w * h * 4) as usize];
    let mut dot = |x: f64, y: f64| {
        for dy in -2i32..=2 {
            for dx in -2i32..=2 {
                if dx * dx + dy * dy > 5 {
                    continue;
                }
                let (xi, yi) = (x as i32 + dx, y as i32 + dy);
                if xi < 0 || yi < 0 || xi >= w as i32 || yi >= h as i32 {
                    continue;
                }
                let i = ((yi as u32 * w + xi as u32) * 4) as usize;
                if let Some(p) = px.get_mut(i..i + 4) {
                    p.copy_from_slice(&[20, 40, 140, 255]);
                }
            }
        }
    };
    // A looping cursive stroke, then an underline.
    let steps = 2400;
    for i in 0..steps {
        let t = i as f64 / steps as f64;
        let x = 20.0 + 300.0 * t + 14.0 * (t * 60.0).sin();
        let y = 60.0 - 28.0 * (t * 30.0).cos() * (1.0 - 0.5 * t) + 6.0 * (t * 7.0).sin();
        dot(x, y);
    }
    for i in 0..600 {
        let t = i as f64 / 600.0;
        dot(40.0 + 290.0 * t, 100.0 + 4.0 * (t * 3.0).sin());
    }
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgba);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc
            .write_header()
            .map_err(|e| Error::InvalidArgument(format!("PNG: {e}")))?;
        writer
            .write_image_data(&px)
            .map_err(|e| Error::InvalidArgument(format!("PNG: {e}")))?;
        writer
            .finish()
            .map_err(|e| Error::InvalidArgument(format!("PNG: {e}")))?;
    }
    Ok(out)
}

fn signer(key: &[u8], cert: &[u8]) -> Result<SoftwareSigner> {
    SoftwareSigner::from_pem_or_der(key, None, cert, Some(INTERMEDIATE_PEM))
}

fn pades(pdf: &[u8], signer: &SoftwareSigner, options: &PadesOptions) -> Result<Vec<u8>> {
    let mut out = Cursor::new(Vec::new());
    crate::pades::sign::sign(Cursor::new(pdf), &mut out, signer, options)?;
    Ok(out.into_inner())
}

/// The demo's participants; Maria's evidence is given once she has signed.
fn plan(evidence: Option<ElectronicEvidence>) -> Vec<PlannedParticipant> {
    let mut joao = PlannedParticipant::new(1, ParticipantKind::Digital, "João da Silva");
    joao.cpf = Some("52998224725".into());
    joao.email = Some("joao.silva@example.com".into());
    let mut maria = PlannedParticipant::new(2, ParticipantKind::Electronic, "Maria da Conceição");
    maria.cpf = Some("39053344705".into());
    maria.email = Some("maria.conceicao@example.com".into());
    maria.evidence = evidence;
    let mut server = PlannedParticipant::new(3, ParticipantKind::Server, "EMPRESA EXEMPLO LTDA");
    server.cnpj = Some("11222333000181".into());
    server.email = Some("contato@example.com".into());
    vec![joao, maria, server]
}

/// The demo's fixed inputs: the times of the three steps, the signers, the document and
/// Maria's evidence.
struct Flow {
    now: SystemTime,
    t1: SystemTime,
    t2: SystemTime,
    t3: SystemTime,
    joao: SoftwareSigner,
    server: SoftwareSigner,
    graphism: Vec<u8>,
    evidence: ElectronicEvidence,
    document: Document<'static>,
}

impl Flow {
    /// The flow, and the trust anchor of its PKI.
    fn new() -> Result<(Self, TrustStore)> {
        let now = SystemTime::now();
        let (t1, t2, t3) = (
            now - Duration::from_secs(180),
            now - Duration::from_secs(120),
            now - Duration::from_secs(60),
        );
        let joao = signer(PF_KEY, PF_CERT)?;
        let server = signer(PJ_KEY, PJ_CERT)?;
        let trust = TrustStore::from_pem(ROOT_PEM)?;
        let graphism = sample_graphism()?;
        let evidence = ElectronicEvidence {
            time: t2,
            ip_address: "203.0.113.7".into(),
            user_agent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0".into(),
            email: "maria.conceicao@example.com".into(),
            graphism_png: graphism.clone(),
        };
        let document = Document {
            name: "contrato.pdf".into(),
            media_type: "application/pdf".into(),
            data: SAMPLE_PDF,
        };
        let flow = Self {
            now,
            t1,
            t2,
            t3,
            joao,
            server,
            graphism,
            evidence,
            document,
        };
        Ok((flow, trust))
    }

    /// Builds a package of `signature` at `time`, sealed by the server.
    fn build(
        &self,
        format: SignatureFormat,
        signature: &[u8],
        container: Container,
        time: SystemTime,
    ) -> Result<super::BuiltPackage> {
        build(
            &self.document,
            format,
            signature,
            &plan(Some(self.evidence.clone())),
            &BuildOptions {
                container,
                time,
                seal: Some(&self.server),
                ..BuildOptions::default()
            },
        )
    }
}

/// Where the demo writes, what it narrates, and what it found.
struct Demo<'a> {
    dir: &'a Path,
    log: &'a mut dyn Write,
    files: Vec<PathBuf>,
    checks: Vec<(String, bool)>,
    verify_options: VerifyPackageOptions,
}

fn log_error(e: std::io::Error) -> Error {
    Error::io("writing the demo log", e)
}

impl Demo<'_> {
    /// One line of narration.
    fn say(&mut self, line: &str) -> Result<()> {
        writeln!(self.log, "{line}").map_err(log_error)
    }

    /// Writes `name` into the directory and lists it.
    fn write(&mut self, name: &str, data: &[u8]) -> Result<()> {
        let p = self.dir.join(name);
        std::fs::write(&p, data).map_err(|e| Error::io(format!("writing {}", p.display()), e))?;
        self.files.push(p);
        Ok(())
    }

    /// Verifies package `name` (`bytes`), prints the report, and records whether it has the
    /// `expected` status with `signed` participants signed.
    fn check(
        &mut self,
        name: &str,
        bytes: &[u8],
        expected: PackageStatus,
        signed: usize,
    ) -> Result<()> {
        let mut report = verify(bytes, &self.verify_options)?;
        report.file = Some(name.into());
        write!(self.log, "\n{report}").map_err(log_error)?;
        let ok = report.status == expected && report.signed == signed;
        self.checks
            .push((format!("{name}: {}", report.verdict()), ok));
        Ok(())
    }

    /// Builds the fully signed package of `signature` as `STEM.zip` and `STEM.json`, writes
    /// and checks both; returns the zip.
    fn build_both(
        &mut self,
        flow: &Flow,
        format: SignatureFormat,
        signature: &[u8],
        stem: &str,
    ) -> Result<Vec<u8>> {
        let mut zip = Vec::new();
        for container in [Container::Zip, Container::Json] {
            let built = flow.build(format, signature, container, flow.now)?;
            let name = match container {
                Container::Zip => format!("{stem}.zip"),
                Container::Json => format!("{stem}.json"),
            };
            self.write(&name, &built.bytes)?;
            self.check(&name, &built.bytes, PackageStatus::FullySigned, 3)?;
            if container == Container::Zip {
                zip = built.bytes;
            }
        }
        Ok(zip)
    }

    fn introduce(&mut self, flow: &Flow) -> Result<()> {
        self.say(&format!(
            "sigform demo: a document, three participants, two formats, in {}",
            self.dir.display()
        ))?;
        self.say(
            "  demo PKI: the committed test PKI (public keys AND private keys: demonstration only)",
        )?;
        self.say("  step 1  digital     João da Silva (CPF 529.982.247-25), A1 software key")?;
        self.say(
            "  step 2  electronic  Maria da Conceição: graphism + evidence, sealed by the server",
        )?;
        self.say("  step 3  server      EMPRESA EXEMPLO LTDA (CNPJ 11.222.333/0001-81)")?;
        self.write("root.pem", ROOT_PEM)?;
        self.write("contrato.pdf", SAMPLE_PDF)?;
        self.write("graphism-maria.png", &flow.graphism)
    }

    /// CAdES: an attached .p7s by João, packaged partly signed after Maria's step, then
    /// co-signed by the server; returns the fully signed zip.
    fn cades(&mut self, flow: &Flow) -> Result<Vec<u8>> {
        self.say("\nCAdES")?;
        let cades_at = |t| CadesOptions {
            attached: true,
            signing_time: SigningTime::At(t),
            ..CadesOptions::default()
        };
        let p7s_1 = cades::sign(SAMPLE_PDF, &flow.joao, &cades_at(flow.t1))?;
        self.say("  step 1: João signs (CAdES attached)")?;
        self.say("  step 2: Maria signs electronically")?;
        let partial = flow.build(
            SignatureFormat::CadesAttached,
            &p7s_1,
            Container::Zip,
            flow.t2 + Duration::from_secs(5),
        )?;
        self.write("contrato-cades-partial.zip", &partial.bytes)?;
        let p7s_3 = cades::cosign(&p7s_1, None::<&[u8]>, &flow.server, &cades_at(flow.t3))?;
        self.say("  step 3: the server co-signs")?;
        let cades_zip = self.build_both(
            flow,
            SignatureFormat::CadesAttached,
            &p7s_3,
            "contrato-cades",
        )?;
        self.check(
            "contrato-cades-partial.zip",
            &partial.bytes,
            PackageStatus::PartlySigned,
            2,
        )?;
        Ok(cades_zip)
    }

    /// PAdES: João, then the server stamping Maria's graphism, then the server.
    fn pades(&mut self, flow: &Flow) -> Result<()> {
        self.say("\nPAdES")?;
        let pdf_1 = pades(
            SAMPLE_PDF,
            &flow.joao,
            &PadesOptions {
                field_name: Some("Step1-Joao".into()),
                name: Some("João da Silva".into()),
                visible: Some(Visible {
                    page: 1,
                    rect: [40.0, 70.0, 290.0, 130.0],
                    image_png: None,
                    lines: None,
                }),
                reason: Some("Contratante".into()),
                signing_time: Some(flow.t1),
                ..PadesOptions::default()
            },
        )?;
        let when = crate::time::format_rfc3339(flow.t2)
            .replace('T', " ")
            .replace('Z', " UTC");
        let pdf_2 = pades(
            &pdf_1,
            &flow.server,
            &PadesOptions {
                field_name: Some("Step2-Maria".into()),
                visible: Some(Visible {
                    page: 1,
                    rect: [305.0, 70.0, 555.0, 130.0],
                    image_png: Some(flow.graphism.clone()),
                    lines: Some(vec![
                        "Assinado eletronicamente por".into(),
                        "Maria da Conceição".into(),
                        format!("em {when}"),
                        "IP 203.0.113.7".into(),
                    ]),
                }),
                reason: Some("Assinatura eletrônica de Maria da Conceição".into()),
                signing_time: Some(flow.t2),
                ..PadesOptions::default()
            },
        )?;
        let pdf_3 = pades(
            &pdf_2,
            &flow.server,
            &PadesOptions {
                field_name: Some("Step3-Server".into()),
                reason: Some("Assinatura do servidor".into()),
                signing_time: Some(flow.t3),
                ..PadesOptions::default()
            },
        )?;
        self.say("  steps 1-3 signed into contrato-signed.pdf (3 incremental signatures)")?;
        self.write("contrato-signed.pdf", &pdf_3)?;
        self.build_both(flow, SignatureFormat::Pades, &pdf_3, "contrato-pades")?;
        Ok(())
    }

    /// A copy of `cades_zip` with an edited manifest must be refused.
    fn tampered(&mut self, cades_zip: &[u8]) -> Result<()> {
        let tampered = tamper_manifest(cades_zip);
        let refused = match tampered.as_deref().map(|t| verify(t, &self.verify_options)) {
            Some(Err(e)) => {
                self.say(&format!(
                    "\nA copy of contrato-cades.zip with an edited manifest: refused: {e}"
                ))?;
                true
            }
            _ => false,
        };
        self.checks
            .push(("edited manifest refused".into(), refused));
        Ok(())
    }

    fn conclude(&mut self) -> Result<()> {
        self.say(&format!("\nFiles in {}:", self.dir.display()))?;
        for f in &self.files {
            writeln!(self.log, "  {}", f.display()).map_err(log_error)?;
        }
        self.say(&format!(
            "Verify by hand: sigform package verify {} --trust {}",
            self.dir.join("contrato-cades.zip").display(),
            self.dir.join("root.pem").display()
        ))?;
        self.say(
            "(the partial package exits 1 unless --allow-partial: PARTLY SIGNED is not yet valid)",
        )
    }
}

/// Runs the demo into `dir` (created if needed), narrating to `log`.
pub fn run(dir: &Path, log: &mut dyn Write) -> Result<DemoOutcome> {
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
    let (flow, trust) = Flow::new()?;
    let mut demo = Demo {
        dir,
        log,
        files: Vec::new(),
        checks: Vec::new(),
        verify_options: VerifyPackageOptions {
            verify: VerifyOptions {
                trust: Some(trust),
                ..VerifyOptions::default()
            },
            ..VerifyPackageOptions::default()
        },
    };
    demo.introduce(&flow)?;
    let cades_zip = demo.cades(&flow)?;
    demo.pades(&flow)?;
    demo.tampered(&cades_zip)?;
    demo.conclude()?;
    Ok(DemoOutcome {
        files: demo.files,
        checks: demo.checks,
    })
}

/// The zip with one character of the electronic signer's IP address changed in manifest.json.
fn tamper_manifest(zip: &[u8]) -> Option<Vec<u8>> {
    let pkg = super::read(zip, &super::Limits::default()).ok()?;
    let entries: Vec<super::Entry> = pkg
        .entries
        .into_iter()
        .map(|mut e| {
            if e.name == super::MANIFEST_JSON {
                let s = String::from_utf8_lossy(&e.data).replace("203.0.113.7", "203.0.113.8");
                e.data = s.into_bytes();
            }
            e
        })
        .collect();
    super::write_zip(&entries, SystemTime::UNIX_EPOCH).ok()
}
