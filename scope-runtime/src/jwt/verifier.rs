//! [`JwtVerifier`]: the token's place, its header, the key choice and the signature;
//! the claims are [`validate`](super::validate)'s.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use http::HeaderMap;

use super::builder::IssuerSettings;
#[cfg(feature = "cache")]
use super::cache;
use super::crypto::Signature;
use super::json::{Member, b64_decode, jose_header, read_payload};
use super::source;
use super::validate::check_claim_types;
use super::validate::unix_now;
use super::{
    Algorithm, DEFAULT_SCOPES_CLAIMS, JwtVerifierBuilder, TokenSource, VerificationKey,
    VerifiedClaims, jwks,
};
use crate::error::{AuthError, InvalidTokenReason};

pub(super) struct Inner {
    /// One entry per issuer configuration, chosen by the token's `iss`; a single one
    /// without issuers accepts any `iss`.
    pub(super) issuers: Vec<IssuerKeys>,
    pub(super) leeway: Duration,
    pub(super) require_exp: bool,
    pub(super) max_token_len: usize,
    pub(super) token_source: TokenSource,
    #[cfg(feature = "cache")]
    pub(super) cache: Option<cache::TokenCache>,
    /// The trailing-`/` issuer hint was logged at WARN: later ones are at DEBUG (it is
    /// logged before any signature is checked, so anyone can ask for it).
    pub(super) issuer_hint_logged: AtomicBool,
}

/// The keys of one issuer configuration and what its tokens must say.
#[derive(Debug)]
pub(super) struct IssuerKeys {
    /// The accepted `iss` values; empty: `iss` is not checked (a lone configuration).
    pub(super) issuers: Vec<String>,
    pub(super) entries: Vec<VerificationKey>,
    /// Key sets that change while the verifier runs (JWKS URLs).
    pub(super) dynamic: Vec<Arc<dyn jwks::DynamicKeys>>,
    pub(super) audiences: Vec<String>,
    pub(super) scopes_claim: Option<String>,
    /// The header's `typ` must name an RFC 9068 access token.
    pub(super) access_token_type: bool,
}

impl From<IssuerSettings> for IssuerKeys {
    fn from(settings: IssuerSettings) -> IssuerKeys {
        IssuerKeys {
            issuers: settings.issuers,
            entries: settings.keys,
            dynamic: settings.dynamic,
            audiences: settings.audiences,
            scopes_claim: settings.scopes_claim,
            access_token_type: settings.access_token_type,
        }
    }
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
            .field("issuers", &inner.issuers)
            .field("leeway", &inner.leeway)
            .field("require_exp", &inner.require_exp)
            .field("max_token_len", &inner.max_token_len)
            .field("token_source", &inner.token_source)
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
    /// Issuer selection, before any signature is computed: with one issuer
    /// configuration, its keys (and its `iss` check, when issuers are configured);
    /// with several ([`trusted_issuer`](JwtVerifierBuilder::trusted_issuer)), the one
    /// whose issuers include the token's `iss` (none: `issuer mismatch`). Only that
    /// configuration's keys, audiences, scopes claim and token type apply.
    ///
    /// Key selection, among the chosen issuer's keys:
    /// - token with a `kid`: the keys with that key id; if none has it, the keys
    ///   configured **without** a key id (a key without `kid` accepts any token); if
    ///   there are none either → `unknown key id`;
    /// - token without a `kid`: every key;
    /// - then only the keys pinned to the token's `alg` are tried (none left →
    ///   `algorithm not allowed`; `EdDSA` and `Ed25519` name the same check, see
    ///   [`Algorithm::verifies_as`]), in configuration order, first valid signature
    ///   wins.
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
        // One reading of the clock for the whole verification.
        let now = unix_now();
        // Read before the keys are: a swap after this read makes the entry stale.
        #[cfg(feature = "cache")]
        let generation = self.key_generation();
        #[cfg(feature = "cache")]
        if let Some(cache) = &inner.cache
            && let Some(verdict) = cache.get(token, now, inner.leeway.as_secs_f64(), generation)
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
        let header_json = b64_decode(header_b64).ok_or(invalid(InvalidTokenReason::Malformed))?;
        let header = jose_header(&header_json).ok_or(invalid(InvalidTokenReason::Malformed))?;
        let alg = match &header.alg {
            // `none` in any casing, and any unknown name, land here.
            Member::Text(name) => Algorithm::from_name(name)
                .ok_or(invalid(InvalidTokenReason::AlgorithmNotAllowed))?,
            _ => return Err(invalid(InvalidTokenReason::Malformed)),
        };
        if header.crit {
            return Err(invalid(InvalidTokenReason::UnsupportedCriticalHeader));
        }
        let kid = match &header.kid {
            Member::Absent | Member::Null => None,
            Member::Text(kid) => Some(&**kid),
            Member::Number(_) | Member::Other => {
                return Err(invalid(InvalidTokenReason::Malformed));
            }
        };
        // The claims are read once, before any signature work (bounded by the length
        // cap): the issuer they name chooses the keys.
        let payload = b64_decode(payload_b64).ok_or(invalid(InvalidTokenReason::Malformed))?;
        let claims = read_payload(&payload, &|name| self.may_hold_scopes(name))
            .ok_or(invalid(InvalidTokenReason::Malformed))?;
        check_claim_types(&claims)
            .map_err(|name| invalid(InvalidTokenReason::WrongClaimType(name)))?;
        let issuer = self.issuer_of(claims.iss.text())?;
        if issuer.access_token_type && !is_access_token_type(header.typ.text()) {
            return Err(invalid(InvalidTokenReason::NotAccessToken));
        }

