// KNOWN LIMITATION (kept here so it is noticed when it changes): `#[axum::debug_handler]`
// ABOVE `#[require_scopes]` does not compile. debug_handler expands first, copies the
// function (attribute included) into a check function and calls it with the arguments it
// saw; `#[require_scopes]` then adds its guard argument, so the call has one argument too
// few. Put `#[require_scopes]` above `#[axum::debug_handler]` (see
// ui/require_scopes/pass/debug_handler_inner.rs). If this starts compiling, move it to pass/.
use axum::extract::{Path, State};
use axum::routing::get;
use axum::Router;
use scope_runtime::require_scopes;

#[derive(Clone)]
struct AppState;

#[axum::debug_handler]
#[require_scopes("app:read")]
async fn show(State(_state): State<AppState>, Path(id): Path<String>) -> String {
    id
}

#[axum::debug_handler]
#[require_scopes("app:read")]
async fn health() -> &'static str {
    "ok"
}

fn main() {
    let _app: Router = Router::new()
        .route("/agents/{id}", get(show))
        .route("/health", get(health))
        .with_state(AppState);
}
