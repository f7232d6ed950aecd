//! Differential property of scope templates against the real router: for random capture
//! values (printable ASCII, escapes of every kind, `*`, `%2A`, `:`, `%20`, non-ASCII,
//! braces) and random token scope sets, a request sent through an axum `Router` guarded
//! by `ScopeLayer` reaches its handler if and only if the token holds the template filled
//! with the values that handler receives (or a `*` in place of each, when those values
//! can fill a template at all), or the rule's fixed alternative, or the admin scope.
//!
//! The oracle never decodes the request path. The same request is first sent to the same
//! router without the layer, whose handlers record the `Path` values axum hands them:
//! those values, and only those, decide. The scope sets are drawn from the scopes filled
//! with those values, the wildcards, scopes filled with other values (the test's raw
//! spelling, its own decoding, near misses), the template as written, and junk. A
//! request the router does not serve must not be served through the layer either, and
//! the only refusal allowed to a caller holding the filled scope is the layer's `400`
//! for a refused spelling (`PathGuard`).
//!
//! Sized for CI (512 cases); proptest's own `PROPTEST_CASES` (and `PROPTEST_RNG_SEED`)
//! apply: `PROPTEST_CASES=20000 cargo test --release -p scope-policy-tests --test
//! template_property -- --nocapture`.

use std::cell::Cell;
use std::fmt::Write as _;

use axum::Router;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use http::StatusCode;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::{Config, TestCaseError, TestRunner, contextualize_config};
use scope_policy_tests::record::Log;
use scope_policy_tests::reply::{Reply, send};
use scope_policy_tests::requests::bearer;
use scope_policy_tests::tokens::{SECRET, hs256, mint};
use scope_runtime::{PathClass, PathGuard, Policy, ScopeLayer, scopes};

/// Cases when `PROPTEST_CASES` is not set.
const CASES: u32 = 512;

const ADMIN: &str = "tenant:admin";

static POLICY: Policy = scopes! {
    "GET /agents/{agent_id}"       => ["agents:{agent_id}:read"],
    "POST /agents/{agent_id}/runs" => any["agents:run", "agents:{agent_id}:run"],
    "GET /orgs/{org}/repos/{repo}" => ["repo:{org}/{repo}:read"],
    "GET /files/{*path}"           => ["files:{path}:read"],
};

// ------------------------------------------------------------------------ the router

/// One of the routes of [`POLICY`], and what its handler records: `tag value...`, the
/// values separated by a byte no value holds after `Path` decoded it as UTF-8.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Route {
    Agent,
    Run,
    Repo,
    File,
}

const SEPARATOR: char = '\u{FFFF}';

impl Route {
    fn tag(self) -> &'static str {
        match self {
            Route::Agent => "agent",
            Route::Run => "run",
            Route::Repo => "repo",
            Route::File => "file",
        }
    }

    fn method(self, head: bool) -> &'static str {
        match self {
            Route::Run => "POST",
            _ if head => "HEAD",
            _ => "GET",
        }
    }

    /// The template as written.
    fn template(self) -> &'static str {
        match self {
            Route::Agent => "agents:{agent_id}:read",
            Route::Run => "agents:{agent_id}:run",
            Route::Repo => "repo:{org}/{repo}:read",
            Route::File => "files:{path}:read",
        }
    }

    /// The template filled with `values` (one per capture, in order; `*` for the
    /// wildcard).
    fn fill(self, values: &[&str]) -> String {
        match (self, values) {
            (Route::Agent, [v]) => format!("agents:{v}:read"),
            (Route::Run, [v]) => format!("agents:{v}:run"),
            (Route::Repo, [org, repo]) => format!("repo:{org}/{repo}:read"),
            (Route::File, [path]) => format!("files:{path}:read"),
            _ => unreachable!("{self:?} takes other values than {values:?}"),
        }
    }

    /// The fixed scopes that satisfy the rule whatever the values (its `any[...]`
    /// alternatives).
    fn global(self) -> &'static [&'static str] {
        match self {
            Route::Run => &["agents:run"],
            _ => &[],
        }
    }

    fn captures(self) -> usize {
        match self {
            Route::Repo => 2,
            _ => 1,
        }
    }

    fn path(self, values: &[String]) -> String {
        match (self, values) {
            (Route::Agent, [v]) => format!("/agents/{v}"),
            (Route::Run, [v]) => format!("/agents/{v}/runs"),
            (Route::Repo, [org, repo]) => format!("/orgs/{org}/repos/{repo}"),
            (Route::File, [path]) => format!("/files/{path}"),
            _ => unreachable!(),
        }
    }

    fn from_tag(tag: &str) -> Route {
        match tag {
            "agent" => Route::Agent,
            "run" => Route::Run,
            "repo" => Route::Repo,
            "file" => Route::File,
            _ => unreachable!("{tag}"),
        }
    }
}

