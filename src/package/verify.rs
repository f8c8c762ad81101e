//! Verifying a package: the container (hostile input), the entries against the manifest, the
//! seal, the signatures against the document, the signers against the participants and their
//! steps; the verdict is fully signed, partly signed (k of n) or failed, with the reasons.

use super::build::{generator, integrity_failure, verify_signature_entry};
use super::container::{Container, Package, read};
use super::manifest::{
    DocumentInfo, Manifest, Participant, ParticipantKind, ParticipantStatus, SealInfo,
    SignatureFormat,
};
use super::{Limits, MANIFEST_JSON, MANIFEST_PDF, PackageError, SEAL, sha256_hex};
use crate::VerifyOptions;
use crate::cades;
use crate::report::{SignatureReport, ValidationReport};
use serde::{Deserialize, Serialize};

/// How to verify a package.
#[derive(Clone, Debug, Default)]
pub struct VerifyPackageOptions {
    /// Trust anchors, validation time, revocation data: as for a `.p7s`. Without trust anchors
    /// no package is fully signed.
    pub verify: VerifyOptions,
    /// Bounds on the package.
    pub limits: Limits,
}

/// The verdict on a package.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PackageStatus {
    /// Every participant signed and every check passed.
    FullySigned,
    /// Every check passed, but some participants have not signed yet.
    PartlySigned,
    /// Some check failed (see `failures`).
    Failed,
}

/// What was found about one participant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParticipantCheck {
    /// Step.
    pub step: u32,
    /// Kind.
    pub kind: ParticipantKind,
    /// Name.
    pub name: String,
    /// CPF.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpf: Option<String>,
    /// CNPJ.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cnpj: Option<String>,
    /// What the manifest says.
    pub status: ParticipantStatus,
    /// When they signed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signed_at: Option<String>,
    /// Their signature (id in `signatures`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    /// The certificate subject of that signature.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signer: Option<String>,
    /// True when signed and everything about it checked out.
    pub verified: bool,
    /// What is wrong.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
}

/// The report on a package.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageReport {
    /// The package file, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Zip or JSON.
    pub container: Container,
    /// The verdict.
    pub status: PackageStatus,
    /// Participants that signed and were verified.
    pub signed: usize,
    /// Participants in all.
    pub total: usize,
    /// The document.
    pub document: DocumentInfo,
    /// The signature format.
    pub format: SignatureFormat,
    /// Number of entries checked against the manifest (besides the manifest and the seal).
    pub entries_checked: usize,
    /// Whether the package is sealed (and the seal's verdict, when it is).
    pub sealed: bool,
    /// The participants.
    pub participants: Vec<ParticipantCheck>,
    /// The signatures of the signature entry.
    pub signatures: ValidationReport,
    /// The seal over `manifest.json`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seal: Option<ValidationReport>,
    /// The signature of `manifest.pdf`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manifest_pdf: Option<ValidationReport>,
    /// Why the package failed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failures: Vec<String>,
    /// Remarks that do not fail it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

impl PackageReport {
    /// JSON, pretty-printed.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }

    /// `FULLY SIGNED (3 of 3)`, `PARTLY SIGNED (2 of 3)` or `FAILED`.
    pub fn verdict(&self) -> String {
        match self.status {
            PackageStatus::FullySigned => {
                format!("FULLY SIGNED ({} of {})", self.signed, self.total)
            }
            PackageStatus::PartlySigned => {
                format!("PARTLY SIGNED ({} of {})", self.signed, self.total)
            }
            PackageStatus::Failed => "FAILED".into(),
        }
    }
}

fn verdict_of(r: &SignatureReport) -> String {
    match r.sub_indication {
        None => r.indication.to_string(),
        Some(s) => format!("{} ({s})", r.indication),
    }
}

/// The verdict and, when known, the level (`TOTAL_PASSED, B-T`).
fn verdict_and_level(r: &SignatureReport) -> String {
    match r.level {
        Some(l) => format!("{}, {l}", verdict_of(r)),
        None => verdict_of(r),
    }
}

