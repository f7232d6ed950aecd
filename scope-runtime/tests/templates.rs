//! Scope templates through the layer, against a real axum router whose handlers record
//! the `Path` values they were given. What a template is filled with is learnt from the
//! real thing: the same router without the layer is asked which value its handler gets
//! for a request, and the layer must then ask for exactly that value's scope.
//!
//! | test | what it guards |
//! | --- | --- |
//! | `exact_filled_scope_passes` | the filled scope is enough, the handler gets the value it was filled with |
//! | `another_values_scope_is_refused_naming_the_filled_scope` | a scope for another value is refused; the 403 names the filled scope |
//! | `wildcard_holds_every_valid_value` | `agents:*:run` passes for any valid value, nothing else of its shape does |
//! | `global_scope_only_where_the_rule_says_any` | `agents:read` passes `any[...]`, `agents:run` does not pass `[...]` |
//! | `all_of_needs_the_template_and_the_fixed_scope` | in `[...]` a template and a fixed scope are both needed |
//! | `template_text_held_literally_never_passes` | `agents:{agent_id}:run` in a token is never the template, for no value (braces included) |
//! | `admin_scope_passes_templates` | the admin scope passes, even where a value can fill nothing |
//! | `head_uses_the_get_rule_and_its_template` | `HEAD` is held to the `GET` rule, filled alike |
//! | `multi_capture_templates` | each capture filled with its own value, `*` per capture |
//! | `catch_all_is_filled_with_what_axum_hands_the_handler` | `/files/a/b/` is `a/b/`, `/files/a%20b` is `a b` (invalid) |
//! | `adversarial_values_grant_no_more_than_their_filled_scope` | `*`, `%2A`, `:`, `/`, `%20`, `%22`, `%C3%A9`, `%FF`, braces, 8 KiB... |
//! | `refused_spellings_never_reach_the_handler` | `//`, `%2F`, `%25`, `%5C`, dots, controls: 400 before any token, though axum would serve them |
//! | `nested_router_fills_from_the_full_path` | a layer on a nested router fills from the path as written in the rule |
//! | `escaped_literal_routed_to_the_capture_needs_both_rules` | `/agents/%6De` reaches `{agent_id}` = `me`: both the literal's and the filled rule apply |
//! | `granted_lists_no_value_that_fills_no_template` | `VerifiedClaims::granted` lists no braced or `*`-holding value, nor the template as written |
//!
//! `#[require_scopes]` takes fixed scopes only: a template there is a compile error,
//! covered by `ui-tests/ui/require_scopes/fail/scope_with_brace.rs`.

mod common;

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use common::*;
use http::header::WWW_AUTHENTICATE;
use scope_runtime::{Policy, ScopeLayer, scopes};

static POLICY: Policy = scopes! {
    "GET /agents/me"               => ["agents:me"],
    "GET /agents/{agent_id}"       => any["agents:read", "agents:{agent_id}:read"],
    "POST /agents/{agent_id}/runs" => ["agents:{agent_id}:run"],
    "DELETE /agents/{agent_id}"    => ["agents:write", "agents:{agent_id}:delete"],
    "GET /orgs/{org}/repos/{repo}" => ["repo:{org}/{repo}:read"],
    "GET /files/{*path}"           => ["files:{path}:read"],
    "GET /v1/agents/{agent_id}"    => ["agents:{agent_id}:read"],
};

const ADMIN: &str = "admin";

/// What the handlers were entered with, in order: `route value...` (clones share it).
#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<String>>>);

impl Seen {
    fn push(&self, entry: String) {
        self.0.lock().expect("not poisoned").push(entry);
    }

    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().expect("not poisoned"))
    }
}

async fn agent(State(seen): State<Seen>, Path(id): Path<String>) -> String {
    seen.push(format!("agent {id}"));
    id
}

async fn me(State(seen): State<Seen>) -> &'static str {
    seen.push("me".to_owned());
    "me"
}

async fn run(State(seen): State<Seen>, Path(id): Path<String>) -> String {
    seen.push(format!("run {id}"));
    id
}

async fn remove(State(seen): State<Seen>, Path(id): Path<String>) -> String {
    seen.push(format!("delete {id}"));
    id
}