/// What a handler was entered with: its route and its `Path` values.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Served {
    route: Route,
    values: Vec<String>,
}

impl Served {
    fn parse(entry: &str) -> Served {
        let mut parts = entry.split(SEPARATOR);
        let route = Route::from_tag(parts.next().expect("a tag"));
        Served {
            route,
            values: parts.map(str::to_owned).collect(),
        }
    }
}

fn record(log: &Log, route: Route, values: &[&str]) {
    let mut entry = route.tag().to_owned();
    for value in values {
        entry.push(SEPARATOR);
        entry.push_str(value);
    }
    log.push(entry);
}

/// The routes of [`POLICY`], each handler recording what axum handed it.
fn router(log: &Log) -> Router {
    async fn agent(State(log): State<Log>, Path(id): Path<String>) {
        record(&log, Route::Agent, &[&id]);
    }
    async fn run(State(log): State<Log>, Path(id): Path<String>) {
        record(&log, Route::Run, &[&id]);
    }
    async fn repo(State(log): State<Log>, Path((org, repo)): Path<(String, String)>) {
        record(&log, Route::Repo, &[&org, &repo]);
    }
    async fn file(State(log): State<Log>, Path(path): Path<String>) {
        record(&log, Route::File, &[&path]);
    }
    Router::new()
        .route("/agents/{agent_id}", get(agent))
        .route("/agents/{agent_id}/runs", post(run))
        .route("/orgs/{org}/repos/{repo}", get(repo))
        .route("/files/{*path}", get(file))
        .with_state(log.clone())
}

/// The layer of one case: the default guard, or one that lets encoded `%` through (so
/// that values holding a `%` reach the templates too).
fn layer(allow_percent: bool) -> ScopeLayer {
    let guard = if allow_percent {
        PathGuard::strict().allow(PathClass::EncodedPercent)
    } else {
        PathGuard::strict()
    };
    ScopeLayer::new(hs256(SECRET), POLICY)
        .admin_scope(ADMIN)
        .path_guard(guard)
}

// ------------------------------------------------------------------------ the oracle

/// Whether a value `Path` handed over can fill a template: a non-empty RFC 6749
/// scope-token (printable ASCII but space, `"` and `\`) without `*` (the wildcard) or
/// braces (the template's own syntax).
fn fills(value: &str) -> bool {
    !value.is_empty()
        && value
            .bytes()
            .all(|b| matches!(b, 0x21..=0x7e) && !matches!(b, b'"' | b'\\' | b'*' | b'{' | b'}'))
}

/// Every token scope that satisfies the rule of `served`, given the values it received.
fn accepted(served: &Served) -> Vec<String> {
    let route = served.route;
    let mut accepted: Vec<String> = route.global().iter().map(|s| (*s).to_owned()).collect();
    if served.values.iter().all(|v| fills(v)) {
        // Each capture as its value or as `*`.
        for mask in 0..(1u32 << served.values.len()) {
            let values: Vec<&str> = served
                .values
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    if mask & (1 << i) != 0 {
                        "*"
                    } else {
                        v.as_str()
                    }
                })
                .collect();
            accepted.push(route.fill(&values));
        }
    }
    accepted
}

// ------------------------------------------------------------------------ strategies

