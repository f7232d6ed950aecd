//! Checks parsed rules with the shared grammar: keys, scopes, duplicate rules.

use syn::LitStr;

use scope_grammar::{RouteKey, ScopeSite, find_duplicate_rules};

use super::parse::{PolicyInput, RequirementInput, RuleInput};
use crate::scope_list::combine;

/// A rule whose key and scopes are valid.
pub(crate) struct ValidRule {
    pub(crate) key_literal: LitStr,
    pub(crate) key: RouteKey,
    pub(crate) requirement: RequirementInput,
}

/// Validates every rule; all independent errors are accumulated.
pub(crate) fn validate(input: PolicyInput) -> (Vec<ValidRule>, Option<syn::Error>) {
    let PolicyInput { rules, mut errors } = input;
    let mut valid = Vec::with_capacity(rules.len());
    for RuleInput { key, requirement } in rules {
        let parsed = RouteKey::parse(&key.value());
        // Templates are checked against the rule's own path; with a broken key, against
        // everything but the names.
        let site = match &parsed {
            Ok(parsed) => ScopeSite::Path(&parsed.path),
            Err(_) => ScopeSite::BrokenPath,
        };
        let scopes_ok = match &requirement {
            RequirementInput::Public | RequirementInput::Optional => true,
            RequirementInput::AllOf(list) => record(&mut errors, list.validate(site)),
            RequirementInput::AnyOf(any, list) => {
                let nonempty = !list.0.is_empty();
                if !nonempty {
                    combine(
                        &mut errors,
                        syn::Error::new(
                            any.span(),
                            "`any[]` can never be satisfied: list at least one scope, or write `[]` to require only a valid token",
                        ),
                    );
                }
                record(&mut errors, list.validate(site)) && nonempty
            }
        };
        match parsed {
            Ok(parsed) if scopes_ok => valid.push(ValidRule {
                key_literal: key,
                key: parsed,
                requirement,
            }),
            Ok(_) => {}
            Err(key_errors) => {
                for e in key_errors {
                    combine(&mut errors, syn::Error::new(key.span(), e.message()));
                }
            }
        }
    }
    let keys: Vec<RouteKey> = valid.iter().map(|r| r.key.clone()).collect();
    for (second, first) in find_duplicate_rules(&keys) {
        let (a, b) = (&valid[second], &valid[first]);
        let (a_key, b_key) = (a.key_literal.value(), b.key_literal.value());
        let message = if a_key == b_key {
            format!("duplicate rule: `{a_key}` is declared twice; keep one of them")
        } else {
            format!(
                "duplicate rule: `{a_key}` has the same method and path shape as `{b_key}` (capture names do not count: `*` and `{{name}}` are the same shape); keep one of them"
            )
        };
        combine(&mut errors, syn::Error::new(a.key_literal.span(), message));
        combine(
            &mut errors,
            syn::Error::new(
                b.key_literal.span(),
                format!("note: `{}` is first declared here", b.key_literal.value()),
            ),
        );
    }
    if valid.len() > usize::from(u16::MAX) {
        combine(
            &mut errors,
            syn::Error::new(
                proc_macro2::Span::call_site(),
                format!(
                    "a policy holds at most {} rules; use `*`/`**` patterns to cover families of routes",
                    u16::MAX
                ),
            ),
        );
    }
    (valid, errors)
}

fn record(errors: &mut Option<syn::Error>, result: syn::Result<()>) -> bool {
    match result {
        Ok(()) => true,
        Err(e) => {
            combine(errors, e);
            false
        }
    }
}
