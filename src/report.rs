//! Validation reports: the verdicts every verifier returns.
//!
//! Indications and sub-indications are those of ETSI TS 119 102-1 §5.1: a signature is
//! `TOTAL_PASSED`, `TOTAL_FAILED` or `INDETERMINATE`, with a sub-indication that says why. A
//! report serialises to JSON (the schema is documented in `docs/report-schema.md`) and prints as
//! text with [`std::fmt::Display`].

use serde::{Deserialize, Serialize};

/// The main verdict of a signature (ETSI TS 119 102-1 §5.1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Indication {
    /// Every check passed.
    TotalPassed,
    /// A check failed: the signature is invalid.
    TotalFailed,
    /// The checks could not conclude (e.g. no trusted chain, missing revocation data).
    Indeterminate,
}

impl std::fmt::Display for Indication {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::TotalPassed => "TOTAL_PASSED",
            Self::TotalFailed => "TOTAL_FAILED",
            Self::Indeterminate => "INDETERMINATE",
        })
    }
}

/// Why a signature is not `TOTAL_PASSED` (ETSI TS 119 102-1 §5.1.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum SubIndication {
    // --- with TOTAL_FAILED
    /// The signature is not conformant to its format (malformed structure, missing attribute).
    FormatFailure,
    /// The signed data's digest does not match (content or messageDigest altered).
    HashFailure,
    /// The signature value does not verify with the signer's public key.
    SigCryptoFailure,
    /// The signer certificate was revoked before the signing time.
    Revoked,
    /// An attribute or constraint of the signature is not acceptable (e.g. signing-certificate
    /// mismatch, content type mismatch, a disallowed PDF modification).
    SigConstraintsFailure,
    /// The signer certificate was expired (or not yet valid) at the validation time and no
    /// proof of existence helps.
    ExpiredNoPoe,
    // --- with INDETERMINATE
    /// No certificate chain to a trust anchor could be built.
    NoCertificateChainFound,
    /// The signer's certificate could not be identified.
    NoSignerCertificateFound,
    /// The chain violates a constraint (key usage, basic constraints, name constraints, EKU, …).
    ChainConstraintsFailure,
    /// The chain could not be validated for another reason.
    CertificateChainGeneralFailure,
    /// An algorithm or key size is below the policy.
    CryptoConstraintsFailure,
    /// The validation time is outside a certificate's validity period.
    OutOfBoundsNoPoe,
    /// Outside the validity period and not known to be unrevoked.
    OutOfBoundsNotRevoked,
    /// The signer certificate is revoked and there is no proof the signature existed before.
    RevokedNoPoe,
    /// A CA certificate on the chain is revoked.
    RevokedCaNoPoe,
    /// Revocation data is missing or not fresh enough.
    TryLater,
    /// The signed content is missing (detached signature verified without its document).
    SignedDataNotFound,
    /// A proof of existence is missing.
    NoPoe,
    /// The signer's certificate is not yet valid.
    NotYetValid,
}

impl std::fmt::Display for SubIndication {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_else(|| format!("{self:?}"));
        f.write_str(&s)
    }
}

/// Baseline level a signature reaches (ETSI EN 319 122-1 / 319 142-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Level {
    /// B-B: basic signature with signing-certificate-v2.
    #[serde(rename = "B-B")]
    BB,
    /// B-T: with a signature timestamp.
    #[serde(rename = "B-T")]
    BT,
    /// B-LT: with the validation data.
    #[serde(rename = "B-LT")]
    BLT,
    /// B-LTA: with archive timestamps.
    #[serde(rename = "B-LTA")]
    BLTA,
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::BB => "B-B",
            Self::BT => "B-T",
            Self::BLT => "B-LT",
            Self::BLTA => "B-LTA",
        })
    }
}

