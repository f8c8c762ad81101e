//! The page tree, walked in document order (loops and depth bounded).

use std::collections::HashSet;
use std::io::{Read, Seek};

use super::defects::{Defect, DefectKind};
use super::{Needles, Reader};
use crate::pdf::object::{Dictionary, ObjRef, Object};
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

/// One node of the page tree: a page, or an intermediate node and its kids.
enum Node {
    Page,
    Pages {
        kids: Vec<ObjRef>,
        /// Its `/Count` (pages below it), when a non-negative integer.
        count: Option<u64>,
    },
}

impl<R: Read + Seek> Reader<R> {
    /// The pages in document order, walking the page tree from `/Root /Pages`. Loops, kids
    /// that are direct objects, nodes that are neither `/Pages` nor `/Page` and trees deeper
    /// than [`Limits::max_page_tree_depth`](crate::pdf::Limits::max_page_tree_depth) are
    /// refused. Inherited attributes are not resolved.
    pub fn page_refs(&self) -> Result<Vec<ObjRef>> {
        Ok(self
            .walk_pages(false, false)?
            .into_iter()
            .filter_map(PageNode::indirect)
            .collect())
    }

    /// Like [`Reader::page_refs`], but a page given as a direct dictionary in `/Kids` is
    /// tolerated ([`PageNode::Direct`], with a
    /// [`DefectKind::DirectPageKid`] defect); a
    /// direct `/Pages` node is still refused.
    pub fn pages(&self) -> Result<Vec<PageNode>> {
        self.walk_pages(true, false)
    }

    /// Walks the page tree's `/Pages` nodes to note its tolerated defects (a direct page in
    /// `/Kids`, [`DefectKind::DirectPageKid`]) without reading the pages themselves: a kid
    /// whose bytes hold no `Kids` (nor a `#` escape that could spell it) is a page, and is
    /// not parsed. For a verifier, which needs the defects and not the page list (a file of
    /// 132,627 pages: 0.18 s for the whole walk, most of a verification).
    pub fn note_page_tree_defects(&self) -> Result<()> {
        self.walk_pages(true, true).map(drop)
    }

    /// The walk: `tolerate_direct`: direct pages are tolerated (noted as defects);
    /// `skip_pages`: kids that cannot be `/Pages` nodes are listed without being read.
    fn walk_pages(&self, tolerate_direct: bool, skip_pages: bool) -> Result<Vec<PageNode>> {
        let node_bytes = skip_pages.then(|| Needles::new(&[b"Kids", b"#"]));
        let limits = &self.options.limits;
        let root = self.page_tree_root()?;
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
            let bad = |detail: String| self.tree_error(r, detail);
            if !visited.insert(r) {
                return Err(bad(format!("page tree loop: {r} is reached twice")));
            }
            if visited.len() > limits.max_pages {
                return Err(PdfError::TooLarge {
                    what: format!("page tree with more than {} nodes", limits.max_pages),
                });
            }
            if let Some(n) = &node_bytes
                && depth > 0
                && !self.may_contain_from(r, 0, n)
            {
                out.push(PageNode::Indirect(r));
                continue;
            }
            let Some(node) = self.pages_node(r, depth)? else {
                out.push(PageNode::Indirect(r));
                continue;
            };
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

    /// Page number `index` (0-based) and the number of pages when known: found by descending
    /// the page tree with the `/Count` of each node, so that only the nodes on the way and
    /// their kids are read (a 100,000-page document is not walked to sign its first page).
    /// Each node on the way must have a `/Count` equal to the sum of its kids' (a page counts
    /// 1); when one is missing or does not add up, the whole tree is walked
    /// ([`Reader::page_refs`]) instead. Counts that lie consistently off the path are believed,
    /// as viewers believe them when they go to a page. `Ok(None)` when there is no such page.
    pub fn page_ref(&self, index: usize) -> Result<Option<ObjRef>> {
        match self.page_by_count(index) {
            Ok(Some(r)) => Ok(Some(r)),
            // Not found or not countable: the walk has the last word (and its errors).
            _ => Ok(self.page_refs()?.get(index).copied()),
        }
    }

    /// The descent of [`Reader::page_ref`]; `Ok(None)` when the counts do not lead to a page.
    fn page_by_count(&self, index: usize) -> Result<Option<ObjRef>> {
        let limits = &self.options.limits;
        let mut left = index as u64;
        let mut node = self.page_tree_root()?;
        let mut visited: HashSet<ObjRef> = HashSet::new();
        for depth in 0..=limits.max_page_tree_depth {
            if !visited.insert(node) {
                return Ok(None);
            }
            let Node::Pages { kids, count } = self.page_tree_node(node, depth)? else {
                return Ok((left == 0).then_some(node));
            };
            // Every kid's count, which must add up to the node's own /Count.
            let mut counted = Vec::with_capacity(kids.len());
            for kid in kids {
                let below = match self.page_tree_node(kid, depth + 1)? {
                    Node::Page => 1,
                    Node::Pages { count: Some(c), .. } => c,
                    Node::Pages { count: None, .. } => return Ok(None),
                };
                counted.push((kid, below));
            }
            let sum = counted.iter().try_fold(0u64, |a, (_, c)| a.checked_add(*c));
            if sum.is_none() || count != sum {
                return Ok(None);
            }
            let mut next = None;
            for (kid, below) in counted {
                if left < below {
                    next = Some(kid);
                    break;
                }
                left -= below;
            }
            match next {
                Some(kid) => node = kid,
                None => return Ok(None),
            }
        }
        Ok(None)
    }

    /// The catalog's `/Pages`.
    fn page_tree_root(&self) -> Result<ObjRef> {
        self.catalog()?
            .get_ref("Pages")
            .ok_or_else(|| PdfError::Malformed {
                offset: 0,
                detail: "the catalog's /Pages is not an indirect reference".into(),
            })
    }

    fn tree_error(&self, r: ObjRef, detail: String) -> PdfError {
        PdfError::Malformed {
            offset: self.offset_of(r).unwrap_or(0),
            detail,
        }
    }

    /// Page tree node `r` at `depth`: `None` for a page, its dictionary for a `/Pages` node
    /// (one not deeper than the limit). A node that is neither is refused.
    fn pages_node(&self, r: ObjRef, depth: usize) -> Result<Option<Dictionary>> {
        let bad = |detail: String| self.tree_error(r, detail);
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
        let limit = self.options.limits.max_page_tree_depth;
        if is_pages && depth >= limit {
            return Err(PdfError::TooLarge {
                what: format!("page tree deeper than {limit}"),
            });
        }
        Ok(is_pages.then_some(node))
    }

    /// Reads page tree node `r` at `depth`: a page, or a `/Pages` node with its kids (all
    /// indirect) and `/Count`.
    fn page_tree_node(&self, r: ObjRef, depth: usize) -> Result<Node> {
        let bad = |detail: String| self.tree_error(r, detail);
        let Some(node) = self.pages_node(r, depth)? else {
            return Ok(Node::Page);
        };
        let count = match self.resolve_key(&node, "Count") {
            Ok(Object::Integer(c)) => u64::try_from(c).ok(),
            _ => None,
        };
        let kids = self.resolve_key(&node, "Kids")?;
        let kids = kids
            .as_array()
            .ok_or_else(|| bad(format!("/Kids of {r} is not an array")))?
            .iter()
            .map(|kid| match kid {
                Object::Reference(k) => Ok(*k),
                o => Err(bad(format!(
                    "/Kids of {r} holds a direct {} (kids must be indirect)",
                    o.type_name()
                ))),
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Node::Pages { kids, count })
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