async fn repo(State(seen): State<Seen>, Path((org, repo)): Path<(String, String)>) -> String {
    seen.push(format!("repo {org} {repo}"));
    format!("{org}/{repo}")
}

async fn file(State(seen): State<Seen>, Path(path): Path<String>) -> String {
    seen.push(format!("file {path}"));
    path
}

/// The routes of [`POLICY`], the `/v1` ones on a nested router that carries its own
/// layer (when `layer` is given; the whole router gets one too).
fn routes(layer: Option<ScopeLayer>) -> (Router, Seen) {
    let seen = Seen::default();
    let v1 = Router::new()
        .route("/agents/{agent_id}", get(agent))
        .with_state(seen.clone());
    let v1 = match &layer {
        Some(layer) => v1.layer(layer.clone()),
        None => v1,
    };
    let router = Router::new()
        .route("/agents/me", get(me))
        .route("/agents/{agent_id}", get(agent).delete(remove))
        .route("/agents/{agent_id}/runs", post(run))
        .route("/orgs/{org}/repos/{repo}", get(repo))
        .route("/files/{*path}", get(file))
        .with_state(seen.clone())
        .nest("/v1", v1);
    let router = match layer {
        Some(layer) => router.layer(layer),
        None => router,
    };
    (router, seen)
}

/// The layer, its verifier taking tokens long enough to hold a scope for an 8 KiB value.
fn layer() -> ScopeLayer {
    let verifier = hs256_builder()
        .max_token_len(64 * 1024)
        .build()
        .expect("verifier");
    ScopeLayer::new(verifier, POLICY).admin_scope(ADMIN)
}

/// The router behind the layer, and the same router without it.
struct Apps {
    guarded: Router,
    guarded_seen: Seen,
    bare: Router,
    bare_seen: Seen,
}

fn apps() -> Apps {
    let (guarded, guarded_seen) = routes(Some(layer()));
    let (bare, bare_seen) = routes(None);
    Apps {
        guarded,
        guarded_seen,
        bare,
        bare_seen,
    }
}

impl Apps {
    /// What the handler of the router without the layer is entered with for `method
    /// path`: the values a template on its route must be filled with.
    async fn served(&self, method: &str, path: &str) -> Vec<String> {
        let reply = send(&self.bare, request(method, path)).await;
        let seen = self.bare_seen.take();
        assert!(
            seen.is_empty() || reply.status.is_success(),
            "{method} {path}: {reply:?}"
        );
        seen
    }

    /// Sends `method path` with a token holding `scopes` through the layer: the reply and
    /// what the handler was entered with.
    async fn call(&self, method: &str, path: &str, scopes: &[&str]) -> (Reply, Vec<String>) {
        let reply = send(
            &self.guarded,
            bearer(method, path, &token_with_scopes(scopes)),
        )
        .await;
        assert_clean_headers(&reply);
        (reply, self.guarded_seen.take())
    }

    /// Asserts that `scopes` pass on `method path`: the handler is entered once, with
    /// what the bare router's handler gets, `served`.
    async fn passes(&self, method: &str, path: &str, scopes: &[&str], served: &str) {
        assert_eq!(self.served(method, path).await, [served], "{method} {path}");
        let (reply, seen) = self.call(method, path, scopes).await;
        assert_eq!(
            reply.status,
            200,
            "{method} {path} {scopes:?}: {}",
            reply.text()
        );
        assert_eq!(seen, [served], "{method} {path} {scopes:?}");
    }

    /// Asserts that `scopes` are refused on `method path` with a 403 naming `required`
    /// (all of them, or one of them with `any_of`), the handler not entered.
    async fn refused(
        &self,
        method: &str,
        path: &str,
        scopes: &[&str],
        required: &[&str],
        any_of: bool,
    ) {
        let (reply, seen) = self.call(method, path, scopes).await;
        assert!(
            seen.is_empty(),
            "{method} {path} {scopes:?} reached {seen:?}"
        );
        assert_required(&reply, required, any_of);
    }
}

