//! One request through a bare router versus the same router behind the `ScopeLayer`,
//! side by side with `jsonwebtoken::decode` alone on the same token (the floor of an
//! authorized request: one signature check).
//!
//! Every algorithm is measured with the verified-token cache (the default) and without
//! it (`layer_allowed_no_cache`); `layer_forbidden` runs with the cache, as a server
//! would.
//!
//! Run: `cargo bench -p scope-runtime --bench request`. How to read the numbers:
//! BENCHMARKS.md.

use std::hint::black_box;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Body;
use axum::routing::get;
use criterion::{Criterion, criterion_group, criterion_main};
use http::{Request, StatusCode};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use scope_runtime::{JwtVerifier, Policy, ScopeLayer, VerificationKey};
use serde_json::{Map, Value, json};
use tower::ServiceExt;

include!("support/seed_policy.rs");

static POLICY: Policy = seed_policy!(scope_runtime);

const SECRET: &[u8] = b"your-secret-key-at-least-256-bits-long";

fn claims(scopes: &[&str]) -> Value {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    json!({ "sub": "admin_789", "scopes": scopes, "exp": now + 24 * 3600 })
}

fn token(alg: Algorithm, key: &EncodingKey, scopes: &[&str]) -> String {
    jsonwebtoken::encode(&Header::new(alg), &claims(scopes), key).expect("encode")
}

fn router() -> Router {
    Router::new()
        .route("/config", get(|| async { "config" }))
        .route("/health", get(|| async { "ok" }))
}

fn request(path: &str, token: Option<&str>) -> Request<Body> {
    let mut builder = Request::get(path);
    if let Some(token) = token {
        builder = builder.header("authorization", format!("Bearer {token}"));
    }
    builder.body(Body::empty()).expect("request")
}

struct Case {
    alg: Algorithm,
    encoding: EncodingKey,
    decoding: DecodingKey,
    key: VerificationKey,
}

fn fixture(name: &str) -> &'static str {
    match name {
        "rsa_private" => include_str!("../tests/fixtures/rsa_private.pem"),
        "rsa_public" => include_str!("../tests/fixtures/rsa_public.pem"),
        "ec_private" => include_str!("../tests/fixtures/ec_p256_private.pem"),
        "ec_public" => include_str!("../tests/fixtures/ec_p256_public.pem"),
        "ed_private" => include_str!("../tests/fixtures/ed25519_private.pem"),
        "ed_public" => include_str!("../tests/fixtures/ed25519_public.pem"),
        _ => unreachable!("known fixture"),
    }
}

/// A case of a public-key algorithm: tokens signed with the private key of `pair`,
/// verified with its public key (by jsonwebtoken alone, and by the layer).
fn asymmetric(
    alg: Algorithm,
    pair: (&str, &str),
    encoding: fn(&[u8]) -> jsonwebtoken::errors::Result<EncodingKey>,
    decoding: fn(&[u8]) -> jsonwebtoken::errors::Result<DecodingKey>,
) -> Case {
    let (private, public) = (fixture(pair.0), fixture(pair.1));
    let ours = scope_runtime::Algorithm::from_name(&format!("{alg:?}")).expect("same name");
    Case {
        alg,
        encoding: encoding(private.as_bytes()).expect("private key"),
        decoding: decoding(public.as_bytes()).expect("public key"),
        key: VerificationKey::from_pem(ours, public).expect("key"),
    }
}

