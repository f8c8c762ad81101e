//! `POST /api/documents`: the seed's request shape, validated whole before anything is written
//! (CPF / CNPJ check digits, steps without gaps, no duplicate participant, known upload and
//! server certificate, PAdES only for PDFs).

use crate::error::{ApiError, ApiResult};
use serde::Deserialize;
use std::collections::BTreeSet;

/// The request.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateDocument {
    /// File name of the document.
    pub name: String,
    /// From `POST /api/uploads`.
    pub upload_id: String,
    /// `CAdES` (default) or `PAdES`.
    #[serde(default)]
    pub format: Option<String>,
    /// Who sends it.
    #[serde(default)]
    pub sender: Option<Person>,
    /// Digital signers.
    #[serde(default)]
    pub signers: Option<Vec<Person>>,
    /// Electronic signers.
    #[serde(default)]
    pub electronic_signers: Option<Vec<Person>>,
    /// Server signers.
    #[serde(default)]
    pub server_signers: Option<Vec<Person>>,
}

/// A participant or the sender.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Person {
    /// Name.
    pub name: String,
    /// E-mail.
    #[serde(default)]
    pub email: Option<String>,
    /// CPF (punctuation allowed).
    #[serde(default)]
    pub individual_identification_code: Option<String>,
    /// CNPJ (punctuation allowed).
    #[serde(default)]
    pub company_identification_code: Option<String>,
    /// Step (from 1).
    #[serde(default)]
    pub step: Option<u32>,
    /// Server signers: the configured certificate (string or number).
    #[serde(default)]
    pub certificate_id: Option<serde_json::Value>,
}

/// A validated participant.
#[derive(Debug, Clone)]
pub struct NewParticipant {
    /// `digital`, `electronic`, `server`.
    pub kind: &'static str,
    /// Name.
    pub name: String,
    /// E-mail.
    pub email: Option<String>,
    /// CPF digits.
    pub cpf: Option<String>,
    /// CNPJ digits.
    pub cnpj: Option<String>,
    /// Step.
    pub step: u32,
    /// Server certificate.
    pub certificate_id: Option<String>,
}

fn digits(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, '.' | '-' | '/' | ' '))
        .collect()
}

fn person(
    p: &Person,
    kind: &'static str,
    server_ids: &dyn Fn(&str) -> bool,
) -> ApiResult<NewParticipant> {
    let who = if p.name.trim().is_empty() {
        return Err(ApiError::bad_request(
            "missing_name",
            format!("a {kind} participant has no name"),
        ));
    } else {
        p.name.trim().to_string()
    };
    let cpf = match &p.individual_identification_code {
        Some(c) => {
            let d = digits(c);
            if !sigform::x509::cpf_is_valid(&d) {
                return Err(ApiError::bad_request(
                    "bad_cpf",
                    format!("{who}: {c:?} is not a valid CPF (check digits)"),
                ));
            }
            Some(d)
        }
        None => None,
    };
    let cnpj = match &p.company_identification_code {
        Some(c) => {
            let d = digits(c);
            if !sigform::x509::cnpj_is_valid(&d) {
                return Err(ApiError::bad_request(
                    "bad_cnpj",
                    format!("{who}: {c:?} is not a valid CNPJ (check digits)"),
                ));
            }
            Some(d)
        }
        None => None,
    };
    if kind != "server" && cpf.is_none() && cnpj.is_none() {
        return Err(ApiError::bad_request(
            "missing_identification",
            format!(
                "{who}: individualIdentificationCode (CPF) or companyIdentificationCode (CNPJ) is required"
            ),
        ));
    }
    let step = p.step.unwrap_or(1);
    if step == 0 {
        return Err(ApiError::bad_request(
            "bad_step",
            format!("{who}: steps count from 1"),
        ));
    }
    let certificate_id = match (kind, &p.certificate_id) {
        ("server", Some(v)) => {
            let id = match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            if !server_ids(&id) {
                return Err(ApiError::bad_request(
                    "unknown_certificate",
                    format!("{who}: no server certificate {id:?} is configured"),
                ));
            }
            Some(id)
        }
        ("server", None) => {
            return Err(ApiError::bad_request(
                "missing_certificate",
                format!("{who}: a server signer needs a certificateId"),
            ));
        }
        (_, Some(_)) => {
            return Err(ApiError::bad_request(
                "unexpected_certificate",
                format!("{who}: certificateId is for server signers"),
            ));
        }
        (_, None) => None,
    };
    Ok(NewParticipant {
        kind,
        name: who,
        email: p.email.clone().filter(|e| !e.trim().is_empty()),
        cpf,
        cnpj,
        step,
        certificate_id,
    })
}

/// Validates the participant lists: each participant, then duplicates and steps.
pub fn participants(
    req: &CreateDocument,
    server_ids: &dyn Fn(&str) -> bool,
) -> ApiResult<Vec<NewParticipant>> {
    let mut out = Vec::new();
    for (list, kind) in [
        (&req.signers, "digital"),
        (&req.electronic_signers, "electronic"),
        (&req.server_signers, "server"),
    ] {
        for p in list.iter().flatten() {
            out.push(person(p, kind, server_ids)?);
        }
    }
    if out.is_empty() {
        return Err(ApiError::bad_request(
            "no_participants",
            "signers, electronicSigners and serverSigners are all empty",
        ));
    }
    let mut seen = BTreeSet::new();
    for p in &out {
        let keys = [
            p.cpf.as_ref().map(|c| format!("CPF {c}")),
            p.cnpj.as_ref().map(|c| format!("CNPJ {c}")),
            p.email
                .as_ref()
                .map(|e| format!("e-mail {}", e.to_lowercase())),
            p.certificate_id
                .as_ref()
                .map(|c| format!("server certificate {c}")),
        ];
        for k in keys.into_iter().flatten() {
            if !seen.insert(k.clone()) {
                return Err(ApiError::bad_request(
                    "duplicate_participant",
                    format!("two participants have the same {k}"),
                ));
            }
        }
    }
    let steps: BTreeSet<u32> = out.iter().map(|p| p.step).collect();
    for (expected, step) in (1u32..).zip(&steps) {
        if *step != expected {
            return Err(ApiError::bad_request(
                "step_gap",
                format!(
                    "steps must run 1, 2, 3... without gaps: step {expected} is missing (steps given: {steps:?})"
                ),
            ));
        }
    }
    Ok(out)
}
