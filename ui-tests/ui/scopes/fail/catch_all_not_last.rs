fn main() {
    let _ = scope_runtime::scopes! {
        "GET /files/{*path}/meta" => ["files:read"],
    };
}
