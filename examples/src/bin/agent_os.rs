//! The seed example server: `cargo run -p scope-policy-examples --bin agent_os`.
//!
//! Prints the seed's four tokens and its curl walkthrough, then serves
//! [`agent_os::router`] on `HOST:PORT` (default `127.0.0.1:7777`) until Ctrl-C (or
//! SIGTERM). `JWT_VERIFICATION_KEY` sets the HS256 secret; `JWT_JWKS_FILE`,
//! `JWT_JWKS_URL` and/or `JWT_OIDC_ISSUER` replace it with the keys of a JWKS (chosen
//! by `kid`); `JWT_ISSUER`, `JWT_AUDIENCE` and `JWT_REQUIRE_AT_JWT` say what tokens
//! must carry; `JWT_RESOURCE` serves the RFC 9728 protected-resource metadata and
//! names it in every challenge ([`agent_os::router_from`]); `RUST_LOG` sets the log
//! filter (default `info`). The README's environment table has them all.

use scope_policy_examples::agent_os::{self, Config};
use scope_policy_examples::support;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    support::init_tracing();
    support::exit_code(run().await)
}

async fn run() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let config = Config::from_env()?;
    let (verifier, sources) = agent_os::verifier_and_sources(&config)?;
    let tokens = agent_os::seed_tokens(config.jwt_secret.as_bytes())?;
    print!(
        "{}",
        support::start_banner(&config, &tokens, &config.base_url(), WALKTHROUGH)
    );
    support::report_key_sources(&sources, KEY_SOURCE_GRACE).await;
    support::serve(
        "AgentOS",
        &config,
        agent_os::router_from(verifier, &config)?,
    )
    .await?;
    Ok(())
}

/// How long the first fetch of a JWKS source may take before start-up names its
/// error (the server starts anyway).
const KEY_SOURCE_GRACE: std::time::Duration = std::time::Duration::from_secs(3);

/// The seed's curl walkthrough (plus one superadmin line), printed after the tokens
/// with the real tokens and URL filled in ([`support::start_banner`]).
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
