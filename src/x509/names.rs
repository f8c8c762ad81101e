//! Distinguished names (comparison per RFC 5280 §7.1) and name constraints (RFC 5280
//! §4.2.1.10, §6.1.3 (b)–(c)): directoryName, rfc822Name, dNSName and iPAddress are processed;
//! a constraint on any other form rejects a certificate carrying a name of that form.

use crate::asn1::tlv::{self, tag};
use der::Encode;
use der::asn1::ObjectIdentifier;
use x509_cert::ext::pkix::NameConstraints;
use x509_cert::ext::pkix::constraints::name::GeneralSubtree;
use x509_cert::ext::pkix::name::GeneralName;

/// Most attributes in a name we read (bounds work on hostile names).
const MAX_ATTRIBUTES: usize = 8192;

/// A normalised attribute value.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum AttrValue {
    /// A string type, case-folded with insignificant spaces removed.
    Text(String),
    /// Anything else: tag and contents, compared byte for byte.
    Binary(u8, Vec<u8>),
}

/// One AttributeTypeAndValue.
#[derive(Clone, Debug)]
struct Atv {
    oid: Vec<u8>,
    norm: AttrValue,
    text: Option<String>,
}

impl Atv {
    fn key(&self) -> (&[u8], &AttrValue) {
        (&self.oid, &self.norm)
    }
}

/// A parsed Name: RDNs in encoded order, each RDN's attributes sorted for comparison.
#[derive(Clone, Debug, Default)]
pub(crate) struct Dn {
    rdns: Vec<Vec<Atv>>,
    /// Canonical encoding of the normalised name: equal keys ⇔ matching names.
    key: Vec<u8>,
}

fn push_len_prefixed(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u64).to_be_bytes());
    out.extend_from_slice(bytes);
}

fn canonical_key(rdns: &[Vec<Atv>]) -> Vec<u8> {
    let mut out = Vec::new();
    for rdn in rdns {
        out.push(b'R');
        out.extend_from_slice(&(rdn.len() as u64).to_be_bytes());
        for atv in rdn {
            push_len_prefixed(&mut out, &atv.oid);
            match &atv.norm {
                AttrValue::Text(t) => {
                    out.push(b'T');
                    push_len_prefixed(&mut out, t.as_bytes());
                }
                AttrValue::Binary(tag, v) => {
                    out.push(b'B');
                    out.push(*tag);
                    push_len_prefixed(&mut out, v);
                }
            }
        }
    }
    out
}

/// Decodes a directory string value to text, when it is one of the string types.
fn decode_text(tag: u8, v: &[u8]) -> Option<String> {
    match tag {
        0x0c => std::str::from_utf8(v).ok().map(str::to_string),
        0x13 | 0x16 | 0x1a | 0x12 => v
            .is_ascii()
            .then(|| String::from_utf8_lossy(v).into_owned()),
        0x14 => Some(v.iter().map(|b| *b as char).collect()), // T.61 read as Latin-1
        0x1e => {
            if !v.len().is_multiple_of(2) {
                return None;
            }
            let units = v.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]]));
            char::decode_utf16(units)
                .collect::<Result<String, _>>()
                .ok()
        }
        0x1c => {
            if !v.len().is_multiple_of(4) {
                return None;
            }
            v.chunks_exact(4)
                .map(|c| char::from_u32(u32::from_be_bytes([c[0], c[1], c[2], c[3]])))
                .collect()
        }
        _ => None,
    }
}

/// Case folding and insignificant-space handling (RFC 4518 §2.6, simplified as OpenSSL does).
fn normalise(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out
}

