//! The app under test: the agents API policy, and a router whose handlers count their
//! entries, behind a layer.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::extract::State;
use axum::routing::any;
use scope_runtime::{Policy, ScopeLayer, scopes};

/// The policy of an imaginary agents API, with one rule of each kind: every scope of a
/// list (`/agents/*/runs`), one of several (`/either`), any valid token (`/me`), no
/// token (`/health`), a one-segment `*` (`/agents/*`) and an any-depth `**` for every
/// method (`/files/**`).
pub(crate) static AGENTS_API: Policy = scopes! {
    "GET /agents"         => ["app:read"],
    "GET /agents/*"       => ["app:read"],
    "POST /agents/*/runs" => ["app:run", "app:execute"],
    "GET /sessions"       => ["app:admin"],
    "* /files/**"         => ["files:read"],
    "GET /either"         => any["app:read", "app:write"],
    "GET /me"             => [],
    "GET /health"         => public,
};

/// Counts how many times a handler was entered.
#[derive(Clone, Debug, Default)]
pub(crate) struct Hits(Arc<AtomicUsize>);

impl Hits {
    pub(crate) fn hit(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }

    pub(crate) fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

/// A handler that counts its entries and answers `ok`.
pub(crate) async fn counted(State(hits): State<Hits>) -> &'static str {
    hits.hit();
    "ok"
}

/// A router answering every method on each of `routes` with [`counted`], behind
/// `layer` (on the whole router, so the fallback is guarded too).
pub(crate) fn app(routes: &[&str], layer: ScopeLayer) -> (Router, Hits) {
    let router = routes.iter().fold(Router::new(), |router, route| {
        router.route(route, any(counted))
    });
    guarded(router, layer)
}

/// `router`, its handlers counting into a fresh [`Hits`], behind `layer` (with
/// `Router::layer`, so its fallback is guarded too).
pub(crate) fn guarded(router: Router<Hits>, layer: ScopeLayer) -> (Router, Hits) {
    let hits = Hits::default();
    (router.with_state(hits.clone()).layer(layer), hits)
}
