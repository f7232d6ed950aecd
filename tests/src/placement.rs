//! Where the layer goes: the two placements the README documents ("Where the layer
//! goes"), as services of one type, so a test runs every attack under both.

use std::convert::Infallible;

use axum::Router;
use axum::body::Body;
use axum::response::Response;
use http::Request;
use scope_runtime::ScopeLayer;
use tower::Layer as _;
use tower::util::BoxCloneService;

/// A guarded application, whatever the placement of the layer.
pub type App = BoxCloneService<Request<Body>, Response, Infallible>;

/// `router` guarded by `layer` under `Router::layer`, and wrapped whole as one service
/// (`ScopeLayer::layer(router)`), each with its label.
pub fn placements(router: Router, layer: &ScopeLayer) -> [(&'static str, App); 2] {
    [
        (
            "Router::layer",
            BoxCloneService::new(router.clone().layer(layer.clone())),
        ),
        (
            "ScopeLayer::layer(router)",
            BoxCloneService::new(layer.layer(router)),
        ),
    ]
}
