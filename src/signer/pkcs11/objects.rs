//! Object lookup on the token: the slot of the selected token, the private key and what it
//! says about itself ([`TokenKeyKind`], id, label), its certificate (same `CKA_ID`, else same
//! label) checked against the key, and the issuers found on the token.

use super::TokenKeyKind;
use super::config::{KeySelector, TokenSelector};
use super::errors::{map_error, short};
use crate::alg::EcCurve;
use crate::asn1::oid;
use crate::error::{Error, KeyError, Result};
use crate::signer::SignerError;
use crate::x509::CertificateDer;
use cryptoki::context::Pkcs11;
use cryptoki::object::{
    Attribute, AttributeType, CertificateType, KeyType, ObjectClass, ObjectHandle,
};
use cryptoki::session::Session;
use cryptoki::slot::Slot;
use der::{Decode, Encode};

/// Finds the slot of the selected token.
pub(super) fn resolve_slot(
    ctx: &Pkcs11,
    token: &TokenSelector,
) -> std::result::Result<Slot, SignerError> {
    let slots = ctx.get_slots_with_token().map_err(|e| {
        SignerError::Unavailable(format!("listing the PKCS#11 slots: {}", short(&e)))
    })?;
    match token {
        TokenSelector::Slot(id) => slots
            .into_iter()
            .find(|s| s.id() == *id)
            .ok_or_else(|| SignerError::TokenNotFound(format!("no token in slot {id}"))),
        TokenSelector::Label(label) => {
            let mut matching = Vec::new();
            let mut seen = Vec::new();
            for s in slots {
                let Ok(info) = ctx.get_token_info(s) else {
                    continue;
                };
                let l = info.label().trim_end().to_string();
                if info.token_initialized() && l == label.trim_end() {
                    matching.push(s);
                }
                seen.push(l);
            }
            match matching.as_slice() {
                [one] => Ok(*one),
                [] => Err(SignerError::TokenNotFound(format!(
                    "no token labelled '{label}' (tokens present: {})",
                    if seen.is_empty() {
                        "none".to_string()
                    } else {
                        seen.iter()
                            .map(|l| format!("'{l}'"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    }
                ))),
                more => Err(SignerError::Unavailable(format!(
                    "{} tokens labelled '{label}': select the token by slot",
                    more.len()
                ))),
            }
        }
    }
}

/// The private key `key` selects: exactly one must match.
pub(super) fn find_key(
    session: &Session,
    key: &KeySelector,
    token_label: &str,
) -> std::result::Result<ObjectHandle, SignerError> {
    let mut template = vec![Attribute::Class(ObjectClass::PRIVATE_KEY)];
    template.push(match key {
        KeySelector::Label(l) => Attribute::Label(l.as_bytes().to_vec()),
        KeySelector::Id(id) => Attribute::Id(id.clone()),
    });
    let found = session
        .find_objects(&template)
        .map_err(|e| map_error(&e, token_label, "looking for the key"))?;
    match found.as_slice() {
        [one] => Ok(*one),
        [] => Err(SignerError::KeyNotFound(format!(
            "no private key with {} on token '{}'",
            key, token_label
        ))),
        more => Err(SignerError::Unavailable(format!(
            "{} private keys with {} on token '{}': select the key by id",
            more.len(),
            key,
            token_label
        ))),
    }
}

/// What the token says about the private key.
pub(super) struct KeyFacts {
    pub(super) kind: TokenKeyKind,
    id: Vec<u8>,
    label: Vec<u8>,
    modulus: Vec<u8>,
}

impl KeyFacts {
    /// Reads the key's type, size, id and label; refuses a key that may not sign.
    pub(super) fn read(session: &Session, key: ObjectHandle, token: &str) -> Result<Self> {
        let attrs = session
            .get_attributes(
                key,
                &[
                    AttributeType::KeyType,
                    AttributeType::Id,
                    AttributeType::Label,
                    AttributeType::Modulus,
                    AttributeType::EcParams,
                    AttributeType::Sign,
                ],
            )
            .map_err(|e| map_error(&e, token, "reading the key's attributes"))?;
        let mut key_type = None;
        let (mut id, mut label, mut modulus, mut ec_params) = (vec![], vec![], vec![], vec![]);
        let mut can_sign = true;
        for a in attrs {
            match a {
                Attribute::KeyType(t) => key_type = Some(t),
                Attribute::Id(v) => id = v,
                Attribute::Label(v) => label = v,
                Attribute::Modulus(v) => modulus = v,
                Attribute::EcParams(v) => ec_params = v,
                Attribute::Sign(b) => can_sign = b,
                _ => {}
            }
        }
        if !can_sign {
            return Err(SignerError::Refused(format!(
                "the key on token '{token}' may not sign (CKA_SIGN is false)"
            ))
            .into());
        }
        let kind = match key_type {
            Some(t) if t == KeyType::RSA => {
                let m = trim_zeros(&modulus);
                let bits = match m.first() {
                    Some(b) => (m.len() - 1) * 8 + (8 - b.leading_zeros() as usize),
                    None => {
                        return Err(KeyError::Malformed(
                            "the RSA key on the token has no readable modulus".into(),
                        )
                        .into());
                    }
                };
                TokenKeyKind::Rsa(bits)
            }
            Some(t) if t == KeyType::EC => {
                let curve = der::asn1::ObjectIdentifier::from_der(&ec_params).map_err(|_| {
                    KeyError::UnsupportedCurve("EC key without a named curve".into())
                })?;
                TokenKeyKind::Ec(
                    EcCurve::from_oid(&curve)
                        .ok_or_else(|| KeyError::UnsupportedCurve(curve.to_string()))?,
                )
            }
            Some(t) => return Err(KeyError::UnsupportedKeyType(t.to_string()).into()),
            None => {
                return Err(
                    KeyError::Malformed("the token did not report the key type".into()).into(),
                );
            }
        };
        Ok(Self {
            kind,
            id,
            label,
            modulus,
        })
    }

    /// Objects of `class` that go with the key: same `CKA_ID` when it has one, else same label.
    fn companions(&self, session: &Session, class: ObjectClass) -> Vec<ObjectHandle> {
        let by = |a: Attribute| {
            session
                .find_objects(&[Attribute::Class(class), a])
                .unwrap_or_default()
        };
        let mut found = Vec::new();
        if !self.id.is_empty() {
            found = by(Attribute::Id(self.id.clone()));
        }
        if found.is_empty() && !self.label.is_empty() {
            found = by(Attribute::Label(self.label.clone()));
        }
        found
    }

    /// The key's certificate on the token, if one matches the key.
    pub(super) fn find_certificate(
        &self,
        session: &Session,
        token: &str,
    ) -> Result<Option<CertificateDer>> {
        for h in self.companions(session, ObjectClass::CERTIFICATE) {
            let Some(der) = value_of(session, h) else {
                continue;
            };
            let cert = CertificateDer::from_der(&der).map_err(|e| Error::Certificate {
                context: format!("on token '{token}'"),
                detail: e.to_string(),
            })?;
            if self.check_certificate(session, &cert).is_ok() {
                return Ok(Some(cert));
            }
        }
        Ok(None)
    }

    /// Refuses a certificate whose public key is not the key's.
    pub(super) fn check_certificate(&self, session: &Session, cert: &CertificateDer) -> Result<()> {
        let mismatch = || KeyError::KeyCertificateMismatch {
            subject: cert.subject(),
        };
        let spki = cert
            .certificate()
            .tbs_certificate()
            .subject_public_key_info();
        let raw = spki.subject_public_key.raw_bytes();
        match self.kind {
            TokenKeyKind::Rsa(_) => {
                if spki.algorithm.oid != oid::RSA_ENCRYPTION
                    && spki.algorithm.oid != oid::RSASSA_PSS
                {
                    return Err(mismatch().into());
                }
                let pk = pkcs1::RsaPublicKey::<der::asn1::UintRef<'_>>::from_der(raw)
                    .map_err(|_| mismatch())?;
                if trim_zeros(pk.modulus.as_bytes()) != trim_zeros(&self.modulus) {
                    return Err(mismatch().into());
                }
            }
            TokenKeyKind::Ec(curve) => {
                let cert_curve = spki
                    .to_der()
                    .ok()
                    .and_then(|d| crate::crypto::ec_curve_of(&d));
                if spki.algorithm.oid != oid::EC_PUBLIC_KEY || cert_curve != Some(curve) {
                    return Err(mismatch().into());
                }
                // The private key object has no EC point; compare with the public key object
                // that goes with it, when the token has one.
                for h in self.companions(session, ObjectClass::PUBLIC_KEY) {
                    let point = session
                        .get_attributes(h, &[AttributeType::EcPoint])
                        .ok()
                        .and_then(|v| {
                            v.into_iter().find_map(|a| match a {
                                Attribute::EcPoint(p) => Some(p),
                                _ => None,
                            })
                        });
                    if let Some(p) = point {
                        // CKA_EC_POINT is a DER OCTET STRING (some modules give it bare).
                        let bare = der::asn1::OctetString::from_der(&p)
                            .map(|o| o.as_bytes().to_vec())
                            .unwrap_or(p);
                        if bare != raw {
                            return Err(mismatch().into());
                        }
                    }
                }
            }
            // Token keys are read as RSA or EC only.
            TokenKeyKind::Ed25519 => return Err(mismatch().into()),
        }
        Ok(())
    }
}

/// The `CKA_VALUE` of an object.
fn value_of(session: &Session, h: ObjectHandle) -> Option<Vec<u8>> {
    session
        .get_attributes(h, &[AttributeType::Value])
        .ok()?
        .into_iter()
        .find_map(|a| match a {
            Attribute::Value(v) => Some(v),
            _ => None,
        })
}

/// `b` without its leading zero bytes.
fn trim_zeros(b: &[u8]) -> &[u8] {
    let start = b.iter().position(|&x| x != 0).unwrap_or(b.len());
    b.get(start..).unwrap_or_default()
}

/// The issuers of `leaf` among the X.509 certificates on the token (intermediates, root), in
/// order, at most 8.
pub(super) fn token_issuers(session: &Session, leaf: &CertificateDer) -> Vec<CertificateDer> {
    let handles = session
        .find_objects(&[
            Attribute::Class(ObjectClass::CERTIFICATE),
            Attribute::CertificateType(CertificateType::X_509),
        ])
        .unwrap_or_default();
    let all: Vec<CertificateDer> = handles
        .into_iter()
        .filter_map(|h| value_of(session, h))
        .filter_map(|d| CertificateDer::from_der(&d).ok())
        .collect();
    let name = |c: &CertificateDer, issuer: bool| {
        let tbs = c.certificate().tbs_certificate();
        if issuer {
            tbs.issuer().to_der().ok()
        } else {
            tbs.subject().to_der().ok()
        }
    };
    let mut chain: Vec<CertificateDer> = Vec::new();
    let mut current = leaf.clone();
    for _ in 0..8 {
        let issuer = name(&current, true);
        if issuer.is_none() || issuer == name(&current, false) {
            break; // self-issued: the root
        }
        let Some(next) = all
            .iter()
            .find(|c| name(c, false) == issuer && *c != leaf && !chain.contains(c))
        else {
            break;
        };
        chain.push(next.clone());
        current = next.clone();
    }
    chain
}
