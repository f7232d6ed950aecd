//! The per-resource example server:
//! `cargo run -p scope-policy-examples --bin agent_os_rbac`.
//!
//! Prints four tokens (one-agent reader, wildcard runner, global reader, admin) and the
//! curl lines of its walkthrough, then serves [`agent_os_rbac::router`] on `HOST:PORT`
//! (default `127.0.0.1:7777`) until Ctrl-C (or SIGTERM). The environment is the
//! `agent_os` binary's (the README's environment table).

use scope_policy_examples::agent_os_rbac::{self, Config};
use scope_policy_examples::support;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    support::init_tracing();
    support::exit_code(run().await)
}

async fn run() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let config = Config::from_env()?;
    let (verifier, sources) = agent_os_rbac::verifier_and_sources(&config)?;
    let tokens = agent_os_rbac::example_tokens(config.jwt_secret.as_bytes())?;
    print!(
        "{}",
        support::start_banner(&config, &tokens, &config.base_url(), WALKTHROUGH)
    );
    support::report_key_sources(&sources, KEY_SOURCE_GRACE).await;
    support::serve(
        "AgentOS (per-resource scopes)",
        &config,
        agent_os_rbac::router_from(verifier, &config)?,
    )
    .await?;
    Ok(())
}

/// How long the first fetch of a JWKS source may take before start-up names its
/// error (the server starts anyway).
const KEY_SOURCE_GRACE: std::time::Duration = std::time::Duration::from_secs(3);

/// The curl lines of the README's per-resource walkthrough, printed after the tokens
/// with the real tokens and URL filled in ([`support::start_banner`]).
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
