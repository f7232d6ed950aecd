use scope_runtime::require_scopes;

// The attribute takes the scopes directly, not a `[...]` list as `scopes!` does.
#[require_scopes(["app:run", "app:execute"])]
async fn run() {}

fn main() {
    let _: axum::routing::MethodRouter = axum::routing::post(run);
}