fn first_problem(r: &SignatureReport) -> String {
    r.checks
        .iter()
        .find(|c| !c.passed)
        .map(|c| format!("{}: {}", c.name, c.detail.clone().unwrap_or_default()))
        .unwrap_or_else(|| verdict_of(r))
}

impl std::fmt::Display for PackageReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let container = match self.container {
            Container::Zip => "zip",
            Container::Json => "JSON",
        };
        match &self.file {
            Some(n) => writeln!(f, "Package {n} ({container}): {}", self.verdict())?,
            None => writeln!(f, "Package ({container}): {}", self.verdict())?,
        }
        let d = &self.document;
        writeln!(
            f,
            "  document:   {} ({}, {} bytes)",
            d.name, d.media_type, d.size
        )?;
        writeln!(f, "  sha256:     {}", d.sha256)?;
        writeln!(f, "  format:     {}", self.format)?;
        writeln!(
            f,
            "  entries:    {} checked against the manifest (sizes and SHA-256)",
            self.entries_checked
        )?;
        match &self.seal {
            Some(s) => {
                let by = s.signatures.first().map(subject_of).unwrap_or_default();
                let v = s
                    .signatures
                    .first()
                    .map(verdict_and_level)
                    .unwrap_or_default();
                writeln!(f, "  seal:       {v}, by {by}")?;
            }
            None => writeln!(f, "  seal:       none (the manifest is not sealed)")?,
        }
        if let Some(m) = &self.manifest_pdf {
            match m.signatures.first() {
                Some(s) => writeln!(f, "  manifest.pdf: signed, {}", verdict_and_level(s))?,
                None => writeln!(f, "  manifest.pdf: not signed")?,
            }
        }
        let levels: Vec<String> = self
            .signatures
            .signatures
            .iter()
            .filter_map(|s| s.level.map(|l| format!("{} {l}", s.id)))
            .collect();
        if !levels.is_empty() {
            writeln!(f, "  levels:     {}", levels.join(", "))?;
        }
        writeln!(f, "  participants:")?;
        for p in &self.participants {
            let mark = match (p.status, p.verified) {
                (ParticipantStatus::Pending, _) => "[pending]",
                (_, true) => "[ok]     ",
                (_, false) => "[FAIL]   ",
            };
            let id = match (&p.cpf, &p.cnpj) {
                (Some(c), _) => format!(" (CPF {})", super::manifest_pdf::format_cpf(c)),
                (_, Some(c)) => format!(" (CNPJ {})", super::manifest_pdf::format_cnpj(c)),
                _ => String::new(),
            };
            write!(
                f,
                "    {mark} step {} {:<10} {}{id}",
                p.step,
                p.kind.name(),
                p.name
            )?;
            if let Some(t) = &p.signed_at {
                write!(f, ": signed {t}")?;
            }
            if let (Some(s), Some(by)) = (&p.signature, &p.signer) {
                write!(f, ", {s} by {by}")?;
            } else if p.kind == ParticipantKind::Electronic && p.status == ParticipantStatus::Signed
            {
                write!(f, ", evidence sealed")?;
            }
            writeln!(f)?;
            for pr in &p.problems {
                writeln!(f, "              problem: {pr}")?;
            }
        }
        writeln!(f, "  signatures:")?;
        for s in &self.signatures.signatures {
            writeln!(f, "    {}: {} - {}", s.id, verdict_of(s), subject_of(s))?;
            if !s.passed() {
                writeln!(f, "        {}", first_problem(s))?;
            }
        }
        if !self.failures.is_empty() {
            writeln!(f, "  failures:")?;
            for x in &self.failures {
                writeln!(f, "    - {x}")?;
            }
        }
        for w in &self.warnings {
            writeln!(f, "  warning: {w}")?;
        }
        Ok(())
    }
}

