//! The agents, and the run request that names one. Every AgentOS of these examples
//! (the seed, `agent_os_rbac`, `attribute_only`) serves echo agents and reads its runs
//! with the same [`RunRequest`].

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
    /// An agent that answers with an echo: no language model is called.
    pub(crate) const fn echo(id: &'static str, name: &'static str) -> Agent {
        Agent {
            id,
            name,
            description: "Echoes the message it is given (no language model is called)",
            model: "echo",
        }
    }

    /// The answer to `message`: a deterministic echo, since no language model is called.
    pub(crate) fn reply(&self, message: &str) -> String {
        format!("{} received: {message}", self.name)
    }
}

/// The seed's one agent.
pub(crate) const RESEARCH_AGENT: Agent = Agent::echo(AGENT_ID, AGENT_NAME);

/// The agents the seed serves.
pub(crate) const SEED_AGENTS: &[Agent] = &[RESEARCH_AGENT];

/// A router state that knows which agents are served: what [`RunRequest`] looks the
/// path's agent up in.
pub(crate) trait Agents {
    /// The agents served, in the order `GET /agents` lists them.
    fn agents(&self) -> &'static [Agent];
}

/// The agent of `agents` that `agent_id` names; 404 `Agent not found` for any other id.
pub(crate) fn find_agent(
    agents: &'static [Agent],
    agent_id: &str,
) -> Result<&'static Agent, ApiError> {
    agents
        .iter()
        .find(|agent| agent.id == agent_id)
        .ok_or_else(|| ApiError::not_found("Agent not found"))
}

/// What `POST /agents/{agent_id}/runs` asks for: the agent of the path, among those the
/// state serves, and the `message` of the form ([`RunMessage`]).
///
/// The form is read before the agent is looked up, so a bad form is refused as such
/// even for an unknown agent.
pub(crate) struct RunRequest {
    pub(crate) agent: &'static Agent,
    pub(crate) message: String,
}

impl<S: Agents + Send + Sync> FromRequest<S> for RunRequest {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let (mut parts, body) = req.into_parts();
        let ApiPath(agent_id) = ApiPath::<String>::from_request_parts(&mut parts, state).await?;
        let RunMessage(message) =
            RunMessage::from_request(Request::from_parts(parts, body), state).await?;
        Ok(RunRequest {
            agent: find_agent(state.agents(), &agent_id)?,
            message,
        })
    }
}
