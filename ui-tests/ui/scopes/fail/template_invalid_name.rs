fn main() {
    let _ = scope_runtime::scopes! {
        "GET /files/{*path}"     => ["files:{*path}:read"],
        "GET /agents/{agent_id}" => ["agents:{1st}:read"],
    };
}
