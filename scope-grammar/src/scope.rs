//! Scope tokens (RFC 6749 §3.3) and lists of them.

use crate::error::GrammarError;
use crate::pattern::PathPattern;
use crate::template::{ScopeTemplate, pieces};

/// Whether `b` may stand in a scope token: `%x21 / %x23-5B / %x5D-7E`, printable ASCII
/// without space, `"` and `\`.
///
/// ```
/// assert!(scope_grammar::is_scope_byte(b':'));
/// assert!(!scope_grammar::is_scope_byte(b' '));
/// ```
pub const fn is_scope_byte(b: u8) -> bool {
    matches!(b, 0x21 | 0x23..=0x5b | 0x5d..=0x7e)
}

/// The scope is non-empty and every character is in the scope-token alphabet.
pub(crate) fn check_scope_characters(scope: &str) -> Result<(), GrammarError> {
    if scope.is_empty() {
        return Err(GrammarError::EmptyScope);
    }
    match scope
        .chars()
        .find(|&c| !c.is_ascii() || !is_scope_byte(c as u8))
    {
        Some(character) => Err(GrammarError::InvalidScopeCharacter {
            scope: scope.to_owned(),
            character,
        }),
        None => Ok(()),
    }
}

/// Checks one fixed scope token: one or more of `%x21 / %x23-5B / %x5D-7E` (printable
/// ASCII without space, `"` and `\`). A scope naming a capture in braces is a template,
/// which only a rule of `scopes!` can hold (see [`ScopeTemplate`]).
///
/// ```
/// use scope_grammar::validate_scope;
/// assert!(validate_scope("app:read").is_ok());
/// assert!(validate_scope("app read").is_err());
/// assert!(validate_scope("").is_err());
/// assert!(validate_scope("agents:{agent_id}:run").is_err());
/// ```
pub fn validate_scope(scope: &str) -> Result<(), GrammarError> {
    check_scope_characters(scope)?;
    if scope.contains(['{', '}']) {
        return Err(GrammarError::TemplateNotAllowed {
            scope: scope.to_owned(),
        });
    }
    Ok(())
}

/// Where a scope list is written, which decides what its scopes may name.
#[derive(Clone, Copy, Debug)]
pub enum ScopeSite<'a> {
    /// No path (`#[require_scopes]`): fixed scopes only.
    NoPath,
    /// A rule with this path: templates must name its captures.
    Path(&'a PathPattern),
    /// A rule whose key has mistakes of its own: templates are checked for everything
    /// but the names they use.
    BrokenPath,
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

/// Checks every scope of a requirement list written at `site` and reports each invalid
/// or repeated item.
///
/// ```
/// use scope_grammar::{validate_scope_list, PathPattern, ScopeListIssue, ScopeSite};
/// let issues = validate_scope_list(&["a", "b", "a"], ScopeSite::NoPath);
/// assert_eq!(issues, vec![ScopeListIssue::Duplicate { index: 2, first: 0 }]);
/// let path = PathPattern::parse("/agents/{agent_id}").unwrap();
/// let site = ScopeSite::Path(&path);
/// assert!(validate_scope_list(&["agents:read", "agents:{agent_id}:read"], site).is_empty());
/// ```
pub fn validate_scope_list(scopes: &[&str], site: ScopeSite<'_>) -> Vec<ScopeListIssue> {
    let mut issues = Vec::new();
    for (index, scope) in scopes.iter().enumerate() {
        let checked = match site {
            ScopeSite::NoPath => validate_scope(scope),
            ScopeSite::Path(path) => ScopeTemplate::parse(scope, path).map(drop),
            ScopeSite::BrokenPath => pieces(scope).map(drop),
        };
        if let Err(error) = checked {
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
                GrammarError::TemplateNotAllowed {
                    scope: scope("agents:{id}:run"),
                },
            ),
        ] {
            assert_eq!(validate_scope(bad), Err(expected), "{bad:?}");
        }
        for b in 0..=u8::MAX {
            let expected = (0x21..=0x7e).contains(&b) && b != b'"' && b != b'\\';
            assert_eq!(is_scope_byte(b), expected, "{b:#x}");
        }
    }

    #[test]
    fn a_broken_path_still_checks_template_syntax() {
        let issues = validate_scope_list(&["a:{x}", "a:{", "b:{x}"], ScopeSite::BrokenPath);
        assert_eq!(
            issues,
            vec![ScopeListIssue::Invalid {
                index: 1,
                error: GrammarError::TemplateUnbalancedBraces {
                    scope: "a:{".to_owned()
                },
            }]
        );
    }
}
