//! The tower layer: authenticate, look the request up in the policy, enforce.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::extract::OriginalUri;
use axum::response::Response;
use http::header::{ALLOW, CONTENT_LENGTH};
use http::{HeaderValue, Request};
use tower_layer::Layer;
use tower_service::Service;

use crate::error::AuthError;
use crate::guard::PathGuard;
use crate::jwt::{JwtVerifier, VerifiedClaims};
use crate::policy::{Policy, Requirement, Rule, with_readings};

/// What the layer does with a request that no rule of the policy matches.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Unmapped {
    /// Authenticate, then answer 403 `insufficient_scope` without a `scope` attribute
    /// (the admin scope still passes, but is not named). The default: a route someone
    /// forgot to map is closed, not open.
    #[default]
    Deny,
    /// Any verified token passes, as if the rule were `[]`.
    Authenticated,
    /// Pass without authentication, as if the rule were `public`.
    Allow,
}

/// Shared, immutable configuration of one layer.
pub(crate) struct LayerConfig {
    pub(crate) verifier: JwtVerifier,
    pub(crate) policy: Option<Policy>,
    pub(crate) admin_scope: Option<Box<str>>,
    pub(crate) unmapped: Unmapped,
    pub(crate) realm: Option<Box<str>>,
    pub(crate) guard: PathGuard,
}

impl LayerConfig {
    /// Whether `claims` pass `requirement` (the admin scope passes everything).
    pub(crate) fn satisfies(&self, claims: &VerifiedClaims, requirement: &Requirement) -> bool {
        self.admin_scope
            .as_deref()
            .is_some_and(|admin| claims.has_scope(admin))
            || requirement.is_satisfied_by(|s| claims.has_scope(s))
    }

    pub(crate) fn realm(&self) -> Option<&str> {
        self.realm.as_deref()
    }
}

/// The layer's configuration as seen by handlers (for `#[require_scopes]`): inserted
/// into the request extensions next to the [`VerifiedClaims`].
#[derive(Clone)]
pub(crate) struct AuthContext(pub(crate) Arc<LayerConfig>);

/// A [`tower_layer::Layer`] that authenticates requests with a [`JwtVerifier`] and
/// enforces a [`Policy`] (or, in authentication-only mode, only authenticates).
///
/// Put it on the outermost router with [`axum::Router::layer`], so that it also guards
/// the fallback (unknown routes are denied like unmapped ones, not leaked as 404s to
/// anonymous callers). On a nested router it still matches the full original path.
///
/// Each request is decided on the path as the code that serves it reads it: the
/// spellings that code may read differently from the policy (`//`, dot segments, `%2F`,
/// backslashes, `%25`, control characters) are refused with `400 invalid_request` before
/// anything else ([`PathGuard`]). The request must then satisfy the rule of each reading
/// of the rest: percent-decoded (the values `Path` hands to handlers), as axum's router
/// compares it with route literals (an escaped `%73ummary` is no `summary` there), and
/// for a path ending in `/`, the same path without the slash and with `index.html` under
/// it, when those have rules (`nest_service` and `ServeDir` serve them alike).
///
/// ```
/// use axum::{routing::get, Router};
/// use scope_runtime::{scopes, JwtVerifier, Policy, ScopeLayer, Unmapped};
/// use scope_runtime::jwt::VerificationKey;
///
/// static POLICY: Policy = scopes! {
///     "GET /agents" => ["app:read"],
///     "GET /health" => public,
/// };
///
/// let verifier = JwtVerifier::builder()
///     .key(VerificationKey::hs256(b"your-secret-key-at-least-256-bits-long"))
///     .build()
///     .unwrap();
/// let app: Router = Router::new()
///     .route("/agents", get(|| async { "agents" }))
///     .route("/health", get(|| async { "ok" }))
///     .layer(
///         ScopeLayer::new(verifier, POLICY)
///             .admin_scope("app:superadmin")
///             .unmapped(Unmapped::Deny),
///     );
/// ```
///
/// The layer can also wrap the whole router as one tower service, which saves the
/// per-route boxing axum does for `Router::layer` (about 130 ns a request, see
/// BENCHMARKS.md) and covers every request just the same, the fallback included:
///
/// ```no_run
/// # use axum::{routing::get, Router};
/// # use scope_runtime::{scopes, JwtVerifier, Policy, ScopeLayer, VerificationKey};
/// # static POLICY: Policy = scopes! { "GET /health" => public };
/// # async fn serve() -> Result<(), Box<dyn std::error::Error>> {
/// use axum::ServiceExt;
/// use tower_layer::Layer as _;
///
/// let verifier = JwtVerifier::builder()
///     .key(VerificationKey::hs256(b"your-secret-key-at-least-256-bits-long"))
///     .build()?;
/// let router = Router::new().route("/health", get(|| async { "ok" }));
/// let app = ScopeLayer::new(verifier, POLICY).layer(router);
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:7777").await?;
/// axum::serve(listener, ServiceExt::<axum::extract::Request>::into_make_service(app)).await?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct ScopeLayer {
    config: Arc<LayerConfig>,
}

