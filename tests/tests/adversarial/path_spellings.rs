//! Spellings of a path that the seed's router, its extractors and the policy could read
//! differently: trailing and doubled slashes, escapes, dot segments, `;`, case, control
//! characters, unknown routes. Each is refused, or decided by the rule of what serves it
//! (docs/matching.md, rules 0 and 1).

use scope_policy_tests::mirror::{Call, Seed};
use scope_policy_tests::reply::Reply;
use scope_policy_tests::requests::bearer;
use scope_policy_tests::seed::{ADMIN, BASIC, POWER, RUN_SCOPES, run_at};
use scope_policy_tests::tokens::mint;
use scope_runtime::PathClass::{ControlCharacter, DotSegment, EmptySegment, EncodedSlash};
use serde_json::json;

/// A trailing slash is another route for axum, so it is another (unmapped) rule: denied,
/// except for the admin scope, which then meets the router's fallback (404), not the
/// handler of the slash-less route.
#[tokio::test]
async fn path_trailing_slash() {
    let seed = Seed::new();
    let (power, admin) = (mint(POWER), mint(ADMIN));
    let calls = [
        Call::get("/agents/", &power),
        Call::get("/sessions/", &admin),
        Call::get("/agents/research-agent/", &power),
        Call::run("/agents/research-agent/runs/", &power),
    ];
    seed.unmapped(calls, [Call::anonymous("/health/")]).await;

    // The router agrees: with the admin scope, `/agents/` is the fallback's 404.
    let reply = seed.os.as_superadmin("GET", "/agents/").await;
    reply.passed(404);
    assert_eq!(reply.json(), json!({ "detail": "Not Found" }));
}

/// `//`: axum routes an empty segment to a `{x}` capture (`/agents//runs` is a run of
/// the agent `""`), a catch-all keeps it, `nest_service` and `ServeDir` drop it. Refused
/// before any rule or token: 400, an invalid token included, a public path included.
#[tokio::test]
async fn path_double_slashes() {
    let seed = Seed::new();
    let (power, admin) = (mint(POWER), mint(ADMIN));
    let reads = ["//agents", "/agents//", "//", "/agents/research-agent//"];
    let admin_reads = ["//sessions", "/sessions//", "/sessions//session-1"];
    let runs = [
        "/agents//runs",
        "//agents/research-agent/runs",
        "/agents/research-agent//runs",
        "/agents//research-agent/runs",
    ];
    let calls = reads
        .map(|path| Call::get(path, &power))
        .into_iter()
        .chain(admin_reads.map(|path| Call::get(path, &admin)))
        .chain(runs.map(|path| Call::run(path, &power)))
        .chain(runs.map(|path| Call::run(path, "not-a-token")))
        .chain([Call::anonymous("//health")]);
    seed.bad_path(calls, EmptySegment).await;
}

/// Percent-encoded letters are the letters for `Path` and `ServeDir`, and other bytes
/// for axum's router, which compares raw paths: a request is held to the rule of each
/// reading. `/%61gents` is `/agents` decoded, and for the router no route (unmapped).
#[tokio::test]
async fn path_percent_encoded_letters() {
    let seed = Seed::new();
    let (basic, power, runner) = (mint(BASIC), mint(POWER), mint(&["app:run"]));
    for path in ["/%61gents", "/agent%73", "/%61%67%65%6E%74%73"] {
        // Two readings, both held: decoded, the `/agents` rule; as axum's router
        // compares it, no route literal and no rule (its fallback would answer), so
        // denied like any unmapped path, even with `app:read`.
        seed.check_all([Call::anonymous(path)], Reply::missing)
            .await;
        seed.check_all([Call::get(path, &runner)], |r| r.forbidden(&["app:read"]))
            .await;
        seed.check_all([Call::get(path, &basic)], Reply::unmapped)
            .await;
    }
    // Case is kept: `%41GENTS` is `AGENTS`, no rule.
    seed.check_all([Call::get("/%41GENTS", &basic)], Reply::unmapped)
        .await;
    seed.check_all([Call::get("/%73essions", &basic)], |r| {
        r.forbidden(&["app:admin"])
    })
    .await;
    seed.check_all([Call::run("/agents/research-agent/%72uns", &basic)], |r| {
        r.forbidden(RUN_SCOPES)
    })
    .await;
    // `/health` is public, but `/%68ealth` is no route for axum's router: unmapped.
    seed.check_all([Call::anonymous("/%68ealth")], Reply::missing)
        .await;
    // With every scope of the decoded rule, the router's reading is still unmapped.
    seed.check_all(
        [Call::run("/%61gents/research-agent/runs", &power)],
        Reply::unmapped,
    )
    .await;
    seed.untouched().await;

    // Inside a `*` segment the escape is part of the value the extractor decodes: the
    // rule is the one for that value.
    let reply = seed
        .os
        .send(bearer("GET", "/agents/%72esearch-agent", &basic))
        .await;
    reply.passed(200);
    assert_eq!(reply.json()["id"], "research-agent");
    seed.check_all(
        [Call::anonymous("/agents/%72esearch-agent")],
        Reply::missing,
    )
    .await;
}

