//! Past signature validation through chains of timestamps (ETSI EN 319 102-1 §5.6.2): a
//! timestamp whose TSA key (RSA-1024, the test PKI's `tsa-rsa1024`) is too short at the
//! validation time is accepted when a later timestamp that covers it (a CAdES archive
//! timestamp, a PAdES document timestamp) proves it existed before the sunset date of such
//! keys; without one it is INDETERMINATE and gives no proof of existence. Validated "in 20
//! years" with RSA keys under 2048 bits retired "in 10 years" (no fake clock needed), and with
//! the default policy (their sunset long past). Judges: `openssl ts -verify` (which does not
//! judge key sizes) on the weak token, pdfsig and qpdf on the PDFs.

mod common;

use common::cms::{
    openssl_rsa1024_attached, signature_value, tamper_token, unsigned_attr_values as tokens,
};
use common::judges::{PdfsigTrusting, openssl_ts_accepts, pdfsig_signatures, qpdf_check};
use common::openssl_tsa::OpensslTsa;
use common::{run, short_rsa_retired_at, tempdir, test_signer, tool, tv, years_from_now};
use sigform::PadesOptions;
use sigform::alg::SignatureAlgorithm;
use sigform::cades::levels::{add_archive_timestamp, add_signature_timestamp};
use sigform::cades::{self, CadesOptions, SharedTsa};
use sigform::pades::levels::add_document_timestamp;
use sigform::report::{
    Indication, Level, PdfSignatureKind, SignatureReport, SubIndication, TimestampKind,
    TimestampReport, ValidationReport,
};
use sigform::signer::{Signer, SignerError, SignerIdentity};
use sigform::tsp::TimestampAuthority;
use sigform::{CertificateDer, DigestAlgorithm, TrustStore, VerifyOptions};
use std::io::Cursor;
use std::process::Command;
use std::sync::Arc;

const DOC: &[u8] = b"sigform: a timestamp chain over a weak TSA key";
const SIG_TS: &str = "1.2.840.113549.1.9.16.2.14";
const ATS_V3: &str = "0.4.0.1733.2.4";

fn options() -> VerifyOptions {
    VerifyOptions {
        trust: Some(TrustStore::from_path(tv("pki/root-ca.pem")).unwrap()),
        ..VerifyOptions::default()
    }
}

/// Validation in 20 years (the test PKI lasts until 2050) with RSA keys under 2048 bits
/// retired in 10.
fn in_20_years() -> VerifyOptions {
    VerifyOptions {
        validation_time: Some(years_from_now(20)),
        algorithms: short_rsa_retired_at(years_from_now(10)),
        ..options()
    }
}

/// Both TSAs (`openssl ts -reply`), or `None` (after a notice) without openssl.
fn tsas() -> Option<(OpensslTsa, OpensslTsa)> {
    Some((OpensslTsa::rsa1024()?, OpensslTsa::new()?))
}

fn verify(p7s: &[u8], options: &VerifyOptions) -> ValidationReport {
    cades::verify(p7s, None, options).unwrap()
}

fn ts(s: &SignatureReport, kind: TimestampKind) -> &TimestampReport {
    s.timestamps
        .iter()
        .find(|t| t.kind == kind)
        .unwrap_or_else(|| panic!("no {kind:?} in {:?}", s.timestamps))
}

fn check_detail(s: &SignatureReport, name: &str) -> (bool, String) {
    let c = s
        .checks
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no {name} check"));
    (c.passed, c.detail.clone().unwrap_or_default())
}

/// INDETERMINATE / CRYPTO_CONSTRAINTS_FAILURE, with `context` in the failure message.
fn assert_crypto_constraints(
    got: (Indication, Option<SubIndication>),
    context: &dyn std::fmt::Display,
) {
    assert_eq!(
        got,
        (
            Indication::Indeterminate,
            Some(SubIndication::CryptoConstraintsFailure)
        ),
        "{context}"
    );
}

