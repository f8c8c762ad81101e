//! The root certificates of ICP-Brasil (the Brazilian PKI run by ITI), embedded in the binary:
//! what `--trust icp-brasil` and [`TrustStore::icp_brasil`](super::TrustStore::icp_brasil) load.
//!
//! Each file was taken from a public copy of ITI's publication (see `README.md` beside this file
//! for the sources) and is pinned here by the SHA-256 of its DER, as ITI and at least two
//! independent projects publish it; the unit tests below check every fingerprint, that each
//! certificate parses, is self-signed and is a CA, and its validity period.
//!
//! Only roots whose bytes could be found and cross-checked are here (v2, v5, v10, v12). v2
//! expired on 2023-06-21: it only anchors validations at an earlier time (`--at`), as for
//! documents signed under it. v11 (code signing), v6 (Ed448) and v7 (an Ed521 OID no common
//! library implements) are not embedded: see the README.

use super::CertificateDer;

/// One embedded ICP-Brasil root.
#[derive(Clone, Copy, Debug)]
pub struct IcpBrasilRoot {
    /// Its generation ("v5", "v10", …), as ITI names the file `ICP-Brasil<v>.crt`.
    pub version: &'static str,
    /// The certificate (PEM).
    pub pem: &'static [u8],
    /// SHA-256 of the DER, lowercase hex, as published.
    pub sha256: &'static str,
    /// Start of the validity period (Unix seconds).
    pub not_before: i64,
    /// End of the validity period (Unix seconds).
    pub not_after: i64,
}

/// Every embedded root, oldest first: version, PEM, SHA-256 of the DER, validity (Unix seconds).
pub const ROOTS: &[IcpBrasilRoot] = &[
    // 2010-06-21T19:04:57Z – 2023-06-21T19:04:57Z (expired)
    root(
        "v2",
        include_bytes!("ICP-Brasilv2.pem"),
        V2_SHA256,
        1_277_147_097,
        1_687_374_297,
    ),
    // 2016-03-02T13:01:38Z – 2029-03-02T23:59:38Z
    root(
        "v5",
        include_bytes!("ICP-Brasilv5.pem"),
        V5_SHA256,
        1_456_923_698,
        1_867_190_378,
    ),
    // 2019-07-01T19:15:59Z – 2032-07-01T12:00:59Z
    root(
        "v10",
        include_bytes!("ICP-Brasilv10.pem"),
        V10_SHA256,
        1_562_008_559,
        1_972_296_059,
    ),
    // 2024-10-22T14:41:24Z – 2037-10-22T12:00:24Z
    root(
        "v12",
        include_bytes!("ICP-Brasilv12.pem"),
        V12_SHA256,
        1_729_608_084,
        2_139_825_624,
    ),
];

const V2_SHA256: &str = "fb47d92a9909fd4fa9bec02737543e1f3514ced747407a8d9cfa397b0915067c";
const V5_SHA256: &str = "caa53fc6091c6951887c976e378f6ef89aa6377c55d97b6475422b71ed7e9b17";
const V10_SHA256: &str = "6e0bff069a26994c15de2c4888cc54af84882e5495b7fbf66be9ccffec7489f6";
const V12_SHA256: &str = "d8478e37ce19c690cf657381e68fe600e4e1a042536830f06847e03e554c4b01";

const fn root(
    version: &'static str,
    pem: &'static [u8],
    sha256: &'static str,
    not_before: i64,
    not_after: i64,
) -> IcpBrasilRoot {
    IcpBrasilRoot {
        version,
        pem,
        sha256,
        not_before,
        not_after,
    }
}

/// The embedded roots whose PEM parses and whose DER has the pinned fingerprint (all of them,
/// as the tests check; a root that did not would be left out rather than trusted).
pub fn roots() -> Vec<CertificateDer> {
    ROOTS.iter().filter_map(pinned).collect()
}

/// The certificate of `root` when its DER has the pinned fingerprint.
fn pinned(root: &IcpBrasilRoot) -> Option<CertificateDer> {
    let cert = CertificateDer::parse_many(root.pem)
        .ok()?
        .into_iter()
        .next()?;
    (cert.fingerprint_sha256() == root.sha256).then_some(cert)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alg::signature_algorithm_from_identifier;
    use crate::crypto::verify_signature;
    use crate::x509::cert::Cert;

    #[test]
    fn every_root_has_its_published_fingerprint() {
        for r in ROOTS {
            let certs = CertificateDer::parse_many(r.pem).expect("PEM parses");
            assert_eq!(certs.len(), 1, "{}: one certificate per file", r.version);
            assert_eq!(certs[0].fingerprint_sha256(), r.sha256, "{}", r.version);
        }
        assert_eq!(roots().len(), ROOTS.len());
    }

    #[test]
    fn every_root_is_a_self_signed_ca_of_iti_with_the_expected_validity() {
        for r in ROOTS {
            let der = &CertificateDer::parse_many(r.pem).expect("PEM parses")[0];
            let c = Cert::parse(der).expect("certificate parses");
            assert!(
                c.first_problem().is_none(),
                "{}: {:?}",
                r.version,
                c.problems
            );
            assert!(c.is_self_issued(), "{}", r.version);
            assert!(c.is_ca(), "{}", r.version);
            assert_eq!((c.not_before, c.not_after), (r.not_before, r.not_after));
            let alg = signature_algorithm_from_identifier(&c.signature_algorithm, None, None)
                .expect("known signature algorithm");
            verify_signature(&c.spki, alg, &c.tbs, &c.signature).expect("self-signature verifies");
            let cn = format!("Autoridade Certificadora Raiz Brasileira {}", r.version);
            assert!(der.subject().contains(&cn), "{}", der.subject());
            assert!(der.subject().contains("ICP-Brasil"), "{}", der.subject());
        }
    }

    #[test]
    fn a_root_without_its_pinned_fingerprint_is_left_out() {
        let good = ROOTS[1];
        assert!(pinned(&good).is_some());
        // Another root's bytes under v5's fingerprint.
        let swapped = IcpBrasilRoot {
            pem: ROOTS[2].pem,
            ..good
        };
        assert!(pinned(&swapped).is_none());
        // One changed character in the signature.
        let text = std::str::from_utf8(good.pem).expect("ASCII");
        let end = text.find("-----END").expect("END line");
        let at = end - 3;
        let flipped = if &text[at..at + 1] == "A" { "B" } else { "A" };
        let changed = format!("{}{}{}", &text[..at], flipped, &text[at + 1..]);
        let leaked: &'static [u8] = Box::leak(changed.into_bytes().into_boxed_slice());
        let tampered = IcpBrasilRoot {
            pem: leaked,
            ..good
        };
        assert!(pinned(&tampered).is_none());
        // Not a certificate at all.
        let garbage = IcpBrasilRoot {
            pem: b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
            ..good
        };
        assert!(pinned(&garbage).is_none());
    }
}
