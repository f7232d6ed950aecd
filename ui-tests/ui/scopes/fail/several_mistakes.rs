fn main() {
    let _ = scope_runtime::scopes! {
        "GTE /agents" => ["app:read"],
        "GET /agents/{id}/x{y}" => ["app read"],
        "POST /agents" ["app:write"],
        "GET /sessions" => [""],
        "GET /config" => ["app:admin"],
        "GET /config" => ["app:admin"],
        "DELETE memories" => public,
    };
}
