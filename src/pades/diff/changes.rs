//! What changed between the signed revision and the newest one, object by object, and the
//! structural equality that tells a real change from an identical rewrite.

use super::MAX_NESTING;
use crate::pdf::{Dictionary, ObjRef, Object, PdfError, Reader, Stream, StreamData, XrefEntry};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::io::{Read, Seek};

/// How an object number changed after the signed revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ChangeKind {
    /// Not in use in the signed revision.
    New,
    /// Another value under the same number and generation.
    Modified,
    /// Freed by a later xref.
    Deleted,
    /// The number reused with another generation.
    Reused,
    /// A later xref points the object at other bytes inside the signed revision.
    Redirected,
}

/// One changed object number.
#[derive(Debug, Clone, Copy)]
pub(super) struct Change {
    pub(super) kind: ChangeKind,
    /// The object in the signed revision.
    pub(super) old: Option<ObjRef>,
    /// The object in the newest revision.
    pub(super) new: Option<ObjRef>,
    /// Where the new version lives, for redirections.
    pub(super) new_offset: Option<u64>,
}

fn in_use(e: Option<XrefEntry>) -> Option<XrefEntry> {
    e.filter(|e| e.generation().is_some())
}

/// Where an entry's object lives in the file (its own offset, or its object stream's).
fn location<R: Read + Seek>(reader: &Reader<R>, e: XrefEntry, rev: usize) -> Option<u64> {
    match e {
        XrefEntry::InUse { offset, .. } => Some(offset),
        XrefEntry::Compressed { stream, .. } => {
            match reader.xref_entry_in_revision(stream, rev).ok().flatten() {
                Some(XrefEntry::InUse { offset, .. }) => Some(offset),
                _ => None,
            }
        }
        XrefEntry::Free { .. } => None,
    }
}

/// The object numbers to compare: every number a later xref section mentions, and every
/// object compressed in an object stream that changed (it may differ although its own entry
/// did not). The second set holds the latter.
fn candidates<R: Read + Seek>(
    reader: &Reader<R>,
    signed: usize,
    last: usize,
) -> Result<(BTreeSet<u32>, HashSet<u32>), PdfError> {
    let mut candidates: BTreeSet<u32> = BTreeSet::new();
    for r in signed.saturating_add(1)..=last {
        for (num, _) in reader.revision_entries(r)? {
            candidates.insert(num);
        }
    }
    let mut containers: HashSet<u32> = HashSet::new();
    for &num in &candidates {
        let old = in_use(reader.xref_entry_in_revision(num, signed)?);
        let new = in_use(reader.xref_entry_in_revision(num, last)?);
        if old.is_some() && new.is_some() && old != new {
            containers.insert(num);
        }
    }
    let mut in_changed_container: HashSet<u32> = HashSet::new();
    if !containers.is_empty() {
        for r in reader.object_refs() {
            if let Some(XrefEntry::Compressed { stream, .. }) = reader.xref_entry(r.num)
                && containers.contains(&stream)
            {
                in_changed_container.insert(r.num);
                candidates.insert(r.num);
            }
        }
    }
    Ok((candidates, in_changed_container))
}

