// `#[require_scopes]` above `#[axum::debug_handler]`.
use axum::extract::{Path, State};
use axum::routing::get;
use axum::Router;
use scope_runtime::require_scopes;

#[derive(Clone)]
struct AppState;

#[require_scopes("app:read")]
#[axum::debug_handler]
async fn show(State(_state): State<AppState>, Path(id): Path<String>) -> String {
    id
}

#[require_scopes("app:read")]
#[axum::debug_handler]
async fn health() -> &'static str {
    "ok"
}

fn main() {
    let _app: Router = Router::new()
        .route("/agents/{id}", get(show))
        .route("/health", get(health))
        .with_state(AppState);
}
