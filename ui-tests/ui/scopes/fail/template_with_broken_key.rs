// The key and the template are wrong independently: both are reported in one build.
fn main() {
    let _ = scope_runtime::scopes! {
        "GTE /agents/{agent_id}" => ["agents:{agent_id:read"],
    };
}
