//! The wording shared by several messages: how to write a key, which methods exist, how
//! to name a character, and the hints appended to a message when a fix is obvious.

use crate::method::Method;
use crate::request_path::PathClass;

/// How a route key must be written; several key messages end with it.
pub(super) const KEY_FORMAT: &str =
    "write the key as `\"METHOD /path\"` with exactly one space, e.g. `\"GET /agents\"`";

/// The methods a rule can name, for the unknown-method message.
pub(super) const METHODS: &str =
    "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, TRACE, CONNECT, or `*` for any method";

/// Describes one character for an error message: printable ASCII as itself, the rest by
/// name.
pub(super) fn describe_char(c: char) -> String {
    match c {
        ' ' => "a space".to_owned(),
        '\t' => "a tab".to_owned(),
        '"' => "a double quote `\"`".to_owned(),
        '\\' => "a backslash `\\`".to_owned(),
        c if c.is_ascii_control() => format!("the control character U+{:04X}", c as u32),
        c if !c.is_ascii() => format!("the non-ASCII character `{c}` (U+{:04X})", c as u32),
        c => format!("`{c}`"),
    }
}

pub(super) fn missing_separator_hint(suggestion: Option<&str>) -> String {
    suggestion.map_or_else(String::new, |s| format!("; did you mean `\"{s}\"`?"))
}

pub(super) fn unknown_method_hint(suggestion: Option<Method>) -> String {
    suggestion.map_or_else(String::new, |m| format!("; did you mean `{m}`?"))
}

pub(super) fn leading_slash_fix(path: &str) -> String {
    if path.is_empty() {
        "write `/` for the root".to_owned()
    } else {
        format!("did you mean `/{path}`?")
    }
}

/// Why a character cannot stand in a path segment, and what to do about it.
pub(super) fn path_character_advice(c: char) -> &'static str {
    match c {
        '?' => " (a query string is not part of the path; rules match the path only)",
        '#' => " (a fragment is never sent to the server)",
        ' ' => " (percent-encode it as `%20` if the raw path really contains it)",
        c if !c.is_ascii() => {
            " (request paths are ASCII on the wire: write its percent-encoded UTF-8 bytes)"
        }
        _ => " (percent-encode it if the raw path really contains it)",
    }
}

pub(super) fn refused_byte_name(class: PathClass) -> &'static str {
    match class {
        PathClass::EncodedSlash => "a `/`",
        PathClass::Backslash => "a backslash",
        PathClass::EncodedPercent => "a `%`",
        _ => "a control character",
    }
}

pub(super) fn template_name_hint(name: &str) -> String {
    match name.strip_prefix('*') {
        Some(rest) if crate::pattern::is_capture_name(rest) => {
            format!("; a scope names a catch-all without its `*`: write `{{{rest}}}`")
        }
        _ => String::new(),
    }
}

pub(super) fn unknown_capture_hint(suggestion: Option<&str>, captures: &[String]) -> String {
    if let Some(s) = suggestion {
        return format!("; did you mean `{{{s}}}`?");
    }
    if captures.is_empty() {
        return "; a scope template can only name a `{name}` or `{*name}` segment of its own rule's path".to_owned();
    }
    let listed: Vec<String> = captures.iter().map(|c| format!("`{{{c}}}`")).collect();
    format!("; its captures are {}", listed.join(", "))
}
