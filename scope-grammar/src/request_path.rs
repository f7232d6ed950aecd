//! How a request path is read: the spellings refused before any rule is looked up, and
//! the percent-decoding after which rules are matched.
//!
//! axum routes on the raw path, but what serves a request sees more than the raw bytes:
//! the `Path` extractor and `ServeDir` percent-decode, axum matches an empty segment
//! (`//`) as an empty `{x}` capture, a catch-all keeps `//` in its value, `nest_service`
//! rewrites `/v1//admin` to `/admin`, and `ServeDir` skips `.` and empty segments. A
//! policy compared with the raw bytes would then apply one rule while another route,
//! file or value is served. So a request path is read in two steps:
//!
//! 1. **Refused spellings** ([`PathClass`]): the spellings that the serving code may read
//!    differently from the policy are refused (400) before anything else, by default all
//!    of them.
//! 2. **Decoding**: every `%XX` escape is decoded, then the path is split at `/` and the
//!    rules are matched on the decoded segments, which are the values `Path` hands to
//!    handlers and the names `ServeDir` opens. Pattern literals are decoded when the
//!    macro runs, so `/users/%72oot` and `/users/root` are one path.
//!
//! The same classes are compile errors in a pattern literal, since a rule for a refused
//! spelling could never match. This module runs on the request path: nothing here
//! allocates except [`decode`] for a path that has escapes.

use std::borrow::Cow;
use std::fmt;

/// A spelling of a request path that the serving code may read differently from the
/// policy. Each is refused by default (400 `invalid_request`); see the layer's
/// `PathGuard` to allow one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PathClass {
    /// An empty segment that is not the last one (`/a//b`, `//a`): axum routes it to a
    /// `{x}` capture with an empty value, a catch-all keeps it in its value, `ServeDir`
    /// and `nest_service` drop it. A trailing slash (`/a/`) is not an empty segment.
    EmptySegment,
    /// A dot segment, `.` or `..`, plain or percent-encoded (`%2e`, `.%2E`): `ServeDir`
    /// skips `.`, clients and proxies resolve both.
    DotSegment,
    /// `%2F`: decoded by `Path` and `ServeDir` into a `/` that axum did not route on.
    EncodedSlash,
    /// `\` or `%5C`: a path separator to some file systems and proxies.
    Backslash,
    /// `%25`, or a `%` that starts no `%XX` escape: a `%` in a decoded value invites a
    /// second decoding further on.
    EncodedPercent,
    /// A control character, raw or encoded (`%00`-`%1F`, `%7F`): truncation and header
    /// injection in whatever logs or forwards the value.
    ControlCharacter,
}

impl PathClass {
    /// Every class, in the order the guard reports them.
    pub const ALL: [PathClass; 6] = [
        PathClass::EmptySegment,
        PathClass::DotSegment,
        PathClass::EncodedSlash,
        PathClass::Backslash,
        PathClass::EncodedPercent,
        PathClass::ControlCharacter,
    ];

    /// The bit of this class in a [`PathClasses`] set.
    const fn bit(self) -> u8 {
        1 << self as u8
    }

    /// The fixed public text of the refusal: the `detail` of the 400 body and the
    /// `error_description` of its challenge.
    pub const fn detail(self) -> &'static str {
        match self {
            PathClass::EmptySegment => "Invalid request path: empty segment (//)",
            PathClass::DotSegment => {
                "Invalid request path: dot segment (. or .., plain or percent-encoded)"
            }
            PathClass::EncodedSlash => "Invalid request path: percent-encoded slash (%2F)",
            PathClass::Backslash => "Invalid request path: backslash (\\ or %5C)",
            PathClass::EncodedPercent => {
                "Invalid request path: percent-encoded percent sign (%25) or a % that starts no escape"
            }
            PathClass::ControlCharacter => {
                "Invalid request path: control character (%00-%1F or %7F)"
            }
        }
    }
}

impl fmt::Display for PathClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.detail())
    }
}

