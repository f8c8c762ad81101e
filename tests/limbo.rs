//! Runs the x509-limbo document-signing subset (and the optional, policy-dependent cases) through
//! `sigform::x509::validate_chain` and prints the agreement table.
//!
//! The subset must have zero false accepts (a case expecting FAILURE that we pass) and at least
//! 119 of 125 agreeing cases; the remaining disagreements are explained in
//! `tests/limbo-disagreements.md`. The optional file's figures are printed, not asserted.

use serde_json::Value;
use sigform::CertificateDer;
use sigform::asn1::oid;
use sigform::time::parse_rfc3339;
use sigform::x509::{
    EkuPolicy, KeyUsagePolicy, PathOptions, RevocationData, RevocationPolicy, RevocationSource,
    TrustStore, validate_chain,
};
use std::path::PathBuf;
use std::time::SystemTime;

fn limbo_dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/conformance/x509-limbo"
    ))
}

struct Outcome {
    id: String,
    expected_success: bool,
    got_success: bool,
    detail: String,
}

fn certs(v: &Value) -> Vec<CertificateDer> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p.as_str())
        .filter_map(|pem| CertificateDer::parse_many(pem.as_bytes()).ok())
        .flatten()
        .collect()
}

fn run_case(case: &Value, subset: bool) -> Outcome {
    let id = case["id"].as_str().unwrap_or("?").to_string();
    let expected_success = case["expected_result"].as_str() == Some("SUCCESS");
    let fail = |detail: String| Outcome {
        id: id.clone(),
        expected_success,
        got_success: false,
        detail,
    };
    let leaf = match case["peer_certificate"]
        .as_str()
        .map(|p| CertificateDer::parse_many(p.as_bytes()))
    {
        Some(Ok(mut v)) if !v.is_empty() => v.remove(0),
        Some(Err(e)) => return fail(format!("leaf does not parse: {e}")),
        _ => return fail("no leaf".into()),
    };
    let mut store = TrustStore::new();
    for c in certs(&case["trusted_certs"]) {
        store.add(c);
    }
    let pool = certs(&case["untrusted_intermediates"]);
    let time = match case["validation_time"].as_str() {
        Some(t) => match parse_rfc3339(t) {
            Some(t) => t,
            None => return fail(format!("bad validation_time {t}")),
        },
        None => SystemTime::now(),
    };
    let mut options = PathOptions::at(time);
    // Limbo leaves carry TLS purposes: the document-signing EKU policy is off unless the
    // case names a purpose, which is then required.
    let ekus: Vec<_> = case["extended_key_usage"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str())
        .filter_map(|s| match s {
            "serverAuth" => Some(oid::KP_SERVER_AUTH),
            "clientAuth" => Some(oid::KP_CLIENT_AUTH),
            _ => None,
        })
        .collect();
    options.eku = if ekus.is_empty() || subset {
        EkuPolicy::Any
    } else {
        EkuPolicy::Require(ekus)
    };
    let ku_required = case["key_usage"].as_array().is_some_and(|a| !a.is_empty());
    options.key_usage = if ku_required {
        KeyUsagePolicy::Signing
    } else {
        KeyUsagePolicy::Any
    };
    // RFC 5280 makes no CA/EE distinction in the leaf position.
    options.allow_ca_signer = true;
    if let Some(d) = case["max_chain_depth"].as_u64() {
        options.max_depth = d as usize;
    }
    let mut revocation = RevocationData::new();
    let crls: Vec<&str> = case["crls"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str())
        .collect();
    if !crls.is_empty() {
        options.check_revocation = RevocationPolicy::Require;
        for crl in crls {
            if let Err(e) = revocation.add_crl(crl.as_bytes(), RevocationSource::File) {
                eprintln!("{id}: CRL not loaded: {e}");
            }
        }
    }
    let v = validate_chain(&leaf, &pool, &store, &revocation, &options);
    Outcome {
        id,
        expected_success,
        got_success: v.is_valid(),
        detail: match &v.outcome {
            Ok(()) => format!("valid, {} certificates", v.chain.len()),
            Err(e) => format!("{} — {e}", e.sub_indication()),
        },
    }
}

/// Runs a file; `None` (with a NOTICE) when it is absent.
fn run_file(name: &str, subset: bool) -> Option<Vec<Outcome>> {
    let path = limbo_dir().join(name);
    let Ok(text) = std::fs::read_to_string(&path) else {
        println!(
            "NOTICE: {} not found; x509-limbo conformance skipped",
            path.display()
        );
        return None;
    };
    let json: Value = serde_json::from_str(&text).expect("limbo JSON");
    let cases = json["testcases"].as_array().expect("testcases");
    let started = std::time::Instant::now();
    let outcomes: Vec<Outcome> = cases.iter().map(|c| run_case(c, subset)).collect();
    println!(
        "{name}: {} cases in {:?}",
        outcomes.len(),
        started.elapsed()
    );
    println!("{:<72} {:<8} {:<8} agree", "case", "expected", "sigform");
    for o in &outcomes {
        let mark = if o.expected_success == o.got_success {
            "yes"
        } else if !o.expected_success {
            "NO — FALSE ACCEPT"
        } else {
            "no (false reject)"
        };
        println!(
            "{:<72} {:<8} {:<8} {mark}",
            o.id,
            if o.expected_success {
                "SUCCESS"
            } else {
                "FAILURE"
            },
            if o.got_success { "SUCCESS" } else { "FAILURE" },
        );
    }
    let agree = outcomes
        .iter()
        .filter(|o| o.expected_success == o.got_success)
        .count();
    let false_accepts: Vec<&Outcome> = outcomes
        .iter()
        .filter(|o| !o.expected_success && o.got_success)
        .collect();
    let false_rejects: Vec<&Outcome> = outcomes
        .iter()
        .filter(|o| o.expected_success && !o.got_success)
        .collect();
    println!(
        "{name}: agree {agree}/{}, false accepts {}, false rejects {}",
        outcomes.len(),
        false_accepts.len(),
        false_rejects.len()
    );
    for o in false_accepts.iter().chain(false_rejects.iter()) {
        println!("  disagreement {}: {}", o.id, o.detail);
    }
    Some(outcomes)
}

#[test]
fn limbo_doc_signing_subset() {
    let Some(outcomes) = run_file("doc-signing-subset.json", true) else {
        return;
    };
    let false_accepts: Vec<&str> = outcomes
        .iter()
        .filter(|o| !o.expected_success && o.got_success)
        .map(|o| o.id.as_str())
        .collect();
    assert!(
        false_accepts.is_empty(),
        "false accepts (FAILURE expected, chain accepted): {false_accepts:?}"
    );
    let agree = outcomes
        .iter()
        .filter(|o| o.expected_success == o.got_success)
        .count();
    assert!(
        agree >= 119,
        "only {agree}/{} limbo cases agree",
        outcomes.len()
    );
    // every disagreement is explained
    let notes = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/limbo-disagreements.md"
    ))
    .expect("tests/limbo-disagreements.md");
    for o in outcomes
        .iter()
        .filter(|o| o.expected_success != o.got_success)
    {
        assert!(
            notes.contains(&format!("`{}`", o.id)),
            "disagreement {} is not listed in tests/limbo-disagreements.md",
            o.id
        );
    }
}

#[test]
fn limbo_doc_signing_optional() {
    let Some(outcomes) = run_file("doc-signing-optional.json", false) else {
        return;
    };
    let false_accepts = outcomes
        .iter()
        .filter(|o| !o.expected_success && o.got_success)
        .count();
    println!("optional figures printed above; false accepts: {false_accepts}");
}
