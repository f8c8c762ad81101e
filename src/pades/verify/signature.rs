//! The check of one signature, one function per step: the signature dictionary (`/Type`,
//! `/Filter`, `/SubFilter`, `/M`), the signed bytes (ByteRange, coverage, container, Contents:
//! see [`super::byte_range`]), then the CMS over the two ranges.

use super::byte_range::{
    check_container, check_coverage, check_gap_bytes, parse_byte_range, read_contents,
};
use super::discovery::FoundSig;
use super::legacy_x509::verify_x509_rsa_sha1;
use super::permissions::transforms;
use crate::VerifyOptions;
use crate::asn1::tlv;
use crate::pades::cms_profile::{PdfCmsProfile, verify_pdf_cms};
use crate::pades::diff::LockAction;
use crate::pades::ranges::SignedRanges;
use crate::pdf::{Dictionary, ObjRef, Object, Reader};
use crate::report::{
    Indication, PdfSignatureDetails, PdfSignatureKind, SignatureReport, SubIndication,
};
use crate::x509::CertificateDer;
use std::io::{Read, Seek};

/// `/Filter` values known (the signature handler names of ISO 32000 and its predecessors, and
/// ICP-Brasil's `PBAD_PAdES`). Another name is a warning when the `/SubFilter` is known: the
/// `/SubFilter` alone decides how the signature is verified (ISO 32000-2 §12.8.3).
const FILTERS: [&[u8]; 6] = [
    b"Adobe.PPKLite",
    b"Adobe.PPKMS",
    b"Entrust.PPKEF",
    b"CICI.SignIt",
    b"VeriSign.PPKVS",
    b"PBAD_PAdES",
];

/// What one signature's structural checks found.
pub(super) struct Checked {
    pub(super) report: SignatureReport,
    /// The PDF details, moved into the report once the revision analysis is done.
    pub(super) details: PdfSignatureDetails,
    /// The signed revision, when the byte ranges are sound.
    pub(super) covered: Option<usize>,
    pub(super) sig_ref: Option<ObjRef>,
    /// DocMDP `/P` declared in the signature's `/Reference` (a certification, if the catalog
    /// of its revision points at it).
    pub(super) docmdp: Option<i64>,
    /// FieldMDP locks declared in the signature's `/Reference`.
    pub(super) locks: Vec<LockAction>,
    /// An Adobe usage-rights signature (`/Perms /UR3`).
    pub(super) usage_rights: bool,
}

/// What every signature check shares.
pub(super) struct Ctx<'a> {
    pub(super) options: &'a VerifyOptions,
    pub(super) dss_certs: &'a [CertificateDer],
}

/// Why a `/SubFilter` is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(super) enum ProfileError {
    #[error("no /SubFilter")]
    Missing,
    #[error(
        "unsupported /SubFilter /{0} (supported: ETSI.CAdES.detached, adbe.pkcs7.detached, adbe.pkcs7.sha1, adbe.x509.rsa_sha1, ETSI.RFC3161, PBAD.PAdES)"
    )]
    Unsupported(String),
    #[error("/SubFilter is a {0}, not a name")]
    NotAName(&'static str),
}

/// The CMS profile the `/SubFilter` names.
pub(super) fn profile_of(d: &Dictionary) -> Result<PdfCmsProfile, ProfileError> {
    match d.get("SubFilter") {
        None => Err(ProfileError::Missing),
        Some(Object::Name(n)) => match n.as_slice() {
            b"ETSI.CAdES.detached" => Ok(PdfCmsProfile::EtsiCadesDetached),
            b"adbe.pkcs7.detached" => Ok(PdfCmsProfile::AdbePkcs7Detached),
            b"adbe.pkcs7.sha1" => Ok(PdfCmsProfile::AdbePkcs7Sha1),
            b"PBAD.PAdES" => Ok(PdfCmsProfile::IcpBrasilPades),
            b"ETSI.RFC3161" => Ok(PdfCmsProfile::DocumentTimestamp),
            b"adbe.x509.rsa_sha1" => Ok(PdfCmsProfile::AdbeX509RsaSha1),
            other => Err(ProfileError::Unsupported(
                String::from_utf8_lossy(other).into_owned(),
            )),
        },
        Some(o) => Err(ProfileError::NotAName(o.type_name())),
    }
}

