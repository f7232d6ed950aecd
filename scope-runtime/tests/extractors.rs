//! The extractors behind the layer: `VerifiedClaims`, `Option<VerifiedClaims>` and
//! `Claims<T>`.

mod common;

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use common::*;
use scope_runtime::{Claims, Policy, ScopeLayer, VerifiedClaims, scopes};
use serde::Deserialize;
use serde_json::{Value, json};

static POLICY: Policy = scopes! {
    "GET /whoami"   => ["app:read"],
    "GET /typed"    => [],
    "GET /optional" => [],
    "GET /public"   => public,
    "GET /public-claims" => public,
    "GET /personal" => optional,
    "GET /personal-claims" => optional,
};

async fn whoami(State(hits): State<Hits>, claims: VerifiedClaims) -> Json<Value> {
    hits.hit();
    Json(json!({
        "sub": claims.subject(),
        "scopes": claims.scopes(),
        "has_read": claims.has_scope("app:read"),
        "has_write": claims.has_scope("app:write"),
        "org": claims.get("org"),
        "claims": claims.claims(),
    }))
}

#[derive(Debug, Deserialize)]
struct MyClaims {
    sub: String,
    tenant: String,
    level: u32,
    #[serde(default)]
    scopes: Vec<String>,
}

async fn typed(State(hits): State<Hits>, Claims(claims): Claims<MyClaims>) -> Json<Value> {
    hits.hit();
    Json(json!({
        "sub": claims.sub,
        "tenant": claims.tenant,
        "level": claims.level,
        "scopes": claims.scopes,
    }))
}

async fn optional(State(hits): State<Hits>, claims: Option<VerifiedClaims>) -> Json<Value> {
    hits.hit();
    Json(json!({ "sub": claims.as_ref().map(|c| c.subject()) }))
}

fn extractor_app(layer: ScopeLayer) -> (Router, Hits) {
    let hits = Hits::default();
    let app = Router::new()
        .route("/whoami", get(whoami))
        .route("/typed", get(typed))
        .route("/optional", get(optional))
        .route("/public", get(optional))
        .route("/public-claims", get(whoami))
        .route("/personal", get(optional))
        .route("/personal-claims", get(whoami))
        .with_state(hits.clone())
        .layer(layer);
    (app, hits)
}

fn default_app() -> (Router, Hits) {
    extractor_app(ScopeLayer::new(hs256_verifier(), POLICY))
}

#[tokio::test]
async fn verified_claims_expose_sub_scopes_and_all_claims() {
    let (app, hits) = default_app();
    let claims = claims(json!({ "sub": "alice", "scope": "app:read app:run", "org": "acme" }));
    let token = sign(
        scope_runtime::Algorithm::HS256,
        &jsonwebtoken::EncodingKey::from_secret(SECRET),
        &claims,
    );
    let reply = send(&app, bearer("GET", "/whoami", &token)).await;
    assert_eq!(reply.status.as_u16(), 200, "{}", reply.text());
    assert_eq!(
        reply.json(),
        json!({
            "sub": "alice",
            "scopes": ["app:read", "app:run"],
            "has_read": true,
            "has_write": false,
            "org": "acme",
            "claims": claims,
        })
    );
    assert_eq!(hits.count(), 1);
}

#[tokio::test]
async fn verified_claims_without_sub_is_none() {
    let (app, _hits) = default_app();
    let token = sign(
        scope_runtime::Algorithm::HS256,
        &jsonwebtoken::EncodingKey::from_secret(SECRET),
        &json!({ "exp": now() + 60, "scopes": ["app:read"] }),
    );
    let reply = send(&app, bearer("GET", "/whoami", &token)).await;
    assert_eq!(reply.json()["sub"], Value::Null);
}

#[tokio::test]
async fn typed_claims_deserialize_into_a_custom_type() {
    let (app, hits) = default_app();
    let token = token(json!({
        "sub": "bob", "tenant": "acme", "level": 3, "scopes": ["app:read"], "extra": [1, 2]
    }));
    let reply = send(&app, bearer("GET", "/typed", &token)).await;
    assert_eq!(reply.status.as_u16(), 200, "{}", reply.text());
    assert_eq!(
        reply.json(),
        json!({ "sub": "bob", "tenant": "acme", "level": 3, "scopes": ["app:read"] })
    );
    assert_eq!(hits.count(), 1);
}

#[tokio::test]
async fn typed_claims_that_do_not_fit_are_401_invalid_token() {
    let (app, hits) = default_app();
    for extra in [
        json!({ "level": 3 }),
        json!({ "tenant": "acme" }),
        json!({ "tenant": "acme", "level": "three" }),
        json!({ "tenant": "acme", "level": -1 }),
        json!({ "tenant": ["acme"], "level": 1 }),
    ] {
        let reply = send(&app, bearer("GET", "/typed", &token(extra.clone()))).await;
        assert_invalid_token(&reply, "claims do not have the expected shape");
    }
    assert_eq!(hits.count(), 0);
}

#[tokio::test]
async fn typed_claims_refusal_carries_the_realm() {
    let (app, hits) = extractor_app(ScopeLayer::new(hs256_verifier(), POLICY).realm("api"));
    let reply = send(&app, bearer("GET", "/typed", &token(json!({})))).await;
    assert_refused(
        &reply,
        401,
        r#"Bearer realm="api", error="invalid_token", error_description="claims do not have the expected shape""#,
        "Invalid token: claims do not have the expected shape",
    );
    assert_eq!(hits.count(), 0);
}