/// The weak TSA's timestamp, as INDETERMINATE / CRYPTO_CONSTRAINTS_FAILURE with the sunset in
/// its error, no proof of existence.
fn assert_weak_unrescued(t: &TimestampReport) {
    assert_crypto_constraints((t.indication, t.sub_indication), &format!("{:?}", t));
    let e = t.error.as_deref().unwrap_or_default();
    assert!(
        e.contains("the TSA's RSA key of 1024 bits is below the 2048-bit minimum")
            && e.contains("no proof of existence before")
            && e.contains("the sunset date of such keys"),
        "{e}"
    );
    assert!(t.proof_of_existence.is_none());
}

// ---------------------------------------------------------------- CAdES ----------

/// A B-B attached signature by `signer-rsa2048`, its signature timestamp from the weak TSA.
fn weak_bt(weak: &OpensslTsa) -> Vec<u8> {
    let signer = test_signer("signer-rsa2048", "pki/chain.pem");
    let opts = CadesOptions {
        attached: true,
        ..CadesOptions::default()
    };
    let bb = cades::sign(DOC, &signer, &opts).unwrap();
    add_signature_timestamp(&bb, None, weak).unwrap()
}

#[test]
fn cades_archive_timestamp_rescues_a_weak_signature_timestamp() {
    let Some((weak, strong)) = tsas() else { return };
    let bt = weak_bt(&weak);
    let lta = add_archive_timestamp(&bt, None, &strong).unwrap();
    let r = verify(&lta, &in_20_years());
    let s = &r.signatures[0];
    assert!(r.valid, "{r}");
    assert_eq!(s.indication, Indication::TotalPassed);
    // No revocation values: B-T, whatever the archive timestamp.
    assert_eq!(s.level, Some(Level::BT));
    let ats = ts(s, TimestampKind::ArchiveTimestampV3);
    assert_eq!(ats.indication, Indication::TotalPassed, "{ats:?}");
    assert!(ats.proof_of_existence.is_none());
    let sig_ts = ts(s, TimestampKind::SignatureTimestamp);
    assert_eq!(sig_ts.indication, Indication::TotalPassed, "{sig_ts:?}");
    let poe = sig_ts.proof_of_existence.as_deref().unwrap_or_default();
    assert!(
        poe.contains(
            "the TSA's RSA key of 1024 bits is accepted: the archive timestamp (v3) S1.T2 at"
        ) && poe.contains("proves the token existed before"),
        "{poe}"
    );
    let (passed, detail) = check_detail(s, "signature-timestamp");
    assert!(
        passed && detail.contains("archive timestamp (v3) S1.T2"),
        "{detail}"
    );

    // The same token validated today with the default policy (RSA-1024 retired in 2019): the
    // archive timestamp's proof of existence is too late to rescue it.
    let r = verify(&lta, &options());
    let t = ts(&r.signatures[0], TimestampKind::SignatureTimestamp);
    assert_crypto_constraints((t.indication, t.sub_indication), &format!("{:?}", t));
    let e = t.error.as_deref().unwrap_or_default();
    assert!(
        e.contains("its proof of existence (the archive timestamp (v3) S1.T2 at")
            && e.contains("is not before 2019-10-01T00:00:00Z"),
        "{e}"
    );

    // openssl does not judge key sizes: it accepts the weak token.
    let token = &tokens(&lta, SIG_TS)[0];
    openssl_ts_accepts(
        token,
        &DigestAlgorithm::Sha256.digest(&signature_value(&lta)),
    );
}

#[test]
fn cades_weak_signature_timestamp_without_archive_timestamp_is_indeterminate() {
    let Some((weak, _)) = tsas() else { return };
    let bt = weak_bt(&weak);
    let r = verify(&bt, &in_20_years());
    let s = &r.signatures[0];
    let t = ts(s, TimestampKind::SignatureTimestamp);
    assert_weak_unrescued(t);
    // The token is intact (as one whose TSA chain is not trusted): the level is B-T; the
    // signature itself (an RSA-2048 certificate valid until 2050) does not need its proof.
    assert_eq!(s.level, Some(Level::BT));
    assert!(r.valid, "{r}");
    assert!(
        s.warnings
            .iter()
            .any(|w| w.contains("S1.T1: the token is intact but the TSA's RSA key of 1024 bits")),
        "{:?}",
        s.warnings
    );
}

