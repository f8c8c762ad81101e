//! Fetching revocation data over HTTP (feature `http`), only when a caller asks (B-LT
//! creation with `--fetch-revocation`): OCSP (RFC 6960, POST to the certificate's AIA OCSP URL)
//! first, the CRL of its CRL distribution point (HTTP GET) otherwise. Bounded: timeouts, answer
//! sizes, number of requests; no redirects. Verification never calls this.

use crate::alg::DigestAlgorithm;
use crate::asn1::cert::cert_fields;
use crate::asn1::ess::encode_oid;
use crate::asn1::oid;
use crate::asn1::tlv::{self, tag};
use crate::x509::CertificateDer;
use der::Decode;
use std::time::Duration;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::ext::pkix::{AuthorityInfoAccessSyntax, CrlDistributionPoints};

/// Connect timeout of one request.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Whole-exchange timeout of one request.
pub const TIMEOUT: Duration = Duration::from_secs(30);
/// Largest CRL accepted.
pub const MAX_CRL_SIZE: u64 = 16 << 20;
/// Largest OCSP response accepted.
pub const MAX_OCSP_SIZE: u64 = 1 << 20;
/// Most certificates whose status is fetched in one call.
pub const MAX_CERTIFICATES: usize = 32;

/// What was fetched, and what could not be.
#[derive(Clone, Debug, Default)]
pub struct FetchedRevocation {
    /// CRLs (DER).
    pub crls: Vec<Vec<u8>>,
    /// OCSP responses (DER `OCSPResponse`).
    pub ocsp_responses: Vec<Vec<u8>>,
    /// One line per certificate whose status could not be fetched.
    pub warnings: Vec<String>,
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_connect(Some(CONNECT_TIMEOUT))
        .timeout_global(Some(TIMEOUT))
        .http_status_as_error(false)
        .max_redirects(0)
        .user_agent(concat!("sigform/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

fn read_body(
    response: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    limit: u64,
) -> Result<Vec<u8>, String> {
    let mut response = response.map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    if status != 200 {
        return Err(format!("HTTP {status}"));
    }
    response
        .body_mut()
        .with_config()
        .limit(limit)
        .read_to_vec()
        .map_err(|e| e.to_string())
}

fn is_http(url: &str) -> bool {
    let l = url.to_ascii_lowercase();
    l.starts_with("http://") || l.starts_with("https://")
}

fn extension<'a>(cert: &'a CertificateDer, id: &der::asn1::ObjectIdentifier) -> Option<&'a [u8]> {
    cert.certificate()
        .tbs_certificate()
        .extensions()?
        .iter()
        .find(|e| e.extn_id == *id)
        .map(|e| e.extn_value.as_bytes())
}

/// The HTTP OCSP URLs of the certificate's authorityInfoAccess.
fn ocsp_urls(cert: &CertificateDer) -> Vec<String> {
    let Some(v) = extension(cert, &oid::AUTHORITY_INFO_ACCESS) else {
        return Vec::new();
    };
    let Ok(aia) = AuthorityInfoAccessSyntax::from_der(v) else {
        return Vec::new();
    };
    aia.0
        .iter()
        .filter(|a| a.access_method == oid::AD_OCSP)
        .filter_map(|a| match &a.access_location {
            GeneralName::UniformResourceIdentifier(u) => Some(u.to_string()),
            _ => None,
        })
        .filter(|u| is_http(u))
        .collect()
}

/// The HTTP URLs of the certificate's CRL distribution points.
fn crl_urls(cert: &CertificateDer) -> Vec<String> {
    let Some(v) = extension(cert, &oid::CRL_DISTRIBUTION_POINTS) else {
        return Vec::new();
    };
    let Ok(dps) = CrlDistributionPoints::from_der(v) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for dp in &dps.0 {
        if let Some(DistributionPointName::FullName(names)) = &dp.distribution_point {
            for n in names {
                if let GeneralName::UniformResourceIdentifier(u) = n
                    && is_http(u.as_str())
                {
                    out.push(u.to_string());
                }
            }
        }
    }
    out
}

/// An OCSPRequest (RFC 6960 §4.1.1) for `cert` issued by `issuer`: one CertID with SHA-1.
pub fn ocsp_request(cert: &[u8], issuer: &[u8]) -> crate::error::Result<Vec<u8>> {
    let c = cert_fields(cert)?;
    let i = cert_fields(issuer)?;
    let spki = tlv::read_single(i.spki, "SubjectPublicKeyInfo")?;
    let mut r = spki.children();
    r.read("algorithm")?;
    let key = r.read_expect(tag::BIT_STRING, "subjectPublicKey")?;
    let key_bits = key.content.get(1..).unwrap_or_default();
    let sha1 = DigestAlgorithm::Sha1;
    let alg = tlv::constructed(tag::SEQUENCE, &[&encode_oid(&oid::SHA1), &[0x05, 0x00]]);
    let cert_id = tlv::constructed(
        tag::SEQUENCE,
        &[
            &alg,
            &tlv::tlv(tag::OCTET_STRING, &sha1.digest(i.subject)),
            &tlv::tlv(tag::OCTET_STRING, &sha1.digest(key_bits)),
            &tlv::tlv(tag::INTEGER, c.serial),
        ],
    );
    let request = tlv::constructed(tag::SEQUENCE, &[&cert_id]);
    let list = tlv::constructed(tag::SEQUENCE, &[&request]);
    let tbs = tlv::constructed(tag::SEQUENCE, &[&list]);
    Ok(tlv::constructed(tag::SEQUENCE, &[&tbs]))
}

fn fetch_ocsp(
    agent: &ureq::Agent,
    url: &str,
    cert: &[u8],
    issuer: &[u8],
) -> Result<Vec<u8>, String> {
    let body = ocsp_request(cert, issuer).map_err(|e| e.to_string())?;
    let response = agent
        .post(url)
        .header("Content-Type", "application/ocsp-request")
        .send(&body[..]);
    let der = read_body(response, MAX_OCSP_SIZE)?;
    let mut check = crate::x509::RevocationData::new();
    check
        .add_ocsp(&der, crate::x509::RevocationSource::File)
        .map_err(|e| e.to_string())?;
    Ok(der)
}

fn fetch_crl(agent: &ureq::Agent, url: &str) -> Result<Vec<u8>, String> {
    let der = read_body(agent.get(url).call(), MAX_CRL_SIZE)?;
    let mut check = crate::x509::RevocationData::new();
    check
        .add_crl(&der, crate::x509::RevocationSource::File)
        .map_err(|e| e.to_string())?;
    Ok(der)
}

/// Fetches the status of every certificate of `certificates` whose issuer is among them too
/// (self-signed ones, the anchors, are skipped): OCSP when the certificate names a responder
/// and it answers, else its CRL.
pub fn fetch_revocation(certificates: &[Vec<u8>]) -> FetchedRevocation {
    let certs: Vec<CertificateDer> = certificates
        .iter()
        .filter_map(|c| CertificateDer::from_der(c).ok())
        .collect();
    let agent = agent();
    let mut out = FetchedRevocation::default();
    for cert in certs.iter().take(MAX_CERTIFICATES) {
        let tbs = cert.certificate().tbs_certificate();
        if tbs.issuer() == tbs.subject() {
            continue;
        }
        let Some(issuer) = certs
            .iter()
            .find(|i| i.certificate().tbs_certificate().subject() == tbs.issuer())
        else {
            out.warnings.push(format!(
                "{}: its issuer is not among the certificates: no revocation data fetched",
                cert.subject()
            ));
            continue;
        };
        let mut errors = Vec::new();
        let ocsp = ocsp_urls(cert).into_iter().find_map(|u| {
            fetch_ocsp(&agent, &u, cert.der(), issuer.der())
                .map_err(|e| errors.push(format!("OCSP {u}: {e}")))
                .ok()
        });
        if let Some(o) = ocsp {
            out.ocsp_responses.push(o);
            continue;
        }
        let crl = crl_urls(cert).into_iter().find_map(|u| {
            fetch_crl(&agent, &u)
                .map_err(|e| errors.push(format!("CRL {u}: {e}")))
                .ok()
        });
        if crl.is_some() && !errors.is_empty() {
            out.warnings.push(format!(
                "{}: a CRL was used: {}",
                cert.subject(),
                errors.join("; ")
            ));
        }
        match crl {
            Some(c) if !out.crls.contains(&c) => out.crls.push(c),
            Some(_) => {}
            None => out.warnings.push(format!(
                "{}: no revocation data fetched ({})",
                cert.subject(),
                if errors.is_empty() {
                    "no OCSP or CRL URL".to_string()
                } else {
                    errors.join("; ")
                }
            )),
        }
    }
    out
}
