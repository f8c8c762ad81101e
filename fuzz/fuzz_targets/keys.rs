//! Key, certificate and PKCS#12 loaders on arbitrary bytes: errors are fine, panics are not.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sigform::CertificateDer;
use sigform::signer::pkcs12;
use sigform::signer::software::PrivateKey;

fuzz_target!(|data: &[u8]| {
    let _ = PrivateKey::from_pem_or_der(data, None);
    let _ = PrivateKey::from_pem_or_der(data, Some("sigform"));
    let _ = CertificateDer::parse_many(data);
    let _ = pkcs12::parse_pkcs12(data, "sigform");
});
