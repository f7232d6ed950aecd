//! Building requests, with or without an `Authorization` header.

use axum::body::Body;
use http::header::AUTHORIZATION;
use http::{HeaderValue, Request};

/// A request without any `Authorization` header.
pub(crate) fn request(method: &str, path: &str) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(path)
        .body(Body::empty())
        .expect("request")
}

/// A request with `Authorization: Bearer <token>`.
pub(crate) fn bearer(method: &str, path: &str, token: &str) -> Request<Body> {
    with_authorization(method, path, format!("Bearer {token}").as_bytes())
}

/// A request with one `Authorization` header holding exactly `value`.
pub(crate) fn with_authorization(method: &str, path: &str, value: &[u8]) -> Request<Body> {
    let mut request = request(method, path);
    request.headers_mut().insert(
        AUTHORIZATION,
        HeaderValue::from_bytes(value).expect("header value"),
    );
    request
}
