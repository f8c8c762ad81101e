//! Property tests for the CAdES signing modes (issue #8), beside `proptest_cades.rs` (which
//! covers one signer over small contents and single-byte mutations):
//!
//! - co-signature chains of one to three signers with mixed algorithms, each made in one shot
//!   or in two steps (`prepare` → the state through serde_json → `finish`, the value made over
//!   the digest or over the data), attached or detached;
//! - counter-signatures of a random SignerInfo, one shot or two steps;
//! - contents up to ~300 KiB, with sizes around the 64 KiB streaming buffer, fed through a
//!   reader returning random short reads.
//!
//! Everything verifies TOTAL_PASSED against the test root; existing SignerInfos stay
//! byte-for-byte unchanged by co- and counter-signing. And, with the trust anchor given (which
//! `proptest_cades.rs` does not give, so no report of its can be valid), a byte XORed anywhere
//! in a `.p7s` never leaves it valid, but for the bytes no signature covers and verification
//! ignores (`common::cms`). Pure Rust: no external tool.

mod common;
use common::*;
use proptest::prelude::*;
use sigform::VerifyOptions;
use sigform::cades::parse::parse_signed_data;
use sigform::cades::{self, CadesOptions, SigningState, SigningTime};
use sigform::report::ValidationReport;
use sigform::signer::{Signer, SoftwareSigner};
use sigform::x509::TrustStore;
use sigform::{DigestAlgorithm, SignatureAlgorithm};
use std::io::Read;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

/// (certificate file, algorithm, a piece of its subject).
const SIGNERS: [(&str, SignatureAlgorithm, &str); 6] = [
    ("signer-rsa2048", SignatureAlgorithm::RSA_SHA256, "Alice"),
    (
        "signer-rsa2048",
        SignatureAlgorithm::RsaPkcs1v15 {
            digest: DigestAlgorithm::Sha512,
        },
        "Alice",
    ),
    (
        "signer-rsa2048",
        SignatureAlgorithm::RSA_PSS_SHA256,
        "Alice",
    ),
    (
        "signer-p256",
        SignatureAlgorithm::ECDSA_P256_SHA256,
        "Carol",
    ),
    ("signer-p384", SignatureAlgorithm::ECDSA_P384_SHA384, "Dave"),
    ("icp-pf", SignatureAlgorithm::RSA_SHA256, "João"),
];

fn signers() -> &'static Vec<SoftwareSigner> {
    static S: OnceLock<Vec<SoftwareSigner>> = OnceLock::new();
    S.get_or_init(|| {
        SIGNERS
            .iter()
            .map(|(name, alg, _)| {
                test_signer(name, "pki/intermediate-ca.pem")
                    .with_algorithm(*alg)
                    .unwrap()
            })
            .collect()
    })
}

fn options() -> &'static VerifyOptions {
    static O: OnceLock<VerifyOptions> = OnceLock::new();
    O.get_or_init(|| VerifyOptions {
        trust: Some(TrustStore::from_path(tv("pki/root-ca.pem")).unwrap()),
        ..VerifyOptions::default()
    })
}

fn t(secs: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_760_000_000 + secs)
}

/// `len` bytes from a seed (xorshift): cheap for contents of hundreds of KiB.
fn content(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 32) as u8
        })
        .collect()
}

/// Content sizes: small ones, sizes around multiples of the 64 KiB streaming buffer, and any
/// size up to 300 KiB.
fn size() -> impl Strategy<Value = usize> {
    prop_oneof![
        2 => 0usize..2048,
        2 => (1usize..=4, -2i64..=2).prop_map(|(k, d)| (k as i64 * 65536 + d) as usize),
        1 => 0usize..300 * 1024,
    ]
}

/// A reader returning at most `chunks[i]` bytes on its i-th read (cycling): streaming must not
/// depend on how the content arrives.
struct Chunked<'a> {
    data: &'a [u8],
    chunks: Vec<usize>,
    n: usize,
}

impl Read for Chunked<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let want = self.chunks[self.n % self.chunks.len()].max(1);
        self.n += 1;
        let k = want.min(buf.len()).min(self.data.len());
        buf[..k].copy_from_slice(&self.data[..k]);
        self.data = &self.data[k..];
        Ok(k)
    }
}

