//! Red-team attacks on the path-confusion fix, against real axum routers.
//!
//! Every attack builds the router a plausible user would write, sends the hostile
//! request in-process (`tower::ServiceExt::oneshot` on a raw `http::Uri`) or on a raw
//! TCP connection, and checks that if a protected handler or file was reached, the caller
//! satisfied the rule of what was served, with the values it received, and that a
//! refusal says nothing about which routes exist.
//!
//! The tests under "findings" each failed on a first version of the fix (one bypass or
//! leak each, minimised) and guard what closed it. The tests under "withstood" cover
//! ground the other suites (`path_confusion.rs`, `path_confusion_property.rs`,
//! `adversarial/`) do not.

mod path_lab;

use std::convert::Infallible;

use axum::Router;
use axum::body::Body;
use axum::extract::{MatchedPath, Path};
use axum::response::Response;
use axum::routing::get;
use http::{Method, Request, StatusCode};
use scope_policy_tests::files::TempDir;
use scope_policy_tests::placement::placements;
use scope_policy_tests::raw_http::{RawReply, raw_http, raw_request};
use scope_policy_tests::record::{Hits, Log, counted};
use scope_policy_tests::reply::{Reply, send};
use scope_policy_tests::requests::{anonymous, bearer};
use scope_policy_tests::server::serve;
use scope_policy_tests::tokens::{SECRET, hs256, mint};
use scope_runtime::{Policy, ScopeLayer, Unmapped, scopes};
use tower::{Layer as _, Service};
use tower_http::normalize_path::NormalizePathLayer;
use tower_http::services::ServeDir;

// ====================================================================== harness

/// A `GET` handler of a route with one capture that logs its matched route and value.
fn logged_capture(log: &Log) -> axum::routing::MethodRouter {
    let log = log.clone();
    get(
        move |matched: MatchedPath, Path(value): Path<String>| async move {
            log.push(format!("{} {value}", matched.as_str()));
            "capture handler"
        },
    )
}

// ====================================================================== findings

