//! Pieces both examples share: the JSON error body, extractors whose rejections are
//! that body too, and the handlers both serve the same way (`/health`, `/me`, the 404
//! fallback).
//!
//! Every error a client can cause is answered `{"detail": "..."}`, the body shape of
//! the layer's own refusals (and of Agno/FastAPI), never axum's plain-text rejections
//! and never a 500.

use axum::Json;
use axum::extract::multipart::{MultipartError, MultipartRejection};
use axum::extract::rejection::{FormRejection, JsonRejection, PathRejection};
use axum::extract::{FromRequest, FromRequestParts, Multipart, Request};
use axum::http::{HeaderMap, StatusCode, header::CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use scope_runtime::VerifiedClaims;
use serde_json::{Value, json};

/// A client error, answered as `status` with the JSON body `{"detail": detail}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    status: StatusCode,
    detail: String,
}

impl ApiError {
    /// An error answered with `status` and `detail`.
    pub(crate) fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self {
            status,
            detail: detail.into(),
        }
    }

    /// 404 with `detail`.
    pub(crate) fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, detail)
    }

    /// 422 with `detail` (a well-formed request whose content is not acceptable).
    pub(crate) fn unprocessable(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, detail)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({ "detail": self.detail });
        (self.status, Json(body)).into_response()
    }
}

/// axum's rejections keep their status and text; only the body shape changes.
macro_rules! from_rejection {
    ($($rejection:ty),* $(,)?) => {$(
        impl From<$rejection> for ApiError {
            fn from(rejection: $rejection) -> Self {
                Self::new(rejection.status(), rejection.body_text())
            }
        }
    )*};
}

from_rejection!(
    JsonRejection,
    PathRejection,
    FormRejection,
    MultipartRejection
);

impl From<MultipartError> for ApiError {
    /// A body that cannot be read as multipart is the client's fault: axum answers some
    /// stream failures 500, this answers them 400.
    fn from(error: MultipartError) -> Self {
        let status = match error.status() {
            status if status.is_server_error() => StatusCode::BAD_REQUEST,
            status => status,
        };
        Self::new(status, error.body_text())
    }
}

/// `axum::Json` whose rejections are [`ApiError`]s.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub(crate) struct ApiJson<T>(pub(crate) T);

/// `axum::extract::Path` whose rejections are [`ApiError`]s.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub(crate) struct ApiPath<T>(pub(crate) T);

/// The form field a run needs.
const MESSAGE_FIELD: &str = "message";

/// The `message` field of a run request, read from a `multipart/form-data` body (what
/// `curl -F "message=..."` sends, as in the seed) or an
/// `application/x-www-form-urlencoded` one (`curl -d "message=..."`).
///
/// Other fields are ignored. Refusals, all JSON: 415 for another content type; 400 (or
/// 413) for a body that is not valid multipart/urlencoded; 422 when `message` is
/// missing, given twice, or blank. A request without a body or content type counts as
/// an empty form (422, `message` missing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RunMessage(pub(crate) String);

/// The body encodings [`RunMessage`] accepts.
enum FormEncoding {
    Multipart,
    UrlEncoded,
}

impl FormEncoding {
    /// The encoding named by the `Content-Type` header; `Ok(None)` when there is none.
    fn of(headers: &HeaderMap) -> Result<Option<Self>, ApiError> {
        let Some(value) = headers.get(CONTENT_TYPE) else {
            return Ok(None);
        };
        let essence = value
            .to_str()
            .ok()
            .and_then(|v| v.split(';').next())
            .map(str::trim)
            .unwrap_or_default();
        if essence.eq_ignore_ascii_case("multipart/form-data") {
            Ok(Some(Self::Multipart))
        } else if essence.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
            Ok(Some(Self::UrlEncoded))
        } else {
            Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Expected a `multipart/form-data` or `application/x-www-form-urlencoded` body",
            ))
        }
    }
}

impl<S: Send + Sync> FromRequest<S> for RunMessage {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let messages = match FormEncoding::of(req.headers())? {
            None => Vec::new(),
            Some(FormEncoding::Multipart) => {
                let mut multipart = Multipart::from_request(req, state).await?;
                let mut messages = Vec::new();
                while let Some(field) = multipart.next_field().await? {
                    if field.name() == Some(MESSAGE_FIELD) {
                        messages.push(field.text().await?);
                    }
                }
                messages
            }
            Some(FormEncoding::UrlEncoded) => {
                let axum::Form(pairs) =
                    axum::Form::<Vec<(String, String)>>::from_request(req, state).await?;
                pairs
                    .into_iter()
                    .filter(|(name, _)| name == MESSAGE_FIELD)
                    .map(|(_, value)| value)
                    .collect()
            }
        };
        let mut messages = messages.into_iter();
        match (messages.next(), messages.next()) {
            (None, _) => Err(ApiError::unprocessable("Missing form field `message`")),
            (Some(_), Some(_)) => Err(ApiError::unprocessable(
                "Form field `message` given more than once",
            )),
            (Some(message), None) if message.trim().is_empty() => Err(ApiError::unprocessable(
                "Form field `message` must not be empty",
            )),
            (Some(message), None) => Ok(RunMessage(message)),
        }
    }
}

/// `GET /health`: public, so that a probe needs no token.
pub(crate) async fn health() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// `GET /me`: who the caller is, as the verified token says. Any valid token will do,
/// so the layer's authentication is the only check.
pub(crate) async fn me(claims: VerifiedClaims) -> Json<Value> {
    Json(json!({ "sub": claims.subject(), "scopes": claims.scopes() }))
}

/// The fallback: `{"detail": "Not Found"}`, in the body shape of every other refusal.
pub(crate) async fn not_found() -> ApiError {
    ApiError::not_found("Not Found")
}
