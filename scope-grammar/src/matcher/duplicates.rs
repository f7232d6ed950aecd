//! Duplicate rules: two rules with the same method filter and path shape, of which the
//! trie could keep only one.

use crate::key::RouteKey;

/// Pairs `(second, first)` of rules with the same method filter and path shape.
///
/// ```
/// use scope_grammar::{find_duplicate_rules, RouteKey};
/// let rules: Vec<RouteKey> = ["GET /a/*", "POST /a/*", "GET /a/{id}"]
///     .iter().map(|k| RouteKey::parse(k).unwrap()).collect();
/// assert_eq!(find_duplicate_rules(&rules), vec![(2, 0)]);
/// ```
pub fn find_duplicate_rules(rules: &[RouteKey]) -> Vec<(usize, usize)> {
    (0..rules.len())
        .filter_map(|i| {
            (0..i)
                .find(|&j| rules[i].same_rule(&rules[j]))
                .map(|j| (i, j))
        })
        .collect()
}