        // The static keys, then the keys of the dynamic sources as they are now
        // (pointer copies: never a wait on a fetch).
        let dynamic: Vec<Arc<[VerificationKey]>> = issuer
            .dynamic
            .iter()
            .map(|source| source.current())
            .collect();
        let candidates = || {
            let dynamic = dynamic
                .iter()
                .flat_map(|keys| keys.iter())
                .filter(|key| jwks::usable_from_jwks(key.alg));
            issuer.entries.iter().chain(dynamic)
        };
        let exact_kid =
            kid.is_some_and(|kid| candidates().any(|key| key.kid.as_deref() == Some(kid)));
        // Perhaps a key the provider just rotated in, or a source not fetched yet.
        self.ask_for_keys(&issuer.dynamic, kid, exact_kid, &dynamic);
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
        let mut decoded = None;
        let check = alg.verifies_as();
        for key in candidates().filter(|key| kid_matches(key) && key.alg.verifies_as() == check) {
            // Decoded once, at the first key pinned to the token's `alg`: without one,
            // the refusal is about the algorithm, whatever the signature.
            let signature = match &decoded {
                Some(signature) => signature,
                None => decoded.insert(
                    Signature::decode(signature)
                        .map_err(|_| invalid(InvalidTokenReason::Malformed))?,
                ),
            };
            let Some(signature) = signature else {
                // Longer than any key's signature.
                return Err(invalid(InvalidTokenReason::BadSignature));
            };
            if key.key.verify(message, signature) {
                let verified = self.accept(&claims, issuer, now)?.claims(payload);
                #[cfg(feature = "cache")]
                if let Some(cache) = &inner.cache {
                    cache.insert(token, &verified, generation);
                }
                return Ok(verified);
            }
        }
        let tried = decoded.is_some();
        if tried {
            Err(invalid(InvalidTokenReason::BadSignature))
        } else {
            Err(invalid(InvalidTokenReason::AlgorithmNotAllowed))
        }
    }

    /// Whether a payload member named `name` may hold the scopes, for one of the
    /// issuer configurations (its scopes claim, or a default one).
    fn may_hold_scopes(&self, name: &str) -> bool {
        DEFAULT_SCOPES_CLAIMS.contains(&name)
            || self
                .inner
                .issuers
                .iter()
                .any(|issuer| issuer.scopes_claim.as_deref() == Some(name))
    }

    /// The issuer configuration a token's claims select (types already checked).
    fn issuer_of(&self, iss: Option<&str>) -> Result<&IssuerKeys, AuthError> {
        let issuers = &self.inner.issuers;
        if let [only] = issuers.as_slice()
            && only.issuers.is_empty()
        {
            return Ok(only);
        }
        let found = iss.and_then(|iss| {
            issuers
                .iter()
                .find(|config| config.issuers.iter().any(|accepted| accepted == iss))
        });
        match (found, iss) {
            (Some(config), _) => Ok(config),
            (None, Some(iss)) => {
                // The one mistake worth a hint: the provider writes its issuer with (or
                // without) the trailing `/` the configuration does not.
                let near = issuers
                    .iter()
                    .flat_map(|c| c.issuers.iter())
                    .find(|accepted| accepted.trim_end_matches('/') == iss.trim_end_matches('/'));
                // Before any signature: anyone can send such a token, so WARN once per
                // verifier (enough to fix the configuration), DEBUG after that.
                if let Some(accepted) = near {
                    const HINT: &str = "token refused: its `iss` differs from a configured \
                                        issuer only by a trailing `/`; configure the issuer \
                                        exactly as the provider writes it";
                    if self.inner.issuer_hint_logged.swap(true, Ordering::Relaxed) {
                        tracing::debug!(token_iss = iss, configured = accepted.as_str(), "{HINT}");
                    } else {
                        tracing::warn!(token_iss = iss, configured = accepted.as_str(), "{HINT}");
                    }
                }
                Err(invalid(InvalidTokenReason::BadIssuer))
            }
            (None, None) => Err(invalid(InvalidTokenReason::BadIssuer)),
        }
    }

    /// Every JWKS URL source of every issuer configuration.
    pub(crate) fn dynamic_sources(&self) -> impl Iterator<Item = &Arc<dyn jwks::DynamicKeys>> {
        self.inner
            .issuers
            .iter()
            .flat_map(|config| config.dynamic.iter())
    }

    /// The key-set generation: the sum of the dynamic sources' swap counters (each only
    /// grows, so the sum changes whenever any source's keys may have changed).
    #[cfg(feature = "cache")]
    fn key_generation(&self) -> u64 {
        self.dynamic_sources()
            .fold(0u64, |sum, source| sum.wrapping_add(source.generation()))
    }
}