impl ScopeLayer {
    /// Authenticates and enforces `policy`.
    pub fn new(verifier: JwtVerifier, policy: Policy) -> ScopeLayer {
        ScopeLayer::build(verifier, Some(policy))
    }

    /// Authentication only: every request behind the layer needs a verified token, and
    /// scopes are left to `#[require_scopes]` on the handlers. Keep public routes out
    /// of its reach (e.g. with [`axum::Router::route_layer`] on a sub-router).
    pub fn authenticate_only(verifier: JwtVerifier) -> ScopeLayer {
        ScopeLayer::build(verifier, None)
    }

    fn build(verifier: JwtVerifier, policy: Option<Policy>) -> ScopeLayer {
        ScopeLayer {
            config: Arc::new(LayerConfig {
                verifier,
                policy,
                admin_scope: None,
                unmapped: Unmapped::Deny,
                realm: None,
                guard: PathGuard::strict(),
            }),
        }
    }

    fn with(mut self, f: impl FnOnce(&mut LayerConfig)) -> ScopeLayer {
        // Builders run before the layer is cloned into the router, so this never copies
        // in practice; if it was cloned, the clone keeps its own configuration.
        match Arc::get_mut(&mut self.config) {
            Some(config) => f(config),
            None => {
                let old = &self.config;
                let mut config = LayerConfig {
                    verifier: old.verifier.clone(),
                    policy: old.policy,
                    admin_scope: old.admin_scope.clone(),
                    unmapped: old.unmapped,
                    realm: old.realm.clone(),
                    guard: old.guard,
                };
                f(&mut config);
                self.config = Arc::new(config);
            }
        }
        self
    }

    /// A scope that passes every requirement (Agno's `admin_scope`), including
    /// unmapped routes under [`Unmapped::Deny`]. Not `public` rules: those need nothing.
    pub fn admin_scope(self, scope: impl Into<String>) -> ScopeLayer {
        let scope = scope.into().into_boxed_str();
        self.with(|c| c.admin_scope = Some(scope))
    }

    /// What to do with requests no rule matches (default [`Unmapped::Deny`]).
    pub fn unmapped(self, unmapped: Unmapped) -> ScopeLayer {
        self.with(|c| c.unmapped = unmapped)
    }

    /// The `realm` of the `WWW-Authenticate` challenges.
    pub fn realm(self, realm: impl Into<String>) -> ScopeLayer {
        let realm = realm.into().into_boxed_str();
        self.with(|c| c.realm = Some(realm))
    }

    /// Which request-path spellings are refused before any rule is looked up (default
    /// [`PathGuard::strict`]: all of them).
    pub fn path_guard(self, guard: PathGuard) -> ScopeLayer {
        self.with(|c| c.guard = guard)
    }
}

impl fmt::Debug for ScopeLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScopeLayer")
            .field("policy", &self.config.policy)
            .field("admin_scope", &self.config.admin_scope)
            .field("unmapped", &self.config.unmapped)
            .field("realm", &self.config.realm)
            .field("path_guard", &self.config.guard)
            .finish_non_exhaustive()
    }
}

impl<S> Layer<S> for ScopeLayer {
    type Service = ScopeService<S>;

    fn layer(&self, inner: S) -> ScopeService<S> {
        ScopeService {
            inner,
            config: self.config.clone(),
        }
    }
}

/// The service [`ScopeLayer`] wraps around each route.
#[derive(Clone)]
pub struct ScopeService<S> {
    inner: S,
    config: Arc<LayerConfig>,
}

impl<S> fmt::Debug for ScopeService<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScopeService").finish_non_exhaustive()
    }
}

/// What the layer decided for one request, before calling the inner service.
enum Decision {
    /// Pass without authentication (`public`, or unmapped under `allow`).
    Pass,
    /// Pass with these verified claims.
    PassAuthenticated(VerifiedClaims),
    /// Answer this error.
    Refuse(AuthError),
}

