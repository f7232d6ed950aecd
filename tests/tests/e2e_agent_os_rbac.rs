//! End-to-end: the per-resource walkthrough against the `agent_os_rbac` example, and
//! Agno's three examples of its default per-resource scopes.
//!
//! Each test serves `agent_os_rbac::router` (exactly what the binary serves) on an
//! ephemeral loopback port over real TCP and talks to it with `reqwest`, as `curl`
//! would. Tokens are minted here with `jsonwebtoken::encode`, independently of the
//! example. [`walkthrough`] replays every row of the README's table ("The per-resource
//! walkthrough") and checks each against the page: the curl line, the status, the
//! `WWW-Authenticate` challenge and the JSON body.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use reqwest::{Method, StatusCode, multipart};
use scope_policy_examples::agent_os_rbac;
use scope_policy_tests::client::{Client, fetch};
use scope_policy_tests::reply::Reply;
use scope_policy_tests::seed;
use scope_policy_tests::tokens::{SECRET, claims, library_hs256};
use scope_policy_tests::walkthrough::{self, Row};
use serde_json::{Value, json};

/// A user of the walkthrough: the shell variable the README exports its token as, its
/// subject and its scopes.
#[derive(Clone, Copy)]
struct User {
    var: &'static str,
    sub: &'static str,
    scopes: &'static [&'static str],
}

/// Agno's first example: one agent's reader.
const RESEARCH_READER: User = User {
    var: "RESEARCH_READER_TOKEN",
    sub: "research_reader",
    scopes: &["agents:research-agent:read"],
};
/// Agno's second: runs every agent.
const RUNNER: User = User {
    var: "RUNNER_TOKEN",
    sub: "runner",
    scopes: &["agents:*:run"],
};
/// Agno's third: reads every agent.
const READER: User = User {
    var: "READER_TOKEN",
    sub: "reader",
    scopes: &["agents:read"],
};
const ADMIN: User = User {
    var: "ADMIN_TOKEN",
    sub: "admin",
    scopes: &["agent_os:admin"],
};

const DAY: i64 = 24 * 60 * 60;

/// A token of `sub` holding `scopes`, as a JWT library writes it, valid 24 hours,
/// signed with [`SECRET`].
fn mint_as(sub: &str, scopes: &[&str]) -> String {
    library_hs256(SECRET, &claims(sub, scopes, DAY))
}

/// [`mint_as`] for a user of no interest.
fn mint(scopes: &[&str]) -> String {
    mint_as("user-1", scopes)
}

impl User {
    fn token(self) -> String {
        mint_as(self.sub, self.scopes)
    }
}

/// `agent_os_rbac::router`, configured with [`SECRET`], served over TCP with a client.
async fn agent_os_rbac() -> Client {
    Client::serve(agent_os_rbac::router(&seed::config())).await
}

/// An agent as `GET /agents` lists it.
fn agent(id: &str, name: &str) -> Value {
    json!({
        "id": id,
        "name": name,
        "description": "Echoes the message it is given (no language model is called)",
        "model": "echo",
    })
}

fn research() -> Value {
    agent("research-agent", "Research Agent")
}

fn finance() -> Value {
    agent("finance-agent", "Finance Agent")
}

// ---------------------------------------------------------------------------------------
// The walkthrough
// ---------------------------------------------------------------------------------------

/// One curl line of the walkthrough: a GET, or a run (`-X POST -F "message=..."`).
struct Curl {
    user: Option<User>,
    path: String,
    message: Option<&'static str>,
}

impl Curl {
    fn get(user: Option<User>, path: &str) -> Curl {
        Curl {
            user,
            path: path.to_owned(),
            message: None,
        }
    }

    fn run(user: User, agent: &str, message: &'static str) -> Curl {
        Curl {
            user: Some(user),
            path: format!("/agents/{agent}/runs"),
            message: Some(message),
        }
    }

