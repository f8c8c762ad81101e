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

/// Developer extensions may be added or raised, never lowered, overridden or removed: an
/// extension whose `/ExtensionLevel` rises with the same or a later `/BaseVersion` (e.g. ETSI's
/// `/ESIC` 2 → 5 when a document timestamp makes a file PAdES B-LTA) declares what a reader
/// needs, nothing it shows (LTA update, rule "extension level raised").
fn extensions<R: Read + Seek>(
    rv: &mut Review<'_, R>,
    r: ObjRef,
    old: &Dictionary,
    new: &Dictionary,
    path: &str,
) {
    let mut raised = Vec::new();
    for (k, v) in old.iter() {
        let w = new.get(k).map(|w| rv.new_resolve(Some(w)));
        let v = rv.old_resolve(Some(v));
        match w {
            Some(w) if eq(&v, &w) => {}
            Some(w) if raises(&v, &w) => raised.push(key_text(k)),
            _ => {
                rv.deny(
                    r,
                    K::Catalog,
                    format!(
                        "developer extension {} was overridden, lowered or removed ({path})",
                        key_text(k)
                    ),
                );
                return;
            }
        }
    }
    let detail = if raised.is_empty() {
        format!("developer extensions added ({path})")
    } else {
        format!(
            "developer extension level raised: {} (rule: extension level raised; {path})",
            raised.join(", ")
        )
    };
    rv.allow(r, K::Extensions, detail, Category::LtaUpdates);
}

/// Most entries of an ISO 32000-2 array of extensions compared.
const MAX_EXTENSION_ENTRIES: usize = 32;

/// True when the extension `new` raises `old`: the same prefix with a higher
/// `/ExtensionLevel` and a `/BaseVersion` not lower; an ISO 32000-2 array of extension
/// dictionaries raises when each old entry is kept or raised by an entry of the new array.
fn raises(old: &Object, new: &Object) -> bool {
    match (old, new) {
        (Object::Dictionary(o), Object::Dictionary(n)) => raises_one(o, n),
        (Object::Dictionary(o), Object::Array(n)) => n
            .iter()
            .take(MAX_EXTENSION_ENTRIES)
            .filter_map(Object::as_dict)
            .any(|n| {
                eq(
                    &Object::Dictionary(o.clone()),
                    &Object::Dictionary(n.clone()),
                ) || raises_one(o, n)
            }),
        (Object::Array(o), Object::Array(n)) => {
            o.len() <= MAX_EXTENSION_ENTRIES
                && o.iter().all(|oe| {
                    n.iter()
                        .take(MAX_EXTENSION_ENTRIES)
                        .any(|ne| eq(oe, ne) || raises(oe, ne))
                })
        }
        _ => false,
    }
}

/// One extension dictionary raised: level up, base version not down, nothing else but
/// `/URL` and `/ExtensionRevision` (documentation of the level) changed.
fn raises_one(o: &Dictionary, n: &Dictionary) -> bool {
    let level = |d: &Dictionary| d.get_int("ExtensionLevel");
    let version = |d: &Dictionary| {
        d.get_name("BaseVersion")
            .and_then(|v| std::str::from_utf8(v).ok())
            .and_then(|v| v.parse::<f64>().ok())
    };
    let others_kept = o.iter().chain(n.iter()).all(|(k, _)| {
        matches!(
            k,
            b"ExtensionLevel" | b"BaseVersion" | b"URL" | b"ExtensionRevision"
        ) || match (o.get(k), n.get(k)) {
            (Some(a), Some(b)) => eq(a, b),
            _ => false,
        }
    });
    matches!((level(o), level(n)), (Some(a), Some(b)) if b > a)
        && matches!((version(o), version(n)), (Some(a), Some(b)) if b >= a)
        && others_kept
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
    fn an_extension_level_may_be_raised_not_lowered() {
        let esic = |level: u32, version: &str| {
            catalog(&format!(
                "/Extensions << /ESIC << /BaseVersion /{version} /ExtensionLevel {level} >> >>"
            ))
        };
        let signed = base_with(vec![esic(2, "1.7")]);
        let raised = signed.update(&[esic(5, "1.7")]);
        check(
            &raised,
            approval(),
            &[allowed(
                "developer extension level raised: /ESIC (rule: extension level raised",
                K::Extensions,
            )],
        );
        let signed = || base_with(vec![esic(5, "1.7")]);
        for (level, version) in [(2, "1.7"), (6, "1.6")] {
            let changed = signed().update(&[esic(level, version)]);
            let refused = refused(
                "developer extension /ESIC was overridden, lowered",
                K::Catalog,
            );
            check(&changed, approval(), &[refused]);
        }
        // Another entry of the extension changed with the level: refused.
        let other = signed().update(&[catalog(
            "/Extensions << /ESIC << /BaseVersion /1.7 /ExtensionLevel 6 /Critical true >> >>",
        )]);
        let refused = refused("developer extension /ESIC was overridden", K::Catalog);
        check(&other, approval(), &[refused]);
        // ISO 32000-2 arrays of extensions: an entry raised, the others kept.
        let arr = |l: u32| {
            catalog(&format!(
                "/Extensions << /ISO_ [<< /BaseVersion /2.0 /ExtensionLevel 32001 >> << /BaseVersion /2.0 /ExtensionLevel {l} >>] >>"
            ))
        };
        let raised = base_with(vec![arr(1)]).update(&[arr(2)]);
        check(
            &raised,
            approval(),
            &[allowed(
                "developer extension level raised: /ISO_",
                K::Extensions,
            )],
        );
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
