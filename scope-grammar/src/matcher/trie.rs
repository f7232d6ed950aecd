//! The compiled form of a rule set: trie nodes, and per node the rule that applies in
//! each method slot. `build.rs` makes it, `walk.rs` reads it as the generated code does,
//! and the proc-macro turns it into code.

use crate::method::SLOT_COUNT;

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
