fn main() {
    let _ = scope_runtime::scopes! {
        "POST /agents/{agent_id}/runs" => ["agents:{agent_id}:run"],
    };
}
