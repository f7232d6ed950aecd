//! Route keys: `"METHOD /path"`.

use std::fmt;

use crate::error::GrammarError;
use crate::method::{Method, MethodFilter};
use crate::pattern::PathPattern;

/// A parsed `"METHOD /path"` key.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RouteKey {
    /// The method filter (`*` = any method).
    pub method: MethodFilter,
    /// The path pattern.
    pub path: PathPattern,
}

impl RouteKey {
    /// Parses a key, reporting every independent mistake (a bad method and a bad path
    /// are both reported).
    ///
    /// ```
    /// use scope_grammar::{GrammarError, Method, MethodFilter, RouteKey};
    /// let key = RouteKey::parse("POST /agents/*/runs").unwrap();
    /// assert_eq!(key.method, MethodFilter::Only(Method::Post));
    /// let errors = RouteKey::parse("GTE agents").unwrap_err();
    /// assert!(matches!(
    ///     &errors[..],
    ///     [GrammarError::UnknownMethod { suggestion: Some(Method::Get), .. },
    ///      GrammarError::MissingLeadingSlash { .. }]
    /// ));
    /// ```
    pub fn parse(key: &str) -> Result<RouteKey, Vec<GrammarError>> {
        let fail = |error: GrammarError| Err(vec![error]);
        let owned = || key.to_owned();
        if key.trim().is_empty() {
            return fail(GrammarError::EmptyKey);
        }
        if key.starts_with('/') {
            return fail(GrammarError::MissingMethod { key: owned() });
        }
        let trimmed = key.trim_end();
        if trimmed.len() < key.len() && !trimmed.contains(char::is_whitespace) {
            return fail(GrammarError::MissingPath {
                key: owned(),
                method: trimmed.to_owned(),
            });
        }
        if key.trim() != key {
            return fail(GrammarError::SurroundingWhiteSpace { key: owned() });
        }
        let Some(at) = key.find(char::is_whitespace) else {
            let suggestion = match key.find('/') {
                Some(i) if i > 0 => Some(format!("{} {}", &key[..i], &key[i..])),
                _ => None,
            };
            return fail(GrammarError::MissingSeparator {
                key: owned(),
                suggestion,
            });
        };
        let (method, rest) = key.split_at(at);
        let separator = rest.chars().next().unwrap_or(' ');
        let path = rest[separator.len_utf8()..].trim_start();
        if separator != ' ' {
            return fail(GrammarError::WrongSeparator {
                key: owned(),
                separator,
                suggestion: format!("{method} {path}"),
            });
        }
        if rest[1..].starts_with(char::is_whitespace) {
            return fail(GrammarError::ExtraSpaces {
                key: owned(),
                suggestion: format!("{method} {path}"),
            });
        }
        let method = parse_method(method);
        let path = PathPattern::parse(path);
        match (method, path) {
            (Ok(method), Ok(path)) => Ok(RouteKey { method, path }),
            (m, p) => Err(m
                .err()
                .into_iter()
                .chain(p.err().into_iter().flatten())
                .collect()),
        }
    }

    /// Whether two keys would be the same rule: the same method filter and the same path
    /// shape (`*` and `{id}` are the same shape).
    pub fn same_rule(&self, other: &RouteKey) -> bool {
        self.method == other.method && self.path.same_shape(&other.path)
    }
}

impl fmt::Display for RouteKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.path.as_str())
    }
}

fn parse_method(method: &str) -> Result<MethodFilter, GrammarError> {
    if method == "*" {
        return Ok(MethodFilter::Any);
    }
    if let Some(m) = Method::from_name(method) {
        return Ok(MethodFilter::Only(m));
    }
    if let Some(expected) = Method::from_name(&method.to_ascii_uppercase()) {
        return Err(GrammarError::MethodCase {
            method: method.to_owned(),
            expected,
        });
    }
    let suggestion = Method::ALL
        .into_iter()
        .map(|m| (edit_distance(method, m.as_str()), m))
        .filter(|&(d, _)| d <= 2)
        .min_by_key(|&(d, _)| d)
        .map(|(_, m)| m);
    Err(GrammarError::UnknownMethod {
        method: method.to_owned(),
        suggestion,
    })
}

