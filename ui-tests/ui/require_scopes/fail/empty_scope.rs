use scope_runtime::require_scopes;

#[require_scopes("")]
async fn me() {}

fn main() {
    let _: axum::routing::MethodRouter = axum::routing::get(me);
}