/// Every object number that changed between revision `signed` and revision `last`.
pub(super) fn changes<R: Read + Seek>(
    reader: &Reader<R>,
    signed: usize,
    last: usize,
) -> Result<BTreeMap<u32, Change>, PdfError> {
    let signed_end = reader
        .revisions()
        .get(signed)
        .map(|r| r.end_offset)
        .unwrap_or(0);
    let (candidates, in_changed_container) = candidates(reader, signed, last)?;
    let mut out = BTreeMap::new();
    for num in candidates {
        let old = in_use(reader.xref_entry_in_revision(num, signed)?);
        let new = in_use(reader.xref_entry_in_revision(num, last)?);
        let oref = old
            .and_then(|e| e.generation())
            .map(|g| ObjRef::new(num, g));
        let nref = new
            .and_then(|e| e.generation())
            .map(|g| ObjRef::new(num, g));
        let change = match (old, new, oref, nref) {
            (None, None, _, _) => continue,
            (None, Some(_), _, _) => Change {
                kind: ChangeKind::New,
                old: None,
                new: nref,
                new_offset: None,
            },
            (Some(_), None, _, _) => Change {
                kind: ChangeKind::Deleted,
                old: oref,
                new: None,
                new_offset: None,
            },
            (Some(a), Some(b), Some(or), Some(nr)) => {
                if a == b && !in_changed_container.contains(&num) {
                    continue;
                }
                if or.r#gen != nr.r#gen {
                    Change {
                        kind: ChangeKind::Reused,
                        old: oref,
                        new: nref,
                        new_offset: None,
                    }
                } else {
                    let before = reader.get_in_revision(or, signed);
                    let after = reader.get_in_revision(nr, last);
                    match (before, after) {
                        (Ok(x), Ok(y)) if same_object(reader, &x, &y, 0)? => continue,
                        (_, Err(e)) => return Err(e),
                        _ => {}
                    }
                    let loc = location(reader, b, last);
                    let redirected = a != b && loc.is_some_and(|l| l < signed_end);
                    Change {
                        kind: if redirected {
                            ChangeKind::Redirected
                        } else {
                            ChangeKind::Modified
                        },
                        old: oref,
                        new: nref,
                        new_offset: loc,
                    }
                }
            }
            _ => continue,
        };
        out.insert(num, change);
    }
    Ok(out)
}

/// Structural equality: dictionaries regardless of key order, references by identity, streams
/// by dictionary (without `/Length`) and raw data.
fn same_object<R: Read + Seek>(
    reader: &Reader<R>,
    a: &Object,
    b: &Object,
    depth: usize,
) -> Result<bool, PdfError> {
    if depth > MAX_NESTING {
        return Ok(false);
    }
    Ok(match (a, b) {
        (Object::Stream(x), Object::Stream(y)) => {
            let mut dx = x.dict.clone();
            let mut dy = y.dict.clone();
            dx.remove("Length");
            dy.remove("Length");
            same_dict(&dx, &dy) && same_stream_data(reader, x, y)?
        }
        (Object::Stream(_), _) | (_, Object::Stream(_)) => false,
        _ => eq(a, b),
    })
}

fn same_stream_data<R: Read + Seek>(
    reader: &Reader<R>,
    x: &Stream,
    y: &Stream,
) -> Result<bool, PdfError> {
    match (&x.data, &y.data) {
        (StreamData::Memory(a), StreamData::Memory(b)) => Ok(a == b),
        (
            StreamData::File {
                offset: oa,
                len: la,
            },
            StreamData::File {
                offset: ob,
                len: lb,
            },
        ) => {
            if la != lb {
                return Ok(false);
            }
            if oa == ob {
                return Ok(true);
            }
            let mut pos = 0u64;
            while pos < *la {
                let n = (*la - pos).min(256 * 1024);
                let mut va = Vec::new();
                let mut vb = Vec::new();
                reader.read_range(oa.saturating_add(pos), n, &mut va)?;
                reader.read_range(ob.saturating_add(pos), n, &mut vb)?;
                if va != vb {
                    return Ok(false);
                }
                pos += n;
            }
            Ok(true)
        }
        _ => Ok(reader.stream_data(x)? == reader.stream_data(y)?),
    }
}

/// Deep equality of direct values (references compared by identity, dictionaries regardless
/// of key order).
pub(super) fn eq(a: &Object, b: &Object) -> bool {
    eq_depth(a, b, 0)
}

fn eq_depth(a: &Object, b: &Object, depth: usize) -> bool {
    if depth > MAX_NESTING {
        return false;
    }
    match (a, b) {
        (Object::Dictionary(x), Object::Dictionary(y)) => same_dict_depth(x, y, depth + 1),
        (Object::Array(x), Object::Array(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y.iter())
                    .all(|(p, q)| eq_depth(p, q, depth + 1))
        }
        (Object::Integer(x), Object::Real(y)) | (Object::Real(y), Object::Integer(x)) => {
            (*x as f64) == *y
        }
        (Object::Stream(x), Object::Stream(y)) => x == y,
        _ => a == b,
    }
}

fn same_dict(x: &Dictionary, y: &Dictionary) -> bool {
    same_dict_depth(x, y, 0)
}

fn same_dict_depth(x: &Dictionary, y: &Dictionary, depth: usize) -> bool {
    x.len() == y.len()
        && x.iter()
            .all(|(k, v)| y.get(k).is_some_and(|w| eq_depth(v, w, depth)))
}

