//! A refusal as an HTTP response: status, challenge, `application/json` and the body
//! `{"detail": "..."}` (the body shape of Agno's `JWTMiddleware`).

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use http::HeaderValue;
use http::header::{CONTENT_TYPE, WWW_AUTHENTICATE};

use super::challenge;
use super::refusal::Detail;
use super::view::{BodyHook, RefusalBody, RefusalView};
use super::{AuthError, ChallengeParams, Misconfiguration};

impl AuthError {
    /// The full response: status, `WWW-Authenticate` (with `realm` when given),
    /// `content-type: application/json` and the body `{"detail": "..."}`.
    pub fn to_response(&self, realm: Option<&str>) -> Response {
        self.response_with(
            ChallengeParams {
                realm,
                resource_metadata: None,
            },
            None,
        )
    }

    /// The full response, with every param the layer adds to its challenges, and the
    /// body of the layer's hook when it has one (the default body otherwise).
    pub(crate) fn response_with(
        &self,
        params: ChallengeParams<'_>,
        hook: Option<&BodyHook>,
    ) -> Response {
        let refusal = self.refusal();
        let mut response = match hook {
            Some(hook) => {
                // Every alternative (the challenge carries only the first of an any-of).
                let (required, any_of) = match &refusal.detail {
                    Detail::Scopes { required, any_of } => (*required, *any_of),
                    _ => (&[][..], false),
                };
                let detail = match &refusal.detail {
                    Detail::Fixed { text, .. } => std::borrow::Cow::Borrowed(*text),
                    detail => std::borrow::Cow::Owned(detail.to_string()),
                };
                let view = RefusalView {
                    status: refusal.status,
                    error_code: self.error_code(),
                    detail,
                    required,
                    any_of,
                };
                hooked(hook, &view)
            }
            None => {
                let body = match &refusal.detail {
                    Detail::Fixed { body, .. } => Body::from(*body),
                    detail => Body::from(json_detail(&detail.to_string())),
                };
                let mut response = Response::new(body);
                response
                    .headers_mut()
                    .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
                response
            }
        };
        *response.status_mut() = refusal.status;
        response.headers_mut().insert(
            WWW_AUTHENTICATE,
            challenge::write(params, &refusal.challenge),
        );
        response
    }
}

impl Misconfiguration {
    /// The 500 answer: no challenge (the client can do nothing about it), the detail in
    /// the hook's body or the default `{"detail": "..."}`.
    pub(crate) fn response(&self, hook: Option<&BodyHook>) -> Response {
        let view = RefusalView {
            status: http::StatusCode::INTERNAL_SERVER_ERROR,
            error_code: None,
            detail: std::borrow::Cow::Borrowed(self.detail()),
            required: &[],
            any_of: false,
        };
        let mut response = match hook {
            Some(hook) => hooked(hook, &view),
            None => hooked_body(RefusalBody::detail_json(&view)),
        };
        *response.status_mut() = view.status;
        response
    }
}

/// A response holding the body `hook` writes for `view` (status and challenge are set
/// by the caller, after the hook has run).
fn hooked(hook: &BodyHook, view: &RefusalView<'_>) -> Response {
    hooked_body(hook(view))
}

fn hooked_body(body: RefusalBody) -> Response {
    let mut response = Response::new(Body::from(body.bytes));
    response
        .headers_mut()
        .insert(CONTENT_TYPE, body.content_type);
    response
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