/// Who signed, as the certificate says.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignerReport {
    /// Subject DN (RFC 4514).
    pub subject: String,
    /// Issuer DN (RFC 4514).
    pub issuer: String,
    /// Serial number, hex.
    pub serial: String,
    /// SHA-256 fingerprint of the certificate, hex.
    pub fingerprint_sha256: String,
    /// Common name, when present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub common_name: Option<String>,
    /// E-mail address (SAN rfc822Name or the subject's emailAddress).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// ICP-Brasil CPF (otherName 2.16.76.1.3.1), 11 digits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpf: Option<String>,
    /// Whether the CPF's check digits are right (`None` when there is no CPF).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpf_valid: Option<bool>,
    /// ICP-Brasil CNPJ (otherName 2.16.76.1.3.3), 14 digits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cnpj: Option<String>,
    /// Whether the CNPJ's check digits are right.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cnpj_valid: Option<bool>,
    /// Certificate validity start (RFC 3339).
    pub not_before: String,
    /// Certificate validity end (RFC 3339).
    pub not_after: String,
}

/// One certificate of the validated chain.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainElement {
    /// Subject DN.
    pub subject: String,
    /// SHA-256 fingerprint, hex.
    pub fingerprint_sha256: String,
    /// Where the certificate came from: `signature`, `dss`, `pool`, `trust-store`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// Revocation status of the signer certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevocationReport {
    /// `good`, `revoked`, `unknown` or `not_checked`.
    pub status: String,
    /// `crl`, `ocsp` or `none`, and where it came from (signature, DSS, file).
    pub source: String,
    /// Revocation time (RFC 3339) when revoked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<String>,
    /// CRL reason when revoked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// How trust in the signer certificate was evaluated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustReport {
    /// False when no trust store was given: the chain is then "not evaluated".
    pub evaluated: bool,
    /// The validation time used (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub validation_time: Option<String>,
    /// The trust anchor reached.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub anchor: Option<String>,
    /// What went wrong, when the chain is not valid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One check performed, in order, with its outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    /// What was checked, e.g. `message-digest`.
    pub name: String,
    /// Whether it passed.
    pub passed: bool,
    /// Details, for a person.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// The verdict on one signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureReport {
    /// Identifier within the file: `S1`, `S2`, … and `S1.C1` for a counter-signature of S1.
    pub id: String,
    /// The verdict.
    pub indication: Indication,
    /// Why, when not TOTAL_PASSED.
    pub sub_indication: Option<SubIndication>,
    /// The signer, when the certificate was found.
    pub signer: Option<SignerReport>,
    /// Signature algorithm name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature_algorithm: Option<String>,
    /// Digest algorithm name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest_algorithm: Option<String>,
    /// The signing time the signer claims (signingTime attribute or PDF /M), RFC 3339.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claimed_signing_time: Option<String>,
    /// Time of a signature timestamp, RFC 3339.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp_time: Option<String>,
    /// Baseline level reached.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
    /// The signature's timestamps (signature and archive timestamps), each with its verdict.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub timestamps: Vec<TimestampReport>,
    /// Signature policy OID (EPES / ICP-Brasil AD-RB).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy_oid: Option<String>,
    /// Commitment type OIDs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub commitment_types: Vec<String>,
    /// How trust was evaluated.
    pub trust: TrustReport,
    /// Chain from the signer to the anchor.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub chain: Vec<ChainElement>,
    /// Revocation status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revocation: Option<RevocationReport>,
    /// The checks made, in order.
    pub checks: Vec<Check>,
    /// Problems that do not fail the signature (SHA-1, legacy formats, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// Counter-signatures of this signature.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub counter_signatures: Vec<SignatureReport>,
    /// The PDF specifics of a PAdES signature (field, coverage, revision, modifications);
    /// `None` for other formats.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<PdfSignatureDetails>,
}