/// A set of [`PathClass`]es (a bit set, `Copy`, usable in `const`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PathClasses(u8);

impl PathClasses {
    /// No class.
    pub const NONE: PathClasses = PathClasses(0);
    /// Every class.
    pub const ALL: PathClasses = PathClasses((1 << PathClass::ALL.len()) - 1);

    /// This set with `class` added.
    pub const fn with(self, class: PathClass) -> PathClasses {
        PathClasses(self.0 | class.bit())
    }

    /// This set without `class`.
    pub const fn without(self, class: PathClass) -> PathClasses {
        PathClasses(self.0 & !class.bit())
    }

    /// Whether `class` is in the set.
    pub const fn contains(self, class: PathClass) -> bool {
        self.0 & class.bit() != 0
    }

    /// The first class of the set that the raw `path` shows, in [`PathClass::ALL`] order
    /// of the segments from the left. One pass over the bytes, no allocation.
    ///
    /// ```
    /// use scope_grammar::{PathClass, PathClasses};
    /// let all = PathClasses::ALL;
    /// assert_eq!(all.first_in(b"/agents/a1/runs"), None);
    /// assert_eq!(all.first_in(b"/agents/"), None);
    /// assert_eq!(all.first_in(b"/agents//runs"), Some(PathClass::EmptySegment));
    /// assert_eq!(all.first_in(b"/static/%2e/x"), Some(PathClass::DotSegment));
    /// assert_eq!(all.first_in(b"/docs/a%2Fb"), Some(PathClass::EncodedSlash));
    /// assert_eq!(all.first_in(b"/users/%72oot"), None);
    /// let lenient = all.without(PathClass::EmptySegment);
    /// assert_eq!(lenient.first_in(b"/agents//runs"), None);
    /// ```
    pub fn first_in(self, path: &[u8]) -> Option<PathClass> {
        if self.0 == 0 {
            return None;
        }
        let rest = path.strip_prefix(b"/").unwrap_or(path);
        // Most paths hold none of the bytes any class starts with: one tight pass.
        let mut previous = b'/';
        let suspicious = rest.iter().any(|&b| {
            let found = matches!(b, b'%' | b'\\' | b'.')
                || is_control(b)
                || (b == b'/' && previous == b'/');
            previous = b;
            found
        });
        if !suspicious {
            return None;
        }
        let mut segments = rest.split(|&b| b == b'/').peekable();
        while let Some(segment) = segments.next() {
            let last = segments.peek().is_none();
            if let Some(class) = self.first_in_segment(segment, last) {
                return Some(class);
            }
        }
        None
    }

    fn first_in_segment(self, segment: &[u8], last: bool) -> Option<PathClass> {
        let refused = |class: PathClass| self.contains(class).then_some(class);
        if segment.is_empty() {
            return if last {
                None
            } else {
                refused(PathClass::EmptySegment)
            };
        }
        if segment.len() <= 6
            && is_dot_segment(segment)
            && let found @ Some(_) = refused(PathClass::DotSegment)
        {
            return found;
        }
        // A raw byte and the byte an escape decodes to are refused alike; a `%` that
        // starts no escape stays a raw `%`, refused as an encoded one would be.
        pieces(segment, escape_at).find_map(|(_, piece)| refused(refused_byte(piece.byte())?))
    }
}

impl Default for PathClasses {
    /// Every class: the strict default.
    fn default() -> PathClasses {
        PathClasses::ALL
    }
}

fn is_control(b: u8) -> bool {
    b < 0x20 || b == 0x7f
}

/// The byte of the `%XX` escape starting at `i`, if it is one.
pub(crate) fn escape_at(bytes: &[u8], i: usize) -> Option<u8> {
    let hex = bytes.get(i + 1..i + 3)?;
    Some(hex_value(hex[0])? << 4 | hex_value(hex[1])?)
}

/// One unit of a raw path: a byte as written, or an escape and the byte it stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Piece {
    /// A byte as written (a `%` that starts no escape, too).
    Byte(u8),
    /// A `%XX` escape (three bytes of the input) and the byte it decodes to.
    Escape(u8),
}

