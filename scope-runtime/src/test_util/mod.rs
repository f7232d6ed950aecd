//! Helpers for your own tests (crate feature **`test-util`**, off by default): real
//! signed tokens, the verifier and JWKS that trust them, and requests sent through
//! your router as a caller.
//!
//! ```toml
//! [dev-dependencies]
//! scope-runtime = { version = "0.1", features = ["test-util"] }
//! ```
//!
//! Nothing here skips a check: a [`TestIdp`] signs real tokens (with
//! `jsonwebtoken`, as identity providers' libraries do) and the verifier it gives is an
//! ordinary [`JwtVerifier`](crate::JwtVerifier) holding its public keys, so a test
//! passes through exactly the signature, claims and scope checks production requests
//! go through.
//!
//! - [`SigningKey`]: a private key pinned to one algorithm (HS256/384/512,
//!   RS256/384/512, PS256/384/512, ES256, ES384, EdDSA), with a `kid`. **The keys of
//!   [`SigningKey::test`] and [`SigningKey::attacker`] are fixed and public**: they
//!   ship with this crate's source, anyone can sign with them; never configure a real
//!   service with them. Your own keys: [`SigningKey::hmac`], [`SigningKey::from_pem`].
//! - [`TestIdp`]: keys plus an optional issuer and audience; [`TestIdp::token`] gives a
//!   [`TokenBuilder`] (`sub`, scopes as an array or a space-delimited string in any
//!   claim, `iss`, `aud`, `exp` (default one hour ahead), expired, `nbf`, any claim,
//!   header `typ`/`kid`), [`TokenBuilder::sign`] the compact token.
//! - What trusts it: [`TestIdp::verifier`], [`TestIdp::builder`] (to add settings),
//!   [`TestIdp::verification_keys`]; its public JWKS as JSON ([`TestIdp::jwks`]), as a
//!   file ([`TestIdp::write_jwks`], a [`JwksFile`](crate::JwksFile)), or served on a
//!   loopback URL ([`TestIdp::serve_jwks`], a [`JwksServer`], with an OpenID Connect
//!   discovery document) for `JwksUrl` (feature `jwks-url`).
//! - As a caller: [`call`] sends a request through a router (any tower service that
//!   cannot fail) with `tower::ServiceExt::oneshot` and returns a [`TestResponse`]
//!   (status, headers, body as bytes, text or JSON); [`BearerExt::bearer`] adds
//!   `Authorization: Bearer <token>` to a request being built.
//!
//! A handler test, written with the kit:
//!
//! ```
//! use axum::{Router, body::Body, http::{Request, StatusCode}, routing::get};
//! use scope_runtime::{JwtVerifier, Policy, ScopeLayer, VerifiedClaims, scopes};
//! use scope_runtime::test_util::{BearerExt as _, TestIdp, call};
//!
//! static POLICY: Policy = scopes! {
//!     "GET /agents" => ["agents:read"],
//! };
//!
//! async fn agents(claims: VerifiedClaims) -> String {
//!     format!("agents of {}", claims.subject().unwrap_or("nobody"))
//! }
//!
//! fn app(verifier: JwtVerifier) -> Router {
//!     Router::new()
//!         .route("/agents", get(agents))
//!         .layer(ScopeLayer::new(verifier, POLICY))
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // In your crate: #[tokio::test] async fn reading_agents_needs_agents_read() { ... }
//! let idp = TestIdp::rs256()
//!     .with_issuer("https://idp.test")
//!     .with_audience("agents-api");
//! let app = app(idp.verifier()?);
//!
//! let reader = idp.token().subject("alice").scopes(["agents:read"]).sign();
//! let request = Request::get("/agents").bearer(&reader).body(Body::empty())?;
//! let response = call(&app, request).await?;
//! assert_eq!(response.status(), StatusCode::OK);
//! assert_eq!(response.text(), "agents of alice");
//!
//! let writer = idp.token().subject("bob").scopes(["agents:write"]).sign();
//! let request = Request::get("/agents").bearer(&writer).body(Body::empty())?;
//! let response = call(&app, request).await?;
//! assert_eq!(response.status(), StatusCode::FORBIDDEN);
//! assert!(response.www_authenticate().unwrap().contains("insufficient_scope"));
//! # Ok(())
//! # }
//! ```

mod call;
mod jwks_server;
mod provider;
mod signing_key;
mod token;

pub use call::{BearerExt, TestResponse, call};
pub use jwks_server::{DISCOVERY_PATH, JWKS_PATH, JwksServer};
pub use provider::TestIdp;
pub use signing_key::{ATTACKER_HMAC_SECRET, SigningKey, TEST_HMAC_SECRET};
pub use token::{DEFAULT_SUBJECT, DEFAULT_TOKEN_LIFETIME, TokenBuilder, now};

#[cfg(test)]
mod tests;
