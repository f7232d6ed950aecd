//! [`ScopeLayer`]: the builder, and the `tower_layer::Layer` that wraps services.

use std::fmt;
use std::sync::Arc;

use tower_layer::Layer;

use super::{LayerConfig, ScopeService, Unmapped};
use crate::error::{RefusalBody, RefusalView};
use crate::guard::PathGuard;
use crate::jwt::JwtVerifier;
use crate::policy::Policy;
use crate::resource_metadata::ProtectedResourceMetadata;

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
/// use scope_runtime::{scopes, JwtVerifier, Policy, ScopeLayer, Unmapped, VerificationKey};
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
/// Refusals carry the body `{"detail": "..."}` unless
/// [`refusal_body`](Self::refusal_body) says otherwise. A handler that asks for
/// [`VerifiedClaims`](crate::VerifiedClaims) on a request the layer let through without a
/// token (a `public` rule, no rule under [`Unmapped::Allow`]), or behind no layer at all,
/// gets a `500` saying so, logged at `ERROR`: a server bug, not the client's.
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
/// use scope_runtime::Layer as _; // tower's trait, re-exported: no extra dependency
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
                resource_metadata: None,
                metadata_path: None,
                guard: PathGuard::strict(),
                refusal_body: None,
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
                    resource_metadata: old.resource_metadata.clone(),
                    metadata_path: old.metadata_path.clone(),
                    guard: old.guard,
                    refusal_body: old.refusal_body.clone(),
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

    /// Points clients at `metadata`, the RFC 9728 protected-resource metadata document
    /// (what MCP clients need to find the authorization server), and keeps it reachable:
    ///
    /// * every challenge the layer writes ends with `resource_metadata="<url>"`
    ///   ([`metadata_url`](ProtectedResourceMetadata::metadata_url)): the 401s (no token,
    ///   another scheme, an invalid or expired token), and the 403 `insufficient_scope`
    ///   and 400 `invalid_request` answers as well, since a client asked to step up its
    ///   scopes finds the authorization server the same way. The refusals of
    ///   `#[require_scopes]` and of the claims extractors carry it too;
    /// * `GET` and `HEAD` of exactly its
    ///   [`well_known_path`](ProtectedResourceMetadata::well_known_path) pass without a
    ///   token, whatever the policy says (in authentication-only mode too), so that
    ///   the document can be merged into the router before the layer is applied:
    ///   `.merge(metadata.router()).layer(layer)`.
    ///
    /// ```
    /// # use axum::{routing::get, Router};
    /// # use scope_runtime::{scopes, JwtVerifier, Policy, ProtectedResourceMetadata, ScopeLayer, VerificationKey};
    /// # static POLICY: Policy = scopes! { "GET /agents" => ["app:read"] };
    /// # let verifier = JwtVerifier::builder()
    /// #     .key(VerificationKey::hs256(b"your-secret-key-at-least-256-bits-long"))
    /// #     .build()?;
    /// let metadata = ProtectedResourceMetadata::builder("https://api.example.com")
    ///     .authorization_server("https://idp.example.com")
    ///     .scopes_from(&POLICY)
    ///     .build()?;
    /// let app: Router = Router::new()
    ///     .route("/agents", get(|| async { "[]" }))
    ///     .merge(metadata.router())
    ///     .layer(ScopeLayer::new(verifier, POLICY).resource_metadata(&metadata));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn resource_metadata(self, metadata: &ProtectedResourceMetadata) -> ScopeLayer {
        let url = metadata.metadata_url().into();
        let path = metadata.well_known_path().into();
        self.with(|c| {
            c.resource_metadata = Some(url);
            c.metadata_path = Some(path);
        })
    }

    /// Only the challenge half of [`resource_metadata`](Self::resource_metadata): every
    /// challenge ends with `resource_metadata="<url>"`, and no path is let through.
    /// For a document served by something else (a gateway, another service). The URL is
    /// written as a quoted-string, like every value.
    pub fn resource_metadata_url(self, url: impl Into<String>) -> ScopeLayer {
        let url = url.into().into_boxed_str();
        self.with(|c| c.resource_metadata = Some(url))
    }

    /// Writes the body (and its `content-type`) of every refusal the layer and its
    /// extractors answer, in place of the default `application/json`
    /// `{"detail": "..."}`; [`RefusalBody::problem_json`] is a ready-made RFC 9457 body.
    ///
    /// The hook sees a [`RefusalView`] (status, RFC 6750 error code, detail, required
    /// scopes) and returns only a body: the status, the `WWW-Authenticate` challenge and
    /// the other headers the layer writes (an empty `Allow`, a `Content-Length` counted
    /// on the new body, no body for `HEAD`) stay the layer's. It also writes the body of
    /// the `500` a handler gets when it asks for verified claims on a request the layer
    /// let through without a token (status 500, no error code). Behind no layer at all,
    /// that 500 has the default body.
    ///
    /// ```
    /// # use scope_runtime::{JwtVerifier, RefusalBody, RefusalView, ScopeLayer, VerificationKey};
    /// # let verifier = JwtVerifier::builder()
    /// #     .key(VerificationKey::hs256(b"your-secret-key-at-least-256-bits-long"))
    /// #     .build()?;
    /// let layer = ScopeLayer::authenticate_only(verifier).refusal_body(|view: &RefusalView<'_>| {
    ///     let text = format!("{}: {}", view.status().as_u16(), view.detail());
    ///     RefusalBody::new(http::HeaderValue::from_static("text/plain"), text)
    /// });
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn refusal_body(
        self,
        hook: impl Fn(&RefusalView<'_>) -> RefusalBody + Send + Sync + 'static,
    ) -> ScopeLayer {
        let hook: crate::error::BodyHook = Arc::new(hook);
        self.with(|c| c.refusal_body = Some(hook))
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
            .field("resource_metadata", &self.config.resource_metadata)
            .field("metadata_path", &self.config.metadata_path)
            .field("path_guard", &self.config.guard)
            .field("custom_refusal_body", &self.config.refusal_body.is_some())
            .finish_non_exhaustive()
    }
}

impl<S> Layer<S> for ScopeLayer {
    type Service = ScopeService<S>;

    fn layer(&self, inner: S) -> ScopeService<S> {
        ScopeService::new(inner, self.config.clone())
    }
}
