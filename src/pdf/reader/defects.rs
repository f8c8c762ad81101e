//! The harmless defects the reader tolerates, each recorded so that a report can say so.
//!
//! The rules (what is tolerated and why it cannot change what a signature covers) are in
//! `docs/tolerated-defects.md`. Anything outside them stays a typed error.

use std::fmt;

/// A kind of tolerated defect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DefectKind {
    /// A `startxref` or `/Prev` offset that points at white space before `xref` (or before an
    /// xref stream object), or one to three bytes into the `xref` keyword.
    ShiftedXrefOffset,
    /// An object's xref entry names white space before its `N G obj` (the number and
    /// generation found there are still the object's).
    ShiftedObjectOffset,
    /// `/Prev 0`: offset 0 holds the header, never an xref section; the chain ends there.
    PrevZero,
    /// The same `/XRefStm` named by two trailers, where both readings give the same objects.
    RepeatedXrefStm,
    /// The file's tail is not a complete `startxref … %%EOF`: it was read as of the last
    /// complete revision, and the bytes after it belong to no revision (see
    /// [`super::Reader::unaccounted_tail`]). Not harmless: a signature verifier must fail on it.
    UnaccountedTail,
    /// A page given as a direct dictionary in a `/Kids` array (ISO 32000-2 §7.7.3.2 wants
    /// indirect references); the page is read where it stands.
    DirectPageKid,
}

impl DefectKind {
    /// A stable short name (`shifted-xref-offset`, `shifted-object-offset`, `prev-zero`, `repeated-xrefstm`,
    /// `unaccounted-tail`, `direct-page-kid`).
    pub fn name(self) -> &'static str {
        match self {
            DefectKind::ShiftedXrefOffset => "shifted-xref-offset",
            DefectKind::ShiftedObjectOffset => "shifted-object-offset",
            DefectKind::PrevZero => "prev-zero",
            DefectKind::RepeatedXrefStm => "repeated-xrefstm",
            DefectKind::UnaccountedTail => "unaccounted-tail",
            DefectKind::DirectPageKid => "direct-page-kid",
        }
    }
}

/// One tolerated defect, with where it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Defect {
    /// What kind of defect.
    pub kind: DefectKind,
    /// Where and what, with offsets.
    pub detail: String,
}

impl fmt::Display for Defect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "tolerated PDF defect ({}): {}",
            self.kind.name(),
            self.detail
        )
    }
}
