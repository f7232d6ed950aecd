//! `GET /agents` under the per-resource model: the rule is `[]` (any valid token), and
//! the handler shows the caller only the agents that `GET /agents/{agent_id}` would
//! show it, so the listing never names an agent its caller cannot read.

use axum::Json;
use axum::extract::State;
use scope_runtime::{AuthError, Rule, VerifiedClaims};

use super::POLICY;
use crate::agent_os::{Agent, AppState};

/// The rule whose grants the listing follows.
const READ_ONE: &str = "GET /agents/{agent_id}";

/// The capture of [`READ_ONE`] that names the agent.
const AGENT_CAPTURE: &str = "agent_id";

/// The rule of [`READ_ONE`].
fn read_one_rule() -> &'static Rule {
    POLICY
        .rule(READ_ONE)
        .expect("the policy has a rule written `GET /agents/{agent_id}`")
}

/// The agents the caller may read, in the order they are served; 403 when there is
/// none (see [`nothing_to_list`]).
pub(super) async fn list_agents(
    State(state): State<AppState>,
    claims: VerifiedClaims,
) -> Result<Json<Vec<&'static Agent>>, AuthError> {
    let rule = read_one_rule();
    let granted = claims.granted(rule, AGENT_CAPTURE);
    let agents: Vec<&'static Agent> = state
        .os()
        .agents
        .iter()
        .filter(|agent| granted.allows(agent.id))
        .collect();
    if agents.is_empty() {
        tracing::info!(
            subject = claims.subject(),
            "GET /agents refused: the token may read no agent"
        );
        return Err(nothing_to_list(rule));
    }
    Ok(Json(agents))
}

/// The refusal of a listing that would be empty, whether the token holds no read scope
/// at all or only scopes of agents that are not served: `insufficient_scope` naming
/// the fixed scopes of `rule` (`agents:read`), the scopes a client can ask an
/// authorization server for, each of which shows every agent.
///
/// Its templates are not named: `agents:{agent_id}:read` as written is no scope anyone
/// grants, and filling it with each agent served would tell a caller who may read none
/// of them which agents exist.
fn nothing_to_list(rule: &Rule) -> AuthError {
    let required: Vec<String> = rule
        .requirement()
        .scopes()
        .iter()
        .filter(|scope| !scope.is_template())
        .map(|scope| scope.as_str().to_owned())
        .collect();
    AuthError::InsufficientScope {
        // Any one of several fixed scopes would do, since the rule is `any[...]`.
        any_of: required.len() > 1,
        required,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rule exists as written, and its refusal names exactly `agents:read`.
    #[test]
    fn an_empty_listing_names_agents_read() {
        let rule = read_one_rule();
        assert_eq!(
            rule.requirement().scopes(),
            ["agents:read", "agents:{agent_id}:read"]
        );
        assert_eq!(
            nothing_to_list(rule),
            AuthError::InsufficientScope {
                required: vec!["agents:read".to_owned()],
                any_of: false,
            }
        );
    }
}
