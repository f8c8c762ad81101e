//! Batch server signing throughput (documents per second): 10 KB CAdES and 100 KB PAdES
//! documents, RSA-2048 as a software key and on a SoftHSM2 token (feature `pkcs11`, when
//! SoftHSM2 and OpenSC are installed), on 1 and 2 threads.
//!
//! Two more measurements: the per-document pipeline without the key operation (a signer that
//! replays one RSA signature made beforehand: what is left is attributes, digests, encoding and
//! allocation), and the 2-thread / 1-thread scaling measured in one interleaved run (on a
//! shared machine, criterion's separate runs see different loads).
//!
//! `cargo bench --features pkcs11 --bench batch`; the numbers of record are in
//! `docs/pkcs11.md`.

#[path = "../tests/common/mod.rs"]
mod common;

use criterion::{Criterion, Throughput};
use sigform::SignatureAlgorithm;
use sigform::batch::{BatchJob, sign_batch};
use sigform::cades::{CadesOptions, SigningTime};
use sigform::signer::{Signer, SignerError, SignerIdentity, SoftwareSigner};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Documents signed per measured iteration.
const BATCH: usize = 8;

fn software_signer() -> SoftwareSigner {
    SoftwareSigner::from_files(
        common::tv("pki/signer-rsa2048.key.pem"),
        None,
        common::tv("pki/signer-rsa2048.pem"),
        Some(&common::tv("pki/chain.pem")),
    )
    .expect("software key")
}

/// The 2-page sample grown to about 100 KB with an incompressible stream object.
fn pdf_100k() -> Vec<u8> {
    let mut doc =
        lopdf::Document::load_mem(&common::tv_bytes("docs/sample-2pages.pdf")).expect("sample");
    let mut x: u32 = 0x1234_5678;
    let filler: Vec<u8> = (0..98 * 1024)
        .map(|_| {
            // xorshift: bytes a compressor cannot shrink
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x >> 24) as u8
        })
        .collect();
    doc.add_object(lopdf::Stream::new(lopdf::Dictionary::new(), filler));
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("save");
    out
}

fn jobs() -> (Vec<BatchJob>, Vec<BatchJob>) {
    let cades = (0..BATCH)
        .map(|i| BatchJob::cades((0..10 * 1024).map(|j| ((i * 31 + j) % 251) as u8).collect()))
        .collect();
    let pdf = pdf_100k();
    let pades = (0..BATCH).map(|_| BatchJob::pades(pdf.clone())).collect();
    (cades, pades)
}

fn bench_signer(c: &mut Criterion, name: &str, signer: &dyn Signer) {
    let (cades, pades) = jobs();
    for (kind, jobs) in [("cades-10KB", &cades), ("pades-100KB", &pades)] {
        let mut g = c.benchmark_group(format!("batch/{kind}"));
        g.sample_size(10)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(4))
            .throughput(Throughput::Elements(BATCH as u64));
        for threads in [1usize, 2] {
            g.bench_function(format!("{name}/{threads}-threads"), |b| {
                b.iter(|| {
                    let r = sign_batch(signer, black_box(jobs), threads);
                    assert!(r.iter().all(|r| r.is_ok()));
                    r
                })
            });
        }
        g.finish();
    }
}

/// Replays one signature value made by `inner` over the one document the pipeline bench signs:
/// the key operation costs nothing, the rest of the pipeline is what is measured. `checked`:
/// whether it claims [`Signer::checks_own_signatures`] like the RSA software key (false: the
/// value is verified again, as for a token).
struct Replay {
    inner: SoftwareSigner,
    value: Vec<u8>,
    checked: bool,
}

impl Signer for Replay {
    fn identity(&self) -> &SignerIdentity {
        self.inner.identity()
    }
    fn algorithm(&self) -> SignatureAlgorithm {
        self.inner.algorithm()
    }
    fn sign(&self, _: &[u8]) -> Result<Vec<u8>, SignerError> {
        Ok(self.value.clone())
    }
    fn checks_own_signatures(&self) -> bool {
        self.checked
    }
}