/// What a timestamp of a signature is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TimestampKind {
    /// id-aa-signatureTimeStampToken: over the signature value (B-T).
    SignatureTimestamp,
    /// archive-time-stamp-v3 (ETSI EN 319 122-1 §5.5.3): over the signature and its validation
    /// data (B-LTA).
    ArchiveTimestampV3,
    /// archive-time-stamp-v2 (ETSI TS 101 733 §6.4.1, CAdES-A).
    ArchiveTimestampV2,
}

/// The verdict on one timestamp of a signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimestampReport {
    /// `S1.T1`, `S1.T2`, … in the order of the unsigned attributes.
    pub id: String,
    /// What it timestamps.
    pub kind: TimestampKind,
    /// The verdict on the token.
    pub indication: Indication,
    /// Why, when not TOTAL_PASSED.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub_indication: Option<SubIndication>,
    /// genTime (RFC 3339), when the token could be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gen_time: Option<String>,
    /// The TSA certificate's subject, when found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tsa: Option<String>,
    /// What went wrong, when not TOTAL_PASSED.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// How a token whose TSA key is too short at the validation time was accepted: the later
    /// timestamp whose proof of existence is before the sunset date of such keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proof_of_existence: Option<String>,
}

/// The PDF specifics of a PAdES signature: where it sits, what it covers, what changed after it.
///
/// The fields are declared in alphabetical order, the order of the JSON keys (the schema is in
/// `docs/report-schema.md`); absent values are left out, except `field`, which is `null` for a
/// signature dictionary no form field reaches.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PdfSignatureDetails {
    /// The four `/ByteRange` values, when they are sound.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub byte_range: Option<[u64; 4]>,
    /// Present on the certification signature.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certification: Option<CertificationReport>,
    /// `whole file`, `revision N of M`, or `none` when the ranges are unsound.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coverage: Option<String>,
    /// The fully qualified field name (`None`, written `null`, for a signature dictionary no
    /// field reaches).
    pub field: Option<String>,
    /// A signature or a document timestamp (known when the `/SubFilter` is).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<PdfSignatureKind>,
    /// How far the changes after the signed revision go: `untouched`, `lta_updates`,
    /// `form_filling`, `annotations`, `other`, or `unknown` when the structure checks failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modification_category: Option<String>,
    /// Every change after the signed revision (when the revision analysis ran).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modifications: Option<Vec<ModificationReport>>,
    /// The signed revision, from 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<usize>,
    /// The number of revisions of the file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revisions: Option<usize>,
    /// The signature dictionary, e.g. `12 0 R` (absent when it is a direct object).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature_object: Option<String>,
    /// `ETSI.CAdES.detached`, `adbe.pkcs7.detached`, `adbe.pkcs7.sha1` or `ETSI.RFC3161`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subfilter: Option<String>,
}

/// What a PDF signature dictionary is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PdfSignatureKind {
    /// A signature (`/Type /Sig`).
    Signature,
    /// A document timestamp (`/Type /DocTimeStamp`, `/SubFilter /ETSI.RFC3161`).
    DocumentTimestamp,
    /// An Adobe usage-rights signature (`/Perms /UR3`): it enables viewer features and
    /// protects nothing of the content; its verdict does not decide the file's.
    UsageRights,
}

impl PdfSignatureKind {
    /// The name used in reports: `signature`, `document-timestamp` or `usage-rights`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Signature => "signature",
            Self::DocumentTimestamp => "document-timestamp",
            Self::UsageRights => "usage-rights",
        }
    }
}

/// The certification (DocMDP) a signature sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificationReport {
    /// The DocMDP `/P`: 1 (no changes), 2 (form filling), 3 (form filling and annotations).
    pub docmdp: i64,
}

/// One change found after a signed revision. The fields are in alphabetical order, the order
/// of the JSON keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModificationReport {
    /// Whether the change is allowed after this signature.
    pub allowed: bool,
    /// The category of the change (`untouched`, `lta_updates`, `form_filling`,
    /// `annotations`, `other`).
    pub category: String,
    /// What changed, with the path that reaches the object.
    pub detail: String,
    /// What kind of thing changed (`page_content`, `form_field`, `annotation`, …).
    pub kind: String,
    /// The object, e.g. `12 0 R` (or `trailer`).
    pub object: String,
}

