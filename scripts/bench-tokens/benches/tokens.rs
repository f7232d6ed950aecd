//! What a token costs, per algorithm (HS256, RS256, PS256, ES256, ES384, EdDSA), measured
//! side by side in one criterion run. `bash scripts/bench-tokens.sh`; how to read the
//! numbers: BENCHMARKS.md, "Cold tokens".
//!
//! For each algorithm, group `<alg>`:
//! - `floor/<library>`: the raw signature check of the pool's tokens (cycled) by
//!   aws-lc-rs, ring and RustCrypto, each with its key parsed once (the fastest way
//!   each library offers): the floor of a token never seen before.
//! - `bare_router`: `GET /config` through the router without the layer (same request,
//!   `Authorization` header included); everything below is read as "added over" it.
//! - `layer/cold`: through the `ScopeLayer` with the default verifier (verified-token
//!   cache on, 4,096 entries), every request a token the cache has never seen, as for a
//!   new user or a fresh token after a refresh: each criterion sample gets a fresh
//!   verifier whose cache is first filled with 12,288 other tokens (HS256 ones, under a
//!   second key, so that filling is quick; not timed), then runs through distinct
//!   tokens of the pool (`BENCH_TOKENS_DISTINCT`, default 10,000, tokens that differ
//!   in their `jti`; four times as many for HS256; a longer sample takes a fresh,
//!   filled verifier for each pool's worth), so each is a miss, then an insert that
//!   evicts. (Cycling through more tokens than the cache holds is not enough: the
//!   cache's S3-FIFO eviction keeps a good share of a cyclic stream, about 40 % here.)
//! - `layer/cold_no_cache`: the pool's tokens with `cache_capacity(0)`.
//! - `layer/warm`: one token over and over (a cache hit).
//! - `peer/jsonwebtoken9_ring`: jwt-authorizer's verification (jsonwebtoken 9 on ring,
//!   `decode` with its default `Validation`) in an `axum::middleware::from_fn` around
//!   the same router, on the same cycling tokens: a stand-in for a peer's per-request
//!   cost that is cheaper than any real peer (no claims extraction, no policy);
//! - `peer/jwt_authorizer`: jwt-authorizer 0.15 itself, its axum 0.7 layer bridged onto
//!   the same handler (`jwt_authorizer_router`).
//!
//! For RS256 and HS256, group `<alg>/parts`, the verifier alone
//! (`JwtVerifier::verify_token`, no HTTP) on tokens that stop at each step:
//! - `unknown_kid`: header and payload read (base64url, strict JSON), claim types,
//!   issuer and key lookup, refused before any signature work;
//! - `bad_signature`: the same plus one signature check that fails;
//! - `cold_no_cache`: plus the claims check (`exp`, `aud`, scopes) of a valid token;
//! - `cold`: plus the cache's miss and insert (a fresh, filled cache per sample, as
//!   above);
//! - `warm`: the cache hit alone.
//!
//! For the whole HTTP picture of the other paths (public route, missing token, 403),
//! `scope-runtime/benches/request.rs` and `scripts/bench-vs-rev.sh`.

use std::cell::Cell;
use std::hint::black_box;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Body;
use axum::extract::Request as AxumRequest;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use criterion::{Criterion, criterion_group, criterion_main};
use http::{Request, StatusCode};
use jsonwebtoken::{EncodingKey, Header};
use scope_runtime::{Algorithm, JwtVerifier, Policy, ScopeLayer, VerificationKey};
use serde_json::json;
use tower::ServiceExt;

include!("../../../scope-runtime/benches/support/seed_policy.rs");

static POLICY: Policy = seed_policy!(scope_runtime);

const SECRET: &[u8] = b"your-secret-key-at-least-256-bits-long";

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("../../../scope-runtime/tests/fixtures/", $name))
    };
}

/// A raw signature check: `(message, signature) -> valid`.
type Floor = Box<dyn Fn(&[u8], &[u8]) -> bool>;

struct Case {
    name: &'static str,
    alg: Algorithm,
    encoding: EncodingKey,
    /// The public key (or secret) as each library reads it: PKCS#1 `RSAPublicKey` DER,
    /// an uncompressed EC point, 32 Ed25519 bytes, the HMAC secret.
    public: Vec<u8>,
    key: VerificationKey,
    peer: jsonwebtoken9::DecodingKey,
    /// The public key's PEM (the secret for HS256), for jwt-authorizer.
    pem: &'static str,
}

