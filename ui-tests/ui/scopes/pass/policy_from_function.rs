// A policy built in a function, returned from it, and a static read from a function.
use scope_runtime::{scopes, Policy, Rule};

static POLICY: Policy = scopes! {
    "GET /agents" => ["app:read"],
};

fn build() -> Policy {
    scopes! {
        "GET /built" => ["built:read"],
    }
}

fn rule_for(method: &str, path: &str) -> Option<&'static Rule> {
    POLICY.lookup_str(method, path)
}

fn generic<T: Default>() -> (T, Policy) {
    (T::default(), scopes! { "GET /generic/{id}" => [] })
}

fn main() {
    assert_eq!(build().lookup_str("GET", "/built").unwrap().key(), "GET /built");
    assert_eq!(rule_for("GET", "/agents").unwrap().key(), "GET /agents");
    assert!(rule_for("POST", "/agents").is_none());
    let (n, p): (u8, Policy) = generic();
    assert_eq!(n, 0);
    assert!(p.lookup_str("GET", "/generic/1").is_some());
    let closure = || scopes! { "GET /closure" => public };
    assert!(closure().lookup_str("GET", "/closure").is_some());
}
