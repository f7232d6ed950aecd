// A key or scope may be any string literal form, raw strings and escapes included.
use scope_runtime::scopes;

fn main() {
    let p = scopes! {
        r"GET /raw" => [r"raw:read"],
        r#"GET /hash"# => ["esc\x3Aread"],
        "GET \x2Fescaped" => ["e"],
    };
    assert_eq!(p.lookup_str("GET", "/raw").unwrap().requirement().scopes(), &["raw:read"]);
    assert_eq!(p.lookup_str("GET", "/hash").unwrap().requirement().scopes(), &["esc:read"]);
    assert!(p.lookup_str("GET", "/escaped").is_some());
}
