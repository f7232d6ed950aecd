//! Scope tokens (RFC 6749 §3.3) and lists of them.

use crate::error::GrammarError;

/// Checks one scope token: one or more of `%x21 / %x23-5B / %x5D-7E` (printable ASCII
/// without space, `"` and `\`). `{` and `}` are reserved for scopes that will name a path
/// capture, so they are refused for now.
///
/// ```
/// use scope_grammar::validate_scope;
/// assert!(validate_scope("app:read").is_ok());
/// assert!(validate_scope("app read").is_err());
/// assert!(validate_scope("").is_err());
/// ```
pub fn validate_scope(scope: &str) -> Result<(), GrammarError> {
    if scope.is_empty() {
        return Err(GrammarError::EmptyScope);
    }
    if let Some(character) = scope
        .chars()
        .find(|&c| !matches!(c, '\x21' | '\x23'..='\x5b' | '\x5d'..='\x7e'))
    {
        return Err(GrammarError::InvalidScopeCharacter {
            scope: scope.to_owned(),
            character,
        });
    }
    if scope.contains(['{', '}']) {
        return Err(GrammarError::ReservedScopeBrace {
            scope: scope.to_owned(),
        });
    }
    Ok(())
}

/// A problem with one item of a scope list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScopeListIssue {
    /// The item at `index` is not a valid scope.
    Invalid {
        /// Position in the list.
        index: usize,
        /// What is wrong.
        error: GrammarError,
    },
    /// The item at `index` repeats the one at `first`.
    Duplicate {
        /// Position of the repeat.
        index: usize,
        /// Position of the first occurrence.
        first: usize,
    },
}

/// Checks every scope of a requirement list and reports each invalid or repeated item.
///
/// ```
/// use scope_grammar::{validate_scope_list, ScopeListIssue};
/// let issues = validate_scope_list(&["a", "b", "a"]);
/// assert_eq!(issues, vec![ScopeListIssue::Duplicate { index: 2, first: 0 }]);
/// ```
pub fn validate_scope_list(scopes: &[&str]) -> Vec<ScopeListIssue> {
    let mut issues = Vec::new();
    for (index, scope) in scopes.iter().enumerate() {
        if let Err(error) = validate_scope(scope) {
            issues.push(ScopeListIssue::Invalid { index, error });
        } else if let Some(first) = scopes[..index].iter().position(|s| s == scope) {
            issues.push(ScopeListIssue::Duplicate { index, first });
        }
    }
    issues
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_token_alphabet() {
        for ok in ["a", "app:read", "x!#$%&'()*+,-./;<=>?@[]^_`|~"] {
            assert!(validate_scope(ok).is_ok(), "{ok}");
        }
        let scope = |text: &str| text.to_owned();
        let bad_character = |text: &str, character| GrammarError::InvalidScopeCharacter {
            scope: scope(text),
            character,
        };
        for (bad, expected) in [
            ("", GrammarError::EmptyScope),
            ("a b", bad_character("a b", ' ')),
            ("a\"b", bad_character("a\"b", '"')),
            ("a\\b", bad_character("a\\b", '\\')),
            ("caf\u{e9}", bad_character("caf\u{e9}", '\u{e9}')),
            ("a\tb", bad_character("a\tb", '\t')),
            (
                "agents:{id}:run",
                GrammarError::ReservedScopeBrace {
                    scope: scope("agents:{id}:run"),
                },
            ),
        ] {
            assert_eq!(validate_scope(bad), Err(expected), "{bad:?}");
        }
    }
}
