//! Content-addressed storage on disk: a blob is stored once under its SHA-256
//! (`DATA/blobs/ab/abcdef...`), written to a temporary file and renamed, so a crash never leaves
//! a half-written blob under a valid name.

use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The blob store.
#[derive(Clone, Debug)]
pub struct BlobStore {
    root: PathBuf,
}

/// SHA-256 in lower-case hex.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

impl BlobStore {
    /// A store under `dir/blobs` (created).
    pub fn open(dir: &Path) -> std::io::Result<Self> {
        let root = dir.join("blobs");
        std::fs::create_dir_all(&root)?;
        Ok(Self { root })
    }

    fn path(&self, sha: &str) -> Option<PathBuf> {
        let valid = sha.len() == 64 && sha.bytes().all(|b| b.is_ascii_hexdigit());
        let prefix = sha.get(..2)?;
        valid.then(|| self.root.join(prefix).join(sha))
    }

    /// Stores `data`; answers its SHA-256 (hex).
    pub fn put(&self, data: &[u8]) -> std::io::Result<String> {
        let sha = sha256_hex(data);
        let path = self
            .path(&sha)
            .ok_or_else(|| std::io::Error::other("bad digest"))?;
        if path.exists() {
            return Ok(sha);
        }
        let dir = path
            .parent()
            .ok_or_else(|| std::io::Error::other("no parent"))?;
        std::fs::create_dir_all(dir)?;
        let mut tmp = tempfile_in(dir)?;
        tmp.1.write_all(data)?;
        tmp.1.sync_all()?;
        drop(tmp.1);
        std::fs::rename(&tmp.0, &path)?;
        Ok(sha)
    }

    /// Reads a blob back (and checks it is what its name says).
    pub fn get(&self, sha: &str) -> std::io::Result<Vec<u8>> {
        let path = self
            .path(sha)
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "bad digest"))?;
        let data = std::fs::read(path)?;
        if sha256_hex(&data) != sha {
            return Err(std::io::Error::other(format!("blob {sha} is corrupt")));
        }
        Ok(data)
    }
}

fn tempfile_in(dir: &Path) -> std::io::Result<(PathBuf, std::fs::File)> {
    let mut name = [0u8; 8];
    getrandom::fill(&mut name).map_err(|e| std::io::Error::other(e.to_string()))?;
    let path = dir.join(format!(".tmp-{}", hex::encode(name)));
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)?;
    Ok((path, file))
}