impl SignatureReport {
    /// An empty report for signature `id`, INDETERMINATE until checks say otherwise.
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            indication: Indication::Indeterminate,
            sub_indication: None,
            signer: None,
            signature_algorithm: None,
            digest_algorithm: None,
            claimed_signing_time: None,
            timestamp_time: None,
            level: None,
            timestamps: Vec::new(),
            policy_oid: None,
            commitment_types: Vec::new(),
            trust: TrustReport {
                evaluated: false,
                validation_time: None,
                anchor: None,
                error: None,
            },
            chain: Vec::new(),
            revocation: None,
            checks: Vec::new(),
            warnings: Vec::new(),
            counter_signatures: Vec::new(),
            details: None,
        }
    }

    /// Records a passed check.
    pub fn pass(&mut self, name: &str, detail: Option<String>) {
        self.checks.push(Check {
            name: name.into(),
            passed: true,
            detail,
        });
    }

    /// Records a failed check and sets the verdict (the first failure decides the verdict).
    pub fn fail(
        &mut self,
        name: &str,
        indication: Indication,
        sub: SubIndication,
        detail: impl Into<String>,
    ) {
        self.checks.push(Check {
            name: name.into(),
            passed: false,
            detail: Some(detail.into()),
        });
        self.set_verdict(indication, sub);
    }

    /// The verdict of a failed check recorded earlier (a check whose outcome is decided after
    /// later checks, e.g. a weak key judged at the timestamps' proof of existence).
    pub(crate) fn set_verdict(&mut self, indication: Indication, sub: SubIndication) {
        // The first problem decides, except that a failure outranks an earlier INDETERMINATE.
        let replace = match self.sub_indication {
            None => true,
            Some(_) => {
                self.indication == Indication::Indeterminate
                    && indication == Indication::TotalFailed
            }
        };
        if replace {
            self.indication = indication;
            self.sub_indication = Some(sub);
        }
    }

    /// Records a failed check of a malformed signature: TOTAL_FAILED, FORMAT_FAILURE.
    pub fn fail_format(&mut self, name: &str, detail: impl Into<String>) {
        self.fail(
            name,
            Indication::TotalFailed,
            SubIndication::FormatFailure,
            detail,
        );
    }

    /// Closes the report: TOTAL_PASSED when no check set another verdict.
    pub fn conclude(&mut self) {
        if self.sub_indication.is_none() {
            self.indication = Indication::TotalPassed;
        }
    }

    /// True when any check failed.
    pub fn has_failures(&self) -> bool {
        self.checks.iter().any(|c| !c.passed)
    }

    /// True for TOTAL_PASSED, counter-signatures included.
    pub fn passed(&self) -> bool {
        self.indication == Indication::TotalPassed
            && self.counter_signatures.iter().all(|c| c.passed())
    }
}

/// The verdict on a file: one [`SignatureReport`] per signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidationReport {
    /// True when there is at least one signature and every one is TOTAL_PASSED.
    pub valid: bool,
    /// `CAdES`, `PAdES`, `package`.
    pub format: String,
    /// Name of the file verified, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// One entry per signature.
    pub signatures: Vec<SignatureReport>,
    /// File-level problems.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

impl ValidationReport {
    /// A report over `signatures`; `valid` is computed.
    pub fn new(format: &str, signatures: Vec<SignatureReport>) -> Self {
        let valid = all_passed(&signatures);
        Self {
            valid,
            format: format.into(),
            file: None,
            signatures,
            warnings: Vec::new(),
        }
    }

    /// Recomputes `valid` after the signatures were changed.
    pub fn recompute(&mut self) {
        self.valid = all_passed(&self.signatures);
    }