#[test]
fn cades_tampered_archive_timestamp_rescues_nothing() {
    let Some((weak, strong)) = tsas() else { return };
    let lta = add_archive_timestamp(&weak_bt(&weak), None, &strong).unwrap();
    let bad = tamper_token(&lta, ATS_V3);
    let r = verify(&bad, &in_20_years());
    let s = &r.signatures[0];
    assert!(!r.valid);
    assert_eq!(
        (s.indication, s.sub_indication),
        (Indication::TotalFailed, Some(SubIndication::HashFailure))
    );
    let ats = ts(s, TimestampKind::ArchiveTimestampV3);
    assert_eq!(
        (ats.indication, ats.sub_indication),
        (Indication::TotalFailed, Some(SubIndication::HashFailure))
    );
    assert!(
        ats.error
            .as_deref()
            .unwrap_or_default()
            .contains("does not match the token's messageDigest"),
        "{ats:?}"
    );
    assert_weak_unrescued(ts(s, TimestampKind::SignatureTimestamp));

    // A weak signature timestamp added after the archive timestamp: not in its hash index, not
    // covered, not rescued (though the archive timestamp verifies).
    let signer = test_signer("signer-rsa2048", "pki/chain.pem");
    let opts = CadesOptions {
        attached: true,
        ..CadesOptions::default()
    };
    let bb = cades::sign(DOC, &signer, &opts).unwrap();
    let ats = add_archive_timestamp(&bb, None, &strong).unwrap();
    let late = add_signature_timestamp(&ats, None, &weak).unwrap();
    let r = verify(&late, &in_20_years());
    let s = &r.signatures[0];
    assert_eq!(
        ts(s, TimestampKind::ArchiveTimestampV3).indication,
        Indication::TotalPassed
    );
    assert_weak_unrescued(ts(s, TimestampKind::SignatureTimestamp));
}

#[test]
fn cades_weak_archive_timestamp_rescued_by_the_next_one() {
    let Some((weak, strong)) = tsas() else { return };
    let signer = test_signer("signer-rsa2048", "pki/chain.pem");
    let opts = CadesOptions {
        attached: true,
        ..CadesOptions::default()
    };
    let bb = cades::sign(DOC, &signer, &opts).unwrap();
    let bt = add_signature_timestamp(&bb, None, &strong).unwrap();
    let weak_lta = add_archive_timestamp(&bt, None, &weak).unwrap();
    // The weak archive timestamp alone: INDETERMINATE, no proof of existence.
    let r = verify(&weak_lta, &in_20_years());
    let s = &r.signatures[0];
    assert!(r.valid, "{r}");
    assert_weak_unrescued(ts(s, TimestampKind::ArchiveTimestampV3));
    // Renewed by the strong TSA: its hash index covers the weak one, which passes.
    let renewed = add_archive_timestamp(&weak_lta, None, &strong).unwrap();
    let r = verify(&renewed, &in_20_years());
    let s = &r.signatures[0];
    assert!(r.valid, "{r}");
    assert_eq!(s.timestamps.len(), 3);
    assert!(
        s.timestamps
            .iter()
            .all(|t| t.indication == Indication::TotalPassed),
        "{:?}",
        s.timestamps
    );
    let t2 = &s.timestamps[1];
    assert_eq!(t2.kind, TimestampKind::ArchiveTimestampV3);
    let poe = t2.proof_of_existence.as_deref().unwrap_or_default();
    assert!(poe.contains("the archive timestamp (v3) S1.T3 at"), "{poe}");
    // The strong signature timestamp needed no proof.
    assert!(s.timestamps[0].proof_of_existence.is_none());
}

