//! The bytes of a CMS SignedData that no signature covers and that a verifier legitimately
//! ignores, so that a mutation test knows where a changed byte may leave a signature valid.
//!
//! - `SignedData.version` and `SignerInfo.version`: computed by the writer from the structure
//!   (RFC 5652 §5.1, §5.3); nothing verification uses depends on them, and OpenSSL ignores them.
//! - `SignedData.digestAlgorithms`: "a collection of message digest algorithm identifiers ...
//!   There MAY be any number of elements in the collection, including zero" (RFC 5652 §5.1):
//!   a hint for one-pass processing; each SignerInfo names its own digest algorithm.
//! - the parameters of an RSA PKCS#1 v1.5 `SignerInfo.signatureAlgorithm` (which RFC 4055
//!   says are NULL): the algorithm is the OID; OpenSSL does not read them either. (RSA-PSS
//!   parameters do matter, and are not listed.)
//!
//! Everything else must count: signed attributes, the signature value, the certificates
//! verification uses (the signer's is bound by signing-certificate-v2, the others by their
//! issuers' signatures), the content. Certificates the signature does not need (e.g. a copy of
//! the trust anchor) would be ignorable too: the mutation tests sign without them.

use sigform::asn1::tlv::{self, Tlv};
use sigform::cades::parse::parse_signed_data;
use sigform::tsp::TimestampToken;
use std::ops::Range;
use std::process::Command;

/// DER contents of sha256/384/512WithRSAEncryption and rsaEncryption.
const RSA_PKCS1_OIDS: [&[u8]; 4] = [
    &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b],
    &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c],
    &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0d],
    &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01],
];

fn range_of(base: &[u8], part: &[u8]) -> Range<usize> {
    let start = part.as_ptr() as usize - base.as_ptr() as usize;
    start..start + part.len()
}

/// The ignorable byte ranges of the ContentInfo that begins `cms` (anything after it, such as
/// the zero padding of a PDF `/Contents`, is not), and the `attrType`s of its counter-signature
/// attributes ([`COUNTER_SIGNATURE_TYPE`]), each with what it is.
pub fn ranges(cms: &[u8]) -> Vec<(Range<usize>, &'static str)> {
    let mut out = Vec::new();
    let (ci, _) = tlv::read_definite(cms, "ContentInfo").unwrap();
    let mut r = ci.children();
    r.read("contentType").unwrap();
    let explicit = r.read("[0]").unwrap();
    let sd = tlv::read_single(explicit.content, "SignedData").unwrap();
    let mut f = sd.children();
    let version = f.read("version").unwrap();
    out.push((range_of(cms, version.content), "SignedData.version"));
    let algs = f.read("digestAlgorithms").unwrap();
    out.push((range_of(cms, algs.content), "SignedData.digestAlgorithms"));
    f.read("encapContentInfo").unwrap();
    let mut next: Tlv<'_> = f.read("certificates, crls or signerInfos").unwrap();
    while next.tag == 0xa0 || next.tag == 0xa1 {
        next = f.read("crls or signerInfos").unwrap();
    }
    let mut sis = next.children();
    while !sis.is_empty() {
        signer_info(cms, sis.read("SignerInfo").unwrap(), &mut out);
    }
    out
}

/// DER contents of id-countersignature (1.2.840.113549.1.9.6).
const COUNTER_SIGNATURE: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x06];

/// A SignerInfo's ignorable bytes, and those of its counter-signatures.
fn signer_info(cms: &[u8], si: Tlv<'_>, out: &mut Vec<(Range<usize>, &'static str)>) {
    let mut s = si.children();
    let v = s.read("version").unwrap();
    out.push((range_of(cms, v.content), "SignerInfo.version"));
    s.read("sid").unwrap();
    s.read("digestAlgorithm").unwrap();
    let mut alg = s.read("signedAttrs or signatureAlgorithm").unwrap();
    if alg.tag == 0xa0 {
        alg = s.read("signatureAlgorithm").unwrap();
    }
    let mut a = alg.children();
    let oid = a.read("algorithm").unwrap();
    if RSA_PKCS1_OIDS.contains(&oid.content) && !a.is_empty() {
        out.push((
            range_of(cms, a.remaining()),
            "SignerInfo.signatureAlgorithm parameters (RSA PKCS#1 v1.5)",
        ));
    }
    s.read("signature").unwrap();
    if let Ok(unsigned) = s.read("unsignedAttrs") {
        let mut attrs = unsigned.children();
        while !attrs.is_empty() {
            let attr = attrs.read("Attribute").unwrap();
            let mut x = attr.children();
            let oid = x.read("attrType").unwrap();
            let values = x.read("attrValues").unwrap();
            if oid.content == COUNTER_SIGNATURE {
                out.push((range_of(cms, oid.content), COUNTER_SIGNATURE_TYPE));
                let mut vs = values.children();
                while !vs.is_empty() {
                    signer_info(cms, vs.read("counter-signature").unwrap(), out);
                }
            }
        }
    }
}

