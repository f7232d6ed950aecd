//! [`JwksUrl`]: the builder of a JWKS URL source (a JWKS URL, or an issuer whose OpenID
//! Connect discovery names one), started into a [`RemoteJwks`].

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::Duration;

use tokio::sync::{Notify, watch};

use super::fetch::{Fetcher, check_url, tls_config};
use super::shared::{FetchStatus, RemoteJwks, Shared};
use super::task::{Location, Task};
use super::{DEFAULT_RSA_ALGORITHMS, JwksError, check_rsa_algorithms};
use crate::jwt::Algorithm;

/// Default time between two fetches while all goes well: 5 minutes.
pub const DEFAULT_REFRESH_INTERVAL: Duration = Duration::from_secs(300);
/// Default minimum time between the start of a fetch asked for by a token (an unknown
/// `kid`, or no key at all yet) and the start of the fetch before it: 4.9 seconds.
/// Just under 5 s, so that a key published at the URL is accepted within 5 s, its
/// fetch included; the fetch window (12 a minute) stays the hard cap on what a flood
/// of tokens costs the provider.
pub const DEFAULT_MIN_REFRESH_INTERVAL: Duration = Duration::from_millis(4_900);
/// Default cap on the fetches started in any 60 seconds, whatever asks for them: 12.
pub const DEFAULT_MAX_FETCHES_PER_MINUTE: usize = 12;
/// The first retry after a failed fetch comes this long after its start: 1 second; each
/// further failure doubles the delay, up to 30 s (or `refresh_interval` if shorter).
pub const DEFAULT_RETRY_BACKOFF: Duration = Duration::from_secs(1);
/// The longest delay between two retries after failures.
const MAX_RETRY_BACKOFF: Duration = Duration::from_secs(30);
/// Default limit on one fetch (connect, TLS, request and the whole body): 5 seconds.
pub const DEFAULT_FETCH_TIMEOUT: Duration = Duration::from_secs(5);
/// Default cap on a fetched document: 256 KiB.
pub const DEFAULT_MAX_BODY_SIZE: usize = 256 * 1024;
/// Default cap on the number of JWKs used from one document: 32.
pub const DEFAULT_MAX_KEYS: usize = 32;

#[derive(Debug, Clone)]
enum Target {
    Jwks(String),
    Issuer(String),
}