impl Dn {
    /// Parses a Name TLV (SEQUENCE OF SET OF AttributeTypeAndValue).
    pub fn parse(raw: &[u8]) -> Option<Self> {
        let seq = tlv::read_der_single(raw)?;
        if seq.tag != tag::SEQUENCE {
            return None;
        }
        let mut total = 0usize;
        let mut rdns = Vec::new();
        for set in tlv::der_children(seq.content, MAX_ATTRIBUTES)? {
            if set.tag != tag::SET {
                return None;
            }
            let mut atvs = Vec::new();
            for atv in tlv::der_children(set.content, MAX_ATTRIBUTES)? {
                total += 1;
                if total > MAX_ATTRIBUTES || atv.tag != tag::SEQUENCE {
                    return None;
                }
                let (oid, rest) = tlv::expect_der(atv.content, tag::OID)?;
                let value = tlv::read_der_single(rest)?;
                let text = decode_text(value.tag, value.content);
                let norm = match &text {
                    Some(t) => AttrValue::Text(normalise(t)),
                    None => AttrValue::Binary(value.tag, value.content.to_vec()),
                };
                atvs.push(Atv {
                    oid: oid.content.to_vec(),
                    norm,
                    text,
                });
            }
            if atvs.is_empty() {
                return None; // RelativeDistinguishedName ::= SET SIZE (1..MAX)
            }
            atvs.sort_by(|a, b| a.key().cmp(&b.key()));
            rdns.push(atvs);
        }
        let key = canonical_key(&rdns);
        Some(Dn { rdns, key })
    }

    /// From an x509-cert `Name` (re-encoded: RDN order is kept, values are not changed).
    pub fn from_name(name: &x509_cert::name::Name) -> Option<Self> {
        Self::parse(&name.to_der().ok()?)
    }

    /// True for the empty sequence.
    pub fn is_empty(&self) -> bool {
        self.rdns.is_empty()
    }

    /// Number of RDNs.
    pub fn len(&self) -> usize {
        self.rdns.len()
    }

    fn rdn_eq(a: &[Atv], b: &[Atv]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.key() == y.key())
    }

    /// Name equality (RFC 5280 §7.1).
    pub fn matches(&self, other: &Dn) -> bool {
        self.key == other.key
    }

    /// The canonical key: two names match exactly when their keys are equal.
    pub fn key(&self) -> &[u8] {
        &self.key
    }

    /// True when `self` (a constraint) is a prefix of `name` (the name is in the subtree).
    pub fn is_prefix_of(&self, name: &Dn) -> bool {
        self.rdns.len() <= name.rdns.len()
            && self
                .rdns
                .iter()
                .zip(&name.rdns)
                .all(|(a, b)| Self::rdn_eq(a, b))
    }

    /// The text values of every attribute of type `oid`, in order.
    pub fn attribute_strings(&self, oid: &ObjectIdentifier) -> Vec<String> {
        let want = oid.as_bytes();
        self.rdns
            .iter()
            .flatten()
            .filter(|a| a.oid == want)
            .filter_map(|a| a.text.clone())
            .collect()
    }
}

/// A name of a certificate, in the form name constraints see it.
#[derive(Clone, Debug)]
pub(crate) enum NameForm {
    /// rfc822Name (or an emailAddress attribute of the subject).
    Email(String),
    /// dNSName.
    Dns(String),
    /// iPAddress (4 or 16 octets when well formed).
    Ip(Vec<u8>),
    /// directoryName or the subject.
    Dir(Dn),
    /// Any other form: its GeneralName tag number.
    Other(u8),
}

impl NameForm {
    /// The GeneralName tag number of the form.
    fn kind(&self) -> u8 {
        match self {
            Self::Email(_) => 1,
            Self::Dns(_) => 2,
            Self::Dir(_) => 4,
            Self::Ip(_) => 7,
            Self::Other(k) => *k,
        }
    }

    /// From a GeneralName; `None` when a directoryName cannot be re-read.
    pub fn from_general_name(g: &GeneralName) -> Option<Self> {
        Some(match g {
            GeneralName::OtherName(_) => Self::Other(0),
            GeneralName::Rfc822Name(s) => Self::Email(s.to_string()),
            GeneralName::DnsName(s) => Self::Dns(s.to_string()),
            GeneralName::DirectoryName(n) => Self::Dir(Dn::from_name(n)?),
            GeneralName::EdiPartyName(_) => Self::Other(5),
            GeneralName::UniformResourceIdentifier(_) => Self::Other(6),
            GeneralName::IpAddress(o) => Self::Ip(o.as_bytes().to_vec()),
            GeneralName::RegisteredId(_) => Self::Other(8),
        })
    }
}

