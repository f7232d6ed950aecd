// Literal segments may hold sub-delims, `:` and `@`, and upper-case `%XX` escapes of the
// bytes a path cannot hold unescaped. `Policy::lookup` reads the request path
// percent-decoded: an escape and the byte it stands for are one path there. (The layer
// also holds the request to the rule of the path as axum's router compares it.)
use scope_runtime::scopes;

fn main() {
    let p = scopes! {
        "GET /files/a%20b"            => ["escaped-space"],
        "GET /users/me@example.com"   => ["at"],
        "GET /v1:batchGet"            => ["colon"],
        "GET /m;v=1"                  => ["semicolon-equals"],
        "GET /x!$&'()+,~-._"          => ["sub-delims"],
        "GET /caf%C3%A9"              => ["utf8-escape"],
    };
    let key = |path: &str| p.lookup_str("GET", path).map(|r| r.key());
    assert_eq!(key("/files/a%20b"), Some("GET /files/a%20b"));
    // Escapes are case-insensitive hex, and an unreserved letter may be escaped.
    assert_eq!(key("/files/%61%20b"), Some("GET /files/a%20b"));
    assert_eq!(key("/caf%c3%a9"), Some("GET /caf%C3%A9"));
    // A sub-delim escaped or not is the same byte.
    assert_eq!(key("/users/me%40example.com"), Some("GET /users/me@example.com"));
    assert_eq!(key("/v1%3AbatchGet"), Some("GET /v1:batchGet"));
    assert_eq!(key("/m;v=1"), Some("GET /m;v=1"));
    assert_eq!(key("/x!$&'()+,~-._"), Some("GET /x!$&'()+,~-._"));
    assert_eq!(key("/caf%C3%A9"), Some("GET /caf%C3%A9"));
    // Case is kept.
    assert_eq!(key("/CAF%C3%A9"), None);
}
