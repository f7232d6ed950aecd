//! The token builder: chosen claims and header, signed for real.

use std::time::Duration;

use jsonwebtoken::Header;
use serde_json::{Map, Value};

use super::SigningKey;

/// How long a token is valid by default: one hour.
pub const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(3600);

/// The subject of a token that names none: `test-user`.
pub const DEFAULT_SUBJECT: &str = "test-user";

/// A token to sign: claims and header chosen by the test, signed by
/// [`sign`](Self::sign) with a [`SigningKey`], as an identity provider would.
///
/// Made by [`TestIdp::token`](super::TestIdp::token) (with the provider's `iss` and
/// `aud`) or [`SigningKey::token`]. By default the claims are `sub`
/// ([`DEFAULT_SUBJECT`]), `iat` (now) and `exp` (now + [`DEFAULT_TOKEN_LIFETIME`]),
/// and the header `{"alg": <the key's>, "typ": "JWT", "kid": <the key's>}`. Scopes
/// go to the `scopes` claim as a JSON array unless told otherwise.
///
/// ```
/// use std::time::Duration;
/// use scope_runtime::Algorithm;
/// use scope_runtime::test_util::SigningKey;
///
/// let key = SigningKey::test(Algorithm::RS256);
/// let token = key
///     .token()
///     .subject("agent-7")
///     .scopes(["agents:read", "agents:run"])
///     .scopes_claim("scope")
///     .space_delimited() // "scope": "agents:read agents:run"
///     .expires_in(Duration::from_secs(60))
///     .claim("tenant", "acme")
///     .typ("at+jwt")
///     .sign();
/// # assert_eq!(token.split('.').count(), 3);
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct TokenBuilder {
    key: SigningKey,
    claims: Map<String, Value>,
    scopes: Option<Vec<String>>,
    scopes_claim: String,
    space_delimited: bool,
    typ: Option<String>,
    kid: Option<String>,
}

/// Seconds since the Unix epoch, the clock `exp`, `nbf` and `iat` are read against.
pub fn now() -> i64 {
    jsonwebtoken::get_current_timestamp() as i64
}

fn secs(d: Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX)
}

impl TokenBuilder {
    pub(super) fn new(key: SigningKey) -> TokenBuilder {
        let now = now();
        let mut claims = Map::new();
        claims.insert("sub".to_owned(), Value::from(DEFAULT_SUBJECT));
        claims.insert("iat".to_owned(), Value::from(now));
        claims.insert(
            "exp".to_owned(),
            Value::from(now.saturating_add(secs(DEFAULT_TOKEN_LIFETIME))),
        );
        let kid = Some(key.kid().to_owned());
        TokenBuilder {
            key,
            claims,
            scopes: None,
            scopes_claim: "scopes".to_owned(),
            space_delimited: false,
            typ: Some("JWT".to_owned()),
            kid,
        }
    }

    /// The `sub` claim.
    pub fn subject(self, sub: impl Into<String>) -> Self {
        self.claim("sub", sub.into())
    }

    /// The granted scopes (replacing any given before), in the `scopes` claim as a JSON
    /// array unless [`scopes_claim`](Self::scopes_claim) or
    /// [`space_delimited`](Self::space_delimited) say otherwise. Without a call, the
    /// token has no scopes claim.
    pub fn scopes<S: Into<String>>(mut self, scopes: impl IntoIterator<Item = S>) -> Self {
        self.scopes = Some(scopes.into_iter().map(Into::into).collect());
        self
    }

    /// The claim the scopes go to (default `scopes`; `scope` is RFC 8693/9068's,
    /// `scp` Entra ID's and Okta's).
    pub fn scopes_claim(mut self, name: impl Into<String>) -> Self {
        self.scopes_claim = name.into();
        self
    }

    /// The scopes as one space-delimited string (RFC 6749 §3.3, `"a b"`) rather than a
    /// JSON array.
    pub fn space_delimited(mut self) -> Self {
        self.space_delimited = true;
        self
    }

