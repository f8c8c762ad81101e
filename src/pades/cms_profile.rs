//! The PDF CMS profile: how the CMS of a PDF signature relates to the signed byte ranges (the
//! signature dictionary's `/SubFilter`, [`PdfCmsProfile`]), and [`verify_pdf_cms`], the CAdES
//! verification of that CMS over the ranges plus the checks each profile adds.

use crate::alg::DigestAlgorithm;
use crate::asn1::ess;
use crate::asn1::oid;
use crate::asn1::tlv;
use crate::cades::parse::{SignedData, SignerInfo, parse_signed_data};
use crate::cades::verify::{
    ContentDigests, hash_all, signer_digest_algorithms, verify_signed_data,
};
use crate::error::Result;
use crate::report::{Indication, SignatureReport, SubIndication, ValidationReport};
use crate::verify::VerifyOptions;
use crate::x509::CertificateDer;
use std::io::Read;

/// How the CMS of a PDF signature relates to the signed byte ranges: the `/SubFilter` of the
/// signature dictionary (ISO 32000-2 §12.8.3, ETSI EN 319 142-1 §6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PdfCmsProfile {
    /// `adbe.pkcs7.detached`: a detached CMS whose messageDigest (or, without signed
    /// attributes, whose signature) covers the ranges.
    AdbePkcs7Detached,
    /// `ETSI.CAdES.detached`: as `adbe.pkcs7.detached`, plus the PAdES baseline rules:
    /// signing-certificate-v2 required (signing-certificate accepted with a warning), a
    /// signingTime attribute reported as non-conformant (the claimed time is the PDF's `/M`).
    EtsiCadesDetached,
    /// `adbe.pkcs7.sha1` (legacy): the CMS encapsulates the SHA-1 digest of the ranges.
    AdbePkcs7Sha1,
    /// `PBAD.PAdES` (with `/Filter /PBAD_PAdES`): the ICP-Brasil PAdES profile (DOC-ICP-15.03,
    /// written by ICP-Brasil signers and DSS): a CAdES-detached CMS over the ranges, checked as
    /// `ETSI.CAdES.detached` (its AD-RB/AD-RT signature policy is reported by the CAdES checks).
    IcpBrasilPades,
    /// `ETSI.RFC3161` (document timestamp): the CMS is a timestamp token whose TSTInfo
    /// messageImprint is the digest of the ranges. The signer must be a timestamping
    /// authority (extended key usage id-kp-timeStamping).
    DocumentTimestamp,
    /// `adbe.x509.rsa_sha1` (legacy, ISO 32000-1 §12.8.3.2): not a CMS at all but a PKCS#1
    /// signature with the certificate in `/Cert`; [`verify_pdf_cms`] refuses it, the PAdES
    /// verifier checks it on its own (with a "legacy" warning).
    AdbeX509RsaSha1,
}

impl PdfCmsProfile {
    /// The `/SubFilter` name.
    pub fn subfilter(self) -> &'static str {
        match self {
            Self::AdbePkcs7Detached => "adbe.pkcs7.detached",
            Self::EtsiCadesDetached => "ETSI.CAdES.detached",
            Self::AdbePkcs7Sha1 => "adbe.pkcs7.sha1",
            Self::IcpBrasilPades => "PBAD.PAdES",
            Self::DocumentTimestamp => "ETSI.RFC3161",
            Self::AdbeX509RsaSha1 => "adbe.x509.rsa_sha1",
        }
    }
}

/// What a timestamp token's TSTInfo says (RFC 3161 §2.4.2).
struct TstInfo {
    imprint_oid: der::asn1::ObjectIdentifier,
    imprint: Vec<u8>,
    gen_time: Option<String>,
}

/// `TSTInfo ::= SEQUENCE { version, policy, messageImprint SEQUENCE { hashAlgorithm,
/// hashedMessage OCTET STRING }, serialNumber, genTime GeneralizedTime, ... }`
fn parse_tst_info(econtent: &[u8]) -> Result<TstInfo> {
    const W: &str = "TSTInfo";
    let t = tlv::read_single(econtent, W)?.expect_tag(tlv::tag::SEQUENCE, W)?;
    let mut r = t.children();
    r.read_expect(tlv::tag::INTEGER, W)?;
    r.read_expect(tlv::tag::OID, W)?;
    let mi = r.read_expect(tlv::tag::SEQUENCE, "messageImprint")?;
    let mut m = mi.children();
    let alg = m.read_expect(tlv::tag::SEQUENCE, "messageImprint")?;
    let imprint_oid = ess::algorithm_oid(alg.raw, "messageImprint")?;
    let hashed = m.read_expect(tlv::tag::OCTET_STRING, "messageImprint")?;
    m.finish("messageImprint")?;
    r.read_expect(tlv::tag::INTEGER, W)?;
    let gen_el = r.read_expect(tlv::tag::GENERALIZED_TIME, "genTime")?;
    // RFC 3161 allows fractions of a second (certomancer writes them): the TSP reader's
    // GenTime reads them, the CMS Time reader does not.
    let gen_time = crate::tsp::GenTime::parse(gen_el.content).map(|g| g.rfc3339());
    Ok(TstInfo {
        imprint_oid,
        imprint: hashed.content.to_vec(),
        gen_time,
    })
}