/// Optimal-string-alignment distance (insertions, deletions, substitutions and adjacent
/// transpositions), on ASCII upper-cased bytes; enough to turn `GTE` into `GET`, or
/// `{agentid}` into `{agent_id}`.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<u8> = a.bytes().map(|c| c.to_ascii_uppercase()).collect();
    let b: Vec<u8> = b.bytes().map(|c| c.to_ascii_uppercase()).collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::request_path::PathClass;

    /// The one error `key` is refused with.
    fn only(key: &str) -> GrammarError {
        let mut errors = RouteKey::parse(key).unwrap_err();
        assert_eq!(errors.len(), 1, "{key:?}: {errors:?}");
        errors.remove(0)
    }

    fn s(text: &str) -> String {
        text.to_owned()
    }

    #[test]
    fn suggests_methods() {
        use GrammarError::{MethodCase, UnknownMethod};
        assert_eq!(
            only("GTE /a"),
            UnknownMethod {
                method: s("GTE"),
                suggestion: Some(Method::Get)
            }
        );
        assert_eq!(
            only("get /a"),
            MethodCase {
                method: s("get"),
                expected: Method::Get
            }
        );
        assert_eq!(
            only("POTS /a"),
            UnknownMethod {
                method: s("POTS"),
                suggestion: Some(Method::Post)
            }
        );
        assert_eq!(
            only("FROBNICATE /a"),
            UnknownMethod {
                method: s("FROBNICATE"),
                suggestion: None
            }
        );
    }

    #[test]
    fn rejects_spacing() {
        use GrammarError::*;
        for (key, expected) in [
            (
                "GET  /a",
                ExtraSpaces {
                    key: s("GET  /a"),
                    suggestion: s("GET /a"),
                },
            ),
            (
                "GET\t/a",
                WrongSeparator {
                    key: s("GET\t/a"),
                    separator: '\t',
                    suggestion: s("GET /a"),
                },
            ),
            ("", EmptyKey),
            (
                "GET ",
                MissingPath {
                    key: s("GET "),
                    method: s("GET"),
                },
            ),
            (" GET /a", SurroundingWhiteSpace { key: s(" GET /a") }),
            ("GET /a ", SurroundingWhiteSpace { key: s("GET /a ") }),
            (
                "GET/a",
                MissingSeparator {
                    key: s("GET/a"),
                    suggestion: Some(s("GET /a")),
                },
            ),
            (
                "GET",
                MissingSeparator {
                    key: s("GET"),
                    suggestion: None,
                },
            ),
            ("/a", MissingMethod { key: s("/a") }),
        ] {
            assert_eq!(only(key), expected, "{key:?}");
        }
    }

    #[test]
    fn reports_method_and_path_together() {
        let errors = RouteKey::parse("GTE agents").unwrap_err();
        assert_eq!(
            errors,
            [
                GrammarError::UnknownMethod {
                    method: s("GTE"),
                    suggestion: Some(Method::Get)
                },
                GrammarError::MissingLeadingSlash { path: s("agents") },
            ]
        );
    }

    #[test]
    fn path_errors() {
        use GrammarError::*;
        // Most kinds name the segment at fault and the whole path.
        let at = |segment: &str, path: &str| (s(segment), s(path));
        for (key, expected) in [
            ("GET /a//b", EmptySegment { path: s("/a//b") }),
            ("GET /a*", {
                let (segment, path) = at("a*", "/a*");
                WildcardInsideSegment { segment, path }
            }),
            ("GET /x{id}", {
                let (segment, path) = at("x{id}", "/x{id}");
                CaptureInsideSegment { segment, path }
            }),
            ("GET /{id", {
                let (segment, path) = at("{id", "/{id");
                UnbalancedBraces { segment, path }
            }),
            ("GET /{}", {
                let (segment, path) = at("{}", "/{}");
                EmptyBraces {
                    segment,
                    path,
                    catch_all: false,
                }
            }),
            ("GET /{*}", {
                let (segment, path) = at("{*}", "/{*}");
                EmptyBraces {
                    segment,
                    path,
                    catch_all: true,
                }
            }),
            ("GET /**/a", {
                let (segment, path) = at("**", "/**/a");
                CatchAllNotLast { segment, path }
            }),
            ("GET /{*rest}/a", {
                let (segment, path) = at("{*rest}", "/{*rest}/a");
                CatchAllNotLast { segment, path }
            }),
            (
                "GET /{id}/{id}",
                DuplicateCapture {
                    name: s("id"),
                    path: s("/{id}/{id}"),
                },
            ),
            ("GET /a?b", {
                let (segment, path) = at("a?b", "/a?b");
                InvalidPathCharacter {
                    character: '?',
                    segment,
                    path,
                }
            }),
            ("GET /a#b", {
                let (segment, path) = at("a#b", "/a#b");
                InvalidPathCharacter {
                    character: '#',
                    segment,
                    path,
                }
            }),
            ("GET /caf\u{e9}", {
                let (segment, path) = at("caf\u{e9}", "/caf\u{e9}");
                InvalidPathCharacter {
                    character: '\u{e9}',
                    segment,
                    path,
                }
            }),
            ("GET /a%2", {
                let (segment, path) = at("a%2", "/a%2");
                BadPercentEscape { segment, path }
            }),
            ("GET /a/..", {
                let (segment, path) = at("..", "/a/..");
                DotSegment { segment, path }
            }),
            (
                "GET /{1x}",
                InvalidCaptureName {
                    name: s("1x"),
                    segment: s("{1x}"),
                    path: s("/{1x}"),
                },
            ),
            ("GET /.%2E", {
                let (segment, path) = at(".%2E", "/.%2E");
                EncodedDotSegment { segment, path }
            }),
            ("GET /a%2F", {
                let (segment, path) = at("a%2F", "/a%2F");
                RefusedEscape {
                    escape: s("%2F"),
                    segment,
                    path,
                    class: PathClass::EncodedSlash,
                }
            }),
            ("GET /a%7f", {
                let (segment, path) = at("a%7f", "/a%7f");
                RefusedEscape {
                    escape: s("%7f"),
                    segment,
                    path,
                    class: PathClass::ControlCharacter,
                }
            }),
            ("GET /%41b", {
                let (segment, path) = at("%41b", "/%41b");
                UnreservedEscape {
                    escape: s("%41"),
                    segment,
                    path,
                    character: 'A',
                }
            }),
            ("GET /a%3A", {
                let (segment, path) = at("a%3A", "/a%3A");
                NeedlessEscape {
                    escape: s("%3A"),
                    segment,
                    path,
                    character: ':',
                }
            }),
            ("GET /%C3%a9", {
                let (segment, path) = at("%C3%a9", "/%C3%a9");
                LowerCaseEscape {
                    escape: s("%a9"),
                    segment,
                    path,
                }
            }),
            // How a segment is written is checked before what its escapes decode to.
            ("GET /%2F?", {
                let (segment, path) = at("%2F?", "/%2F?");
                InvalidPathCharacter {
                    character: '?',
                    segment,
                    path,
                }
            }),
        ] {
            assert_eq!(only(key), expected, "{key}");
        }
    }

    #[test]
    fn accepts_every_form() {
        for key in [
            "GET /",
            "* /agents",
            "HEAD /agents/",
            "DELETE /a/*/b/{id}",
            "PATCH /files/{*path}",
            "OPTIONS /admin/**",
            "CONNECT /**",
            "TRACE /%3Fa:b@c;d=e%20f",
        ] {
            assert!(RouteKey::parse(key).is_ok(), "{key}");
        }
    }

    #[test]
    fn shapes() {
        let k = |s| RouteKey::parse(s).unwrap();
        assert!(k("GET /a/*").same_rule(&k("GET /a/{id}")));
        assert!(k("GET /a/**").same_rule(&k("GET /a/**")));
        assert!(!k("GET /a/**").same_rule(&k("GET /a/{*rest}")));
        assert!(!k("GET /a/*").same_rule(&k("* /a/*")));
        assert!(!k("GET /a").same_rule(&k("GET /a/")));
    }
}
