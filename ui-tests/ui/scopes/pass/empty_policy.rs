// An empty policy compiles and matches nothing.
use scope_runtime::{scopes, Policy};

static EMPTY: Policy = scopes! {};

fn main() {
    let p = scopes! {};
    let q = scopes!();
    for policy in [p, q, EMPTY] {
        assert!(policy.rules().is_empty());
        assert!(policy.lookup_str("GET", "/").is_none());
        assert!(policy.lookup_str("GET", "/agents").is_none());
    }
}
