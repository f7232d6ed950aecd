//! Compile-time checked OAuth scope policies for axum.
//!
//! Declare which scopes each `METHOD /path` needs with [`scopes!`]; the declaration is
//! checked when the crate compiles and becomes a static matcher. Put a [`ScopeLayer`] on
//! the router: it verifies the bearer JWT, finds the most specific rule for the request
//! and answers 401/403 with RFC 6750 `WWW-Authenticate` challenges when the caller may not
//! pass. Handlers read the [`VerifiedClaims`] (or your own type through [`Claims`]), and
//! single handlers can require scopes of their own with [`require_scopes`].
//!
//! ```
//! use axum::{routing::{get, post}, Router};
//! use scope_runtime::{scopes, require_scopes, JwtVerifier, Policy, ScopeLayer, VerifiedClaims};
//! use scope_runtime::jwt::VerificationKey;
//!
//! static POLICY: Policy = scopes! {
//!     "GET /agents"         => ["app:read"],
//!     "GET /agents/{id}"    => ["app:read"],
//!     "POST /agents/*/runs" => ["app:run", "app:execute"], // all listed scopes
//!     "GET /me"             => [],                         // any valid token
//!     "GET /health"         => public,                     // no token at all
//! };
//!
//! async fn me(claims: VerifiedClaims) -> String {
//!     claims.subject().unwrap_or("anonymous").to_owned()
//! }
//!
//! #[require_scopes("app:read")]
//! async fn agents() -> &'static str {
//!     "[]"
//! }
//!
//! let verifier = JwtVerifier::builder()
//!     .key(VerificationKey::hs256(b"your-secret-key-at-least-256-bits-long"))
//!     .build()
//!     .unwrap();
//! let app: Router = Router::new()
//!     .route("/agents", get(agents))
//!     .route("/me", get(me))
//!     .route("/health", get(|| async { "ok" }))
//!     .layer(ScopeLayer::new(verifier, POLICY).admin_scope("app:superadmin"));
//! ```
//!
//! # The rule grammar
//!
//! A rule is `"METHOD /path" => REQUIREMENT`; rules are separated by commas.
//!
//! * METHOD: `GET HEAD POST PUT PATCH DELETE OPTIONS TRACE CONNECT` (upper case), or `*`.
//! * PATH segments: a literal (raw, percent-encoded bytes), `*` or `{name}` (one
//!   non-empty segment), and last only `**` (zero or more segments) or `{*name}` (one or
//!   more). A trailing slash is significant.
//! * REQUIREMENT: `["a", "b"]` (all), `[]` (any valid token), `any["a", "b"]` (one of),
//!   or `public` (no token).
//!
//! Matching (stated in full on [`scopes!`]): ambiguous path spellings are refused with
//! 400; every reading of the path (decoded, as axum's router compares it, and for a
//! trailing slash the slash-less path and its `index.html`) must be allowed; the most
//! specific pattern wins (literal, then `*`, then `{*x}`, then `**`), a named method
//! beats `*`, `HEAD` without a rule of its own uses the `GET` rule, declaration order
//! never matters, and no match means [`Unmapped::Deny`] unless configured otherwise.
//!
//! Every mistake is a compile error on the offending literal:
//!
//! ```compile_fail
//! let policy = scope_runtime::scopes! { "GTE /agents" => ["app:read"] };
//! ```
//!
//! ```compile_fail
//! let policy = scope_runtime::scopes! { "GET /agents*" => ["app:read"] };
//! ```

mod coverage;
pub mod error;
pub mod extract;
mod guard;
pub mod jwt;
pub mod layer;
pub mod policy;

pub use coverage::{Coverage, RouteKeyError};
pub use error::{AuthError, InvalidTokenReason};
pub use extract::{Claims, RequireScopes, ScopeList};
pub use guard::PathGuard;
pub use jwt::{
    ConfigError, JwksError, JwksFile, JwtVerifier, KeyError, TokenSource, VerificationKey,
    VerifiedClaims,
};
#[cfg(feature = "jwks-url")]
pub use jwt::{JwksSource, JwksUrl};
pub use layer::{ScopeLayer, ScopeService, Unmapped};
pub use policy::{Policy, Requirement, Rule};
pub use scope_grammar::{Method, MethodFilter, PathClass};
/// Requires scopes on one async axum handler, checked like [`scopes!`]'s.
///
/// ```
/// use axum::extract::Path;
/// use scope_runtime::require_scopes;
///
/// #[require_scopes("app:run", "app:execute")]
/// async fn run(Path(agent_id): Path<String>) -> String {
///     format!("running {agent_id}")
/// }
/// # let _: axum::routing::MethodRouter = axum::routing::post(run);
/// ```
///
/// All listed scopes are required (the layer's admin scope passes). The attribute adds
/// one extractor as the first argument, so the handler keeps working with other
/// extractors, state and `#[debug_handler]`. Without a verified token (no layer, or a
/// route the layer let through unauthenticated) the handler is answered 401; with
/// missing scopes, 403 `insufficient_scope`. It goes on free `async fn`s only (not in
/// an `impl` block: it generates a marker type next to the function), and above
/// `#[axum::debug_handler]`, which must see the added argument.
pub use scope_macros::require_scopes;
/// Declares a scope policy; see the [crate documentation](crate) for the grammar.
///
#[doc = include_str!("../../docs/matching.md")]
pub use scope_macros::scopes;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

/// The README's Rust, compiled as doctests so that it stays a working program.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
