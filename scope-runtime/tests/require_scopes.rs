//! `#[require_scopes]` on handlers: with the authentication-only layer, with a policy
//! layer, without any layer, and next to `State`, `Path` and `Json` extractors.

mod common;

use axum::Json;
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use common::*;
use http::Request;
use http::header::CONTENT_TYPE;
use scope_runtime::{Policy, ScopeLayer, require_scopes, scopes};
use serde_json::{Value, json};

#[require_scopes("app:run", "app:execute")]
async fn run(State(hits): State<Hits>) -> &'static str {
    hits.hit();
    "ok"
}

#[require_scopes("app:read")]
async fn read(State(hits): State<Hits>) -> &'static str {
    hits.hit();
    "ok"
}

/// A handler with state, a path capture and a JSON body next to the guard.
#[require_scopes("app:run")]
async fn run_agent(
    State(hits): State<Hits>,
    Path(agent_id): Path<String>,
    Json(body): Json<Value>,
) -> Json<Value> {
    hits.hit();
    Json(json!({ "agent": agent_id, "message": body["message"] }))
}

/// The attribute composes with `#[axum::debug_handler]`.
#[require_scopes("app:debug")]
#[axum::debug_handler(state = Hits)]
async fn debugged(State(hits): State<Hits>, Path(id): Path<u32>) -> String {
    hits.hit();
    format!("debugged {id}")
}

fn routes() -> Router<Hits> {
    Router::new()
        .route("/run", post(run))
        .route("/read", get(read))
        .route("/agents/{agent_id}/runs", post(run_agent))
        .route("/debug/{id}", get(debugged))
}

/// The handlers behind `layer`.
fn handlers_behind(layer: ScopeLayer) -> (Router, Hits) {
    guarded(routes(), layer)
}

/// The handlers behind the authentication-only layer: the attributes alone decide.
fn authenticate_only_app() -> (Router, Hits) {
    handlers_behind(ScopeLayer::authenticate_only(hs256_verifier()))
}

#[tokio::test]
async fn authenticate_only_passes_with_all_scopes() {
    let (app, hits) = authenticate_only_app();
    assert_granted(&app, &hits, "POST", "/run", &["app:execute", "app:run"]).await;
}

#[tokio::test]
async fn authenticate_only_missing_scopes_is_403_with_exact_challenge() {
    let (app, hits) = authenticate_only_app();
    let required = ["app:run", "app:execute"];
    for held in [&[][..], &["app:run"][..], &["app:read"][..]] {
        assert_denied(&app, &hits, "POST", "/run", held, &required).await;
    }
}

#[tokio::test]
async fn authenticate_only_missing_scopes_carries_the_realm() {
    let layer = ScopeLayer::authenticate_only(hs256_verifier()).realm("agents");
    let (app, hits) = handlers_behind(layer);
    let reply = send(&app, bearer("GET", "/read", &token_without_scopes())).await;
    let challenge = r#"Bearer realm="agents", error="insufficient_scope", scope="app:read""#;
    assert_insufficient_challenge(&reply, challenge, &["app:read"]);
    assert_eq!(hits.count(), 0);
}

#[tokio::test]
async fn authenticate_only_without_token_is_401() {
    let (app, hits) = authenticate_only_app();
    assert_token_required(&app, &hits, "POST", "/run").await;
    let reply = send(&app, bearer("POST", "/run", "not-a-jwt")).await;
    assert_invalid_token(&reply, "malformed token");
    assert_eq!(hits.count(), 0);
}

#[tokio::test]
async fn authenticate_only_guards_unknown_routes() {
    let (app, hits) = authenticate_only_app();
    assert_token_required(&app, &hits, "GET", "/nope").await;
}

#[tokio::test]
async fn authenticate_only_admin_scope_passes_the_attribute() {
    let layer = ScopeLayer::authenticate_only(hs256_verifier()).admin_scope("app:superadmin");
    let (app, hits) = handlers_behind(layer);
    let admin = token_with_scopes(&["app:superadmin"]);
    assert_ok(&send(&app, bearer("POST", "/run", &admin)).await);
    assert_ok(&send(&app, bearer("GET", "/read", &admin)).await);
    assert_eq!(hits.count(), 2);
}

#[tokio::test]
async fn admin_scope_is_not_special_unless_configured() {
    let (app, hits) = authenticate_only_app();
    let admin = ["app:superadmin"];
    assert_denied(&app, &hits, "GET", "/read", &admin, &["app:read"]).await;
}

static ANY_TOKEN: Policy = scopes! {
    "* /run"                   => [],
    "* /read"                  => ["app:read"],
    "POST /agents/*/runs"      => [],
};

#[tokio::test]
async fn policy_layer_and_attribute_both_apply() {
    let (app, hits) = handlers_behind(ScopeLayer::new(hs256_verifier(), ANY_TOKEN));
    // The layer's `[]` rule: no token is the layer's 401. A valid token passes the
    // layer, then the attribute refuses it unless it holds both scopes.
    let both = ["app:run", "app:execute"];
    assert_route_needs(&app, &hits, "POST", "/run", &both).await;
    assert_denied(&app, &hits, "POST", "/run", &["app:run"], &both).await;
}

#[tokio::test]
async fn policy_rule_and_attribute_scopes_are_both_required() {
    static BOTH: Policy = scopes! {
        "GET /read" => ["app:list"],
    };
    let (app, hits) = handlers_behind(ScopeLayer::new(hs256_verifier(), BOTH));
    // Only the attribute's scope: the layer refuses.
    assert_denied(&app, &hits, "GET", "/read", &["app:read"], &["app:list"]).await;
    // Only the rule's scope: the attribute refuses.
    assert_denied(&app, &hits, "GET", "/read", &["app:list"], &["app:read"]).await;
    assert_granted(&app, &hits, "GET", "/read", &["app:list", "app:read"]).await;
}