/// The two signed ranges and the CMS between them, once the byte-range checks are through.
struct SignedBytes {
    /// `[(0, a), (b, c)]` of the `/ByteRange`.
    ranges: [(u64, u64); 2],
    /// The decoded `/Contents`.
    contents: Vec<u8>,
}

/// Checks one signature (`id` is its provisional report id).
pub(super) fn check_signature<R: Read + Seek>(
    reader: &Reader<R>,
    found: &FoundSig,
    id: String,
    ctx: &Ctx<'_>,
) -> Checked {
    let mut c = Checked {
        report: SignatureReport::new(id),
        details: PdfSignatureDetails {
            field: found.field.clone(),
            signature_object: found.sig_ref.map(|r| r.to_string()),
            ..PdfSignatureDetails::default()
        },
        covered: None,
        sig_ref: found.sig_ref,
        docmdp: None,
        locks: Vec::new(),
        usage_rights: found.usage_rights,
    };
    if found.usage_rights {
        c.details.kind = Some(PdfSignatureKind::UsageRights);
    }
    let Some(d) = signature_dictionary(reader, found, &mut c.report) else {
        return c;
    };
    let profile = check_dictionary(&mut c.report, &mut c.details, d);
    if found.usage_rights {
        c.details.kind = Some(PdfSignatureKind::UsageRights);
    }
    if let Some(Object::String(m)) = d.get("M") {
        c.report.claimed_signing_time =
            crate::time::parse_pdf_date(&m.bytes).map(|d| crate::time::rfc3339(&d));
    }
    (c.docmdp, c.locks) = transforms(reader, d, found.view);
    if let Some(signed) = check_signed_bytes(reader, found, d, &mut c) {
        if profile == Some(PdfCmsProfile::AdbeX509RsaSha1) {
            let mut ranges = SignedRanges::new(reader, signed.ranges);
            verify_x509_rsa_sha1(
                d,
                &signed.contents,
                &mut ranges,
                ctx.dss_certs,
                ctx.options,
                &mut c.report,
            );
        } else {
            check_cms(reader, &signed, profile, ctx, &mut c.report);
        }
    }
    c
}

/// The signature dictionary to check: refuses an orphan (a failure that does not stop the
/// checks) and a value that is not a dictionary (one that does).
fn signature_dictionary<'a, R: Read + Seek>(
    reader: &Reader<R>,
    found: &'a FoundSig,
    report: &mut SignatureReport,
) -> Option<&'a Dictionary> {
    if found.orphan {
        report.fail(
            "signature-field",
            Indication::TotalFailed,
            SubIndication::SigConstraintsFailure,
            format!(
                "no form field of the current document refers to this signature dictionary (found in revision {} of {}): it was removed from the form or never attached",
                found.view + 1,
                reader.revisions().len()
            ),
        );
    }
    if let Some(p) = &found.problem {
        report.fail_format("signature-dictionary", p.clone());
        return None;
    }
    if found.dict.is_none() {
        report.fail_format("signature-dictionary", "no signature dictionary");
    }
    found.dict.as_ref()
}

