//! Scope templates: a scope that names captures of its rule's path,
//! `"POST /agents/{agent_id}/runs" => ["agents:{agent_id}:run"]`.
//!
//! A template is checked against the path it is written for: every name in braces is a
//! `{name}` or `{*name}` capture of that path, and is resolved here to the segment whose
//! value fills it at request time.

use crate::error::GrammarError;
use crate::key::edit_distance;
use crate::pattern::{PathPattern, Segment, is_capture_name};
use crate::scope::check_scope_characters;

/// One part of a scope as written in a rule, with its captures resolved against the
/// rule's path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TemplatePart {
    /// Fixed text, compared as written.
    Text(String),
    /// The value of a capture of the rule's path, as the handler's `Path` extractor sees
    /// it (percent-decoded).
    Capture {
        /// The capture's name, without braces.
        name: String,
        /// The index of its segment in [`PathPattern::segments`].
        segment: usize,
        /// `true` for a catch-all (`{*name}`): the value is the rest of the path from
        /// that segment on, `/`s included.
        rest: bool,
    },
}

/// A scope of a rule: fixed text (`app:read`) or a template naming captures of the
/// rule's path (`agents:{agent_id}:run`), checked against that path.
///
/// ```
/// use scope_grammar::{PathPattern, ScopeTemplate, TemplatePart};
/// let path = PathPattern::parse("/agents/{agent_id}/runs").unwrap();
/// let template = ScopeTemplate::parse("agents:{agent_id}:run", &path).unwrap();
/// assert_eq!(template.parts()[1], TemplatePart::Capture {
///     name: "agent_id".into(), segment: 1, rest: false,
/// });
/// let error = ScopeTemplate::parse("agents:{agentid}:run", &path).unwrap_err();
/// assert!(error.to_string().contains("did you mean `{agent_id}`?"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScopeTemplate {
    source: String,
    parts: Vec<TemplatePart>,
}

impl ScopeTemplate {
    /// Parses a scope written in a rule whose path is `path`.
    pub fn parse(scope: &str, path: &PathPattern) -> Result<ScopeTemplate, GrammarError> {
        let pieces = pieces(scope)?;
        let mut parts = Vec::with_capacity(pieces.len());
        for piece in pieces {
            parts.push(match piece {
                Piece::Text(text) => TemplatePart::Text(text.to_owned()),
                Piece::Capture(name) => resolve(scope, name, path)?,
            });
        }
        Ok(ScopeTemplate {
            source: scope.to_owned(),
            parts,
        })
    }

    /// The scope as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Its parts, left to right: one [`TemplatePart::Text`] for a fixed scope.
    pub fn parts(&self) -> &[TemplatePart] {
        &self.parts
    }

    /// Whether it names a capture.
    pub fn is_template(&self) -> bool {
        self.parts
            .iter()
            .any(|p| matches!(p, TemplatePart::Capture { .. }))
    }
}

/// A piece of a scope before its captures are resolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Piece<'s> {
    Text(&'s str),
    Capture(&'s str),
}

/// Splits a scope into fixed text and `{name}`s, checking everything that does not
/// depend on the rule's path: the scope-token alphabet, balanced and non-empty braces,
/// identifier names, some fixed text.
pub(crate) fn pieces(scope: &str) -> Result<Vec<Piece<'_>>, GrammarError> {
    check_scope_characters(scope)?;
    let owned = || scope.to_owned();
    let mut pieces = Vec::new();
    let mut rest = scope;
    while !rest.is_empty() {
        let open = rest.find(['{', '}']).unwrap_or(rest.len());
        if open > 0 {
            pieces.push(Piece::Text(&rest[..open]));
        }
        rest = &rest[open..];
        let Some(after) = rest.strip_prefix('{') else {
            if rest.starts_with('}') {
                return Err(GrammarError::TemplateUnbalancedBraces { scope: owned() });
            }
            break;
        };
        let Some(close) = after
            .find(['{', '}'])
            .filter(|&i| after.as_bytes()[i] == b'}')
        else {
            return Err(GrammarError::TemplateUnbalancedBraces { scope: owned() });
        };
        let name = &after[..close];
        if name.is_empty() {
            return Err(GrammarError::TemplateEmptyBraces { scope: owned() });
        }
        if !is_capture_name(name) {
            return Err(GrammarError::TemplateInvalidName {
                scope: owned(),
                name: name.to_owned(),
            });
        }
        pieces.push(Piece::Capture(name));
        rest = &after[close + 1..];
    }
    if pieces.iter().all(|p| matches!(p, Piece::Capture(_))) {
        return Err(GrammarError::TemplateWithoutText { scope: owned() });
    }
    Ok(pieces)
}

