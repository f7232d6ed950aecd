//! Differential property of the layer against the real router: for random policies,
//! tokens and raw request paths sent through an axum `Router` guarded by `ScopeLayer`,
//! whenever a handler or a static file is reached, the caller satisfied the rule for
//! that handler (or file) with the parameter values it actually received; and no answer
//! is a 5xx.
//!
//! The router, the policies and the oracle live in `path_lab/mod.rs`, shared with
//! the fuzz target `fuzz/fuzz_targets/path_confusion.rs`. The oracle never reads the
//! request path: it rebuilds the canonical path of what was served from the handler's
//! route and `Path` values (or the file's relative path) and asks
//! `scope_grammar::reference_lookup` which rule governs that. When a capture handler was
//! reached with values whose canonical path the same router, without the layer, serves
//! by another route (`/api/users/%6De` reaches `{id}` with `me`, `/api/users/me` is a
//! literal route), the rule is that of the handler's route for values no literal names.
//!
//! Sized for CI (512 cases of up to five requests, a fixed seed). Longer runs:
//! `PATH_PROPERTY_CASES=20000 PATH_PROPERTY_SEED=7 cargo test -p scope-policy-tests
//! --test path_confusion_property -- --nocapture`.

mod path_lab;

use std::cell::Cell;

use http::Method;
use path_lab::{
    DOT_FORMS, INSERTS, LITERALS_BESIDE_CAPTURES, Mutation, Outcome, PLAIN_PATHS, POLICIES,
    Placement, Probe, SEGMENTS, SLASH_FORMS, Served, Setup, Token, canonical, check, join, send,
};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::{RngAlgorithm, TestError, TestRng, TestRunner};
use scope_runtime::Unmapped;

