//! Authentication and authorization failures, and their RFC 6750 responses.
//!
//! The refusals: what [`AuthError`] is, and its methods. What each refusal answers is
//! declared once, in `refusal.rs`; every method here and the response are derived from
//! it. The challenge syntax is written in `challenge.rs`, the response in `response.rs`,
//! the refusal-body hook's view and bodies ([`RefusalView`], [`RefusalBody`]) in `view.rs`.
//!
//! Besides the refusals, one answer is the server's fault: a handler that asks for
//! verified claims where no layer authenticated the request (no `ScopeLayer` in front of
//! it, a `public` rule, no rule under `Unmapped::Allow`) gets `500 Internal Server Error`
//! without a challenge, a `detail` starting `Server misconfiguration: ` that says what to
//! fix, and an `ERROR` event (target `scope_runtime`).

mod challenge;
mod refusal;
mod response;
mod view;

pub(crate) use view::BodyHook;
pub use view::{RefusalBody, RefusalView};

use std::borrow::Cow;
use std::fmt;

use http::{HeaderValue, StatusCode};

use refusal::Challenge;

/// The auth-params a layer adds to every challenge it writes, beside the refusal's own.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct ChallengeParams<'a> {
    /// `realm="..."`, written first.
    pub(crate) realm: Option<&'a str>,
    /// `resource_metadata="..."` (the URL of the protected-resource metadata document),
    /// written last.
    pub(crate) resource_metadata: Option<&'a str>,
}

/// Why a request was refused.
///
/// Every way a request can be refused by `scope-runtime` is one `AuthError`. Each
/// variant has a fixed HTTP status, a fixed `WWW-Authenticate` challenge (RFC 6750 §3)
/// and a fixed, human-readable `detail` that is sent as the JSON body
/// `{"detail": "..."}` (the body shape of Agno's `JWTMiddleware`):
///
/// | variant | status | `WWW-Authenticate` | `detail` |
/// | --- | --- | --- | --- |
/// | [`MissingToken`](Self::MissingToken) | 401 | `Bearer` | `Authorization header missing` |
/// | [`NotBearer`](Self::NotBearer) | 401 | `Bearer` | `Authorization header does not carry a Bearer token` |
/// | [`InvalidRequest`](Self::InvalidRequest) | 400 | `Bearer error="invalid_request", error_description="..."` | the description |
/// | [`InvalidToken`](Self::InvalidToken) | 401 | `Bearer error="invalid_token", error_description="..."` | `Invalid token: ...` |
/// | [`Expired`](Self::Expired) | 401 | `Bearer error="invalid_token", error_description="The access token expired"` | `Token has expired` |
/// | [`InsufficientScope`](Self::InsufficientScope) | 403 | `Bearer error="insufficient_scope", scope="a b"` (for `any["a", "b"]`: `scope="a"`) | `Insufficient permissions. Required scope(s): a, b` (`one of a, b`) |
///
/// When a realm is configured, every challenge starts with `Bearer realm="..."`. When
/// the layer is given a protected-resource metadata URL
/// ([`ScopeLayer::resource_metadata`](crate::ScopeLayer::resource_metadata)), every
/// challenge it writes ends with `resource_metadata="..."`.
///
/// No text ever contains key material, the token, or the internal error text of the
/// JWT library: the reasons are the fixed strings of [`InvalidTokenReason`].
///
/// A layer's [`refusal_body`](crate::ScopeLayer::refusal_body) hook replaces the body
/// (e.g. with RFC 9457 [`RefusalBody::problem_json`]); status and challenge stay these.
///
/// Convert it into an HTTP response with [`AuthError::to_response`] (to add a
/// `realm`) or with [`IntoResponse`](axum::response::IntoResponse) (no realm), so it
/// can be returned from an axum handler directly.
///
/// ```
/// use axum::response::IntoResponse;
/// use http::StatusCode;
/// use scope_runtime::AuthError;
///
/// let err = AuthError::InsufficientScope {
///     required: vec!["app:run".into(), "app:execute".into()],
///     any_of: false,
/// };
/// assert_eq!(err.status(), StatusCode::FORBIDDEN);
/// assert_eq!(
///     err.www_authenticate(Some("agents")),
///     r#"Bearer realm="agents", error="insufficient_scope", scope="app:run app:execute""#,
/// );
/// assert_eq!(
///     err.detail(),
///     "Insufficient permissions. Required scope(s): app:run, app:execute",
/// );
///
/// let response = err.into_response();
/// assert_eq!(response.status(), StatusCode::FORBIDDEN);
/// assert_eq!(response.headers()["content-type"], "application/json");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthError {
    /// No token at all (no `Authorization` header, and no token cookie when cookies
    /// are enabled). 401, plain `Bearer` challenge without an error code (RFC 6750 §3.1).
    MissingToken,
    /// An `Authorization` header with another scheme (e.g. `Basic`). 401, plain
    /// `Bearer` challenge without an error code (RFC 6750 §3.1: unsupported method).
    NotBearer,
    /// The request itself is malformed: a malformed `Authorization` header, two
    /// `Authorization` headers, a token in two places... 400, `error="invalid_request"`.
    /// The text is the `error_description` and the `detail`.
    InvalidRequest(&'static str),
    /// The token is not acceptable (see [`InvalidTokenReason`]). 401,
    /// `error="invalid_token"`.
    InvalidToken(InvalidTokenReason),
    /// The token's `exp` is in the past (beyond the leeway). 401,
    /// `error="invalid_token"`.
    Expired,
    /// The token is valid but lacks the scopes the route requires (or no rule grants
    /// access to the route). 403, `error="insufficient_scope"`, `scope="..."`.
    InsufficientScope {
        /// The scopes the route requires. Empty when no rule grants access at all
        /// (an unmapped route under the `deny` policy).
        required: Vec<String>,
        /// `true` when any one of `required` would do, `false` when all are needed.
        any_of: bool,
    },
}

