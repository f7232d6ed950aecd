//! Scope templates through the layer, against a real axum router whose handlers answer
//! the `Path` values they were given: a template is filled with exactly those values.

mod common;

use axum::Router;
use axum::extract::Path;
use axum::routing::get;
use common::*;
use scope_runtime::{Policy, ScopeLayer, scopes};

static POLICY: Policy = scopes! {
    "GET /agents/{agent_id}"       => any["agents:read", "agents:{agent_id}:read"],
    "POST /agents/{agent_id}/runs" => ["agents:{agent_id}:run"],
    "GET /orgs/{org}/repos/{repo}" => ["repo:{org}/{repo}:read"],
    "GET /files/{*path}"           => ["files:{path}:read"],
};

fn app() -> Router {
    async fn one(Path(id): Path<String>) -> String {
        id
    }
    async fn two(Path((org, repo)): Path<(String, String)>) -> String {
        format!("{org}/{repo}")
    }
    Router::new()
        .route("/agents/{agent_id}", get(one))
        .route("/agents/{agent_id}/runs", axum::routing::post(one))
        .route("/orgs/{org}/repos/{repo}", get(two))
        .route("/files/{*path}", get(one))
        .layer(ScopeLayer::new(hs256_verifier(), POLICY).admin_scope("admin"))
}

#[tokio::test]
async fn smoke() {
    let app = app();
    let t = token_with_scopes(&["agents:research-agent:read"]);
    let reply = send(&app, bearer("GET", "/agents/research-agent", &t)).await;
    assert_eq!(reply.text(), "research-agent");
    let reply = send(&app, bearer("GET", "/agents/finance-agent", &t)).await;
    assert_eq!(reply.status, 403, "{}", reply.text());
    assert_eq!(
        reply.json()["detail"],
        "Insufficient permissions. Required scope(s): one of agents:read, agents:finance-agent:read"
    );
    let t = token_with_scopes(&["repo:acme/*:read", "files:docs/a.txt:read"]);
    let reply = send(&app, bearer("GET", "/orgs/acme/repos/x", &t)).await;
    assert_eq!(reply.text(), "acme/x");
    let reply = send(&app, bearer("GET", "/orgs/other/repos/x", &t)).await;
    assert_eq!(reply.status, 403);
    let reply = send(&app, bearer("GET", "/files/docs/a.txt", &t)).await;
    assert_eq!(reply.text(), "docs/a.txt");
    let t = token_with_scopes(&["agents:{agent_id}:run"]);
    let reply = send(&app, bearer("POST", "/agents/x/runs", &t)).await;
    assert_eq!(reply.status, 403);
    println!("{:?}", reply.www_authenticate());
}