fn cases() -> Vec<(&'static str, Case)> {
    let hs256 = Case {
        alg: Algorithm::HS256,
        encoding: EncodingKey::from_secret(SECRET),
        decoding: DecodingKey::from_secret(SECRET),
        key: VerificationKey::hs256(SECRET).expect("key"),
    };
    let rsa = ("rsa_private", "rsa_public");
    let ec = ("ec_private", "ec_public");
    let ed = ("ed_private", "ed_public");
    vec![
        ("hs256", hs256),
        (
            "rs256",
            asymmetric(
                Algorithm::RS256,
                rsa,
                EncodingKey::from_rsa_pem,
                DecodingKey::from_rsa_pem,
            ),
        ),
        (
            "es256",
            asymmetric(
                Algorithm::ES256,
                ec,
                EncodingKey::from_ec_pem,
                DecodingKey::from_ec_pem,
            ),
        ),
        (
            "eddsa",
            asymmetric(
                Algorithm::EdDSA,
                ed,
                EncodingKey::from_ed_pem,
                DecodingKey::from_ed_pem,
            ),
        ),
    ]
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let call = |app: &Router, req: Request<Body>| {
        rt.block_on(app.clone().oneshot(req))
            .expect("infallible")
            .status()
    };
    let bare = router();
    // The same router behind a layer that does nothing: what axum charges for any
    // `Router::layer` (it boxes each layered route and its future), so that the
    // layer's own cost can be told apart.
    let noop = router().layer(tower::layer::layer_fn(|service| service));
    for (name, case) in cases() {
        let guarded_with = |cache_capacity: usize| {
            let verifier = JwtVerifier::builder()
                .key(case.key.clone())
                .cache_capacity(cache_capacity)
                .build()
                .expect("verifier");
            router().layer(ScopeLayer::new(verifier, POLICY).admin_scope("app:superadmin"))
        };
        // The default configuration (verified-token cache on), and the cache off.
        let guarded = guarded_with(scope_runtime::DEFAULT_CACHE_CAPACITY);
        let uncached = guarded_with(0);
        let admin = token(case.alg, &case.encoding, &["app:admin"]);
        let basic = token(case.alg, &case.encoding, &["app:read"]);
        assert_eq!(
            call(&guarded, request("/config", Some(&admin))),
            StatusCode::OK
        );
        assert_eq!(
            call(&guarded, request("/config", Some(&basic))),
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            call(&uncached, request("/config", Some(&admin))),
            StatusCode::OK
        );

        let mut group = c.benchmark_group(format!("request/{name}"));
        let mut validation = Validation::new(case.alg);
        validation.set_required_spec_claims(&["exp"]);
        group.bench_function("decode_only", |b| {
            b.iter(|| {
                jsonwebtoken::decode::<Map<String, Value>>(
                    black_box(&admin),
                    &case.decoding,
                    &validation,
                )
                .expect("valid")
            })
        });
        let verifier_only = JwtVerifier::builder()
            .key(case.key.clone())
            .cache_capacity(0)
            .build()
            .expect("verifier");
        group.bench_function("verify_token_no_cache", |b| {
            b.iter(|| {
                verifier_only
                    .verify_token(black_box(&admin))
                    .expect("valid")
            })
        });
        group.bench_function("bare_router", |b| {
            b.iter(|| call(&bare, request("/config", Some(black_box(&admin)))))
        });
        group.bench_function("layer_allowed", |b| {
            b.iter(|| call(&guarded, request("/config", Some(black_box(&admin)))))
        });
        group.bench_function("layer_allowed_no_cache", |b| {
            b.iter(|| call(&uncached, request("/config", Some(black_box(&admin)))))
        });
        group.bench_function("layer_forbidden", |b| {
            b.iter(|| call(&guarded, request("/config", Some(black_box(&basic)))))
        });
        if name == "hs256" {
            group.bench_function("bare_router_no_token", |b| {
                b.iter(|| call(&bare, request("/config", None)))
            });
            group.bench_function("layer_missing_token", |b| {
                b.iter(|| call(&guarded, request("/config", None)))
            });
            group.bench_function("bare_router_public", |b| {
                b.iter(|| call(&bare, request("/health", None)))
            });
            group.bench_function("noop_layer_public", |b| {
                b.iter(|| call(&noop, request("/health", None)))
            });
            group.bench_function("layer_public", |b| {
                b.iter(|| call(&guarded, request("/health", None)))
            });
            // The layer around the whole router instead of `Router::layer`: no per-route
            // boxing by axum (see README, "Where the layer goes").
            let verifier = JwtVerifier::builder()
                .key(case.key.clone())
                .build()
                .expect("verifier");
            let outer = tower::Layer::layer(
                &ScopeLayer::new(verifier, POLICY).admin_scope("app:superadmin"),
                router(),
            );
            let call_outer = |req: Request<Body>| {
                rt.block_on(outer.clone().oneshot(req))
                    .expect("infallible")
                    .status()
            };
            assert_eq!(call_outer(request("/health", None)), StatusCode::OK);
            assert_eq!(
                call_outer(request("/config", None)),
                StatusCode::UNAUTHORIZED
            );
            group.bench_function("outer_layer_public", |b| {
                b.iter(|| call_outer(request("/health", None)))
            });
            group.bench_function("outer_layer_missing_token", |b| {
                b.iter(|| call_outer(request("/config", None)))
            });
            group.bench_function("outer_layer_allowed", |b| {
                b.iter(|| call_outer(request("/config", Some(black_box(&admin)))))
            });
        }
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
