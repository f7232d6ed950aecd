//! The one agent, and the run request that names it. The `attribute_only` example
//! serves the same agent, so it reads its runs with the same [`RunRequest`].

use axum::extract::{FromRequest, FromRequestParts, Request};
use serde::Serialize;

use super::{AGENT_ID, AGENT_NAME};
use crate::api::{ApiError, ApiPath, RunMessage};

/// An agent, as `GET /agents` lists it.
#[derive(Clone, Serialize)]
pub(crate) struct Agent {
    pub(crate) id: &'static str,
    pub(crate) name: &'static str,
    description: &'static str,
    model: &'static str,
}

impl Agent {
    /// The answer to `message`: a deterministic echo, since no language model is called.
    pub(crate) fn reply(&self, message: &str) -> String {
        format!("{} received: {message}", self.name)
    }
}

/// The only agent served.
pub(super) const RESEARCH_AGENT: Agent = Agent {
    id: AGENT_ID,
    name: AGENT_NAME,
    description: "Echoes the message it is given (no language model is called)",
    model: "echo",
};

/// The agent `agent_id` names; 404 `Agent not found` for any other id.
pub(super) fn find_agent(agent_id: &str) -> Result<&'static Agent, ApiError> {
    match agent_id {
        AGENT_ID => Ok(&RESEARCH_AGENT),
        _ => Err(ApiError::not_found("Agent not found")),
    }
}

/// What `POST /agents/{agent_id}/runs` asks for: the agent of the path and the
/// `message` of the form ([`RunMessage`]).
///
/// The form is read before the agent is looked up, so a bad form is refused as such
/// even for an unknown agent.
pub(crate) struct RunRequest {
    pub(crate) agent: &'static Agent,
    pub(crate) message: String,
}

impl<S: Send + Sync> FromRequest<S> for RunRequest {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let (mut parts, body) = req.into_parts();
        let ApiPath(agent_id) = ApiPath::<String>::from_request_parts(&mut parts, state).await?;
        let RunMessage(message) =
            RunMessage::from_request(Request::from_parts(parts, body), state).await?;
        Ok(RunRequest {
            agent: find_agent(&agent_id)?,
            message,
        })
    }
}