/// A public page at the literal route `literal.0` (answering `literal.1`) beside the
/// capture route `capture`, whose handler logs what it was entered with into `log`.
fn literal_beside_capture(literal: (&str, &'static str), capture: &str, log: &Log) -> Router {
    let (path, page) = literal;
    Router::new()
        .route(path, get(move || async move { page }))
        .route(capture, logged_capture(log))
}

/// Anonymous `GET`s of `paths`, escaped spellings of a public literal route, reach no
/// capture handler: axum routes them to the capture route beside the literal (it compares
/// raw bytes), whose rule, `capture_rule`, needs a scope.
async fn assert_capture_unreached<S>(app: &S, log: &Log, paths: &[&str], capture_rule: &str)
where
    S: Service<Request<Body>, Response = Response, Error = Infallible> + Clone,
{
    for path in paths {
        let reply = send(app, anonymous("GET", path)).await;
        let reached = log.take();
        assert!(
            reached.is_empty(),
            "anonymous GET {path} reached {reached:?} ({reply:?}); its rule `{capture_rule}` \
             needs a scope, the layer applied the public literal's rule"
        );
    }
}

/// Finding (high): an encoded spelling of a literal segment is routed by axum (which
/// matches the raw bytes) to the sibling `{id}` route, while the layer (which matches
/// the decoded bytes) applies the literal's rule.
///
/// Router: `/reports/summary` (a public page) and `/reports/{id}` (one report, needs
/// `reports:read`). `GET /reports/%73ummary` is decided by `GET /reports/summary =>
/// public`, and served, anonymously, by the `{id}` handler with `id = "summary"`. Every
/// reading of a path must be allowed (docs/matching.md, rule 1), so the rule of the route
/// that serves it, `GET /reports/{id}`, binds too. The first version of the guard did not
/// refuse escaped unreserved characters, a spelling with two readings; lower-case hex and
/// any escaped unreserved byte worked.
#[tokio::test]
async fn encoded_literal_served_by_the_capture_route_needs_the_capture_rule() {
    static REPORTS: Policy = scopes! {
        "GET /reports/summary" => public,
        "GET /reports/{id}"    => ["reports:read"],
    };
    let log = Log::default();
    let router =
        literal_beside_capture(("/reports/summary", "summary page"), "/reports/{id}", &log);
    for (placement, app) in placements(router, &ScopeLayer::new(hs256(SECRET), REPORTS)) {
        // The legitimate spellings are decided as intended.
        let reply = send(&app, anonymous("GET", "/reports/summary")).await;
        assert_eq!(
            (reply.status, &reply.body[..]),
            (StatusCode::OK, &b"summary page"[..])
        );
        let status = send(&app, anonymous("GET", "/reports/q3")).await.status;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{placement}");
        assert_eq!(log.take(), Vec::<String>::new());

        let paths = [
            "/reports/%73ummary",
            "/reports/summar%79",
            "/reports/%73%75%6d%6d%61%72%79",
        ];
        assert_capture_unreached(&app, &log, &paths, "GET /reports/{id}").await;
    }
}

/// Finding (high, same root cause): the escape need not be of an unreserved character.
/// Any byte a route literal may hold raw (sub-delims, `:`, `@`) has the same two
/// readings, so refusing only escaped unreserved characters would not close it.
///
/// Router: `/files/upload:status` (public) and `/files/{name}` (needs `files:read`).
/// `GET /files/upload%3Astatus` is decided by the public literal rule and served by the
/// `{name}` handler with `name = "upload:status"`.
#[tokio::test]
async fn encoded_sub_delim_served_by_the_capture_route_needs_the_capture_rule() {
    static FILES: Policy = scopes! {
        "GET /files/upload:status" => public,
        "GET /files/{name}"        => ["files:read"],
    };
    let log = Log::default();
    let router = literal_beside_capture(
        ("/files/upload:status", "upload status"),
        "/files/{name}",
        &log,
    );
    let app = router.layer(ScopeLayer::new(hs256(SECRET), FILES));
    let status = send(&app, anonymous("GET", "/files/upload:status"))
        .await
        .status;
    assert_eq!(status, StatusCode::OK);
    let paths = ["/files/upload%3Astatus", "/files/upload%3astatus"];
    assert_capture_unreached(&app, &log, &paths, "GET /files/{name}").await;
}

/// Finding (high, same root cause, and a blind spot of the differential property): on
/// the lab's own router and its `every_route` policy (every route mapped with its own
/// axum spelling), a token with no scope reaches `/api/users/{id}` (rule `["a"]`) through
/// `GET /api/users/%6De`, and a token with `a` reaches the nested `/n/{id}` (rule
/// `["b"]`) through `GET /n/%61`.
///
/// The lab's oracle rebuilds the canonical path from the handler's values
/// (`/api/users/me`) and looks it up in the policy, which gives the literal's rule again:
/// it cannot tell the `{id}` route from the `me` route, so `path_confusion_property`
/// never reports this. The oracle should look up the rule of the route that served.
#[tokio::test]
async fn lab_capture_reached_through_an_encoded_literal_needs_the_capture_rule() {
    use path_lab::{Placement, Probe, Served, Setup, Token};
    let index = path_lab::POLICIES
        .iter()
        .position(|(name, _)| *name == "every_route")
        .expect("every_route");
    for placement in [Placement::RouterLayer, Placement::Wrapped] {
        let setup = Setup::new(index, 0, Unmapped::Deny, placement);
        let app = setup.app();
        for (path, token) in [
            ("/api/users/%6De", Token::Scopes(0)),
            ("/api/users/%6de", Token::Scopes(0)),
            ("/n/%61", Token::Scopes(1)),
        ] {
            let probe = Probe {
                method: Method::GET,
                path: path.to_owned(),
                token,
            };
            let outcome = path_lab::send(&app, &probe).await.expect("a valid URI");
            let Some(Served::Handler { route, values }) = &outcome.served else {
                continue;
            };
            // The lab's own oracle is satisfied...
            let oracle = path_lab::check(&setup, &probe, &outcome);
            // ...but the rule of the route that served is not.
            let key = format!("GET {route}");
            let rule = setup
                .policy
                .rules()
                .iter()
                .find(|rule| rule.key() == key)
                .expect("every route has its own rule");
            let passes = path_lab::may_pass(Some(rule), Unmapped::Deny, token);
            assert!(
                passes,
                "{placement:?}: GET {path} with {token} reached `{route}` with {values:?}, \
                 whose rule is {rule}; the lab's oracle says {oracle:?}"
            );
        }
    }
}

/// Finding (medium): `ServeDir` (default `append_index_html_on_directories(true)`)
/// serves `dir/index.html` for `/static/admin/`, and the layer decides on the rules of
/// `/static/admin/` and `/static/admin` only, never on the rule of the file served.
///
/// Policy: the static tree is public, the files directly under `admin/` need `admin`
/// (`GET /static/admin/*`). Anonymous `GET /static/admin/index.html` is refused, but
/// anonymous `GET /static/admin/` gets the same file (the `*` needs a non-empty segment,
/// so only `GET /static/**` matches).
#[tokio::test]
async fn serve_dir_index_html_is_bound_by_its_file_rule() {
    static SITE: Policy = scopes! {
        "GET /static/**"      => public,
        "GET /static/admin/*" => ["admin"],
    };
    const INDEX: &[u8] = b"admin console: not for anonymous eyes\n";
    let dir = TempDir::new("index-html");
    dir.write("admin/index.html", INDEX);
    dir.write("pub.txt", b"public\n");
    let router = Router::new().nest_service("/static", ServeDir::new(dir.path()));
    for (placement, app) in placements(router, &ScopeLayer::new(hs256(SECRET), SITE)) {
        let status = send(&app, anonymous("GET", "/static/pub.txt")).await.status;
        assert_eq!(status, StatusCode::OK, "{placement}");
        let status = send(&app, anonymous("GET", "/static/admin/index.html"))
            .await
            .status;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{placement}");

        for (method, path) in [("GET", "/static/admin/"), ("HEAD", "/static/admin/")] {
            let reply = send(&app, anonymous(method, path)).await;
            let status = reply.status;
            let served = reply.body == INDEX
                || (method == "HEAD"
                    && status == StatusCode::OK
                    && reply.header("content-length") == Some(&INDEX.len().to_string()));
            assert!(
                !served,
                "{placement}: anonymous {method} {path} was served admin/index.html \
                 ({status}); its rule `GET /static/admin/*` needs admin"
            );
        }
    }
}

/// Finding (low, information leak): under `Router::layer`, a refusal on a path some
/// route matches (the route's handler, or axum's method fallback for a method the route
/// lacks) gets a `content-length` header from axum's route future, and a HEAD refusal
/// loses its body; on a path no route matches (the router's fallback) neither happens.
/// This holds for the 401 and for the pre-token 400 of a refused spelling alike: an
/// anonymous caller tells existing routes from missing ones by the headers.
#[tokio::test]
async fn refusal_headers_are_the_same_for_existing_and_missing_routes() {
    static API: Policy = scopes! {
        "GET /agents" => ["app:read"],
    };
    let app = Router::new()
        .route("/agents", get(|| async { "agents" }))
        .route("/agents/{id}", get(|| async { "agent" }))
        .layer(ScopeLayer::new(hs256(SECRET), API));
    for (method, existing, missing) in [
        ("DELETE", "/agents", "/no-such-route"),
        ("HEAD", "/agents", "/no-such-route"),
        ("GET", "/agents/x", "/no-such-route/x"),
        // The 400 for a refused spelling, before any token is read.
        ("GET", "/agents/%2e", "/no-such-route/%2e"),
    ] {
        let on_existing = send(&app, anonymous(method, existing)).await;
        let on_missing = send(&app, anonymous(method, missing)).await;
        let status = on_existing.status;
        assert!(status.is_client_error(), "{method} {existing}: {status}");
        let seen = |reply: &Reply| {
            let body = String::from_utf8_lossy(&reply.body).into_owned();
            (reply.status, reply.headers.clone(), body)
        };
        assert_eq!(
            seen(&on_existing),
            seen(&on_missing),
            "anonymous {method} {existing}: the refusal on an existing route (left) differs \
             from the one on a missing route (right)"
        );
    }
}

/// Finding (low, information leak, on the wire): the same difference survives hyper,
/// which adds the missing `content-length` itself but after `connection`, so the header
/// order of a refusal tells an existing route from a missing one over raw TCP.
#[tokio::test]
async fn refusal_header_order_is_the_same_on_the_wire() {
    static API: Policy = scopes! {
        "GET /agents" => ["app:read"],
    };
    let app = Router::new()
        .route("/agents", get(|| async { "agents" }))
        .layer(ScopeLayer::new(hs256(SECRET), API));
    let server = serve(app).await;
    let names = |reply: &RawReply| -> Vec<String> {
        reply
            .headers
            .iter()
            .map(|(name, _)| name.to_ascii_lowercase())
            .filter(|name| name != "date")
            .collect()
    };
    for method in [&b"DELETE"[..], b"GET"] {
        let existing = raw_http(server.addr, &raw_request(method, b"/agents", &[])).await;
        let missing = raw_http(server.addr, &raw_request(method, b"/no-such-route", &[])).await;
        assert_eq!(existing.status, Some(401));
        assert_eq!(
            names(&existing),
            names(&missing),
            "{}: header order reveals the route",
            String::from_utf8_lossy(method)
        );
    }
}

/// Finding (low, placement): a path rewrite between the layer and the router
/// (`NormalizePathLayer::append_trailing_slash()` inside the layer) lets `GET /admin` be
/// decided by the rules for `/admin` and served by the `/admin/` route. Rewrites belong
/// outside the layer (README, "Where the layer goes"); there the layer decides on the
/// rewritten path and the `/admin/` rule binds.
#[tokio::test]
async fn append_trailing_slash_outside_the_layer() {
    static PANEL: Policy = scopes! {
        "GET /**"     => [],
        "GET /admin/" => ["admin"],
    };
    let reached = Hits::default();
    let router = Router::new().route("/admin/", get(counted("admin panel", &reached)));
    let app = NormalizePathLayer::append_trailing_slash()
        .layer(ScopeLayer::new(hs256(SECRET), PANEL).layer(router));
    for path in ["/admin/", "/admin"] {
        let status = send(&app, bearer("GET", path, &mint(&[]))).await.status;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
    }
    assert_eq!(reached.get(), 0);
    let status = send(&app, bearer("GET", "/admin", &mint(&["admin"])))
        .await
        .status;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(reached.get(), 1);
}

// ====================================================================== withstood

/// Withstood: the decoder's 256-byte stack buffer and its heap fallback. A rule literal
/// spelled with escapes so that the raw path is 250 to 262 bytes (and 4 KiB) long is
/// still the literal's rule, one byte off is not, and the value is decoded the same on
/// both sides of the boundary. (No other suite sends encoded paths near 256 bytes.)
#[tokio::test]
async fn long_encoded_paths_around_the_stack_buffer() {
    static LONG: Policy = scopes! {
        "GET /a/*" => public,
        "GET /a/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" => ["s"],
    };
    const N: usize = 200;
    let log = Log::default();
    let app = Router::new()
        .route("/a/{v}", logged_capture(&log))
        .layer(ScopeLayer::new(hs256(SECRET), LONG));
    // `escaped` of the N `x`s are `%78`: raw length 3 + N + 2 * escaped.
    for escaped in (0..=N).filter(|e| (250..=262).contains(&(3 + N + 2 * e)) || *e == N) {
        let value = |last: char| format!("{}{last}", "x".repeat(N - 1));
        let spell = |value: &str| -> String {
            value
                .chars()
                .enumerate()
                .map(|(i, c)| {
                    if i >= N - escaped {
                        format!("%{:02X}", c as u32)
                    } else {
                        c.to_string()
                    }
                })
                .collect()
        };
        let literal = format!("/a/{}", spell(&value('x')));
        let status = send(&app, anonymous("GET", &literal)).await.status;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{} bytes", literal.len());
        let other = format!("/a/{}", spell(&value('y')));
        let status = send(&app, anonymous("GET", &other)).await.status;
        assert_eq!(status, StatusCode::OK, "{} bytes", other.len());
        assert_eq!(log.take(), [format!("/a/{{v}} {}", value('y'))]);
    }
    // Far past the buffer: 4 KiB of escapes.
    let long = format!("/a/{}", "%79".repeat(1400));
    let status = send(&app, anonymous("GET", &long)).await.status;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(log.take(), [format!("/a/{{v}} {}", "y".repeat(1400))]);
}

/// Withstood: request targets `http::Uri` takes but no other suite sends, on raw TCP:
/// asterisk-form, authority-form `CONNECT`, absolute-form with another host and an
/// encoded dot segment, overlong UTF-8 (`%C0%AF`), invalid UTF-8 (`%FF`), U+2028, and an
/// encoded `?`. None answers 5xx, none reaches the protected handler anonymously.
#[tokio::test]
async fn odd_request_targets() {
    static ODD: Policy = scopes! {
        "* /admin/**" => ["admin"],
        "GET /pub/*"  => public,
    };
    let reached = Hits::default();
    let app = Router::new()
        .route("/admin/{*rest}", get(counted("admin", &reached)))
        .route("/pub/{v}", get(|Path(v): Path<String>| async move { v }))
        .layer(ScopeLayer::new(hs256(SECRET), ODD));
    let server = serve(app).await;
    for (method, target) in [
        (&b"OPTIONS"[..], &b"*"[..]),
        (b"CONNECT", b"127.0.0.1:80"),
        (b"GET", b"http://evil.example/admin/x"),
        (b"GET", b"http://evil.example/pub/%2e%2e/admin/x"),
        (b"GET", b"/pub/%C0%AF..%C0%AFadmin"),
        (b"GET", b"/pub/%FF"),
        (b"GET", b"/pub/%E2%80%A8"),
        (b"GET", b"/pub/x%3F/../admin/x"),
        (b"GET", b"/pub/x?/../../admin/x"),
        (b"GET", b"/admin%3Fx"),
    ] {
        let reply = raw_http(server.addr, &raw_request(method, target, &[])).await;
        let status = reply.status.unwrap_or(0);
        assert!(
            (400..500).contains(&status) || status == 200,
            "{} {}: {reply:?}",
            String::from_utf8_lossy(method),
            String::from_utf8_lossy(target)
        );
    }
    assert_eq!(reached.get(), 0, "an anonymous request reached /admin");
}

/// Withstood: shapes of composition the other suites do not build: `nest` inside
/// `nest`, `nest_service` of a router that itself `nest`s, `merge`, `route_service`, and
/// the layer on an inner router with `route_layer`. The full path decides; `//`, dot
/// segments and `%2F` are refused before the token.
#[tokio::test]
async fn nested_compositions_decide_on_the_full_path() {
    static DEEP: Policy = scopes! {
        "GET /**"            => public,
        "GET /o/i/secret"    => ["s"],
        "GET /ns/d/secret"   => ["s"],
        "GET /m/secret"      => ["s"],
        "GET /svc"           => ["s"],
        "GET /rl/secret"     => ["s"],
    };
    let reached = Hits::default();
    let secret = |hits: &Hits| get(counted("secret", hits));
    let layer = ScopeLayer::new(hs256(SECRET), DEEP);
    let router = Router::new()
        .nest(
            "/o",
            Router::new().nest("/i", Router::new().route("/secret", secret(&reached))),
        )
        .nest_service(
            "/ns",
            Router::new().nest("/d", Router::new().route("/secret", secret(&reached))),
        )
        .merge(Router::new().route("/m/secret", secret(&reached)))
        .route_service(
            "/svc",
            tower::service_fn({
                let hits = reached.clone();
                move |_: Request<Body>| {
                    hits.hit();
                    async { Ok::<_, Infallible>(Response::new(Body::from("svc"))) }
                }
            }),
        )
        .merge(
            Router::new()
                .route("/rl/secret", secret(&reached))
                .route_layer(layer.clone()),
        );
    for (placement, app) in placements(router, &layer) {
        let before = reached.get();
        for path in [
            "/o/i/secret",
            "/o/i/%73ecret",
            "/ns/d/secret",
            "/ns/d/secret/",
            "/ns/%64/secret",
            "/m/secret",
            "/svc",
            "/svc/",
            "/rl/secret",
        ] {
            let status = send(&app, anonymous("GET", path)).await.status;
            assert!(
                matches!(status.as_u16(), 401 | 404),
                "{placement}: {path}: {status}"
            );
        }
        for path in [
            "/o//i/secret",
            "/o/i/./secret",
            "/ns//d/secret",
            "/ns/d%2Fsecret",
            "/ns/%2e/d/secret",
            "/rl/%2e/secret",
        ] {
            let status = send(&app, anonymous("GET", path)).await.status;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{placement}: {path}");
        }
        assert_eq!(reached.get(), before, "{placement}: a secret was reached");
        let token = mint(&["s"]);
        for path in ["/o/i/secret", "/ns/d/secret", "/m/secret", "/svc"] {
            let status = send(&app, bearer("GET", path, &token)).await.status;
            assert_eq!(status, StatusCode::OK, "{placement}: {path}");
        }
    }
}