impl<S, B> Service<Request<B>> for ScopeService<S>
where
    S: Service<Request<B>, Response = Response>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = ScopeFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<B>) -> ScopeFuture<S::Future> {
        let config = &*self.config;
        // The full path even on a nested router: axum's router records the URI it
        // received before stripping a prefix.
        let path = match req.extensions().get::<OriginalUri>() {
            Some(OriginalUri(uri)) => uri.path(),
            None => req.uri().path(),
        };
        let method = req.method();
        let (decision, rule) = decide(config, method, path, req.headers());
        trace_decision(method, path, rule, &decision);
        match decision {
            Decision::Pass => {
                // No claims. Extractors that refuse such requests themselves need the
                // realm for their challenge; without one, skip the extension (this is
                // the public path, kept as cheap as the bare router).
                if config.realm.is_some() {
                    req.extensions_mut()
                        .insert(AuthContext(self.config.clone()));
                }
                ScopeFuture::inner(self.inner.call(req))
            }
            Decision::PassAuthenticated(claims) => {
                let extensions = req.extensions_mut();
                extensions.insert(claims);
                extensions.insert(AuthContext(self.config.clone()));
                ScopeFuture::inner(self.inner.call(req))
            }
            Decision::Refuse(error) => {
                let head = req.method() == http::Method::HEAD;
                ScopeFuture::ready(refusal(&error, config.realm(), head))
            }
        }
    }
}

/// The layer's answer to a refused request, the same whether the path exists or not.
///
/// Under `Router::layer`, a refusal on a path that some route matches leaves through
/// axum's route future, which adds `Allow: <the route's methods>` to what the method
/// fallback answers (unless an `Allow` is already there), adds `Content-Length` (unless
/// there), and empties the body of a `HEAD` answer; a refusal on an unknown path leaves
/// through the router's fallback, which does none of that. So every refusal carries an
/// empty `Allow` (RFC 9110: no method is allowed; axum keeps it), its own
/// `Content-Length`, and no body for `HEAD`.
fn refusal(error: &AuthError, realm: Option<&str>, head: bool) -> Response {
    use axum::body::HttpBody as _;
    let mut response = error.to_response(realm);
    let length = response.body().size_hint().exact().unwrap_or(0);
    if head {
        *response.body_mut() = axum::body::Body::empty();
    }
    let headers = response.headers_mut();
    headers.insert(ALLOW, HeaderValue::from_static(""));
    headers.insert(CONTENT_LENGTH, HeaderValue::from(length));
    response
}

