//! The layer's decisions: admin scope, unmapped modes, `public` / `[]` / `any[...]`
//! rules, HEAD served by GET rules, nested routers and the fallback.

mod common;

use axum::Router;
use axum::routing::{any, get};
use common::*;
use http::StatusCode;
use scope_runtime::{Policy, ScopeLayer, Unmapped, scopes};
use serde_json::json;

const ROUTES: &[&str] = &[
    "/agents",
    "/agents/{agent_id}",
    "/agents/{agent_id}/runs",
    "/sessions",
    "/either",
    "/me",
    "/health",
    "/unmapped",
];

/// A layer enforcing [`AGENTS_API`] with an HS256 verifier.
fn layer() -> ScopeLayer {
    ScopeLayer::new(hs256_verifier(), AGENTS_API)
}

/// Tokens the layer must refuse (each for a different reason), as header values.
fn invalid_credentials() -> Vec<Vec<u8>> {
    let bad_signature = forged_token(json!({ "scopes": ["app:read"] }));
    let expired = token(json!({ "scopes": ["app:read"], "exp": now() - 3600 }));
    vec![
        format!("Bearer {bad_signature}").into_bytes(),
        format!("Bearer {expired}").into_bytes(),
        b"Bearer not-a-jwt".to_vec(),
        b"Bearer a b".to_vec(),
        b"Bearer".to_vec(),
        b"Bearer \xff".to_vec(),
        b"Basic dXNlcjpwYXNz".to_vec(),
    ]
}

// ---------------------------------------------------------------- admin scope

#[tokio::test]
async fn admin_scope_passes_every_rule() {
    let (app, hits) = app(ROUTES, layer().admin_scope("app:superadmin"));
    let admin = token_with_scopes(&["app:superadmin"]);
    for (method, path) in [
        ("GET", "/agents"),
        ("GET", "/agents/a1"),
        ("POST", "/agents/a1/runs"),
        ("GET", "/sessions"),
        ("GET", "/either"),
        ("GET", "/me"),
        ("GET", "/health"),
    ] {
        assert_ok(&send(&app, bearer(method, path, &admin)).await);
    }
    assert_eq!(hits.count(), 7);
}

