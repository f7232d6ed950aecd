fn main() {
    let _ = scope_runtime::scopes! {
        "GET /agents?limit=10" => ["app:read"],
    };
}
