//! The content layers: the `AuthenticatedSafe` (`data` or `encryptedData` `ContentInfo`s),
//! `SafeContents` and their `SafeBag`s (`keyBag`, `pkcs8ShroudedKeyBag`, `certBag`, nested
//! `safeContentsBag`; others skipped), and the `friendlyName` / `localKeyId` bag attributes.
//! Every count and the nesting are bounded.

use super::asn1::{
    CertBag, ContentInfo, EncryptedPrivateKeyInfo, Pkcs12Attribute, SafeBag, decode_ber, expect_tag,
};
use super::{
    Context, MAX_BAG_ATTRIBUTES, MAX_BAGS, MAX_CONTENT_INFOS, MAX_NESTING_DEPTH, Pkcs12Cert,
    Pkcs12Error, Pkcs12Key, malformed, unsupported,
};
use crate::asn1::oid;
use crate::asn1::tlv::{Tlv, tag};
use der::asn1::OctetString;
use der::{Decode, Tag, Tagged};
use zeroize::Zeroizing;

impl Context<'_> {
    /// Parses the `AuthenticatedSafe` (the authSafe content octets).
    pub(super) fn parse_authenticated_safe(&mut self, bytes: &[u8]) -> Result<(), Pkcs12Error> {
        let seq: Tlv<'_> = decode_ber(bytes).map_err(|e| malformed("AuthenticatedSafe", &e))?;
        expect_tag(&seq, Tag::Sequence, "AuthenticatedSafe")?;
        let too_many = format!("AuthenticatedSafe has more than {MAX_CONTENT_INFOS} ContentInfos");
        for element in bounded_elements(&seq, "AuthenticatedSafe", MAX_CONTENT_INFOS, &too_many) {
            let element = element?;
            let info: ContentInfo<'_> = decode_ber(element.raw)
                .map_err(|e| malformed("AuthenticatedSafe ContentInfo", &e))?;
            let Some(content) = info.content else {
                return Err(Pkcs12Error::Malformed(
                    "AuthenticatedSafe ContentInfo without content".into(),
                ));
            };
            match info.content_type {
                oid::DATA => {
                    let data: OctetString = decode_ber(content.raw)
                        .map_err(|e| malformed("AuthenticatedSafe data content", &e))?;
                    self.parse_safe_contents(data.as_bytes(), 0)?;
                }
                oid::ENCRYPTED_DATA => {
                    let plaintext = self.decrypt_encrypted_data(content.raw)?;
                    self.parse_safe_contents(&plaintext, 0)?;
                }
                oid::ENVELOPED_DATA => {
                    return Err(unsupported(
                        &oid::ENVELOPED_DATA,
                        "AuthenticatedSafe content type envelopedData (public-key privacy mode)",
                    ));
                }
                other => return Err(unsupported(&other, "AuthenticatedSafe content type")),
            }
        }
        Ok(())
    }

    /// Parses `SafeContents` at nesting `depth`.
    fn parse_safe_contents(&mut self, bytes: &[u8], depth: usize) -> Result<(), Pkcs12Error> {
        let seq: Tlv<'_> = decode_ber(bytes).map_err(|e| malformed("SafeContents", &e))?;
        expect_tag(&seq, Tag::Sequence, "SafeContents")?;
        for element in seq.ber_children() {
            let element = element.map_err(|e| malformed("SafeContents", &e))?;
            self.bags = self.bags.saturating_add(1);
            if self.bags > MAX_BAGS {
                return Err(Pkcs12Error::TooLarge(format!(
                    "more than {MAX_BAGS} SafeBags"
                )));
            }
            let bag: SafeBag<'_> = decode_ber(element.raw).map_err(|e| malformed("SafeBag", &e))?;
            self.parse_safe_bag(&bag, depth)?;
        }
        Ok(())
    }

    /// Handles one `SafeBag`.
    fn parse_safe_bag(&mut self, bag: &SafeBag<'_>, depth: usize) -> Result<(), Pkcs12Error> {
        match bag.bag_id {
            oid::KEY_BAG => {
                let attributes = parse_bag_attributes(bag.bag_attributes)?;
                // keyBag ::= PrivateKeyInfo
                // No details from the key bytes go into the message.
                validate_private_key_info(bag.bag_value.raw).map_err(|_| {
                    Pkcs12Error::Malformed("keyBag: not a DER PrivateKeyInfo".into())
                })?;
                self.contents.keys.push(Pkcs12Key {
                    pkcs8_der: Zeroizing::new(bag.bag_value.raw.to_vec()),
                    local_key_id: attributes.local_key_id,
                    friendly_name: attributes.friendly_name,
                });
            }
            oid::SHROUDED_KEY_BAG => {
                let attributes = parse_bag_attributes(bag.bag_attributes)?;
                let epki: EncryptedPrivateKeyInfo<'_> = decode_ber(bag.bag_value.raw)
                    .map_err(|e| malformed("pkcs8ShroudedKeyBag EncryptedPrivateKeyInfo", &e))?;
                let pkcs8_der = self.decrypt(
                    &epki.encryption_algorithm,
                    epki.encrypted_data.as_bytes(),
                    "pkcs8ShroudedKeyBag",
                    validate_private_key_info,
                )?;
                self.contents.keys.push(Pkcs12Key {
                    pkcs8_der,
                    local_key_id: attributes.local_key_id,
                    friendly_name: attributes.friendly_name,
                });
            }
            oid::CERT_BAG => {
                let cert_bag: CertBag<'_> =
                    decode_ber(bag.bag_value.raw).map_err(|e| malformed("CertBag", &e))?;
                if cert_bag.cert_id != oid::X509_CERTIFICATE {
                    // sdsiCertificate or unknown: skip.
                    return Ok(());
                }
                let attributes = parse_bag_attributes(bag.bag_attributes)?;
                let cert: OctetString = decode_ber(cert_bag.cert_value.raw)
                    .map_err(|e| malformed("CertBag x509Certificate OCTET STRING", &e))?;
                let cert = cert.into_bytes().into_vec();
                let cert_tlv: Tlv<'_> =
                    decode_ber(&cert).map_err(|e| malformed("CertBag x509Certificate", &e))?;
                expect_tag(&cert_tlv, Tag::Sequence, "CertBag x509Certificate")?;
                self.contents.certificates.push(Pkcs12Cert {
                    der: cert,
                    local_key_id: attributes.local_key_id,
                    friendly_name: attributes.friendly_name,
                });
            }
            oid::SAFE_CONTENTS_BAG => {
                if depth >= MAX_NESTING_DEPTH {
                    return Err(Pkcs12Error::TooLarge(format!(
                        "safeContentsBag nesting deeper than {MAX_NESTING_DEPTH}"
                    )));
                }
                self.parse_safe_contents(bag.bag_value.raw, depth.saturating_add(1))?;
            }
            // crlBag, secretBag and unknown bag types are skipped.
            _ => {}
        }
        Ok(())
    }
}

