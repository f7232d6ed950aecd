//! `GET /openapi.json` of the examples, through their real routers: served without a
//! token, each operation's `security` the policy's, and the document's operations the
//! routes the router serves.

use axum::Router;
use http::header::CONTENT_TYPE;
use scope_policy_examples::{agent_os, agent_os_rbac};
use scope_policy_tests::reply::send;
use scope_policy_tests::requests::anonymous;
use scope_policy_tests::seed;
use serde_json::{Value, json};

/// The document `router` serves to a request without a token.
async fn document(router: &Router) -> Value {
    let reply = send(router, anonymous("GET", agent_os::OPENAPI_PATH)).await;
    assert_eq!(reply.status.as_u16(), 200, "{reply:?}");
    assert_eq!(reply.header(CONTENT_TYPE), Some("application/json"));
    serde_json::from_slice(&reply.body).expect("a JSON document")
}

/// The operations of `doc`, as `"METHOD /path"` keys, sorted.
fn operations(doc: &Value) -> Vec<String> {
    let mut keys: Vec<String> = doc["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .flat_map(|(path, item)| {
            let methods = item.as_object().expect("a path item").keys();
            methods.map(move |m| format!("{} {path}", m.to_uppercase()))
        })
        .collect();
    keys.sort();
    keys
}

/// The document lists exactly the routes the example serves (the route list that
/// `tests/tests/coverage.rs` checks against the router), and what it says of each
/// operation is what the layer does to a request without a token: `security: []`
/// passes, anything else is refused with 401.
async fn assert_matches_the_router(router: &Router, routes: &[&str], doc: &Value) {
    let mut expected: Vec<String> = routes.iter().map(|r| (*r).to_owned()).collect();
    expected.sort();
    assert_eq!(operations(doc), expected);
    for route in routes {
        let (method, path) = route.split_once(' ').expect("METHOD /path");
        let security = &doc["paths"][path][method.to_lowercase()]["security"];
        assert!(security.is_array(), "{route}: {security}");
        let concrete = path
            .replace("{agent_id}", agent_os::AGENT_ID)
            .replace("{session_id}", "none");
        let reply = send(router, anonymous(method, &concrete)).await;
        if security == &json!([]) {
            assert_ne!(reply.status.as_u16(), 401, "{route}: {reply:?}");
        } else {
            assert_eq!(reply.status.as_u16(), 401, "{route}: {reply:?}");
        }
    }
}

#[tokio::test]
async fn the_seed_serves_its_document_without_a_token() {
    let router = agent_os::router(&seed::config());
    let doc = document(&router).await;
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"],
        json!({ "type": "http", "scheme": "bearer", "bearerFormat": "JWT" }),
    );
    let security = |path: &str, method: &str| doc["paths"][path][method]["security"].clone();
    assert_eq!(
        security("/agents", "get"),
        json!([{ "bearer": ["app:read"] }])
    );
    assert_eq!(
        security("/agents/{agent_id}", "get"),
        json!([{ "bearer": ["app:read"] }])
    );
    assert_eq!(
        security("/agents/{agent_id}/runs", "post"),
        json!([{ "bearer": ["app:run", "app:execute"] }]),
    );
    assert_eq!(
        security("/sessions", "get"),
        json!([{ "bearer": ["app:admin"] }])
    );
    assert_eq!(
        security("/sessions/{session_id}", "get"),
        json!([{ "bearer": ["app:read", "sessions:read"] }]),
    );
    assert_eq!(
        security("/memories", "get"),
        json!([{ "bearer": ["memory:admin"] }])
    );
    assert_eq!(
        security("/memories", "post"),
        json!([{ "bearer": ["memory:write"] }])
    );
    assert_eq!(
        security("/config", "get"),
        json!([{ "bearer": ["app:admin"] }])
    );
    assert_eq!(security("/me", "get"), json!([{ "bearer": [] }]));
    assert_eq!(security("/health", "get"), json!([]));
    assert_eq!(security("/openapi.json", "get"), json!([]));
    // The path parameters are declared, as OpenAPI requires of a templated path.
    assert_eq!(
        doc["paths"]["/agents/{agent_id}"]["get"]["parameters"][0]["name"],
        "agent_id"
    );
    assert_matches_the_router(&router, agent_os::ROUTES, &doc).await;
}

#[tokio::test]
async fn the_rbac_document_lists_templates_as_written() {
    let router = agent_os_rbac::router(&seed::config());
    let doc = document(&router).await;
    let security = |path: &str, method: &str| doc["paths"][path][method]["security"].clone();
    assert_eq!(security("/agents", "get"), json!([{ "bearer": [] }]));
    assert_eq!(
        security("/agents/{agent_id}", "get"),
        json!([{ "bearer": ["agents:read"] }, { "bearer": ["agents:{agent_id}:read"] }]),
    );
    assert_eq!(
        security("/agents/{agent_id}/runs", "post"),
        json!([{ "bearer": ["agents:run"] }, { "bearer": ["agents:{agent_id}:run"] }]),
    );
    assert_eq!(
        security("/config", "get"),
        json!([{ "bearer": ["config:read"] }])
    );
    assert_eq!(security("/openapi.json", "get"), json!([]));
    assert_matches_the_router(&router, agent_os_rbac::ROUTES, &doc).await;
}
