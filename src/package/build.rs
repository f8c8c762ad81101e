//! Building a package from the original, the signature and the plan.

use super::container::{
    Container, Entry, guess_media_type, validate_entry_name, write_json, write_zip,
};
use super::manifest::{
    CertificateInfo, DocumentInfo, EntryInfo, Evidence, GraphismInfo, MANIFEST_SCHEMA, Manifest,
    Participant, ParticipantKind, ParticipantStatus, SealInfo, SignatureFormat, SignatureInfo,
};
use super::{Limits, MANIFEST_JSON, MANIFEST_PDF, PackageError, SEAL, sha256_hex};
use crate::VerifyOptions;
use crate::asn1::tlv;
use crate::cades::{self, CadesOptions, SigningTime};
use crate::error::{Error, Result};
use crate::report::{SignatureReport, SignerReport, ValidationReport};
use crate::signer::Signer;
use std::io::Cursor;
use std::time::SystemTime;

/// The document that was signed.
#[derive(Clone, Debug)]
pub struct Document<'a> {
    /// File name (becomes the entry name of the original; must pass
    /// [`super::validate_entry_name`]).
    pub name: String,
    /// Media type; guessed from the name when empty.
    pub media_type: String,
    /// The original bytes (for PAdES: before any signature).
    pub data: &'a [u8],
}

/// What was captured when an electronic signer signed.
#[derive(Clone, Debug)]
pub struct ElectronicEvidence {
    /// When.
    pub time: SystemTime,
    /// From which IP address.
    pub ip_address: String,
    /// With which browser.
    pub user_agent: String,
    /// The e-mail the signing link was sent to.
    pub email: String,
    /// The handwritten graphism (PNG).
    pub graphism_png: Vec<u8>,
}

/// One participant of the plan (the portal's `signers`, `electronicSigners`, `serverSigners`).
#[derive(Clone, Debug)]
pub struct PlannedParticipant {
    /// Step, from 1.
    pub step: u32,
    /// How they sign.
    pub kind: ParticipantKind,
    /// Name.
    pub name: String,
    /// CPF (11 digits): a digital signature is theirs when the certificate carries it.
    pub cpf: Option<String>,
    /// CNPJ (14 digits): same, for company and server certificates.
    pub cnpj: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// A certificate pinned by its SHA-256 (hex): matched instead of CPF/CNPJ.
    pub certificate_sha256: Option<String>,
    /// For an electronic signer who has signed: the evidence.
    pub evidence: Option<ElectronicEvidence>,
}

impl PlannedParticipant {
    /// A participant with nothing but step, kind and name set.
    pub fn new(step: u32, kind: ParticipantKind, name: impl Into<String>) -> Self {
        Self {
            step,
            kind,
            name: name.into(),
            cpf: None,
            cnpj: None,
            email: None,
            certificate_sha256: None,
            evidence: None,
        }
    }
}

/// The portal's download options, plus the time and the server seal.
#[derive(Clone, Copy)]
pub struct BuildOptions<'a> {
    /// Put the original in the package (IncludeOriginal). A detached CAdES package always needs it.
    pub include_original: bool,
    /// Put `manifest.pdf` in the package (IncludeManifest).
    pub include_manifest_pdf: bool,
    /// Zip or JSON (Zipped).
    pub container: Container,
    /// The package time: `created`, zip timestamps, seal signing time. Same input and time give
    /// the same bytes.
    pub time: SystemTime,
    /// The server signer that seals `manifest.json` and signs `manifest.pdf`.
    pub seal: Option<&'a dyn Signer>,
    /// A timestamp authority: the seal, the signature of `manifest.pdf` and every CAdES
    /// SignerInfo of the signature entry without one get a signature-time-stamp (B-T; for
    /// ICP-Brasil AD-RB signatures, AD-RT). The package bytes then depend on the TSA's answers.
    pub timestamp_authority: Option<&'a crate::cades::SharedTsa>,
}

impl std::fmt::Debug for BuildOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BuildOptions")
            .field("include_original", &self.include_original)
            .field("include_manifest_pdf", &self.include_manifest_pdf)
            .field("container", &self.container)
            .field("time", &self.time)
            .field(
                "seal",
                &self.seal.map(|s| s.identity().certificate().subject()),
            )
            .field("timestamp_authority", &self.timestamp_authority.is_some())
            .finish()
    }
}