/// The per-document pipeline of a 10 KB detached CAdES signature, without the key operation.
fn bench_pipeline(c: &mut Criterion) {
    let options = CadesOptions {
        signing_time: SigningTime::At(std::time::UNIX_EPOCH + Duration::from_secs(1_800_000_000)),
        ..CadesOptions::default()
    };
    let content: Vec<u8> = (0..10 * 1024).map(|j| (j % 251) as u8).collect();
    let inner = software_signer();
    let prepared =
        sigform::cades::prepare(&content[..], inner.identity(), inner.algorithm(), &options)
            .expect("prepare");
    let value = inner.sign(&prepared.to_be_signed).expect("sign");
    let mut g = c.benchmark_group("pipeline/cades-10KB");
    g.sample_size(20).throughput(Throughput::Elements(1));
    for checked in [true, false] {
        let replay = Replay {
            inner: software_signer(),
            value: value.clone(),
            checked,
        };
        let name = if checked {
            "no-key-op"
        } else {
            "no-key-op+verify"
        };
        g.bench_function(name, |b| {
            b.iter(|| {
                sigform::cades::sign(black_box(&content[..]), &replay, &options).expect("p7s")
            })
        });
    }
    g.finish();
}

/// Documents per second on 1 and on 2 threads, interleaved (1, 2, 1, 2, …) so that both see
/// the same machine load; prints the best of each and their ratio.
fn interleaved_scaling(name: &str, signer: &dyn Signer) {
    let (cades, _) = jobs();
    let jobs: Vec<BatchJob> = cades.iter().cycle().take(64).cloned().collect();
    let mut best = [f64::MAX; 2];
    for _ in 0..6 {
        for (slot, threads) in [1usize, 2].into_iter().enumerate() {
            let t0 = Instant::now();
            let r = sign_batch(signer, &jobs, threads);
            let secs = t0.elapsed().as_secs_f64();
            assert!(r.iter().all(|r| r.is_ok()));
            best[slot] = best[slot].min(secs);
        }
    }
    let rate = |secs: f64| jobs.len() as f64 / secs;
    println!(
        "scaling/{name}/cades-10KB: 1 thread {:.0} docs/s, 2 threads {:.0} docs/s, ratio {:.2}",
        rate(best[0]),
        rate(best[1]),
        best[0] / best[1]
    );
}

#[cfg(feature = "pkcs11")]
fn softhsm() -> Option<(common::softhsm::SoftHsm, sigform::signer::Pkcs11Signer)> {
    use sigform::signer::pkcs11::{KeySelector, PinSource, Pkcs11Config, TokenSelector};
    let hsm = common::softhsm::SoftHsm::new(None)?;
    hsm.init_token("bench");
    hsm.import_key(
        "bench",
        "rsa",
        "01",
        &common::tv("pki/signer-rsa2048.key.pem"),
    );
    hsm.import_cert("bench", "rsa", "01", &common::tv("pki/signer-rsa2048.pem"));
    // SAFETY: main() calls this before any other thread exists and before any PKCS#11 call.
    unsafe { std::env::set_var("SOFTHSM2_CONF", &hsm.conf) };
    let pin = PinSource::Callback(std::sync::Arc::new(|| {
        Ok(zeroize::Zeroizing::new(common::softhsm::PIN.to_string()))
    }));
    let signer = sigform::signer::Pkcs11Signer::open(
        Pkcs11Config::new(
            &hsm.module,
            TokenSelector::Label("bench".into()),
            KeySelector::Label("rsa".into()),
            pin,
        )
        .with_chain(
            sigform::CertificateDer::parse_many(&common::tv_bytes("pki/chain.pem")).expect("chain"),
        ),
    )
    .expect("SoftHSM signer");
    Some((hsm, signer))
}

fn main() {
    #[cfg(feature = "pkcs11")]
    let token = softhsm();
    let mut c = Criterion::default().configure_from_args();
    bench_pipeline(&mut c);
    bench_signer(&mut c, "software-rsa2048", &software_signer());
    interleaved_scaling("software-rsa2048", &software_signer());
    #[cfg(feature = "pkcs11")]
    if let Some((_hsm, signer)) = &token {
        bench_signer(&mut c, "softhsm-rsa2048", signer);
    }
    c.final_summary();
}
