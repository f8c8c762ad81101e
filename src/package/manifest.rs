//! `manifest.json`: schema `sigform-manifest/1` (documented in `docs/package-schema.md`).

use super::container::validate_entry_name;
use super::{Limits, MANIFEST_JSON, PackageError, SEAL, at_most};
use crate::report::SignerReport;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// The `schema` value of a manifest this version writes and reads.
pub const MANIFEST_SCHEMA: &str = "sigform-manifest/1";

/// Longest free-text field accepted in a manifest (names, user agents, subjects).
const MAX_TEXT: usize = 4096;

/// The machine-readable manifest of a package.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Always [`MANIFEST_SCHEMA`].
    pub schema: String,
    /// When the package was built (RFC 3339 UTC).
    pub created: String,
    /// What built it, e.g. `sigform 0.1.0`.
    pub generator: String,
    /// The signed document.
    pub document: DocumentInfo,
    /// The signature entry and its format.
    pub signature: SignatureInfo,
    /// Everyone who signs or is to sign, in the order of the plan.
    pub participants: Vec<Participant>,
    /// The server seal over this manifest, when the package is sealed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seal: Option<SealInfo>,
    /// Every entry of the package except `manifest.json` itself and the seal, in package order.
    pub entries: Vec<EntryInfo>,
}

/// The document that is signed (the original, before any PAdES update).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentInfo {
    /// File name as uploaded.
    pub name: String,
    /// Media type, e.g. `application/pdf`.
    pub media_type: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256, lower-case hex.
    pub sha256: String,
    /// The entry holding the original, when the package includes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry: Option<String>,
}

/// The signature format of the package.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SignatureFormat {
    /// A `.p7s` holding the document.
    CadesAttached,
    /// A `.p7s` beside the document (the package must include the original).
    CadesDetached,
    /// The PDF signed by incremental updates.
    Pades,
}

impl SignatureFormat {
    /// Name as in the manifest: `cades-attached`, `cades-detached`, `pades`.
    pub fn name(self) -> &'static str {
        match self {
            Self::CadesAttached => "cades-attached",
            Self::CadesDetached => "cades-detached",
            Self::Pades => "pades",
        }
    }
}

impl std::fmt::Display for SignatureFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Where the signature is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignatureInfo {
    /// The format.
    pub format: SignatureFormat,
    /// The entry: the `.p7s` or the signed PDF.
    pub entry: String,
}

/// How a participant signs (the portal's three lists).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ParticipantKind {
    /// With a digital certificate (A1, A3 token, A2 mobile).
    Digital,
    /// With a handwritten graphism and the evidence captured, sealed by the server.
    Electronic,
    /// Automatically, by the server's certificate.
    Server,
}

impl ParticipantKind {
    /// Name as in the manifest.
    pub fn name(self) -> &'static str {
        match self {
            Self::Digital => "digital",
            Self::Electronic => "electronic",
            Self::Server => "server",
        }
    }
}

/// Whether a participant has signed when the package was built.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ParticipantStatus {
    /// Signed.
    Signed,
    /// Not yet.
    Pending,
}

/// One participant of the signing flow.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Participant {
    /// Step (from 1); participants of one step may sign in any order, every step after the
    /// previous ones.
    pub step: u32,
    /// How they sign.
    pub kind: ParticipantKind,
    /// Name, as the sender gave it.
    pub name: String,
    /// CPF (11 digits), for natural persons.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpf: Option<String>,
    /// CNPJ (14 digits), for companies and server certificates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cnpj: Option<String>,
    /// E-mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Signed or pending.
    pub status: ParticipantStatus,
    /// When they signed (RFC 3339): the signature's claimed time, or the evidence time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_at: Option<String>,
    /// Id of their signature in the signature entry (`S1`, `S2`, … in signing order).
    /// Electronic signers have one only in PAdES, where the server stamps their graphism.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    /// The certificate that made that signature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<CertificateInfo>,
    /// For electronic signers: what was captured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Evidence>,
}