impl Default for BuildOptions<'_> {
    fn default() -> Self {
        Self {
            include_original: true,
            include_manifest_pdf: true,
            container: Container::Zip,
            time: SystemTime::now(),
            seal: None,
            timestamp_authority: None,
        }
    }
}

/// A built package.
#[derive(Clone, Debug)]
pub struct BuiltPackage {
    /// The zip or JSON bytes.
    pub bytes: Vec<u8>,
    /// The manifest it holds.
    pub manifest: Manifest,
    /// Its entries, in order.
    pub entries: Vec<Entry>,
}

/// Checks that must pass for a signature to be packaged: everything but trust.
pub(crate) const TRUST_CHECKS: [&str; 3] = ["trust", "certificate-chain", "revocation"];

/// The first failed check that is not about trust.
pub(crate) fn integrity_failure(s: &SignatureReport) -> Option<String> {
    s.checks
        .iter()
        .find(|c| !c.passed && !TRUST_CHECKS.contains(&c.name.as_str()))
        .map(|c| {
            format!(
                "{}: {} failed: {}",
                s.id,
                c.name,
                c.detail.clone().unwrap_or_default()
            )
        })
        .or_else(|| s.counter_signatures.iter().find_map(integrity_failure))
}

/// Verifies the signature entry against the document (no trust decision: `options` decides).
/// Errors are [`PackageError::SignatureMismatch`] when the signature is not over the document.
pub(crate) fn verify_signature_entry(
    format: SignatureFormat,
    signature: &[u8],
    document: Option<&[u8]>,
    document_sha256: &str,
    document_size: u64,
    options: &VerifyOptions,
) -> std::result::Result<ValidationReport, PackageError> {
    let mismatch = |m: String| PackageError::SignatureMismatch(m);
    let report = match format {
        SignatureFormat::CadesAttached | SignatureFormat::CadesDetached => {
            let der = tlv::normalize(signature).map_err(|e| mismatch(e.to_string()))?;
            let sd = cades::parse::parse_signed_data(&der).map_err(|e| mismatch(e.to_string()))?;
            match (format, sd.econtent) {
                (SignatureFormat::CadesAttached, Some(c)) => {
                    if sha256_hex(c) != document_sha256 {
                        return Err(mismatch(
                            "the content attached to the .p7s is not the document".into(),
                        ));
                    }
                }
                (SignatureFormat::CadesAttached, None) => {
                    return Err(mismatch(
                        "the .p7s is detached, the manifest says attached".into(),
                    ));
                }
                (_, Some(_)) => {
                    return Err(mismatch(
                        "the .p7s is attached, the manifest says detached".into(),
                    ));
                }
                (_, None) => {}
            }
            let mut content = match format {
                SignatureFormat::CadesDetached => Some(document.ok_or_else(|| {
                    mismatch("a detached signature needs the original document".into())
                })?),
                _ => None,
            };
            cades::verify(
                signature,
                content.as_mut().map(|c| c as &mut dyn std::io::Read),
                options,
            )
            .map_err(|e| mismatch(e.to_string()))?
        }
        SignatureFormat::Pades => {
            let prefix = usize::try_from(document_size)
                .ok()
                .and_then(|n| signature.get(..n))
                .ok_or_else(|| mismatch("the signed PDF is shorter than the original".into()))?;
            if sha256_hex(prefix) != document_sha256 {
                return Err(mismatch(
                    "the signed PDF does not begin with the original".into(),
                ));
            }
            crate::pades::verify_pdf(Cursor::new(signature), options)
                .map_err(|e| mismatch(e.to_string()))?
        }
    };
    if report.signatures.is_empty() {
        return Err(mismatch("the signature entry holds no signature".into()));
    }
    if let Some(f) = report.signatures.iter().find_map(integrity_failure) {
        return Err(mismatch(f));
    }
    Ok(report)
}

