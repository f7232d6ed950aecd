//! The one grammar of scope-policy.
//!
//! `scopes!` and `#[require_scopes]` (in `scope-macros`) parse and validate with this
//! crate, and build their generated matcher from its [`Trie`]; the tests check the
//! generated matcher against [`reference_lookup`], which is defined here too. Nothing
//! else in the workspace parses a route key, a path pattern or a scope.
//!
//! Its one dependency is `thiserror`, which derives [`GrammarError`]'s messages. It
//! allocates freely where it runs at compile time and in tests;
//! [`PathClasses::first_in`] and [`decode_into`], which the runtime calls on every
//! request, never allocate.
//!
//! ```
//! use scope_grammar::{RouteKey, Trie, reference_lookup};
//! let rules: Vec<RouteKey> = ["GET /agents", "GET /agents/*", "POST /agents/*/runs", "* /admin/**"]
//!     .iter().map(|k| RouteKey::parse(k).unwrap()).collect();
//! let trie = Trie::build(&rules);
//! for (method, path) in [("GET", "/agents/x"), ("HEAD", "/agents"), ("DELETE", "/admin")] {
//!     let expected = reference_lookup(&rules, method, path.as_bytes());
//!     assert_eq!(trie.lookup(method, path.as_bytes()).map(usize::from), expected);
//! }
//! ```

mod coverage;
mod error;
mod key;
mod matcher;
mod method;
mod pattern;
mod request_path;
mod scope;
mod template;

pub use coverage::{Coverage, RouteRules, coverage, route_rules};
pub use error::GrammarError;
pub use key::RouteKey;
pub use matcher::{
    Node, NodeId, SlotTable, Trie, find_duplicate_rules, reference_lookup, split_segment,
};
pub use method::{Method, MethodFilter, OTHER_SLOT, SLOT_COUNT, method_rank, slot_of};
pub use pattern::{PathPattern, Segment, is_pchar, is_unreserved_or_sub_delim};
pub use request_path::{PathClass, PathClasses, decode, decode_into, router_reading_into};
pub use scope::{ScopeListIssue, ScopeSite, is_scope_byte, validate_scope, validate_scope_list};
pub use template::{ScopeTemplate, TemplatePart};