fn cases() -> Vec<Case> {
    let rsa = (fixture!("rsa_private.pem"), fixture!("rsa_public.pem"));
    let p256 = (
        fixture!("ec_p256_private.pem"),
        fixture!("ec_p256_public.pem"),
    );
    let p384 = (
        fixture!("ec_p384_private.pem"),
        fixture!("ec_p384_public.pem"),
    );
    let ed = (
        fixture!("ed25519_private.pem"),
        fixture!("ed25519_public.pem"),
    );
    let asymmetric = |name, alg: Algorithm, (private, public): (&str, &'static str)| {
        let (encoding, decoding, peer) = match alg {
            Algorithm::ES256 | Algorithm::ES384 => (
                EncodingKey::from_ec_pem(private.as_bytes()),
                jsonwebtoken::DecodingKey::from_ec_pem(public.as_bytes()),
                jsonwebtoken9::DecodingKey::from_ec_pem(public.as_bytes()),
            ),
            Algorithm::EdDSA => (
                EncodingKey::from_ed_pem(private.as_bytes()),
                jsonwebtoken::DecodingKey::from_ed_pem(public.as_bytes()),
                jsonwebtoken9::DecodingKey::from_ed_pem(public.as_bytes()),
            ),
            _ => (
                EncodingKey::from_rsa_pem(private.as_bytes()),
                jsonwebtoken::DecodingKey::from_rsa_pem(public.as_bytes()),
                jsonwebtoken9::DecodingKey::from_rsa_pem(public.as_bytes()),
            ),
        };
        let public_bytes = match decoding.expect("public key").kind() {
            jsonwebtoken::DecodingKeyKind::SecretOrDer(bytes) => bytes.clone(),
            other => unreachable!("a PEM key is DER: {other:?}"),
        };
        Case {
            name,
            alg,
            encoding: encoding.expect("private key"),
            public: public_bytes,
            key: VerificationKey::from_pem(alg, public)
                .expect("key")
                .with_kid("k1"),
            peer: peer.expect("peer key"),
            pem: public,
        }
    };
    vec![
        Case {
            name: "hs256",
            alg: Algorithm::HS256,
            encoding: EncodingKey::from_secret(SECRET),
            public: SECRET.to_vec(),
            key: VerificationKey::hs256(SECRET).expect("key").with_kid("k1"),
            peer: jsonwebtoken9::DecodingKey::from_secret(SECRET),
            pem: std::str::from_utf8(SECRET).expect("ASCII"),
        },
        asymmetric("rs256", Algorithm::RS256, rsa),
        asymmetric("ps256", Algorithm::PS256, rsa),
        asymmetric("es256", Algorithm::ES256, p256),
        asymmetric("es384", Algorithm::ES384, p384),
        asymmetric("eddsa", Algorithm::EdDSA, ed),
    ]
}

