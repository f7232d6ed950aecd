//! The seed example: Agno's "Custom Scope Mappings" AgentOS, ported to Rust.
//!
//! The policy of the seed (plus a public `/health` and an any-valid-token `/me`) is
//! declared with [`scopes!`] and enforced by one
//! [`ScopeLayer`](scope_runtime::ScopeLayer) on the whole router,
//! with `app:superadmin` as the admin scope that passes every requirement. Tokens are
//! HS256 JWTs signed with the secret of `JWT_VERIFICATION_KEY`, exactly as in Agno.
//!
//! | route | requirement |
//! | --- | --- |
//! | `GET /agents`, `GET /agents/{agent_id}` | `app:read` |
//! | `POST /agents/{agent_id}/runs` | `app:run` and `app:execute` |
//! | `GET /sessions` | `app:admin` |
//! | `GET /sessions/{session_id}` | `app:read` and `sessions:read` |
//! | `GET /memories` | `memory:admin` |
//! | `POST /memories` | `memory:write` |
//! | `GET /config` | `app:admin` |
//! | `GET /me` | any valid token |
//! | `GET /health` | nothing (public) |
//! | `GET /openapi.json` | nothing (public): the OpenAPI 3.1 document, each operation's `security` written from the policy |
//! | anything else | denied (403), except for `app:superadmin` |
//!
//! No language model is called: a run answers a deterministic echo
//! (`"Research Agent received: <message>"`) and records a session and a memory in
//! memory. Ids are counters (`run-1`, `session-1`, `memory-1`, ...).
//!
//! ```no_run
//! use scope_policy_examples::agent_os::{self, Config};
//!
//! # async fn serve() -> Result<(), Box<dyn std::error::Error>> {
//! let config = Config::from_env()?;
//! let listener = tokio::net::TcpListener::bind((config.host.as_str(), config.port)).await?;
//! axum::serve(listener, agent_os::router(&config)).await?;
//! # Ok(())
//! # }
//! ```

// This file is what the example is about: the policy, the AgentOS it guards, and the
// public names. The rest sits beside it, one job a file: `config` (the environment,
// the verifier), `seed_tokens` (the printed tokens), `os` (what one AgentOS is, and the
// router of its routes), `store` (the state), `handlers` (the routes' answers), `agent`
// (the agents and the run request), `openapi` (the OpenAPI document). `agent_os_rbac` serves the same routes from these
// pieces, under another policy.
mod agent;
mod config;
mod handlers;
mod openapi;
mod os;
mod seed_tokens;
mod store;

use axum::Router;
use axum::routing::get;
use scope_runtime::{JwtVerifier, Policy, scopes};

pub(crate) use agent::{Agent, Agents, RESEARCH_AGENT, RunRequest};
pub use config::{Config, ConfigError, verifier, verifier_and_sources};
pub use openapi::OPENAPI_PATH;
pub(crate) use os::Os;
pub use seed_tokens::{SeedToken, seed_tokens};
pub(crate) use seed_tokens::{User, mint_tokens};
pub(crate) use store::AppState;

/// The scope policy of the seed: every route the server serves is mapped, and
/// anything unmapped is denied.
pub static POLICY: Policy = scopes! {
    "GET /agents"         => ["app:read"],
    "GET /agents/*"       => ["app:read"],
    "POST /agents/*/runs" => ["app:run", "app:execute"], // ALL listed scopes
    "GET /sessions"       => ["app:admin"],
    "GET /sessions/*"     => ["app:read", "sessions:read"],
    "GET /memories"       => ["memory:admin"],
    "POST /memories"      => ["memory:write"],
    "GET /config"         => ["app:admin"],
    "GET /health"         => public,   // no token needed at all
    "GET /me"             => [],       // any valid token
    "GET /openapi.json"   => public,   // the API's description, security from this policy
};

/// Every route [`router_with`] serves, as `"METHOD /path"` keys, for
/// [`Policy::coverage`]: `tests/tests/coverage.rs` checks that the policy covers each of
/// them, that each rule is reached, and that the router really serves each of them.
pub const ROUTES: &[&str] = &[
    "GET /agents",
    "GET /agents/{agent_id}",
    "POST /agents/{agent_id}/runs",
    "GET /sessions",
    "GET /sessions/{session_id}",
    "GET /memories",
    "POST /memories",
    "GET /config",
    "GET /me",
    "GET /health",
    "GET /openapi.json",
];

/// The scope that passes every requirement (Agno's `admin_scope`).
pub const ADMIN_SCOPE: &str = "app:superadmin";

/// The HS256 secret used when `JWT_VERIFICATION_KEY` is not set (the seed's default).
pub const DEFAULT_JWT_SECRET: &str = "your-secret-key-at-least-256-bits-long";

/// The address the server listens on when `HOST` is not set.
pub const DEFAULT_HOST: &str = "127.0.0.1";

/// The port the server listens on when `PORT` is not set (the seed's).
pub const DEFAULT_PORT: u16 = 7777;

/// The id of the one agent this AgentOS serves.
pub const AGENT_ID: &str = "research-agent";

/// The display name of the one agent.
pub const AGENT_NAME: &str = "Research Agent";

/// How many sessions (and, separately, memories) are kept; the oldest are dropped
/// first, so a long-running demo cannot grow without bound.
pub const MAX_STORED: usize = 1000;

/// The seed as an [`Os`]: its one agent, [`POLICY`] and [`ADMIN_SCOPE`]. `GET /agents`
/// lists every agent: `app:read`, checked by the layer, is all it needs.
static SEED: Os = Os::new(
    "my-agent-os",
    "Custom Scope Mappings AgentOS",
    agent::SEED_AGENTS,
    &POLICY,
    ADMIN_SCOPE,
    || get(handlers::list_agents),
);

/// The whole AgentOS: routes, in-memory state, and the
/// [`ScopeLayer`](scope_runtime::ScopeLayer) enforcing [`POLICY`] (admin scope
/// [`ADMIN_SCOPE`]) on every request, unknown routes included, with the keys of
/// [`verifier`]. This is exactly what the `agent_os` binary serves.
///
/// # Panics
///
/// If [`verifier`] fails (an empty secret, an unreadable JWKS file, a JWKS URL outside
/// a Tokio runtime); [`Config::from_env`] never returns an empty secret. The binary
/// calls [`verifier`] and [`router_with`] to report such errors instead.
pub fn router(config: &Config) -> Router {
    SEED.router_for(config)
}

/// [`router`] with a verifier of your own, and no protected-resource metadata.
pub fn router_with(verifier: JwtVerifier) -> Router {
    SEED.router(verifier)
}

/// [`router`] with a verifier of your own: with `config.resource` set
/// (`JWT_RESOURCE`), the RFC 9728 protected-resource metadata document is served
/// (`GET /.well-known/oauth-protected-resource[/<path>]`, no token needed;
/// `scopes_supported` from [`POLICY`], `authorization_servers` from
/// `config.authorization_servers`) and every challenge names it in
/// `resource_metadata="..."`. What the binary serves. Fails when the resource
/// identifier or an authorization server is not an absolute `https://` URL (`http://`
/// for loopback) without query or fragment.
pub fn router_from(
    verifier: JwtVerifier,
    config: &Config,
) -> Result<Router, scope_runtime::ResourceMetadataError> {
    SEED.router_from(verifier, config)
}
