fn main() {
    let _ = scope_runtime::scopes! {
        "GET /docs#intro" => ["app:read"],
    };
}
