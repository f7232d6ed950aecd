//! What the example binaries do around serving: logging, printing their tokens,
//! serving until Ctrl-C or SIGTERM.

use std::fmt::Write as _;

use axum::Router;
use tracing_subscriber::EnvFilter;

use crate::agent_os::{Config, SeedToken};

/// Logs to stderr (stdout carries only the tokens and the walkthrough), filtered by
/// `RUST_LOG` (default `info`). The layer's decisions are logged under the
/// `scope_runtime` target.
pub fn init_tracing() {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
}

/// Resolves on Ctrl-C (SIGINT), or on SIGTERM on Unix: pass it to
/// `axum::serve(..).with_graceful_shutdown(..)`.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut sigterm) => {
                sigterm.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("shutting down");
}

/// The tokens as the seed prints them: each heading, a colon and the token on the next
/// line, a blank line between two tokens.
pub fn token_listing(tokens: &[SeedToken]) -> String {
    let mut out = String::new();
    for (i, t) in tokens.iter().enumerate() {
        let separator = if i == 0 { "" } else { "\n" };
        let _ = writeln!(out, "{separator}{}:\n{}", t.description, t.token);
    }
    out
}

/// What an example prints at start-up: its tokens ([`token_listing`]), then
/// `walkthrough` with `{url}` replaced by `base_url` and each `{LABEL}` by the token
/// labelled `LABEL`, so that its curl lines work as printed.
pub fn banner(tokens: &[SeedToken], base_url: &str, walkthrough: &str) -> String {
    let mut text = walkthrough.replace("{url}", base_url);
    for t in tokens {
        text = text.replace(&format!("{{{}}}", t.label), &t.token);
    }
    token_listing(tokens) + &text
}

/// What to print after the tokens when `config` verifies with the keys of a JWKS: the
/// printed HS256 tokens are then refused.
pub fn jwks_note(config: &Config) -> Option<&'static str> {
    (config.jwks_file.is_some() || config.jwks_url.is_some()).then_some(
        "Note: tokens are verified with the keys of JWT_JWKS_FILE / JWT_JWKS_URL, by kid;\n\
         the HS256 tokens above are refused. Use tokens from your identity provider.\n",
    )
}

/// Serves `router` on `config.host:config.port` until Ctrl-C or SIGTERM
/// ([`shutdown_signal`]), logging when `name` starts listening and when it stops.
pub async fn serve(name: &str, config: &Config, router: Router) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind((config.host.as_str(), config.port)).await?;
    tracing::info!(address = %listener.local_addr()?, "{name} listening");
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    tracing::info!("{name} stopped");
    Ok(())
}
