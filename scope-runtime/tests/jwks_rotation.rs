//! JWKS URL rotation and outages through the layer (crate feature `jwks-url`): a
//! rotated-in key is accepted on its first request, a flood of unknown `kid`s costs
//! the provider a bounded number of fetches and never holds a request long, a provider
//! down at start is retried with backoff, and a slow provider holds a request at most
//! about 1 s. Real loopback providers; the timings measured are printed.
#![cfg(feature = "jwks-url")]

mod common;

use std::net::TcpListener as StdListener;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::routing::get;
use http::header::AUTHORIZATION;
use http::{Request, StatusCode};
use jsonwebtoken::{EncodingKey, Header, encode, get_current_timestamp};
use scope_runtime::{JwksUrl, JwtVerifier, Policy, RemoteJwks, ScopeLayer, scopes};
use serde_json::{Value, json};
use tower::ServiceExt as _;

use common::RSA_PRIVATE;

const RSA2_PRIVATE: &str = include_str!("fixtures/jwks/rsa2_private.pem");
const JWK_RSA1: &str = include_str!("fixtures/jwks/rsa-1.jwk.json");
const JWK_RSA2: &str = include_str!("fixtures/jwks/rsa-2.jwk.json");

static POLICY: Policy = scopes! {
    "GET /agents" => ["app:read"],
};

fn jwks_of(keys: &[&str]) -> String {
    let keys: Vec<Value> = keys
        .iter()
        .map(|k| serde_json::from_str(k).expect("JWK fixture"))
        .collect();
    json!({ "keys": keys }).to_string()
}

fn claims() -> Value {
    json!({ "sub": "user-1", "exp": get_current_timestamp() + 3600, "scopes": ["app:read"] })
}

/// An RS256 token signed with `private_pem`, naming `kid`.
fn mint(private_pem: &str, kid: Option<&str>) -> String {
    let key = EncodingKey::from_rsa_pem(private_pem.as_bytes()).expect("rsa");
    let mut header = Header::new(jsonwebtoken::Algorithm::RS256);
    header.kid = kid.map(str::to_owned);
    encode(&header, &claims(), &key).expect("mint")
}

/// A token naming `kid`, with a junk signature.
fn junk_token(kid: &str) -> String {
    common::hand_built(&json!({ "alg": "RS256", "kid": kid }), &claims(), "c2ln")
}

use common::{Answer, Provider};

async fn started(source: JwksUrl) -> RemoteJwks {
    let source = source.start().expect("start the JWKS source");
    assert!(
        source.wait_until_ready(Duration::from_secs(5)).await,
        "no keys: {:?}",
        source.status()
    );
    source
}

/// `GET /agents` behind a `ScopeLayer` whose verifier has only `source`'s keys.
fn app_of(source: &RemoteJwks) -> Router {
    let verifier = JwtVerifier::builder()
        .jwks(source.clone())
        .build()
        .expect("verifier");
    Router::new()
        .route("/agents", get(|| async { "[]" }))
        .layer(ScopeLayer::new(verifier, POLICY))
}

/// Sends `GET /agents` with `token`: the status, the challenge, and how long it took.
async fn call(app: &Router, token: &str) -> (StatusCode, String, Duration) {
    let request = Request::get("/agents")
        .header(AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .expect("request");
    let start = Instant::now();
    let response = app.clone().oneshot(request).await.expect("infallible");
    let took = start.elapsed();
    let challenge = response
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().expect("ascii").to_owned())
        .unwrap_or_default();
    (response.status(), challenge, took)
}

