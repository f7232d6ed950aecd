use scope_runtime::scopes;

// A policy is a `scope_runtime::Policy`, not a string table.
static POLICY: &[(&str, &[&str])] = scopes! {
    "GET /agents" => ["app:read"],
};

fn main() {
    let _ = POLICY;
}
