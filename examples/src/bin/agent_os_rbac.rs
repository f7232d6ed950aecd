//! The per-resource example server:
//! `cargo run -p scope-policy-examples --bin agent_os_rbac`.
//!
//! Prints four tokens (one-agent reader, wildcard runner, global reader, admin) and the
//! curl lines of its walkthrough, then serves [`agent_os_rbac::router`] on `HOST:PORT`
//! (default `127.0.0.1:7777`) until Ctrl-C (or SIGTERM). The environment is the
//! `agent_os` binary's: `JWT_VERIFICATION_KEY`, `JWT_JWKS_FILE`, `JWT_JWKS_URL`,
//! `JWT_RESOURCE`, `JWT_AUTHORIZATION_SERVERS`, `HOST`, `PORT`, `RUST_LOG`.

use scope_policy_examples::agent_os_rbac::{self, Config};
use scope_policy_examples::support;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    support::init_tracing();

    let config = Config::from_env()?;
    let verifier = agent_os_rbac::verifier(&config)?;
    let tokens = agent_os_rbac::example_tokens(config.jwt_secret.as_bytes())?;
    print!(
        "{}",
        support::banner(&tokens, &config.base_url(), WALKTHROUGH)
    );
    if let Some(note) = support::jwks_note(&config) {
        println!("{note}");
    }
    support::serve(
        "AgentOS (per-resource scopes)",
        &config,
        agent_os_rbac::router_from(verifier, &config)?,
    )
    .await?;
    Ok(())
}

/// The curl lines of the README's per-resource walkthrough, printed after the tokens
/// with the real tokens and URL filled in ([`support::banner`]).
const WALKTHROUGH: &str = r#"
Test the per-resource scopes:

# One agent's reader lists and reads only that agent
export RESEARCH_READER_TOKEN="{RESEARCH_READER_TOKEN}"
curl -H "Authorization: Bearer $RESEARCH_READER_TOKEN" {url}/agents
curl -H "Authorization: Bearer $RESEARCH_READER_TOKEN" {url}/agents/finance-agent

# The wildcard runner runs every agent, but cannot list them
export RUNNER_TOKEN="{RUNNER_TOKEN}"
curl -X POST -H "Authorization: Bearer $RUNNER_TOKEN" \
  -F "message=Quarterly revenue" {url}/agents/finance-agent/runs
curl -H "Authorization: Bearer $RUNNER_TOKEN" {url}/agents

# The global reader lists every agent, but cannot run them
export READER_TOKEN="{READER_TOKEN}"
curl -H "Authorization: Bearer $READER_TOKEN" {url}/agents
curl -X POST -H "Authorization: Bearer $READER_TOKEN" \
  -F "message=test" {url}/agents/finance-agent/runs

# The admin bypasses all checks
export ADMIN_TOKEN="{ADMIN_TOKEN}"
curl -H "Authorization: Bearer $ADMIN_TOKEN" {url}/sessions

"#;
