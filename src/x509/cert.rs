//! One certificate, sliced from its original DER and with the extensions path validation needs
//! decoded once. Problems with the certificate's own encoding or profile are recorded, not
//! raised: they only matter when the certificate ends up on a candidate path.

use super::names::{self, Dn, NameConstraintSet, NameForm};
use crate::asn1::oid;
use crate::asn1::tlv::{self, Tlv, tag};
use crate::x509::CertificateDer;
use der::asn1::ObjectIdentifier;
use der::{Decode, DecodeOwned};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{
    AuthorityInfoAccessSyntax, AuthorityKeyIdentifier, BasicConstraints, CertificatePolicies,
    CrlDistributionPoints, ExtendedKeyUsage, NameConstraints, PolicyConstraints, PolicyMappings,
    SubjectInfoAccessSyntax,
};

/// keyUsage bits (RFC 5280 §4.2.1.3), as bit positions.
#[allow(dead_code)]
pub(crate) mod ku {
    pub const DIGITAL_SIGNATURE: u16 = 1 << 0;
    pub const NON_REPUDIATION: u16 = 1 << 1;
    pub const KEY_ENCIPHERMENT: u16 = 1 << 2;
    pub const DATA_ENCIPHERMENT: u16 = 1 << 3;
    pub const KEY_AGREEMENT: u16 = 1 << 4;
    pub const KEY_CERT_SIGN: u16 = 1 << 5;
    pub const CRL_SIGN: u16 = 1 << 6;
}

/// Why the names of a certificate cannot be listed for name constraints.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum CertNameError {
    /// A directoryName in subjectAltName cannot be read again.
    #[error("unreadable directoryName in subjectAltName")]
    UnreadableSanDirectoryName,
}

/// How bad a recorded problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ProblemKind {
    /// The encoding is wrong (DER, required fields).
    Malformed,
    /// A profile rule or an extension we cannot honour.
    Constraint,
}

/// One extension as found in the certificate.
#[derive(Clone, Debug)]
pub(crate) struct RawExtension {
    pub oid: ObjectIdentifier,
    pub critical: bool,
    pub value: Vec<u8>,
}

/// Policy-related extensions (RFC 5280 §6.1.3 (d)–(f), §6.1.4 (a)–(j)).
#[derive(Clone, Debug, Default)]
pub(crate) struct PolicyInfo {
    /// certificatePolicies: (policy OIDs); `None` when the extension is absent.
    pub policies: Option<Vec<ObjectIdentifier>>,
    /// policyMappings: (issuerDomainPolicy, subjectDomainPolicy).
    pub mappings: Vec<(ObjectIdentifier, ObjectIdentifier)>,
    /// policyConstraints.requireExplicitPolicy.
    pub require_explicit_policy: Option<u32>,
    /// policyConstraints.inhibitPolicyMapping.
    pub inhibit_policy_mapping: Option<u32>,
    /// inhibitAnyPolicy.
    pub inhibit_any_policy: Option<u32>,
}

/// A certificate with everything path validation reads, decoded from the original DER.
#[derive(Clone, Debug)]
pub(crate) struct Cert {
    pub der: CertificateDer,
    /// Contents octets of the serial number INTEGER (two's complement, as encoded).
    pub serial: Vec<u8>,
    /// The original TBSCertificate bytes (what the issuer signed).
    pub tbs: Vec<u8>,
    /// The outer signatureAlgorithm.
    pub signature_algorithm: spki::AlgorithmIdentifierOwned,
    /// The signature value (BIT STRING contents without the unused-bits octet).
    pub signature: Vec<u8>,
    /// The issuer Name TLV, original bytes.
    pub issuer_raw: Vec<u8>,
    /// Parsed issuer.
    pub issuer: Dn,
    /// Parsed subject.
    pub subject: Dn,
    /// SubjectPublicKeyInfo TLV, original bytes.
    pub spki: Vec<u8>,
    /// The subjectPublicKey BIT STRING contents without the unused-bits octet.
    pub public_key_bits: Vec<u8>,
    /// notBefore, Unix seconds.
    pub not_before: i64,
    /// notAfter, Unix seconds.
    pub not_after: i64,
    /// All extensions, in order.
    pub extensions: Vec<RawExtension>,
    /// basicConstraints: (critical, cA, pathLenConstraint).
    pub basic_constraints: Option<(bool, bool, Option<u8>)>,
    /// keyUsage bits (see [`ku`]).
    pub key_usage: Option<u16>,
    /// extendedKeyUsage purposes.
    pub eku: Option<Vec<ObjectIdentifier>>,
    /// subjectKeyIdentifier.
    pub ski: Option<Vec<u8>>,
    /// authorityKeyIdentifier.keyIdentifier.
    pub aki_key_id: Option<Vec<u8>>,
    /// subjectAltName (critical, names).
    pub san: Option<(bool, Vec<GeneralName>)>,
    /// nameConstraints, checked for syntax.
    pub name_constraints: Option<NameConstraintSet>,
    /// cRLDistributionPoints.
    pub crl_distribution_points: Option<CrlDistributionPoints>,
    /// Policy extensions.
    pub policy: PolicyInfo,
    /// id-pkix-ocsp-nocheck present.
    pub ocsp_nocheck: bool,
    /// Problems found (kind, detail); the first one is reported.
    pub problems: Vec<(ProblemKind, String)>,
}

