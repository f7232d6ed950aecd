//! What the example binaries do around serving: logging, printing their tokens,
//! serving until Ctrl-C or SIGTERM.

use std::fmt::Write as _;

use std::process::ExitCode;
use std::time::Duration;

use axum::Router;
use scope_runtime::RemoteJwks;
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

/// What an example prints at start-up under `config`: with the HS256 secret, the
/// [`banner`]; with keys from a JWKS or an identity provider (where the example's own
/// tokens would be refused), what is checked, then `walkthrough` with each `{LABEL}`
/// replaced by a placeholder naming the scopes the provider's token needs.
pub fn start_banner(
    config: &Config,
    tokens: &[SeedToken],
    base_url: &str,
    walkthrough: &str,
) -> String {
    if config.uses_secret() {
        return banner(tokens, base_url, walkthrough);
    }
    let auth = config.authentication();
    let mut out = String::from(
        "Tokens are verified with keys from your identity provider; this example's own\n\
         HS256 tokens are not printed (they would be refused).\n",
    );
    let _ = writeln!(out, "  keys:       {}", auth["keys"]);
    let _ = writeln!(
        out,
        "  issuer:     {}",
        config.required_issuer().unwrap_or("(not checked)")
    );
    let audience = match config.audiences.as_slice() {
        [] => "(none: tokens must carry no `aud`)".to_owned(),
        list => list.join(", "),
    };
    let _ = writeln!(out, "  audience:   {audience}");
    let typ = if config.require_at_jwt {
        "at+jwt required"
    } else {
        "not checked"
    };
    let _ = writeln!(out, "  token type: {typ}");
    let mut text = walkthrough.replace("{url}", base_url);
    for t in tokens {
        let placeholder = format!("<a token from your provider with: {}>", t.scopes.join(" "));
        text = text.replace(&format!("{{{}}}", t.label), &placeholder);
    }
    out + &text
}

/// Gives each JWKS source up to `timeout` to fetch its first keys, and names in one
/// line (at ERROR) each that has none by then, with why (a provider that is down, a
/// discovery document given as the JWKS URL, an issuer spelled differently from the
/// provider's, no usable key...). The server starts anyway: the sources keep trying in
/// the background, and tokens their keys sign are refused until they have keys.
pub async fn report_key_sources(sources: &[RemoteJwks], timeout: Duration) {
    for source in sources {
        if source.wait_until_ready(timeout).await {
            let status = source.status();
            tracing::info!(url = source.url(), keys = ?status.key_ids, "JWKS keys loaded");
        } else {
            let status = source.status();
            let error = status.last_error.as_deref().unwrap_or("no answer yet");
            tracing::error!(
                "no keys from {}: {error} (still retrying; tokens are refused until it answers)",
                source.url()
            );
        }
    }
}

/// A binary's exit: success, or its error named in one line (its `Display`, not the
/// `Debug` a `main` returning `Result` prints) and exit code 1.
pub fn exit_code(result: Result<(), Box<dyn std::error::Error + Send + Sync>>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("cannot start: {error}");
            ExitCode::FAILURE
        }
    }
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