fn env_number(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(value) => value
            .parse()
            .unwrap_or_else(|_| panic!("{name}={value:?} is not a number")),
        Err(_) => default,
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

// ------------------------------------------------------------------------ strategies

fn setup() -> impl Strategy<Value = Setup> {
    (
        0..POLICIES.len(),
        // Half of the cases keep the policy as written, where the dangerous combinations
        // were placed on purpose; the others redraw every requirement.
        prop_oneof![Just(0u8), any::<u8>()],
        prop_oneof![
            2 => Just(Unmapped::Deny),
            2 => Just(Unmapped::Allow),
            1 => Just(Unmapped::Authenticated),
        ],
        prop_oneof![Just(Placement::RouterLayer), Just(Placement::Wrapped)],
    )
        .prop_map(|(index, variant, unmapped, placement)| {
            Setup::new(index, variant, unmapped, placement)
        })
}

fn method() -> impl Strategy<Value = Method> {
    prop_oneof![
        6 => Just(Method::GET),
        1 => Just(Method::HEAD),
        2 => Just(Method::POST),
        2 => Just(Method::DELETE),
        1 => Just(Method::PUT),
    ]
}

fn token() -> impl Strategy<Value = Token> {
    prop_oneof![
        2 => Just(Token::Missing),
        1 => Just(Token::Garbage),
        1 => Just(Token::Forged),
        5 => (0u8..8).prop_map(Token::Scopes),
        1 => Just(Token::Admin),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let at = || 0usize..12;
    prop_oneof![
        3 => at().prop_map(Mutation::DoubleSlash),
        3 => (at(), any::<bool>()).prop_map(|(at, lower)| Mutation::Escape { at, lower }),
        1 => (at(), any::<bool>()).prop_map(|(at, lower)| Mutation::EscapeLast { at, lower }),
        2 => (at(), select(&SLASH_FORMS[..])).prop_map(|(at, with)| Mutation::Slash { at, with }),
        2 => (at(), select(&DOT_FORMS[..])).prop_map(|(at, with)| Mutation::Dot { at, with }),
        1 => (at(), select(&INSERTS[..])).prop_map(|(at, with)| Mutation::Insert { at, with }),
        2 => at().prop_map(Mutation::EmptySegment),
        1 => Just(Mutation::TrailingSlash),
        1 => at().prop_map(Mutation::Truncate),
    ]
}

fn path() -> impl Strategy<Value = String> {
    let base = prop_oneof![
        3 => select(&PLAIN_PATHS[..]).prop_map(str::to_owned),
        1 => vec(select(&SEGMENTS[..]), 0..5).prop_map(|segments| join(&segments)),
        // A literal route beside a capture, one character of its last segment escaped:
        // the router sends it to the capture, with a value that decodes to the literal.
        1 => (select(&LITERALS_BESIDE_CAPTURES[..]), 0usize..12, any::<bool>()).prop_map(
            |(literal, at, lower)| {
                let mut path = literal.to_owned();
                Mutation::EscapeLast { at, lower }.apply(&mut path);
                path
            }
        ),
    ];
    // Half of the paths stay plain, so that allowed requests are exercised too.
    let mutations = prop_oneof![Just(Vec::new()), vec(mutation(), 1..4)];
    (base, mutations).prop_map(|(mut path, mutations)| {
        for mutation in mutations {
            mutation.apply(&mut path);
        }
        path
    })
}

fn probe() -> impl Strategy<Value = Probe> {
    (method(), path(), token()).prop_map(|(method, path, token)| Probe {
        method,
        path,
        token,
    })
}

// ------------------------------------------------------------------------ the property

/// Counts over every request sent (shrinking included), to show the property is not
/// vacuous.
#[derive(Default)]
struct Stats {
    sent: Cell<u64>,
    /// `http::Uri` refused the path: nothing was sent.
    unsendable: Cell<u64>,
    served: Cell<u64>,
    /// Served although the oracle's rule for it needs a token.
    served_guarded: Cell<u64>,
    refused: Cell<u64>,
}

impl Stats {
    fn record(&self, setup: &Setup, probe: &Probe, outcome: Option<&Outcome>) {
        let bump = |c: &Cell<u64>| c.set(c.get() + 1);
        let Some(outcome) = outcome else {
            bump(&self.unsendable);
            return;
        };
        bump(&self.sent);
        if matches!(outcome.status.as_u16(), 400 | 401 | 403) {
            bump(&self.refused);
        }
        if let Some(served) = &outcome.served {
            bump(&self.served);
            let (_, rule) = path_lab::oracle_rule(&setup.policy, &probe.method, served);
            if !path_lab::may_pass(rule, setup.unmapped, Token::Missing) {
                bump(&self.served_guarded);
            }
        }
    }

    fn summary(&self) -> String {
        format!(
            "{} requests sent ({} paths refused by http::Uri): {} served ({} of them guarded), {} refused with 400/401/403",
            self.sent.get(),
            self.unsendable.get(),
            self.served.get(),
            self.served_guarded.get(),
            self.refused.get(),
        )
    }
}

#[test]
fn whatever_is_served_was_allowed_by_its_own_rule() {
    let cases = u32::try_from(env_number("PATH_PROPERTY_CASES", 512)).expect("a u32");
    let seed = env_number("PATH_PROPERTY_SEED", 0x5c09e);
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let config = ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    let mut runner = TestRunner::new_with_rng(
        config,
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes),
    );
    let rt = runtime();
    let stats = Stats::default();
    let result = runner.run(&(setup(), vec(probe(), 1..6)), |(setup, probes)| {
        let app = setup.app();
        for probe in &probes {
            let outcome = rt.block_on(send(&app, probe));
            stats.record(&setup, probe, outcome.as_ref());
            if let Some(outcome) = outcome {
                check(&setup, probe, &outcome).map_err(TestCaseError::fail)?;
            }
        }
        Ok(())
    });
    eprintln!("path confusion property (seed {seed}): {}", stats.summary());
    match result {
        Ok(()) => {}
        Err(TestError::Fail(reason, (setup, probes))) => panic!(
            "path confusion: {reason}\nminimal case: {} variant {}, {:?}, {:?}, requests {probes:#?}\n({})",
            setup.name,
            setup.variant,
            setup.unmapped,
            setup.placement,
            stats.summary()
        ),
        Err(error) => panic!("{error}"),
    }
    // Without enough served requests, and served guarded ones, the property says little.
    let sent = stats.sent.get();
    assert!(
        stats.served.get() * 10 >= sent,
        "fewer than 1 in 10 requests reached a handler or a file: {}",
        stats.summary()
    );
    assert!(
        stats.served_guarded.get() * 40 >= sent,
        "fewer than 1 in 40 requests reached a guarded handler or file: {}",
        stats.summary()
    );
}

// ------------------------------------------------------------------------ fixed cases

/// The path confusions that motivated the property, as `policy unmapped token METHOD
/// path` (token: `none`, `admin`, `noscope` for a valid token without scopes, or the
/// scopes it holds): each one is sent under each placement
/// of the layer, and none of them may serve what its rule refuses.
const KNOWN_CONFUSIONS: &[&str] = &[
    // An empty `{id}` skips the `*` rule; the public catch-all answered instead.
    "catch_all_public deny none POST /api/users//promote",
    // `%72oot` is `root` to the handler, not to the literal rule.
    "wildcard_vs_literal deny a DELETE /api/users/%72oot",
    "literals_only allow none DELETE /api/users/%72oot",
    // `%2F` inside a catch-all value is a `/` to the handler.
    "catch_all_public deny none GET /docs/internal%2Fsecret",
    // ServeDir decodes, drops empty and `.` segments, and a trailing `/` after a file.
    "catch_all_public deny none GET /static//private/secret.txt",
    "catch_all_public deny none GET /static/%70rivate/secret.txt",
    "catch_all_public deny none GET /static/./private/secret.txt",
    "catch_all_public deny none GET /static/private%2Fsecret.txt",
    "static_tree deny a GET /static/private/secret.txt/",
    // nest_service strips `/v1` and then `/`: `//admin` is the inner `/admin`.
    "catch_all_public deny none GET /v1//admin",
    // The inner `/` of nest_service `/v1` answers `/v1/` too.
    "nest_prefixes deny none GET /v1/",
    // axum compares raw bytes: an escaped letter of a literal route reaches the capture
    // beside it with the literal as its value, and the literal's rule is not the
    // capture's.
    "every_route deny noscope GET /api/users/%6De",
    "every_route deny noscope GET /api/users/%6de",
    "every_route deny a GET /n/%61",
    "wildcard_vs_literal deny none GET /api/users/%6De",
    // The same with a sub-delim, which a literal carries unescaped.
    "every_route deny none GET /files/meta%3Aacl",
    "every_route deny none GET /files/meta%3aacl",
];

fn known_case(line: &str) -> (usize, Unmapped, Probe) {
    let fields: Vec<&str> = line.split(' ').collect();
    let [policy, unmapped, token, method, path] = fields[..] else {
        panic!("not `policy unmapped token METHOD path`: {line}");
    };
    let index = POLICIES
        .iter()
        .position(|(name, _)| *name == policy)
        .unwrap_or_else(|| panic!("no policy {policy}"));
    let unmapped = match unmapped {
        "deny" => Unmapped::Deny,
        "allow" => Unmapped::Allow,
        "authenticated" => Unmapped::Authenticated,
        other => panic!("unmapped {other}?"),
    };
    let token = match token {
        "none" => Token::Missing,
        "admin" => Token::Admin,
        "noscope" => Token::Scopes(0),
        scopes => Token::Scopes(scopes.bytes().map(|b| 1 << (b - b'a')).sum()),
    };
    let probe = Probe {
        method: Method::from_bytes(method.as_bytes()).expect("a method"),
        path: path.to_owned(),
        token,
    };
    (index, unmapped, probe)
}

#[test]
fn known_confusions_are_refused_or_decided_by_the_served_route() {
    let rt = runtime();
    let mut violations = Vec::new();
    for line in KNOWN_CONFUSIONS {
        let (index, unmapped, probe) = known_case(line);
        for placement in [Placement::RouterLayer, Placement::Wrapped] {
            let setup = Setup::new(index, 0, unmapped, placement);
            let outcome = rt
                .block_on(send(&setup.app(), &probe))
                .expect("a valid URI");
            if let Err(violation) = check(&setup, &probe, &outcome) {
                violations.push(violation);
            }
        }
    }
    assert!(
        violations.is_empty(),
        "{} of {} known confusions served what their rule refuses:\n\n{}",
        violations.len(),
        KNOWN_CONFUSIONS.len() * 2,
        violations.join("\n\n")
    );
}

/// The lab itself: with the admin scope every plain path of the pool reaches what it
/// names, under both placements (otherwise the property would test nothing there).
#[test]
fn every_plain_path_reaches_its_handler_or_file() {
    let rt = runtime();
    for placement in [Placement::RouterLayer, Placement::Wrapped] {
        let setup = Setup::new(7, 0, Unmapped::Deny, placement);
        let app = setup.app();
        for path in PLAIN_PATHS {
            let method = match path {
                "/api/users/root/promote" | "/api/users/42/promote" => Method::POST,
                _ => Method::GET,
            };
            let probe = Probe {
                method,
                path: path.to_owned(),
                token: Token::Admin,
            };
            let outcome = rt.block_on(send(&app, &probe)).expect("a valid URI");
            let served = outcome
                .served
                .as_ref()
                .unwrap_or_else(|| panic!("{path} reached nothing: {outcome:?}"));
            let expected = match path {
                "/v1/" => "/v1".to_owned(),
                _ => path.to_owned(),
            };
            assert_eq!(canonical(served), expected, "{path}: {served}");
        }
    }
}

/// What a handler of `route` reports when `Path` gave it `values`.
fn handler(route: &'static str, values: &[(&str, &str)]) -> Served {
    Served::Handler {
        route,
        values: values
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    }
}

#[test]
fn canonical_paths_encode_values_minimally() {
    for (served, expected) in [
        (
            handler("/a/{x}/b/{y}", &[("x", ""), ("y", "a/b")]),
            "/a/zzempty/b/a%2Fb",
        ),
        (
            handler("/docs/{*path}", &[("path", "/in ternal/x%/")]),
            "/docs//in%20ternal/x%25/",
        ),
        (
            handler("/api/users/{id}", &[("id", "r\\o.o~t")]),
            "/api/users/r%5Co.o~t",
        ),
        (
            handler("/files/{name}", &[("name", "meta:acl")]),
            "/files/meta:acl",
        ),
        (handler("/v1", &[]), "/v1"),
        (
            Served::File("private/secret.txt"),
            "/static/private/secret.txt",
        ),
    ] {
        assert_eq!(canonical(&served), expected, "{served}");
    }
}

/// The oracle follows the router: a capture value whose canonical path another route
/// serves is judged under the capture's own route; one the same route serves, under the
/// rule of its canonical path.
#[test]
fn oracle_paths_follow_the_router() {
    let user = |id| handler("/api/users/{id}", &[("id", id)]);
    let n = || handler("/n/{id}", &[("id", "a")]);
    let file = |name| handler("/files/{name}", &[("name", name)]);
    let doc = handler("/docs/{*path}", &[("path", "internal/x")]);
    let me = handler("/api/users/me", &[]);
    let secret = Served::File("private/secret.txt");
    for (method, served, expected, rerouted) in [
        (Method::GET, user("me"), "/api/users/zzfresh", true),
        (Method::GET, user("root"), "/api/users/root", false),
        // The literal route has no DELETE: the canonical path reaches no handler.
        (Method::DELETE, user("me"), "/api/users/zzfresh", true),
        (Method::GET, n(), "/n/zzfresh", true),
        (Method::POST, n(), "/n/zzfresh", true),
        (Method::GET, file("meta:acl"), "/files/zzfresh", true),
        (Method::GET, file("secret.txt"), "/files/secret.txt", false),
        (Method::GET, doc, "/docs/internal/x", false),
        (Method::GET, me, "/api/users/me", false),
        (Method::GET, secret, "/static/private/secret.txt", false),
    ] {
        let path = path_lab::oracle_path(&method, &served);
        assert_eq!(path.path, expected, "{method} {served}: {path:?}");
        assert_eq!(path.note.is_some(), rerouted, "{method} {served}: {path:?}");
    }
}
