//! Downloads and reports: the participants as a sigform plan, the package built with
//! `sigform::package::build`, and its verification with `sigform::package::verify`.

use crate::Portal;
use crate::db::{DocumentRow, ParticipantRow};
use crate::error::{ApiError, ApiResult};
use serde::Deserialize;
use sigform::package::{
    self, BuildOptions, Container, Document, ElectronicEvidence, PackageReport, ParticipantKind,
    PlannedParticipant, SignatureFormat, VerifyPackageOptions,
};
use std::time::{Duration, SystemTime};

/// Electronic evidence as stored.
#[derive(Debug, Clone, serde::Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredEvidence {
    /// Unix seconds.
    pub unix_time: u64,
    /// RFC 3339.
    pub time: String,
    /// Client IP.
    pub ip_address: String,
    /// Browser.
    pub user_agent: String,
    /// E-mail the link was sent to.
    pub email: String,
    /// The document hash the signer saw.
    pub document_sha256: String,
    /// The graphism's blob.
    pub graphism_sha256: String,
}

/// The sigform signature format of a document.
pub fn signature_format(doc: &DocumentRow) -> SignatureFormat {
    if doc.format == "PAdES" {
        SignatureFormat::Pades
    } else {
        SignatureFormat::CadesAttached
    }
}

fn kind(p: &ParticipantRow) -> ParticipantKind {
    match p.kind.as_str() {
        "electronic" => ParticipantKind::Electronic,
        "server" => ParticipantKind::Server,
        _ => ParticipantKind::Digital,
    }
}

fn plan(portal: &Portal, parts: &[ParticipantRow]) -> ApiResult<Vec<PlannedParticipant>> {
    let mut out = Vec::with_capacity(parts.len());
    for p in parts {
        let mut planned =
            PlannedParticipant::new(u32::try_from(p.step).unwrap_or(u32::MAX), kind(p), &p.name);
        planned.cpf = p.cpf.clone();
        planned.cnpj = p.cnpj.clone();
        planned.email = p.email.clone();
        if p.kind != "electronic" {
            planned.certificate_sha256 = p.certificate_sha256.clone();
        }
        if let (true, Some(ev)) = (p.signed(), &p.evidence) {
            let ev: StoredEvidence =
                serde_json::from_str(ev).map_err(|e| ApiError::internal("stored evidence", e))?;
            let graphism_png = portal
                .store
                .get(&ev.graphism_sha256)
                .map_err(|e| ApiError::internal("reading a graphism", e))?;
            planned.evidence = Some(ElectronicEvidence {
                time: SystemTime::UNIX_EPOCH + Duration::from_secs(ev.unix_time),
                ip_address: ev.ip_address,
                user_agent: ev.user_agent,
                email: ev.email,
                graphism_png,
            });
        }
        out.push(planned);
    }
    Ok(out)
}

/// How to build.
#[derive(Debug, Clone, Copy)]
pub struct Wanted {
    /// IncludeOriginal.
    pub include_original: bool,
    /// IncludeManifest.
    pub include_manifest: bool,
    /// Zipped.
    pub zipped: bool,
}

/// Builds the package of a document as it is now (partly signed or fully).
pub fn build(
    portal: &Portal,
    doc: &DocumentRow,
    parts: &[ParticipantRow],
    wanted: Wanted,
) -> ApiResult<Vec<u8>> {
    let Some(signed) = &doc.signed_sha256 else {
        return Err(ApiError::conflict(
            "not_signed_yet",
            "no signature has been applied to this document yet: nothing to package",
        ));
    };
    let original = portal
        .store
        .get(&doc.original_sha256)
        .map_err(|e| ApiError::internal("reading the original", e))?;
    let signature = portal
        .store
        .get(signed)
        .map_err(|e| ApiError::internal("reading the signature", e))?;
    let plan = plan(portal, parts)?;
    let built = package::build(
        &Document {
            name: doc.name.clone(),
            media_type: doc.media_type.clone(),
            data: &original,
        },
        signature_format(doc),
        &signature,
        &plan,
        &BuildOptions {
            include_original: wanted.include_original,
            include_manifest_pdf: wanted.include_manifest,
            container: if wanted.zipped {
                Container::Zip
            } else {
                Container::Json
            },
            time: SystemTime::now(),
            seal: Some(portal.config.seal.as_ref()),
            timestamp_authority: None,
        },
    )
    .map_err(|e| ApiError::internal("building the package", e))?;
    Ok(built.bytes)
}

/// Verifies a built package with the configured trust anchors.
pub fn verify(portal: &Portal, bytes: &[u8]) -> ApiResult<PackageReport> {
    let options = VerifyPackageOptions {
        verify: sigform::VerifyOptions {
            trust: portal.config.trust.clone(),
            ..sigform::VerifyOptions::default()
        },
        ..VerifyPackageOptions::default()
    };
    package::verify(bytes, &options).map_err(|e| ApiError::internal("verifying the package", e))
}

/// The verification report of what is signed so far (`None` before the first signature).
pub fn report(
    portal: &Portal,
    doc: &DocumentRow,
    parts: &[ParticipantRow],
) -> ApiResult<Option<PackageReport>> {
    if doc.signed_sha256.is_none() {
        return Ok(None);
    }
    let bytes = build(
        portal,
        doc,
        parts,
        Wanted {
            include_original: true,
            include_manifest: false,
            zipped: false,
        },
    )?;
    verify(portal, &bytes).map(Some)
}
