//! The generated matcher agrees with the reference matcher of `scope-grammar` on random
//! request paths, for the seed policy and policies built to be tricky.
//!
//! Each policy is written once, as a `scopes!` invocation whose rule keys are read back
//! with `Policy::rules()`, so the generated and the reference matcher see the same rules.

use proptest::prelude::*;
use scope_grammar::{RouteKey, reference_lookup};
use scope_runtime::{Policy, scopes};

/// The seed policy, exactly as the `agent_os` example serves it.
static SEED: &Policy = &scope_policy_examples::agent_os::POLICY;

static OVERLAPPING_WILDCARDS: Policy = scopes! {
    "GET /a/*/c"      => ["1"],
    "GET /a/b/*"      => ["2"],
    "GET /*/b/c"      => ["3"],
    "GET /a/b/c"      => ["4"],
    "GET /*/*/*"      => ["5"],
    "GET /a/**"       => ["6"],
    "GET /**"         => ["7"],
    "GET /a/{*rest}"  => ["8"],
    "GET /{x}/{y}"    => ["9"],
    "POST /*/b/{c}"   => ["10"],
};

static CATCH_ALLS: Policy = scopes! {
    "* /**"                => ["1"],
    "GET /files/{*path}"   => ["2"],
    "GET /files/**"        => ["3"],
    "POST /files/x/**"     => ["4"],
    "GET /files/x"         => ["5"],
    "GET /files/x/{*tail}" => ["6"],
    "DELETE /{*all}"       => ["7"],
    "GET /files/*/y/**"    => ["8"],
};

static METHOD_ANY: Policy = scopes! {
    "* /x"        => ["1"],
    "GET /x"      => ["2"],
    "HEAD /x/*"   => ["3"],
    "* /x/*"      => ["4"],
    "GET /x/y"    => ["5"],
    "* /x/y/**"   => ["6"],
    "DELETE /**"  => ["7"],
    "GET /x/*/z"  => ["8"],
    "HEAD /x/y/z" => ["9"],
    "OPTIONS /*"  => ["10"],
};

static TRAILING_SLASHES: Policy = scopes! {
    "GET /a"      => ["1"],
    "GET /a/"     => ["2"],
    "GET /a/*"    => ["3"],
    "GET /a/*/"   => ["4"],
    "GET /"       => ["5"],
    "GET /a/**"   => ["6"],
    "* /b/"       => ["7"],
    "GET /b/{*r}" => ["8"],
};

static DEEP_LITERAL_VS_WILDCARD: Policy = scopes! {
    "GET /a/b/c/d/e"    => ["1"],
    "GET /a/*/c/d/*"    => ["2"],
    "GET /*/b/*/d/e"    => ["3"],
    "GET /a/b/c/*/f"    => ["4"],
    "GET /a/b/*/*/*"    => ["5"],
    "GET /*/*/*/*/*"    => ["6"],
    "GET /a/b/c/d/**"   => ["7"],
    "GET /*/b/c/d/e/f"  => ["8"],
    "* /a/b/c/d/e"      => ["9"],
};

static MANY_LITERALS: Policy = scopes! {
    "GET /ab"      => ["1"],
    "GET /ac"      => ["2"],
    "GET /ba"      => ["3"],
    "GET /abc"     => ["4"],
    "GET /abd"     => ["5"],
    "GET /x%20y"   => ["6"],
    "GET /AB"      => ["7"],
    "GET /a;b"     => ["8"],
    "GET /caf%C3%A9" => ["15"],
    "GET /a:b@c"   => ["9"],
    "GET /bb"      => ["10"],
    "GET /cb"      => ["11"],
    "GET /ab/ab"   => ["12"],
    "GET /ab/ac"   => ["13"],
    "GET /ab/*"    => ["14"],
};

const POLICIES: &[(&str, &Policy)] = &[
    ("seed", SEED),
    ("overlapping wildcards", &OVERLAPPING_WILDCARDS),
    ("catch-alls", &CATCH_ALLS),
    ("method *", &METHOD_ANY),
    ("trailing slashes", &TRAILING_SLASHES),
    ("deep literal vs wildcard", &DEEP_LITERAL_VS_WILDCARD),
    ("many literals", &MANY_LITERALS),
];