/// The contents of a BIT STRING that holds octets (a signature value, a subjectPublicKey):
/// the unused-bits octet must be 0, as OpenSSL (`ASN1_R_INVALID_BIT_STRING_BITS_LEFT`) and
/// webpki require; otherwise a certificate could be re-encoded and still verify.
fn bit_string_contents(tlv: &Tlv<'_>) -> Option<Vec<u8>> {
    if tlv.tag != tag::BIT_STRING {
        return None;
    }
    let (unused, rest) = tlv.content.split_first()?;
    if *unused != 0 {
        return None;
    }
    Some(rest.to_vec())
}

/// Decodes a named-bit BIT STRING (keyUsage, ReasonFlags) into a bit set (bit 0 = lowest).
pub(crate) fn named_bits(value: &[u8]) -> Option<u16> {
    let tlv = tlv::read_der_single(value)?;
    if tlv.tag != tag::BIT_STRING {
        return None;
    }
    let (unused, rest) = tlv.content.split_first()?;
    if *unused > 7 || (rest.is_empty() && *unused != 0) {
        return None;
    }
    let mut bits = 0u16;
    for (i, byte) in rest.iter().enumerate() {
        for j in 0..8 {
            if byte & (0x80 >> j) != 0 {
                let pos = i * 8 + j;
                if pos >= 16 {
                    return None;
                }
                bits |= 1 << pos;
            }
        }
    }
    Some(bits)
}

fn time_of(t: &x509_cert::time::Time) -> i64 {
    i64::try_from(t.to_unix_duration().as_secs()).unwrap_or(i64::MAX)
}

/// The TBSCertificate fields path validation reads, sliced from the original DER.
struct TbsFields<'a> {
    serial: Tlv<'a>,
    signature_algorithm: Tlv<'a>,
    issuer: Tlv<'a>,
    subject: Tlv<'a>,
    spki: Tlv<'a>,
    extensions: Option<Tlv<'a>>,
}

impl<'a> TbsFields<'a> {
    /// Walks the TBSCertificate contents: version (an explicit v1 is recorded in `problems`),
    /// serial, signature, issuer, validity, subject, subjectPublicKeyInfo, then only the
    /// unique IDs (v2, v3) and one extensions field (v3). `None` when the walk fails.
    fn slice(mut fields: &'a [u8], problems: &mut Vec<(ProblemKind, String)>) -> Option<Self> {
        let mut version = 1u8;
        if let Some((t, r)) = tlv::read_der(fields)
            && t.tag == 0xa0
        {
            let v = tlv::read_der_single(t.content)?;
            version = match v.content {
                [0] => {
                    problems.push((
                        ProblemKind::Malformed,
                        "version v1 encoded explicitly (DER forbids the default)".into(),
                    ));
                    1
                }
                [1] => 2,
                [2] => 3,
                _ => return None,
            };
            fields = r;
        }
        let (serial, fields) = tlv::expect_der(fields, tag::INTEGER)?;
        let (signature_algorithm, fields) = tlv::expect_der(fields, tag::SEQUENCE)?;
        let (issuer, fields) = tlv::expect_der(fields, tag::SEQUENCE)?;
        let (_validity, fields) = tlv::expect_der(fields, tag::SEQUENCE)?;
        let (subject, fields) = tlv::expect_der(fields, tag::SEQUENCE)?;
        let (spki, mut fields) = tlv::expect_der(fields, tag::SEQUENCE)?;
        let mut extensions = None;
        while let Some((t, r)) = tlv::read_der(fields) {
            match t.tag {
                0x81 | 0x82 if version >= 2 => {}
                0xa3 if version == 3 && extensions.is_none() => extensions = Some(t),
                _ => return None,
            }
            fields = r;
        }
        if !fields.is_empty() {
            return None;
        }
        Some(Self {
            serial,
            signature_algorithm,
            issuer,
            subject,
            spki,
            extensions,
        })
    }
}

