//! Property tests: random tokens and random paths through the layer never panic, never
//! answer 5xx, and never reach a handler protected by a non-public rule.
//!
//! Each property runs 512 cases, sized for CI. For a long run, set proptest's own
//! `PROPTEST_CASES` (its other `PROPTEST_*` variables, such as `PROPTEST_RNG_SEED`,
//! apply too):
//!
//! ```sh
//! PROPTEST_CASES=100000 cargo test --release -p scope-runtime --test properties
//! ```

mod common;

use std::fmt::Write as _;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::routing::{self, get};
use common::*;
use http::header::{AUTHORIZATION, CONTENT_TYPE};
use http::{HeaderValue, Request, Uri};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseResult, TestRunner, contextualize_config};
use scope_runtime::ScopeLayer;
use serde_json::{Value, json};

/// Cases per property when `PROPTEST_CASES` is not set.
const CASES: u32 = 512;

/// Every scope the agents API knows, the admin scope included.
const ALL_SCOPES: [&str; 5] = [
    "app:read",
    "app:run",
    "app:execute",
    "files:read",
    "app:superadmin",
];

/// A valid token that every rule accepts: it holds every scope.
fn all_powerful_token() -> String {
    token_with_scopes(&ALL_SCOPES)
}

/// Entries of the protected handlers and of the public one.
#[derive(Clone, Default)]
struct Counters {
    protected: Hits,
    public: Hits,
}

async fn protected(State(counters): State<Counters>) -> &'static str {
    counters.protected.hit();
    "protected"
}

async fn public(State(counters): State<Counters>) -> &'static str {
    counters.public.hit();
    "public"
}

/// A route for each rule of [`AGENTS_API`] and a fallback, all protected but
/// `/health`; `app:superadmin` is the admin scope.
fn agents_app() -> (Router, Counters) {
    let counters = Counters::default();
    let app = Router::new()
        .route("/agents", routing::any(protected))
        .route("/agents/{id}", routing::any(protected))
        .route("/agents/{id}/runs", routing::any(protected))
        .route("/sessions", routing::any(protected))
        .route("/files/{*rest}", routing::any(protected))
        .route("/either", routing::any(protected))
        .route("/me", routing::any(protected))
        .route("/health", get(public))
        .fallback(protected)
        .with_state(counters.clone())
        .layer(ScopeLayer::new(hs256_verifier(), AGENTS_API).admin_scope("app:superadmin"));
    (app, counters)
}

/// Runs `property` on the cases of `strategy`: [`CASES`] of them, or `PROPTEST_CASES`.
/// Failing cases are not written to a `proptest-regressions` file: the panic message
/// shows the minimal failing input.
fn check_property<S: Strategy>(strategy: S, property: impl Fn(S::Value) -> TestCaseResult) {
    let config = contextualize_config(Config {
        cases: CASES,
        failure_persistence: None,
        ..Config::default()
    });
    if let Err(e) = TestRunner::new(config).run(&strategy, property) {
        panic!("{e}");
    }
}

/// Sends `request` through a fresh [`agents_app`] on `runtime`.
fn send_to_agents_app(
    runtime: &tokio::runtime::Runtime,
    request: Request<Body>,
) -> (Reply, Counters) {
    let (app, counters) = agents_app();
    (runtime.block_on(send(&app, request)), counters)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime")
}

/// One random request: method, path (with optional query) and `Authorization` values.
#[derive(Clone, Debug)]
struct Case {
    method: &'static str,
    path: String,
    authorization: Vec<Vec<u8>>,
}

impl Case {
    fn request(&self) -> Request<Body> {
        let uri = Uri::try_from(self.path.as_str())
            .unwrap_or_else(|e| panic!("generated an invalid URI {:?}: {e}", self.path));
        let mut request = Request::builder()
            .method(self.method)
            .uri(uri)
            .body(Body::empty())
            .expect("request");
        for value in &self.authorization {
            let value = HeaderValue::from_bytes(value).expect("generated header value");
            request.headers_mut().append(AUTHORIZATION, value);
        }
        request
    }
}