    /// JSON, pretty-printed.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }
}

/// True when there is a signature that protects the content and every such signature
/// passed (usage-rights signatures are reported, not counted).
fn all_passed(signatures: &[SignatureReport]) -> bool {
    let counted = |s: &&SignatureReport| {
        s.details.as_ref().and_then(|d| d.kind) != Some(PdfSignatureKind::UsageRights)
    };
    signatures.iter().filter(counted).count() > 0
        && signatures
            .iter()
            .filter(counted)
            .all(SignatureReport::passed)
}

fn write_signature(
    f: &mut std::fmt::Formatter<'_>,
    s: &SignatureReport,
    indent: &str,
) -> std::fmt::Result {
    let verdict = match s.sub_indication {
        Some(sub) => format!("{} ({})", s.indication, sub),
        None => s.indication.to_string(),
    };
    writeln!(f, "{indent}Signature {}: {verdict}", s.id)?;
    if let Some(signer) = &s.signer {
        writeln!(f, "{indent}  signer:     {}", signer.subject)?;
        writeln!(f, "{indent}  issuer:     {}", signer.issuer)?;
        writeln!(f, "{indent}  serial:     {}", signer.serial)?;
        let ids = [
            ("CPF:", &signer.cpf, signer.cpf_valid),
            ("CNPJ:", &signer.cnpj, signer.cnpj_valid),
        ];
        for (label, id, valid) in ids {
            if let Some(id) = id {
                let ok = if valid == Some(true) {
                    "valid"
                } else {
                    "INVALID check digits"
                };
                writeln!(f, "{indent}  {label:<11} {id} ({ok})")?;
            }
        }
    }
    if let Some(alg) = &s.signature_algorithm {
        writeln!(f, "{indent}  algorithm:  {alg}")?;
    }
    if let Some(t) = &s.claimed_signing_time {
        writeln!(f, "{indent}  signed at:  {t} (claimed)")?;
    }
    if let Some(t) = &s.timestamp_time {
        writeln!(f, "{indent}  timestamp:  {t}")?;
    }
    if let Some(l) = s.level {
        writeln!(f, "{indent}  level:      {l}")?;
    }
    for t in &s.timestamps {
        let verdict = match (t.sub_indication, &t.error) {
            (Some(sub), Some(e)) => format!("{} ({sub}): {e}", t.indication),
            (Some(sub), None) => format!("{} ({sub})", t.indication),
            _ => t.indication.to_string(),
        };
        let at = t.gen_time.as_deref().unwrap_or("?");
        writeln!(f, "{indent}  {} {:?} at {at}: {verdict}", t.id, t.kind)?;
    }
    if let Some(p) = &s.policy_oid {
        writeln!(f, "{indent}  policy:     {p}")?;
    }
    if s.trust.evaluated {
        match (&s.trust.anchor, &s.trust.error) {
            (_, Some(e)) => writeln!(f, "{indent}  trust:      NOT TRUSTED: {e}")?,
            (Some(a), None) => writeln!(f, "{indent}  trust:      chain to {a}")?,
            (None, None) => writeln!(f, "{indent}  trust:      evaluated")?,
        }
    } else {
        writeln!(
            f,
            "{indent}  trust:      not evaluated (no trust anchors given)"
        )?;
    }
    if let Some(r) = &s.revocation {
        writeln!(f, "{indent}  revocation: {} ({})", r.status, r.source)?;
    }
    write_details(f, s, indent)?;
    for c in &s.checks {
        let mark = if c.passed { "ok  " } else { "FAIL" };
        match &c.detail {
            Some(d) => writeln!(f, "{indent}  [{mark}] {}: {d}", c.name)?,
            None => writeln!(f, "{indent}  [{mark}] {}", c.name)?,
        }
    }
    for w in &s.warnings {
        writeln!(f, "{indent}  warning: {w}")?;
    }
    let deeper = format!("{indent}    ");
    for c in &s.counter_signatures {
        write_signature(f, c, &deeper)?;
    }
    Ok(())
}

