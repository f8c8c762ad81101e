//! The two software-key backends give the same results: with the `aws-lc` feature the private-key
//! operation runs in AWS-LC, without it in RustCrypto; the pure-Rust path stays reachable through
//! `PrivateKey::sign_digest`. For every key and algorithm, over random messages: both signatures
//! verify with the certificate's key, a changed message fails, and RSA PKCS#1 v1.5 (deterministic)
//! gives byte-identical signatures. openssl's verdicts on the signer's output are in
//! `signer_keys.rs` and every interop test, which run with `--all-features` in CI.

mod common;
use common::test_signer;
use proptest::prelude::*;
use sigform::signer::{Signer, SoftwareSigner};
use sigform::{DigestAlgorithm, SignatureAlgorithm};

/// Every key of the test PKI with every algorithm a signing service uses.
fn cases() -> Vec<(SoftwareSigner, SignatureAlgorithm)> {
    let rsa = [
        SignatureAlgorithm::RSA_SHA256,
        SignatureAlgorithm::RsaPkcs1v15 {
            digest: DigestAlgorithm::Sha384,
        },
        SignatureAlgorithm::RsaPkcs1v15 {
            digest: DigestAlgorithm::Sha512,
        },
        SignatureAlgorithm::RSA_PSS_SHA256,
        SignatureAlgorithm::RsaPss {
            digest: DigestAlgorithm::Sha512,
            salt_len: 64,
        },
        // A salt length AWS-LC does not offer: the pure-Rust signer serves it.
        SignatureAlgorithm::RsaPss {
            digest: DigestAlgorithm::Sha256,
            salt_len: 20,
        },
    ];
    let mut out = Vec::new();
    for alg in rsa {
        let s = test_signer("signer-rsa2048", "pki/chain.pem")
            .with_algorithm(alg)
            .expect("RSA algorithm");
        out.push((s, alg));
    }
    out.push((
        test_signer("signer-p256", "pki/chain.pem"),
        SignatureAlgorithm::ECDSA_P256_SHA256,
    ));
    out.push((
        test_signer("signer-p384", "pki/chain.pem"),
        SignatureAlgorithm::ECDSA_P384_SHA384,
    ));
    out
}

fn spki(s: &SoftwareSigner) -> Vec<u8> {
    use der::Encode;
    s.identity()
        .certificate()
        .certificate()
        .tbs_certificate()
        .subject_public_key_info()
        .to_der()
        .expect("certificate public key")
}

#[test]
fn backend_is_the_one_the_features_choose() {
    for (s, alg) in cases() {
        let expected = if cfg!(feature = "aws-lc")
            && !matches!(alg, SignatureAlgorithm::RsaPss { salt_len: 20, .. })
        {
            "aws-lc"
        } else {
            "rust"
        };
        assert_eq!(s.backend(), expected, "{alg}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn both_backends_verify_and_agree(message in proptest::collection::vec(any::<u8>(), 0..2048)) {
        for (s, alg) in cases() {
            let key = spki(&s);
            let via_signer = s.sign(&message).expect("signer");
            let digest = alg.digest().digest(&message);
            let via_rust = s.key().sign_digest(alg, &digest).expect("pure-Rust signer");
            for (name, sig) in [("signer", &via_signer), ("rust", &via_rust)] {
                prop_assert!(
                    sigform::crypto::verify_signature(&key, alg, &message, sig).is_ok(),
                    "{alg} {name}: signature does not verify"
                );
                let mut other = message.clone();
                other.push(1);
                prop_assert!(
                    sigform::crypto::verify_signature(&key, alg, &other, sig).is_err(),
                    "{alg} {name}: verifies over another message"
                );
            }
            if matches!(alg, SignatureAlgorithm::RsaPkcs1v15 { .. }) {
                prop_assert_eq!(&via_signer, &via_rust, "{} is deterministic", alg);
            }
        }
    }
}

/// The pure-Rust path of a software key as a signer of its own (in an `aws-lc` build the
/// `SoftwareSigner` itself uses AWS-LC): CAdES files from both backends side by side.
struct RustPath<'a>(&'a SoftwareSigner);

impl Signer for RustPath<'_> {
    fn identity(&self) -> &sigform::signer::SignerIdentity {
        self.0.identity()
    }
    fn algorithm(&self) -> SignatureAlgorithm {
        self.0.algorithm()
    }
    fn sign(&self, tbs: &[u8]) -> Result<Vec<u8>, sigform::signer::SignerError> {
        let alg = self.0.algorithm();
        self.0.key().sign_digest(alg, &alg.digest().digest(tbs))
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3))]

    /// Whole CAdES signatures, not only values: for every key and algorithm, the `.p7s` made
    /// through the feature-chosen backend and the one made through the pure-Rust path both
    /// verify with sigform (TOTAL_PASSED against the test root) and with `openssl cms -verify
    /// -cades` (under SIGFORM_INTEROP=1; skipped with a notice when openssl is missing).
    #[test]
    fn cades_from_both_backends_verify(content in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let opts = sigform::VerifyOptions {
            trust: Some(sigform::x509::TrustStore::from_pem(&common::tv_bytes("pki/root-ca.pem")).expect("root")),
            ..Default::default()
        };
        for (s, alg) in cases() {
            let rust = RustPath(&s);
            for (name, signer) in [("backend", &s as &dyn Signer), ("rust", &rust)] {
                let p7s = sigform::cades::sign(&content[..], signer, &Default::default()).expect("sign");
                let mut c = &content[..];
                let report = sigform::cades::verify(&p7s, Some(&mut c), &opts).expect("verify");
                prop_assert!(report.valid, "{} {}: {:?}", alg, name, report);
                common::judges::openssl_cms_verify(&p7s, Some(&content), true);
            }
        }
    }
}
