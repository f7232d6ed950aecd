//! Authentication and authorization failures, and their RFC 6750 responses.
//!
//! Every way a request can be refused by `scope-runtime` is one [`AuthError`]. Each
//! variant has a fixed HTTP status, a fixed `WWW-Authenticate` challenge (RFC 6750 §3)
//! and a fixed, human-readable `detail` that is sent as the JSON body
//! `{"detail": "..."}` (the body shape of Agno's `JWTMiddleware`):
//!
//! | variant | status | `WWW-Authenticate` | `detail` |
//! | --- | --- | --- | --- |
//! | [`MissingToken`](AuthError::MissingToken) | 401 | `Bearer` | `Authorization header missing` |
//! | [`NotBearer`](AuthError::NotBearer) | 401 | `Bearer` | `Authorization header does not carry a Bearer token` |
//! | [`InvalidRequest`](AuthError::InvalidRequest) | 400 | `Bearer error="invalid_request", error_description="..."` | the description |
//! | [`InvalidToken`](AuthError::InvalidToken) | 401 | `Bearer error="invalid_token", error_description="..."` | `Invalid token: ...` |
//! | [`Expired`](AuthError::Expired) | 401 | `Bearer error="invalid_token", error_description="The access token expired"` | `Token has expired` |
//! | [`InsufficientScope`](AuthError::InsufficientScope) | 403 | `Bearer error="insufficient_scope", scope="a b"` | `Insufficient permissions. Required scope(s): a, b` |
//!
//! When a realm is configured, every challenge starts with `Bearer realm="..."`.
//!
//! No text ever contains key material, the token, or the internal error text of the
//! JWT library: the reasons are the fixed strings of [`InvalidTokenReason`].

use std::borrow::Cow;
use std::fmt;

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use http::header::{CONTENT_TYPE, WWW_AUTHENTICATE};
use http::{HeaderValue, StatusCode};

/// Why a request was refused.
///
/// Convert it into an HTTP response with [`AuthError::to_response`] (to add a
/// `realm`) or with [`IntoResponse`] (no realm), so it can be returned from an axum
/// handler directly.
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
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// No token at all (no `Authorization` header, and no token cookie when cookies
    /// are enabled). 401, plain `Bearer` challenge without an error code (RFC 6750 §3.1).
    #[error("Authorization header missing")]
    MissingToken,
    /// An `Authorization` header with another scheme (e.g. `Basic`). 401, plain
    /// `Bearer` challenge without an error code (RFC 6750 §3.1: unsupported method).
    #[error("Authorization header does not carry a Bearer token")]
    NotBearer,
    /// The request itself is malformed: a malformed `Authorization` header, two
    /// `Authorization` headers, a token in two places... 400, `error="invalid_request"`.
    /// The text is the `error_description` and the `detail`.
    #[error("{0}")]
    InvalidRequest(&'static str),
    /// The token is not acceptable (see [`InvalidTokenReason`]). 401,
    /// `error="invalid_token"`.
    #[error("Invalid token: {0}")]
    InvalidToken(InvalidTokenReason),
    /// The token's `exp` is in the past (beyond the leeway). 401,
    /// `error="invalid_token"`.
    #[error("Token has expired")]
    Expired,
    /// The token is valid but lacks the scopes the route requires (or no rule grants
    /// access to the route). 403, `error="insufficient_scope"`, `scope="..."`.
    #[error("{}", insufficient_scope_detail(.required, *.any_of))]
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
            Self::ClaimsShape => Cow::Borrowed("claims do not have the expected shape"),
        }
    }
}

impl fmt::Display for InvalidTokenReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.description())
    }
}

/// The `error_description` of an expired token.
const EXPIRED_DESCRIPTION: &str = "The access token expired";

fn insufficient_scope_detail(required: &[String], any_of: bool) -> String {
    if required.is_empty() {
        "Insufficient permissions. No rule grants access to this route".to_owned()
    } else if any_of {
        format!(
            "Insufficient permissions. Required scope(s): one of {}",
            required.join(", ")
        )
    } else {
        format!(
            "Insufficient permissions. Required scope(s): {}",
            required.join(", ")
        )
    }
}

