//! The layer of this tree against the layer of another revision, in one criterion run:
//! the same router, the same policy, the same requests, interleaved per request kind.

use std::hint::black_box;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Body;
use axum::routing::get;
use criterion::{Criterion, criterion_group, criterion_main};
use http::{Request, StatusCode};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;
use tower::ServiceExt;

// The seed's policy: `bench-vs-rev.sh` copies `scope-runtime/benches/support/seed_policy.rs`
// beside this file.
include!("seed_policy.rs");

const SECRET: &[u8] = b"your-secret-key-at-least-256-bits-long";

macro_rules! guarded_router {
    ($runtime:ident) => {{
        static POLICY: $runtime::Policy = seed_policy!($runtime);
        let verifier = $runtime::JwtVerifier::builder()
            .key($runtime::VerificationKey::hs256(SECRET).expect("key"))
            .build()
            .expect("verifier");
        router().layer($runtime::ScopeLayer::new(verifier, POLICY).admin_scope("app:superadmin"))
    }};
}

fn router() -> Router {
    Router::new()
        .route("/config", get(|| async { "config" }))
        .route("/health", get(|| async { "ok" }))
        .route("/agents/{agent_id}", get(|| async { "agent" }))
}

fn token(scopes: &[&str]) -> String {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).expect("after 1970").as_secs();
    let claims = json!({ "sub": "admin_789", "scopes": scopes, "exp": now + 24 * 3600 });
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &EncodingKey::from_secret(SECRET))
        .expect("encode")
}

fn request(path: &str, token: Option<&str>) -> Request<Body> {
    let mut builder = Request::get(path);
    if let Some(token) = token {
        builder = builder.header("authorization", format!("Bearer {token}"));
    }
    builder.body(Body::empty()).expect("request")
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
    let call = |app: &Router, req: Request<Body>| {
        rt.block_on(app.clone().oneshot(req)).expect("infallible").status()
    };
    let layers = [("new", guarded_router!(scope_runtime)), ("old", guarded_router!(scope_runtime_old))];
    let admin = token(&["app:admin", "app:read"]);
    let basic = token(&["app:run"]);
    let cases: [(&str, &str, Option<&str>, StatusCode); 5] = [
        ("public", "/health", None, StatusCode::OK),
        ("allowed", "/config", Some(&admin), StatusCode::OK),
        ("allowed_capture", "/agents/research-agent", Some(&admin), StatusCode::OK),
        ("missing_token", "/config", None, StatusCode::UNAUTHORIZED),
        ("forbidden", "/config", Some(&basic), StatusCode::FORBIDDEN),
    ];
    for (kind, path, token, status) in cases {
        let mut group = c.benchmark_group(format!("vs_rev/{kind}"));
        for (version, app) in &layers {
            assert_eq!(call(app, request(path, token)), status, "{version} {kind}");
            group.bench_function(*version, |b| {
                b.iter(|| call(app, request(black_box(path), token)))
            });
        }
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
