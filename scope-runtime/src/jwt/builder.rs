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
use super::verifier::{Inner, IssuerKeys};
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
    /// An [`Issuer`] (or, with trusted issuers, the builder's own settings) has no key
    /// and no JWKS source.
    #[error("the issuer {0:?} has no verification key and no JWKS source")]
    IssuerWithoutKeys(String),
    /// Keys were given to the builder without an issuer while [`Issuer`]s are trusted
    /// too: a token would be checked against them whatever its `iss`. Name their issuer
    /// with [`JwtVerifierBuilder::issuer`], or give them to an [`Issuer`].
    #[error("with trusted issuers, the builder's own keys need an issuer too (`.issuer(...)`)")]
    KeysWithoutIssuer,
    /// Settings were given to the builder itself (an audience, a scopes claim, a token
    /// type) but no key, beside trusted issuers: they would apply to nothing. Give them
    /// to each [`Issuer`].
    #[error(
        "with trusted issuers, the builder's own audience, scopes claim or token type \
         apply to its own keys, and it has none: set them on each Issuer"
    )]
    SettingsWithoutKeys,
    /// Two issuer configurations accept the same `iss`: a token must select one.
    #[error("the issuer {0:?} is configured twice")]
    DuplicateIssuer(String),
    /// An issuer is empty.
    #[error("an issuer is empty")]
    EmptyIssuer,
}

/// The settings of one issuer: its keys and what its tokens must say. The builder's
/// own `key`/`jwks`/`issuer`/`audience`/`scopes_claim`/`require_access_token_type`
/// fill one of them; each [`Issuer`] is another.
#[derive(Debug, Clone, Default)]
pub(super) struct IssuerSettings {
    pub(super) keys: Vec<VerificationKey>,
    pub(super) dynamic: Vec<Arc<dyn jwks::DynamicKeys>>,
    pub(super) key_error: Option<KeyError>,
    pub(super) issuers: Vec<String>,
    pub(super) audiences: Vec<String>,
    pub(super) scopes_claim: Option<String>,
    pub(super) access_token_type: bool,
}

impl IssuerSettings {
    fn has_keys(&self) -> bool {
        !self.keys.is_empty() || !self.dynamic.is_empty()
    }

    fn is_empty(&self) -> bool {
        !self.has_keys()
            && self.key_error.is_none()
            && self.issuers.is_empty()
            && self.audiences.is_empty()
            && self.scopes_claim.is_none()
            && !self.access_token_type
    }
}

/// One trusted issuer with its own keys, audiences and claim settings, for a verifier
/// that accepts the tokens of several identity providers
/// ([`JwtVerifierBuilder::trusted_issuer`]). A token is checked by the issuer its
/// `iss` names, and only with that issuer's keys.
///
/// ```
/// use scope_runtime::{Issuer, JwtVerifier, VerificationKey};
///
/// let verifier = JwtVerifier::builder()
///     .trusted_issuer(
///         Issuer::new("https://login.example.com")
///             .key(VerificationKey::hs256("first-issuer-secret-at-least-32-bytes"))
///             .audience("agent-os"),
///     )
///     .trusted_issuer(
///         Issuer::new("https://partner.example.org/realms/agents")
///             .key(VerificationKey::hs256("second-issuer-secret-at-least-32-bytes"))
///             .audience("https://agents.example.com")
///             .scopes_claim("scp")
///             .require_access_token_type(true),
///     )
///     .build()?;
/// # Ok::<(), scope_runtime::ConfigError>(())
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct Issuer {
    settings: IssuerSettings,
}

impl Issuer {
    /// The issuer whose tokens carry `iss` equal to `issuer` (compared exactly: write
    /// it as the provider does, trailing `/` included or not).
    pub fn new(issuer: impl Into<String>) -> Issuer {
        Issuer {
            settings: IssuerSettings {
                issuers: vec![issuer.into()],
                ..IssuerSettings::default()
            },
        }
    }

