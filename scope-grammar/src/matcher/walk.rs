//! Walking the trie for one request, the way the generated code does: depth first, in
//! precedence order, so the first rule met is the winner.

use super::trie::{NodeId, Trie};
use crate::method::slot_of;

impl Trie {
    /// Interprets the trie on a raw request path: decodes it (see [`crate::decode`]),
    /// then walks the trie as the generated code does.
    pub fn lookup(&self, method: &str, path: &[u8]) -> Option<u16> {
        let path = crate::request_path::decode(path);
        let rest = path.strip_prefix(b"/")?;
        self.visit(0, slot_of(method), Some(rest))
    }

    fn visit(&self, id: NodeId, slot: usize, rest: Option<&[u8]>) -> Option<u16> {
        let node = &self.nodes[id];
        if node.slot_mask & (1 << slot) == 0 {
            return None;
        }
        let Some(rest) = rest else {
            return node.end[slot].or(node.rest_any[slot]);
        };
        let (segment, next) = split_segment(rest);
        if let Ok(i) = node
            .literals
            .binary_search_by(|(l, _)| l.as_slice().cmp(segment))
            && let found @ Some(_) = self.visit(node.literals[i].1, slot, next)
        {
            return found;
        }
        if let Some(one) = node.one
            && !segment.is_empty()
            && let found @ Some(_) = self.visit(one, slot, next)
        {
            return found;
        }
        if !rest.is_empty()
            && let found @ Some(_) = node.rest_one_or_more[slot]
        {
            return found;
        }
        node.rest_any[slot]
    }
}

/// Splits the next segment off `rest` (the bytes after a `/`): the segment, and what
/// follows the next `/` if there is one.
///
/// ```
/// use scope_grammar::split_segment;
/// assert_eq!(split_segment(b"a/b"), (&b"a"[..], Some(&b"b"[..])));
/// assert_eq!(split_segment(b"a"), (&b"a"[..], None));
/// assert_eq!(split_segment(b""), (&b""[..], None));
/// ```
#[inline]
pub fn split_segment(rest: &[u8]) -> (&[u8], Option<&[u8]>) {
    match rest.iter().position(|&b| b == b'/') {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    }
}