/// Reads and verifies a package (zip or JSON).
pub fn verify(data: &[u8], options: &VerifyPackageOptions) -> Result<PackageReport, PackageError> {
    let pkg = read(data, &options.limits)?;
    verify_package(&pkg, options)
}

fn is_integrity_error(r: &SignatureReport) -> bool {
    integrity_failure(r).is_some()
}

/// Verifies a package already read.
pub fn verify_package(
    pkg: &Package,
    options: &VerifyPackageOptions,
) -> Result<PackageReport, PackageError> {
    // 1. The manifest.
    let manifest_bytes = &pkg
        .get(MANIFEST_JSON)
        .ok_or_else(|| PackageError::MissingEntry {
            name: MANIFEST_JSON.into(),
        })?
        .data;
    let manifest = Manifest::from_json(manifest_bytes, &options.limits)?;

    // 2. Entries against the manifest: nothing missing, nothing extra, sizes and hashes.
    check_entries(pkg, &manifest)?;

    let mut failures: Vec<String> = Vec::new();
    let mut warnings: Vec<String> = Vec::new();

    // 3. The seal: over these manifest bytes, by the certificate the manifest names.
    let seal_report = match &manifest.seal {
        None => None,
        Some(info) => Some(check_seal(
            pkg,
            info,
            manifest_bytes,
            options,
            &mut failures,
        )?),
    };
    if manifest.seal.is_none() {
        warnings.push("the manifest is not sealed: its evidence could be edited unseen".into());
    }

    // 4. The signatures, against the document.
    let signatures = verify_signatures(pkg, &manifest, &options.verify)?;

    // 5. Participants and signatures.
    let claimed = claimed_signatures(&manifest);
    let checks = check_participants(
        &manifest,
        &signatures,
        &claimed,
        seal_report.as_ref(),
        &mut failures,
    );

    // 6. manifest.pdf: signed by the seal certificate when sealed; renders this manifest.
    let manifest_pdf = pkg.get(MANIFEST_PDF).map(|e| {
        check_manifest_pdf(
            &manifest,
            pkg,
            &e.data,
            options,
            &mut failures,
            &mut warnings,
        )
    });

    if !signatures.valid {
        for s in &signatures.signatures {
            if !s.passed() && !is_integrity_error(s) && !claimed.contains(&s.id.as_str()) {
                failures.push(format!("{}: {}", s.id, first_problem(s)));
            }
        }
    }
    if options.verify.trust.is_none() {
        failures.push("no trust anchors given: certificates were not evaluated".into());
    }
    failures.dedup();

    let signed = checks.iter().filter(|c| c.verified).count();
    let total = checks.len();
    let status = if !failures.is_empty() {
        PackageStatus::Failed
    } else if signed == total {
        PackageStatus::FullySigned
    } else {
        PackageStatus::PartlySigned
    };
    Ok(PackageReport {
        file: None,
        container: pkg.container,
        status,
        signed,
        total,
        document: manifest.document.clone(),
        format: manifest.signature.format,
        entries_checked: manifest.entries.len(),
        sealed: manifest.seal.is_some(),
        participants: checks,
        signatures,
        seal: seal_report,
        manifest_pdf,
        failures,
        warnings,
    })
}

/// The signature entry, verified against the document the manifest describes.
fn verify_signatures(
    pkg: &Package,
    manifest: &Manifest,
    options: &VerifyOptions,
) -> Result<ValidationReport, PackageError> {
    let d = &manifest.document;
    let doc = d
        .entry
        .as_ref()
        .and_then(|e| pkg.get(e))
        .map(|e| e.data.as_slice());
    let sig_entry =
        pkg.get(&manifest.signature.entry)
            .ok_or_else(|| PackageError::MissingEntry {
                name: manifest.signature.entry.clone(),
            })?;
    let mut signatures = verify_signature_entry(
        manifest.signature.format,
        &sig_entry.data,
        doc,
        &d.sha256,
        d.size,
        options,
    )?;
    signatures.file = Some(manifest.signature.entry.clone());
    Ok(signatures)
}

