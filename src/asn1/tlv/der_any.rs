//! [`Tlv`] as a raw `ANY` inside structures decoded with the `der` crate's derives (the
//! PKCS#12 reader): `ANY DEFINED BY` fields, `SEQUENCE OF` / `SET OF` elements and other values
//! decoded later according to an OID.
//!
//! Unlike `der::asn1::AnyRef` the element keeps its exact encoding (constructed bit and BER
//! indefinite lengths included), so it can be decoded again with BER rules as its real type.
//! For an indefinite-length element, [`Tlv::raw`] includes the end-of-contents octets and
//! [`Tlv::content`] does not; such content may itself hold indefinite-length elements, so it
//! is walked with [`Tlv::ber_children`], not [`Tlv::children`]. `der` also accepts high tag
//! numbers here (e.g. `[APPLICATION 40]`): [`Tlv::tag`] is then the first identifier octet.

use super::Tlv;
use der::{
    Decode, Encode, EncodeValue, EncodingRules, Header, Length, Reader, SliceReader, Tag, Tagged,
    Writer,
};

impl<'a> Decode<'a> for Tlv<'a> {
    type Error = der::Error;

    fn decode<R: Reader<'a>>(reader: &mut R) -> der::Result<Self> {
        let start = reader.position();
        let mut peek = reader.clone();
        let header = Header::decode(&mut peek)?;
        let header_len = usize::try_from((peek.position() - start)?)?;
        // For indefinite lengths (BER) `header.length()` covers the contents *and* the
        // end-of-contents octets.
        let contents_len = usize::try_from(header.length())?;
        let total = header_len
            .checked_add(contents_len)
            .ok_or(der::ErrorKind::Overflow)?;
        let raw = reader.read_slice(Length::try_from(total)?)?;
        let tag_len = usize::try_from(header.tag().encoded_len()?)?;
        let indefinite = header.is_constructed() && raw.get(tag_len) == Some(&0x80);
        let content_end = if indefinite {
            total.checked_sub(2).ok_or(der::ErrorKind::Overflow)?
        } else {
            total
        };
        let content = raw
            .get(header_len..content_end)
            .ok_or(der::ErrorKind::Overflow)?;
        let tag = *raw.first().ok_or(der::ErrorKind::Overflow)?;
        Ok(Self { tag, content, raw })
    }
}

impl<'a> der::Choice<'a> for Tlv<'a> {
    fn can_decode(_tag: Tag) -> bool {
        true
    }
}

impl Tagged for Tlv<'_> {
    /// The tag as `der` reads it from [`Tlv::raw`] (BER rules); `NULL` for an identifier `der`
    /// does not know, which an element it decoded never has.
    fn tag(&self) -> Tag {
        SliceReader::new_with_encoding_rules(self.raw, EncodingRules::Ber)
            .and_then(|reader| Tag::peek(&reader))
            .unwrap_or(Tag::Null)
    }
}

// Only needed because `#[derive(Sequence)]` also derives encoding; the structures holding a
// `Tlv` are only ever decoded.
impl EncodeValue for Tlv<'_> {
    fn value_len(&self) -> der::Result<Length> {
        Length::try_from(self.content.len())
    }

    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        writer.write(self.content)
    }
}

impl<'a> Tlv<'a> {
    /// The elements of a constructed value (`SEQUENCE OF`, `SET OF`) read with BER rules,
    /// indefinite lengths included; the iteration stops after the first error.
    pub fn ber_children(&self) -> BerChildren<'a> {
        BerChildren {
            reader: SliceReader::new_with_encoding_rules(self.content, EncodingRules::Ber).ok(),
        }
    }
}

/// Iterator over the elements in a content read with BER rules ([`Tlv::ber_children`]).
#[derive(Clone, Debug)]
pub struct BerChildren<'a> {
    /// `None` once finished or failed.
    reader: Option<SliceReader<'a>>,
}

impl<'a> Iterator for BerChildren<'a> {
    type Item = der::Result<Tlv<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        let reader = self.reader.as_mut()?;
        if reader.is_finished() {
            self.reader = None;
            return None;
        }
        let item = Tlv::decode(reader);
        if item.is_err() {
            self.reader = None;
        }
        Some(item)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definite_element_keeps_its_bytes() {
        let der = [0x30, 0x03, 0x02, 0x01, 0x05];
        let t = Tlv::from_ber(&der).unwrap();
        assert_eq!(t.tag, 0x30);
        assert_eq!(t.raw, &der);
        assert_eq!(t.content, &der[2..]);
        assert_eq!(Tagged::tag(&t), Tag::Sequence);
    }

    #[test]
    fn indefinite_element_and_its_children() {
        // SEQUENCE (indef) { INTEGER 5, SEQUENCE (indef) { NULL } }
        let ber = [
            0x30, 0x80, 0x02, 0x01, 0x05, 0x30, 0x80, 0x05, 0x00, 0, 0, 0, 0,
        ];
        let t = Tlv::from_ber(&ber).unwrap();
        assert_eq!(t.raw, &ber);
        assert_eq!(t.content, &ber[2..11]);
        let children: Vec<_> = t.ber_children().collect::<der::Result<_>>().unwrap();
        assert_eq!(children.len(), 2);
        assert_eq!(children[0].raw, &[0x02, 0x01, 0x05]);
        assert_eq!(children[1].content, &[0x05, 0x00]);
        // The definite-length reader refuses what only BER allows.
        assert!(t.children().nth(1).unwrap().is_err());
    }

    #[test]
    fn hostile_inputs() {
        assert!(Tlv::from_ber(&[]).is_err());
        assert!(Tlv::from_ber(&[0x30, 0x80, 0x02, 0x01, 0x00]).is_err()); // no EOC
        assert!(Tlv::from_ber(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]).is_err());
        assert!(Tlv::from_ber(&[0x30, 0x00, 0x00]).is_err()); // trailing
        let mut it = Tlv {
            tag: 0x30,
            content: &[0x02, 0x05, 0x00],
            raw: &[],
        }
        .ber_children();
        assert!(it.next().unwrap().is_err());
        assert!(it.next().is_none());
    }
}
