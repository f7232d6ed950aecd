fn main() {
    let _ = scope_runtime::scopes! {
        "POST /agents/{agent_id}/runs" => any["agents:run", "agents:{agnt_id}:run"],
    };
}
