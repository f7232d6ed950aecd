fn main() {
    let _ = scope_runtime::scopes! {
        "get /agents" => ["app:read"],
    };
}