/// One piece of a capture value as written in the request path.
fn piece() -> impl Strategy<Value = String> {
    const SPECIAL: &[&str] = &[
        "*",
        "%2A",
        "%2a",
        ":",
        "%3A",
        "%3a",
        "%20",
        "+",
        "%22",
        "\"",
        "%C3%A9",
        "%c3%a9",
        "%E2%82%AC",
        "%FF",
        "%7B",
        "%7D",
        "{",
        "}",
        "{agent_id}",
        "%7Bagent_id%7D",
        "{org}",
        "{repo}",
        "{path}",
        "a:b",
        "%2F",
        "%2f",
        "/",
        "%25",
        "%2541",
        "%5C",
        "%00",
        ".",
        "..",
        "%2E",
        "?",
        "%3F",
        "#",
        "%23",
        "~",
        "%7E",
        "%41",
        "'",
        "!",
        "$",
        "&",
        "=",
        "@",
        ",",
        ";",
        "|",
        "^",
        "`",
        "<",
        ">",
        "[",
        "]",
    ];
    prop_oneof![
        4 => "[a-z0-9_-]{1,4}",
        2 => (0x21u8..0x7f).prop_map(|b| char::from(b).to_string()),
        3 => select(SPECIAL).prop_map(str::to_owned),
        2 => (any::<u8>(), any::<bool>()).prop_map(|(b, lower)| if lower {
            format!("%{b:02x}")
        } else {
            format!("%{b:02X}")
        }),
    ]
}

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => Just(String::new()),
        8 => vec(piece(), 1..5).prop_map(|pieces| pieces.concat()),
    ]
}

/// One case: a route, the raw spelling of its values, the method variant, the guard,
/// which candidate scopes the token holds (a bit per candidate, see [`candidates`]),
/// and where the layer goes.
#[derive(Clone, Debug)]
struct Case {
    route: Route,
    values: Vec<String>,
    head: bool,
    allow_percent: bool,
    held: u32,
    admin: bool,
    /// The layer around the whole router (`ScopeLayer::layer(router)`) rather than
    /// under `Router::layer`.
    wrapped: bool,
}

impl Case {
    fn path(&self) -> String {
        self.route.path(&self.values)
    }
}

fn case() -> impl Strategy<Value = Case> {
    let route = select(&[Route::Agent, Route::Run, Route::Repo, Route::File][..]);
    (
        route,
        vec(value(), 2),
        any::<bool>(),
        prop_oneof![3 => Just(false), 1 => Just(true)],
        // Up to 8 of the candidates (shrinking drops them one by one).
        proptest::bits::u32::sampled(0..8, 0..32),
        prop_oneof![15 => Just(false), 1 => Just(true)],
        any::<bool>(),
    )
        .prop_map(
            |(route, mut values, head, allow_percent, held, admin, wrapped)| {
                values.truncate(route.captures());
                Case {
                    route,
                    values,
                    head,
                    allow_percent,
                    held,
                    admin,
                    wrapped,
                }
            },
        )
}