fn signer_matches(p: &PlannedParticipant, s: &SignerReport) -> bool {
    if let Some(fp) = &p.certificate_sha256 {
        return fp.eq_ignore_ascii_case(&s.fingerprint_sha256);
    }
    match p.kind {
        ParticipantKind::Digital | ParticipantKind::Server => {
            p.cpf.is_some() && p.cpf == s.cpf || p.cnpj.is_some() && p.cnpj == s.cnpj
        }
        ParticipantKind::Electronic => false,
    }
}

fn entry_info(e: &Entry) -> EntryInfo {
    EntryInfo {
        name: e.name.clone(),
        media_type: e.media_type.clone(),
        size: e.data.len() as u64,
        sha256: sha256_hex(&e.data),
    }
}

/// The entry name of the signature: `NAME.p7s` for CAdES, `STEM-signed.pdf` for PAdES.
fn signature_entry_name(document: &str, format: SignatureFormat) -> String {
    match format {
        SignatureFormat::Pades => match document.rsplit_once('.') {
            Some((stem, ext)) if !stem.is_empty() => format!("{stem}-signed.{ext}"),
            _ => format!("{document}-signed.pdf"),
        },
        _ => format!("{document}.p7s"),
    }
}

/// Builds a package. The signature is verified against the document first (integrity only;
/// trust is for [`super::verify`]); each signature is given to the participant of the lowest
/// step it matches (pinned certificate, CPF or CNPJ; in PAdES, a signature by the seal
/// certificate can carry an electronic signer's graphism), in the signature's order.
pub fn build(
    document: &Document<'_>,
    format: SignatureFormat,
    signature: &[u8],
    plan: &[PlannedParticipant],
    options: &BuildOptions<'_>,
) -> Result<BuiltPackage> {
    let (doc_name, sig_name) = check_request(document, format, plan, options)?;
    let media_type = if document.media_type.is_empty() {
        guess_media_type(&doc_name).to_string()
    } else {
        document.media_type.clone()
    };
    let doc_sha = sha256_hex(document.data);
    let timestamped;
    let signature = match (options.timestamp_authority, format) {
        (Some(tsa), SignatureFormat::CadesAttached | SignatureFormat::CadesDetached) => {
            timestamped = cades::levels::add_signature_timestamp(signature, None, &*tsa.0)?;
            timestamped.as_slice()
        }
        _ => signature,
    };
    let report = verify_signature_entry(
        format,
        signature,
        Some(document.data),
        &doc_sha,
        document.data.len() as u64,
        &VerifyOptions::default(),
    )?;

    let seal_report = options
        .seal
        .map(|s| crate::x509::signer_report(s.identity().certificate()));
    let assigned = assign_signatures(plan, &report, format, seal_report.as_ref())?;

    let created = crate::time::format_rfc3339(options.time);
    let mut entries: Vec<Entry> = Vec::new();
    if options.include_original {
        entries.push(Entry::new(
            doc_name.clone(),
            media_type.clone(),
            document.data.to_vec(),
        ));
    }
    entries.push(Entry::new(sig_name.clone(), "", signature.to_vec()));

    let mut participants = Vec::with_capacity(plan.len());
    let mut graphisms: Vec<Graphism> = Vec::new();
    for (i, (p, sig)) in plan.iter().zip(&assigned).enumerate() {
        let (participant, graphism) = manifest_participant(i, p, *sig, &created)?;
        participants.push(participant);
        graphisms.extend(graphism);
    }
    for (name, png) in &graphisms {
        entries.push(Entry::new(name.clone(), "image/png", png.clone()));
    }

    let mut manifest = Manifest {
        schema: MANIFEST_SCHEMA.into(),
        created,
        generator: generator(),
        document: DocumentInfo {
            name: document.name.clone(),
            media_type,
            size: document.data.len() as u64,
            sha256: doc_sha,
            entry: options.include_original.then(|| doc_name.clone()),
        },
        signature: SignatureInfo {
            format,
            entry: sig_name,
        },
        participants,
        seal: seal_report.as_ref().map(|r| SealInfo {
            entry: SEAL.into(),
            certificate: CertificateInfo::from(r),
        }),
        entries: entries.iter().map(entry_info).collect(),
    };

    if options.include_manifest_pdf {
        let e = manifest_pdf_entry(&manifest, &graphisms, options)?;
        manifest.entries.push(entry_info(&e));
        entries.push(e);
    }
    manifest.validate(&Limits::default())?;
    let json = manifest.to_json();
    let seal = match options.seal {
        Some(seal) => Some(seal_manifest(&json, seal, options)?),
        None => None,
    };
    entries.push(Entry::new(MANIFEST_JSON, "application/json", json));
    if let Some(p7s) = seal {
        entries.push(Entry::new(SEAL, "application/pkcs7-signature", p7s));
    }
    let bytes = match options.container {
        Container::Zip => write_zip(&entries, options.time)?,
        Container::Json => write_json(&entries)?,
    };
    Ok(BuiltPackage {
        bytes,
        manifest,
        entries,
    })
}

