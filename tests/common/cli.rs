//! Running the `sigform` binary of this build: exit status, stdout and stderr.

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command, Output};

/// A `Command` for the binary, for runs that need more than arguments and environment (a
/// closed stdout, a working directory).
pub fn sigform_command() -> Command {
    Command::new(env!("CARGO_BIN_EXE_sigform"))
}

/// Runs `sigform ARGS`: the exit status (-1 when killed by a signal), stdout and stderr.
pub fn sigform<S: AsRef<OsStr>>(args: &[S]) -> (i32, String, String) {
    sigform_env(args, &[])
}

/// [`sigform`] with environment variables set for the run (a PIN, a password, a config file).
pub fn sigform_env<S: AsRef<OsStr>>(args: &[S], env: &[(&str, &OsStr)]) -> (i32, String, String) {
    let mut cmd = sigform_command();
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    split(cmd.output().expect("running sigform"))
}

fn split(out: Output) -> (i32, String, String) {
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A path as a command-line argument (the test paths are UTF-8).
pub fn arg(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}