#[test]
fn cades_weak_signer_through_archive_and_weak_signature_timestamps() {
    let (Some((weak, strong)), Some(bb)) = (tsas(), openssl_rsa1024_attached(DOC)) else {
        return;
    };
    let bt = add_signature_timestamp(&bb, None, &weak).unwrap();
    let lta = add_archive_timestamp(&bt, None, &strong).unwrap();
    // In 20 years: archive timestamp -> signature timestamp -> signature.
    let r = verify(&lta, &in_20_years());
    let s = &r.signatures[0];
    assert!(r.valid, "{r}");
    let sig_ts = ts(s, TimestampKind::SignatureTimestamp);
    assert_eq!(sig_ts.indication, Indication::TotalPassed, "{sig_ts:?}");
    assert!(sig_ts.proof_of_existence.is_some());
    let (passed, detail) = check_detail(s, "signature-value");
    assert!(passed, "{detail}");
    // The earliest verified timestamp is the signature timestamp, rescued.
    assert!(
        detail.contains("RSA key of 1024 bits accepted: the signature timestamp S1.T1 at"),
        "{detail}"
    );
    // The archive timestamp alone is a proof of existence for the signature too.
    let r = verify(
        &add_archive_timestamp(&bb, None, &strong).unwrap(),
        &in_20_years(),
    );
    assert!(r.valid, "{r}");
    let (_, detail) = check_detail(&r.signatures[0], "signature-value");
    assert!(
        detail.contains("accepted: the archive timestamp (v3) S1.T1 at"),
        "{detail}"
    );
    // The default policy (RSA-1024 retired in 2019): INDETERMINATE.
    let r = verify(&lta, &options());
    let s = &r.signatures[0];
    assert!(!r.valid);
    assert_crypto_constraints((s.indication, s.sub_indication), &"");
    let (passed, detail) = check_detail(s, "signature-value");
    assert!(!passed);
    assert!(
        detail.contains("is not before 2019-10-01T00:00:00Z, the sunset date of such keys"),
        "{detail}"
    );
}

// ---------------------------------------------------------------- PAdES ----------

/// `signer-rsa1024`, signing with `openssl dgst` (sigform's software signer refuses keys under
/// 2048 bits).
struct OpensslRsa1024 {
    openssl: std::path::PathBuf,
    identity: SignerIdentity,
}

impl OpensslRsa1024 {
    fn new() -> Option<Self> {
        let openssl = tool("openssl")?;
        let cert =
            CertificateDer::parse_many(&std::fs::read(tv("pki/signer-rsa1024.pem")).unwrap())
                .unwrap()
                .remove(0);
        let chain =
            CertificateDer::parse_many(&std::fs::read(tv("pki/chain.pem")).unwrap()).unwrap();
        Some(Self {
            openssl,
            identity: SignerIdentity::new(cert, chain),
        })
    }
}

impl Signer for OpensslRsa1024 {
    fn identity(&self) -> &SignerIdentity {
        &self.identity
    }
    fn algorithm(&self) -> SignatureAlgorithm {
        SignatureAlgorithm::RsaPkcs1v15 {
            digest: DigestAlgorithm::Sha256,
        }
    }
    fn sign(&self, to_be_signed: &[u8]) -> Result<Vec<u8>, SignerError> {
        let dir = tempdir();
        let (tbs, sig) = (dir.path().join("tbs"), dir.path().join("sig"));
        std::fs::write(&tbs, to_be_signed).unwrap();
        let (ok, out) = run(Command::new(&self.openssl)
            .args(["dgst", "-sha256", "-sign"])
            .arg(tv("pki/signer-rsa1024.key.pem"))
            .arg("-out")
            .arg(&sig)
            .arg(&tbs));
        assert!(ok, "openssl dgst -sign: {out}");
        Ok(std::fs::read(sig).unwrap())
    }
    fn checks_own_signatures(&self) -> bool {
        // The library would refuse to check an RSA-1024 value it made.
        true
    }
}

fn pdf_sign(signer: &dyn Signer, tsa: OpensslTsa) -> Vec<u8> {
    let input = std::fs::read(tv("pdf/qdf.pdf")).unwrap();
    let mut out = Cursor::new(Vec::new());
    let opts = PadesOptions {
        timestamp_authority: Some(SharedTsa(Arc::new(tsa))),
        ..PadesOptions::default()
    };
    sigform::pades::sign::sign(Cursor::new(input), &mut out, signer, &opts).unwrap();
    out.into_inner()
}