/// An electronic signer's graphism entry: (name, PNG).
type Graphism = (String, Vec<u8>);

fn invalid(m: String) -> Error {
    Error::InvalidArgument(m)
}

/// The document and signature entry names (checked, not reserved), a plan with
/// participants, and the original included when a detached signature needs it.
fn check_request(
    document: &Document<'_>,
    format: SignatureFormat,
    plan: &[PlannedParticipant],
    options: &BuildOptions<'_>,
) -> Result<(String, String)> {
    let doc_name = validate_entry_name(document.name.as_bytes())?.to_string();
    let sig_name = signature_entry_name(&doc_name, format);
    validate_entry_name(sig_name.as_bytes())?;
    for reserved in [MANIFEST_JSON, MANIFEST_PDF, SEAL] {
        if doc_name.eq_ignore_ascii_case(reserved) || sig_name.eq_ignore_ascii_case(reserved) {
            return Err(invalid(format!(
                "the document may not be named {reserved:?}"
            )));
        }
    }
    if doc_name.to_lowercase().starts_with("evidence/") {
        return Err(invalid(
            "document names under evidence/ are reserved".into(),
        ));
    }
    if plan.is_empty() {
        return Err(invalid("the plan has no participants".into()));
    }
    if format == SignatureFormat::CadesDetached && !options.include_original {
        return Err(invalid(
            "a detached CAdES package must include the original (it is what the .p7s signs)".into(),
        ));
    }
    Ok((doc_name, sig_name))
}

/// Gives each signature, in order, to the free participant of the lowest step it matches;
/// every signature must find one.
fn assign_signatures<'r>(
    plan: &[PlannedParticipant],
    report: &'r ValidationReport,
    format: SignatureFormat,
    seal_report: Option<&SignerReport>,
) -> Result<Vec<Option<&'r SignatureReport>>> {
    let mut assigned: Vec<Option<&SignatureReport>> = vec![None; plan.len()];
    for s in &report.signatures {
        let Some(signer) = &s.signer else {
            return Err(invalid(format!(
                "signature {} has no signer certificate",
                s.id
            )));
        };
        let candidate = plan
            .iter()
            .enumerate()
            .filter(|(i, _)| assigned.get(*i).is_some_and(Option::is_none))
            .filter(|(_, p)| {
                signer_matches(p, signer)
                    || (p.kind == ParticipantKind::Electronic
                        && format == SignatureFormat::Pades
                        && p.evidence.is_some()
                        && seal_report
                            .is_some_and(|r| r.fingerprint_sha256 == signer.fingerprint_sha256))
            })
            .min_by_key(|(i, p)| (p.step, *i))
            .map(|(i, _)| i);
        match candidate {
            Some(i) => {
                if let Some(slot) = assigned.get_mut(i) {
                    *slot = Some(s);
                }
            }
            None => {
                return Err(invalid(format!(
                    "signature {} by {} matches no participant of the plan",
                    s.id, signer.subject
                )));
            }
        }
    }
    Ok(assigned)
}