/// What is wrong with a serial number's contents octets (RFC 5280 §4.1.2.2: positive,
/// non-zero, at most 20 octets).
fn serial_problem(s: &[u8]) -> Option<&'static str> {
    let magnitude = match s {
        [0, rest @ ..] if rest.first().is_some_and(|b| b & 0x80 != 0) => rest.len(),
        _ => s.len(),
    };
    if s.first().is_some_and(|b| b & 0x80 != 0) {
        Some("negative serial number")
    } else if s.iter().all(|b| *b == 0) {
        Some("serial number zero")
    } else if magnitude > 20 {
        Some("serial number longer than 20 octets")
    } else {
        None
    }
}

impl Cert {
    /// Slices and decodes `der`. `None` when the outer structure cannot even be walked (the
    /// certificate then cannot be used at all).
    pub fn parse(der: &CertificateDer) -> Option<Self> {
        let raw = der.der();
        let cert = tlv::read_der_single(raw)?;
        if cert.tag != tag::SEQUENCE {
            return None;
        }
        let (tbs, rest) = tlv::expect_der(cert.content, tag::SEQUENCE)?;
        let (outer_alg, rest) = tlv::expect_der(rest, tag::SEQUENCE)?;
        let (sig, rest) = tlv::read_der(rest)?;
        if !rest.is_empty() {
            return None;
        }
        let signature = bit_string_contents(&sig)?;
        let mut problems = Vec::new();
        let f = TbsFields::slice(tbs.content, &mut problems)?;
        let public_key_bits = {
            let (_alg, r) = tlv::expect_der(f.spki.content, tag::SEQUENCE)?;
            let (bits, r) = tlv::read_der(r)?;
            if !r.is_empty() {
                return None;
            }
            bit_string_contents(&bits)?
        };

        let parsed = der.certificate();
        let validity = parsed.tbs_certificate().validity();
        let signature_algorithm = parsed.signature_algorithm().clone();
        if outer_alg.raw != f.signature_algorithm.raw {
            problems.push((
                ProblemKind::Malformed,
                "signatureAlgorithm differs from the TBSCertificate's signature field".into(),
            ));
        }
        if let Some(p) = serial_problem(f.serial.content) {
            problems.push((ProblemKind::Malformed, p.into()));
        }
        let issuer_dn = Dn::parse(f.issuer.raw)?;
        let subject_dn = Dn::parse(f.subject.raw)?;
        if issuer_dn.is_empty() {
            problems.push((ProblemKind::Malformed, "empty issuer name".into()));
        }

        let mut c = Cert {
            der: der.clone(),
            serial: f.serial.content.to_vec(),
            tbs: tbs.raw.to_vec(),
            signature_algorithm,
            signature,
            issuer_raw: f.issuer.raw.to_vec(),
            issuer: issuer_dn,
            subject: subject_dn,
            spki: f.spki.raw.to_vec(),
            public_key_bits,
            not_before: time_of(&validity.not_before),
            not_after: time_of(&validity.not_after),
            extensions: Vec::new(),
            basic_constraints: None,
            key_usage: None,
            eku: None,
            ski: None,
            aki_key_id: None,
            san: None,
            name_constraints: None,
            crl_distribution_points: None,
            policy: PolicyInfo::default(),
            ocsp_nocheck: false,
            problems,
        };
        if let Some(ext) = f.extensions {
            c.parse_extensions(ext.content);
        }
        if c.subject.is_empty() {
            match &c.san {
                Some((true, _)) => {}
                Some((false, _)) => c.malformed("empty subject with a non-critical subjectAltName"),
                None => c.malformed("empty subject without subjectAltName"),
            }
        }
        Some(c)
    }

