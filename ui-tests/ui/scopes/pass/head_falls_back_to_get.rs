// `HEAD` without a rule of its own uses the `GET` rule; with one, its own.
use scope_runtime::scopes;

fn main() {
    let p = scopes! {
        "GET /agents"    => ["app:read"],
        "GET /agents/*"  => ["app:read"],
        "HEAD /status"   => public,
        "GET /status"    => ["status:read"],
        "POST /only-post" => ["x"],
    };
    let key = |m: &str, path: &str| p.lookup_str(m, path).map(|r| r.key());
    assert_eq!(key("HEAD", "/agents"), Some("GET /agents"));
    assert_eq!(key("HEAD", "/agents/a"), Some("GET /agents/*"));
    assert_eq!(key("HEAD", "/status"), Some("HEAD /status"));
    assert_eq!(key("GET", "/status"), Some("GET /status"));
    assert_eq!(key("HEAD", "/only-post"), None);
    // Only HEAD falls back: GET never uses a HEAD rule.
    let q = scopes! { "HEAD /h" => [] };
    assert_eq!(q.lookup_str("GET", "/h").map(|r| r.key()), None);
}
