// Scope templates in every form: one capture, in `any[...]`, several captures, a
// catch-all, at the start or the end of the scope, beside fixed scopes, in a `static`.
use scope_runtime::{scopes, Granted, Policy, VerifiedClaims};

static POLICY: Policy = scopes! {
    "GET /agents/{agent_id}"            => any["agents:read", "agents:{agent_id}:read"],
    "POST /agents/{agent_id}/runs"      => ["agents:{agent_id}:run"],
    "GET /orgs/{org}/repos/{repo}"      => ["repo:{org}/{repo}:read", "app:read"],
    "GET /files/{*path}"                => ["files:{path}:read"],
    "DELETE /agents/{agent_id}"         => ["{agent_id}:delete"],
    "PUT /agents/{agent_id}"            => ["write:{agent_id}"],
    "PATCH /pairs/{left}/{right}"       => ["pair:{left}{right}"],
    "* /tenants/{tenant}/**"            => ["tenant:{tenant}"],
};

fn main() {
    let rule = |key: &str| POLICY.rule(key).unwrap();
    let scopes = |key: &str| rule(key).requirement().scopes();
    assert_eq!(scopes("GET /agents/{agent_id}"), ["agents:read", "agents:{agent_id}:read"]);
    assert!(!scopes("GET /agents/{agent_id}")[0].is_template());
    assert!(scopes("GET /agents/{agent_id}")[1].is_template());
    assert_eq!(
        scopes("GET /orgs/{org}/repos/{repo}")[0].captures().collect::<Vec<_>>(),
        ["org", "repo"]
    );
    assert_eq!(scopes("GET /files/{*path}")[0].captures().collect::<Vec<_>>(), ["path"]);
    assert_eq!(
        rule("GET /agents/{agent_id}").to_string(),
        r#""GET /agents/{agent_id}" => any["agents:read", "agents:{agent_id}:read"]"#
    );
    // Matching is unchanged by templates.
    assert_eq!(
        POLICY.lookup_str("POST", "/agents/a/runs").unwrap().key(),
        "POST /agents/{agent_id}/runs"
    );

    let claims = |scopes: &[&str]| {
        let value = serde_json::json!({ "scopes": scopes });
        VerifiedClaims::from_claims(value.as_object().unwrap().clone())
    };
    let read = rule("GET /agents/{agent_id}");
    let one = claims(&["agents:a1:read", "agents:a2:run"]);
    assert_eq!(one.granted(read, "agent_id"), Granted::Only(vec!["a1"]));
    assert_eq!(claims(&["agents:*:read"]).granted(read, "agent_id"), Granted::All);
    assert_eq!(claims(&["agents:read"]).granted(read, "agent_id"), Granted::All);
    assert_eq!(claims(&["agents:run"]).granted(read, "agent_id"), Granted::Nothing);
}