/// The signature ids the signed participants claim.
fn claimed_signatures(manifest: &Manifest) -> Vec<&str> {
    manifest
        .participants
        .iter()
        .filter(|p| p.status == ParticipantStatus::Signed)
        .filter_map(|p| p.signature.as_deref())
        .collect()
}

/// Each participant checked against the signatures; the failures: signatures no participant
/// claims, the step order, then each participant's problems.
fn check_participants(
    manifest: &Manifest,
    signatures: &ValidationReport,
    claimed: &[&str],
    seal_report: Option<&ValidationReport>,
    failures: &mut Vec<String>,
) -> Vec<ParticipantCheck> {
    let seal_fp = manifest
        .seal
        .as_ref()
        .map(|s| s.certificate.fingerprint_sha256.as_str());
    let checks: Vec<ParticipantCheck> = manifest
        .participants
        .iter()
        .map(|p| check_participant(p, signatures, seal_fp, seal_report))
        .collect();
    for s in &signatures.signatures {
        if !claimed.contains(&s.id.as_str()) {
            failures.push(format!(
                "signature {} by {} belongs to no participant of the manifest",
                s.id,
                subject_of(s)
            ));
        }
    }
    check_step_order(manifest, signatures, failures);
    for c in &checks {
        for pr in &c.problems {
            failures.push(format!("{} (step {}): {pr}", c.name, c.step));
        }
    }
    checks
}

/// The certificate subject of a signature, empty when its certificate was not found.
fn subject_of(s: &SignatureReport) -> String {
    s.signer
        .as_ref()
        .map(|x| x.subject.clone())
        .unwrap_or_default()
}

/// Every entry the manifest lists is there with its size, hash (and, in the JSON form, media
/// type); every entry there is listed (or is the manifest, or the seal it names).
fn check_entries(pkg: &Package, manifest: &Manifest) -> Result<(), PackageError> {
    for e in &manifest.entries {
        let found = pkg.get(&e.name).ok_or_else(|| PackageError::MissingEntry {
            name: e.name.clone(),
        })?;
        if found.data.len() as u64 != e.size {
            return Err(PackageError::ManifestSizeMismatch {
                name: e.name.clone(),
                expected: e.size,
                actual: found.data.len() as u64,
            });
        }
        let actual = sha256_hex(&found.data);
        if actual != e.sha256 {
            return Err(PackageError::HashMismatch {
                name: e.name.clone(),
                expected: e.sha256.clone(),
                actual,
            });
        }
        // The JSON form carries each entry's media type (a zip's is guessed from the name):
        // it must be the one the manifest records, or a reader would serve an entry as
        // something else than what was sealed.
        if pkg.container == Container::Json && found.media_type != e.media_type {
            return Err(PackageError::Manifest(format!(
                "entry {:?} has media type {:?} in the package, the manifest says {:?}",
                e.name, found.media_type, e.media_type
            )));
        }
    }
    for e in &pkg.entries {
        let known = e.name == MANIFEST_JSON
            || (e.name == SEAL && manifest.seal.is_some())
            || manifest.entry(&e.name).is_some();
        if !known {
            return Err(PackageError::ExtraEntry {
                name: e.name.clone(),
            });
        }
    }
    Ok(())
}

/// The seal entry verifies over `manifest_bytes`, holds one signature, by the certificate
/// `info` names; a seal that verifies but does not pass (trust) is a failure, not an error.
fn check_seal(
    pkg: &Package,
    info: &SealInfo,
    manifest_bytes: &[u8],
    options: &VerifyPackageOptions,
    failures: &mut Vec<String>,
) -> Result<ValidationReport, PackageError> {
    let seal = pkg
        .get(SEAL)
        .ok_or_else(|| PackageError::MissingEntry { name: SEAL.into() })?;
    let mut content: &[u8] = manifest_bytes;
    let r = cades::verify(&seal.data, Some(&mut content), &options.verify)
        .map_err(|e| PackageError::SealInvalid(e.to_string()))?;
    let [s] = r.signatures.as_slice() else {
        return Err(PackageError::SealInvalid(format!(
            "{} signatures in the seal, not one",
            r.signatures.len()
        )));
    };
    if let Some(f) = integrity_failure(s) {
        return Err(PackageError::SealInvalid(f));
    }
    if s.signer.as_ref().map(|x| x.fingerprint_sha256.as_str())
        != Some(info.certificate.fingerprint_sha256.as_str())
    {
        return Err(PackageError::SealInvalid(
            "made with another certificate than the manifest names".into(),
        ));
    }
    if !s.passed() {
        failures.push(format!("seal: {}", first_problem(s)));
    }
    Ok(r)
}

