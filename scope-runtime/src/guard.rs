//! The request-path guard: the spellings refused before any rule is looked up.

use scope_grammar::{PathClass, PathClasses};

/// Which request-path spellings [`ScopeLayer`](crate::ScopeLayer) refuses with `400
/// invalid_request` before it looks up a rule or reads a token (public rules included).
///
/// A policy is matched on the percent-decoded path, split at `/`; these are the
/// spellings for which that reading and the reading of the code that serves the request
/// can differ, so no rule can be trusted to be the right one (after Spring Security's
/// `StrictHttpFirewall`). All are refused by default:
///
/// | [`PathClass`] | examples | why |
/// | --- | --- | --- |
/// | [`EmptySegment`](PathClass::EmptySegment) | `/a//b`, `//a` | axum routes it to a `{x}` with an empty value; catch-alls keep it; `ServeDir` and `nest_service` drop it |
/// | [`DotSegment`](PathClass::DotSegment) | `/a/./b`, `/a/..`, `/a/%2e` | `ServeDir` skips `.`; proxies resolve both |
/// | [`EncodedSlash`](PathClass::EncodedSlash) | `/a%2Fb` | `Path` and `ServeDir` decode it into a `/` that axum did not route on |
/// | [`Backslash`](PathClass::Backslash) | `/a\b`, `/a%5Cb` | a separator to some file systems and proxies |
/// | [`EncodedPercent`](PathClass::EncodedPercent) | `/a%25b`, `/a%zz` | a `%` in a decoded value invites a second decoding |
/// | [`ControlCharacter`](PathClass::ControlCharacter) | `/a%00`, `/a%0D%0A` | truncation and injection in logs and forwarded requests |
///
/// A trailing slash (`/agents/`) is not refused: it is another route, for axum as for
/// the policy.
///
/// ```
/// use scope_runtime::{PathClass, PathGuard};
///
/// // A service whose ids may legitimately hold an encoded `%`.
/// let guard = PathGuard::strict().allow(PathClass::EncodedPercent);
/// assert!(guard.refuses(PathClass::EmptySegment));
/// assert!(!guard.refuses(PathClass::EncodedPercent));
/// assert_eq!(guard.check("/agents//runs"), Err(PathClass::EmptySegment));
/// assert_eq!(guard.check("/files/50%25"), Ok(()));
/// ```
///
/// Allowing a class means accepting its reading: an allowed `%2F` separates segments
/// for the policy (as it does for a catch-all handler and `ServeDir`, not for a `{x}`
/// handler, which receives one value holding a `/`); an allowed empty segment matches no
/// literal and no `*`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PathGuard {
    refused: PathClasses,
}

impl PathGuard {
    /// Every class refused: the default.
    pub const fn strict() -> PathGuard {
        PathGuard {
            refused: PathClasses::ALL,
        }
    }

    /// This guard with `class` let through.
    pub const fn allow(self, class: PathClass) -> PathGuard {
        PathGuard {
            refused: self.refused.without(class),
        }
    }

    /// This guard with `class` refused.
    pub const fn refuse(self, class: PathClass) -> PathGuard {
        PathGuard {
            refused: self.refused.with(class),
        }
    }

    /// Whether `class` is refused.
    pub const fn refuses(&self, class: PathClass) -> bool {
        self.refused.contains(class)
    }

    /// The first refused class the raw request `path` shows, from the left.
    pub fn check(&self, path: &str) -> Result<(), PathClass> {
        match self.refused.first_in(path.as_bytes()) {
            Some(class) => Err(class),
            None => Ok(()),
        }
    }
}

impl Default for PathGuard {
    fn default() -> PathGuard {
        PathGuard::strict()
    }
}
