//! The claims of a verified token, and the scopes claim.

use std::borrow::Cow;
use std::fmt;
use std::sync::{Arc, OnceLock};

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::json::ScopesValue;
use crate::policy::Rule;
use crate::template::Granted;

/// The scopes claims tried, in order, when no claim name is configured: `scopes`
/// (Agno's claim), `scope` (RFC 8693 / RFC 9068), `scp` (Azure AD, Okta).
pub const DEFAULT_SCOPES_CLAIMS: [&str; 3] = ["scopes", "scope", "scp"];

/// The claims of a token that passed verification.
///
/// The layer stores it in the request extensions; handlers read it with the
/// extractor. Cloning is cheap (the claims are shared behind an `Arc`).
///
/// The scopes are parsed once, from the configured claim or, by default, from the
/// first **present** of `scopes`, `scope`, `scp` (the first present one decides; they
/// are never merged). The value may be a JSON array of strings or one space-delimited
/// string (split on `' '` only); empty items are dropped. Any other JSON type, or an
/// array with a non-string item, grants no scope at all.
///
/// ```
/// use scope_runtime::VerifiedClaims;
/// use serde::Deserialize;
///
/// let claims = serde_json::json!({
///     "sub": "user-1", "exp": 2_000_000_000, "scope": "app:read  app:run", "org": "acme"
/// });
/// let claims = VerifiedClaims::from_claims(claims.as_object().unwrap().clone());
/// assert_eq!(claims.subject(), Some("user-1"));
/// assert_eq!(claims.scopes(), ["app:read", "app:run"]);
/// assert!(claims.has_scope("app:run"));
///
/// #[derive(Deserialize)]
/// struct Mine { org: String }
/// assert_eq!(claims.deserialize::<Mine>().unwrap().org, "acme");
/// ```
#[derive(Clone)]
pub struct VerifiedClaims {
    inner: Arc<Inner>,
    /// Set by the layer that let the request through: the claims hold its admin scope.
    admin: bool,
}

struct Inner {
    /// The token's decoded payload, which verification read without building the
    /// claim set (empty for [`VerifiedClaims::from_claims`]).
    /// (A `Vec`, as decoded: making it a boxed slice would copy it.)
    payload: Vec<u8>,
    /// The claim set, built from `payload` the first time it is asked for (shared by
    /// every request of the token while the cache holds it).
    claims: OnceLock<Map<String, Value>>,
    scopes: Vec<String>,
    /// `exp` and `nbf` as numbers, for the cache's checks at every hit.
    #[cfg_attr(not(feature = "cache"), allow(dead_code))]
    exp: Option<f64>,
    #[cfg_attr(not(feature = "cache"), allow(dead_code))]
    nbf: Option<f64>,
}