/// What the manifest says of one participant, and what is wrong with it: a signed
/// participant's signature must be in the signature entry, by the certificate the manifest
/// records, carrying their CPF or CNPJ (an electronic signer's stamp: by the seal certificate),
/// and pass; an electronic signer's evidence must be sealed by a valid seal.
fn check_participant(
    p: &Participant,
    signatures: &ValidationReport,
    seal_fp: Option<&str>,
    seal_report: Option<&ValidationReport>,
) -> ParticipantCheck {
    let mut c = ParticipantCheck {
        step: p.step,
        kind: p.kind,
        name: p.name.clone(),
        cpf: p.cpf.clone(),
        cnpj: p.cnpj.clone(),
        status: p.status,
        signed_at: p.signed_at.clone(),
        signature: p.signature.clone(),
        signer: None,
        verified: false,
        problems: Vec::new(),
    };
    if p.status != ParticipantStatus::Signed {
        return c;
    }
    if let Some(id) = &p.signature {
        match signatures.signatures.iter().find(|s| &s.id == id) {
            None => c
                .problems
                .push(format!("signature {id} is not in the signature entry")),
            Some(s) => check_signer(p, id, s, seal_fp, &mut c),
        }
    }
    if p.kind == ParticipantKind::Electronic {
        match seal_report {
            None => c
                .problems
                .push("electronic signature evidence is not sealed by a server signature".into()),
            Some(r) if !r.valid => c
                .problems
                .push("electronic signature evidence: the seal is not valid".into()),
            Some(_) => {}
        }
    }
    c.verified = c.problems.is_empty();
    c
}

/// Signature `id` (found as `s`) against participant `p`: its signer, and the problems.
fn check_signer(
    p: &Participant,
    id: &str,
    s: &SignatureReport,
    seal_fp: Option<&str>,
    c: &mut ParticipantCheck,
) {
    let signer = s.signer.clone().unwrap_or_default();
    c.signer = Some(signer.subject.clone());
    let expected_fp = p
        .certificate
        .as_ref()
        .map(|x| x.fingerprint_sha256.as_str())
        .unwrap_or_default();
    if signer.fingerprint_sha256 != expected_fp {
        c.problems.push(format!(
            "{id} was made with another certificate than the manifest records"
        ));
    }
    match p.kind {
        ParticipantKind::Digital | ParticipantKind::Server => {
            if p.cpf.is_some() && p.cpf != signer.cpf {
                c.problems.push(format!(
                    "the certificate of {id} does not carry the participant's CPF"
                ));
            }
            if p.cnpj.is_some() && p.cnpj != signer.cnpj {
                c.problems.push(format!(
                    "the certificate of {id} does not carry the participant's CNPJ"
                ));
            }
        }
        ParticipantKind::Electronic => {
            if seal_fp != Some(signer.fingerprint_sha256.as_str()) {
                c.problems.push(format!(
                    "{id}, stamping an electronic signature, is not by the seal certificate"
                ));
            }
        }
    }
    if !s.passed() {
        c.problems.push(format!("{id}: {}", first_problem(s)));
    }
}

