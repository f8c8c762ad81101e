//! archive-time-stamp-v3 (ETSI EN 319 122-1 §5.5.3) and its ats-hash-index-v3 (§5.5.2).
//!
//! ```asn1
//! ATSHashIndexV3 ::= SEQUENCE {
//!     hashIndAlgorithm AlgorithmIdentifier DEFAULT {algorithm id-sha256},
//!     certificatesHashIndex SEQUENCE OF OCTET STRING,
//!     crlsHashIndex SEQUENCE OF OCTET STRING,
//!     unsignedAttrValuesHashIndex SEQUENCE OF OCTET STRING }
//! ```
//!
//! The timestamp's messageImprint is the hash of the concatenation of: the eContentType (its
//! encoding), the hash of the signed content, the SignerInfo's fields from version to signature
//! (original encodings), and the ats-hash-index-v3 value the token carries as an unsigned
//! attribute of its own SignerInfo. The index lists the hash of each element of `certificates`
//! and `crls` and of each unsigned attribute value (attribute type and value), always of the
//! bytes as read: never a re-encoding. The older ATSHashIndex (0.4.0.1733.2.5, TS 101 733
//! v2.2.1) hashes whole unsigned attributes instead; it is read too.

use crate::alg::DigestAlgorithm;
use crate::asn1::ess::{self, encode_oid};
use crate::asn1::oid;
use crate::asn1::tlv::{self, tag};
use crate::cades::parse::{SignedData, SignerInfo};
use crate::error::{Error, Result};

/// Which hash index an archive timestamp carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum IndexVersion {
    /// ats-hash-index (0.4.0.1733.2.5): whole unsigned attributes.
    V1,
    /// ats-hash-index-v3 (0.4.0.19122.1.5): attribute type and one value.
    V3,
}

/// A parsed hash index.
#[derive(Clone, Debug)]
pub(crate) struct HashIndex {
    pub algorithm: DigestAlgorithm,
    pub certificates: Vec<Vec<u8>>,
    pub crls: Vec<Vec<u8>>,
    pub unsigned_attrs: Vec<Vec<u8>>,
}

/// The hashes of the unsigned attributes of `si` as an index of `version` lists them.
fn unsigned_attr_hashes(
    si: &SignerInfo<'_>,
    alg: DigestAlgorithm,
    version: IndexVersion,
) -> Result<Vec<Vec<u8>>> {
    Ok(placed_unsigned_attr_hashes(si, alg, version)?
        .into_iter()
        .map(|(_, _, h)| h)
        .collect())
}

/// A hash of an unsigned attribute (or of one of its values) with its position.
type PlacedHash = (usize, Option<usize>, Vec<u8>);

/// The same, each with the position it hashes: the attribute's, and the value's for
/// ats-hash-index-v3 (`None`: the whole attribute, for the older index).
fn placed_unsigned_attr_hashes(
    si: &SignerInfo<'_>,
    alg: DigestAlgorithm,
    version: IndexVersion,
) -> Result<Vec<PlacedHash>> {
    let Some(raw) = si.unsigned_attrs_raw else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for (i, a) in tlv::read_single(raw, "unsignedAttrs")?
        .children()
        .enumerate()
    {
        let a = a?;
        match version {
            IndexVersion::V1 => out.push((i, None, alg.digest(a.raw))),
            IndexVersion::V3 => {
                let mut r = a.children();
                let ty = r.read("attrType")?;
                let values = r.read_expect(tag::SET, "attrValues")?;
                for (j, v) in values.children().enumerate() {
                    let mut data = ty.raw.to_vec();
                    data.extend_from_slice(v?.raw);
                    out.push((i, Some(j), alg.digest(&data)));
                }
            }
        }
    }
    Ok(out)
}

/// The unsigned attribute values of `si` that `index` lists (the archive timestamp covers
/// them), as positions: the attribute's (as `SignerInfo::unsigned_attrs` numbers them) and the
/// value's (`None`: every value, for the older index, which hashes whole attributes).
pub(crate) fn covered_positions(
    index: &HashIndex,
    version: IndexVersion,
    si: &SignerInfo<'_>,
) -> Result<Vec<(usize, Option<usize>)>> {
    Ok(placed_unsigned_attr_hashes(si, index.algorithm, version)?
        .into_iter()
        .filter(|(_, _, h)| index.unsigned_attrs.contains(h))
        .map(|(i, j, _)| (i, j))
        .collect())
}

