//! `scopes!`: parse, validate, generate.

mod generate;
mod parse;
mod validate;

use proc_macro2::TokenStream;

/// Expands one `scopes! { ... }` invocation. On errors, emits every `compile_error!`
/// plus an empty policy, so the user sees our messages and no knock-on type errors.
pub(crate) fn expand(input: TokenStream) -> TokenStream {
    let parsed = parse::PolicyInput::parse_tolerant(input);
    let (rules, errors) = validate::validate(parsed);
    match errors {
        None => generate::policy(&rules),
        Some(errors) => {
            let errors = errors.to_compile_error();
            let empty = generate::policy(&[]);
            quote::quote!({ #errors #empty })
        }
    }
}
