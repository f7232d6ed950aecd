// The root path `/` is a rule of its own; it matches nothing but `/`.
use scope_runtime::{scopes, Requirement};

fn main() {
    let p = scopes! {
        "GET /" => public,
    };
    let rule = p.lookup_str("GET", "/").unwrap();
    assert_eq!(rule.key(), "GET /");
    assert_eq!(rule.requirement(), Requirement::Public);
    assert!(p.lookup_str("GET", "/x").is_none());
    assert!(p.lookup_str("GET", "").is_none());
    assert!(p.lookup_str("GET", "//").is_none());

    let everything = scopes! { "* /**" => [] };
    for path in ["/", "/a", "/a/b/c", "/a/"] {
        assert_eq!(everything.lookup_str("DELETE", path).unwrap().key(), "* /**", "{path}");
    }
}