fn chunks() -> impl Strategy<Value = Vec<usize>> {
    proptest::collection::vec(
        prop_oneof![1usize..64, 4000usize..70_000, Just(65536usize)],
        1..6,
    )
}

/// How one signature is made.
#[derive(Clone, Copy, Debug)]
enum Mode {
    /// `sign` / `cosign` / `countersign`.
    OneShot,
    /// `prepare*` → serde_json → `finish`, the value made over the to-be-signed bytes.
    TwoStepData,
    /// The same, the value made over the digest (a remote signer that signs hashes).
    TwoStepDigest,
}

fn mode() -> impl Strategy<Value = Mode> {
    prop_oneof![
        Just(Mode::OneShot),
        Just(Mode::TwoStepData),
        Just(Mode::TwoStepDigest)
    ]
}

/// Completes a prepared signature as a remote signer would: the state leaves as JSON and comes
/// back, the value is made elsewhere.
fn finish_remote(p: cades::Prepared, s: &SoftwareSigner, mode: Mode) -> Vec<u8> {
    assert_eq!(p.digest, p.digest_algorithm.digest(&p.to_be_signed));
    let json = serde_json::to_string(&p.state).unwrap();
    let state: SigningState = serde_json::from_str(&json).unwrap();
    assert_eq!(state, p.state);
    let value = match mode {
        Mode::TwoStepDigest => s.key().sign_digest(s.algorithm(), &p.digest).unwrap(),
        _ => s.sign(&p.to_be_signed).unwrap(),
    };
    cades::finish(&state, &value).unwrap()
}

fn cades_options(attached: bool, i: usize) -> CadesOptions {
    CadesOptions {
        attached,
        signing_time: SigningTime::At(t(60 * i as u64)),
        ..CadesOptions::default()
    }
}

/// A signature by each of `chain` in turn (the first signs, the others co-sign).
fn cosign_chain(doc: &[u8], chain: &[(usize, Mode)], attached: bool, reads: &[usize]) -> Vec<u8> {
    let mut p7s: Option<Vec<u8>> = None;
    for (i, &(who, mode)) in chain.iter().enumerate() {
        let s = &signers()[who];
        let opts = cades_options(attached, i);
        let reader = Chunked {
            data: doc,
            chunks: reads.to_vec(),
            n: i,
        };
        let next = match (&p7s, mode) {
            (None, Mode::OneShot) => cades::sign(reader, s, &opts).unwrap(),
            (None, m) => finish_remote(
                cades::prepare(reader, s.identity(), s.algorithm(), &opts).unwrap(),
                s,
                m,
            ),
            (Some(existing), Mode::OneShot) => {
                cades::cosign(existing, (!attached).then_some(reader), s, &opts).unwrap()
            }
            (Some(existing), m) => finish_remote(
                cades::prepare_cosign(
                    existing,
                    (!attached).then_some(reader),
                    s.identity(),
                    s.algorithm(),
                    &opts,
                )
                .unwrap(),
                s,
                m,
            ),
        };
        if let Some(existing) = &p7s {
            // Co-signing leaves the existing SignerInfos byte for byte.
            let before = parse_signed_data(existing).unwrap();
            let after = parse_signed_data(&next).unwrap();
            assert_eq!(after.signer_infos.len(), before.signer_infos.len() + 1);
            for (a, b) in before.signer_infos.iter().zip(&after.signer_infos) {
                assert_eq!(a.raw, b.raw);
            }
        }
        p7s = Some(next);
    }
    p7s.unwrap()
}

fn verify(p7s: &[u8], doc: &[u8], attached: bool, reads: &[usize]) -> ValidationReport {
    let mut reader = Chunked {
        data: doc,
        chunks: reads.to_vec(),
        n: 0,
    };
    let given: Option<&mut dyn Read> = if attached { None } else { Some(&mut reader) };
    cades::verify(p7s, given, options()).unwrap()
}

