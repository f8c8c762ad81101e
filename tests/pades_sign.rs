//! PAdES signing judged by other implementations: pdfsig (poppler, NSS trust), pyHanko, qpdf,
//! lopdf, and what a person sees (pdftotext text and pdftoppm pixels unchanged).

mod common;
use common::*;
use sigform::pades::sign::{self as pades, Certification, PadesOptions, SubFilter, Visible};
use sigform::signer::{Signer, SoftwareSigner};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

fn signer(name: &str) -> SoftwareSigner {
    test_signer(name, "pki/chain.pem")
}

fn corpus() -> Option<PathBuf> {
    corpus_pdf("")
}

struct Judges {
    dir: tempfile::TempDir,
    pdfsig: Option<PdfsigTrusting>,
}

impl Judges {
    fn new() -> Self {
        Judges {
            dir: tempdir(),
            pdfsig: PdfsigTrusting::new(),
        }
    }

    /// pdfsig: every earlier signature keeps the verdict it had in `input`, the last one is
    /// valid, trusted and covers the whole document.
    fn pdfsig(&self, pdf: &Path, expected: usize) {
        self.pdfsig_vs(None, pdf, expected)
    }

    fn pdfsig_vs(&self, input: Option<&Path>, pdf: &Path, expected: usize) {
        let Some(pdfsig) = &self.pdfsig else {
            return;
        };
        let verdicts = |p: &Path| -> (Vec<String>, String) {
            let out = pdfsig.run(p);
            let v = pdfsig_signatures(&out)
                .into_iter()
                .map(|b| {
                    b.lines()
                        .find(|l| l.contains("Signature Validation"))
                        .unwrap_or("")
                        .to_string()
                })
                .collect();
            (v, out)
        };
        let (after, out) = verdicts(pdf);
        assert_eq!(
            after.len(),
            expected,
            "pdfsig saw {} signatures in {}:\n{out}",
            after.len(),
            pdf.display()
        );
        // earlier signatures keep their verdicts
        let mut remaining = after.clone();
        if let Some(i) = input {
            for v in verdicts(i).0 {
                let pos = remaining.iter().position(|a| *a == v);
                assert!(
                    pos.is_some(),
                    "an earlier signature changed verdict ({v}):\n{out}"
                );
                remaining.remove(pos.unwrap());
            }
        }
        // ours: valid, trusted, whole document
        let ours = out.split("Signature #").skip(1).any(|b| {
            b.contains("Signature is Valid")
                && b.contains("Certificate is Trusted")
                && b.contains("Total document signed")
        });
        assert!(
            ours,
            "pdfsig found no valid, trusted, whole-document signature:\n{out}"
        );
        if input.is_none() {
            assert!(
                after.iter().all(|v| v.contains("Signature is Valid")),
                "{out}"
            );
        }
    }

    /// pyHanko: our signature INTACT:TRUSTED with no disallowed modification; earlier ones
    /// (from other CAs) keep the integrity verdict they had and gain no illegal modification.
    fn pyhanko(&self, pdf: &Path, hybrid: bool) {
        self.pyhanko_vs(None, pdf, hybrid)
    }

