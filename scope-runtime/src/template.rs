//! Scopes of a requirement, fixed or templates filled from the request path, and the
//! one comparison of a token's scopes with them.
//!
//! A template (`agents:{agent_id}:run`) is held by a token scope equal to it with each
//! capture filled by the value the handler's `Path` sees, or by `*` in place of that
//! value. The comparison walks the template's parts over each token scope: no string is
//! built, and the work is bounded by the token's scopes times the template's length.

use std::borrow::Cow;
use std::fmt;

use scope_grammar::is_scope_byte;

/// One scope of a [`Requirement`](crate::Requirement), as written in `scopes!`: a fixed
/// scope (`app:read`) or a scope template naming captures of its rule's path
/// (`agents:{agent_id}:run`), filled per request.
///
/// It compares equal to its text as written, so a rule's scopes can be checked against
/// string literals:
///
/// ```
/// use scope_runtime::{scopes, Policy};
///
/// static POLICY: Policy = scopes! {
///     "POST /agents/{agent_id}/runs" => any["agents:run", "agents:{agent_id}:run"],
/// };
/// let scopes = POLICY.rules()[0].requirement().scopes();
/// assert_eq!(scopes, ["agents:run", "agents:{agent_id}:run"]);
/// assert!(!scopes[0].is_template() && scopes[1].is_template());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Scope {
    text: &'static str,
    /// Empty for a fixed scope.
    parts: &'static [TemplatePart],
}

/// One part of a scope template, as `scopes!` writes it: fixed text, or the capture
/// whose value fills it. Only expansions name it.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TemplatePart {
    /// Fixed text.
    Text(&'static str),
    /// The value of the capture `name` of the rule's path: the segment at index
    /// `segment` (the first after the leading `/` is 0), or with `rest`, the rest of
    /// the path from that segment on.
    Capture {
        /// The capture's name.
        name: &'static str,
        /// Its segment's index.
        segment: u16,
        /// Whether it is a catch-all (`{*name}`).
        rest: bool,
    },
}

impl Scope {
    /// A fixed scope (checked by the macro that writes it).
    pub(crate) const fn fixed(text: &'static str) -> Scope {
        Scope { text, parts: &[] }
    }

    /// A scope template and its parts (checked and resolved by the macro that writes
    /// them).
    pub(crate) const fn template(text: &'static str, parts: &'static [TemplatePart]) -> Scope {
        Scope { text, parts }
    }

