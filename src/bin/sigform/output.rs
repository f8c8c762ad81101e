//! Printing: what happens when stdout is gone, and the `--format` choice of the commands that
//! print a report.

/// Ends the process after a failed write to stdout (used by the crate's `println!`/`print!`).
pub(crate) fn stdout_failed(e: std::io::Error) -> ! {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        std::process::exit(141);
    }
    eprintln!("sigform: error: writing to stdout: {e}");
    std::process::exit(2);
}

/// How a report is printed (`--format`).
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub(crate) enum Format {
    Text,
    Json,
}
