//! XMP metadata and the document information dictionary. Allowed (LTA updates): the
//! information dictionary changed, XMP metadata added or changed. Refused: `/Metadata` that is
//! not an XMP stream (`/Subtype /XML`).

use super::{Changed, Rule};
use crate::pades::diff::graph::Role;
use crate::pades::diff::review::Review;
use crate::pades::diff::{Category, ModificationKind as K};
use crate::pdf::{Dictionary, ObjRef, Object};
use std::io::{Read, Seek};

/// The information dictionary and the catalog's `/Metadata`.
pub(in crate::pades::diff) struct MetadataRule;

impl<R: Read + Seek> Rule<R> for MetadataRule {
    fn claims(&self, c: &Changed<'_>) -> bool {
        matches!(c.role, Role::Info | Role::Metadata)
    }

    fn judge(&self, rv: &mut Review<'_, R>, c: &Changed<'_>) {
        let (r, path, verb) = (c.r, c.path, c.verb());
        if c.role == Role::Info {
            rv.allow(
                r,
                K::Info,
                format!("document information dictionary {verb} ({path})"),
                Category::LtaUpdates,
            );
        } else if is_xmp(&c.new) {
            rv.allow(
                r,
                K::Metadata,
                format!("XMP metadata {verb} ({path})"),
                Category::LtaUpdates,
            );
        } else {
            rv.deny(
                r,
                K::Metadata,
                format!("metadata at {path} {verb} with something that is not an XMP stream"),
            );
        }
    }
}

/// True for an XMP metadata stream.
fn is_xmp(o: &Object) -> bool {
    o.as_stream()
        .is_some_and(|s| s.dict.get_name("Subtype") == Some(b"XML".as_slice()))
}

/// The catalog `r`'s `/Metadata` entry changed (`new`: the catalog now).
pub(super) fn catalog_entry<R: Read + Seek>(rv: &mut Review<'_, R>, r: ObjRef, new: &Dictionary) {
    let n = rv.new_resolve(new.get("Metadata"));
    if is_xmp(&n) {
        rv.allow(
            r,
            K::Metadata,
            "catalog /Metadata points at new XMP metadata".into(),
            Category::LtaUpdates,
        );
    } else {
        rv.deny(
            r,
            K::Metadata,
            "catalog /Metadata set to something that is not an XMP stream".into(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{Expect, allowed, approval, certified, check, refused};
    use crate::pades::diff::testpdf::{catalog, obj, stream, updated};
    use crate::pades::diff::{Category, DiffResult, ModificationKind as K};

    #[test]
    fn info_changes_are_lta_updates_even_when_certified() {
        let r = check(
            &updated(&[obj(9, "<< /Producer (later) /ModDate (D:20250101) >>")]),
            certified(1),
            &[allowed("document information dictionary changed", K::Info)],
        );
        assert_eq!(r.category, Category::LtaUpdates);
    }

    /// The catalog's `/Metadata` set to a new stream 20 (`dict`, `data`), checked.
    fn metadata(dict: &str, data: &str, expected: &[Expect<'_>]) -> DiffResult {
        let f = updated(&[obj(20, &stream(dict, data)), catalog("/Metadata 20 0 R")]);
        check(&f, approval(), expected)
    }

    #[test]
    fn xmp_metadata_may_be_added() {
        let r = metadata(
            "/Type /Metadata /Subtype /XML",
            "<x:xmpmeta/>",
            &[
                allowed("catalog /Metadata points at new XMP metadata", K::Metadata),
                allowed("XMP metadata added", K::Metadata),
            ],
        );
        assert!(r.allowed());
    }

    #[test]
    fn metadata_that_is_not_xmp_is_refused() {
        metadata(
            "",
            "BT (not metadata) Tj ET",
            &[
                refused(
                    "catalog /Metadata set to something that is not an XMP stream",
                    K::Metadata,
                ),
                refused("with something that is not an XMP stream", K::Metadata),
            ],
        );
    }
}