/// Parses GeneralNames (SEQUENCE SIZE (1..MAX) OF GeneralName).
pub(crate) fn parse_general_names(der: &[u8]) -> Option<Vec<GeneralName>> {
    <Vec<GeneralName> as der::Decode>::from_der(der).ok()
}

fn valid_label(l: &str) -> bool {
    !l.is_empty()
        && l.len() <= 63
        && l.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A syntactically valid host name; `wildcard` allows a leftmost `*` label.
fn valid_dns(s: &str, wildcard: bool) -> bool {
    if s.is_empty() || s.len() > 253 {
        return false;
    }
    let s = s.strip_suffix('.').unwrap_or(s);
    let mut labels = s.split('.');
    let first = labels.next().unwrap_or("");
    (valid_label(first) || (wildcard && first == "*")) && labels.all(valid_label)
}

/// Splits a mailbox `local@domain` with exactly one `@`.
fn split_mailbox(s: &str) -> Option<(&str, &str)> {
    let (local, domain) = s.split_once('@')?;
    if local.is_empty() || domain.contains('@') || !valid_dns(domain, false) {
        return None;
    }
    Some((local, domain))
}

/// Why a nameConstraints extension is malformed (RFC 5280 §4.2.1.10).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum NameConstraintsError {
    /// Neither permittedSubtrees nor excludedSubtrees.
    #[error("nameConstraints with neither permitted nor excluded subtrees")]
    NoSubtrees,
    /// A GeneralSubtrees with no subtree.
    #[error("empty GeneralSubtrees in nameConstraints")]
    EmptySubtrees,
    /// A subtree with a minimum other than 0 or a maximum.
    #[error("name constraint with minimum/maximum (RFC 5280 forbids)")]
    MinimumMaximum,
    /// A dNSName base that is not a host name.
    #[error("malformed dNSName constraint {0:?}")]
    MalformedDns(String),
    /// An rfc822Name base that is neither a mailbox, a host nor a domain.
    #[error("malformed rfc822Name constraint {0:?}")]
    MalformedRfc822(String),
    /// An iPAddress base of neither 8 nor 32 octets.
    #[error("iPAddress constraint is not address+mask")]
    IpNotAddressMask,
    /// An iPAddress mask that is not a CIDR prefix.
    #[error("iPAddress constraint mask is not a prefix")]
    IpMaskNotPrefix,
    /// A directoryName base that cannot be read.
    #[error("malformed directoryName constraint")]
    MalformedDirectoryName,
}

/// Why a name is refused by a name constraint, or the check given up.
#[derive(Clone, Debug, thiserror::Error)]
pub(crate) enum NameRefusal {
    /// More than [`MAX_NAME_COMPARISONS`] comparisons on one path.
    #[error("too many name-constraint comparisons")]
    TooManyComparisons,
    /// A constraint on a form we do not process, and a name of that form (its tag number).
    #[error(
        "a name constraint on GeneralName form [{0}] cannot be processed and the certificate \
         has a name of that form"
    )]
    UnprocessedForm(u8),
    /// A name under a constraint of its form that is not well formed.
    #[error("malformed name {0:?} under a name constraint")]
    MalformedName(NameForm),
    /// A name in an excluded subtree.
    #[error("name {} is in an excluded subtree", describe(.0))]
    Excluded(NameForm),
    /// A name outside every permitted subtree of its form.
    #[error("name {} is outside the permitted subtrees", describe(.0))]
    NotPermitted(NameForm),
}

/// One base of a name constraint.
#[derive(Clone, Debug)]
enum Base {
    /// dNSName subtree (lowercase; empty matches everything).
    Dns(String),
    /// rfc822Name: one mailbox.
    Mailbox(String, String),
    /// rfc822Name: all mailboxes on one host.
    EmailHost(String),
    /// rfc822Name: all mailboxes in subdomains of a domain (stored with its leading dot).
    EmailDomain(String),
    /// iPAddress: network and mask.
    Ip(Vec<u8>, Vec<u8>),
    /// directoryName subtree.
    Dir(Dn),
    /// A form we do not process (tag number).
    Other(u8),
}

