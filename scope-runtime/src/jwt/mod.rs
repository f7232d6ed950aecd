//! JWT verification: keys, token extraction, signature and claims checks, scopes.
//!
//! A [`JwtVerifier`] is built once at start-up with [`JwtVerifier::builder`] and shared
//! (it is an `Arc` inside). For every request it
//!
//! 1. extracts the token ([`TokenSource`]: `Authorization: Bearer`, or a cookie with
//!    the `cookie` feature),
//! 2. refuses tokens longer than the cap (default 8 KiB) before decoding anything,
//! 3. reads the JWS header; the token's `alg` never chooses the algorithm: it only
//!    selects, among the configured [`VerificationKey`]s (each pinned to one
//!    algorithm), those pinned to that `alg`; `none` and unknown names never verify,
//! 4. picks candidate keys by `kid` (see [`JwtVerifier::verify_token`]) and verifies the
//!    signature with at most those keys,
//! 5. validates the claims: `exp` (required by default), `nbf`, `iss` and `aud` when
//!    configured, with a leeway (default 30 s), and the JSON types of the registered
//!    claims,
//! 6. returns the [`VerifiedClaims`], scopes included.
//!
//! Every failure is an [`AuthError`] with a fixed public text: no key material, no
//! token, no internal error text of the JWT library. Nothing here panics on input.
//!
//! The crypto backend is jsonwebtoken's pure-Rust `rust_crypto` one; it is installed as
//! jsonwebtoken's process-wide provider automatically when a key or a verifier is
//! built (unless the application installed a provider of its own first), so there is
//! no "no crypto provider" panic to guard against. (Only if another crate of the
//! application also enables jsonwebtoken's `aws_lc_rs` feature *and* calls jsonwebtoken
//! before any key or verifier is built does the choice fall back to jsonwebtoken; build
//! the verifier first, or call `CryptoProvider::install_default` yourself.)
//!
//! ```
//! use jsonwebtoken::{encode, EncodingKey, Header};
//! use scope_runtime::jwt::{JwtVerifier, VerificationKey};
//!
//! let secret = "your-secret-key-at-least-256-bits-long";
//! let verifier = JwtVerifier::builder()
//!     .key(VerificationKey::hs256(secret)?)
//!     .build()?;
//!
//! let exp = jsonwebtoken::get_current_timestamp() + 3600;
//! let claims = serde_json::json!({ "sub": "user-1", "exp": exp, "scopes": ["app:read"] });
//! let token = encode(&Header::default(), &claims, &EncodingKey::from_secret(secret.as_bytes()))?;
//!
//! let mut headers = http::HeaderMap::new();
//! headers.insert("authorization", format!("Bearer {token}").parse()?);
//! let verified = verifier.verify_headers(&headers)?;
//! assert_eq!(verified.subject(), Some("user-1"));
//! assert!(verified.has_scope("app:read"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::HeaderMap;
use jsonwebtoken::errors::ErrorKind;
use serde_json::{Map, Value};

use crate::error::{AuthError, InvalidTokenReason};

#[cfg(feature = "cache")]
mod cache;
mod claims;
pub mod jwks;
mod keys;
mod source;

#[cfg(feature = "cache")]
pub use cache::{DEFAULT_CACHE_CAPACITY, MAX_CACHED_TOKEN_LEN};
pub use claims::{DEFAULT_SCOPES_CLAIMS, VerifiedClaims};
pub use jsonwebtoken::Algorithm;
pub use jsonwebtoken::jwk::{Jwk, JwkSet};
pub use keys::{IntoVerificationKey, KeyError, VerificationKey};
pub use source::TokenSource;

pub use jwks::{JwksError, JwksFile};
#[cfg(feature = "jwks-url")]
pub use jwks::{JwksSource, JwksUrl};

/// The default clock-skew leeway applied to `exp` and `nbf`: 30 seconds.
pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(30);
/// The largest leeway [`JwtVerifierBuilder::leeway`] accepts: 60 seconds.
pub const MAX_LEEWAY: Duration = Duration::from_secs(60);
/// The default cap on the raw token length: 8 KiB.
pub const DEFAULT_MAX_TOKEN_LEN: usize = 8 * 1024;

