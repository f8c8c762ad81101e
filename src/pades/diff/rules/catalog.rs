//! The document catalog and the trailer. Allowed: a new `/AcroForm` (form filling), `/DSS`,
//! XMP `/Metadata`, developer extensions added, `/Version` and `/MarkInfo` (LTA updates).
//! Refused: document actions, `/Names`, `/Pages`, `/Perms`, any other catalog entry, a catalog
//! replaced, encryption added or removed, and `/Root` pointing at another catalog.

use super::{Changed, Rule, dss, form, is_javascript, metadata};
use crate::pades::diff::changes::{changed_keys, eq, key_text};
use crate::pades::diff::graph::Role;
use crate::pades::diff::review::Review;
use crate::pades::diff::{Category, ModificationKind as K};
use crate::pdf::{Dictionary, ObjRef, Object};
use std::io::{Read, Seek};

/// The catalog's entries and its developer extensions.
pub(in crate::pades::diff) struct CatalogRule;

impl<R: Read + Seek> Rule<R> for CatalogRule {
    fn claims(&self, c: &Changed<'_>) -> bool {
        matches!(c.role, Role::Catalog | Role::Extensions)
    }

    fn judge(&self, rv: &mut Review<'_, R>, c: &Changed<'_>) {
        let (r, path) = (c.r, c.path);
        match (c.role, &c.old, &c.new) {
            (Role::Catalog, Some(Object::Dictionary(o)), Object::Dictionary(n)) => {
                catalog(rv, r, o, n)
            }
            (Role::Catalog, _, _) => rv.deny(
                r,
                K::Catalog,
                format!("document catalog replaced at {path}"),
            ),
            (_, Some(Object::Dictionary(o)), Object::Dictionary(n)) => {
                extensions(rv, r, o, n, path)
            }
            _ => rv.allow(
                r,
                K::Extensions,
                format!("extensions dictionary {} ({path})", c.verb()),
                Category::LtaUpdates,
            ),
        }
    }
}

/// The changed entries of the catalog `r`.
fn catalog<R: Read + Seek>(rv: &mut Review<'_, R>, r: ObjRef, old: &Dictionary, new: &Dictionary) {
    for k in changed_keys(old, new) {
        let key = key_text(&k);
        match k.as_slice() {
            b"AcroForm" => form::catalog_entry(rv, r, old, new),
            b"DSS" => dss::catalog_entry(rv, r),
            b"Metadata" => metadata::catalog_entry(rv, r, new),
            b"Extensions" => extensions_entry(rv, r, old, new),
            b"Version" | b"MarkInfo" => rv.allow(
                r,
                K::Catalog,
                format!("catalog {key} changed"),
                Category::LtaUpdates,
            ),
            b"OpenAction" | b"AA" => {
                let n = rv.new_resolve(new.get(&k));
                let kind = if is_javascript(&n) {
                    K::JavaScript
                } else {
                    K::Action
                };
                rv.deny(r, kind, format!("document action {key} changed"));
            }
            b"Names" => rv.deny(
                r,
                K::Catalog,
                "catalog /Names changed (JavaScript, embedded files, destinations)".into(),
            ),
            b"Pages" => rv.deny(r, K::PageTree, "catalog /Pages changed".into()),
            b"Perms" => rv.deny(
                r,
                K::Catalog,
                "catalog /Perms (certification permissions) changed".into(),
            ),
            _ => rv.deny(r, K::Catalog, format!("catalog {key} changed")),
        }
    }
}

/// The catalog's `/Extensions` entry changed.
fn extensions_entry<R: Read + Seek>(
    rv: &mut Review<'_, R>,
    r: ObjRef,
    old: &Dictionary,
    new: &Dictionary,
) {
    let o = rv.old_resolve(old.get("Extensions"));
    let n = rv.new_resolve(new.get("Extensions"));
    match (o.as_dict(), n.as_dict()) {
        (Some(od), Some(nd)) => extensions(rv, r, od, nd, "/Root/Extensions"),
        (None, Some(_)) => rv.allow(
            r,
            K::Extensions,
            "extensions dictionary added".into(),
            Category::LtaUpdates,
        ),
        _ => rv.deny(r, K::Catalog, "extensions dictionary removed".into()),
    }
}

