//! The seed example: Agno's "Custom Scope Mappings" AgentOS, ported to Rust.
//!
//! The policy of the seed (plus a public `/health` and an any-valid-token `/me`) is
//! declared with [`scopes!`] and enforced by one [`ScopeLayer`] on the whole router,
//! with `app:superadmin` as the admin scope that passes every requirement. Tokens are
//! HS256 JWTs signed with the secret of `JWT_VERIFICATION_KEY`, exactly as in Agno.
//!
//! | route | requirement |
//! | --- | --- |
//! | `GET /agents`, `GET /agents/{agent_id}` | `app:read` |
//! | `POST /agents/{agent_id}/runs` | `app:run` and `app:execute` |
//! | `GET /sessions` | `app:admin` |
//! | `GET /sessions/{session_id}` | `app:read` and `sessions:read` |
//! | `GET /memories` | `memory:admin` |
//! | `POST /memories` | `memory:write` |
//! | `GET /config` | `app:admin` |
//! | `GET /me` | any valid token |
//! | `GET /health` | nothing (public) |
//! | anything else | denied (403), except for `app:superadmin` |
//!
//! No language model is called: a run answers a deterministic echo
//! (`"Research Agent received: <message>"`) and records a session and a memory in
//! memory. Ids are counters (`run-1`, `session-1`, `memory-1`, ...).
//!
//! ```no_run
//! use scope_policy_examples::agent_os::{self, Config};
//!
//! # async fn serve() -> Result<(), Box<dyn std::error::Error>> {
//! let config = Config::from_env()?;
//! let listener = tokio::net::TcpListener::bind((config.host.as_str(), config.port)).await?;
//! axum::serve(listener, agent_os::router(&config)).await?;
//! # Ok(())
//! # }
//! ```

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use jsonwebtoken::{EncodingKey, Header};
use scope_runtime::{
    JwksFile, JwksUrl, JwtVerifier, Policy, Requirement, ScopeLayer, VerificationKey,
    VerifiedClaims, scopes,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::api::{ApiError, ApiJson, ApiPath, RunMessage};

/// The scope policy of the seed, as in the specification: every route the server
/// serves is mapped, and anything unmapped is denied.
pub static POLICY: Policy = scopes! {
    "GET /agents"         => ["app:read"],
    "GET /agents/*"       => ["app:read"],
    "POST /agents/*/runs" => ["app:run", "app:execute"], // ALL listed scopes
    "GET /sessions"       => ["app:admin"],
    "GET /sessions/*"     => ["app:read", "sessions:read"],
    "GET /memories"       => ["memory:admin"],
    "POST /memories"      => ["memory:write"],
    "GET /config"         => ["app:admin"],
    "GET /health"         => public,   // no token needed at all
    "GET /me"             => [],       // any valid token
};

/// Every route [`router_with`] serves, as `"METHOD /path"` keys, for
/// [`Policy::coverage`]: `tests/tests/coverage.rs` checks that the policy covers each of
/// them, that each rule is reached, and that the router really serves each of them.
pub const ROUTES: &[&str] = &[
    "GET /agents",
    "GET /agents/{agent_id}",
    "POST /agents/{agent_id}/runs",
    "GET /sessions",
    "GET /sessions/{session_id}",
    "GET /memories",
    "POST /memories",
    "GET /config",
    "GET /me",
    "GET /health",
];

/// The scope that passes every requirement (Agno's `admin_scope`).
pub const ADMIN_SCOPE: &str = "app:superadmin";

/// The HS256 secret used when `JWT_VERIFICATION_KEY` is not set (the seed's default).
pub const DEFAULT_JWT_SECRET: &str = "your-secret-key-at-least-256-bits-long";

/// The address the server listens on when `HOST` is not set.
pub const DEFAULT_HOST: &str = "127.0.0.1";

/// The port the server listens on when `PORT` is not set (the seed's).
pub const DEFAULT_PORT: u16 = 7777;

/// The id of the one agent this AgentOS serves.
pub const AGENT_ID: &str = "research-agent";

/// The display name of the one agent.
pub const AGENT_NAME: &str = "Research Agent";

/// How many sessions (and, separately, memories) are kept; the oldest are dropped
/// first, so a long-running demo cannot grow without bound.
pub const MAX_STORED: usize = 1000;

/// Server configuration. `Debug` never shows the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct Config {
    /// The HS256 secret tokens are verified with (`JWT_VERIFICATION_KEY`).
    pub jwt_secret: String,
    /// The host name or IP address to listen on (`HOST`).
    pub host: String,
    /// The TCP port to listen on (`PORT`).
    pub port: u16,
    /// A JWKS file whose keys verify tokens, chosen by `kid` (`JWT_JWKS_FILE`).
    pub jwks_file: Option<std::path::PathBuf>,
    /// A JWKS URL, fetched at start and refreshed in the background (`JWT_JWKS_URL`).
    pub jwks_url: Option<String>,
}