/// Asserts a 403 naming exactly `required`, in the challenge and in the body.
#[track_caller]
fn assert_required(reply: &Reply, required: &[&str], any_of: bool) {
    // An any-of challenge asks for its first alternative only.
    let advertised = if any_of { &required[..1] } else { required };
    let challenge = format!(
        r#"Bearer error="insufficient_scope", scope="{}""#,
        advertised.join(" ")
    );
    let detail = format!(
        "Insufficient permissions. Required scope(s): {}{}",
        if any_of { "one of " } else { "" },
        required.join(", ")
    );
    assert_refused(reply, 403, &challenge, &detail);
}

/// Every header value is visible ASCII (or space): nothing a request path brought in
/// reaches a header raw.
#[track_caller]
fn assert_clean_headers(reply: &Reply) {
    for (name, value) in &reply.headers {
        assert!(
            value.as_bytes().iter().all(|&b| (0x20..0x7f).contains(&b)),
            "{name}: {value:?}"
        );
    }
}

#[tokio::test]
async fn exact_filled_scope_passes() {
    let apps = apps();
    let run = ["agents:research-agent:run"];
    apps.passes(
        "POST",
        "/agents/research-agent/runs",
        &run,
        "run research-agent",
    )
    .await;
    let read = ["agents:research-agent:read"];
    apps.passes(
        "GET",
        "/agents/research-agent",
        &read,
        "agent research-agent",
    )
    .await;
    // Percent-decoded, as `Path` decodes it: `%2D` is `-`.
    apps.passes(
        "GET",
        "/agents/research%2Dagent",
        &read,
        "agent research-agent",
    )
    .await;
    // Among many scopes, the matching one last.
    let many: Vec<String> = (0..19).map(|i| format!("agents:agent-{i}:run")).collect();
    let mut many: Vec<&str> = many.iter().map(String::as_str).collect();
    many.push("agents:research-agent:run");
    apps.passes(
        "POST",
        "/agents/research-agent/runs",
        &many,
        "run research-agent",
    )
    .await;
}

#[tokio::test]
async fn another_values_scope_is_refused_naming_the_filled_scope() {
    let apps = apps();
    let path = "/agents/research-agent/runs";
    let required = ["agents:research-agent:run"];
    for held in [
        &["agents:finance-agent:run"][..],
        &[],
        // Prefixes, extensions and case variants of the value are other values.
        &["agents:research:run", "agents:research-agent-2:run"],
        &["agents:Research-Agent:run", "agents:research-agent:run:x"],
        &["agents:research-agent:read", "agents:research-agent"],
        // The filled scope's length, one byte off at either end.
        &["agents:research-agent:ruN", "bgents:research-agent:run"],
        // The raw spelling of another request: not what the handler sees here.
        &["agents:research%2Dagent:run"],
    ] {
        apps.refused("POST", path, held, &required, false).await;
    }
    // The 403 of an `any[...]` names both alternatives, the template filled.
    apps.refused(
        "GET",
        "/agents/finance-agent",
        &["agents:research-agent:read"],
        &["agents:read", "agents:finance-agent:read"],
        true,
    )
    .await;
}

#[tokio::test]
async fn wildcard_holds_every_valid_value() {
    let apps = apps();
    for (path, served) in [
        ("/agents/research-agent/runs", "run research-agent"),
        ("/agents/a:b/runs", "run a:b"),
        ("/agents/%41/runs", "run A"),
    ] {
        apps.passes("POST", path, &["agents:*:run"], served).await;
    }
    // Nothing else of its shape is a wildcard.
    let required = ["agents:x:run"];
    for held in [
        "agents:**:run",
        "agents:%2A:run",
        "agents:*",
        "agents:*:*",
        "*:x:run",
        "agents:x*:run",
        "agents:*x:run",
        "*",
        "agents:*:read",
        // The wildcard's length, one byte off at either end.
        "agents:*:ruN",
        "bgents:*:run",
    ] {
        apps.refused("POST", "/agents/x/runs", &[held], &required, false)
            .await;
    }
}

#[tokio::test]
async fn global_scope_only_where_the_rule_says_any() {
    let apps = apps();
    // `any["agents:read", "agents:{agent_id}:read"]`: the global scope passes.
    apps.passes("GET", "/agents/x", &["agents:read"], "agent x")
        .await;
    // Even for a value no template can take: the fixed alternative does not need one.
    apps.passes("GET", "/agents/a%20b", &["agents:read"], "agent a b")
        .await;
    // `["agents:{agent_id}:run"]`: no global scope of any spelling passes.
    for held in ["agents:run", "agents:read", "agents", "run"] {
        apps.refused("POST", "/agents/x/runs", &[held], &["agents:x:run"], false)
            .await;
    }
}

