// A trailing slash is significant, as in axum.
use scope_runtime::scopes;

fn main() {
    let p = scopes! {
        "GET /agents"  => ["no-slash"],
        "GET /agents/" => ["slash"],
        "GET /only/"   => ["only-slash"],
    };
    assert_eq!(p.lookup_str("GET", "/agents").unwrap().key(), "GET /agents");
    assert_eq!(p.lookup_str("GET", "/agents/").unwrap().key(), "GET /agents/");
    assert_eq!(p.lookup_str("GET", "/only/").unwrap().key(), "GET /only/");
    assert!(p.lookup_str("GET", "/only").is_none());
    assert!(p.lookup_str("GET", "/agents//").is_none());
}