    fn parse_extensions(&mut self, value: &[u8]) {
        let Some(exts) = tlv::read_der_single(value) else {
            self.malformed("extensions are not a DER SEQUENCE");
            return;
        };
        let Some(list) = tlv::der_children(exts.content, 256).filter(|_| exts.tag == 0x30) else {
            self.malformed("malformed extensions list");
            return;
        };
        if list.is_empty() {
            self.malformed("empty extensions list");
        }
        for e in list {
            let Some(raw) = parse_extension(&e) else {
                self.malformed("malformed extension");
                continue;
            };
            if self.extensions.iter().any(|x| x.oid == raw.oid) {
                self.malformed(&format!("duplicate extension {}", raw.oid));
                continue;
            }
            self.decode_extension(&raw);
            self.extensions.push(raw);
        }
    }

    fn malformed(&mut self, detail: &str) {
        self.problems
            .push((ProblemKind::Malformed, detail.to_string()));
    }

    fn constraint(&mut self, detail: &str) {
        self.problems
            .push((ProblemKind::Constraint, detail.to_string()));
    }

    /// `name` must not be marked critical (RFC 5280).
    fn must_not_be_critical(&mut self, e: &RawExtension, name: &str) {
        if e.critical {
            self.constraint(&format!(
                "{name} extension marked critical (RFC 5280 forbids)"
            ));
        }
    }

    /// `name` must be marked critical (RFC 5280 `section`).
    fn must_be_critical(&mut self, e: &RawExtension, name: &str, section: &str) {
        if !e.critical {
            self.constraint(&format!("{name} not marked critical (RFC 5280 §{section})"));
        }
    }

    /// An extension we only check: not critical, and of type `T`.
    fn syntax_only<T: DecodeOwned>(&mut self, e: &RawExtension, name: &str) {
        self.must_not_be_critical(e, name);
        if T::from_der(&e.value).is_err() {
            self.malformed(&format!("malformed {name}"));
        }
    }

