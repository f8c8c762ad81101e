//! The Document Security Store (`/DSS` of the catalog, ETSI EN 319 142-1 §5.4): the
//! certificates, CRLs and OCSP responses a later update added for long-term validation.

use super::discovery::catalog_dict;
use crate::VerifyOptions;
use crate::pdf::{Object, Reader};
use crate::x509::{CertificateDer, RevocationSource};
use std::io::{Read, Seek};

/// Most DSS entries of each kind read.
const MAX_DSS_ITEMS: usize = 1_000;

/// Reads the DSS: returns its certificates and adds its CRLs and OCSP responses to
/// `options.revocation`. Anything unusable is a warning, never a failure.
pub(super) fn read_dss<R: Read + Seek>(
    reader: &Reader<R>,
    options: &mut VerifyOptions,
    warnings: &mut Vec<String>,
) -> Vec<CertificateDer> {
    let mut certs = Vec::new();
    let Ok(catalog) = reader.catalog() else {
        return certs;
    };
    let dss = match catalog_dict(reader, &catalog, "DSS") {
        Ok(Some(d)) => d,
        Ok(None) => return certs,
        Err(problem) => {
            warnings.push(format!("{problem}: ignored"));
            return certs;
        }
    };
    for key in ["Certs", "CRLs", "OCSPs"] {
        let items = match reader.resolve_key(&dss, key) {
            Ok(Object::Array(a)) => a,
            Ok(Object::Null) => continue,
            Ok(_) | Err(_) => {
                warnings.push(format!("/DSS /{key} is not an array of streams: ignored"));
                continue;
            }
        };
        for item in items.iter().take(MAX_DSS_ITEMS) {
            let data = match reader.resolve(item) {
                Ok(Object::Stream(s)) => reader.decode_stream(&s),
                Ok(o) => {
                    warnings.push(format!(
                        "/DSS /{key} holds a {}, not a stream",
                        o.type_name()
                    ));
                    continue;
                }
                Err(e) => Err(e),
            };
            let data = match data {
                Ok(d) => d,
                Err(e) => {
                    warnings.push(format!("a /DSS /{key} entry cannot be read: {e}"));
                    continue;
                }
            };
            let added = match key {
                "Certs" => CertificateDer::from_der(&data).map(|c| certs.push(c)),
                "CRLs" => options.revocation.add_crl(&data, RevocationSource::Dss),
                _ => options.revocation.add_ocsp(&data, RevocationSource::Dss),
            };
            if let Err(e) = added {
                warnings.push(format!("a /DSS /{key} entry is not usable: {e}"));
            }
        }
        if items.len() > MAX_DSS_ITEMS {
            warnings.push(format!(
                "/DSS /{key} has more than {MAX_DSS_ITEMS} entries: the rest were ignored"
            ));
        }
    }
    certs
}
