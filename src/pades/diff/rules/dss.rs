//! The document security store and document timestamps (LTA updates, allowed after any
//! signature, certified or not): everything reached from the catalog's `/DSS`, and new
//! `/Type /DocTimeStamp` signature values. A document timestamp is also the one new signature
//! field DocMDP P=1 lets in ([`super::signature`] asks [`is_doc_timestamp`]).

use super::{Changed, Rule};
use crate::pades::diff::changes::ChangeKind;
use crate::pades::diff::graph::Role;
use crate::pades::diff::review::Review;
use crate::pades::diff::{Category, ModificationKind as K};
use crate::pdf::{ObjRef, Object};
use std::io::{Read, Seek};

/// The DSS and new document timestamps.
pub(in crate::pades::diff) struct DssRule;

impl<R: Read + Seek> Rule<R> for DssRule {
    fn claims(&self, c: &Changed<'_>) -> bool {
        c.role == Role::Dss || is_new_doc_timestamp(c)
    }

    fn judge(&self, rv: &mut Review<'_, R>, c: &Changed<'_>) {
        let (r, path) = (c.r, c.path);
        if c.role == Role::Dss {
            rv.allow(
                r,
                K::Dss,
                format!("document security store {} ({path})", c.verb()),
                Category::LtaUpdates,
            );
        } else {
            rv.allow(
                r,
                K::Signature,
                format!("document timestamp added ({path})"),
                Category::LtaUpdates,
            );
        }
    }
}

/// True for a signature dictionary of type `/DocTimeStamp`.
pub(super) fn is_doc_timestamp(o: &Object) -> bool {
    o.as_dict().and_then(|d| d.get_name("Type")) == Some(b"DocTimeStamp".as_slice())
}

/// True when `c` is a new document timestamp (a signature value).
pub(super) fn is_new_doc_timestamp(c: &Changed<'_>) -> bool {
    c.role == Role::SigValue && c.kind == ChangeKind::New && is_doc_timestamp(&c.new)
}

/// The catalog `r`'s `/DSS` entry changed.
pub(super) fn catalog_entry<R: Read + Seek>(rv: &mut Review<'_, R>, r: ObjRef) {
    rv.allow(
        r,
        K::Dss,
        "document security store set in the catalog".into(),
        Category::LtaUpdates,
    );
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{allowed, certified, check, refused};
    use crate::pades::diff::testpdf::{Fixture, acroform, catalog, obj, page, stream, updated};
    use crate::pades::diff::{Category, ModificationKind as K};

    /// A new invisible signature field 21 (on page 3) whose value 22 is `sig_type`.
    fn new_signature(sig_type: &str) -> Fixture {
        updated(&[
            catalog(""),
            acroform("[7 0 R 8 0 R 21 0 R]", ""),
            page("[7 0 R 8 0 R 10 0 R 21 0 R]"),
            obj(
                21,
                "<< /Type /Annot /Subtype /Widget /FT /Sig /T (TS1) /Rect [0 0 0 0] /P 3 0 R /V 22 0 R >>",
            ),
            obj(
                22,
                &format!("<< /Type /{sig_type} /Filter /Adobe.PPKLite /Contents <00> >>"),
            ),
        ])
    }

    #[test]
    fn dss_is_allowed_after_a_certification() {
        let r = check(
            &updated(&[
                obj(20, &stream("", "certificate bytes")),
                obj(21, "<< /Certs [20 0 R] >>"),
                catalog("/DSS 21 0 R"),
            ]),
            certified(1),
            &[
                allowed("document security store set in the catalog", K::Dss),
                allowed("document security store added (trailer/Root/DSS)", K::Dss),
            ],
        );
        assert_eq!(r.category, Category::LtaUpdates);
    }

    #[test]
    fn document_timestamp_is_allowed_where_a_signature_is_not() {
        let r = check(
            &new_signature("DocTimeStamp"),
            certified(1),
            &[allowed("document timestamp added", K::Signature)],
        );
        assert!(r.allowed(), "{:#?}", r.modifications);
        assert_eq!(r.category, Category::LtaUpdates);
        // The same field holding an ordinary signature: not under DocMDP P=1.
        let refused = refused(
            "field at trailer/Root/AcroForm/Fields[2]: the certification (DocMDP P=1) allows",
            K::FormField,
        );
        let r = check(&new_signature("Sig"), certified(1), &[refused]);
        assert!(!r.allowed());
    }
}