#[tokio::test]
async fn admin_scope_passes_unmapped_routes_under_deny() {
    let (app, hits) = app(ROUTES, layer().admin_scope("app:superadmin"));
    let admin = token_with_scopes(&["app:superadmin"]);
    assert_ok(&send(&app, bearer("GET", "/unmapped", &admin)).await);
    assert_ok(&send(&app, bearer("DELETE", "/agents", &admin)).await);
    assert_eq!(hits.count(), 2);
    // An unknown route: the admin reaches the router's fallback (404), not a 403.
    let reply = send(&app, bearer("GET", "/no/such/route", &admin)).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn admin_scope_still_needs_a_valid_token() {
    let (app, hits) = app(ROUTES, layer().admin_scope("app:superadmin"));
    let expired = token(json!({ "scopes": ["app:superadmin"], "exp": now() - 3600 }));
    let reply = send(&app, bearer("GET", "/agents", &expired)).await;
    assert_eq!(reply.status.as_u16(), 401);
    let forged = forged_token(json!({ "scopes": ["app:superadmin"] }));
    let reply = send(&app, bearer("GET", "/unmapped", &forged)).await;
    assert_invalid_token(&reply, "signature does not match");
    assert_eq!(hits.count(), 0);
}

#[tokio::test]
async fn admin_scope_look_alike_does_not_pass() {
    let (app, hits) = app(ROUTES, layer().admin_scope("app:superadmin"));
    for held in [
        "app:superadmin2",
        "APP:SUPERADMIN",
        "app:super",
        "app:superadmin ",
    ] {
        assert_denied(&app, &hits, "GET", "/sessions", &[held], &["app:admin"]).await;
    }
}

#[tokio::test]
async fn without_admin_scope_configured_superadmin_is_an_ordinary_scope() {
    let (app, hits) = app(ROUTES, layer());
    let superadmin = ["app:superadmin"];
    assert_denied(&app, &hits, "GET", "/sessions", &superadmin, &["app:admin"]).await;
    let run = ["app:run", "app:execute"];
    assert_denied(&app, &hits, "POST", "/agents/a1/runs", &superadmin, &run).await;
    let token = token_with_scopes(&superadmin);
    let reply = send(&app, bearer("GET", "/unmapped", &token)).await;
    assert_eq!(reply.status.as_u16(), 403);
    assert_eq!(hits.count(), 0);
    // It is still a valid token.
    assert_ok(&send(&app, bearer("GET", "/me", &token)).await);
    assert_eq!(hits.count(), 1);
}

// ---------------------------------------------------------------- unmapped modes

/// What `Unmapped::Deny` does with a route no rule covers: 401 without a token, 403
/// naming no scope with a valid one, 401 `invalid_token` with a bad one; no handler runs.
async fn assert_unmapped_denied(layer: ScopeLayer) {
    let (app, hits) = app(ROUTES, layer);
    assert_no_rule_covers(&app, &hits, "GET", "/unmapped").await;
    let reply = send(&app, bearer("GET", "/unmapped", &token_without_scopes())).await;
    assert_no_rule(&reply);
    let reply = send(&app, bearer("GET", "/unmapped", "not-a-jwt")).await;
    assert_invalid_token(&reply, "malformed token");
    assert_eq!(hits.count(), 0);
}

#[tokio::test]
async fn unmapped_is_deny_by_default() {
    assert_unmapped_denied(layer()).await;
}

#[tokio::test]
async fn unmapped_deny_is_401_without_token_and_403_with_one() {
    assert_unmapped_denied(layer().unmapped(Unmapped::Deny)).await;
}

#[tokio::test]
async fn unmapped_authenticated_is_401_without_token_and_200_with_one() {
    let (app, hits) = app(ROUTES, layer().unmapped(Unmapped::Authenticated));
    assert_missing_token(&send(&app, request("GET", "/unmapped")).await);
    let reply = send(&app, bearer("GET", "/unmapped", "not-a-jwt")).await;
    assert_invalid_token(&reply, "malformed token");
    assert_eq!(hits.count(), 0);
    assert_ok(&send(&app, bearer("GET", "/unmapped", &token_without_scopes())).await);
    assert_eq!(hits.count(), 1);
    // Mapped routes keep their rules.
    let reply = send(&app, bearer("GET", "/sessions", &token_without_scopes())).await;
    assert_insufficient(&reply, &["app:admin"]);
    assert_eq!(hits.count(), 1);
}

#[tokio::test]
async fn unmapped_allow_passes_without_token() {
    let (app, hits) = app(ROUTES, layer().unmapped(Unmapped::Allow));
    assert_ok(&send(&app, request("GET", "/unmapped")).await);
    // The token is not looked at.
    for value in invalid_credentials() {
        assert_ok(&send(&app, with_authorization("GET", "/unmapped", &value)).await);
    }
    let total = 1 + invalid_credentials().len();
    assert_eq!(hits.count(), total);
    // Mapped routes keep their rules.
    assert_missing_token(&send(&app, request("GET", "/agents")).await);
    let reply = send(&app, bearer("GET", "/sessions", &token_without_scopes())).await;
    assert_insufficient(&reply, &["app:admin"]);
    assert_eq!(hits.count(), total);
}

// ---------------------------------------------------------------- rule kinds

#[tokio::test]
async fn public_rule_needs_no_token() {
    let (app, hits) = app(ROUTES, layer());
    assert_ok(&send(&app, request("GET", "/health")).await);
    assert_eq!(hits.count(), 1);
}

#[tokio::test]
async fn public_rule_ignores_even_an_invalid_token() {
    let (app, hits) = app(ROUTES, layer().realm("x"));
    let credentials = invalid_credentials();
    for value in &credentials {
        let reply = send(&app, with_authorization("GET", "/health", value)).await;
        assert_ok(&reply);
        assert!(reply.www_authenticate().is_none());
    }
    let big = "a".repeat(64 * 1024);
    assert_ok(&send(&app, bearer("GET", "/health", &big)).await);
    assert_eq!(hits.count(), credentials.len() + 1);
}

#[tokio::test]
async fn public_rule_ignores_two_authorization_headers() {
    let (app, hits) = app(ROUTES, layer());
    let mut request = bearer("GET", "/health", "a");
    request.headers_mut().append(
        http::header::AUTHORIZATION,
        "Bearer b".parse().expect("value"),
    );
    assert_ok(&send(&app, request).await);
    assert_eq!(hits.count(), 1);
}

#[tokio::test]
async fn empty_rule_accepts_any_valid_token() {
    let (app, hits) = app(ROUTES, layer());
    assert_ok(&send(&app, bearer("GET", "/me", &token_without_scopes())).await);
    assert_ok(&send(&app, bearer("GET", "/me", &token_with_scopes(&["x"]))).await);
    assert_eq!(hits.count(), 2);
}

#[tokio::test]
async fn empty_rule_refuses_missing_and_invalid_tokens() {
    let (app, hits) = app(ROUTES, layer());
    assert_missing_token(&send(&app, request("GET", "/me")).await);
    for value in invalid_credentials() {
        let reply = send(&app, with_authorization("GET", "/me", &value)).await;
        assert!(
            matches!(reply.status.as_u16(), 400 | 401),
            "{}: {}",
            String::from_utf8_lossy(&value),
            reply.status
        );
    }
    assert_eq!(hits.count(), 0);
}

#[tokio::test]
async fn any_rule_passes_with_one_of_the_scopes() {
    let (app, hits) = app(ROUTES, layer());
    for held in [
        &["app:read"][..],
        &["app:write"][..],
        &["app:write", "app:read"][..],
    ] {
        assert_ok(&send(&app, bearer("GET", "/either", &token_with_scopes(held))).await);
    }
    assert_eq!(hits.count(), 3);
}

#[tokio::test]
async fn any_rule_without_any_of_the_scopes_is_403_one_of() {
    let (app, hits) = app(ROUTES, layer());
    let runner = token_with_scopes(&["app:run"]);
    let reply = send(&app, bearer("GET", "/either", &runner)).await;
    assert_refused(
        &reply,
        403,
        // RFC 6750's `scope` is what the request needs, all of it: one alternative,
        // the first; the detail names them all.
        r#"Bearer error="insufficient_scope", scope="app:read""#,
        "Insufficient permissions. Required scope(s): one of app:read, app:write",
    );
    assert_missing_token(&send(&app, request("GET", "/either")).await);
    assert_eq!(hits.count(), 0);
}

#[tokio::test]
async fn all_rule_needs_every_scope() {
    let (app, hits) = app(ROUTES, layer());
    let both = ["app:run", "app:execute"];
    // One of the two is not enough.
    assert_denied(&app, &hits, "POST", "/agents/a1/runs", &["app:run"], &both).await;
    assert_route_needs(&app, &hits, "POST", "/agents/a1/runs", &both).await;
}

#[tokio::test]
async fn wildcard_is_exactly_one_segment() {
    let (app, hits) = app(&["/agents/{*rest}"], layer());
    let reader = token_with_scopes(&["app:read"]);
    assert_ok(&send(&app, bearer("GET", "/agents/a1", &reader)).await);
    assert_eq!(hits.count(), 1);
    // `GET /agents/*` does not cover two segments: unmapped, denied.
    let reply = send(&app, bearer("GET", "/agents/a1/runs", &reader)).await;
    assert_eq!(reply.status.as_u16(), 403);
    // Nor an empty segment.
    let reply = send(&app, bearer("GET", "/agents/", &reader)).await;
    assert_eq!(reply.status.as_u16(), 403);
    assert_eq!(hits.count(), 1);
}

#[tokio::test]
async fn most_specific_rule_wins_regardless_of_order() {
    static SPECIFIC: Policy = scopes! {
        "GET /files/**"          => ["files:read"],
        "GET /files/*/meta"      => public,
        "GET /files/secret/meta" => ["files:admin"],
        "* /files/upload"        => ["files:write"],
        "POST /files/upload"     => ["files:upload"],
    };
    let (app, hits) = app(
        &["/files/{*rest}"],
        ScopeLayer::new(hs256_verifier(), SPECIFIC),
    );
    assert_ok(&send(&app, request("GET", "/files/a/meta")).await);
    assert_missing_token(&send(&app, request("GET", "/files/secret/meta")).await);
    let reader = token_with_scopes(&["files:read"]);
    let reply = send(&app, bearer("GET", "/files/secret/meta", &reader)).await;
    assert_insufficient(&reply, &["files:admin"]);
    assert_ok(&send(&app, bearer("GET", "/files/a/b/c", &reader)).await);
    // A named method beats `*` for the same path.
    let writer = token_with_scopes(&["files:write"]);
    let reply = send(&app, bearer("POST", "/files/upload", &writer)).await;
    assert_insufficient(&reply, &["files:upload"]);
    assert_ok(&send(&app, bearer("PUT", "/files/upload", &writer)).await);
    assert_eq!(hits.count(), 3);
}

#[tokio::test]
async fn method_wildcard_covers_extension_methods() {
    static STAR: Policy = scopes! {
        "* /purge" => ["cache:purge"],
    };
    // Even with unmapped routes allowed, a `*` rule must catch a non-standard method.
    let layer = ScopeLayer::new(hs256_verifier(), STAR).unmapped(Unmapped::Allow);
    let (app, hits) = app(&["/purge"], layer);
    assert_route_needs(&app, &hits, "PURGE", "/purge", &["cache:purge"]).await;
}

#[tokio::test]
async fn methods_are_case_sensitive() {
    static GET_ONLY: Policy = scopes! {
        "GET /x" => ["a"],
    };
    let (app, hits) = app(&["/x"], ScopeLayer::new(hs256_verifier(), GET_ONLY));
    // `get` is an extension method, not GET: unmapped, denied.
    let reply = send(&app, bearer("get", "/x", &token_with_scopes(&["a"]))).await;
    assert_eq!(reply.status.as_u16(), 403);
    assert_eq!(hits.count(), 0);
}

// ---------------------------------------------------------------- HEAD

static HEAD_POLICY: Policy = scopes! {
    "GET /x"  => ["a"],
    "GET /y"  => ["a"],
    "HEAD /y" => public,
    "GET /z"  => ["a"],
    "HEAD /z" => ["b"],
};

/// `/x`, `/y` and `/z` served by GET handlers, which axum also calls for HEAD.
fn head_app() -> (Router, Hits) {
    let router = Router::new()
        .route("/x", get(counted))
        .route("/y", get(counted))
        .route("/z", get(counted));
    guarded(router, ScopeLayer::new(hs256_verifier(), HEAD_POLICY))
}

/// Asserts the refusal of a HEAD request: `status` and the exact challenge (a reply to
/// HEAD has no body to check).
#[track_caller]
fn assert_head_refused(reply: &Reply, status: u16, challenge: &str) {
    assert_eq!(reply.status.as_u16(), status, "status");
    assert_eq!(
        reply.www_authenticate(),
        Some(challenge),
        "WWW-Authenticate"
    );
}

/// Asserts that HEAD on `path` needs the scope `needed`: a token holding only `other` is
/// refused with a challenge naming `needed`, a token holding `needed` is answered (200,
/// no body), once.
async fn assert_head_needs(app: &Router, hits: &Hits, path: &str, needed: &str, other: &str) {
    let before = hits.count();
    let reply = send(app, bearer("HEAD", path, &token_with_scopes(&[other]))).await;
    let challenge = format!(r#"Bearer error="insufficient_scope", scope="{needed}""#);
    assert_head_refused(&reply, 403, &challenge);
    assert_eq!(hits.count(), before);
    let reply = send(app, bearer("HEAD", path, &token_with_scopes(&[needed]))).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.is_empty());
    assert_eq!(hits.count(), before + 1);
}

#[tokio::test]
async fn head_without_a_rule_uses_the_get_rule() {
    let (app, hits) = head_app();
    let reply = send(&app, request("HEAD", "/x")).await;
    assert_head_refused(&reply, 401, "Bearer");
    assert_head_needs(&app, &hits, "/x", "a", "b").await;
}

#[tokio::test]
async fn head_rule_overrides_the_get_rule() {
    let (app, hits) = head_app();
    // HEAD /y is public, GET /y is not.
    let reply = send(&app, request("HEAD", "/y")).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(hits.count(), 1);
    assert_missing_token(&send(&app, request("GET", "/y")).await);
    assert_eq!(hits.count(), 1);
    // HEAD /z needs `b`, not GET's `a`.
    assert_head_needs(&app, &hits, "/z", "b", "a").await;
    assert_eq!(hits.count(), 2);
}

// ---------------------------------------------------------------- nested routers

/// `/api` + an inner router with `/agents` and `/agents/{id}`, the layer on the inner one.
fn nested_app(policy: Policy) -> (Router, Hits) {
    let inner = Router::new()
        .route("/agents", any(counted))
        .route("/agents/{id}", any(counted));
    let (inner, hits) = guarded(inner, ScopeLayer::new(hs256_verifier(), policy));
    (Router::new().nest("/api", inner), hits)
}

#[tokio::test]
async fn nested_layer_matches_the_full_original_path() {
    static FULL: Policy = scopes! {
        "GET /api/agents"   => ["app:read"],
        "GET /api/agents/*" => ["app:admin"],
    };
    let (app, hits) = nested_app(FULL);
    assert_route_needs(&app, &hits, "GET", "/api/agents", &["app:read"]).await;
    let agent = "/api/agents/a1";
    assert_denied(&app, &hits, "GET", agent, &["app:read"], &["app:admin"]).await;
}

#[tokio::test]
async fn nested_layer_does_not_see_the_stripped_path() {
    static STRIPPED: Policy = scopes! {
        "GET /agents"   => public,
        "GET /agents/*" => ["app:read"],
    };
    let (app, hits) = nested_app(STRIPPED);
    // If the layer saw the stripped `/agents`, it would be public, and `/agents/a1` would
    // take `app:read`. It sees `/api/agents` and `/api/agents/a1`: unmapped.
    for path in ["/api/agents", "/api/agents/a1"] {
        assert_no_rule_covers(&app, &hits, "GET", path).await;
    }
}

#[tokio::test]
async fn nested_layer_with_doubly_nested_routers_sees_the_outermost_path() {
    static DEEP: Policy = scopes! {
        "GET /v1/api/agents" => ["app:read"],
        "GET /api/agents"    => public,
        "GET /agents"        => public,
    };
    let inner = Router::new().route("/agents", get(counted));
    let (inner, hits) = guarded(inner, ScopeLayer::new(hs256_verifier(), DEEP));
    let app = Router::new().nest("/v1", Router::new().nest("/api", inner));
    assert_route_needs(&app, &hits, "GET", "/v1/api/agents", &["app:read"]).await;
}

#[tokio::test]
async fn top_level_layer_guards_the_fallback() {
    let (app, hits) = app(ROUTES, layer());
    assert_no_rule_covers(&app, &hits, "GET", "/no/such/route").await;
}

#[tokio::test]
async fn top_level_layer_guards_a_custom_fallback() {
    let custom = Router::new().route("/me", get(counted)).fallback(counted);
    let (app, hits) = guarded(custom, layer());
    assert_no_rule_covers(&app, &hits, "GET", "/nope").await;
    assert_no_rule_covers(&app, &hits, "POST", "/nope").await;
}

#[tokio::test]
async fn top_level_layer_on_nested_router_uses_full_paths() {
    static FULL: Policy = scopes! {
        "GET /api/agents" => ["app:read"],
    };
    let nested = Router::new().nest("/api", Router::new().route("/agents", get(counted)));
    let (app, hits) = guarded(nested, ScopeLayer::new(hs256_verifier(), FULL));
    assert_route_needs(&app, &hits, "GET", "/api/agents", &["app:read"]).await;
}

#[tokio::test]
async fn head_uses_the_get_rule_before_a_method_wildcard() {
    static GET_AND_STAR: Policy = scopes! {
        "GET /x" => ["a"],
        "* /x"   => public,
    };
    let (app, hits) = app(&["/x"], ScopeLayer::new(hs256_verifier(), GET_AND_STAR));
    // HEAD is served by the GET handler, so it takes the GET rule, not `*`'s public.
    let reply = send(&app, request("HEAD", "/x")).await;
    assert_head_refused(&reply, 401, "Bearer");
    assert_eq!(hits.count(), 0);
    // Other methods take `*`.
    assert_ok(&send(&app, request("POST", "/x")).await);
    assert_eq!(hits.count(), 1);
}

#[tokio::test]
async fn head_takes_a_method_wildcard_rule_when_there_is_no_get_rule() {
    static STAR: Policy = scopes! {
        "* /x" => ["a"],
    };
    let (app, hits) = app(&["/x"], ScopeLayer::new(hs256_verifier(), STAR));
    let reply = send(&app, request("HEAD", "/x")).await;
    assert_head_refused(&reply, 401, "Bearer");
    assert_eq!(hits.count(), 0);
    let reply = send(&app, bearer("HEAD", "/x", &token_with_scopes(&["a"]))).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(hits.count(), 1);
}

#[tokio::test]
async fn realm_is_quoted_and_escaped() {
    let (app, hits) = app(ROUTES, layer().realm("my \"api\" \\ caf\u{e9}"));
    let reply = send(&app, request("GET", "/agents")).await;
    assert_missing_token_challenge(&reply, r#"Bearer realm="my \"api\" \\ caf?""#);
    assert_eq!(hits.count(), 0);
}

/// The layer wrapping the whole router as one service (no `Router::layer`): it sees every
/// request before routing, with the full path, the fallback and nested routers included.
#[tokio::test]
async fn layer_around_the_whole_router_guards_every_route() {
    use tower::{Layer as _, ServiceExt as _};
    static POLICY: Policy = scopes! {
        "GET /health"     => public,
        "GET /api/agents" => ["app:read"],
    };
    let hits = Hits::default();
    let inner = Router::new().route("/agents", any(counted));
    let router = Router::new()
        .route("/health", any(counted))
        .nest("/api", inner)
        .with_state(hits.clone());
    let app = ScopeLayer::new(hs256_verifier(), POLICY).layer(router);
    let status = |request| {
        let app = app.clone();
        async move { app.oneshot(request).await.expect("infallible").status() }
    };
    assert_eq!(status(request("GET", "/health")).await, StatusCode::OK);
    assert_eq!(
        status(request("GET", "/api/agents")).await,
        StatusCode::UNAUTHORIZED
    );
    let reader = token_with_scopes(&["app:read"]);
    assert_eq!(
        status(bearer("GET", "/api/agents", &reader)).await,
        StatusCode::OK
    );
    // Unmapped and unknown routes: denied before the router is even asked.
    assert_eq!(
        status(bearer("GET", "/agents", &reader)).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        status(request("GET", "/nowhere")).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(hits.count(), 2);
}

// ---------------------------------------------------------------- the path guard

/// Each refused class can be let through alone; the others stay refused, and what is
/// let through is decided on its decoded reading.
#[tokio::test]
async fn path_guard_classes_can_be_allowed_one_by_one() {
    use scope_runtime::{PathClass, PathGuard};
    static FILES: Policy = scopes! {
        "GET /files/*" => ["files:read"],
    };
    let reader = token_with_scopes(&["files:read"]);
    let (strict, hits) = app(&["/files/{name}"], ScopeLayer::new(hs256_verifier(), FILES));
    let reply = send(&strict, bearer("GET", "/files/50%25", &reader)).await;
    assert_refused(
        &reply,
        400,
        &format!(
            r#"Bearer error="invalid_request", error_description="{}""#,
            PathClass::EncodedPercent.detail()
        ),
        PathClass::EncodedPercent.detail(),
    );
    assert_eq!(hits.count(), 0);

    let lenient = ScopeLayer::new(hs256_verifier(), FILES)
        .path_guard(PathGuard::strict().allow(PathClass::EncodedPercent));
    let (lenient, hits) = app(&["/files/{name}"], lenient);
    // `50%25` decodes to the one segment `50%`: the `*` rule, its scope needed.
    assert_missing_token(&send(&lenient, request("GET", "/files/50%25")).await);
    assert_ok(&send(&lenient, bearer("GET", "/files/50%25", &reader)).await);
    assert_eq!(hits.count(), 1);
    // The other classes are still refused.
    let reply = send(&lenient, bearer("GET", "/files/a%2Fb", &reader)).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.json()["detail"], PathClass::EncodedSlash.detail());
    assert_eq!(hits.count(), 1);
}
