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
use crate::error::{AuthError, ChallengeParams};
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
                // realm and metadata URL for their challenge; without either, skip the
                // extension (this is the public path, kept as cheap as the bare router).
                if config.has_challenge_params() {
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
                ScopeFuture::ready(refusal(&error, config.challenge_params(), head))
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
fn refusal(error: &AuthError, params: ChallengeParams<'_>, head: bool) -> Response {
    use axum::body::HttpBody as _;
    let mut response = error.response_with(params);
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