/// A JWKS URL (crate feature **`jwks-url`**): the keys of an identity provider,
/// fetched at start and kept fresh in the background.
///
/// Configure it, [`start`](Self::start) it inside a Tokio runtime, and give the
/// running [`RemoteJwks`] to
/// [`JwtVerifierBuilder::jwks`](crate::jwt::JwtVerifierBuilder::jwks). The JWKS is read
/// as the [crate documentation](crate#keys-from-a-jwks) says (RSA, EC P-256/P-384, Ed25519; a key's
/// `alg` pins it; encryption and symmetric keys are ignored); a key that is broken is
/// skipped with a warning.
///
/// # How keys are kept fresh
///
/// A background task owns all fetching; requests never fetch:
///
/// - **At start** the task fetches at once. Until a fetch succeeds the source has no
///   key: tokens that need one of its keys are refused (401 `unknown key id`), the
///   service does not fail.
/// - **Retries with backoff**: a failed fetch is retried 1 s after its start
///   ([`DEFAULT_RETRY_BACKOFF`]), then 2 s, 4 s, 8 s... after the next ones, at most
///   30 s (or [`refresh_interval`](Self::refresh_interval) if shorter) apart. A success
///   resets the backoff.
/// - **Periodically**: every [`refresh_interval`](Self::refresh_interval) (default
///   5 min) after a success.
/// - **When a token asks**: a token whose `kid` none of the verifier's keys has
///   (perhaps a key the provider just rotated in), or a token without `kid` while the
///   source has no key at all, asks for a fetch. It starts at once unless the last
///   fetch started less than [`min_refresh_interval`](Self::min_refresh_interval)
///   (default 4.9 s) ago; then it starts when that time is up, and every request asking
///   meanwhile is merged into it. So a key published at the URL is in use less than
///   5 s after the first token signed with it arrives (measured: 4.9 s plus the fetch,
///   when it is published right after a fetch).
/// - **A short, bounded wait in [`ScopeLayer`](crate::ScopeLayer)**: a request refused
///   for want of a key (`unknown key id`) while one of its verifier's sources has a
///   fetch running, or starting at once because the request asked for it, waits for
///   that fetch to end, at most 1 s, and is then decided once more (so the first token
///   signed with a rotated-in key usually passes). A request the rate limit would make
///   wait longer is refused at once; a flood of made-up `kid`s never waits.
///   [`JwtVerifier::verify_token`](crate::JwtVerifier::verify_token) itself never
///   waits.
/// - **Rate limit**: at most [`max_fetches`](Self::max_fetches) fetches start in any
///   60 s (default 12), whatever asks for them (tokens, the periodic refresh,
///   retries): a fetch starts only once the 12th start before it is 60 s old. With
///   the 4.9 s spacing of fetches asked for by tokens, a flood of tokens with made-up
///   `kid`s costs the provider at most one request every 4.9 s, and never more than
///   12 a minute (so, under a flood lasting a minute, the 13th fetch waits for the
///   window: a key rotated in then may take up to about 6 s).
/// - **Failures keep the last good keys**: an unreachable provider, a timeout, a non-2xx
///   status, a body over the size cap, invalid JSON, or a JWKS without a usable key
///   change nothing (a warning is logged and [`RemoteJwks::status`] shows it).
/// - **Bounded**: each fetch has one overall timeout ([`timeout`](Self::timeout),
///   default 5 s, connect and TLS included) and a body cap
///   ([`max_body_size`](Self::max_body_size), default 256 KiB) enforced while reading
///   (a larger body is cut off, never buffered); at most
///   [`max_keys`](Self::max_keys) JWKs (default 32) are used.
/// - The keys are swapped in with a lock held only for a pointer copy; no lock is held
///   during a fetch.
///
/// The task stops when the last [`RemoteJwks`] clone (and every verifier holding one)
/// is dropped.
///
/// # HTTP and TLS
///
/// hyper's HTTP/1 client over rustls with the `aws-lc-rs` crypto provider (no OpenSSL),
/// trusting the system's root certificates (rustls-native-certs: the OS trust store,
/// `SSL_CERT_FILE` / `SSL_CERT_DIR` on Unix) plus any given with
/// [`add_root_certificate_pem`](Self::add_root_certificate_pem). Redirects are not
/// followed (give the final URL); proxies are not used.
///
/// **Plain `http://` is refused** ([`JwksError::PlainHttp`]) unless the host is a
/// loopback address (`localhost`, `127.0.0.0/8`, `[::1]`: local test providers), or
/// [`allow_plain_http`](Self::allow_plain_http) is set: keys fetched without TLS can
/// be replaced by anyone on the path, who could then mint any token.
///
/// ```no_run
/// use std::time::Duration;
/// use scope_runtime::{JwksUrl, JwtVerifier};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let source = JwksUrl::new("https://idp.example.com/realms/agents/protocol/openid-connect/certs")
///     .refresh_interval(Duration::from_secs(600))
///     .start()?;
/// // Optional: give the provider a moment before serving.
/// source.wait_until_ready(Duration::from_secs(5)).await;
/// let verifier = JwtVerifier::builder()
///     .jwks(source)
///     .issuer("https://idp.example.com/realms/agents")
///     .build()?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct JwksUrl {
    target: Target,
    rsa_algorithms: Vec<Algorithm>,
    refresh_interval: Duration,
    min_refresh_interval: Duration,
    max_fetches: usize,
    fetch_window: Duration,
    timeout: Duration,
    max_body_size: usize,
    max_keys: usize,
    allow_plain_http: bool,
    native_roots: bool,
    extra_roots: RootCertificates,
}

/// Extra root certificates (PEM texts); `Debug` shows how many, not the bytes.
#[derive(Clone, Default)]
struct RootCertificates(Vec<Vec<u8>>);

impl fmt::Debug for RootCertificates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} PEM text(s)", self.0.len())
    }
}

impl JwksUrl {
    fn with_target(target: Target) -> Self {
        Self {
            target,
            rsa_algorithms: DEFAULT_RSA_ALGORITHMS.to_vec(),
            refresh_interval: DEFAULT_REFRESH_INTERVAL,
            min_refresh_interval: DEFAULT_MIN_REFRESH_INTERVAL,
            max_fetches: DEFAULT_MAX_FETCHES_PER_MINUTE,
            fetch_window: Duration::from_secs(60),
            timeout: DEFAULT_FETCH_TIMEOUT,
            max_body_size: DEFAULT_MAX_BODY_SIZE,
            max_keys: DEFAULT_MAX_KEYS,
            allow_plain_http: false,
            native_roots: true,
            extra_roots: RootCertificates::default(),
        }
    }