impl Default for Config {
    /// The seed's defaults: [`DEFAULT_JWT_SECRET`], [`DEFAULT_HOST`], [`DEFAULT_PORT`].
    fn default() -> Self {
        Config {
            jwt_secret: DEFAULT_JWT_SECRET.to_owned(),
            host: DEFAULT_HOST.to_owned(),
            port: DEFAULT_PORT,
            jwks_file: None,
            jwks_url: None,
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("jwt_secret", &"<redacted>")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("jwks_file", &self.jwks_file)
            .field("jwks_url", &self.jwks_url)
            .finish()
    }
}

impl Config {
    /// The defaults, overridden by the environment variables `JWT_VERIFICATION_KEY`,
    /// `HOST` and `PORT` (see [`Config::overridden_by_env`]).
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::default().overridden_by_env()
    }

    /// `self`, with each field whose environment variable is set replaced by its value:
    /// `JWT_VERIFICATION_KEY` (must not be empty), `HOST`, `PORT` (a port number),
    /// `JWT_JWKS_FILE`, `JWT_JWKS_URL`.
    pub fn overridden_by_env(mut self) -> Result<Config, ConfigError> {
        if let Some(secret) = env_var("JWT_VERIFICATION_KEY")? {
            if secret.is_empty() {
                return Err(ConfigError::EmptySecret);
            }
            self.jwt_secret = secret;
        }
        if let Some(host) = env_var("HOST")? {
            self.host = host;
        }
        if let Some(port) = env_var("PORT")? {
            self.port = port
                .trim()
                .parse()
                .map_err(|_| ConfigError::InvalidPort(port))?;
        }
        if let Some(path) = env_var("JWT_JWKS_FILE")? {
            self.jwks_file = Some(path.into());
        }
        if let Some(url) = env_var("JWT_JWKS_URL")? {
            self.jwks_url = Some(url);
        }
        Ok(self)
    }

    /// The URL clients use to reach the server, e.g. `http://localhost:7777`
    /// (loopback and unspecified addresses are shown as `localhost`, as in the seed).
    pub fn base_url(&self) -> String {
        let host = match self.host.parse::<std::net::IpAddr>() {
            Ok(ip) if ip.is_loopback() || ip.is_unspecified() => "localhost".to_owned(),
            Ok(std::net::IpAddr::V6(ip)) => format!("[{ip}]"),
            _ => self.host.clone(),
        };
        format!("http://{host}:{}", self.port)
    }
}

/// Reads one environment variable: `Ok(None)` when unset.
fn env_var(name: &'static str) -> Result<Option<String>, ConfigError> {
    match std::env::var(name) {
        Ok(value) => Ok(Some(value)),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => Err(ConfigError::NotUnicode(name)),
    }
}

/// Why [`Config::from_env`] failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError {
    /// `JWT_VERIFICATION_KEY` is set but empty.
    EmptySecret,
    /// `PORT` is not a port number (the value is kept).
    InvalidPort(String),
    /// The named environment variable is not valid Unicode.
    NotUnicode(&'static str),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::EmptySecret => f.write_str("JWT_VERIFICATION_KEY is set but empty"),
            ConfigError::InvalidPort(port) => write!(f, "PORT is not a port number: {port:?}"),
            ConfigError::NotUnicode(name) => write!(f, "{name} is not valid Unicode"),
        }
    }
}

