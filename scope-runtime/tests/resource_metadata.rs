//! RFC 9728 protected-resource metadata through real routers: the document member by
//! member, where it is served, that it is reachable without a token when mounted the
//! documented ways while everything else stays guarded, and `resource_metadata="..."` in
//! the challenges of the layer and of the extractors (and nowhere when not configured).

mod common;

use axum::Router;
use axum::routing::{any, get};
use common::*;
use scope_runtime::{
    Policy, ProtectedResourceMetadata, ResourceMetadataError, ScopeLayer, UrlProblem,
    VerifiedClaims, require_scopes, scopes,
};
use serde_json::json;

static POLICY: Policy = scopes! {
    "GET /agents"                  => ["app:read"],
    "GET /agents/{agent_id}"       => any["agents:read", "agents:{agent_id}:read"],
    "POST /agents/{agent_id}/runs" => ["app:run", "app:execute"],
    "GET /sessions"                => ["app:read", "sessions:read"], // app:read again
    "POST /runs/{agent_id}"        => ["agents:{agent_id}:run"],
    "GET /tasks/{agent_id}"        => any["agents:{agent_id}:run"], // the same wildcard
    "GET /me"                      => [],
    "GET /health"                  => public,
};

const RESOURCE: &str = "https://api.example.com/mcp";
const METADATA_URL: &str = "https://api.example.com/.well-known/oauth-protected-resource/mcp";
const WELL_KNOWN: &str = "/.well-known/oauth-protected-resource/mcp";

fn metadata() -> ProtectedResourceMetadata {
    ProtectedResourceMetadata::builder(RESOURCE)
        .authorization_server("https://idp.example.com/realms/agents")
        .authorization_server("https://login.example.org")
        .scopes_from(&POLICY)
        .resource_name("Agents API")
        .resource_documentation("https://docs.example.com/agents")
        .build()
        .expect("metadata")
}

fn layer() -> ScopeLayer {
    ScopeLayer::new(hs256_verifier(), POLICY)
        .admin_scope("app:superadmin")
        .resource_metadata(&metadata())
}

/// The documented mount: the document merged into the application, then the layer on
/// the whole router.
fn app() -> (Router, Hits) {
    let routes = ["/agents", "/agents/{agent_id}", "/me", "/health"];
    let router = routes.iter().fold(Router::new(), |router, route| {
        router.route(route, any(counted))
    });
    guarded(router.merge(metadata().router()), layer())
}

#[tokio::test]
async fn the_document_member_by_member() {
    let (app, hits) = app();
    let reply = send(&app, request("GET", WELL_KNOWN)).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.headers["content-type"], "application/json");
    assert_eq!(reply.headers["access-control-allow-origin"], "*");
    assert!(reply.www_authenticate().is_none());
    let document = reply.json();
    assert_eq!(document["resource"], RESOURCE);
    assert_eq!(
        document["authorization_servers"],
        json!([
            "https://idp.example.com/realms/agents",
            "https://login.example.org"
        ])
    );
    // Policy order, each once; templates in their wildcard form; never the admin scope.
    assert_eq!(
        document["scopes_supported"],
        json!([
            "app:read",
            "agents:read",
            "agents:*:read",
            "app:run",
            "app:execute",
            "sessions:read",
            "agents:*:run"
        ])
    );
    assert_eq!(document["bearer_methods_supported"], json!(["header"]));
    assert_eq!(document["resource_name"], "Agents API");
    assert_eq!(
        document["resource_documentation"],
        "https://docs.example.com/agents"
    );
    assert_eq!(document.as_object().expect("an object").len(), 6);
    assert_eq!(reply.json(), serde_json::to_value(metadata()).unwrap());
    assert_eq!(hits.count(), 0);
}

#[tokio::test]
async fn optional_members_are_left_out() {
    let metadata = ProtectedResourceMetadata::builder("https://api.example.com")
        .build()
        .expect("metadata");
    let app: Router = metadata.router();
    let reply = send(
        &app,
        request("GET", "/.well-known/oauth-protected-resource"),
    )
    .await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.json(),
        json!({
            "resource": "https://api.example.com",
            "bearer_methods_supported": ["header"],
        })
    );
    assert_eq!(metadata.to_json(), reply.text());
}

#[tokio::test]
async fn a_resource_with_a_path_is_served_at_the_suffixed_path_only() {
    let (app, _) = app();
    assert_eq!(metadata().well_known_path(), WELL_KNOWN);
    assert_eq!(metadata().metadata_url(), METADATA_URL);
    assert_eq!(send(&app, request("GET", WELL_KNOWN)).await.status, 200);
    assert_eq!(send(&app, request("HEAD", WELL_KNOWN)).await.status, 200);
    // The bare well-known path and others under it are no route of the document: the
    // layer's fallback answers them, as it answers every unmapped path.
    for path in [
        "/.well-known/oauth-protected-resource",
        "/.well-known/oauth-protected-resource/other",
        "/mcp/.well-known/oauth-protected-resource",
    ] {
        let reply = send(&app, request("GET", path)).await;
        assert_eq!(reply.status, 401, "{path}");
    }
}

