//! The lab: what the seed lacks, in one router. Nested routers (`Router::nest`, twice
//! nested too), catch-alls (`{*path}`), a public root route whose path is the tail of a
//! protected nested one, a fallback, a realm, and a layer that can sit on a nested router.
//! Every handler counts its entries.

use axum::Router;
use axum::routing::{any, get};
use scope_runtime::{Policy, ScopeLayer, scopes};

use crate::record::{Hits, counted};
use crate::seed::ADMIN_SCOPE;
use crate::tokens::{SECRET, hs256};

/// The realm of the lab's layer: every challenge names it.
pub const LAB_REALM: &str = "lab";

/// The lab's policy: full paths, although most routes live in nested routers.
pub static LAB: Policy = scopes! {
    "GET /health"             => public,
    "GET /users"              => public,          // a public legacy route at the root
    "GET /v1/users"           => ["users:read"],  // ...and its nested, protected successor
    "GET /v1/users/{id}"      => ["users:read"],
    "DELETE /v1/users/{id}"   => ["users:admin"],
    "GET /v1/admin/{*rest}"   => ["admin"],
    "GET /files/{*path}"      => ["files:read"],
    "PUT /files/{*path}"      => ["files:write"],
    "GET /api/v2/items/{*x}"  => ["items:read"],
};

/// Handler-entry counters of the lab, one per kind of handler.
#[derive(Clone, Default, Debug)]
pub struct LabHits {
    /// `/health` and `/users`, the public routes.
    pub public: Hits,
    /// Every route that needs a token.
    pub protected: Hits,
    /// The outer router's fallback.
    pub fallback: Hits,
}

impl LabHits {
    /// Entries of handlers that need a token (the fallback included).
    pub fn protected(&self) -> usize {
        self.protected.get() + self.fallback.get()
    }
}

/// Where the lab's layer sits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LabLayer {
    /// `Router::layer` on the outermost router (the documented place).
    Top,
    /// `Router::layer` on the nested `/v1` router only (the layer sees a request whose
    /// URI the outer router has shortened to `/users`).
    NestedV1,
}

/// The lab's router with its layer at `layer`, and its counters.
pub fn lab(layer: LabLayer) -> (Router, LabHits) {
    let hits = LabHits::default();
    let layer_of = || {
        ScopeLayer::new(hs256(SECRET), LAB)
            .admin_scope(ADMIN_SCOPE)
            .realm(LAB_REALM)
    };
    let protected = || counted("reached", &hits.protected);
    let public = || counted("reached", &hits.public);
    let mut v1 = Router::new()
        .route("/users", get(protected()))
        .route("/users/{id}", get(protected()).delete(protected()))
        .route("/admin/{*rest}", get(protected()));
    if layer == LabLayer::NestedV1 {
        v1 = v1.layer(layer_of());
    }
    let v2 = Router::new().route("/items/{*rest}", get(protected()));
    let mut router = Router::new()
        .route("/health", get(public()))
        .route("/users", get(public()))
        .route("/files/{*path}", any(protected()))
        .nest("/v1", v1)
        .nest("/api", Router::new().nest("/v2", v2))
        .fallback(counted("reached", &hits.fallback));
    if layer == LabLayer::Top {
        router = router.layer(layer_of());
    }
    (router, hits)
}
