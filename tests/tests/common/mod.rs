//! Helpers of the adversarial suite (`tests/tests/adversarial.rs`): tokens written byte by
//! byte, in-process requests with raw URIs, handler-entry counters, routers that mirror
//! the seed or nest and catch everything, and a hand-written HTTP/1.1 client for what
//! `http::Uri` refuses to build.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::routing::{any, get};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use http::{HeaderValue, Method, Request, StatusCode, Uri};
use http_body_util::BodyExt;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use scope_policy_examples::agent_os;
use scope_runtime::{JwtVerifier, Policy, ScopeLayer, VerificationKey, scopes};
use serde_json::{Value, json};
use tower::ServiceExt;

// ------------------------------------------------------------------------ keys, tokens

/// The HS256 secret every server of this suite is configured with (not the example's
/// default, so the server is shown to use its configuration).
pub(crate) const SECRET: &str = "adversarial-secret-that-is-at-least-256-bits-long";
/// Another secret: tokens signed with it are forgeries.
pub(crate) const OTHER_SECRET: &str = "attacker-secret-that-is-at-least-256-bits-long!!";
/// The admin scope of the seed (and of the routers of this suite).
pub(crate) const ADMIN_SCOPE: &str = agent_os::ADMIN_SCOPE;

/// TEST-ONLY RSA 2048 key pair (a copy of `scope-runtime/tests/fixtures/`).
pub(crate) const RSA_PRIVATE: &str = include_str!("rsa_private.pem");
/// The public half of [`RSA_PRIVATE`].
pub(crate) const RSA_PUBLIC: &str = include_str!("rsa_public.pem");

pub(crate) const BASIC: &[&str] = &["app:read"];
pub(crate) const POWER: &[&str] = &["app:read", "app:run", "app:execute"];
pub(crate) const ADMIN: &[&str] = &["app:admin", "app:read", "app:run", "app:execute"];
pub(crate) const SUPERADMIN: &[&str] = &["app:superadmin"];

pub(crate) fn now() -> i64 {
    jsonwebtoken::get_current_timestamp() as i64
}

/// jsonwebtoken needs its crypto provider before it signs anything; building any
/// verifier installs it.
pub(crate) fn ensure_provider() {
    let _ = JwtVerifier::builder()
        .key(VerificationKey::hs256(SECRET))
        .build();
}

