//! PAdES signing of a 1 MB and a 100 MB generated PDF (RSA-2048), output to a temp file.
use criterion::{Criterion, criterion_group, criterion_main};
use sigform::pades::sign::{PadesOptions, sign_file};
use sigform::signer::SoftwareSigner;
use std::path::PathBuf;

#[path = "support/genpdf.rs"]
mod genpdf;

fn bench(c: &mut Criterion) {
    let tv = |f: &str| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("test-vectors/pki")
            .join(f)
    };
    let signer = SoftwareSigner::from_files(
        tv("signer-rsa2048.key.pem"),
        None,
        tv("signer-rsa2048.pem"),
        Some(&tv("chain.pem")),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    for (mb, pages) in [(1usize, 20usize), (100, 10_000)] {
        let input = dir.path().join(format!("in-{mb}.pdf"));
        let mut f = std::io::BufWriter::new(std::fs::File::create(&input).unwrap());
        genpdf::generate(&mut f, mb * 1024 * 1024, pages).unwrap();
        drop(f);
        let output = dir.path().join(format!("out-{mb}.pdf"));
        let mut g = c.benchmark_group(format!("pades-sign/{mb}MB"));
        g.sample_size(10);
        g.bench_function("sign_file", |b| {
            b.iter(|| sign_file(&input, &output, &signer, &PadesOptions::default()).unwrap())
        });
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
