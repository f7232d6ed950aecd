//! [`JwtVerifierBuilder`]: the verifier's configuration, checked when it is built.

use std::sync::Arc;
use std::time::Duration;

#[cfg(feature = "cache")]
use super::cache;
#[cfg(feature = "jwks-url")]
use super::jwks::RemoteJwks;
use super::key_checks;
use super::keys::IntoVerificationKey;
use super::source;
use super::verifier::Inner;
use super::{JwtVerifier, KeyError, TokenSource, VerificationKey, jwks};

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

    /// Adds several keys, e.g. the result of [`VerificationKey::from_jwks_json`].
    pub fn keys(mut self, keys: impl IntoIterator<Item = VerificationKey>) -> Self {
        self.keys.extend(keys);
        self
    }

    /// Adds the keys of a running JWKS URL source (crate feature `jwks-url`; see
    /// [`JwksUrl`](super::JwksUrl)). They are used like the keys given to [`key`](Self::key), as they
    /// are at each request; a token whose `kid` no key has asks the source to fetch
    /// again (rate-limited; the token itself is refused at once, see
    /// [`verify_token`](JwtVerifier::verify_token)). A verifier with a source and no
    /// other key builds even before the source has fetched anything.
    #[cfg(feature = "jwks-url")]
    pub fn jwks(mut self, source: RemoteJwks) -> Self {
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

    /// How many verified tokens to remember (default [`DEFAULT_CACHE_CAPACITY`](super::DEFAULT_CACHE_CAPACITY)); `0`
    /// turns the cache off. A remembered token skips the signature check on its next
    /// uses; `exp`, `nbf` and key rotation are checked again at every use, and tokens
    /// over [`MAX_CACHED_TOKEN_LEN`](super::MAX_CACHED_TOKEN_LEN) are never remembered. Crate feature `cache` (on by
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
    /// ([`DEFAULT_SCOPES_CLAIMS`](super::DEFAULT_SCOPES_CLAIMS)).
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
        key_checks::ensure_crypto_provider();
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