/// A certificate, as the manifest records it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificateInfo {
    /// Subject DN (RFC 4514).
    pub subject: String,
    /// Issuer DN.
    pub issuer: String,
    /// Serial number, hex.
    pub serial: String,
    /// Validity start (RFC 3339).
    pub not_before: String,
    /// Validity end (RFC 3339).
    pub not_after: String,
    /// SHA-256 of the certificate, hex.
    pub fingerprint_sha256: String,
    /// ICP-Brasil CPF in the certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpf: Option<String>,
    /// ICP-Brasil CNPJ in the certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cnpj: Option<String>,
}

impl From<&SignerReport> for CertificateInfo {
    fn from(s: &SignerReport) -> Self {
        Self {
            subject: s.subject.clone(),
            issuer: s.issuer.clone(),
            serial: s.serial.clone(),
            not_before: s.not_before.clone(),
            not_after: s.not_after.clone(),
            fingerprint_sha256: s.fingerprint_sha256.clone(),
            cpf: s.cpf.clone(),
            cnpj: s.cnpj.clone(),
        }
    }
}

/// Evidence captured for an electronic signer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    /// When the graphism was captured (RFC 3339).
    pub time: String,
    /// The signer's IP address.
    pub ip_address: String,
    /// The signer's browser.
    pub user_agent: String,
    /// The e-mail the signing link was sent to.
    pub email: String,
    /// The handwritten graphism.
    pub graphism: GraphismInfo,
}

/// The graphism image of an electronic signer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GraphismInfo {
    /// The entry holding the PNG.
    pub entry: String,
    /// SHA-256 of the PNG, hex.
    pub sha256: String,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

/// Who sealed the manifest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SealInfo {
    /// The seal entry ([`SEAL`]).
    pub entry: String,
    /// The server certificate that seals (and PAdES-signs the manifest PDF).
    pub certificate: CertificateInfo,
}

/// One entry of the package.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntryInfo {
    /// Name in the package.
    pub name: String,
    /// Media type.
    pub media_type: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256, lower-case hex.
    pub sha256: String,
}

fn bad(msg: impl Into<String>) -> PackageError {
    PackageError::Manifest(msg.into())
}

fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn check_text(what: &str, s: &str) -> Result<(), PackageError> {
    if s.len() > MAX_TEXT {
        return Err(bad(format!("{what} is longer than {MAX_TEXT} bytes")));
    }
    if s.chars().any(|c| c.is_control()) {
        return Err(bad(format!("{what} contains control characters")));
    }
    Ok(())
}

fn check_digits(what: &str, s: &str, n: usize) -> Result<(), PackageError> {
    if s.len() != n || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad(format!("{what} {s:?} is not {n} digits")));
    }
    Ok(())
}

fn check_time(what: &str, s: &str) -> Result<(), PackageError> {
    check_text(what, s)?;
    crate::time::parse_rfc3339(s)
        .map(|_| ())
        .ok_or_else(|| bad(format!("{what} {s:?} is not an RFC 3339 time")))
}

fn check_certificate(what: &str, c: &CertificateInfo) -> Result<(), PackageError> {
    for (field, v) in [
        ("subject", &c.subject),
        ("issuer", &c.issuer),
        ("serial", &c.serial),
        ("not_before", &c.not_before),
        ("not_after", &c.not_after),
    ] {
        check_text(&format!("{what}.{field}"), v)?;
    }
    if !is_sha256_hex(&c.fingerprint_sha256) {
        return Err(bad(format!("{what}.fingerprint_sha256 is not SHA-256 hex")));
    }
    Ok(())
}

impl Manifest {
    /// Parses and validates `manifest.json`.
    pub fn from_json(data: &[u8], limits: &Limits) -> Result<Self, PackageError> {
        at_most("manifest.json", data.len() as u64, limits.max_manifest_size)?;
        let m: Manifest = serde_json::from_slice(data).map_err(|e| bad(e.to_string()))?;
        m.validate(limits)?;
        Ok(m)
    }

    /// The JSON bytes (pretty, stable field order).
    pub fn to_json(&self) -> Vec<u8> {
        let mut v = serde_json::to_vec_pretty(self).unwrap_or_default();
        v.push(b'\n');
        v
    }

