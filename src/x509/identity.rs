//! Who a certificate names: subject, issuer, serial, e-mail, common name, and the ICP-Brasil
//! identifiers in subjectAltName otherNames (DOC-ICP-04): the CPF of a natural person
//! (2.16.76.1.3.1) and the CNPJ of a company (2.16.76.1.3.3), with their check digits verified.

use super::CertificateDer;
use super::cert::Cert;
use crate::asn1::oid;
use crate::report::SignerReport;
use crate::time::format_unix;
use der::{Decode, Tagged};
use x509_cert::ext::pkix::name::GeneralName;

/// ICP-Brasil identifiers found in a certificate.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IcpBrasilIds {
    /// CPF of the holder (2.16.76.1.3.1, characters 9–19).
    pub cpf: Option<String>,
    /// Birth date of the holder as written (ddmmyyyy).
    pub birth_date: Option<String>,
    /// CNPJ (2.16.76.1.3.3).
    pub cnpj: Option<String>,
    /// CPF of the person responsible for a company certificate (2.16.76.1.3.4).
    pub responsible_cpf: Option<String>,
}

/// Text of an otherName value: an OCTET STRING or any string type holding ASCII/UTF-8 (or
/// BMPString).
fn other_name_text(value: &der::asn1::Any) -> Option<String> {
    let bytes = value.value();
    match value.tag() {
        der::Tag::BmpString => {
            if !bytes.len().is_multiple_of(2) {
                return None;
            }
            let units = bytes
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]));
            char::decode_utf16(units)
                .collect::<Result<String, _>>()
                .ok()
        }
        der::Tag::OctetString
        | der::Tag::PrintableString
        | der::Tag::Utf8String
        | der::Tag::Ia5String
        | der::Tag::VisibleString
        | der::Tag::TeletexString => std::str::from_utf8(bytes).ok().map(str::to_string),
        _ => None,
    }
}

fn subject_alt_names(cert: &CertificateDer) -> Vec<GeneralName> {
    let tbs = cert.certificate().tbs_certificate();
    tbs.extensions()
        .into_iter()
        .flatten()
        .filter(|e| e.extn_id == oid::SUBJECT_ALT_NAME)
        .filter_map(|e| Vec::<GeneralName>::from_der(e.extn_value.as_bytes()).ok())
        .flatten()
        .collect()
}

/// Reads the ICP-Brasil identifiers of a certificate's subjectAltName.
pub fn icp_brasil_ids(cert: &CertificateDer) -> IcpBrasilIds {
    let mut ids = IcpBrasilIds::default();
    for name in subject_alt_names(cert) {
        let GeneralName::OtherName(on) = name else {
            continue;
        };
        let Some(text) = other_name_text(&on.value) else {
            continue;
        };
        if on.type_id == oid::ICP_BRASIL_PF_DATA
            || on.type_id == oid::ICP_BRASIL_PJ_RESPONSIBLE_DATA
        {
            let birth = text.get(0..8).map(str::to_string);
            let cpf = text
                .get(8..19)
                .filter(|c| c.bytes().all(|b| b.is_ascii_digit()))
                .map(str::to_string);
            if on.type_id == oid::ICP_BRASIL_PF_DATA {
                ids.birth_date = ids.birth_date.or(birth);
                ids.cpf = ids.cpf.or(cpf);
            } else {
                ids.responsible_cpf = ids.responsible_cpf.or(cpf);
            }
        } else if on.type_id == oid::ICP_BRASIL_CNPJ {
            let t = text.trim();
            if !t.is_empty() {
                ids.cnpj = ids.cnpj.take().or_else(|| Some(t.to_string()));
            }
        }
    }
    ids
}

fn strip_punctuation(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, '.' | '-' | '/' | ' '))
        .collect()
}

/// True for a CPF with 11 digits and correct check digits (punctuation `.`, `-` is ignored;
/// sequences of one repeated digit, such as `00000000000`, are invalid).
pub fn cpf_is_valid(cpf: &str) -> bool {
    let s = strip_punctuation(cpf);
    if s.len() != 11 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let d: Vec<u32> = s.bytes().map(|b| (b - b'0') as u32).collect();
    if d.iter().all(|x| Some(x) == d.first()) {
        return false;
    }
    let check = |len: usize| -> u32 {
        let sum: u32 = d
            .iter()
            .take(len)
            .enumerate()
            .map(|(i, x)| x * (len as u32 + 1 - i as u32))
            .sum();
        (sum * 10 % 11) % 10
    };
    Some(&check(9)) == d.get(9) && Some(&check(10)) == d.get(10)
}

