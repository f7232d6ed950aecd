//! Route coverage: which routes of a router no rule covers, and which rules no route
//! reaches. Both come from the lookup itself, so they can never disagree with what the
//! layer decides.

use crate::key::RouteKey;
use crate::matcher::reference_lookup;
use crate::method::{Method, MethodFilter};
use crate::pattern::Segment;

/// What [`coverage`] found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Coverage {
    /// `(route index, methods)`: for these methods, some request the route serves
    /// (e.g. any value of its captures that no literal rule names) matches no rule.
    pub uncovered_routes: Vec<(usize, Vec<Method>)>,
    /// Indices of the rules that decide no request any route serves.
    pub unreached_rules: Vec<usize>,
}

/// Compares `rules` with the `routes` a router serves (route keys in the same
/// `"METHOD /path"` form, axum's `{name}` and `{*name}` captures; `*` for a route that
/// serves every method).
///
/// A route is covered when, for each of its methods, a request with capture values that
/// no literal names finds a rule. A rule is reached when some request that one route
/// serves is decided by that rule. `HEAD` is left out of both: axum serves it with the
/// `GET` handler, under the `GET` rule when it has none of its own.
///
/// ```
/// use scope_grammar::{coverage, RouteKey};
/// let parse = |keys: &[&str]| -> Vec<RouteKey> {
///     keys.iter().map(|k| RouteKey::parse(k).unwrap()).collect()
/// };
/// let rules = parse(&["GET /agents", "GET /agent/*", "POST /agents/*/runs"]);
/// let routes = parse(&["GET /agents", "GET /agents/{id}", "POST /agents/{id}/runs"]);
/// let found = coverage(&rules, &routes);
/// assert_eq!(found.uncovered_routes, vec![(1, vec![scope_grammar::Method::Get])]);
/// assert_eq!(found.unreached_rules, vec![1]);
/// ```
pub fn coverage(rules: &[RouteKey], routes: &[RouteKey]) -> Coverage {
    let fresh = fresh_segment(rules, routes);
    let mut found = Coverage::default();
    for (index, route) in routes.iter().enumerate() {
        let path = instantiate(route.path.segments(), &fresh);
        let uncovered: Vec<Method> = methods(route.method)
            .filter(|m| reference_lookup(rules, m.as_str(), path.as_bytes()).is_none())
            .collect();
        if !uncovered.is_empty() {
            found.uncovered_routes.push((index, uncovered));
        }
    }
    for index in 0..rules.len() {
        let reached = routes.iter().any(|route| {
            methods(route.method).any(|m| decides_some(rules, index, route, m, &fresh))
        });
        if !reached {
            found.unreached_rules.push(index);
        }
    }
    found
}

/// Which rules decide the requests of one route for one method: what [`route_rules`]
/// found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RouteRules {
    /// The rule that decides the route's requests whose capture values no literal rule
    /// names (the rule [`coverage`] looks for), or `None`: the route is uncovered.
    pub generic: Option<usize>,
    /// The other rules that decide some of its requests (capture values a literal of
    /// theirs names), in declaration order.
    pub others: Vec<usize>,
}

/// The rules that decide the requests `method` makes to `route`, found as [`coverage`]
/// finds them: the one for capture values no literal names, and the others reached
/// through the route. For tools that describe one operation of a router, such as an
/// OpenAPI document.
///
/// ```
/// use scope_grammar::{route_rules, Method, RouteKey};
/// let rules: Vec<RouteKey> = ["GET /users/*", "GET /users/root", "POST /users/*"]
///     .iter().map(|k| RouteKey::parse(k).unwrap()).collect();
/// let route = RouteKey::parse("GET /users/{id}").unwrap();
/// let found = route_rules(&rules, &route, Method::Get);
/// assert_eq!(found.generic, Some(0));
/// assert_eq!(found.others, vec![1]);
/// ```
pub fn route_rules(rules: &[RouteKey], route: &RouteKey, method: Method) -> RouteRules {
    let fresh = fresh_segment(rules, std::slice::from_ref(route));
    let path = instantiate(route.path.segments(), &fresh);
    let generic = reference_lookup(rules, method.as_str(), path.as_bytes());
    let others = (0..rules.len())
        .filter(|&index| Some(index) != generic)
        .filter(|&index| decides_some(rules, index, route, method, &fresh))
        .collect();
    RouteRules { generic, others }
}

/// Whether rule `index` decides some request `method` makes to `route`.
fn decides_some(
    rules: &[RouteKey],
    index: usize,
    route: &RouteKey,
    method: Method,
    fresh: &[u8],
) -> bool {
    let rule = &rules[index];
    if rule.method != MethodFilter::Any && rule.method != MethodFilter::Only(method) {
        return false;
    }
    let Some(path) = unify(rule.path.segments(), route.path.segments(), fresh) else {
        return false;
    };
    let path = encode_path(&path);
    reference_lookup(rules, method.as_str(), path.as_bytes()) == Some(index)
}

/// The methods a route serves, `HEAD` aside.
fn methods(filter: MethodFilter) -> impl Iterator<Item = Method> {
    Method::ALL
        .into_iter()
        .filter(move |m| *m != Method::Head || filter == MethodFilter::Only(Method::Head))
        .filter(move |m| filter == MethodFilter::Any || filter == MethodFilter::Only(*m))
}

