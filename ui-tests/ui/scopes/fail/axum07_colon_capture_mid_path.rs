fn main() {
    let _ = scope_runtime::scopes! {
        "POST /agents/:agent_id/runs" => ["app:run"],
    };
}
