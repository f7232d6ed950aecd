// `pub` handlers in a module, routed from outside it; same handler name in two modules.
use axum::Router;
use axum::routing::get;

pub mod agents {
    use scope_runtime::require_scopes;

    #[require_scopes("app:read")]
    pub async fn list() -> &'static str {
        "[]"
    }

    #[require_scopes("app:read")]
    pub(crate) async fn show(axum::extract::Path(id): axum::extract::Path<String>) -> String {
        id
    }
}

pub mod sessions {
    use scope_runtime::require_scopes;

    #[require_scopes("app:admin")]
    pub async fn list() -> &'static str {
        "[]"
    }
}

fn main() {
    let _app: Router = Router::new()
        .route("/agents", get(agents::list))
        .route("/agents/{id}", get(agents::show))
        .route("/sessions", get(sessions::list));
}