/// Encoded slashes and dots: `Path` decodes `%2F` into a `/` that axum did not route
/// on (`/agents/a%2Fruns` is the agent `a/runs`), `ServeDir` reads it as a separator, and
/// `%2e%2e` decodes to `..`. Refused before any rule or token: 400.
#[tokio::test]
async fn path_encoded_slashes_and_dots() {
    let seed = Seed::new();
    let (basic, power, admin) = (mint(BASIC), mint(POWER), mint(ADMIN));
    let runs = [
        "/agents/research-agent%2Fruns",
        "/agents/research-agent%2fruns",
        "/agents%2Fresearch-agent%2Fruns",
    ];
    let slashes = runs
        .map(|path| Call::run(path, &power))
        .into_iter()
        .chain([Call::get("/sessions%2F", &admin)])
        .chain(["/agents/..%2Fsessions", "/agents/%2E%2E%2Fsessions"].map(Call::anonymous));
    seed.bad_path(slashes, EncodedSlash).await;
    let dots = [
        "/agents/%2e%2e/sessions",
        "/agents/%2E%2E/sessions",
        "/agents/x/%2e%2e/%2e%2e/sessions",
        "/%2e%2e/sessions",
        "/agents/.%2e/sessions",
    ];
    seed.bad_path(dots.map(|path| Call::get(path, &basic)), DotSegment)
        .await;
}

/// Dot segments: clients and proxies resolve them, `ServeDir` skips `.`, axum routes
/// `/sessions/.` to `/sessions/{session_id}` with the id `.`. Refused before any rule or
/// token: 400. A dot inside a segment (`a.b`, `...`) is an ordinary byte.
#[tokio::test]
async fn path_dot_segments() {
    let seed = Seed::new();
    let (basic, power, admin) = (mint(BASIC), mint(POWER), mint(ADMIN));
    let reads = [
        "/agents/../sessions",
        "/agents/./../sessions",
        "/./sessions",
        "/agents/research-agent/../../sessions",
        "/health/../sessions",
    ];
    let runs = [
        "/agents/research-agent/runs/..",
        "/agents/research-agent/./runs",
        "/agents/../agents/research-agent/runs",
    ];
    let calls = reads
        .map(|path| Call::get(path, &basic))
        .into_iter()
        .chain([Call::get("/sessions/.", &admin)])
        .chain(runs.map(|path| Call::run(path, &power)))
        .chain(["/health/..", "/health/."].map(Call::anonymous));
    seed.bad_path(calls, DotSegment).await;
    // Dots inside a segment are bytes of an id: the `/agents/*` rule, an unknown agent.
    for path in ["/agents/...", "/agents/a.b", "/agents/.x"] {
        seed.check_all([Call::anonymous(path)], Reply::missing)
            .await;
        seed.os.send(bearer("GET", path, &basic)).await.passed(404);
    }
}

/// `;` parameters are bytes of the segment (no Tomcat-style stripping on either side).
#[tokio::test]
async fn path_semicolon_parameters() {
    let seed = Seed::new();
    let (power, admin) = (mint(POWER), mint(ADMIN));
    let calls = [
        Call::get("/sessions;jsessionid=1", &admin),
        Call::get("/sessions;/x", &admin),
        Call::run("/agents;x=1/research-agent/runs", &power),
        Call::run("/agents/research-agent/runs;x", &power),
    ];
    seed.unmapped(calls, [Call::anonymous("/health;x=1")]).await;

    // Inside the `*` of a run, `;x` is part of the agent id: the run rule applies, the
    // agent does not exist, and nothing is created.
    let reply = seed
        .os
        .send(run_at("/agents/research-agent;x/runs", &power))
        .await;
    reply.passed(404);
    assert_eq!(seed.os.state().await, (0, 0));
}

/// Paths are case-sensitive for the policy and for axum.
#[tokio::test]
async fn path_case() {
    let seed = Seed::new();
    let (basic, power, admin) = (mint(BASIC), mint(POWER), mint(ADMIN));
    let reads = ["/AGENTS", "/Agents", "/agents/RESEARCH-AGENT/RUNS"];
    let admin_reads = ["/SESSIONS", "/Sessions", "/CONFIG"];
    let calls = reads
        .map(|path| Call::get(path, &basic))
        .into_iter()
        .chain(admin_reads.map(|path| Call::get(path, &admin)))
        .chain([Call::run("/agents/research-agent/RUNS", &power)]);
    seed.unmapped(calls, [Call::anonymous("/HEALTH")]).await;
    seed.os.as_superadmin("GET", "/AGENTS").await.passed(404);
}

/// Encoded NUL, CR, LF and other control characters: refused before any rule or token
/// (400), so no handler, log line or forwarded request ever holds them.
#[tokio::test]
async fn path_encoded_nul_cr_lf() {
    let seed = Seed::new();
    let (power, admin) = (mint(POWER), mint(ADMIN));
    let admin_reads = [
        "/sessions%00",
        "/sessions%0d%0a",
        "/sessions%0A",
        "/sessions%00/x",
        "/agents/x%0D%0ASet-Cookie:%20a=b",
        "/agents/%7F",
    ];
    let anonymous_reads = ["/health%00", "/health%0d%0aX-Admin:%201", "/agents/%00"];
    let runs = [
        "/agents/research-agent/runs%00",
        "/agents/research-agent%00/runs",
        "/agents/research-agent%00/runs/x",
    ];
    let calls = admin_reads
        .map(|path| Call::get(path, &admin))
        .into_iter()
        .chain(anonymous_reads.map(Call::anonymous))
        .chain(runs.map(|path| Call::run(path, &power)));
    seed.bad_path(calls, ControlCharacter).await;
}

/// Unknown routes never meet the fallback without the admin scope.
#[tokio::test]
async fn path_unknown_routes_and_fallback() {
    let seed = Seed::new();
    let admin = mint(ADMIN);
    let paths = [
        "/unknown",
        "/admin",
        "/.env",
        "/agents/x/y/z",
        "/agents/x/runs/y",
        "/",
    ];
    let with_token = paths.map(|path| Call::get(path, &admin));
    seed.unmapped(with_token, paths.map(Call::anonymous)).await;
}
