//! The trie the proc-macro generates code from agrees with the reference matcher on
//! random rule sets and random paths. (The generated code itself is checked against the
//! reference in the workspace's `tests` member.)

use proptest::prelude::*;
use scope_grammar::{RouteKey, Trie, find_duplicate_rules, reference_lookup};

fn pattern() -> impl Strategy<Value = String> {
    let middle = prop::sample::select(vec!["a", "b", "ab", "*", "{x}", "%2F"]);
    let last = prop::sample::select(vec!["a", "b", "", "*", "{y}", "**", "{*r}"]);
    (prop::collection::vec(middle, 0..4), last).prop_map(|(mut segs, last)| {
        segs.push(last);
        format!("/{}", segs.join("/"))
    })
}

fn rules() -> impl Strategy<Value = Vec<RouteKey>> {
    let method = prop::sample::select(vec!["GET", "HEAD", "POST", "*"]);
    prop::collection::vec((method, pattern()), 1..24).prop_map(|keys| {
        let mut rules: Vec<RouteKey> = keys
            .iter()
            .filter_map(|(m, p)| RouteKey::parse(&format!("{m} {p}")).ok())
            .collect();
        // Drop later duplicates, as the macro would refuse them.
        let mut dups: Vec<usize> = find_duplicate_rules(&rules)
            .into_iter()
            .map(|(d, _)| d)
            .collect();
        dups.sort_unstable();
        dups.dedup();
        for d in dups.into_iter().rev() {
            rules.remove(d);
        }
        rules
    })
}

fn path() -> impl Strategy<Value = String> {
    let seg = prop::sample::select(vec!["a", "b", "ab", "", "c", "%2F", "A", "*"]);
    prop::collection::vec(seg, 0..6).prop_map(|s| format!("/{}", s.join("/")))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2048, ..ProptestConfig::default() })]

    #[test]
    fn trie_agrees_with_reference(
        rules in rules(),
        paths in prop::collection::vec(path(), 16),
        method in prop::sample::select(vec!["GET", "HEAD", "POST", "PUT", "OTHER"]),
    ) {
        let trie = Trie::build(&rules);
        for path in &paths {
            let expected = reference_lookup(&rules, method, path.as_bytes());
            let got = trie.lookup(method, path.as_bytes()).map(usize::from);
            prop_assert_eq!(got, expected, "{} {}", method, path);
        }
    }
}
