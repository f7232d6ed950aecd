//! The attribute-only example server:
//! `cargo run -p scope-policy-examples --bin attribute_only`.
//!
//! Serves [`attribute_only::router`] on `HOST:PORT` (default `127.0.0.1:7778`) until
//! Ctrl-C (or SIGTERM), after printing a basic and a power token. The environment is
//! read as by the `agent_os` binary (`JWT_VERIFICATION_KEY`, `HOST`, `PORT`,
//! `RUST_LOG`).

use scope_policy_examples::agent_os::{self, Config};
use scope_policy_examples::{attribute_only, support};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    support::init_tracing();

    let config = Config {
        port: attribute_only::DEFAULT_PORT,
        ..Config::default()
    }
    .overridden_by_env()?;
    let url = config.base_url();
    for token in agent_os::seed_tokens(config.jwt_secret.as_bytes())?
        .iter()
        .filter(|t| matches!(t.label, "BASIC_TOKEN" | "POWER_TOKEN"))
    {
        println!(
            "# {}\nexport {}=\"{}\"\n",
            token.description, token.label, token.token
        );
    }
    println!(
        r#"Try:
curl {url}/health
curl -H "Authorization: Bearer $BASIC_TOKEN" {url}/agents
curl -X POST -H "Authorization: Bearer $POWER_TOKEN" -F "message=test" {url}/agents/research-agent/runs
"#
    );

    let router = attribute_only::router(config.jwt_secret.as_bytes());
    support::serve("attribute_only example", &config, router).await?;
    Ok(())
}
