//! A JWKS served on a loopback URL, for tests of `JwksUrl`.

use std::io;
use std::sync::{Arc, PoisonError, RwLock};

use axum::Router;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::routing::get;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use super::TestIdp;

/// The path of the JWKS on a [`JwksServer`].
pub const JWKS_PATH: &str = "/jwks.json";
/// The path of the OpenID Connect discovery document on a [`JwksServer`].
pub const DISCOVERY_PATH: &str = "/.well-known/openid-configuration";

/// A JWKS served over plain HTTP on `127.0.0.1` (a free port), by a Tokio task that
/// stops when the server is dropped. Made by [`TestIdp::serve_jwks`].
///
/// It answers `GET` [`JWKS_PATH`] with the JWKS and `GET` [`DISCOVERY_PATH`] with
/// `{"issuer": <url()>, "jwks_uri": <jwks_url()>}`, so both `JwksUrl::new(server.jwks_url())`
/// and `JwksUrl::from_issuer(server.issuer())` (feature `jwks-url`, which fetches
/// `http://` from loopback hosts) find the keys. For the discovery, give the
/// provider this issuer: `idp.with_issuer(server.issuer())`; the keys stay the same.
/// [`set_jwks`](Self::set_jwks) rotates the keys it serves.
///
/// ```
/// # #[cfg(feature = "jwks-url")]
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use std::time::Duration;
/// use scope_runtime::{JwksUrl, JwtVerifier};
/// use scope_runtime::test_util::TestIdp;
///
/// let idp = TestIdp::rs256();
/// let server = idp.serve_jwks().await?;
/// let jwks = JwksUrl::new(server.jwks_url()).start()?;
/// assert!(jwks.wait_until_ready(Duration::from_secs(5)).await);
/// let verifier = JwtVerifier::builder().jwks(jwks).build()?;
/// assert!(verifier.verify_token(&idp.token().sign()).is_ok());
/// # Ok(())
/// # }
/// # #[cfg(not(feature = "jwks-url"))]
/// # fn main() {}
/// ```
#[derive(Debug)]
pub struct JwksServer {
    url: String,
    jwks: Arc<RwLock<Value>>,
    task: JoinHandle<()>,
}

#[derive(Clone)]
struct Served {
    url: String,
    jwks: Arc<RwLock<Value>>,
}

fn json_response(body: &Value) -> impl IntoResponse + use<> {
    ([(CONTENT_TYPE, "application/json")], body.to_string())
}

async fn jwks(State(served): State<Served>) -> impl IntoResponse {
    let jwks = served
        .jwks
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    json_response(&jwks)
}

async fn discovery(State(served): State<Served>) -> impl IntoResponse {
    json_response(&json!({
        "issuer": served.url,
        "jwks_uri": format!("{}{JWKS_PATH}", served.url),
    }))
}

impl JwksServer {
    pub(super) async fn start(jwks_doc: Value) -> io::Result<JwksServer> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let url = format!("http://{}", listener.local_addr()?);
        let jwks_doc = Arc::new(RwLock::new(jwks_doc));
        let served = Served {
            url: url.clone(),
            jwks: Arc::clone(&jwks_doc),
        };
        let app = Router::new()
            .route(JWKS_PATH, get(jwks))
            .route(DISCOVERY_PATH, get(discovery))
            .with_state(served);
        let task = tokio::spawn(async move {
            // Ends only with an accept error, when nothing is left to serve.
            let _ = axum::serve(listener, app).await;
        });
        Ok(JwksServer {
            url,
            jwks: jwks_doc,
            task,
        })
    }

    /// The server's base URL, `http://127.0.0.1:<port>`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The issuer its discovery document names: [`url`](Self::url).
    pub fn issuer(&self) -> &str {
        &self.url
    }

    /// The JWKS URL, [`url`](Self::url) + [`JWKS_PATH`].
    pub fn jwks_url(&self) -> String {
        format!("{}{JWKS_PATH}", self.url)
    }

    /// Serves `idp`'s JWKS from now on (a key rotation).
    pub fn set_jwks(&self, idp: &TestIdp) {
        *self.jwks.write().unwrap_or_else(PoisonError::into_inner) = idp.jwks();
    }
}

impl Drop for JwksServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}
