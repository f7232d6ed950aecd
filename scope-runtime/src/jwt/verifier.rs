//! [`JwtVerifier`]: the token's place, its header, the key choice and the signature;
//! the claims are [`validate`](super::validate)'s.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::HeaderMap;
use jsonwebtoken::errors::ErrorKind;
use serde_json::{Map, Value};

#[cfg(feature = "cache")]
use super::cache;
use super::json::{b64_decode, strict_object};
use super::source;
#[cfg(feature = "cache")]
use super::validate::unix_now;
use super::{Algorithm, JwtVerifierBuilder, TokenSource, VerificationKey, VerifiedClaims, jwks};
use crate::error::{AuthError, InvalidTokenReason};

pub(super) struct Inner {
    pub(super) entries: Vec<VerificationKey>,
    /// Key sets that change while the verifier runs (JWKS URLs).
    pub(super) dynamic: Vec<Arc<dyn jwks::DynamicKeys>>,
    pub(super) leeway: Duration,
    pub(super) require_exp: bool,
    pub(super) issuers: Vec<String>,
    pub(super) audiences: Vec<String>,
    pub(super) max_token_len: usize,
    pub(super) token_source: TokenSource,
    pub(super) scopes_claim: Option<String>,
    #[cfg(feature = "cache")]
    pub(super) cache: Option<cache::TokenCache>,
}

/// Verifies bearer JWTs. Build it with [`JwtVerifier::builder`]; clone it freely
/// (an `Arc` inside); it is `Send + Sync`.
///
/// `Debug` shows the configuration (algorithms, key ids, issuers...), never key
/// material.
#[derive(Clone)]
pub struct JwtVerifier {
    pub(super) inner: Arc<Inner>,
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

pub(super) fn invalid(reason: InvalidTokenReason) -> AuthError {
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
    /// keys (or the token has no `kid` and a source has no key yet), the sources are
    /// asked to fetch again, rate-limited; this call never waits for a fetch: the token
    /// is refused now (`unknown key id`), and later tokens see the new keys. (The layer
    /// may wait up to 1 s for that fetch and decide again: see `JwksUrl`.)
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
        let alg = match header.get("alg") {
            // `none` in any casing, and any unknown name, land here.
            Some(Value::String(name)) => Algorithm::from_name(name)
                .ok_or(invalid(InvalidTokenReason::AlgorithmNotAllowed))?,
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
                .filter(|key| jwks::usable_from_jwks(key.alg));
            inner.entries.iter().chain(dynamic)
        };
        let exact_kid =
            kid.is_some_and(|kid| candidates().any(|key| key.kid.as_deref() == Some(kid)));
        // Perhaps a key the provider just rotated in, or a source not fetched yet.
        self.ask_for_keys(kid, exact_kid, &dynamic);
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
            match jsonwebtoken::crypto::verify(signature, message, &key.key, alg.backend()) {
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
