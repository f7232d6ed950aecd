//! (b) The generated matcher of fixed `scopes!` policies against the reference matcher
//! (`scope_grammar::reference_lookup`), on an arbitrary method and path.
//!
//! The first byte picks the policy and the method; the rest is the path, either taken
//! as it is (lossy UTF-8) or, half of the time, assembled from a dictionary of segments
//! that the policies care about (literals, near-misses, empty segments, escapes, dots),
//! so the fuzzer reaches deep trie nodes quickly. Both `Policy::lookup_str` (wire name)
//! and `Policy::lookup` (`http::Method`) are compared.

#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use scope_grammar::{RouteKey, reference_lookup};
use scope_runtime::{Policy, scopes};

include!("../../scope-runtime/benches/support/seed_policy.rs");

/// The seed's policy.
static SEED: Policy = seed_policy!(scope_runtime);

/// Every segment kind, method filters and precedence corner.
static MIXED: Policy = scopes! {
    "GET /"                      => public,
    "* /**"                      => ["root"],
    "GET /a"                     => ["a"],
    "GET /a/"                    => ["a-slash"],
    "GET /a/**"                  => ["a-any"],
    "GET /a/{*rest}"             => ["a-rest"],
    "GET /a/*"                   => ["a-one"],
    "GET /a/b"                   => ["a-b"],
    "HEAD /a/b"                  => ["head-a-b"],
    "* /a/b"                     => ["any-a-b"],
    "POST /a/*/c"                => ["post-c"],
    "* /a/*/c"                   => ["any-c"],
    "GET /a/*/c/"                => ["c-slash"],
    "GET /a/{x}/{y}/{z}"         => ["xyz"],
    "DELETE /x/{id}/y/{*tail}"   => ["del"],
    "PUT /ab"                    => ["ab"],
    "PUT /ba"                    => ["ba"],
    "PUT /aa"                    => ["aa"],
    "PUT /abc"                   => ["abc"],
    "PUT /abd"                   => ["abd"],
    "PUT /b/**"                  => ["b-any"],
    "OPTIONS /b/*/**"            => ["b-one-any"],
    "PATCH /%3F/;x=1"            => ["escaped"],
    "TRACE /a:b@c/!$&'()+,;="    => ["sub-delims"],
    "CONNECT /~/-/.x/_"          => ["unreserved"],
    "GET /files/{*path}"         => ["files"],
    "GET /files/public/*"        => public,
    "GET /files/public/*/x"      => any["p", "q"],
};

/// Catch-alls only, and nothing at the root.
static REST_ONLY: Policy = scopes! {
    "GET /{*all}"  => ["one-or-more"],
    "POST /**"     => ["zero-or-more"],
    "* /v1/**"     => ["v1"],
    "GET /v1/{*x}" => ["v1-get"],
};

const METHODS: [&str; 14] = [
    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT", "get",
    "PROPFIND", "Get", "", "HEAD ",
];

const SEGMENTS: [&str; 32] = [
    "",
    "a",
    "b",
    "c",
    "x",
    "y",
    "ab",
    "ba",
    "aa",
    "abc",
    "abd",
    "agents",
    "runs",
    "sessions",
    "health",
    "me",
    "files",
    "public",
    "v1",
    "%2F",
    "%2f",
    ";x=1",
    ".",
    "..",
    "a:b@c",
    "!$&'()+,;=",
    "~",
    "-",
    "_",
    "AGENTS",
    "%61",
    "*",
];

fn keys(policy: &Policy) -> Vec<RouteKey> {
    policy
        .rules()
        .iter()
        .map(|r| RouteKey::parse(r.key()).expect("a policy's keys parse"))
        .collect()
}

fn index_of(policy: &Policy, rule: Option<&'static scope_runtime::Rule>) -> Option<usize> {
    rule.map(|rule| {
        policy
            .rules()
            .iter()
            .position(|r| std::ptr::eq(r, rule))
            .expect("the rule belongs to the policy")
    })
}

fuzz_target!(|data: &[u8]| {
    static KEYS: OnceLock<[Vec<RouteKey>; 3]> = OnceLock::new();
    let all = KEYS.get_or_init(|| [keys(&SEED), keys(&MIXED), keys(&REST_ONLY)]);
    let policies = [&SEED, &MIXED, &REST_ONLY];

    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let which = usize::from(selector % 3);
    let (policy, rules) = (policies[which], &all[which]);
    let method = METHODS[usize::from(selector / 3) % METHODS.len()];
    let structured = selector & 0x80 != 0;

    let path = if structured {
        // Each byte is one segment from the dictionary; a leading `/` always.
        let mut path = String::new();
        for &b in rest.iter().take(12) {
            path.push('/');
            path.push_str(SEGMENTS[usize::from(b) % SEGMENTS.len()]);
        }
        if path.is_empty() {
            path.push('/');
        }
        path
    } else {
        String::from_utf8_lossy(rest).into_owned()
    };

    let expected = reference_lookup(rules, method, path.as_bytes());
    let got = index_of(policy, policy.lookup_str(method, &path));
    assert_eq!(
        got, expected,
        "lookup_str({method:?}, {path:?}) on policy {which}"
    );

    if let Ok(m) = http::Method::from_bytes(method.as_bytes()) {
        let got = index_of(policy, policy.lookup(&m, &path));
        assert_eq!(got, expected, "lookup({m:?}, {path:?}) on policy {which}");
    }
});