    /// The line as the README writes it.
    fn line(&self) -> String {
        let mut line = String::from("curl");
        if self.message.is_some() {
            line.push_str(" -X POST");
        }
        if let Some(user) = self.user {
            let _ = write!(line, r#" -H "Authorization: Bearer ${}""#, user.var);
        }
        if let Some(message) = self.message {
            let _ = write!(line, r#" -F "message={message}""#);
        }
        let _ = write!(line, " http://localhost:7777{}", self.path);
        line
    }

    /// What curl sends: the token, and the message as a multipart form.
    async fn send(&self, client: &Client) -> Reply {
        let token = self.user.map(User::token);
        let token = token.as_deref();
        match self.message {
            None => client.get(&self.path, token).await,
            Some(message) => {
                let form = multipart::Form::new().text("message", message);
                fetch(
                    client
                        .request(Method::POST, &self.path, token)
                        .multipart(form),
                )
                .await
            }
        }
    }
}

/// The README's table, and which of its rows have been replayed.
struct Walkthrough {
    rows: Vec<Row>,
    replayed: BTreeSet<String>,
    client: Client,
}

impl Walkthrough {
    async fn new() -> Walkthrough {
        Walkthrough {
            rows: walkthrough::table("### The per-resource walkthrough"),
            replayed: BTreeSet::new(),
            client: agent_os_rbac().await,
        }
    }

    /// Row `n`, now counted as replayed.
    fn row(&mut self, n: &str) -> Row {
        self.replayed.insert(n.to_owned());
        self.rows
            .iter()
            .find(|r| r.number == n)
            .unwrap_or_else(|| panic!("README: the walkthrough has no row {n}"))
            .clone()
    }

    /// Row `n` replayed: its curl line is `curl`'s, and the reply is the row's.
    async fn replay(&mut self, n: &str, curl: Curl) -> Reply {
        let row = self.row(n);
        assert_eq!(row.curl(), curl.line(), "row {n}: the README's curl line");
        let reply = curl.send(&self.client).await;
        row.check(&reply);
        reply
    }

    /// Every row of the README was replayed.
    fn done(&self) {
        let written: BTreeSet<String> = self.rows.iter().map(|r| r.number.clone()).collect();
        assert_eq!(written, self.replayed, "rows of the README not replayed");
    }
}

/// Every row of the README's per-resource walkthrough, in order, each checked against
/// the page and, beyond what the page abbreviates, exactly.
#[tokio::test]
async fn walkthrough() {
    let mut w = Walkthrough::new().await;
    let get = Curl::get;

    // The one-agent reader lists, reads and may run only what it holds.
    let listed = w.replay("1", get(Some(RESEARCH_READER), "/agents")).await;
    assert_eq!(listed.ok(), json!([research()]));
    let one = w
        .replay("2", get(Some(RESEARCH_READER), "/agents/research-agent"))
        .await;
    assert_eq!(one.ok(), research());
    w.replay("3", get(Some(RESEARCH_READER), "/agents/finance-agent"))
        .await
        .forbidden_any(&["agents:read", "agents:finance-agent:read"]);
    w.replay("4", Curl::run(RESEARCH_READER, "research-agent", "test"))
        .await
        .forbidden_any(&["agents:run", "agents:research-agent:run"]);

    // The wildcard runner runs both agents, and cannot list them.
    let run = w
        .replay("5", Curl::run(RUNNER, "research-agent", "Search for news"))
        .await;
    assert_eq!(
        run.ok(),
        json!({
            "run_id": "run-1",
            "session_id": "session-1",
            "agent_id": "research-agent",
            "user_id": "runner",
            "content": "Research Agent received: Search for news",
        })
    );
    let run = w
        .replay("6", Curl::run(RUNNER, "finance-agent", "Quarterly revenue"))
        .await;
    assert_eq!(
        run.ok(),
        json!({
            "run_id": "run-2",
            "session_id": "session-2",
            "agent_id": "finance-agent",
            "user_id": "runner",
            "content": "Finance Agent received: Quarterly revenue",
        })
    );
    w.replay("7", get(Some(RUNNER), "/agents"))
        .await
        .forbidden(&["agents:read"]);

    // The global reader lists both agents, and cannot run them.
    let listed = w.replay("8", get(Some(READER), "/agents")).await;
    assert_eq!(listed.ok(), json!([research(), finance()]));
    w.replay("9", Curl::run(READER, "finance-agent", "test"))
        .await
        .forbidden_any(&["agents:run", "agents:finance-agent:run"]);
    w.replay("10", get(Some(READER), "/sessions"))
        .await
        .forbidden(&["sessions:read"]);
    let unknown = w.replay("11", get(Some(READER), "/agents/nope")).await;
    assert_eq!(
        unknown.client_error(StatusCode::NOT_FOUND),
        "Agent not found"
    );

    // The admin passes everything.
    let sessions = w.replay("12", get(Some(ADMIN), "/sessions")).await.ok();
    let summary: Vec<(&str, &str, &str)> = sessions
        .as_array()
        .expect("a list of sessions")
        .iter()
        .map(|s| {
            (
                s["session_id"].as_str().expect("session_id"),
                s["agent_id"].as_str().expect("agent_id"),
                s["user_id"].as_str().expect("user_id"),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("session-1", "research-agent", "runner"),
            ("session-2", "finance-agent", "runner"),
        ]
    );
    admin_on_every_other_route(&mut w).await;

    // No token: 401; `/health` is public.
    w.replay("13", get(None, "/agents")).await.missing();
    let health = w.replay("14", get(None, "/health")).await;
    assert_eq!(health.ok(), json!({ "status": "ok" }));

    w.done();
}

/// Row 12b: the admin on every route but `/sessions`, each reply checked against the
/// row.
async fn admin_on_every_other_route(w: &mut Walkthrough) {
    let row = w.row("12b");
    let admin = ADMIN.token();
    let su = Some(admin.as_str());
    let client = &w.client;
    let check = |reply: Reply| {
        row.check(&reply);
        reply.ok()
    };

    assert_eq!(
        check(client.get("/agents", su).await),
        json!([research(), finance()])
    );
    assert_eq!(
        check(client.get("/agents/finance-agent", su).await),
        finance()
    );
    for (agent, run, name) in [
        ("research-agent", "run-3", "Research Agent"),
        ("finance-agent", "run-4", "Finance Agent"),
    ] {
        let reply = check(client.run_multipart(agent, su, "as admin").await);
        assert_eq!(reply["run_id"], run);
        assert_eq!(reply["user_id"], "admin");
        assert_eq!(reply["content"], format!("{name} received: as admin"));
    }
    let session = check(client.get("/sessions/session-1", su).await);
    assert_eq!(
        session["runs"][0],
        json!({
            "run_id": "run-1",
            "input": "Search for news",
            "content": "Research Agent received: Search for news",
        })
    );
    let memories = check(client.get("/memories", su).await);
    assert_eq!(memories.as_array().map(Vec::len), Some(4), "one per run");
    assert_eq!(
        memories[1],
        json!({
            "memory_id": "memory-2",
            "memory": "Asked Finance Agent: Quarterly revenue",
            "user_id": "runner",
            "topics": ["finance-agent"],
        })
    );
    let memory = check(
        fetch(
            client
                .request(Method::POST, "/memories", su)
                .json(&json!({ "memory": "Prefers short answers" })),
        )
        .await,
    );
    assert_eq!(memory["memory_id"], "memory-5");
    let config = check(client.get("/config", su).await);
    assert_eq!(config["os_id"], "rbac-agent-os");
    assert_eq!(config["authorization"]["admin_scope"], "agent_os:admin");
    assert_eq!(
        config["agents"],
        json!([
            { "id": "research-agent", "name": "Research Agent" },
            { "id": "finance-agent", "name": "Finance Agent" },
        ])
    );
    assert_eq!(
        config["authorization"]["scope_mappings"]["POST /agents/{agent_id}/runs"],
        json!({ "any": ["agents:run", "agents:{agent_id}:run"] })
    );
    assert!(
        !config.to_string().contains(SECRET),
        "the config leaks the secret"
    );
    assert_eq!(
        check(client.get("/me", su).await),
        json!({ "sub": "admin", "scopes": ["agent_os:admin"] })
    );
}

// ---------------------------------------------------------------------------------------
// Agno's three examples, literally
// ---------------------------------------------------------------------------------------

/// `["agents:research-agent:read"]`: lists one agent, reads it, is refused the other.
#[tokio::test]
async fn agno_one_agent_read_scope_lists_and_reads_that_agent_only() {
    let client = agent_os_rbac().await;
    let token = mint(&["agents:research-agent:read"]);
    let token = Some(token.as_str());

    assert_eq!(client.get("/agents", token).await.ok(), json!([research()]));
    assert_eq!(
        client.get("/agents/research-agent", token).await.ok(),
        research()
    );
    client
        .get("/agents/finance-agent", token)
        .await
        .forbidden_any(&["agents:read", "agents:finance-agent:read"]);
}

/// `["agents:*:run"]`: runs any agent, and cannot list (nor read) them.
#[tokio::test]
async fn agno_wildcard_run_scope_runs_any_agent_but_cannot_list() {
    let client = agent_os_rbac().await;
    let token = mint(&["agents:*:run"]);
    let token = Some(token.as_str());

    let run = client
        .run_multipart("research-agent", token, "hi")
        .await
        .ok();
    assert_eq!(run["content"], "Research Agent received: hi");
    let run = client
        .run_urlencoded("finance-agent", token, "hi")
        .await
        .ok();
    assert_eq!(run["content"], "Finance Agent received: hi");

    client
        .get("/agents", token)
        .await
        .forbidden(&["agents:read"]);
    client
        .get("/agents/research-agent", token)
        .await
        .forbidden_any(&["agents:read", "agents:research-agent:read"]);
}

/// `["agents:read"]`: lists and reads every agent, and cannot run any.
#[tokio::test]
async fn agno_global_read_scope_cannot_run() {
    let client = agent_os_rbac().await;
    let token = mint(&["agents:read"]);
    let token = Some(token.as_str());

    for agent in ["research-agent", "finance-agent"] {
        client
            .run_multipart(agent, token, "test")
            .await
            .forbidden_any(&["agents:run", &format!("agents:{agent}:run")]);
    }
    assert_eq!(
        client.get("/agents", token).await.ok(),
        json!([research(), finance()])
    );
    // Nothing was run.
    let admin = ADMIN.token();
    assert_eq!(client.get("/sessions", Some(&admin)).await.ok(), json!([]));
}

// ---------------------------------------------------------------------------------------
// The listing, and the templates around it
// ---------------------------------------------------------------------------------------

/// `GET /agents` shows exactly what `GET /agents/{agent_id}` would, in the order the
/// agents are served; none is a 403 naming `agents:read`, whatever the token holds.
#[tokio::test]
async fn the_listing_follows_the_per_agent_read_rule() {
    let client = agent_os_rbac().await;
    let lists: [(&[&str], Value); 5] = [
        (&["agents:finance-agent:read"], json!([finance()])),
        (
            &["agents:finance-agent:read", "agents:research-agent:read"],
            json!([research(), finance()]),
        ),
        (&["agents:*:read"], json!([research(), finance()])),
        (
            &["agents:research-agent:read", "agents:nope:read"],
            json!([research()]),
        ),
        (&["agent_os:admin"], json!([research(), finance()])),
    ];
    for (scopes, expected) in lists {
        let token = mint(scopes);
        assert_eq!(
            client.get("/agents", Some(&token)).await.ok(),
            expected,
            "{scopes:?}"
        );
    }
    let nothing: [&[&str]; 6] = [
        &[],
        &["agents:nope:read"],
        &["agents:research-agent:run", "agents:run"],
        // A template as written is no scope: braces hold no value.
        &["agents:{agent_id}:read"],
        &["agents:Research-Agent:read"],
        &["app:superadmin", "app:read"],
    ];
    for scopes in nothing {
        let token = mint(scopes);
        client
            .get("/agents", Some(&token))
            .await
            .forbidden(&["agents:read"]);
    }
    client.get("/agents", None).await.missing();
}

/// A per-agent run scope runs that agent and no other; a `*` in the path is no agent,
/// even for `agents:*:read`.
#[tokio::test]
async fn per_agent_scopes_name_one_agent() {
    let client = agent_os_rbac().await;
    let finance_runner = mint(&["agents:finance-agent:run"]);
    let run = client
        .run_multipart("finance-agent", Some(&finance_runner), "hi")
        .await
        .ok();
    assert_eq!(run["agent_id"], "finance-agent");
    client
        .run_multipart("research-agent", Some(&finance_runner), "hi")
        .await
        .forbidden_any(&["agents:run", "agents:research-agent:run"]);

    // `*` as a value satisfies no template, and is not filled into the refusal.
    let wildcard_reader = mint(&["agents:*:read"]);
    client
        .get("/agents/*", Some(&wildcard_reader))
        .await
        .forbidden_any(&["agents:read", "agents:{agent_id}:read"]);
}

/// An unknown agent is 404 for whoever may read or run every agent; a one-agent
/// token is refused on it first, the refusal naming that agent's scope.
#[tokio::test]
async fn unknown_agents() {
    let client = agent_os_rbac().await;
    let [reader, runner, research_reader] = [READER, RUNNER, RESEARCH_READER].map(User::token);
    let not_found = |reply: Reply| {
        assert_eq!(reply.client_error(StatusCode::NOT_FOUND), "Agent not found");
    };
    not_found(client.get("/agents/nope", Some(&reader)).await);
    not_found(client.run_multipart("nope", Some(&runner), "hi").await);
    not_found(client.run_urlencoded("nope", Some(&runner), "hi").await);
    client
        .get("/agents/nope", Some(&research_reader))
        .await
        .forbidden_any(&["agents:read", "agents:nope:read"]);
}

// ---------------------------------------------------------------------------------------
// The other resources, the admin scope, unmapped routes
// ---------------------------------------------------------------------------------------

/// Sessions, memories and config each need their own scope, and none of them reads or
/// runs an agent.
#[tokio::test]
async fn other_resources_need_their_own_scopes() {
    let client = agent_os_rbac().await;
    let ops = mint_as(
        "ops",
        &[
            "sessions:read",
            "memories:read",
            "memories:write",
            "config:read",
        ],
    );
    let ops = Some(ops.as_str());
    assert_eq!(client.get("/sessions", ops).await.ok(), json!([]));
    let reply = client.get("/sessions/session-1", ops).await;
    assert_eq!(
        reply.client_error(StatusCode::NOT_FOUND),
        "Session not found"
    );
    assert_eq!(client.get("/memories", ops).await.ok(), json!([]));
    let memory = fetch(
        client
            .request(Method::POST, "/memories", ops)
            .json(&json!({ "memory": "m", "topics": ["t"] })),
    )
    .await
    .ok();
    assert_eq!(memory["user_id"], "ops");
    assert_eq!(
        client.get("/config", ops).await.ok()["os_id"],
        "rbac-agent-os"
    );
    client.get("/agents", ops).await.forbidden(&["agents:read"]);
    client
        .run_multipart("research-agent", ops, "hi")
        .await
        .forbidden_any(&["agents:run", "agents:research-agent:run"]);

    let reader = READER.token();
    let reader = Some(reader.as_str());
    for (path, scope) in [
        ("/sessions/session-1", "sessions:read"),
        ("/memories", "memories:read"),
        ("/config", "config:read"),
    ] {
        client.get(path, reader).await.forbidden(&[scope]);
    }
    fetch(
        client
            .request(Method::POST, "/memories", reader)
            .json(&json!({ "memory": "m" })),
    )
    .await
    .forbidden(&["memories:write"]);
    assert_eq!(
        client.get("/me", reader).await.ok(),
        json!({ "sub": "reader", "scopes": ["agents:read"] })
    );
}

/// Unmapped routes are denied to everyone but `agent_os:admin`, who meets the router's
/// JSON 404/405; the seed's admin scope is nothing here.
#[tokio::test]
async fn unmapped_routes_and_the_admin_scope() {
    let client = agent_os_rbac().await;
    let seed_superadmin = mint(&["app:superadmin"]);
    let admin = ADMIN.token();
    for (method, path) in [
        (Method::DELETE, "/agents/research-agent"),
        (Method::GET, "/unknown"),
        (Method::GET, "/agents/research-agent/runs"),
    ] {
        fetch(client.request(method.clone(), path, Some(&seed_superadmin)))
            .await
            .unmapped();
        fetch(client.request(method, path, None)).await.missing();
    }
    client
        .get("/config", Some(&seed_superadmin))
        .await
        .forbidden(&["config:read"]);

    let reply = client.get("/unknown", Some(&admin)).await;
    assert_eq!(reply.client_error(StatusCode::NOT_FOUND), "Not Found");
    let reply = fetch(client.request(Method::DELETE, "/agents/research-agent", Some(&admin))).await;
    assert_eq!(
        reply.client_error(StatusCode::METHOD_NOT_ALLOWED),
        "Method Not Allowed"
    );
}

/// Expired and forged tokens are 401 on the listing as on the rules the layer checks.
#[tokio::test]
async fn authentication_failures() {
    let client = agent_os_rbac().await;
    let expired = library_hs256(SECRET, &claims("reader", &["agents:read"], -3600));
    client.get("/agents", Some(&expired)).await.expired();
    let forged = library_hs256(
        "not-the-server-secret-at-all-0123456789",
        &claims("admin", &["agent_os:admin"], DAY),
    );
    for path in ["/agents", "/agents/research-agent", "/config"] {
        client
            .get(path, Some(&forged))
            .await
            .invalid_token("signature does not match");
    }
}
