// Literal segments are raw, still-percent-encoded bytes; sub-delims, `:` and `@` are allowed.
use scope_runtime::scopes;

fn main() {
    let p = scopes! {
        "GET /files/a%2Fb"            => ["escaped-slash"],
        "GET /users/me@example.com"   => ["at"],
        "GET /v1:batchGet"            => ["colon"],
        "GET /m;v=1"                  => ["semicolon-equals"],
        "GET /x!$&'()+,~-._"          => ["sub-delims"],
        "GET /caf%C3%A9"              => ["utf8-escape"],
    };
    let key = |path: &str| p.lookup_str("GET", path).map(|r| r.key());
    assert_eq!(key("/files/a%2Fb"), Some("GET /files/a%2Fb"));
    // No percent-decoding: the decoded form is a different path.
    assert_eq!(key("/files/a/b"), None);
    // Compared byte for byte: escapes are case-sensitive.
    assert_eq!(key("/files/a%2fb"), None);
    assert_eq!(key("/users/me@example.com"), Some("GET /users/me@example.com"));
    assert_eq!(key("/v1:batchGet"), Some("GET /v1:batchGet"));
    assert_eq!(key("/m;v=1"), Some("GET /m;v=1"));
    assert_eq!(key("/x!$&'()+,~-._"), Some("GET /x!$&'()+,~-._"));
    assert_eq!(key("/caf%C3%A9"), Some("GET /caf%C3%A9"));
    assert_eq!(key("/café"), None);
}