/// Step order: signatures in signing order belong to non-decreasing steps, and nobody
/// signed while an earlier step is pending. Signing order: the revision order of a PDF; for
/// a .p7s, the claimed signing times when every signature has one (SignerInfos are a SET,
/// which other tools may re-sort), else their position.
fn check_step_order(
    manifest: &Manifest,
    signatures: &ValidationReport,
    failures: &mut Vec<String>,
) {
    let mut order: Vec<(usize, &SignatureReport)> =
        signatures.signatures.iter().enumerate().collect();
    let times: Option<Vec<std::time::SystemTime>> = order
        .iter()
        .map(|(_, s)| {
            s.claimed_signing_time
                .as_deref()
                .and_then(crate::time::parse_rfc3339)
        })
        .collect();
    if manifest.signature.format != SignatureFormat::Pades
        && let Some(times) = times
    {
        order.sort_by_key(|(i, _)| (times.get(*i).copied(), *i));
    }
    let mut last_step = 0u32;
    for (_, s) in order {
        if let Some(p) = manifest
            .participants
            .iter()
            .find(|p| p.signature.as_deref() == Some(s.id.as_str()))
        {
            if p.step < last_step {
                failures.push(format!(
                    "{} (step {}) signed after a participant of step {last_step}",
                    p.name, p.step
                ));
            }
            last_step = last_step.max(p.step);
        }
    }
    let first_pending = manifest
        .participants
        .iter()
        .filter(|p| p.status == ParticipantStatus::Pending)
        .map(|p| p.step)
        .min();
    if let Some(pending) = first_pending {
        for p in &manifest.participants {
            if p.status == ParticipantStatus::Signed && p.step > pending {
                failures.push(format!(
                    "{} (step {}) signed while step {pending} is still pending",
                    p.name, p.step
                ));
            }
        }
    }
}

fn check_manifest_pdf(
    manifest: &Manifest,
    pkg: &Package,
    pdf: &[u8],
    options: &VerifyPackageOptions,
    failures: &mut Vec<String>,
    warnings: &mut Vec<String>,
) -> ValidationReport {
    // Rendered from this manifest (the same generator renders the same bytes): the unsigned
    // part must be exactly that.
    if manifest.generator == generator() {
        let mut m = manifest.clone();
        m.entries.retain(|e| e.name != MANIFEST_PDF);
        let graphisms: Vec<(&str, &[u8])> = manifest
            .participants
            .iter()
            .filter_map(|p| p.evidence.as_ref())
            .filter_map(|ev| {
                pkg.get(&ev.graphism.entry)
                    .map(|e| (ev.graphism.entry.as_str(), e.data.as_slice()))
            })
            .collect();
        match super::manifest_pdf(&m, &graphisms) {
            Ok(expected) if pdf.starts_with(&expected) => {}
            Ok(_) => failures.push("manifest.pdf does not show what manifest.json says".into()),
            Err(e) => failures.push(format!("manifest.pdf could not be re-rendered: {e}")),
        }
    } else {
        warnings.push(format!(
            "manifest.pdf was made by {}: its text was not compared with manifest.json",
            manifest.generator
        ));
    }
    let report = match crate::pades::verify_pdf(std::io::Cursor::new(pdf), &options.verify) {
        Ok(r) => r,
        Err(e) => {
            failures.push(format!("manifest.pdf: {e}"));
            return ValidationReport::new("PAdES", Vec::new());
        }
    };
    match (&manifest.seal, report.signatures.as_slice()) {
        (None, []) => warnings.push("manifest.pdf is not signed".into()),
        (None, _) => {}
        (Some(_), []) => failures.push("manifest.pdf is not signed by the seal certificate".into()),
        (Some(seal), [s]) => {
            let fp = s.signer.as_ref().map(|x| x.fingerprint_sha256.as_str());
            if fp != Some(seal.certificate.fingerprint_sha256.as_str()) {
                failures
                    .push("manifest.pdf is signed by another certificate than the seal's".into());
            } else if !s.passed() {
                failures.push(format!("manifest.pdf: {}", first_problem(s)));
            }
        }
        (Some(_), _) => failures.push("manifest.pdf has more than the seal signature".into()),
    }
    report
}