/// Checks that no case of `strategy` reaches a protected handler: each is refused with a
/// 400, 401 or 403, a Bearer challenge and a JSON body, or answered by the public route.
fn check_never_reaches_a_protected_handler(strategy: impl Strategy<Value = Case>) {
    let runtime = runtime();
    check_property(strategy, |case| {
        let (reply, counters) = send_to_agents_app(&runtime, case.request());
        let status = reply.status.as_u16();
        prop_assert!(!reply.status.is_server_error(), "5xx {status} for {case:?}");
        prop_assert_eq!(
            counters.protected.count(),
            0,
            "protected handler reached ({}) for {:?}",
            status,
            case
        );
        if counters.public.count() == 1 {
            prop_assert_eq!(status, 200, "public route for {:?}", case);
            return Ok(());
        }
        prop_assert!(
            matches!(status, 400 | 401 | 403),
            "status {} for {:?}",
            status,
            case
        );
        let challenge = reply.www_authenticate().unwrap_or_default();
        prop_assert!(challenge.starts_with("Bearer"), "challenge {challenge:?}");
        prop_assert_eq!(
            reply.headers.get(CONTENT_TYPE).map(HeaderValue::as_bytes),
            Some(&b"application/json"[..])
        );
        if case.method != "HEAD" {
            let body = reply.json();
            prop_assert!(body["detail"].is_string(), "body {body}");
        }
        Ok(())
    });
}

// ---------------------------------------------------------------- strategies

fn method() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PURGE",
    ])
}

/// A path that the protected routes and rules care about.
fn protected_path() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "/agents",
        "/agents/a1",
        "/agents/a1/runs",
        "/sessions",
        "/files/a/b",
        "/files",
        "/either",
        "/me",
        "/unmapped",
    ])
    .prop_map(str::to_owned)
}

/// Whether `b` may stand raw in a URI path segment (RFC 3986 `pchar` minus `%`).
fn is_pchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@".contains(&b)
}

/// Random bytes as one path segment: `pchar` bytes raw, every other byte `%XX`.
fn encoded_segment() -> impl Strategy<Value = String> {
    prop::collection::vec(any::<u8>(), 0..12).prop_map(|bytes| {
        let mut segment = String::new();
        for b in bytes {
            if is_pchar(b) {
                segment.push(char::from(b));
            } else {
                write!(segment, "%{b:02X}").expect("write to String");
            }
        }
        segment
    })
}

/// Segments that path normalisation, decoding or matrix parameters would treat specially,
/// and raw bytes that `http` accepts in a path.
fn special_segment() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "", ".", "..", "%2e%2e", "%2E", "%2F", "%2f", "a%2Fb", ";", ";x=1", "agents;x", "%00", "%",
        "%zz", "%2", "{id}", "*", "**", "|", "\"", "\\", "\u{e9}", "agents", "AGENTS", "a1",
        "runs", "files", "health", "me", "either", "api",
    ])
    .prop_map(str::to_owned)
}

/// A random, valid request target: a prefix, random segments, maybe a trailing slash and
/// a query.
fn random_path() -> impl Strategy<Value = String> {
    let prefix = prop::sample::select(vec![
        "",
        "/agents",
        "/agents/a1",
        "/files",
        "/health",
        "/me",
        "/either",
        "//",
        "/./",
    ]);
    let segment = prop_oneof![encoded_segment(), special_segment()];
    (
        prefix,
        prop::collection::vec(segment, 0..6),
        any::<bool>(),
        prop::option::of("[a-z=&%]{0,8}"),
    )
        .prop_map(|(prefix, segments, trailing_slash, query)| {
            let mut path = prefix.to_owned();
            for segment in segments {
                path.push('/');
                path.push_str(&segment);
            }
            if trailing_slash || path.is_empty() {
                path.push('/');
            }
            if let Some(query) = query {
                path.push('?');
                path.push_str(&query);
            }
            path
        })
}

