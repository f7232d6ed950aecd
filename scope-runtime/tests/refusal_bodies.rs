//! Custom refusal bodies (`ScopeLayer::refusal_body`) and the 500 a handler that needs
//! claims gets where no layer authenticated the request.

mod common;

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use common::*;
use http::header::{ALLOW, CONTENT_LENGTH, CONTENT_TYPE};
use scope_runtime::{
    Claims, Policy, RefusalBody, RefusalView, ScopeLayer, Unmapped, VerifiedClaims, require_scopes,
    scopes,
};
use serde_json::{Value, json};
use tracing::Level;

static POLICY: Policy = scopes! {
    "GET /all"      => ["app:run", "app:execute"],
    "GET /any"      => any["app:a", "app:b"],
    "GET /me"       => [],
    "GET /typed"    => [],
    "GET /attr"     => [],
    "GET /public"   => public,
    "GET /optional-claims" => public,
};

/// A body that shows everything the hook saw, so a test reads it back.
fn echo(view: &RefusalView<'_>) -> RefusalBody {
    let body = json!({
        "status": view.status().as_u16(),
        "code": view.error_code(),
        "text": view.detail(),
        "required": view.required_scopes(),
        "any_of": view.any_of(),
    });
    RefusalBody::new(
        http::HeaderValue::from_static("application/vnd.test+json"),
        body.to_string(),
    )
}

async fn me(State(hits): State<Hits>, claims: VerifiedClaims) -> String {
    hits.hit();
    claims.subject().unwrap_or("").to_owned()
}

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct Tenant {
    tenant: String,
}

async fn typed(State(hits): State<Hits>, Claims(_): Claims<Tenant>) -> &'static str {
    hits.hit();
    "typed"
}

#[require_scopes("app:attr")]
async fn attr(State(hits): State<Hits>) -> &'static str {
    hits.hit();
    "attr"
}

async fn optional(claims: Option<VerifiedClaims>) -> String {
    format!("{:?}", claims.map(|c| c.subject().map(str::to_owned)))
}

fn router() -> (Router<()>, Hits) {
    let hits = Hits::default();
    let router = Router::new()
        .route("/all", get(counted))
        .route("/any", get(counted))
        .route("/me", get(me))
        .route("/typed", get(typed))
        .route("/attr", get(attr))
        .route("/public", get(me))
        .route("/optional-claims", get(optional))
        .route("/unmapped", get(me))
        .with_state(hits.clone());
    (router, hits)
}

fn app(layer: ScopeLayer) -> (Router, Hits) {
    let (router, hits) = router();
    (router.layer(layer), hits)
}

/// Sends `request` to the default-body app and the hooked app: the status and every
/// header but the body's own are the same; the hooked body is what the hook wrote for the
/// default body's detail.
async fn same_answer_other_body(request: fn() -> http::Request<axum::body::Body>) -> Value {
    let (plain, _) = app(ScopeLayer::new(hs256_verifier(), POLICY).realm("api"));
    let (hooked, hits) = app(ScopeLayer::new(hs256_verifier(), POLICY)
        .realm("api")
        .refusal_body(echo));
    let a = send(&plain, request()).await;
    let b = send(&hooked, request()).await;
    assert_eq!(a.status, b.status);
    assert!(a.status.is_client_error(), "{a:?}");
    assert_eq!(a.www_authenticate(), b.www_authenticate());
    assert!(b.www_authenticate().is_some());
    assert_eq!(b.headers[ALLOW], "");
    assert_eq!(b.headers[CONTENT_TYPE], "application/vnd.test+json");
    assert_eq!(a.headers[CONTENT_TYPE], "application/json");
    assert_eq!(
        b.headers[CONTENT_LENGTH].to_str().unwrap(),
        b.body.len().to_string()
    );
    let seen = b.json();
    assert_eq!(seen["status"], a.status.as_u16());
    assert_eq!(seen["text"], a.json()["detail"]);
    assert_eq!(hits.count(), 0);
    seen
}