impl Base {
    fn kind(&self) -> u8 {
        match self {
            Self::Dns(_) => 2,
            Self::Mailbox(..) | Self::EmailHost(_) | Self::EmailDomain(_) => 1,
            Self::Ip(..) => 7,
            Self::Dir(_) => 4,
            Self::Other(k) => *k,
        }
    }

    fn parse(subtree: &GeneralSubtree) -> Result<Self, NameConstraintsError> {
        if subtree.minimum != 0 || subtree.maximum.is_some() {
            return Err(NameConstraintsError::MinimumMaximum);
        }
        Ok(match &subtree.base {
            GeneralName::DnsName(s) => {
                let s = s.to_string();
                if !s.is_empty() && !valid_dns(&s, false) {
                    return Err(NameConstraintsError::MalformedDns(s));
                }
                Self::Dns(s.to_ascii_lowercase())
            }
            GeneralName::Rfc822Name(s) => {
                let s = s.to_string();
                if s.contains('@') {
                    let (l, d) = split_mailbox(&s)
                        .ok_or_else(|| NameConstraintsError::MalformedRfc822(s.clone()))?;
                    Self::Mailbox(l.to_string(), d.to_ascii_lowercase())
                } else if let Some(d) = s.strip_prefix('.') {
                    if !valid_dns(d, false) {
                        return Err(NameConstraintsError::MalformedRfc822(s));
                    }
                    Self::EmailDomain(s.to_ascii_lowercase())
                } else {
                    if !valid_dns(&s, false) {
                        return Err(NameConstraintsError::MalformedRfc822(s));
                    }
                    Self::EmailHost(s.to_ascii_lowercase())
                }
            }
            GeneralName::IpAddress(o) => {
                let b = o.as_bytes();
                if b.len() != 8 && b.len() != 32 {
                    return Err(NameConstraintsError::IpNotAddressMask);
                }
                let (net, mask) = b.split_at(b.len() / 2);
                // the mask must be a CIDR prefix: ones, then zeros
                let mut seen_zero = false;
                for byte in mask {
                    for i in (0..8).rev() {
                        let one = byte & (1 << i) != 0;
                        if one && seen_zero {
                            return Err(NameConstraintsError::IpMaskNotPrefix);
                        }
                        seen_zero |= !one;
                    }
                }
                Self::Ip(net.to_vec(), mask.to_vec())
            }
            GeneralName::DirectoryName(n) => {
                Self::Dir(Dn::from_name(n).ok_or(NameConstraintsError::MalformedDirectoryName)?)
            }
            GeneralName::OtherName(_) => Self::Other(0),
            GeneralName::EdiPartyName(_) => Self::Other(5),
            GeneralName::UniformResourceIdentifier(_) => Self::Other(6),
            GeneralName::RegisteredId(_) => Self::Other(8),
        })
    }

    /// Does `name` (already known to be of the same form and well formed) fall in the subtree?
    /// `excluding` makes wildcard names match any subtree they could cover.
    fn contains(&self, name: &NameForm, excluding: bool) -> bool {
        match (self, name) {
            (Self::Dns(base), NameForm::Dns(n)) => {
                let n = n.to_ascii_lowercase();
                let n = n.strip_suffix('.').unwrap_or(&n);
                let dns_in = |n: &str| {
                    base.is_empty()
                        || n == base
                        || (n.len() > base.len()
                            && n.ends_with(base.as_str())
                            && n.as_bytes().get(n.len() - base.len() - 1) == Some(&b'.'))
                };
                if dns_in(n) {
                    return true;
                }
                // "*.example.com" covers every name one label below example.com
                if excluding && let Some(parent) = n.strip_prefix("*.") {
                    return base.len() > parent.len()
                        && base.ends_with(parent)
                        && base.as_bytes().get(base.len() - parent.len() - 1) == Some(&b'.');
                }
                false
            }
            (Self::Mailbox(bl, bd), NameForm::Email(n)) => {
                split_mailbox(n).is_some_and(|(l, d)| l == bl && d.eq_ignore_ascii_case(bd))
            }
            (Self::EmailHost(h), NameForm::Email(n)) => {
                split_mailbox(n).is_some_and(|(_, d)| d.eq_ignore_ascii_case(h))
            }
            (Self::EmailDomain(dot), NameForm::Email(n)) => {
                split_mailbox(n).is_some_and(|(_, d)| {
                    let d = d.to_ascii_lowercase();
                    d.len() > dot.len() && d.ends_with(dot.as_str())
                })
            }
            (Self::Ip(net, mask), NameForm::Ip(addr)) => {
                addr.len() == net.len()
                    && addr
                        .iter()
                        .zip(net)
                        .zip(mask)
                        .all(|((a, n), m)| a & m == n & m)
            }
            (Self::Dir(base), NameForm::Dir(n)) => base.is_prefix_of(n),
            _ => false,
        }
    }
}

