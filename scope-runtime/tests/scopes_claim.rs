//! The shapes of the scopes claim, through the layer: `scopes` / `scope` / `scp`,
//! arrays and space-delimited strings, precedence, wrong types, empty items, and scopes
//! that only look alike.

mod common;

use axum::Router;
use common::*;
use scope_runtime::{Policy, ScopeLayer, scopes};
use serde_json::{Value, json};

static POLICY: Policy = scopes! {
    "GET /read"   => ["app:read"],
    "GET /reader" => ["app:reader"],
    "GET /me"     => [],
};

fn claim_app() -> (Router, Hits) {
    app(
        &["/read", "/reader", "/me"],
        ScopeLayer::new(hs256_verifier(), POLICY),
    )
}

/// `GET path` with a token carrying the claims `extra`: the reply and the handler entries.
async fn get_with_claims(path: &str, extra: Value) -> (Reply, usize) {
    let (app, hits) = claim_app();
    let reply = send(&app, bearer("GET", path, &token(extra))).await;
    (reply, hits.count())
}

/// Asserts that a token with the claims `extra` may read `/read`.
async fn assert_grants_read(extra: Value) {
    let (reply, hits) = get_with_claims("/read", extra.clone()).await;
    assert_ok(&reply);
    assert_eq!(hits, 1, "{extra}");
}

/// Asserts that a token with the claims `extra` may not read `/read` (403, handler not
/// reached), while still being a valid token (`/me` passes).
async fn assert_denies_read(extra: Value) {
    let (reply, hits) = get_with_claims("/read", extra.clone()).await;
    assert_insufficient(&reply, &["app:read"]);
    assert_eq!(hits, 0, "{extra}");
    let (reply, hits) = get_with_claims("/me", extra.clone()).await;
    assert_ok(&reply);
    assert_eq!(hits, 1, "{extra}: the token itself must be valid");
}

/// One test for each claim name in each shape: `name: claims,`, where a token carrying
/// `claims` must grant `app:read`.
macro_rules! grants_read {
    ($($name:ident: $claims:tt,)*) => {$(
        #[tokio::test]
        async fn $name() {
            assert_grants_read(json!($claims)).await;
        }
    )*};
}

grants_read! {
    scopes_claim_as_array_grants: { "scopes": ["app:write", "app:read"] },
    scopes_claim_as_space_delimited_string_grants: { "scopes": "app:write app:read" },
    scope_claim_as_space_delimited_string_grants: { "scope": "app:write app:read" },
    scope_claim_as_array_grants: { "scope": ["app:read"] },
    scp_claim_as_array_grants: { "scp": ["app:read", "app:write"] },
    scp_claim_as_string_grants: { "scp": "app:read" },
}

#[tokio::test]
async fn scopes_wins_over_scope_and_they_are_not_merged() {
    assert_denies_read(json!({ "scopes": ["app:write"], "scope": "app:read" })).await;
    assert_grants_read(json!({ "scopes": ["app:read"], "scope": "app:write" })).await;
}

#[tokio::test]
async fn scope_wins_over_scp() {
    assert_denies_read(json!({ "scope": "app:write", "scp": ["app:read"] })).await;
    assert_grants_read(json!({ "scope": "app:read", "scp": ["app:write"] })).await;
}

#[tokio::test]
async fn empty_scopes_claim_does_not_fall_back() {
    assert_denies_read(json!({ "scopes": [], "scope": "app:read" })).await;
    assert_denies_read(json!({ "scopes": "", "scp": ["app:read"] })).await;
}

#[tokio::test]
async fn scopes_claim_of_wrong_type_grants_nothing() {
    for value in [
        json!(1),
        json!(1.5),
        json!(true),
        json!({ "app:read": true }),
        json!(["app:read", 1]),
        json!(["app:read", null]),
        json!(["app:read", ["app:read"]]),
        json!([{ "scope": "app:read" }]),
    ] {
        assert_denies_read(json!({ "scopes": value })).await;
    }
}

#[tokio::test]
async fn wrong_type_in_scopes_does_not_fall_back_to_scope() {
    assert_denies_read(json!({ "scopes": 5, "scope": "app:read" })).await;
    assert_denies_read(json!({ "scopes": null, "scope": "app:read" })).await;
    assert_denies_read(json!({ "scopes": ["app:read", 7], "scp": ["app:read"] })).await;
}

#[tokio::test]
async fn scope_and_scp_of_wrong_type_grant_nothing() {
    assert_denies_read(json!({ "scope": 42 })).await;
    assert_denies_read(json!({ "scp": { "app:read": 1 } })).await;
    assert_denies_read(json!({ "scp": ["app:read", false] })).await;
}

#[tokio::test]
async fn empty_items_are_dropped() {
    assert_grants_read(json!({ "scope": "  app:read  " })).await;
    assert_grants_read(json!({ "scopes": "app:write   app:read" })).await;
    assert_grants_read(json!({ "scopes": ["", "app:read", ""] })).await;
}

#[tokio::test]
async fn only_blank_items_means_no_scopes_but_a_valid_token() {
    assert_denies_read(json!({ "scope": "    " })).await;
    assert_denies_read(json!({ "scopes": ["", ""] })).await;
}

#[tokio::test]
async fn look_alike_scopes_do_not_grant() {
    for held in [
        "app:reader",
        "app:rea",
        "APP:READ",
        "App:Read",
        "app:read ",
        " app:read",
        "app:read\t",
        "app:read,app:write",
        "app",
        "read",
        "app:*",
        "*",
    ] {
        assert_denies_read(json!({ "scopes": [held] })).await;
    }
}

#[tokio::test]
async fn tab_is_not_a_scope_delimiter() {
    assert_denies_read(json!({ "scope": "app:write\tapp:read" })).await;
}

#[tokio::test]
async fn a_prefix_of_the_required_scope_does_not_grant_it() {
    let (reply, hits) = get_with_claims("/reader", json!({ "scopes": ["app:read"] })).await;
    assert_insufficient(&reply, &["app:reader"]);
    assert_eq!(hits, 0);
    let (reply, hits) = get_with_claims("/reader", json!({ "scopes": ["app:reader"] })).await;
    assert_ok(&reply);
    assert_eq!(hits, 1);
}

#[tokio::test]
async fn configured_scopes_claim_is_the_only_one_read() {
    let verifier = hs256_builder()
        .scopes_claim("permissions")
        .build()
        .expect("verifier");
    let (app, hits) = app(&["/read"], ScopeLayer::new(verifier, POLICY));
    let granted = token(json!({ "permissions": ["app:read"] }));
    assert_ok(&send(&app, bearer("GET", "/read", &granted)).await);
    assert_eq!(hits.count(), 1);
    let default_claim = token(json!({ "scopes": ["app:read"], "scope": "app:read" }));
    assert_insufficient(
        &send(&app, bearer("GET", "/read", &default_claim)).await,
        &["app:read"],
    );
    assert_eq!(hits.count(), 1);
}