/// Developer extensions may be added, never overridden or removed.
fn extensions<R: Read + Seek>(
    rv: &mut Review<'_, R>,
    r: ObjRef,
    old: &Dictionary,
    new: &Dictionary,
    path: &str,
) {
    for (k, v) in old.iter() {
        if !new.get(k).is_some_and(|w| eq(v, w)) {
            rv.deny(
                r,
                K::Catalog,
                format!(
                    "developer extension {} was overridden or removed ({path})",
                    key_text(k)
                ),
            );
            return;
        }
    }
    rv.allow(
        r,
        K::Extensions,
        format!("developer extensions added ({path})"),
        Category::LtaUpdates,
    );
}

/// The trailer itself: encryption added or removed after signing, or `/Root` pointing at
/// another catalog object.
pub(in crate::pades::diff) fn trailer<R: Read + Seek>(rv: &mut Review<'_, R>) {
    let reader = rv.reader;
    let signed = reader.revisions().get(rv.signed);
    let before = signed
        .map(|r| r.trailer.contains_key("Encrypt"))
        .unwrap_or(false);
    if before != reader.trailer().contains_key("Encrypt") {
        rv.push(
            None,
            K::Other,
            "encryption (/Encrypt) added or removed after signing".into(),
            Category::Other,
            false,
        );
    }
    let root_before = signed.and_then(|r| r.trailer.get_ref("Root"));
    if root_before != reader.catalog_ref() {
        rv.push(
            None,
            K::Catalog,
            format!(
                "the trailer's /Root now points at another catalog object ({})",
                reader
                    .catalog_ref()
                    .map_or_else(String::new, |r| r.to_string())
            ),
            Category::Other,
            false,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{allowed, approval, check, refused};
    use crate::pades::diff::ModificationKind as K;
    use crate::pades::diff::testpdf::{Fixture, base_with, catalog, obj, updated};

    /// The catalog's entries in the base document.
    const CATALOG: &str = "/Type /Catalog /Pages 2 0 R /AcroForm 6 0 R";

    fn with_catalog(extra: &str) -> Fixture {
        updated(&[catalog(extra)])
    }

    #[test]
    fn version_and_mark_info_are_allowed() {
        let r = check(
            &with_catalog("/Version /2.0 /MarkInfo << /Marked true >>"),
            approval(),
            &[
                allowed("catalog /Version changed", K::Catalog),
                allowed("catalog /MarkInfo changed", K::Catalog),
            ],
        );
        assert!(r.allowed());
    }

    #[test]
    fn actions_names_and_other_entries_are_refused() {
        for (extra, expected) in [
            (
                "/OpenAction << /S /JavaScript /JS (app.alert(1)) >>",
                refused("document action /OpenAction changed", K::JavaScript),
            ),
            (
                "/Names << >>",
                refused("catalog /Names changed", K::Catalog),
            ),
            (
                "/PageMode /UseOutlines",
                refused("catalog /PageMode changed", K::Catalog),
            ),
        ] {
            check(&with_catalog(extra), approval(), &[expected]);
        }
    }

    #[test]
    fn extensions_may_be_added_not_overridden() {
        let ext = "/Extensions << /ADBE << /BaseVersion /1.7 /ExtensionLevel 8 >> >>";
        let added = allowed("extensions dictionary added", K::Extensions);
        check(&with_catalog(ext), approval(), &[added]);
        // An extension of the signed revision overridden later.
        let signed = base_with(vec![catalog(ext)]);
        let overridden =
            signed.update(&[catalog("/Extensions << /ADBE << /BaseVersion /2.0 >> >>")]);
        let refused = refused("developer extension /ADBE was overridden", K::Catalog);
        check(&overridden, approval(), &[refused]);
    }

    #[test]
    fn catalog_replaced_by_a_new_object_is_refused() {
        // The reader refuses a catalog that is not a dictionary; a new catalog object is the
        // replacement left to judge.
        let replaced = Fixture::base()
            .root(31)
            .update(&[obj(31, &format!("<< {CATALOG} >>"))]);
        let refused = refused("document catalog replaced at trailer/Root", K::Catalog);
        check(&replaced, approval(), &[refused]);
    }

    #[test]
    fn trailer_root_and_encryption_are_refused() {
        let encrypted = Fixture::base()
            .update_with_trailer(&[obj(30, "<< /Filter /Standard >>")], " /Encrypt 30 0 R");
        let repointed = Fixture::base()
            .root(31)
            .update(&[obj(31, &format!("<< {CATALOG} /Lang (en) >>"))]);
        for (f, expected) in [
            (encrypted, refused("encryption (/Encrypt) added", K::Other)),
            (
                repointed,
                refused(
                    "the trailer's /Root now points at another catalog object (31 0 R)",
                    K::Catalog,
                ),
            ),
        ] {
            check(&f, approval(), &[expected]);
        }
    }
}
