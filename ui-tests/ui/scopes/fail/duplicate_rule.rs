fn main() {
    let _ = scope_runtime::scopes! {
        "GET /agents/*" => ["app:read"],
        "GET /agents/{agent_id}" => ["app:admin"],
    };
}
