use scope_runtime::require_scopes;

#[require_scopes("agents:{agent_id}:run")]
async fn run() {}

fn main() {
    let _: axum::routing::MethodRouter = axum::routing::post(run);
}
