//! Policies: what `scopes!` expands to.

use std::fmt;

use scope_grammar::MethodFilter;

use crate::template::{Granted, Scope};

/// What a rule requires of the caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Requirement {
    /// `public`: no authentication at all; the request passes without a token, and a
    /// token it carries is not looked at.
    Public,
    /// `optional`: a request without a token passes without claims; one with a token
    /// passes only if the token is valid, and its handler gets the claims.
    Optional,
    /// `["a", "b"]`: a verified token holding every listed scope. `[]` needs only a
    /// verified token.
    AllOf(&'static [Scope]),
    /// `any["a", "b"]`: a verified token holding at least one listed scope.
    AnyOf(&'static [Scope]),
}

impl Requirement {
    /// The scopes the requirement names, as written (empty for `public`, `optional`
    /// and `[]`).
    pub fn scopes(&self) -> &'static [Scope] {
        match self {
            Requirement::Public | Requirement::Optional => &[],
            Requirement::AllOf(s) | Requirement::AnyOf(s) => s,
        }
    }

    /// Whether a caller holding the fixed scopes for which `has` answers `true` passes.
    /// `public` and `optional` always pass. A scope template is never held here: it is filled from
    /// the request path, which the layer (and
    /// [`VerifiedClaims::granted`](crate::VerifiedClaims::granted)) knows. The admin
    /// scope is the layer's business, not this one's.
    ///
    /// ```
    /// use scope_runtime::{scopes, Policy};
    /// static POLICY: Policy = scopes! {
    ///     "POST /runs" => ["app:run", "app:execute"],
    ///     "POST /jobs" => any["app:run", "app:execute"],
    /// };
    /// let held = ["app:run"];
    /// let has = |s: &str| held.contains(&s);
    /// let [all, any] = POLICY.rules() else { unreachable!() };
    /// assert!(!all.requirement().is_satisfied_by(has));
    /// assert!(any.requirement().is_satisfied_by(has));
    /// ```
    pub fn is_satisfied_by(&self, has: impl Fn(&str) -> bool) -> bool {
        let held = |scope: &Scope| !scope.is_template() && has(scope.as_str());
        match self {
            Requirement::Public | Requirement::Optional => true,
            Requirement::AllOf(scopes) => scopes.iter().all(held),
            Requirement::AnyOf(scopes) => scopes.iter().any(held),
        }
    }

    /// Whether a token holding `held` passes on a request whose decoded path is `path`
    /// (the path the rule matched; templates are filled from it).
    pub(crate) fn is_met(&self, held: &[String], path: &[u8]) -> bool {
        match self {
            Requirement::Public | Requirement::Optional => true,
            Requirement::AllOf(scopes) => scopes.iter().all(|s| s.is_held(held, path)),
            Requirement::AnyOf(scopes) => scopes.iter().any(|s| s.is_held(held, path)),
        }
    }

    /// The values of `capture` for which a token holding `held` passes.
    pub(crate) fn granted<'c>(&self, held: &'c [String], capture: &str) -> Granted<'c> {
        match self {
            Requirement::Public | Requirement::Optional => Granted::All,
            Requirement::AllOf(scopes) => scopes
                .iter()
                .fold(Granted::All, |acc, s| acc.and(s.granted(held, capture))),
            Requirement::AnyOf(scopes) => scopes
                .iter()
                .fold(Granted::Nothing, |acc, s| acc.or(s.granted(held, capture))),
        }
    }
}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |f: &mut fmt::Formatter<'_>, scopes: &[Scope]| {
            f.write_str("[")?;
            for (i, s) in scopes.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{:?}", s.as_str())?;
            }
            f.write_str("]")
        };
        match self {
            Requirement::Public => f.write_str("public"),
            Requirement::Optional => f.write_str("optional"),
            Requirement::AllOf(s) => list(f, s),
            Requirement::AnyOf(s) => {
                f.write_str("any")?;
                list(f, s)
            }
        }
    }
}

/// One rule of a policy, as written in `scopes!`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    key: &'static str,
    method: MethodFilter,
    pattern: &'static str,
    requirement: Requirement,
}

impl Rule {
    /// What `scopes!` expands to, through `__private::rule`.
    pub(crate) const fn generated(
        key: &'static str,
        method: MethodFilter,
        pattern: &'static str,
        requirement: Requirement,
    ) -> Rule {
        Rule {
            key,
            method,
            pattern,
            requirement,
        }
    }

    /// The key as written, e.g. `"POST /agents/*/runs"`.
    pub fn key(&self) -> &'static str {
        self.key
    }

    /// The methods the rule applies to.
    pub fn method(&self) -> MethodFilter {
        self.method
    }

    /// The path pattern, e.g. `/agents/*/runs`.
    pub fn pattern(&self) -> &'static str {
        self.pattern
    }

    /// What the rule requires.
    pub fn requirement(&self) -> Requirement {
        self.requirement
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{}\" => {}", self.key, self.requirement)
    }
}

/// The generated matcher: method slot and the path after its leading `/` → rule index.
pub(crate) type Matcher = fn(usize, &[u8]) -> Option<u16>;