    fn pyhanko_lines(&self, pdf: &Path, hybrid: bool) -> Option<(Vec<(String, String)>, String)> {
        let mut args = Vec::new();
        if hybrid {
            args.push(OsStr::new("--no-strict-syntax"));
        }
        args.push(pdf.as_os_str());
        let (_, out) = pyhanko_validate(&args)?;
        // One line per signature: FIELD:SHA256-OF-CERT:VERDICT
        let lines = out
            .lines()
            .filter_map(|l| {
                let mut parts = l.splitn(3, ':');
                let (field, hash, verdict) = (parts.next()?, parts.next()?, parts.next()?);
                (hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
                    .then(|| (field.to_string(), verdict.to_string()))
            })
            .collect();
        Some((lines, out))
    }

    fn pyhanko_vs(&self, input: Option<&Path>, pdf: &Path, hybrid: bool) {
        let Some((lines, out)) = self.pyhanko_lines(pdf, hybrid) else {
            return;
        };
        assert!(
            !lines.is_empty(),
            "pyHanko printed no verdict for {}:\n{out}",
            pdf.display()
        );
        let before: Vec<(String, String)> = match input {
            Some(i) => self
                .pyhanko_lines(i, hybrid)
                .map(|x| x.0)
                .unwrap_or_default(),
            None => Vec::new(),
        };
        let mut ours = 0;
        for (field, verdict) in &lines {
            match before.iter().find(|(f, _)| f == field) {
                Some((_, old)) => {
                    let intact = |v: &str| v.starts_with("INTACT");
                    assert_eq!(
                        intact(old),
                        intact(verdict),
                        "{field} changed integrity verdict: {old} -> {verdict}"
                    );
                    assert!(
                        !verdict.contains("ILLEGAL_MODIFICATIONS"),
                        "{field}: {verdict}\n{out}"
                    );
                }
                None => {
                    assert!(
                        verdict.starts_with("INTACT:TRUSTED"),
                        "pyHanko: {field}: {verdict}\n{out}"
                    );
                    assert!(
                        verdict.contains("UNTOUCHED")
                            || verdict.contains("ACCEPTABLE_MODIFICATIONS"),
                        "pyHanko: {verdict}"
                    );
                    ours += 1;
                }
            }
        }
        assert!(
            ours >= 1,
            "pyHanko: no new trusted signature in {}:\n{out}",
            pdf.display()
        );
    }

    fn qpdf(&self, input: &Path, output: &Path) {
        let (Some((input_ok, _)), Some((ok, out))) = (qpdf_check(input), qpdf_check(output)) else {
            return;
        };
        if input_ok {
            assert!(ok, "qpdf --check on {}: {out}", output.display());
        }
    }

    /// What a person sees: the same text and the same pixels (invisible signatures only).
    fn same_rendering(&self, input: &Path, output: &Path) {
        let (Some(pdftotext), Some(pdftoppm)) = (tool("pdftotext"), tool("pdftoppm")) else {
            return;
        };
        let text = |p: &Path| run(Command::new(&pdftotext).arg(p).arg("-")).1;
        assert_eq!(
            text(input),
            text(output),
            "pdftotext differs for {}",
            input.display()
        );
        let render = |p: &Path, tag: &str| -> Vec<Vec<u8>> {
            let prefix = self.dir.path().join(tag);
            let (_, _) = run(Command::new(&pdftoppm)
                .args(["-r", "30", "-png"])
                .arg(p)
                .arg(&prefix));
            let mut pages: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| {
                    p.file_name()
                        .unwrap()
                        .to_string_lossy()
                        .starts_with(&format!("{tag}-"))
                })
                .collect();
            pages.sort();
            let data = pages.iter().map(|p| std::fs::read(p).unwrap()).collect();
            for p in pages {
                std::fs::remove_file(p).unwrap();
            }
            data
        };
        let a = render(input, "in");
        let b = render(output, "out");
        assert_eq!(
            a.len(),
            b.len(),
            "page count differs for {}",
            input.display()
        );
        assert!(a == b, "pdftoppm pixels differ for {}", input.display());
    }

    fn lopdf(&self, input: &Path, output: &Path) {
        if lopdf::Document::load(input).is_ok() {
            lopdf::Document::load(output)
                .unwrap_or_else(|e| panic!("lopdf cannot load {}: {e}", output.display()));
        }
    }
}

fn has_empty_signature_field(pdf: &Path) -> bool {
    pdfsig_untrusted(pdf).is_some_and(|out| out.contains("is not signed"))
}

fn pdfsig_count(pdf: &Path) -> usize {
    pdfsig_untrusted(pdf).map_or(0, |out| pdfsig_signatures(&out).len())
}

