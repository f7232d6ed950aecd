//! The contract between the macros and the runtime: everything a `scopes!` or
//! `#[require_scopes]` expansion names is here, and expansions name nothing else. Not
//! public API: it may change with any release of the macros, which are always released
//! with this crate.

pub use scope_grammar::{Method, MethodFilter, split_segment};

pub use crate::extract::{RequireScopes, ScopeList};
pub use crate::policy::{Policy, Requirement, Rule};
pub use crate::template::{Scope, TemplatePart};

/// A fixed scope of a requirement.
pub const fn fixed(text: &'static str) -> Scope {
    Scope::fixed(text)
}

/// A scope template of a requirement, with its parts resolved against the rule's path.
pub const fn template(text: &'static str, parts: &'static [TemplatePart]) -> Scope {
    Scope::template(text, parts)
}

/// One rule of a `scopes!` policy.
pub const fn rule(
    key: &'static str,
    method: MethodFilter,
    pattern: &'static str,
    requirement: Requirement,
) -> Rule {
    Rule::generated(key, method, pattern, requirement)
}

/// A `scopes!` policy: its rules and the matcher generated for them, which maps a
/// method slot and the decoded path after its leading `/` to a rule index.
pub const fn policy(rules: &'static [Rule], matcher: fn(usize, &[u8]) -> Option<u16>) -> Policy {
    Policy::generated(rules, matcher)
}
