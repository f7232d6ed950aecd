//! Every answer the layer gives, through the layer: the status, the exact
//! `WWW-Authenticate` challenge (RFC 6750), the exact JSON body, and the handler never
//! reached. The texts are exact because clients read them: the bodies are those of
//! Agno's middleware (README.md, "How it differs from Agno's `scope_mappings`"), and
//! README.md's seed walkthrough shows them. SECURITY.md lists the checks in the order
//! the layer makes them.

mod common;

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use common::*;
use http::Request;
use http::header::AUTHORIZATION;
use jsonwebtoken::{EncodingKey, Header};
use scope_runtime::Algorithm;
use scope_runtime::JwtVerifierBuilder;
use scope_runtime::{JwtVerifier, Policy, ScopeLayer, VerificationKey, scopes};
use serde_json::json;

static POLICY: Policy = scopes! {
    "GET /agents"                  => ["app:read"],
    "POST /agents/{agent_id}/runs" => ["app:run", "app:execute"],
    "GET /health"                  => public,
};

const ROUTES: &[&str] = &["/agents", "/agents/{agent_id}/runs", "/health", "/unmapped"];

fn layer() -> ScopeLayer {
    ScopeLayer::new(hs256_verifier(), POLICY)
}

fn default_app() -> (Router, Hits) {
    app(ROUTES, layer())
}

/// An app like [`default_app`] whose verifier is built by `verifier`.
fn app_verified_by(verifier: JwtVerifierBuilder) -> (Router, Hits) {
    let verifier = verifier.build().expect("verifier");
    app(ROUTES, ScopeLayer::new(verifier, POLICY))
}

/// `GET /agents` with one `Authorization` header holding exactly `value`, through the
/// default app: the reply and the number of handler entries.
async fn get_agents_with_authorization(value: &[u8]) -> (Reply, usize) {
    let (app, hits) = default_app();
    let reply = send(&app, with_authorization("GET", "/agents", value)).await;
    (reply, hits.count())
}

/// `GET /agents` with `Authorization: Bearer <token>` through the default app: the reply
/// and the number of handler entries.
async fn get_agents_with(token: &str) -> (Reply, usize) {
    get_agents_with_authorization(format!("Bearer {token}").as_bytes()).await
}

/// Asserts that `token` on `GET /agents` reaches the handler.
async fn assert_token_accepted(token: &str) {
    let (reply, hits) = get_agents_with(token).await;
    assert_ok(&reply);
    assert_eq!(hits, 1, "{token}");
}

/// Asserts that `token` on `GET /agents` is refused with 401 `invalid_token` and
/// `description`, the handler not reached.
async fn assert_token_refused(token: &str, description: &str) {
    let (reply, hits) = get_agents_with(token).await;
    assert_invalid_token(&reply, description);
    assert_eq!(hits, 0, "{token}");
}

/// Asserts that `token` on `GET /agents` is refused as expired: RFC 6750's wording in
/// the challenge, Agno's `Token has expired` in the body.
async fn assert_token_expired(token: &str) {
    let (reply, hits) = get_agents_with(token).await;
    assert_refused(
        &reply,
        401,
        r#"Bearer error="invalid_token", error_description="The access token expired""#,
        "Token has expired",
    );
    assert_eq!(hits, 0, "{token}");
}

// ---------------------------------------------------------------- success

#[tokio::test]
async fn valid_token_with_the_scope_reaches_the_handler() {
    let (reply, hits) = get_agents_with(&token_with_scopes(&["app:read"])).await;
    assert_ok(&reply);
    assert!(reply.www_authenticate().is_none());
    assert_eq!(hits, 1);
}

#[tokio::test]
async fn bearer_scheme_is_case_insensitive() {
    let token = token_with_scopes(&["app:read"]);
    for scheme in ["bearer", "BEARER", "bEaReR"] {
        let value = format!("{scheme} {token}");
        let (reply, hits) = get_agents_with_authorization(value.as_bytes()).await;
        assert_ok(&reply);
        assert_eq!(hits, 1, "{scheme}");
    }
}

