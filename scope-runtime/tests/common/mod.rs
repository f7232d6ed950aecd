//! Helpers shared by the integration tests of `scope-runtime`: minting tokens, building
//! requests, counting handler entries and checking refusals.
//!
//! Every test binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::routing::any;
use http::header::{AUTHORIZATION, CONTENT_TYPE, WWW_AUTHENTICATE};
use http::{HeaderMap, HeaderValue, Request, StatusCode};
use http_body_util::BodyExt;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode, get_current_timestamp};
use scope_runtime::{JwtVerifier, ScopeLayer, VerificationKey};
use serde_json::{Value, json};
use tower::ServiceExt;

// ---------------------------------------------------------------- keys

/// The HS256 secret of [`hs256_verifier`] and [`token`].
pub(crate) const SECRET: &[u8] = b"layer-tests-secret-0123456789-0123456789-0123456789";
/// Another secret: tokens signed with it have a bad signature.
pub(crate) const OTHER_SECRET: &[u8] = b"some-other-secret-0123456789-0123456789-0123456789";

pub(crate) const RSA_PRIVATE: &str = include_str!("../fixtures/rsa_private.pem");
pub(crate) const RSA_PUBLIC: &str = include_str!("../fixtures/rsa_public.pem");
pub(crate) const EC256_PRIVATE: &str = include_str!("../fixtures/ec_p256_private.pem");
pub(crate) const EC256_PUBLIC: &str = include_str!("../fixtures/ec_p256_public.pem");
pub(crate) const EC384_PRIVATE: &str = include_str!("../fixtures/ec_p384_private.pem");
pub(crate) const EC384_PUBLIC: &str = include_str!("../fixtures/ec_p384_public.pem");
pub(crate) const ED_PRIVATE: &str = include_str!("../fixtures/ed25519_private.pem");
pub(crate) const ED_PUBLIC: &str = include_str!("../fixtures/ed25519_public.pem");

/// A verifier holding only the HS256 key [`SECRET`].
pub(crate) fn hs256_verifier() -> JwtVerifier {
    verifier(VerificationKey::hs256(SECRET).expect("HS256 key"))
}

/// A verifier holding only `key`, default settings.
pub(crate) fn verifier(key: VerificationKey) -> JwtVerifier {
    JwtVerifier::builder().key(key).build().expect("verifier")
}

// ---------------------------------------------------------------- tokens

pub(crate) fn now() -> u64 {
    get_current_timestamp()
}

/// `{"sub": "user-1", "exp": now + 1 h}` with the members of `extra` added (or replaced).
pub(crate) fn claims(extra: Value) -> Value {
    let mut claims = json!({ "sub": "user-1", "exp": now() + 3600 });
    if let (Value::Object(base), Value::Object(extra)) = (&mut claims, extra) {
        base.extend(extra);
    }
    claims
}

/// Signs `claims` with `alg` and `key` (header: `alg` and `typ` only).
pub(crate) fn sign(alg: Algorithm, key: &EncodingKey, claims: &Value) -> String {
    sign_with_header(&Header::new(alg), key, claims)
}

/// Signs `claims` with the given header.
pub(crate) fn sign_with_header(header: &Header, key: &EncodingKey, claims: &Value) -> String {
    // Building a verifier installs the crate's crypto provider before jsonwebtoken is
    // used directly.
    let _ = hs256_verifier();
    encode(header, claims, key).expect("mint token")
}

/// An HS256 token signed with [`SECRET`] carrying [`claims`]`(extra)`.
pub(crate) fn token(extra: Value) -> String {
    sign(
        Algorithm::HS256,
        &EncodingKey::from_secret(SECRET),
        &claims(extra),
    )
}

/// A valid HS256 token whose `scopes` claim is `scopes` (a JSON array).
pub(crate) fn token_with_scopes(scopes: &[&str]) -> String {
    token(json!({ "scopes": scopes }))
}

/// A valid HS256 token without any scopes claim.
pub(crate) fn token_without_scopes() -> String {
    token(json!({}))
}

pub(crate) fn b64url(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// `b64url(header).b64url(payload).signature`, built by hand (no signing).
pub(crate) fn hand_built(header: &Value, payload: &Value, signature: &str) -> String {
    format!(
        "{}.{}.{signature}",
        b64url(header.to_string().as_bytes()),
        b64url(payload.to_string().as_bytes())
    )
}

// ---------------------------------------------------------------- requests

/// A request without any `Authorization` header.
pub(crate) fn request(method: &str, path: &str) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(path)
        .body(Body::empty())
        .expect("request")
}

