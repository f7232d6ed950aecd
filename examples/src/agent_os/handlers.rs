//! The AgentOS routes' handlers and the bodies they read and answer, shared by every
//! AgentOS of these examples through [`Os::router`]. None checks a scope: the
//! [`ScopeLayer`](scope_runtime::ScopeLayer) of [`Os::router`] has done so before any of
//! them runs.
//!
//! [`Os::router`]: super::os::Os::router

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header::CONTENT_TYPE};
use axum::response::IntoResponse;
use scope_runtime::VerifiedClaims;
use serde::{Deserialize, Serialize};

use super::agent::{Agent, RunRequest, find_agent};
use super::store::{AppState, Memory, RunRecord, Session};
use crate::api::{ApiError, ApiJson, ApiPath};

/// The answer to a run.
#[derive(Serialize)]
pub(super) struct RunResponse {
    run_id: String,
    session_id: String,
    agent_id: &'static str,
    user_id: Option<String>,
    content: String,
}

/// The body of `POST /memories`.
#[derive(Deserialize)]
pub(super) struct NewMemory {
    memory: String,
    #[serde(default)]
    topics: Vec<String>,
}

/// Every agent: the seed's listing, guarded by the layer alone.
pub(super) async fn list_agents(State(state): State<AppState>) -> Json<&'static [Agent]> {
    Json(state.os().agents)
}

pub(super) async fn get_agent(
    State(state): State<AppState>,
    ApiPath(agent_id): ApiPath<String>,
) -> Result<Json<&'static Agent>, ApiError> {
    find_agent(state.os().agents, &agent_id).map(Json)
}

/// A run: a new session holding the run, and a memory of the message.
pub(super) async fn create_run(
    State(state): State<AppState>,
    claims: VerifiedClaims,
    RunRequest { agent, message }: RunRequest,
) -> Json<RunResponse> {
    let user_id = claims.subject().map(str::to_owned);
    let content = agent.reply(&message);
    let mut store = state.store();
    store.runs += 1;
    let run_id = format!("run-{}", store.runs);
    let session = store.add_session(agent.id, user_id.clone());
    session.runs.push(RunRecord {
        run_id: run_id.clone(),
        input: message.clone(),
        content: content.clone(),
    });
    let session_id = session.session_id.clone();
    store.add_memory(
        format!("Asked {}: {message}", agent.name),
        user_id.clone(),
        vec![agent.id.to_owned()],
    );
    Json(RunResponse {
        run_id,
        session_id,
        agent_id: agent.id,
        user_id,
        content,
    })
}

pub(super) async fn list_sessions(State(state): State<AppState>) -> Json<Vec<Session>> {
    Json(state.store().sessions.iter().cloned().collect())
}

pub(super) async fn get_session(
    State(state): State<AppState>,
    ApiPath(session_id): ApiPath<String>,
) -> Result<Json<Session>, ApiError> {
    state
        .store()
        .sessions
        .iter()
        .find(|s| s.session_id == session_id)
        .cloned()
        .map(Json)
        .ok_or_else(|| ApiError::not_found("Session not found"))
}

pub(super) async fn list_memories(State(state): State<AppState>) -> Json<Vec<Memory>> {
    Json(state.store().memories.iter().cloned().collect())
}

/// Stores a memory for the caller (`user_id` is the token's `sub`).
pub(super) async fn create_memory(
    State(state): State<AppState>,
    claims: VerifiedClaims,
    ApiJson(new): ApiJson<NewMemory>,
) -> Result<Json<Memory>, ApiError> {
    if new.memory.trim().is_empty() {
        return Err(ApiError::unprocessable("`memory` must not be empty"));
    }
    let user_id = claims.subject().map(str::to_owned);
    Ok(Json(
        state.store().add_memory(new.memory, user_id, new.topics),
    ))
}

/// The OS configuration, the authorization policy included; never the secret.
pub(super) async fn get_config(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(CONTENT_TYPE, "application/json")],
        state.config_json().to_owned(),
    )
}

/// 405 in the body shape of every other refusal.
pub(super) async fn method_not_allowed() -> ApiError {
    ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed")
}