fn reference_rules(policy: &Policy) -> Vec<RouteKey> {
    policy
        .rules()
        .iter()
        .map(|r| RouteKey::parse(r.key()).expect("rules of a compiled policy parse"))
        .collect()
}

/// Segments: the policies' literals, their case variants, and the usual suspects of
/// path confusion.
fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(vec![
            "agents", "sessions", "memories", "config", "health", "me", "runs", "a", "b",
            "c", "d", "e", "f", "x", "y", "z", "files", "ab", "ac", "ba", "abc", "abd",
            "bb", "cb", "AB", "a;b", "a:b@c", "x%2Fy",
        ])
        .prop_map(str::to_owned),
        2 => prop::sample::select(vec![
            "", "%2F", "%2f", "%2e%2e", "%2E", "..", ".", ";", "a;b", "AGENTS", "Agents",
            "agents;x", "agents%20", "%00", "%0d%0a", "\u{e9}", "\u{1f600}", "a b",
            "x%2Fy%2F", "*", "**", "{id}",
        ])
        .prop_map(str::to_owned),
        1 => "[a-z%;.]{0,4}",
    ]
}

fn request_path() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(segment(), 0..7),
        prop::bool::weighted(0.1),
    )
        .prop_map(|(segments, drop_slash)| {
            let joined = segments.join("/");
            if drop_slash {
                joined
            } else {
                format!("/{joined}")
            }
        })
}

fn method() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT", "get",
        "PROPFIND", "*",
    ])
}

/// A path built from one of the policy's own patterns, so that near misses are common:
/// wildcards filled with random segments, and (sometimes) one segment replaced, one
/// appended or the last one dropped.
#[derive(Clone, Debug)]
struct NearMiss {
    rule: usize,
    fills: Vec<String>,
    rest_len: usize,
    edit: Option<(usize, Edit)>,
}

#[derive(Clone, Debug)]
enum Edit {
    Replace(String),
    Append(String),
    Truncate,
}

fn near_miss() -> impl Strategy<Value = NearMiss> {
    (
        any::<usize>(),
        prop::collection::vec(segment(), 8),
        0usize..4,
        prop::option::weighted(
            0.5,
            (
                any::<usize>(),
                prop_oneof![
                    segment().prop_map(Edit::Replace),
                    segment().prop_map(Edit::Append),
                    Just(Edit::Truncate),
                ],
            ),
        ),
    )
        .prop_map(|(rule, fills, rest_len, edit)| NearMiss {
            rule,
            fills,
            rest_len,
            edit,
        })
}

impl NearMiss {
    fn path(&self, rules: &[RouteKey]) -> String {
        use scope_grammar::Segment;
        let rule = &rules[self.rule % rules.len()];
        let mut fills = self.fills.iter().cycle();
        let mut segments: Vec<String> = Vec::new();
        for segment in rule.path.segments() {
            match segment {
                // Literals are stored decoded: spell them back, encoding what a raw
                // path must encode.
                Segment::Literal(lit) => segments.push(encode_segment(lit)),
                Segment::One { .. } => segments.push(fills.next().cloned().unwrap_or_default()),
                Segment::Rest { .. } => {
                    segments.extend(fills.by_ref().take(self.rest_len).cloned());
                }
            }
        }
        if let Some((at, edit)) = &self.edit {
            match edit {
                Edit::Replace(s) if !segments.is_empty() => {
                    let at = at % segments.len();
                    segments[at] = s.clone();
                }
                Edit::Append(s) => segments.push(s.clone()),
                Edit::Truncate => {
                    segments.pop();
                }
                Edit::Replace(_) => {}
            }
        }
        format!("/{}", segments.join("/"))
    }
}

/// Percent-encodes the bytes a raw path segment cannot hold as they are.
fn encode_segment(decoded: &[u8]) -> String {
    decoded
        .iter()
        .map(|&b| {
            if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn check(policy: &Policy, name: &str, method: &str, path: &str) -> Result<(), TestCaseError> {
    let rules = reference_rules(policy);
    let expected =
        reference_lookup(&rules, method, path.as_bytes()).map(|i| policy.rules()[i].key());
    let got = policy.lookup_str(method, path).map(|r| r.key());
    prop_assert_eq!(got, expected, "policy {:?}: {} {:?}", name, method, path);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4096, ..ProptestConfig::default() })]

    #[test]
    fn generated_matcher_agrees_with_reference_on_random_paths(
        method in method(),
        path in request_path(),
    ) {
        for (name, policy) in POLICIES {
            check(policy, name, method, &path)?;
        }
    }

    #[test]
    fn generated_matcher_agrees_with_reference_on_near_misses(
        method in method(),
        near in near_miss(),
    ) {
        for (name, policy) in POLICIES {
            let path = near.path(&reference_rules(policy));
            check(policy, name, method, &path)?;
        }
    }
}

