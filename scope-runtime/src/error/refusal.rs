//! What each refusal answers, declared together: one arm per [`AuthError`] variant
//! holds its status, its challenge (error code and description) and its `detail`.
//! Everything else (`status()`, `error_code()`, the challenge header, `Display`, the
//! response body) is derived from this table, so a refusal is changed in one place.

use std::borrow::Cow;
use std::fmt;

use http::StatusCode;

use super::AuthError;

/// The RFC 6750 error code of [`AuthError::InsufficientScope`].
pub(super) const INSUFFICIENT_SCOPE: &str = "insufficient_scope";

/// The facts of one refusal.
pub(super) struct Refusal<'a> {
    pub(super) status: StatusCode,
    pub(super) challenge: Challenge<'a>,
    pub(super) detail: Detail<'a>,
}

/// What the `WWW-Authenticate` challenge carries after the scheme and the realm.
pub(super) enum Challenge<'a> {
    /// No error code: the client did not attempt bearer authentication, so the
    /// challenge only says which scheme to use (RFC 6750 §3.1).
    Bare,
    /// `error="<code>", error_description="<description>"`.
    Error {
        code: &'static str,
        description: Cow<'a, str>,
    },
    /// `error="insufficient_scope"` and, unless empty, `scope="<required scopes>"` (for an
    /// any-of rule, its first alternative only).
    InsufficientScope { required: &'a [String] },
}

/// The `detail` of the JSON body.
pub(super) enum Detail<'a> {
    /// A fixed text with its JSON body built at compile time: the refusals an
    /// unauthenticated flood gets are answered without formatting.
    Fixed {
        text: &'static str,
        body: &'static str,
    },
    /// `prefix` then `text`.
    Text {
        prefix: &'static str,
        text: Cow<'a, str>,
    },
    /// Which scopes would have been enough.
    Scopes {
        required: &'a [String],
        any_of: bool,
    },
}

/// A [`Detail::Fixed`] whose body is `{"detail":"<text>"}` (the text needs no JSON
/// escaping; a unit test checks the body against the serialised text).
macro_rules! fixed {
    ($text:literal) => {
        Detail::Fixed {
            text: $text,
            body: concat!(r#"{"detail":""#, $text, r#""}"#),
        }
    };
}

impl AuthError {
    /// The one table of refusals.
    pub(super) fn refusal(&self) -> Refusal<'_> {
        match self {
            Self::MissingToken => Refusal {
                status: StatusCode::UNAUTHORIZED,
                challenge: Challenge::Bare,
                detail: fixed!("Authorization header missing"),
            },
            Self::NotBearer => Refusal {
                status: StatusCode::UNAUTHORIZED,
                challenge: Challenge::Bare,
                detail: fixed!("Authorization header does not carry a Bearer token"),
            },
            Self::InvalidRequest(text) => Refusal {
                status: StatusCode::BAD_REQUEST,
                challenge: Challenge::Error {
                    code: "invalid_request",
                    description: Cow::Borrowed(text),
                },
                detail: Detail::Text {
                    prefix: "",
                    text: Cow::Borrowed(text),
                },
            },
            Self::InvalidToken(reason) => {
                let description = reason.description();
                Refusal {
                    status: StatusCode::UNAUTHORIZED,
                    challenge: Challenge::Error {
                        code: "invalid_token",
                        description: description.clone(),
                    },
                    detail: Detail::Text {
                        prefix: "Invalid token: ",
                        text: description,
                    },
                }
            }
            Self::Expired => Refusal {
                status: StatusCode::UNAUTHORIZED,
                challenge: Challenge::Error {
                    code: "invalid_token",
                    description: Cow::Borrowed("The access token expired"),
                },
                detail: fixed!("Token has expired"),
            },
            Self::InsufficientScope { required, any_of } => Refusal {
                status: StatusCode::FORBIDDEN,
                // RFC 6750 §3: `scope` lists the scopes the request needs, all of them, so
                // an any-of rule advertises one alternative that passes on its own (the
                // first written) rather than asking clients for every alternative.
                challenge: Challenge::InsufficientScope {
                    required: if *any_of {
                        &required[..required.len().min(1)]
                    } else {
                        required
                    },
                },
                detail: Detail::Scopes {
                    required,
                    any_of: *any_of,
                },
            },
        }
    }
}

impl fmt::Display for Detail<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Fixed { text, .. } => f.write_str(text),
            Self::Text { prefix, text } => {
                f.write_str(prefix)?;
                f.write_str(text)
            }
            Self::Scopes { required: [], .. } => {
                f.write_str("Insufficient permissions. No rule grants access to this route")
            }
            Self::Scopes { required, any_of } => {
                f.write_str("Insufficient permissions. Required scope(s): ")?;
                if *any_of {
                    f.write_str("one of ")?;
                }
                f.write_str(&required.join(", "))
            }
        }
    }
}