/// The floors of `case`: each library's own check, key parsed once, outside the loop.
fn floors(case: &Case) -> Vec<(&'static str, Floor)> {
    use ring::signature as rg;
    use signature::Verifier as _;
    let public = case.public.clone();
    let aws_lc = |params: &'static dyn aws_lc_rs::signature::VerificationAlgorithm| -> Floor {
        let key = aws_lc_rs::signature::ParsedPublicKey::new(params, &public).expect("aws-lc");
        Box::new(move |m, s| key.verify_sig(m, s).is_ok())
    };
    // aws-lc-rs also verifies with a key it parses at every call, which for ECDSA may
    // take another path through AWS-LC: measured too, to choose.
    let aws_lc_unparsed =
        |params: &'static dyn aws_lc_rs::signature::VerificationAlgorithm| -> Floor {
            let public = public.clone();
            Box::new(move |m, s| {
                aws_lc_rs::signature::UnparsedPublicKey::new(params, &public)
                    .verify(m, s)
                    .is_ok()
            })
        };
    let ring_floor = |params: &'static dyn rg::VerificationAlgorithm| -> Floor {
        // ring has no parsed-key type for signatures: this is its fastest API.
        let public = public.clone();
        Box::new(move |m, s| {
            rg::UnparsedPublicKey::new(params, &public)
                .verify(m, s)
                .is_ok()
        })
    };
    match case.alg {
        Algorithm::HS256 => {
            use hmac::Mac as _;
            let lc = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, &public);
            let rg_key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &public);
            let rc = hmac::Hmac::<sha2::Sha256>::new_from_slice(&public).expect("hmac");
            vec![
                (
                    "aws_lc_rs",
                    Box::new(move |m, s| aws_lc_rs::hmac::verify(&lc, m, s).is_ok()),
                ),
                (
                    "ring",
                    Box::new(move |m, s| ring::hmac::verify(&rg_key, m, s).is_ok()),
                ),
                (
                    "rust_crypto",
                    Box::new(move |m, s| {
                        let mut mac = rc.clone();
                        mac.update(m);
                        mac.verify_slice(s).is_ok()
                    }),
                ),
            ]
        }
        Algorithm::RS256 | Algorithm::PS256 => {
            use rsa::pkcs1::DecodeRsaPublicKey as _;
            let rc = rsa::RsaPublicKey::from_pkcs1_der(&public).expect("rsa");
            let rust_crypto: Floor = if case.alg == Algorithm::RS256 {
                let key = rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(rc);
                Box::new(move |m, s| {
                    rsa::pkcs1v15::Signature::try_from(s).is_ok_and(|s| key.verify(m, &s).is_ok())
                })
            } else {
                let key = rsa::pss::VerifyingKey::<sha2::Sha256>::new(rc);
                Box::new(move |m, s| {
                    rsa::pss::Signature::try_from(s).is_ok_and(|s| key.verify(m, &s).is_ok())
                })
            };
            let (lc, rg): (_, &'static dyn rg::VerificationAlgorithm) =
                if case.alg == Algorithm::RS256 {
                    (
                        &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
                        &rg::RSA_PKCS1_2048_8192_SHA256,
                    )
                } else {
                    (
                        &aws_lc_rs::signature::RSA_PSS_2048_8192_SHA256,
                        &rg::RSA_PSS_2048_8192_SHA256,
                    )
                };
            vec![
                ("aws_lc_rs", aws_lc(lc)),
                ("aws_lc_rs_unparsed", aws_lc_unparsed(lc)),
                ("ring", ring_floor(rg)),
                ("rust_crypto", rust_crypto),
            ]
        }
        Algorithm::ES256 => {
            let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(&public).expect("p256");
            vec![
                (
                    "aws_lc_rs",
                    aws_lc(&aws_lc_rs::signature::ECDSA_P256_SHA256_FIXED),
                ),
                (
                    "aws_lc_rs_unparsed",
                    aws_lc_unparsed(&aws_lc_rs::signature::ECDSA_P256_SHA256_FIXED),
                ),
                ("ring", ring_floor(&rg::ECDSA_P256_SHA256_FIXED)),
                (
                    "rust_crypto",
                    Box::new(move |m, s| {
                        p256::ecdsa::Signature::from_slice(s)
                            .is_ok_and(|s| key.verify(m, &s).is_ok())
                    }),
                ),
            ]
        }
        Algorithm::ES384 => {
            let key = p384::ecdsa::VerifyingKey::from_sec1_bytes(&public).expect("p384");
            vec![
                (
                    "aws_lc_rs",
                    aws_lc(&aws_lc_rs::signature::ECDSA_P384_SHA384_FIXED),
                ),
                (
                    "aws_lc_rs_unparsed",
                    aws_lc_unparsed(&aws_lc_rs::signature::ECDSA_P384_SHA384_FIXED),
                ),
                ("ring", ring_floor(&rg::ECDSA_P384_SHA384_FIXED)),
                (
                    "rust_crypto",
                    Box::new(move |m, s| {
                        p384::ecdsa::Signature::from_slice(s)
                            .is_ok_and(|s| key.verify(m, &s).is_ok())
                    }),
                ),
            ]
        }
        Algorithm::EdDSA => {
            let bytes: [u8; 32] = public.as_slice().try_into().expect("32 bytes");
            let key = ed25519_dalek::VerifyingKey::from_bytes(&bytes).expect("ed25519");
            vec![
                ("aws_lc_rs", aws_lc(&aws_lc_rs::signature::ED25519)),
                (
                    "aws_lc_rs_unparsed",
                    aws_lc_unparsed(&aws_lc_rs::signature::ED25519),
                ),
                ("ring", ring_floor(&rg::ED25519)),
                (
                    "rust_crypto",
                    Box::new(move |m, s| {
                        ed25519_dalek::Signature::from_slice(s)
                            .is_ok_and(|s| key.verify(m, &s).is_ok())
                    }),
                ),
            ]
        }
        other => unreachable!("not benchmarked: {other}"),
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs()
}

