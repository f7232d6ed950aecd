fn main() {
    let _ = scope_runtime::scopes! {
        "* /files/{*path}" => ["files:read"],
        "* /files/{*rest}" => ["files:write"],
    };
}
