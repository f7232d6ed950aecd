use scope_runtime::{scopes, Policy};

static POLICY: Policy = scopes! {
    "GET /agents"      => ["app:read"],
    "get /agents/{id}" => ["app:read"],
};

const OTHER: Policy = scopes! {
    "GET /health" => Public,
};

fn main() {
    let _ = POLICY.rules();
    let _ = OTHER.rules();
}
