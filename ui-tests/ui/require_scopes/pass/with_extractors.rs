// A handler with `State`, `Path` and `Json` extractors keeps working under the attribute;
// without a layer that verified a token, the guard answers 500 (a server misconfiguration) before the handler runs.
use axum::extract::{Path, State};
use axum::http::{Request, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use scope_runtime::require_scopes;
use serde::{Deserialize, Serialize};
use tower::ServiceExt;

#[derive(Clone, Default)]
struct AppState {
    name: &'static str,
}

#[derive(Deserialize)]
struct RunRequest {
    message: String,
}

#[derive(Serialize)]
struct RunResponse {
    agent_id: String,
    echo: String,
    service: &'static str,
}

#[require_scopes("app:run", "app:execute")]
async fn run(
    State(state): State<AppState>,
    Path(agent_id): Path<String>,
    Json(body): Json<RunRequest>,
) -> Json<RunResponse> {
    Json(RunResponse {
        agent_id,
        echo: body.message,
        service: state.name,
    })
}

#[require_scopes("app:read")]
async fn list(State(state): State<AppState>) -> String {
    state.name.to_owned()
}

#[tokio::main]
async fn main() {
    let app: Router = Router::new()
        .route("/agents", get(list))
        .route("/agents/{agent_id}/runs", post(run))
        .with_state(AppState { name: "agent-os" });
    let request = Request::post("/agents/a1/runs")
        .header("content-type", "application/json")
        .body(axum::body::Body::from(r#"{"message":"hi"}"#))
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let request = Request::get("/agents").body(axum::body::Body::empty()).unwrap();
    let response = app.oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
}
