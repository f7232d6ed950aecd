//! Path patterns: parsing, matching one raw path, shape equality and precedence.

use std::cmp::Ordering;

use crate::error::GrammarError;
use crate::request_path::{
    Piece, canonical_escape_at, escape_at, is_unreserved, pieces, refused_byte,
};

/// One segment of a path pattern.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Segment {
    /// The segment's bytes, percent-decoded (`%72oot` is `root`), compared with the
    /// decoded request segment. The empty literal only appears last, for a trailing
    /// slash (`/agents/`) or the root (`/`).
    Literal(Vec<u8>),
    /// `*` or `{name}`: exactly one non-empty segment.
    One {
        /// The capture name of `{name}`; `None` for `*`.
        name: Option<String>,
    },
    /// `**` (zero or more segments) or `{*name}` (one or more, axum's catch-all); last only.
    Rest {
        /// The capture name of `{*name}`; `None` for `**`.
        name: Option<String>,
    },
}

impl Segment {
    /// Precedence of this segment kind at one position: a literal beats `*`/`{x}`, which
    /// beats `{*x}`, which beats `**` (the narrower catch-all wins).
    fn rank(&self) -> u8 {
        match self {
            Segment::Literal(_) => 4,
            Segment::One { .. } => 3,
            Segment::Rest { name: Some(_) } => 2,
            Segment::Rest { name: None } => 1,
        }
    }

    /// Same shape: equal literals, or the same wildcard kind whatever its capture name.
    fn same_shape(&self, other: &Segment) -> bool {
        match (self, other) {
            (Segment::Literal(a), Segment::Literal(b)) => a == b,
            _ => self.rank() == other.rank() && !matches!(self, Segment::Literal(_)),
        }
    }
}

/// A parsed path pattern such as `/agents/{agent_id}/runs`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PathPattern {
    source: String,
    segments: Vec<Segment>,
}