    /// Adds a verification key of this issuer (as [`JwtVerifierBuilder::key`]).
    pub fn key(mut self, key: impl IntoVerificationKey) -> Issuer {
        self.settings.add_key(key);
        self
    }

    /// Adds several keys of this issuer (as [`JwtVerifierBuilder::keys`]).
    pub fn keys(mut self, keys: impl IntoIterator<Item = VerificationKey>) -> Issuer {
        self.settings.keys.extend(keys);
        self
    }

    /// Adds the keys of a running JWKS URL source of this issuer (as
    /// [`JwtVerifierBuilder::jwks`]; crate feature `jwks-url`).
    #[cfg(feature = "jwks-url")]
    pub fn jwks(mut self, source: RemoteJwks) -> Issuer {
        self.settings.dynamic.push(source.dynamic());
        self
    }

    /// Accepts this issuer's tokens whose `aud` names `audience` (as
    /// [`JwtVerifierBuilder::audience`]).
    pub fn audience(mut self, audience: impl Into<String>) -> Issuer {
        self.settings.audiences.push(audience.into());
        self
    }

    /// Reads this issuer's scopes from this claim only (as
    /// [`JwtVerifierBuilder::scopes_claim`]).
    pub fn scopes_claim(mut self, name: impl Into<String>) -> Issuer {
        self.settings.scopes_claim = Some(name.into());
        self
    }

    /// Requires this issuer's tokens to be RFC 9068 access tokens (as
    /// [`JwtVerifierBuilder::require_access_token_type`]).
    pub fn require_access_token_type(mut self, require: bool) -> Issuer {
        self.settings.access_token_type = require;
        self
    }
}

impl IssuerSettings {
    fn add_key(&mut self, key: impl IntoVerificationKey) {
        match key.into_verification_key() {
            Ok(key) => self.keys.push(key),
            Err(err) => {
                self.key_error.get_or_insert(err);
            }
        }
    }
}

/// Builder of a [`JwtVerifier`]; see [`JwtVerifier::builder`].
///
/// The keys, issuers, audiences, scopes claim and token type given here are those of
/// the verifier's own issuer; [`trusted_issuer`](Self::trusted_issuer) adds more
/// issuers, each with its own. The leeway, `exp` requirement, length cap, token
/// source and cache apply to all.
#[derive(Debug, Clone)]
#[must_use]
pub struct JwtVerifierBuilder {
    own: IssuerSettings,
    trusted: Vec<IssuerSettings>,
    leeway: Duration,
    require_exp: bool,
    max_token_len: usize,
    token_source: TokenSource,
    #[cfg(feature = "cache")]
    cache_capacity: usize,
}

impl Default for JwtVerifierBuilder {
    fn default() -> Self {
        Self {
            own: IssuerSettings::default(),
            trusted: Vec::new(),
            leeway: DEFAULT_LEEWAY,
            require_exp: true,
            max_token_len: DEFAULT_MAX_TOKEN_LEN,
            token_source: TokenSource::Header,
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
        self.own.add_key(key);
        self
    }

    /// Adds several keys, e.g. the result of [`VerificationKey::from_jwks_json`].
    pub fn keys(mut self, keys: impl IntoIterator<Item = VerificationKey>) -> Self {
        self.own.keys.extend(keys);
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
        self.own.dynamic.push(source.dynamic());
        self
    }

    /// Also accepts the tokens of `issuer`, checked with its own keys and settings
    /// only (see [`Issuer`]). A token's `iss` chooses the issuer before any signature
    /// is computed; a token whose `iss` names no configured issuer is refused
    /// (`issuer mismatch`). With trusted issuers, keys given to this builder directly
    /// need [`issuer`](Self::issuer) too ([`ConfigError::KeysWithoutIssuer`]), and no
    /// two configurations may accept the same `iss` ([`ConfigError::DuplicateIssuer`]).
    pub fn trusted_issuer(mut self, issuer: Issuer) -> Self {
        self.trusted.push(issuer.settings);
        self
    }

    /// Accepts tokens whose `iss` is `issuer`. Once an issuer is configured, `iss` is
    /// required; calling this again adds another accepted issuer. Without any issuer,
    /// `iss` is not checked (only its type: a string).
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.own.issuers.push(issuer.into());
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
        self.own.audiences.push(audience.into());
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
        self.own.scopes_claim = Some(name.into());
        self
    }

