//! The AgentOS routes' handlers and the bodies they read and answer. None checks a
//! scope: the [`ScopeLayer`](scope_runtime::ScopeLayer) of [`router_with`] has done so
//! before any of them runs.
//!
//! [`router_with`]: super::router_with

use std::sync::LazyLock;

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header::CONTENT_TYPE};
use axum::response::IntoResponse;
use scope_runtime::{Requirement, VerifiedClaims};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::agent::{Agent, RESEARCH_AGENT, RunRequest, find_agent};
use super::store::{AppState, Memory, RunRecord, Session};
use super::{ADMIN_SCOPE, AGENT_ID, AGENT_NAME, POLICY};
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

pub(super) async fn list_agents() -> Json<[Agent; 1]> {
    Json([RESEARCH_AGENT])
}

pub(super) async fn get_agent(ApiPath(agent_id): ApiPath<String>) -> Result<Json<Agent>, ApiError> {
    find_agent(&agent_id).cloned().map(Json)
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

/// The OS configuration, the authorization policy included; never the secret. It never
/// changes while the server runs, so it is serialised once.
pub(super) async fn get_config() -> impl IntoResponse {
    static DOCUMENT: LazyLock<String> = LazyLock::new(|| config_document().to_string());
    ([(CONTENT_TYPE, "application/json")], DOCUMENT.as_str())
}

fn config_document() -> Value {
    let scope_mappings: serde_json::Map<String, Value> = POLICY
        .rules()
        .iter()
        .map(|rule| {
            let requirement = match rule.requirement() {
                Requirement::Public => json!("public"),
                Requirement::AllOf(scopes) => json!(scopes),
                Requirement::AnyOf(scopes) => json!({ "any": scopes }),
            };
            (rule.key().to_owned(), requirement)
        })
        .collect();
    json!({
        "os_id": "my-agent-os",
        "description": "Custom Scope Mappings AgentOS",
        "agents": [{ "id": AGENT_ID, "name": AGENT_NAME }],
        "authorization": {
            "algorithm": "HS256",
            "admin_scope": ADMIN_SCOPE,
            "unmapped": "deny",
            "scope_mappings": scope_mappings,
        },
    })
}

/// 405 in the body shape of every other refusal.
pub(super) async fn method_not_allowed() -> ApiError {
    ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed")
}
