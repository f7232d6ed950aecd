//! The one error type of the grammar: a message a user can act on.

use std::fmt;

/// A mistake in a route key, a path pattern or a scope.
///
/// The message names the offending segment or character and, where the fix is obvious,
/// says what to write instead. The proc-macro turns it into a `compile_error!` spanned on
/// the literal at fault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrammarError {
    message: String,
}

impl GrammarError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        GrammarError {
            message: message.into(),
        }
    }

    /// The full, human-readable message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for GrammarError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for GrammarError {}

/// Describes one byte for an error message: printable ASCII as itself, the rest by name.
pub(crate) fn describe_char(c: char) -> String {
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