/// Why a token was refused as `invalid_token`.
///
/// Each reason has a fixed public text ([`InvalidTokenReason::description`]), used as
/// the `error_description` of the challenge and in the `detail` of the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum InvalidTokenReason {
    /// Not a well-formed JWS compact serialization (three base64url parts, JSON
    /// header and claims), or an unparseable header. Text: `malformed token`.
    Malformed,
    /// No configured key verifies the signature. Text: `signature does not match`.
    BadSignature,
    /// The header's `alg` is not the algorithm pinned on any candidate key (this is
    /// also the answer to `alg: none`). Text: `algorithm not allowed`.
    AlgorithmNotAllowed,
    /// The header's `kid` names no configured key. Text: `unknown key id`.
    UnknownKeyId,
    /// The token is longer than the configured cap. Text: `token too long`.
    TooLong,
    /// `iss` is missing or not an accepted issuer. Text: `issuer mismatch`.
    BadIssuer,
    /// `aud` is missing or names none of the accepted audiences. Text:
    /// `audience mismatch`.
    BadAudience,
    /// `nbf` is in the future (beyond the leeway). Text: `token not yet valid (nbf)`.
    NotYetValid,
    /// A required claim is missing. Text: ``missing required claim `exp` ``.
    MissingClaim(&'static str),
    /// A registered claim has the wrong JSON type. Text: ``claim `exp` has the wrong type``.
    WrongClaimType(&'static str),
    /// The header lists `crit` extensions, none of which this verifier understands
    /// (RFC 7515 §4.1.11). Text: `unsupported critical header`.
    UnsupportedCriticalHeader,
    /// The verifier requires RFC 9068 access tokens and the header's `typ` is not
    /// `at+jwt` (nor `application/at+jwt`; compared case-insensitively). Text:
    /// `token type is not at+jwt`.
    NotAccessToken,
    /// The token verified, but its claims do not have the shape the handler asked for
    /// (the typed claims extractor could not deserialize them). Text:
    /// `claims do not have the expected shape`.
    ClaimsShape,
}

impl InvalidTokenReason {
    /// The fixed public text of this reason (no key material, no library internals).
    pub fn description(&self) -> Cow<'static, str> {
        match self {
            Self::Malformed => Cow::Borrowed("malformed token"),
            Self::BadSignature => Cow::Borrowed("signature does not match"),
            Self::AlgorithmNotAllowed => Cow::Borrowed("algorithm not allowed"),
            Self::UnknownKeyId => Cow::Borrowed("unknown key id"),
            Self::TooLong => Cow::Borrowed("token too long"),
            Self::BadIssuer => Cow::Borrowed("issuer mismatch"),
            Self::BadAudience => Cow::Borrowed("audience mismatch"),
            Self::NotYetValid => Cow::Borrowed("token not yet valid (nbf)"),
            Self::MissingClaim(claim) => Cow::Owned(format!("missing required claim `{claim}`")),
            Self::WrongClaimType(claim) => {
                Cow::Owned(format!("claim `{claim}` has the wrong type"))
            }
            Self::UnsupportedCriticalHeader => Cow::Borrowed("unsupported critical header"),
            Self::NotAccessToken => Cow::Borrowed("token type is not at+jwt"),
            Self::ClaimsShape => Cow::Borrowed("claims do not have the expected shape"),
        }
    }
}

