//! `#[require_scopes("a", "b")]`: adds a guard extractor as the handler's first argument.
//!
//! The guard's type names a marker type generated beside the handler, which carries the
//! scope list as an associated const; the scopes are checked with the same grammar and
//! messages as `scopes!`.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::{FnArg, ItemFn, parse_quote_spanned};

use scope_grammar::ScopeSite;

use crate::scope_list::{ScopeLiterals, combine};

pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = None;
    let scopes = match syn::parse2::<ScopeLiterals>(args.clone()) {
        Ok(scopes) => {
            if scopes.0.is_empty() {
                combine(
                    &mut errors,
                    syn::Error::new(
                        Span::call_site(),
                        "#[require_scopes] needs at least one scope, e.g. `#[require_scopes(\"app:read\")]`; to require only a valid token, put the handler behind the layer (rule `[]` or authentication-only mode)",
                    ),
                );
            }
            if let Err(e) = scopes.validate(ScopeSite::NoPath) {
                combine(&mut errors, e);
            }
            Some(scopes)
        }
        Err(e) => {
            // `(["a"])` and `(scopes = "a")`: say how the arguments are written.
            let takes_directly = matches!(
                args.clone().into_iter().next(),
                Some(proc_macro2::TokenTree::Group(_) | proc_macro2::TokenTree::Ident(_))
            );
            combine(
                &mut errors,
                if takes_directly {
                    syn::Error::new(
                        e.span(),
                        "#[require_scopes] takes the scopes directly, as string literals: `#[require_scopes(\"app:run\", \"app:execute\")]`",
                    )
                } else {
                    e
                },
            );
            None
        }
    };
    let mut func = match syn::parse2::<ItemFn>(item.clone()) {
        Ok(func) => func,
        Err(_) => {
            combine(
                &mut errors,
                syn::Error::new_spanned(
                    &item,
                    "#[require_scopes] goes on an `async fn` axum handler",
                ),
            );
            let errors = errors.map(|e| e.to_compile_error());
            return quote!(#errors #item);
        }
    };
    if func.sig.asyncness.is_none() {
        combine(
            &mut errors,
            syn::Error::new_spanned(
                func.sig.fn_token,
                format!(
                    "#[require_scopes] goes on an `async fn` axum handler: write `async fn {}`",
                    func.sig.ident
                ),
            ),
        );
    }
    if let Some(FnArg::Receiver(receiver)) = func.sig.inputs.first() {
        combine(
            &mut errors,
            syn::Error::new_spanned(
                receiver,
                "#[require_scopes] goes on a free `async fn` handler, not a method",
            ),
        );
    }
    if let Some(errors) = errors {
        let errors = errors.to_compile_error();
        return quote!(#errors #func);
    }
    let scopes = scopes.expect("no errors means the arguments parsed");
    let slice = scopes.to_fixed_tokens();
    let vis = &func.vis;
    let marker = format_ident!("__RequireScopes_{}", func.sig.ident);
    let span = Span::call_site();
    let guard: FnArg =
        parse_quote_spanned!(span=> _: ::scope_runtime::__private::RequireScopes<#marker>);
    func.sig.inputs.insert(0, guard);
    let marker_item = quote_spanned! {span=>
        #[doc(hidden)]
        #[allow(non_camel_case_types)]
        #vis struct #marker;
        impl ::scope_runtime::__private::ScopeList for #marker {
            const SCOPES: &'static [::scope_runtime::__private::Scope] = #slice;
        }
    };
    quote!(#marker_item #func)
}