/// A syntactically checked nameConstraints extension.
#[derive(Clone, Debug)]
pub(crate) struct NameConstraintSet {
    permitted: Option<Vec<Base>>,
    excluded: Vec<Base>,
}

/// Whether a name passes a name constraint, and why not.
pub(crate) type NameCheck = Result<(), NameRefusal>;

/// Bound on the name-to-constraint comparisons of one path (pathological certificates).
const MAX_NAME_COMPARISONS: usize = 250_000;

impl NameConstraintSet {
    /// Checks the extension's syntax (RFC 5280 §4.2.1.10).
    pub fn from_extension(nc: &NameConstraints) -> Result<Self, NameConstraintsError> {
        if nc.permitted_subtrees.is_none() && nc.excluded_subtrees.is_none() {
            return Err(NameConstraintsError::NoSubtrees);
        }
        let parse = |subtrees: &Vec<GeneralSubtree>| -> Result<Vec<Base>, NameConstraintsError> {
            if subtrees.is_empty() {
                return Err(NameConstraintsError::EmptySubtrees);
            }
            subtrees.iter().map(Base::parse).collect()
        };
        let permitted = nc.permitted_subtrees.as_ref().map(parse).transpose()?;
        let excluded = match &nc.excluded_subtrees {
            Some(s) => parse(s)?,
            None => Vec::new(),
        };
        Ok(Self {
            permitted,
            excluded,
        })
    }

    /// Checks one name; `comparisons` counts the work done against [`MAX_NAME_COMPARISONS`].
    pub fn check(&self, name: &NameForm, comparisons: &mut usize) -> NameCheck {
        // Every name is charged against every subtree, whatever their forms: a certificate
        // with thousands of names under thousands of constraints is refused as a whole, as the
        // usual implementations do (x509-limbo `nc-dos-*`).
        let subtrees = self.excluded.len() + self.permitted.as_ref().map_or(0, Vec::len);
        *comparisons = comparisons.saturating_add(subtrees);
        if *comparisons > MAX_NAME_COMPARISONS {
            return Err(NameRefusal::TooManyComparisons);
        }
        let kind = name.kind();
        let excluded: Vec<&Base> = self.excluded.iter().filter(|b| b.kind() == kind).collect();
        let permitted: Vec<&Base> = self
            .permitted
            .iter()
            .flatten()
            .filter(|b| b.kind() == kind)
            .collect();
        if excluded.is_empty() && permitted.is_empty() {
            return Ok(());
        }
        let well_formed = match name {
            NameForm::Dns(s) => valid_dns(s, true),
            NameForm::Email(s) => split_mailbox(s).is_some(),
            NameForm::Ip(a) => a.len() == 4 || a.len() == 16,
            NameForm::Dir(_) => true,
            NameForm::Other(k) => return Err(NameRefusal::UnprocessedForm(*k)),
        };
        if !well_formed {
            return Err(NameRefusal::MalformedName(name.clone()));
        }
        for b in &excluded {
            if b.contains(name, true) {
                return Err(NameRefusal::Excluded(name.clone()));
            }
        }
        if !permitted.is_empty() {
            let mut ok = false;
            for b in &permitted {
                if b.contains(name, false) {
                    ok = true;
                    break;
                }
            }
            if !ok {
                return Err(NameRefusal::NotPermitted(name.clone()));
            }
        }
        Ok(())
    }
}

