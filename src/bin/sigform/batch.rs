//! Many documents in one process: `sigform sign cades|pades FILE... --out-dir DIR [--threads N]`.
//! The key is loaded once (one login for a token) by the caller; each document is signed in a
//! job of `sigform::batch::run_jobs`, streamed from its file to a temporary file in DIR that is
//! renamed into place, and reported on its own line. A document that fails fails alone: the
//! others are written, and the exit status is 1 naming the failures.

use crate::Failure;
use clap::Args;
use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;

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
/// with the same output, and an output that is an existing input (a PAdES batch into the
/// inputs' directory would replace the documents; `a` and `a.p7s` signed together would
/// replace the second before it is read). Files are compared by identity (device and inode),
/// two `stat` calls per document instead of resolving every path component.
pub(crate) fn plan(inputs: &[PathBuf], dir: &Path, suffix: &str) -> Result<Vec<PathBuf>, Failure> {
    std::fs::create_dir_all(dir)
        .map_err(|e| Failure(format!("creating {}: {e}", dir.display())))?;
    let mut seen = HashSet::new();
    let mut input_ids = HashMap::new();
    for input in inputs {
        if let Some(id) = file_id(input) {
            input_ids.entry(id).or_insert(input);
        }
    }
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
        if let Some(other) = file_id(&output).and_then(|id| input_ids.get(&id)) {
            let whose = if *other == input {
                "its input"
            } else {
                "an input"
            };
            return Err(Failure(format!(
                "{} would overwrite {whose} ({}): choose another --out-dir",
                output.display(),
                other.display()
            )));
        }
        outputs.push(output);
    }
    Ok(outputs)
}

/// What identifies an existing file whatever the path that names it: device and inode.
#[cfg(unix)]
fn file_id(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

/// What identifies an existing file whatever the path that names it: its canonical path.
#[cfg(not(unix))]
fn file_id(path: &Path) -> Option<PathBuf> {
    path.canonicalize().ok()
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
    let lines = Lines::default();
    let results = sigform::batch::run_jobs(inputs.len(), threads, |i| {
        let (Some(input), Some(output)) = (inputs.get(i), outputs.get(i)) else {
            return Err(Failure(format!("no document {i}")));
        };
        let r = sign_one(input, output);
        match &r {
            Ok(()) => lines.push(format_args!(
                "signed {} -> {}",
                input.display(),
                output.display()
            )),
            Err(Failure(e)) => eprintln!("sigform: error: {}: {e}", input.display()),
        }
        r
    });
    lines.flush();
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

/// The `signed IN -> OUT` lines of a batch, written to stdout in blocks of about 8 KiB rather
/// than one system call per document (stdout is line-buffered); errors go to stderr at once.
#[derive(Default)]
struct Lines(Mutex<Vec<u8>>);

impl Lines {
    const BLOCK: usize = 8 * 1024;

    fn push(&self, line: std::fmt::Arguments<'_>) {
        let mut buf = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let _ = writeln!(buf, "{line}");
        if buf.len() >= Self::BLOCK {
            write_out(&mut buf);
        }
    }

    fn flush(&self) {
        write_out(&mut self.0.lock().unwrap_or_else(|p| p.into_inner()));
    }
}

/// Writes `buf` to stdout and empties it.
fn write_out(buf: &mut Vec<u8>) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(buf).and_then(|()| out.flush()) {
        crate::output::stdout_failed(e);
    }
    buf.clear();
}