    /// The scope as written, braces included for a template.
    pub fn as_str(&self) -> &'static str {
        self.text
    }

    /// Whether it names a capture of its rule's path.
    pub fn is_template(&self) -> bool {
        !self.parts.is_empty()
    }

    /// The capture names a template uses, left to right (none for a fixed scope).
    pub fn captures(&self) -> impl Iterator<Item = &'static str> {
        self.parts.iter().filter_map(|part| match part {
            TemplatePart::Capture { name, .. } => Some(*name),
            TemplatePart::Text(_) => None,
        })
    }

    /// Whether a token holding `held` holds this scope on a request whose decoded path
    /// (from the root, with its leading `/`) is `path`, the path the rule matched.
    ///
    /// The capture values are read from `path` once, not once per token scope; a
    /// template of one capture (the usual `agents:{agent_id}:run`) compares each token
    /// scope of one of its two possible lengths at the value's place first.
    pub(crate) fn is_held(&self, held: &[String], path: &[u8]) -> bool {
        use TemplatePart::{Capture, Text};
        let (prefix, segment, rest, suffix) = match *self.parts {
            [] => return held.iter().any(|s| s == self.text),
            [Text(prefix), Capture { segment, rest, .. }, Text(suffix)] => {
                (prefix, segment, rest, suffix)
            }
            [Text(prefix), Capture { segment, rest, .. }] => (prefix, segment, rest, ""),
            [Capture { segment, rest, .. }, Text(suffix)] => ("", segment, rest, suffix),
            _ => return self.is_held_general(held, path),
        };
        let Some(value) = capture_value(path, segment, rest).filter(|v| is_value(v)) else {
            return false;
        };
        let (prefix, suffix) = (prefix.as_bytes(), suffix.as_bytes());
        let exact = prefix.len() + value.len() + suffix.len();
        let wildcard = prefix.len() + 1 + suffix.len();
        held.iter().any(|scope| {
            let scope = scope.as_bytes();
            if scope.len() != exact && scope.len() != wildcard {
                return false;
            }
            // Long enough for both: `wildcard` and `exact` hold prefix and suffix.
            let middle = &scope[prefix.len()..scope.len() - suffix.len()];
            // `value` holds no `*`: one reading at most fits. Byte loops: the values and
            // texts are short, a call to `memcmp` costs more than comparing them.
            (same(middle, value) || middle == b"*")
                && same(&scope[..prefix.len()], prefix)
                && same(&scope[scope.len() - suffix.len()..], suffix)
        })
    }

    /// [`Scope::is_held`] for a template of several captures (or of captures side by
    /// side): its values read once, into a stack array.
    fn is_held_general(&self, held: &[String], path: &[u8]) -> bool {
        let mut values: [&[u8]; INLINE_VALUES] = [&[]; INLINE_VALUES];
        let Some((count, min, max)) = self.read_values(path, &mut values) else {
            return false;
        };
        let values = &values[..count.min(INLINE_VALUES)];
        held.iter()
            .filter(|s| (min..=max).contains(&s.len()))
            .any(|s| self.matches(s.as_bytes(), values, path))
    }

    /// The shortest and longest token scope that can hold this template on `path`
    /// (every capture as `*`, every capture as its value), or `None` when a value is
    /// not a valid scope-token or holds a `*`, `{` or `}`: such a value satisfies no
    /// template.
    fn filled_lengths(&self, path: &[u8]) -> Option<(usize, usize)> {
        let mut values: [&[u8]; INLINE_VALUES] = [&[]; INLINE_VALUES];
        self.read_values(path, &mut values)
            .map(|(_, min, max)| (min, max))
    }

    /// Reads the capture values from `path` once: the first [`INLINE_VALUES`] into
    /// `values`; returns how many there are and [`Scope::filled_lengths`]'s bounds, or
    /// `None` when a value fills nothing.
    fn read_values<'p>(
        &self,
        path: &'p [u8],
        values: &mut [&'p [u8]; INLINE_VALUES],
    ) -> Option<(usize, usize, usize)> {
        let (mut count, mut min, mut max) = (0, 0, 0);
        for part in self.parts {
            match *part {
                TemplatePart::Text(text) => {
                    min += text.len();
                    max += text.len();
                }
                TemplatePart::Capture { segment, rest, .. } => {
                    let value = capture_value(path, segment, rest).filter(|v| is_value(v))?;
                    if let Some(slot) = values.get_mut(count) {
                        *slot = value;
                    }
                    count += 1;
                    min += 1;
                    max += value.len();
                }
            }
        }
        Some((count, min, max))
    }

    /// Whether `scope` equals this template with each capture as its value or as `*`
    /// (values hold no `*`, so at each capture one reading at most fits). `values` are
    /// the first captures' values, in order; any further one is read from `path`.
    fn matches(&self, scope: &[u8], values: &[&[u8]], path: &[u8]) -> bool {
        let mut rest = scope;
        let mut captures = 0;
        for part in self.parts {
            let expected: &[u8] = match *part {
                TemplatePart::Text(text) => text.as_bytes(),
                TemplatePart::Capture {
                    segment,
                    rest: tail,
                    ..
                } => {
                    captures += 1;
                    if rest.first() == Some(&b'*') {
                        b"*"
                    } else if let Some(value) = values.get(captures - 1) {
                        value
                    } else {
                        match capture_value(path, segment, tail) {
                            Some(value) => value,
                            None => return false,
                        }
                    }
                }
            };
            match rest.strip_prefix(expected) {
                Some(after) => rest = after,
                None => return false,
            }
        }
        rest.is_empty()
    }

    /// The scope a refusal names: a template filled with the path's values, or as
    /// written when a value could never fill it.
    pub(crate) fn filled(&self, path: &[u8]) -> Cow<'static, str> {
        let max = match self.filled_lengths(path) {
            Some((_, max)) if !self.parts.is_empty() => max,
            _ => return Cow::Borrowed(self.text),
        };
        // One allocation, of the filled length (every capture as its value), as a fixed
        // scope's `into_owned` makes.
        let mut filled = String::with_capacity(max);
        for part in self.parts {
            match *part {
                TemplatePart::Text(text) => filled.push_str(text),
                TemplatePart::Capture { segment, rest, .. } => {
                    // Checked by `filled_lengths`: present, and printable ASCII.
                    let value = capture_value(path, segment, rest).unwrap_or_default();
                    filled.push_str(std::str::from_utf8(value).unwrap_or_default());
                }
            }
        }
        Cow::Owned(filled)
    }

    /// The values of `capture` this scope grants a token holding `held`. A template
    /// that names `capture` once and no other capture grants the values of the token
    /// scopes that fit it (all of them for a `*`); any other template grants none.
    pub(crate) fn granted<'c>(&self, held: &'c [String], capture: &str) -> Granted<'c> {
        if self.parts.is_empty() {
            return Granted::from_bool(held.iter().any(|s| s == self.text));
        }
        let Some((prefix, suffix)) = self.around(capture) else {
            return Granted::Nothing;
        };
        let mut values = Vec::new();
        for scope in held {
            if scope.len() <= prefix.len() + suffix.len() {
                continue;
            }
            let Some(value) = scope
                .strip_prefix(prefix)
                .and_then(|s| s.strip_suffix(suffix))
            else {
                continue;
            };
            if value == "*" {
                return Granted::All;
            }
            if is_value(value.as_bytes()) && !values.contains(&value) {
                values.push(value);
            }
        }
        Granted::from_values(values)
    }

    /// The fixed text before and after the template's one capture, when that capture
    /// is `capture`.
    fn around(&self, capture: &str) -> Option<(&'static str, &'static str)> {
        use TemplatePart::{Capture, Text};
        let (name, prefix, suffix) = match *self.parts {
            [Capture { name, .. }, Text(suffix)] => (name, "", suffix),
            [Text(prefix), Capture { name, .. }] => (name, prefix, ""),
            [Text(prefix), Capture { name, .. }, Text(suffix)] => (name, prefix, suffix),
            _ => return None,
        };
        (name == capture).then_some((prefix, suffix))
    }
}

