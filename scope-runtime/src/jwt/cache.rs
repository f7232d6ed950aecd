//! The verified-token cache (cargo feature `cache`, on by default).
//!
//! A token that verified once is remembered, keyed by its whole text, so the next
//! request with the same token skips the signature check (the expensive part for RSA,
//! ECDSA and EdDSA). It is safe because a hit needs the exact same bytes that verified;
//! what can change between two requests is re-checked at every hit:
//!
//! - time: `exp` and `nbf` are compared with the clock again (same leeway);
//! - keys: every entry records the key-set generation it verified under, and a hit from
//!   an older generation counts as a miss (a key rotated out stops working at once).
//!
//! Bounds: at most `capacity` entries (S3-FIFO eviction, so a flood of distinct tokens
//! evicts itself, not the hot tokens); tokens longer than [`MAX_CACHED_TOKEN_LEN`] are
//! never stored. Verification runs without any cache lock held; only the map's own
//! short shard locks are taken, for the lookup and for the insert.

use quick_cache::sync::Cache;

use super::VerifiedClaims;
use super::validate::check_times;
use crate::error::AuthError;

/// Tokens longer than this are verified every time, never cached (4 KiB).
pub const MAX_CACHED_TOKEN_LEN: usize = 4 * 1024;

/// Entries kept by default: 4,096 (at most about 20 MiB with 4 KiB tokens, typically
/// under 4 MiB).
pub const DEFAULT_CACHE_CAPACITY: usize = 4096;

#[derive(Clone)]
struct Entry {
    claims: VerifiedClaims,
    exp: Option<f64>,
    nbf: Option<f64>,
    generation: u64,
}

pub(crate) struct TokenCache {
    entries: Cache<Box<str>, Entry>,
}

impl TokenCache {
    pub(crate) fn new(capacity: usize) -> TokenCache {
        TokenCache {
            entries: Cache::new(capacity),
        }
    }

    /// A remembered verdict for `token`: `None` on a miss (verify it), else the claims,
    /// or the time-based refusal that applies now.
    pub(crate) fn get(
        &self,
        token: &str,
        now: f64,
        leeway: f64,
        generation: u64,
    ) -> Option<Result<VerifiedClaims, AuthError>> {
        let entry = self.entries.get(token)?;
        if entry.generation != generation {
            self.entries.remove(token);
            return None;
        }
        // The very check a fresh verification applies.
        if let Err(refusal) = check_times(entry.exp, entry.nbf, now, leeway) {
            if refusal == AuthError::Expired {
                self.entries.remove(token);
            }
            return Some(Err(refusal));
        }
        Some(Ok(entry.claims))
    }

    /// Remembers a token that has just verified under key-set `generation`.
    pub(crate) fn insert(&self, token: &str, claims: &VerifiedClaims, generation: u64) {
        if token.len() > MAX_CACHED_TOKEN_LEN {
            return;
        }
        let (exp, nbf) = claims.dates();
        self.entries.insert(
            token.into(),
            Entry {
                exp,
                nbf,
                claims: claims.clone(),
                generation,
            },
        );
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn claims(value: serde_json::Value) -> VerifiedClaims {
        VerifiedClaims::from_claims(value.as_object().expect("object").clone())
    }

    const NOW: f64 = 1_800_000_000.0;

    #[test]
    fn a_hit_returns_the_claims_and_rechecks_time() {
        let cache = TokenCache::new(16);
        cache.insert("t", &claims(json!({"sub": "a", "exp": NOW + 60.0})), 0);
        let hit = cache.get("t", NOW, 0.0, 0).expect("hit").expect("valid");
        assert_eq!(hit.subject(), Some("a"));
        // An hour later the same entry has expired: refused, and forgotten.
        assert!(matches!(
            cache.get("t", NOW + 3600.0, 0.0, 0),
            Some(Err(AuthError::Expired))
        ));
        assert!(cache.get("t", NOW, 0.0, 0).is_none());
    }

    #[test]
    fn not_yet_valid_entries_are_refused_until_nbf() {
        let cache = TokenCache::new(16);
        cache.insert("t", &claims(json!({"nbf": NOW + 100.0})), 0);
        assert!(matches!(
            cache.get("t", NOW, 30.0, 0),
            Some(Err(AuthError::InvalidToken(_)))
        ));
        assert!(matches!(cache.get("t", NOW + 100.0, 30.0, 0), Some(Ok(_))));
    }

    #[test]
    fn another_key_generation_is_a_miss() {
        let cache = TokenCache::new(16);
        cache.insert("t", &claims(json!({})), 1);
        assert!(cache.get("t", NOW, 0.0, 2).is_none());
        assert!(
            cache.get("t", NOW, 0.0, 1).is_none(),
            "the stale entry is dropped"
        );
    }

    #[test]
    fn long_tokens_are_never_stored() {
        let cache = TokenCache::new(16);
        let long = "x".repeat(MAX_CACHED_TOKEN_LEN + 1);
        cache.insert(&long, &claims(json!({})), 0);
        assert_eq!(cache.len(), 0);
        let longest = "x".repeat(MAX_CACHED_TOKEN_LEN);
        cache.insert(&longest, &claims(json!({})), 0);
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn a_flood_of_distinct_tokens_stays_within_capacity() {
        let cache = TokenCache::new(64);
        for i in 0..10_000 {
            cache.insert(&format!("token-{i}"), &claims(json!({})), 0);
        }
        assert!(cache.len() <= 64, "{} entries", cache.len());
    }
}
