//! Server signing in bulk: many documents, one signer, several threads, one result per document.
//!
//! A document that fails (malformed PDF, refused by the token, even a bug that panics) fails
//! alone: the others are signed and the batch always returns one result per job, in order.
//!
//! ```no_run
//! use sigform::batch::{sign_batch, BatchJob};
//! use sigform::signer::SoftwareSigner;
//! let signer = SoftwareSigner::from_pkcs12_file("seal.p12", "password")?;
//! let jobs = vec![
//!     BatchJob::cades(std::fs::read("contract.txt")?),
//!     BatchJob::pades(std::fs::read("contract.pdf")?),
//! ];
//! for (i, r) in sign_batch(&signer, &jobs, 0).into_iter().enumerate() {
//!     match r {
//!         Ok(signed) => println!("document {i}: {} bytes", signed.len()),
//!         Err(e) => eprintln!("document {i}: {e}"),
//!     }
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::cades::{self, CadesOptions};
use crate::error::{Error, Result};
use crate::pades::sign::{self as pades, PadesOptions};
use crate::signer::Signer;
use std::io::Cursor;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// One document to sign, in memory.
#[derive(Clone, Debug)]
pub enum BatchJob {
    /// A CAdES signature over `content`: the result is the `.p7s` (DER).
    Cades {
        /// The document.
        content: Vec<u8>,
        /// Detached or attached, policy, …
        options: CadesOptions,
    },
    /// A PAdES signature of `pdf`: the result is the signed PDF.
    Pades {
        /// The PDF.
        pdf: Vec<u8>,
        /// Field, appearance, …
        options: PadesOptions,
    },
}

impl BatchJob {
    /// A detached CAdES signature with the default options.
    pub fn cades(content: Vec<u8>) -> Self {
        Self::Cades {
            content,
            options: CadesOptions::default(),
        }
    }

    /// An invisible PAdES signature with the default options.
    pub fn pades(pdf: Vec<u8>) -> Self {
        Self::Pades {
            pdf,
            options: PadesOptions::default(),
        }
    }

    /// Signs this one document.
    pub fn sign(&self, signer: &dyn Signer) -> Result<Vec<u8>> {
        match self {
            Self::Cades { content, options } => cades::sign(&content[..], signer, options),
            Self::Pades { pdf, options } => {
                let mut out = Cursor::new(Vec::with_capacity(pdf.len() + 32 * 1024));
                pades::sign(Cursor::new(&pdf[..]), &mut out, signer, options)?;
                Ok(out.into_inner())
            }
        }
    }
}

/// Signs every job with `signer` on `threads` threads (0: one per CPU; never more than jobs).
/// Returns one result per job, in the jobs' order; a failure (or a panic) in one job is that
/// job's error and leaves the others alone.
///
/// `S: Sync` because the threads share the signer: a [`crate::signer::SoftwareSigner`] signs
/// in parallel as it is; a `Pkcs11Signer` (feature `pkcs11`) lends each thread a session of
/// its pool.
pub fn sign_batch<S: Signer + Sync + ?Sized>(
    signer: &S,
    jobs: &[BatchJob],
    threads: usize,
) -> Vec<Result<Vec<u8>>> {
    run_jobs(jobs.len(), threads, |i| match jobs.get(i) {
        Some(job) => job.sign(&signer as &dyn Signer),
        None => Err(Error::Internal(format!("no job {i}"))),
    })
    .into_iter()
    .map(|r| r.and_then(|r| r))
    .collect()
}