impl fmt::Debug for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.text, f)
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text)
    }
}

impl PartialEq<str> for Scope {
    fn eq(&self, other: &str) -> bool {
        self.text == other
    }
}

impl PartialEq<&str> for Scope {
    fn eq(&self, other: &&str) -> bool {
        self.text == *other
    }
}

/// Whether `a` and `b` are equal, compared byte by byte from the left (no call).
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

/// How many capture values [`Scope::is_held`] keeps on the stack; a template naming more
/// reads the others from the path again for each token scope.
const INLINE_VALUES: usize = 8;

/// Whether a capture value can fill a template: a non-empty scope-token without `*`,
/// `{` or `}`. Those are the template's own syntax: a `*` value would fill a template
/// into its wildcard, and a value `{agent_id}` would fill `agents:{agent_id}:run` into
/// its text as written, which no token scope may satisfy (nor would a token holding an
/// unfilled template be told from one granting the resource named `{agent_id}`).
fn is_value(value: &[u8]) -> bool {
    !value.is_empty()
        && value
            .iter()
            .all(|&b| is_scope_byte(b) && !matches!(b, b'*' | b'{' | b'}'))
}

/// The value of the capture at `segment` in the decoded `path` (with its leading `/`):
/// that segment, or with `rest`, everything from it on.
fn capture_value(path: &[u8], segment: u16, rest: bool) -> Option<&[u8]> {
    let mut tail = path.strip_prefix(b"/")?;
    for _ in 0..segment {
        let slash = tail.iter().position(|&b| b == b'/')?;
        tail = &tail[slash + 1..];
    }
    if rest {
        return Some(tail);
    }
    Some(match tail.iter().position(|&b| b == b'/') {
        Some(end) => &tail[..end],
        None => tail,
    })
}