/// Calls with `token` every 20 ms until it passes: how long that took from `since`.
async fn until_accepted(app: &Router, token: &str, since: Instant, limit: Duration) -> Duration {
    loop {
        let (status, _, _) = call(app, token).await;
        if status == StatusCode::OK {
            return since.elapsed();
        }
        assert!(since.elapsed() < limit, "not accepted within {limit:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotated_in_key_passes_on_its_first_request() {
    let provider = Provider::start(Answer::Json(jwks_of(&[JWK_RSA1]))).await;
    let min_interval = Duration::from_millis(500);
    let source = started(JwksUrl::new(provider.url()).min_refresh_interval(min_interval)).await;
    let app = app_of(&source);
    let old = mint(RSA_PRIVATE, Some("rsa-1"));
    assert_eq!(call(&app, &old).await.0, StatusCode::OK);
    // The last fetch is older than the minimum interval: a token may ask for one now.
    tokio::time::sleep(min_interval + Duration::from_millis(100)).await;
    provider.set(Answer::Json(jwks_of(&[JWK_RSA1, JWK_RSA2])));
    let new = mint(RSA2_PRIVATE, Some("rsa-2"));
    let (status, challenge, took) = call(&app, &new).await;
    eprintln!("rotation: the first request signed by the new key answered {status} after {took:?}");
    assert_eq!(status, StatusCode::OK, "{challenge}");
    assert!(took < Duration::from_secs(1), "{took:?}");
    assert_eq!(provider.requests(), 2, "one fetch at start, one for rsa-2");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotated_in_key_passes_within_5_s_with_the_default_interval() {
    let provider = Provider::start(Answer::Json(jwks_of(&[JWK_RSA1]))).await;
    let source = started(JwksUrl::new(provider.url())).await;
    let app = app_of(&source);
    // The provider rotates right after its keys were fetched: a token's fetch must
    // wait for the 4.9 s spacing, so the first requests are refused at once.
    provider.set(Answer::Json(jwks_of(&[JWK_RSA1, JWK_RSA2])));
    let published = Instant::now();
    let new = mint(RSA2_PRIVATE, Some("rsa-2"));
    let (status, challenge, took) = call(&app, &new).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(challenge.contains("unknown key id"), "{challenge}");
    assert!(
        took < Duration::from_millis(500),
        "refused at once: {took:?}"
    );
    let delay = until_accepted(&app, &new, published, Duration::from_secs(6)).await;
    eprintln!("rotation, default interval: rsa-2 accepted {delay:?} after its publication");
    assert!(delay < Duration::from_secs(5), "{delay:?}");
    assert_eq!(provider.requests(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kid_flood_with_the_defaults_is_rate_limited_and_never_waits_long() {
    let provider = Provider::start(Answer::Json(jwks_of(&[JWK_RSA1]))).await;
    let source = started(JwksUrl::new(provider.url())).await;
    let app = app_of(&source);
    let start = Instant::now();
    let mut sent = 0u32;
    let mut slowest = Duration::ZERO;
    while start.elapsed() < Duration::from_secs(6) {
        let (status, challenge, took) = call(&app, &junk_token(&format!("flood-{sent}"))).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(challenge.contains("unknown key id"), "{challenge}");
        slowest = slowest.max(took);
        sent += 1;
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let fetches = provider.requests();
    eprintln!(
        "kid flood, defaults: {sent} unknown kids in {:?} -> {fetches} fetches (the one at start included), slowest request {slowest:?}",
        start.elapsed()
    );
    assert!(sent >= 200, "{sent}");
    // The one at start, then at most one every 4.9 s.
    assert!(fetches <= 3, "{fetches}");
    assert!(slowest < Duration::from_millis(1_500), "{slowest:?}");
    assert_eq!(
        call(&app, &mint(RSA_PRIVATE, Some("rsa-1"))).await.0,
        StatusCode::OK
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kid_flood_respects_the_fetch_window() {
    let provider = Provider::start(Answer::Json(jwks_of(&[JWK_RSA1]))).await;
    let window = Duration::from_secs(2);
    let source = started(
        JwksUrl::new(provider.url())
            .min_refresh_interval(Duration::from_millis(50))
            .max_fetches(3, window),
    )
    .await;
    let app = app_of(&source);
    let start = Instant::now();
    let mut sent = 0u32;
    let mut slowest = Duration::ZERO;
    while start.elapsed() < Duration::from_millis(3_500) {
        let (status, _, took) = call(&app, &junk_token(&format!("flood-{sent}"))).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        slowest = slowest.max(took);
        sent += 1;
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let arrivals = provider.arrivals();
    let gaps: Vec<Duration> = arrivals
        .windows(4)
        .map(|w| w[3].duration_since(w[0]))
        .collect();
    eprintln!(
        "kid flood, 3 fetches per {window:?}: {sent} unknown kids -> {} fetches, 4th-to-1st gaps {gaps:?}, slowest request {slowest:?}",
        arrivals.len()
    );
    // 3 at once, 3 more once the window lets them: never 4 within the window.
    assert!((4..=6).contains(&arrivals.len()), "{}", arrivals.len());
    for gap in gaps {
        assert!(gap >= window - Duration::from_millis(20), "{gap:?}");
    }
    assert!(slowest < Duration::from_millis(1_500), "{slowest:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn provider_down_at_start_is_retried_with_backoff() {
    // A free port with nothing listening on it: connections are refused.
    let port = StdListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let began = Instant::now();
    let source = JwksUrl::new(format!("http://127.0.0.1:{port}/jwks"))
        .start()
        .expect("start");
    let app = app_of(&source);
    let token = mint(RSA_PRIVATE, Some("rsa-1"));
    let no_kid = mint(RSA_PRIVATE, None);
    let (status, challenge, _) = call(&app, &no_kid).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(challenge.contains("unknown key id"), "{challenge}");
    // Up after about 2.5 s: retries at 0, 1 and 3 s (backoff 1, 2 s) find it at 3 s.
    tokio::time::sleep(Duration::from_millis(2_500).saturating_sub(began.elapsed())).await;
    let failed = source.status().failed_fetches;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .expect("bind the provider's port");
    let up = Instant::now();
    let provider = Provider::serve(listener, Answer::Json(jwks_of(&[JWK_RSA1])));
    let recovery = until_accepted(&app, &token, up, Duration::from_secs(5)).await;
    eprintln!(
        "down at start: {failed} failed fetches in the first {:?}; up again -> token accepted after {recovery:?}",
        up.duration_since(began)
    );
    assert_eq!(failed, 2, "fetches at 0 and 1 s");
    assert!(recovery < Duration::from_secs(2), "{recovery:?}");
    assert!(call(&app, &no_kid).await.0 == StatusCode::OK);
    assert_eq!(provider.requests(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_back_off_1_2_4_s() {
    let provider = Provider::start(Answer::Status(503)).await;
    let source = JwksUrl::new(provider.url()).start().expect("start");
    // Fails at 0, 1, 3 s; answers from 3.5 s on: the 7 s retry succeeds.
    tokio::time::sleep(Duration::from_millis(3_500)).await;
    provider.set(Answer::Json(jwks_of(&[JWK_RSA1])));
    assert!(source.wait_until_ready(Duration::from_secs(5)).await);
    let arrivals = provider.arrivals();
    let t0 = arrivals[0];
    let at: Vec<f64> = arrivals
        .iter()
        .map(|t| t.duration_since(t0).as_secs_f64())
        .collect();
    eprintln!("503 at start: fetches at {at:.2?} s");
    let gaps: Vec<f64> = at.windows(2).map(|w| w[1] - w[0]).collect();
    assert_eq!(gaps.len(), 3, "{at:?}");
    for (gap, expected) in gaps.iter().zip([1.0, 2.0, 4.0]) {
        assert!((gap - expected).abs() < 0.3, "{at:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_provider_holds_a_request_about_1_s() {
    let provider = Provider::start(Answer::Json(jwks_of(&[JWK_RSA1]))).await;
    let source =
        started(JwksUrl::new(provider.url()).min_refresh_interval(Duration::from_millis(200)))
            .await;
    let app = app_of(&source);
    tokio::time::sleep(Duration::from_millis(300)).await;
    provider.set(Answer::Slow(Duration::from_secs(3), jwks_of(&[JWK_RSA2])));
    let new = mint(RSA2_PRIVATE, Some("rsa-2"));
    let (status, challenge, took) = call(&app, &new).await;
    eprintln!("slow provider (3 s): the request was answered {status} after {took:?}");
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(challenge.contains("unknown key id"), "{challenge}");
    assert!(
        took >= Duration::from_millis(900),
        "it waited for the fetch: {took:?}"
    );
    assert!(
        took < Duration::from_millis(1_500),
        "at most about 1 s: {took:?}"
    );
    // While that fetch runs, further requests wait too, each at most about 1 s.
    let (_, _, again) = call(&app, &new).await;
    assert!(again < Duration::from_millis(1_500), "{again:?}");
    // Once it lands, the key is there.
    let delay = until_accepted(&app, &new, Instant::now(), Duration::from_secs(4)).await;
    eprintln!("slow provider: rsa-2 accepted {delay:?} later");
}