/// The rule (if any) and the requirement that one reading of the path gives.
type Reading = (Option<&'static Rule>, Requirement);

fn decide(
    config: &LayerConfig,
    method: &http::Method,
    path: &str,
    headers: &http::HeaderMap,
) -> (Decision, Option<&'static Rule>) {
    // Before anything else, the token included: a spelling the serving code may read
    // differently from the policy has no trustworthy rule.
    if let Err(class) = config.guard.check(path) {
        return (
            Decision::Refuse(AuthError::InvalidRequest(class.detail())),
            None,
        );
    }
    let Some(policy) = &config.policy else {
        let authenticated = (None, Requirement::AllOf(&[]));
        return authorize(config, headers, [Some(authenticated), None, None, None]);
    };
    // Every reading of the path that the serving code may use must be allowed.
    let readings = with_readings(path.as_bytes(), |decoded, routed| {
        let reading = |path: &[u8]| match policy.lookup_decoded(method, path) {
            Some(rule) => (Some(rule), rule.requirement()),
            None => match config.unmapped {
                Unmapped::Allow => (None, Requirement::Public),
                Unmapped::Authenticated => (None, Requirement::AllOf(&[])),
                Unmapped::Deny => (None, Requirement::AnyOf(&[])),
            },
        };
        // What `Path` and `ServeDir` see: the values handlers get.
        let primary = reading(decoded);
        // What axum's router compares route literals with: an escaped literal
        // (`/reports/%73ummary`) is routed past the literal route, to a capture beside it.
        let router = (routed != decoded)
            .then(|| reading(routed))
            .filter(|r| r.0 != primary.0);
        // `nest_service` and `ServeDir` serve `/x/` as they serve `/x`, and nothing in
        // the request tells them from a route of its own: the rule written for `/x`
        // binds `/x/` too (when there is one). axum marks the `/v1` and `/v1/` of a
        // `nest_service` with a `MatchedPath` just like a `.route()`.
        let also = |path: &[u8]| {
            policy
                .lookup_decoded(method, path)
                .filter(|rule| Some(*rule) != primary.0)
                .map(|rule| (Some(rule), rule.requirement()))
        };
        let (slashless, index) = match decoded {
            [rest @ .., b'/'] if !rest.is_empty() => {
                // `ServeDir` answers a directory path with its `index.html` (by
                // default): the file's rule binds the directory path too.
                let index = with_index_html(decoded, |path| also(path));
                (also(rest), index)
            }
            _ => (None, None),
        };
        [Some(primary), router, slashless, index]
    });
    authorize(config, headers, readings)
}

/// Calls `f` with `directory` (a decoded path ending in `/`) followed by `index.html`.
fn with_index_html<R>(directory: &[u8], f: impl FnOnce(&[u8]) -> R) -> R {
    const INDEX: &[u8] = b"index.html";
    let mut inline = [0u8; 256];
    let len = directory.len() + INDEX.len();
    if len <= inline.len() {
        inline[..directory.len()].copy_from_slice(directory);
        inline[directory.len()..len].copy_from_slice(INDEX);
        return f(&inline[..len]);
    }
    f(&[directory, INDEX].concat())
}

/// Authenticates (unless every reading is `public`) and checks each reading; the first
/// reading is the one traced.
fn authorize(
    config: &LayerConfig,
    headers: &http::HeaderMap,
    readings: [Option<Reading>; 4],
) -> (Decision, Option<&'static Rule>) {
    let traced = readings[0].and_then(|r| r.0);
    if readings
        .iter()
        .flatten()
        .all(|r| r.1 == Requirement::Public)
    {
        return (Decision::Pass, traced);
    }
    let claims = match config.verifier.verify_headers(headers) {
        Ok(claims) => claims,
        Err(error) => return (Decision::Refuse(error), traced),
    };
    for (rule, requirement) in readings.into_iter().flatten() {
        if !config.satisfies(&claims, &requirement) {
            return (Decision::Refuse(insufficient(rule, requirement)), rule);
        }
    }
    (Decision::PassAuthenticated(claims), traced)
}

/// The 403 for a reading the caller does not satisfy.
fn insufficient(rule: Option<&Rule>, requirement: Requirement) -> AuthError {
    // Unmapped under `deny`: no scope is named. Only the admin scope would have passed,
    // and its name is not advertised to every authenticated caller.
    let (required, any_of) = match rule {
        Some(_) => (
            requirement
                .scopes()
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
            matches!(requirement, Requirement::AnyOf(_)),
        ),
        None => (Vec::new(), false),
    };
    AuthError::InsufficientScope { required, any_of }
}

fn trace_decision(method: &http::Method, path: &str, rule: Option<&Rule>, decision: &Decision) {
    let rule = rule.map_or("(unmapped)", Rule::key);
    match decision {
        Decision::Pass => tracing::debug!(
            target: "scope_runtime",
            %method, path, rule, outcome = "allowed", "public request"
        ),
        Decision::PassAuthenticated(claims) => tracing::debug!(
            target: "scope_runtime",
            %method, path, rule, subject = claims.subject().unwrap_or(""),
            outcome = "allowed", "authorized request"
        ),
        Decision::Refuse(AuthError::InsufficientScope { required, .. }) => tracing::info!(
            target: "scope_runtime",
            %method, path, rule, outcome = "forbidden", required = %required.join(" "),
            "request denied: missing scopes"
        ),
        Decision::Refuse(error) => tracing::info!(
            target: "scope_runtime",
            %method, path, rule, outcome = "unauthenticated", reason = %error,
            "request denied: no valid token"
        ),
    }
}

pin_project_lite::pin_project! {
    /// The response future of [`ScopeService`]: the inner service's, or an immediate
    /// refusal.
    pub struct ScopeFuture<F> {
        #[pin]
        state: FutureState<F>,
    }
}

pin_project_lite::pin_project! {
    #[project = FutureStateProj]
    enum FutureState<F> {
        Inner { #[pin] future: F },
        Ready { response: Option<Response> },
    }
}

impl<F> ScopeFuture<F> {
    fn inner(future: F) -> Self {
        ScopeFuture {
            state: FutureState::Inner { future },
        }
    }

    fn ready(response: Response) -> Self {
        ScopeFuture {
            state: FutureState::Ready {
                response: Some(response),
            },
        }
    }
}

impl<F, E> Future for ScopeFuture<F>
where
    F: Future<Output = Result<Response, E>>,
{
    type Output = Result<Response, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().state.project() {
            FutureStateProj::Inner { future } => future.poll(cx),
            FutureStateProj::Ready { response } => match response.take() {
                Some(response) => Poll::Ready(Ok(response)),
                // Polled after completion: a contract breach by the caller; stay pending
                // rather than panic.
                None => Poll::Pending,
            },
        }
    }
}