/// A request with `Authorization: Bearer <token>`.
pub(crate) fn bearer(method: &str, path: &str, token: &str) -> Request<Body> {
    with_authorization(method, path, format!("Bearer {token}").as_bytes())
}

/// A request with one `Authorization` header holding exactly `value`.
pub(crate) fn with_authorization(method: &str, path: &str, value: &[u8]) -> Request<Body> {
    let mut request = request(method, path);
    request.headers_mut().insert(
        AUTHORIZATION,
        HeaderValue::from_bytes(value).expect("header value"),
    );
    request
}

// ---------------------------------------------------------------- handlers

/// Counts how many times a handler was entered.
#[derive(Clone, Debug, Default)]
pub(crate) struct Hits(Arc<AtomicUsize>);

impl Hits {
    pub(crate) fn hit(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }

    pub(crate) fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

/// A handler that counts its entries and answers `ok`.
pub(crate) async fn counted(State(hits): State<Hits>) -> &'static str {
    hits.hit();
    "ok"
}

/// A router answering every method on each of `routes` with [`counted`], behind
/// `layer` (on the whole router, so the fallback is guarded too).
pub(crate) fn app(routes: &[&str], layer: ScopeLayer) -> (Router, Hits) {
    let hits = Hits::default();
    let mut router = Router::new();
    for route in routes {
        router = router.route(route, any(counted));
    }
    (router.with_state(hits.clone()).layer(layer), hits)
}

// ---------------------------------------------------------------- responses

/// A collected response.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

impl Reply {
    /// The `WWW-Authenticate` header, if any (panics if it is not visible ASCII).
    pub(crate) fn www_authenticate(&self) -> Option<&str> {
        self.headers
            .get(WWW_AUTHENTICATE)
            .map(|v| v.to_str().expect("ASCII WWW-Authenticate"))
    }

    /// The body parsed as JSON.
    pub(crate) fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "body is not JSON ({e}): {:?}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends `request` through a clone of `app` and collects the response.
pub(crate) async fn send(app: &Router, request: Request<Body>) -> Reply {
    let response = app
        .clone()
        .oneshot(request)
        .await
        .unwrap_or_else(|never| match never {});
    let (parts, body) = response.into_parts();
    let body = body.collect().await.expect("body").to_bytes();
    Reply {
        status: parts.status,
        headers: parts.headers,
        body,
    }
}

/// Asserts a refusal: status, exact `WWW-Authenticate`, JSON content type and the exact
/// body `{"detail": detail}`.
#[track_caller]
pub(crate) fn assert_refused(reply: &Reply, status: u16, www_authenticate: &str, detail: &str) {
    assert_eq!(
        reply.status.as_u16(),
        status,
        "status; body: {}",
        reply.text()
    );
    assert_eq!(
        reply.www_authenticate(),
        Some(www_authenticate),
        "WWW-Authenticate"
    );
    assert_eq!(
        reply.headers.get(CONTENT_TYPE).map(HeaderValue::as_bytes),
        Some(&b"application/json"[..]),
        "content-type"
    );
    assert_eq!(reply.json(), json!({ "detail": detail }), "body");
}

/// Asserts a 401 `invalid_token` with the given `error_description` (no realm).
#[track_caller]
pub(crate) fn assert_invalid_token(reply: &Reply, description: &str) {
    assert_refused(
        reply,
        401,
        &format!(r#"Bearer error="invalid_token", error_description="{description}""#),
        &format!("Invalid token: {description}"),
    );
}

/// Asserts the plain 401 of a request without a token (no realm).
#[track_caller]
pub(crate) fn assert_missing_token(reply: &Reply) {
    assert_refused(reply, 401, "Bearer", "Authorization header missing");
}

/// Asserts a 403 `insufficient_scope` for all of `scopes` (no realm).
#[track_caller]
pub(crate) fn assert_insufficient(reply: &Reply, scopes: &[&str]) {
    assert_refused(
        reply,
        403,
        &format!(
            r#"Bearer error="insufficient_scope", scope="{}""#,
            scopes.join(" ")
        ),
        &format!(
            "Insufficient permissions. Required scope(s): {}",
            scopes.join(", ")
        ),
    );
}

/// Asserts a 200 whose body is `ok` (the [`counted`] handler answered).
#[track_caller]
pub(crate) fn assert_ok(reply: &Reply) {
    assert_eq!(reply.status, StatusCode::OK, "body: {}", reply.text());
    assert_eq!(reply.text(), "ok");
}
