//! Path building and validation on hostile certificate sets: the input is split into
//! concatenated DER elements; certificates become the leaf (first) and the pool (the rest, the
//! last one also trusted), anything else is offered as a CRL or an OCSP response. Every
//! outcome is fine; panics, hangs and unbounded work are not.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sigform::CertificateDer;
use sigform::report::SignatureReport;
use sigform::x509::{
    PathOptions, RevocationData, RevocationPolicy, RevocationSource, TrustStore, signer_report,
    split_der, validate_chain,
};
use std::time::{Duration, UNIX_EPOCH};

static ROOT: &[u8] = include_bytes!("../../test-vectors/pki/root-ca.pem");

fuzz_target!(|data: &[u8]| {
    let mut certs = Vec::new();
    let mut revocation = RevocationData::new();
    for part in split_der(data, 64) {
        match CertificateDer::from_der(part) {
            Ok(c) => certs.push(c),
            Err(_) => {
                let _ = revocation.add_crl(part, RevocationSource::File);
                let _ = revocation.add_ocsp(part, RevocationSource::Dss);
                let _ = revocation.add_basic_ocsp(part, RevocationSource::Signature);
            }
        }
    }
    let Some((leaf, pool)) = certs.split_first() else {
        return;
    };
    let Ok(mut store) = TrustStore::from_pem(ROOT) else {
        return;
    };
    if let Some(last) = pool.last() {
        store.add(last.clone());
    }
    let mut options = PathOptions::at(UNIX_EPOCH + Duration::from_secs(1_767_225_600)); // 2026-01-01
    if data.first().is_some_and(|b| b & 1 == 1) {
        options.check_revocation = RevocationPolicy::Require;
        options.allow_ca_signer = true;
    }
    let result = validate_chain(leaf, pool, &store, &revocation, &options);
    let mut report = SignatureReport::new("F1");
    result.apply_to(&mut report);
    report.conclude();
    let _ = serde_json::to_string(&report);
    let _ = signer_report(leaf);
});
