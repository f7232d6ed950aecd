const AGENTS: &str = "GET /agents";

fn main() {
    let _ = AGENTS;
    let _ = scope_runtime::scopes! {
        AGENTS => ["app:read"],
    };
}