/// Verifies the CMS of a PDF signature (`p7s`, without the `/Contents` padding) over the
/// signed byte ranges, read once from `signed_ranges`, with the rules of `profile`.
/// `dss_certificates` are the PDF's Document Security Store certificates (offered to the path
/// builder as [`CertSource::Dss`](crate::x509::CertSource::Dss)); add the DSS revocation data
/// to `options.revocation`.
///
/// Returns `Err` only when `p7s` is not a CMS SignedData at all (or reading the ranges fails);
/// every problem with a signature is a verdict in the report, one entry per SignerInfo.
pub fn verify_pdf_cms(
    p7s: &[u8],
    signed_ranges: &mut dyn Read,
    profile: PdfCmsProfile,
    dss_certificates: &[CertificateDer],
    options: &VerifyOptions,
) -> Result<ValidationReport> {
    if profile == PdfCmsProfile::AdbeX509RsaSha1 {
        return Err(crate::error::Error::malformed(
            "PDF signature",
            "adbe.x509.rsa_sha1 holds a PKCS#1 signature, not a CMS",
        ));
    }
    let der = tlv::normalize(p7s)?;
    let sd = parse_signed_data(&der)?;
    let signer_algs = signer_digest_algorithms(&sd);
    let mut algs = signer_algs.clone();
    let tst = match (profile, sd.econtent) {
        (PdfCmsProfile::DocumentTimestamp, Some(c)) if sd.econtent_type == oid::TST_INFO => {
            Some(parse_tst_info(c))
        }
        _ => None,
    };
    let imprint_alg = match &tst {
        Some(Ok(t)) => DigestAlgorithm::from_oid(&t.imprint_oid),
        _ => None,
    };
    for a in [
        (profile == PdfCmsProfile::AdbePkcs7Sha1).then_some(DigestAlgorithm::Sha1),
        imprint_alg,
    ]
    .into_iter()
    .flatten()
    {
        if !algs.contains(&a) {
            algs.push(a);
        }
    }
    let range_digests = hash_all(signed_ranges, &algs)?;
    let attached = matches!(
        profile,
        PdfCmsProfile::AdbePkcs7Sha1 | PdfCmsProfile::DocumentTimestamp
    );
    let digests: ContentDigests = if attached {
        match sd.econtent {
            Some(c) => signer_algs.iter().map(|a| (*a, a.digest(c))).collect(),
            None => ContentDigests::new(),
        }
    } else {
        range_digests.clone()
    };
    let mut opts = options.clone();
    if profile == PdfCmsProfile::DocumentTimestamp {
        opts.eku = crate::x509::EkuPolicy::Require(vec![oid::KP_TIME_STAMPING]);
    }
    Ok(verify_signed_data(
        &sd,
        Some(&digests),
        dss_certificates,
        &opts,
        Vec::new(),
        |r, si| {
            profile_checks(r, si, &sd, profile, &range_digests, tst.as_ref());
            r.conclude();
        },
    ))
}

/// The checks a PDF `/SubFilter` adds to the CMS ones.
fn profile_checks(
    r: &mut SignatureReport,
    si: &SignerInfo<'_>,
    sd: &SignedData<'_>,
    profile: PdfCmsProfile,
    range_digests: &ContentDigests,
    tst: Option<&Result<TstInfo>>,
) {
    match profile {
        PdfCmsProfile::AdbePkcs7Detached => detached_check(r, sd, profile),
        PdfCmsProfile::EtsiCadesDetached | PdfCmsProfile::IcpBrasilPades => {
            detached_check(r, sd, profile);
            pades_baseline_checks(r, si, profile);
        }
        PdfCmsProfile::AdbePkcs7Sha1 => sha1_digest_check(r, sd, range_digests),
        PdfCmsProfile::DocumentTimestamp => imprint_check(r, sd, range_digests, tst),
        // Refused before: not a CMS.
        PdfCmsProfile::AdbeX509RsaSha1 => {}
    }
}

