use scope_runtime::require_scopes;

const APP_READ: &str = "app:read";

#[require_scopes(APP_READ)]
async fn agents() {}

fn main() {
    let _ = APP_READ;
    let _: axum::routing::MethodRouter = axum::routing::get(agents);
}
