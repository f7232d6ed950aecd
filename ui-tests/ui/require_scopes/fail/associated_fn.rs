use scope_runtime::require_scopes;

struct Agents;

impl Agents {
    // No `self`, but still inside an `impl` block.
    #[require_scopes("app:read")]
    async fn list() -> &'static str {
        "[]"
    }
}

fn main() {
    let _: axum::routing::MethodRouter = axum::routing::get(Agents::list);
}