impl Piece {
    /// The byte this piece stands for.
    pub(crate) fn byte(self) -> u8 {
        match self {
            Piece::Byte(b) | Piece::Escape(b) => b,
        }
    }
}

/// Walks `bytes` from the left, one escape (as `escape` reads the `%` at an offset) or
/// else one byte at a time, yielding each piece with its offset. Every reading of a
/// path, and every check of a pattern literal, steps over escapes this one way.
pub(crate) fn pieces(
    bytes: &[u8],
    escape: fn(&[u8], usize) -> Option<u8>,
) -> impl Iterator<Item = (usize, Piece)> + '_ {
    let mut i = 0;
    std::iter::from_fn(move || {
        let at = i;
        let b = *bytes.get(at)?;
        let piece = if b == b'%'
            && let Some(decoded) = escape(bytes, at)
        {
            i += 3;
            Piece::Escape(decoded)
        } else {
            i += 1;
            Piece::Byte(b)
        };
        Some((at, piece))
    })
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// `.` or `..`, each dot plain or as `%2e`/`%2E`.
fn is_dot_segment(segment: &[u8]) -> bool {
    let mut dots = 0;
    for (_, piece) in pieces(segment, escape_at) {
        if piece.byte() != b'.' {
            return false;
        }
        dots += 1;
    }
    (1..=2).contains(&dots)
}

/// Percent-decodes `raw` into `out` (at least `raw.len()` bytes long) and returns the
/// decoded length. Every valid `%XX` escape is decoded; a `%` that starts no escape is
/// kept as it is, as axum's `Path` and `ServeDir` keep it.
///
/// ```
/// let mut out = [0u8; 32];
/// let n = scope_grammar::decode_into(b"/users/%72oot/caf%C3%A9", &mut out);
/// assert_eq!(&out[..n], "/users/root/café".as_bytes());
/// ```
///
/// # Panics
///
/// If `out` is shorter than `raw`.
pub fn decode_into(raw: &[u8], out: &mut [u8]) -> usize {
    read_into(raw, out, escape_at)
}

/// Copies `raw` into `out`, replacing each escape that `escape` decodes by its byte.
fn read_into(raw: &[u8], out: &mut [u8], escape: fn(&[u8], usize) -> Option<u8>) -> usize {
    assert!(out.len() >= raw.len(), "reading buffer too short");
    let mut n = 0;
    for (_, piece) in pieces(raw, escape) {
        out[n] = piece.byte();
        n += 1;
    }
    n
}

/// Writes into `out` (at least `raw.len()` bytes long) the path as axum's router compares
/// it with route literals, and returns its length: the router compares raw bytes, so an
/// escape matches a literal only as written. Route and rule literals are written with
/// upper-case escapes of the bytes a path cannot hold unescaped (the macro refuses any
/// other escape), so exactly those escapes are decoded here; an escape of a byte that a
/// path may hold unescaped (`%73`, `%3A`), or in lower-case hex (`%c3`), is kept as it is,
/// opaque: it equals no literal, as it equals no route literal.
///
/// ```
/// let mut out = [0u8; 32];
/// let n = scope_grammar::router_reading_into(b"/caf%C3%A9/%73um/%c3%a9", &mut out);
/// assert_eq!(&out[..n], "/café/%73um/%c3%a9".as_bytes());
/// ```
///
/// # Panics
///
/// If `out` is shorter than `raw`.
pub fn router_reading_into(raw: &[u8], out: &mut [u8]) -> usize {
    read_into(raw, out, canonical_escape_at)
}

/// The byte of the escape at `i` if it is written as a route literal must write it:
/// upper-case hex, of a byte that a path segment cannot hold unescaped.
pub(crate) fn canonical_escape_at(bytes: &[u8], i: usize) -> Option<u8> {
    let hex = bytes.get(i + 1..i + 3)?;
    let upper = |b: u8| b.is_ascii_digit() || (b'A'..=b'F').contains(&b);
    let decoded = escape_at(bytes, i)?;
    (upper(hex[0]) && upper(hex[1]) && !crate::pattern::is_pchar(decoded)).then_some(decoded)
}

