//! End-to-end: the seed's walkthrough against the `agent_os` example.
//!
//! Each test serves `agent_os::router` (exactly what the binary serves) on an ephemeral
//! loopback port over real TCP and talks to it with `reqwest`, as `curl` would. Tokens
//! are minted here, independently of the example: with `jsonwebtoken::encode`, and once
//! byte for byte as PyJWT writes them (compact JSON, `{"alg":"HS256","typ":"JWT"}`,
//! `exp` an integer), so the walkthrough is shown to hold for tokens of any standard
//! JWT library. Status codes, `WWW-Authenticate` challenges and JSON bodies are checked
//! exactly.

use reqwest::header::{CONTENT_TYPE, WWW_AUTHENTICATE};
use reqwest::{Method, StatusCode, multipart};
use scope_policy_examples::{agent_os, attribute_only};
use scope_policy_tests::client::{Client, fetch};
use scope_policy_tests::reply::Reply;
use scope_policy_tests::seed::{self, ADMIN, BASIC, POWER, SUPERADMIN};
use scope_policy_tests::tokens::{SECRET, claims, library_hs256, signed_payload};
use serde_json::json;

/// A user of the seed walkthrough: the subject and the scopes of its token.
type User = (&'static str, &'static [&'static str]);

const BASIC_USER: User = ("user_123", BASIC);
const POWER_USER: User = ("user_456", POWER);
const ADMIN_USER: User = ("admin_789", ADMIN);
const SUPERADMIN_USER: User = ("superadmin", SUPERADMIN);

const DAY: i64 = 24 * 60 * 60;

// ---------------------------------------------------------------------------------------
// Tokens
// ---------------------------------------------------------------------------------------

/// A token of `user` as a JWT library writes it, `exp` = now + `lifetime` (may be
/// negative), signed with `secret`.
fn mint_with(secret: &str, (sub, scopes): User, lifetime: i64) -> String {
    library_hs256(secret, &claims(sub, scopes, lifetime))
}

/// A seed token, valid 24 hours, signed with [`SECRET`].
fn mint(user: User) -> String {
    mint_with(SECRET, user, DAY)
}

/// The power user's token exactly as PyJWT 2 writes it for the seed's `jwt.encode(...)`:
/// header `{"alg":"HS256","typ":"JWT"}`, compact payload in insertion order, `exp` an
/// integer.
fn pyjwt_power_token() -> String {
    let exp = jsonwebtoken::get_current_timestamp() as i64 + DAY;
    signed_payload(&format!(
        r#"{{"sub":"user_456","scopes":["app:read","app:run","app:execute"],"exp":{exp}}}"#
    ))
}

/// `agent_os::router`, configured with [`SECRET`], served over TCP with a client.
async fn agent_os() -> Client {
    Client::serve(agent_os::router(&seed::config())).await
}

// ---------------------------------------------------------------------------------------
// The walkthrough
// ---------------------------------------------------------------------------------------

/// The seed's four curl lines, then who may see the sessions the runs created, then the
/// superadmin on every route.
#[tokio::test]
async fn seed_walkthrough() {
    let server = agent_os().await;
    let [basic, power, admin, superadmin] =
        [BASIC_USER, POWER_USER, ADMIN_USER, SUPERADMIN_USER].map(mint);
    let agent = json!({
        "id": "research-agent",
        "name": "Research Agent",
        "description": "Echoes the message it is given (no language model is called)",
        "model": "echo",
    });

    // Basic user can read agents.
    let agents = server.get("/agents", Some(&basic)).await.ok();
    assert_eq!(agents, json!([agent]));
    let one = server
        .get("/agents/research-agent", Some(&basic))
        .await
        .ok();
    assert_eq!(one, agent);

    // Basic user cannot run agents (missing app:run and app:execute).
    server
        .run_multipart("research-agent", Some(&basic), "test")
        .await
        .forbidden(&["app:run", "app:execute"]);

    // Power user can run agents: multipart as with `curl -F`...
    let run = server
        .run_multipart("research-agent", Some(&power), "Search for news")
        .await
        .ok();
    assert_eq!(
        run,
        json!({
            "run_id": "run-1",
            "session_id": "session-1",
            "agent_id": "research-agent",
            "user_id": "user_456",
            "content": "Research Agent received: Search for news",
        })
    );
    // ...urlencoded as with `curl -d`...
    let run = server
        .run_urlencoded("research-agent", Some(&power), "hello & goodbye=1")
        .await
        .ok();
    assert_eq!(run["run_id"], "run-2");
    assert_eq!(run["session_id"], "session-2");
    assert_eq!(run["content"], "Research Agent received: hello & goodbye=1");
    // ...and with a token written the way PyJWT writes it.
    let run = server
        .run_multipart("research-agent", Some(&pyjwt_power_token()), "from PyJWT")
        .await
        .ok();
    assert_eq!(run["session_id"], "session-3");
    assert_eq!(run["user_id"], "user_456");
    // The admin runs too (it holds app:run and app:execute).
    let run = server
        .run_multipart("research-agent", Some(&admin), "admin run")
        .await
        .ok();
    assert_eq!(run["session_id"], "session-4");
    assert_eq!(run["user_id"], "admin_789");

    // Only admin can view sessions.
    server
        .get("/sessions", Some(&basic))
        .await
        .forbidden(&["app:admin"]);
    server
        .get("/sessions", Some(&power))
        .await
        .forbidden(&["app:admin"]);
    let sessions = server.get("/sessions", Some(&admin)).await.ok();
    let summary: Vec<(&str, &str, &str)> = sessions
        .as_array()
        .expect("a list of sessions")
        .iter()
        .map(|s| {
            let runs = s["runs"].as_array().expect("runs");
            assert_eq!(runs.len(), 1, "{s}");
            (
                s["session_id"].as_str().expect("session_id"),
                s["user_id"].as_str().expect("user_id"),
                runs[0]["input"].as_str().expect("input"),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("session-1", "user_456", "Search for news"),
            ("session-2", "user_456", "hello & goodbye=1"),
            ("session-3", "user_456", "from PyJWT"),
            ("session-4", "admin_789", "admin run"),
        ]
    );
    assert_eq!(
        sessions[0]["runs"][0],
        json!({
            "run_id": "run-1",
            "input": "Search for news",
            "content": "Research Agent received: Search for news",
        })
    );
    // One session needs app:read AND sessions:read, which even the admin lacks.
    server
        .get("/sessions/session-1", Some(&admin))
        .await
        .forbidden(&["app:read", "sessions:read"]);
    // Memories and config are not the admin's either.
    server
        .get("/memories", Some(&admin))
        .await
        .forbidden(&["memory:admin"]);
    fetch(
        server
            .request(Method::POST, "/memories", Some(&admin))
            .json(&json!({ "memory": "x" })),
    )
    .await
    .forbidden(&["memory:write"]);
    let config = server.get("/config", Some(&admin)).await.ok();
    assert_eq!(config["authorization"]["admin_scope"], "app:superadmin");
    server
        .get("/config", Some(&power))
        .await
        .forbidden(&["app:admin"]);

    // The super admin passes everything.
    let su = Some(superadmin.as_str());
    assert_eq!(server.get("/agents", su).await.ok(), json!([agent]));
    assert_eq!(server.get("/agents/research-agent", su).await.ok(), agent);
    let run = server
        .run_multipart("research-agent", su, "as superadmin")
        .await
        .ok();
    assert_eq!(run["run_id"], "run-5");
    assert_eq!(run["session_id"], "session-5");
    assert_eq!(run["user_id"], "superadmin");
    assert_eq!(
        server
            .get("/sessions", su)
            .await
            .ok()
            .as_array()
            .map(Vec::len),
        Some(5)
    );
    let session = server.get("/sessions/session-5", su).await.ok();
    assert_eq!(
        session["runs"][0]["content"],
        "Research Agent received: as superadmin"
    );
    let memory = fetch(server.request(Method::POST, "/memories", su).json(&json!({
        "memory": "Prefers short answers",
        "topics": ["style"],
    })))
    .await
    .ok();
    assert_eq!(
        memory,
        json!({
            "memory_id": "memory-6",
            "memory": "Prefers short answers",
            "user_id": "superadmin",
            "topics": ["style"],
        })
    );
    let memories = server.get("/memories", su).await.ok();
    let memories = memories.as_array().expect("a list of memories");
    assert_eq!(memories.len(), 6, "one per run, plus the posted one");
    assert_eq!(
        memories[0],
        json!({
            "memory_id": "memory-1",
            "memory": "Asked Research Agent: Search for news",
            "user_id": "user_456",
            "topics": ["research-agent"],
        })
    );
    let config = server.get("/config", su).await.ok();
    assert_eq!(config["os_id"], "my-agent-os");
    assert_eq!(
        config["authorization"]["scope_mappings"]["POST /agents/*/runs"],
        json!(["app:run", "app:execute"])
    );
    assert_eq!(
        config["authorization"]["scope_mappings"]["GET /health"],
        "public"
    );
    assert!(
        !config.to_string().contains(SECRET),
        "the config leaks the secret"
    );
    assert_eq!(
        server.get("/me", su).await.ok(),
        json!({ "sub": "superadmin", "scopes": ["app:superadmin"] })
    );
    assert_eq!(
        server.get("/health", su).await.ok(),
        json!({ "status": "ok" })
    );
}

/// `GET /me` is `[]` (any valid token), `/health` and `/openapi.json` are public; HEAD
/// uses the GET rule.
#[tokio::test]
async fn any_token_and_public_routes() {
    let server = agent_os().await;
    assert_eq!(
        server.get("/me", Some(&mint(BASIC_USER))).await.ok(),
        json!({ "sub": "user_123", "scopes": ["app:read"] })
    );
    let no_scopes = mint(("nobody", &[]));
    assert_eq!(
        server.get("/me", Some(&no_scopes)).await.ok(),
        json!({ "sub": "nobody", "scopes": [] })
    );
    server
        .get("/agents", Some(&no_scopes))
        .await
        .forbidden(&["app:read"]);
    assert_eq!(
        server.get("/health", None).await.ok(),
        json!({ "status": "ok" })
    );
    // Row 7b: the OpenAPI document, public, its security the policy's.
    let doc = server.get("/openapi.json", None).await.ok();
    assert_eq!(
        doc["paths"]["/agents"]["get"]["security"],
        json!([{ "bearer": ["app:read"] }])
    );
    assert_eq!(
        doc["paths"]["/agents/{agent_id}/runs"]["post"]["security"],
        json!([{ "bearer": ["app:run", "app:execute"] }])
    );
    assert_eq!(doc["paths"]["/health"]["get"]["security"], json!([]));
    assert_eq!(doc["paths"]["/openapi.json"]["get"]["security"], json!([]));

    let head = |token: Option<&str>| server.request(Method::HEAD, "/agents", token).send();
    assert_eq!(
        head(Some(&mint(BASIC_USER))).await.expect("HEAD").status(),
        StatusCode::OK
    );
    let anonymous = head(None).await.expect("HEAD");
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(anonymous.headers()[WWW_AUTHENTICATE], "Bearer");
}

/// 401s: no token, expired, wrong secret, garbage; none of them reaches a handler.
#[tokio::test]
async fn authentication_failures() {
    let server = agent_os().await;

    server.get("/agents", None).await.missing();
    server.get("/sessions", None).await.missing();
    server
        .run_multipart("research-agent", None, "test")
        .await
        .missing();

    let expired = mint_with(SECRET, POWER_USER, -3600);
    server.get("/agents", Some(&expired)).await.expired();

    let wrong_secret = mint_with(
        "not-the-server-secret-at-all-0123456789",
        SUPERADMIN_USER,
        DAY,
    );
    for path in ["/agents", "/config"] {
        server
            .get(path, Some(&wrong_secret))
            .await
            .invalid_token("signature does not match");
    }

    server
        .get("/agents", Some("not-a-jwt"))
        .await
        .invalid_token("malformed token");

    // Nothing was run by any of these.
    let sessions = server
        .get("/sessions", Some(&mint(SUPERADMIN_USER)))
        .await
        .ok();
    assert_eq!(sessions, json!([]));
}

/// Unknown agents and sessions are 404 JSON; bad run and memory bodies are 4xx JSON,
/// never 500 and never axum's plain-text rejections.
#[tokio::test]
async fn not_found_and_bad_bodies() {
    let server = agent_os().await;
    let power = mint(POWER_USER);
    let superadmin = mint(SUPERADMIN_USER);
    let not_found = |reply: Reply, detail: &str| {
        assert_eq!(reply.client_error(StatusCode::NOT_FOUND), detail);
    };

    not_found(
        server.get("/agents/nope", Some(&power)).await,
        "Agent not found",
    );
    not_found(
        server.run_multipart("nope", Some(&power), "test").await,
        "Agent not found",
    );
    not_found(
        server.run_urlencoded("nope", Some(&power), "test").await,
        "Agent not found",
    );
    not_found(
        server.get("/sessions/session-9", Some(&superadmin)).await,
        "Session not found",
    );

    let runs = "/agents/research-agent/runs";
    let post = |content_type: Option<&str>, body: &'static str| {
        let request = server.request(Method::POST, runs, Some(&power)).body(body);
        let request = match content_type {
            Some(content_type) => request.header(CONTENT_TYPE, content_type),
            None => request,
        };
        fetch(request)
    };

    // Malformed multipart: no boundary, then a body that is not the announced multipart.
    post(Some("multipart/form-data"), "message=test")
        .await
        .client_error(StatusCode::BAD_REQUEST);
    post(
        Some("multipart/form-data; boundary=XyZ"),
        "this is not multipart",
    )
    .await
    .client_error(StatusCode::BAD_REQUEST);
    let truncated = "--XyZ\r\nContent-Disposition: form-data; name=\"message\"\r\n\r\ntes";
    post(Some("multipart/form-data; boundary=XyZ"), truncated)
        .await
        .client_error(StatusCode::BAD_REQUEST);

    // Missing, repeated or blank `message`.
    let missing = "Missing form field `message`";
    let other_field = multipart::Form::new().text("msg", "test");
    let reply = fetch(
        server
            .request(Method::POST, runs, Some(&power))
            .multipart(other_field),
    )
    .await;
    assert_eq!(
        reply.client_error(StatusCode::UNPROCESSABLE_ENTITY),
        missing
    );
    let reply = post(Some("application/x-www-form-urlencoded"), "msg=test").await;
    assert_eq!(
        reply.client_error(StatusCode::UNPROCESSABLE_ENTITY),
        missing
    );
    let reply = post(None, "").await;
    assert_eq!(
        reply.client_error(StatusCode::UNPROCESSABLE_ENTITY),
        missing
    );
    let reply = post(
        Some("application/x-www-form-urlencoded"),
        "message=a&message=b",
    )
    .await;
    assert_eq!(
        reply.client_error(StatusCode::UNPROCESSABLE_ENTITY),
        "Form field `message` given more than once"
    );
    let reply = post(Some("application/x-www-form-urlencoded"), "message=+").await;
    assert_eq!(
        reply.client_error(StatusCode::UNPROCESSABLE_ENTITY),
        "Form field `message` must not be empty"
    );

    // Another body type.
    let reply = post(Some("application/json"), r#"{"message":"test"}"#).await;
    assert_eq!(
        reply.client_error(StatusCode::UNSUPPORTED_MEDIA_TYPE),
        "Expected a `multipart/form-data` or `application/x-www-form-urlencoded` body"
    );

    // POST /memories: bad JSON, wrong shape, wrong content type.
    let memories = |content_type: &'static str, body: &'static str| {
        fetch(
            server
                .request(Method::POST, "/memories", Some(&superadmin))
                .header(CONTENT_TYPE, content_type)
                .body(body),
        )
    };
    memories("application/json", "{not json")
        .await
        .client_error(StatusCode::BAD_REQUEST);
    memories("application/json", r#"{"topics": []}"#)
        .await
        .client_error(StatusCode::UNPROCESSABLE_ENTITY);
    memories("application/json", r#"{"memory": 42}"#)
        .await
        .client_error(StatusCode::UNPROCESSABLE_ENTITY);
    let reply = memories("application/json", r#"{"memory": "  "}"#).await;
    assert_eq!(
        reply.client_error(StatusCode::UNPROCESSABLE_ENTITY),
        "`memory` must not be empty"
    );
    memories("text/plain", r#"{"memory": "x"}"#)
        .await
        .client_error(StatusCode::UNSUPPORTED_MEDIA_TYPE);

    // None of the refused requests left a trace.
    assert_eq!(
        server.get("/sessions", Some(&superadmin)).await.ok(),
        json!([])
    );
    assert_eq!(
        server.get("/memories", Some(&superadmin)).await.ok(),
        json!([])
    );
}

/// Routes the policy does not map are denied to everyone but the super admin, who gets
/// the router's JSON 404/405.
#[tokio::test]
async fn unmapped_routes_are_denied() {
    let server = agent_os().await;
    let admin = mint(ADMIN_USER);
    let superadmin = mint(SUPERADMIN_USER);

    for (method, path) in [
        (Method::DELETE, "/agents/x"),
        (Method::GET, "/unknown"),
        (Method::PUT, "/config"),
        (Method::GET, "/agents/research-agent/runs"),
        (Method::GET, "/Agents"),
        (Method::GET, "/agents/"),
    ] {
        // Unmapped: denied without naming any scope (not even the admin scope).
        fetch(server.request(method.clone(), path, Some(&admin)))
            .await
            .unmapped();
        fetch(server.request(method, path, None)).await.missing();
    }

    let reply = server.get("/unknown", Some(&superadmin)).await;
    assert_eq!(reply.client_error(StatusCode::NOT_FOUND), "Not Found");
    let reply = fetch(server.request(Method::DELETE, "/agents/x", Some(&superadmin))).await;
    assert_eq!(
        reply.client_error(StatusCode::METHOD_NOT_ALLOWED),
        "Method Not Allowed"
    );
}

// ---------------------------------------------------------------------------------------
// The attribute-only example
// ---------------------------------------------------------------------------------------

/// `attribute_only`: an authentication-only layer, scopes from `#[require_scopes]`, and
/// a public `/health` outside the layer.
#[tokio::test]
async fn attribute_only_example() {
    let server = Client::serve(attribute_only::router(SECRET.as_bytes())).await;
    let [basic, power, superadmin] = [BASIC_USER, POWER_USER, SUPERADMIN_USER].map(mint);

    assert_eq!(
        server.get("/health", None).await.ok(),
        json!({ "status": "ok" })
    );
    server.get("/agents", None).await.missing();
    assert_eq!(
        server.get("/agents", Some(&basic)).await.ok(),
        json!([{ "id": "research-agent", "name": "Research Agent" }])
    );
    assert_eq!(
        server.get("/me", Some(&mint(("nobody", &[])))).await.ok(),
        json!({ "sub": "nobody", "scopes": [] })
    );

    server
        .run_multipart("research-agent", Some(&basic), "test")
        .await
        .forbidden(&["app:run", "app:execute"]);
    assert_eq!(
        server
            .run_multipart("research-agent", Some(&power), "test")
            .await
            .ok(),
        json!({
            "run_id": "run-1",
            "agent_id": "research-agent",
            "user_id": "user_456",
            "content": "Research Agent received: test",
        })
    );
    let run = server
        .run_urlencoded("research-agent", Some(&superadmin), "hi")
        .await
        .ok();
    assert_eq!(run["run_id"], "run-2");
    let reply = server.run_multipart("nope", Some(&power), "test").await;
    assert_eq!(reply.client_error(StatusCode::NOT_FOUND), "Agent not found");

    let expired = mint_with(SECRET, POWER_USER, -3600);
    server
        .run_multipart("research-agent", Some(&expired), "test")
        .await
        .expired();
}
