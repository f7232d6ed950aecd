//! What a scope template costs a request: the same request through the layer on a rule
//! with a plain scope (`["agents:read"]`) and on a rule with a template
//! (`["agents:{agent_id}:read"]`), side by side, with a token of 20 scopes (the matching
//! one last; the 19 others of its length and sharing its first bytes, so that none is
//! skipped by its length alone) and the verified-token cache on. Also: the template held through its wildcard
//! (`agents:*:read`), and an `any["agents:read", "agents:{agent_id}:read"]` rule whose
//! fixed alternative is not held (the fixed scope is looked for, then the template).
//! The layer wraps the smallest inner service, so that it is most of what is measured.
//!
//! After criterion's report, a paired measurement (see [`paired`]) prints each case's
//! added cost over `fixed_scope`.
//!
//! Run: `cargo bench -p scope-runtime --bench templates -- --warm-up-time 1
//! --measurement-time 3`.

use std::hint::black_box;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use std::convert::Infallible;

use axum::body::Body;
use axum::response::Response;
use criterion::{Criterion, criterion_group};
use http::{Request, StatusCode};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use scope_runtime::{JwtVerifier, Policy, ScopeLayer, VerificationKey};
use serde_json::json;
use tower::{Layer as _, ServiceExt};

/// Three rules of one shape (same segment count and lengths), so that only the
/// requirement differs.
static POLICY: Policy = scope_runtime::scopes! {
    "GET /plains/{agent_id}" => ["agents:read"],
    "GET /agents/{agent_id}" => ["agents:{agent_id}:read"],
    "GET /anyofs/{agent_id}" => any["agents:read", "agents:{agent_id}:read"],
};

const SECRET: &[u8] = b"your-secret-key-at-least-256-bits-long";

/// 19 scopes of the filled template's length that match no rule, then `last`.
/// The 19 scopes of a token that do not match, each of the length of `like` and sharing
/// all but one of its bytes, so that none is told from it by its length or first bytes.
fn fillers(like: &str) -> Vec<String> {
    match like {
        // `agents:reae` ... `agents:reaw`.
        "agents:read" => (b'e'..=b'w')
            .map(|c| format!("agents:rea{}", char::from(c)))
            .collect(),
        // `agents:ab:read` ... `agents:at:read`.
        "agents:a1:read" => (b'b'..=b't')
            .map(|c| format!("agents:a{}:read", char::from(c)))
            .collect(),
        _ => unreachable!("{like}"),
    }
}

/// The length of every token's payload (JSON text).
const PAYLOAD_LEN: usize = 400;

/// A token of `fillers` then `last` (20 scopes).
fn token(fillers: Vec<String>, last: &str) -> String {
    let mut scopes = fillers;
    assert_eq!(scopes.len(), 19);
    scopes.push(last.to_owned());
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    // Every token of the same length (a `pad` claim makes up the difference): the cost
    // of reading, hashing and comparing the token itself is then the same in every case.
    let claims = |pad: usize| json!({ "sub": "user-1", "scopes": scopes, "exp": now + 24 * 3600, "pad": "x".repeat(pad) });
    let pad = PAYLOAD_LEN - claims(0).to_string().len();
    let claims = claims(pad);
    assert_eq!(claims.to_string().len(), PAYLOAD_LEN);
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(SECRET),
    )
    .expect("encode")
}

fn request(path: &str, token: &str) -> Request<Body> {
    Request::get(path)
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .expect("request")
}

/// The cases: name, path, token. The first is the baseline of the paired measurement.
type Cases = [(&'static str, &'static str, String); 5];

fn cases() -> Cases {
    let fixed = || fillers("agents:read");
    let template = || fillers("agents:a1:read");
    [
        ("fixed_scope", "/plains/a1", token(fixed(), "agents:read")),
        // The same rule, its 19 other scopes of another length (the template's).
        (
            "fixed_scope_other_lengths",
            "/plains/a1",
            token(template(), "agents:read"),
        ),
        (
            "template",
            "/agents/a1",
            token(template(), "agents:a1:read"),
        ),
        (
            "template_wildcard",
            "/agents/a1",
            token(template(), "agents:*:read"),
        ),
        (
            "any_fixed_or_template",
            "/anyofs/a1",
            token(template(), "agents:a1:read"),
        ),
    ]
}

/// Runs `f` with a function sending one request through the layer (a fresh clone of the
/// service, as a server does per request) and answering its status.
fn with_app<R>(f: impl FnOnce(&dyn Fn(&str, &str) -> StatusCode) -> R) -> R {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    // The smallest inner service, so that the layer is most of what is measured.
    let inner = tower::service_fn(|_: Request<Body>| async {
        Ok::<_, Infallible>(Response::new(Body::empty()))
    });
    let verifier = JwtVerifier::builder()
        .key(VerificationKey::hs256(SECRET).expect("key"))
        .build()
        .expect("verifier");
    let app = ScopeLayer::new(verifier, POLICY).layer(inner);
    let call = |path: &str, token: &str| {
        rt.block_on(app.clone().oneshot(request(path, token)))
            .unwrap_or_else(|never| match never {})
            .status()
    };
    let cases = cases();
    for (name, path, token) in &cases {
        assert_eq!(call(path, token), StatusCode::OK, "{name}");
    }
    // Each rule needs its own scope: the plain token does not pass the template rule,
    // nor the filled one the plain rule.
    assert_eq!(call("/agents/a1", &cases[0].2), StatusCode::FORBIDDEN);
    assert_eq!(call("/plains/a1", &cases[2].2), StatusCode::FORBIDDEN);
    f(&call)
}

fn bench(c: &mut Criterion) {
    with_app(|call| {
        let mut group = c.benchmark_group("templates/hs256");
        for (name, path, token) in &cases() {
            group.bench_function(*name, |b| {
                b.iter(|| call(black_box(path), black_box(token)))
            });
        }
        group.finish();
    });
}

/// The added cost of each case over `fixed_scope`, measured paired: rounds of a block of
/// requests per case, interleaved, so that the drift of a noisy machine (which moves
/// criterion's separate runs by more than the difference sought) hits every case alike;
/// the median over rounds of each case's ns per request minus `fixed_scope`'s.
fn paired() {
    const ROUNDS: usize = 41;
    const BLOCK: usize = 2_000;
    let cases = cases();
    let per_request = with_app(|call| {
        let mut samples = vec![Vec::with_capacity(ROUNDS); cases.len()];
        for round in 0..ROUNDS {
            // Each round starts with another case: no case always runs first.
            for k in 0..cases.len() {
                let i = (round + k) % cases.len();
                let (_, path, token) = &cases[i];
                let start = Instant::now();
                for _ in 0..BLOCK {
                    black_box(call(black_box(path), black_box(token)));
                }
                samples[i].push(start.elapsed().as_nanos() as f64 / BLOCK as f64);
            }
        }
        samples
    });
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    println!("\npaired, {ROUNDS} interleaved rounds of {BLOCK} requests per case:");
    for (i, (name, _, _)) in cases.iter().enumerate() {
        let added: Vec<f64> = (0..ROUNDS)
            .map(|r| per_request[i][r] - per_request[0][r])
            .collect();
        println!(
            "  {name:<24} {:>7.0} ns/request, {:>+5.0} ns over fixed_scope",
            median(per_request[i].clone()),
            median(added)
        );
    }
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    // Not under `cargo test --benches`, which runs each benchmark once as a test.
    if std::env::args().any(|a| a == "--bench") {
        paired();
    }
}
