//! Building the trie from a rule set: one path of nodes per rule, each rule placed in the
//! method slots where it outranks the rules already there.

use super::trie::{Node, NodeId, SlotTable, Trie};
use crate::key::RouteKey;
use crate::method::{MethodFilter, method_rank};
use crate::pattern::Segment;

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
                at = match segment {
                    Segment::Literal(lit) => {
                        let lits = &nodes[at].literals;
                        match lits.binary_search_by(|(l, _)| l.as_slice().cmp(lit)) {
                            Ok(i) => lits[i].1,
                            Err(i) => {
                                let id = push_node(&mut nodes);
                                nodes[at].literals.insert(i, (lit.clone(), id));
                                id
                            }
                        }
                    }
                    Segment::One { .. } => match nodes[at].one {
                        Some(id) => id,
                        None => {
                            let id = push_node(&mut nodes);
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
}

/// Adds an empty node; its id is larger than every existing one, its parent's included.
fn push_node(nodes: &mut Vec<Node>) -> NodeId {
    nodes.push(Node::default());
    nodes.len() - 1
}

/// Where a rule's pattern ends: exactly at its node, or in a catch-all after it.
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