#[tokio::test]
async fn all_of_needs_the_template_and_the_fixed_scope() {
    let apps = apps();
    let required = ["agents:write", "agents:x:delete"];
    apps.passes(
        "DELETE",
        "/agents/x",
        &["agents:write", "agents:x:delete"],
        "delete x",
    )
    .await;
    apps.passes(
        "DELETE",
        "/agents/x",
        &["agents:*:delete", "agents:write"],
        "delete x",
    )
    .await;
    for held in [
        &["agents:write"][..],
        &["agents:x:delete"],
        &["agents:write", "agents:y:delete"],
    ] {
        apps.refused("DELETE", "/agents/x", held, &required, false)
            .await;
    }
    // An invalid value: the template is named as written, the fixed scope alone is not
    // enough, with or without the wildcard.
    apps.refused(
        "DELETE",
        "/agents/%2A",
        &["agents:write", "agents:*:delete", "agents:%2A:delete"],
        &["agents:write", "agents:{agent_id}:delete"],
        false,
    )
    .await;
}

#[tokio::test]
async fn template_text_held_literally_never_passes() {
    let apps = apps();
    let literal = ["agents:{agent_id}:run"];
    apps.refused("POST", "/agents/x/runs", &literal, &["agents:x:run"], false)
        .await;
    // Not even for the one value that fills the template into its own text: braces
    // are the template's syntax, never part of a value (as `*` is not). axum hands the
    // handler `{agent_id}` for both spellings.
    for path in ["/agents/{agent_id}/runs", "/agents/%7Bagent_id%7D/runs"] {
        assert_eq!(apps.served("POST", path).await, ["run {agent_id}"]);
        for held in [&literal[..], &["agents:*:run"]] {
            apps.refused("POST", path, held, &literal, false).await;
        }
    }
    // Nor a value that holds a brace somewhere.
    for path in ["/agents/a{b/runs", "/agents/a%7Db/runs"] {
        apps.refused("POST", path, &["agents:*:run"], &literal, false)
            .await;
    }
    // Every capture of a multi-capture template.
    let literal = ["repo:{org}/{repo}:read"];
    apps.refused(
        "GET",
        "/orgs/acme/repos/x",
        &literal,
        &["repo:acme/x:read"],
        false,
    )
    .await;
    let path = "/orgs/{org}/repos/{repo}";
    assert_eq!(apps.served("GET", path).await, ["repo {org} {repo}"]);
    apps.refused("GET", path, &literal, &literal, false).await;
    // A catch-all.
    let path = "/files/{path}";
    assert_eq!(apps.served("GET", path).await, ["file {path}"]);
    let literal = ["files:{path}:read"];
    apps.refused("GET", path, &literal, &literal, false).await;
}

#[tokio::test]
async fn admin_scope_passes_templates() {
    let apps = apps();
    apps.passes("POST", "/agents/x/runs", &[ADMIN], "run x")
        .await;
    apps.passes("GET", "/orgs/acme/repos/x", &[ADMIN], "repo acme x")
        .await;
    // The admin scope passes every requirement, including a template no value of this
    // request can fill.
    apps.passes("POST", "/agents/%2A/runs", &[ADMIN], "run *")
        .await;
    apps.passes("GET", "/files/a%20b", &[ADMIN], "file a b")
        .await;
}