/// The precedence rules of docs/matching.md (rules 2 and 3), one example a line: the
/// policy, the request, and the rule that must decide it.
#[test]
fn precedence_examples() {
    let seed = SEED;
    let wildcards = &OVERLAPPING_WILDCARDS;
    let methods = &METHOD_ANY;
    let slashes = &TRAILING_SLASHES;
    let literals = &MANY_LITERALS;
    let examples: &[(&Policy, &str, &str, Option<&str>)] = &[
        // `*` is one segment: a run path is not an agent path.
        (seed, "GET", "/agents/a1/runs", None),
        (seed, "POST", "/agents/a1/runs", Some("POST /agents/*/runs")),
        // A trailing slash is significant, and `*` never matches empty.
        (seed, "GET", "/agents/", None),
        (seed, "GET", "/agents//runs", None),
        // HEAD uses GET's rule; other methods do not.
        (seed, "HEAD", "/agents", Some("GET /agents")),
        (seed, "DELETE", "/agents", None),
        // Literal beats `*` beats `**`, left to right, whatever the declaration order.
        (wildcards, "GET", "/a/b/c", Some("GET /a/b/c")),
        (wildcards, "GET", "/a/b/x", Some("GET /a/b/*")),
        (wildcards, "GET", "/a/x/c", Some("GET /a/*/c")),
        (wildcards, "GET", "/x/b/c", Some("GET /*/b/c")),
        // The literal `a` first.
        (wildcards, "GET", "/a/x/y", Some("GET /a/{*rest}")),
        (wildcards, "GET", "/q/x/y", Some("GET /*/*/*")),
        // `{*x}` beats `**`.
        (wildcards, "GET", "/a/x/y/z", Some("GET /a/{*rest}")),
        // `**` matches zero segments.
        (wildcards, "GET", "/a", Some("GET /a/**")),
        (wildcards, "GET", "/x/y", Some("GET /{x}/{y}")),
        // A named method beats `*` for the same pattern, not a more specific pattern.
        (methods, "GET", "/x", Some("GET /x")),
        (methods, "POST", "/x", Some("* /x")),
        // HEAD follows GET as axum routes it: the most specific path first, then the
        // method.
        (methods, "HEAD", "/x/y", Some("GET /x/y")),
        (methods, "HEAD", "/x/q", Some("HEAD /x/*")),
        (methods, "HEAD", "/x/y/z", Some("HEAD /x/y/z")),
        (methods, "PROPFIND", "/x/q", Some("* /x/*")),
        // Methods are case-sensitive.
        (methods, "get", "/x", Some("* /x")),
        // Ending exactly beats a `**` matching nothing; a trailing slash is a segment.
        (slashes, "GET", "/a", Some("GET /a")),
        (slashes, "GET", "/a/", Some("GET /a/")),
        (slashes, "GET", "/a/x/", Some("GET /a/*/")),
        (slashes, "GET", "/a/x/y", Some("GET /a/**")),
        (slashes, "GET", "/b/", Some("* /b/")),
        (slashes, "GET", "/", Some("GET /")),
        // Decoded bytes, no case folding.
        (literals, "GET", "/x%20y", Some("GET /x%20y")),
        (literals, "GET", "/%78%20%79", Some("GET /x%20y")),
        (literals, "GET", "/x%2fy", None),
        (literals, "GET", "/a%3Bb", Some("GET /a;b")),
        (literals, "GET", "/caf%c3%a9", Some("GET /caf%C3%A9")),
        (literals, "GET", "/Ab", None),
        (literals, "GET", "/%41B", Some("GET /AB")),
        (literals, "GET", "/ab/ab", Some("GET /ab/ab")),
        (literals, "GET", "/ab/zz", Some("GET /ab/*")),
    ];
    for &(policy, method, path, expected) in examples {
        let got = policy.lookup_str(method, path).map(|r| r.key());
        assert_eq!(got, expected, "{method} {path}");
    }
}
