fn main() {
    let _ = scope_runtime::scopes! {
        "GET /agents" => any["app:read", "app:read"],
    };
}
