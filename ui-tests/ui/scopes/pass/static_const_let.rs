// A policy as a `static`, a `const`, an associated const and a `let`.
use scope_runtime::{scopes, Policy};

static STATIC_POLICY: Policy = scopes! {
    "GET /agents/*" => ["app:read"],
};

const CONST_POLICY: Policy = scopes! {
    "GET /agents/*" => ["app:read"],
    "GET /health"   => public,
};

pub static PUB_POLICY: Policy = scopes! { "* /**" => [] };

struct Service;

impl Service {
    const POLICY: Policy = scopes! { "DELETE /agents/{id}" => ["app:admin"] };
}

mod nested {
    pub(crate) static POLICY: scope_runtime::Policy = scope_runtime::scopes! {
        "GET /nested" => ["nested:read"],
    };
}

fn main() {
    let local = scopes! { "GET /agents/*" => ["app:read"] };
    for p in [STATIC_POLICY, CONST_POLICY, local] {
        assert_eq!(p.lookup_str("GET", "/agents/a1").unwrap().key(), "GET /agents/*");
    }
    assert_eq!(CONST_POLICY.lookup_str("GET", "/health").unwrap().key(), "GET /health");
    assert!(STATIC_POLICY.lookup_str("GET", "/health").is_none());
    assert_eq!(PUB_POLICY.lookup_str("PUT", "/x/y").unwrap().key(), "* /**");
    assert_eq!(Service::POLICY.lookup_str("DELETE", "/agents/7").unwrap().key(), "DELETE /agents/{id}");
    assert_eq!(nested::POLICY.lookup_str("GET", "/nested").unwrap().key(), "GET /nested");
    // A static is shared: a reference lives for 'static.
    let r: &'static Policy = &STATIC_POLICY;
    assert_eq!(r.rules().len(), 1);
}
