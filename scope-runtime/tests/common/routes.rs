//! What a route needs, shown by whole exchanges: the requests it refuses, none of which
//! reaches the handler, and the one it lets through.

use axum::Router;

use super::app::Hits;
use super::replies::{assert_insufficient, assert_missing_token, assert_no_rule, assert_ok, send};
use super::requests::{bearer, request};
use super::tokens::{token_with_scopes, token_without_scopes};

/// Asserts that `method path` on `app` needs a token: without one it is 401 with a plain
/// `Bearer` challenge, and the handler is not reached.
pub(crate) async fn assert_token_required(app: &Router, hits: &Hits, method: &str, path: &str) {
    let before = hits.count();
    assert_missing_token(&send(app, request(method, path)).await);
    assert_eq!(hits.count(), before, "refused, yet the handler was reached");
}

/// Asserts that `method path` on `app` needs exactly the scopes `required`: without a
/// token it is 401, with a valid token holding none of them 403 naming them all, and
/// neither reaches the handler; with all of them the handler answers, once.
pub(crate) async fn assert_route_needs(
    app: &Router,
    hits: &Hits,
    method: &str,
    path: &str,
    required: &[&str],
) {
    assert_token_required(app, hits, method, path).await;
    let before = hits.count();
    let reply = send(app, bearer(method, path, &token_without_scopes())).await;
    assert_insufficient(&reply, required);
    assert_eq!(hits.count(), before, "refused, yet the handler was reached");
    assert_granted(app, hits, method, path, required).await;
}

/// Asserts that a token holding `held` is refused on `method path` with 403 naming every
/// scope of `required`, the handler not reached.
pub(crate) async fn assert_denied(
    app: &Router,
    hits: &Hits,
    method: &str,
    path: &str,
    held: &[&str],
    required: &[&str],
) {
    let before = hits.count();
    let reply = send(app, bearer(method, path, &token_with_scopes(held))).await;
    assert_insufficient(&reply, required);
    assert_eq!(hits.count(), before, "refused, yet the handler was reached");
}

/// Asserts that a token holding `scopes` reaches the handler of `method path` on `app`:
/// 200 `ok`, the handler entered once.
pub(crate) async fn assert_granted(
    app: &Router,
    hits: &Hits,
    method: &str,
    path: &str,
    scopes: &[&str],
) {
    let before = hits.count();
    assert_ok(&send(app, bearer(method, path, &token_with_scopes(scopes))).await);
    assert_eq!(hits.count(), before + 1, "granted: the handler once");
}

/// Asserts that no rule covers `method path` on `app` (and unmapped routes are denied):
/// without a token it is 401, with a valid token (holding `app:read`) 403 naming no
/// scope, and neither reaches the handler.
pub(crate) async fn assert_no_rule_covers(app: &Router, hits: &Hits, method: &str, path: &str) {
    assert_token_required(app, hits, method, path).await;
    let before = hits.count();
    let reader = token_with_scopes(&["app:read"]);
    assert_no_rule(&send(app, bearer(method, path, &reader)).await);
    assert_eq!(hits.count(), before, "refused, yet the handler was reached");
}
