// The axum 0.8 spellings of the captures axum 0.7 wrote `:id` and `*rest`, next to
// literals holding a `:` that is not a capture (Google-style custom methods, a lone `:`).
use scope_runtime::scopes;

fn main() {
    let p = scopes! {
        "GET /projects/{id}"      => ["projects:read"],
        "GET /files/{*rest}"      => ["files:read"],
        "POST /v1/models:batch"   => ["models:write"],
        "POST /v1/models/{model}" => ["models:run"],
        "GET /ports/:"            => ["ports:read"],
        "GET /ports/:8080"        => ["ports:admin"],
    };
    let key = |m: &str, path: &str| p.lookup_str(m, path).map(|r| r.key());

    assert_eq!(key("GET", "/projects/p1"), Some("GET /projects/{id}"));
    assert_eq!(key("GET", "/files/a/b.txt"), Some("GET /files/{*rest}"));
    // The literal beats the capture in the same position.
    assert_eq!(key("POST", "/v1/models:batch"), Some("POST /v1/models:batch"));
    assert_eq!(key("POST", "/v1/models/m1"), Some("POST /v1/models/{model}"));
    assert_eq!(key("POST", "/v1/models:other"), None);
    assert_eq!(key("GET", "/ports/:"), Some("GET /ports/:"));
    assert_eq!(key("GET", "/ports/:8080"), Some("GET /ports/:8080"));
}