    /// Decodes one extension into the fields it sets, recording its problems.
    fn decode_extension(&mut self, e: &RawExtension) {
        let v = e.value.as_slice();
        match e.oid {
            o if o == oid::AUTHORITY_KEY_IDENTIFIER => self.decode_aki(e),
            o if o == oid::SUBJECT_KEY_IDENTIFIER => {
                self.must_not_be_critical(e, "subjectKeyIdentifier");
                match der::asn1::OctetString::from_der(v) {
                    Ok(k) => self.ski = Some(k.as_bytes().to_vec()),
                    Err(_) => self.malformed("malformed subjectKeyIdentifier"),
                }
            }
            o if o == oid::KEY_USAGE => match named_bits(v) {
                Some(0) => self.malformed("keyUsage with no bit set"),
                Some(bits) => self.key_usage = Some(bits),
                None => self.malformed("malformed keyUsage"),
            },
            o if o == oid::EXT_KEY_USAGE => match ExtendedKeyUsage::from_der(v) {
                Ok(eku) if eku.0.is_empty() => self.malformed("empty extendedKeyUsage"),
                Ok(eku) => self.eku = Some(eku.0),
                Err(_) => self.malformed("malformed extendedKeyUsage"),
            },
            o if o == oid::BASIC_CONSTRAINTS => match BasicConstraints::from_der(v) {
                Ok(bc) => {
                    if bc.path_len_constraint.is_some() && !bc.ca {
                        self.malformed("pathLenConstraint without cA");
                    }
                    self.basic_constraints = Some((e.critical, bc.ca, bc.path_len_constraint));
                }
                Err(_) => self.malformed("malformed basicConstraints"),
            },
            o if o == oid::SUBJECT_ALT_NAME => match names::parse_general_names(v) {
                Some(list) if !list.is_empty() => self.san = Some((e.critical, list)),
                Some(_) => self.malformed("empty subjectAltName"),
                None => self.malformed("malformed subjectAltName"),
            },
            o if o == oid::ISSUER_ALT_NAME => {
                if names::parse_general_names(v).is_none_or(|l| l.is_empty()) {
                    self.malformed("malformed issuerAltName");
                }
            }
            o if o == oid::NAME_CONSTRAINTS => self.decode_name_constraints(e),
            o if o == oid::POLICY_CONSTRAINTS => self.decode_policy_constraints(e),
            o if o == oid::CERTIFICATE_POLICIES => self.decode_certificate_policies(v),
            o if o == oid::POLICY_MAPPINGS => self.decode_policy_mappings(v),
            o if o == oid::INHIBIT_ANY_POLICY => {
                self.must_be_critical(e, "inhibitAnyPolicy", "4.2.1.14");
                match u32::from_der(v) {
                    Ok(n) => self.policy.inhibit_any_policy = Some(n),
                    Err(_) => self.malformed("malformed inhibitAnyPolicy"),
                }
            }
            o if o == oid::CRL_DISTRIBUTION_POINTS => match CrlDistributionPoints::from_der(v) {
                Ok(dp) => self.crl_distribution_points = Some(dp),
                Err(_) => self.malformed("malformed cRLDistributionPoints"),
            },
            o if o == oid::FRESHEST_CRL => {
                self.syntax_only::<CrlDistributionPoints>(e, "freshestCRL")
            }
            o if o == oid::AUTHORITY_INFO_ACCESS => {
                self.syntax_only::<AuthorityInfoAccessSyntax>(e, "authorityInfoAccess")
            }
            o if o == oid::SUBJECT_INFO_ACCESS => {
                self.syntax_only::<SubjectInfoAccessSyntax>(e, "subjectInfoAccess")
            }
            o if o == oid::SUBJECT_DIRECTORY_ATTRIBUTES => {
                self.must_not_be_critical(e, "subjectDirectoryAttributes")
            }
            o if o == oid::OCSP_NOCHECK => {
                if v != [0x05, 0x00] {
                    self.malformed("malformed id-pkix-ocsp-nocheck");
                }
                self.ocsp_nocheck = true;
            }
            o if o == oid::PRIVATE_KEY_USAGE_PERIOD => {
                self.must_not_be_critical(e, "privateKeyUsagePeriod")
            }
            other => {
                if e.critical {
                    self.constraint(&format!("unsupported critical extension {other}"));
                }
            }
        }
    }

    fn decode_aki(&mut self, e: &RawExtension) {
        self.must_not_be_critical(e, "authorityKeyIdentifier");
        match AuthorityKeyIdentifier::from_der(&e.value) {
            Ok(aki) => {
                self.aki_key_id = aki.key_identifier.map(|k| k.as_bytes().to_vec());
                if self.aki_key_id.is_none() {
                    // RFC 5280 §4.2.1.1: keyIdentifier MUST be present.
                    self.constraint("authorityKeyIdentifier without keyIdentifier");
                }
            }
            Err(_) => self.malformed("malformed authorityKeyIdentifier"),
        }
    }

    fn decode_name_constraints(&mut self, e: &RawExtension) {
        self.must_be_critical(e, "nameConstraints", "4.2.1.10");
        match NameConstraints::from_der(&e.value) {
            Ok(nc) => match NameConstraintSet::from_extension(&nc) {
                Ok(set) => self.name_constraints = Some(set),
                Err(e) => self.malformed(&e.to_string()),
            },
            Err(_) => self.malformed("malformed nameConstraints"),
        }
    }

    fn decode_policy_constraints(&mut self, e: &RawExtension) {
        self.must_be_critical(e, "policyConstraints", "4.2.1.11");
        match PolicyConstraints::from_der(&e.value) {
            Ok(pc)
                if pc.require_explicit_policy.is_none() && pc.inhibit_policy_mapping.is_none() =>
            {
                self.malformed("empty policyConstraints")
            }
            Ok(pc) => {
                self.policy.require_explicit_policy = pc.require_explicit_policy;
                self.policy.inhibit_policy_mapping = pc.inhibit_policy_mapping;
            }
            Err(_) => self.malformed("malformed policyConstraints"),
        }
    }

