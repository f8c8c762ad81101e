//! The page tree, walked in document order (loops and depth bounded).

use std::collections::HashSet;
use std::io::{Read, Seek};

use super::Reader;
use crate::pdf::object::{ObjRef, Object};
use crate::pdf::{PdfError, Result};

impl<R: Read + Seek> Reader<R> {
    /// The pages in document order, walking the page tree from `/Root /Pages`. Loops, kids
    /// that are direct objects, nodes that are neither `/Pages` nor `/Page` and trees deeper
    /// than [`Limits::max_page_tree_depth`](crate::pdf::Limits::max_page_tree_depth) are
    /// refused. Inherited attributes are not resolved.
    pub fn page_refs(&self) -> Result<Vec<ObjRef>> {
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
        let mut stack: Vec<(ObjRef, usize)> = vec![(root, 0)];
        while let Some((r, depth)) = stack.pop() {
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
                out.push(r);
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
            for kid in kids.iter().rev() {
                match kid {
                    Object::Reference(k) => stack.push((*k, depth + 1)),
                    o => {
                        return Err(bad(format!(
                            "/Kids of {r} holds a direct {} (kids must be indirect)",
                            o.type_name()
                        )));
                    }
                }
            }
        }
        Ok(out)
    }
}