// ---------------------------------------------------------------- no token

#[tokio::test]
async fn no_token_is_401_plain_bearer_challenge() {
    let (app, hits) = default_app();
    let reply = send(&app, request("GET", "/agents")).await;
    assert_missing_token(&reply);
    assert_eq!(hits.count(), 0);
}

#[tokio::test]
async fn no_token_with_realm_is_401_bearer_realm() {
    let (app, hits) = app(ROUTES, layer().realm("x"));
    let reply = send(&app, request("GET", "/agents")).await;
    assert_missing_token_challenge(&reply, r#"Bearer realm="x""#);
    assert_eq!(hits.count(), 0);
}

#[tokio::test]
async fn realm_comes_first_in_every_challenge() {
    let (app, hits) = app(ROUTES, layer().realm("x"));
    let reply = send(&app, bearer("GET", "/agents", "not-a-jwt")).await;
    assert_refused(
        &reply,
        401,
        r#"Bearer realm="x", error="invalid_token", error_description="malformed token""#,
        "Invalid token: malformed token",
    );
    let reply = send(&app, bearer("GET", "/agents", &token_without_scopes())).await;
    let challenge = r#"Bearer realm="x", error="insufficient_scope", scope="app:read""#;
    assert_insufficient_challenge(&reply, challenge, &["app:read"]);
    let reply = send(&app, with_authorization("GET", "/agents", b"Bearer a b")).await;
    assert_refused(
        &reply,
        400,
        r#"Bearer realm="x", error="invalid_request", error_description="Malformed Authorization header""#,
        "Malformed Authorization header",
    );
    assert_eq!(hits.count(), 0);
}

#[tokio::test]
async fn other_auth_scheme_is_401_plain_bearer_challenge() {
    let (reply, hits) = get_agents_with_authorization(b"Basic dXNlcjpwYXNz").await;
    assert_refused(
        &reply,
        401,
        "Bearer",
        "Authorization header does not carry a Bearer token",
    );
    assert_eq!(hits, 0);
}

// ---------------------------------------------------------------- malformed requests

/// Asserts that an `Authorization` header holding `value` on `GET /agents` is refused
/// with 400 `invalid_request`, the handler not reached.
async fn assert_malformed_header(value: &[u8]) {
    let (reply, hits) = get_agents_with_authorization(value).await;
    assert_refused(
        &reply,
        400,
        r#"Bearer error="invalid_request", error_description="Malformed Authorization header""#,
        "Malformed Authorization header",
    );
    assert_eq!(hits, 0, "{}", String::from_utf8_lossy(value));
}

#[tokio::test]
async fn bearer_with_two_words_is_400_invalid_request() {
    let token = token_with_scopes(&["app:read"]);
    for value in [
        "Bearer a b".to_owned(),
        format!("Bearer {token} {token}"),
        format!("Bearer {token} x"),
    ] {
        assert_malformed_header(value.as_bytes()).await;
    }
}

#[tokio::test]
async fn bearer_without_token_is_400_invalid_request() {
    for value in ["Bearer", "Bearer ", "Bearer    ", "Bearer ===", "bearer\t"] {
        assert_malformed_header(value.as_bytes()).await;
    }
}

#[tokio::test]
async fn non_ascii_bytes_in_header_are_400_invalid_request() {
    let token = token_with_scopes(&["app:read"]);
    let mut with_latin1 = format!("Bearer {token}").into_bytes();
    with_latin1.push(0xE9);
    for value in [
        &b"Bearer \xff\xfe"[..],
        "Bearer t\u{f6}ken".as_bytes(),
        &with_latin1,
    ] {
        assert_malformed_header(value).await;
    }
}

#[tokio::test]
async fn token_with_characters_outside_b64token_is_400_invalid_request() {
    for value in [
        "Bearer a,b",
        "Bearer \"abc\"",
        "Bearer a=b",
        "Bearer\ttoken",
    ] {
        assert_malformed_header(value.as_bytes()).await;
    }
}

#[tokio::test]
async fn two_authorization_headers_are_400_invalid_request() {
    let (app, hits) = default_app();
    let token = token_with_scopes(&["app:read"]);
    let value = format!("Bearer {token}");
    let request = Request::builder()
        .method("GET")
        .uri("/agents")
        .header(AUTHORIZATION, &value)
        .header(AUTHORIZATION, &value)
        .body(Body::empty())
        .expect("request");
    let reply = send(&app, request).await;
    assert_refused(
        &reply,
        400,
        r#"Bearer error="invalid_request", error_description="Two Authorization headers""#,
        "Two Authorization headers",
    );
    assert_eq!(hits.count(), 0);
}

// ---------------------------------------------------------------- invalid tokens

#[tokio::test]
async fn bad_signature_is_401_invalid_token() {
    let token = forged_token(json!({ "scopes": ["app:read"] }));
    assert_token_refused(&token, "signature does not match").await;
}

#[tokio::test]
async fn tampered_payload_is_401_bad_signature() {
    let token = token_with_scopes(&["app:read"]);
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    parts[1] = b64url(
        claims(json!({ "scopes": ["app:read", "app:admin"] }))
            .to_string()
            .as_bytes(),
    );
    assert_token_refused(&parts.join("."), "signature does not match").await;
}

#[tokio::test]
async fn malformed_token_is_401_invalid_token() {
    let valid = token_with_scopes(&["app:read"]);
    let parts: Vec<&str> = valid.split('.').collect();
    let not_json = format!("{}.{}.{}", b64url(b"not json"), parts[1], parts[2]);
    let four_parts = format!("{valid}.x");
    for token in [
        "not-a-jwt",
        "a.b",
        "a.b.c",
        ".a.b",
        "..",
        four_parts.as_str(),
        not_json.as_str(),
    ] {
        assert_token_refused(token, "malformed token").await;
    }
}

#[tokio::test]
async fn wrong_alg_is_401_algorithm_not_allowed() {
    for alg in [Algorithm::HS384, Algorithm::HS512] {
        let token = sign(
            alg,
            &EncodingKey::from_secret(SECRET),
            &claims(json!({ "scopes": ["app:read"] })),
        );
        assert_token_refused(&token, "algorithm not allowed").await;
    }
}

#[tokio::test]
async fn unknown_kid_is_401_unknown_key_id() {
    let key_1 = VerificationKey::hs256(SECRET)
        .expect("key")
        .with_kid("key-1");
    let verifier = JwtVerifier::builder().key(key_1).build().expect("verifier");
    let (app, hits) = app(ROUTES, ScopeLayer::new(verifier, POLICY));
    let token_with_kid = |kid: &str| {
        let mut header = Header::new(jsonwebtoken::Algorithm::HS256);
        header.kid = Some(kid.to_owned());
        let claims = claims(json!({ "scopes": ["app:read"] }));
        sign_with_header(&header, &EncodingKey::from_secret(SECRET), &claims)
    };
    let reply = send(&app, bearer("GET", "/agents", &token_with_kid("key-2"))).await;
    assert_invalid_token(&reply, "unknown key id");

    // The same token with the configured kid passes: the refusal was the kid's.
    let reply = send(&app, bearer("GET", "/agents", &token_with_kid("key-1"))).await;
    assert_ok(&reply);
    assert_eq!(hits.count(), 1);
}

/// A validly signed token of exactly `len` bytes, if padding a claim can reach it.
fn signed_token_of_len(len: usize) -> Option<String> {
    // Each padding byte adds one or two base64url characters: scan around the estimate.
    let estimate = len * 3 / 4;
    (estimate.saturating_sub(300)..estimate).find_map(|pad| {
        let token = token(json!({ "scopes": ["app:read"], "pad": "x".repeat(pad) }));
        (token.len() == len).then_some(token)
    })
}

#[tokio::test]
async fn token_over_8_kib_is_401_token_too_long() {
    let big = token(json!({ "scopes": ["app:read"], "pad": "x".repeat(9000) }));
    assert!(big.len() > 8 * 1024);
    assert_token_refused(&big, "token too long").await;

    // Not even a JWT: refused for its length before anything is decoded.
    assert_token_refused(&"a".repeat(8 * 1024 + 1), "token too long").await;
}

#[tokio::test]
async fn token_length_cap_is_8_kib_inclusive() {
    let at_cap = signed_token_of_len(8 * 1024).expect("a token of exactly 8 KiB");
    assert_token_accepted(&at_cap).await;

    let over = signed_token_of_len(8 * 1024 + 1)
        .or_else(|| signed_token_of_len(8 * 1024 + 2))
        .expect("a token just over 8 KiB");
    assert_token_refused(&over, "token too long").await;
}

#[tokio::test]
async fn bad_iss_is_401_issuer_mismatch() {
    let (app, hits) = app_verified_by(hs256_builder().issuer("https://issuer.example"));
    for extra in [
        json!({ "scopes": ["app:read"], "iss": "https://evil.example" }),
        json!({ "scopes": ["app:read"], "iss": "https://issuer.example/" }),
        json!({ "scopes": ["app:read"] }),
    ] {
        let reply = send(&app, bearer("GET", "/agents", &token(extra.clone()))).await;
        assert_invalid_token(&reply, "issuer mismatch");
    }
    assert_eq!(hits.count(), 0);

    let good = token(json!({ "scopes": ["app:read"], "iss": "https://issuer.example" }));
    assert_ok(&send(&app, bearer("GET", "/agents", &good)).await);
    assert_eq!(hits.count(), 1);
}

#[tokio::test]
async fn bad_aud_is_401_audience_mismatch() {
    let (app, hits) = app_verified_by(hs256_builder().audience("agents-api"));
    for extra in [
        json!({ "scopes": ["app:read"], "aud": "other-api" }),
        json!({ "scopes": ["app:read"], "aud": ["other-api", "third-api"] }),
        json!({ "scopes": ["app:read"] }),
    ] {
        let reply = send(&app, bearer("GET", "/agents", &token(extra.clone()))).await;
        assert_invalid_token(&reply, "audience mismatch");
    }
    assert_eq!(hits.count(), 0);

    let good = token(json!({ "scopes": ["app:read"], "aud": ["other-api", "agents-api"] }));
    assert_ok(&send(&app, bearer("GET", "/agents", &good)).await);
    assert_eq!(hits.count(), 1);
}

#[tokio::test]
async fn nbf_in_the_future_is_401_not_yet_valid() {
    let token = token(json!({ "scopes": ["app:read"], "nbf": now() + 3600 }));
    assert_token_refused(&token, "token not yet valid (nbf)").await;
}

#[tokio::test]
async fn expired_token_is_401_token_has_expired() {
    let token = token(json!({ "scopes": ["app:read"], "exp": now() - 3600 }));
    assert_token_expired(&token).await;
}

#[tokio::test]
async fn expired_within_the_default_leeway_still_passes() {
    let token = token(json!({ "scopes": ["app:read"], "exp": now() - 5 }));
    assert_token_accepted(&token).await;
}

#[tokio::test]
async fn expired_beyond_a_configured_leeway_is_refused() {
    let (app, hits) = app_verified_by(hs256_builder().leeway(Duration::ZERO));
    let token = token(json!({ "scopes": ["app:read"], "exp": now() - 5 }));
    let reply = send(&app, bearer("GET", "/agents", &token)).await;
    assert_eq!(reply.status.as_u16(), 401);
    assert_eq!(reply.json(), json!({ "detail": "Token has expired" }));
    assert_eq!(hits.count(), 0);
}

#[tokio::test]
async fn token_without_exp_is_401_missing_claim() {
    let token = token_with_claims(&json!({ "sub": "user-1", "scopes": ["app:read"] }));
    assert_token_refused(&token, "missing required claim `exp`").await;
}

#[tokio::test]
async fn registered_claim_of_the_wrong_type_is_401() {
    for (extra, name) in [
        (json!({ "exp": (now() + 3600).to_string() }), "exp"),
        (json!({ "sub": 42 }), "sub"),
        (json!({ "nbf": "yesterday" }), "nbf"),
    ] {
        assert_token_refused(&token(extra), &format!("claim `{name}` has the wrong type")).await;
    }
}

// ---------------------------------------------------------------- insufficient scope

#[tokio::test]
async fn missing_scopes_is_403_insufficient_scope_naming_all_required() {
    let (app, hits) = default_app();
    for held in [
        &[][..],
        &["app:run"][..],
        &["app:execute"][..],
        &["app:read"][..],
    ] {
        let required = ["app:run", "app:execute"];
        assert_denied(&app, &hits, "POST", "/agents/a1/runs", held, &required).await;
    }

    let both = ["app:execute", "app:run"];
    assert_granted(&app, &hits, "POST", "/agents/a1/runs", &both).await;
}

#[tokio::test]
async fn unmapped_route_under_deny_is_403_without_scope_param() {
    let (app, hits) = default_app();
    assert_no_rule_covers(&app, &hits, "GET", "/unmapped").await;
    // A method without a rule on a mapped path is unmapped too.
    assert_no_rule_covers(&app, &hits, "DELETE", "/agents").await;
}

#[tokio::test]
async fn unmapped_route_under_deny_does_not_advertise_the_admin_scope() {
    let (app, hits) = app(ROUTES, layer().admin_scope("app:superadmin"));
    assert_no_rule_covers(&app, &hits, "GET", "/unmapped").await;
}

#[tokio::test]
async fn refusals_never_echo_the_token() {
    let token = forged_token(json!({ "scopes": ["app:read"] }));
    let (reply, _hits) = get_agents_with(&token).await;
    let challenge = reply.www_authenticate().expect("challenge").to_owned();
    for part in token.split('.') {
        assert!(!reply.text().contains(part));
        assert!(!challenge.contains(part));
    }
}

#[tokio::test]
async fn signature_is_checked_before_expiry() {
    // An expired token with a bad signature: the claims of an unverified token are not
    // reported on.
    let forged =
        forged_token(json!({ "scopes": ["app:read"], "exp": now() - 3600, "nbf": now() + 3600 }));
    assert_token_refused(&forged, "signature does not match").await;
}

#[tokio::test]
async fn fractional_numeric_dates_are_accepted() {
    // RFC 7519 §2: a NumericDate may be a non-integer (e.g. Python's `time.time() + 3600`).
    let valid = token(json!({
        "scopes": ["app:read"],
        "exp": now() as f64 + 3600.5,
        "nbf": now() as f64 - 3600.5,
        "iat": now() as f64 - 0.25,
    }));
    assert_token_accepted(&valid).await;

    let expired = token(json!({ "scopes": ["app:read"], "exp": now() as f64 - 3600.5 }));
    let (reply, hits) = get_agents_with(&expired).await;
    assert_eq!(reply.json(), json!({ "detail": "Token has expired" }));
    assert_eq!(hits, 0);

    let early = token(json!({ "scopes": ["app:read"], "nbf": now() as f64 + 3600.5 }));
    assert_token_refused(&early, "token not yet valid (nbf)").await;
}

#[tokio::test]
async fn out_of_range_numeric_dates_never_pass() {
    for extra in [
        json!({ "exp": -1 }),
        json!({ "exp": i64::MIN }),
        json!({ "exp": -1.5 }),
        json!({ "exp": 0 }),
        json!({ "nbf": 1e300 }),
        json!({ "exp": now() - 3600, "nbf": -1 }),
    ] {
        let (reply, hits) = get_agents_with(&token(extra.clone())).await;
        assert_eq!(reply.status.as_u16(), 401, "{extra}: {}", reply.text());
        assert_eq!(hits, 0, "{extra}");
    }
}

#[tokio::test]
async fn exp_before_1970_is_401_token_has_expired() {
    assert_token_expired(&token(json!({ "scopes": ["app:read"], "exp": -1 }))).await;
}

#[tokio::test]
async fn nbf_before_1970_is_in_the_past() {
    assert_token_accepted(&token(json!({ "scopes": ["app:read"], "nbf": -5 }))).await;
}
