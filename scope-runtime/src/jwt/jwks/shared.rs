//! [`RemoteJwks`]: the handle of a running JWKS URL source, and the state that its
//! clones, the verifiers and the background task share.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, RwLock};
use std::time::{Duration, SystemTime};

use tokio::time::Instant;

use tokio::sync::{Notify, watch};
use tokio::task::AbortHandle;

use super::DynamicKeys;
use super::fetch::FetchError;
use crate::jwt::VerificationKey;

/// A running JWKS URL source (see [`JwksUrl`](super::JwksUrl)): give it to
/// [`JwtVerifierBuilder::jwks`](crate::jwt::JwtVerifierBuilder::jwks). Cheap to clone
/// (an `Arc` inside); clones share the keys and the background task, which stops when
/// the last clone is dropped.
#[derive(Clone)]
pub struct RemoteJwks {
    pub(super) shared: Arc<Shared>,
}

/// What a [`RemoteJwks`] has done so far ([`RemoteJwks::status`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct JwksStatus {
    /// The number of verification keys in use now (an RSA key without `alg` counts
    /// once per configured RSA algorithm).
    pub key_count: usize,
    /// The distinct key ids in use now, in document order.
    pub key_ids: Vec<String>,
    /// Fetches that replaced the keys.
    pub successful_fetches: u64,
    /// Fetches that failed (the keys were kept).
    pub failed_fetches: u64,
    /// Tokens that asked for a fetch: their `kid` no key of their verifier had, or
    /// they had no `kid` while this source had no key yet (the rate limit merges
    /// them).
    pub unknown_kid_requests: u64,
    /// When the keys were last replaced.
    pub last_success: Option<SystemTime>,
    /// Why the last failed fetch failed (cleared by a success).
    pub last_error: Option<String>,
}

impl RemoteJwks {
    /// The keys in use now (empty until the first successful fetch).
    pub fn keys(&self) -> Arc<[VerificationKey]> {
        self.shared.current()
    }

    /// The URL (or issuer) this source was configured with.
    pub fn url(&self) -> &str {
        &self.shared.label
    }

    /// Counters and the last outcome, for health checks and logs.
    pub fn status(&self) -> JwksStatus {
        let keys = self.shared.current();
        let mut key_ids: Vec<String> = Vec::new();
        for kid in keys.iter().filter_map(VerificationKey::kid) {
            if !key_ids.iter().any(|k| k == kid) {
                key_ids.push(kid.to_owned());
            }
        }
        let status = self.shared.status();
        JwksStatus {
            key_count: keys.len(),
            key_ids,
            successful_fetches: status.successful_fetches,
            failed_fetches: status.failed_fetches,
            unknown_kid_requests: self.shared.unknown_kids.load(Ordering::Relaxed),
            last_success: status.last_success,
            last_error: status.last_error,
        }
    }

    /// Waits until the source has keys (its first successful fetch), at most
    /// `timeout`; `true` if it has them. A request waits for keys at most 1 s (in
    /// [`ScopeLayer`](crate::ScopeLayer), for a fetch that runs or may start now): call
    /// this at start-up if you would rather not answer 401 while the provider is still
    /// being asked.
    pub async fn wait_until_ready(&self, timeout: Duration) -> bool {
        let mut generation = self.shared.generation.subscribe();
        matches!(
            tokio::time::timeout(timeout, generation.wait_for(|g| *g > 0)).await,
            Ok(Ok(_))
        )
    }

    /// The source as the verifier sees it.
    pub(crate) fn dynamic(&self) -> Arc<dyn DynamicKeys> {
        Arc::clone(&self.shared) as Arc<dyn DynamicKeys>
    }
}

impl fmt::Debug for RemoteJwks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.shared, f)
    }
}

#[derive(Debug, Default, Clone)]
pub(super) struct FetchStatus {
    pub(super) successful_fetches: u64,
    pub(super) failed_fetches: u64,
    pub(super) last_success: Option<SystemTime>,
    pub(super) last_error: Option<String>,
}