/// A compiled scope policy: the rules of one `scopes!` invocation and the static matcher
/// generated for them.
///
/// A `Policy` is plain data (two `'static` references), so it can live in a `static`
/// shared by the whole service, or be built inline:
///
/// ```
/// use scope_runtime::{scopes, Policy, Requirement};
///
/// static POLICY: Policy = scopes! {
///     "GET /agents/*"       => ["app:read"],
///     "POST /agents/*/runs" => ["app:run", "app:execute"],
///     "GET /health"         => public,
/// };
///
/// let rule = POLICY.lookup_str("POST", "/agents/a1/runs").unwrap();
/// assert_eq!(rule.key(), "POST /agents/*/runs");
/// assert!(matches!(rule.requirement(), Requirement::AllOf(_)));
/// assert_eq!(rule.requirement().scopes(), ["app:run", "app:execute"]);
/// // `*` is exactly one segment, and unmapped requests match nothing.
/// assert!(POLICY.lookup_str("GET", "/agents/a1/runs").is_none());
/// ```
#[derive(Clone, Copy)]
pub struct Policy {
    rules: &'static [Rule],
    matcher: Matcher,
}

impl Policy {
    /// What `scopes!` expands to, through `__private::policy`.
    pub(crate) const fn generated(rules: &'static [Rule], matcher: Matcher) -> Policy {
        Policy { rules, matcher }
    }

    /// Every rule, in declaration order (which never affects matching).
    pub fn rules(&self) -> &'static [Rule] {
        self.rules
    }

    /// The rule written with exactly this key, e.g. `"GET /agents/{agent_id}"`: for
    /// handlers that ask [`VerifiedClaims::granted`](crate::VerifiedClaims::granted)
    /// which values another route's rule would grant.
    pub fn rule(&self, key: &str) -> Option<&'static Rule> {
        self.rules.iter().find(|rule| rule.key == key)
    }

    /// The rule that applies to a request, or `None` when no rule matches.
    ///
    /// `path` is the raw request path (`Uri::path()`, still percent-encoded), measured
    /// from the root of the outermost router. It is percent-decoded, then split at `/`,
    /// and the rules (whose literals are decoded too) are matched on the decoded
    /// segments: `/users/%72oot` is `/users/root`. This is the decoded reading alone:
    /// the layer refuses the spellings [`crate::PathGuard`] names first, and also holds a
    /// request to its other readings (see [`crate::ScopeLayer`]). Here an empty segment
    /// matches no literal and no `*`, and a `%2F` separates segments.
    pub fn lookup(&self, method: &http::Method, path: &str) -> Option<&'static Rule> {
        let slot = scope_grammar::slot_of(method.as_str());
        with_decoded(path.as_bytes(), |path| self.lookup_slot(slot, path))
    }

    /// [`Policy::lookup`] with the method as its wire name (case-sensitive).
    pub fn lookup_str(&self, method: &str, path: &str) -> Option<&'static Rule> {
        let slot = scope_grammar::slot_of(method);
        with_decoded(path.as_bytes(), |path| self.lookup_slot(slot, path))
    }

    /// The rule for a method's matcher slot (`scope_grammar::slot_of`) and a path that is
    /// already percent-decoded.
    pub(crate) fn lookup_slot(&self, slot: usize, path: &[u8]) -> Option<&'static Rule> {
        let rest = path.strip_prefix(b"/")?;
        let index = (self.matcher)(slot, rest)?;
        self.rules.get(usize::from(index))
    }
}

impl fmt::Debug for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Policy")
            .field("rules", &self.rules)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for Policy {
    /// One rule per line, as they would be written in `scopes!`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for rule in self.rules {
            writeln!(f, "{rule},")?;
        }
        Ok(())
    }
}

/// The longest path read in stack buffers; longer encoded paths use the heap.
const INLINE: usize = 256;

/// Calls `f` with the percent-decoded `raw` path: `raw` itself when it has no escape, a
/// stack buffer for the usual lengths, the heap only for long encoded paths.
pub(crate) fn with_decoded<R>(raw: &[u8], f: impl FnOnce(&[u8]) -> R) -> R {
    if !raw.contains(&b'%') {
        return f(raw);
    }
    if raw.len() <= INLINE {
        let mut buffer = [0u8; INLINE];
        let n = scope_grammar::decode_into(raw, &mut buffer);
        return f(&buffer[..n]);
    }
    f(&scope_grammar::decode(raw))
}

/// Calls `f` with the two readings of `raw`: percent-decoded (what extractors and
/// `ServeDir` see), and as axum's router compares it with route literals (see
/// [`scope_grammar::router_reading_into`]). Both are `raw` itself when it has no escape.
pub(crate) fn with_readings<R>(raw: &[u8], f: impl FnOnce(&[u8], &[u8]) -> R) -> R {
    if !raw.contains(&b'%') {
        return f(raw, raw);
    }
    if raw.len() <= INLINE {
        let (mut decoded, mut routed) = ([0u8; INLINE], [0u8; INLINE]);
        let d = scope_grammar::decode_into(raw, &mut decoded);
        let r = scope_grammar::router_reading_into(raw, &mut routed);
        return f(&decoded[..d], &routed[..r]);
    }
    let (mut decoded, mut routed) = (vec![0; raw.len()], vec![0; raw.len()]);
    let d = scope_grammar::decode_into(raw, &mut decoded);
    let r = scope_grammar::router_reading_into(raw, &mut routed);
    f(&decoded[..d], &routed[..r])
}