/// Replaces the bytes a header value may not hold (controls but tab, DEL).
fn header_safe(mut bytes: Vec<u8>) -> Vec<u8> {
    for b in &mut bytes {
        if (*b < 0x20 && *b != b'\t') || *b == 0x7f {
            *b = b'.';
        }
    }
    bytes
}

fn bearer_value(token: &[u8]) -> Vec<u8> {
    let mut value = b"Bearer ".to_vec();
    value.extend_from_slice(token);
    header_safe(value)
}

/// A token built from JSON parts that look like a JWT but carry no valid signature.
fn structured_token() -> impl Strategy<Value = Vec<u8>> {
    let alg = prop::sample::select(vec![
        "HS256", "HS384", "RS256", "ES256", "EdDSA", "none", "NONE", "hs256", "", "PS512",
    ]);
    let kid = prop::option::of("[a-z0-9]{0,6}");
    let scopes = prop::sample::select(vec![
        json!(ALL_SCOPES),
        json!("app:superadmin"),
        json!(1),
        json!(null),
    ]);
    let signature = prop::collection::vec(any::<u8>(), 0..80);
    (alg, kid, scopes, any::<i64>(), signature, any::<bool>()).prop_map(
        |(alg, kid, scopes, exp, signature, crit)| {
            let mut header = json!({ "alg": alg, "typ": "JWT" });
            if let Some(kid) = kid {
                header["kid"] = Value::from(kid);
            }
            if crit {
                header["crit"] = json!(["b64"]);
            }
            let payload = json!({ "sub": "fuzz", "exp": exp, "scopes": scopes });
            hand_built(&header, &payload, &b64url(&signature)).into_bytes()
        },
    )
}

/// A valid all-powerful token with one character replaced, inserted or removed.
fn mutated_token() -> impl Strategy<Value = Vec<u8>> {
    let valid = all_powerful_token();
    let len = valid.len();
    let replacement = prop::sample::select(
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/".to_vec(),
    );
    (0..len, replacement, 0..3u8).prop_filter_map(
        "mutation must change the token",
        move |(at, replacement, op)| {
            let mut bytes = valid.clone().into_bytes();
            match op {
                0 => bytes[at] = replacement,
                1 => bytes.insert(at, replacement),
                _ => {
                    bytes.remove(at);
                }
            }
            (bytes != valid.as_bytes()).then_some(bytes)
        },
    )
}

/// `Authorization` header values: none, one, or two.
fn random_authorization() -> impl Strategy<Value = Vec<Vec<u8>>> {
    let one = prop_oneof![
        prop::collection::vec(any::<u8>(), 0..600).prop_map(|b| bearer_value(&b)),
        "[ -~]{0,300}".prop_map(|s| bearer_value(s.as_bytes())),
        "[A-Za-z0-9._~+/-]{0,400}=*".prop_map(|s| bearer_value(s.as_bytes())),
        structured_token().prop_map(|t| bearer_value(&t)),
        mutated_token().prop_map(|t| bearer_value(&t)),
        prop::collection::vec(any::<u8>(), 0..100).prop_map(header_safe),
    ];
    prop_oneof![
        1 => Just(Vec::new()),
        6 => one.clone().prop_map(|v| vec![v]),
        1 => (one.clone(), one).prop_map(|(a, b)| vec![a, b]),
    ]
}

