// A handler with its own scopes, behind the layer enforcing a `static` policy; trailing
// comma in the attribute; several attributes on one handler.
use axum::Router;
use axum::routing::get;
use scope_runtime::{
    require_scopes, scopes, JwtVerifier, Policy, ScopeLayer, VerificationKey, VerifiedClaims,
};

static POLICY: Policy = scopes! {
    "GET /agents" => [],
    "GET /health" => public,
};

/// Documented handler.
#[require_scopes("app:read", "agents:list",)]
#[allow(clippy::unused_async)]
async fn agents(claims: VerifiedClaims) -> String {
    claims.subject().unwrap_or_default().to_owned()
}

fn main() {
    let verifier = JwtVerifier::builder()
        .key(VerificationKey::hs256(b"your-secret-key-at-least-256-bits-long"))
        .build()
        .unwrap();
    let _app: Router = Router::new()
        .route("/agents", get(agents))
        .route("/health", get(|| async { "ok" }))
        .layer(ScopeLayer::new(verifier, POLICY).admin_scope("app:superadmin"));
}