    fn decode_certificate_policies(&mut self, v: &[u8]) {
        match CertificatePolicies::from_der(v) {
            Ok(cp) if cp.0.is_empty() => self.malformed("empty certificatePolicies"),
            Ok(cp) => {
                let ids: Vec<ObjectIdentifier> = cp.0.iter().map(|p| p.policy_identifier).collect();
                let mut sorted: Vec<String> = ids.iter().map(|o| o.to_string()).collect();
                sorted.sort();
                sorted.dedup();
                if sorted.len() != ids.len() {
                    self.malformed("a policy appears twice in certificatePolicies");
                }
                self.policy.policies = Some(ids);
            }
            Err(_) => self.malformed("malformed certificatePolicies"),
        }
    }

    fn decode_policy_mappings(&mut self, v: &[u8]) {
        match PolicyMappings::from_der(v) {
            Ok(pm) if pm.0.is_empty() => self.malformed("empty policyMappings"),
            Ok(pm) => {
                for m in &pm.0 {
                    if m.issuer_domain_policy == oid::ANY_POLICY
                        || m.subject_domain_policy == oid::ANY_POLICY
                    {
                        self.constraint("policyMappings maps anyPolicy (RFC 5280 §6.1.4 (a))");
                    }
                }
                self.policy.mappings =
                    pm.0.iter()
                        .map(|m| (m.issuer_domain_policy, m.subject_domain_policy))
                        .collect();
            }
            Err(_) => self.malformed("malformed policyMappings"),
        }
    }

    /// True when issuer and subject are the same name (RFC 5280 "self-issued").
    pub fn is_self_issued(&self) -> bool {
        self.issuer.matches(&self.subject)
    }

    /// basicConstraints cA.
    pub fn is_ca(&self) -> bool {
        matches!(self.basic_constraints, Some((_, true, _)))
    }

    /// Names of this certificate that name constraints apply to (RFC 5280 §4.2.1.10): the
    /// subject when not empty, every subjectAltName, and without a subjectAltName the subject's
    /// emailAddress attributes as rfc822Names.
    pub fn constrained_names(&self) -> Result<Vec<NameForm>, CertNameError> {
        let mut out = Vec::new();
        if !self.subject.is_empty() {
            out.push(NameForm::Dir(self.subject.clone()));
        }
        match &self.san {
            Some((_, list)) => {
                for g in list {
                    out.push(
                        NameForm::from_general_name(g)
                            .ok_or(CertNameError::UnreadableSanDirectoryName)?,
                    );
                }
            }
            None => {
                for e in self.subject.attribute_strings(&oid::EMAIL_ADDRESS_ATTR) {
                    out.push(NameForm::Email(e));
                }
            }
        }
        Ok(out)
    }

    /// The first recorded problem.
    pub fn first_problem(&self) -> Option<&(ProblemKind, String)> {
        self.problems.first()
    }

    /// Subject as text (RFC 4514).
    pub fn subject_text(&self) -> String {
        self.der.subject()
    }
}

fn parse_extension(e: &Tlv<'_>) -> Option<RawExtension> {
    if e.tag != tag::SEQUENCE {
        return None;
    }
    let (oid_tlv, rest) = tlv::expect_der(e.content, tag::OID)?;
    let oid = ObjectIdentifier::from_der(oid_tlv.raw).ok()?;
    let (next, rest) = tlv::read_der(rest)?;
    let (critical, value_tlv, rest) = if next.tag == tag::BOOLEAN {
        let crit = match next.content {
            [0xff] => true,
            // DER omits the DEFAULT FALSE; an explicit FALSE is a BER-ism some CAs wrote: it
            // means the same, so it is read as non-critical.
            [0x00] => false,
            _ => return None,
        };
        let (v, r) = tlv::read_der(rest)?;
        (crit, v, r)
    } else {
        (false, next, rest)
    };
    if value_tlv.tag != tag::OCTET_STRING || !rest.is_empty() {
        return None;
    }
    Some(RawExtension {
        oid,
        critical,
        value: value_tlv.content.to_vec(),
    })
}
