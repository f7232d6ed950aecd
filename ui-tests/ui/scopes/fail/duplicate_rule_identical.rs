fn main() {
    let _ = scope_runtime::scopes! {
        "GET /agents" => ["app:read"],
        "POST /agents" => ["app:write"],
        "GET /agents" => ["app:read"],
    };
}
