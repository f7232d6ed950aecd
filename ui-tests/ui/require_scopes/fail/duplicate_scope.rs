use scope_runtime::require_scopes;

#[require_scopes("app:run", "app:execute", "app:run")]
async fn run() {}

fn main() {
    let _: axum::routing::MethodRouter = axum::routing::post(run);
}