/// Step 1: `/Type`, `/Filter` and `/SubFilter`; returns the CMS profile when the
/// `/SubFilter` is known, and fills `subfilter` and `kind`.
fn check_dictionary(
    report: &mut SignatureReport,
    details: &mut PdfSignatureDetails,
    d: &Dictionary,
) -> Option<PdfCmsProfile> {
    let as_written = |o: &Object| String::from_utf8_lossy(&o.to_pdf_bytes()).into_owned();
    let mut problems: Vec<String> = Vec::new();
    match d.get("Type") {
        None => report
            .warnings
            .push("the signature dictionary has no /Type".into()),
        Some(Object::Name(n)) if n == b"Sig" || n == b"DocTimeStamp" => {}
        Some(o) => problems.push(format!(
            "/Type is {}, not /Sig or /DocTimeStamp",
            as_written(o)
        )),
    }
    let profile = match profile_of(d) {
        Ok(p) => Some(p),
        Err(e) => {
            problems.push(e.to_string());
            None
        }
    };
    match (d.get("Filter"), profile) {
        (Some(Object::Name(n)), _) if FILTERS.contains(&n.as_slice()) => {}
        (Some(o @ Object::Name(_)), Some(p)) => report.warnings.push(format!(
            "unknown /Filter {}: verified by its /SubFilter /{}",
            as_written(o),
            p.subfilter()
        )),
        (Some(o), _) => problems.push(format!("unknown /Filter {}", as_written(o))),
        (None, Some(p)) => report.warnings.push(format!(
            "no /Filter (required by ISO 32000): verified by its /SubFilter /{}",
            p.subfilter()
        )),
        (None, None) => problems.push("no /Filter".into()),
    }
    if let Some(p) = profile {
        details.subfilter = Some(p.subfilter().into());
        let is_dts = p == PdfCmsProfile::DocumentTimestamp;
        details.kind = Some(if is_dts {
            PdfSignatureKind::DocumentTimestamp
        } else {
            PdfSignatureKind::Signature
        });
        match (d.get_name("Type"), is_dts) {
            (Some(b"DocTimeStamp"), false) => problems
                .push("/Type /DocTimeStamp and /SubFilter /ETSI.RFC3161 must go together".into()),
            // Older DSS versions wrote document timestamps as /Type /Sig.
            (Some(b"Sig"), true) => report.warnings.push(
                "/Type /Sig with /SubFilter /ETSI.RFC3161: verified as a document timestamp (ISO 32000-2 writes /Type /DocTimeStamp)".into(),
            ),
            _ => {}
        }
    }
    if problems.is_empty() {
        report.pass(
            "signature-dictionary",
            profile.map(|p| format!("/SubFilter /{}", p.subfilter())),
        );
    }
    for p in problems {
        report.fail_format("signature-dictionary", p);
    }
    profile
}

/// Steps 2 to 5: `/ByteRange`, coverage, the dictionary's place, `/Contents` and the gap.
/// Sets `c.covered` when they are sound; returns what the CMS check needs, unless there is
/// no CMS to check.
fn check_signed_bytes<R: Read + Seek>(
    reader: &Reader<R>,
    found: &FoundSig,
    d: &Dictionary,
    c: &mut Checked,
) -> Option<SignedBytes> {
    let br = match parse_byte_range(d, reader.file_len()) {
        Ok(br) => br,
        Err(e) => {
            c.report.fail_format("byte-range", e.to_string());
            c.details.coverage = Some("none".into());
            return None;
        }
    };
    let [_, gap_start, gap_end, l2] = br;
    let gap = (gap_start, gap_end);
    let end = gap_end.saturating_add(l2);
    c.details.byte_range = Some(br);
    let (revision, mut range_ok) = check_coverage(reader, &mut c.report, &mut c.details, end);
    c.covered = revision.filter(|_| range_ok);
    range_ok &= check_container(reader, &mut c.report, found, gap, end, revision);
    let Some(contents) = read_contents(&mut c.report, d) else {
        c.covered = None;
        return None;
    };
    range_ok &= check_gap_bytes(reader, &mut c.report, gap, &contents);
    if !range_ok {
        c.covered = None;
    }
    if contents.iter().all(|&b| b == 0) {
        c.report.fail_format(
            "cms",
            "/Contents is all zeros: an empty placeholder, never signed",
        );
        c.covered = None;
        return None;
    }
    Some(SignedBytes {
        ranges: [(0, gap_start), (gap_end, l2)],
        contents,
    })
}

