//! Trust anchors: the certificates a validation may end at.

use super::CertificateDer;
use crate::error::{Error, Result};
use std::path::Path;

/// Most anchors one store holds (a directory of system roots has a few hundred).
const MAX_ANCHORS: usize = 10_000;

/// A set of trust anchors, from a PEM bundle, DER files or a directory of them.
///
/// An anchor is trusted as given: its own signature is not checked, but when it is the top of a
/// path its validity period, basic constraints, key usage, name constraints and critical
/// extensions apply (as the x509-limbo suite expects of an RFC 5280 validator).
#[derive(Clone, Debug, Default)]
pub struct TrustStore {
    anchors: Vec<CertificateDer>,
}

impl TrustStore {
    /// An empty store (every validation then ends with NO_CERTIFICATE_CHAIN_FOUND).
    pub fn new() -> Self {
        Self::default()
    }

    /// Every certificate of a PEM bundle (or one DER certificate). A bundle without any
    /// certificate is an error.
    pub fn from_pem(data: &[u8]) -> Result<Self> {
        let certs = CertificateDer::parse_many(data)?;
        if certs.is_empty() {
            return Err(Error::Certificate {
                context: "trust store".into(),
                detail: "no certificate found".into(),
            });
        }
        let mut store = Self::new();
        for c in certs {
            store.add(c);
        }
        Ok(store)
    }

    /// A file (PEM bundle or DER) or a directory whose `.pem`, `.crt` and `.cer` files are read
    /// (in name order; other files are skipped).
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let meta = std::fs::metadata(path)
            .map_err(|e| Error::io(format!("reading trust store {}", path.display()), e))?;
        if !meta.is_dir() {
            let data = std::fs::read(path)
                .map_err(|e| Error::io(format!("reading trust store {}", path.display()), e))?;
            return Self::from_pem(&data).map_err(|e| with_context(e, path));
        }
        let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(path)
            .map_err(|e| Error::io(format!("listing trust store {}", path.display()), e))?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| {
                p.is_file()
                    && p.extension().and_then(|x| x.to_str()).is_some_and(|x| {
                        matches!(x.to_ascii_lowercase().as_str(), "pem" | "crt" | "cer")
                    })
            })
            .collect();
        files.sort();
        let mut store = Self::new();
        for f in &files {
            let data = std::fs::read(f)
                .map_err(|e| Error::io(format!("reading trust store {}", f.display()), e))?;
            for c in CertificateDer::parse_many(&data).map_err(|e| with_context(e, f))? {
                store.add(c);
            }
        }
        if store.anchors.is_empty() {
            return Err(Error::Certificate {
                context: format!("trust store {}", path.display()),
                detail: "no certificate found".into(),
            });
        }
        Ok(store)
    }

    /// The ICP-Brasil root certificates embedded in the binary (see [`super::icp_brasil`]):
    /// v5, v10 and v12, in force, and v2, expired on 2023-06-21 (an anchor only for
    /// validations at an earlier time).
    pub fn icp_brasil() -> Self {
        let mut store = Self::new();
        for c in super::icp_brasil::roots() {
            store.add(c);
        }
        store
    }

    /// Adds an anchor (duplicates are ignored; beyond 10 000 anchors, further ones are too).
    pub fn add(&mut self, cert: CertificateDer) {
        if self.anchors.len() < MAX_ANCHORS && !self.anchors.contains(&cert) {
            self.anchors.push(cert);
        }
    }

    /// The anchors, in insertion order.
    pub fn anchors(&self) -> &[CertificateDer] {
        &self.anchors
    }

    /// True when `cert` (same DER) is an anchor.
    pub fn contains(&self, cert: &CertificateDer) -> bool {
        self.anchors.contains(cert)
    }

    /// Number of anchors.
    pub fn len(&self) -> usize {
        self.anchors.len()
    }

    /// True without anchors.
    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty()
    }
}

fn with_context(e: Error, path: &Path) -> Error {
    match e {
        Error::Certificate { context, detail } => Error::Certificate {
            context: format!("{} ({context})", path.display()),
            detail,
        },
        other => other,
    }
}