fn opt_eq(a: Option<&Object>, b: Option<&Object>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(x), Some(y)) => eq(x, y),
        (None, Some(Object::Null)) | (Some(Object::Null), None) => true,
        _ => false,
    }
}

/// Keys whose values differ between two dictionaries (sorted).
pub(super) fn changed_keys(old: &Dictionary, new: &Dictionary) -> Vec<Vec<u8>> {
    let mut keys: BTreeSet<Vec<u8>> = BTreeSet::new();
    for k in old.keys().chain(new.keys()) {
        keys.insert(k.to_vec());
    }
    keys.into_iter()
        .filter(|k| !opt_eq(old.get(k), new.get(k)))
        .collect()
}

/// A key as the report writes it: `/Name`.
pub(super) fn key_text(k: &[u8]) -> String {
    format!("/{}", String::from_utf8_lossy(k))
}

#[cfg(test)]
mod tests {
    use super::super::testpdf::{Fixture, base_objects, free, obj, obj_gen, pointing, stream};
    use super::*;

    fn kinds(f: &Fixture) -> Vec<(u32, ChangeKind)> {
        let reader = f.reader();
        let last = reader.revisions().len() - 1;
        changes(&reader, 0, last)
            .expect("changes")
            .into_iter()
            .map(|(n, c)| (n, c.kind))
            .collect()
    }

    #[test]
    fn equality_ignores_key_order() {
        let mut a = Dictionary::new();
        a.insert("X", 1i64);
        a.insert("Y", Object::Real(2.0));
        let mut b = Dictionary::new();
        b.insert("Y", 2i64);
        b.insert("X", 1i64);
        assert!(same_dict(&a, &b));
        b.insert("Z", Object::Null);
        assert!(!same_dict(&a, &b));
        assert!(opt_eq(None, Some(&Object::Null)));
    }

    #[test]
    fn changed_keys_are_sorted_and_null_is_absent() {
        let mut a = Dictionary::new();
        a.insert("B", 1i64);
        a.insert("A", 1i64);
        let mut b = Dictionary::new();
        b.insert("A", 2i64);
        b.insert("B", 1i64);
        b.insert("C", Object::Null);
        b.insert("D", 0i64);
        assert_eq!(changed_keys(&a, &b), vec![b"A".to_vec(), b"D".to_vec()]);
        assert_eq!(key_text(b"AcroForm"), "/AcroForm");
    }

    #[test]
    fn identical_rewrites_are_not_changes() {
        // Same values in another key order, and a stream with the same data.
        let f = Fixture::base().update(&[
            obj(5, "<< /BaseFont /Helvetica /Subtype /Type1 /Type /Font >>"),
            obj(4, &stream("", "BT /F1 12 Tf (Hello) Tj ET")),
        ]);
        assert_eq!(kinds(&f), vec![]);
    }

    #[test]
    fn new_modified_deleted_and_reused() {
        let f = Fixture::base().update(&[
            obj(5, "<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>"),
            obj(20, "<< /New true >>"),
            free(10, 1),
            obj_gen(9, 1, "<< /Producer (reused) >>"),
        ]);
        assert_eq!(
            kinds(&f),
            vec![
                (5, ChangeKind::Modified),
                (9, ChangeKind::Reused),
                (10, ChangeKind::Deleted),
                (20, ChangeKind::New),
            ]
        );
    }

    #[test]
    fn xref_pointing_into_the_signed_bytes_is_a_redirection() {
        // The signed bytes hold a second body of object 5 that no xref names; the update's
        // xref points object 5 at it without writing anything new.
        let decoy = "<< /Type /Font /Subtype /Type1 /BaseFont /Evil >>";
        let (f, at) = Fixture::with_decoy(&base_objects(), 5, decoy);
        let f = f.update(&[pointing(5, at)]);
        assert_eq!(kinds(&f), vec![(5, ChangeKind::Redirected)]);
        // Pointing at the body the signed xref already names is no change at all.
        let f = Fixture::base();
        let at = f.offset_of(5).expect("object 5");
        assert_eq!(kinds(&f.update(&[pointing(5, at)])), vec![]);
    }
}
