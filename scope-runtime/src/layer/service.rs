//! [`ScopeService`]: runs the decision on each request and answers refusals.

use std::fmt;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::extract::OriginalUri;
use axum::response::Response;
use http::header::{ALLOW, CONTENT_LENGTH};
use http::{HeaderValue, Request};
use tower_service::Service;

use super::decide::{Decision, decide};
use super::{AuthContext, LayerConfig, ScopeFuture};
#[cfg(feature = "jwks-url")]
use crate::error::InvalidTokenReason;
use crate::error::{AuthError, BodyHook, ChallengeParams};
use crate::policy::Rule;

/// The service [`ScopeLayer`](super::ScopeLayer) wraps around each route.
#[derive(Clone)]
pub struct ScopeService<S> {
    inner: S,
    config: Arc<LayerConfig>,
}

impl<S> ScopeService<S> {
    pub(super) fn new(inner: S, config: Arc<LayerConfig>) -> ScopeService<S> {
        ScopeService { inner, config }
    }
}

impl<S> fmt::Debug for ScopeService<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScopeService").finish_non_exhaustive()
    }
}

#[cfg(not(feature = "jwks-url"))]
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

    fn call(&mut self, req: Request<B>) -> ScopeFuture<S::Future> {
        let (decision, rule) = decide_request(&self.config, &req);
        respond(&self.config, &mut self.inner, req, decision, rule)
    }
}

/// With JWKS URL sources, a request refused for want of a key may wait (at most 1 s)
/// for the fetch its token asked for, then is decided once more. The wait takes the
/// ready inner service along (a clone stays behind for the next requests), so `S`
/// must be `Clone`, and `Send + 'static` as the request is.
#[cfg(feature = "jwks-url")]
impl<S, B> Service<Request<B>> for ScopeService<S>
where
    S: Service<Request<B>, Response = Response> + Clone + Send + 'static,
    B: Send + 'static,
{
    type Response = Response;
    type Error = S::Error;
    type Future = ScopeFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<B>) -> ScopeFuture<S::Future> {
        let (decision, rule) = decide_request(&self.config, &req);
        if let Decision::Refuse(AuthError::InvalidToken(InvalidTokenReason::UnknownKeyId)) =
            &decision
            && let Some(wait) = self.config.verifier.key_fetch_wait()
        {
            // The service that `poll_ready` readied goes with the request; the clone
            // left behind is readied by the next `poll_ready`.
            let clone = self.inner.clone();
            let mut inner = std::mem::replace(&mut self.inner, clone);
            let config = Arc::clone(&self.config);
            return ScopeFuture::waiting(
                wait,
                Box::new(move || {
                    let (decision, rule) = decide_request(&config, &req);
                    respond(&config, &mut inner, req, decision, rule)
                }),
            );
        }
        respond(&self.config, &mut self.inner, req, decision, rule)
    }
}

/// The full path even on a nested router: axum's router records the URI it received
/// before stripping a prefix.
fn full_path<B>(req: &Request<B>) -> &str {
    match req.extensions().get::<OriginalUri>() {
        Some(OriginalUri(uri)) => uri.path(),
        None => req.uri().path(),
    }
}

fn decide_request<B>(config: &LayerConfig, req: &Request<B>) -> (Decision, Option<&'static Rule>) {
    decide(config, req.method(), full_path(req), req.headers())
}

/// Acts on the decision: calls `inner` with the request, or answers the refusal.
fn respond<S, B>(
    config: &Arc<LayerConfig>,
    inner: &mut S,
    mut req: Request<B>,
    decision: Decision,
    rule: Option<&'static Rule>,
) -> ScopeFuture<S::Future>
where
    S: Service<Request<B>, Response = Response>,
{
    trace_decision(req.method(), full_path(&req), rule, &decision);
    match decision {
        Decision::Pass(passed) => {
            // No claims. The mark (zero-sized) tells an extractor asking for claims
            // which rule let the request through. Extractors that refuse such requests
            // themselves need the realm, metadata URL and body hook for their answer;
            // without any, skip the extension (this is the public path, kept as cheap
            // as the bare router).
            let extensions = req.extensions_mut();
            passed.mark(extensions);
            if config.needs_context() {
                extensions.insert(AuthContext(Arc::clone(config)));
            }
            ScopeFuture::inner(inner.call(req))
        }
        Decision::PassAuthenticated(claims) => {
            let extensions = req.extensions_mut();
            extensions.insert(claims);
            extensions.insert(AuthContext(Arc::clone(config)));
            ScopeFuture::inner(inner.call(req))
        }
        Decision::Refuse(error) => {
            let head = req.method() == http::Method::HEAD;
            ScopeFuture::ready(refusal(
                &error,
                config.challenge_params(),
                config.refusal_body.as_ref(),
                head,
            ))
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
/// `Content-Length`, and no body for `HEAD`. A refusal-body hook writes the body only:
/// these headers are set after it, the length counted on its body.
fn refusal(
    error: &AuthError,
    params: ChallengeParams<'_>,
    hook: Option<&BodyHook>,
    head: bool,
) -> Response {
    use axum::body::HttpBody as _;
    let mut response = error.response_with(params, hook);
    let length = response.body().size_hint().exact().unwrap_or(0);
    if head {
        *response.body_mut() = axum::body::Body::empty();
    }
    let headers = response.headers_mut();
    headers.insert(ALLOW, HeaderValue::from_static(""));
    headers.insert(CONTENT_LENGTH, HeaderValue::from(length));
    response
}

fn trace_decision(method: &http::Method, path: &str, rule: Option<&Rule>, decision: &Decision) {
    let rule = rule.map_or("(unmapped)", Rule::key);
    match decision {
        Decision::Pass(_) => tracing::debug!(
            target: "scope_runtime",
            %method, path, rule, outcome = "allowed", "request without a token"
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