fn describe(n: &NameForm) -> String {
    match n {
        NameForm::Email(s) => format!("email:{s}"),
        NameForm::Dns(s) => format!("DNS:{s}"),
        NameForm::Ip(a) => match a.len() {
            4 => format!("IP:{}.{}.{}.{}", a[0], a[1], a[2], a[3]),
            _ => format!("IP:{}", hex::encode(a)),
        },
        NameForm::Dir(d) => format!("directoryName ({} RDNs)", d.len()),
        NameForm::Other(k) => format!("[{k}]"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn dn(s: &str) -> Dn {
        Dn::from_name(&x509_cert::name::Name::from_str(s).unwrap()).unwrap()
    }

    #[test]
    fn dn_equality_is_case_and_space_insensitive() {
        assert!(dn("CN=Foo  Bar,O=X").matches(&dn("CN=foo bar,O=x")));
        assert!(!dn("CN=Foo,O=X").matches(&dn("CN=Foo,O=Y")));
        assert!(!dn("CN=Foo").matches(&dn("CN=Foo,O=X")));
        assert!(dn("O=X").is_prefix_of(&dn("CN=Foo,O=X")));
        assert!(!dn("O=Y").is_prefix_of(&dn("CN=Foo,O=X")));
    }

    #[test]
    fn dns_and_email_matching() {
        let b = Base::Dns("example.com".into());
        assert!(b.contains(&NameForm::Dns("foo.Example.com".into()), false));
        assert!(b.contains(&NameForm::Dns("example.com".into()), false));
        assert!(!b.contains(&NameForm::Dns("notexample.com".into()), false));
        let ex = Base::Dns("bad.example.com".into());
        assert!(ex.contains(&NameForm::Dns("*.example.com".into()), true));
        let m = Base::Mailbox("*".into(), "example.com".into());
        assert!(m.contains(&NameForm::Email("*@example.com".into()), false));
        assert!(!m.contains(&NameForm::Email("user@example.com".into()), false));
        let d = Base::EmailDomain(".example.com".into());
        assert!(d.contains(&NameForm::Email("a@x.example.com".into()), false));
        assert!(!d.contains(&NameForm::Email("a@example.com".into()), false));
        assert!(!valid_dns(".example.com", false));
        assert!(!valid_dns("*.example.com", false));
        assert!(valid_dns("*.example.com", true));
        assert!(split_mailbox("a@b@example.com").is_none());
    }

    #[test]
    fn refusals_are_typed_and_read_as_reported() {
        let set = NameConstraintSet {
            permitted: Some(vec![Base::Dns("example.com".into())]),
            excluded: vec![Base::Dns("bad.example.com".into())],
        };
        let check = |name: NameForm, mut comparisons: usize| {
            set.check(&name, &mut comparisons).unwrap_err().to_string()
        };
        assert_eq!(
            check(NameForm::Dns("x.bad.example.com".into()), 0),
            "name DNS:x.bad.example.com is in an excluded subtree"
        );
        assert_eq!(
            check(NameForm::Dns("example.org".into()), 0),
            "name DNS:example.org is outside the permitted subtrees"
        );
        assert_eq!(
            check(NameForm::Dns("a..b".into()), 0),
            "malformed name Dns(\"a..b\") under a name constraint"
        );
        assert_eq!(
            check(NameForm::Dns("example.com".into()), MAX_NAME_COMPARISONS),
            "too many name-constraint comparisons"
        );
        let other = NameConstraintSet {
            permitted: None,
            excluded: vec![Base::Other(6)],
        };
        assert!(matches!(
            other.check(&NameForm::Other(6), &mut 0),
            Err(NameRefusal::UnprocessedForm(6))
        ));
        assert_eq!(
            NameRefusal::UnprocessedForm(6).to_string(),
            "a name constraint on GeneralName form [6] cannot be processed and the certificate \
             has a name of that form"
        );
        assert_eq!(
            NameConstraintsError::MalformedRfc822("a@".into()).to_string(),
            "malformed rfc822Name constraint \"a@\""
        );
    }
}