/// The ats-hash-index-v3 value (DER) for `si` of `sd` as they are now.
pub(crate) fn build_index(
    sd: &SignedData<'_>,
    si: &SignerInfo<'_>,
    alg: DigestAlgorithm,
) -> Result<Vec<u8>> {
    let seq = |items: Vec<Vec<u8>>| {
        let octets: Vec<Vec<u8>> = items
            .iter()
            .map(|h| tlv::tlv(tag::OCTET_STRING, h))
            .collect();
        let refs: Vec<&[u8]> = octets.iter().map(Vec::as_slice).collect();
        tlv::constructed(tag::SEQUENCE, &refs)
    };
    let certs = seq(sd.certificates.iter().map(|c| alg.digest(c)).collect());
    let crls = seq(sd.crls.iter().map(|c| alg.digest(c)).collect());
    let attrs = seq(unsigned_attr_hashes(si, alg, IndexVersion::V3)?);
    let mut parts: Vec<Vec<u8>> = Vec::new();
    // DER: the DEFAULT (SHA-256) is left out.
    if alg != DigestAlgorithm::Sha256 {
        parts.push(ess::digest_algorithm_identifier(alg));
    }
    parts.extend([certs, crls, attrs]);
    let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
    Ok(tlv::constructed(tag::SEQUENCE, &refs))
}

/// Parses an ATSHashIndex(-V3) value.
pub(crate) fn parse_index(value: &[u8]) -> Result<HashIndex> {
    const W: &str = "ATSHashIndex";
    let t = tlv::read_single(value, W)?.expect_tag(tag::SEQUENCE, W)?;
    let mut items: Vec<tlv::Tlv<'_>> = Vec::new();
    for c in t.children() {
        items.push(c?);
    }
    let (algorithm, lists) = match items.as_slice() {
        [a, rest @ ..] if rest.len() == 3 => {
            let o = ess::algorithm_oid(a.raw, "hashIndAlgorithm")?;
            let alg = DigestAlgorithm::from_oid(&o)
                .ok_or_else(|| Error::Unsupported(format!("hashIndAlgorithm {o}")))?;
            (alg, rest)
        }
        rest if rest.len() == 3 => (DigestAlgorithm::Sha256, rest),
        _ => return Err(Error::malformed(W, "expected three hash lists")),
    };
    let list = |t: &tlv::Tlv<'_>| -> Result<Vec<Vec<u8>>> {
        let t = t.expect_tag(tag::SEQUENCE, W)?;
        let mut out = Vec::new();
        for h in t.children() {
            out.push(h?.expect_tag(tag::OCTET_STRING, W)?.content.to_vec());
            if out.len() > crate::cades::parse::MAX_ITEMS * 4 {
                return Err(Error::malformed(W, "too many hashes"));
            }
        }
        Ok(out)
    };
    let [c, r, u] = lists else {
        return Err(Error::malformed(W, "expected three hash lists"));
    };
    Ok(HashIndex {
        algorithm,
        certificates: list(c)?,
        crls: list(r)?,
        unsigned_attrs: list(u)?,
    })
}

/// The first entry of `index` that no element of `sd` / `si` has now (an element covered by
/// the archive timestamp was removed or altered), as a message.
pub(crate) fn missing_entry(
    index: &HashIndex,
    version: IndexVersion,
    sd: &SignedData<'_>,
    si: &SignerInfo<'_>,
) -> Result<Option<String>> {
    let alg = index.algorithm;
    let certs: Vec<Vec<u8>> = sd.certificates.iter().map(|c| alg.digest(c)).collect();
    let crls: Vec<Vec<u8>> = sd.crls.iter().map(|c| alg.digest(c)).collect();
    let attrs = unsigned_attr_hashes(si, alg, version)?;
    let lists = [
        ("certificate", &index.certificates, &certs),
        ("revocation value", &index.crls, &crls),
        ("unsigned attribute", &index.unsigned_attrs, &attrs),
    ];
    for (what, listed, now) in lists {
        for (i, h) in listed.iter().enumerate() {
            if !now.contains(h) {
                return Ok(Some(format!(
                    "the {what} hashed at index {i} of the archive timestamp's hash index is no longer in the signature"
                )));
            }
        }
    }
    Ok(None)
}

