//! Proc-macros of scope-policy. Depend on `scope-runtime`, which re-exports them; the
//! expansions name `::scope_runtime` items.
//!
//! Layout: `scopes/parse.rs` reads the token syntax, `scopes/validate.rs` checks it with
//! the shared grammar (`scope-grammar`), `scopes/generate.rs` emits the static matcher;
//! `require_scopes.rs` is the attribute. Errors are accumulated, so one build reports
//! every independent mistake.

use proc_macro::TokenStream;

mod require_scopes;
mod scope_list;
mod scopes;

/// Declares a scope policy: which OAuth scopes each `METHOD /path` needs.
///
/// Expands to a `scope_runtime::Policy`, usable as an expression or as the initializer
/// of a `static`/`const`. The grammar and matching rules are documented on its
/// re-export, `scope_runtime::scopes`.
#[proc_macro]
pub fn scopes(input: TokenStream) -> TokenStream {
    scopes::expand(input.into()).into()
}

/// Requires scopes on one async axum handler: `#[require_scopes("app:run", "app:execute")]`.
///
/// Documented on its re-export, `scope_runtime::require_scopes` (the argument grammar,
/// the layer it needs and its answers).
#[proc_macro_attribute]
pub fn require_scopes(args: TokenStream, item: TokenStream) -> TokenStream {
    require_scopes::expand(args.into(), item.into()).into()
}
