//! The page tree, walked in document order (loops and depth bounded).

use std::collections::HashSet;
use std::io::{Read, Seek};

use super::Reader;
use super::defects::{Defect, DefectKind};
use crate::pdf::object::{ObjRef, Object};
use crate::pdf::{PdfError, Result};

/// One page of the page tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageNode {
    /// A page object of its own (what ISO 32000-2 §7.7.3.2 requires).
    Indirect(ObjRef),
    /// A page given as a direct dictionary in the `/Kids` of `parent`, at `index` (a
    /// tolerated defect: the page cannot be updated by itself, only with its parent).
    Direct {
        /// The `/Pages` node whose `/Kids` holds it.
        parent: ObjRef,
        /// Its index in that `/Kids`.
        index: usize,
    },
}

impl PageNode {
    /// The page's own object, `None` for a direct page.
    pub fn indirect(self) -> Option<ObjRef> {
        match self {
            PageNode::Indirect(r) => Some(r),
            PageNode::Direct { .. } => None,
        }
    }
}

impl<R: Read + Seek> Reader<R> {
    /// The pages in document order, walking the page tree from `/Root /Pages`. Loops, kids
    /// that are direct objects, nodes that are neither `/Pages` nor `/Page` and trees deeper
    /// than [`Limits::max_page_tree_depth`](crate::pdf::Limits::max_page_tree_depth) are
    /// refused. Inherited attributes are not resolved.
    pub fn page_refs(&self) -> Result<Vec<ObjRef>> {
        Ok(self
            .walk_pages(false)?
            .into_iter()
            .filter_map(PageNode::indirect)
            .collect())
    }

    /// Like [`Reader::page_refs`], but a page given as a direct dictionary in `/Kids` is
    /// tolerated ([`PageNode::Direct`], with a
    /// [`DefectKind::DirectPageKid`] defect); a
    /// direct `/Pages` node is still refused.
    pub fn pages(&self) -> Result<Vec<PageNode>> {
        self.walk_pages(true)
    }

    fn walk_pages(&self, tolerate_direct: bool) -> Result<Vec<PageNode>> {
        let limits = &self.options.limits;
        let catalog = self.catalog()?;
        let root = catalog
            .get_ref("Pages")
            .ok_or_else(|| PdfError::Malformed {
                offset: 0,
                detail: "the catalog's /Pages is not an indirect reference".into(),
            })?;
        let mut out = Vec::new();
        let mut visited: HashSet<ObjRef> = HashSet::new();
        let mut stack = vec![Step::Visit(root, 0)];
        let mut direct = 0usize;
        while let Some(step) = stack.pop() {
            let (r, depth) = match step {
                Step::Visit(r, depth) => (r, depth),
                Step::Emit(page) => {
                    direct += 1;
                    if direct > limits.max_pages {
                        return Err(PdfError::TooLarge {
                            what: format!("more than {} direct pages", limits.max_pages),
                        });
                    }
                    out.push(page);
                    continue;
                }
            };
            let bad = |detail: String| PdfError::Malformed {
                offset: self.offset_of(r).unwrap_or(0),
                detail,
            };
            if !visited.insert(r) {
                return Err(bad(format!("page tree loop: {r} is reached twice")));
            }
            if visited.len() > limits.max_pages {
                return Err(PdfError::TooLarge {
                    what: format!("page tree with more than {} nodes", limits.max_pages),
                });
            }
            let node = match self.get(r)? {
                Object::Dictionary(d) => d,
                o => return Err(bad(format!("page tree node {r} is a {}", o.type_name()))),
            };
            let is_pages = match node.get_name("Type") {
                Some(b"Pages") => true,
                Some(b"Page") => false,
                None => node.contains_key("Kids"),
                Some(t) => {
                    return Err(bad(format!(
                        "page tree node {r} has /Type /{}",
                        String::from_utf8_lossy(t)
                    )));
                }
            };
            if !is_pages {
                out.push(PageNode::Indirect(r));
                continue;
            }
            if depth >= limits.max_page_tree_depth {
                return Err(PdfError::TooLarge {
                    what: format!("page tree deeper than {}", limits.max_page_tree_depth),
                });
            }
            let kids = self.resolve_key(&node, "Kids")?;
            let kids = kids
                .as_array()
                .ok_or_else(|| bad(format!("/Kids of {r} is not an array")))?;
            for (index, kid) in kids.iter().enumerate().rev() {
                match kid {
                    Object::Reference(k) => stack.push(Step::Visit(*k, depth + 1)),
                    Object::Dictionary(d) if tolerate_direct && is_page_dict(d) => {
                        self.note_defect(Defect {
                            kind: DefectKind::DirectPageKid,
                            detail: format!(
                                "kid {index} of the page tree node {r} is a direct page dictionary, not a reference"
                            ),
                        });
                        stack.push(Step::Emit(PageNode::Direct { parent: r, index }));
                    }
                    o => {
                        return Err(bad(format!(
                            "/Kids of {r} holds a direct {} (kids must be indirect{})",
                            o.type_name(),
                            if tolerate_direct {
                                "; only a direct page is tolerated"
                            } else {
                                ""
                            }
                        )));
                    }
                }
            }
        }
        Ok(out)
    }
}

/// A step of the page tree walk: a node to visit, or a direct page to emit in its place.
enum Step {
    Visit(ObjRef, usize),
    Emit(PageNode),
}

/// A direct kid that is a page (`/Type /Page`, or no `/Type` and no `/Kids`).
fn is_page_dict(d: &crate::pdf::object::Dictionary) -> bool {
    match d.get_name("Type") {
        Some(t) => t == b"Page",
        None => !d.contains_key("Kids"),
    }
}
