//! `sigform demo`: the whole flow with the demo PKI and no setup (`sigform::package::demo`),
//! then the list of its checks. Exit 0 when every check passed, 1 otherwise.

use crate::Failure;
use std::path::PathBuf;
use std::process::ExitCode;

/// Runs the demo in `dir` (default `./sigform-demo`).
pub(crate) fn run(dir: Option<PathBuf>) -> Result<ExitCode, Failure> {
    let dir = dir.unwrap_or_else(|| PathBuf::from("sigform-demo"));
    let mut stdout = std::io::stdout();
    let outcome = sigform::package::demo::run(&dir, &mut stdout)?;
    println!();
    for (what, ok) in &outcome.checks {
        println!("  [{}] {what}", if *ok { "ok  " } else { "FAIL" });
    }
    if outcome.all_passed() {
        println!("demo: every check passed");
        Ok(ExitCode::SUCCESS)
    } else {
        println!("demo: some checks FAILED");
        Ok(ExitCode::from(1))
    }
}
