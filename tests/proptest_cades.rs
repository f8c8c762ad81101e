//! Property tests: sign → verify round trips over random content, algorithms and modes, and
//! mutated signatures never panic the verifier nor pass.

mod common;
use common::*;
use proptest::prelude::*;
use sigform::SignatureAlgorithm;
use sigform::VerifyOptions;
use sigform::cades::{self, CadesOptions};
use sigform::report::{Indication, SubIndication};
use sigform::signer::SoftwareSigner;
use std::sync::OnceLock;

fn signers() -> &'static Vec<SoftwareSigner> {
    static S: OnceLock<Vec<SoftwareSigner>> = OnceLock::new();
    S.get_or_init(|| {
        let load = |n: &str| test_signer(n, "pki/chain.pem");
        vec![
            load("signer-rsa2048"),
            load("signer-rsa2048")
                .with_algorithm(SignatureAlgorithm::RSA_PSS_SHA256)
                .unwrap(),
            load("signer-p256"),
            load("signer-p384"),
        ]
    })
}

fn crypto_ok(r: &sigform::report::ValidationReport) -> bool {
    r.signatures.iter().all(|s| {
        s.checks.iter().all(|c| c.passed || c.name == "trust")
            && s.sub_indication == Some(SubIndication::NoCertificateChainFound)
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    #[test]
    fn sign_then_verify(content in proptest::collection::vec(any::<u8>(), 0..4096), which in 0usize..4, attached: bool) {
        let s = &signers()[which];
        let p7s = cades::sign(&content[..], s, &CadesOptions { attached, ..Default::default() }).unwrap();
        let mut c = &content[..];
        let given: Option<&mut dyn std::io::Read> = if attached { None } else { Some(&mut c) };
        let r = cades::verify(&p7s, given, &VerifyOptions::default()).unwrap();
        prop_assert!(crypto_ok(&r));
        // any other content fails
        let mut other = content.clone();
        other.push(1);
        let mut o = &other[..];
        let r = cades::verify(&p7s, Some(&mut o), &VerifyOptions::default()).unwrap();
        prop_assert_eq!(r.signatures[0].indication, Indication::TotalFailed);
        prop_assert_eq!(r.signatures[0].sub_indication, Some(SubIndication::HashFailure));
    }

    /// Never a panic on a mutated `.p7s`. Without trust anchors no report can be valid, so
    /// the "never passes" half is `mutated_p7s_never_passes_with_trust` in
    /// `proptest_cades_modes.rs`, which verifies with the test root.
    #[test]
    fn mutated_signatures_never_panic(pos in any::<prop::sample::Index>(), xor in 1u8..=255, which in 0usize..4) {
        let content = b"mutation test content".to_vec();
        let s = &signers()[which];
        let p7s = cades::sign(&content[..], s, &CadesOptions::default()).unwrap();
        let mut m = p7s.clone();
        let i = pos.index(m.len());
        m[i] ^= xor;
        let mut c = &content[..];
        if let Ok(r) = cades::verify(&m, Some(&mut c), &VerifyOptions::default()) {
            prop_assert!(!r.valid);
        }
    }
}
