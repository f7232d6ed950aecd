fn main() {
    let _ = scope_runtime::scopes! {
        "GET /agents/{1st}" => ["app:read"],
        "GET /agents/{agent-id}/runs" => ["app:read"],
    };
}
