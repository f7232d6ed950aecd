fn main() {
    let _ = scope_runtime::scopes! {
        "POST /agents/*/runs" => ["agents:{agent_id}:run"],
        "GET /docs/**"        => ["docs:{page}:read"],
    };
}
