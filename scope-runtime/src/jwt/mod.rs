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
//! Every failure is an [`AuthError`](crate::AuthError) with a fixed public text: no key material, no
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

mod builder;
#[cfg(feature = "cache")]
mod cache;
mod claims;
mod json;
pub mod jwks;
mod keys;
mod source;
mod validate;
mod verifier;

pub use builder::{
    ConfigError, DEFAULT_LEEWAY, DEFAULT_MAX_TOKEN_LEN, JwtVerifierBuilder, MAX_LEEWAY,
};
#[cfg(feature = "cache")]
pub use cache::{DEFAULT_CACHE_CAPACITY, MAX_CACHED_TOKEN_LEN};
pub use claims::{DEFAULT_SCOPES_CLAIMS, VerifiedClaims};
pub use jsonwebtoken::Algorithm;
pub use jsonwebtoken::jwk::{Jwk, JwkSet};
pub use keys::{IntoVerificationKey, KeyError, VerificationKey};
pub use source::TokenSource;
pub use verifier::JwtVerifier;

pub use jwks::{JwksError, JwksFile};
#[cfg(feature = "jwks-url")]
pub use jwks::{JwksSource, JwksUrl};

#[cfg(test)]
mod tests;