#[tokio::test]
async fn mounted_the_documented_way_it_is_public_and_the_rest_stays_guarded() {
    let (app, hits) = app();
    assert_eq!(send(&app, request("GET", WELL_KNOWN)).await.status, 200);
    // Only reading it is public.
    let reply = send(&app, request("POST", WELL_KNOWN)).await;
    assert_eq!(reply.status, 401);
    // A token is not even looked at: a broken one does not matter.
    let reply = send(&app, bearer("GET", WELL_KNOWN, "not-a-jwt")).await;
    assert_eq!(reply.status, 200);

    let reply = send(&app, request("GET", "/agents")).await;
    assert_eq!(reply.status, 401);
    let reply = send(&app, request("GET", "/unknown")).await;
    assert_eq!(reply.status, 401);
    let reply = send(
        &app,
        bearer("GET", "/agents", &token_with_scopes(&["app:read"])),
    )
    .await;
    assert_ok(&reply);
    let reply = send(&app, request("GET", "/health")).await;
    assert_ok(&reply);
    assert_eq!(hits.count(), 2);
}

#[tokio::test]
async fn public_under_a_layer_on_the_whole_service_and_in_authentication_only_mode() {
    use tower_layer::Layer as _;

    let router = Router::new()
        .route("/agents", get(|| async { "agents" }))
        .merge(metadata().router());
    let service = layer().layer(router.clone());
    let app = Router::new().fallback_service(service);
    let reply = send(&app, request("GET", WELL_KNOWN)).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["resource"], RESOURCE);
    assert_eq!(send(&app, request("HEAD", WELL_KNOWN)).await.status, 200);
    let reply = send(&app, request("GET", "/agents")).await;
    assert_eq!(
        reply.www_authenticate(),
        Some(format!(r#"Bearer resource_metadata="{METADATA_URL}""#).as_str())
    );

    let app = router
        .layer(ScopeLayer::authenticate_only(hs256_verifier()).resource_metadata(&metadata()));
    assert_eq!(send(&app, request("GET", WELL_KNOWN)).await.status, 200);
    assert_eq!(send(&app, request("GET", "/agents")).await.status, 401);
}

#[tokio::test]
async fn without_the_document_the_layer_keeps_the_path_guarded() {
    // The URL alone (a document served elsewhere) opens no path.
    let router = Router::new().merge(metadata().router());
    let app =
        router.layer(ScopeLayer::new(hs256_verifier(), POLICY).resource_metadata_url(METADATA_URL));
    let reply = send(&app, request("GET", WELL_KNOWN)).await;
    assert_eq!(reply.status, 401);
    assert_eq!(
        reply.www_authenticate(),
        Some(format!(r#"Bearer resource_metadata="{METADATA_URL}""#).as_str())
    );
}

#[tokio::test]
async fn every_401_challenge_names_the_metadata() {
    let (app, hits) = app();
    let with = |challenge: &str| format!(r#"{challenge}, resource_metadata="{METADATA_URL}""#);

    let reply = send(&app, request("GET", "/agents")).await;
    assert_refused(
        &reply,
        401,
        &format!(r#"Bearer resource_metadata="{METADATA_URL}""#),
        "Authorization header missing",
    );

    let reply = send(
        &app,
        with_authorization("GET", "/agents", b"Basic dXNlcjpwdw=="),
    )
    .await;
    assert_eq!(reply.status, 401);
    assert_eq!(
        reply.www_authenticate(),
        Some(format!(r#"Bearer resource_metadata="{METADATA_URL}""#).as_str())
    );

    let reply = send(&app, bearer("GET", "/agents", &forged_token(json!({})))).await;
    assert_refused(
        &reply,
        401,
        &with(r#"Bearer error="invalid_token", error_description="signature does not match""#),
        "Invalid token: signature does not match",
    );

    let expired = token(json!({ "exp": now() - 3600, "scopes": ["app:read"] }));
    let reply = send(&app, bearer("GET", "/agents", &expired)).await;
    assert_refused(
        &reply,
        401,
        &with(r#"Bearer error="invalid_token", error_description="The access token expired""#),
        "Token has expired",
    );
    assert_eq!(hits.count(), 0);
}

#[tokio::test]
async fn the_403_and_400_challenges_name_it_too() {
    let (app, _) = app();
    let reply = send(
        &app,
        bearer("GET", "/agents", &token_with_scopes(&["other"])),
    )
    .await;
    assert_refused(
        &reply,
        403,
        &format!(
            r#"Bearer error="insufficient_scope", scope="app:read", resource_metadata="{METADATA_URL}""#
        ),
        "Insufficient permissions. Required scope(s): app:read",
    );
    let reply = send(&app, with_authorization("GET", "/agents", b"Bearer")).await;
    assert_eq!(reply.status, 400);
    let challenge = reply.www_authenticate().expect("a challenge");
    assert!(
        challenge.starts_with(r#"Bearer error="invalid_request""#),
        "{challenge}"
    );
    assert!(
        challenge.ends_with(&format!(r#", resource_metadata="{METADATA_URL}""#)),
        "{challenge}"
    );
}

#[tokio::test]
async fn a_realm_comes_first_and_the_metadata_last() {
    let (app, _) = common::app(&["/agents"], layer().realm("agents"));
    let reply = send(&app, request("GET", "/agents")).await;
    assert_eq!(
        reply.www_authenticate(),
        Some(format!(r#"Bearer realm="agents", resource_metadata="{METADATA_URL}""#).as_str())
    );
}

#[tokio::test]
async fn the_extractors_refusals_name_it_too() {
    #[require_scopes("app:admin")]
    async fn admin() -> &'static str {
        "admin"
    }
    async fn me(claims: VerifiedClaims) -> String {
        claims.subject().unwrap_or_default().to_owned()
    }
    let app: Router = Router::new()
        .route("/admin", get(admin))
        .route("/health", get(me))
        .layer(
            ScopeLayer::new(hs256_verifier(), POLICY)
                .unmapped(scope_runtime::Unmapped::Authenticated)
                .resource_metadata_url(METADATA_URL),
        );
    let reply = send(&app, bearer("GET", "/admin", &token_with_scopes(&[]))).await;
    assert_eq!(reply.status, 403);
    assert_eq!(
        reply.www_authenticate(),
        Some(
            format!(
                r#"Bearer error="insufficient_scope", scope="app:admin", resource_metadata="{METADATA_URL}""#
            )
            .as_str()
        )
    );
    // `/health` is public: the layer lets it through, and a handler needing claims there
    // is a server bug: a 500 without a challenge (no token would help).
    let reply = send(&app, request("GET", "/health")).await;
    assert_eq!(reply.status, 500);
    assert_eq!(reply.www_authenticate(), None);
}

#[tokio::test]
async fn no_metadata_param_when_not_configured() {
    let (app, _) = common::app(&["/agents"], ScopeLayer::new(hs256_verifier(), POLICY));
    let reply = send(&app, request("GET", "/agents")).await;
    assert_missing_token(&reply);
    assert_eq!(reply.www_authenticate(), Some("Bearer"));
    let reply = send(&app, bearer("GET", "/agents", &forged_token(json!({})))).await;
    assert_invalid_token(&reply, "signature does not match");
}

#[tokio::test]
async fn the_url_is_quoted_safely() {
    let (app, _) = common::app(
        &["/agents"],
        ScopeLayer::new(hs256_verifier(), POLICY)
            .resource_metadata_url("https://a.example/\"x\\y\n"),
    );
    let reply = send(&app, request("GET", "/agents")).await;
    assert_eq!(
        reply.www_authenticate(),
        Some(r#"Bearer resource_metadata="https://a.example/\"x\\y?""#)
    );
}

#[test]
fn invalid_resource_identifiers_are_refused() {
    for (resource, problem) in [
        ("https://api.example.com/mcp#frag", UrlProblem::Fragment),
        ("http://api.example.com/mcp", UrlProblem::PlainHttp),
        ("api.example.com", UrlProblem::NotAbsolute),
        ("https://api.example.com/mcp?x=1", UrlProblem::Query),
    ] {
        let error = ProtectedResourceMetadata::builder(resource)
            .build()
            .unwrap_err();
        assert_eq!(
            error,
            ResourceMetadataError::Resource {
                url: resource.to_owned(),
                problem
            }
        );
    }
    // Loopback may use plain http (local development).
    assert!(
        ProtectedResourceMetadata::builder("http://localhost:7777")
            .build()
            .is_ok()
    );
}

#[test]
fn public_and_any_token_rules_add_no_scope_and_each_is_listed_once() {
    static ONLY: Policy = scopes! {
        "GET /me" => [],
        "GET /health" => public,
        "* /files/**" => ["files:read"],
    };
    let metadata = ProtectedResourceMetadata::builder("https://a.example")
        .scopes_from(&ONLY)
        .scope("extra")
        .scope("files:read")
        .build()
        .unwrap();
    assert_eq!(metadata.scopes_supported(), ["files:read", "extra"]);
}