impl std::error::Error for ConfigError {}

/// One of the four tokens the seed prints at start-up.
#[derive(Clone, PartialEq, Eq)]
pub struct SeedToken {
    /// The shell variable of the seed's walkthrough, e.g. `BASIC_TOKEN`.
    pub label: &'static str,
    /// The heading the seed prints above the token, e.g. `Basic User (app:read only)`.
    pub description: &'static str,
    /// The `sub` claim.
    pub subject: &'static str,
    /// The `scopes` claim.
    pub scopes: &'static [&'static str],
    /// The signed JWT.
    pub token: String,
}

impl fmt::Debug for SeedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SeedToken")
            .field("label", &self.label)
            .field("subject", &self.subject)
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

/// The seed's users: label, heading, `sub`, scopes.
const SEED_USERS: [(&str, &str, &str, &[&str]); 4] = [
    (
        "BASIC_TOKEN",
        "Basic User (app:read only)",
        "user_123",
        &["app:read"],
    ),
    (
        "POWER_TOKEN",
        "Power User (app:read, app:run, app:execute)",
        "user_456",
        &["app:read", "app:run", "app:execute"],
    ),
    (
        "ADMIN_TOKEN",
        "Admin (app:admin + all permissions)",
        "admin_789",
        &["app:admin", "app:read", "app:run", "app:execute"],
    ),
    (
        "SUPERADMIN_TOKEN",
        "Super Admin (app:superadmin - bypasses all)",
        "superadmin",
        &["app:superadmin"],
    ),
];

/// How long the seed tokens are valid: 24 hours, as in the seed.
const SEED_TOKEN_LIFETIME_SECS: u64 = 24 * 60 * 60;

/// The claims of a seed token, serialized as PyJWT would (`exp` as seconds).
#[derive(Serialize)]
struct SeedClaims<'a> {
    sub: &'a str,
    scopes: &'a [&'a str],
    exp: u64,
}

/// Mints the seed's four tokens (basic, power, admin, superadmin), HS256-signed with
/// `secret`, valid 24 hours from now, with the seed's `sub` and `scopes` claims.
pub fn seed_tokens(secret: &[u8]) -> Result<Vec<SeedToken>, jsonwebtoken::errors::Error> {
    let key = EncodingKey::from_secret(secret);
    let exp = jsonwebtoken::get_current_timestamp() + SEED_TOKEN_LIFETIME_SECS;
    SEED_USERS
        .iter()
        .map(|&(label, description, subject, scopes)| {
            let claims = SeedClaims {
                sub: subject,
                scopes,
                exp,
            };
            let token = jsonwebtoken::encode(&Header::default(), &claims, &key)?;
            Ok(SeedToken {
                label,
                description,
                subject,
                scopes,
                token,
            })
        })
        .collect()
}

/// The verifier the configuration asks for: the keys of `JWT_JWKS_FILE` and/or
/// `JWT_JWKS_URL` (tokens matched by `kid`; the URL is fetched in the background), or,
/// with neither set, the HS256 secret of the seed. With a URL, call it inside a Tokio
/// runtime.
pub fn verifier(config: &Config) -> Result<JwtVerifier, Box<dyn std::error::Error + Send + Sync>> {
    let mut builder = JwtVerifier::builder();
    if let Some(path) = &config.jwks_file {
        builder = builder.keys(JwksFile::new(path).load()?);
    }
    if let Some(url) = &config.jwks_url {
        builder = builder.jwks(JwksUrl::new(url.as_str()).start()?);
    }
    if config.jwks_file.is_none() && config.jwks_url.is_none() {
        builder = builder.key(VerificationKey::hs256(config.jwt_secret.as_bytes()));
    }
    Ok(builder.build()?)
}

