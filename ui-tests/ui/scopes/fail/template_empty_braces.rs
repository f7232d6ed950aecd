fn main() {
    let _ = scope_runtime::scopes! {
        "GET /agents/{agent_id}" => ["agents:{}:read"],
    };
}
