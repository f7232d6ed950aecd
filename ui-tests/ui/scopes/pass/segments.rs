// Every segment kind: literal, `*`, `{name}`, `**` (zero or more), `{*name}` (one or more).
use scope_runtime::scopes;

fn main() {
    let p = scopes! {
        "GET /agents"               => ["lit"],
        "GET /agents/*"             => ["one"],
        "POST /agents/{agent_id}/runs" => ["capture"],
        "GET /admin/**"             => ["rest-any"],
        "GET /files/{*path}"        => ["rest-one"],
    };
    let key = |m: &str, path: &str| p.lookup_str(m, path).map(|r| r.key());

    assert_eq!(key("GET", "/agents"), Some("GET /agents"));
    assert_eq!(key("GET", "/agents/x"), Some("GET /agents/*"));
    // `*` is exactly one non-empty segment: it does not cross `/`.
    assert_eq!(key("GET", "/agents/x/y"), None);
    assert_eq!(key("GET", "/agents/"), None);

    assert_eq!(key("POST", "/agents/a1/runs"), Some("POST /agents/{agent_id}/runs"));
    assert_eq!(key("POST", "/agents//runs"), None);
    assert_eq!(key("POST", "/agents/a1/b/runs"), None);

    // `**` matches zero or more segments.
    assert_eq!(key("GET", "/admin"), Some("GET /admin/**"));
    assert_eq!(key("GET", "/admin/"), Some("GET /admin/**"));
    assert_eq!(key("GET", "/admin/users"), Some("GET /admin/**"));
    assert_eq!(key("GET", "/admin/users/1/roles"), Some("GET /admin/**"));
    assert_eq!(key("GET", "/administrator"), None);

    // `{*name}` matches one or more (axum's catch-all).
    assert_eq!(key("GET", "/files"), None);
    assert_eq!(key("GET", "/files/"), None);
    assert_eq!(key("GET", "/files/a"), Some("GET /files/{*path}"));
    assert_eq!(key("GET", "/files/a/b/c.txt"), Some("GET /files/{*path}"));

    // The pattern is kept as written.
    assert_eq!(p.rules()[2].pattern(), "/agents/{agent_id}/runs");
    // No match without a leading `/`.
    assert_eq!(key("GET", "agents"), None);
}