#[tokio::test]
async fn a_custom_body_keeps_status_and_challenge_of_every_refusal() {
    let seen = same_answer_other_body(|| request("GET", "/a//b")).await;
    assert_eq!(seen["code"], "invalid_request");
    let seen = same_answer_other_body(|| request("GET", "/me")).await;
    assert_eq!(seen["code"], Value::Null);
    assert_eq!(seen["text"], "Authorization header missing");
    let seen = same_answer_other_body(|| bearer("GET", "/me", &forged_token(json!({})))).await;
    assert_eq!(seen["code"], "invalid_token");
    let seen = same_answer_other_body(|| {
        bearer(
            "GET",
            "/me",
            &token_with_claims(&json!({ "sub": "u", "exp": now() - 3600 })),
        )
    })
    .await;
    assert_eq!(seen["text"], "Token has expired");
    let seen = same_answer_other_body(|| bearer("GET", "/all", &token_without_scopes())).await;
    assert_eq!(seen["code"], "insufficient_scope");
    assert_eq!(seen["required"], json!(["app:run", "app:execute"]));
    assert_eq!(seen["any_of"], false);
    let seen = same_answer_other_body(|| bearer("GET", "/any", &token_without_scopes())).await;
    assert_eq!(seen["required"], json!(["app:a", "app:b"]));
    assert_eq!(seen["any_of"], true);
    let seen = same_answer_other_body(|| bearer("GET", "/unmapped", &token_without_scopes())).await;
    assert_eq!(seen["required"], json!([]));
}

#[tokio::test]
async fn head_refusals_have_no_body_but_the_length_of_the_hooked_one() {
    let (hooked, _) = app(ScopeLayer::new(hs256_verifier(), POLICY).refusal_body(echo));
    let get = send(&hooked, request("GET", "/me")).await;
    let head = send(&hooked, request("HEAD", "/me")).await;
    assert_eq!(head.status.as_u16(), 401);
    assert!(head.body.is_empty());
    assert_eq!(head.headers[CONTENT_LENGTH], get.headers[CONTENT_LENGTH]);
    assert_eq!(
        get.headers[CONTENT_LENGTH].to_str().unwrap(),
        get.body.len().to_string()
    );
}

#[tokio::test]
async fn the_default_body_is_unchanged() {
    let (plain, _) = app(ScopeLayer::new(hs256_verifier(), POLICY));
    let reply = send(&plain, request("GET", "/me")).await;
    assert_eq!(
        &reply.body[..],
        br#"{"detail":"Authorization header missing"}"#
    );
    let reply = send(&plain, bearer("GET", "/any", &token_without_scopes())).await;
    assert_eq!(
        &reply.body[..],
        br#"{"detail":"Insufficient permissions. Required scope(s): one of app:a, app:b"}"#
    );
}

