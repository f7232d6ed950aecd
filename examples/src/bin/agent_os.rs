//! The seed example server: `cargo run -p scope-policy-examples --bin agent_os`.
//!
//! Prints the seed's four tokens and its curl walkthrough, then serves
//! [`agent_os::router`] on `HOST:PORT` (default `127.0.0.1:7777`) until Ctrl-C (or
//! SIGTERM). `JWT_VERIFICATION_KEY` sets the HS256 secret; `JWT_JWKS_FILE` and/or
//! `JWT_JWKS_URL` replace it with the keys of a JWKS (chosen by `kid`); `RUST_LOG` sets
//! the log filter (default `info`).

use std::fmt::Write as _;

use scope_policy_examples::agent_os::{self, Config, SeedToken};
use scope_policy_examples::support;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    support::init_tracing();

    let config = Config::from_env()?;
    let verifier = agent_os::verifier(&config)?;
    let tokens = agent_os::seed_tokens(config.jwt_secret.as_bytes())?;
    print!("{}", banner(&tokens, &config.base_url()));
    if config.jwks_file.is_some() || config.jwks_url.is_some() {
        println!(
            "Note: tokens are verified with the keys of JWT_JWKS_FILE / JWT_JWKS_URL, by kid;\n\
             the HS256 tokens above are refused. Use tokens from your identity provider.\n"
        );
    }

    let listener = tokio::net::TcpListener::bind((config.host.as_str(), config.port)).await?;
    tracing::info!(address = %listener.local_addr()?, "AgentOS listening");
    axum::serve(listener, agent_os::router_with(verifier))
        .with_graceful_shutdown(support::shutdown_signal())
        .await?;
    tracing::info!("AgentOS stopped");
    Ok(())
}

/// The seed's output: the four tokens, then its curl walkthrough with the real tokens
/// and URL (plus one superadmin line).
fn banner(tokens: &[SeedToken], base_url: &str) -> String {
    let token = |label: &str| {
        tokens
            .iter()
            .find(|t| t.label == label)
            .map_or("", |t| t.token.as_str())
    };
    let mut out = String::new();
    for (i, t) in tokens.iter().enumerate() {
        let separator = if i == 0 { "" } else { "\n" };
        let _ = writeln!(out, "{separator}{}:\n{}", t.description, t.token);
    }
    let _ = write!(
        out,
        r#"
Test the custom scopes:

# Basic user can read agents
export BASIC_TOKEN="{basic}"
curl -H "Authorization: Bearer $BASIC_TOKEN" {url}/agents

# Basic user cannot run agents (missing app:run and app:execute)
curl -X POST -H "Authorization: Bearer $BASIC_TOKEN" \
  -F "message=test" {url}/agents/research-agent/runs

# Power user can run agents
export POWER_TOKEN="{power}"
curl -X POST -H "Authorization: Bearer $POWER_TOKEN" \
  -F "message=Search for news" \
  {url}/agents/research-agent/runs

# Only admin can view sessions
export ADMIN_TOKEN="{admin}"
curl -H "Authorization: Bearer $ADMIN_TOKEN" {url}/sessions

# Super admin bypasses all checks
export SUPERADMIN_TOKEN="{superadmin}"
curl -H "Authorization: Bearer $SUPERADMIN_TOKEN" {url}/config

"#,
        basic = token("BASIC_TOKEN"),
        power = token("POWER_TOKEN"),
        admin = token("ADMIN_TOKEN"),
        superadmin = token("SUPERADMIN_TOKEN"),
        url = base_url,
    );
    out
}