/// Appends `value` to `out` as the content of an HTTP `quoted-string` (RFC 9110
/// §5.6.4): `"` and `\` are backslash-escaped; characters that may not appear in a
/// header value at all (controls, non-ASCII) are replaced by `?`, so the result is
/// always a valid `HeaderValue`.
fn push_quoted(out: &mut String, value: &str) {
    out.push('"');
    for c in value.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            ' ' | '\t' | '!'..='~' => out.push(c),
            _ => out.push('?'),
        }
    }
    out.push('"');
}

/// Appends one `name="value"` auth-param, with the `, ` separator when needed.
fn push_param(out: &mut String, name: &str, value: &str) {
    out.push_str(if out.len() > "Bearer".len() {
        ", "
    } else {
        " "
    });
    out.push_str(name);
    out.push('=');
    push_quoted(out, value);
}

impl AuthError {
    /// The HTTP status of the response: 400 for
    /// [`InvalidRequest`](Self::InvalidRequest), 403 for
    /// [`InsufficientScope`](Self::InsufficientScope), 401 otherwise.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::InvalidRequest(_) => StatusCode::BAD_REQUEST,
            Self::InsufficientScope { .. } => StatusCode::FORBIDDEN,
            Self::MissingToken | Self::NotBearer | Self::InvalidToken(_) | Self::Expired => {
                StatusCode::UNAUTHORIZED
            }
        }
    }

    /// The RFC 6750 error code (`invalid_request`, `invalid_token`,
    /// `insufficient_scope`), or `None` when the challenge carries no error code
    /// (no token, or another authentication scheme).
    pub fn error_code(&self) -> Option<&'static str> {
        match self {
            Self::MissingToken | Self::NotBearer => None,
            Self::InvalidRequest(_) => Some("invalid_request"),
            Self::InvalidToken(_) | Self::Expired => Some("invalid_token"),
            Self::InsufficientScope { .. } => Some("insufficient_scope"),
        }
    }

    /// The `WWW-Authenticate` challenge (RFC 6750 §3), e.g.
    /// `Bearer realm="api", error="invalid_token", error_description="signature does not match"`.
    ///
    /// `realm` is added first when given. Values are written as quoted-strings (`"`
    /// and `\` escaped; control and non-ASCII characters replaced by `?`), so any
    /// realm produces a valid header value.
    pub fn www_authenticate(&self, realm: Option<&str>) -> HeaderValue {
        let mut out = String::from("Bearer");
        if let Some(realm) = realm {
            push_param(&mut out, "realm", realm);
        }
        if let Some(code) = self.error_code() {
            push_param(&mut out, "error", code);
        }
        match self {
            Self::MissingToken | Self::NotBearer => {}
            Self::InvalidRequest(text) => push_param(&mut out, "error_description", text),
            Self::InvalidToken(reason) => {
                push_param(&mut out, "error_description", &reason.description());
            }
            Self::Expired => push_param(&mut out, "error_description", EXPIRED_DESCRIPTION),
            Self::InsufficientScope { required, .. } => {
                if !required.is_empty() {
                    push_param(&mut out, "scope", &required.join(" "));
                }
            }
        }
        // `push_quoted` only emits visible ASCII, space and tab, which are always
        // valid in a header value; the fallback is unreachable but keeps this total.
        HeaderValue::try_from(out).unwrap_or_else(|_| HeaderValue::from_static("Bearer"))
    }

    /// The human-readable `detail` of the JSON body (same text as `Display`).
    pub fn detail(&self) -> String {
        self.to_string()
    }

    /// The full response: status, `WWW-Authenticate` (with `realm` when given),
    /// `content-type: application/json` and the body `{"detail": "..."}`.
    pub fn to_response(&self, realm: Option<&str>) -> Response {
        // The refusals with a fixed text are answered with static bytes: no formatting
        // on the paths an unauthenticated flood takes.
        let body = match self {
            Self::MissingToken => Body::from(MISSING_TOKEN_BODY),
            Self::Expired => Body::from(EXPIRED_BODY),
            _ => Body::from(json_detail(&self.detail())),
        };
        let challenge = match (self, realm) {
            (Self::MissingToken | Self::NotBearer, None) => HeaderValue::from_static("Bearer"),
            _ => self.www_authenticate(realm),
        };
        let mut response = Response::new(body);
        *response.status_mut() = self.status();
        let headers = response.headers_mut();
        headers.insert(WWW_AUTHENTICATE, challenge);
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        response
    }
}

