//! Route coverage (`Policy::coverage`) on the examples' policies and on the mistakes it
//! exists to catch: a forgotten route, a typo in a rule, a rule shadowed everywhere. The
//! route lists of the examples are checked against their real routers, so the check
//! cannot pass on a list that has drifted from what is served.

use axum::Router;
use axum::body::Body;
use http::HeaderValue;
use http::header::CONTENT_TYPE;
use scope_policy_examples::{agent_os, agent_os_rbac};
use scope_policy_tests::reply::send;
use scope_policy_tests::requests::bearer;
use scope_policy_tests::seed::{self, SUPERADMIN, run_at};
use scope_policy_tests::tokens::mint;
use scope_runtime::{Policy, scopes};

include!("../../scope-runtime/benches/support/seed_policy.rs");

/// The copy of the seed policy that the benches, the fuzz targets and the revision
/// comparison use (they cannot depend on the examples) is the example's, rule for rule.
#[test]
fn the_benchmarked_seed_policy_is_the_example_policy() {
    static COPY: Policy = seed_policy!(scope_runtime);
    let rules = |policy: &Policy| {
        policy
            .rules()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(rules(&COPY), rules(&agent_os::POLICY));
}

/// Each `(method, path)` of `cases` finds the rule written `key`, whose requirement
/// prints as `requirement`.
#[track_caller]
fn assert_rules(policy: &Policy, cases: &[(&str, &str, &str, &str)]) {
    for &(method, path, key, requirement) in cases {
        let rule = policy
            .lookup_str(method, path)
            .unwrap_or_else(|| panic!("{method} {path}: no rule"));
        assert_eq!(rule.key(), key, "{method} {path}");
        assert_eq!(
            rule.requirement().to_string(),
            requirement,
            "{method} {path}"
        );
    }
}

/// Routes neither example maps match no rule: a capture does not cross `/`, another
/// method or a trailing slash is another route.
#[track_caller]
fn assert_unmapped(policy: &Policy) {
    for (method, path) in [
        ("GET", "/agents/a/runs"),
        ("POST", "/agents"),
        ("DELETE", "/agents/a"),
        ("GET", "/agents/"),
        ("GET", "/unknown"),
    ] {
        assert!(policy.lookup_str(method, path).is_none(), "{method} {path}");
    }
}

/// The seed policy reads as Agno's page means it: each route finds its own rule, `*`
/// does not cross `/`, unmapped routes match nothing, and rules print back as written.
#[test]
fn the_seed_policy_finds_the_rule_of_each_route() {
    let cases: [(&str, &str, &str, &str); 12] = [
        ("GET", "/agents", "GET /agents", r#"["app:read"]"#),
        ("GET", "/agents/agent-1", "GET /agents/*", r#"["app:read"]"#),
        (
            "POST",
            "/agents/agent-1/runs",
            "POST /agents/*/runs",
            r#"["app:run", "app:execute"]"#,
        ),
        ("GET", "/sessions", "GET /sessions", r#"["app:admin"]"#),
        (
            "GET",
            "/sessions/s1",
            "GET /sessions/*",
            r#"["app:read", "sessions:read"]"#,
        ),
        ("GET", "/memories", "GET /memories", r#"["memory:admin"]"#),
        ("POST", "/memories", "POST /memories", r#"["memory:write"]"#),
        ("GET", "/config", "GET /config", r#"["app:admin"]"#),
        ("GET", "/health", "GET /health", "public"),
        ("GET", "/me", "GET /me", r#"[]"#),
        ("GET", "/openapi.json", "GET /openapi.json", "public"),
        ("HEAD", "/agents", "GET /agents", r#"["app:read"]"#),
    ];
    assert_rules(&agent_os::POLICY, &cases);
    // What Agno's mapping gets wrong: `*` does not cross `/`; unmapped routes match nothing.
    assert_unmapped(&agent_os::POLICY);
    // Declaration order is kept for display, and `Display` prints rules back as written.
    let rules = agent_os::POLICY.rules();
    assert_eq!(rules.len(), 11);
    assert_eq!(
        rules[2].to_string(),
        r#""POST /agents/*/runs" => ["app:run", "app:execute"]"#
    );
    assert_eq!(rules[8].to_string(), r#""GET /health" => public"#);
}

/// The per-resource policy: each route finds its own rule, templates included, and
/// the listing's rule is any valid token (the handler filters).
#[test]
fn the_rbac_policy_finds_the_rule_of_each_route() {
    let cases: [(&str, &str, &str, &str); 12] = [
        ("GET", "/agents", "GET /agents", "[]"),
        (
            "GET",
            "/agents/finance-agent",
            "GET /agents/{agent_id}",
            r#"any["agents:read", "agents:{agent_id}:read"]"#,
        ),
        (
            "POST",
            "/agents/finance-agent/runs",
            "POST /agents/{agent_id}/runs",
            r#"any["agents:run", "agents:{agent_id}:run"]"#,
        ),
        ("GET", "/sessions", "GET /sessions", r#"["sessions:read"]"#),
        (
            "GET",
            "/sessions/s1",
            "GET /sessions/{session_id}",
            r#"["sessions:read"]"#,
        ),
        ("GET", "/memories", "GET /memories", r#"["memories:read"]"#),
        (
            "POST",
            "/memories",
            "POST /memories",
            r#"["memories:write"]"#,
        ),
        ("GET", "/config", "GET /config", r#"["config:read"]"#),
        ("GET", "/health", "GET /health", "public"),
        ("GET", "/me", "GET /me", "[]"),
        ("GET", "/openapi.json", "GET /openapi.json", "public"),
        (
            "HEAD",
            "/agents/research-agent",
            "GET /agents/{agent_id}",
            r#"any["agents:read", "agents:{agent_id}:read"]"#,
        ),
    ];
    assert_rules(&agent_os_rbac::POLICY, &cases);
    assert_unmapped(&agent_os_rbac::POLICY);
    // The listing asks `GET /agents/{agent_id}` for its grants by that exact key.
    assert!(
        agent_os_rbac::POLICY
            .rule("GET /agents/{agent_id}")
            .is_some()
    );
}

#[test]
fn the_seed_policy_covers_every_route_and_every_rule_is_reached() {
    let coverage = agent_os::POLICY
        .coverage(agent_os::ROUTES.iter().copied())
        .expect("the route keys parse");
    assert!(coverage.is_complete(), "{coverage}");
}

#[test]
fn the_rbac_policy_covers_every_route_and_every_rule_is_reached() {
    let coverage = agent_os_rbac::POLICY
        .coverage(agent_os_rbac::ROUTES.iter().copied())
        .expect("the route keys parse");
    assert!(coverage.is_complete(), "{coverage}");
}

/// Each listed route is one `router` serves: with a token of `admin_scope` the request
/// meets a handler, never the router's fallback (`{"detail":"Not Found"}`) or its
/// method-not-allowed fallback.
async fn assert_serves_every_route(router: Router, routes: &[&str], admin_scope: &str) {
    let admin = mint(&[admin_scope]);
    for route in routes {
        let (method, path) = route.split_once(' ').expect("METHOD /path");
        let path = path
            .replace("{agent_id}", agent_os::AGENT_ID)
            .replace("{session_id}", "none");
        let reply = if method == "POST" && path.ends_with("/runs") {
            send(&router, run_at(&path, &admin)).await
        } else {
            let mut request = bearer(method, &path, &admin);
            if method == "POST" {
                *request.body_mut() = Body::from(r#"{"memory":"m"}"#);
                request
                    .headers_mut()
                    .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            }
            send(&router, request).await
        };
        assert_ne!(reply.status.as_u16(), 405, "{route}: {reply:?}");
        if reply.status.as_u16() == 404 {
            assert_ne!(reply.json()["detail"], "Not Found", "{route}: {reply:?}");
        }
    }
}

#[tokio::test]
async fn the_seed_route_list_is_what_the_router_serves() {
    let router = agent_os::router(&seed::config());
    assert_serves_every_route(router, agent_os::ROUTES, SUPERADMIN[0]).await;
}

#[tokio::test]
async fn the_rbac_route_list_is_what_the_router_serves() {
    let router = agent_os_rbac::router(&seed::config());
    assert_serves_every_route(router, agent_os_rbac::ROUTES, agent_os_rbac::ADMIN_SCOPE).await;
}

static WITH_MISTAKES: Policy = scopes! {
    "GET /agents"          => ["app:read"],
    "GET /agent/*"         => ["app:read"],   // typo: no route is `/agent/...`
    "POST /agents/*/runs"  => ["app:run"],
    "GET /agents/*/runs"   => ["app:read"],   // no such GET route
    "GET /files/{*path}"   => ["files:read"],
    "GET /files/**"        => ["files:read"], // shadowed by `{*path}` wherever a route is
    "* /admin/**"          => ["admin"],
};

#[test]
fn mistakes_are_listed_by_name() {
    let coverage = WITH_MISTAKES
        .coverage([
            "GET /agents",
            "GET /agents/{agent_id}",
            "POST /agents/{agent_id}/runs",
            "DELETE /agents/{agent_id}",
            "GET /files/{*path}",
            "* /admin/{*rest}",
        ])
        .expect("the route keys parse");
    assert_eq!(
        coverage.uncovered_routes(),
        ["GET /agents/{agent_id}", "DELETE /agents/{agent_id}"]
    );
    let unreached: Vec<&str> = coverage.unreached_rules().iter().map(|r| r.key()).collect();
    assert_eq!(
        unreached,
        ["GET /agent/*", "GET /agents/*/runs", "GET /files/**"]
    );
    let report = coverage.to_string();
    assert!(report.contains("  DELETE /agents/{agent_id}\n"), "{report}");
    assert!(
        report.contains(r#"  "GET /agent/*" => ["app:read"]"#),
        "{report}"
    );
}

#[test]
fn a_bad_route_key_is_an_error_naming_it() {
    let error = agent_os::POLICY
        .coverage(["GET agents"])
        .expect_err("no leading slash");
    assert!(
        error
            .to_string()
            .starts_with("route `GET agents`: path `agents` must start with `/`"),
        "{error}"
    );
}

/// A route string in axum 0.7 syntax is refused with the 0.8 spelling, rather than read
/// as a literal that no rule of the policy would cover.
#[test]
fn an_axum_07_route_key_is_an_error_suggesting_the_08_spelling() {
    let error = agent_os::POLICY
        .coverage(["GET /agents", "POST /agents/:agent_id/runs"])
        .expect_err("axum 0.7 capture");
    assert_eq!(
        error.to_string(),
        "route `POST /agents/:agent_id/runs`: segment `:agent_id` of `/agents/:agent_id/runs` \
         is axum 0.7 capture syntax; this DSL (like axum 0.8) writes `{agent_id}`"
    );
}