/// `adbe.pkcs7.detached` and `ETSI.CAdES.detached`: the CMS encapsulates no content.
fn detached_check(r: &mut SignatureReport, sd: &SignedData<'_>, profile: PdfCmsProfile) {
    let name = profile.subfilter();
    if sd.econtent.is_some() {
        r.fail_format(
            "pdf-detached",
            format!("a {name} signature must be detached, but the CMS encapsulates content"),
        );
    } else {
        r.pass(
            "pdf-detached",
            Some(format!("{name}: detached CMS over the byte ranges")),
        );
    }
}

/// `adbe.pkcs7.sha1`: the CMS encapsulates the SHA-1 digest of the byte ranges as id-data.
fn sha1_digest_check(r: &mut SignatureReport, sd: &SignedData<'_>, range_digests: &ContentDigests) {
    r.warnings.push(
        "adbe.pkcs7.sha1 is a legacy SubFilter: the CMS signs a SHA-1 digest of the document"
            .into(),
    );
    let expected = range_digests.get(&DigestAlgorithm::Sha1);
    match (sd.econtent, expected) {
        (Some(c), Some(d)) if sd.econtent_type == oid::DATA && c == d.as_slice() => r.pass(
            "pdf-sha1-digest",
            Some("the encapsulated SHA-1 digest matches the byte ranges".into()),
        ),
        (Some(_), _) if sd.econtent_type != oid::DATA => r.fail_format(
            "pdf-sha1-digest",
            format!(
                "adbe.pkcs7.sha1 needs id-data content, found {}",
                sd.econtent_type
            ),
        ),
        (Some(_), _) => r.fail(
            "pdf-sha1-digest",
            Indication::TotalFailed,
            SubIndication::HashFailure,
            "the encapsulated SHA-1 digest does not match the byte ranges",
        ),
        (None, _) => r.fail_format(
            "pdf-sha1-digest",
            "adbe.pkcs7.sha1 needs the SHA-1 digest encapsulated in the CMS",
        ),
    }
}

/// `ETSI.RFC3161`: the timestamp token's messageImprint is the digest of the byte ranges; its
/// genTime is the report's timestamp time.
fn imprint_check(
    r: &mut SignatureReport,
    sd: &SignedData<'_>,
    range_digests: &ContentDigests,
    tst: Option<&Result<TstInfo>>,
) {
    r.level = None;
    let t = match tst {
        None => {
            return r.fail_format(
                "message-imprint",
                format!(
                    "a document timestamp must encapsulate a TSTInfo (id-ct-TSTInfo), found {}",
                    sd.econtent_type
                ),
            );
        }
        Some(Err(e)) => {
            return r.fail_format("message-imprint", e.to_string());
        }
        Some(Ok(t)) => t,
    };
    if let Some(g) = &t.gen_time {
        r.timestamp_time = Some(g.clone());
    }
    match DigestAlgorithm::from_oid(&t.imprint_oid) {
        None => r.fail(
            "message-imprint",
            Indication::Indeterminate,
            SubIndication::CryptoConstraintsFailure,
            format!("unsupported messageImprint algorithm {}", t.imprint_oid),
        ),
        Some(a) => match range_digests.get(&a) {
            Some(d) if *d == t.imprint => r.pass(
                "message-imprint",
                Some(format!(
                    "the timestamp covers the byte ranges ({})",
                    a.name()
                )),
            ),
            _ => r.fail(
                "message-imprint",
                Indication::TotalFailed,
                SubIndication::HashFailure,
                "the timestamp's messageImprint does not match the byte ranges",
            ),
        },
    }
}

/// `ETSI.CAdES.detached` and `PBAD.PAdES`: the PAdES baseline attribute rules (ETSI EN 319
/// 142-1 §6.3).
fn pades_baseline_checks(r: &mut SignatureReport, si: &SignerInfo<'_>, profile: PdfCmsProfile) {
    let name = profile.subfilter();
    if !si.signed_attr(&oid::SIGNING_TIME).is_empty() {
        r.warnings.push(format!(
            "{name} with a signingTime attribute: not PAdES baseline (ETSI EN 319 142-1 §6.3: the claimed time belongs in /M)"
        ));
    }
    let v2 = !si.signed_attr(&oid::SIGNING_CERTIFICATE_V2).is_empty();
    let v1 = !si.signed_attr(&oid::SIGNING_CERTIFICATE).is_empty();
    if !v2 && !v1 {
        r.fail_format(
            "pades-signing-certificate",
            format!(
                "{name} requires the signing-certificate-v2 attribute (ETSI EN 319 142-1 §6.3)"
            ),
        );
    } else if !v2 {
        r.warnings.push(format!(
            "{name} with the old signing-certificate attribute (SHA-1) instead of signing-certificate-v2"
        ));
    }
}
