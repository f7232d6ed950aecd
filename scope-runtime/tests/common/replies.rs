//! Sending a request through the app, collecting the reply, and checking it: the
//! refusals' exact status, `WWW-Authenticate` challenge and JSON body, or the handler's
//! `ok`.

use axum::Router;
use axum::body::{Body, Bytes};
use http::header::{CONTENT_TYPE, WWW_AUTHENTICATE};
use http::{HeaderMap, HeaderValue, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

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
    assert_missing_token_challenge(reply, "Bearer");
}

/// Asserts the 401 of a request without a token whose challenge is exactly `challenge`
/// (`Bearer realm="..."` from a layer with a realm).
#[track_caller]
pub(crate) fn assert_missing_token_challenge(reply: &Reply, challenge: &str) {
    assert_refused(reply, 401, challenge, "Authorization header missing");
}

/// Asserts a 403 `insufficient_scope` for all of `scopes` (no realm).
#[track_caller]
pub(crate) fn assert_insufficient(reply: &Reply, scopes: &[&str]) {
    let challenge = format!(
        r#"Bearer error="insufficient_scope", scope="{}""#,
        scopes.join(" ")
    );
    assert_insufficient_challenge(reply, &challenge, scopes);
}

/// Asserts a 403 for all of `scopes` whose challenge is exactly `challenge` (with the
/// realm of a layer that has one).
#[track_caller]
pub(crate) fn assert_insufficient_challenge(reply: &Reply, challenge: &str, scopes: &[&str]) {
    let detail = format!(
        "Insufficient permissions. Required scope(s): {}",
        scopes.join(", ")
    );
    assert_refused(reply, 403, challenge, &detail);
}

/// Asserts the 403 of a route no rule covers, with a valid token (no realm): the
/// challenge names no scope, since no scope would help.
#[track_caller]
pub(crate) fn assert_no_rule(reply: &Reply) {
    assert_refused(
        reply,
        403,
        r#"Bearer error="insufficient_scope""#,
        "Insufficient permissions. No rule grants access to this route",
    );
}

/// Asserts a 200 whose body is `ok` (the [`super::counted`] handler answered).
#[track_caller]
pub(crate) fn assert_ok(reply: &Reply) {
    assert_eq!(reply.status, StatusCode::OK, "body: {}", reply.text());
    assert_eq!(reply.text(), "ok");
}