    /// The `iss` claim.
    pub fn issuer(self, iss: impl Into<String>) -> Self {
        self.claim("iss", iss.into())
    }

    /// The `aud` claim, one audience (a string).
    pub fn audience(self, aud: impl Into<String>) -> Self {
        self.claim("aud", aud.into())
    }

    /// The `aud` claim, several audiences (an array).
    pub fn audiences<S: Into<String>>(self, auds: impl IntoIterator<Item = S>) -> Self {
        let auds: Vec<Value> = auds.into_iter().map(|a| Value::from(a.into())).collect();
        self.claim("aud", auds)
    }

    /// `exp` = now + `lifetime`.
    pub fn expires_in(self, lifetime: Duration) -> Self {
        self.claim("exp", now().saturating_add(secs(lifetime)))
    }

    /// `exp` at `unix_seconds`.
    pub fn expires_at(self, unix_seconds: i64) -> Self {
        self.claim("exp", unix_seconds)
    }

    /// An expired token: `exp` one hour ago, beyond any leeway a verifier allows.
    pub fn expired(self) -> Self {
        self.expires_at(now() - 3600)
    }

    /// No `exp` claim (refused unless the verifier is built with `require_exp(false)`).
    pub fn without_expiry(self) -> Self {
        self.without_claim("exp")
    }

    /// `nbf` at `unix_seconds`.
    pub fn not_before(self, unix_seconds: i64) -> Self {
        self.claim("nbf", unix_seconds)
    }

    /// A token not valid yet: `nbf` one hour from now (and `exp` one hour after it).
    pub fn not_yet_valid(self) -> Self {
        let now = now();
        self.not_before(now + 3600).expires_at(now + 7200)
    }

    /// Any claim, with any JSON value (replacing one set before, registered claims
    /// included: `.claim("exp", "tomorrow")` gives a token with a string `exp`).
    pub fn claim(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.claims.insert(name.into(), value.into());
        self
    }

    /// Removes a claim (a default one too: `.without_claim("sub")`).
    pub fn without_claim(mut self, name: &str) -> Self {
        self.claims.remove(name);
        self
    }

    /// The header's `typ` (default `JWT`; RFC 9068 access tokens say `at+jwt`).
    pub fn typ(mut self, typ: impl Into<String>) -> Self {
        self.typ = Some(typ.into());
        self
    }

    /// No `typ` in the header.
    pub fn without_typ(mut self) -> Self {
        self.typ = None;
        self
    }

    /// The header's `kid` (default the key's): a token naming another key.
    pub fn kid(mut self, kid: impl Into<String>) -> Self {
        self.kid = Some(kid.into());
        self
    }

    /// No `kid` in the header.
    pub fn without_kid(mut self) -> Self {
        self.kid = None;
        self
    }

    /// The claims the token will hold, scopes included.
    pub fn claims(&self) -> Value {
        let mut claims = self.claims.clone();
        if let Some(scopes) = &self.scopes {
            let value = if self.space_delimited {
                Value::from(scopes.join(" "))
            } else {
                Value::from(scopes.clone())
            };
            claims.insert(self.scopes_claim.clone(), value);
        }
        Value::Object(claims)
    }

    /// Signs the token with `jsonwebtoken::encode`: a compact JWS, `header.claims.signature`.
    ///
    /// # Panics
    ///
    /// Never for a [`SigningKey`] this module made: each was checked to sign when it
    /// was built.
    pub fn sign(&self) -> String {
        crate::jwt::ensure_crypto_provider();
        let mut header = Header::new(self.key.algorithm().backend());
        header.typ.clone_from(&self.typ);
        header.kid.clone_from(&self.kid);
        jsonwebtoken::encode(&header, &self.claims(), self.key.encoding())
            .expect("a SigningKey signs: it was checked when it was built")
    }
}
