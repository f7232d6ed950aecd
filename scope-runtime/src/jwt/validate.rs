//! Claims validation, in one place: JSON types of the registered claims, `iss`, `aud`,
//! `exp`, `nbf`, with the leeway.

use super::claims::{choose_scopes_claim, scopes_of};
use super::json::{Audience, Member, PayloadReading};
use super::verifier::{IssuerKeys, invalid};
use super::{JwtVerifier, VerifiedClaims};
use crate::error::{AuthError, InvalidTokenReason};

impl JwtVerifier {
    /// The signature is valid: check the registered claims of `issuer`'s token (types
    /// and `iss` were checked before the signature), in this order: `aud`, `exp`
    /// (required by default), dates (against `now`). Then collect the scopes: what
    /// `VerifiedClaims::from_payload` needs besides the payload.
    pub(super) fn accept(
        &self,
        reading: &PayloadReading<'_>,
        issuer: &IssuerKeys,
        now: f64,
    ) -> Result<Accepted, AuthError> {
        let named = |a: &str| issuer.audiences.iter().any(|c| c == a);
        match &reading.aud {
            // RFC 7519 §4.1.3: a principal that does not identify itself with a value of
            // a present `aud` must refuse the token, so with no audience configured any
            // `aud` is refused.
            Audience::One(aud) if named(aud) => {}
            Audience::Many(auds) if auds.iter().any(|aud| named(aud)) => {}
            Audience::Absent if issuer.audiences.is_empty() => {}
            _ => return Err(invalid(InvalidTokenReason::BadAudience)),
        }
        let (exp, nbf) = (reading.exp.number(), reading.nbf.number());
        if self.inner.require_exp && exp.is_none() {
            return Err(invalid(InvalidTokenReason::MissingClaim("exp")));
        }
        check_times(exp, nbf, now, self.inner.leeway.as_secs_f64())?;
        let scopes_claim = choose_scopes_claim(
            |name| {
                reading
                    .scope_claims
                    .iter()
                    .find(|(claim, _)| claim == name)
                    .map(|(_, value)| value)
            },
            issuer.scopes_claim.as_deref(),
        );
        let scopes = scopes_of(scopes_claim);
        Ok(Accepted { scopes, exp, nbf })
    }
}

/// What a verified token's claims grant and when they stop: the rest is the payload.
pub(super) struct Accepted {
    scopes: Vec<String>,
    exp: Option<f64>,
    nbf: Option<f64>,
}

impl Accepted {
    /// The verified claims of the decoded `payload` these were read from.
    pub(super) fn claims(self, payload: Vec<u8>) -> VerifiedClaims {
        VerifiedClaims::from_payload(payload, self.scopes, self.exp, self.nbf)
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
pub(super) fn check_claim_types(claims: &PayloadReading<'_>) -> Result<(), &'static str> {
    for (name, member) in [
        ("exp", &claims.exp),
        ("nbf", &claims.nbf),
        ("iat", &claims.iat),
    ] {
        if !matches!(member, Member::Absent | Member::Number(_)) {
            return Err(name);
        }
    }
    for (name, member) in [
        ("iss", &claims.iss),
        ("sub", &claims.sub),
        ("jti", &claims.jti),
    ] {
        if !matches!(member, Member::Absent | Member::Text(_)) {
            return Err(name);
        }
    }
    if claims.aud == Audience::Other {
        return Err("aud");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::super::json::read_payload;
    use super::*;

    fn check_claim_types_of(claims: Value) -> Result<(), &'static str> {
        let json = claims.to_string();
        let reading = read_payload(json.as_bytes(), &|_| false).expect("an object");
        check_claim_types(&reading)
    }

    #[test]
    fn claim_types() {
        assert_eq!(
            check_claim_types_of(json!({
                "exp": 1, "nbf": 1.5, "iat": 0, "iss": "i", "sub": "s", "jti": "j", "aud": ["a", "b"]
            })),
            Ok(())
        );
        assert_eq!(check_claim_types_of(json!({"aud": "a"})), Ok(()));
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
            assert_eq!(check_claim_types_of(claims), Err(bad));
        }
    }
}