impl fmt::Display for InvalidTokenReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.description())
    }
}

impl AuthError {
    /// The HTTP status of the response: 400 for
    /// [`InvalidRequest`](Self::InvalidRequest), 403 for
    /// [`InsufficientScope`](Self::InsufficientScope), 401 otherwise.
    pub fn status(&self) -> StatusCode {
        self.refusal().status
    }

    /// The RFC 6750 error code (`invalid_request`, `invalid_token`,
    /// `insufficient_scope`), or `None` when the challenge carries no error code
    /// (no token, or another authentication scheme).
    pub fn error_code(&self) -> Option<&'static str> {
        match self.refusal().challenge {
            Challenge::Bare => None,
            Challenge::Error { code, .. } => Some(code),
            Challenge::InsufficientScope { .. } => Some(refusal::INSUFFICIENT_SCOPE),
        }
    }

    /// The `WWW-Authenticate` challenge (RFC 6750 §3), e.g.
    /// `Bearer realm="api", error="invalid_token", error_description="signature does not match"`.
    ///
    /// `realm` is added first when given. Values are written as quoted-strings (`"`
    /// and `\` escaped; control and non-ASCII characters replaced by `?`), so any
    /// realm produces a valid header value.
    pub fn www_authenticate(&self, realm: Option<&str>) -> HeaderValue {
        let params = ChallengeParams {
            realm,
            resource_metadata: None,
        };
        challenge::write(params, &self.refusal().challenge)
    }

    /// The human-readable `detail` of the JSON body (same text as `Display`).
    pub fn detail(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.refusal().detail, f)
    }
}

impl std::error::Error for AuthError {}

/// A handler needs verified claims where the layer did not authenticate: a bug of the
/// server, answered `500 Internal Server Error` (never a 401 the client could not fix).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Misconfiguration {
    /// No `ScopeLayer` in front of the handler at all.
    NoLayer,
    /// The route's rule is `public`.
    PublicRule,
    /// The route's rule is `optional` and the request carried no token.
    OptionalWithoutToken,
    /// No rule covers the route and `Unmapped::Allow` let it through.
    UnmappedAllowed,
    /// The route is the protected-resource metadata document.
    MetadataDocument,
}

impl Misconfiguration {
    /// What is wrong and how to fix it; nothing about the request's token.
    pub(crate) fn detail(&self) -> &'static str {
        match self {
            Self::NoLayer => {
                "Server misconfiguration: this handler needs verified claims, but no ScopeLayer \
                 authenticated the request: put a ScopeLayer in front of it (Router::layer on \
                 the outermost router), or take Option<VerifiedClaims>"
            }
            Self::PublicRule => {
                "Server misconfiguration: this handler needs verified claims, but the route is \
                 `public` in the policy: make it `[]` or `optional`, or take \
                 Option<VerifiedClaims>"
            }
            Self::OptionalWithoutToken => {
                "Server misconfiguration: this handler needs verified claims, but the route is \
                 `optional` in the policy and the request carried no token: make it `[]`, or \
                 take Option<VerifiedClaims>"
            }
            Self::UnmappedAllowed => {
                "Server misconfiguration: this handler needs verified claims, but no rule of \
                 the policy covers the route and `Unmapped::Allow` let it through: give it a \
                 rule, or take Option<VerifiedClaims>"
            }
            Self::MetadataDocument => {
                "Server misconfiguration: this handler needs verified claims, but its path is \
                 the protected-resource metadata document's, served without a token"
            }
        }
    }
}

#[cfg(test)]
mod tests;
