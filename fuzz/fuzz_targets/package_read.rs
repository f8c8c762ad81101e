//! Package reading (zip and JSON) and verification on arbitrary bytes: never a panic, never an
//! allocation beyond the limits. Small limits keep each run fast.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sigform::package::{Limits, VerifyPackageOptions, read, verify_package};

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_entries: 16,
        max_entry_size: 1 << 20,
        max_total_size: 2 << 20,
        max_package_size: 4 << 20,
        ..Limits::default()
    };
    if let Ok(pkg) = read(data, &limits) {
        let options = VerifyPackageOptions {
            limits,
            ..VerifyPackageOptions::default()
        };
        let _ = verify_package(&pkg, &options);
    }
    // The same bytes as a JSON document too.
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = sigform::package::read_json(s.as_bytes(), &limits);
    }
});
