//! In-process requests, built from a raw method and a raw request target: `http::Uri`
//! keeps the path exactly as written, so what a test spells is what the layer reads.

use axum::body::Body;
use http::header::AUTHORIZATION;
use http::{HeaderValue, Method, Request, Uri};

/// A request builder with a raw method and a raw request target (no normalisation).
pub fn request(method: &str, uri: &str) -> http::request::Builder {
    let method = Method::from_bytes(method.as_bytes()).expect("a method token");
    let uri = Uri::try_from(uri).unwrap_or_else(|e| panic!("{uri:?} is not a URI: {e}"));
    Request::builder().method(method).uri(uri)
}

/// [`request`] with `Authorization: Bearer <token>` and an empty body.
pub fn bearer(method: &str, uri: &str, token: &str) -> Request<Body> {
    request(method, uri)
        .header(AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .expect("request")
}

/// [`request`] without credentials and with an empty body.
pub fn anonymous(method: &str, uri: &str) -> Request<Body> {
    request(method, uri).body(Body::empty()).expect("request")
}

/// [`bearer`] when a token is given, else [`anonymous`].
pub fn with_token(method: &str, uri: &str, token: Option<&str>) -> Request<Body> {
    match token {
        Some(token) => bearer(method, uri, token),
        None => anonymous(method, uri),
    }
}

/// [`request`] whose `Authorization` header is exactly `bytes`, with an empty body.
pub fn with_authorization(method: &str, uri: &str, bytes: &[u8]) -> Request<Body> {
    request(method, uri)
        .header(AUTHORIZATION, header_value(bytes))
        .body(Body::empty())
        .expect("request")
}

/// A `HeaderValue` of exactly these bytes (panics on bytes `http` refuses).
pub fn header_value(bytes: &[u8]) -> HeaderValue {
    HeaderValue::from_bytes(bytes).expect("a header value")
}
