//! The token syntax of `scopes!`: `"METHOD /path" => REQUIREMENT`, comma-separated.
//!
//! Rules are split at top-level commas first and parsed one by one, so a syntax error in
//! one rule does not hide the mistakes in the others.

use proc_macro2::{Delimiter, Punct, TokenStream, TokenTree};
use syn::parse::{Parse, ParseStream};
use syn::{Ident, LitStr, Token};

use crate::scope_list::{ScopeLiterals, combine};

/// The whole invocation: the rules that parsed, and the errors of those that did not.
pub(crate) struct PolicyInput {
    pub(crate) rules: Vec<RuleInput>,
    pub(crate) errors: Option<syn::Error>,
}

/// `KEY => REQUIREMENT`
pub(crate) struct RuleInput {
    pub(crate) key: LitStr,
    pub(crate) requirement: RequirementInput,
}

/// The right-hand side of a rule.
pub(crate) enum RequirementInput {
    /// `public`
    Public,
    /// `optional`
    Optional,
    /// `["a", "b"]`
    AllOf(ScopeLiterals),
    /// `any["a", "b"]`
    AnyOf(Ident, ScopeLiterals),
}

impl PolicyInput {
    pub(crate) fn parse_tolerant(input: TokenStream) -> PolicyInput {
        let mut rules = Vec::new();
        let mut errors = None;
        for (chunk, comma) in split_top_level_commas(input) {
            if chunk.is_empty() {
                let span = comma.map_or_else(proc_macro2::Span::call_site, |c| c.span());
                combine(
                    &mut errors,
                    syn::Error::new(span, "two commas in a row: remove one `,`"),
                );
                continue;
            }
            match syn::parse2::<RuleInput>(chunk) {
                Ok(rule) => rules.push(rule),
                Err(e) => combine(&mut errors, e),
            }
        }
        PolicyInput { rules, errors }
    }
}

/// Splits at commas outside any group, each chunk with the comma that ends it. An empty
/// chunk is kept (so `,,` is reported) except after the last comma (the trailing comma).
fn split_top_level_commas(input: TokenStream) -> Vec<(TokenStream, Option<Punct>)> {
    let mut chunks = vec![(TokenStream::new(), None)];
    for tt in input {
        match tt {
            TokenTree::Punct(p) if p.as_char() == ',' => {
                if let Some(last) = chunks.last_mut() {
                    last.1 = Some(p);
                }
                chunks.push((TokenStream::new(), None));
            }
            tt => {
                if let Some(last) = chunks.last_mut() {
                    last.0.extend([tt]);
                }
            }
        }
    }
    if chunks.last().is_some_and(|(c, _)| c.is_empty()) {
        chunks.pop();
    }
    chunks
}

const KEY_HELP: &str = "a rule is `\"METHOD /path\" => [\"scope\", ...]`";

impl Parse for RuleInput {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let key = if input.peek(LitStr) {
            input.parse::<LitStr>()?
        } else {
            // Report the whole left-hand side, up to `=>`.
            let mut lhs = TokenStream::new();
            while !input.is_empty() && !input.peek(Token![=>]) {
                lhs.extend([input.parse::<TokenTree>()?]);
            }
            return Err(syn::Error::new_spanned(
                lhs,
                format!(
                    "the route key must be a string literal, e.g. `\"GET /agents\" => [\"app:read\"]`; {KEY_HELP}"
                ),
            ));
        };
        if !input.peek(Token![=>]) {
            let msg = format!(
                "expected `=>` after the route key {:?}: {KEY_HELP}",
                key.value()
            );
            return Err(if input.is_empty() {
                syn::Error::new(key.span(), msg)
            } else {
                input.error(msg)
            });
        }
        let arrow = input.parse::<Token![=>]>()?;
        if input.is_empty() {
            return Err(syn::Error::new_spanned(
                arrow,
                format!(
                    "expected a requirement after `=>` for {:?}: `[\"scope\", ...]`, `[]`, `any[...]`, `optional` or `public`",
                    key.value()
                ),
            ));
        }
        let requirement = input.parse::<RequirementInput>()?;
        if !input.is_empty() {
            return Err(input.error("expected `,` after the requirement, before the next rule"));
        }
        Ok(RuleInput { key, requirement })
    }
}

const REQUIREMENT_HELP: &str = "expected the scopes this route needs: `[\"scope\", ...]` (all of them), `[]` (any valid token), `any[\"a\", \"b\"]` (at least one), `optional` (no token, or a valid one) or `public` (no token at all)";

impl Parse for RequirementInput {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        if input.peek(syn::token::Bracket) {
            return Ok(RequirementInput::AllOf(bracketed(input)?));
        }
        if input.peek(Ident) {
            let ident: Ident = input.parse()?;
            // The requirements that take no scope list, and why a list would be wrong.
            let bare = match ident.to_string().as_str() {
                "public" => Some((
                    RequirementInput::Public,
                    "`public` takes no scopes: a public route is served without any token, so no scope or scope template in it could be checked; write `[...]` to require them, or `public` alone",
                )),
                "optional" => Some((
                    RequirementInput::Optional,
                    "`optional` takes no scopes: a request without a token is served too, so a scope could never be required; write `[...]` to require them, or `optional` alone",
                )),
                _ => None,
            };
            if let Some((requirement, takes_no_scopes)) = bare {
                if input.peek(syn::token::Bracket) {
                    let content;
                    let brackets = syn::bracketed!(content in input);
                    let _ = content.parse::<TokenStream>();
                    return Err(syn::Error::new(brackets.span.join(), takes_no_scopes));
                }
                return Ok(requirement);
            }
            if ident == "any" && input.peek(syn::token::Bracket) {
                return Ok(RequirementInput::AnyOf(ident, bracketed(input)?));
            }
            let hint = if ident.to_string().eq_ignore_ascii_case("public") {
                "; did you mean `public`?"
            } else if ident.to_string().eq_ignore_ascii_case("optional") {
                "; did you mean `optional`?"
            } else if ident == "any" {
                "; `any` takes square brackets: `any[\"a\", \"b\"]`"
            } else {
                ""
            };
            return Err(syn::Error::new(
                ident.span(),
                format!("{REQUIREMENT_HELP}{hint}"),
            ));
        }
        if input.peek(LitStr) {
            let lit: LitStr = input.parse()?;
            return Err(syn::Error::new(
                lit.span(),
                format!("{REQUIREMENT_HELP}; did you mean `[{:?}]`?", lit.value()),
            ));
        }
        if input.is_empty() {
            return Err(input.error(REQUIREMENT_HELP));
        }
        let tt: TokenTree = input.parse()?;
        let hint = match &tt {
            TokenTree::Group(g) if g.delimiter() != Delimiter::Bracket => {
                "; a scope list uses square brackets `[...]`"
            }
            _ => "",
        };
        Err(syn::Error::new_spanned(
            tt,
            format!("{REQUIREMENT_HELP}{hint}"),
        ))
    }
}

fn bracketed(input: ParseStream<'_>) -> syn::Result<ScopeLiterals> {
    let content;
    syn::bracketed!(content in input);
    content.parse()
}