impl VerifiedClaims {
    /// The claims of a token whose decoded `payload` verification read (the caller
    /// vouches that it is one JSON object that `read_payload` accepted, so that it
    /// parses as a claim set), with its scopes and dates already read.
    pub(crate) fn from_payload(
        payload: Vec<u8>,
        scopes: Vec<String>,
        exp: Option<f64>,
        nbf: Option<f64>,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                payload,
                claims: OnceLock::new(),
                scopes,
                exp,
                nbf,
            }),
            admin: false,
        }
    }

    /// Wraps a claim set, reading the scopes from the default claims (`scopes`,
    /// `scope`, `scp`). No verification happens here: this is for tests and for claims
    /// verified by other means.
    pub fn from_claims(claims: Map<String, Value>) -> Self {
        Self::with_scopes_claim(claims, None)
    }

    /// Wraps a claim set, reading the scopes from `scopes_claim` (or the defaults).
    pub(crate) fn with_scopes_claim(
        claims: Map<String, Value>,
        scopes_claim: Option<&str>,
    ) -> Self {
        let scopes = parse_scopes(&claims, scopes_claim);
        let number = |name| claims.get(name).and_then(Value::as_f64);
        let (exp, nbf) = (number("exp"), number("nbf"));
        Self {
            inner: Arc::new(Inner {
                payload: Vec::new(),
                claims: OnceLock::from(claims),
                scopes,
                exp,
                nbf,
            }),
            admin: false,
        }
    }

    /// These claims, marked as holding (or not) the admin scope of the layer that let
    /// the request through.
    pub(crate) fn with_admin(mut self, admin: bool) -> Self {
        self.admin = admin;
        self
    }

    /// Whether the [`ScopeLayer`](crate::ScopeLayer) that let this request through
    /// found its admin scope in these claims (`false` for claims made with
    /// [`VerifiedClaims::from_claims`]).
    pub fn is_admin(&self) -> bool {
        self.admin
    }

    /// Which values of the capture `capture` these claims would pass `rule` for: the
    /// question a listing asks (`GET /agents` shows the agents that `GET
    /// /agents/{agent_id}` would show this caller).
    ///
    /// The answer follows the rule's requirement as the layer checks it: a fixed scope
    /// that satisfies it, a template held with `*` in place of the value, or the
    /// layer's admin scope ([`is_admin`](Self::is_admin)) grant
    /// [`Granted::All`]; templates held for listed values grant
    /// [`Granted::Only`] those; `any[...]` is the union, `[...]` the intersection. A
    /// template that also names another capture, or names this one twice, grants no
    /// value here (the other capture's value is not known).
    ///
    /// ```
    /// use scope_runtime::{scopes, Granted, Policy, VerifiedClaims};
    ///
    /// static POLICY: Policy = scopes! {
    ///     "GET /agents"            => [],
    ///     "GET /agents/{agent_id}" => any["agents:read", "agents:{agent_id}:read"],
    /// };
    /// let read_one = serde_json::json!({"scopes": ["agents:research-agent:read"]});
    /// let claims = VerifiedClaims::from_claims(read_one.as_object().unwrap().clone());
    /// let rule = POLICY.rule("GET /agents/{agent_id}").unwrap();
    /// assert_eq!(claims.granted(rule, "agent_id"), Granted::Only(vec!["research-agent"]));
    /// ```
    pub fn granted(&self, rule: &Rule, capture: &str) -> Granted<'_> {
        if self.admin {
            return Granted::All;
        }
        rule.requirement().granted(&self.inner.scopes, capture)
    }

    /// The `sub` claim, if it is present (it is always a string when present).
    pub fn subject(&self) -> Option<&str> {
        self.claims().get("sub").and_then(Value::as_str)
    }

    /// The `iss` claim, if it is present (a string when present). With several trusted
    /// issuers, two providers may use the same `sub` for different users: key users by
    /// `(issuer(), subject())`.
    pub fn issuer(&self) -> Option<&str> {
        self.claims().get("iss").and_then(Value::as_str)
    }

    /// The granted scopes, in token order.
    pub fn scopes(&self) -> &[String] {
        &self.inner.scopes
    }

    /// Whether `scope` was granted (exact, case-sensitive comparison).
    pub fn has_scope(&self, scope: &str) -> bool {
        self.inner.scopes.iter().any(|s| s == scope)
    }

    /// The full claim set. Built from the token the first time it is asked for, by
    /// this or any accessor that reads claims (a request that never asks pays
    /// nothing for it), then shared by every clone and every later request of the
    /// same token while the verified-token cache holds it.
    pub fn claims(&self) -> &Map<String, Value> {
        self.inner.claims.get_or_init(|| {
            // Cannot fail: verification read these bytes as a JSON object with
            // distinct members, nested no deeper than serde_json allows.
            serde_json::from_slice(&self.inner.payload).unwrap_or_else(|_| {
                tracing::error!("verified claims could not be read again; reporting none");
                Map::new()
            })
        })
    }

    /// One claim by name.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.claims().get(name)
    }

    /// The claim set deserialized into a type of yours.
    pub fn deserialize<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        T::deserialize(self.claims())
    }

    /// `exp` and `nbf`, for the cache.
    #[cfg(feature = "cache")]
    pub(crate) fn dates(&self) -> (Option<f64>, Option<f64>) {
        (self.inner.exp, self.inner.nbf)
    }
}

impl fmt::Debug for VerifiedClaims {
    /// Shows the subject, the scopes and the claim names, never claim values.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifiedClaims")
            .field("sub", &self.subject())
            .field("scopes", &self.inner.scopes)
            .field("claims", &self.claims().keys().collect::<Vec<_>>())
            .finish()
    }
}

/// The scopes of `claims` (see [`VerifiedClaims`] for the rules).
pub(crate) fn parse_scopes(claims: &Map<String, Value>, scopes_claim: Option<&str>) -> Vec<String> {
    let value = choose_scopes_claim(|name| claims.get(name), scopes_claim);
    let value = value.map(|value| match value {
        Value::String(text) => ScopesValue::Text(Cow::Borrowed(text)),
        Value::Array(items) => items
            .iter()
            .map(|item| item.as_str().map(Cow::Borrowed))
            .collect::<Option<_>>()
            .map_or(ScopesValue::Invalid, ScopesValue::List),
        _ => ScopesValue::Invalid,
    });
    scopes_of(value.as_ref())
}

