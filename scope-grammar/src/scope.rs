//! Scope tokens (RFC 6749 §3.3) and lists of them.

use crate::error::{GrammarError, describe_char};

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
        return Err(GrammarError::new(
            "empty scope: a scope is one or more printable ASCII characters",
        ));
    }
    if let Some(c) = scope
        .chars()
        .find(|&c| !matches!(c, '\x21' | '\x23'..='\x5b' | '\x5d'..='\x7e'))
    {
        let fix = match c {
            ' ' => "; write one string per scope",
            _ => "",
        };
        return Err(GrammarError::new(format!(
            "scope `{scope}` contains {}, which RFC 6749 does not allow in a scope (printable ASCII except space, `\"` and `\\`){fix}",
            describe_char(c)
        )));
    }
    if scope.contains(['{', '}']) {
        return Err(GrammarError::new(format!(
            "scope `{scope}` contains a brace: `{{` and `}}` are reserved for scopes that name a path capture (a planned feature)"
        )));
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
        for (bad, needle) in [
            ("", "empty scope"),
            ("a b", "a space"),
            ("a\"b", "double quote"),
            ("a\\b", "backslash"),
            ("caf\u{e9}", "non-ASCII"),
            ("a\tb", "tab"),
            ("agents:{id}:run", "reserved"),
        ] {
            let e = validate_scope(bad).unwrap_err();
            assert!(e.message().contains(needle), "{bad}: {e}");
        }
    }
}
