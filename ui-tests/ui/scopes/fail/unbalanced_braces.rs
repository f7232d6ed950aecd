fn main() {
    let _ = scope_runtime::scopes! {
        "GET /agents/{id" => ["app:read"],
        "GET /agents/id}" => ["app:read"],
    };
}
