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

// Rustdoc appends this comment to the documentation of the `scope_runtime` re-export,
// where the grammar is: it must read well there too.
/// (The `scopes!` proc-macro lives in `scope-macros`; depend on `scope_runtime`, which
/// re-exports it as `scope_runtime::scopes` and documents it.)
#[proc_macro]
pub fn scopes(input: TokenStream) -> TokenStream {
    scopes::expand(input.into()).into()
}

// Appended by rustdoc to the `scope_runtime` re-export's documentation, as above.
/// (The `#[require_scopes]` proc-macro lives in `scope-macros`; depend on `scope_runtime`,
/// which re-exports it as `scope_runtime::require_scopes` and documents it.)
#[proc_macro_attribute]
pub fn require_scopes(args: TokenStream, item: TokenStream) -> TokenStream {
    require_scopes::expand(args.into(), item.into()).into()
}
