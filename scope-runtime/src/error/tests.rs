use axum::response::{IntoResponse, Response};
use http::header::{CONTENT_TYPE, WWW_AUTHENTICATE};
use http_body_util::BodyExt;

use super::refusal::Detail;
use super::response::json_detail;
use super::*;

/// The bodies built at compile time are exactly what serialising their text gives
/// (a text that needed JSON escaping would fail here).
#[test]
fn fixed_bodies_are_the_serialised_details() {
    let mut fixed = 0;
    for err in [
        AuthError::MissingToken,
        AuthError::NotBearer,
        AuthError::Expired,
        AuthError::InvalidRequest("x"),
        AuthError::InvalidToken(InvalidTokenReason::Malformed),
    ] {
        if let Detail::Fixed { text, body } = err.refusal().detail {
            assert_eq!(body.as_bytes(), json_detail(text), "{err:?}");
            assert_eq!(text, err.detail());
            fixed += 1;
        }
    }
    assert_eq!(
        fixed, 3,
        "MissingToken, NotBearer and Expired have fixed bodies"
    );
    assert_eq!(
        AuthError::MissingToken.www_authenticate(None),
        HeaderValue::from_static("Bearer")
    );
    assert_eq!(
        AuthError::NotBearer.www_authenticate(None),
        HeaderValue::from_static("Bearer")
    );
}

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
            InvalidTokenReason::NotAccessToken,
            "token type is not at+jwt",
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
        // The challenge asks for one sufficient scope; the detail names every alternative.
        r#"Bearer error="insufficient_scope", scope="a""#,
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
