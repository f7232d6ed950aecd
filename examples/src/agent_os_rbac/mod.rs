//! `agent_os_rbac`: the same AgentOS as the seed ([`agent_os`]), under
//! Agno's default per-resource model: a scope per agent (`agents:<id>:read`,
//! `agents:<id>:run`), `*` for every agent (`agents:*:run`), a global scope per action
//! (`agents:read`, `agents:run`) and one per other resource (`sessions:read`, ...).
//!
//! The per-agent scopes are [scope templates](scope_runtime::scopes): the layer fills
//! `{agent_id}` with the agent of the request path, so `agents:finance-agent:read` (or
//! `agents:*:read`) is what reading `/agents/finance-agent` takes. `agent_os:admin` passes
//! every requirement. Two agents are served: `research-agent` ("Research Agent") and
//! `finance-agent` ("Finance Agent").
//!
//! | route | requirement |
//! | --- | --- |
//! | `GET /agents` | any valid token; lists the agents `GET /agents/{agent_id}` would show the caller, 403 naming `agents:read` when there is none |
//! | `GET /agents/{agent_id}` | `agents:read` or `agents:{agent_id}:read` (`agents:*:read` too) |
//! | `POST /agents/{agent_id}/runs` | `agents:run` or `agents:{agent_id}:run` (`agents:*:run` too) |
//! | `GET /sessions`, `GET /sessions/{session_id}` | `sessions:read` |
//! | `GET /memories` | `memories:read` |
//! | `POST /memories` | `memories:write` |
//! | `GET /config` | `config:read` |
//! | `GET /me` | any valid token |
//! | `GET /health` | nothing (public) |
//! | `GET /openapi.json` | nothing (public): the OpenAPI document, `security` from this policy |
//! | anything else | denied (403), except for `agent_os:admin` |
//!
//! Everything else is the seed's: the environment ([`Config`]), the verifier, the
//! routes and their answers (a run is an echo recorded as a session and a memory), an
//! unknown agent answered 404 `{"detail":"Agent not found"}`.
//!
//! ```no_run
//! use scope_policy_examples::agent_os_rbac::{self, Config};
//!
//! # async fn serve() -> Result<(), Box<dyn std::error::Error>> {
//! let config = Config::from_env()?;
//! let listener = tokio::net::TcpListener::bind((config.host.as_str(), config.port)).await?;
//! axum::serve(listener, agent_os_rbac::router(&config)).await?;
//! # Ok(())
//! # }
//! ```

// This file is the policy, the AgentOS it guards and the public names, as the seed's
// `mod.rs` is; `listing` is the one handler of its own (`GET /agents`), `tokens` the
// users it prints tokens for. The rest is the seed's code.
mod listing;
mod tokens;

use axum::Router;
use axum::routing::get;
use scope_runtime::{JwtVerifier, Policy, scopes};

use crate::agent_os::{self, Agent, Os, RESEARCH_AGENT};
pub use crate::agent_os::{Config, ConfigError, SeedToken, verifier, verifier_and_sources};
pub use tokens::example_tokens;

/// The per-resource policy: every route the server serves is mapped, and anything
/// unmapped is denied.
pub static POLICY: Policy = scopes! {
    // Any valid token: the handler lists what `GET /agents/{agent_id}` would show.
    "GET /agents"                  => [],
    "GET /agents/{agent_id}"       => any["agents:read", "agents:{agent_id}:read"],
    "POST /agents/{agent_id}/runs" => any["agents:run", "agents:{agent_id}:run"],
    "GET /sessions"                => ["sessions:read"],
    "GET /sessions/{session_id}"   => ["sessions:read"],
    "GET /memories"                => ["memories:read"],
    "POST /memories"               => ["memories:write"],
    "GET /config"                  => ["config:read"],
    "GET /health"                  => public,
    "GET /me"                      => [],
    "GET /openapi.json"            => public,
};

/// Every route [`router_with`] serves, for [`Policy::coverage`]: the seed's routes,
/// since the two serve the same router under different policies.
pub const ROUTES: &[&str] = agent_os::ROUTES;

/// The scope that passes every requirement.
pub const ADMIN_SCOPE: &str = "agent_os:admin";

/// The id of the first agent (the seed's one agent).
pub const RESEARCH_AGENT_ID: &str = agent_os::AGENT_ID;

/// The id of the second agent.
pub const FINANCE_AGENT_ID: &str = "finance-agent";

/// The display name of the second agent.
pub const FINANCE_AGENT_NAME: &str = "Finance Agent";

/// The agents served, in the order `GET /agents` lists them.
const AGENTS: &[Agent] = &[
    RESEARCH_AGENT,
    Agent::echo(FINANCE_AGENT_ID, FINANCE_AGENT_NAME),
];

/// This AgentOS: two agents, [`POLICY`], [`ADMIN_SCOPE`], and `GET /agents` filtered
/// per caller.
static RBAC: Os = Os::new(
    "rbac-agent-os",
    "Per-resource Scopes AgentOS",
    AGENTS,
    &POLICY,
    ADMIN_SCOPE,
    || get(listing::list_agents),
);

/// The whole AgentOS: the seed's routes and state, `GET /agents` filtered per caller,
/// and the [`ScopeLayer`](scope_runtime::ScopeLayer) enforcing [`POLICY`] (admin scope
/// [`ADMIN_SCOPE`]) on every request, with the keys of [`verifier`]. This is exactly
/// what the `agent_os_rbac` binary serves.
///
/// # Panics
///
/// If [`verifier`] fails, as [`agent_os::router`] does.
pub fn router(config: &Config) -> Router {
    RBAC.router_for(config)
}

/// [`router`] with a verifier of your own, and no protected-resource metadata.
pub fn router_with(verifier: JwtVerifier) -> Router {
    RBAC.router(verifier)
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
    RBAC.router_from(verifier, config)
}