/// Base64url without padding (RFC 7515 §2).
pub(crate) fn b64(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Signs `header.payload` (both given as exact JSON text) with an HMAC `key`.
pub(crate) fn hmac_token(alg: Algorithm, key: &[u8], header: &str, payload: &str) -> String {
    ensure_provider();
    let input = format!("{}.{}", b64(header), b64(payload));
    let signature =
        jsonwebtoken::crypto::sign(input.as_bytes(), &EncodingKey::from_secret(key), alg)
            .expect("HMAC signature");
    format!("{input}.{signature}")
}

/// An HS256 token with the exact header and payload text, signed with [`SECRET`].
pub(crate) fn signed(header: &str, payload: &str) -> String {
    hmac_token(Algorithm::HS256, SECRET.as_bytes(), header, payload)
}

/// A token with the exact payload text, header `{"alg":"HS256","typ":"JWT"}`, signed with
/// [`SECRET`].
pub(crate) fn signed_payload(payload: &str) -> String {
    signed(r#"{"alg":"HS256","typ":"JWT"}"#, payload)
}

/// `{"sub":..., "scopes": [...], "exp": now + lifetime}` as JSON text.
pub(crate) fn payload(sub: &str, scopes: &[&str], lifetime: i64) -> String {
    json!({ "sub": sub, "scopes": scopes, "exp": now() + lifetime }).to_string()
}

/// A valid HS256 token (1 h) holding `scopes`, signed with [`SECRET`].
pub(crate) fn mint(scopes: &[&str]) -> String {
    signed_payload(&payload("user-1", scopes, 3600))
}

/// The same claims, `exp` = now + `lifetime` (negative: expired).
pub(crate) fn mint_lifetime(scopes: &[&str], lifetime: i64) -> String {
    signed_payload(&payload("user-1", scopes, lifetime))
}

/// A token signed with the RSA private key, `alg` RS256, optional `kid`.
pub(crate) fn rs256_token(kid: Option<&str>, claims: &Value) -> String {
    ensure_provider();
    let mut header = Header::new(Algorithm::RS256);
    header.kid = kid.map(str::to_owned);
    let key = EncodingKey::from_rsa_pem(RSA_PRIVATE.as_bytes()).expect("RSA private key");
    jsonwebtoken::encode(&header, claims, &key).expect("RS256 token")
}

/// The three parts of a compact JWS.
pub(crate) fn parts(token: &str) -> [String; 3] {
    let mut it = token.split('.').map(str::to_owned);
    [
        it.next().expect("header"),
        it.next().expect("payload"),
        it.next().expect("signature"),
    ]
}

// ------------------------------------------------------------------------ requests

/// A request with a raw method and a raw request target (no normalisation: `http::Uri`
/// keeps the path as given).
pub(crate) fn request(method: &str, uri: &str) -> http::request::Builder {
    let method = Method::from_bytes(method.as_bytes()).expect("a method token");
    let uri = Uri::try_from(uri).unwrap_or_else(|e| panic!("{uri:?} is not a URI: {e}"));
    Request::builder().method(method).uri(uri)
}

/// `request(...)` with `Authorization: Bearer <token>` and an empty body.
pub(crate) fn bearer(method: &str, uri: &str, token: &str) -> Request<Body> {
    request(method, uri)
        .header(AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .expect("request")
}

/// `request(...)` without credentials and with an empty body.
pub(crate) fn anonymous(method: &str, uri: &str) -> Request<Body> {
    request(method, uri).body(Body::empty()).expect("request")
}

/// What a test looks at in a response.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) www_authenticate: Option<String>,
    pub(crate) body: Bytes,
}

/// Sends one request through a clone of `router` (which shares the router's state).
pub(crate) async fn send(router: &Router, request: Request<Body>) -> Reply {
    let response = router
        .clone()
        .oneshot(request)
        .await
        .expect("routers are infallible");
    let status = response.status();
    let www_authenticate = response
        .headers()
        .get(WWW_AUTHENTICATE)
        .map(|v| v.to_str().expect("ASCII challenge").to_owned());
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    Reply {
        status,
        www_authenticate,
        body,
    }
}

/// The challenge of an unmapped route under `Unmapped::Deny`.
pub(crate) const UNMAPPED_CHALLENGE: &str = r#"Bearer error="insufficient_scope""#;
/// The detail of an unmapped route under `Unmapped::Deny`.
pub(crate) const UNMAPPED_DETAIL: &str =
    "Insufficient permissions. No rule grants access to this route";

pub(crate) const EXPIRED_CHALLENGE: &str =
    r#"Bearer error="invalid_token", error_description="The access token expired""#;

impl Reply {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|_| panic!("not JSON: {:?} ({self:?})", self.body))
    }

    /// `status`, exactly `challenge`, and `{"detail": detail}`. HEAD answers have no body.
    #[track_caller]
    pub(crate) fn refused(&self, status: u16, challenge: &str, detail: &str) {
        assert_eq!(self.status.as_u16(), status, "{self:?}");
        assert_eq!(
            self.www_authenticate.as_deref(),
            Some(challenge),
            "{self:?}"
        );
        if !self.body.is_empty() {
            assert_eq!(self.json(), json!({ "detail": detail }), "{self:?}");
        }
    }

    /// 401, plain `Bearer` challenge: no token at all.
    #[track_caller]
    pub(crate) fn missing(&self) {
        self.refused(401, "Bearer", "Authorization header missing");
    }

    /// 401, plain `Bearer` challenge: another scheme than Bearer.
    #[track_caller]
    pub(crate) fn not_bearer(&self) {
        self.refused(
            401,
            "Bearer",
            "Authorization header does not carry a Bearer token",
        );
    }

    /// 400 `invalid_request` with `description`.
    #[track_caller]
    pub(crate) fn invalid_request(&self, description: &str) {
        self.refused(
            400,
            &format!(r#"Bearer error="invalid_request", error_description="{description}""#),
            description,
        );
    }

    /// 400 `invalid_request` for a request-path spelling of `class` (refused before
    /// any rule is looked up or any token read).
    #[track_caller]
    pub(crate) fn bad_path(&self, class: scope_runtime::PathClass) {
        let detail = class.detail();
        let quoted = detail.replace('\\', "\\\\");
        self.refused(
            400,
            &format!(r#"Bearer error="invalid_request", error_description="{quoted}""#),
            detail,
        );
    }

    /// 401 `invalid_token` with `description`.
    #[track_caller]
    pub(crate) fn invalid_token(&self, description: &str) {
        self.refused(
            401,
            &format!(r#"Bearer error="invalid_token", error_description="{description}""#),
            &format!("Invalid token: {description}"),
        );
    }

    /// 401 expired.
    #[track_caller]
    pub(crate) fn expired(&self) {
        self.refused(401, EXPIRED_CHALLENGE, "Token has expired");
    }

    /// 403 `insufficient_scope` naming `scopes` (all required).
    #[track_caller]
    pub(crate) fn forbidden(&self, scopes: &[&str]) {
        self.refused(
            403,
            &format!(
                r#"Bearer error="insufficient_scope", scope="{}""#,
                scopes.join(" ")
            ),
            &format!(
                "Insufficient permissions. Required scope(s): {}",
                scopes.join(", ")
            ),
        );
    }

    /// 403 for a route no rule maps: `insufficient_scope` naming no scope (only the
    /// admin scope would pass, and its name is not advertised).
    #[track_caller]
    pub(crate) fn unmapped(&self) {
        self.refused(403, UNMAPPED_CHALLENGE, UNMAPPED_DETAIL);
    }

    /// Passed the layer: no challenge, and the status is `status`.
    #[track_caller]
    pub(crate) fn passed(&self, status: u16) {
        assert_eq!(self.status.as_u16(), status, "{self:?}");
        assert_eq!(self.www_authenticate, None, "{self:?}");
    }
}

// ------------------------------------------------------------------------ counters

/// Handler entries.
#[derive(Clone, Default, Debug)]
pub(crate) struct Hits(Arc<AtomicUsize>);

impl Hits {
    pub(crate) fn hit(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }

    pub(crate) fn get(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

async fn count(State(hits): State<Hits>) -> &'static str {
    hits.hit();
    "reached"
}

// ------------------------------------------------------------------------ the seed

/// The seed's configuration with [`SECRET`].
pub(crate) fn agent_os_config() -> agent_os::Config {
    agent_os::Config {
        jwt_secret: SECRET.to_owned(),
        ..agent_os::Config::default()
    }
}

/// `agent_os::router` (what the binary serves) and a way to read its state.
pub(crate) struct AgentOs {
    pub(crate) router: Router,
    superadmin: String,
}

impl AgentOs {
    pub(crate) fn new() -> AgentOs {
        AgentOs {
            router: agent_os::router(&agent_os_config()),
            superadmin: mint(SUPERADMIN),
        }
    }

    pub(crate) async fn send(&self, request: Request<Body>) -> Reply {
        send(&self.router, request).await
    }

    /// (sessions, memories) as the superadmin lists them: what runs and memory posts
    /// have created so far.
    pub(crate) async fn state(&self) -> (usize, usize) {
        let mut out = [0; 2];
        for (i, path) in ["/sessions", "/memories"].into_iter().enumerate() {
            let reply = self.send(bearer("GET", path, &self.superadmin)).await;
            assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
            out[i] = reply.json().as_array().expect("a list").len();
        }
        (out[0], out[1])
    }

    /// A run request (urlencoded `message=hi`) with the given Authorization value.
    pub(crate) fn run(path: &str, authorization: Option<&str>) -> Request<Body> {
        let mut builder =
            request("POST", path).header("content-type", "application/x-www-form-urlencoded");
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

/// A router with the seed's routes, policy, admin scope and verifier, whose handlers
/// (fallbacks included) only count their entries: it answers every question about
/// "was a handler reached" for the seed's exact configuration.
pub(crate) fn seed_mirror() -> (Router, Hits) {
    mirror_with(hs256(SECRET))
}

/// [`seed_mirror`] with another verifier (key ids, RSA keys, issuer, audience, cookies).
pub(crate) fn mirror_with(verifier: JwtVerifier) -> (Router, Hits) {
    let hits = Hits::default();
    let router = Router::new()
        .route("/agents", get(count))
        .route("/agents/{agent_id}", get(count))
        .route("/agents/{agent_id}/runs", axum::routing::post(count))
        .route("/sessions", get(count))
        .route("/sessions/{session_id}", get(count))
        .route("/memories", get(count).post(count))
        .route("/config", get(count))
        .route("/me", get(count))
        .route("/health", get(count))
        .fallback(count)
        .method_not_allowed_fallback(count)
        .with_state(hits.clone())
        .layer(ScopeLayer::new(verifier, agent_os::POLICY).admin_scope(ADMIN_SCOPE));
    (router, hits)
}

/// A verifier holding one HS256 secret, default settings.
pub(crate) fn hs256(secret: &str) -> JwtVerifier {
    JwtVerifier::builder()
        .key(VerificationKey::hs256(secret))
        .build()
        .expect("verifier")
}

// ------------------------------------------------------------------------ the lab

/// The lab's policy: full paths, although most routes live in nested routers.
pub(crate) static LAB: Policy = scopes! {
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

/// Handler-entry counters of the lab, one per handler kind.
#[derive(Clone, Default, Debug)]
pub(crate) struct LabHits {
    pub(crate) public: Hits,
    pub(crate) protected: Hits,
    pub(crate) fallback: Hits,
}

impl LabHits {
    /// Entries of handlers that need a token.
    pub(crate) fn protected(&self) -> usize {
        self.protected.get() + self.fallback.get()
    }
}

/// Where the lab's layer sits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LabLayer {
    /// `Router::layer` on the outermost router (the documented place).
    Top,
    /// `Router::layer` on the nested `/v1` router only (the layer sees a request whose
    /// URI the outer router has shortened to `/users`).
    NestedV1,
}

/// A router with nested routers (`/v1`, `/api/v2`), catch-alls (`{*path}`), a public
/// root route that shares its tail with a protected nested one, and a fallback; every
/// handler counts its entries.
pub(crate) fn lab(layer: LabLayer) -> (Router, LabHits) {
    let hits = LabHits::default();
    let layer_of = || {
        ScopeLayer::new(hs256(SECRET), LAB)
            .admin_scope(ADMIN_SCOPE)
            .realm("lab")
    };
    let protected = hits.protected.clone();
    let public = hits.public.clone();
    let mut v1 = Router::new()
        .route("/users", get(count))
        .route("/users/{id}", get(count).delete(count))
        .route("/admin/{*rest}", get(count))
        .with_state(protected.clone());
    if layer == LabLayer::NestedV1 {
        v1 = v1.layer(layer_of());
    }
    let v2 = Router::new()
        .route("/items/{*rest}", get(count))
        .with_state(protected.clone());
    let mut router = Router::new()
        .route("/health", get(count).with_state(public.clone()))
        .route("/users", get(count).with_state(public.clone()))
        .route("/files/{*path}", any(count).with_state(protected.clone()))
        .nest("/v1", v1)
        .nest("/api", Router::new().nest("/v2", v2))
        .fallback(count)
        .with_state(hits.fallback.clone());
    if layer == LabLayer::Top {
        router = router.layer(layer_of());
    }
    (router, hits)
}

/// The lab's `WWW-Authenticate` values (realm `lab`).
pub(crate) fn lab_challenge(rest: &str) -> String {
    if rest.is_empty() {
        r#"Bearer realm="lab""#.to_owned()
    } else {
        format!(r#"Bearer realm="lab", {rest}"#)
    }
}

// ------------------------------------------------------------------------ raw TCP

/// Serves `router` with `axum::serve` on an ephemeral loopback port until dropped.
pub(crate) struct Served {
    pub(crate) addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Served {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub(crate) async fn serve(router: Router) -> Served {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("address");
    let task = tokio::spawn(async move {
        axum::serve(listener, router).await.expect("serve");
    });
    Served { addr, task }
}

/// What came back on a raw connection.
#[derive(Debug)]
pub(crate) struct RawReply {
    /// The status code, `None` when the server closed without answering.
    pub(crate) status: Option<u16>,
    pub(crate) headers: Vec<(String, Vec<u8>)>,
    pub(crate) body: Vec<u8>,
}

impl RawReply {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| std::str::from_utf8(v).expect("ASCII header"))
    }

    /// A refusal by the layer: `status` and exactly `challenge`.
    #[track_caller]
    pub(crate) fn refused(&self, status: u16, challenge: &str) {
        assert_eq!(self.status, Some(status), "{self:?}");
        assert_eq!(self.header("www-authenticate"), Some(challenge), "{self:?}");
    }

    /// A refusal by hyper before any service ran: `status`, no challenge.
    #[track_caller]
    pub(crate) fn rejected_by_hyper(&self, status: u16) {
        assert_eq!(self.status, Some(status), "{self:?}");
        assert_eq!(self.header("www-authenticate"), None, "{self:?}");
    }
}

/// Writes `bytes` as they are on a new connection, reads until the server closes it
/// (or 5 s pass) and parses the first response.
pub(crate) async fn raw_http(addr: SocketAddr, bytes: &[u8]) -> RawReply {
    let bytes = bytes.to_vec();
    // A blocking socket on a blocking thread: the bytes go out exactly as given.
    let buf = tokio::task::spawn_blocking(move || {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .expect("timeout");
        // The server may answer (and close) before reading everything.
        let _ = stream.write_all(&bytes);
        let mut buf = Vec::new();
        let mut chunk = [0u8; 8192];
        loop {
            match stream.read(&mut chunk) {
                Ok(0) | Err(_) => break,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        buf
    })
    .await
    .expect("raw client");
    parse_response(&buf)
}

fn parse_response(buf: &[u8]) -> RawReply {
    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
        return RawReply {
            status: None,
            headers: Vec::new(),
            body: buf.to_vec(),
        };
    };
    let head = &buf[..end];
    let mut lines = head
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let status_line = String::from_utf8_lossy(lines.next().unwrap_or_default()).into_owned();
    let status = status_line.split(' ').nth(1).and_then(|s| s.parse().ok());
    let headers = lines
        .filter_map(|l| {
            let colon = l.iter().position(|&b| b == b':')?;
            let name = String::from_utf8_lossy(&l[..colon]).into_owned();
            let value = l[colon + 1..].trim_ascii().to_vec();
            Some((name, value))
        })
        .collect();
    RawReply {
        status,
        headers,
        body: buf[end + 4..].to_vec(),
    }
}

/// `METHOD target HTTP/1.1` with `Host`, `Connection: close` and the extra header lines
/// (each given whole, without CRLF), no body.
pub(crate) fn raw_request(method: &[u8], target: &[u8], headers: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(method);
    out.push(b' ');
    out.extend_from_slice(target);
    out.extend_from_slice(b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    for h in headers {
        out.extend_from_slice(h);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out
}

/// `Authorization: Bearer <token>` as one raw header line.
pub(crate) fn auth_line(token: &str) -> Vec<u8> {
    format!("Authorization: Bearer {token}").into_bytes()
}

/// A `HeaderValue` from raw bytes (panics on bytes `http` refuses).
pub(crate) fn value(bytes: &[u8]) -> HeaderValue {
    HeaderValue::from_bytes(bytes).expect("a header value")
}