/// Which values of a capture a token is granted (see
/// [`VerifiedClaims::granted`](crate::VerifiedClaims::granted)).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Granted<'c> {
    /// Every value: a fixed scope that satisfies the rule, a template held with `*`, or
    /// the layer's admin scope. (Through the layer, a value that is not a valid
    /// scope-token still satisfies no template: only a fixed scope or the admin scope
    /// pass a request for it.)
    All,
    /// Only these values (in token order, without repeats), each a valid value.
    Only(Vec<&'c str>),
    /// No value.
    Nothing,
}

impl<'c> Granted<'c> {
    /// Whether `value` is granted.
    ///
    /// ```
    /// use scope_runtime::Granted;
    /// assert!(Granted::Only(vec!["research-agent"]).allows("research-agent"));
    /// assert!(!Granted::Only(vec!["research-agent"]).allows("finance-agent"));
    /// assert!(Granted::All.allows("finance-agent") && !Granted::Nothing.allows("x"));
    /// ```
    pub fn allows(&self, value: &str) -> bool {
        match self {
            Granted::All => true,
            Granted::Only(values) => values.contains(&value),
            Granted::Nothing => false,
        }
    }

    /// Whether no value at all is granted.
    pub fn is_nothing(&self) -> bool {
        matches!(self, Granted::Nothing)
    }