/// The capture of `path` that `name` names, or why there is none.
fn resolve(scope: &str, name: &str, path: &PathPattern) -> Result<TemplatePart, GrammarError> {
    let segments = path.segments();
    for (segment, s) in segments.iter().enumerate() {
        let (Segment::One { name: Some(n) } | Segment::Rest { name: Some(n) }) = s else {
            continue;
        };
        if n == name {
            return Ok(TemplatePart::Capture {
                name: name.to_owned(),
                segment,
                rest: matches!(s, Segment::Rest { .. }),
            });
        }
    }
    let captures: Vec<String> = path.capture_names().map(str::to_owned).collect();
    let suggestion = captures
        .iter()
        .map(|c| (edit_distance(name, c), c))
        .filter(|&(d, c)| d <= 2 && d < c.len().max(name.len()))
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c.clone());
    let anonymous = segments.iter().position(|s| {
        matches!(
            s,
            Segment::One { name: None } | Segment::Rest { name: None }
        )
    });
    if let (None, Some(index)) = (&suggestion, anonymous) {
        let catch_all = matches!(segments[index], Segment::Rest { .. });
        let mut written: Vec<&str> = path.as_str()[1..].split('/').collect();
        let named = if catch_all {
            format!("{{*{name}}}")
        } else {
            format!("{{{name}}}")
        };
        let wildcard = written[index].to_owned();
        written[index] = &named;
        return Err(GrammarError::TemplateAnonymousCapture {
            scope: scope.to_owned(),
            name: name.to_owned(),
            path: path.as_str().to_owned(),
            wildcard,
            suggested_path: format!("/{}", written.join("/")),
        });
    }
    Err(GrammarError::TemplateUnknownCapture {
        scope: scope.to_owned(),
        name: name.to_owned(),
        path: path.as_str().to_owned(),
        suggestion,
        captures,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(p: &str) -> PathPattern {
        PathPattern::parse(p).unwrap()
    }

    fn text(t: &str) -> TemplatePart {
        TemplatePart::Text(t.to_owned())
    }

    fn capture(name: &str, segment: usize, rest: bool) -> TemplatePart {
        TemplatePart::Capture {
            name: name.to_owned(),
            segment,
            rest,
        }
    }

    #[test]
    fn resolves_every_form() {
        let runs = path("/agents/{agent_id}/runs");
        let repo = path("/orgs/{org}/repos/{repo}");
        let files = path("/files/{*path}");
        for (scope, pattern, parts) in [
            ("app:read", &runs, vec![text("app:read")]),
            (
                "agents:{agent_id}:run",
                &runs,
                vec![text("agents:"), capture("agent_id", 1, false), text(":run")],
            ),
            (
                "{agent_id}:run",
                &runs,
                vec![capture("agent_id", 1, false), text(":run")],
            ),
            (
                "run:{agent_id}",
                &runs,
                vec![text("run:"), capture("agent_id", 1, false)],
            ),
            (
                "repo:{org}/{repo}:read",
                &repo,
                vec![
                    text("repo:"),
                    capture("org", 1, false),
                    text("/"),
                    capture("repo", 3, false),
                    text(":read"),
                ],
            ),
            (
                "x:{org}{repo}",
                &repo,
                vec![
                    text("x:"),
                    capture("org", 1, false),
                    capture("repo", 3, false),
                ],
            ),
            (
                "files:{path}:read",
                &files,
                vec![text("files:"), capture("path", 1, true), text(":read")],
            ),
        ] {
            let template = ScopeTemplate::parse(scope, pattern).unwrap();
            assert_eq!(template.parts(), parts, "{scope}");
            assert_eq!(template.as_str(), scope);
            assert_eq!(
                template.is_template(),
                parts.len() > 1 || scope.contains('{')
            );
        }
    }

    #[test]
    fn refuses_with_the_kind_that_says_what_to_fix() {
        let runs = path("/agents/{agent_id}/runs");
        let anonymous = path("/agents/*/runs");
        let rest = path("/docs/**");
        let owned = |s: &str| s.to_owned();
        for (scope, pattern, expected) in [
            (
                "agents:{agent_id:run",
                &runs,
                GrammarError::TemplateUnbalancedBraces {
                    scope: owned("agents:{agent_id:run"),
                },
            ),
            (
                "agents:agent_id}:run",
                &runs,
                GrammarError::TemplateUnbalancedBraces {
                    scope: owned("agents:agent_id}:run"),
                },
            ),
            (
                "a:{{agent_id}}",
                &runs,
                GrammarError::TemplateUnbalancedBraces {
                    scope: owned("a:{{agent_id}}"),
                },
            ),
            (
                "agents:{}:run",
                &runs,
                GrammarError::TemplateEmptyBraces {
                    scope: owned("agents:{}:run"),
                },
            ),
            (
                "agents:{*agent_id}:run",
                &runs,
                GrammarError::TemplateInvalidName {
                    scope: owned("agents:{*agent_id}:run"),
                    name: owned("*agent_id"),
                },
            ),
            (
                "{agent_id}",
                &runs,
                GrammarError::TemplateWithoutText {
                    scope: owned("{agent_id}"),
                },
            ),
            (
                "agents:{agentid}:run",
                &runs,
                GrammarError::TemplateUnknownCapture {
                    scope: owned("agents:{agentid}:run"),
                    name: owned("agentid"),
                    path: owned("/agents/{agent_id}/runs"),
                    suggestion: Some(owned("agent_id")),
                    captures: vec![owned("agent_id")],
                },
            ),
            (
                "agents:{session}:run",
                &runs,
                GrammarError::TemplateUnknownCapture {
                    scope: owned("agents:{session}:run"),
                    name: owned("session"),
                    path: owned("/agents/{agent_id}/runs"),
                    suggestion: None,
                    captures: vec![owned("agent_id")],
                },
            ),
            (
                "agents:{agent_id}:run",
                &anonymous,
                GrammarError::TemplateAnonymousCapture {
                    scope: owned("agents:{agent_id}:run"),
                    name: owned("agent_id"),
                    path: owned("/agents/*/runs"),
                    wildcard: owned("*"),
                    suggested_path: owned("/agents/{agent_id}/runs"),
                },
            ),
            (
                "docs:{page}",
                &rest,
                GrammarError::TemplateAnonymousCapture {
                    scope: owned("docs:{page}"),
                    name: owned("page"),
                    path: owned("/docs/**"),
                    wildcard: owned("**"),
                    suggested_path: owned("/docs/{*page}"),
                },
            ),
        ] {
            assert_eq!(
                ScopeTemplate::parse(scope, pattern),
                Err(expected),
                "{scope}"
            );
        }
    }
}
