fn main() {
    let _ = scope_runtime::scopes! {
        "GET /my agents" => ["app:read"],
    };
}