fn doc_timestamp(pdf: &[u8], tsa: &OpensslTsa) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    add_document_timestamp(Cursor::new(pdf.to_vec()), &mut out, tsa).unwrap();
    out.into_inner()
}

fn verify_pdf(pdf: &[u8], options: &VerifyOptions) -> ValidationReport {
    sigform::pades::verify_pdf(Cursor::new(pdf.to_vec()), options).unwrap()
}

fn kind(s: &SignatureReport) -> Option<PdfSignatureKind> {
    s.details.as_ref().and_then(|d| d.kind)
}

/// pdfsig (every signature valid; document timestamps are "unknown" to it) and qpdf --check.
fn pdf_judges(pdf: &[u8], signatures: usize) {
    let dir = tempdir();
    let path = dir.path().join("f.pdf");
    std::fs::write(&path, pdf).unwrap();
    if let Some(p) = PdfsigTrusting::new() {
        let report = p.run(&path);
        let sigs: Vec<&str> = pdfsig_signatures(&report)
            .into_iter()
            .filter(|b| !b.contains("Signature Type: unknown"))
            .collect();
        assert_eq!(sigs.len(), signatures, "{report}");
        assert!(
            sigs.iter().all(|s| s.contains("Signature is Valid")),
            "{report}"
        );
    }
    if let Some((ok, out)) = qpdf_check(&path) {
        assert!(ok && !out.contains("WARNING"), "qpdf --check: {out}");
    }
}

#[test]
fn pades_document_timestamp_rescues_a_weak_embedded_timestamp() {
    let (Some((weak, strong)), Some(signer)) = (tsas(), OpensslRsa1024::new()) else {
        return;
    };
    // An RSA-1024 signer, its signature timestamp from the weak TSA: in 20 years nothing
    // proves the signature existed before the sunset.
    let bt = pdf_sign(&signer, weak);
    let r = verify_pdf(&bt, &in_20_years());
    let s = &r.signatures[0];
    assert!(!r.valid);
    assert_crypto_constraints((s.indication, s.sub_indication), &r);
    assert_weak_unrescued(ts(s, TimestampKind::SignatureTimestamp));
    let (_, detail) = check_detail(s, "signature-value");
    assert!(detail.contains("no proof of existence before"), "{detail}");

    // A document timestamp by the strong TSA: valid in 20 years, the embedded token and the
    // signature checked again at its genTime.
    let lta = doc_timestamp(&bt, &strong);
    let r = verify_pdf(&lta, &in_20_years());
    assert!(r.valid, "{r}");
    let s = r
        .signatures
        .iter()
        .find(|s| kind(s) == Some(PdfSignatureKind::Signature))
        .unwrap();
    assert_eq!(s.indication, Indication::TotalPassed);
    assert_eq!(
        ts(s, TimestampKind::SignatureTimestamp).indication,
        Indication::TotalPassed
    );
    assert!(
        s.warnings.iter().any(|w| w.contains(
            "the proof of existence given by a later document timestamp, the document timestamp"
        )),
        "{:?}",
        s.warnings
    );
    pdf_judges(&lta, 1);
}

#[test]
fn pades_weak_signature_timestamp_rescued_for_a_strong_signer() {
    let Some((weak, strong)) = tsas() else { return };
    let signer = test_signer("signer-rsa2048", "pki/chain.pem");
    let bt = pdf_sign(&signer, weak);
    // The signer (valid until 2050) needs no proof; the token is INDETERMINATE on its own.
    let r = verify_pdf(&bt, &in_20_years());
    assert!(r.valid, "{r}");
    assert_weak_unrescued(ts(&r.signatures[0], TimestampKind::SignatureTimestamp));
    let lta = doc_timestamp(&bt, &strong);
    let r = verify_pdf(&lta, &in_20_years());
    assert!(r.valid, "{r}");
    let s = &r.signatures[0];
    let t = ts(s, TimestampKind::SignatureTimestamp);
    assert_eq!(t.indication, Indication::TotalPassed, "{r}");
    assert!(
        s.warnings.iter().any(|w| w.contains("was timestamp")),
        "{:?}",
        s.warnings
    );
    pdf_judges(&lta, 1);
}

