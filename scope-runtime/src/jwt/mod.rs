//! JWT verification: keys, token extraction, signature and claims checks, scopes.
//! The user-facing story is the crate documentation's "Verifying tokens"; this module
//! only declares its parts and re-exports them.

mod algorithm;
mod builder;
#[cfg(feature = "cache")]
mod cache;
mod claims;
mod crypto;
mod json;
mod jwk;
mod jwks;
mod key_checks;
mod keys;
mod refresh;
mod source;
mod validate;
mod verifier;

pub use algorithm::Algorithm;
pub use builder::{
    ConfigError, DEFAULT_LEEWAY, DEFAULT_MAX_TOKEN_LEN, Issuer, JwtVerifierBuilder, MAX_LEEWAY,
};
#[cfg(feature = "cache")]
pub use cache::{DEFAULT_CACHE_CAPACITY, MAX_CACHED_TOKEN_LEN};
pub use claims::{DEFAULT_SCOPES_CLAIMS, VerifiedClaims};
pub use keys::{IntoVerificationKey, KeyError, SkippedKey, VerificationKey};
pub use source::TokenSource;
pub use verifier::JwtVerifier;

#[cfg(feature = "jwks-url")]
pub use jwks::{
    DEFAULT_FETCH_TIMEOUT, DEFAULT_MAX_BODY_SIZE, DEFAULT_MAX_FETCHES_PER_MINUTE, DEFAULT_MAX_KEYS,
    DEFAULT_MIN_REFRESH_INTERVAL, DEFAULT_REFRESH_INTERVAL, DEFAULT_RETRY_BACKOFF, JwksStatus,
    JwksUrl, RemoteJwks,
};
pub use jwks::{DEFAULT_RSA_ALGORITHMS, JwksError, JwksFile, MAX_JWKS_FILE_SIZE, parse_jwks};

#[cfg(feature = "test-util")]
pub(crate) use key_checks::ensure_crypto_provider;

#[cfg(test)]
mod tests;