/// A segment equal to no literal of any rule or route.
fn fresh_segment(rules: &[RouteKey], routes: &[RouteKey]) -> Vec<u8> {
    let literals: Vec<&[u8]> = rules
        .iter()
        .chain(routes)
        .flat_map(|key| key.path.segments())
        .filter_map(|segment| match segment {
            Segment::Literal(lit) => Some(lit.as_slice()),
            _ => None,
        })
        .collect();
    let mut fresh = b"fresh".to_vec();
    while literals.contains(&fresh.as_slice()) {
        fresh.push(b'~');
    }
    fresh
}

/// The raw path of a pattern with every capture filled with `fresh`.
fn instantiate(segments: &[Segment], fresh: &[u8]) -> String {
    encode_path(&fill(segments, fresh))
}

/// The decoded segments of a pattern with every capture filled with `fresh` (one segment
/// for a catch-all).
fn fill(segments: &[Segment], fresh: &[u8]) -> Vec<Vec<u8>> {
    segments
        .iter()
        .map(|segment| match segment {
            Segment::Literal(lit) => lit.clone(),
            Segment::One { .. } | Segment::Rest { .. } => fresh.to_vec(),
        })
        .collect()
}

/// The decoded segments of one path that both patterns match, if there is one: where a
/// literal meets a capture, the literal; where captures meet, `fresh`.
fn unify(a: &[Segment], b: &[Segment], fresh: &[u8]) -> Option<Vec<Vec<u8>>> {
    use Segment::{Literal, One, Rest};
    let tail = |rest: &[Segment], at_least_one: bool| -> Option<Vec<Vec<u8>>> {
        let filled = fill(rest, fresh);
        let empty = filled.is_empty() || filled == [Vec::<u8>::new()];
        (!(at_least_one && empty)).then_some(filled)
    };
    let mut out = Vec::new();
    let (mut a, mut b) = (a, b);
    loop {
        let step = match (a.first(), b.first()) {
            (None, None) => return Some(out),
            (Some(Rest { name }), _) => {
                out.extend(tail(b, name.is_some())?);
                return Some(out);
            }
            (_, Some(Rest { name })) => {
                out.extend(tail(a, name.is_some())?);
                return Some(out);
            }
            (None, Some(_)) | (Some(_), None) => return None,
            (Some(Literal(x)), Some(Literal(y))) => (x == y).then(|| x.clone())?,
            (Some(Literal(x)), Some(One { .. })) | (Some(One { .. }), Some(Literal(x))) => {
                if x.is_empty() {
                    return None;
                }
                x.clone()
            }
            (Some(One { .. }), Some(One { .. })) => fresh.to_vec(),
        };
        out.push(step);
        a = &a[1..];
        b = &b[1..];
    }
}

/// `/` + the segments, each percent-encoded where a raw path must be.
fn encode_path(segments: &[Vec<u8>]) -> String {
    let mut path = String::new();
    for segment in segments {
        path.push('/');
        for &b in segment {
            if crate::pattern::is_pchar(b) && b != b'%' {
                path.push(char::from(b));
            } else {
                path.push_str(&format!("%{b:02X}"));
            }
        }
    }
    if path.is_empty() {
        path.push('/');
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(keys: &[&str]) -> Vec<RouteKey> {
        keys.iter().map(|k| RouteKey::parse(k).unwrap()).collect()
    }

    #[test]
    fn literal_rules_under_a_capture_route_leave_other_values_uncovered() {
        let rules = keys(&["DELETE /users/root"]);
        let routes = keys(&["DELETE /users/{id}"]);
        let found = coverage(&rules, &routes);
        assert_eq!(found.uncovered_routes, vec![(0, vec![Method::Delete])]);
        assert!(found.unreached_rules.is_empty(), "{found:?}");
    }

    #[test]
    fn catch_alls_and_any_method() {
        let rules = keys(&["GET /static/**", "* /api/{*rest}", "GET /api/admin/x"]);
        let routes = keys(&["GET /static/{*path}", "* /api/{*rest}"]);
        let found = coverage(&rules, &routes);
        assert!(found.uncovered_routes.is_empty(), "{found:?}");
        assert!(found.unreached_rules.is_empty(), "{found:?}");
        // A rule for a method no route serves is not reached.
        let rules = keys(&["POST /static/**", "GET /static/**"]);
        let found = coverage(&rules, &keys(&["GET /static/{*path}"]));
        assert_eq!(found.unreached_rules, vec![0]);
    }

    #[test]
    fn a_rule_beaten_everywhere_is_unreached() {
        // `/a/*` is only reached through `/a/{x}`; with a literal route only, the
        // literal rule decides.
        let rules = keys(&["GET /a/*", "GET /a/b"]);
        let found = coverage(&rules, &keys(&["GET /a/b"]));
        assert_eq!(found.unreached_rules, vec![0]);
        let found = coverage(&rules, &keys(&["GET /a/{x}"]));
        assert!(found.unreached_rules.is_empty(), "{found:?}");
    }

    #[test]
    fn trailing_slashes_and_root() {
        let rules = keys(&["GET /", "GET /t/"]);
        let found = coverage(&rules, &keys(&["GET /", "GET /t/", "GET /t"]));
        assert_eq!(found.uncovered_routes, vec![(2, vec![Method::Get])]);
        assert!(found.unreached_rules.is_empty(), "{found:?}");
    }
}
