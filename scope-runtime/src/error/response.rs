//! A refusal as an HTTP response: status, challenge, `application/json` and the body
//! `{"detail": "..."}` (the body shape of Agno's `JWTMiddleware`).

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use http::HeaderValue;
use http::header::{CONTENT_TYPE, WWW_AUTHENTICATE};

use super::challenge;
use super::refusal::Detail;
use super::{AuthError, ChallengeParams};

impl AuthError {
    /// The full response: status, `WWW-Authenticate` (with `realm` when given),
    /// `content-type: application/json` and the body `{"detail": "..."}`.
    pub fn to_response(&self, realm: Option<&str>) -> Response {
        self.response_with(ChallengeParams {
            realm,
            resource_metadata: None,
        })
    }

    /// The full response, with every param the layer adds to its challenges.
    pub(crate) fn response_with(&self, params: ChallengeParams<'_>) -> Response {
        let refusal = self.refusal();
        let body = match &refusal.detail {
            Detail::Fixed { body, .. } => Body::from(*body),
            detail => Body::from(json_detail(&detail.to_string())),
        };
        let mut response = Response::new(body);
        *response.status_mut() = refusal.status;
        let headers = response.headers_mut();
        headers.insert(
            WWW_AUTHENTICATE,
            challenge::write(params, &refusal.challenge),
        );
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        response
    }
}

impl IntoResponse for AuthError {
    /// Same as [`AuthError::to_response`] without a realm.
    fn into_response(self) -> Response {
        self.to_response(None)
    }
}

/// `{"detail": detail}` as JSON bytes.
pub(super) fn json_detail(detail: &str) -> Vec<u8> {
    #[derive(serde::Serialize)]
    struct Detail<'a> {
        detail: &'a str,
    }
    serde_json::to_vec(&Detail { detail }).unwrap_or_default()
}
