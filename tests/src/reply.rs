//! What a test looks at in a response, and the assertions on it: a refusal of the layer
//! checked exactly, a pass, an answer of the application.

use std::convert::Infallible;

use axum::body::{Body, Bytes};
use axum::response::Response;
use http::header::{CONTENT_TYPE, WWW_AUTHENTICATE};
use http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::{Service, ServiceExt};

use crate::refusal::Refusal;

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    /// The status code.
    pub status: StatusCode,
    /// Every response header.
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
}

/// Sends one request in-process through a clone of `app` (a clone of a `Router` shares
/// its state) and reads the whole response.
pub async fn send<S>(app: &S, request: Request<Body>) -> Reply
where
    S: Service<Request<Body>, Response = Response, Error = Infallible> + Clone,
{
    let Ok(response) = app.clone().oneshot(request).await;
    Reply::read(response).await
}

impl Reply {
    /// Reads the whole of `response`.
    pub async fn read(response: Response) -> Reply {
        let (parts, body) = response.into_parts();
        let body = body.collect().await.expect("body").to_bytes();
        Reply {
            status: parts.status,
            headers: parts.headers,
            body,
        }
    }

    /// The value of the header `name`, when there is one (ASCII).
    pub fn header(&self, name: impl http::header::AsHeaderName) -> Option<&str> {
        self.headers
            .get(name)
            .map(|v| v.to_str().expect("an ASCII header value"))
    }

    /// The `WWW-Authenticate` value, when there is one.
    pub fn challenge(&self) -> Option<&str> {
        self.header(WWW_AUTHENTICATE)
    }

    /// The body as JSON (panics when it is not).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|_| panic!("not JSON: {:?} ({self:?})", self.body))
    }

    #[track_caller]
    fn assert_json_content_type(&self) {
        assert_eq!(
            self.header(CONTENT_TYPE),
            Some("application/json"),
            "{self:?}"
        );
    }

    /// Exactly `expected`: the status, the whole challenge, a JSON content type and
    /// `{"detail": ...}` (a HEAD answer has no body to compare).
    #[track_caller]
    pub fn refused(&self, expected: &Refusal) {
        assert_eq!(self.status.as_u16(), expected.status, "{self:?}");
        assert_eq!(
            self.challenge(),
            Some(expected.challenge.as_str()),
            "{self:?}"
        );
        self.assert_json_content_type();
        if !self.body.is_empty() {
            assert_eq!(
                self.json(),
                json!({ "detail": expected.detail }),
                "{self:?}"
            );
        }
    }

    /// [`Refusal::missing`]: no token at all.
    #[track_caller]
    pub fn missing(&self) {
        self.refused(&Refusal::missing());
    }

    /// [`Refusal::not_bearer`]: credentials of another scheme.
    #[track_caller]
    pub fn not_bearer(&self) {
        self.refused(&Refusal::not_bearer());
    }

    /// [`Refusal::invalid_request`] described as `description`.
    #[track_caller]
    pub fn invalid_request(&self, description: &str) {
        self.refused(&Refusal::invalid_request(description));
    }

    /// [`Refusal::bad_path`]: a request-path spelling of `class`.
    #[track_caller]
    pub fn bad_path(&self, class: scope_runtime::PathClass) {
        self.refused(&Refusal::bad_path(class));
    }

    /// [`Refusal::invalid_token`] described as `description`.
    #[track_caller]
    pub fn invalid_token(&self, description: &str) {
        self.refused(&Refusal::invalid_token(description));
    }

    /// [`Refusal::expired`].
    #[track_caller]
    pub fn expired(&self) {
        self.refused(&Refusal::expired());
    }

    /// [`Refusal::forbidden`]: `scopes` (all required) are missing.
    #[track_caller]
    pub fn forbidden(&self, scopes: &[&str]) {
        self.refused(&Refusal::forbidden(scopes));
    }

    /// [`Refusal::forbidden_any`]: one of `scopes` is needed, and none is held.
    #[track_caller]
    pub fn forbidden_any(&self, scopes: &[&str]) {
        self.refused(&Refusal::forbidden_any(scopes));
    }

    /// [`Refusal::unmapped`]: no rule maps the route.
    #[track_caller]
    pub fn unmapped(&self) {
        self.refused(&Refusal::unmapped());
    }

    /// Passed the layer: no challenge, and the status is `status` (whatever the
    /// application then answered).
    #[track_caller]
    pub fn passed(&self, status: u16) {
        assert_eq!(self.status.as_u16(), status, "{self:?}");
        assert_eq!(self.challenge(), None, "{self:?}");
    }

    /// Passed and answered 200 with a JSON body; returns the body.
    #[track_caller]
    pub fn ok(&self) -> Value {
        self.passed(200);
        self.assert_json_content_type();
        self.json()
    }

    /// A client error of the application, not of the layer: `status`, no challenge, a
    /// JSON body `{"detail": "<some text>"}`; returns the text.
    #[track_caller]
    pub fn client_error(&self, status: StatusCode) -> String {
        self.passed(status.as_u16());
        self.assert_json_content_type();
        let body = self.json();
        let detail = body
            .as_object()
            .filter(|o| o.len() == 1)
            .and_then(|o| o["detail"].as_str());
        detail
            .unwrap_or_else(|| panic!("not a {{\"detail\": \"...\"}} body: {self:?}"))
            .to_owned()
    }
}