/// Why a [`JwtVerifier`] could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// No verification key (and no JWKS URL source, `JwtVerifierBuilder::jwks`) was
    /// given.
    #[error("a JwtVerifier needs at least one verification key")]
    NoKeys,
    /// The leeway is larger than [`MAX_LEEWAY`].
    #[error("the leeway ({leeway:?}) exceeds the maximum of 60 s")]
    LeewayTooLarge {
        /// The leeway that was asked for.
        leeway: Duration,
    },
    /// The token length cap is zero.
    #[error("the maximum token length must be at least 1")]
    ZeroMaxTokenLen,
    /// The scopes claim name is empty.
    #[error("the scopes claim name is empty")]
    EmptyScopesClaim,
    /// The cookie name is empty or not an RFC 6265 cookie name (an RFC 9110 token).
    #[error("invalid cookie name")]
    InvalidCookieName,
    /// A key given to [`JwtVerifierBuilder::key`] as a failed constructor result.
    #[error("invalid verification key: {0}")]
    Key(#[from] KeyError),
}

struct Inner {
    entries: Vec<VerificationKey>,
    /// Key sets that change while the verifier runs (JWKS URLs).
    dynamic: Vec<Arc<dyn jwks::DynamicKeys>>,
    leeway: Duration,
    require_exp: bool,
    issuers: Vec<String>,
    audiences: Vec<String>,
    max_token_len: usize,
    token_source: TokenSource,
    scopes_claim: Option<String>,
    #[cfg(feature = "cache")]
    cache: Option<cache::TokenCache>,
}

/// Verifies bearer JWTs. Build it with [`JwtVerifier::builder`]; clone it freely
/// (an `Arc` inside); it is `Send + Sync`.
///
/// `Debug` shows the configuration (algorithms, key ids, issuers...), never key
/// material.
#[derive(Clone)]
pub struct JwtVerifier {
    inner: Arc<Inner>,
}

/// Builder of a [`JwtVerifier`]; see [`JwtVerifier::builder`].
#[derive(Debug, Clone)]
#[must_use]
pub struct JwtVerifierBuilder {
    keys: Vec<VerificationKey>,
    dynamic: Vec<Arc<dyn jwks::DynamicKeys>>,
    key_error: Option<KeyError>,
    issuers: Vec<String>,
    audiences: Vec<String>,
    leeway: Duration,
    require_exp: bool,
    max_token_len: usize,
    token_source: TokenSource,
    scopes_claim: Option<String>,
    #[cfg(feature = "cache")]
    cache_capacity: usize,
}

impl Default for JwtVerifierBuilder {
    fn default() -> Self {
        Self {
            keys: Vec::new(),
            dynamic: Vec::new(),
            key_error: None,
            issuers: Vec::new(),
            audiences: Vec::new(),
            leeway: DEFAULT_LEEWAY,
            require_exp: true,
            max_token_len: DEFAULT_MAX_TOKEN_LEN,
            token_source: TokenSource::Header,
            scopes_claim: None,
            #[cfg(feature = "cache")]
            cache_capacity: cache::DEFAULT_CACHE_CAPACITY,
        }
    }
}

impl JwtVerifierBuilder {
    /// Adds a verification key. Several keys may be configured (key rotation, several
    /// issuers' algorithms); see [`JwtVerifier::verify_token`] for how one is chosen.
    ///
    /// Takes a [`VerificationKey`] or a constructor's `Result` directly (see
    /// [`IntoVerificationKey`]); the first `Err` is reported by
    /// [`build`](Self::build) as [`ConfigError::Key`].
    pub fn key(mut self, key: impl IntoVerificationKey) -> Self {
        match key.into_verification_key() {
            Ok(key) => self.keys.push(key),
            Err(err) => {
                self.key_error.get_or_insert(err);
            }
        }
        self
    }

    /// Adds several keys, e.g. the result of [`VerificationKey::from_jwks`].
    pub fn keys(mut self, keys: impl IntoIterator<Item = VerificationKey>) -> Self {
        self.keys.extend(keys);
        self
    }