fn failures(r: &ValidationReport) -> Vec<String> {
    let mut out = Vec::new();
    for s in r.signatures.iter().chain(
        r.signatures
            .iter()
            .flat_map(|s| s.counter_signatures.iter()),
    ) {
        for c in s.checks.iter().filter(|c| !c.passed) {
            out.push(format!(
                "{} {}: {}",
                s.id,
                c.name,
                c.detail.clone().unwrap_or_default()
            ));
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// One to three signers (mixed algorithms, one shot or two steps), attached or detached:
    /// every signature verifies, in order, by the right signer.
    #[test]
    fn cosign_chains_verify(
        len in size(),
        seed: u64,
        chain in proptest::collection::vec((0usize..SIGNERS.len(), mode()), 1..=3),
        attached: bool,
        reads in chunks(),
    ) {
        let doc = content(len, seed);
        let p7s = cosign_chain(&doc, &chain, attached, &reads);
        let r = verify(&p7s, &doc, attached, &reads);
        prop_assert_eq!(r.signatures.len(), chain.len());
        prop_assert!(r.valid, "{:?}", failures(&r));
        for (s, &(who, _)) in r.signatures.iter().zip(&chain) {
            prop_assert!(s.passed(), "{}: {:?}", s.id, failures(&r));
            let subject = s.signer.as_ref().map(|x| x.subject.clone()).unwrap_or_default();
            prop_assert!(subject.contains(SIGNERS[who].2), "{} is not {}", subject, SIGNERS[who].2);
        }
        // Attached: the content is inside, byte for byte.
        let sd = parse_signed_data(&p7s).unwrap();
        prop_assert_eq!(sd.econtent.map(<[u8]>::to_vec), attached.then(|| doc.clone()));
    }

    /// Counter-signatures (one or two, on random SignerInfos, one shot or two steps) over a
    /// co-signed file: each verifies under its target; the SignerInfos' signed parts and
    /// values are unchanged.
    #[test]
    fn countersignatures_verify(
        len in size(),
        seed: u64,
        chain in proptest::collection::vec((0usize..SIGNERS.len(), Just(Mode::OneShot)), 1..=3),
        counters in proptest::collection::vec((any::<prop::sample::Index>(), 0usize..SIGNERS.len(), mode()), 1..=2),
        attached: bool,
        reads in chunks(),
    ) {
        let doc = content(len, seed);
        let mut p7s = cosign_chain(&doc, &chain, attached, &reads);
        let mut expected = vec![0usize; chain.len()];
        for (k, (target, who, mode)) in counters.iter().enumerate() {
            let target = target.index(chain.len());
            let s = &signers()[*who];
            let opts = cades_options(attached, 10 + k);
            let before = parse_signed_data(&p7s).unwrap();
            let next = match mode {
                Mode::OneShot => cades::countersign(&p7s, target, s, &opts).unwrap(),
                m => finish_remote(
                    cades::prepare_countersign(&p7s, target, s.identity(), s.algorithm(), &opts).unwrap(),
                    s,
                    *m,
                ),
            };
            let after = parse_signed_data(&next).unwrap();
            prop_assert_eq!(after.signer_infos.len(), before.signer_infos.len());
            for (i, (a, b)) in before.signer_infos.iter().zip(&after.signer_infos).enumerate() {
                prop_assert_eq!(a.signed_attrs_raw, b.signed_attrs_raw);
                prop_assert_eq!(a.signature, b.signature);
                if i != target {
                    prop_assert_eq!(a.raw, b.raw);
                }
            }
            expected[target] += 1;
            p7s = next;
        }
        let r = verify(&p7s, &doc, attached, &reads);
        prop_assert!(r.valid, "{:?}", failures(&r));
        for (i, s) in r.signatures.iter().enumerate() {
            prop_assert!(s.passed(), "{}: {:?}", s.id, failures(&r));
            prop_assert_eq!(s.counter_signatures.len(), expected[i]);
            for (j, c) in s.counter_signatures.iter().enumerate() {
                prop_assert!(c.passed(), "{}: {:?}", c.id, failures(&r));
                prop_assert_eq!(&c.id, &format!("S{}.C{}", i + 1, j + 1));
            }
        }
    }
}

// ---- mutations, with a trust anchor ----------------------------------------------------------

/// A `.p7s`, its content, and whether it is attached.
type Target = (Vec<u8>, Vec<u8>, bool);

/// `.p7s` files to mutate, made once (chains without the root, so that every certificate is
/// used): attached by one RSA signer; detached, co-signed (RSA-PSS, P-256) and counter-signed
/// (P-384) on the first SignerInfo.
fn targets() -> &'static Vec<Target> {
    static T: OnceLock<Vec<Target>> = OnceLock::new();
    T.get_or_init(|| {
        let doc = content(3000, 7);
        let attached = cades::sign(&doc[..], &signers()[0], &cades_options(true, 0)).unwrap();
        let co = cosign_chain(
            &doc,
            &[(2, Mode::OneShot), (3, Mode::OneShot)],
            false,
            &[4096],
        );
        let counter = cades::countersign(&co, 0, &signers()[4], &cades_options(false, 5)).unwrap();
        let out = vec![(attached, doc.clone(), true), (counter, doc, false)];
        for (p7s, doc, attached) in &out {
            let r = verify(p7s, doc, *attached, &[4096]);
            assert!(r.valid, "{:?}", failures(&r));
        }
        out
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    /// `proptest_cades.rs` mutates `.p7s` files too, but verifies them without a trust anchor,
    /// where no report is ever valid: here the anchor is given, so "never passes" is tested.
    /// A byte XORed anywhere never leaves the file valid, unless it is one of the bytes no
    /// signature covers and verification ignores (`common::cms`).
    #[test]
    fn mutated_p7s_never_passes_with_trust(which in 0usize..2, at: prop::sample::Index, mask in 1u8..=255) {
        let (p7s, doc, attached) = &targets()[which];
        let mut m = p7s.clone();
        let i = at.index(m.len());
        m[i] ^= mask;
        let mut c = &doc[..];
        let given: Option<&mut dyn Read> = if *attached { None } else { Some(&mut c) };
        if let Ok(r) = cades::verify(&m, given, options())
            && r.valid
        {
            let what = common::cms::classify(p7s, i);
            let counters = |r: &ValidationReport| r.signatures.iter().map(|s| s.counter_signatures.len()).sum::<usize>();
            if what == Some(common::cms::COUNTER_SIGNATURE_TYPE) {
                // The counter-signature became an unknown unsigned attribute: valid, but it
                // must no longer be reported.
                let original = verify(p7s, doc, *attached, &[4096]);
                prop_assert_eq!(counters(&r) + 1, counters(&original));
            } else {
                prop_assert!(
                    what.is_some(),
                    "byte {} ^ {:#x} of target {} and the file is still valid",
                    i, mask, which
                );
            }
        }
    }
}

#[test]
fn certificate_signature_with_unused_bits_is_refused() {
    // Found by `mutated_p7s_never_passes_with_trust` (and the PAdES mutations): the
    // intermediate certificate re-encoded with its signature BIT STRING declaring unused bits
    // still verified. Signature values are octet strings: OpenSSL and webpki refuse that.
    let (p7s, _, _) = &targets()[0];
    let sd = parse_signed_data(p7s).unwrap();
    let intermediate = sd
        .certificates
        .iter()
        .find(|c| {
            sigform::CertificateDer::from_der(c)
                .unwrap()
                .subject()
                .contains("Intermediate")
        })
        .unwrap();
    let cert = sigform::asn1::tlv::read_single(intermediate, "certificate").unwrap();
    let mut parts = cert.children();
    parts.read("tbs").unwrap();
    parts.read("algorithm").unwrap();
    let bits = parts.read("signature").unwrap();
    assert_eq!(bits.tag, 0x03);
    let at = bits.content.as_ptr() as usize - p7s.as_ptr() as usize;
    assert_eq!(p7s[at], 0);
    for unused in 1..=7u8 {
        let mut m = p7s.clone();
        m[at] = unused;
        let r = cades::verify(&m, None, options()).unwrap();
        assert!(!r.valid, "unused bits {unused}: still valid");
    }
}
