fn main() {
    let _ = scope_runtime::scopes! {
        "GET /agents/{id}/runs/{id}" => ["app:read"],
    };
}