    /// Adds the keys of a running JWKS URL source (crate feature `jwks-url`; see
    /// [`JwksUrl`]). They are used like the keys given to [`key`](Self::key), as they
    /// are at each request; a token whose `kid` no key has asks the source to fetch
    /// again (rate-limited; the token itself is refused at once, see
    /// [`verify_token`](JwtVerifier::verify_token)). A verifier with a source and no
    /// other key builds even before the source has fetched anything.
    #[cfg(feature = "jwks-url")]
    pub fn jwks(mut self, source: JwksSource) -> Self {
        self.dynamic.push(source.dynamic());
        self
    }

    /// Accepts tokens whose `iss` is `issuer`. Once an issuer is configured, `iss` is
    /// required; calling this again adds another accepted issuer. Without any issuer,
    /// `iss` is not checked (only its type: a string).
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuers.push(issuer.into());
        self
    }

    /// Accepts tokens whose `aud` (a string, or an array of strings) names `audience`.
    /// Once an audience is configured, `aud` is required; calling this again adds
    /// another accepted audience.
    ///
    /// Without any configured audience, a token that **carries** an `aud` claim is
    /// refused (`audience mismatch`), as RFC 7519 §4.1.3 requires ("if the principal
    /// processing the claim does not identify itself with a value in the `aud` claim
    /// when this claim is present, then the JWT MUST be rejected") and as PyJWT and
    /// jsonwebtoken do; tokens without `aud` are accepted.
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audiences.push(audience.into());
        self
    }

    /// The clock-skew leeway for `exp` and `nbf`. Default [`DEFAULT_LEEWAY`] (30 s);
    /// at most [`MAX_LEEWAY`] (60 s), larger values make [`build`](Self::build) fail.
    /// Counted in whole seconds (sub-second parts are dropped).
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// Whether `exp` is required (default `true`). When `false`, tokens without `exp`
    /// are accepted, but an `exp` that is present is still checked.
    pub fn require_exp(mut self, require: bool) -> Self {
        self.require_exp = require;
        self
    }

    /// The cap on the raw token length, in bytes, checked before any decoding.
    /// Default [`DEFAULT_MAX_TOKEN_LEN`] (8 KiB).
    pub fn max_token_len(mut self, max: usize) -> Self {
        self.max_token_len = max;
        self
    }

    /// How many verified tokens to remember (default [`DEFAULT_CACHE_CAPACITY`]); `0`
    /// turns the cache off. A remembered token skips the signature check on its next
    /// uses; `exp`, `nbf` and key rotation are checked again at every use, and tokens
    /// over [`MAX_CACHED_TOKEN_LEN`] are never remembered. Crate feature `cache` (on by
    /// default).
    #[cfg(feature = "cache")]
    pub fn cache_capacity(mut self, entries: usize) -> Self {
        self.cache_capacity = entries;
        self
    }

    /// Where the token is read from. Default [`TokenSource::Header`]; the cookie
    /// sources need the crate feature `cookie`.
    pub fn token_source(mut self, source: TokenSource) -> Self {
        self.token_source = source;
        self
    }

    /// Reads the scopes from this claim only (e.g. `"permissions"` for Auth0 RBAC).
    /// Default: the first present of `scopes`, `scope`, `scp`
    /// ([`DEFAULT_SCOPES_CLAIMS`]).
    pub fn scopes_claim(mut self, name: impl Into<String>) -> Self {
        self.scopes_claim = Some(name.into());
        self
    }

    /// Builds the verifier.
    ///
    /// Errors: a key that failed to build ([`ConfigError::Key`]), no key
    /// ([`ConfigError::NoKeys`]), leeway above 60 s, a zero length cap, an empty scopes
    /// claim name, an invalid cookie name.
    pub fn build(self) -> Result<JwtVerifier, ConfigError> {
        keys::ensure_crypto_provider();
        if let Some(err) = self.key_error {
            return Err(ConfigError::Key(err));
        }
        if self.keys.is_empty() && self.dynamic.is_empty() {
            return Err(ConfigError::NoKeys);
        }
        if self.leeway > MAX_LEEWAY {
            return Err(ConfigError::LeewayTooLarge {
                leeway: self.leeway,
            });
        }
        if self.max_token_len == 0 {
            return Err(ConfigError::ZeroMaxTokenLen);
        }
        if self.scopes_claim.as_deref() == Some("") {
            return Err(ConfigError::EmptyScopesClaim);
        }
        if let Some(name) = self.token_source.cookie_name()
            && (name.is_empty() || !name.bytes().all(source::is_tchar))
        {
            return Err(ConfigError::InvalidCookieName);
        }

        // The claims are checked by `accept` after the signature, on the JSON values
        // themselves (dates as JSON numbers, so before 1970 and beyond u64 too): one
        // parse of the payload, and the very checks the verified-token cache repeats.
        let entries = self.keys;
        Ok(JwtVerifier {
            inner: Arc::new(Inner {
                entries,
                dynamic: self.dynamic,
                leeway: self.leeway,
                require_exp: self.require_exp,
                issuers: self.issuers,
                audiences: self.audiences,
                max_token_len: self.max_token_len,
                token_source: self.token_source,
                scopes_claim: self.scopes_claim,
                #[cfg(feature = "cache")]
                cache: (self.cache_capacity > 0)
                    .then(|| cache::TokenCache::new(self.cache_capacity)),
            }),
        })
    }
}