/// What the source's handles, the verifiers and the task share.
pub(super) struct Shared {
    pub(super) label: String,
    /// The current keys; the lock is held only to copy or replace the pointer.
    pub(super) keys: RwLock<Arc<[VerificationKey]>>,
    /// A token asked for a fetch since the last one started.
    pub(super) refresh_requested: AtomicBool,
    pub(super) unknown_kids: AtomicU64,
    /// Wakes the task when a fetch is asked for.
    pub(super) notify: Arc<Notify>,
    /// Bumped by each successful fetch.
    pub(super) generation: watch::Sender<u64>,
    pub(super) status: Mutex<FetchStatus>,
    pub(super) task: OnceLock<AbortHandle>,
    /// Bumped at the end of every fetch, success or failure: what a request waiting
    /// for a fetch waits on.
    pub(super) completed: watch::Sender<u64>,
    /// A fetch is running now.
    pub(super) in_flight: AtomicBool,
    /// When a fetch asked for by a token may start (the rate limit), in milliseconds
    /// after `epoch`; 0 at first: a request may only wait for a fetch that runs now or
    /// starts at once, never for one the rate limit holds back.
    pub(super) next_allowed_ms: AtomicU64,
    pub(super) epoch: Instant,
}

impl Shared {
    pub(super) fn status(&self) -> FetchStatus {
        self.status
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub(super) fn publish(&self, keys: Vec<VerificationKey>) {
        let count = keys.len();
        let new: Arc<[VerificationKey]> = Arc::from(keys);
        let old = std::mem::replace(
            &mut *self.keys.write().unwrap_or_else(PoisonError::into_inner),
            Arc::clone(&new),
        );
        {
            let mut status = self.status.lock().unwrap_or_else(PoisonError::into_inner);
            status.successful_fetches += 1;
            status.last_success = Some(SystemTime::now());
            status.last_error = None;
        }
        self.generation.send_modify(|g| *g += 1);
        let kids = |keys: &[VerificationKey]| -> Vec<Option<String>> {
            keys.iter().map(|k| k.kid().map(str::to_owned)).collect()
        };
        let (before, after) = (kids(&old), kids(&new));
        if before == after {
            tracing::debug!(url = %self.label, keys = count, "JWKS refreshed, unchanged key ids");
        } else {
            tracing::info!(url = %self.label, keys = count, kids = ?after, "JWKS keys updated");
        }
    }

    pub(super) fn record_failure(&self, err: &FetchError) {
        let has_keys = !self.current().is_empty();
        tracing::warn!(
            url = %self.label,
            error = %err,
            has_keys,
            "JWKS fetch failed; keeping the last good keys"
        );
        let mut status = self.status.lock().unwrap_or_else(PoisonError::into_inner);
        status.failed_fetches += 1;
        status.last_error = Some(err.to_string());
    }
}

impl Shared {
    /// Milliseconds since `epoch` (the clock of `next_allowed_ms`).
    pub(super) fn millis(&self, at: Instant) -> u64 {
        u64::try_from(at.saturating_duration_since(self.epoch).as_millis()).unwrap_or(u64::MAX)
    }
}

impl DynamicKeys for Shared {
    fn current(&self) -> Arc<[VerificationKey]> {
        Arc::clone(&self.keys.read().unwrap_or_else(PoisonError::into_inner))
    }

    #[cfg(feature = "cache")]
    fn generation(&self) -> u64 {
        *self.generation.borrow()
    }

    fn unknown_kid(&self) {
        self.unknown_kids.fetch_add(1, Ordering::Relaxed);
        // Only the first request since the last fetch started wakes the task.
        if !self.refresh_requested.swap(true, Ordering::AcqRel) {
            self.notify.notify_one();
        }
    }

    fn fetch_wait(&self) -> Option<Pin<Box<dyn Future<Output = ()> + Send>>> {
        // Subscribed before the checks: a fetch ending after them is seen.
        let mut completed = self.completed.subscribe();
        let running = self.in_flight.load(Ordering::Acquire);
        let allowed = self.millis(Instant::now()) >= self.next_allowed_ms.load(Ordering::Acquire);
        if !running && !allowed {
            return None;
        }
        Some(Box::pin(async move {
            // An error means the task is gone: nothing to wait for.
            let _ = completed.changed().await;
        }))
    }
}

impl fmt::Debug for Shared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keys = self.current();
        f.debug_struct("RemoteJwks")
            .field("url", &self.label)
            .field("keys", &keys.len())
            .finish()
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        if let Some(task) = self.task.get() {
            task.abort();
        }
    }
}