/// The manifest's record of planned participant `p` (the `i`-th) and its signature `sig`,
/// and for an electronic signer who signed, the graphism entry (name, PNG).
fn manifest_participant(
    i: usize,
    p: &PlannedParticipant,
    sig: Option<&SignatureReport>,
    created: &str,
) -> Result<(Participant, Option<Graphism>)> {
    if p.step == 0 {
        return Err(invalid(format!(
            "participant {}: steps count from 1",
            p.name
        )));
    }
    let mut out = Participant {
        step: p.step,
        kind: p.kind,
        name: p.name.clone(),
        cpf: p.cpf.clone(),
        cnpj: p.cnpj.clone(),
        email: p.email.clone(),
        status: ParticipantStatus::Pending,
        signed_at: None,
        signature: None,
        certificate: None,
        evidence: None,
    };
    if let Some(s) = sig {
        out.status = ParticipantStatus::Signed;
        out.signature = Some(s.id.clone());
        out.certificate = s.signer.as_ref().map(CertificateInfo::from);
        out.signed_at = Some(
            s.claimed_signing_time
                .clone()
                .unwrap_or_else(|| created.to_string()),
        );
    }
    let mut graphism = None;
    if p.kind == ParticipantKind::Electronic {
        if let Some(ev) = &p.evidence {
            let (width, height) = super::manifest_pdf::graphism_dimensions(&ev.graphism_png)?;
            let entry = format!("evidence/step{}-participant{}-graphism.png", p.step, i + 1);
            let time = crate::time::format_rfc3339(ev.time);
            out.status = ParticipantStatus::Signed;
            out.signed_at = Some(time.clone());
            out.evidence = Some(Evidence {
                time,
                ip_address: ev.ip_address.clone(),
                user_agent: ev.user_agent.clone(),
                email: ev.email.clone(),
                graphism: GraphismInfo {
                    entry: entry.clone(),
                    sha256: sha256_hex(&ev.graphism_png),
                    width,
                    height,
                },
            });
            graphism = Some((entry, ev.graphism_png.clone()));
        }
    } else if p.evidence.is_some() {
        return Err(invalid(format!(
            "participant {}: evidence is for electronic signers",
            p.name
        )));
    }
    Ok((out, graphism))
}

/// `manifest.pdf` for `manifest`, signed by the seal signer when there is one.
fn manifest_pdf_entry(
    manifest: &Manifest,
    graphisms: &[Graphism],
    options: &BuildOptions<'_>,
) -> Result<Entry> {
    let pngs: Vec<(&str, &[u8])> = graphisms
        .iter()
        .map(|(n, d)| (n.as_str(), d.as_slice()))
        .collect();
    let mut pdf = super::manifest_pdf(manifest, &pngs)?;
    if let Some(seal) = options.seal {
        pdf = seal_pdf(&pdf, seal, options)?;
    }
    Ok(Entry::new(MANIFEST_PDF, "application/pdf", pdf))
}

/// The seal: a detached CAdES signature over the manifest bytes.
fn seal_manifest(json: &[u8], seal: &dyn Signer, options: &BuildOptions<'_>) -> Result<Vec<u8>> {
    cades::sign(
        json,
        seal,
        &CadesOptions {
            attached: false,
            signing_time: SigningTime::At(options.time),
            timestamp_authority: options.timestamp_authority.cloned(),
            ..CadesOptions::default()
        },
    )
}

/// `sigform VERSION`.
pub(crate) fn generator() -> String {
    format!("sigform {}", env!("CARGO_PKG_VERSION"))
}

/// PAdES-signs the manifest PDF with the seal signer.
fn seal_pdf(pdf: &[u8], seal: &dyn Signer, build: &BuildOptions<'_>) -> Result<Vec<u8>> {
    let mut out = Cursor::new(Vec::new());
    let options = crate::pades::sign::PadesOptions {
        field_name: Some("Seal".into()),
        reason: Some("Signature package manifest seal".into()),
        signing_time: Some(build.time),
        timestamp_authority: build.timestamp_authority.cloned(),
        ..Default::default()
    };
    crate::pades::sign::sign(Cursor::new(pdf), &mut out, seal, &options)?;
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    #[test]
    fn signature_names() {
        use super::{SignatureFormat, signature_entry_name};
        assert_eq!(
            signature_entry_name("a.pdf", SignatureFormat::Pades),
            "a-signed.pdf"
        );
        assert_eq!(
            signature_entry_name("a.pdf", SignatureFormat::CadesAttached),
            "a.pdf.p7s"
        );
    }
}
