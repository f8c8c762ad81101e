//! Many documents in one process: `sigform sign cades|pades FILE... --out-dir DIR [--threads N]`.
//! The key is loaded once (one login for a token) by the caller; each document is signed in a
//! job of `sigform::batch::run_jobs`, streamed from its file to a temporary file in DIR that is
//! renamed into place, and reported on its own line. A document that fails fails alone: the
//! others are written, and the exit status is 1 naming the failures.

use crate::Failure;
use clap::Args;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The documents of `sign cades` / `sign pades` and where their outputs go: one document with
/// `-o`, or many with `--out-dir` (a batch).
#[derive(Args, Debug)]
pub(crate) struct Documents {
    /// The documents to sign: one with -o, several with --out-dir (`sign cades --countersign`:
    /// ignored, may be the document or `-`).
    #[arg(required = true, value_name = "FILE")]
    pub(crate) inputs: Vec<PathBuf>,
    /// Where to write the output of the one document.
    #[arg(
        short,
        long,
        required_unless_present = "out_dir",
        conflicts_with = "out_dir"
    )]
    pub(crate) output: Option<PathBuf>,
    /// Sign every FILE given into this directory (created if missing): DIR/NAME.p7s for CAdES,
    /// DIR/NAME for PAdES (NAME: the input's file name). One key load for all the files.
    #[arg(long, value_name = "DIR")]
    pub(crate) out_dir: Option<PathBuf>,
    /// Documents signed at once with --out-dir (default: one per CPU).
    #[arg(long, value_name = "N", requires = "out_dir")]
    pub(crate) threads: Option<usize>,
}

impl Documents {
    /// The one document of a command without --out-dir, and where its output goes.
    pub(crate) fn single(&self) -> Result<(&Path, &Path), Failure> {
        match (self.inputs.as_slice(), &self.output) {
            ([input], Some(output)) => Ok((input, output)),
            _ => Err(Failure(
                "several documents need --out-dir DIR (one output file each)".into(),
            )),
        }
    }
}

/// Where each of `inputs` is written in `dir` (its file name plus `suffix`). Refuses two inputs
/// with the same output, and an output that is its own input (a PAdES batch into the inputs'
/// directory would replace the documents).
pub(crate) fn plan(inputs: &[PathBuf], dir: &Path, suffix: &str) -> Result<Vec<PathBuf>, Failure> {
    std::fs::create_dir_all(dir)
        .map_err(|e| Failure(format!("creating {}: {e}", dir.display())))?;
    let mut seen = HashSet::new();
    let mut outputs = Vec::with_capacity(inputs.len());
    for input in inputs {
        let name = input
            .file_name()
            .ok_or_else(|| Failure(format!("{} is not a file path", input.display())))?;
        let mut out_name = name.to_os_string();
        out_name.push(suffix);
        let output = dir.join(out_name);
        if !seen.insert(output.clone()) {
            return Err(Failure(format!(
                "two inputs would be written to {}: rename one or sign them in two batches",
                output.display()
            )));
        }
        let same = matches!(
            (input.canonicalize(), output.canonicalize()),
            (Ok(a), Ok(b)) if a == b
        );
        if same {
            return Err(Failure(format!(
                "{} would overwrite its input: choose another --out-dir",
                output.display()
            )));
        }
        outputs.push(output);
    }
    Ok(outputs)
}

/// Signs `inputs[i]` into `outputs[i]` with `sign_one` on `threads` threads (0: one per CPU),
/// printing one line per document (`signed IN -> OUT` on stdout, `sigform: error: IN: …` on
/// stderr) and a summary. Exit status 0 when all were signed, 1 otherwise.
pub(crate) fn run(
    inputs: &[PathBuf],
    outputs: &[PathBuf],
    threads: usize,
    sign_one: impl Fn(&Path, &Path) -> Result<(), Failure> + Sync,
) -> ExitCode {
    let results = sigform::batch::run_jobs(inputs.len(), threads, |i| {
        let (Some(input), Some(output)) = (inputs.get(i), outputs.get(i)) else {
            return Err(Failure(format!("no document {i}")));
        };
        let r = sign_one(input, output);
        match &r {
            Ok(()) => println!("signed {} -> {}", input.display(), output.display()),
            Err(Failure(e)) => eprintln!("sigform: error: {}: {e}", input.display()),
        }
        r
    });
    let mut failed = Vec::new();
    for (input, r) in inputs.iter().zip(results) {
        match r {
            Ok(Ok(())) => {}
            Ok(Err(_)) => failed.push(input),
            Err(panic) => {
                eprintln!("sigform: error: {}: {panic}", input.display());
                failed.push(input);
            }
        }
    }
    let signed = inputs.len() - failed.len();
    if failed.is_empty() {
        println!("{signed} signed, 0 failed");
        ExitCode::SUCCESS
    } else {
        let names: Vec<String> = failed.iter().map(|p| p.display().to_string()).collect();
        println!("{signed} signed, {} failed", failed.len());
        eprintln!("sigform: failed: {}", names.join(", "));
        ExitCode::from(1)
    }
}