/// The decoded path (see [`decode_into`]): borrowed when `raw` has no `%` at all.
///
/// ```
/// use std::borrow::Cow;
/// assert!(matches!(scope_grammar::decode(b"/agents/a1"), Cow::Borrowed(_)));
/// assert_eq!(&*scope_grammar::decode(b"/a%3Ab"), b"/a:b");
/// ```
pub fn decode(raw: &[u8]) -> Cow<'_, [u8]> {
    if !raw.contains(&b'%') {
        return Cow::Borrowed(raw);
    }
    let mut out = vec![0; raw.len()];
    let n = decode_into(raw, &mut out);
    out.truncate(n);
    Cow::Owned(out)
}

/// Whether `b` is an RFC 3986 unreserved character (ALPHA / DIGIT / `-` `.` `_` `~`),
/// which a URI producer never percent-encodes.
pub(crate) fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// The class of refused spellings a byte of a segment belongs to, whether written as
/// it is or as an escape (a pattern literal's decoded byte, too). A raw `/` never
/// occurs inside a segment, so `/` here is always `%2F`.
pub(crate) fn refused_byte(b: u8) -> Option<PathClass> {
    match b {
        b'/' => Some(PathClass::EncodedSlash),
        b'\\' => Some(PathClass::Backslash),
        b'%' => Some(PathClass::EncodedPercent),
        b if is_control(b) => Some(PathClass::ControlCharacter),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first(path: &str) -> Option<PathClass> {
        PathClasses::ALL.first_in(path.as_bytes())
    }

    #[test]
    fn each_class_is_found() {
        use PathClass::*;
        for (path, class) in [
            ("//", Some(EmptySegment)),
            ("//a", Some(EmptySegment)),
            ("/a//", Some(EmptySegment)),
            ("/a/./b", Some(DotSegment)),
            ("/a/..", Some(DotSegment)),
            ("/a/%2e%2E", Some(DotSegment)),
            ("/a/.%2e/b", Some(DotSegment)),
            ("/a/%2e", Some(DotSegment)),
            ("/a/...", None),
            ("/a/.b", None),
            ("/a/a%2eb", None),
            ("/a%2fb", Some(EncodedSlash)),
            ("/a%2Fb", Some(EncodedSlash)),
            ("/a\\b", Some(Backslash)),
            ("/a%5cb", Some(Backslash)),
            ("/a%25", Some(EncodedPercent)),
            ("/a%", Some(EncodedPercent)),
            ("/a%2", Some(EncodedPercent)),
            ("/a%zz", Some(EncodedPercent)),
            ("/a%00", Some(ControlCharacter)),
            ("/a%0A", Some(ControlCharacter)),
            ("/a%7f", Some(ControlCharacter)),
            ("/a\x01", Some(ControlCharacter)),
            ("/", None),
            ("/a/", None),
            ("/a%20b/%C3%A9/%3A", None),
        ] {
            assert_eq!(first(path), class, "{path:?}");
        }
    }

    #[test]
    fn allowed_classes_are_skipped_and_the_next_is_found() {
        let classes = PathClasses::ALL.without(PathClass::EmptySegment);
        assert_eq!(classes.first_in(b"/a//b"), None);
        assert_eq!(classes.first_in(b"/a//%2F"), Some(PathClass::EncodedSlash));
        assert_eq!(PathClasses::NONE.first_in(b"/a//%2F/../%00"), None);
        assert!(
            PathClasses::NONE
                .with(PathClass::Backslash)
                .contains(PathClass::Backslash)
        );
    }

    #[test]
    fn decoding_keeps_stray_percent_signs() {
        assert_eq!(&*decode(b"/a%zz%4"), b"/a%zz%4");
        assert_eq!(&*decode(b"/%41%61%2F"), b"/Aa/");
    }
}