    /// The entry of this name.
    pub fn entry(&self, name: &str) -> Option<&EntryInfo> {
        self.entries.iter().find(|e| e.name == name)
    }

    /// Participants that have signed, and in all.
    pub fn signed_count(&self) -> (usize, usize) {
        let signed = self
            .participants
            .iter()
            .filter(|p| p.status == ParticipantStatus::Signed)
            .count();
        (signed, self.participants.len())
    }

    /// Checks the manifest's internal consistency (not the package against it).
    pub fn validate(&self, limits: &Limits) -> Result<(), PackageError> {
        if self.schema != MANIFEST_SCHEMA {
            return Err(bad(format!(
                "schema {:?} is not {MANIFEST_SCHEMA:?}",
                self.schema
            )));
        }
        check_time("created", &self.created)?;
        check_text("generator", &self.generator)?;
        self.validate_entries(limits)?;
        self.validate_document()?;
        self.validate_signature()?;
        if let Some(s) = &self.seal {
            if s.entry != SEAL {
                return Err(bad(format!("seal.entry must be {SEAL:?}")));
            }
            check_certificate("seal.certificate", &s.certificate)?;
        }
        self.validate_participants(limits)
    }

    /// `what` names an entry of the manifest.
    fn listed(&self, name: &str, what: &str) -> Result<(), PackageError> {
        if self.entry(name).is_none() {
            return Err(bad(format!("{what} {name:?} is not among the entries")));
        }
        Ok(())
    }

    /// The entries: within the count limit, safe names, not the manifest or the seal, no
    /// name twice (case-folded), text media types, SHA-256 hex.
    fn validate_entries(&self, limits: &Limits) -> Result<(), PackageError> {
        at_most(
            "number of manifest entries",
            self.entries.len() as u64,
            limits.max_entries as u64,
        )?;
        let mut names = HashSet::new();
        for e in &self.entries {
            validate_entry_name(e.name.as_bytes())?;
            if [MANIFEST_JSON, SEAL].contains(&e.name.as_str()) {
                return Err(bad(format!("the entries must not list {:?}", e.name)));
            }
            if !names.insert(e.name.to_lowercase()) {
                return Err(bad(format!("entry {:?} is listed twice", e.name)));
            }
            check_text("entry media_type", &e.media_type)?;
            if !is_sha256_hex(&e.sha256) {
                return Err(bad(format!(
                    "entry {:?}: sha256 is not SHA-256 hex",
                    e.name
                )));
            }
        }
        Ok(())
    }

    /// The document: text fields, its hash, and its entry (when included) listed with the
    /// same size and hash.
    fn validate_document(&self) -> Result<(), PackageError> {
        let d = &self.document;
        check_text("document.name", &d.name)?;
        check_text("document.media_type", &d.media_type)?;
        if !is_sha256_hex(&d.sha256) {
            return Err(bad("document.sha256 is not SHA-256 hex"));
        }
        if let Some(e) = &d.entry {
            self.listed(e, "document.entry")?;
            if let Some(info) = self.entry(e)
                && (info.sha256 != d.sha256 || info.size != d.size)
            {
                return Err(bad(
                    "document.entry differs from the document's size and hash",
                ));
            }
        }
        Ok(())
    }

    /// The signature entry: listed, not the document's, and a detached CAdES signature
    /// comes with its document.
    fn validate_signature(&self) -> Result<(), PackageError> {
        let d = &self.document;
        self.listed(&self.signature.entry, "signature.entry")?;
        if Some(&self.signature.entry) == d.entry.as_ref() {
            return Err(bad("the signature entry is the document entry"));
        }
        if self.signature.format == SignatureFormat::CadesDetached && d.entry.is_none() {
            return Err(bad(
                "a detached CAdES package must include the original document",
            ));
        }
        Ok(())
    }