/// The test's own, naive percent-decoding (lossy UTF-8): a spelling of "another value"
/// for the candidates, never the oracle's.
fn naive_decode(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(b) = raw
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The scopes a token may be drawn from: the ones filled with what the handler
/// received (when it was entered) and their wildcards, scopes for other values, the
/// template as written, junk (at most 32).
fn candidates(case: &Case, served: Option<&Served>) -> Vec<String> {
    let route = served.map_or(case.route, |s| s.route);
    let received: Vec<String> = match served {
        Some(served) => served.values.clone(),
        None => case.values.iter().map(|v| naive_decode(v)).collect(),
    };
    let fill = |values: &[String]| {
        let values: Vec<&str> = values.iter().map(String::as_str).collect();
        route.fill(&values)
    };
    let with = |f: &dyn Fn(&str) -> String| -> String {
        let values: Vec<String> = received.iter().map(|v| f(v)).collect();
        fill(&values)
    };
    let star = vec!["*".to_owned(); received.len()];
    let mut candidates = vec![
        // What the handler received, and the wildcards.
        fill(&received),
        fill(&star),
        with(&|v| {
            if received.len() > 1 && v == received[0] {
                "*".into()
            } else {
                v.into()
            }
        }),
        // Other values: the raw spelling, the test's own decoding of it, near misses.
        fill(&case.values),
        with(&|v| naive_decode(&naive_decode(v))),
        with(&|v| format!("{v}x")),
        with(&|v| v.chars().skip(1).collect()),
        with(&|v| v.to_uppercase()),
        with(&|v| v.replace(['*', '{', '}', ' ', '"'], "")),
        with(&|v| format!("{}*", v.chars().take(1).collect::<String>())),
        with(&|v| v.trim_end_matches('/').to_owned()),
        with(&|v| format!("{v}/")),
        with(&|_| String::new()),
        // The template as written; near-wildcards; junk.
        route.template().to_owned(),
        with(&|_| "**".into()),
        with(&|_| "%2A".into()),
        fill(&case.values).replace(':', "::"),
        // The filled scope and the wildcard, one byte off at either end: same length.
        off_by_one_byte(&fill(&received), true),
        off_by_one_byte(&fill(&received), false),
        off_by_one_byte(&fill(&star), true),
        off_by_one_byte(&fill(&star), false),
        "agents:read".to_owned(),
        "agents:run".to_owned(),
        "*".to_owned(),
        "files:read".to_owned(),
        "repo:*:read".to_owned(),
    ];
    candidates.extend(route.global().iter().map(|s| (*s).to_owned()));
    candidates
}

/// `scope` with its last (or first) character replaced by another ASCII letter.
fn off_by_one_byte(scope: &str, last: bool) -> String {
    let mut chars: Vec<char> = scope.chars().collect();
    let at = if last { chars.len() - 1 } else { 0 };
    chars[at] = if chars[at] == 'Q' { 'R' } else { 'Q' };
    chars.into_iter().collect()
}

// ------------------------------------------------------------------------ the property

#[derive(Default)]
struct Stats {
    cases: Cell<u64>,
    unsendable: Cell<u64>,
    not_served: Cell<u64>,
    reached: Cell<u64>,
    reached_by_template: Cell<u64>,
    refused_403: Cell<u64>,
    refused_400: Cell<u64>,
    invalid_values: Cell<u64>,
}

impl Stats {
    fn bump(c: &Cell<u64>) {
        c.set(c.get() + 1);
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("tokio runtime")
}

fn check(rt: &tokio::runtime::Runtime, stats: &Stats, case: &Case) -> Result<(), TestCaseError> {
    Stats::bump(&stats.cases);
    let path = case.path();
    let method = case.route.method(case.head);
    let Ok(uri) = http::Uri::try_from(path.as_str()) else {
        Stats::bump(&stats.unsendable);
        return Ok(());
    };
    // What the router serves, with no layer in the way.
    let bare_log = Log::default();
    let bare = router(&bare_log);
    let probe = mint(&[]);
    rt.block_on(send(&bare, bearer(method, &path, &probe)));
    let served: Vec<Served> = bare_log.take().iter().map(|e| Served::parse(e)).collect();
    prop_assert!(served.len() <= 1, "{served:?}");
    let served = served.into_iter().next();

    let candidates = candidates(case, served.as_ref());
    assert!(candidates.len() <= 32, "a bit per candidate");
    let mut held: Vec<&str> = candidates
        .iter()
        .enumerate()
        .filter(|(i, _)| case.held & (1 << i) != 0)
        .map(|(_, s)| s.as_str())
        .collect();
    if case.admin {
        held.push(ADMIN);
    }
    let log = Log::default();
    let request = bearer(method, &path, &mint(&held));
    let reply = if case.wrapped {
        let guarded = tower::Layer::layer(&layer(case.allow_percent), router(&log));
        rt.block_on(send(&guarded, request))
    } else {
        let guarded = router(&log).layer(layer(case.allow_percent));
        rt.block_on(send(&guarded, request))
    };
    let reached: Vec<Served> = log.take().iter().map(|e| Served::parse(e)).collect();
    prop_assert!(reply.status.as_u16() < 500, "{reply:?}");
    assert_clean_headers(&reply)?;

    let Some(served) = served else {
        Stats::bump(&stats.not_served);
        prop_assert!(
            reached.is_empty(),
            "{path}: not served bare, yet reached {reached:?}"
        );
        return Ok(());
    };
    let accepted = accepted(&served);
    let may = case.admin || held.iter().any(|s| accepted.iter().any(|a| a == s));
    if !served.values.iter().all(|v| fills(v)) {
        Stats::bump(&stats.invalid_values);
    }
    if reply.status == StatusCode::BAD_REQUEST && reached.is_empty() {
        // The guard's refusal of a spelling, before any token: allowed whatever the
        // token, and only for a refused spelling.
        let guard = if case.allow_percent {
            PathGuard::strict().allow(PathClass::EncodedPercent)
        } else {
            PathGuard::strict()
        };
        prop_assert!(
            guard.check(uri.path()).is_err(),
            "{path}: 400 for a spelling the guard lets through: {reply:?}"
        );
        Stats::bump(&stats.refused_400);
        return Ok(());
    }
    if may {
        prop_assert_eq!(
            &reached,
            &vec![served.clone()],
            "{} {}: holding {:?} (accepted: {:?}), the handler saw {:?}: {:?}",
            method,
            path,
            held,
            accepted,
            served,
            reply
        );
        Stats::bump(&stats.reached);
        if !case.admin && !held.iter().any(|s| served.route.global().contains(s)) {
            Stats::bump(&stats.reached_by_template);
        }
    } else {
        prop_assert!(
            reached.is_empty(),
            "{} {}: holding {:?} (accepted: {:?}), the handler was entered with {:?}",
            method,
            path,
            held,
            accepted,
            reached
        );
        prop_assert_eq!(
            reply.status,
            StatusCode::FORBIDDEN,
            "{} {}: {:?}",
            method,
            path,
            reply
        );
        // The 403 names the scopes filled with what the handler would have received, or
        // the template as written when those values fill none.
        let named = accepted
            .iter()
            .filter(|s| !s.contains('*'))
            .cloned()
            .collect::<Vec<_>>();
        let named = if named.len() == served.route.global().len() {
            let mut named = named;
            named.push(served.route.template().to_owned());
            named
        } else {
            named
        };
        // The challenge asks for what is needed: of the one any-of rule, its first
        // alternative; the detail names every alternative, filled.
        let any_of = served.route == Route::Run;
        let advertised = if any_of { &named[..1] } else { &named[..] };
        let expected = format!(
            r#"Bearer error="insufficient_scope", scope="{}""#,
            advertised.join(" ")
        );
        prop_assert_eq!(
            reply.challenge(),
            Some(expected.as_str()),
            "{} {}",
            method,
            path
        );
        if method != "HEAD" {
            let detail = format!(
                "Insufficient permissions. Required scope(s): {}{}",
                if any_of { "one of " } else { "" },
                named.join(", ")
            );
            let body = reply.json();
            prop_assert_eq!(
                body["detail"].as_str(),
                Some(detail.as_str()),
                "{} {}",
                method,
                path
            );
        }
        Stats::bump(&stats.refused_403);
    }
    Ok(())
}

/// Every header value is visible ASCII or space: no byte of a request path reaches a
/// header raw.
fn assert_clean_headers(reply: &Reply) -> Result<(), TestCaseError> {
    for (name, value) in &reply.headers {
        prop_assert!(
            value.as_bytes().iter().all(|&b| (0x20..0x7f).contains(&b)),
            "{}: {:?}",
            name,
            value
        );
    }
    Ok(())
}

#[test]
fn the_handler_is_reached_iff_the_token_holds_the_template_filled_with_what_it_receives() {
    let config = contextualize_config(Config {
        cases: CASES,
        failure_persistence: None,
        ..Config::default()
    });
    let rt = runtime();
    let stats = Stats::default();
    let result = TestRunner::new(config).run(&case(), |case| check(&rt, &stats, &case));
    let mut summary = String::new();
    write!(
        summary,
        "{} cases ({} unsendable, {} not served by the router): {} reached ({} by a template), \
         {} refused 403, {} refused 400; {} with values that fill no template",
        stats.cases.get(),
        stats.unsendable.get(),
        stats.not_served.get(),
        stats.reached.get(),
        stats.reached_by_template.get(),
        stats.refused_403.get(),
        stats.refused_400.get(),
        stats.invalid_values.get(),
    )
    .expect("a String");
    println!("{summary}");
    if let Err(e) = result {
        panic!("{e}\n{summary}");
    }
    // Not vacuous: each outcome happened.
    for (what, count) in [
        ("reached by a template", stats.reached_by_template.get()),
        ("refused 403", stats.refused_403.get()),
        ("refused 400", stats.refused_400.get()),
        ("values filling no template", stats.invalid_values.get()),
    ] {
        assert!(count > 0, "no case {what}: {summary}");
    }
}
