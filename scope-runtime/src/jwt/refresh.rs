//! Keys that change while a verifier runs: when a token asks its dynamic sources for
//! a fetch, and what a request refused for want of a key may wait on.

use std::sync::Arc;
#[cfg(feature = "jwks-url")]
use std::{future::Future, pin::Pin, time::Duration};

use super::jwks::DynamicKeys;
use super::{JwtVerifier, VerificationKey};

/// The longest a request waits for a fetch of its verifier's sources.
#[cfg(feature = "jwks-url")]
pub(crate) const MAX_KEY_WAIT: Duration = Duration::from_secs(1);

/// A wait for the fetches of a verifier's sources, already bounded by [`MAX_KEY_WAIT`].
#[cfg(feature = "jwks-url")]
type KeyWait = Pin<Box<dyn Future<Output = ()> + Send>>;

impl JwtVerifier {
    /// Asks the dynamic sources for a fetch when the token found no key there: a `kid`
    /// that none of the keys has asks every source; a token without `kid` asks the
    /// sources that have no key at all yet (their provider was down so far). Each
    /// source rate-limits what it is asked; this returns at once.
    ///
    /// `sources` are the token's issuer's; `dynamic` holds their keys as the token was
    /// checked against, in the same order.
    pub(super) fn ask_for_keys(
        &self,
        sources: &[Arc<dyn DynamicKeys>],
        kid: Option<&str>,
        exact_kid: bool,
        dynamic: &[Arc<[VerificationKey]>],
    ) {
        for (source, keys) in sources.iter().zip(dynamic) {
            let ask = match kid {
                Some(_) => !exact_kid,
                None => keys.is_empty(),
            };
            if ask {
                source.unknown_kid();
            }
        }
    }

    /// What a request refused with `unknown key id` may wait on before it is decided
    /// once more: the end of the fetches that the sources run now or start at once,
    /// at most [`MAX_KEY_WAIT`] in all. `None` (refuse now) when no source has such a
    /// fetch, e.g. when the rate limit holds every source's next fetch back.
    #[cfg(feature = "jwks-url")]
    pub(crate) fn key_fetch_wait(&self) -> Option<KeyWait> {
        let waits: Vec<_> = self
            .dynamic_sources()
            .filter_map(|source| source.fetch_wait())
            .collect();
        if waits.is_empty() {
            return None;
        }
        Some(Box::pin(async move {
            let all = async {
                for wait in waits {
                    wait.await;
                }
            };
            let _ = tokio::time::timeout(MAX_KEY_WAIT, all).await;
        }))
    }
}
