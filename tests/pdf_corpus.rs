//! Every PDF of the shared corpus opens or gives a typed error; for those that open, every
//! object in the xref resolves or errs, revisions list, pages walk — never a panic or a hang.

mod common;

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use sigform::pdf::{Limits, Object, PdfError, Reader, ReaderOptions, parse_object};

fn pdf_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = rd.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            pdf_files(&p, out);
        } else if p.extension().is_some_and(|e| e.eq_ignore_ascii_case("pdf")) {
            out.push(p);
        }
    }
}

/// What happened to one file.
#[derive(Debug)]
struct Outcome {
    open: Result<(), String>,
    objects: usize,
    object_errors: Vec<String>,
    revisions: usize,
    pages: Result<usize, String>,
}

fn kind(e: &PdfError) -> &'static str {
    match e {
        PdfError::Encrypted => "Encrypted",
        PdfError::BrokenXref { .. } => "BrokenXref",
        PdfError::Malformed { .. } => "Malformed",
        PdfError::MissingObject(_) => "MissingObject",
        PdfError::TooLarge { .. } => "TooLarge",
        PdfError::Unsupported(_) => "Unsupported",
        PdfError::Decode(_) => "Decode",
        PdfError::InvalidArgument(_) => "InvalidArgument",
        PdfError::Io(_) => "Io",
        _ => "other",
    }
}

/// Opens an encrypted file for inspection and touches every object: no panic either.
fn inspect_encrypted(path: &Path) {
    let opts = ReaderOptions {
        allow_encrypted: true,
        ..ReaderOptions::default()
    };
    if let Ok(r) = Reader::open_with(path, opts) {
        assert!(r.is_encrypted());
        for o in r.object_refs() {
            if let Ok(Object::Stream(s)) = r.get(o) {
                let _ = r.decode_stream(&s);
            }
        }
        let _ = r.page_refs();
    }
}

fn examine(path: PathBuf) -> Outcome {
    let reader = match Reader::open(&path) {
        Ok(r) => r,
        Err(e) => {
            if matches!(e, PdfError::Encrypted) {
                inspect_encrypted(&path);
            }
            return Outcome {
                open: Err(format!("{}: {e}", kind(&e))),
                objects: 0,
                object_errors: vec![],
                revisions: 0,
                pages: Ok(0),
            };
        }
    };
    // Every revision ends at a `%%EOF`, in file order, the last at (or near) the end.
    let bytes = std::fs::read(&path).expect("read");
    let mut last_end = 0;
    for rev in reader.revisions() {
        let eof = usize::try_from(rev.eof_offset).unwrap();
        assert_eq!(&bytes[eof..eof + 5], b"%%EOF", "{}", path.display());
        assert!(
            rev.end_offset > last_end,
            "{}: revisions out of order",
            path.display()
        );
        assert!(rev.end_offset <= bytes.len() as u64);
        last_end = rev.end_offset;
    }
    let mut object_errors = Vec::new();
    let refs = reader.object_refs();
    for r in &refs {
        match reader.get(*r) {
            Ok(o) => {
                // The serializer writes what the parser reads back identically.
                if o.as_stream().is_none() {
                    let bytes = o.to_pdf_bytes();
                    let back = parse_object(&bytes, &Limits::default())
                        .unwrap_or_else(|e| panic!("{r}: re-parsing {bytes:?}: {e}"));
                    assert_eq!(back, o, "{}: {r}", path.display());
                }
                if let Some(s) = o.as_stream()
                    && let Err(e) = reader.decode_stream(s)
                    && !matches!(e, PdfError::Unsupported(_))
                {
                    object_errors.push(format!("{r} decode: {}: {e}", kind(&e)));
                }
                let _ = reader.raw_object_span(*r);
            }
            Err(e) => object_errors.push(format!("{r}: {}: {e}", kind(&e))),
        }
    }
    // Every object as of every revision.
    for k in 0..reader.revisions().len() {
        for r in &refs {
            let _ = reader.get_in_revision(*r, k);
        }
        let _ = reader.revision_entries(k);
    }
    let pages = reader
        .page_refs()
        .map(|p| p.len())
        .map_err(|e| format!("{}: {e}", kind(&e)));
    Outcome {
        open: Ok(()),
        objects: refs.len(),
        object_errors,
        revisions: reader.revisions().len(),
        pages,
    }
}

#[test]
fn corpus_opens_or_refuses_with_typed_errors() {
    let Some(dir) = common::corpus_pdf("") else {
        return;
    };
    let mut files = Vec::new();
    pdf_files(&dir, &mut files);
    assert!(
        files.len() > 100,
        "corpus looks incomplete: {} files",
        files.len()
    );
    let mut opened = 0;
    let mut refused = Vec::new();
    let mut table = String::from("| file | result |\n| --- | --- |\n");
    for path in files {
        let name = path
            .strip_prefix(&dir)
            .unwrap_or(&path)
            .display()
            .to_string();
        let (tx, rx) = mpsc::channel();
        let p = path.clone();
        std::thread::spawn(move || {
            let _ = tx.send(examine(p));
        });
        let outcome = match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(o) => o,
            Err(mpsc::RecvTimeoutError::Timeout) => panic!("{name}: timed out (hang?)"),
            Err(mpsc::RecvTimeoutError::Disconnected) => panic!("{name}: panicked"),
        };
        match &outcome.open {
            Ok(()) => {
                opened += 1;
                let pages = match &outcome.pages {
                    Ok(n) => format!("{n} pages"),
                    Err(e) => format!("pages refused ({e})"),
                };
                let errs = if outcome.object_errors.is_empty() {
                    String::new()
                } else {
                    format!("; object errors: {}", outcome.object_errors.join("; "))
                };
                table.push_str(&format!(
                    "| {name} | opens: {} objects, {} revisions, {pages}{errs} |\n",
                    outcome.objects, outcome.revisions
                ));
            }
            Err(e) => {
                refused.push(name.clone());
                table.push_str(&format!("| {name} | refused: {e} |\n"));
            }
        }
    }
    println!("{table}");
    println!("{opened} opened, {} refused", refused.len());
}
