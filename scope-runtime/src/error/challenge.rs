//! The RFC 6750 `WWW-Authenticate` challenge syntax: `Bearer` followed by
//! comma-separated `name="value"` auth-params, values as HTTP quoted-strings.

use http::HeaderValue;

use super::ChallengeParams;
use super::refusal::{Challenge, INSUFFICIENT_SCOPE};

/// Writes the challenge of a refusal: `realm` first when given, then the refusal's own
/// params, then `resource_metadata` when given (last, so that a challenge with it is the
/// challenge without it plus one param).
pub(super) fn write(params: ChallengeParams<'_>, challenge: &Challenge<'_>) -> HeaderValue {
    let ChallengeParams {
        realm,
        resource_metadata,
    } = params;
    if realm.is_none() && resource_metadata.is_none() && matches!(challenge, Challenge::Bare) {
        return HeaderValue::from_static("Bearer");
    }
    let mut out = String::from("Bearer");
    if let Some(realm) = realm {
        push_param(&mut out, "realm", realm);
    }
    match challenge {
        Challenge::Bare => {}
        Challenge::Error { code, description } => {
            push_param(&mut out, "error", code);
            push_param(&mut out, "error_description", description);
        }
        Challenge::InsufficientScope { required } => {
            push_param(&mut out, "error", INSUFFICIENT_SCOPE);
            if !required.is_empty() {
                push_param(&mut out, "scope", &required.join(" "));
            }
        }
    }
    if let Some(url) = resource_metadata {
        push_param(&mut out, "resource_metadata", url);
    }
    // `push_quoted` only emits visible ASCII, space and tab, which are always
    // valid in a header value; the fallback is unreachable but keeps this total.
    HeaderValue::try_from(out).unwrap_or_else(|_| HeaderValue::from_static("Bearer"))
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
