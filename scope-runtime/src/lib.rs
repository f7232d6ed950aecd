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
//! use scope_runtime::{
//!     require_scopes, scopes, JwtVerifier, Policy, ScopeLayer, VerificationKey, VerifiedClaims,
//! };
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
//!   `optional` (no token, or a valid one: claims when given, refused when invalid), or
//!   `public` (no token; a token is not read).
//! * A scope is an RFC 6749 scope-token; it may name a capture of its own rule's path,
//!   `"agents:{agent_id}:run"`: a scope template, filled per request with the value the
//!   handler's `Path` gets (a token's `*` in place of the value grants every value; a
//!   value that is not a scope-token or holds a `*` fills nothing). A handler asks which
//!   values a rule grants with [`VerifiedClaims::granted`].
//!
//! ```
//! use scope_runtime::{scopes, Policy};
//!
//! static POLICY: Policy = scopes! {
//!     "GET /agents/{agent_id}"       => any["agents:read", "agents:{agent_id}:read"],
//!     "POST /agents/{agent_id}/runs" => any["agents:run", "agents:{agent_id}:run"],
//! };
//! ```
//!
//! ```compile_fail
//! // `{agentid}` is no capture of the path: "did you mean `{agent_id}`?"
//! let policy = scope_runtime::scopes! {
//!     "POST /agents/{agent_id}/runs" => ["agents:{agentid}:run"],
//! };
//! ```
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
//!
//! ```compile_fail
//! // axum 0.7 capture syntax: "this DSL (like axum 0.8) writes `{id}`"
//! let policy = scope_runtime::scopes! { "GET /projects/:id" => ["app:read"] };
//! ```
//!
//! # Verifying tokens
//!
//! A [`JwtVerifier`] is built once at start-up with [`JwtVerifier::builder`] and shared
//! (it is an `Arc` inside). For every request it
//!
//! 1. extracts the token ([`TokenSource`]: `Authorization: Bearer`, or a cookie with
//!    the `cookie` feature),
//! 2. refuses tokens longer than the cap (default 8 KiB) before decoding anything,
//! 3. reads the JWS header; the token's `alg` never chooses the algorithm: it only
//!    selects, among the configured [`VerificationKey`]s (each pinned to one
//!    algorithm), those pinned to that `alg`; `none` and unknown names never verify,
//! 4. reads the claims and checks the JSON types of the registered ones; the `iss`
//!    chooses the issuer configuration (one, or one per [`Issuer`]) whose keys,
//!    audiences and token type apply, and with configured issuers an unknown `iss` is
//!    refused here, before any signature work; the header's `typ` is checked when
//!    RFC 9068 access tokens are required,
//! 5. picks candidate keys by `kid` (see [`JwtVerifier::verify_token`]) and verifies the
//!    signature with at most those keys,
//! 6. validates the remaining claims: `aud` when configured (and a present `aud`
//!    always), `exp` (required by default), `nbf`, with a leeway (default 30 s),
//! 7. returns the [`VerifiedClaims`], scopes included.
//!
//! Every failure is an [`AuthError`] with a fixed public text: no key material, no
//! token, no internal error text of the JWT library. Nothing here panics on input.
//!
//! The crypto backend is a cargo feature. **`aws-lc-rs`** (the default) verifies with
//! aws-lc-rs, every key parsed once when it is built: on the project's 2-core machine
//! an RS256 token the cache has not seen adds about 15 µs to a request, an ES256 one
//! about 46 µs, 1.16x and 1.09x the bare signature check (BENCHMARKS.md, "Cold
//! tokens"). It needs a C compiler, not cmake. **`rust-crypto`** (with
//! `default-features = false`) verifies with jsonwebtoken's pure-Rust RustCrypto
//! provider instead, for targets without a C compiler: 9x slower for RS256, 5x for
//! ES256; with both features, aws-lc-rs is used. The matching jsonwebtoken provider is installed as jsonwebtoken's
//! process-wide one when a key or a verifier is built (unless the application
//! installed one first), so an application's own `jsonwebtoken::encode` works with
//! either feature.
//!
//! ```
//! use jsonwebtoken::{encode, EncodingKey, Header};
//! use scope_runtime::{JwtVerifier, VerificationKey};
//!
//! let secret = "your-secret-key-at-least-256-bits-long";
//! let verifier = JwtVerifier::builder()
//!     .key(VerificationKey::hs256(secret)?)
//!     .build()?;
//!
//! let exp = jsonwebtoken::get_current_timestamp() + 3600;
//! let claims = serde_json::json!({ "sub": "user-1", "exp": exp, "scopes": ["app:read"] });
//! let token = encode(&Header::default(), &claims, &EncodingKey::from_secret(secret.as_bytes()))?;
//!
//! let mut headers = http::HeaderMap::new();
//! headers.insert("authorization", format!("Bearer {token}").parse()?);
//! let verified = verifier.verify_headers(&headers)?;
//! assert_eq!(verified.subject(), Some("user-1"));
//! assert!(verified.has_scope("app:read"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Keys from a JWKS
//!
//! Keys from a JWKS (RFC 7517 §5), the document identity providers (Keycloak, Auth0,
//! Okta, Entra ID, ...) publish their signing keys in.
//!
//! - [`JwksFile`] reads a JWKS file once, at start-up (Agno's `jwks_file`). The keys it
//!   returns are ordinary [`VerificationKey`]s for
//!   [`JwtVerifierBuilder::keys`](crate::JwtVerifierBuilder::keys). No crate feature
//!   needed.
//! - `JwksUrl` (crate feature **`jwks-url`**) fetches a JWKS URL, or an OpenID Connect
//!   issuer's discovery document and then its `jwks_uri`, at start and keeps the keys
//!   fresh in the background (periodically, and when a token names an unknown `kid`);
//!   give the running `RemoteJwks` to `JwtVerifierBuilder::jwks`.
//!
//! Both read a JWKS the same way:
//!
//! - RSA (2048 to 4096 bits), EC (P-256, P-384) and Ed25519 (`OKP`) keys are used.
//! - A key's own `alg`, when the JWKS publishes one, pins its algorithm. Otherwise the
//!   key's family decides, never another family: EC P-256 → `ES256`, P-384 → `ES384`,
//!   Ed25519 → `EdDSA` (which also verifies tokens naming RFC 9864's `Ed25519`), and an
//!   RSA key is pinned to each of the *configured RSA algorithms* (default the whole
//!   family, `RS256` to `PS512`, [`DEFAULT_RSA_ALGORITHMS`]).
//! - Skipped (logged at `warn`, with the `kid` and the reason): keys for encryption
//!   (`use: "enc"`, `key_ops` without `verify`, encryption algorithms such as
//!   `RSA-OAEP`), unknown key types and curves, and symmetric (`oct`) keys: a shared
//!   secret is never taken from a JWKS (a JWKS is usually public; configure HMAC secrets
//!   with [`VerificationKey::hmac`]).
//! - The key's `kid` is its key id, matched against the token's `kid` header.
//!
//! A JWKS with no usable key is an error ([`KeyError::NoUsableKeys`], listing why each
//! entry was skipped); a discovery document given as a JWKS is
//! [`KeyError::DiscoveryDocument`], naming its `jwks_uri`. A file is read
//! strictly: a supported key that is broken (bad base64url, RSA modulus too short,
//! point not on the curve, ...) is an error, so a configuration mistake shows at
//! start-up. A fetched document is read leniently: a broken key is skipped with a
//! warning and the others are used.
//!
//! ```
//! use scope_runtime::{JwksFile, JwtVerifier};
//!
//! # let dir = std::env::temp_dir().join(format!("jwks-doc-{}", std::process::id()));
//! # std::fs::create_dir_all(&dir)?;
//! # let path = dir.join("jwks.json");
//! # std::fs::write(&path, r#"{"keys": [{"kty": "OKP", "crv": "Ed25519", "kid": "ed-1",
//! #     "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}"#)?;
//! let keys = JwksFile::new(&path).load()?;
//! assert_eq!(keys[0].kid(), Some("ed-1"));
//! let verifier = JwtVerifier::builder().keys(keys).build()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # MCP clients: protected-resource metadata
//!
//! An MCP client that meets a 401 looks for `resource_metadata="<url>"` in the challenge,
//! fetches that RFC 9728 document and finds in it the authorization server to get a
//! token from; without it, it cannot connect. [`ProtectedResourceMetadata`] builds the
//! document (`scopes_supported` from the policy) and serves it in one line,
//! `.merge(metadata.router())` before the layer is applied; given the document,
//! [`ScopeLayer::resource_metadata`] lets exactly its path through without a token and
//! adds its URL to every challenge.
//!
//! # Seeing the decisions
//!
//! Every decision is a [`tracing`](https://docs.rs/tracing) event, target
//! `scope_runtime` (method, path, rule, subject, outcome, missing scopes; never the
//! token): refusals at `info`, allowed requests at `debug`, configuration mistakes the
//! layer finds at `warn` and `error`. They go nowhere until the application installs a
//! subscriber, so add one at start-up, e.g. with `tracing-subscriber`:
//! `tracing_subscriber::fmt().with_env_filter("scope_runtime=debug").init()` (its
//! `env-filter` feature), or `tracing_subscriber::fmt::init()` for `info` and above.
//!
//! # Cargo features
//!
//! | feature | default | what it adds |
//! | --- | --- | --- |
//! | `aws-lc-rs` | on | token signatures verified by aws-lc-rs, each key parsed once (needs a C compiler, no cmake) |
//! | `rust-crypto` | off | the pure-Rust backend instead, with `default-features = false` (jsonwebtoken's RustCrypto provider; slower for RSA and ECDSA) |
//! | `cache` | on | the verified-token cache ([`JwtVerifierBuilder::cache_capacity`]) |
//! | `cookie` | off | `TokenSource::Cookie` and `TokenSource::HeaderOrCookie`: the token from a cookie |
//! | `jwks-url` | off | `JwksUrl`, OIDC discovery and `RemoteJwks`: keys fetched over HTTPS and kept fresh |
//! | `test-util` | off | `test_util`: test-only signing keys, a token builder, a test identity provider with its verifier and JWKS (file or loopback URL), and `call` to send a request through a router, for your own tests |
//! | `utoipa` | off | `Policy::openapi_security`: the policy written into a utoipa OpenAPI document (below) |
//!
//! One of `aws-lc-rs` and `rust-crypto` is needed (without either the crate does not
//! compile, and says so). Items that need a feature say so in these docs.
//! # OpenAPI (feature `utoipa`)
//!
//! `Policy::openapi_security` writes the policy into a utoipa OpenAPI document: a
//! bearer (JWT) security scheme, and each operation's `security` from the rule that
//! decides it (`["a", "b"]` one requirement, `any[..]` alternatives, `[]` a token with
//! no scope, `optional` a token or none, `public` an explicit `[]`; scope templates as written). It is a
//! `utoipa::Modify` for `#[openapi(modifiers(..))]`, and
//! `OpenApiSecurity::apply` returns an `OpenApiReport` of the operations without a
//! rule and the rules without an operation. OpenAPI paths are relative to the server
//! URL while rules are full paths: see `OpenApiSecurity::path_prefix`. (The links are
//! plain text: these items exist only with the feature.)
//!
//! # The shape of the API
//!
//! Every public item has one path, at the crate root (`scope_runtime::JwksFile`); the
//! modules are private, except `test_util` (crate feature **`test-util`**: keys,
//! tokens, a verifier and a JWKS for your own tests, kept apart from the production
//! API). The macros' expansions name only the hidden `__private`
//! module, which re-exports what they need under one prefix (its items are not API).
//!
//! The public API names types of `http`, `axum`, `tower` and `serde_json` (the crates
//! an axum service already depends on, whose major versions this crate follows) and
//! of `scope-grammar` (released with it), and, behind the `utoipa` feature only,
//! utoipa's OpenAPI types; no other crate's: the algorithms are this
//! crate's own [`Algorithm`] and JWKs are taken as JSON text, so the JWT library
//! behind the verifier is an implementation detail that can change in a patch release.

