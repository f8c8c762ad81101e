//! PAdES verification on arbitrary bytes: the PDF reader, signature discovery, the
//! ByteRange/Contents checks, the CMS over the ranges and the revision analysis. Never panics,
//! never loops, never reports a mutated file as valid without trust anchors.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sigform::VerifyOptions;

fuzz_target!(|data: &[u8]| {
    if let Ok(report) = sigform::pades::verify_pdf(std::io::Cursor::new(data), &VerifyOptions::default()) {
        // Without trust anchors nothing can be TOTAL_PASSED.
        assert!(!report.valid);
        let _ = report.to_json();
        let _ = report.to_string();
    }
});