/// The whole AgentOS: routes, in-memory state, and the [`ScopeLayer`] enforcing
/// [`POLICY`] (admin scope [`ADMIN_SCOPE`]) on every request, unknown routes included,
/// with the keys of [`verifier`]. This is exactly what the `agent_os` binary serves.
///
/// # Panics
///
/// If [`verifier`] fails (an empty secret, an unreadable JWKS file, a JWKS URL outside
/// a Tokio runtime); [`Config::from_env`] never returns an empty secret. The binary
/// calls [`verifier`] and [`router_with`] to report such errors instead.
pub fn router(config: &Config) -> Router {
    let verifier = verifier(config).expect("the configured verification keys load");
    router_with(verifier)
}

/// [`router`] with a verifier of your own.
pub fn router_with(verifier: JwtVerifier) -> Router {
    Router::new()
        .route("/agents", get(list_agents))
        .route("/agents/{agent_id}", get(get_agent))
        .route("/agents/{agent_id}/runs", axum::routing::post(create_run))
        .route("/sessions", get(list_sessions))
        .route("/sessions/{session_id}", get(get_session))
        .route("/memories", get(list_memories).post(create_memory))
        .route("/config", get(get_config))
        .route("/me", get(me))
        .route("/health", get(health))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(AppState::default())
        .layer(ScopeLayer::new(verifier, POLICY).admin_scope(ADMIN_SCOPE))
}

/// The shared in-memory state.
#[derive(Clone, Default)]
struct AppState {
    store: Arc<Mutex<Store>>,
}

impl AppState {
    /// The store. A panic while it was held cannot leave it inconsistent (every
    /// update is one push), so a poisoned lock is simply taken over.
    fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[derive(Default)]
struct Store {
    runs: u64,
    sessions_created: u64,
    memories_created: u64,
    sessions: VecDeque<Session>,
    memories: VecDeque<Memory>,
}

impl Store {
    fn add_session(&mut self, agent_id: &str, user_id: Option<String>) -> &mut Session {
        self.sessions_created += 1;
        if self.sessions.len() == MAX_STORED {
            self.sessions.pop_front();
        }
        self.sessions.push_back(Session {
            session_id: format!("session-{}", self.sessions_created),
            agent_id: agent_id.to_owned(),
            user_id,
            runs: Vec::new(),
        });
        self.sessions.back_mut().expect("just pushed")
    }

    fn add_memory(
        &mut self,
        memory: String,
        user_id: Option<String>,
        topics: Vec<String>,
    ) -> Memory {
        self.memories_created += 1;
        if self.memories.len() == MAX_STORED {
            self.memories.pop_front();
        }
        let memory = Memory {
            memory_id: format!("memory-{}", self.memories_created),
            memory,
            user_id,
            topics,
        };
        self.memories.push_back(memory.clone());
        memory
    }
}

#[derive(Clone, Serialize)]
struct Agent {
    id: &'static str,
    name: &'static str,
    description: &'static str,
    model: &'static str,
}

const RESEARCH_AGENT: Agent = Agent {
    id: AGENT_ID,
    name: AGENT_NAME,
    description: "Echoes the message it is given (no language model is called)",
    model: "echo",
};

fn find_agent(agent_id: &str) -> Result<&'static Agent, ApiError> {
    match agent_id {
        AGENT_ID => Ok(&RESEARCH_AGENT),
        _ => Err(ApiError::not_found("Agent not found")),
    }
}

#[derive(Clone, Serialize)]
struct Session {
    session_id: String,
    agent_id: String,
    user_id: Option<String>,
    runs: Vec<RunRecord>,
}

#[derive(Clone, Serialize)]
struct RunRecord {
    run_id: String,
    input: String,
    content: String,
}

#[derive(Clone, Serialize)]
struct Memory {
    memory_id: String,
    memory: String,
    user_id: Option<String>,
    topics: Vec<String>,
}

#[derive(Serialize)]
struct RunResponse {
    run_id: String,
    session_id: String,
    agent_id: &'static str,
    user_id: Option<String>,
    content: String,
}

/// The body of `POST /memories`.
#[derive(Deserialize)]
struct NewMemory {
    memory: String,
    #[serde(default)]
    topics: Vec<String>,
}

async fn list_agents() -> Json<[Agent; 1]> {
    Json([RESEARCH_AGENT])
}

