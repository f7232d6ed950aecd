// The seed's policy (the `agent_os` example's, rule for rule), for the programs that
// cannot depend on the examples crate: this crate's benches (a dev-dependency on the
// examples would be a cycle), the fuzz targets, and `scripts/bench-vs-rev`, which
// instantiates it for two revisions of the crate. `tests/tests/coverage.rs` checks that
// it stays the example's policy.
//
// `seed_policy!(scope_runtime)` is the policy declared with that crate's `scopes!`.
macro_rules! seed_policy {
    ($($runtime:ident)::+) => {
        $($runtime)::+::scopes! {
            "GET /agents"         => ["app:read"],
            "GET /agents/*"       => ["app:read"],
            "POST /agents/*/runs" => ["app:run", "app:execute"],
            "GET /sessions"       => ["app:admin"],
            "GET /sessions/*"     => ["app:read", "sessions:read"],
            "GET /memories"       => ["memory:admin"],
            "POST /memories"      => ["memory:write"],
            "GET /config"         => ["app:admin"],
            "GET /health"         => public,
            "GET /me"             => [],
            "GET /openapi.json"   => public,
        }
    };
}
