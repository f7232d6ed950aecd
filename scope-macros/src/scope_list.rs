//! A bracketed list of scope literals, shared by `scopes!` requirements and
//! `#[require_scopes]`, checked with the shared grammar.

use proc_macro2::TokenStream;
use syn::parse::{Parse, ParseStream};
use syn::{Expr, Lit, LitStr, Token};

use scope_grammar::{ScopeListIssue, validate_scope_list};

/// Comma-separated scope string literals (the inside of `[...]` or of the attribute's
/// parentheses). A non-literal item is an error spanned on that item.
pub(crate) struct ScopeLiterals(pub(crate) Vec<LitStr>);

impl Parse for ScopeLiterals {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let mut items = Vec::new();
        while !input.is_empty() {
            items.push(input.parse::<Expr>()?);
            if input.is_empty() {
                break;
            }
            if !input.peek(Token![,]) {
                return Err(input.error("expected `,` between scopes"));
            }
            input.parse::<Token![,]>()?;
        }
        let mut scopes = Vec::with_capacity(items.len());
        let mut errors: Option<syn::Error> = None;
        for item in items {
            match item {
                Expr::Lit(syn::ExprLit {
                    lit: Lit::Str(s), ..
                }) => scopes.push(s),
                other => combine(
                    &mut errors,
                    syn::Error::new_spanned(
                        other,
                        "a scope must be a string literal, e.g. \"app:read\" (scopes are checked at compile time, so constants and expressions are not accepted)",
                    ),
                ),
            }
        }
        match errors {
            Some(e) => Err(e),
            None => Ok(ScopeLiterals(scopes)),
        }
    }
}

/// Where a scope list is written, for hints that fit the place.
#[derive(Clone, Copy)]
pub(crate) enum ScopeContext {
    /// A requirement of `scopes!`.
    Rule,
    /// The arguments of `#[require_scopes]`.
    Attribute,
}

impl ScopeLiterals {
    /// Checks every scope with the shared grammar; duplicates get a second error at the
    /// first occurrence.
    pub(crate) fn validate(&self, context: ScopeContext) -> Result<(), syn::Error> {
        let values: Vec<String> = self.0.iter().map(LitStr::value).collect();
        let refs: Vec<&str> = values.iter().map(String::as_str).collect();
        let mut errors = None;
        for issue in validate_scope_list(&refs) {
            match issue {
                ScopeListIssue::Invalid { index, error } => {
                    let hint = match (refs[index].is_empty(), context) {
                        (false, _) => "",
                        (true, ScopeContext::Rule) => "; write `[]` to require only a valid token",
                        (true, ScopeContext::Attribute) => {
                            "; remove it (to require only a valid token, put the handler behind the layer)"
                        }
                    };
                    combine(
                        &mut errors,
                        syn::Error::new(self.0[index].span(), format!("{}{hint}", error.message())),
                    );
                }
                ScopeListIssue::Duplicate { index, first } => {
                    combine(
                        &mut errors,
                        syn::Error::new(
                            self.0[index].span(),
                            format!(
                                "scope `{}` is listed twice in this {}: remove the repeat",
                                refs[index],
                                match context {
                                    ScopeContext::Rule => "requirement",
                                    ScopeContext::Attribute => "attribute",
                                }
                            ),
                        ),
                    );
                    combine(
                        &mut errors,
                        syn::Error::new(self.0[first].span(), "note: first listed here"),
                    );
                }
            }
        }
        errors.map_or(Ok(()), Err)
    }

    /// `&["a", "b"]` as tokens.
    pub(crate) fn to_slice_tokens(&self) -> TokenStream {
        let lits = &self.0;
        quote::quote!(&[#(#lits),*])
    }
}

/// Adds `error` to an accumulated error.
pub(crate) fn combine(acc: &mut Option<syn::Error>, error: syn::Error) {
    match acc {
        Some(e) => e.combine(error),
        None => *acc = Some(error),
    }
}
