fn main() {
    let _ = scope_runtime::scopes! {
        "GET /agents/{agent_id}"      => ["agents:{agent_id:read"],
        "POST /agents/{agent_id}/runs" => ["agents:agent_id}:run"],
        "PUT /agents/{agent_id}"      => ["agents:{{agent_id}}:write"],
    };
}
