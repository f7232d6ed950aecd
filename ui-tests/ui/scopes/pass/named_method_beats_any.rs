// For the same path pattern, a named method beats `*`, whatever the declaration order.
use scope_runtime::scopes;

fn main() {
    let any_first = scopes! {
        "* /agents/*"   => ["app:any"],
        "GET /agents/*" => ["app:read"],
    };
    let named_first = scopes! {
        "GET /agents/{id}" => ["app:read"],
        "* /agents/*"      => ["app:any"],
    };
    for p in [any_first, named_first] {
        assert_eq!(p.lookup_str("GET", "/agents/a").unwrap().requirement().scopes(), &["app:read"]);
        assert_eq!(p.lookup_str("DELETE", "/agents/a").unwrap().requirement().scopes(), &["app:any"]);
        // HEAD has no rule of its own: it uses the GET rule, which still beats `*`.
        assert_eq!(p.lookup_str("HEAD", "/agents/a").unwrap().requirement().scopes(), &["app:read"]);
    }
}
