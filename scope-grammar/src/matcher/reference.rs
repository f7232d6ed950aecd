//! The reference matcher: the definition of which rule decides a request, written to be
//! obviously right rather than fast.

use crate::key::RouteKey;
use crate::method::{method_rank, slot_of};

/// The reference matcher: checks every rule, keeps the best. Slow and obviously right;
/// the generated matcher is tested against it.
///
/// ```
/// use scope_grammar::{RouteKey, reference_lookup};
/// let rules: Vec<RouteKey> = ["GET /agents/*", "GET /agents/special", "* /**"]
///     .iter().map(|k| RouteKey::parse(k).unwrap()).collect();
/// assert_eq!(reference_lookup(&rules, "GET", b"/agents/special"), Some(1));
/// assert_eq!(reference_lookup(&rules, "GET", b"/agents/other"), Some(0));
/// assert_eq!(reference_lookup(&rules, "POST", b"/agents/other"), Some(2));
/// ```
pub fn reference_lookup(rules: &[RouteKey], method: &str, path: &[u8]) -> Option<usize> {
    let path = &*crate::request_path::decode(path);
    let slot = slot_of(method);
    rules
        .iter()
        .enumerate()
        .filter_map(|(i, rule)| {
            let rank = method_rank(rule.method, slot)?;
            rule.path.matches(path).then_some((i, rank))
        })
        .max_by(|(a, ra), (b, rb)| {
            rules[*a]
                .path
                .specificity_cmp(&rules[*b].path)
                .then(ra.cmp(rb))
        })
        .map(|(i, _)| i)
}
