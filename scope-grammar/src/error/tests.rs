//! The exact text of every kind's message. These strings are what users read in
//! `compile_error!`s; the UI snapshots show some of them, these show all of them, so a
//! message cannot change by accident.

use super::GrammarError;
use crate::{PathPattern, RouteKey, ScopeTemplate, validate_scope};

/// What is parsed: a route key, a path pattern alone, or a scope.
enum Input {
    Key(&'static str),
    Path(&'static str),
    Scope(&'static str),
    /// A scope written in a rule with this path: `(scope, path)`.
    Template(&'static str, &'static str),
}

use Input::{Key, Path, Scope, Template};

/// The one error `input` is refused with.
fn only_error(input: &Input) -> GrammarError {
    let mut errors = match *input {
        Key(key) => RouteKey::parse(key).unwrap_err(),
        Path(path) => PathPattern::parse(path).unwrap_err(),
        Scope(scope) => vec![validate_scope(scope).unwrap_err()],
        Template(scope, path) => {
            let path = PathPattern::parse(path).expect("test paths are valid");
            vec![ScopeTemplate::parse(scope, &path).unwrap_err()]
        }
    };
    assert_eq!(errors.len(), 1, "{errors:?}");
    errors.remove(0)
}

/// A number per kind. The match has no `_` arm, so a new kind does not compile until it
/// gets a number here; `KINDS` counts them, and `every_kind_is_rendered` then fails until
/// `RENDERED` shows its message.
fn ordinal(error: &GrammarError) -> usize {
    use GrammarError::*;
    match error {
        EmptyKey => 0,
        MissingMethod { .. } => 1,
        MissingPath { .. } => 2,
        SurroundingWhiteSpace { .. } => 3,
        MissingSeparator { .. } => 4,
        WrongSeparator { .. } => 5,
        ExtraSpaces { .. } => 6,
        MethodCase { .. } => 7,
        UnknownMethod { .. } => 8,
        MissingLeadingSlash { .. } => 9,
        DuplicateCapture { .. } => 10,
        CatchAllNotLast { .. } => 11,
        EmptySegment { .. } => 12,
        DotSegment { .. } => 13,
        EmptyBraces { .. } => 14,
        InvalidCaptureName { .. } => 15,
        UnbalancedBraces { .. } => 16,
        CaptureInsideSegment { .. } => 17,
        WildcardInsideSegment { .. } => 18,
        BadPercentEscape { .. } => 19,
        InvalidPathCharacter { .. } => 20,
        EncodedDotSegment { .. } => 21,
        RefusedEscape { .. } => 22,
        UnreservedEscape { .. } => 23,
        NeedlessEscape { .. } => 24,
        LowerCaseEscape { .. } => 25,
        EmptyScope => 26,
        InvalidScopeCharacter { .. } => 27,
        TemplateNotAllowed { .. } => 28,
        TemplateUnbalancedBraces { .. } => 29,
        TemplateEmptyBraces { .. } => 30,
        TemplateInvalidName { .. } => 31,
        TemplateWithoutText { .. } => 32,
        TemplateUnknownCapture { .. } => 33,
        TemplateAnonymousCapture { .. } => 34,
        Axum07Capture { .. } => 35,
    }
}

const KINDS: usize = 36;

/// Inputs and the exact message each is refused with, every branch of every message
/// (each way a character is described, each optional hint) at least once.
const RENDERED: &[(Input, &str)] = &[
    (
        Key(""),
        "the route key is empty: write the key as `\"METHOD /path\"` with exactly one space, e.g. `\"GET /agents\"`",
    ),
    (
        Key("   "),
        "the route key is empty: write the key as `\"METHOD /path\"` with exactly one space, e.g. `\"GET /agents\"`",
    ),
    (
        Key("/a"),
        "route key `/a` has no method: write the key as `\"METHOD /path\"` with exactly one space, e.g. `\"GET /agents\"`, or `\"* /a\"` for any method",
    ),
    (
        Key("GET "),
        "route key `GET ` has no path after the method: e.g. `\"GET /\"` for the root",
    ),
    (
        Key("GET\t"),
        "route key `GET\\t` has no path after the method: e.g. `\"GET /\"` for the root",
    ),
    (
        Key(" GET /a"),
        "route key ` GET /a` has leading or trailing white space: write the key as `\"METHOD /path\"` with exactly one space, e.g. `\"GET /agents\"`",
    ),
    (
        Key("GET /a "),
        "route key `GET /a ` has leading or trailing white space: write the key as `\"METHOD /path\"` with exactly one space, e.g. `\"GET /agents\"`",
    ),
    (
        Key("GET/a"),
        "route key `GET/a` has no space between method and path: write the key as `\"METHOD /path\"` with exactly one space, e.g. `\"GET /agents\"`; did you mean `\"GET /a\"`?",
    ),
    (
        Key("GET"),
        "route key `GET` has no space between method and path: write the key as `\"METHOD /path\"` with exactly one space, e.g. `\"GET /agents\"`",
    ),
    (
        Key("GET\t/a"),
        "route key `GET\\t/a` separates method and path with a tab: use exactly one space, `\"GET /a\"`",
    ),
    (
        Key("GET\u{a0}/a"),
        "route key `GET\\u{a0}/a` separates method and path with the non-ASCII character `\u{a0}` (U+00A0): use exactly one space, `\"GET /a\"`",
    ),
    (
        Key("GET\n/a"),
        "route key `GET\\n/a` separates method and path with the control character U+000A: use exactly one space, `\"GET /a\"`",
    ),
    (
        Key("GET  /a"),
        "route key `GET  /a` has more than one space between method and path: use exactly one, `\"GET /a\"`",
    ),
    (
        Key("GET \t/a"),
        "route key `GET \\t/a` has more than one space between method and path: use exactly one, `\"GET /a\"`",
    ),
    (
        Key("get /a"),
        "HTTP methods are case-sensitive: write `GET`, not `get`",
    ),
    (
        Key("GTE /a"),
        "unknown HTTP method `GTE`; did you mean `GET`? (expected one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, TRACE, CONNECT, or `*` for any method)",
    ),
    (
        Key("FROBNICATE /a"),
        "unknown HTTP method `FROBNICATE` (expected one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, TRACE, CONNECT, or `*` for any method)",
    ),
    (
        Key("GET agents"),
        "path `agents` must start with `/`: did you mean `/agents`?",
    ),
    (
        Key("GET /{id}/{id}"),
        "capture name `id` is used twice in path `/{id}/{id}`: give each capture its own name",
    ),
    (
        Key("GET /{id}/{*id}"),
        "capture name `id` is used twice in path `/{id}/{*id}`: give each capture its own name",
    ),
    (
        Key("GET /**/a"),
        "`**` in path `/**/a` matches the rest of the path, so it must be the last segment",
    ),
    (
        Key("GET /{*rest}/a"),
        "`{*rest}` in path `/{*rest}/a` matches the rest of the path, so it must be the last segment",
    ),
    (
        Key("GET /a//b"),
        "empty path segment (`//`) in `/a//b`: remove the extra `/` (requests with an empty segment are refused before any rule is looked up)",
    ),
    (
        Key("GET /a/.."),
        "dot segment `..` in `/a/..`: clients and proxies remove dot segments, so a rule for one cannot be relied on; write the path without it",
    ),
    (
        Key("GET /./a"),
        "dot segment `.` in `/./a`: clients and proxies remove dot segments, so a rule for one cannot be relied on; write the path without it",
    ),
    (
        Key("GET /{}"),
        "empty braces `{}` in `/{}`: name the capture, e.g. `{id}`, or write `*`",
    ),
    (
        Key("GET /{*}"),
        "empty braces `{*}` in `/{*}`: name the capture, e.g. `{*id}`, or write `**`",
    ),
    (
        Key("GET /{1x}"),
        "capture name `1x` in segment `{1x}` of `/{1x}` must be an identifier (letters, digits, `_`; not starting with a digit)",
    ),
    (
        Key("GET /{*1x}"),
        "capture name `1x` in segment `{*1x}` of `/{*1x}` must be an identifier (letters, digits, `_`; not starting with a digit)",
    ),
    (
        Key("GET /{id"),
        "unbalanced braces in segment `{id` of `/{id`: a capture is a whole segment written `{name}`",
    ),
    (
        Key("GET /x{id}"),
        "capture inside segment `x{id}` of `/x{id}`: a capture must be a whole segment, e.g. `/{name}`",
    ),
    (
        Key("GET /a*"),
        "wildcard inside segment `a*` of `/a*`: `*` and `**` must be whole segments (`/*` matches one segment, `/**` the rest)",
    ),
    (
        Key("GET /projects/:id"),
        "segment `:id` of `/projects/:id` is axum 0.7 capture syntax; this DSL (like axum 0.8) writes `{id}`",
    ),
    (
        Key("GET /files/*rest"),
        "segment `*rest` of `/files/*rest` is axum 0.7 capture syntax; this DSL (like axum 0.8) writes `{*rest}`",
    ),
    (
        Key("GET /a%2"),
        "bad percent escape in segment `a%2` of `/a%2`: `%` must be followed by two hex digits, e.g. `%20`",
    ),
    (
        Key("GET /a%zz"),
        "bad percent escape in segment `a%zz` of `/a%zz`: `%` must be followed by two hex digits, e.g. `%20`",
    ),
    (
        Key("GET /a?b"),
        "segment `a?b` of `/a?b` contains `?`, which is not allowed in a path segment (a query string is not part of the path; rules match the path only)",
    ),
    (
        Key("GET /a#b"),
        "segment `a#b` of `/a#b` contains `#`, which is not allowed in a path segment (a fragment is never sent to the server)",
    ),
    (
        Key("GET /a b"),
        "segment `a b` of `/a b` contains a space, which is not allowed in a path segment (percent-encode it as `%20` if the raw path really contains it)",
    ),
    (
        Key("GET /café"),
        "segment `café` of `/café` contains the non-ASCII character `é` (U+00E9), which is not allowed in a path segment (request paths are ASCII on the wire: write its percent-encoded UTF-8 bytes)",
    ),
    (
        Key("GET /a\"b"),
        "segment `a\"b` of `/a\"b` contains a double quote `\"`, which is not allowed in a path segment (percent-encode it if the raw path really contains it)",
    ),
    (
        Key("GET /a[b"),
        "segment `a[b` of `/a[b` contains `[`, which is not allowed in a path segment (percent-encode it if the raw path really contains it)",
    ),
    (
        Key("GET /%2e"),
        "segment `%2e` of `/%2e` is a percent-encoded dot segment: requests spelling it are refused before any rule is looked up, so this rule could never match",
    ),
    (
        Key("GET /.%2E"),
        "segment `.%2E` of `/.%2E` is a percent-encoded dot segment: requests spelling it are refused before any rule is looked up, so this rule could never match",
    ),
    (
        Key("GET /a%2F"),
        "escape `%2F` in segment `a%2F` of `/a%2F` decodes to a `/`: requests spelling it are refused (400) before any rule is looked up, so this rule could never match",
    ),
    (
        Key("GET /a%5C"),
        "escape `%5C` in segment `a%5C` of `/a%5C` decodes to a backslash: requests spelling it are refused (400) before any rule is looked up, so this rule could never match",
    ),
    (
        Key("GET /a%25"),
        "escape `%25` in segment `a%25` of `/a%25` decodes to a `%`: requests spelling it are refused (400) before any rule is looked up, so this rule could never match",
    ),
    (
        Key("GET /a%00"),
        "escape `%00` in segment `a%00` of `/a%00` decodes to a control character: requests spelling it are refused (400) before any rule is looked up, so this rule could never match",
    ),
    (
        Key("GET /%41"),
        "escape `%41` in segment `%41` of `/%41` is the unreserved character `A`: paths are matched percent-decoded, so write `A`",
    ),
    (
        Key("GET /%7E"),
        "escape `%7E` in segment `%7E` of `/%7E` is the unreserved character `~`: paths are matched percent-decoded, so write `~`",
    ),
    (
        Key("GET /%3A"),
        "escape `%3A` in segment `%3A` of `/%3A` is `:`, which a path segment holds unescaped: axum's router compares raw paths, so write `:` here and in the route",
    ),
    (
        Key("GET /%c3%a9"),
        "escape `%c3` in segment `%c3%a9` of `/%c3%a9` is in lower-case hex: axum's router compares raw paths, so write `%C3` here and in the route",
    ),
    (
        Path(""),
        "path `` must start with `/`: write `/` for the root",
    ),
    (
        Scope(""),
        "empty scope: a scope is one or more printable ASCII characters",
    ),
    (
        Scope("a b"),
        "scope `a b` contains a space, which RFC 6749 does not allow in a scope (printable ASCII except space, `\"` and `\\`); write one string per scope",
    ),
    (
        Scope("a\"b"),
        "scope `a\"b` contains a double quote `\"`, which RFC 6749 does not allow in a scope (printable ASCII except space, `\"` and `\\`)",
    ),
    (
        Scope("a\\b"),
        "scope `a\\b` contains a backslash `\\`, which RFC 6749 does not allow in a scope (printable ASCII except space, `\"` and `\\`)",
    ),
    (
        Scope("café"),
        "scope `café` contains the non-ASCII character `é` (U+00E9), which RFC 6749 does not allow in a scope (printable ASCII except space, `\"` and `\\`)",
    ),
    (
        Scope("a\tb"),
        "scope `a\tb` contains a tab, which RFC 6749 does not allow in a scope (printable ASCII except space, `\"` and `\\`)",
    ),
    (
        Scope("agents:{id}:run"),
        "scope `agents:{id}:run` is a scope template: it names a path capture in braces, so it is only allowed in a `scopes!` rule, whose path defines the capture (`\"POST /agents/{agent_id}/runs\" => [\"agents:{agent_id}:run\"]`)",
    ),
    (
        Template("agents:{agent_id:run", "/agents/{agent_id}"),
        "unbalanced or nested braces in scope `agents:{agent_id:run`: a scope template names a capture of its rule's path as `{name}`, e.g. `agents:{agent_id}:run`",
    ),
    (
        Template("agents:{}:run", "/agents/{agent_id}"),
        "empty braces `{}` in scope `agents:{}:run`: name a capture of the rule's path, e.g. `agents:{agent_id}:run`",
    ),
    (
        Template("agents:{1x}:run", "/agents/{agent_id}"),
        "`{1x}` in scope `agents:{1x}:run` is not a capture name (letters, digits, `_`; not starting with a digit)",
    ),
    (
        Template("files:{*path}", "/files/{*path}"),
        "`{*path}` in scope `files:{*path}` is not a capture name (letters, digits, `_`; not starting with a digit); a scope names a catch-all without its `*`: write `{path}`",
    ),
    (
        Template("{agent_id}", "/agents/{agent_id}"),
        "scope `{agent_id}` is only a capture, so the request's path would choose the scope a caller needs: add fixed text around it, e.g. `agents:{agent_id}:read`",
    ),
    (
        Template("agents:{agentid}:run", "/agents/{agent_id}/runs"),
        "`{agentid}` in scope `agents:{agentid}:run` names no capture of this rule's path `/agents/{agent_id}/runs`; did you mean `{agent_id}`?",
    ),
    (
        Template("repo:{name}:read", "/orgs/{org}/repos/{repo}"),
        "`{name}` in scope `repo:{name}:read` names no capture of this rule's path `/orgs/{org}/repos/{repo}`; its captures are `{org}`, `{repo}`",
    ),
    (
        Template("agents:{agent_id}:read", "/agents"),
        "`{agent_id}` in scope `agents:{agent_id}:read` names no capture of this rule's path `/agents`; a scope template can only name a `{name}` or `{*name}` segment of its own rule's path",
    ),
    (
        Template("agents:{agent_id}:run", "/agents/*/runs"),
        "`{agent_id}` in scope `agents:{agent_id}:run` names no capture of this rule's path `/agents/*/runs`, whose `*` has no name: write the path as `/agents/{agent_id}/runs` to name it",
    ),
    (
        Template("docs:{page}:read", "/docs/**"),
        "`{page}` in scope `docs:{page}:read` names no capture of this rule's path `/docs/**`, whose `**` has no name: write the path as `/docs/{*page}` to name it (`{*name}` matches one or more segments, `**` also none)",
    ),
];

/// axum 0.7 captures are refused wherever they stand, each one reported, while `:` inside
/// a literal, and `:` segments that name no capture, stay literals.
#[test]
fn axum_07_captures_are_refused_and_colon_literals_are_not() {
    let errors = RouteKey::parse("GET /projects/:id/files/*rest").unwrap_err();
    let suggested: Vec<&str> = errors
        .iter()
        .map(|e| match e {
            GrammarError::Axum07Capture { suggestion, .. } => suggestion.as_str(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(suggested, ["{id}", "{*rest}"]);
    assert!(matches!(
        only_error(&Path("/agents/:agent_id/runs")),
        GrammarError::Axum07Capture { ref segment, .. } if segment == ":agent_id"
    ));
    // Not a capture name after the sigil: `*` keeps its own message.
    assert!(matches!(
        only_error(&Path("/a/*.json")),
        GrammarError::WildcardInsideSegment { .. }
    ));
    for path in ["/v1/models:batch", "/a/b:c:d", "/:", "/a/:8080", "/a/:x-y"] {
        assert!(PathPattern::parse(path).is_ok(), "{path}");
    }
}

#[test]
fn every_message_is_rendered_exactly() {
    for (input, expected) in RENDERED {
        let error = only_error(input);
        assert_eq!(error.to_string(), *expected, "{error:?}");
        assert_eq!(error.message(), *expected);
    }
}

#[test]
fn every_kind_is_rendered() {
    let mut seen = [false; KINDS];
    for (input, _) in RENDERED {
        seen[ordinal(&only_error(input))] = true;
    }
    let missing: Vec<usize> = (0..KINDS).filter(|&k| !seen[k]).collect();
    assert!(
        missing.is_empty(),
        "kinds without a rendered message: {missing:?}"
    );
}
