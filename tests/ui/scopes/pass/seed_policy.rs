// The seed policy of SPEC §2 (Agno's "Custom Scope Mappings" example), verbatim.
use scope_runtime::{scopes, Policy, Requirement};

static POLICY: Policy = scopes! {
    "GET /agents"         => ["app:read"],
    "GET /agents/*"       => ["app:read"],
    "POST /agents/*/runs" => ["app:run", "app:execute"], // ALL listed scopes
    "GET /sessions"       => ["app:admin"],
    "GET /sessions/*"     => ["app:read", "sessions:read"],
    "GET /memories"       => ["memory:admin"],
    "POST /memories"      => ["memory:write"],
    "GET /config"         => ["app:admin"],
    "GET /health"         => public,   // no token needed at all
    "GET /me"             => [],       // any valid token
};

fn main() {
    let check = |m: &str, path: &str, key: &str, req: Requirement| {
        let rule = POLICY.lookup_str(m, path).unwrap_or_else(|| panic!("{m} {path}: no rule"));
        assert_eq!(rule.key(), key, "{m} {path}");
        assert_eq!(rule.requirement(), req, "{m} {path}");
    };
    check("GET", "/agents", "GET /agents", Requirement::AllOf(&["app:read"]));
    check("GET", "/agents/agent-1", "GET /agents/*", Requirement::AllOf(&["app:read"]));
    check("POST", "/agents/agent-1/runs", "POST /agents/*/runs", Requirement::AllOf(&["app:run", "app:execute"]));
    check("GET", "/sessions", "GET /sessions", Requirement::AllOf(&["app:admin"]));
    check("GET", "/sessions/s1", "GET /sessions/*", Requirement::AllOf(&["app:read", "sessions:read"]));
    check("GET", "/memories", "GET /memories", Requirement::AllOf(&["memory:admin"]));
    check("POST", "/memories", "POST /memories", Requirement::AllOf(&["memory:write"]));
    check("GET", "/config", "GET /config", Requirement::AllOf(&["app:admin"]));
    check("GET", "/health", "GET /health", Requirement::Public);
    check("GET", "/me", "GET /me", Requirement::AllOf(&[]));
    check("HEAD", "/agents", "GET /agents", Requirement::AllOf(&["app:read"]));

    // What Agno's mapping gets wrong: `*` does not cross `/`, unmapped routes match nothing.
    assert!(POLICY.lookup_str("GET", "/agents/a/runs").is_none());
    assert!(POLICY.lookup_str("POST", "/agents").is_none());
    assert!(POLICY.lookup_str("DELETE", "/agents/a").is_none());
    assert!(POLICY.lookup_str("GET", "/agents/").is_none());
    assert!(POLICY.lookup_str("GET", "/unknown").is_none());

    // Declaration order is kept for display, and `Display` prints rules back as written.
    assert_eq!(POLICY.rules().len(), 10);
    assert_eq!(POLICY.rules()[2].to_string(), r#""POST /agents/*/runs" => ["app:run", "app:execute"]"#);
    assert_eq!(POLICY.rules()[8].to_string(), r#""GET /health" => public"#);
}