/// The PDF details of a signature, one line each, in the order of the JSON keys.
fn write_details(
    f: &mut std::fmt::Formatter<'_>,
    s: &SignatureReport,
    indent: &str,
) -> std::fmt::Result {
    let Some(d) = &s.details else {
        return Ok(());
    };
    let line = |f: &mut std::fmt::Formatter<'_>, key: &str, value: &dyn std::fmt::Display| {
        writeln!(f, "{indent}  {:<11} {value}", format!("{key}:"))
    };
    // These two are written as compact JSON.
    if let Some(br) = &d.byte_range {
        line(
            f,
            "byte_range",
            &serde_json::to_string(br).unwrap_or_default(),
        )?;
    }
    if let Some(c) = &d.certification {
        line(
            f,
            "certification",
            &serde_json::to_string(c).unwrap_or_default(),
        )?;
    }
    let texts = [
        ("coverage", d.coverage.as_deref()),
        ("field", d.field.as_deref()),
        ("kind", d.kind.map(PdfSignatureKind::as_str)),
        ("modification_category", d.modification_category.as_deref()),
    ];
    for (key, value) in texts {
        if let Some(v) = value {
            line(f, key, &v)?;
        }
    }
    if let Some(mods) = d.modifications.as_deref().filter(|m| !m.is_empty()) {
        writeln!(f, "{indent}  modifications:")?;
        for m in mods {
            writeln!(
                f,
                "{indent}    - {} {} [{}]: {}",
                m.object,
                m.kind,
                if m.allowed { "allowed" } else { "NOT ALLOWED" },
                m.detail
            )?;
        }
    }
    for (key, value) in [("revision", d.revision), ("revisions", d.revisions)] {
        if let Some(v) = value {
            line(f, key, &v)?;
        }
    }
    let texts = [
        ("signature_object", d.signature_object.as_deref()),
        ("subfilter", d.subfilter.as_deref()),
    ];
    for (key, value) in texts {
        if let Some(v) = value {
            line(f, key, &v)?;
        }
    }
    Ok(())
}

impl std::fmt::Display for ValidationReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let verdict = if self.valid { "VALID" } else { "NOT VALID" };
        match &self.file {
            Some(name) => writeln!(f, "{} {name}: {verdict}", self.format)?,
            None => writeln!(f, "{}: {verdict}", self.format)?,
        }
        if self.signatures.is_empty() {
            writeln!(f, "  no signatures found")?;
        }
        for s in &self.signatures {
            write_signature(f, s, "  ")?;
        }
        for w in &self.warnings {
            writeln!(f, "  warning: {w}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdf_details_json_keys_in_order_and_field_null() {
        let d = PdfSignatureDetails {
            subfilter: Some("ETSI.RFC3161".into()),
            kind: Some(PdfSignatureKind::DocumentTimestamp),
            byte_range: Some([0, 1, 3, 4]),
            certification: Some(CertificationReport { docmdp: 2 }),
            modifications: Some(Vec::new()),
            revision: Some(1),
            ..PdfSignatureDetails::default()
        };
        let json = serde_json::to_string(&d).unwrap_or_default();
        assert_eq!(
            json,
            r#"{"byte_range":[0,1,3,4],"certification":{"docmdp":2},"field":null,"kind":"document-timestamp","modifications":[],"revision":1,"subfilter":"ETSI.RFC3161"}"#
        );
        let back: Result<PdfSignatureDetails, _> = serde_json::from_str(&json);
        assert_eq!(back.ok(), Some(d));
    }

    #[test]
    fn no_details_no_key() {
        let json = serde_json::to_string(&SignatureReport::new("S1")).unwrap_or_default();
        assert!(!json.contains("details"), "{json}");
    }
}
