//! Matching a request against a rule set: the naive reference definition, and the trie
//! the proc-macro turns into code.
//!
//! Semantics: the path is percent-decoded first (see [`crate::decode`]). Among the rules
//! whose method filter applies to the request method, the most specific path pattern
//! wins, decided segment by segment from the left (literal > `*`/`{x}` > `{*x}` > `**`;
//! a pattern ending where the path ends beats a `**` matching nothing there). For one
//! pattern, a named method beats `*`, and a `HEAD` request with no `HEAD` rule uses the
//! `GET` rule, which still beats `*`. Declaration order never matters.
//!
//! - [`reference_lookup`] (`reference.rs`) is the definition: every rule checked, the best
//!   kept.
//! - [`Trie`] (`trie.rs`) is the compiled form, built by [`Trie::build`] (`build.rs`) and
//!   read by [`Trie::lookup`] (`walk.rs`), as the generated code reads it.
//! - [`find_duplicate_rules`] (`duplicates.rs`) finds the rules the trie could not tell
//!   apart, which the proc-macro refuses.

mod build;
mod duplicates;
mod reference;
mod trie;
mod walk;

pub use duplicates::find_duplicate_rules;
pub use reference::reference_lookup;
pub use trie::{Node, NodeId, SlotTable, Trie};
pub use walk::split_segment;
