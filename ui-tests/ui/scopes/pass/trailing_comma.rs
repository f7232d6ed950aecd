// A trailing comma is allowed, and so is its absence; in lists too.
use scope_runtime::scopes;

fn main() {
    let with = scopes! {
        "GET /a" => ["x", "y",],
        "GET /b" => any["x",],
    };
    let without = scopes! {
        "GET /a" => ["x", "y"],
        "GET /b" => any["x"]
    };
    let single = scopes! { "GET /c" => public };
    for p in [with, without] {
        assert_eq!(p.rules().len(), 2);
        assert_eq!(p.lookup_str("GET", "/a").unwrap().requirement().scopes(), &["x", "y"]);
        assert_eq!(p.lookup_str("GET", "/b").unwrap().requirement().scopes(), &["x"]);
    }
    assert_eq!(single.rules().len(), 1);
    assert!(single.lookup_str("GET", "/c").is_some());
}