    /// The JWKS at `url` (an identity provider's `jwks_uri`, e.g. Keycloak's
    /// `.../protocol/openid-connect/certs`, Auth0's `.../.well-known/jwks.json`).
    pub fn new(url: impl Into<String>) -> Self {
        Self::with_target(Target::Jwks(url.into()))
    }

    /// The JWKS of an OpenID Connect issuer, found through its discovery document
    /// `{issuer}/.well-known/openid-configuration` (OpenID Connect Discovery 1.0): the
    /// document's `issuer` must equal `issuer` exactly, and its `jwks_uri` is then
    /// fetched (under the same URL rules). The discovery is part of the background
    /// fetch: it is done again after a failed fetch, and otherwise remembered.
    ///
    /// This does not check the tokens' `iss`; configure that on the verifier with
    /// [`JwtVerifierBuilder::issuer`](crate::jwt::JwtVerifierBuilder::issuer).
    pub fn from_issuer(issuer: impl Into<String>) -> Self {
        Self::with_target(Target::Issuer(issuer.into()))
    }

    /// The algorithms an RSA key **without** `alg` is pinned to. Default
    /// [`DEFAULT_RSA_ALGORITHMS`](super::DEFAULT_RSA_ALGORITHMS) (`RS256`). Must be
    /// `RS*`/`PS*` ([`JwksError::NotRsaAlgorithm`] from [`start`](Self::start)).
    pub fn rsa_algorithms(mut self, algs: impl IntoIterator<Item = Algorithm>) -> Self {
        self.rsa_algorithms = algs.into_iter().collect();
        self
    }

    /// Time between two fetches while all goes well. Default
    /// [`DEFAULT_REFRESH_INTERVAL`] (5 min); at least `min_refresh_interval`.
    pub fn refresh_interval(mut self, interval: Duration) -> Self {
        self.refresh_interval = interval;
        self
    }

    /// Minimum time between the start of a fetch asked for by a token (an unknown
    /// `kid`, or no key yet) and the start of the fetch before it. Default
    /// [`DEFAULT_MIN_REFRESH_INTERVAL`] (4.9 s); must not be zero. Retries after failures
    /// follow their own backoff (from [`DEFAULT_RETRY_BACKOFF`]); all fetches count in
    /// [`max_fetches`](Self::max_fetches).
    pub fn min_refresh_interval(mut self, interval: Duration) -> Self {
        self.min_refresh_interval = interval;
        self
    }

    /// At most `count` fetches start in any `window`, whatever asks for them (tokens,
    /// the periodic refresh, retries): a fetch starts only once the `count`-th start
    /// before it is `window` old. Default [`DEFAULT_MAX_FETCHES_PER_MINUTE`] (12) per
    /// 60 s; neither may be zero.
    pub fn max_fetches(mut self, count: usize, window: Duration) -> Self {
        self.max_fetches = count;
        self.fetch_window = window;
        self
    }

    /// Limit on one fetch, from connecting to the last byte of the body. Default
    /// [`DEFAULT_FETCH_TIMEOUT`] (5 s); must not be zero.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Cap on a fetched document, in bytes. Default [`DEFAULT_MAX_BODY_SIZE`]
    /// (256 KiB); must not be zero.
    pub fn max_body_size(mut self, bytes: usize) -> Self {
        self.max_body_size = bytes;
        self
    }

    /// At most this many JWKs of a document are used (the first ones; a warning is
    /// logged). Bounds the keys a token without `kid` is tried against. Default
    /// [`DEFAULT_MAX_KEYS`] (32); must not be zero.
    pub fn max_keys(mut self, max: usize) -> Self {
        self.max_keys = max;
        self
    }

    /// Allows plain `http://` for any host (default: only loopback hosts). Only for a
    /// provider reached over a network you trust entirely.
    pub fn allow_plain_http(mut self, allow: bool) -> Self {
        self.allow_plain_http = allow;
        self
    }

    /// Trusts the root certificate(s) in this PEM text too (e.g. a private CA of an
    /// internal identity provider). Invalid PEM fails [`start`](Self::start).
    pub fn add_root_certificate_pem(mut self, pem: impl AsRef<[u8]>) -> Self {
        self.extra_roots.0.push(pem.as_ref().to_vec());
        self
    }

