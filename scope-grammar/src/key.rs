//! Route keys: `"METHOD /path"`.

use std::fmt;

use crate::error::{GrammarError, describe_char};
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
    /// use scope_grammar::{Method, MethodFilter, RouteKey};
    /// let key = RouteKey::parse("POST /agents/*/runs").unwrap();
    /// assert_eq!(key.method, MethodFilter::Only(Method::Post));
    /// let errors = RouteKey::parse("GTE /agents").unwrap_err();
    /// assert!(errors[0].message().contains("did you mean `GET`"));
    /// ```
    pub fn parse(key: &str) -> Result<RouteKey, Vec<GrammarError>> {
        let format_help =
            "write the key as `\"METHOD /path\"` with exactly one space, e.g. `\"GET /agents\"`";
        let fail = |msg: String| Err(vec![GrammarError::new(msg)]);
        // Keys are shown escaped, so a tab or a newline is visible in the message.
        let shown = key.escape_debug();
        if key.trim().is_empty() {
            return fail(format!("the route key is empty: {format_help}"));
        }
        if key.starts_with('/') {
            return fail(format!(
                "route key `{shown}` has no method: {format_help}, or `\"* {shown}\"` for any method"
            ));
        }
        let trimmed = key.trim_end();
        if trimmed.len() < key.len() && !trimmed.contains(char::is_whitespace) {
            return fail(format!(
                "route key `{shown}` has no path after the method: e.g. `\"{trimmed} /\"` for the root"
            ));
        }
        if key.trim() != key {
            return fail(format!(
                "route key `{shown}` has leading or trailing white space: {format_help}"
            ));
        }
        let Some(at) = key.find(char::is_whitespace) else {
            let hint = match key.find('/') {
                Some(i) if i > 0 => format!("; did you mean `\"{} {}\"`?", &key[..i], &key[i..]),
                _ => String::new(),
            };
            return fail(format!(
                "route key `{shown}` has no space between method and path: {format_help}{hint}"
            ));
        };
        let (method, rest) = key.split_at(at);
        let separator = rest.chars().next().unwrap_or(' ');
        let path = rest[separator.len_utf8()..].trim_start();
        if separator != ' ' {
            return fail(format!(
                "route key `{shown}` separates method and path with {}: use exactly one space, `\"{method} {path}\"`",
                describe_char(separator)
            ));
        }
        if rest[1..].starts_with(char::is_whitespace) {
            return fail(format!(
                "route key `{shown}` has more than one space between method and path: use exactly one, `\"{method} {path}\"`"
            ));
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
    let all = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, TRACE, CONNECT, or `*` for any method";
    if let Some(m) = Method::from_name(&method.to_ascii_uppercase()) {
        return Err(GrammarError::new(format!(
            "HTTP methods are case-sensitive: write `{m}`, not `{method}`"
        )));
    }
    let suggestion = Method::ALL
        .into_iter()
        .map(|m| (edit_distance(method, m.as_str()), m))
        .filter(|&(d, _)| d <= 2)
        .min_by_key(|&(d, _)| d)
        .map(|(_, m)| format!("; did you mean `{m}`?"))
        .unwrap_or_default();
    Err(GrammarError::new(format!(
        "unknown HTTP method `{method}`{suggestion} (expected one of {all})"
    )))
}

/// Optimal-string-alignment distance (insertions, deletions, substitutions and adjacent
/// transpositions), on ASCII upper-cased bytes; enough to turn `GTE` into `GET`.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<u8> = a.bytes().map(|c| c.to_ascii_uppercase()).collect();
    let b = b.as_bytes();
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

    fn err(key: &str) -> String {
        RouteKey::parse(key)
            .unwrap_err()
            .iter()
            .map(|e| e.message().to_owned())
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn suggests_methods() {
        assert!(
            err("GTE /a").contains("did you mean `GET`?"),
            "{}",
            err("GTE /a")
        );
        assert!(err("get /a").contains("write `GET`, not `get`"));
        assert!(err("POTS /a").contains("did you mean `POST`?"));
        assert!(!err("FROBNICATE /a").contains("did you mean"));
    }

    #[test]
    fn rejects_spacing() {
        assert!(err("GET  /a").contains("more than one space"));
        assert!(err("GET\t/a").contains("with a tab"), "{}", err("GET\t/a"));
        assert!(err("").contains("is empty"));
        assert!(err("GET ").contains("no path after the method"));
        assert!(err(" GET /a").contains("white space"));
        assert!(err("GET /a ").contains("white space"));
        assert!(err("GET/a").contains("did you mean `\"GET /a\"`?"));
        assert!(err("/a").contains("no method"));
    }

    #[test]
    fn reports_method_and_path_together() {
        let errors = RouteKey::parse("GTE agents").unwrap_err();
        assert_eq!(errors.len(), 2);
        assert!(errors[1].message().contains("did you mean `/agents`?"));
    }

    #[test]
    fn path_errors() {
        for (key, needle) in [
            ("GET /a//b", "empty path segment"),
            ("GET /a*", "wildcard inside segment `a*`"),
            ("GET /x{id}", "capture inside segment `x{id}`"),
            ("GET /{id", "unbalanced braces"),
            ("GET /{}", "empty braces"),
            ("GET /{*}", "empty braces"),
            ("GET /**/a", "must be the last segment"),
            ("GET /{*rest}/a", "must be the last segment"),
            ("GET /{id}/{id}", "`id` is used twice"),
            ("GET /a?b", "`?`"),
            ("GET /a#b", "`#`"),
            ("GET /caf\u{e9}", "non-ASCII"),
            ("GET /a%2", "percent escape"),
            ("GET /a/..", "dot segment"),
            ("GET /{1x}", "must be an identifier"),
        ] {
            let e = err(key);
            assert!(e.contains(needle), "{key}: {e}");
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