    /// The participants: at least one, within the limit, each valid, no signature claimed
    /// twice.
    fn validate_participants(&self, limits: &Limits) -> Result<(), PackageError> {
        if self.participants.is_empty() {
            return Err(bad("no participants"));
        }
        at_most(
            "number of participants",
            self.participants.len() as u64,
            limits.max_participants as u64,
        )?;
        let mut signature_ids = HashSet::new();
        for (i, p) in self.participants.iter().enumerate() {
            let w = format!("participant {} ({})", i + 1, p.name);
            self.validate_participant(&w, p, &mut signature_ids)?;
        }
        Ok(())
    }

    /// One participant (`w` names it in messages): its fields, its signature not among
    /// `signature_ids` (claimed before it; it is added), and what its status and kind require.
    fn validate_participant(
        &self,
        w: &str,
        p: &Participant,
        signature_ids: &mut HashSet<String>,
    ) -> Result<(), PackageError> {
        check_text(w, &p.name)?;
        if p.step == 0 {
            return Err(bad(format!("{w}: steps count from 1")));
        }
        if let Some(c) = &p.cpf {
            check_digits(&format!("{w}: CPF"), c, 11)?;
        }
        if let Some(c) = &p.cnpj {
            check_digits(&format!("{w}: CNPJ"), c, 14)?;
        }
        if let Some(e) = &p.email {
            check_text(&format!("{w}: email"), e)?;
        }
        if let Some(t) = &p.signed_at {
            check_time(&format!("{w}: signed_at"), t)?;
        }
        if let Some(c) = &p.certificate {
            check_certificate(&format!("{w}: certificate"), c)?;
        }
        if let Some(s) = &p.signature {
            check_text(&format!("{w}: signature"), s)?;
            if !signature_ids.insert(s.clone()) {
                return Err(bad(format!("{w}: signature {s} is claimed twice")));
            }
        }
        if let Some(ev) = &p.evidence {
            self.validate_evidence(w, ev)?;
        }
        validate_status(w, p)
    }

    /// An electronic signer's evidence: text fields, and the graphism listed with its hash.
    fn validate_evidence(&self, w: &str, ev: &Evidence) -> Result<(), PackageError> {
        check_time(&format!("{w}: evidence.time"), &ev.time)?;
        check_text(&format!("{w}: evidence.ip_address"), &ev.ip_address)?;
        check_text(&format!("{w}: evidence.user_agent"), &ev.user_agent)?;
        check_text(&format!("{w}: evidence.email"), &ev.email)?;
        self.listed(&ev.graphism.entry, "evidence.graphism.entry")?;
        if self.entry(&ev.graphism.entry).map(|e| e.sha256.as_str())
            != Some(ev.graphism.sha256.as_str())
        {
            return Err(bad(format!(
                "{w}: the graphism hash differs from its entry's"
            )));
        }
        Ok(())
    }
}

/// What a participant's status and kind require: a pending one has nothing signed; a signed
/// one has signed_at, and a signature and certificate (digital, server) or evidence
/// (electronic, with a certificate for its signature if it has one).
fn validate_status(w: &str, p: &Participant) -> Result<(), PackageError> {
    match (p.status, p.kind) {
        (ParticipantStatus::Pending, _) => {
            if p.signature.is_some() || p.certificate.is_some() || p.evidence.is_some() {
                return Err(bad(format!(
                    "{w}: pending, yet with a signature, certificate or evidence"
                )));
            }
        }
        (ParticipantStatus::Signed, kind) => {
            if p.signed_at.is_none() {
                return Err(bad(format!("{w}: signed without signed_at")));
            }
            match kind {
                ParticipantKind::Digital | ParticipantKind::Server => {
                    if p.signature.is_none() || p.certificate.is_none() {
                        return Err(bad(format!(
                            "{w}: signed without a signature and certificate"
                        )));
                    }
                    if p.evidence.is_some() {
                        return Err(bad(format!("{w}: evidence is for electronic signers")));
                    }
                }
                ParticipantKind::Electronic => {
                    if p.evidence.is_none() {
                        return Err(bad(format!("{w}: signed without evidence")));
                    }
                    if p.signature.is_some() != p.certificate.is_some() {
                        return Err(bad(format!("{w}: a signature needs its certificate")));
                    }
                }
            }
        }
    }
    Ok(())
}
