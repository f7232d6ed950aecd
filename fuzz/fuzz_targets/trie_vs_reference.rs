//! (b') `scope_grammar::Trie::build` + `Trie::lookup` on arbitrary rule sets against
//! `reference_lookup`.
//!
//! The input is text: lines up to the first empty line are route keys (`METHOD /path`;
//! those that do not parse are skipped, and so are later duplicates of a rule, as the
//! proc-macro refuses them); every following line is a query `METHOD path`. When there
//! is no query, every rule's own pattern text is queried with every method.

#![no_main]

use libfuzzer_sys::fuzz_target;
use scope_grammar::{RouteKey, Trie, find_duplicate_rules, reference_lookup};

const METHODS: [&str; 11] = [
    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT", "get",
    "PROPFIND",
];

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.split('\n');
    let mut rules: Vec<RouteKey> = Vec::new();
    for line in lines.by_ref() {
        if line.is_empty() {
            break;
        }
        if rules.len() < 64
            && let Ok(key) = RouteKey::parse(line)
        {
            rules.push(key);
        }
    }
    let duplicates: Vec<usize> = find_duplicate_rules(&rules)
        .into_iter()
        .map(|(second, _)| second)
        .collect();
    let rules: Vec<RouteKey> = rules
        .into_iter()
        .enumerate()
        .filter(|(i, _)| !duplicates.contains(i))
        .map(|(_, r)| r)
        .collect();
    let trie = Trie::build(&rules);

    let check = |method: &str, path: &[u8]| {
        let expected = reference_lookup(&rules, method, path);
        let got = trie.lookup(method, path).map(usize::from);
        assert_eq!(
            got,
            expected,
            "{method} {:?} with rules {:?}",
            String::from_utf8_lossy(path),
            rules.iter().map(ToString::to_string).collect::<Vec<_>>()
        );
    };

    let mut queried = false;
    for query in lines.take(64) {
        queried = true;
        let (method, path) = query.split_once(' ').unwrap_or(("GET", query));
        check(method, path.as_bytes());
    }
    if !queried {
        for rule in &rules {
            for method in METHODS {
                check(method, rule.path.as_str().as_bytes());
            }
        }
    }
});
