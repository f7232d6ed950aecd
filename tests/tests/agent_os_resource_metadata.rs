//! `agent_os` and `agent_os_rbac` with `JWT_RESOURCE` (and `JWT_AUTHORIZATION_SERVERS`):
//! the RFC 9728 protected-resource metadata served without a token, `scopes_supported`
//! from each policy, and `resource_metadata="..."` in the challenges; none of it without
//! a resource identifier.

use scope_policy_examples::{agent_os, agent_os_rbac};
use scope_policy_tests::reply::send;
use scope_policy_tests::requests::{anonymous, bearer};
use scope_policy_tests::tokens::{SECRET, forged, mint, mint_lifetime};
use serde_json::json;

const RESOURCE: &str = "http://localhost:7777";
const WELL_KNOWN: &str = "/.well-known/oauth-protected-resource";
const METADATA_URL: &str = "http://localhost:7777/.well-known/oauth-protected-resource";
const ISSUER: &str = "https://idp.example.com/realms/agents";

fn config(resource: Option<&str>) -> agent_os::Config {
    agent_os::Config {
        jwt_secret: SECRET.to_owned(),
        resource: resource.map(str::to_owned),
        authorization_servers: vec![ISSUER.to_owned()],
        ..agent_os::Config::default()
    }
}

#[tokio::test]
async fn agent_os_serves_the_document_and_names_it_in_its_challenges() {
    let app = agent_os::router(&config(Some(RESOURCE)));
    let reply = send(&app, anonymous("GET", WELL_KNOWN)).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert_eq!(
        reply.json(),
        json!({
            "resource": RESOURCE,
            "authorization_servers": [ISSUER],
            "scopes_supported": [
                "app:read", "app:run", "app:execute", "app:admin", "sessions:read",
                "memory:admin", "memory:write"
            ],
            "bearer_methods_supported": ["header"],
            "resource_name": "Custom Scope Mappings AgentOS",
        })
    );

    let challenge = |reply: &scope_policy_tests::reply::Reply| {
        reply.challenge().map(str::to_owned).expect("a challenge")
    };
    let reply = send(&app, anonymous("GET", "/agents")).await;
    assert_eq!(reply.status, 401);
    assert_eq!(
        challenge(&reply),
        format!(r#"Bearer resource_metadata="{METADATA_URL}""#)
    );
    for token in [forged(&["app:read"]), mint_lifetime(&["app:read"], -3600)] {
        let reply = send(&app, bearer("GET", "/agents", &token)).await;
        assert_eq!(reply.status, 401);
        let challenge = challenge(&reply);
        assert!(
            challenge.starts_with(r#"Bearer error="invalid_token""#),
            "{challenge}"
        );
        assert!(
            challenge.ends_with(&format!(r#", resource_metadata="{METADATA_URL}""#)),
            "{challenge}"
        );
    }
    let reply = send(&app, bearer("GET", "/sessions", &mint(&["app:read"]))).await;
    assert_eq!(reply.status, 403);
    assert_eq!(
        challenge(&reply),
        format!(
            r#"Bearer error="insufficient_scope", scope="app:admin", resource_metadata="{METADATA_URL}""#
        )
    );
    // The rest is the seed's: served with a token, unknown paths still refused.
    let reply = send(&app, bearer("GET", "/agents", &mint(&["app:read"]))).await;
    assert_eq!(reply.status, 200);
    let reply = send(&app, anonymous("GET", "/unknown")).await;
    assert_eq!(reply.status, 401);
}

#[tokio::test]
async fn agent_os_rbac_lists_its_templates_in_their_wildcard_form() {
    let config = agent_os::Config {
        resource: Some("https://agents.example.com/os".to_owned()),
        ..config(None)
    };
    let app = agent_os_rbac::router(&config);
    let path = "/.well-known/oauth-protected-resource/os";
    let reply = send(&app, anonymous("GET", path)).await;
    assert_eq!(reply.status, 200);
    let document = reply.json();
    assert_eq!(document["resource"], "https://agents.example.com/os");
    assert_eq!(
        document["scopes_supported"],
        json!([
            "agents:read",
            "agents:*:read",
            "agents:run",
            "agents:*:run",
            "sessions:read",
            "memories:read",
            "memories:write",
            "config:read"
        ])
    );
    let reply = send(&app, anonymous("GET", "/agents/research-agent")).await;
    assert_eq!(
        reply.challenge(),
        Some(
            r#"Bearer resource_metadata="https://agents.example.com/.well-known/oauth-protected-resource/os""#
        )
    );
}

#[tokio::test]
async fn without_a_resource_nothing_changes() {
    let app = agent_os::router(&config(None));
    let reply = send(&app, anonymous("GET", WELL_KNOWN)).await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.challenge(), Some("Bearer"));
    let reply = send(&app, anonymous("GET", "/agents")).await;
    assert_eq!(reply.challenge(), Some("Bearer"));
}

#[test]
fn an_invalid_resource_is_an_error_at_start() {
    let verifier = agent_os::verifier(&config(None)).expect("verifier");
    let error = agent_os::router_from(verifier, &config(Some("http://agents.example.com")))
        .expect_err("plain http off loopback");
    assert!(error.to_string().contains("use https"), "{error}");
}