/// A token like a provider's access token (about 330 bytes with an RSA signature),
/// made distinct by `jti`.
fn mint(case: &Case, kid: &str, jti: usize) -> String {
    let alg = case.alg.name().parse().expect("same names");
    let mut header = Header::new(alg);
    header.kid = Some(kid.to_owned());
    let now = now();
    let claims = json!({
        "sub": "admin_789",
        "scopes": ["app:read", "app:admin"],
        "iat": now,
        "exp": now + 24 * 3600,
        "jti": format!("{jti:08}-bench"),
    });
    jsonwebtoken::encode(&header, &claims, &case.encoding).expect("encode")
}

fn router() -> Router {
    Router::new()
        .route("/config", get(|| async { "config" }))
        .route("/health", get(|| async { "ok" }))
}

fn request(token: &str) -> Request<Body> {
    Request::get("/config")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .expect("request")
}

/// The peer stand-in: jsonwebtoken 9's `decode` in a middleware, claims put in the
/// request's extensions, 401 on any error.
async fn peer_middleware(
    key: std::sync::Arc<(jsonwebtoken9::DecodingKey, jsonwebtoken9::Validation)>,
    mut request: AxumRequest,
    next: Next,
) -> Response {
    let token = request
        .headers()
        .get("authorization")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "));
    let Some(token) = token else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    match jsonwebtoken9::decode::<serde_json::Map<String, serde_json::Value>>(token, &key.0, &key.1)
    {
        Ok(data) => {
            request.extensions_mut().insert(data.claims);
            next.run(request).await
        }
        Err(_) => StatusCode::UNAUTHORIZED.into_response(),
    }
}

/// The pool's size: `BENCH_TOKENS_DISTINCT`, default 10,000.
/// jwt-authorizer 0.15 (an axum 0.7 layer, on jsonwebtoken 9 and ring) around the same
/// handler, bridged: its inner service answers with axum-core 0.4 responses and the
/// outer one is turned back into axum 0.8's, two `map_response` steps that move the body
/// and nothing else. Mounted as the router's `/config` route, so that there is one
/// routing step, as with `Router::layer`.
fn jwt_authorizer_router(rt: &tokio::runtime::Runtime, case: &Case) -> Router {
    use jwt_authorizer::{IntoLayer as _, JwtAuthorizer};
    use tower::{Layer as _, ServiceBuilder};
    let builder = match case.alg {
        Algorithm::HS256 => JwtAuthorizer::<serde_json::Value>::from_secret(case.pem),
        Algorithm::ES256 | Algorithm::ES384 => JwtAuthorizer::from_ec_pem_text(case.pem),
        Algorithm::EdDSA => JwtAuthorizer::from_ed_pem_text(case.pem),
        _ => JwtAuthorizer::from_rsa_pem_text(case.pem),
    };
    let authorizer = rt.block_on(builder.build()).expect("jwt-authorizer");
    let handler = ServiceBuilder::new()
        .map_response(|response: Response| response.map(axum_core04::body::Body::new))
        .service(get(|| async { "config" }).with_state(()));
    let authorized = vec![authorizer].into_layer().layer(handler);
    let bridged = ServiceBuilder::new()
        .map_response(|response: http::Response<axum_core04::body::Body>| response.map(Body::new))
        .service(authorized);
    Router::new()
        .route_service("/config", bridged)
        .route("/health", get(|| async { "ok" }))
}

fn distinct_tokens() -> usize {
    std::env::var("BENCH_TOKENS_DISTINCT")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000)
}