#[test]
fn pades_weak_document_timestamp_judged_at_the_next_one() {
    let Some((weak, strong)) = tsas() else { return };
    let signer = test_signer("signer-rsa2048", "pki/chain.pem");
    let signed = {
        let input = std::fs::read(tv("pdf/qdf.pdf")).unwrap();
        let mut out = Cursor::new(Vec::new());
        sigform::pades::sign::sign(
            Cursor::new(input),
            &mut out,
            &signer,
            &PadesOptions::default(),
        )
        .unwrap();
        out.into_inner()
    };
    let one = doc_timestamp(&signed, &weak);
    let doc_ts = |r: &ValidationReport| -> Vec<SignatureReport> {
        r.signatures
            .iter()
            .filter(|s| kind(s) == Some(PdfSignatureKind::DocumentTimestamp))
            .cloned()
            .collect()
    };
    // The weak document timestamp alone, in 20 years: INDETERMINATE, with the sunset.
    let r = verify_pdf(&one, &in_20_years());
    let d = doc_ts(&r);
    assert_eq!(d.len(), 1);
    assert_crypto_constraints((d[0].indication, d[0].sub_indication), &r);
    let (_, detail) = check_detail(&d[0], "signature-value");
    assert!(detail.contains("no proof of existence before"), "{detail}");
    // A strong one after it: the weak one is judged at its genTime.
    let two = doc_timestamp(&one, &strong);
    let r = verify_pdf(&two, &in_20_years());
    assert!(r.valid, "{r}");
    let d = doc_ts(&r);
    assert_eq!(d.len(), 2);
    assert!(
        d.iter().all(|s| s.indication == Indication::TotalPassed),
        "{r}"
    );
    // In signed-revision order: the weak one first.
    let first = &d[0];
    assert!(first.timestamp_time <= d[1].timestamp_time);
    let (passed, detail) = check_detail(first, "signature-value");
    assert!(
        passed && detail.contains("RSA key of 1024 bits acceptable at the validation time"),
        "{detail}"
    );
    assert!(
        first.warnings.iter().any(|w| w.contains(
            "proof of existence given by a later document timestamp, the document timestamp"
        )),
        "{:?}",
        first.warnings
    );
    pdf_judges(&two, 1);
}

/// Tokens larger than the room reserved at first (a TSA that embeds every certificate of the
/// test PKI: 20+ KB): the B-T signature and the document timestamps, including the B-LTA
/// extension that appends its updates in place, are written again with the measured room; the
/// result verifies and the judges accept it (no stale bytes of the first attempt).
#[test]
fn tokens_larger_than_the_reserved_room_are_retried() {
    let (Some(big), Some(big2)) = (
        OpensslTsa::with_large_tokens(),
        OpensslTsa::with_large_tokens(),
    ) else {
        return;
    };
    // Larger than both first reserves (10 KiB for a document timestamp, 12 KiB beside the
    // CMS for a signature timestamp).
    let token = big2.timestamp(DigestAlgorithm::Sha256, &[0u8; 32]).unwrap();
    assert!(token.as_der().len() > 16 * 1024, "{}", token.as_der().len());
    let signer = test_signer("signer-rsa2048", "pki/chain.pem");
    let bt = pdf_sign(&signer, big);
    let dts = doc_timestamp(&bt, &big2);
    let mut lta = Cursor::new(Vec::new());
    sigform::pades::levels::extend(
        Cursor::new(bt.clone()),
        &mut lta,
        Level::BLTA,
        &big2,
        &Default::default(),
    )
    .unwrap();
    let lta = lta.into_inner();
    for (pdf, signatures) in [(&bt, 1), (&dts, 2), (&lta, 2)] {
        let r = verify_pdf(pdf, &options());
        assert_eq!(r.signatures.len(), signatures, "{r}");
        assert!(r.valid, "{r}");
        pdf_judges(pdf, 1);
    }
    assert!(lta.starts_with(&bt), "an extension only appends");
}
