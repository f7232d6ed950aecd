//! Every decision is traced (method, path, rule, subject, outcome, missing scopes), and
//! the token never appears in the logs, whatever the outcome.

mod common;

use common::{
    OTHER_SECRET, app, bearer, claims, hs256_verifier, request, send, sign, token_with_scopes,
};
use jsonwebtoken::EncodingKey;
use scope_runtime::{Algorithm, Policy, ScopeLayer, scopes};
use serde_json::json;

static POLICY: Policy = scopes! {
    "GET /agents"         => ["app:read"],
    "POST /agents/*/runs" => ["app:run", "app:execute"],
    "GET /health"         => public,
};

#[tokio::test]
async fn decisions_are_traced_and_tokens_never_are() {
    let logs = common::Captured::default();
    let subscriber = logs.subscriber(tracing::Level::TRACE);
    let _guard = tracing::subscriber::set_default(subscriber);

    let (router, _hits) = app(&["/agents", "/agents/{id}/runs", "/health"], {
        ScopeLayer::new(hs256_verifier(), POLICY)
    });
    let reader = token_with_scopes(&["app:read"]);
    let forged = sign(
        Algorithm::HS256,
        &EncodingKey::from_secret(OTHER_SECRET),
        &claims(json!({ "scopes": ["app:run", "app:execute"] })),
    );
    let tokens = [reader.clone(), forged.clone()];
    send(&router, bearer("GET", "/agents", &reader)).await;
    send(&router, bearer("POST", "/agents/a1/runs", &reader)).await;
    send(&router, bearer("POST", "/agents/a1/runs", &forged)).await;
    send(&router, request("GET", "/health")).await;

    let text = logs.text();
    let lines: Vec<&str> = text.lines().filter(|l| l.contains("outcome")).collect();
    assert_eq!(lines.len(), 4, "one event per decision:\n{text}");
    assert!(lines[0].contains("outcome=\"allowed\"") && lines[0].contains("rule=\"GET /agents\""));
    assert!(lines[0].contains("subject=\"user-1\""), "{}", lines[0]);
    assert!(lines[1].contains("outcome=\"forbidden\""), "{}", lines[1]);
    assert!(
        lines[1].contains("required=app:run app:execute"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].contains("outcome=\"unauthenticated\""),
        "{}",
        lines[2]
    );
    assert!(lines[3].contains("path=\"/health\"") && lines[3].contains("allowed"));
    for token in &tokens {
        for part in token.split('.') {
            assert!(
                !text.contains(part),
                "a token part leaked into the logs:\n{text}"
            );
        }
    }
}
