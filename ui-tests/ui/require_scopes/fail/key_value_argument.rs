use scope_runtime::require_scopes;

#[require_scopes(scopes = "app:read")]
async fn agents() {}

fn main() {
    let _: axum::routing::MethodRouter = axum::routing::get(agents);
}