/// The elements of `tlv`, a `SEQUENCE OF` / `SET OF` named `what` read with BER rules; past
/// `limit` of them, [`Pkcs12Error::TooLarge`] with the message `too_many`.
fn bounded_elements<'a>(
    tlv: &Tlv<'a>,
    what: &'static str,
    limit: usize,
    too_many: &'a str,
) -> impl Iterator<Item = Result<Tlv<'a>, Pkcs12Error>> + 'a {
    tlv.ber_children().enumerate().map(move |(index, element)| {
        if index >= limit {
            return Err(Pkcs12Error::TooLarge(too_many.to_owned()));
        }
        element.map_err(|e| malformed(what, &e))
    })
}

/// Checks that decrypted bytes are exactly one `SEQUENCE` (a `SafeContents`).
pub(super) fn validate_safe_contents(plaintext: &[u8]) -> der::Result<()> {
    let tlv: Tlv<'_> = decode_ber(plaintext)?;
    if tlv.tag == tag::SEQUENCE {
        Ok(())
    } else {
        Err(der::ErrorKind::TagUnexpected {
            expected: Some(Tag::Sequence),
            actual: Tagged::tag(&tlv),
        }
        .into())
    }
}

/// Checks that bytes are exactly one DER PKCS#8 `PrivateKeyInfo` / `OneAsymmetricKey`.
fn validate_private_key_info(der_bytes: &[u8]) -> der::Result<()> {
    pkcs8::PrivateKeyInfoRef::from_der(der_bytes).map(|_| ())
}

/// The bag attributes this reader extracts.
#[derive(Default)]
struct BagAttributes {
    local_key_id: Option<Vec<u8>>,
    friendly_name: Option<String>,
}