#![cfg_attr(docsrs, feature(doc_cfg))]

mod coverage;
mod error;
mod extract;
mod guard;
mod jwt;
mod layer;
#[cfg(feature = "utoipa")]
mod openapi;
mod policy;
mod resource_metadata;
mod template;

// Every public item has one path: here, at the root. Modules are private.
pub use coverage::{Coverage, RouteKeyError};
pub use error::{AuthError, InvalidTokenReason, RefusalBody, RefusalView};
pub use extract::Claims;
pub use guard::PathGuard;
pub use jwt::{
    Algorithm, ConfigError, DEFAULT_LEEWAY, DEFAULT_MAX_TOKEN_LEN, DEFAULT_RSA_ALGORITHMS,
    DEFAULT_SCOPES_CLAIMS, IntoVerificationKey, Issuer, JwksError, JwksFile, JwtVerifier,
    JwtVerifierBuilder, KeyError, MAX_JWKS_FILE_SIZE, MAX_LEEWAY, SkippedKey, TokenSource,
    VerificationKey, VerifiedClaims, parse_jwks,
};
#[cfg(feature = "cache")]
pub use jwt::{DEFAULT_CACHE_CAPACITY, MAX_CACHED_TOKEN_LEN};
#[cfg(feature = "jwks-url")]
pub use jwt::{
    DEFAULT_FETCH_TIMEOUT, DEFAULT_MAX_BODY_SIZE, DEFAULT_MAX_FETCHES_PER_MINUTE, DEFAULT_MAX_KEYS,
    DEFAULT_MIN_REFRESH_INTERVAL, DEFAULT_REFRESH_INTERVAL, DEFAULT_RETRY_BACKOFF, JwksStatus,
    JwksUrl, RemoteJwks,
};
pub use layer::{ScopeFuture, ScopeLayer, ScopeService, Unmapped};
#[cfg(feature = "utoipa")]
pub use openapi::{DEFAULT_SCHEME_NAME, OpenApiReport, OpenApiSecurity};
pub use policy::{Policy, Requirement, Rule};
pub use resource_metadata::{
    ProtectedResourceMetadata, ProtectedResourceMetadataBuilder, ResourceMetadataError, UrlProblem,
    WELL_KNOWN_PATH,
};
pub use scope_grammar::{Method, MethodFilter, PathClass};
/// Requires scopes on one async axum handler, checked like [`scopes!`]'s.
///
/// Arguments: one or more scope string literals, all of them required
/// (`#[require_scopes("app:run", "app:execute")]`), with the grammar and compile errors
/// of a [`scopes!`] scope (no templates: there is no path to capture from).
///
/// ```
/// use axum::extract::Path;
/// use scope_runtime::require_scopes;
///
/// #[require_scopes("app:run", "app:execute")]
/// async fn run(Path(agent_id): Path<String>) -> String {
///     format!("running {agent_id}")
/// }
///
/// let verifier = scope_runtime::JwtVerifier::builder()
///     .key(scope_runtime::VerificationKey::hs256(b"your-secret-key-at-least-256-bits-long"))
///     .build()
///     .unwrap();
/// // No policy: the layer only authenticates, the attribute checks the scopes.
/// let app: axum::Router = axum::Router::new()
///     .route("/agents/{agent_id}/runs", axum::routing::post(run))
///     .layer(scope_runtime::ScopeLayer::authenticate_only(verifier));
/// ```
///
/// All listed scopes are required (the layer's admin scope passes). The attribute adds
/// one extractor as the first argument, so the handler keeps working with other
/// extractors, state and `#[debug_handler]`. It needs a layer that authenticated the
/// request: a [`ScopeLayer`], or [`ScopeLayer::authenticate_only`] for a service that
/// only uses this attribute. Without one (no layer, or a `public`, unmapped or tokenless
/// `optional` route the layer let through unauthenticated) the handler is answered 500
/// with a `detail` starting `Server misconfiguration: `; with missing scopes, 403
/// `insufficient_scope`. It goes on free `async fn`s only (not in
/// an `impl` block: it generates a marker type next to the function), and above
/// `#[axum::debug_handler]`, which must see the added argument.
pub use scope_macros::require_scopes;
#[doc = include_str!("../../docs/grammar.md")]
#[doc = include_str!("../../docs/matching.md")]
pub use scope_macros::scopes;
pub use template::{Granted, Scope};
/// tower's `Layer` trait, which [`ScopeLayer`] implements, re-exported so that wrapping a
/// whole router as one service (`ScopeLayer::new(..).layer(router)`, see [`ScopeLayer`])
/// needs no dependency on `tower` or `tower-layer`: `use scope_runtime::Layer as _;`.
/// ([`axum::Router::layer`] needs no import.)
pub use tower_layer::Layer;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

#[cfg(feature = "test-util")]
pub mod test_util;

// The macros name `::scope_runtime`: this lets the crate's own unit tests use them.
#[cfg(test)]
extern crate self as scope_runtime;

/// The README's Rust, compiled as doctests so that it stays a working program.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