impl PathPattern {
    /// Parses a pattern, reporting every independent mistake.
    ///
    /// ```
    /// use scope_grammar::{PathPattern, Segment};
    /// let p = PathPattern::parse("/agents/{agent_id}/runs").unwrap();
    /// assert_eq!(p.segments()[1], Segment::One { name: Some("agent_id".into()) });
    /// assert!(PathPattern::parse("/agents//runs").is_err());
    /// ```
    pub fn parse(path: &str) -> Result<PathPattern, Vec<GrammarError>> {
        let mut errors = Vec::new();
        let Some(rest) = path.strip_prefix('/') else {
            return Err(vec![GrammarError::MissingLeadingSlash {
                path: path.to_owned(),
            }]);
        };
        let raw: Vec<&str> = rest.split('/').collect();
        let mut segments = Vec::with_capacity(raw.len());
        let mut names: Vec<&str> = Vec::new();
        for (i, seg) in raw.iter().enumerate() {
            let last = i + 1 == raw.len();
            match parse_segment(path, seg, last) {
                Ok(segment) => {
                    if let Segment::One { name: Some(n) } | Segment::Rest { name: Some(n) } =
                        &segment
                    {
                        if names.contains(&n.as_str()) {
                            errors.push(GrammarError::DuplicateCapture {
                                name: n.clone(),
                                path: path.to_owned(),
                            });
                        } else {
                            names.push(seg.trim_matches(|c| c == '{' || c == '}' || c == '*'));
                        }
                    }
                    if matches!(segment, Segment::Rest { .. }) && !last {
                        errors.push(GrammarError::CatchAllNotLast {
                            segment: (*seg).to_owned(),
                            path: path.to_owned(),
                        });
                    }
                    segments.push(segment);
                }
                Err(e) => errors.push(e),
            }
        }
        if errors.is_empty() {
            Ok(PathPattern {
                source: path.to_owned(),
                segments,
            })
        } else {
            Err(errors)
        }
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// The segments, left to right. `/` is one empty literal; `/a/` ends with one.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// Capture names in order (`{name}` and `{*name}`).
    pub fn capture_names(&self) -> impl Iterator<Item = &str> {
        self.segments.iter().filter_map(|s| match s {
            Segment::One { name: Some(n) } | Segment::Rest { name: Some(n) } => Some(n.as_str()),
            _ => None,
        })
    }

    /// Whether two patterns have the same shape (`*` and `{id}` are the same shape).
    pub fn same_shape(&self, other: &PathPattern) -> bool {
        self.segments.len() == other.segments.len()
            && self
                .segments
                .iter()
                .zip(&other.segments)
                .all(|(a, b)| a.same_shape(b))
    }

    /// Whether this pattern matches a request path that is already percent-decoded (see
    /// [`crate::decode`]; no other normalisation).
    ///
    /// This is the interpreted definition the generated matcher is tested against.
    pub fn matches(&self, path: &[u8]) -> bool {
        let Some(mut rest) = path.strip_prefix(b"/") else {
            return false;
        };
        // `rest` is what follows the last consumed `/`; `ended` is set once the last
        // segment of the path has been consumed.
        let mut ended = false;
        for pat in &self.segments {
            match pat {
                // `**`: zero or more segments, so anything left (or nothing) matches.
                Segment::Rest { name: None } => return true,
                // `{*name}`: one or more, i.e. a non-empty remainder after a `/`.
                Segment::Rest { name: Some(_) } => return !ended && !rest.is_empty(),
                _ if ended => return false,
                _ => {
                    let (seg, next) = match rest.iter().position(|&b| b == b'/') {
                        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
                        None => (rest, None),
                    };
                    let ok = match pat {
                        Segment::Literal(lit) => lit.as_slice() == seg,
                        _ => !seg.is_empty(),
                    };
                    if !ok {
                        return false;
                    }
                    match next {
                        Some(n) => rest = n,
                        None => ended = true,
                    }
                }
            }
        }
        ended
    }

    /// Precedence between two patterns that both match one path: the more specific is
    /// `Greater`. Decided segment by segment from the left: literal > `*`/`{x}` > `{*x}` >
    /// `**`; a pattern that ends exactly where the path ends beats a `**` that matched
    /// zero segments there.
    pub fn specificity_cmp(&self, other: &PathPattern) -> Ordering {
        let len = self.segments.len().max(other.segments.len());
        for i in 0..len {
            // A pattern that has ended matched the path exactly: rank it like a literal.
            let a = self.segments.get(i).map_or(4, Segment::rank);
            let b = other.segments.get(i).map_or(4, Segment::rank);
            match a.cmp(&b) {
                Ordering::Equal => {}
                unequal => return unequal,
            }
        }
        Ordering::Equal
    }
}

/// RFC 3986's unreserved characters and sub-delims: the bytes every part of a URL
/// (host, path segment, query) may hold as they are.
pub fn is_unreserved_or_sub_delim(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'-' | b'.'
                | b'_'
                | b'~'
                | b'!'
                | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
        )
}

/// Bytes RFC 3986 allows in a path segment (`pchar`) besides `%XX` escapes:
/// unreserved, sub-delims, `:` and `@`.
pub fn is_pchar(b: u8) -> bool {
    is_unreserved_or_sub_delim(b) || matches!(b, b':' | b'@')
}

