//! An identity provider on loopback: `GET /jwks` answers what the test sets (JSON, a
//! status, or JSON after a delay), `GET /.well-known/openid-configuration` a discovery
//! document once one is set; every request is counted with the time it arrived.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use http::StatusCode;
use http::header::CONTENT_TYPE;

/// What the provider answers on `/jwks`.
#[derive(Debug, Clone)]
pub(crate) enum Answer {
    Json(String),
    Status(u16),
    /// The JSON, after a delay.
    Slow(Duration, String),
}

struct ProviderState {
    answer: Mutex<Answer>,
    discovery: Mutex<Option<String>>,
    /// When each request (to either document) arrived.
    arrivals: Mutex<Vec<Instant>>,
}

pub(crate) struct Provider {
    addr: SocketAddr,
    state: Arc<ProviderState>,
}

fn locked<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn json(body: String) -> Response {
    ([(CONTENT_TYPE, "application/json")], body).into_response()
}

async fn jwks_handler(State(state): State<Arc<ProviderState>>) -> Response {
    locked(&state.arrivals).push(Instant::now());
    let answer = locked(&state.answer).clone();
    match answer {
        Answer::Json(body) => json(body),
        Answer::Status(code) => StatusCode::from_u16(code).expect("status").into_response(),
        Answer::Slow(delay, body) => {
            tokio::time::sleep(delay).await;
            json(body)
        }
    }
}

async fn discovery_handler(State(state): State<Arc<ProviderState>>) -> Response {
    locked(&state.arrivals).push(Instant::now());
    let discovery = locked(&state.discovery).clone();
    match discovery {
        Some(body) => json(body),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

impl Provider {
    /// A provider on a free loopback port, answering `answer` on `/jwks`.
    pub(crate) async fn start(answer: Answer) -> Provider {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        Provider::serve(listener, answer)
    }

    /// A provider on `listener` (e.g. one bound before, to come up late).
    pub(crate) fn serve(listener: tokio::net::TcpListener, answer: Answer) -> Provider {
        let addr = listener.local_addr().expect("addr");
        let state = Arc::new(ProviderState {
            answer: Mutex::new(answer),
            discovery: Mutex::new(None),
            arrivals: Mutex::new(Vec::new()),
        });
        let app = Router::new()
            .route("/jwks", get(jwks_handler))
            .route("/.well-known/openid-configuration", get(discovery_handler))
            .with_state(Arc::clone(&state));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Provider { addr, state }
    }

    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://<addr>/jwks`.
    pub(crate) fn url(&self) -> String {
        format!("http://{}/jwks", self.addr)
    }

    /// What `/jwks` answers from now on.
    pub(crate) fn set(&self, answer: Answer) {
        *locked(&self.state.answer) = answer;
    }

    /// The discovery document served from now on.
    pub(crate) fn set_discovery(&self, document: String) {
        *locked(&self.state.discovery) = Some(document);
    }

    /// How many requests arrived so far.
    pub(crate) fn requests(&self) -> usize {
        locked(&self.state.arrivals).len()
    }

    /// When each request arrived.
    pub(crate) fn arrivals(&self) -> Vec<Instant> {
        locked(&self.state.arrivals).clone()
    }
}
