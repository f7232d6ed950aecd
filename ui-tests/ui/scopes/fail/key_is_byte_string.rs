fn main() {
    let _ = scope_runtime::scopes! {
        b"GET /agents" => ["app:read"],
    };
}
