fn main() {
    let _ = scope_runtime::scopes! {
        "GET /agents*" => ["app:read"],
        "GET /a/b**/c" => ["app:read"],
    };
}