/// True for a CNPJ with 14 characters and correct check digits. Accepts the numeric form and
/// the alphanumeric form introduced in 2026 (12 characters `0-9A-Z`, then two check digits,
/// each character valued as its ASCII code minus 48); punctuation `.`, `-`, `/` is ignored.
pub fn cnpj_is_valid(cnpj: &str) -> bool {
    let s = strip_punctuation(cnpj).to_ascii_uppercase();
    let b = s.as_bytes();
    if b.len() != 14
        || !b
            .iter()
            .take(12)
            .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
        || !b.iter().skip(12).all(u8::is_ascii_digit)
    {
        return false;
    }
    if b.iter().all(|c| Some(c) == b.first()) {
        return false;
    }
    let v: Vec<u32> = b.iter().map(|c| (*c - b'0') as u32).collect();
    let check = |len: usize| -> u32 {
        let mut weight = len as u32 - 7; // 5 for the first digit, 6 for the second
        let mut sum = 0u32;
        for x in v.iter().take(len) {
            sum += x * weight;
            weight = if weight == 2 { 9 } else { weight - 1 };
        }
        let r = sum % 11;
        if r < 2 { 0 } else { 11 - r }
    };
    Some(&check(12)) == v.get(12) && Some(&check(13)) == v.get(13)
}

/// The report's view of a certificate: subject, issuer, serial, fingerprint, CN, e-mail, CPF
/// and CNPJ with check-digit validity, validity period.
pub fn signer_report(cert: &CertificateDer) -> SignerReport {
    let parsed = Cert::parse(cert);
    let tbs = cert.certificate().tbs_certificate();
    let common_name = parsed.as_ref().and_then(|c| {
        c.subject
            .attribute_strings(&oid::COMMON_NAME_ATTR)
            .into_iter()
            .next()
    });
    let sans = subject_alt_names(cert);
    let email = sans
        .iter()
        .find_map(|g| match g {
            GeneralName::Rfc822Name(s) => Some(s.to_string()),
            _ => None,
        })
        .or_else(|| {
            parsed.as_ref().and_then(|c| {
                c.subject
                    .attribute_strings(&oid::EMAIL_ADDRESS_ATTR)
                    .into_iter()
                    .next()
            })
        });
    let ids = icp_brasil_ids(cert);
    let validity = tbs.validity();
    let t = |x: &x509_cert::time::Time| {
        format_unix(i64::try_from(x.to_unix_duration().as_secs()).unwrap_or(i64::MAX))
    };
    SignerReport {
        subject: cert.subject(),
        issuer: cert.issuer(),
        serial: cert.serial_hex(),
        fingerprint_sha256: cert.fingerprint_sha256(),
        common_name,
        email,
        cpf_valid: ids.cpf.as_deref().map(cpf_is_valid),
        cpf: ids.cpf,
        cnpj_valid: ids.cnpj.as_deref().map(cnpj_is_valid),
        cnpj: ids.cnpj,
        not_before: t(&validity.not_before),
        not_after: t(&validity.not_after),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpf_check_digits() {
        assert!(cpf_is_valid("52998224725"));
        assert!(cpf_is_valid("529.982.247-25"));
        assert!(cpf_is_valid("11144477735"));
        assert!(!cpf_is_valid("52998224726"));
        assert!(!cpf_is_valid("00000000000"));
        assert!(!cpf_is_valid("11111111111"));
        assert!(!cpf_is_valid("5299822472"));
        assert!(!cpf_is_valid("5299822472a"));
        assert!(!cpf_is_valid(""));
    }

    #[test]
    fn cnpj_check_digits() {
        assert!(cnpj_is_valid("11222333000181"));
        assert!(cnpj_is_valid("11.222.333/0001-81"));
        assert!(!cnpj_is_valid("11222333000182"));
        assert!(!cnpj_is_valid("00000000000000"));
        assert!(!cnpj_is_valid("1122233300018"));
        // alphanumeric CNPJ (Receita Federal example)
        assert!(cnpj_is_valid("12ABC34501DE35"));
        assert!(!cnpj_is_valid("12ABC34501DE36"));
    }
}