async fn get_agent(ApiPath(agent_id): ApiPath<String>) -> Result<Json<Agent>, ApiError> {
    find_agent(&agent_id).cloned().map(Json)
}

/// A run: a new session holding the run, and a memory of the message.
async fn create_run(
    State(state): State<AppState>,
    ApiPath(agent_id): ApiPath<String>,
    claims: VerifiedClaims,
    RunMessage(message): RunMessage,
) -> Result<Json<RunResponse>, ApiError> {
    let agent = find_agent(&agent_id)?;
    let user_id = claims.subject().map(str::to_owned);
    let content = format!("{} received: {message}", agent.name);
    let mut store = state.store();
    store.runs += 1;
    let run_id = format!("run-{}", store.runs);
    let session = store.add_session(agent.id, user_id.clone());
    session.runs.push(RunRecord {
        run_id: run_id.clone(),
        input: message.clone(),
        content: content.clone(),
    });
    let session_id = session.session_id.clone();
    store.add_memory(
        format!("Asked {}: {message}", agent.name),
        user_id.clone(),
        vec![agent.id.to_owned()],
    );
    Ok(Json(RunResponse {
        run_id,
        session_id,
        agent_id: agent.id,
        user_id,
        content,
    }))
}

async fn list_sessions(State(state): State<AppState>) -> Json<Vec<Session>> {
    Json(state.store().sessions.iter().cloned().collect())
}

async fn get_session(
    State(state): State<AppState>,
    ApiPath(session_id): ApiPath<String>,
) -> Result<Json<Session>, ApiError> {
    state
        .store()
        .sessions
        .iter()
        .find(|s| s.session_id == session_id)
        .cloned()
        .map(Json)
        .ok_or_else(|| ApiError::not_found("Session not found"))
}

async fn list_memories(State(state): State<AppState>) -> Json<Vec<Memory>> {
    Json(state.store().memories.iter().cloned().collect())
}

/// Stores a memory for the caller (`user_id` is the token's `sub`).
async fn create_memory(
    State(state): State<AppState>,
    claims: VerifiedClaims,
    ApiJson(new): ApiJson<NewMemory>,
) -> Result<Json<Memory>, ApiError> {
    if new.memory.trim().is_empty() {
        return Err(ApiError::unprocessable("`memory` must not be empty"));
    }
    let user_id = claims.subject().map(str::to_owned);
    Ok(Json(
        state.store().add_memory(new.memory, user_id, new.topics),
    ))
}

/// The OS configuration, the authorization policy included; never the secret. It never
/// changes while the server runs, so it is serialised once.
async fn get_config() -> impl axum::response::IntoResponse {
    static DOCUMENT: std::sync::LazyLock<String> =
        std::sync::LazyLock::new(|| config_document().to_string());
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        DOCUMENT.as_str(),
    )
}

fn config_document() -> Value {
    let scope_mappings: serde_json::Map<String, Value> = POLICY
        .rules()
        .iter()
        .map(|rule| {
            let requirement = match rule.requirement() {
                Requirement::Public => json!("public"),
                Requirement::AllOf(scopes) => json!(scopes),
                Requirement::AnyOf(scopes) => json!({ "any": scopes }),
            };
            (rule.key().to_owned(), requirement)
        })
        .collect();
    json!({
        "os_id": "my-agent-os",
        "description": "Custom Scope Mappings AgentOS",
        "agents": [{ "id": AGENT_ID, "name": AGENT_NAME }],
        "authorization": {
            "algorithm": "HS256",
            "admin_scope": ADMIN_SCOPE,
            "unmapped": "deny",
            "scope_mappings": scope_mappings,
        },
    })
}

/// Who the caller is, as the verified token says.
async fn me(claims: VerifiedClaims) -> Json<Value> {
    Json(json!({ "sub": claims.subject(), "scopes": claims.scopes() }))
}

async fn health() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// Only reachable with the admin scope: the layer denies unmapped routes to others.
async fn not_found() -> ApiError {
    ApiError::not_found("Not Found")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed")
}
