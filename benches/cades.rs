//! CAdES sign and verify throughput, 10 KB and 1 MB documents, RSA-2048 and P-256.
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sigform::VerifyOptions;
use sigform::cades::{self, CadesOptions};
use sigform::signer::SoftwareSigner;
use std::hint::black_box;
use std::path::PathBuf;

fn signer(name: &str) -> SoftwareSigner {
    let tv = |f: &str| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("test-vectors/pki")
            .join(f)
    };
    SoftwareSigner::from_files(
        tv(&format!("{name}.key.pem")),
        None,
        tv(&format!("{name}.pem")),
        Some(&tv("chain.pem")),
    )
    .unwrap()
}

fn bench(c: &mut Criterion) {
    for name in ["signer-rsa2048", "signer-p256"] {
        let s = signer(name);
        for size in [10 * 1024usize, 1024 * 1024] {
            let doc: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
            let mut g = c.benchmark_group(format!("cades/{name}/{}KB", size / 1024));
            g.throughput(Throughput::Bytes(size as u64));
            g.bench_function("sign-detached", |b| {
                b.iter(|| cades::sign(black_box(&doc[..]), &s, &CadesOptions::default()).unwrap())
            });
            let p7s = cades::sign(&doc[..], &s, &CadesOptions::default()).unwrap();
            g.bench_function("verify-detached", |b| {
                b.iter(|| {
                    let mut c = &doc[..];
                    cades::verify(black_box(&p7s), Some(&mut c), &VerifyOptions::default()).unwrap()
                })
            });
            g.finish();
        }
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
