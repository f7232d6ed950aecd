//! The background task of a JWKS URL source: the only code that fetches.

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
}

impl Task {
    pub(super) async fn run(mut self) {
        let mut last_start: Option<Instant> = None;
        let mut next_due = Instant::now();
        loop {
            if let Some(last) = last_start {
                let earliest = last + self.min_refresh_interval;
                loop {
                    tokio::select! {
                        () = sleep_until(next_due) => break,
                        () = self.notify.notified() => {
                            let Some(shared) = self.shared.upgrade() else { return };
                            let requested = shared.refresh_requested.load(Ordering::Acquire);
                            drop(shared);
                            if requested {
                                sleep_until(earliest).await;
                                break;
                            }
                            // A wake-up for a request the last fetch already served.
                        }
                    }
                }
            }
            let start = Instant::now();
            last_start = Some(start);
            match self.shared.upgrade() {
                Some(shared) => shared.refresh_requested.store(false, Ordering::Release),
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
                }
                Err(err) => {
                    shared.record_failure(&err);
                    next_due = start + self.min_refresh_interval;
                }
            }
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
