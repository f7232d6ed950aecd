//! The refusal-body hook: what it sees of a refusal ([`RefusalView`]) and what it
//! returns ([`RefusalBody`]), and the ready-made RFC 9457 body.

use std::borrow::Cow;
use std::sync::Arc;

use axum::body::Bytes;
use http::{HeaderValue, StatusCode};

/// The hook [`ScopeLayer::refusal_body`](crate::ScopeLayer::refusal_body) installs.
pub(crate) type BodyHook = Arc<dyn Fn(&RefusalView<'_>) -> RefusalBody + Send + Sync>;

/// A read-only view of one refusal, handed to the layer's refusal-body hook.
///
/// It holds what the body may say; the status, the `WWW-Authenticate` challenge and the
/// other headers are written by the layer and cannot be changed by the hook.
#[derive(Debug, Clone)]
pub struct RefusalView<'a> {
    pub(crate) status: StatusCode,
    pub(crate) error_code: Option<&'static str>,
    pub(crate) detail: Cow<'a, str>,
    pub(crate) required: &'a [String],
    pub(crate) any_of: bool,
}

impl RefusalView<'_> {
    /// The status of the response (400, 401, 403, or 500 for a server misconfiguration).
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The RFC 6750 error code (`invalid_request`, `invalid_token`,
    /// `insufficient_scope`), `None` for a bare challenge (no token, another scheme) and
    /// for a server misconfiguration.
    pub fn error_code(&self) -> Option<&'static str> {
        self.error_code
    }

    /// The human-readable text, the same as the default body's `detail`.
    pub fn detail(&self) -> &str {
        &self.detail
    }

    /// For a 403, the scopes the route requires (empty when no rule grants access);
    /// empty otherwise.
    pub fn required_scopes(&self) -> &[String] {
        self.required
    }

    /// For a 403, whether any one of [`required_scopes`](Self::required_scopes) would
    /// do (`any[...]`) rather than all of them.
    pub fn any_of(&self) -> bool {
        self.any_of
    }
}

/// The body of a refusal and its `content-type`, as a refusal-body hook returns it.
///
/// ```
/// use http::HeaderValue;
/// use scope_runtime::{RefusalBody, RefusalView};
///
/// fn plain(view: &RefusalView<'_>) -> RefusalBody {
///     RefusalBody::new(
///         HeaderValue::from_static("text/plain; charset=utf-8"),
///         view.detail().to_owned(),
///     )
/// }
/// # let _ = plain;
/// ```
#[derive(Debug, Clone)]
pub struct RefusalBody {
    pub(crate) content_type: HeaderValue,
    pub(crate) bytes: Bytes,
}

impl RefusalBody {
    /// A body of `bytes` sent as `content_type`.
    pub fn new(content_type: HeaderValue, bytes: impl Into<Bytes>) -> RefusalBody {
        RefusalBody {
            content_type,
            bytes: bytes.into(),
        }
    }

    /// The default body, `application/json` `{"detail": "..."}` (Agno's shape).
    pub fn detail_json(view: &RefusalView<'_>) -> RefusalBody {
        RefusalBody::new(
            HeaderValue::from_static("application/json"),
            super::response::json_detail(view.detail()),
        )
    }

    /// An RFC 9457 problem details body, `application/problem+json`: `type`
    /// (`about:blank`), `title` (the status's reason phrase), `status`, `detail`, and
    /// the extension members `error` (the RFC 6750 error code, when there is one),
    /// `required_scopes` and `any_of` (for a 403 that names scopes). Pass it to
    /// [`ScopeLayer::refusal_body`](crate::ScopeLayer::refusal_body).
    ///
    /// ```
    /// # use scope_runtime::{JwtVerifier, RefusalBody, ScopeLayer, VerificationKey};
    /// # let verifier = JwtVerifier::builder()
    /// #     .key(VerificationKey::hs256(b"your-secret-key-at-least-256-bits-long"))
    /// #     .build()?;
    /// let layer = ScopeLayer::authenticate_only(verifier).refusal_body(RefusalBody::problem_json);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn problem_json(view: &RefusalView<'_>) -> RefusalBody {
        #[derive(serde::Serialize)]
        struct Problem<'a> {
            #[serde(rename = "type")]
            kind: &'static str,
            title: &'static str,
            status: u16,
            detail: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            error: Option<&'static str>,
            #[serde(skip_serializing_if = "<[String]>::is_empty")]
            required_scopes: &'a [String],
            #[serde(skip_serializing_if = "Option::is_none")]
            any_of: Option<bool>,
        }
        let problem = Problem {
            kind: "about:blank",
            title: view.status.canonical_reason().unwrap_or(""),
            status: view.status.as_u16(),
            detail: view.detail(),
            error: view.error_code,
            required_scopes: view.required,
            any_of: (!view.required.is_empty()).then_some(view.any_of),
        };
        RefusalBody::new(
            HeaderValue::from_static("application/problem+json"),
            serde_json::to_vec(&problem).unwrap_or_default(),
        )
    }
}