/// The claim that holds the scopes: the configured one, else the first present of
/// [`DEFAULT_SCOPES_CLAIMS`].
pub(crate) fn choose_scopes_claim<T>(
    get: impl Fn(&str) -> Option<T>,
    scopes_claim: Option<&str>,
) -> Option<T> {
    match scopes_claim {
        Some(name) => get(name),
        None => DEFAULT_SCOPES_CLAIMS.iter().find_map(|name| get(name)),
    }
}

/// The scopes a scopes claim grants: an array of strings, or one string split on `' '`,
/// empty items dropped; anything else grants none.
pub(crate) fn scopes_of(value: Option<&ScopesValue<'_>>) -> Vec<String> {
    match value {
        Some(ScopesValue::Text(text)) => text
            .split(' ')
            .filter(|item| !item.is_empty())
            .map(str::to_owned)
            .collect(),
        Some(ScopesValue::List(items)) => items
            .iter()
            .filter(|item| !item.is_empty())
            .map(|item| item.to_string())
            .collect(),
        Some(ScopesValue::Invalid) | None => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(value: Value) -> Map<String, Value> {
        serde_json::from_value(value).expect("test claims are JSON objects")
    }

    fn scopes(value: Value) -> Vec<String> {
        parse_scopes(&map(value), None)
    }

    #[test]
    fn array_and_space_string() {
        assert_eq!(scopes(json!({"scopes": ["a", "b"]})), ["a", "b"]);
        assert_eq!(scopes(json!({"scopes": "a b"})), ["a", "b"]);
        assert_eq!(scopes(json!({"scope": "a  b "})), ["a", "b"]);
        assert_eq!(scopes(json!({"scp": ["x:y"]})), ["x:y"]);
    }

    #[test]
    fn empty_items_dropped_and_only_space_splits() {
        assert_eq!(scopes(json!({"scopes": ["", "a", ""]})), ["a"]);
        assert_eq!(scopes(json!({"scope": "   "})), Vec::<String>::new());
        assert_eq!(scopes(json!({"scope": "a\tb c"})), ["a\tb", "c"]);
    }

    #[test]
    fn first_present_claim_decides() {
        assert_eq!(
            scopes(json!({"scopes": ["a"], "scope": "b", "scp": ["c"]})),
            ["a"]
        );
        assert_eq!(scopes(json!({"scope": "b", "scp": ["c"]})), ["b"]);
        // Present but of the wrong type: no scopes, no fallback.
        assert_eq!(
            scopes(json!({"scopes": 5, "scope": "b"})),
            Vec::<String>::new()
        );
        assert_eq!(
            scopes(json!({"scopes": null, "scope": "b"})),
            Vec::<String>::new()
        );
        // Present but empty: no scopes, no fallback.
        assert_eq!(
            scopes(json!({"scopes": [], "scope": "b"})),
            Vec::<String>::new()
        );
    }

    #[test]
    fn wrong_types_grant_nothing() {
        for value in [
            json!({"scopes": {"a": true}}),
            json!({"scopes": ["a", 1]}),
            json!({"scopes": ["a", ["b"]]}),
            json!({"scopes": true}),
            json!({"scope": 1.5}),
            json!({}),
        ] {
            assert_eq!(scopes(value.clone()), Vec::<String>::new(), "{value}");
        }
    }

    #[test]
    fn configured_claim_only() {
        let claims = map(json!({"permissions": ["p"], "scopes": ["a"]}));
        assert_eq!(parse_scopes(&claims, Some("permissions")), ["p"]);
        assert_eq!(parse_scopes(&claims, Some("roles")), Vec::<String>::new());
    }

    #[test]
    fn accessors_and_debug() {
        let claims = VerifiedClaims::from_claims(map(json!({
            "sub": "u1", "scopes": ["a"], "secret_stuff": "hunter2"
        })));
        assert_eq!(claims.subject(), Some("u1"));
        assert!(claims.has_scope("a"));
        assert!(!claims.has_scope("A"));
        assert_eq!(claims.get("secret_stuff"), Some(&json!("hunter2")));
        assert_eq!(claims.claims().len(), 3);
        let debug = format!("{claims:?}");
        assert!(
            debug.contains("u1") && !debug.contains("hunter2"),
            "{debug}"
        );
        let clone = claims.clone();
        assert!(Arc::ptr_eq(&clone.inner, &claims.inner));
        let value: Value = claims.deserialize().expect("deserialize");
        assert_eq!(value["sub"], "u1");
    }

    #[test]
    fn send_sync() {
        fn assert_send_sync<T: Send + Sync + 'static>() {}
        assert_send_sync::<VerifiedClaims>();
    }
}
