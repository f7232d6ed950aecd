//! A bracketed list of scope literals, shared by `scopes!` requirements and
//! `#[require_scopes]`, checked with the shared grammar.

use proc_macro2::TokenStream;
use syn::parse::{Parse, ParseStream};
use syn::{Expr, Lit, LitStr, Token};

use scope_grammar::{
    PathPattern, ScopeListIssue, ScopeSite, ScopeTemplate, TemplatePart, validate_scope_list,
};

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

impl ScopeLiterals {
    /// Checks every scope with the shared grammar, as written at `site` (the
    /// attribute's `ScopeSite::NoPath`, or a rule); duplicates get a second error at the
    /// first occurrence.
    pub(crate) fn validate(&self, site: ScopeSite<'_>) -> Result<(), syn::Error> {
        let attribute = matches!(site, ScopeSite::NoPath);
        let values: Vec<String> = self.0.iter().map(LitStr::value).collect();
        let refs: Vec<&str> = values.iter().map(String::as_str).collect();
        let mut errors = None;
        for issue in validate_scope_list(&refs, site) {
            match issue {
                ScopeListIssue::Invalid { index, error } => {
                    let hint = match (refs[index].is_empty(), attribute) {
                        (false, _) => "",
                        (true, false) => "; write `[]` to require only a valid token",
                        (true, true) => {
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
                                if attribute {
                                    "attribute"
                                } else {
                                    "requirement"
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

    /// The fixed scopes as a `&[Scope]` expression.
    pub(crate) fn to_fixed_tokens(&self) -> TokenStream {
        let lits = &self.0;
        quote::quote!(&[#(::scope_runtime::__private::fixed(#lits)),*])
    }

    /// The scopes of a rule whose path is `path` as a `&[Scope]` expression, templates
    /// with their parts resolved (the list was validated against that path).
    pub(crate) fn to_rule_tokens(&self, path: &PathPattern) -> TokenStream {
        let scopes = self.0.iter().map(|lit| {
            let template = ScopeTemplate::parse(&lit.value(), path)
                .expect("scopes are validated before they are generated");
            if !template.is_template() {
                return quote::quote!(::scope_runtime::__private::fixed(#lit));
            }
            let parts = template.parts().iter().map(|part| match part {
                TemplatePart::Text(text) => {
                    quote::quote!(::scope_runtime::__private::TemplatePart::Text(#text))
                }
                TemplatePart::Capture {
                    name,
                    segment,
                    rest,
                } => {
                    let segment = u16::try_from(*segment)
                        .expect("a path literal has fewer than 65,536 segments");
                    quote::quote!(::scope_runtime::__private::TemplatePart::Capture {
                        name: #name,
                        segment: #segment,
                        rest: #rest,
                    })
                }
            });
            quote::quote!(::scope_runtime::__private::template(#lit, &[#(#parts),*]))
        });
        quote::quote!(&[#(#scopes),*])
    }
}

/// Adds `error` to an accumulated error.
pub(crate) fn combine(acc: &mut Option<syn::Error>, error: syn::Error) {
    match acc {
        Some(e) => e.combine(error),
        None => *acc = Some(error),
    }
}