/// A value for a NumericDate claim: mostly well away from now (past or future, integer or
/// fractional), sometimes out of range or of another JSON type.
fn numeric_date(now: u64) -> impl Strategy<Value = Value> {
    let now = now as i64;
    let offset = prop_oneof![120i64..10_000_000, -10_000_000i64..-120];
    prop_oneof![
        4 => offset.clone().prop_map(move |d| json!(now + d)),
        2 => (offset, 0.01f64..0.99).prop_map(move |(d, f)| json!(now as f64 + d as f64 + f)),
        2 => prop::sample::select(vec![
            json!(-1), json!(0), json!(i64::MIN), json!(u64::MAX), json!(1e300), json!(-1e300),
            json!(-0.5), json!(1e19), json!(2e19),
        ]),
        1 => prop::sample::select(vec![
            json!("1999999999"), json!(null), json!(true), json!([]), json!({}),
        ]),
    ]
}

// ---------------------------------------------------------------- properties

/// Random requests to `paths` with `Authorization` values from `authorization`.
fn requests(
    paths: impl Strategy<Value = String>,
    authorization: impl Strategy<Value = Vec<Vec<u8>>>,
) -> impl Strategy<Value = Case> {
    (method(), paths, authorization).prop_map(|(method, path, authorization)| Case {
        method,
        path,
        authorization,
    })
}

#[test]
fn random_tokens_never_reach_a_protected_handler() {
    check_never_reaches_a_protected_handler(requests(protected_path(), random_authorization()));
}

#[test]
fn random_paths_never_reach_a_protected_handler() {
    check_never_reaches_a_protected_handler(requests(random_path(), random_authorization()));
}

#[test]
fn mutated_valid_tokens_are_all_refused() {
    let one_mutated_token = mutated_token().prop_map(|token| vec![bearer_value(&token)]);
    check_never_reaches_a_protected_handler(requests(protected_path(), one_mutated_token));
}

#[test]
fn the_unmutated_token_does_pass() {
    // The control for `mutated_valid_tokens_are_all_refused`: the token it mutates is
    // accepted everywhere, so the refusals are the mutations'.
    let request = bearer("GET", "/agents", &all_powerful_token());
    let (reply, counters) = send_to_agents_app(&runtime(), request);
    assert_eq!(reply.status.as_u16(), 200);
    assert_eq!(counters.protected.count(), 1);
}

#[test]
fn validly_signed_tokens_with_random_dates_never_pass_when_expired_or_early() {
    let now = now();
    let strategy = (
        prop::option::of(numeric_date(now)),
        prop::option::of(numeric_date(now)),
        prop::option::of(numeric_date(now)),
        prop::option::of(prop::sample::select(vec![
            json!("u"),
            json!(1),
            json!(null),
        ])),
    );
    let runtime = runtime();
    check_property(strategy, |(exp, nbf, iat, sub)| {
        let mut claims = serde_json::Map::new();
        claims.insert("scopes".into(), json!(["app:read"]));
        for (name, value) in [("exp", &exp), ("nbf", &nbf), ("iat", &iat), ("sub", &sub)] {
            if let Some(value) = value {
                claims.insert(name.into(), value.clone());
            }
        }
        let claims = Value::Object(claims);
        let request = bearer("GET", "/agents", &token_with_claims(&claims));
        let (reply, counters) = send_to_agents_app(&runtime, request);
        let status = reply.status.as_u16();
        prop_assert!(
            matches!(status, 200 | 401),
            "status {} for {}",
            status,
            claims
        );
        if status == 200 {
            let now = now as f64;
            let exp_ok = exp
                .as_ref()
                .and_then(Value::as_f64)
                .is_some_and(|e| e > now - 60.0);
            let nbf_ok = nbf
                .as_ref()
                .is_none_or(|n| n.as_f64().is_some_and(|n| n < now + 60.0));
            let iat_ok = iat.as_ref().is_none_or(Value::is_number);
            let sub_ok = sub.as_ref().is_none_or(Value::is_string);
            prop_assert!(exp_ok && nbf_ok && iat_ok && sub_ok, "accepted {}", claims);
            prop_assert_eq!(counters.protected.count(), 1);
        } else {
            prop_assert_eq!(
                counters.protected.count(),
                0,
                "refused but reached: {}",
                claims
            );
        }
        Ok(())
    });
}