#[tokio::test]
async fn optional_claims_on_a_public_route_are_none() {
    let (app, hits) = default_app();
    let reply = send(&app, request("GET", "/public")).await;
    assert_eq!(reply.status.as_u16(), 200);
    assert_eq!(reply.json(), json!({ "sub": null }));
    // A valid token is not looked at on a public route either.
    let reply = send(&app, bearer("GET", "/public", &token_without_scopes())).await;
    assert_eq!(reply.json(), json!({ "sub": null }));
    assert_eq!(hits.count(), 2);
}

// `optional`: the three cases a route that personalises needs.
#[tokio::test]
async fn an_optional_route_serves_no_token_without_claims() {
    let (app, hits) = default_app();
    let reply = send(&app, request("GET", "/personal")).await;
    assert_eq!(reply.status.as_u16(), 200, "{}", reply.text());
    assert_eq!(reply.json(), json!({ "sub": null }));
    // A scheme that is not `Bearer` (a proxy's `Basic`) carries no bearer token either.
    let basic = with_authorization("GET", "/personal", b"Basic dXNlcjpwYXNz");
    let reply = send(&app, basic).await;
    assert_eq!(reply.status.as_u16(), 200, "{}", reply.text());
    assert_eq!(reply.json(), json!({ "sub": null }));
    assert_eq!(hits.count(), 2);
}

#[tokio::test]
async fn an_optional_route_gives_a_valid_token_its_claims() {
    let (app, hits) = default_app();
    let reply = send(&app, bearer("GET", "/personal", &token_without_scopes())).await;
    assert_eq!(reply.status.as_u16(), 200, "{}", reply.text());
    assert_eq!(reply.json(), json!({ "sub": "user-1" }));
    // `VerifiedClaims` (not optional) works there too when the token is given.
    let reply = send(
        &app,
        bearer("GET", "/personal-claims", &token_with_scopes(&["x"])),
    )
    .await;
    assert_eq!(reply.status.as_u16(), 200, "{}", reply.text());
    assert_eq!(reply.json()["scopes"], json!(["x"]));
    assert_eq!(hits.count(), 2);
}

#[tokio::test]
async fn an_optional_route_refuses_an_invalid_token() {
    let (app, hits) = default_app();
    let reply = send(&app, bearer("GET", "/personal", &forged_token(json!({})))).await;
    assert_invalid_token(&reply, "signature does not match");
    let expired = token(json!({ "exp": now() - 3600 }));
    let reply = send(&app, bearer("GET", "/personal", &expired)).await;
    assert_eq!(reply.status.as_u16(), 401, "{}", reply.text());
    let reply = send(&app, with_authorization("GET", "/personal", b"Bearer ")).await;
    assert_eq!(reply.status.as_u16(), 400, "{}", reply.text());
    assert_eq!(hits.count(), 0);
}

#[tokio::test]
async fn required_claims_on_an_optional_route_without_a_token_are_a_500() {
    let (app, hits) = default_app();
    let reply = send(&app, request("GET", "/personal-claims")).await;
    assert_eq!(reply.status.as_u16(), 500);
    assert_eq!(reply.www_authenticate(), None);
    assert!(
        reply.json()["detail"]
            .as_str()
            .unwrap()
            .contains("`optional` in the policy and the request carried no token"),
        "{}",
        reply.text()
    );
    assert_eq!(hits.count(), 0);
}

#[tokio::test]
async fn optional_claims_behind_a_token_rule_are_some() {
    let (app, hits) = default_app();
    let reply = send(&app, bearer("GET", "/optional", &token_without_scopes())).await;
    assert_eq!(reply.json(), json!({ "sub": "user-1" }));
    assert_eq!(hits.count(), 1);
}

#[tokio::test]
async fn required_claims_on_a_public_route_are_a_500() {
    let (app, hits) = default_app();
    let reply = send(
        &app,
        bearer("GET", "/public-claims", &token_without_scopes()),
    )
    .await;
    assert_eq!(reply.status.as_u16(), 500);
    assert_eq!(reply.www_authenticate(), None);
    assert!(
        reply.json()["detail"]
            .as_str()
            .unwrap()
            .contains("`public` in the policy")
    );
    assert_eq!(hits.count(), 0);
}

#[tokio::test]
async fn verified_claims_without_a_layer_are_a_500() {
    let hits = Hits::default();
    let app = Router::new()
        .route("/whoami", get(whoami))
        .route("/typed", get(typed))
        .with_state(hits.clone());
    let token = token(json!({ "tenant": "acme", "level": 1, "scopes": ["app:read"] }));
    for path in ["/whoami", "/typed"] {
        let reply = send(&app, bearer("GET", path, &token)).await;
        assert_eq!(reply.status.as_u16(), 500);
        assert!(
            reply.json()["detail"]
                .as_str()
                .unwrap()
                .contains("no ScopeLayer")
        );
    }
    assert_eq!(hits.count(), 0);
}

#[tokio::test]
async fn authenticate_only_provides_claims() {
    let (app, hits) = extractor_app(ScopeLayer::authenticate_only(hs256_verifier()));
    let token = token(json!({ "sub": "carol", "tenant": "t", "level": 0 }));
    let reply = send(&app, bearer("GET", "/typed", &token)).await;
    assert_eq!(reply.json()["sub"], "carol");
    assert_eq!(hits.count(), 1);
}