/// Runs `job(0)` … `job(count - 1)` on `threads` threads (0: one per CPU; never more than
/// `count`), each index once, and returns their results in index order. A job that panics
/// gives `Err(Error::Internal)` for its index and leaves the others alone.
///
/// The engine under [`sign_batch`], public for callers whose documents are not all in memory
/// (the `sigform sign … --out-dir` command streams each file from disk to disk in its job):
///
/// ```
/// let squares = sigform::batch::run_jobs(4, 2, |i| i * i);
/// assert_eq!(squares.into_iter().map(Result::unwrap).collect::<Vec<_>>(), [0, 1, 4, 9]);
/// ```
pub fn run_jobs<T: Send>(
    count: usize,
    threads: usize,
    job: impl Fn(usize) -> T + Sync,
) -> Vec<Result<T>> {
    let threads = if threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        threads
    }
    .clamp(1, count.max(1));
    let next = AtomicUsize::new(0);
    let results: Vec<Mutex<Option<Result<T>>>> = (0..count).map(|_| Mutex::new(None)).collect();
    let work = || {
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(slot) = results.get(i) else {
                break;
            };
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(i)))
                .map_err(|p| Error::Internal(panic_message(p.as_ref())));
            *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(r);
        }
    };
    if threads == 1 {
        work();
    } else {
        std::thread::scope(|s| {
            for _ in 0..threads {
                s.spawn(work);
            }
        });
    }
    results
        .into_iter()
        .map(|m| {
            m.into_inner()
                .unwrap_or_else(|e| e.into_inner())
                .unwrap_or_else(|| Err(Error::Internal("job not run".into())))
        })
        .collect()
}

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    let what = p
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into());
    format!("signing panicked: {what}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alg::SignatureAlgorithm;
    use crate::signer::{SignerError, SignerIdentity, SoftwareSigner};
    use std::path::PathBuf;

    fn signer() -> SoftwareSigner {
        let tv = |f: &str| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("test-vectors/pki")
                .join(f)
        };
        SoftwareSigner::from_files(
            tv("signer-p256.key.pem"),
            None,
            tv("signer-p256.pem"),
            Some(&tv("chain.pem")),
        )
        .expect("signer")
    }

    /// Panics on every third signature, to show that a panic stays in its job.
    struct Flaky {
        inner: SoftwareSigner,
        calls: AtomicUsize,
    }

    impl Signer for Flaky {
        fn identity(&self) -> &SignerIdentity {
            self.inner.identity()
        }
        fn algorithm(&self) -> SignatureAlgorithm {
            self.inner.algorithm()
        }
        fn sign(&self, tbs: &[u8]) -> std::result::Result<Vec<u8>, SignerError> {
            if self.calls.fetch_add(1, Ordering::SeqCst) == 2 {
                panic!("flaky signer");
            }
            self.inner.sign(tbs)
        }
    }

    #[test]
    fn bad_documents_fail_alone_and_order_is_kept() {
        let pdf = std::fs::read(
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("test-vectors/docs/sample-2pages.pdf"),
        )
        .expect("pdf");
        let jobs = vec![
            BatchJob::cades(b"one".to_vec()),
            BatchJob::pades(b"%PDF-1.7 not really".to_vec()),
            BatchJob::pades(pdf.clone()),
            BatchJob::cades(b"four".to_vec()),
        ];
        let s = signer();
        for threads in [1, 2, 0] {
            let r = sign_batch(&s, &jobs, threads);
            assert_eq!(r.len(), 4);
            assert!(r[0].is_ok() && r[2].is_ok() && r[3].is_ok(), "{threads}");
            assert!(r[1].is_err());
            assert!(r[2].as_ref().expect("pdf").starts_with(&pdf));
            assert_eq!(r[0].as_ref().expect("p7s")[0], 0x30);
        }
        assert!(sign_batch(&s, &[], 4).is_empty());
    }

    #[test]
    fn a_panic_is_one_jobs_error() {
        let flaky = Flaky {
            inner: signer(),
            calls: AtomicUsize::new(0),
        };
        let jobs: Vec<BatchJob> = (0..5).map(|i| BatchJob::cades(vec![i as u8; 10])).collect();
        let r = sign_batch(&flaky, &jobs, 1);
        assert_eq!(r.iter().filter(|r| r.is_ok()).count(), 4);
        assert!(matches!(&r[2], Err(Error::Internal(m)) if m.contains("flaky signer")));
    }
}