/// Step 6: the CMS in `/Contents` (only zero padding after it), verified over the two ranges
/// streamed from the file, with the profile of the `/SubFilter`.
fn check_cms<R: Read + Seek>(
    reader: &Reader<R>,
    signed: &SignedBytes,
    profile: Option<PdfCmsProfile>,
    ctx: &Ctx<'_>,
    report: &mut SignatureReport,
) {
    let cms = match tlv::split_first(&signed.contents) {
        Ok((cms, rest)) => {
            if rest.iter().any(|&b| b != 0) {
                report.fail_format("cms",
                    format!(
                        "{} bytes of data follow the CMS inside /Contents (only zero padding is allowed)",
                        rest.len()
                    ),
                );
            }
            cms
        }
        Err(e) => {
            report.fail_format(
                "cms",
                format!("/Contents does not hold a DER/BER structure: {e}"),
            );
            return;
        }
    };
    let Some(profile) = profile else {
        return;
    };
    let mut ranges = SignedRanges::new(reader, signed.ranges);
    match verify_pdf_cms(cms, &mut ranges, profile, ctx.dss_certs, ctx.options) {
        Ok(mut rep) => {
            if rep.signatures.len() != 1 {
                report.fail_format(
                    "cms",
                    format!(
                        "the CMS has {} SignerInfos; a PDF signature has exactly one",
                        rep.signatures.len()
                    ),
                );
            }
            report.warnings.append(&mut rep.warnings);
            if let Some(s) = rep.signatures.into_iter().next() {
                merge(report, s);
            }
        }
        Err(e) => report.fail_format(
            "cms",
            format!("/Contents does not hold a CMS SignedData: {e}"),
        ),
    }
}

/// Sets the verdict unless an earlier one stands (a failure outranks an INDETERMINATE).
fn set_verdict(r: &mut SignatureReport, ind: Indication, sub: SubIndication) {
    let replace = match r.sub_indication {
        None => true,
        Some(_) => r.indication == Indication::Indeterminate && ind == Indication::TotalFailed,
    };
    if replace {
        r.indication = ind;
        r.sub_indication = Some(sub);
    }
}

