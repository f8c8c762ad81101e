//! CMS/CAdES verification on arbitrary bytes, detached (with a content) and attached.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sigform::cades::{verify};
use sigform::VerifyOptions;

fuzz_target!(|data: &[u8]| {
    let opts = VerifyOptions::default();
    let _ = verify(data, None, &opts);
    let mut content: &[u8] = b"sigform fuzz content";
    let _ = verify(data, Some(&mut content), &opts);
});
