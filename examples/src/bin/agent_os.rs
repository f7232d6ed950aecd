//! The seed example server: `cargo run -p scope-policy-examples --bin agent_os`.
//!
//! Prints the seed's four tokens and its curl walkthrough, then serves
//! [`agent_os::router`] on `HOST:PORT` (default `127.0.0.1:7777`) until Ctrl-C (or
//! SIGTERM). `JWT_VERIFICATION_KEY` sets the HS256 secret; `JWT_JWKS_FILE` and/or
//! `JWT_JWKS_URL` replace it with the keys of a JWKS (chosen by `kid`); `JWT_RESOURCE`
//! (with `JWT_AUTHORIZATION_SERVERS`) serves the RFC 9728 protected-resource metadata and
//! names it in every challenge ([`agent_os::router_from`]); `RUST_LOG` sets the log
//! filter (default `info`).

use scope_policy_examples::agent_os::{self, Config};
use scope_policy_examples::support;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    support::init_tracing();

    let config = Config::from_env()?;
    let verifier = agent_os::verifier(&config)?;
    let tokens = agent_os::seed_tokens(config.jwt_secret.as_bytes())?;
    print!(
        "{}",
        support::banner(&tokens, &config.base_url(), WALKTHROUGH)
    );
    if let Some(note) = support::jwks_note(&config) {
        println!("{note}");
    }
    support::serve(
        "AgentOS",
        &config,
        agent_os::router_from(verifier, &config)?,
    )
    .await?;
    Ok(())
}

/// The seed's curl walkthrough (plus one superadmin line), printed after the tokens
/// with the real tokens and URL filled in ([`support::banner`]).
const WALKTHROUGH: &str = r#"
Test the custom scopes:

# Basic user can read agents
export BASIC_TOKEN="{BASIC_TOKEN}"
curl -H "Authorization: Bearer $BASIC_TOKEN" {url}/agents

# Basic user cannot run agents (missing app:run and app:execute)
curl -X POST -H "Authorization: Bearer $BASIC_TOKEN" \
  -F "message=test" {url}/agents/research-agent/runs

# Power user can run agents
export POWER_TOKEN="{POWER_TOKEN}"
curl -X POST -H "Authorization: Bearer $POWER_TOKEN" \
  -F "message=Search for news" \
  {url}/agents/research-agent/runs

# Only admin can view sessions
export ADMIN_TOKEN="{ADMIN_TOKEN}"
curl -H "Authorization: Bearer $ADMIN_TOKEN" {url}/sessions

# Super admin bypasses all checks
export SUPERADMIN_TOKEN="{SUPERADMIN_TOKEN}"
curl -H "Authorization: Bearer $SUPERADMIN_TOKEN" {url}/config

"#;
