//! PAdES B-T, B-LT and B-LTA (ETSI EN 319 142-1): signing, extension of signed PDFs (ours and
//! pyHanko's), document timestamps and LTA renewal, with certomancer as the TSA and CRL server,
//! judged by pyHanko's AdES validation (`ades_with_time_validation` with the DSS as the only
//! revocation source, `ades_lta_validation`), pdfsig, `qpdf --check` and `openssl ts -verify`.

mod common;

use common::certomancer::Certomancer;
use common::cli::{arg, sigform};
use common::judges::{PdfsigTrusting, pdfsig_signatures, qpdf_check};
use common::{run, tempdir, tool, tv, tv_bytes};
use std::path::{Path, PathBuf};
use std::process::Command;

/// ICP-Brasil's AD-RB policy for PAdES (DOC-ICP-15.03).
const AD_RB_PADES: &str = "2.16.76.1.7.1.11.1.1";

/// A small PDF to sign.
fn input_pdf() -> PathBuf {
    tv("pdf/qdf.pdf")
}

/// The files a test shares: the trust bundle (test root + certomancer's root) and paths.
struct Setup {
    cm: Certomancer,
    dir: tempfile::TempDir,
}

impl Setup {
    fn start() -> Option<Self> {
        let cm = Certomancer::start()?;
        let dir = tempdir();
        let s = Self { cm, dir };
        std::fs::write(s.p("cm-root.pem"), s.cm.root_pem()).unwrap();
        std::fs::write(s.p("cm-interm.pem"), s.cm.intermediate_pem()).unwrap();
        let mut bundle = tv_bytes("pki/root-ca.pem");
        bundle.extend(s.cm.root_pem());
        std::fs::write(s.p("trust.pem"), bundle).unwrap();
        Some(s)
    }