/// `{"detail": detail}` as JSON bytes.
fn json_detail(detail: &str) -> Vec<u8> {
    #[derive(serde::Serialize)]
    struct Detail<'a> {
        detail: &'a str,
    }
    serde_json::to_vec(&Detail { detail }).unwrap_or_default()
}

const MISSING_TOKEN_BODY: &str = r#"{"detail":"Authorization header missing"}"#;
const EXPIRED_BODY: &str = r#"{"detail":"Token has expired"}"#;

impl IntoResponse for AuthError {
    /// Same as [`AuthError::to_response`] without a realm.
    fn into_response(self) -> Response {
        self.to_response(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn static_bodies_are_the_serialised_details() {
        let generic = |e: AuthError| String::from_utf8(json_detail(&e.detail())).expect("UTF-8");
        assert_eq!(MISSING_TOKEN_BODY, generic(AuthError::MissingToken));
        assert_eq!(EXPIRED_BODY, generic(AuthError::Expired));
        assert_eq!(
            AuthError::MissingToken.www_authenticate(None),
            HeaderValue::from_static("Bearer")
        );
        assert_eq!(
            AuthError::NotBearer.www_authenticate(None),
            HeaderValue::from_static("Bearer")
        );
    }
    use http_body_util::BodyExt;

    fn body_json(response: Response) -> serde_json::Value {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        let bytes = rt
            .block_on(response.into_body().collect())
            .expect("body")
            .to_bytes();
        serde_json::from_slice(&bytes).expect("json body")
    }

    /// Checks status, challenge (without and with realm), detail and the response.
    fn check(err: AuthError, status: u16, challenge: &str, detail: &str) {
        assert_eq!(err.status().as_u16(), status, "{err:?}");
        assert_eq!(err.www_authenticate(None), challenge, "{err:?}");
        let with_realm = if challenge == "Bearer" {
            r#"Bearer realm="api""#.to_owned()
        } else {
            challenge.replacen("Bearer ", r#"Bearer realm="api", "#, 1)
        };
        assert_eq!(err.www_authenticate(Some("api")), with_realm.as_str());
        assert_eq!(err.detail(), detail);
        assert_eq!(err.to_string(), detail);

        let response = err.to_response(Some("api"));
        assert_eq!(response.status().as_u16(), status);
        assert_eq!(response.headers()[WWW_AUTHENTICATE], with_realm.as_str());
        assert_eq!(response.headers()[CONTENT_TYPE], "application/json");
        assert_eq!(body_json(response), serde_json::json!({ "detail": detail }));

        let response = err.clone().into_response();
        assert_eq!(response.status().as_u16(), status);
        assert_eq!(response.headers()[WWW_AUTHENTICATE], challenge);
        assert_eq!(body_json(response), serde_json::json!({ "detail": detail }));
    }

    #[test]
    fn missing_token() {
        check(
            AuthError::MissingToken,
            401,
            "Bearer",
            "Authorization header missing",
        );
    }

    #[test]
    fn not_bearer() {
        check(
            AuthError::NotBearer,
            401,
            "Bearer",
            "Authorization header does not carry a Bearer token",
        );
    }

    #[test]
    fn invalid_request() {
        for text in [
            "Two Authorization headers",
            "Malformed Authorization header",
            "Token found in both the Authorization header and a cookie",
        ] {
            check(
                AuthError::InvalidRequest(text),
                400,
                &format!(r#"Bearer error="invalid_request", error_description="{text}""#),
                text,
            );
        }
    }

    #[test]
    fn invalid_token_every_reason() {
        let cases = [
            (InvalidTokenReason::Malformed, "malformed token"),
            (InvalidTokenReason::BadSignature, "signature does not match"),
            (
                InvalidTokenReason::AlgorithmNotAllowed,
                "algorithm not allowed",
            ),
            (InvalidTokenReason::UnknownKeyId, "unknown key id"),
            (InvalidTokenReason::TooLong, "token too long"),
            (InvalidTokenReason::BadIssuer, "issuer mismatch"),
            (InvalidTokenReason::BadAudience, "audience mismatch"),
            (InvalidTokenReason::NotYetValid, "token not yet valid (nbf)"),
            (
                InvalidTokenReason::MissingClaim("exp"),
                "missing required claim `exp`",
            ),
            (
                InvalidTokenReason::WrongClaimType("exp"),
                "claim `exp` has the wrong type",
            ),
            (
                InvalidTokenReason::UnsupportedCriticalHeader,
                "unsupported critical header",
            ),
            (
                InvalidTokenReason::ClaimsShape,
                "claims do not have the expected shape",
            ),
        ];
        for (reason, text) in cases {
            assert_eq!(reason.to_string(), text);
            check(
                AuthError::InvalidToken(reason),
                401,
                &format!(r#"Bearer error="invalid_token", error_description="{text}""#),
                &format!("Invalid token: {text}"),
            );
        }
    }

    #[test]
    fn expired() {
        check(
            AuthError::Expired,
            401,
            r#"Bearer error="invalid_token", error_description="The access token expired""#,
            "Token has expired",
        );
    }

    #[test]
    fn insufficient_scope_all_of() {
        check(
            AuthError::InsufficientScope {
                required: vec!["app:run".into(), "app:execute".into()],
                any_of: false,
            },
            403,
            r#"Bearer error="insufficient_scope", scope="app:run app:execute""#,
            "Insufficient permissions. Required scope(s): app:run, app:execute",
        );
    }

    #[test]
    fn insufficient_scope_any_of() {
        check(
            AuthError::InsufficientScope {
                required: vec!["a".into(), "b".into()],
                any_of: true,
            },
            403,
            r#"Bearer error="insufficient_scope", scope="a b""#,
            "Insufficient permissions. Required scope(s): one of a, b",
        );
    }

    #[test]
    fn insufficient_scope_unmapped() {
        check(
            AuthError::InsufficientScope {
                required: vec![],
                any_of: false,
            },
            403,
            r#"Bearer error="insufficient_scope""#,
            "Insufficient permissions. No rule grants access to this route",
        );
    }

    #[test]
    fn realm_is_escaped_and_sanitised() {
        let value = AuthError::MissingToken.www_authenticate(Some("a \"q\" \\ b\r\n\u{e9}"));
        assert_eq!(value, r#"Bearer realm="a \"q\" \\ b???""#);
        let value = AuthError::Expired.www_authenticate(Some(""));
        assert_eq!(
            value,
            r#"Bearer realm="", error="invalid_token", error_description="The access token expired""#
        );
    }

    #[test]
    fn error_codes() {
        assert_eq!(AuthError::MissingToken.error_code(), None);
        assert_eq!(AuthError::NotBearer.error_code(), None);
        assert_eq!(
            AuthError::InvalidRequest("x").error_code(),
            Some("invalid_request")
        );
        assert_eq!(AuthError::Expired.error_code(), Some("invalid_token"));
        assert_eq!(
            AuthError::InvalidToken(InvalidTokenReason::Malformed).error_code(),
            Some("invalid_token")
        );
        assert_eq!(
            AuthError::InsufficientScope {
                required: vec![],
                any_of: false
            }
            .error_code(),
            Some("insufficient_scope")
        );
    }
}
