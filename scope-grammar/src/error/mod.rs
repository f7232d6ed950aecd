//! The one error type of the grammar: which mistake was made, and the message a user can
//! act on, written once per kind.

mod wording;

use crate::method::Method;
use crate::request_path::PathClass;
use wording::*;

/// A mistake in a route key, a path pattern or a scope: one variant per mistake, with
/// what its message shows.
///
/// The message (`Display`) names the offending segment or character and, where the fix
/// is obvious, says what to write instead. The proc-macro turns it into a
/// `compile_error!` spanned on the literal at fault. Match on the variant to tell
/// mistakes apart; more variants may come, so a match needs a `_` arm.
///
/// ```
/// use scope_grammar::{GrammarError, Method, RouteKey};
/// let errors = RouteKey::parse("GTE /agents").unwrap_err();
/// assert!(matches!(
///     &errors[0],
///     GrammarError::UnknownMethod { suggestion: Some(Method::Get), .. }
/// ));
/// assert!(errors[0].to_string().contains("did you mean `GET`?"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GrammarError {
    // The route key as a whole: `"METHOD /path"`.
    /// The route key is empty or only white space.
    #[error("the route key is empty: {KEY_FORMAT}")]
    EmptyKey,

    /// The route key starts with the path: `"/agents"`.
    #[error(
        "route key `{shown}` has no method: {KEY_FORMAT}, or `\"* {shown}\"` for any method",
        shown = .key.escape_debug()
    )]
    MissingMethod {
        /// The key as written.
        key: String,
    },

    /// The route key is a method followed by white space only: `"GET "`.
    #[error(
        "route key `{shown}` has no path after the method: e.g. `\"{method} /\"` for the root",
        shown = .key.escape_debug()
    )]
    MissingPath {
        /// The key as written.
        key: String,
        /// The method, without the white space after it.
        method: String,
    },

    /// The route key starts or ends with white space.
    #[error(
        "route key `{shown}` has leading or trailing white space: {KEY_FORMAT}",
        shown = .key.escape_debug()
    )]
    SurroundingWhiteSpace {
        /// The key as written.
        key: String,
    },

    /// The route key has no white space at all: `"GET/agents"`.
    #[error(
        "route key `{shown}` has no space between method and path: {KEY_FORMAT}{hint}",
        shown = .key.escape_debug(),
        hint = missing_separator_hint(.suggestion.as_deref())
    )]
    MissingSeparator {
        /// The key as written.
        key: String,
        /// The key with a space before its first `/`, when it has a `/` after some
        /// method.
        suggestion: Option<String>,
    },

    /// Method and path are separated by white space other than a space: `"GET\t/agents"`.
    #[error(
        "route key `{shown}` separates method and path with {described}: use exactly one space, `\"{suggestion}\"`",
        shown = .key.escape_debug(),
        described = describe_char(*.separator)
    )]
    WrongSeparator {
        /// The key as written.
        key: String,
        /// The white-space character found after the method.
        separator: char,
        /// The key with one space between method and path.
        suggestion: String,
    },

    /// Method and path are separated by more than one white-space character.
    #[error(
        "route key `{shown}` has more than one space between method and path: use exactly one, `\"{suggestion}\"`",
        shown = .key.escape_debug()
    )]
    ExtraSpaces {
        /// The key as written.
        key: String,
        /// The key with one space between method and path.
        suggestion: String,
    },

    // The method.
    /// A standard method in the wrong case: `get`. HTTP methods are case-sensitive.
    #[error("HTTP methods are case-sensitive: write `{expected}`, not `{method}`")]
    MethodCase {
        /// The method as written.
        method: String,
        /// The method it spells in upper case.
        expected: Method,
    },

    /// A method that is neither a standard one nor `*`.
    #[error(
        "unknown HTTP method `{method}`{hint} (expected one of {METHODS})",
        hint = unknown_method_hint(*.suggestion)
    )]
    UnknownMethod {
        /// The method as written.
        method: String,
        /// A standard method within two edits of it, if there is one.
        suggestion: Option<Method>,
    },

    // The path pattern.
    /// The path does not start with `/`.
    #[error("path `{path}` must start with `/`: {fix}", fix = leading_slash_fix(.path))]
    MissingLeadingSlash {
        /// The path as written.
        path: String,
    },

    /// Two captures of one path have the same name.
    #[error("capture name `{name}` is used twice in path `{path}`: give each capture its own name")]
    DuplicateCapture {
        /// The repeated name.
        name: String,
        /// The path as written.
        path: String,
    },

    /// `**` or `{*name}` before the last segment.
    #[error(
        "`{segment}` in path `{path}` matches the rest of the path, so it must be the last segment"
    )]
    CatchAllNotLast {
        /// The catch-all segment.
        segment: String,
        /// The path as written.
        path: String,
    },

    /// An empty segment (`//`) before the last one.
    #[error(
        "empty path segment (`//`) in `{path}`: remove the extra `/` (requests with an empty segment are refused before any rule is looked up)"
    )]
    EmptySegment {
        /// The path as written.
        path: String,
    },

    /// A `.` or `..` segment.
    #[error(
        "dot segment `{segment}` in `{path}`: clients and proxies remove dot segments, so a rule for one cannot be relied on; write the path without it"
    )]
    DotSegment {
        /// The dot segment.
        segment: String,
        /// The path as written.
        path: String,
    },

    /// `{}` or `{*}`: a capture without a name.
    #[error(
        "empty braces `{segment}` in `{path}`: name the capture, e.g. `{{{star}id}}`, or write `{wildcard}`",
        star = if *.catch_all { "*" } else { "" },
        wildcard = if *.catch_all { "**" } else { "*" }
    )]
    EmptyBraces {
        /// The segment, `{}` or `{*}`.
        segment: String,
        /// The path as written.
        path: String,
        /// Whether it is `{*}`, a catch-all.
        catch_all: bool,
    },

    /// A capture name that is not an identifier: `{1x}`.
    #[error(
        "capture name `{name}` in segment `{segment}` of `{path}` must be an identifier (letters, digits, `_`; not starting with a digit)"
    )]
    InvalidCaptureName {
        /// The name between the braces.
        name: String,
        /// The capture segment.
        segment: String,
        /// The path as written.
        path: String,
    },

    /// A segment with more `{` than `}` or the other way round.
    #[error(
        "unbalanced braces in segment `{segment}` of `{path}`: a capture is a whole segment written `{{name}}`"
    )]
    UnbalancedBraces {
        /// The segment.
        segment: String,
        /// The path as written.
        path: String,
    },

    /// A capture that is only part of a segment: `x{id}`.
    #[error(
        "capture inside segment `{segment}` of `{path}`: a capture must be a whole segment, e.g. `/{{name}}`"
    )]
    CaptureInsideSegment {
        /// The segment.
        segment: String,
        /// The path as written.
        path: String,
    },

    /// An axum 0.7 capture: a segment that is `:` or `*` followed by a capture name
    /// (`:id`, `*rest`). axum 0.8 refuses such routes, and as a literal the rule would
    /// match no route, so the 0.8 spelling is suggested.
    #[error(
        "segment `{segment}` of `{path}` is axum 0.7 capture syntax; this DSL (like axum 0.8) writes `{suggestion}`"
    )]
    Axum07Capture {
        /// The segment, `:name` or `*name`.
        segment: String,
        /// The path as written.
        path: String,
        /// The axum 0.8 spelling of the segment: `{name}` or `{*name}`.
        suggestion: String,
    },

    /// A `*` that is only part of a segment: `a*`.
    #[error(
        "wildcard inside segment `{segment}` of `{path}`: `*` and `**` must be whole segments (`/*` matches one segment, `/**` the rest)"
    )]
    WildcardInsideSegment {
        /// The segment.
        segment: String,
        /// The path as written.
        path: String,
    },

    /// A `%` not followed by two hex digits.
    #[error(
        "bad percent escape in segment `{segment}` of `{path}`: `%` must be followed by two hex digits, e.g. `%20`"
    )]
    BadPercentEscape {
        /// The segment.
        segment: String,
        /// The path as written.
        path: String,
    },

    /// A character that a path segment cannot hold unescaped: `?`, `#`, a space,
    /// non-ASCII...
    #[error(
        "segment `{segment}` of `{path}` contains {described}, which is not allowed in a path segment{why}",
        described = describe_char(*.character),
        why = path_character_advice(*.character)
    )]
    InvalidPathCharacter {
        /// The first character at fault.
        character: char,
        /// The segment.
        segment: String,
        /// The path as written.
        path: String,
    },

    /// A segment that decodes to `.` or `..`: `%2e`.
    #[error(
        "segment `{segment}` of `{path}` is a percent-encoded dot segment: requests spelling it are refused before any rule is looked up, so this rule could never match"
    )]
    EncodedDotSegment {
        /// The segment.
        segment: String,
        /// The path as written.
        path: String,
    },

    /// An escape of a byte whose requests are refused before any rule is looked up:
    /// `%2F`, `%5C`, `%25`, a control character.
    #[error(
        "escape `{escape}` in segment `{segment}` of `{path}` decodes to {what}: requests spelling it are refused (400) before any rule is looked up, so this rule could never match",
        what = refused_byte_name(*.class)
    )]
    RefusedEscape {
        /// The escape, as written.
        escape: String,
        /// The segment.
        segment: String,
        /// The path as written.
        path: String,
        /// The class of refused spellings it belongs to.
        class: PathClass,
    },

    /// An escape of an unreserved character, which no URI producer escapes: `%41`.
    #[error(
        "escape `{escape}` in segment `{segment}` of `{path}` is the unreserved character `{character}`: paths are matched percent-decoded, so write `{character}`"
    )]
    UnreservedEscape {
        /// The escape, as written.
        escape: String,
        /// The segment.
        segment: String,
        /// The path as written.
        path: String,
        /// The character it decodes to.
        character: char,
    },

    /// An escape of a reserved character a segment holds unescaped: `%3A`. axum's router
    /// compares raw paths, so the rule would differ from the route.
    #[error(
        "escape `{escape}` in segment `{segment}` of `{path}` is `{character}`, which a path segment holds unescaped: axum's router compares raw paths, so write `{character}` here and in the route"
    )]
    NeedlessEscape {
        /// The escape, as written.
        escape: String,
        /// The segment.
        segment: String,
        /// The path as written.
        path: String,
        /// The character it decodes to.
        character: char,
    },

    /// An escape in lower-case hex: `%c3`. axum's router compares raw paths, and routes
    /// are written in upper case.
    #[error(
        "escape `{escape}` in segment `{segment}` of `{path}` is in lower-case hex: axum's router compares raw paths, so write `{upper}` here and in the route",
        upper = .escape.to_ascii_uppercase()
    )]
    LowerCaseEscape {
        /// The escape, as written.
        escape: String,
        /// The segment.
        segment: String,
        /// The path as written.
        path: String,
    },

    // Scopes.
    /// An empty scope.
    #[error("empty scope: a scope is one or more printable ASCII characters")]
    EmptyScope,

    /// A character outside the scope-token alphabet (printable ASCII except space, `"`
    /// and `\`).
    #[error(
        "scope `{scope}` contains {described}, which RFC 6749 does not allow in a scope (printable ASCII except space, `\"` and `\\`){fix}",
        described = describe_char(*.character),
        fix = if *.character == ' ' { "; write one string per scope" } else { "" }
    )]
    InvalidScopeCharacter {
        /// The scope as written.
        scope: String,
        /// The first character at fault.
        character: char,
    },

    /// A scope template where no path defines its captures: in `#[require_scopes]`.
    #[error(
        "scope `{scope}` is a scope template: it names a path capture in braces, so it is only allowed in a `scopes!` rule, whose path defines the capture (`\"POST /agents/{{agent_id}}/runs\" => [\"agents:{{agent_id}}:run\"]`)"
    )]
    TemplateNotAllowed {
        /// The scope as written.
        scope: String,
    },

    /// A scope with a `{` that is not closed, a `}` that was not opened, or nested
    /// braces.
    #[error(
        "unbalanced or nested braces in scope `{scope}`: a scope template names a capture of its rule's path as `{{name}}`, e.g. `agents:{{agent_id}}:run`"
    )]
    TemplateUnbalancedBraces {
        /// The scope as written.
        scope: String,
    },

    /// `{}` in a scope.
    #[error(
        "empty braces `{{}}` in scope `{scope}`: name a capture of the rule's path, e.g. `agents:{{agent_id}}:run`"
    )]
    TemplateEmptyBraces {
        /// The scope as written.
        scope: String,
    },

    /// A name in braces that is not an identifier: `{1x}`, `{*path}`.
    #[error(
        "`{{{name}}}` in scope `{scope}` is not a capture name (letters, digits, `_`; not starting with a digit){hint}",
        hint = template_name_hint(.name)
    )]
    TemplateInvalidName {
        /// The scope as written.
        scope: String,
        /// What stands between the braces.
        name: String,
    },

    /// A scope made of captures only: the path would choose the scope a caller needs.
    #[error(
        "scope `{scope}` is only a capture, so the request's path would choose the scope a caller needs: add fixed text around it, e.g. `agents:{{agent_id}}:read`"
    )]
    TemplateWithoutText {
        /// The scope as written.
        scope: String,
    },

    /// A name in braces that is not a capture of the rule's path.
    #[error(
        "`{{{name}}}` in scope `{scope}` names no capture of this rule's path `{path}`{hint}",
        hint = unknown_capture_hint(.suggestion.as_deref(), .captures)
    )]
    TemplateUnknownCapture {
        /// The scope as written.
        scope: String,
        /// The name in braces.
        name: String,
        /// The rule's path.
        path: String,
        /// The capture of the path closest to `name`, if one is close.
        suggestion: Option<String>,
        /// Every capture name of the path.
        captures: Vec<String>,
    },

    /// A name in braces where the rule's path has an anonymous `*` or `**`.
    #[error(
        "`{{{name}}}` in scope `{scope}` names no capture of this rule's path `{path}`, whose `{wildcard}` has no name: write the path as `{suggested_path}` to name it{caveat}",
        caveat = if .wildcard == "**" { " (`{*name}` matches one or more segments, `**` also none)" } else { "" }
    )]
    TemplateAnonymousCapture {
        /// The scope as written.
        scope: String,
        /// The name in braces.
        name: String,
        /// The rule's path.
        path: String,
        /// The first anonymous segment, `*` or `**`.
        wildcard: String,
        /// The path with that segment named `name`.
        suggested_path: String,
    },
}

impl GrammarError {
    /// The full, human-readable message: the same text as `Display`.
    pub fn message(&self) -> String {
        self.to_string()
    }
}

#[cfg(test)]
mod tests;