#[tokio::test]
async fn policy_layer_admin_scope_passes_the_attribute() {
    let layer = ScopeLayer::new(hs256_verifier(), ANY_TOKEN).admin_scope("root");
    let (app, hits) = handlers_behind(layer);
    assert_ok(&send(&app, bearer("POST", "/run", &token_with_scopes(&["root"]))).await);
    assert_eq!(hits.count(), 1);
}

/// Asserts that the attribute on `method path` answers a 500 saying `says`, to no token
/// and to a valid token holding `scopes` alike: no layer verified the token, a bug of the
/// server, not of the client.
async fn assert_token_unverified(
    app: &Router,
    hits: &Hits,
    method: &str,
    path: &str,
    scopes: &[&str],
    says: &str,
) {
    let token = token_with_scopes(scopes);
    for reply in [
        send(app, request(method, path)).await,
        send(app, bearer(method, path, &token)).await,
    ] {
        assert_eq!(reply.status.as_u16(), 500, "{reply:?}");
        assert_eq!(reply.www_authenticate(), None);
        let detail = reply.json()["detail"].as_str().unwrap_or("").to_owned();
        assert!(detail.contains(says), "{detail}");
    }
    assert_eq!(hits.count(), 0);
}

#[tokio::test]
async fn attribute_without_any_layer_is_500_and_handler_not_reached() {
    let hits = Hits::default();
    let app = routes().with_state(hits.clone());
    // Even a valid token with every scope: nothing verified it.
    let scopes = ["app:run", "app:execute"];
    assert_token_unverified(&app, &hits, "POST", "/run", &scopes, "no ScopeLayer").await;
}

#[tokio::test]
async fn attribute_on_a_public_route_is_500_even_with_a_valid_token() {
    static PUBLIC: Policy = scopes! {
        "GET /read" => public,
    };
    let (app, hits) = handlers_behind(ScopeLayer::new(hs256_verifier(), PUBLIC));
    // On a public route the layer does not read the token.
    let says = "`public` in the policy";
    assert_token_unverified(&app, &hits, "GET", "/read", &["app:read"], says).await;
}

#[tokio::test]
async fn attribute_500_on_a_public_route_carries_no_challenge() {
    static PUBLIC: Policy = scopes! {
        "GET /read" => public,
    };
    let layer = ScopeLayer::new(hs256_verifier(), PUBLIC).realm("agents");
    let (app, hits) = handlers_behind(layer);
    let reply = send(&app, request("GET", "/read")).await;
    // No token the client could send would help: no challenge, even with a realm.
    assert_eq!(reply.status.as_u16(), 500);
    assert_eq!(reply.www_authenticate(), None);
    assert_eq!(hits.count(), 0);
}

fn json_post(path: &str, token: Option<&str>, body: &Value) -> Request<Body> {
    let mut builder = Request::builder()
        .method("POST")
        .uri(path)
        .header(CONTENT_TYPE, "application/json");
    if let Some(token) = token {
        builder = builder.header(http::header::AUTHORIZATION, format!("Bearer {token}"));
    }
    builder.body(Body::from(body.to_string())).expect("request")
}

#[tokio::test]
async fn attribute_works_with_state_path_and_json() {
    let (app, hits) = authenticate_only_app();
    let token = token_with_scopes(&["app:run"]);
    let reply = send(
        &app,
        json_post(
            "/agents/a%201/runs",
            Some(&token),
            &json!({ "message": "hi" }),
        ),
    )
    .await;
    assert_eq!(reply.status.as_u16(), 200, "{}", reply.text());
    assert_eq!(reply.json(), json!({ "agent": "a 1", "message": "hi" }));
    assert_eq!(hits.count(), 1);
}

#[tokio::test]
async fn attribute_refuses_before_the_body_is_read() {
    let (app, hits) = authenticate_only_app();
    let token = token_with_scopes(&["app:read"]);
    // The body is not even JSON: the guard (first argument) answers first.
    let mut request = json_post("/agents/a1/runs", Some(&token), &json!(null));
    *request.body_mut() = Body::from("{not json");
    let reply = send(&app, request).await;
    assert_insufficient(&reply, &["app:run"]);
    let reply = send(&app, json_post("/agents/a1/runs", None, &json!({}))).await;
    assert_missing_token(&reply);
    assert_eq!(hits.count(), 0);
}

#[tokio::test]
async fn attribute_with_policy_layer_and_extractors() {
    let (app, hits) = handlers_behind(ScopeLayer::new(hs256_verifier(), ANY_TOKEN));
    let reply = send(
        &app,
        json_post("/agents/a1/runs", Some(&token_without_scopes()), &json!({})),
    )
    .await;
    assert_insufficient(&reply, &["app:run"]);
    assert_eq!(hits.count(), 0);
    let token = token_with_scopes(&["app:run"]);
    let reply = send(
        &app,
        json_post("/agents/a1/runs", Some(&token), &json!({ "message": "go" })),
    )
    .await;
    assert_eq!(reply.json(), json!({ "agent": "a1", "message": "go" }));
    assert_eq!(hits.count(), 1);
}

#[tokio::test]
async fn attribute_composes_with_debug_handler() {
    let (app, hits) = authenticate_only_app();
    let reply = send(&app, bearer("GET", "/debug/7", &token_without_scopes())).await;
    assert_insufficient(&reply, &["app:debug"]);
    assert_eq!(hits.count(), 0);
    let debugger = token_with_scopes(&["app:debug"]);
    let reply = send(&app, bearer("GET", "/debug/7", &debugger)).await;
    assert_eq!(reply.text(), "debugged 7");
    assert_eq!(hits.count(), 1);
}