    /// Whether the system's root certificates are trusted (default `true`). With
    /// `false`, only those given with
    /// [`add_root_certificate_pem`](Self::add_root_certificate_pem) are.
    pub fn native_roots(mut self, enabled: bool) -> Self {
        self.native_roots = enabled;
        self
    }

    /// Checks the settings, builds the HTTP client and starts the background task on
    /// the current Tokio runtime. Returns at once: the first fetch runs in the
    /// background (see [`RemoteJwks::wait_until_ready`]).
    ///
    /// Errors: not inside a Tokio runtime ([`JwksError::NoRuntime`]); an invalid or
    /// plain-`http` URL; a zero interval, timeout or cap, or `refresh_interval` below
    /// `min_refresh_interval` ([`JwksError::Config`]); a non-RSA RSA algorithm; no root
    /// certificate for an `https` URL, or invalid PEM ([`JwksError::Tls`]).
    pub fn start(self) -> Result<RemoteJwks, JwksError> {
        check_rsa_algorithms(&self.rsa_algorithms)?;
        if self.min_refresh_interval.is_zero() {
            return Err(JwksError::Config("min_refresh_interval must not be zero"));
        }
        if self.refresh_interval < self.min_refresh_interval {
            return Err(JwksError::Config(
                "refresh_interval must be at least min_refresh_interval",
            ));
        }
        if self.max_fetches == 0 || self.fetch_window.is_zero() {
            return Err(JwksError::Config(
                "max_fetches needs a non-zero count and window",
            ));
        }
        if self.timeout.is_zero() {
            return Err(JwksError::Config("timeout must not be zero"));
        }
        if self.max_body_size == 0 {
            return Err(JwksError::Config("max_body_size must not be zero"));
        }
        if self.max_keys == 0 {
            return Err(JwksError::Config("max_keys must not be zero"));
        }
        let (label, location) = match &self.target {
            Target::Jwks(url) => (
                url.clone(),
                Location::Jwks(check_url(url, self.allow_plain_http)?),
            ),
            Target::Issuer(issuer) => {
                check_url(issuer, self.allow_plain_http)?;
                let discovery = format!(
                    "{}/.well-known/openid-configuration",
                    issuer.trim_end_matches('/')
                );
                let discovery = check_url(&discovery, self.allow_plain_http)?;
                (
                    issuer.clone(),
                    Location::Issuer {
                        issuer: issuer.clone(),
                        discovery,
                        jwks_uri: None,
                    },
                )
            }
        };
        let need_roots = match &location {
            Location::Jwks(uri) => uri.scheme_str() == Some("https"),
            Location::Issuer { discovery, .. } => discovery.scheme_str() == Some("https"),
        };
        let tls = tls_config(self.native_roots, &self.extra_roots.0, need_roots)?;
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| JwksError::NoRuntime)?;

        let notify = Arc::new(Notify::new());
        let (generation, _) = watch::channel(0u64);
        let shared = Arc::new(Shared {
            label: label.clone(),
            keys: RwLock::new(Arc::from(Vec::new())),
            refresh_requested: AtomicBool::new(false),
            unknown_kids: AtomicU64::new(0),
            notify: Arc::clone(&notify),
            generation,
            status: Mutex::new(FetchStatus::default()),
            task: OnceLock::new(),
            completed: watch::channel(0u64).0,
            in_flight: AtomicBool::new(false),
            next_allowed_ms: AtomicU64::new(0),
            epoch: tokio::time::Instant::now(),
        });
        let task = Task {
            shared: Arc::downgrade(&shared),
            notify,
            fetcher: Fetcher::new(tls, self.timeout, self.max_body_size),
            location,
            allow_plain_http: self.allow_plain_http,
            label,
            rsa_algorithms: self.rsa_algorithms,
            max_keys: self.max_keys,
            refresh_interval: self.refresh_interval,
            min_refresh_interval: self.min_refresh_interval,
            max_fetches: self.max_fetches,
            fetch_window: self.fetch_window,
            first_retry: DEFAULT_RETRY_BACKOFF.min(self.refresh_interval),
            max_retry: MAX_RETRY_BACKOFF.min(self.refresh_interval),
        };
        let handle = runtime.spawn(task.run());
        let _ = shared.task.set(handle.abort_handle());
        Ok(RemoteJwks { shared })
    }
}