    fn from_bool(all: bool) -> Granted<'c> {
        if all { Granted::All } else { Granted::Nothing }
    }

    fn from_values(values: Vec<&'c str>) -> Granted<'c> {
        if values.is_empty() {
            Granted::Nothing
        } else {
            Granted::Only(values)
        }
    }

    /// Values granted by both (all listed scopes are needed).
    pub(crate) fn and(self, other: Granted<'c>) -> Granted<'c> {
        match (self, other) {
            (Granted::Nothing, _) | (_, Granted::Nothing) => Granted::Nothing,
            (Granted::All, g) | (g, Granted::All) => g,
            (Granted::Only(a), Granted::Only(b)) => {
                Granted::from_values(a.into_iter().filter(|v| b.contains(v)).collect())
            }
        }
    }

    /// Values granted by either (one listed scope is enough).
    pub(crate) fn or(self, other: Granted<'c>) -> Granted<'c> {
        match (self, other) {
            (Granted::All, _) | (_, Granted::All) => Granted::All,
            (Granted::Nothing, g) | (g, Granted::Nothing) => g,
            (Granted::Only(mut a), Granted::Only(b)) => {
                for v in b {
                    if !a.contains(&v) {
                        a.push(v);
                    }
                }
                Granted::Only(a)
            }
        }
    }
}

/// As its text as written (`"agents:{agent_id}:run"`).
impl serde::Serialize for Scope {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.text)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// A template of these parts, leaked: `scopes!` writes them as `'static` data.
    fn template(parts: Vec<TemplatePart>) -> Scope {
        let text: String = parts
            .iter()
            .map(|part| match part {
                TemplatePart::Text(text) => (*text).to_owned(),
                TemplatePart::Capture { name, rest, .. } => {
                    format!("{{{}{name}}}", if *rest { "*" } else { "" })
                }
            })
            .collect();
        Scope::template(Box::leak(text.into_boxed_str()), Box::leak(parts.into()))
    }

    fn held(scopes: &[&str]) -> Vec<String> {
        scopes.iter().map(|s| (*s).to_owned()).collect()
    }

    /// The reference: fill the template with each combination of value-or-`*` per
    /// capture, build the string, look for it among the token's scopes.
    fn naive_is_held(scope: &Scope, held: &[String], path: &[u8]) -> bool {
        let mut values = Vec::new();
        for part in scope.parts {
            if let TemplatePart::Capture { segment, rest, .. } = *part {
                let Some(value) = capture_value(path, segment, rest) else {
                    return false;
                };
                let Ok(value) = std::str::from_utf8(value) else {
                    return false;
                };
                let valid = !value.is_empty()
                    && value
                        .bytes()
                        .all(|b| (0x21..=0x7e).contains(&b) && !b"\"\\*{}".contains(&b));
                if !valid {
                    return false;
                }
                values.push(value);
            }
        }
        (0u32..1 << values.len()).any(|stars| {
            let mut filled = String::new();
            let mut capture = 0;
            for part in scope.parts {
                match part {
                    TemplatePart::Text(text) => filled.push_str(text),
                    TemplatePart::Capture { .. } => {
                        filled.push_str(if stars & (1 << capture) != 0 {
                            "*"
                        } else {
                            values[capture]
                        });
                        capture += 1;
                    }
                }
            }
            held.contains(&filled)
        })
    }

    const AGENT_RUN: &[TemplatePart] = &[
        TemplatePart::Text("agents:"),
        TemplatePart::Capture {
            name: "agent_id",
            segment: 1,
            rest: false,
        },
        TemplatePart::Text(":run"),
    ];

    #[test]
    fn filled_with_the_path_value_or_a_star() {
        let run = Scope::template("agents:{agent_id}:run", AGENT_RUN);
        let path = b"/agents/research-agent/runs";
        assert!(run.is_held(&held(&["agents:research-agent:run"]), path));
        assert!(run.is_held(&held(&["x", "agents:*:run"]), path));
        for refused in [
            "agents:{agent_id}:run",
            "agents:finance-agent:run",
            "agents:research-agent:read",
            "agents:research-agent:run ",
            "agents:research-*:run",
            "agents:**:run",
            "agents:run",
            "agents::run",
        ] {
            assert!(!run.is_held(&held(&[refused]), path), "{refused}");
        }
        assert_eq!(run.filled(path), "agents:research-agent:run");
        // A value that is no scope-token, or holds a `*`, fills nothing, so even the
        // wildcard does not hold it, and a refusal names the template as written.
        for path in [
            &b"/agents/a b/runs"[..],
            b"/agents/a\"b/runs",
            b"/agents/*/runs",
            b"/agents/a*/runs",
            "/agents/caf\u{e9}/runs".as_bytes(),
            b"/agents//runs",
            b"/agents",
        ] {
            let all = held(&["agents:*:run", "agents:a b:run", "agents:*:run"]);
            assert!(!run.is_held(&all, path), "{path:?}");
            assert_eq!(run.filled(path), "agents:{agent_id}:run");
        }
    }

    #[test]
    fn granted_values() {
        let run = Scope::template("agents:{agent_id}:run", AGENT_RUN);
        let scopes = held(&[
            "agents:a:run",
            "agents:b:run",
            "agents:a:run",
            "agents:a:read",
            "agents:bad value:run",
            "agents::run",
            "agents:x*:run",
        ]);
        assert_eq!(
            run.granted(&scopes, "agent_id"),
            Granted::Only(vec!["a", "b"])
        );
        assert_eq!(run.granted(&scopes, "other"), Granted::Nothing);
        assert_eq!(
            run.granted(&held(&["agents:*:run"]), "agent_id"),
            Granted::All
        );
        let two = template(vec![
            TemplatePart::Capture {
                name: "org",
                segment: 1,
                rest: false,
            },
            TemplatePart::Text("/"),
            TemplatePart::Capture {
                name: "repo",
                segment: 3,
                rest: false,
            },
        ]);
        assert_eq!(two.granted(&held(&["*/*"]), "repo"), Granted::Nothing);
    }

    /// Bytes that a decoded path or a token scope may hold, with the ones that matter
    /// over-represented: separators, the wildcard, braces, invalid bytes.
    fn byte() -> impl Strategy<Value = u8> {
        prop_oneof![
            4 => prop::sample::select(b"ab:*/-".to_vec()),
            1 => prop::sample::select(b" \"\\{}\x7f\xc3".to_vec()),
            1 => 0x21u8..0x7f,
        ]
    }

    fn text() -> impl Strategy<Value = String> {
        prop::collection::vec(prop::sample::select(b"ab:*-./".to_vec()), 0..4)
            .prop_map(|bytes| String::from_utf8(bytes).unwrap())
    }

    /// Parts alternating text and captures of segments 0..4; the last may be a
    /// catch-all.
    fn parts() -> impl Strategy<Value = Vec<TemplatePart>> {
        (
            prop::collection::vec((text(), 0u16..4), 1..4),
            text(),
            any::<bool>(),
        )
            .prop_map(|(pieces, tail, rest_last)| {
                let count = pieces.len();
                let mut parts = Vec::new();
                for (i, (text, segment)) in pieces.into_iter().enumerate() {
                    if !text.is_empty() {
                        parts.push(TemplatePart::Text(Box::leak(text.into_boxed_str())));
                    }
                    parts.push(TemplatePart::Capture {
                        name: "x",
                        segment,
                        rest: rest_last && i + 1 == count,
                    });
                }
                if !tail.is_empty() {
                    parts.push(TemplatePart::Text(Box::leak(tail.into_boxed_str())));
                }
                parts
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(
            std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(2048)
        ))]

        /// The walk over the parts agrees with building every filled string, whatever
        /// the template, the path's values and the token's scopes; and the scopes
        /// built from the path's own values are found.
        #[test]
        fn the_walk_agrees_with_building_the_strings(
            parts in parts(),
            segments in prop::collection::vec(prop::collection::vec(byte(), 0..5), 1..6),
            junk in prop::collection::vec(prop::collection::vec(byte(), 0..12), 0..6),
            stars in any::<u32>(),
        ) {
            let scope = template(parts);
            let mut path = Vec::new();
            for segment in &segments {
                path.push(b'/');
                path.extend_from_slice(segment);
            }
            let mut held: Vec<String> = junk
                .iter()
                .map(|bytes| String::from_utf8_lossy(bytes).into_owned())
                .collect();
            // A scope built the way a matching token would be, some captures as `*`.
            let mut built = String::new();
            let mut capture = 0;
            for part in scope.parts {
                match *part {
                    TemplatePart::Text(text) => built.push_str(text),
                    TemplatePart::Capture { segment, rest, .. } => {
                        if stars & (1 << capture) != 0 {
                            built.push('*');
                        } else if let Some(value) = capture_value(&path, segment, rest) {
                            built.push_str(&String::from_utf8_lossy(value));
                        }
                        capture += 1;
                    }
                }
            }
            held.push(built);
            prop_assert_eq!(scope.is_held(&held, &path), naive_is_held(&scope, &held, &path));
        }

        /// `granted` lists exactly the values whose filled scope the token holds.
        #[test]
        fn granted_agrees_with_filling(
            prefix in text(),
            suffix in text(),
            values in prop::collection::vec(prop::collection::vec(byte(), 0..5), 1..6),
        ) {
            prop_assume!(!prefix.is_empty() || !suffix.is_empty());
            let mut parts = Vec::new();
            if !prefix.is_empty() {
                parts.push(TemplatePart::Text(Box::leak(prefix.clone().into_boxed_str())));
            }
            parts.push(TemplatePart::Capture { name: "x", segment: 0, rest: false });
            if !suffix.is_empty() {
                parts.push(TemplatePart::Text(Box::leak(suffix.clone().into_boxed_str())));
            }
            let scope = template(parts);
            let values: Vec<String> = values
                .iter()
                .map(|v| String::from_utf8_lossy(v).replace('/', ""))
                .collect();
            let held: Vec<String> = values.iter().map(|v| format!("{prefix}{v}{suffix}")).collect();
            let granted = scope.granted(&held, "x");
            for value in &values {
                let path = format!("/{value}");
                let holds = scope.is_held(&held, path.as_bytes());
                match &granted {
                    // Every valid value: the token holds the wildcard.
                    Granted::All => prop_assert_eq!(holds, is_value(value.as_bytes()), "{}", value),
                    _ => prop_assert_eq!(granted.allows(value), holds, "{}", value),
                }
            }
        }
    }
}

#[cfg(test)]
mod shapes {
    use super::*;
    use TemplatePart::{Capture, Text};

    const fn capture(segment: u16) -> TemplatePart {
        Capture {
            name: "x",
            segment,
            rest: false,
        }
    }

    fn held(scope: &Scope, held: &[&str], path: &str) -> bool {
        let held: Vec<String> = held.iter().map(|s| (*s).to_owned()).collect();
        scope.is_held(&held, path.as_bytes())
    }

    #[test]
    fn one_capture_at_either_end() {
        static PREFIX_ONLY: [TemplatePart; 2] = [Text("agents:"), capture(1)];
        static SUFFIX_ONLY: [TemplatePart; 2] = [capture(1), Text(":read")];
        let prefix = Scope::template("agents:{x}", &PREFIX_ONLY);
        let suffix = Scope::template("{x}:read", &SUFFIX_ONLY);
        for (scope, yes, no) in [
            (
                &prefix,
                ["agents:a1", "agents:*"],
                ["agents:a", "agents:a1:read"],
            ),
            (&suffix, ["a1:read", "*:read"], ["a:read", "agents:a1:read"]),
        ] {
            for held_scope in yes {
                assert!(held(scope, &[held_scope], "/agents/a1"), "{held_scope}");
            }
            for held_scope in no {
                assert!(!held(scope, &[held_scope], "/agents/a1"), "{held_scope}");
            }
            assert!(!held(scope, &[scope.as_str()], "/agents/a1"));
        }
        // A one-byte value: the exact and the wildcard lengths are the same.
        assert!(held(&prefix, &["agents:a"], "/agents/a"));
        assert!(held(&prefix, &["agents:*"], "/agents/a"));
        assert!(!held(&prefix, &["agents:b"], "/agents/a"));
        // `is_held` reads the decoded path.
        assert!(!held(&prefix, &["agents:*"], "/agents/*"));
        assert!(!held(&prefix, &["agents:{x}"], "/agents/{x}"));
    }

    #[test]
    fn many_captures_beyond_the_stack_array() {
        // `/0/1/.../9`, a template naming the ten segments: two past `INLINE_VALUES`.
        static TEN: [TemplatePart; 20] = [
            Text("t:"),
            capture(0),
            Text("."),
            capture(1),
            Text("."),
            capture(2),
            Text("."),
            capture(3),
            Text("."),
            capture(4),
            Text("."),
            capture(5),
            Text("."),
            capture(6),
            Text("."),
            capture(7),
            Text("."),
            capture(8),
            Text("."),
            capture(9),
        ];
        let ten = Scope::template("t:{..}", &TEN);
        let path = "/a/b/c/d/e/f/g/h/i/j";
        assert!(held(&ten, &["t:a.b.c.d.e.f.g.h.i.j"], path));
        assert!(held(&ten, &["t:*.b.c.d.e.f.g.h.*.*"], path));
        assert!(!held(&ten, &["t:a.b.c.d.e.f.g.h.i.k"], path));
        assert!(!held(&ten, &["t:a.b.c.d.e.f.g.h.k.j"], path));
        assert!(!held(
            &ten,
            &["t:a.b.c.d.e.f.g.h.i.j"],
            "/a/b/c/d/e/f/g/h/i/*"
        ));
    }

    #[test]
    fn captures_side_by_side() {
        static SIDE: [TemplatePart; 3] = [Text("p:"), capture(0), capture(1)];
        let side = Scope::template("p:{a}{b}", &SIDE);
        assert!(held(&side, &["p:abc"], "/ab/c"));
        assert!(held(&side, &["p:*c"], "/ab/c"));
        assert!(held(&side, &["p:ab*"], "/ab/c"));
        assert!(held(&side, &["p:**"], "/ab/c"));
        assert!(!held(&side, &["p:a*"], "/ab/c"));
    }
}