pub(crate) fn is_capture_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn parse_segment(path: &str, seg: &str, last: bool) -> Result<Segment, GrammarError> {
    let path_owned = || path.to_owned();
    let seg_owned = || seg.to_owned();
    match seg {
        "" if last => return Ok(Segment::Literal(Vec::new())),
        "" => return Err(GrammarError::EmptySegment { path: path_owned() }),
        "*" => return Ok(Segment::One { name: None }),
        "**" => return Ok(Segment::Rest { name: None }),
        "." | ".." => {
            return Err(GrammarError::DotSegment {
                segment: seg_owned(),
                path: path_owned(),
            });
        }
        _ => {}
    }
    if let Some(inner) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
        let (name, rest) = match inner.strip_prefix('*') {
            Some(n) => (n, true),
            None => (inner, false),
        };
        if name.is_empty() {
            return Err(GrammarError::EmptyBraces {
                segment: seg_owned(),
                path: path_owned(),
                catch_all: rest,
            });
        }
        if !is_capture_name(name) {
            return Err(GrammarError::InvalidCaptureName {
                name: name.to_owned(),
                segment: seg_owned(),
                path: path_owned(),
            });
        }
        return Ok(if rest {
            Segment::Rest {
                name: Some(name.to_owned()),
            }
        } else {
            Segment::One {
                name: Some(name.to_owned()),
            }
        });
    }
    // axum 0.7 spelled captures `:name` and `*name`; axum 0.8 panics on such a route, and
    // as literals they would match none of its routes, so every request would be refused.
    // Only `:` or `*` followed by a whole capture name is taken for one: other segments
    // starting with `:` (`:`, `:8080`) stay literals, which a router built with axum's
    // `without_v07_checks` can serve; other `*` segments are refused below.
    if let Some((sigil, name)) = seg.split_at_checked(1)
        && matches!(sigil, ":" | "*")
        && is_capture_name(name)
    {
        let star = if sigil == "*" { "*" } else { "" };
        return Err(GrammarError::Axum07Capture {
            segment: seg_owned(),
            path: path_owned(),
            suggestion: format!("{{{star}{name}}}"),
        });
    }
    // A literal. Wildcards and braces must be whole segments.
    if seg.contains('{') || seg.contains('}') {
        let opens = seg.matches('{').count();
        let closes = seg.matches('}').count();
        return Err(if opens != closes {
            GrammarError::UnbalancedBraces {
                segment: seg_owned(),
                path: path_owned(),
            }
        } else {
            GrammarError::CaptureInsideSegment {
                segment: seg_owned(),
                path: path_owned(),
            }
        });
    }
    if seg.contains('*') {
        return Err(GrammarError::WildcardInsideSegment {
            segment: seg_owned(),
            path: path_owned(),
        });
    }
    // Every character and escape is checked before what the escapes decode to, so a
    // segment with both kinds of mistake reports the one in how it is written.
    for (i, piece) in pieces(seg.as_bytes(), escape_at) {
        match piece {
            Piece::Byte(b'%') => {
                return Err(GrammarError::BadPercentEscape {
                    segment: seg_owned(),
                    path: path_owned(),
                });
            }
            Piece::Byte(b) if !is_pchar(b) => {
                return Err(GrammarError::InvalidPathCharacter {
                    character: seg[i..].chars().next().unwrap_or('\u{fffd}'),
                    segment: seg_owned(),
                    path: path_owned(),
                });
            }
            Piece::Byte(_) | Piece::Escape(_) => {}
        }
    }
    decoded_literal(path, seg)
}

/// The decoded bytes of a literal segment whose characters and escapes are valid, or the
/// reason no request could ever be matched by it.
fn decoded_literal(path: &str, seg: &str) -> Result<Segment, GrammarError> {
    let path_owned = || path.to_owned();
    let seg_owned = || seg.to_owned();
    let decoded = crate::request_path::decode(seg.as_bytes()).into_owned();
    if decoded == b"." || decoded == b".." {
        return Err(GrammarError::EncodedDotSegment {
            segment: seg_owned(),
            path: path_owned(),
        });
    }
    let bytes = seg.as_bytes();
    for (i, piece) in pieces(bytes, escape_at) {
        let Piece::Escape(byte) = piece else {
            continue;
        };
        let escape = seg[i..i + 3].to_owned();
        if let Some(class) = refused_byte(byte) {
            return Err(GrammarError::RefusedEscape {
                escape,
                segment: seg_owned(),
                path: path_owned(),
                class,
            });
        }
        if is_unreserved(byte) {
            return Err(GrammarError::UnreservedEscape {
                escape,
                segment: seg_owned(),
                path: path_owned(),
                character: char::from(byte),
            });
        }
        if is_pchar(byte) {
            return Err(GrammarError::NeedlessEscape {
                escape,
                segment: seg_owned(),
                path: path_owned(),
                character: char::from(byte),
            });
        }
        if canonical_escape_at(bytes, i).is_none() {
            return Err(GrammarError::LowerCaseEscape {
                escape,
                segment: seg_owned(),
                path: path_owned(),
            });
        }
    }
    Ok(Segment::Literal(decoded))
}