impl fmt::Debug for JwtVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &*self.inner;
        f.debug_struct("JwtVerifier")
            .field("keys", &inner.entries.iter().collect::<Vec<_>>())
            .field("key_sources", &inner.dynamic)
            .field("issuers", &inner.issuers)
            .field("audiences", &inner.audiences)
            .field("leeway", &inner.leeway)
            .field("require_exp", &inner.require_exp)
            .field("max_token_len", &inner.max_token_len)
            .field("token_source", &inner.token_source)
            .field("scopes_claim", &inner.scopes_claim)
            .finish()
    }
}

fn invalid(reason: InvalidTokenReason) -> AuthError {
    AuthError::InvalidToken(reason)
}

impl JwtVerifier {
    /// A builder with the defaults: no key yet, leeway 30 s, `exp` required, 8 KiB cap,
    /// `Authorization` header, default scopes claims.
    pub fn builder() -> JwtVerifierBuilder {
        JwtVerifierBuilder::default()
    }

    /// Where this verifier reads the token.
    pub fn token_source(&self) -> &TokenSource {
        &self.inner.token_source
    }

    /// Extracts the raw token from the request headers, as the [`TokenSource`] says,
    /// without verifying it. See [`TokenSource`] for the errors.
    pub fn extract_token<'h>(&self, headers: &'h HeaderMap) -> Result<&'h str, AuthError> {
        source::extract(&self.inner.token_source, headers)
    }

    /// [`extract_token`](Self::extract_token) then [`verify_token`](Self::verify_token).
    pub fn verify_headers(&self, headers: &HeaderMap) -> Result<VerifiedClaims, AuthError> {
        let token = self.extract_token(headers)?;
        self.verify_token(token)
    }

    /// Verifies a raw token (without the `Bearer ` prefix).
    ///
    /// Key selection:
    /// - token with a `kid`: the keys with that key id; if none has it, the keys
    ///   configured **without** a key id (a key without `kid` accepts any token); if
    ///   there are none either → `unknown key id`;
    /// - token without a `kid`: every key;
    /// - then only the keys pinned to the token's `alg` are tried (none left →
    ///   `algorithm not allowed`), in configuration order, first valid signature wins.
    ///
    /// At most the configured keys are tried, and a malformed token is refused before
    /// any signature is computed.
    ///
    /// The keys of JWKS URL sources (`JwtVerifierBuilder::jwks`) take part as they are
    /// at this moment (after the static keys). When the token's `kid` names none of the
    /// keys, the sources are asked to fetch again, rate-limited; this call never waits
    /// for a fetch: the token is refused now (`unknown key id`), and later tokens see
    /// the new keys.
    pub fn verify_token(&self, token: &str) -> Result<VerifiedClaims, AuthError> {
        let result = self.verify_inner(token);
        if let Err(err) = &result {
            tracing::debug!(error = %err, "bearer token rejected");
        }
        result
    }

    fn verify_inner(&self, token: &str) -> Result<VerifiedClaims, AuthError> {
        let inner = &*self.inner;
        if token.len() > inner.max_token_len {
            return Err(invalid(InvalidTokenReason::TooLong));
        }
        // Read before the keys are: a swap after this read makes the entry stale.
        #[cfg(feature = "cache")]
        let generation = self.key_generation();
        #[cfg(feature = "cache")]
        if let Some(cache) = &inner.cache
            && let Some(verdict) =
                cache.get(token, unix_now(), inner.leeway.as_secs_f64(), generation)
        {
            return verdict;
        }
        let mut parts = token.split('.');
        let (Some(header_b64), Some(payload_b64), Some(_signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid(InvalidTokenReason::Malformed));
        };
        if header_b64.is_empty() || payload_b64.is_empty() {
            return Err(invalid(InvalidTokenReason::Malformed));
        }

        // Our own reading of the header, for precise reasons (`alg: none`, `crit`,
        // `kid`). A JSON object with unique members, nested at most 128 deep (serde_json's
        // limit), else malformed.
        let header: Map<String, Value> = b64_decode(header_b64)
            .and_then(|bytes| strict_object(&bytes))
            .ok_or(invalid(InvalidTokenReason::Malformed))?;
        let alg: Algorithm = match header.get("alg") {
            // `none` in any casing, and any unknown name, land here.
            Some(Value::String(name)) => name
                .parse()
                .map_err(|_| invalid(InvalidTokenReason::AlgorithmNotAllowed))?,
            _ => return Err(invalid(InvalidTokenReason::Malformed)),
        };
        if header.contains_key("crit") {
            return Err(invalid(InvalidTokenReason::UnsupportedCriticalHeader));
        }
        let kid = match header.get("kid") {
            None | Some(Value::Null) => None,
            Some(Value::String(kid)) => Some(kid.as_str()),
            Some(_) => return Err(invalid(InvalidTokenReason::Malformed)),
        };
        // The payload must at least be base64url before any signature work.
        let payload = b64_decode(payload_b64).ok_or(invalid(InvalidTokenReason::Malformed))?;

        // The static keys, then the keys of the dynamic sources as they are now
        // (pointer copies: never a wait on a fetch).
        let dynamic: Vec<Arc<[VerificationKey]>> = inner
            .dynamic
            .iter()
            .map(|source| source.current())
            .collect();
        let candidates = || {
            let dynamic = dynamic
                .iter()
                .flat_map(|keys| keys.iter())
                .filter(|key| jwks::JWKS_ALGORITHMS.contains(&key.alg));
            inner.entries.iter().chain(dynamic)
        };
        let exact_kid =
            kid.is_some_and(|kid| candidates().any(|key| key.kid.as_deref() == Some(kid)));
        if kid.is_some() && !exact_kid {
            // Perhaps a key the provider just rotated in: ask for a fetch (rate-limited
            // by each source); this token does not wait for it.
            for source in &inner.dynamic {
                source.unknown_kid();
            }
        }
        let kid_matches = |key: &VerificationKey| match kid {
            None => true,
            Some(kid) if exact_kid => key.kid.as_deref() == Some(kid),
            Some(_) => key.kid.is_none(),
        };
        if !candidates().any(kid_matches) {
            return Err(invalid(InvalidTokenReason::UnknownKeyId));
        }

        // The signature, with each key pinned to the token's `alg` (and matching its
        // `kid`), over the exact bytes `header.payload`.
        let message = &token.as_bytes()[..header_b64.len() + 1 + payload_b64.len()];
        let signature = &token[message.len() + 1..];
        let mut tried = false;
        for key in candidates().filter(|key| kid_matches(key) && key.alg == alg) {
            tried = true;
            match jsonwebtoken::crypto::verify(signature, message, &key.key, alg) {
                Ok(true) => {
                    let verified = self.accept(&payload)?;
                    #[cfg(feature = "cache")]
                    if let Some(cache) = &inner.cache {
                        cache.insert(token, &verified, generation);
                    }
                    return Ok(verified);
                }
                Ok(false) => {}
                Err(err) => match err.kind() {
                    ErrorKind::Base64(_) => return Err(invalid(InvalidTokenReason::Malformed)),
                    _ => {
                        // Keys are validated when built, so this is unexpected: say so
                        // (without details, which might describe the key) and go on.
                        tracing::warn!(
                            kid = ?key.kid,
                            alg = ?key.alg,
                            "verification key could not be used by the crypto backend"
                        );
                    }
                },
            }
        }
        if tried {
            Err(invalid(InvalidTokenReason::BadSignature))
        } else {
            Err(invalid(InvalidTokenReason::AlgorithmNotAllowed))
        }
    }

    /// The signature is valid: read the payload once and check the registered claims,
    /// in this order: JSON types, `iss`, `aud`, `exp` (required by default), dates. Then
    /// collect the scopes.
    fn accept(&self, payload: &[u8]) -> Result<VerifiedClaims, AuthError> {
        let claims = strict_object(payload).ok_or(invalid(InvalidTokenReason::Malformed))?;
        claims::check_claim_types(&claims)
            .map_err(|name| invalid(InvalidTokenReason::WrongClaimType(name)))?;
        let inner = &*self.inner;
        // Types are checked: `iss` is a string, `aud` a string or an array of strings.
        if !inner.issuers.is_empty() {
            let iss = claims.get("iss").and_then(Value::as_str);
            if !iss.is_some_and(|iss| inner.issuers.iter().any(|i| i == iss)) {
                return Err(invalid(InvalidTokenReason::BadIssuer));
            }
        }
        match claims.get("aud") {
            // RFC 7519 §4.1.3: a principal that does not identify itself with a value of
            // a present `aud` must refuse the token, so with no audience configured any
            // `aud` is refused.
            Some(aud) => {
                let named = |a: &str| inner.audiences.iter().any(|c| c == a);
                let ok = match aud {
                    Value::String(a) => named(a),
                    Value::Array(items) => items.iter().filter_map(Value::as_str).any(named),
                    _ => false,
                };
                if !ok {
                    return Err(invalid(InvalidTokenReason::BadAudience));
                }
            }
            None if !inner.audiences.is_empty() => {
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
            self.inner.scopes_claim.as_deref(),
        ))
    }

    /// The key-set generation: the sum of the dynamic sources' swap counters (each only
    /// grows, so the sum changes whenever any source's keys may have changed).
    #[cfg(feature = "cache")]
    fn key_generation(&self) -> u64 {
        self.inner
            .dynamic
            .iter()
            .fold(0u64, |sum, source| sum.wrapping_add(source.generation()))
    }
}