/// The data whose hash is the archive timestamp's messageImprint: eContentType, the content's
/// hash (`content_digest`, with the timestamp's algorithm), the SignerInfo fields before
/// unsignedAttrs as read, and the hash index value as encoded in the token.
pub(crate) fn imprint_data(
    sd: &SignedData<'_>,
    si: &SignerInfo<'_>,
    content_digest: &[u8],
    index_value: &[u8],
) -> Result<Vec<u8>> {
    let mut data = encode_oid(&sd.econtent_type);
    data.extend_from_slice(content_digest);
    for f in tlv::read_single(si.raw, "SignerInfo")?.children() {
        let f = f?;
        if f.tag != tag::CTX1 {
            data.extend_from_slice(f.raw);
        }
    }
    data.extend_from_slice(index_value);
    Ok(data)
}

/// The hash index a token carries as an unsigned attribute of its SignerInfo, with its
/// version and value (as encoded).
pub(crate) fn token_index<'a>(
    token_si: &SignerInfo<'a>,
) -> Result<Option<(IndexVersion, &'a [u8])>> {
    for a in &token_si.unsigned_attrs {
        let version = if a.oid == oid::ATS_HASH_INDEX_V3 {
            IndexVersion::V3
        } else if a.oid == oid::ATS_HASH_INDEX {
            IndexVersion::V1
        } else {
            continue;
        };
        return match a.values.as_slice() {
            [v] => Ok(Some((version, *v))),
            _ => Err(Error::malformed(
                "ATSHashIndex",
                "the attribute must have exactly one value",
            )),
        };
    }
    Ok(None)
}

/// archive-time-stamp-v2 (ETSI TS 101 733 §6.4.1, CAdES-A): what its imprint covers after the
/// encapContentInfo (and, for a detached signature, the external content): the `certificates`
/// and `crls` fields as read, the SignerInfo's fields from version to signature as read, and
/// `[1]` with its unsigned attributes in their order, without the archive timestamps made at or
/// after `gen_time` (the one verified among them). The recipe DSS uses, checked against its
/// files.
pub(crate) fn v2_suffix(
    sd: &SignedData<'_>,
    si: &SignerInfo<'_>,
    gen_time: std::time::SystemTime,
) -> Result<Vec<u8>> {
    let mut data = Vec::new();
    data.extend_from_slice(sd.certificates_raw.unwrap_or_default());
    data.extend_from_slice(sd.crls_raw.unwrap_or_default());
    let mut unsigned: Vec<&[u8]> = Vec::new();
    for f in tlv::read_single(si.raw, "SignerInfo")?.children() {
        let f = f?;
        if f.tag != tag::CTX1 {
            data.extend_from_slice(f.raw);
            continue;
        }
        for a in f.children() {
            let a = a?;
            if !is_later_archive_timestamp(a, gen_time)? {
                unsigned.push(a.raw);
            }
        }
    }
    data.extend_from_slice(&tlv::constructed(tag::CTX1, &unsigned));
    Ok(data)
}

/// True for an archive timestamp (v2 or v3) whose token is dated at or after `gen_time`.
fn is_later_archive_timestamp(attr: tlv::Tlv<'_>, gen_time: std::time::SystemTime) -> Result<bool> {
    let mut r = attr.children();
    let ty = ess::decode_oid(r.read("attrType")?, "attrType")?;
    if ty != oid::ARCHIVE_TIMESTAMP_V2 && ty != oid::ARCHIVE_TIMESTAMP_V3 {
        return Ok(false);
    }
    let values = r.read_expect(tag::SET, "attrValues")?;
    for v in values.children() {
        let v = v?;
        match crate::tsp::TimestampToken::from_der(v.raw) {
            Ok(t) if t.gen_time().to_system_time() >= gen_time => return Ok(true),
            Ok(_) => {}
            Err(e) => return Err(Error::malformed("archive timestamp", e.to_string())),
        }
    }
    Ok(false)
}