/// RFC 9068 §4: `typ` is `at+jwt`, or its full media type `application/at+jwt`
/// (media types are case-insensitive).
fn is_access_token_type(typ: Option<&str>) -> bool {
    const MEDIA_PREFIX: &str = "application/";
    let Some(typ) = typ else {
        return false;
    };
    let subtype = match typ.get(..MEDIA_PREFIX.len()) {
        Some(prefix) if prefix.eq_ignore_ascii_case(MEDIA_PREFIX) => &typ[MEDIA_PREFIX.len()..],
        _ => typ,
    };
    subtype.eq_ignore_ascii_case("at+jwt")
}

#[cfg(test)]
mod typ_tests {
    use super::is_access_token_type;

    #[test]
    fn access_token_types() {
        for typ in [
            "at+jwt",
            "AT+JWT",
            "application/at+jwt",
            "Application/At+JWT",
        ] {
            assert!(is_access_token_type(Some(typ)), "{typ}");
        }
        // (A `typ` that is not a string is no type at all: `Member::text` is `None`.)
        for typ in [
            "JWT",
            "at+jwt ",
            "application/jwt",
            "applicationat+jwt",
            "application/application/at+jwt",
        ] {
            assert!(!is_access_token_type(Some(typ)), "{typ}");
        }
        assert!(!is_access_token_type(None));
    }
}
