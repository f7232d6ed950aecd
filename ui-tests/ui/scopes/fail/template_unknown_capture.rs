fn main() {
    let _ = scope_runtime::scopes! {
        "POST /agents/{agent_id}/runs" => ["agents:{agentid}:run"],
        "GET /orgs/{org}/repos/{repo}" => ["repo:{name}:read"],
        // A capture of another rule's path is not this rule's.
        "GET /agents"                  => ["agents:{agent_id}:read"],
    };
}
