//! Claims validation, in one place: JSON types of the registered claims, `iss`, `aud`,
//! `exp`, `nbf`, with the leeway.

use serde_json::{Map, Value};

use super::verifier::{IssuerKeys, invalid};
use super::{JwtVerifier, VerifiedClaims};
use crate::error::{AuthError, InvalidTokenReason};

impl JwtVerifier {
    /// The signature is valid: check the registered claims of `issuer`'s token (types
    /// and `iss` were checked before the signature), in this order: `aud`, `exp`
    /// (required by default), dates. Then collect the scopes.
    pub(super) fn accept(
        &self,
        claims: Map<String, Value>,
        issuer: &IssuerKeys,
    ) -> Result<VerifiedClaims, AuthError> {
        match claims.get("aud") {
            // RFC 7519 §4.1.3: a principal that does not identify itself with a value of
            // a present `aud` must refuse the token, so with no audience configured any
            // `aud` is refused.
            Some(aud) => {
                let named = |a: &str| issuer.audiences.iter().any(|c| c == a);
                let ok = match aud {
                    Value::String(a) => named(a),
                    Value::Array(items) => items.iter().filter_map(Value::as_str).any(named),
                    _ => false,
                };
                if !ok {
                    return Err(invalid(InvalidTokenReason::BadAudience));
                }
            }
            None if !issuer.audiences.is_empty() => {
                return Err(invalid(InvalidTokenReason::BadAudience));
            }
            None => {}
        }
        let number = |name| claims.get(name).and_then(Value::as_f64);
        if self.inner.require_exp && number("exp").is_none() {
            return Err(invalid(InvalidTokenReason::MissingClaim("exp")));
        }
        check_times(
            number("exp"),
            number("nbf"),
            unix_now(),
            self.inner.leeway.as_secs_f64(),
        )?;
        Ok(VerifiedClaims::with_scopes_claim(
            claims,
            issuer.scopes_claim.as_deref(),
        ))
    }
}

/// Seconds since the Unix epoch, as JSON NumericDates are written.
pub(crate) fn unix_now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// `exp` and `nbf` against the clock, with the leeway (RFC 7519 §4.1.4, §4.1.5): expired
/// when `exp < now - leeway`, not yet valid when `nbf > now + leeway`. Any JSON number
/// is a date, including before 1970 and beyond `u64`.
pub(crate) fn check_times(
    exp: Option<f64>,
    nbf: Option<f64>,
    now: f64,
    leeway: f64,
) -> Result<(), AuthError> {
    if exp.is_some_and(|exp| exp < now - leeway) {
        return Err(AuthError::Expired);
    }
    if nbf.is_some_and(|nbf| nbf > now + leeway) {
        return Err(invalid(InvalidTokenReason::NotYetValid));
    }
    Ok(())
}

/// Checks the JSON types of the registered claims (RFC 7519 §4.1): `exp`, `nbf`,
/// `iat` numbers; `iss`, `sub`, `jti` strings; `aud` a string or an array of strings.
/// Returns the name of the first offending claim.
pub(super) fn check_claim_types(claims: &Map<String, Value>) -> Result<(), &'static str> {
    for name in ["exp", "nbf", "iat"] {
        if claims.get(name).is_some_and(|v| !v.is_number()) {
            return Err(name);
        }
    }
    for name in ["iss", "sub", "jti"] {
        if claims.get(name).is_some_and(|v| !v.is_string()) {
            return Err(name);
        }
    }
    match claims.get("aud") {
        None | Some(Value::String(_)) => {}
        Some(Value::Array(items)) if items.iter().all(Value::is_string) => {}
        Some(_) => return Err("aud"),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn map(value: Value) -> Map<String, Value> {
        serde_json::from_value(value).expect("test claims are JSON objects")
    }

    #[test]
    fn claim_types() {
        assert_eq!(
            check_claim_types(&map(json!({
                "exp": 1, "nbf": 1.5, "iat": 0, "iss": "i", "sub": "s", "jti": "j", "aud": ["a", "b"]
            }))),
            Ok(())
        );
        assert_eq!(check_claim_types(&map(json!({"aud": "a"}))), Ok(()));
        for (claims, bad) in [
            (json!({"exp": "1"}), "exp"),
            (json!({"nbf": null}), "nbf"),
            (json!({"iat": [1]}), "iat"),
            (json!({"iss": 1}), "iss"),
            (json!({"iss": ["a"]}), "iss"),
            (json!({"sub": 1}), "sub"),
            (json!({"jti": {}}), "jti"),
            (json!({"aud": 1}), "aud"),
            (json!({"aud": ["a", 1]}), "aud"),
        ] {
            assert_eq!(check_claim_types(&map(claims)), Err(bad));
        }
    }
}