    fn p(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The validation data arguments: the test PKI's CRLs and root, certomancer's root, and
    /// certomancer's CRLs fetched.
    fn revocation_args(&self) -> Vec<String> {
        [
            "--crl",
            arg(&tv("pki/intermediate-ca.crl.der")),
            "--crl",
            arg(&tv("pki/root-ca.crl.pem")),
            "--add-cert",
            arg(&tv("pki/root-ca.pem")),
            "--add-cert",
            arg(&self.p("cm-root.pem")),
            "--fetch-revocation",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    }

    /// `sigform sign pades INPUT -o OUT` with the test signer, and `extra` arguments.
    fn sign(&self, input: &Path, out: &str, extra: &[String]) -> PathBuf {
        let mut args: Vec<String> = [
            "sign",
            "pades",
            arg(input),
            "-o",
            arg(&self.p(out)),
            "--key",
            arg(&tv("pki/signer-rsa2048.key.pem")),
            "--cert",
            arg(&tv("pki/signer-rsa2048.pem")),
            "--chain",
            arg(&tv("pki/chain.pem")),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        args.extend(extra.iter().cloned());
        let (code, _, err) = sigform(&args);
        assert_eq!(code, 0, "sign: {err}");
        self.p(out)
    }

    /// `sigform verify FILE --trust BUNDLE [--at T]` as JSON: (exit code, report).
    fn verify(&self, file: &Path, at: Option<&str>) -> (i32, serde_json::Value) {
        let mut args = vec![
            "verify".to_string(),
            arg(file).into(),
            "--trust".into(),
            arg(&self.p("trust.pem")).into(),
            "--format".into(),
            "json".into(),
        ];
        if let Some(t) = at {
            args.extend(["--at".into(), t.into()]);
        }
        let (code, out, err) = sigform(&args);
        let r = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
        (code, r)
    }
}

/// The `level` of each signature (not document timestamp) of a report.
fn levels(r: &serde_json::Value) -> Vec<String> {
    r["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["details"]["kind"] == "signature")
        .map(|s| s["level"].as_str().unwrap_or("-").to_string())
        .collect()
}

#[test]
fn pades_sign_lta_and_judges() {
    let Some(s) = Setup::start() else {
        return;
    };
    let tsa = s.cm.tsa_url("tsa");
    let mut extra = vec![
        "--tsa".to_string(),
        tsa.clone(),
        "--level".into(),
        "B-LTA".into(),
    ];
    extra.extend(s.revocation_args());
    let lta = s.sign(&input_pdf(), "lta.pdf", &extra);
    let (code, r) = s.verify(&lta, None);
    assert_eq!(code, 0, "{r:#}");
    assert_eq!(levels(&r), ["B-LTA"], "{r:#}");
    pdfsig_and_qpdf(&lta, 1);
    openssl_ts_accepts_tokens(&s, &lta, 2);
    let trust = s.p("trust.pem");
    for mode in ["lta", "lt"] {
        if let Some(res) = pyhanko_ades(mode, &lta, &trust, None) {
            assert!(
                res.len() == 1 && res[0].starts_with("AdESPassed.OK"),
                "{mode}: {res:?}"
            );
        }
    }
    // The judge can fail: a B-T file (no DSS) has no revocation data for pyHanko's B-LT
    // validation without fetching.
    // ICP-Brasil AD-RT: B-T under the AD-RB policy attributes.
    let policy: Vec<String> = [
        "--tsa",
        &tsa,
        "--policy-oid",
        AD_RB_PADES,
        "--policy-hash",
        &"ab".repeat(32),
        "--policy-uri",
        "http://politicas.icpbrasil.gov.br/PA_PAdES_AD_RB_v1_1.der",
    ]
    .iter()
    .map(|a| a.to_string())
    .collect();
    let bt = s.sign(&input_pdf(), "bt.pdf", &policy);
    let (code, r) = s.verify(&bt, None);
    assert_eq!((code, levels(&r)), (0, vec!["B-T".to_string()]), "{r:#}");
    assert_eq!(r["signatures"][0]["policy_oid"], AD_RB_PADES, "{r:#}");
    pdfsig_and_qpdf(&bt, 1);
    if let Some(res) = pyhanko_ades("lt", &bt, &trust, None) {
        assert!(!res[0].starts_with("AdESPassed.OK"), "{res:?}");
    }
}

/// Each `/ByteRange` with the `/Contents` after it in `pdf` (as sigform writes them): the
/// digest of the ranges and the CMS.
fn signed_contents(pdf: &[u8]) -> Vec<(Vec<u8>, Vec<u8>)> {
    let text = String::from_utf8_lossy(pdf);
    let mut out = Vec::new();
    for (at, _) in text.match_indices("/ByteRange [") {
        let rest = &text[at + 12..];
        let nums: Vec<usize> = rest[..rest.find(']').unwrap()]
            .split_whitespace()
            .map(|n| n.parse().unwrap())
            .collect();
        let hex_at = at + rest.find("/Contents <").unwrap() + 12 + 11;
        let hex_end = hex_at + text[hex_at..].find('>').unwrap();
        let der = hex::decode(&text[hex_at..hex_end]).unwrap();
        let (cms, _) = sigform::asn1::tlv::split_first(&der).unwrap();
        let mut signed = pdf[nums[0]..nums[0] + nums[1]].to_vec();
        signed.extend_from_slice(&pdf[nums[2]..nums[2] + nums[3]]);
        out.push((signed, cms.to_vec()));
    }
    out
}

/// `openssl ts -verify` accepts every token of `pdf`: the document timestamps over their byte
/// ranges, and the signature-time-stamps over their signature values; `expected` tokens.
fn openssl_ts_accepts_tokens(s: &Setup, pdf: &Path, expected: usize) {
    let Some(openssl) = tool("openssl") else {
        return;
    };
    let mut checked = 0;
    for (signed, cms) in signed_contents(&std::fs::read(pdf).unwrap()) {
        let der = sigform::asn1::tlv::normalize(&cms).unwrap();
        let sd = sigform::cades::parse::parse_signed_data(&der).unwrap();
        let mut tokens = Vec::new();
        if sd.econtent_type.to_string() == "1.2.840.113549.1.9.16.1.4" {
            tokens.push((
                cms.clone(),
                sigform::DigestAlgorithm::Sha256.digest(&signed),
            ));
        }
        let ts_oid = "1.2.840.113549.1.9.16.2.14".parse().unwrap();
        for si in &sd.signer_infos {
            for a in si.unsigned_attr(&ts_oid) {
                for v in &a.values {
                    let d = sigform::DigestAlgorithm::Sha256.digest(si.signature);
                    tokens.push((v.to_vec(), d));
                }
            }
        }
        for (token, digest) in tokens {
            let t = s.p("token.der");
            std::fs::write(&t, &token).unwrap();
            let (ok, out) = run(Command::new(&openssl)
                .args(["ts", "-verify", "-token_in", "-in"])
                .arg(&t)
                .args(["-digest", &hex::encode(&digest), "-CAfile"])
                .arg(s.p("cm-root.pem"))
                .arg("-untrusted")
                .arg(s.p("cm-interm.pem")));
            assert!(ok && out.contains("Verification: OK"), "openssl ts: {out}");
            checked += 1;
        }
    }
    assert_eq!(checked, expected);
}

/// pyHanko's AdES validation of every signature (not document timestamp) of a PDF, trusting
/// the roots of `trust` (PEM bundle), never fetching: `lt` runs `ades_with_time_validation`
/// with the DSS (and the CMS's own data) as the only validation data; `lta` runs
/// `ades_lta_validation`. Prints one `RESULT <indication>` line per signature.
const PYHANKO_ADES: &str = r#"
import asyncio, sys, dataclasses
from datetime import datetime, timezone
from asn1crypto import pem, x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import ades
from pyhanko.sign.validation.policy_decl import (
    PdfSignatureValidationSpec, SignatureValidationSpec, RevocationInfoGatheringSpec,
    RevinfoOnlineFetchingRule, CertificateFetchingRule, bootstrap_validation_data_handlers)
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.policy_decl import CertRevTrustPolicy, REQUIRE_REVINFO
from pyhanko_certvalidator.registry import SimpleTrustManager
from pyhanko_certvalidator.ltv.types import ValidationTimingInfo

mode, path, trust = sys.argv[1], sys.argv[2], sys.argv[3]
roots = [x509.Certificate.load(der) for _, _, der in pem.unarmor(open(trust, 'rb').read(), multiple=True)]
policy = CertValidationPolicySpec(
    trust_manager=SimpleTrustManager.build(trust_roots=roots),
    revinfo_policy=CertRevTrustPolicy(REQUIRE_REVINFO))
spec = SignatureValidationSpec(
    cert_validation_policy=policy,
    revinfo_gathering_policy=RevocationInfoGatheringSpec(
        online_fetching_rule=RevinfoOnlineFetchingRule.LOCAL_ONLY,
        certificate_fetching_rule=CertificateFetchingRule.NEVER_FETCH))
timing = ValidationTimingInfo.now(tz=timezone.utc)
if len(sys.argv) > 4:
    t = datetime.fromisoformat(sys.argv[4])
    timing = ValidationTimingInfo(t, t, point_in_time_validation=True)

async def with_time(sig):
    dss = ades._dss_to_local_knowledge(reader=sig.reader)
    s = dataclasses.replace(spec, local_knowledge=dss)
    vdh = bootstrap_validation_data_handlers(spec=s, timing_info=timing)
    return await ades.ades_with_time_validation(
        signed_data=sig.signed_data, validation_spec=s, timing_info=timing,
        validation_data_handlers=vdh, raw_digest=sig.compute_digest())

async def main():
    r = PdfFileReader(open(path, 'rb'))
    for sig in r.embedded_regular_signatures:
        if mode == 'lt':
            res = await with_time(sig)
        else:
            res = await ades.ades_lta_validation(sig, PdfSignatureValidationSpec(spec), timing_info=timing)
        print('RESULT', res.ades_subindic, res.failure_msg or '')
asyncio.run(main())
"#;

/// pyHanko's AdES verdicts (`mode`: `lt` or `lta`) on `pdf`, or `None` when pyHanko is missing.
fn pyhanko_ades(mode: &str, pdf: &Path, trust: &Path, at: Option<&str>) -> Option<Vec<String>> {
    let pyhanko = tool("pyhanko")?;
    let mut cmd = Command::new(pyhanko.with_file_name("python"));
    cmd.arg("-c")
        .arg(PYHANKO_ADES)
        .args([mode, arg(pdf), arg(trust)]);
    cmd.args(at);
    let (ok, out) = run(&mut cmd);
    assert!(ok, "pyHanko AdES validation did not run: {out}");
    Some(
        out.lines()
            .filter_map(|l| l.strip_prefix("RESULT "))
            .map(str::to_string)
            .collect(),
    )
}

/// The judges on a PAdES file: every signature (pdfsig cannot check document timestamps: it
/// calls their type "unknown") valid for pdfsig, `qpdf --check` clean.
fn pdfsig_and_qpdf(pdf: &Path, signatures: usize) {
    if let Some(p) = PdfsigTrusting::new() {
        let report = p.run(pdf);
        let sigs: Vec<&str> = pdfsig_signatures(&report)
            .into_iter()
            .filter(|b| !b.contains("Signature Type: unknown"))
            .collect();
        assert_eq!(sigs.len(), signatures, "{report}");
        for s in sigs {
            assert!(s.contains("Signature is Valid"), "{report}");
        }
    }
    if let Some((ok, out)) = qpdf_check(pdf) {
        assert!(ok && !out.contains("WARNING"), "qpdf --check: {out}");
    }
}

/// certomancer's TSA `label` with its clock at `at`.
fn tsa_at(s: &Setup, label: &str, at: &str) -> sigform::tsp::HttpTimestampAuthority {
    sigform::tsp::HttpTimestampAuthority::new(s.cm.tsa_url(label))
        .unwrap()
        .with_header("X-Certomancer-Fake-Time", at)
}

/// The validation data of certomancer's chain (root, CRLs fetched now) and the test PKI's.
fn validation_data(s: &Setup, pdf: &[u8]) -> sigform::pades::levels::ValidationData {
    use sigform::pades::levels::{ValidationData, certificates_to_validate};
    let mut certs = certificates_to_validate(std::io::Cursor::new(pdf)).unwrap();
    let mut data = ValidationData::default();
    for pem in [s.cm.root_pem(), tv_bytes("pki/root-ca.pem")] {
        for c in sigform::CertificateDer::parse_many(&pem).unwrap() {
            data.certificates.push(c.der().to_vec());
        }
    }
    certs.extend(data.certificates.iter().cloned());
    let fetched = sigform::x509::fetch::fetch_revocation(&certs);
    data.crls = fetched.crls;
    data.crls.push(tv_bytes("pki/intermediate-ca.crl.der"));
    data.crls.push(tv_bytes("pki/root-ca.crl.pem"));
    data
}

/// `pdf` extended to `level` in memory with `tsa`.
fn extend_with(
    s: &Setup,
    pdf: &[u8],
    level: sigform::report::Level,
    tsa: &dyn sigform::tsp::TimestampAuthority,
) -> Vec<u8> {
    let data = validation_data(s, pdf);
    let mut out = std::io::Cursor::new(Vec::new());
    sigform::pades::levels::extend(std::io::Cursor::new(pdf), &mut out, level, tsa, &data).unwrap();
    out.into_inner()
}

/// The report entries of the document timestamps.
fn doc_timestamps(r: &serde_json::Value) -> Vec<&serde_json::Value> {
    r["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["details"]["kind"] == "document-timestamp")
        .collect()
}

#[test]
fn pades_extend_renew_and_tamper() {
    let Some(s) = Setup::start() else {
        return;
    };
    let tsa = s.cm.tsa_url("tsa");
    // Ours at B-B, extended by the CLI to B-LTA (a document timestamp for B-T first: pyHanko's
    // AdES validation wants a signature timestamp in the CMS, so only ours judges the level),
    // and ours at B-T extended to B-LTA (pyHanko's ades_lta_validation judges it).
    let bb = s.sign(&input_pdf(), "bb.pdf", &[]);
    let bt = s.sign(&input_pdf(), "bt.pdf", &["--tsa".into(), tsa.clone()]);
    for (input, out, doc_ts) in [(&bb, "ext.pdf", 2), (&bt, "ext-bt.pdf", 1)] {
        let mut args: Vec<String> = [
            "extend",
            arg(input),
            "-o",
            arg(&s.p(out)),
            "--level",
            "B-LTA",
            "--tsa",
            &tsa,
        ]
        .iter()
        .map(|a| a.to_string())
        .collect();
        args.extend(s.revocation_args());
        let (code, _, err) = sigform(&args);
        assert_eq!(code, 0, "{err}");
        let (code, r) = s.verify(&s.p(out), None);
        assert_eq!((code, levels(&r)), (0, vec!["B-LTA".to_string()]), "{r:#}");
        assert_eq!(doc_timestamps(&r).len(), doc_ts, "{r:#}");
        pdfsig_and_qpdf(&s.p(out), 1);
    }
    if let Some(res) = pyhanko_ades("lta", &s.p("ext-bt.pdf"), &s.p("trust.pem"), None) {
        assert!(res[0].starts_with("AdESPassed.OK"), "{res:?}");
    }

    // `sigform timestamp`: one more document timestamp.
    let (code, _, err) = sigform(&[
        "timestamp",
        arg(&bb),
        "-o",
        arg(&s.p("ts.pdf")),
        "--tsa",
        &tsa,
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, r) = s.verify(&s.p("ts.pdf"), None);
    assert_eq!((code, levels(&r)), (0, vec!["B-T".to_string()]), "{r:#}");

    // LTA renewed twice (at 2030 by `tsa`, whose certificate ends 2045; at 2044 by `tsa2`,
    // valid to 2049): valid in 2046, past the end of the first TSA certificate, the newest
    // document timestamp giving the older ones their proof of existence.
    use sigform::report::Level;
    let first = std::fs::read(s.p("ext.pdf")).unwrap();
    let once = extend_with(
        &s,
        &first,
        Level::BLTA,
        &tsa_at(&s, "tsa", "2030-01-01T00:00:00+00:00"),
    );
    let twice = extend_with(
        &s,
        &once,
        Level::BLTA,
        &tsa_at(&s, "tsa2", "2044-06-01T00:00:00+00:00"),
    );
    std::fs::write(s.p("renewed.pdf"), &twice).unwrap();
    let (code, r) = s.verify(&s.p("renewed.pdf"), Some("2046-01-01T00:00:00Z"));
    assert_eq!((code, levels(&r)), (0, vec!["B-LTA".to_string()]), "{r:#}");
    assert_eq!(doc_timestamps(&r).len(), 4, "{r:#}");
    pdfsig_and_qpdf(&s.p("renewed.pdf"), 1);

    // Tampering: a byte of the last document timestamp's token (its signature), a byte of a
    // DSS entry, a byte covered by the document timestamps (their imprint): each fails.
    let lta = std::fs::read(s.p("ext.pdf")).unwrap();
    let contents = signed_contents(&lta);
    let (_, last_token) = contents.last().unwrap();
    let at = find(
        &lta,
        &hex::encode(&last_token[last_token.len() - 8..]).into_bytes(),
    );
    let mut bad_token = lta.clone();
    bad_token[at] = if bad_token[at] == b'0' { b'1' } else { b'0' };
    let bad_dss = {
        let mut b = lta.clone();
        let at = find(&b, b"/Type /DSS").max(find(&b, b"/Type/DSS"));
        let stream = at + find(&b[at..], b"stream\r\n") + 20;
        b[stream] ^= 0x01;
        b
    };
    for (name, bytes, sub) in [
        ("bad-token.pdf", bad_token, "SIG_CRYPTO_FAILURE"),
        ("bad-dss.pdf", bad_dss, "HASH_FAILURE"),
    ] {
        std::fs::write(s.p(name), &bytes).unwrap();
        let (code, r) = s.verify(&s.p(name), None);
        assert_eq!(code, 1, "{name}: {r:#}");
        let ts = doc_timestamps(&r);
        assert!(
            ts.iter()
                .any(|t| t["indication"] == "TOTAL_FAILED" && t["sub_indication"] == sub),
            "{name}: {r:#}"
        );
    }
}

/// Where `needle` first is in `hay` (0 when absent: the tests then fail on their asserts).
fn find(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len())
        .position(|w| w == needle)
        .unwrap_or(0)
}

/// `pyhanko sign addsig ... pemder` with certomancer's signer (its own certificate, the test
/// PKI's key) and `extra` options (e.g. `--use-pades-lta`), or `None` when pyHanko is missing.
fn pyhanko_sign(s: &Setup, input: &Path, out: &str, extra: &[&str]) -> Option<PathBuf> {
    let pyhanko = tool("pyhanko")?;
    std::fs::write(
        s.p("cm-signer.pem"),
        s.cm.get("/sigform/certs/interm/issued/signer.cert.pem"),
    )
    .unwrap();
    let (ok, log) = run(Command::new(pyhanko)
        .args(["sign", "addsig", "--field", "PyHankoSig"])
        .args(extra)
        .args(["pemder", "--no-pass", "--key"])
        .arg(tv("pki/signer-rsa2048.key.pem"))
        .arg("--cert")
        .arg(s.p("cm-signer.pem"))
        .arg("--chain")
        .arg(s.p("cm-interm.pem"))
        .arg(input)
        .arg(s.p(out)));
    assert!(ok, "pyhanko addsig: {log}");
    Some(s.p(out))
}

#[test]
fn pades_other_tools_lta_and_proof_of_existence() {
    let Some(s) = Setup::start() else {
        return;
    };
    let tsa = s.cm.tsa_url("tsa");
    // pyHanko's own B-LTA: our verifier gives it its level.
    if let Some(lta) = pyhanko_sign(
        &s,
        &input_pdf(),
        "pyhanko-lta.pdf",
        &[
            "--timestamp-url",
            &tsa,
            "--with-validation-info",
            "--use-pades-lta",
            "--trust",
            arg(&s.p("cm-root.pem")),
            "--trust-replace",
        ],
    ) {
        let (code, r) = s.verify(&lta, None);
        assert_eq!((code, levels(&r)), (0, vec!["B-LTA".to_string()]), "{r:#}");
    }
    // pyHanko's B-B, extended by us to B-LTA: our verifier and pdfsig accept it.
    if let Some(bb) = pyhanko_sign(&s, &input_pdf(), "pyhanko-bb.pdf", &[]) {
        let mut args: Vec<String> = [
            "extend",
            arg(&bb),
            "-o",
            arg(&s.p("pyhanko-ext.pdf")),
            "--level",
            "B-LTA",
            "--tsa",
            &tsa,
        ]
        .iter()
        .map(|a| a.to_string())
        .collect();
        args.extend(s.revocation_args());
        let (code, _, err) = sigform(&args);
        assert_eq!(code, 0, "{err}");
        let (code, r) = s.verify(&s.p("pyhanko-ext.pdf"), None);
        assert_eq!((code, levels(&r)), (0, vec!["B-LTA".to_string()]), "{r:#}");
        pdfsig_and_qpdf(&s.p("pyhanko-ext.pdf"), 1);
    }

    // Two-step signing with a TSA: the timestamp is added at finish.
    {
        use sigform::Signer as _;
        let signer = common::test_signer("signer-rsa2048", "pki/chain.pem");
        let options = sigform::pades::sign::PadesOptions {
            timestamp_authority: Some(sigform::cades::SharedTsa(std::sync::Arc::new(tsa_at(
                &s,
                "tsa",
                "2030-01-01T00:00:00+00:00",
            )))),
            ..Default::default()
        };
        let mut out = std::io::Cursor::new(Vec::new());
        let input = std::fs::File::open(input_pdf()).unwrap();
        let prepared = sigform::pades::sign::prepare(
            input,
            &mut out,
            signer.identity(),
            signer.algorithm(),
            &options,
        )
        .unwrap();
        let value = signer.sign(&prepared.to_be_signed).unwrap();
        let tsa = tsa_at(&s, "tsa", "2030-01-01T00:00:00+00:00");
        sigform::pades::sign::finish_timestamped(&mut out, &prepared.state, &value, &tsa).unwrap();
        std::fs::write(s.p("two-step.pdf"), out.into_inner()).unwrap();
        let (code, r) = s.verify(&s.p("two-step.pdf"), None);
        assert_eq!((code, levels(&r)), (0, vec!["B-T".to_string()]), "{r:#}");
        assert!(
            r["signatures"][0]["timestamp_time"]
                .as_str()
                .unwrap()
                .starts_with("2030-01-01"),
            "{r:#}"
        );
    }

    // A real-world PDF (DSS's, signed by another tool) extended to B-T: a document timestamp
    // that does not disturb its signature.
    if let Some(rw) = common::corpus::shared("corpus/realworld/files/dss_pdf-signed-original.pdf") {
        let (_, before) = s.verify(&rw, None);
        let (code, _, err) = sigform(&[
            "extend",
            arg(&rw),
            "-o",
            arg(&s.p("rw-bt.pdf")),
            "--level",
            "B-T",
            "--tsa",
            &tsa,
        ]);
        assert_eq!(code, 0, "{err}");
        let (_, after) = s.verify(&s.p("rw-bt.pdf"), None);
        let sig = |r: &serde_json::Value| r["signatures"][0].clone();
        assert_eq!(
            sig(&after)["indication"],
            sig(&before)["indication"],
            "{after:#}"
        );
        assert_eq!(levels(&after), ["B-T"], "{after:#}");
        assert_eq!(
            doc_timestamps(&after)[0]["indication"],
            "TOTAL_PASSED",
            "{after:#}"
        );
    }

    // Proof of existence of a PAdES B-T signature (the TSA's clock moved): a signer
    // certificate that ends in 2050 is valid in 2051 with a 2044 timestamp; signer-revoked
    // (revoked 2025-06-01) is valid with a timestamp before that and fails with one after.
    for (signer, at, verify_at, valid) in [
        (
            "signer-rsa2048",
            "2044-06-01T12:00:00+00:00",
            "2051-01-01T00:00:00Z",
            true,
        ),
        (
            "signer-revoked",
            "2024-12-01T12:00:00+00:00",
            "2026-01-01T00:00:00Z",
            true,
        ),
        (
            "signer-revoked",
            "2025-09-01T12:00:00+00:00",
            "2026-01-01T00:00:00Z",
            false,
        ),
    ] {
        let options = sigform::pades::sign::PadesOptions {
            timestamp_authority: Some(sigform::cades::SharedTsa(std::sync::Arc::new(tsa_at(
                &s, "tsa", at,
            )))),
            ..Default::default()
        };
        let out = s.p(&format!("{signer}-{valid}.pdf"));
        let signer = common::test_signer(signer, "pki/chain.pem");
        sigform::pades::sign::sign_file(input_pdf(), &out, &signer, &options).unwrap();
        let args = vec![
            "verify".to_string(),
            arg(&out).into(),
            "--trust".into(),
            arg(&s.p("trust.pem")).into(),
            "--crl".into(),
            arg(&tv("pki/intermediate-ca.crl.der")).into(),
            "--at".into(),
            verify_at.into(),
            "--format".into(),
            "json".into(),
        ];
        let (code, stdout, err) = sigform(&args);
        let r: serde_json::Value =
            serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {err}"));
        if valid {
            assert_eq!((code, levels(&r)), (0, vec!["B-T".to_string()]), "{r:#}");
        } else {
            assert_eq!(code, 1, "{r:#}");
            assert_eq!(
                r["signatures"][0]["sub_indication"], "REVOKED_NO_POE",
                "{r:#}"
            );
        }
    }
}

#[test]
fn package_with_timestamps_reports_levels() {
    let Some(s) = Setup::start() else {
        return;
    };
    let tsa = s.cm.tsa_url("tsa");
    let pki = |n: &str| tv(&format!("pki/{n}"));
    let doc = tv("docs/sample.txt");
    let p7s = s.p("sample.txt.p7s");
    let (code, _, err) = sigform(&[
        "sign",
        "cades",
        arg(&doc),
        "-o",
        arg(&p7s),
        "--key",
        arg(&pki("icp-pf.key.pem")),
        "--cert",
        arg(&pki("icp-pf.pem")),
        "--chain",
        arg(&pki("intermediate-ca.pem")),
    ]);
    assert_eq!(code, 0, "{err}");
    std::fs::write(
        s.p("plan.json"),
        r#"{"participants": [{"step": 1, "kind": "digital", "name": "João da Silva", "cpf": "52998224725"}]}"#,
    )
    .unwrap();
    let (code, _, err) = sigform(&[
        "package",
        "build",
        "--document",
        arg(&doc),
        "--signature",
        arg(&p7s),
        "--format",
        "cades-detached",
        "--plan",
        arg(&s.p("plan.json")),
        "--seal-key",
        arg(&pki("icp-pj.key.pem")),
        "--seal-cert",
        arg(&pki("icp-pj.pem")),
        "--seal-chain",
        arg(&pki("intermediate-ca.pem")),
        "--tsa",
        &tsa,
        "-o",
        arg(&s.p("pkg.zip")),
    ]);
    assert_eq!(code, 0, "{err}");
    let verify = |format: &str| {
        sigform(&[
            "package",
            "verify",
            arg(&s.p("pkg.zip")),
            "--trust",
            arg(&s.p("trust.pem")),
            "--format",
            format,
        ])
    };
    let (code, out, err) = verify("json");
    assert_eq!(code, 0, "{out}{err}");
    let r: serde_json::Value = serde_json::from_str(&out).unwrap();
    for part in ["signatures", "seal", "manifest_pdf"] {
        assert_eq!(r[part]["signatures"][0]["level"], "B-T", "{part}: {out}");
    }
    let (_, out, _) = verify("text");
    assert!(out.contains("levels:     S1 B-T"), "{out}");
    assert!(out.contains("TOTAL_PASSED, B-T, by"), "{out}");
}