#[tokio::test]
async fn head_uses_the_get_rule_and_its_template() {
    let apps = apps();
    let (reply, seen) = apps.call("HEAD", "/agents/x", &["agents:x:read"]).await;
    assert_eq!(reply.status, 200);
    assert_eq!(seen, ["agent x"]);
    let (reply, seen) = apps.call("HEAD", "/agents/x", &["agents:y:read"]).await;
    assert!(seen.is_empty());
    assert_eq!(reply.status, 403);
    assert_eq!(
        reply.www_authenticate(),
        Some(r#"Bearer error="insufficient_scope", scope="agents:read""#)
    );
    let (reply, seen) = apps.call("HEAD", "/files/a/b", &["files:a/b:read"]).await;
    assert_eq!(
        (reply.status.as_u16(), seen),
        (200, vec!["file a/b".to_owned()])
    );
    // HEAD does not borrow another method's rule.
    let (reply, seen) = apps.call("HEAD", "/agents/x/runs", &["agents:x:run"]).await;
    assert!(seen.is_empty(), "{reply:?}");
}

#[tokio::test]
async fn multi_capture_templates() {
    let apps = apps();
    let path = "/orgs/acme/repos/widgets";
    for held in [
        "repo:acme/widgets:read",
        "repo:acme/*:read",
        "repo:*/widgets:read",
        "repo:*/*:read",
    ] {
        apps.passes("GET", path, &[held], "repo acme widgets").await;
    }
    let required = ["repo:acme/widgets:read"];
    for held in [
        "repo:other/widgets:read",
        "repo:acme/other:read",
        "repo:widgets/acme:read",
        "repo:*:read",
        "repo:acme/widgets/*:read",
        "repo:*/*/*:read",
        "repo:acme:read",
    ] {
        apps.refused("GET", path, &[held], &required, false).await;
    }
    // Each value is decoded as its handler gets it; one invalid value spoils the whole
    // template, the wildcard for it included.
    apps.passes(
        "GET",
        "/orgs/ac%6De/repos/a:b",
        &["repo:acme/a:b:read"],
        "repo acme a:b",
    )
    .await;
    apps.refused(
        "GET",
        "/orgs/acme/repos/a%20b",
        &["repo:acme/*:read", "repo:*/*:read", "repo:acme/a b:read"],
        &["repo:{org}/{repo}:read"],
        false,
    )
    .await;
    apps.refused(
        "GET",
        "/orgs/%2A/repos/x",
        &["repo:*/x:read", "repo:*/*:read"],
        &["repo:{org}/{repo}:read"],
        false,
    )
    .await;
}

#[tokio::test]
async fn catch_all_is_filled_with_what_axum_hands_the_handler() {
    let apps = apps();
    // axum hands a `{*path}` handler the rest of the path without its leading `/`,
    // trailing `/` kept, decoded.
    assert_eq!(apps.served("GET", "/files/a/b/").await, ["file a/b/"]);
    assert_eq!(apps.served("GET", "/files/a%20b").await, ["file a b"]);
    apps.passes("GET", "/files/a/b/", &["files:a/b/:read"], "file a/b/")
        .await;
    apps.passes(
        "GET",
        "/files/docs/%61.txt",
        &["files:docs/a.txt:read"],
        "file docs/a.txt",
    )
    .await;
    apps.passes("GET", "/files/a/b/", &["files:*:read"], "file a/b/")
        .await;
    // The slash-less value is another value; so is a prefix of the path.
    apps.refused(
        "GET",
        "/files/a/b/",
        &["files:a/b:read", "files:a:read", "files:a/*:read"],
        &["files:a/b/:read"],
        false,
    )
    .await;
    // `a b` is not a scope-token: nothing but the admin scope passes, and the 403 names
    // the template as written.
    apps.refused(
        "GET",
        "/files/a%20b",
        &[
            "files:*:read",
            "files:a b:read",
            "files:a%20b:read",
            "files:a:read",
        ],
        &["files:{path}:read"],
        false,
    )
    .await;
    // `/files/` is no route of axum's; the layer refuses it too (an empty value).
    let (reply, seen) = apps.call("GET", "/files/", &["files:*:read"]).await;
    assert!(
        seen.is_empty() && reply.status.is_client_error(),
        "{reply:?}"
    );
}

/// One adversarial capture value of `POST /agents/{agent_id}/runs`.
struct Adversarial {
    /// The request path.
    path: String,
    /// What the handler behind no layer is entered with (`None`: axum's `Path`
    /// refuses the value, the handler is not entered).
    served: Option<String>,
    /// The filled scope, when the value can fill the template.
    filled: Option<String>,
}

#[tokio::test]
async fn adversarial_values_grant_no_more_than_their_filled_scope() {
    let apps = apps();
    let case = |value: &str, served: &str, filled: Option<&str>| Adversarial {
        path: format!("/agents/{value}/runs"),
        served: (!served.is_empty()).then(|| served.to_owned()),
        filled: filled.map(|v| format!("agents:{v}:run")),
    };
    let long = "v".repeat(8192);
    let (half, quarter) = ("v".repeat(4096), "v".repeat(2048));
    let cases = [
        case("*", "*", None),
        case("%2A", "*", None),
        case("%2a", "*", None),
        case("a*b", "a*b", None),
        case("a%2Ab", "a*b", None),
        case("a:b", "a:b", Some("a:b")),
        case("a%3Ab", "a:b", Some("a:b")),
        case(":", ":", Some(":")),
        case("%20", " ", None),
        case("a%20b", "a b", None),
        case("%22", "\"", None),
        case("a\"b", "a\"b", None),
        case("a%22,%20scope=%22admin", "a\", scope=\"admin", None),
        case("%C3%A9", "é", None),
        case("caf%C3%A9", "café", None),
        case("%FF", "", None),
        case("{agent_id}", "{agent_id}", None),
        case("%7B%7D", "{}", None),
        case("a+b", "a+b", Some("a+b")),
        case("a%3Fb", "a?b", Some("a?b")),
        case("%21~", "!~", Some("!~")),
        // 8 KiB values: a valid one, and one whose one invalid byte is in the middle.
        case(&long, &long, Some(&long)),
        case(&format!("{half}%20{half}"), &format!("{half} {half}"), None),
        case(
            &format!("{quarter}%2A{quarter}"),
            &format!("{quarter}*{quarter}"),
            None,
        ),
    ];
    for case in &cases {
        let path = case.path.as_str();
        let served = case.served.as_ref().map(|v| format!("run {v}"));
        assert_eq!(
            apps.served("POST", path).await,
            Vec::from_iter(served.clone()),
            "what axum hands the handler for {path}"
        );
        let value = case.served.as_deref().unwrap_or("\u{FFFD}");
        // Scopes for other values, the wildcard, the template as written, the raw
        // spelling, pieces of the decoded value.
        let raw = &path["/agents/".len()..path.len() - "/runs".len()];
        let mut tempting = vec![
            "agents:*:run".to_owned(),
            "agents:{agent_id}:run".to_owned(),
            "agents:run".to_owned(),
            "agents:x:run".to_owned(),
            format!("agents:{raw}:run"),
            format!("agents:{}:run", value.replace(' ', "")),
            format!("agents:{}:run", value.replace('*', "")),
            format!("agents:{}*:run", value.chars().take(2).collect::<String>()),
        ];
        // For a valid value only its filled scope and the wildcard pass.
        if let Some(filled) = &case.filled {
            tempting.retain(|s| s != filled && s != "agents:*:run");
        }
        let tempting: Vec<&str> = tempting.iter().map(String::as_str).collect();
        let required = case.filled.as_deref().unwrap_or("agents:{agent_id}:run");
        apps.refused("POST", path, &tempting, &[required], false)
            .await;
        match (&case.filled, &served) {
            (Some(filled), Some(served)) => {
                apps.passes("POST", path, &[filled], served).await;
                apps.passes("POST", path, &["agents:*:run"], served).await;
            }
            _ => {
                // Even holding the "scope" of the decoded value: it is no scope-token.
                let held = format!("agents:{value}:run");
                apps.refused("POST", path, &[&held], &[required], false)
                    .await;
            }
        }
    }
    // `/` reaches a value only through a catch-all (a `%2F` is refused, see below).
    apps.passes("GET", "/files/a/b", &["files:a/b:read"], "file a/b")
        .await;
    apps.refused(
        "GET",
        "/files/a/b",
        &[
            "files:a:read",
            "files:b:read",
            "files:a/*:read",
            "files:a%2Fb:read",
        ],
        &["files:a/b:read"],
        false,
    )
    .await;
}

#[tokio::test]
async fn refused_spellings_never_reach_the_handler() {
    let apps = apps();
    let token = token_with_scopes(&[
        "agents:*:run",
        "agents::run",
        "agents:a/b:run",
        "files:*:read",
        "files:a/b:read",
        ADMIN,
    ]);
    // axum would serve each of these: an empty `agent_id`, a value holding a `/`, ...
    for (method, path, served) in [
        ("POST", "/agents//runs", "run "),
        ("POST", "/agents/a%2Fb/runs", "run a/b"),
        ("POST", "/agents/a%2fb/runs", "run a/b"),
        ("POST", "/agents/a%5Cb/runs", "run a\\b"),
        ("POST", "/agents/a%25b/runs", "run a%b"),
        ("POST", "/agents/a%2541/runs", "run a%41"),
        ("POST", "/agents/%2e/runs", "run ."),
        ("POST", "/agents/../runs", "run .."),
        ("POST", "/agents/a%00/runs", "run a\0"),
        ("POST", "/agents/a%0D%0Ab/runs", "run a\r\nb"),
        ("GET", "/files/a%2Fb", "file a/b"),
        ("GET", "/files/a//b", "file a//b"),
        ("GET", "/files/a/./b", "file a/./b"),
    ] {
        assert_eq!(apps.served(method, path).await, [served], "{path}");
        let reply = send(&apps.guarded, bearer(method, path, &token)).await;
        assert_eq!(reply.status, 400, "{path}: {}", reply.text());
        assert_clean_headers(&reply);
        let challenge = reply.headers[WWW_AUTHENTICATE].to_str().expect("ASCII");
        assert!(
            challenge.contains(r#"error="invalid_request""#),
            "{challenge}"
        );
        assert!(
            apps.guarded_seen.take().is_empty(),
            "{path} reached the handler"
        );
    }
}

#[tokio::test]
async fn nested_router_fills_from_the_full_path() {
    let apps = apps();
    apps.passes("GET", "/v1/agents/x", &["agents:x:read"], "agent x")
        .await;
    apps.passes("GET", "/v1/agents/x", &["agents:*:read"], "agent x")
        .await;
    // The rule is `["agents:{agent_id}:read"]` alone: no global scope.
    for held in ["agents:read", "agents:v1:read", "agents:agents:read"] {
        apps.refused("GET", "/v1/agents/x", &[held], &["agents:x:read"], false)
            .await;
    }
}

#[tokio::test]
async fn escaped_literal_routed_to_the_capture_needs_both_rules() {
    let apps = apps();
    // axum compares `%6De` with the literal `me` as written: the capture's handler gets
    // `me`. The layer holds the request to the literal's rule and to the capture's,
    // filled with `me`.
    assert_eq!(apps.served("GET", "/agents/%6De").await, ["agent me"]);
    assert_eq!(apps.served("GET", "/agents/me").await, ["me"]);
    apps.refused(
        "GET",
        "/agents/%6De",
        &["agents:me"],
        &["agents:read", "agents:me:read"],
        true,
    )
    .await;
    apps.refused(
        "GET",
        "/agents/%6De",
        &["agents:me:read"],
        &["agents:me"],
        false,
    )
    .await;
    apps.passes(
        "GET",
        "/agents/%6De",
        &["agents:me", "agents:me:read"],
        "agent me",
    )
    .await;
}

#[test]
fn granted_lists_no_value_that_fills_no_template() {
    use scope_runtime::{Granted, VerifiedClaims};
    let claims = |scopes: &[&str]| {
        let claims = serde_json::json!({ "scopes": scopes });
        VerifiedClaims::from_claims(claims.as_object().expect("an object").clone())
    };
    let rule = POLICY.rule("POST /agents/{agent_id}/runs").expect("a rule");
    // The template as written, and scopes whose value is `*`-ish or braced: none is an
    // agent that may be listed.
    let held = claims(&[
        "agents:{agent_id}:run",
        "agents:{x}:run",
        "agents:a*:run",
        "agents:a}:run",
        "agents:research-agent:run",
        "agents:a:b:run",
    ]);
    assert_eq!(
        held.granted(rule, "agent_id"),
        Granted::Only(vec!["research-agent", "a:b"])
    );
    assert_eq!(
        claims(&["agents:{agent_id}:run"]).granted(rule, "agent_id"),
        Granted::Nothing
    );
    assert_eq!(
        claims(&["agents:*:run"]).granted(rule, "agent_id"),
        Granted::All
    );
}
