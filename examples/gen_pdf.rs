//! Writes a test PDF of a given size and page count (for benchmarks and comparisons).
//!
//! ```sh
//! cargo run --release --example gen_pdf -- big.pdf 120 20000   # ~120 MB, 20,000 pages, 60,002 objects
//! ```
#[path = "../benches/support/genpdf.rs"]
mod genpdf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: gen_pdf OUT.pdf SIZE_MB PAGES")?;
    let mb: usize = args.next().unwrap_or_else(|| "1".into()).parse()?;
    let pages: usize = args.next().unwrap_or_else(|| "10".into()).parse()?;
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path)?);
    genpdf::generate(&mut out, mb * 1024 * 1024, pages)?;
    Ok(())
}
