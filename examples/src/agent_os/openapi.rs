//! `GET /openapi.json`: the OpenAPI 3.1 document of an AgentOS. The operations are
//! written here with utoipa's builders, one line each; their `security` is not: it is
//! written from the policy by [`Policy::openapi_security`], so the document cannot
//! say something the layer does not enforce.

use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::routing::{MethodRouter, get};
use scope_runtime::{OpenApiReport, Policy};
use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn};
use utoipa::openapi::{
    InfoBuilder, OpenApi, OpenApiBuilder, Required, ResponseBuilder, Schema,
    schema::{ObjectBuilder, Type},
};

use super::store::AppState;

/// The path the document is served at (public in every policy of these examples).
pub const OPENAPI_PATH: &str = "/openapi.json";

/// Every operation an AgentOS serves (the `ROUTES` of the examples), with a summary.
const OPERATIONS: &[(HttpMethod, &str, &str)] = &[
    (HttpMethod::Get, "/agents", "List the agents"),
    (HttpMethod::Get, "/agents/{agent_id}", "Read one agent"),
    (
        HttpMethod::Post,
        "/agents/{agent_id}/runs",
        "Run an agent (form field `message`)",
    ),
    (HttpMethod::Get, "/sessions", "List the sessions"),
    (
        HttpMethod::Get,
        "/sessions/{session_id}",
        "Read one session",
    ),
    (HttpMethod::Get, "/memories", "List the memories"),
    (HttpMethod::Post, "/memories", "Store a memory"),
    (
        HttpMethod::Get,
        "/config",
        "The OS configuration and its authorization policy",
    ),
    (HttpMethod::Get, "/me", "Who the token says the caller is"),
    (HttpMethod::Get, "/health", "Liveness probe"),
    (HttpMethod::Get, OPENAPI_PATH, "This document"),
];

/// The document of an AgentOS named `title` guarded by `policy`, and what
/// [`OpenApiSecurity::apply`](scope_runtime::OpenApiSecurity::apply) reported (complete
/// for both AgentOSes of these examples, as the tests below check).
pub(crate) fn document(title: &str, policy: &Policy) -> (OpenApi, OpenApiReport) {
    let mut doc = OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title(title)
                .version(env!("CARGO_PKG_VERSION")),
        )
        .build();
    for (method, path, summary) in OPERATIONS {
        let operation = path_parameters(path)
            .fold(
                OperationBuilder::new().summary(Some(*summary)),
                |op, name| {
                    op.parameter(
                        ParameterBuilder::new()
                            .name(name)
                            .parameter_in(ParameterIn::Path)
                            .required(Required::True)
                            .schema(Some(Schema::Object(
                                ObjectBuilder::new().schema_type(Type::String).build(),
                            ))),
                    )
                },
            )
            .response("200", ResponseBuilder::new().description("OK"))
            .build();
        doc.paths
            .add_path_operation(*path, vec![method.clone()], operation);
    }
    // The policy is the one source of the security of every operation.
    let report = policy.openapi_security().apply(&mut doc);
    (doc, report)
}

/// The names of a path's `{name}` captures.
fn path_parameters(path: &str) -> impl Iterator<Item = &str> {
    path.split('/')
        .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
}

/// The route of `GET /openapi.json`: `doc` serialized once, served as is.
pub(crate) fn route(doc: &OpenApi) -> MethodRouter<AppState> {
    // Serializing a document of these types cannot fail; an empty object keeps the
    // route answering JSON should it ever.
    let body = doc.to_json().unwrap_or_else(|_| "{}".to_owned());
    get(move || {
        let body = body.clone();
        async move { ([(CONTENT_TYPE, "application/json")], body).into_response() }
    })
}

#[cfg(test)]
mod tests {
    use super::document;

    /// Every operation of the document has its rule, and every rule its operation.
    #[test]
    fn the_documents_and_the_policies_agree() {
        for policy in [&crate::agent_os::POLICY, &crate::agent_os_rbac::POLICY] {
            let (_, report) = document("AgentOS", policy);
            assert!(report.is_complete(), "{report}");
        }
    }
}
