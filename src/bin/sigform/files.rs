//! Inputs and outputs on disk, and secrets from the environment: every failure is a
//! [`Failure`] naming the file or variable.

use crate::Failure;
use std::path::{Path, PathBuf};

/// Opens a file to read, for streaming.
pub(crate) fn open(path: &Path) -> Result<std::fs::File, Failure> {
    std::fs::File::open(path).map_err(|e| Failure(format!("opening {}: {e}", path.display())))
}

/// Reads a whole file.
pub(crate) fn read(path: &Path) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| Failure(format!("reading {}: {e}", path.display())))
}

/// True when the file is a PDF ([`sigform::format::detect`] on its first bytes).
pub(crate) fn is_pdf(path: &Path) -> Result<bool, Failure> {
    Ok(format_of(path)? == sigform::format::FileFormat::Pdf)
}

/// The format of the file at `path`, from its first bytes.
pub(crate) fn format_of(path: &Path) -> Result<sigform::format::FileFormat, Failure> {
    use sigform::format::{HEAD_LEN, detect};
    use std::io::Read;
    let mut head = Vec::with_capacity(HEAD_LEN);
    open(path)?
        .take(HEAD_LEN as u64)
        .read_to_end(&mut head)
        .map_err(|e| Failure(format!("reading {}: {e}", path.display())))?;
    Ok(detect(&head))
}

/// This process's id, asked of the system once (a batch names a temporary file per document).
fn pid() -> u32 {
    static PID: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    *PID.get_or_init(std::process::id)
}

/// A temporary file name beside `path` (same directory, so that renaming it over `path` stays
/// on one file system): `.NAME.sigform-TAG-PID`.
pub(crate) fn temp_beside(path: &Path, tag: &str) -> Result<PathBuf, Failure> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .ok_or_else(|| Failure(format!("{} is not a file path", path.display())))?;
    Ok(dir.join(format!(
        ".{}.sigform-{tag}-{}",
        name.to_string_lossy(),
        pid()
    )))
}

/// Writes `data` to `path` through a temporary file in the same directory, so that a failure
/// never leaves a partial output behind.
pub(crate) fn write_atomically(path: &Path, data: &[u8]) -> Result<(), Failure> {
    let tmp = temp_beside(path, "tmp")?;
    std::fs::write(&tmp, data).map_err(|e| Failure(format!("writing {}: {e}", tmp.display())))?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Failure(format!("writing {}: {e}", path.display()))
    })
}

/// The value of the environment variable `var` (a password or PIN), wiped when dropped.
pub(crate) fn env_secret(var: &str) -> Result<zeroize::Zeroizing<String>, Failure> {
    std::env::var(var)
        .map(zeroize::Zeroizing::new)
        .map_err(|_| Failure(format!("environment variable {var} is not set")))
}
