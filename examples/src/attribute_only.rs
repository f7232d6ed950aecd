//! Scopes on the handlers instead of a policy: [`ScopeLayer::authenticate_only`] plus
//! [`require_scopes`].
//!
//! The layer only authenticates (every request behind it needs a valid token); each
//! handler states the scopes it needs with `#[require_scopes(...)]`, checked at compile
//! time like [`scopes!`](scope_runtime::scopes) rules. `/health` is merged in from a
//! router the layer never sees, so it stays public.
//!
//! | route | needs |
//! | --- | --- |
//! | `GET /health` | nothing (public) |
//! | `GET /me` | any valid token |
//! | `GET /agents` | `app:read` |
//! | `POST /agents/{agent_id}/runs` | `app:run` and `app:execute` (form field `message`) |
//!
//! The admin scope is `app:superadmin`, as in [`agent_os`](crate::agent_os).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use scope_runtime::{JwtVerifier, ScopeLayer, VerificationKey, VerifiedClaims, require_scopes};
use serde_json::{Value, json};

use crate::agent_os::{
    ADMIN_SCOPE, AGENT_ID, AGENT_NAME, Agent, Agents, RESEARCH_AGENT, RunRequest,
};
use crate::api::{health, me, not_found};

/// The port the `attribute_only` binary listens on when `PORT` is not set.
pub const DEFAULT_PORT: u16 = 7778;

/// The example's router: `/health` public; `/me`, `/agents` and
/// `/agents/{agent_id}/runs` behind an authentication-only [`ScopeLayer`] (HS256 with
/// `secret`, admin scope `app:superadmin`), their scopes required by the handlers.
///
/// Unknown routes are answered 404 `{"detail":"Not Found"}` without authentication:
/// the layer sits on the routes (`route_layer`), not on the fallback.
///
/// # Panics
///
/// If `secret` is empty (an HMAC key needs at least one byte).
pub fn router(secret: &[u8]) -> Router {
    let key =
        VerificationKey::hs256(secret).expect("the JWT verification secret must not be empty");
    let verifier = JwtVerifier::builder()
        .key(key)
        .build()
        .expect("a verifier with one key and default settings is valid");
    let protected = Router::new()
        .route("/me", get(me))
        .route("/agents", get(list_agents))
        .route("/agents/{agent_id}/runs", post(create_run))
        .route_layer(ScopeLayer::authenticate_only(verifier).admin_scope(ADMIN_SCOPE));
    Router::new()
        .route("/health", get(health))
        .merge(protected)
        .fallback(not_found)
        .with_state(Runs::default())
}

/// The run counter (the run ids are `run-1`, `run-2`, ...).
#[derive(Clone, Default)]
struct Runs(Arc<AtomicU64>);

/// Runs are of the seed's one agent.
impl Agents for Runs {
    fn agents(&self) -> &'static [Agent] {
        &[RESEARCH_AGENT]
    }
}

#[require_scopes("app:read")]
async fn list_agents() -> Json<Value> {
    Json(json!([{ "id": AGENT_ID, "name": AGENT_NAME }]))
}

/// A run: counted and answered, not recorded (this example has no store).
#[require_scopes("app:run", "app:execute")]
async fn create_run(
    State(runs): State<Runs>,
    claims: VerifiedClaims,
    RunRequest { agent, message }: RunRequest,
) -> Json<Value> {
    let run = runs.0.fetch_add(1, Ordering::Relaxed) + 1;
    Json(json!({
        "run_id": format!("run-{run}"),
        "agent_id": agent.id,
        "user_id": claims.subject(),
        "content": agent.reply(&message),
    }))
}
