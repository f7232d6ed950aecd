//! What tells one AgentOS of these examples from another: its agents, its policy and
//! admin scope, and how `GET /config` describes it. The seed and `agent_os_rbac` each
//! declare one [`Os`] and serve the same routes, state and handlers built from it
//! ([`Os::router`]); only their listing of agents differs.

use axum::Router;
use axum::routing::{MethodRouter, get, post};
use scope_runtime::{
    JwtVerifier, Policy, ProtectedResourceMetadata, Requirement, ResourceMetadataError, ScopeLayer,
};
use serde_json::{Value, json};

use super::agent::Agent;
use super::config::{Config, verifier};
use super::handlers::{
    create_memory, create_run, get_agent, get_config, get_session, list_memories, list_sessions,
    method_not_allowed,
};
use super::openapi;
use super::store::AppState;
use crate::api;

/// What `GET /config` says about keys given to `router_with`: nothing this code
/// knows.
pub(crate) fn custom_verifier() -> Value {
    json!({ "keys": "a verifier given to router_with" })
}

/// One AgentOS: what it serves and the policy that guards it.
pub(crate) struct Os {
    /// `os_id` in `GET /config`.
    id: &'static str,
    /// `description` in `GET /config`.
    description: &'static str,
    /// The agents served, in the order they are listed.
    pub(crate) agents: &'static [Agent],
    /// The policy the [`ScopeLayer`] of [`Os::router`] enforces.
    policy: &'static Policy,
    /// The scope that passes every requirement (Agno's `admin_scope`).
    admin_scope: &'static str,
    /// The route of `GET /agents`: the one answer that differs between AgentOSes.
    listing: fn() -> MethodRouter<AppState>,
}

impl Os {
    /// An AgentOS serving `agents` under `policy`, `admin_scope` passing everything,
    /// `GET /agents` routed to what `listing` returns.
    pub(crate) const fn new(
        id: &'static str,
        description: &'static str,
        agents: &'static [Agent],
        policy: &'static Policy,
        admin_scope: &'static str,
        listing: fn() -> MethodRouter<AppState>,
    ) -> Os {
        Os {
            id,
            description,
            agents,
            policy,
            admin_scope,
            listing,
        }
    }

    /// [`Os::router`] with the keys `config` asks for ([`verifier`]).
    ///
    /// # Panics
    ///
    /// If [`verifier`] fails (see the examples' `router`).
    pub(crate) fn router_for(&'static self, config: &Config) -> Router {
        let verifier = verifier(config).expect("the configured verification keys load");
        self.router_from(verifier, config)
            .expect("JWT_RESOURCE and JWT_AUTHORIZATION_SERVERS are absolute https URLs")
    }

    /// [`Os::router`], and when `config` names a resource identifier, its
    /// protected-resource metadata served and named in every challenge.
    pub(crate) fn router_from(
        &'static self,
        verifier: JwtVerifier,
        config: &Config,
    ) -> Result<Router, ResourceMetadataError> {
        Ok(self.build(
            verifier,
            config.authentication(),
            self.resource_metadata(config)?,
        ))
    }

    /// The protected-resource metadata `config` asks for: `None` without a resource
    /// identifier. Its scopes are the policy's; the admin scope is not listed.
    pub(crate) fn resource_metadata(
        &self,
        config: &Config,
    ) -> Result<Option<ProtectedResourceMetadata>, ResourceMetadataError> {
        let Some(resource) = &config.resource else {
            return Ok(None);
        };
        // The listed authorization servers, else the issuer tokens must come from.
        let servers = match config.authorization_servers.as_slice() {
            [] => config.required_issuer().into_iter().collect::<Vec<_>>(),
            list => list.iter().map(String::as_str).collect(),
        };
        let builder = servers.into_iter().fold(
            ProtectedResourceMetadata::builder(resource.as_str())
                .scopes_from(self.policy)
                .resource_name(self.description),
            |builder, issuer| builder.authorization_server(issuer),
        );
        builder.build().map(Some)
    }

    /// The whole AgentOS: the routes every AgentOS serves, the in-memory state, and the
    /// [`ScopeLayer`] enforcing the policy on every request, unknown routes included,
    /// with the keys of `verifier` (given by the caller: `GET /config` says only that).
    pub(crate) fn router(&'static self, verifier: JwtVerifier) -> Router {
        self.build(verifier, custom_verifier(), None)
    }

    /// The router, `GET /config` describing verification as `authentication` says.
    fn build(
        &'static self,
        verifier: JwtVerifier,
        authentication: Value,
        metadata: Option<ProtectedResourceMetadata>,
    ) -> Router {
        let config = self.config_document(authentication).to_string();
        let (openapi, report) = openapi::document(self.description, self.policy);
        if !report.is_complete() {
            tracing::warn!("the OpenAPI document and the policy differ:\n{report}");
        }
        let mut layer = ScopeLayer::new(verifier, *self.policy).admin_scope(self.admin_scope);
        let mut router = Router::new();
        if let Some(metadata) = &metadata {
            // Merged before the layer, which lets exactly this path through.
            layer = layer.resource_metadata(metadata);
            router = router.merge(metadata.router());
        }
        router
            .route("/agents", (self.listing)())
            .route("/agents/{agent_id}", get(get_agent))
            .route("/agents/{agent_id}/runs", post(create_run))
            .route("/sessions", get(list_sessions))
            .route("/sessions/{session_id}", get(get_session))
            .route("/memories", get(list_memories).post(create_memory))
            .route("/config", get(get_config))
            .route("/me", get(api::me))
            .route("/health", get(api::health))
            .route(openapi::OPENAPI_PATH, openapi::route(&openapi))
            // Only the admin scope reaches these two: the layer denies unmapped routes
            // to everyone else.
            .fallback(api::not_found)
            .method_not_allowed_fallback(method_not_allowed)
            .with_state(AppState::new(self, config))
            .layer(layer)
    }

    /// The `GET /config` document: the OS, its agents, how tokens are verified and its
    /// authorization policy; never a secret.
    fn config_document(&self, authentication: Value) -> Value {
        let scope_mappings: serde_json::Map<String, Value> = self
            .policy
            .rules()
            .iter()
            .map(|rule| {
                let requirement = match rule.requirement() {
                    Requirement::Public => json!("public"),
                    Requirement::Optional => json!("optional"),
                    Requirement::AllOf(scopes) => json!(scopes),
                    Requirement::AnyOf(scopes) => json!({ "any": scopes }),
                };
                (rule.key().to_owned(), requirement)
            })
            .collect();
        let agents: Vec<Value> = self
            .agents
            .iter()
            .map(|agent| json!({ "id": agent.id, "name": agent.name }))
            .collect();
        json!({
            "os_id": self.id,
            "description": self.description,
            "agents": agents,
            "authentication": authentication,
            "authorization": {
                "admin_scope": self.admin_scope,
                "unmapped": "deny",
                "scope_mappings": scope_mappings,
            },
        })
    }
}