/// Extracts `localKeyId` and `friendlyName` from `bagAttributes`. Other attributes are ignored,
/// as are values of an unexpected type; the first value of a repeated attribute wins.
fn parse_bag_attributes(set: Option<Tlv<'_>>) -> Result<BagAttributes, Pkcs12Error> {
    let mut attributes = BagAttributes::default();
    let Some(set) = set else {
        return Ok(attributes);
    };
    expect_tag(&set, Tag::Set, "SafeBag bagAttributes")?;
    let too_many = format!("SafeBag has more than {MAX_BAG_ATTRIBUTES} attributes");
    for element in bounded_elements(&set, "SafeBag bagAttributes", MAX_BAG_ATTRIBUTES, &too_many) {
        let element = element?;
        let attribute: Pkcs12Attribute<'_> =
            decode_ber(element.raw).map_err(|e| malformed("PKCS12Attribute", &e))?;
        expect_tag(
            &attribute.attr_values,
            Tag::Set,
            "PKCS12Attribute attrValues",
        )?;
        let first = match attribute.attr_values.ber_children().next() {
            Some(value) => value.map_err(|e| malformed("PKCS12Attribute attrValues", &e))?,
            None => continue,
        };
        match attribute.attr_id {
            oid::FRIENDLY_NAME if attributes.friendly_name.is_none() => {
                attributes.friendly_name = decode_friendly_name(&first);
            }
            oid::LOCAL_KEY_ID if attributes.local_key_id.is_none() => {
                if let Ok(id) = decode_ber::<OctetString>(first.raw) {
                    attributes.local_key_id = Some(id.into_bytes().into_vec());
                }
            }
            _ => {}
        }
    }
    Ok(attributes)
}

/// Decodes a `friendlyName` value: a BMPString (UTF-16BE; unpaired surrogates become U+FFFD),
/// or, leniently, a UTF8String. Anything else yields `None`.
fn decode_friendly_name(value: &Tlv<'_>) -> Option<String> {
    match value.tag {
        tag::BMP_STRING => {
            let bytes = value.content;
            if !bytes.len().is_multiple_of(2) {
                return None;
            }
            let units = bytes.chunks_exact(2).map(|pair| match pair {
                [high, low] => u16::from_be_bytes([*high, *low]),
                _ => 0xFFFD,
            });
            Some(
                char::decode_utf16(units)
                    .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
                    .collect(),
            )
        }
        tag::UTF8_STRING => core::str::from_utf8(value.content).ok().map(str::to_owned),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::asn1::tlv::tlv;
    use crate::signer::pkcs12::parse_pkcs12;

    /// A BER element with an indefinite length.
    fn indefinite(tag: u8, parts: &[&[u8]]) -> Vec<u8> {
        [&[tag, 0x80][..], &parts.concat(), &[0, 0]].concat()
    }

    fn oid(hex_digits: &str) -> Vec<u8> {
        tlv(0x06, &hex::decode(hex_digits).expect("hex"))
    }

    /// Indefinite lengths on every structural layer, as some Windows and Java tools write.
    #[test]
    fn ber_indefinite_layers_are_read() {
        let cert = [0x30, 0x03, 0x02, 0x01, 0x05];
        let cert_bag = indefinite(
            0x30,
            &[
                &oid("2a864886f70d01091601"),
                &indefinite(0xa0, &[&tlv(0x04, &cert)]),
            ],
        );
        let name = tlv(0x1e, &[0, b'J', 0, b'o']);
        let attribute = tlv(
            0x30,
            &[oid("2a864886f70d010914"), tlv(0x31, &name)].concat(),
        );
        let safe_bag = indefinite(
            0x30,
            &[
                &oid("2a864886f70d010c0a0103"),
                &indefinite(0xa0, &[&cert_bag]),
                &tlv(0x31, &attribute),
            ],
        );
        let safe_contents = indefinite(0x30, &[&safe_bag]);
        let content_info = indefinite(
            0x30,
            &[
                &oid("2a864886f70d010701"),
                &indefinite(0xa0, &[&tlv(0x04, &safe_contents)]),
            ],
        );
        let auth_safe = indefinite(0x30, &[&content_info]);
        let pfx = indefinite(
            0x30,
            &[
                &tlv(0x02, &[3]),
                &indefinite(
                    0x30,
                    &[
                        &oid("2a864886f70d010701"),
                        &indefinite(0xa0, &[&tlv(0x04, &auth_safe)]),
                    ],
                ),
            ],
        );
        let contents = parse_pkcs12(&pfx, "").expect("BER PFX");
        assert!(contents.keys.is_empty());
        let [read] = contents.certificates.as_slice() else {
            panic!("one certificate expected");
        };
        assert_eq!(read.der, cert);
        assert_eq!(read.friendly_name.as_deref(), Some("Jo"));
    }
}