/// Label of the `attrType` of a counter-signature attribute in [`ranges`]. Not ignorable: a
/// change there turns the counter-signature into an unknown unsigned attribute, which the
/// verifier skips, so the counter-signature is no longer reported. Unsigned attributes are
/// not protected by the signature that carries them (RFC 5652 §5.3, §11.4): anyone can remove
/// one, so its disappearance is not a forgery, but it must show in the report.
pub const COUNTER_SIGNATURE_TYPE: &str = "counter-signature attrType";

/// What the byte at `at` is, if it is ignorable or a counter-signature's `attrType`.
pub fn classify(cms: &[u8], at: usize) -> Option<&'static str> {
    ranges(cms)
        .into_iter()
        .find(|(r, _)| r.contains(&at))
        .map(|(_, what)| what)
}

/// What an ignorable byte at `at` is, if it is one.
pub fn ignorable(cms: &[u8], at: usize) -> Option<&'static str> {
    classify(cms, at).filter(|w| *w != COUNTER_SIGNATURE_TYPE)
}

/// The values of the unsigned attribute `oid` of SignerInfo 0 (timestamp tokens, …).
pub fn unsigned_attr_values(p7s: &[u8], oid: &str) -> Vec<Vec<u8>> {
    let der = tlv::normalize(p7s).unwrap();
    let sd = parse_signed_data(&der).unwrap();
    let oid = oid.parse().unwrap();
    sd.signer_infos[0]
        .unsigned_attr(&oid)
        .iter()
        .flat_map(|a| a.values.iter().map(|v| v.to_vec()))
        .collect()
}

/// Flips one byte of the messageImprint of the first token of `oid` (its TSTInfo no longer
/// matches its messageDigest).
pub fn tamper_token(p7s: &[u8], oid: &str) -> Vec<u8> {
    let der = tlv::normalize(p7s).unwrap().into_owned();
    let token = unsigned_attr_values(&der, oid)[0].clone();
    let at = find(&der, &token);
    let imprint = TimestampToken::from_der(&token).unwrap().imprint().to_vec();
    let mut out = der.clone();
    out[at + find(&token, &imprint)] ^= 0x01;
    out
}

/// Where `needle` first occurs in `hay` (it must).
pub fn find(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len()).position(|w| w == needle).unwrap()
}

/// An attached RSA-1024 signature of `doc` with the test PKI's chain, made by `openssl cms -sign`
/// (sigform refuses to make one); `None` (after a notice) without openssl.
pub fn openssl_rsa1024_attached(doc: &[u8]) -> Option<Vec<u8>> {
    let openssl = super::tool("openssl")?;
    let dir = super::tempdir();
    let (input, out) = (dir.path().join("d.txt"), dir.path().join("o.p7s"));
    std::fs::write(&input, doc).unwrap();
    let (ok, text) = super::run(
        Command::new(openssl)
            .args(["cms", "-sign", "-binary", "-nodetach", "-outform", "DER"])
            .args(["-md", "sha256", "-in"])
            .arg(&input)
            .arg("-signer")
            .arg(super::tv("pki/signer-rsa1024.pem"))
            .arg("-inkey")
            .arg(super::tv("pki/signer-rsa1024.key.pem"))
            .arg("-certfile")
            .arg(super::tv("pki/chain.pem"))
            .arg("-out")
            .arg(&out),
    );
    assert!(ok, "openssl cms -sign: {text}");
    Some(std::fs::read(out).unwrap())
}

/// The signature value of SignerInfo 0.
pub fn signature_value(p7s: &[u8]) -> Vec<u8> {
    let der = tlv::normalize(p7s).unwrap();
    parse_signed_data(&der).unwrap().signer_infos[0]
        .signature
        .to_vec()
}