/// The tokens of one algorithm: the pool the cold cases run through, and the HS256
/// tokens (key id `fill`) that fill a fresh cache before each cold sample.
struct Tokens {
    pool: Vec<String>,
    /// `(signing input, decoded signature)` of each pool token, for the floors.
    signed: Vec<(String, Vec<u8>)>,
    fill: Vec<String>,
}

impl Tokens {
    fn mint(case: &Case, fill_case: &Case, distinct: usize) -> Tokens {
        let started = Instant::now();
        let pool: Vec<String> = (0..distinct).map(|jti| mint(case, "k1", jti)).collect();
        eprintln!(
            "{}: minted {distinct} tokens in {:.1} s",
            case.name,
            started.elapsed().as_secs_f64()
        );
        let signed = pool
            .iter()
            .map(|token| {
                let (message, signature) = token.rsplit_once('.').expect("three parts");
                let signature = URL_SAFE_NO_PAD.decode(signature).expect("base64url");
                (message.to_owned(), signature)
            })
            .collect();
        // Three times the capacity: the cache is full and its ghost list (evicted
        // tokens it still remembers) too, as in a server that has run for a while, so
        // the timed inserts neither find free room nor grow the map.
        let fill = (0..3 * scope_runtime::DEFAULT_CACHE_CAPACITY)
            .map(|jti| mint(fill_case, "fill", distinct + jti))
            .collect();
        Tokens { pool, signed, fill }
    }
}

/// Runs `iters` requests through `run`, each with a pool token that `target` has never
/// seen: on a fresh `target` whose cache is filled first, and on another fresh one for
/// each further pool's worth of requests (filling is not timed).
fn cold_sample<T>(
    iters: u64,
    tokens: &Tokens,
    target: impl Fn() -> T,
    run: impl Fn(&T, &str) -> bool,
) -> Duration {
    let mut left = usize::try_from(iters).expect("fits");
    let mut timed = Duration::ZERO;
    while left > 0 {
        let target = target();
        for token in &tokens.fill {
            assert!(run(&target, token), "the filling tokens verify");
        }
        let chunk = left.min(tokens.pool.len());
        let started = Instant::now();
        for token in &tokens.pool[..chunk] {
            black_box(run(&target, token));
        }
        timed += started.elapsed();
        left -= chunk;
    }
    timed
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let call = |app: &Router, token: &str| {
        rt.block_on(app.clone().oneshot(request(token)))
            .expect("infallible")
            .status()
    };
    let distinct = distinct_tokens();
    // `BENCH_TOKENS_ALGS=rs256,es256` measures only those (minting is not free).
    let only = std::env::var("BENCH_TOKENS_ALGS").ok();
    let wanted = |name: &str| {
        only.as_deref()
            .is_none_or(|only| only.split(',').any(|n| n == name))
    };
    let all = cases();
    let fill_case = all
        .iter()
        .find(|case| case.alg == Algorithm::HS256)
        .expect("hs256");
    let fill_key = fill_case.key.clone().with_kid("fill");
    for case in all.iter().filter(|case| wanted(case.name)) {
        // An HS256 request costs a few µs: its samples are four times longer.
        let pool_len = if case.alg == Algorithm::HS256 {
            4 * distinct
        } else {
            distinct
        };
        let tokens = Tokens::mint(case, fill_case, pool_len);
        let one = tokens.pool[0].as_str();
        // Cycles through the pool, one token per call.
        let next = Cell::new(0usize);
        let cycle = || {
            let i = next.get();
            next.set((i + 1) % tokens.pool.len());
            i
        };
        let verifier = |cache_capacity: usize| {
            JwtVerifier::builder()
                .key(case.key.clone())
                .key(fill_key.clone())
                .cache_capacity(cache_capacity)
                .build()
                .expect("verifier")
        };
        let guarded_with = |cache_capacity: usize| {
            router().layer(
                ScopeLayer::new(verifier(cache_capacity), POLICY).admin_scope("app:superadmin"),
            )
        };
        let bare = router();
        let guarded = guarded_with(scope_runtime::DEFAULT_CACHE_CAPACITY);
        let uncached = guarded_with(0);
        let alg9: jsonwebtoken9::Algorithm = case.alg.name().parse().expect("same names");
        let peer_key =
            std::sync::Arc::new((case.peer.clone(), jsonwebtoken9::Validation::new(alg9)));
        let peer = router().layer(middleware::from_fn(move |request, next| {
            peer_middleware(peer_key.clone(), request, next)
        }));
        let jwt_authorizer = jwt_authorizer_router(&rt, case);
        for app in [&guarded, &uncached, &peer, &jwt_authorizer] {
            assert_eq!(call(app, one), StatusCode::OK, "{}", case.name);
        }

        let mut group = c.benchmark_group(case.name);
        for (library, check) in floors(case) {
            for (message, signature) in &tokens.signed[..100] {
                assert!(check(message.as_bytes(), signature), "{library} verifies");
                let mut wrong = signature.clone();
                wrong[3] ^= 1;
                assert!(!check(message.as_bytes(), &wrong), "{library} refuses");
            }
            group.bench_function(format!("floor/{library}"), |b| {
                b.iter(|| {
                    let (message, signature) = &tokens.signed[cycle()];
                    check(black_box(message.as_bytes()), black_box(signature))
                })
            });
        }
        group.bench_function("bare_router", |b| {
            b.iter(|| call(&bare, black_box(&tokens.pool[cycle()])))
        });
        group.bench_function("layer/cold", |b| {
            b.iter_custom(|iters| {
                cold_sample(
                    iters,
                    &tokens,
                    || guarded_with(scope_runtime::DEFAULT_CACHE_CAPACITY),
                    |app, token| call(app, token) == StatusCode::OK,
                )
            })
        });
        group.bench_function("layer/cold_no_cache", |b| {
            b.iter(|| call(&uncached, black_box(&tokens.pool[cycle()])))
        });
        group.bench_function("layer/warm", |b| b.iter(|| call(&guarded, black_box(one))));
        group.bench_function("peer/jsonwebtoken9_ring", |b| {
            b.iter(|| call(&peer, black_box(&tokens.pool[cycle()])))
        });
        group.bench_function("peer/jwt_authorizer", |b| {
            b.iter(|| call(&jwt_authorizer, black_box(&tokens.pool[cycle()])))
        });
        group.finish();
        paired(
            case,
            &tokens,
            &floors(case),
            &call,
            &bare,
            &guarded,
            &uncached,
            &peer,
            &jwt_authorizer,
            &|| guarded_with(scope_runtime::DEFAULT_CACHE_CAPACITY),
        );

        if matches!(case.alg, Algorithm::HS256 | Algorithm::RS256) {
            parts(c, case, &tokens, &verifier);
        }
    }
}

