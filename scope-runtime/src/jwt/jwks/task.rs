//! The background task of a JWKS URL source: the only code that fetches.

use std::collections::VecDeque;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};
use std::time::Duration;

use http::Uri;
use serde::Deserialize;
use tokio::sync::Notify;
use tokio::time::{Instant, sleep_until};

use super::fetch::{FetchError, Fetcher, check_url};
use super::shared::Shared;
use super::{ReadRules, read_jwks};
use crate::jwt::{Algorithm, VerificationKey};

const JWKS_ACCEPT: &str = "application/jwk-set+json, application/json";
const DISCOVERY_ACCEPT: &str = "application/json";

pub(super) enum Location {
    Jwks(Uri),
    Issuer {
        issuer: String,
        discovery: Uri,
        /// The `jwks_uri` found by the last discovery; forgotten after a failure.
        jwks_uri: Option<Uri>,
    },
}

/// The background task: the only one that fetches. It holds the shared state only
/// weakly, and only between awaits.
pub(super) struct Task {
    pub(super) shared: Weak<Shared>,
    pub(super) notify: Arc<Notify>,
    pub(super) fetcher: Fetcher,
    pub(super) location: Location,
    pub(super) allow_plain_http: bool,
    pub(super) label: String,
    pub(super) rsa_algorithms: Vec<Algorithm>,
    pub(super) max_keys: usize,
    pub(super) refresh_interval: Duration,
    pub(super) min_refresh_interval: Duration,
    /// At most `max_fetches` starts in any `fetch_window`.
    pub(super) max_fetches: usize,
    pub(super) fetch_window: Duration,
    /// The first retry after a failure; each further failure doubles it, up to
    /// `max_retry`.
    pub(super) first_retry: Duration,
    pub(super) max_retry: Duration,
}

impl Task {
    /// When a fetch asked for by a token may start: `min_refresh_interval` after the
    /// last start, and not before the window lets one more start.
    fn earliest_asked(&self, starts: &VecDeque<Instant>, now: Instant) -> Instant {
        let spaced = starts
            .back()
            .map_or(now, |&last| last + self.min_refresh_interval);
        spaced.max(self.window_open(starts, now))
    }

    /// When the window of the last `max_fetches` starts lets another one start: once
    /// the oldest of them is `fetch_window` old.
    fn window_open(&self, starts: &VecDeque<Instant>, now: Instant) -> Instant {
        match starts.front() {
            Some(&oldest) if starts.len() >= self.max_fetches => oldest + self.fetch_window,
            _ => now,
        }
    }

    pub(super) async fn run(mut self) {
        // The starts of the last `max_fetches` fetches, oldest first.
        let mut starts: VecDeque<Instant> = VecDeque::with_capacity(self.max_fetches);
        let mut next_due = Instant::now();
        let mut backoff = self.first_retry;
        loop {
            let now = Instant::now();
            let asked = self.earliest_asked(&starts, now);
            // Every start, scheduled ones and retries included, counts in the window.
            let due = next_due.max(self.window_open(&starts, now));
            {
                let Some(shared) = self.shared.upgrade() else {
                    return;
                };
                shared
                    .next_allowed_ms
                    .store(shared.millis(asked), Ordering::Release);
            }
            loop {
                tokio::select! {
                    () = sleep_until(due) => break,
                    () = self.notify.notified() => {
                        let Some(shared) = self.shared.upgrade() else { return };
                        let requested = shared.refresh_requested.load(Ordering::Acquire);
                        drop(shared);
                        if requested {
                            sleep_until(asked.min(due)).await;
                            break;
                        }
                        // A wake-up for a request the last fetch already served.
                    }
                }
            }
            let start = Instant::now();
            if starts.len() >= self.max_fetches {
                starts.pop_front();
            }
            starts.push_back(start);
            match self.shared.upgrade() {
                Some(shared) => {
                    shared.refresh_requested.store(false, Ordering::Release);
                    shared.in_flight.store(true, Ordering::Release);
                    let asked = self.earliest_asked(&starts, start);
                    shared
                        .next_allowed_ms
                        .store(shared.millis(asked), Ordering::Release);
                }
                None => return,
            }
            tracing::debug!(url = %self.label, "fetching JWKS");
            let result = self.fetch_keys().await;
            let Some(shared) = self.shared.upgrade() else {
                return;
            };
            match result {
                Ok(keys) => {
                    shared.publish(keys);
                    next_due = start + self.refresh_interval;
                    backoff = self.first_retry;
                }
                Err(err) => {
                    shared.record_failure(&err);
                    next_due = start + backoff;
                    backoff = (backoff * 2).min(self.max_retry);
                }
            }
            // After the keys are in place: a request woken by this sees them.
            shared.in_flight.store(false, Ordering::Release);
            shared.completed.send_modify(|n| *n += 1);
        }
    }

    async fn fetch_keys(&mut self) -> Result<Vec<VerificationKey>, FetchError> {
        let result = self.fetch_keys_once().await;
        if result.is_err()
            && let Location::Issuer { jwks_uri, .. } = &mut self.location
        {
            *jwks_uri = None;
        }
        result
    }

    async fn fetch_keys_once(&mut self) -> Result<Vec<VerificationKey>, FetchError> {
        let uri = match &self.location {
            Location::Jwks(uri) => uri.clone(),
            Location::Issuer {
                jwks_uri: Some(uri),
                ..
            } => uri.clone(),
            Location::Issuer {
                issuer, discovery, ..
            } => {
                let (issuer, discovery) = (issuer.clone(), discovery.clone());
                let uri = self.discover(&issuer, &discovery).await?;
                if let Location::Issuer { jwks_uri, .. } = &mut self.location {
                    *jwks_uri = Some(uri.clone());
                }
                uri
            }
        };
        let body = self.fetcher.get(&uri, JWKS_ACCEPT).await?;
        let rules = ReadRules {
            rsa_algorithms: &self.rsa_algorithms,
            strict: false,
            max_keys: self.max_keys,
        };
        read_jwks(&body, rules).map_err(FetchError::Jwks)
    }

    async fn discover(&self, issuer: &str, discovery: &Uri) -> Result<Uri, FetchError> {
        #[derive(Deserialize)]
        struct Discovery {
            issuer: String,
            jwks_uri: String,
        }
        let body = self.fetcher.get(discovery, DISCOVERY_ACCEPT).await?;
        let doc: Discovery = serde_json::from_slice(&body)
            .map_err(|_| FetchError::Discovery("not JSON with `issuer` and `jwks_uri` strings"))?;
        if doc.issuer != issuer {
            return Err(FetchError::IssuerMismatch {
                configured: issuer.to_owned(),
                published: doc.issuer.chars().take(256).collect(),
            });
        }
        let uri = check_url(&doc.jwks_uri, self.allow_plain_http).map_err(|_| {
            FetchError::Discovery("its `jwks_uri` is not an https (or loopback http) URL")
        })?;
        tracing::debug!(issuer, jwks_uri = %uri, "OpenID Connect discovery done");
        Ok(uri)
    }
}
