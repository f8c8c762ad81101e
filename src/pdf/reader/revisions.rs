//! Revisions and views: which sections each save wrote, and the xref as of any revision.

use std::collections::HashMap;

use super::{Reader, Revision, XrefEntry};
use crate::pdf::object::ObjRef;
use crate::pdf::parser::EofMarker;
use crate::pdf::{PdfError, Result};

impl<R> Reader<R> {
    /// Groups the sections (newest first) into revisions, oldest first.
    pub(super) fn group_revisions(&mut self, tail: EofMarker) {
        // A section heads a revision when a `startxref` names it: the file's last one for the
        // newest section, else the marker after it or after an older section (linearized files:
        // the marker after the main section names the first-page section).
        // Walk from the oldest section to the newest, remembering for each startxref value the
        // newest marker seen so far: for section i that is the nearest marker at or after i.
        let mut named: HashMap<u64, EofMarker> = HashMap::new();
        let mut heads: Vec<(usize, EofMarker)> = Vec::new();
        for (i, s) in self.sections.iter().enumerate().rev() {
            if let Some(m) = s.marker {
                named.insert(m.startxref, m);
            }
            let marker = if i == 0 {
                Some(tail)
            } else {
                named
                    .get(&s.named)
                    .or_else(|| named.get(&s.offset))
                    .copied()
            };
            if let Some(m) = marker {
                heads.push((i, m));
            }
        }
        heads.reverse();
        let mut revisions = Vec::with_capacity(heads.len());
        let mut rev_head = Vec::with_capacity(heads.len());
        for (k, (i, m)) in heads.iter().enumerate() {
            let stop = heads.get(k + 1).map_or(self.sections.len(), |(j, _)| *j);
            let Some(head) = self.sections.get(*i) else {
                continue;
            };
            revisions.push(Revision {
                xref_offset: head.offset,
                kind: head.kind,
                trailer: head.trailer.clone(),
                section_offsets: self
                    .sections
                    .get(*i..stop)
                    .unwrap_or(&[])
                    .iter()
                    .map(|s| s.offset)
                    .collect(),
                eof_offset: m.eof_offset,
                end_offset: m.end,
            });
            rev_head.push(*i);
        }
        revisions.reverse();
        rev_head.reverse();
        self.revisions = revisions;
        self.rev_head = rev_head;
    }

    /// The merged newest view of every section.
    pub(super) fn merge_latest(&mut self) {
        // Sections are newest first: a stable sort by number keeps, for each number, the
        // newest section's entry first, and `dedup` keeps that one.
        let mut v: Vec<(u32, XrefEntry)> = match self.sections.as_slice() {
            [only] => only.entries.clone(),
            all => all.iter().flat_map(|s| s.entries.iter().copied()).collect(),
        };
        if self.sections.len() > 1 {
            v.sort_by_key(|(n, _)| *n);
            v.dedup_by_key(|(n, _)| *n);
        }
        self.latest = v;
    }

    /// The newest xref entry of object `num`.
    pub fn xref_entry(&self, num: u32) -> Option<XrefEntry> {
        lookup(&self.latest, num)
    }

    /// The xref entry of object `num` as of revision `revision` (index into
    /// [`Reader::revisions`]).
    pub fn xref_entry_in_revision(&self, num: u32, revision: usize) -> Result<Option<XrefEntry>> {
        let head = self.head_of(revision)?;
        Ok(self.lookup_from(num, head))
    }

    /// The entries the sections of revision `revision` define (what that save wrote or freed),
    /// sorted by object number.
    pub fn revision_entries(&self, revision: usize) -> Result<Vec<(u32, XrefEntry)>> {
        let head = self.head_of(revision)?;
        // Revisions are oldest first and their heads are newest-first section indices: the
        // sections of `revision` run from its head to the head of the revision before it.
        let older_head = match revision.checked_sub(1) {
            None => self.sections.len(),
            Some(k) => self.rev_head.get(k).copied().unwrap_or(self.sections.len()),
        };
        let sections = self.sections.get(head..older_head).unwrap_or(&[]);
        // One section (most saves): its entries are already sorted and unique
        // (`finish_entries`).
        if let [only] = sections {
            return Ok(only.entries.clone());
        }
        let mut map: HashMap<u32, XrefEntry> = HashMap::new();
        for s in sections.iter().rev() {
            for (n, e) in &s.entries {
                map.insert(*n, *e);
            }
        }
        let mut v: Vec<(u32, XrefEntry)> = map.into_iter().collect();
        v.sort_unstable_by_key(|(n, _)| *n);
        Ok(v)
    }

    /// Every object the newest xref lists as existing (in use or compressed), with its
    /// generation, sorted by number.
    pub fn object_refs(&self) -> Vec<ObjRef> {
        self.latest
            .iter()
            .filter_map(|(n, e)| e.generation().map(|r#gen| ObjRef { num: *n, r#gen }))
            .collect()
    }

    /// Absolute offsets of the uncompressed objects in the newest view.
    pub fn object_offsets(&self) -> Vec<(ObjRef, u64)> {
        self.latest
            .iter()
            .filter_map(|(n, e)| match e {
                XrefEntry::InUse { offset, r#gen } => Some((
                    ObjRef {
                        num: *n,
                        r#gen: *r#gen,
                    },
                    *offset,
                )),
                _ => None,
            })
            .collect()
    }

    /// The index of revision `revision`'s head section.
    pub(super) fn head_of(&self, revision: usize) -> Result<usize> {
        self.rev_head
            .get(revision)
            .copied()
            .ok_or_else(|| PdfError::InvalidArgument(format!("no revision {revision}")))
    }

    /// The entry of `num` in the view whose newest section is `head`.
    pub(super) fn lookup_from(&self, num: u32, head: usize) -> Option<XrefEntry> {
        if head == 0 {
            return lookup(&self.latest, num);
        }
        self.sections
            .get(head..)
            .unwrap_or(&[])
            .iter()
            .find_map(|s| lookup(&s.entries, num))
    }
}

/// The entry of `num` in entries sorted by object number.
pub(super) fn lookup(entries: &[(u32, XrefEntry)], num: u32) -> Option<XrefEntry> {
    entries
        .binary_search_by_key(&num, |(n, _)| *n)
        .ok()
        .and_then(|i| entries.get(i))
        .map(|(_, e)| *e)
}