#[tokio::test]
async fn extractor_refusals_use_the_hook() {
    let (hooked, hits) = app(ScopeLayer::new(hs256_verifier(), POLICY).refusal_body(echo));
    let reply = send(&hooked, bearer("GET", "/attr", &token_without_scopes())).await;
    assert_eq!(reply.status.as_u16(), 403);
    assert_eq!(
        reply.www_authenticate(),
        Some(r#"Bearer error="insufficient_scope", scope="app:attr""#)
    );
    assert_eq!(reply.headers[CONTENT_TYPE], "application/vnd.test+json");
    assert_eq!(reply.json()["required"], json!(["app:attr"]));
    let reply = send(&hooked, bearer("GET", "/typed", &token_without_scopes())).await;
    assert_eq!(reply.status.as_u16(), 401);
    assert_eq!(reply.headers[CONTENT_TYPE], "application/vnd.test+json");
    assert_eq!(
        reply.json()["text"],
        "Invalid token: claims do not have the expected shape"
    );
    assert_eq!(hits.count(), 0);
}

#[tokio::test]
async fn problem_json_has_the_rfc_9457_members() {
    let layer = ScopeLayer::new(hs256_verifier(), POLICY).refusal_body(RefusalBody::problem_json);
    let (app, _) = app(layer);
    let reply = send(&app, bearer("GET", "/any", &token_without_scopes())).await;
    assert_eq!(reply.status.as_u16(), 403);
    assert_eq!(reply.headers[CONTENT_TYPE], "application/problem+json");
    assert_eq!(
        reply.json(),
        json!({
            "type": "about:blank",
            "title": "Forbidden",
            "status": 403,
            "detail": "Insufficient permissions. Required scope(s): one of app:a, app:b",
            "error": "insufficient_scope",
            "required_scopes": ["app:a", "app:b"],
            "any_of": true,
        })
    );
    let reply = send(&app, request("GET", "/me")).await;
    assert_eq!(
        reply.json(),
        json!({
            "type": "about:blank",
            "title": "Unauthorized",
            "status": 401,
            "detail": "Authorization header missing",
        })
    );
}

/// Sends `req` to `app` under a capturing subscriber; returns the reply and the log.
async fn logged(app: &Router, req: http::Request<axum::body::Body>) -> (Reply, String) {
    let captured = Captured::default();
    let _guard = tracing::subscriber::set_default(captured.subscriber(Level::TRACE));
    let reply = send(app, req).await;
    (reply, captured.text())
}

fn assert_misconfigured(reply: &Reply, log: &str, says: &str) {
    assert_eq!(reply.status.as_u16(), 500, "{reply:?}");
    assert_eq!(reply.www_authenticate(), None);
    let detail = reply.json()["detail"].as_str().unwrap().to_owned();
    assert!(detail.starts_with("Server misconfiguration: "), "{detail}");
    assert!(detail.contains(says), "{detail}");
    assert!(log.contains("ERROR"), "{log}");
    assert!(log.contains(says), "{log}");
}

#[tokio::test(flavor = "current_thread")]
async fn claims_without_any_layer_are_a_500_that_says_so() {
    let (router, hits) = router();
    let app: Router = router;
    let token = token_with_scopes(&["app:attr"]);
    for path in ["/me", "/typed", "/attr"] {
        let (reply, log) = logged(&app, bearer("GET", path, &token)).await;
        assert_misconfigured(&reply, &log, "no ScopeLayer authenticated the request");
        assert!(!log.contains(&token), "the token is never logged");
    }
    let (reply, _) = logged(&app, request("GET", "/optional-claims")).await;
    assert_eq!(reply.text(), "None");
    assert_eq!(hits.count(), 0);
}

#[tokio::test(flavor = "current_thread")]
async fn claims_on_a_route_passed_without_a_token_are_a_500_that_says_why() {
    let (app, hits) = app(ScopeLayer::new(hs256_verifier(), POLICY)
        .unmapped(Unmapped::Allow)
        .refusal_body(RefusalBody::problem_json));
    let token = token_with_scopes(&["app:attr"]);
    let (reply, log) = logged(&app, bearer("GET", "/public", &token)).await;
    assert_eq!(reply.headers[CONTENT_TYPE], "application/problem+json");
    assert_eq!(reply.json()["status"], 500);
    assert_eq!(reply.json().get("error"), None);
    let detail = reply.json()["detail"].as_str().unwrap().to_owned();
    assert!(
        detail.contains("the route is `public` in the policy"),
        "{detail}"
    );
    assert!(log.contains("ERROR") && log.contains("`public`"), "{log}");

    let (plain, _) = app_default_unmapped_allow();
    let (reply, log) = logged(&plain, request("GET", "/unmapped")).await;
    assert_misconfigured(&reply, &log, "`Unmapped::Allow` let it through");
    let (reply, _) = logged(&plain, request("GET", "/optional-claims")).await;
    assert_eq!(reply.status.as_u16(), 200);
    assert_eq!(reply.text(), "None");
    assert_eq!(hits.count(), 0);
}

fn app_default_unmapped_allow() -> (Router, Hits) {
    app(ScopeLayer::new(hs256_verifier(), POLICY).unmapped(Unmapped::Allow))
}