fn sign_to(
    input: &Path,
    output: &Path,
    s: &dyn Signer,
    opts: &PadesOptions,
) -> sigform::Result<()> {
    pades::sign_file(input, output, s, opts)
}

#[test]
fn corpus_files_sign_and_every_judge_accepts() {
    let Some(corpus) = corpus() else { return };
    let j = Judges::new();
    let s = signer("signer-rsa2048");
    let mut files: Vec<PathBuf> = [
        "minimal.pdf",
        "minimal-two-pages.pdf",
        "minimal-with-field.pdf",
        "minimal-two-fields.pdf",
        "minimal-one-field-indir-annots.pdf",
        "empty-a4.pdf",
        "fontembed.pdf",
        "no-mediabox.pdf",
        "minimal-with-simple-form.pdf",
        "minimal-with-textfield-group.pdf",
        "minimal-with-textfield-group-var.pdf",
        "minimal-pdf-ua-and-a.pdf",
        "minimal-two-fields-tagged.pdf",
        "minimal-with-field-tagged.pdf",
        "info-bin-producer-string.pdf",
        "pdf-background-test.pdf",
        "uncompressed-objstream-sample.pdf",
        "safedocs/CompactedPDFSyntaxTest.pdf",
        "minimal-xref.pdf",
        "minimal-hybrid-xref.pdf",
        "minimal-hybrid-xref-mswordstyle.pdf",
        "minimal-hybrid-xref-weirdgen.pdf",
        "minimal-signed-twice-both-created.pdf",
        "minimal-signed-twice-no-sig-type.pdf",
        "minimal-signed-twice-second-created.pdf",
        "minimal-two-fields-signed-twice.pdf",
        "pades-lta-dss-indirect-arrs-test.pdf",
        "pades-lta-dss-indirect-arrs-test-2.pdf",
        "pades-with-old-style-signing-cert-attr.pdf",
        "pades-with-old-style-signing-cert-attr-issser.pdf",
        "sig-with-ski-sid.pdf",
        "pdf-sig-with-econtent.pdf",
        "sig-no-signed-attrs.pdf",
    ]
    .iter()
    .map(|f| corpus.join(f))
    .collect();
    let mut layout: Vec<PathBuf> = std::fs::read_dir(corpus.join("layout-tests"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    layout.sort();
    files.extend(layout);
    let mut failures = Vec::new();
    for (i, input) in files.iter().enumerate() {
        let output = j.dir.path().join(format!("signed-{i}.pdf"));
        let before = pdfsig_count(input);
        let fills_existing_field = has_empty_signature_field(input);
        if let Err(e) = sign_to(input, &output, &s, &PadesOptions::default()) {
            failures.push(format!("{}: {e}", input.display()));
            continue;
        }
        let hybrid = input
            .file_name()
            .unwrap()
            .to_string_lossy()
            .contains("hybrid");
        let original = std::fs::read(input).unwrap();
        let signed = std::fs::read(&output).unwrap();
        assert_eq!(
            &signed[..original.len()],
            &original[..],
            "original bytes are a prefix"
        );
        j.pdfsig_vs(Some(input), &output, before + 1);
        j.pyhanko_vs(Some(input), &output, hybrid);
        j.qpdf(input, &output);
        j.lopdf(input, &output);
        if !fills_existing_field {
            // an existing visible field now shows the signature; otherwise nothing changes
            j.same_rendering(input, &output);
        }
    }
    assert!(
        failures.is_empty(),
        "could not sign:\n{}",
        failures.join("\n")
    );
}

#[test]
fn twice_signed_visible_certified_two_step() {
    let j = Judges::new();
    let input = tv("docs/sample-2pages.pdf");
    let d = j.dir.path();
    // certified (P=2) first signature, then a visible second signer with a PNG graphism
    let certified = d.join("certified.pdf");
    let opts = PadesOptions {
        certify: Some(Certification::FormFilling),
        reason: Some("Aprovação".into()),
        ..Default::default()
    };
    sign_to(&input, &certified, &signer("signer-rsa2048"), &opts).unwrap();
    j.pdfsig(&certified, 1);
    j.pyhanko(&certified, false);
    j.same_rendering(&input, &certified);
    let png = {
        let mut out = Vec::new();
        let mut enc = png::Encoder::new(&mut out, 40, 20);
        enc.set_color(png::ColorType::Rgba);
        enc.set_depth(png::BitDepth::Eight);
        let mut w = enc.write_header().unwrap();
        let data: Vec<u8> = (0..40 * 20)
            .flat_map(|i| [0u8, 0, 128, if i % 3 == 0 { 255 } else { 0 }])
            .collect();
        w.write_image_data(&data).unwrap();
        drop(w);
        out
    };
    // after a certification, a further (invisible) approval signature
    let second = d.join("second.pdf");
    sign_to(
        &certified,
        &second,
        &signer("signer-rsa3072"),
        &PadesOptions::default(),
    )
    .unwrap();
    j.pdfsig(&second, 2);
    j.pyhanko(&second, false);
    j.same_rendering(&input, &second);
    // a visible signature with a graphism on an uncertified document, then another signer
    let visible = d.join("visible.pdf");
    let opts = PadesOptions {
        visible: Some(Visible {
            page: 2,
            rect: [300.0, 40.0, 560.0, 110.0],
            image_png: Some(png),
            lines: None,
        }),
        reason: Some("Concordo".into()),
        location: Some("São Paulo".into()),
        ..Default::default()
    };
    sign_to(&input, &visible, &signer("icp-pf"), &opts).unwrap();
    j.pdfsig(&visible, 1);
    j.pyhanko(&visible, false);
    j.qpdf(&input, &visible);
    j.lopdf(&input, &visible);
    // adbe.pkcs7.detached, P-384, a third signature
    let third = d.join("third.pdf");
    let opts = PadesOptions {
        subfilter: SubFilter::AdbePkcs7Detached,
        ..Default::default()
    };
    sign_to(&visible, &third, &signer("signer-p384"), &opts).unwrap();
    j.pdfsig(&third, 2);
    j.pyhanko(&third, false);
    // two-step: prepare writes the file, a remote party signs the digest, finish fills it
    let s = signer("signer-p256");
    let two = d.join("two-step.pdf");
    let mut out = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(&two)
        .unwrap();
    let prepared = pades::prepare(
        std::fs::File::open(&input).unwrap(),
        &mut out,
        s.identity(),
        s.algorithm(),
        &PadesOptions::default(),
    )
    .unwrap();
    let json = serde_json::to_string(&prepared.state).unwrap();
    let state: pades::PdfSigningState = serde_json::from_str(&json).unwrap();
    let value = s
        .key()
        .sign_digest(s.algorithm(), &prepared.digest)
        .unwrap();
    pades::finish(&mut out, &state, &value).unwrap();
    drop(out);
    j.pdfsig(&two, 1);
    j.pyhanko(&two, false);
    j.same_rendering(&input, &two);
}

#[test]
fn files_that_cannot_be_signed_give_typed_errors() {
    let j = Judges::new();
    let s = signer("signer-rsa2048");
    let d = j.dir.path();
    // P=1 certified: no further signature
    let p1 = d.join("p1.pdf");
    sign_to(
        &tv("docs/sample-2pages.pdf"),
        &p1,
        &s,
        &PadesOptions {
            certify: Some(Certification::NoChanges),
            ..Default::default()
        },
    )
    .unwrap();
    j.pdfsig(&p1, 1);
    let err = sign_to(&p1, &d.join("x.pdf"), &s, &PadesOptions::default()).unwrap_err();
    assert!(matches!(err, sigform::Error::NotPermitted(_)), "{err}");
    assert!(!d.join("x.pdf").exists(), "no output left behind");
    // certification is for the first signature only
    let once = d.join("once.pdf");
    sign_to(
        &tv("docs/sample-2pages.pdf"),
        &once,
        &s,
        &PadesOptions::default(),
    )
    .unwrap();
    let err = sign_to(
        &once,
        &d.join("y.pdf"),
        &s,
        &PadesOptions {
            certify: Some(Certification::FormFilling),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(matches!(err, sigform::Error::NotPermitted(_)), "{err}");
    // a page that does not exist
    let err = sign_to(
        &tv("docs/sample-2pages.pdf"),
        &d.join("z.pdf"),
        &s,
        &PadesOptions {
            visible: Some(Visible {
                page: 9,
                rect: [0.0, 0.0, 10.0, 10.0],
                ..Default::default()
            }),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(matches!(err, sigform::Error::InvalidArgument(_)), "{err}");
    let Some(corpus) = corpus() else { return };
    for f in [
        "minimal-aes256.pdf",
        "minimal-rc4.pdf",
        "minimal-pubkey-aes256.pdf",
        "minimal-with-field-rc4.pdf",
    ] {
        let err = sign_to(
            &corpus.join(f),
            &d.join("e.pdf"),
            &s,
            &PadesOptions::default(),
        )
        .unwrap_err();
        assert!(
            err.to_string().to_lowercase().contains("encrypt"),
            "{f}: {err}"
        );
    }
    // A page given directly inside /Kids (here page 2) cannot carry a new widget: an invisible
    // signature goes to page 1, a visible one on page 2 is refused with the reason.
    sign_to(
        &corpus.join("page-tree-direct-kid.pdf"),
        &d.join("k.pdf"),
        &s,
        &PadesOptions::default(),
    )
    .expect("invisible signature next to a direct page");
    let err = sign_to(
        &corpus.join("page-tree-direct-kid.pdf"),
        &d.join("k2.pdf"),
        &s,
        &PadesOptions {
            visible: Some(Visible {
                page: 2,
                rect: [10.0, 10.0, 110.0, 60.0],
                ..Default::default()
            }),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(err.to_string().contains("direct dictionary"), "{err}");
    for f in [
        "minimal-badxref.pdf",
        "minimal-startxref-hopeless.pdf",
        "minimal-illegal-header.pdf",
        "broken-objstream1.pdf",
        "circular-page-tree.pdf",
    ] {
        if let Err(e) = sign_to(
            &corpus.join(f),
            &d.join("b.pdf"),
            &s,
            &PadesOptions::default(),
        ) {
            assert!(!e.to_string().is_empty());
        }
    }
    let err = sign_to(
        &corpus.join("certified-with-indirect-refs-in-dir.pdf"),
        &d.join("c.pdf"),
        &s,
        &PadesOptions::default(),
    );
    if let Err(e) = err {
        assert!(matches!(e, sigform::Error::NotPermitted(_)), "{e}");
    }
}

#[test]
fn no_corpus_input_panics_or_loops() {
    let Some(corpus) = corpus() else { return };
    let s = signer("signer-p256");
    let dir = tempdir();
    let mut all = Vec::new();
    fn walk(p: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(p).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "pdf") {
                out.push(p);
            }
        }
    }
    walk(&corpus, &mut all);
    all.sort();
    let (mut ok, mut refused) = (0, 0);
    for (i, f) in all.iter().enumerate() {
        let out = dir.path().join(format!("o{i}.pdf"));
        let started = std::time::Instant::now();
        match sign_to(f, &out, &s, &PadesOptions::default()) {
            Ok(()) => ok += 1,
            Err(_) => refused += 1,
        }
        assert!(
            started.elapsed().as_secs() < 30,
            "{} took too long",
            f.display()
        );
    }
    eprintln!(
        "corpus: {} files, {ok} signed, {refused} refused with typed errors",
        all.len()
    );
    assert!(ok > 40);
}
