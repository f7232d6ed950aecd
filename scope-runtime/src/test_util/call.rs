//! Sending a request through a router as a caller, and reading the answer.

use std::convert::Infallible;

use axum::BoxError;
use axum::body::{Bytes, HttpBody};
use axum::http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, Request, Response, StatusCode, request};
use http_body_util::BodyExt as _;
use serde_json::Value;
use tower::{Service, ServiceExt as _};

/// Adds `Authorization: Bearer <token>` to a request being built.
///
/// ```
/// use axum::body::Body;
/// use axum::http::Request;
/// use scope_runtime::test_util::BearerExt as _;
///
/// let request = Request::get("/agents").bearer("abc.def.ghi").body(Body::empty())?;
/// assert_eq!(request.headers()["authorization"], "Bearer abc.def.ghi");
/// # Ok::<(), axum::http::Error>(())
/// ```
pub trait BearerExt: Sized {
    /// The request with `Authorization: Bearer <token>`.
    fn bearer(self, token: &str) -> Self;
}

impl BearerExt for request::Builder {
    fn bearer(self, token: &str) -> Self {
        // An invalid header value surfaces as the builder's error in `body()`.
        self.header(AUTHORIZATION, format!("Bearer {token}"))
    }
}

/// Sends `request` through `service` (an axum `Router`, a router behind a
/// `ScopeLayer`, any tower service that does not fail) with
/// `tower::ServiceExt::oneshot`, and reads the whole response.
///
/// The service is cloned, as axum clones a router for every connection. Errors: the
/// response body failed while it was read (axum's bodies do not).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use axum::{Router, body::Body, http::{Request, StatusCode}, routing::get};
/// use scope_runtime::test_util::call;
///
/// let app: Router = Router::new().route("/health", get(|| async { "ok" }));
/// let response = call(&app, Request::get("/health").body(Body::empty())?).await?;
/// assert_eq!(response.status(), StatusCode::OK);
/// assert_eq!(response.text(), "ok");
/// # Ok(())
/// # }
/// ```
pub async fn call<S, B, RB>(service: &S, request: Request<B>) -> Result<TestResponse, axum::Error>
where
    S: Service<Request<B>, Response = Response<RB>, Error = Infallible> + Clone,
    RB: HttpBody,
    RB::Error: Into<BoxError>,
{
    let response = match service.clone().oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    };
    let (parts, body) = response.into_parts();
    let body = body.collect().await.map_err(axum::Error::new)?.to_bytes();
    Ok(TestResponse {
        status: parts.status,
        headers: parts.headers,
        body,
    })
}

/// A response read whole by [`call`]: status, headers and body.
#[derive(Debug, Clone)]
pub struct TestResponse {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl TestResponse {
    /// The status code.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The `WWW-Authenticate` challenge of a 401 or 403, if there is one (and it is
    /// text).
    pub fn www_authenticate(&self) -> Option<&str> {
        self.headers.get(WWW_AUTHENTICATE)?.to_str().ok()
    }

    /// The body's bytes.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The body as text (invalid UTF-8 replaced by U+FFFD, so that a test failure
    /// still shows what came back).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body read as JSON.
    pub fn json(&self) -> Result<Value, serde_json::Error> {
        serde_json::from_slice(&self.body)
    }
}