/// Parses a JSON object whose members are all distinct: a duplicate member (two `exp`,
/// two `alg`) makes the token malformed instead of letting the last one win.
fn strict_object(json: &[u8]) -> Option<Map<String, Value>> {
    struct Unique(Map<String, Value>);
    impl<'de> serde::Deserialize<'de> for Unique {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            struct Members;
            impl<'de> serde::de::Visitor<'de> for Members {
                type Value = Unique;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("a JSON object")
                }
                fn visit_map<A: serde::de::MapAccess<'de>>(
                    self,
                    mut access: A,
                ) -> Result<Unique, A::Error> {
                    let mut map = Map::new();
                    while let Some((key, value)) = access.next_entry::<String, Value>()? {
                        if map.contains_key(&key) {
                            return Err(serde::de::Error::custom("duplicate member"));
                        }
                        map.insert(key, value);
                    }
                    Ok(Unique(map))
                }
            }
            deserializer.deserialize_map(Members)
        }
    }
    serde_json::from_slice::<Unique>(json).ok().map(|u| u.0)
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

/// Strict base64url without padding (RFC 7515 §2): non-canonical trailing bits and
/// padding are refused, as jsonwebtoken refuses them.
pub(crate) fn b64_decode(input: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(input)
        .ok()
}

#[cfg(test)]
mod tests;
