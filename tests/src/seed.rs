//! The seed, `agent_os::router`, exactly as its binary serves it, configured with
//! [`SECRET`]; its users' scopes, the requests that change its state (runs, memory
//! posts), and a way to read that state.

use axum::Router;
use axum::body::Body;
use http::header::{AUTHORIZATION, CONTENT_TYPE};
use http::{Request, StatusCode};
use scope_policy_examples::agent_os;

use crate::reply::{Reply, send};
use crate::requests::{bearer, header_value, request};
use crate::tokens::{SECRET, mint};

/// The admin scope of the seed: it passes every requirement.
pub const ADMIN_SCOPE: &str = agent_os::ADMIN_SCOPE;

/// The scopes of the seed walkthrough's basic user (README, "The seed walkthrough").
pub const BASIC: &[&str] = &["app:read"];
/// The power user's: reads and runs agents.
pub const POWER: &[&str] = &["app:read", "app:run", "app:execute"];
/// The admin's: the power user's and `app:admin` (sessions, config).
pub const ADMIN: &[&str] = &["app:admin", "app:read", "app:run", "app:execute"];
/// The superadmin's: the admin scope alone, which passes everything.
pub const SUPERADMIN: &[&str] = &["app:superadmin"];

/// A run of the seed's one agent.
pub const RUN: &str = "/agents/research-agent/runs";
/// What a run requires.
pub const RUN_SCOPES: &[&str] = &["app:run", "app:execute"];

/// The seed's configuration with [`SECRET`].
pub fn config() -> agent_os::Config {
    agent_os::Config {
        jwt_secret: SECRET.to_owned(),
        ..agent_os::Config::default()
    }
}

/// `agent_os::router` (what the binary serves) and a way to read its state.
pub struct AgentOs {
    /// The router under test.
    pub router: Router,
    superadmin: String,
}

impl AgentOs {
    /// A fresh seed: no session, no memory.
    pub fn new() -> AgentOs {
        AgentOs {
            router: agent_os::router(&config()),
            superadmin: mint(SUPERADMIN),
        }
    }

    /// Sends one request in-process.
    pub async fn send(&self, request: Request<Body>) -> Reply {
        send(&self.router, request).await
    }

    /// `method path` with the superadmin's token, which passes every rule: what the
    /// router itself answers.
    pub async fn as_superadmin(&self, method: &str, path: &str) -> Reply {
        self.send(bearer(method, path, &self.superadmin)).await
    }

    /// (sessions, memories) as the superadmin lists them: what runs and memory posts
    /// have created so far.
    pub async fn state(&self) -> (usize, usize) {
        let mut out = [0; 2];
        for (i, path) in ["/sessions", "/memories"].into_iter().enumerate() {
            let reply = self.as_superadmin("GET", path).await;
            assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
            out[i] = reply.json().as_array().expect("a list").len();
        }
        (out[0], out[1])
    }

    /// A run request (urlencoded `message=hi`) to `path` with the given Authorization
    /// value.
    pub fn run(path: &str, authorization: Option<&str>) -> Request<Body> {
        let mut builder =
            request("POST", path).header(CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(value) = authorization {
            builder = builder.header(AUTHORIZATION, value);
        }
        builder.body(Body::from("message=hi")).expect("request")
    }
}

impl Default for AgentOs {
    fn default() -> Self {
        Self::new()
    }
}

/// A run of [`RUN`] carrying `Authorization: Bearer <token>`.
pub fn run_as(token: &str) -> Request<Body> {
    run_at(RUN, token)
}

/// A run of `path` carrying `Authorization: Bearer <token>`.
pub fn run_at(path: &str, token: &str) -> Request<Body> {
    AgentOs::run(path, Some(&format!("Bearer {token}")))
}

/// A run of [`RUN`] whose `Authorization` header is exactly `bytes`.
pub fn run_with_authorization(bytes: &[u8]) -> Request<Body> {
    let mut request = AgentOs::run(RUN, None);
    request
        .headers_mut()
        .insert(AUTHORIZATION, header_value(bytes));
    request
}

/// A `POST /memories` carrying `Authorization: Bearer <token>`.
pub fn memory_as(token: &str) -> Request<Body> {
    request("POST", "/memories")
        .header(AUTHORIZATION, format!("Bearer {token}"))
        .header(CONTENT_TYPE, "application/json")
        .body(Body::from(r#"{"memory":"m"}"#))
        .expect("request")
}