/// Merges the CMS verdict into the PDF report (PDF checks first, then the CMS ones).
fn merge(out: &mut SignatureReport, cms: SignatureReport) {
    out.signer = cms.signer;
    out.signature_algorithm = cms.signature_algorithm;
    out.digest_algorithm = cms.digest_algorithm;
    if cms.claimed_signing_time.is_some() {
        out.claimed_signing_time = cms.claimed_signing_time;
    }
    out.timestamp_time = cms.timestamp_time;
    out.timestamps = cms.timestamps;
    out.level = cms.level;
    out.policy_oid = cms.policy_oid;
    out.commitment_types = cms.commitment_types;
    out.trust = cms.trust;
    out.chain = cms.chain;
    out.revocation = cms.revocation;
    out.checks.extend(cms.checks);
    out.warnings.extend(cms.warnings);
    out.counter_signatures = cms.counter_signatures;
    if let Some(sub) = cms.sub_indication {
        set_verdict(out, cms.indication, sub);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subfilters() {
        let mut d = Dictionary::new();
        assert_eq!(profile_of(&d), Err(ProfileError::Missing));
        d.insert("SubFilter", Object::name("ETSI.RFC3161"));
        assert_eq!(profile_of(&d), Ok(PdfCmsProfile::DocumentTimestamp));
        d.insert("SubFilter", Object::name("x.y"));
        assert_eq!(
            profile_of(&d).map_err(|e| e.to_string()),
            Err("unsupported /SubFilter /x.y (supported: ETSI.CAdES.detached, adbe.pkcs7.detached, adbe.pkcs7.sha1, adbe.x509.rsa_sha1, ETSI.RFC3161, PBAD.PAdES)".to_string())
        );
        d.insert("SubFilter", Object::Integer(1));
        assert_eq!(profile_of(&d), Err(ProfileError::NotAName("integer")));
    }

    /// The dictionary checks of `/Type /Sig`, `filter` and `subfilter`: (failures, warnings).
    fn dictionary_verdict(filter: Option<&str>, subfilter: &str) -> (Vec<String>, Vec<String>) {
        let mut d = Dictionary::new();
        d.insert("Type", Object::name("Sig"));
        if let Some(f) = filter {
            d.insert("Filter", Object::name(f));
        }
        d.insert("SubFilter", Object::name(subfilter));
        let mut report = SignatureReport::new("S1");
        let mut details = PdfSignatureDetails::default();
        check_dictionary(&mut report, &mut details, &d);
        let failures = report
            .checks
            .iter()
            .filter(|c| !c.passed)
            .filter_map(|c| c.detail.clone())
            .collect();
        (failures, report.warnings)
    }

    #[test]
    fn icp_brasil_pades_pair_is_the_icp_brasil_profile() {
        let mut d = Dictionary::new();
        d.insert("SubFilter", Object::name("PBAD.PAdES"));
        assert_eq!(profile_of(&d), Ok(PdfCmsProfile::IcpBrasilPades));
        let (failures, warnings) = dictionary_verdict(Some("PBAD_PAdES"), "PBAD.PAdES");
        assert!(failures.is_empty(), "{failures:?}");
        assert!(warnings.is_empty(), "{warnings:?}");
    }

    #[test]
    fn unknown_filter_with_known_subfilter_is_a_warning() {
        let (failures, warnings) = dictionary_verdict(Some("Acme.Signer"), "ETSI.CAdES.detached");
        assert!(failures.is_empty(), "{failures:?}");
        assert_eq!(
            warnings,
            ["unknown /Filter /Acme.Signer: verified by its /SubFilter /ETSI.CAdES.detached"]
        );
    }

    #[test]
    fn unknown_filter_with_unknown_subfilter_or_no_filter_fails() {
        let (failures, _) = dictionary_verdict(Some("Acme.Signer"), "acme.sub");
        assert_eq!(failures.len(), 2, "{failures:?}");
        assert!(failures.iter().any(|f| f == "unknown /Filter /Acme.Signer"));
        let (failures, _) = dictionary_verdict(None, "acme.sub");
        assert!(failures.iter().any(|f| f == "no /Filter"), "{failures:?}");
    }

    #[test]
    fn no_filter_with_known_subfilter_is_a_warning() {
        let (failures, warnings) = dictionary_verdict(None, "PBAD.PAdES");
        assert!(failures.is_empty(), "{failures:?}");
        assert_eq!(
            warnings,
            ["no /Filter (required by ISO 32000): verified by its /SubFilter /PBAD.PAdES"]
        );
    }

    #[test]
    fn type_sig_with_rfc3161_is_a_document_timestamp_with_a_warning() {
        let mut d = Dictionary::new();
        d.insert("Type", Object::name("Sig"));
        d.insert("Filter", Object::name("Adobe.PPKLite"));
        d.insert("SubFilter", Object::name("ETSI.RFC3161"));
        let mut report = SignatureReport::new("S1");
        let mut details = PdfSignatureDetails::default();
        let p = check_dictionary(&mut report, &mut details, &d);
        assert_eq!(p, Some(PdfCmsProfile::DocumentTimestamp));
        assert_eq!(details.kind, Some(PdfSignatureKind::DocumentTimestamp));
        assert!(
            report.checks.iter().all(|c| c.passed),
            "{:?}",
            report.checks
        );
        assert_eq!(report.warnings.len(), 1, "{:?}", report.warnings);
        // The other way round stays a failure.
        d.insert("Type", Object::name("DocTimeStamp"));
        d.insert("SubFilter", Object::name("ETSI.CAdES.detached"));
        let mut report = SignatureReport::new("S1");
        check_dictionary(&mut report, &mut details, &d);
        assert!(report.checks.iter().any(|c| !c.passed));
    }
}