    /// Requires RFC 9068 JWT access tokens: the header's `typ` must be `at+jwt` or
    /// `application/at+jwt` (case-insensitive), else `token type is not at+jwt`.
    /// Default `false`: many providers issue access tokens with `typ: JWT` or none
    /// (Auth0, Entra ID, Keycloak by default), and the signature, issuer and audience
    /// already bind a token to this service. Turn it on when your provider issues
    /// RFC 9068 tokens, so that an ID token or another JWT signed by the same keys is
    /// never taken as an access token.
    pub fn require_access_token_type(mut self, require: bool) -> Self {
        self.own.access_token_type = require;
        self
    }

    /// Builds the verifier.
    ///
    /// Errors: leeway above 60 s, a zero length cap, an invalid cookie name; for each
    /// issuer's settings, a key that failed to build ([`ConfigError::Key`]), no key
    /// ([`ConfigError::NoKeys`], [`ConfigError::IssuerWithoutKeys`]), an empty scopes
    /// claim name or issuer; across them, [`ConfigError::KeysWithoutIssuer`] and
    /// [`ConfigError::DuplicateIssuer`].
    pub fn build(self) -> Result<JwtVerifier, ConfigError> {
        key_checks::ensure_crypto_provider();
        if self.leeway > MAX_LEEWAY {
            return Err(ConfigError::LeewayTooLarge {
                leeway: self.leeway,
            });
        }
        if self.max_token_len == 0 {
            return Err(ConfigError::ZeroMaxTokenLen);
        }
        if let Some(name) = self.token_source.cookie_name()
            && (name.is_empty() || !name.bytes().all(source::is_tchar))
        {
            return Err(ConfigError::InvalidCookieName);
        }
        let mut settings = Vec::with_capacity(1 + self.trusted.len());
        let trusted_only = !self.trusted.is_empty() && self.own.is_empty();
        if !trusted_only {
            settings.push(self.own);
        }
        let several = settings.len() + self.trusted.len() > 1;
        settings.extend(self.trusted);
        let mut seen: Vec<&str> = Vec::new();
        for one in &settings {
            if let Some(err) = &one.key_error {
                return Err(ConfigError::Key(err.clone()));
            }
            if !one.has_keys() {
                return Err(match one.issuers.first() {
                    Some(issuer) if several || trusted_only => {
                        ConfigError::IssuerWithoutKeys(issuer.clone())
                    }
                    None if several => ConfigError::SettingsWithoutKeys,
                    _ => ConfigError::NoKeys,
                });
            }
            if several && one.issuers.is_empty() {
                return Err(ConfigError::KeysWithoutIssuer);
            }
            if one.scopes_claim.as_deref() == Some("") {
                return Err(ConfigError::EmptyScopesClaim);
            }
            for issuer in &one.issuers {
                if issuer.is_empty() {
                    return Err(ConfigError::EmptyIssuer);
                }
                if seen.contains(&issuer.as_str()) {
                    return Err(ConfigError::DuplicateIssuer(issuer.clone()));
                }
                seen.push(issuer);
            }
        }

        let issuers = settings.into_iter().map(IssuerKeys::from).collect();
        Ok(JwtVerifier {
            inner: Arc::new(Inner {
                issuers,
                leeway: self.leeway,
                require_exp: self.require_exp,
                max_token_len: self.max_token_len,
                token_source: self.token_source,
                #[cfg(feature = "cache")]
                cache: (self.cache_capacity > 0)
                    .then(|| cache::TokenCache::new(self.cache_capacity)),
                issuer_hint_logged: std::sync::atomic::AtomicBool::new(false),
            }),
        })
    }
}
