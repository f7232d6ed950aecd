//! Matching a request against a rule set: the naive reference definition, and the trie
//! the proc-macro turns into code.
//!
//! Semantics: the path is percent-decoded first (see [`crate::decode`]). Among the rules
//! whose method filter applies to the request method, the most specific path pattern
//! wins, decided segment by segment from the left (literal > `*`/`{x}` > `{*x}` > `**`; a pattern ending where the path ends beats a `**`
//! matching nothing there). For one pattern, a named method beats `*`, and a `HEAD`
//! request with no `HEAD` rule uses the `GET` rule, which still beats `*`.
//! Declaration order never matters.

use crate::key::RouteKey;
use crate::method::{MethodFilter, SLOT_COUNT, method_rank, slot_of};

/// The reference matcher: checks every rule, keeps the best. Slow and obviously right;
/// the generated matcher is tested against it.
///
/// ```
/// use scope_grammar::{RouteKey, reference_lookup};
/// let rules: Vec<RouteKey> = ["GET /agents/*", "GET /agents/special", "* /**"]
///     .iter().map(|k| RouteKey::parse(k).unwrap()).collect();
/// assert_eq!(reference_lookup(&rules, "GET", b"/agents/special"), Some(1));
/// assert_eq!(reference_lookup(&rules, "GET", b"/agents/other"), Some(0));
/// assert_eq!(reference_lookup(&rules, "POST", b"/agents/other"), Some(2));
/// ```
pub fn reference_lookup(rules: &[RouteKey], method: &str, path: &[u8]) -> Option<usize> {
    let path = &*crate::request_path::decode(path);
    let slot = slot_of(method);
    rules
        .iter()
        .enumerate()
        .filter_map(|(i, rule)| {
            let rank = method_rank(rule.method, slot)?;
            rule.path.matches(path).then_some((i, rank))
        })
        .max_by(|(a, ra), (b, rb)| {
            rules[*a]
                .path
                .specificity_cmp(&rules[*b].path)
                .then(ra.cmp(rb))
        })
        .map(|(i, _)| i)
}

/// For each method slot, the index of the rule that applies there (if any).
pub type SlotTable = [Option<u16>; SLOT_COUNT];

/// Index of a node in [`Trie::nodes`].
pub type NodeId = usize;

/// One trie node: the rules whose patterns share the same first `k` segments.
#[derive(Clone, Debug, Default)]
pub struct Node {
    /// Literal children, sorted by bytes, at most one per distinct literal.
    pub literals: Vec<(Vec<u8>, NodeId)>,
    /// The `*`/`{x}` child.
    pub one: Option<NodeId>,
    /// Rules whose pattern ends at this node.
    pub end: SlotTable,
    /// `{*x}` rules whose catch-all starts after this node.
    pub rest_one_or_more: SlotTable,
    /// `**` rules whose catch-all starts after this node.
    pub rest_any: SlotTable,
    /// Bit `s` set when some rule for slot `s` lives at or below this node.
    pub slot_mask: u16,
}

/// A compiled rule set: a trie over pattern segments whose depth-first walk in
/// precedence order (literal, `*`, `{*x}`, `**`) meets the winning rule first.
#[derive(Clone, Debug)]
pub struct Trie {
    /// Node 0 is the root (no segment consumed).
    pub nodes: Vec<Node>,
}

impl Trie {
    /// Builds the trie. `rules` must be free of duplicates (see [`crate::find_duplicate_rules`]);
    /// of two rules with the same shape and method, the later would silently win.
    ///
    /// # Panics
    ///
    /// If there are more than `u16::MAX` rules (the proc-macro refuses such a policy first).
    pub fn build(rules: &[RouteKey]) -> Trie {
        assert!(rules.len() <= usize::from(u16::MAX), "too many rules");
        let mut nodes = vec![Node::default()];
        for (index, rule) in rules.iter().enumerate() {
            let mut at = 0;
            let mut terminal = Terminal::End;
            for segment in rule.path.segments() {
                use crate::pattern::Segment;
                at = match segment {
                    Segment::Literal(lit) => {
                        let lits = &nodes[at].literals;
                        match lits.binary_search_by(|(l, _)| l.as_slice().cmp(lit)) {
                            Ok(i) => lits[i].1,
                            Err(i) => {
                                let id = nodes.len();
                                nodes.push(Node::default());
                                nodes[at].literals.insert(i, (lit.clone(), id));
                                id
                            }
                        }
                    }
                    Segment::One { .. } => match nodes[at].one {
                        Some(id) => id,
                        None => {
                            let id = nodes.len();
                            nodes.push(Node::default());
                            nodes[at].one = Some(id);
                            id
                        }
                    },
                    Segment::Rest { name } => {
                        terminal = if name.is_some() {
                            Terminal::RestOneOrMore
                        } else {
                            Terminal::RestAny
                        };
                        break;
                    }
                };
            }
            let node = &mut nodes[at];
            let table = match terminal {
                Terminal::End => &mut node.end,
                Terminal::RestOneOrMore => &mut node.rest_one_or_more,
                Terminal::RestAny => &mut node.rest_any,
            };
            place(table, rules, index as u16);
        }
        // Children always have larger ids than their parent: fold masks bottom-up.
        for id in (0..nodes.len()).rev() {
            let node = &nodes[id];
            let mut mask = [&node.end, &node.rest_one_or_more, &node.rest_any]
                .into_iter()
                .flat_map(|t| t.iter().enumerate())
                .filter(|(_, r)| r.is_some())
                .fold(0u16, |m, (slot, _)| m | 1 << slot);
            for child in node.literals.iter().map(|(_, c)| *c).chain(node.one) {
                mask |= nodes[child].slot_mask;
            }
            nodes[id].slot_mask = mask;
        }
        Trie { nodes }
    }

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

enum Terminal {
    End,
    RestOneOrMore,
    RestAny,
}

/// Puts rule `index` into every slot where it outranks what is there.
fn place(table: &mut SlotTable, rules: &[RouteKey], index: u16) {
    let filter = rules[usize::from(index)].method;
    for (slot, entry) in table.iter_mut().enumerate() {
        let Some(rank) = method_rank(filter, slot) else {
            continue;
        };
        let better = entry.is_none_or(|old| {
            let old_filter: MethodFilter = rules[usize::from(old)].method;
            method_rank(old_filter, slot).is_none_or(|old_rank| rank >= old_rank)
        });
        if better {
            *entry = Some(index);
        }
    }
}

/// Pairs `(second, first)` of rules with the same method filter and path shape.
///
/// ```
/// use scope_grammar::{find_duplicate_rules, RouteKey};
/// let rules: Vec<RouteKey> = ["GET /a/*", "POST /a/*", "GET /a/{id}"]
///     .iter().map(|k| RouteKey::parse(k).unwrap()).collect();
/// assert_eq!(find_duplicate_rules(&rules), vec![(2, 0)]);
/// ```
pub fn find_duplicate_rules(rules: &[RouteKey]) -> Vec<(usize, usize)> {
    (0..rules.len())
        .filter_map(|i| {
            (0..i)
                .find(|&j| rules[i].same_rule(&rules[j]))
                .map(|j| (i, j))
        })
        .collect()
}