/// The ratios the targets are about, measured paired: `ROUNDS` rounds, each running a
/// batch of requests per case (the floors, the bare router, the layer cold with and
/// without the cache, warm, the peer), the cases in a rotating order, so that the
/// machine's drift (this one is shared) hits every case alike; the median of each
/// case's per-request times. Printed as one line per algorithm, after its criterion
/// group.
#[allow(clippy::too_many_arguments)]
fn paired(
    case: &Case,
    tokens: &Tokens,
    floors: &[(&'static str, Floor)],
    call: &dyn Fn(&Router, &str) -> StatusCode,
    bare: &Router,
    warm: &Router,
    uncached: &Router,
    peer: &Router,
    jwt_authorizer: &Router,
    fresh: &dyn Fn() -> Router,
) {
    const ROUNDS: usize = 31;
    let batch = (tokens.pool.len() / ROUNDS).min(1_000);
    // Cases 0..6 are the router ones, then one per floor.
    const ROUTERS: usize = 6;
    let cases = ROUTERS + floors.len();
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); cases];
    for round in 0..ROUNDS {
        // Distinct tokens in every round: pool[round * batch ..][.. batch].
        let slice = &tokens.pool[round * batch..][..batch];
        let signed = &tokens.signed[round * batch..][..batch];
        let cold = fresh();
        for token in &tokens.fill {
            call(&cold, token);
        }
        for k in 0..cases {
            let which = (round + k) % cases;
            let started = Instant::now();
            match which {
                0 => slice
                    .iter()
                    .for_each(|t| assert_eq!(call(bare, t), StatusCode::OK)),
                1 => slice
                    .iter()
                    .for_each(|t| assert_eq!(call(&cold, t), StatusCode::OK)),
                2 => slice
                    .iter()
                    .for_each(|_| assert_eq!(call(warm, &slice[0]), StatusCode::OK)),
                3 => slice
                    .iter()
                    .for_each(|t| assert_eq!(call(peer, t), StatusCode::OK)),
                4 => slice
                    .iter()
                    .for_each(|t| assert_eq!(call(uncached, t), StatusCode::OK)),
                5 => slice
                    .iter()
                    .for_each(|t| assert_eq!(call(jwt_authorizer, t), StatusCode::OK)),
                floor => {
                    let check = &floors[floor - ROUTERS].1;
                    for (message, signature) in signed {
                        assert!(check(message.as_bytes(), signature));
                    }
                }
            }
            times[which].push(started.elapsed().as_secs_f64() * 1e9 / batch as f64);
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let m: Vec<f64> = times.iter_mut().map(median).collect();
    let (bare, cold, warm, peer, uncached, authorizer) = (m[0], m[1], m[2], m[3], m[4], m[5]);
    let (fastest, floor) = floors
        .iter()
        .zip(&m[ROUTERS..])
        .map(|((name, _), &t)| (*name, t))
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .expect("floors");
    let all: Vec<String> = floors
        .iter()
        .zip(&m[ROUTERS..])
        .map(|((name, _), t)| format!("{name} {t:.0}"))
        .collect();
    println!(
        "paired {}: floors (ns) {}; added over the bare router ({bare:.0} ns): \
         cold {:.0} ns = {:.3}x the floor ({fastest}), cold without the cache {:.0} ns = \
         {:.3}x, warm {:.0} ns, peer {:.0} ns = {:.3}x, jwt-authorizer {:.0} ns = {:.3}x; \
         {ROUNDS} rounds of {batch}",
        case.name,
        all.join(", "),
        cold - bare,
        (cold - bare) / floor,
        uncached - bare,
        (uncached - bare) / floor,
        warm - bare,
        peer - bare,
        (peer - bare) / floor,
        authorizer - bare,
        (authorizer - bare) / floor,
    );
}

/// The verifier alone, on tokens that stop at each step (see the file's comment).
fn parts(c: &mut Criterion, case: &Case, tokens: &Tokens, verifier: &dyn Fn(usize) -> JwtVerifier) {
    let cached = verifier(scope_runtime::DEFAULT_CACHE_CAPACITY);
    let uncached = verifier(0);
    let unknown_kid = mint(case, "k2", 0);
    let bad_signature = {
        let (signed, signature) = tokens.pool[0].rsplit_once('.').expect("three parts");
        let mut bytes = URL_SAFE_NO_PAD.decode(signature).expect("base64url");
        bytes[3] ^= 1;
        format!("{signed}.{}", URL_SAFE_NO_PAD.encode(bytes))
    };
    assert!(uncached.verify_token(&unknown_kid).is_err());
    assert!(uncached.verify_token(&bad_signature).is_err());
    assert!(cached.verify_token(&tokens.pool[0]).is_ok());
    let next = Cell::new(0usize);
    let cycle = || {
        let i = next.get();
        next.set((i + 1) % tokens.pool.len());
        tokens.pool[i].as_str()
    };

    let mut group = c.benchmark_group(format!("{}/parts", case.name));
    group.bench_function("unknown_kid", |b| {
        b.iter(|| uncached.verify_token(black_box(&unknown_kid)).is_err())
    });
    group.bench_function("bad_signature", |b| {
        b.iter(|| uncached.verify_token(black_box(&bad_signature)).is_err())
    });
    group.bench_function("cold_no_cache", |b| {
        b.iter(|| uncached.verify_token(black_box(cycle())).is_ok())
    });
    group.bench_function("cold", |b| {
        b.iter_custom(|iters| {
            cold_sample(
                iters,
                tokens,
                || verifier(scope_runtime::DEFAULT_CACHE_CAPACITY),
                |v, token| v.verify_token(token).is_ok(),
            )
        })
    });
    group.bench_function("warm", |b| {
        b.iter(|| cached.verify_token(black_box(&tokens.pool[0])).is_ok())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
