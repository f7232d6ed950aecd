//! Path confusion: spellings of a request path that the policy and the code serving the
//! request read differently. One regression test per known bypass, each on the router a
//! careful user would write, guarded by `ScopeLayer` (HS256, [`SECRET`]).
//!
//! What the file proves, for every attack:
//! - the exact refusal (status, the whole `WWW-Authenticate` value, the JSON body);
//! - that the protected handler or file was NOT reached (handlers record their entries and
//!   the values their extractors saw; a file is recognised by its body);
//! - that the legitimate spelling of the same request IS decided by the intended rule, so
//!   that no test can pass by refusing everything.
//!
//! The decision the layer must make, whatever the spelling, is the decision for what
//! will actually serve the request:
//! - spellings with two readings (an empty segment before the end, a dot segment, plain
//!   or encoded, an encoded `/` or `\`, a raw `\`, `%25`, a `%` without two hex digits,
//!   an encoded control character) are refused with 400 `invalid_request` before any
//!   token is read, on `public` rules too;
//! - other paths are decided on their percent-decoded segments, as extractors and
//!   `ServeDir` decode them;
//! - a trailing slash that axum hands to something other than a `.route()` (a nested
//!   service, `ServeDir`, the fallback), which serves it like the path without the slash,
//!   also needs the rule of the path without the slash;
//! - a refusal never carries an `Allow` header naming methods: it would tell an anonymous
//!   caller which paths exist.
//!
//! Requests go in-process with `tower::ServiceExt::oneshot`, built from raw `http::Uri`s,
//! which keep the path exactly as written.

use axum::Router;
use axum::body::Body;
use axum::extract::Path;
use axum::response::Response;
use axum::routing::{any, get, post};
use http::header::{ALLOW, CONTENT_LENGTH};
use http::{Request, StatusCode};
use scope_policy_tests::files::TempDir;
use scope_policy_tests::placement::{App, placements};
use scope_policy_tests::record::{Hits, Log, counted};
use scope_policy_tests::refusal::Refusal;
use scope_policy_tests::reply::{Reply, send};
use scope_policy_tests::requests::{anonymous, bearer, with_token};
use scope_policy_tests::seed::{ADMIN_SCOPE, SUPERADMIN};
use scope_policy_tests::tokens::{SECRET, forged, hs256, mint};
use scope_runtime::{Policy, ScopeLayer, Unmapped, scopes};
use std::convert::Infallible;
use tower::util::BoxCloneService;
use tower::{Layer as _, Service};
use tower_http::services::ServeDir;

// ====================================================================== harness

/// Two tokens the layer must never get as far as reading on a refused spelling: a
/// forgery holding `scopes` and something that is not a JWT at all.
fn invalid_tokens(scopes: &[&str]) -> [String; 2] {
    [forged(scopes), "not-a-jwt".to_owned()]
}

/// What every refused spelling starts its description with; the rest names the class
/// and is not pinned here.
const BAD_PATH: &str = "Invalid request path: ";

/// 400 `invalid_request` for the path itself: `{"detail": D}` with `D` starting with
/// [`BAD_PATH`], and exactly the challenge that carries `D` as its description.
#[track_caller]
fn assert_bad_path(reply: &Reply, what: &str) {
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{what}: {reply:?}");
    let detail = reply.json()["detail"]
        .as_str()
        .unwrap_or_else(|| panic!("{what}: no detail: {reply:?}"))
        .to_owned();
    assert!(
        detail.starts_with(BAD_PATH) && detail.len() > BAD_PATH.len(),
        "{what}: the detail does not name a path class: {reply:?}"
    );
    reply.refused(&Refusal::invalid_request(&detail));
}

/// `method path` is refused as a bad path whoever asks: with a valid token for each
/// entry of `holders` (the attacker's scopes first, then scopes that would pass every
/// rule of the test's policy), anonymously, and with invalid tokens (400, not 401: the
/// token is not even read).
async fn assert_spelling_refused<S>(app: &S, method: &str, path: &str, holders: &[&[&str]])
where
    S: Service<Request<Body>, Response = Response, Error = Infallible> + Clone,
{
    for scopes in holders {
        let reply = send(app, bearer(method, path, &mint(scopes))).await;
        assert_bad_path(&reply, &format!("{method} {path} with {scopes:?}"));
    }
    let reply = send(app, anonymous(method, path)).await;
    assert_bad_path(&reply, &format!("anonymous {method} {path}"));
    for token in invalid_tokens(holders.last().copied().unwrap_or_default()) {
        let reply = send(app, bearer(method, path, &token)).await;
        assert_bad_path(&reply, &format!("{method} {path} with token {token:?}"));
    }
}

// ====================================================================== empty segments

/// `//` before the end: axum matches the empty segment as an empty `{id}`, so
/// `/api/users//promote` is served by the promote handler, while the `*` of
/// `POST /api/users/*/promote` needs a non-empty segment and the broader
/// `* /api/**` rule would let any `api:user` token through.
#[tokio::test]
async fn empty_segment_escapes_the_specific_rule() {
    static API: Policy = scopes! {
        "* /api/**"                 => ["api:user"],
        "POST /api/users/*/promote" => ["api:admin"],
    };
    let (promote, rest) = (Hits::default(), Hits::default());
    let app: Router = Router::new()
        .route(
            "/api/users/{id}/promote",
            post(counted("promoted", &promote)),
        )
        .route("/api/{*rest}", any(counted("api", &rest)))
        .layer(ScopeLayer::new(hs256(SECRET), API));
    let user = mint(&["api:user"]);

    // The legitimate spelling is decided by the promote rule.
    send(&app, bearer("POST", "/api/users/42/promote", &user))
        .await
        .forbidden(&["api:admin"]);
    assert_eq!(promote.get(), 0);

    for path in [
        "/api/users//promote",
        "/api/users//promote/",
        "/api//users/42/promote",
    ] {
        assert_spelling_refused(
            &app,
            "POST",
            path,
            &[&["api:user"], &["api:user", "api:admin"]],
        )
        .await;
    }
    assert_eq!(promote.get(), 0, "the promote handler was reached");
    assert_eq!(rest.get(), 0, "the catch-all was reached");

    // Positive controls: the admin promotes, a user reaches the rest of the API, and a
    // trailing empty segment is not refused (it is a distinct, ordinary path).
    send(
        &app,
        bearer("POST", "/api/users/42/promote", &mint(&["api:admin"])),
    )
    .await
    .passed(200);
    assert_eq!(promote.get(), 1);
    for path in ["/api/users/42", "/api/users/"] {
        send(&app, bearer("GET", path, &user)).await.passed(200);
    }
    assert_eq!(rest.get(), 2);
    send(&app, anonymous("GET", "/api/users/42"))
        .await
        .missing();
}

/// `//` under `Unmapped::Allow`: `POST /agents//runs` matches no rule (the `*` needs a
/// non-empty segment), so it would pass anonymously, and axum serves it with the
/// `/agents/{id}/runs` handler that `POST /agents/*/runs` protects.
#[tokio::test]
async fn empty_segment_under_unmapped_allow() {
    static RUNS: Policy = scopes! {
        "POST /agents/*/runs" => ["app:run"],
    };
    let runs = Hits::default();
    let app: Router = Router::new()
        .route("/agents/{id}/runs", post(counted("ran", &runs)))
        .route("/about", get(|| async { "about" }))
        .layer(ScopeLayer::new(hs256(SECRET), RUNS).unmapped(Unmapped::Allow));

    for path in ["/agents//runs", "//agents/7/runs", "/agents/7//runs"] {
        assert_spelling_refused(&app, "POST", path, &[&["app:read"], &["app:run"]]).await;
    }
    assert_eq!(runs.get(), 0, "the runs handler was reached");

    // The legitimate spelling is decided by the runs rule, and unmapped routes really
    // are open.
    send(&app, anonymous("POST", "/agents/7/runs"))
        .await
        .missing();
    send(&app, bearer("POST", "/agents/7/runs", &mint(&["app:read"])))
        .await
        .forbidden(&["app:run"]);
    assert_eq!(runs.get(), 0);
    send(&app, bearer("POST", "/agents/7/runs", &mint(&["app:run"])))
        .await
        .passed(200);
    assert_eq!(runs.get(), 1);
    send(&app, anonymous("GET", "/about")).await.passed(200);
}

// ====================================================================== percent-encoding

/// `%72oot` is `root` for the `Path` extractor but another literal for a raw-byte
/// matcher: a `users:write` token would delete `root`, which needs `users:admin`.
#[tokio::test]
async fn percent_encoded_capture_value() {
    static USERS: Policy = scopes! {
        "DELETE /users/*"    => ["users:write"],
        "DELETE /users/root" => ["users:admin"],
    };
    let deleted = Log::default();
    let seen = deleted.clone();
    let app: Router = Router::new()
        .route(
            "/users/{id}",
            axum::routing::delete(move |Path(id): Path<String>| async move {
                seen.push(id.clone());
                format!("deleted {id}")
            }),
        )
        .layer(ScopeLayer::new(hs256(SECRET), USERS));
    let writer = mint(&["users:write"]);

    for path in [
        "/users/root",
        "/users/%72oot",
        "/users/r%6f%6ft",
        "/users/%72%6F%6F%74",
        "/users/roo%74",
    ] {
        send(&app, bearer("DELETE", path, &writer))
            .await
            .forbidden(&["users:admin"]);
        send(&app, anonymous("DELETE", path)).await.missing();
    }
    // Decoded once by the extractor, `%2572oot` is `%72oot`: a handler that decodes
    // again would delete `root`. Two readings, so refused.
    assert_spelling_refused(
        &app,
        "DELETE",
        "/users/%2572oot",
        &[&["users:write"], &["users:write", "users:admin"]],
    )
    .await;
    assert_eq!(deleted.all(), Vec::<String>::new(), "a user was deleted");

    // Case is not folded: `ROOT` is another user, decided by `DELETE /users/*`.
    for path in ["/users/%52OOT", "/users/ROOT", "/users/alice"] {
        send(&app, bearer("DELETE", path, &writer))
            .await
            .passed(200);
    }
    // The admin deletes root. An escaped spelling is held to both its readings: the
    // value the handler gets (`root`: `users:admin`) and the path axum's router compared
    // (`%72oot` is no literal for it: `users:write`).
    send(
        &app,
        bearer("DELETE", "/users/root", &mint(&["users:admin"])),
    )
    .await
    .passed(200);
    send(
        &app,
        bearer("DELETE", "/users/%72oot", &mint(&["users:admin"])),
    )
    .await
    .forbidden(&["users:write"]);
    send(
        &app,
        bearer(
            "DELETE",
            "/users/%72oot",
            &mint(&["users:admin", "users:write"]),
        ),
    )
    .await
    .passed(200);
    assert_eq!(deleted.all(), ["ROOT", "ROOT", "alice", "root", "root"]);
}

/// In a catch-all, `%69nternal/secret` and `internal%2Fsecret` are both
/// `internal/secret` for the `Path` extractor, but a raw-byte matcher sees no
/// `internal` segment and applies the public `GET /docs/{*path}` rule.
#[tokio::test]
async fn percent_encoded_segment_in_a_catch_all() {
    static DOCS: Policy = scopes! {
        "GET /docs/{*path}"          => public,
        "GET /docs/internal/{*path}" => ["docs:internal"],
    };
    let read = Log::default();
    let seen = read.clone();
    let app: Router = Router::new()
        .route(
            "/docs/{*path}",
            get(move |Path(path): Path<String>| async move {
                seen.push(path.clone());
                format!("doc {path}")
            }),
        )
        .layer(ScopeLayer::new(hs256(SECRET), DOCS));

    // Decoded, these are `internal/...`: the internal rule decides.
    for path in [
        "/docs/internal/secret",
        "/docs/%69nternal/secret",
        "/docs/%69%6E%74%65%72%6E%61%6C/secret",
    ] {
        send(&app, anonymous("GET", path)).await.missing();
        send(&app, bearer("GET", path, &mint(&["docs:read"])))
            .await
            .forbidden(&["docs:internal"]);
    }
    // An encoded slash or a dot segment: a second reading of the path.
    for path in [
        "/docs/internal%2Fsecret",
        "/docs/internal%2fsecret",
        "/docs/guide/..%2Finternal/secret",
        "/docs/guide/../internal/secret",
        "/docs/guide/%2E%2E/internal/secret",
    ] {
        assert_spelling_refused(&app, "GET", path, &[&["docs:read"], &["docs:internal"]]).await;
    }
    assert_eq!(read.all(), Vec::<String>::new(), "a document was served");

    // Public documents stay public; the internal ones are served to their scope, in
    // either spelling.
    send(&app, anonymous("GET", "/docs/guide/intro"))
        .await
        .passed(200);
    let internal = mint(&["docs:internal"]);
    for path in ["/docs/internal/secret", "/docs/%69nternal/secret"] {
        send(&app, bearer("GET", path, &internal)).await.passed(200);
    }
    assert_eq!(
        read.all(),
        ["guide/intro", "internal/secret", "internal/secret"]
    );
}

// ====================================================================== static files, nested services

const SECRET_FILE: &[u8] = b"the private file: not for anonymous eyes\n";
const PUBLIC_FILE: &[u8] = b"the public file\n";

/// A directory for `ServeDir`, `private/secret.txt` and `pub.txt`, served under
/// `nest_service("/static", ..)` behind `ScopeLayer` with `policy`. The directory lives
/// as long as the returned `TempDir`.
fn static_files(name: &str, policy: Policy) -> (TempDir, Router) {
    let dir = TempDir::new(name);
    dir.write("private/secret.txt", SECRET_FILE);
    dir.write("pub.txt", PUBLIC_FILE);
    let app = Router::new()
        .nest_service("/static", ServeDir::new(dir.path()))
        .layer(ScopeLayer::new(hs256(SECRET), policy));
    (dir, app)
}

/// The private file is recognised by its body, whatever the status.
#[track_caller]
fn assert_not_served(reply: &Reply) {
    assert!(
        reply.body != SECRET_FILE,
        "the private file was served: {reply:?}"
    );
}

/// `GET path` is decided by the `files:private` rule: anonymously it is 401, with
/// `files:read` 403, and the private file is served to neither.
async fn assert_private(app: &Router, path: &str) {
    let reply = send(app, anonymous("GET", path)).await;
    assert_not_served(&reply);
    reply.missing();
    let reply = send(app, bearer("GET", path, &mint(&["files:read"]))).await;
    assert_not_served(&reply);
    reply.forbidden(&["files:private"]);
}

/// The positive controls of the static files: `pub.txt` is public, and the private file
/// is served at each of `private_paths` to the `files:private` scope.
async fn assert_files_served(app: &Router, private_paths: [&str; 2]) {
    let reply = send(app, anonymous("GET", "/static/pub.txt")).await;
    reply.passed(200);
    assert_eq!(&reply.body[..], PUBLIC_FILE);
    let private = mint(&["files:private"]);
    for path in private_paths {
        let reply = send(app, bearer("GET", path, &private)).await;
        reply.passed(200);
        assert_eq!(&reply.body[..], SECRET_FILE);
    }
}

/// `ServeDir` decodes the path, skips empty and `.` segments and ignores a trailing
/// slash (on Windows it also splits at `\`); a raw-byte matcher sees no `private` segment in
/// `/static//private/...`, `/static/%70rivate/...`, `/static/private%2F...` or
/// `/static/./private/...` and applies the public `GET /static/**` rule.
#[tokio::test]
async fn serve_dir_spellings() {
    static STATIC: Policy = scopes! {
        "GET /static/**"         => public,
        "GET /static/private/**" => ["files:private"],
    };
    let (_dir, app) = static_files("serve-dir-spellings", STATIC);

    // The legitimate spelling is decided by the private rule, and so are the ones that
    // decode to it (`%70rivate` is `private`).
    let reply = send(&app, anonymous("GET", "/static/private/secret.txt")).await;
    assert_not_served(&reply);
    reply.missing();
    for path in [
        "/static/%70rivate/secret.txt",
        "/static/%70%72%69%76%61%74%65/secret.txt",
    ] {
        assert_private(&app, path).await;
    }

    for path in [
        // empty segments
        "/static//private/secret.txt",
        "/static///private/secret.txt",
        "/static/private//secret.txt",
        // encoded slashes
        "/static/private%2Fsecret.txt",
        "/static/private%2fsecret.txt",
        // dot segments, plain, encoded, mixed
        "/static/./private/secret.txt",
        "/static/%2e/private/secret.txt",
        "/static/private/./secret.txt",
        "/static/private/%2E/secret.txt",
        "/static/x/../private/secret.txt",
        "/static/%2E%2e/static/private/secret.txt",
        "/static/.%2E/static/private/secret.txt",
        // backslashes, raw and encoded
        "/static/private\\secret.txt",
        "/static/private%5Csecret.txt",
        "/static/private%5csecret.txt",
        // double encoding, a stray `%`, an encoded control character
        "/static/%2570rivate/secret.txt",
        "/static/%zzprivate/secret.txt",
        "/static/private/secret.txt%00",
        "/static/private/secret.txt%0A",
        "/static/private/secret.txt%7F",
    ] {
        let reply = send(&app, anonymous("GET", path)).await;
        assert_not_served(&reply);
        assert_spelling_refused(&app, "GET", path, &[&["files:read"], &["files:private"]]).await;
    }

    // Positive controls: the private file is served to its scope in either spelling of
    // the segment.
    assert_files_served(
        &app,
        ["/static/private/secret.txt", "/static/%70rivate/secret.txt"],
    )
    .await;
}

/// `ServeDir` serves `/static/private/secret.txt/` as the file, but for the policy the
/// trailing slash is another path, which only the public `GET /static/**` matches: the
/// file's own rule must apply too.
#[tokio::test]
async fn serve_dir_trailing_slash_on_a_file_rule() {
    static FILE: Policy = scopes! {
        "GET /static/**"                 => public,
        "GET /static/private/secret.txt" => ["files:private"],
    };
    let (_dir, app) = static_files("serve-dir-trailing-slash", FILE);
    let paths = ["/static/private/secret.txt", "/static/private/secret.txt/"];
    for path in paths {
        assert_private(&app, path).await;
    }
    // Positive controls: the scope reads the file with or without the slash.
    assert_files_served(&app, paths).await;
}

/// Where the layer of a nested-service test sits.
#[derive(Clone, Copy, Debug)]
enum Placement {
    /// `Router::layer` on the outer router.
    RouterLayer,
    /// `ScopeLayer::new(..).layer(router)`: the whole outer router as one service.
    AroundRouter,
    /// `Router::layer` on the router given to `nest_service`.
    InnerRouter,
}

const PLACEMENTS: [Placement; 3] = [
    Placement::RouterLayer,
    Placement::AroundRouter,
    Placement::InnerRouter,
];

/// Entries of the handlers of the nested `/v1` router.
#[derive(Default)]
struct V1Hits {
    root: Hits,
    admin: Hits,
    fallback: Hits,
}

/// `nest_service("/v1", inner)`, `inner` serving `/` and `/admin`, with the layer at
/// `placement`.
fn v1_app(layer: ScopeLayer, placement: Placement) -> (App, V1Hits) {
    let hits = V1Hits::default();
    let mut inner = Router::new()
        .route("/", get(counted("v1 root", &hits.root)))
        .route("/admin", get(counted("v1 admin", &hits.admin)));
    if let Placement::InnerRouter = placement {
        inner = inner.layer(layer.clone());
    }
    let outer = Router::new()
        .nest_service("/v1", inner)
        .fallback(counted("fallback", &hits.fallback));
    let app = match placement {
        Placement::RouterLayer => BoxCloneService::new(outer.layer(layer)),
        Placement::AroundRouter => BoxCloneService::new(layer.layer(outer)),
        Placement::InnerRouter => BoxCloneService::new(outer),
    };
    (app, hits)
}

/// `nest_service` strips `/v1` from `/v1//admin` and the inner router routes the rest,
/// `//admin`, to `/admin`; a raw-byte matcher sees an empty segment, no `admin` rule,
/// and applies the broader `GET /v1/**`.
#[tokio::test]
async fn nest_service_double_slash() {
    static V1: Policy = scopes! {
        "GET /v1/**"    => [],
        "GET /v1/admin" => ["v1:admin"],
    };
    for placement in PLACEMENTS {
        let (app, hits) = v1_app(ScopeLayer::new(hs256(SECRET), V1), placement);
        let user = mint(&["v1:user"]);

        // The legitimate spelling, decided by the admin rule.
        send(&app, anonymous("GET", "/v1/admin")).await.missing();
        send(&app, bearer("GET", "/v1/admin", &user))
            .await
            .forbidden(&["v1:admin"]);
        assert_eq!(hits.admin.get(), 0, "{placement:?}");

        for path in ["/v1//admin", "/v1///admin", "/v1/./admin", "/v1/%2e/admin"] {
            assert_spelling_refused(&app, "GET", path, &[&["v1:user"], &["v1:admin"]]).await;
        }
        assert_eq!(
            hits.admin.get(),
            0,
            "{placement:?}: the admin handler was reached"
        );

        // Positive controls.
        send(&app, bearer("GET", "/v1/admin", &mint(&["v1:admin"])))
            .await
            .passed(200);
        assert_eq!(hits.admin.get(), 1, "{placement:?}");
        send(&app, bearer("GET", "/v1", &user)).await.passed(200);
        assert_eq!(hits.root.get(), 1, "{placement:?}");
        assert_eq!(hits.fallback.get(), 0, "{placement:?}");
    }
}

/// `nest_service` serves `/v1` and `/v1/` (and `/v1//`) with the inner `/`; the policy
/// protects `GET /v1` only, and `/v1/` is another, unmapped path, open under
/// `Unmapped::Allow`.
#[tokio::test]
async fn nest_service_trailing_slash() {
    static V1_ROOT: Policy = scopes! {
        "GET /v1" => ["v1:root"],
    };
    for placement in PLACEMENTS {
        let layer = ScopeLayer::new(hs256(SECRET), V1_ROOT).unmapped(Unmapped::Allow);
        let (app, hits) = v1_app(layer, placement);

        for path in ["/v1", "/v1/"] {
            send(&app, anonymous("GET", path)).await.missing();
            send(&app, bearer("GET", path, &mint(&["v1:user"])))
                .await
                .forbidden(&["v1:root"]);
            let [forged, _] = invalid_tokens(&["v1:root"]);
            send(&app, bearer("GET", path, &forged))
                .await
                .invalid_token("signature does not match");
        }
        assert_spelling_refused(&app, "GET", "/v1//", &[&["v1:user"], &["v1:root"]]).await;
        assert_eq!(hits.root.get(), 0, "{placement:?}: the inner / was reached");

        // Positive controls: the scope reaches the inner `/` through both spellings, and
        // unmapped routes really are open.
        let root = mint(&["v1:root"]);
        for path in ["/v1", "/v1/"] {
            send(&app, bearer("GET", path, &root)).await.passed(200);
        }
        assert_eq!(hits.root.get(), 2, "{placement:?}");
        send(&app, anonymous("GET", "/v1/admin")).await.passed(200);
        assert_eq!(hits.admin.get(), 1, "{placement:?}");
    }
}

// ====================================================================== Allow

/// Under `Router::layer` the layer runs inside axum's method router, which adds
/// `Allow: GET,HEAD` to whatever its method fallback answers, the layer's 401/403
/// included: an anonymous `DELETE /agents` would learn that `/agents` exists and what
/// it serves. A refusal must look the same on a path that does not exist.
#[tokio::test]
async fn refusals_carry_no_allow_header() {
    static AGENTS: Policy = scopes! {
        "GET /agents"      => ["app:read"],
        "GET /agents/{id}" => ["app:read"],
    };
    let hits = Hits::default();
    let router = Router::new()
        .route("/agents", get(counted("agents", &hits)))
        .route("/agents/{id}", get(counted("agent", &hits)));
    let layer = ScopeLayer::new(hs256(SECRET), AGENTS).admin_scope(ADMIN_SCOPE);
    let apps = placements(router, &layer);
    let reader = mint(&["app:read"]);
    let [forged, _] = invalid_tokens(&["app:read"]);
    // The refusal each caller must get, wherever it asks.
    type Expect = fn(&Reply);

    for (placement, app) in &apps {
        for (method, existing, missing) in [
            ("DELETE", "/agents", "/nope"),
            ("POST", "/agents", "/nope"),
            ("PUT", "/agents/7", "/nope/7"),
            ("PATCH", "/agents/7", "/nope/7"),
        ] {
            let callers: [(&str, Option<&str>, Expect); 3] = [
                ("anonymous", None, Reply::missing),
                ("forged", Some(forged.as_str()), |r| {
                    r.invalid_token("signature does not match")
                }),
                ("app:read", Some(reader.as_str()), Reply::unmapped),
            ];
            for (who, token, expected) in callers {
                let mut on_existing = send(app, with_token(method, existing, token)).await;
                let mut on_missing = send(app, with_token(method, missing, token)).await;
                let what = format!("{placement}, {who}: {method} {existing} vs {missing}");
                for (reply, path) in [(&on_existing, existing), (&on_missing, missing)] {
                    let allow = reply.headers.get_all(ALLOW).iter().collect::<Vec<_>>();
                    assert!(
                        allow.iter().all(|v| v.is_empty()),
                        "{what}: the refusal of {path} names methods: Allow {allow:?}"
                    );
                }
                expected(&on_existing);
                expected(&on_missing);
                assert_eq!(on_existing.body, on_missing.body, "{what}");
                // axum adds `content-length` to what a method router answers, not to
                // what the router's fallback answers; the equal bodies already say the
                // lengths are equal.
                on_existing.headers.remove(CONTENT_LENGTH);
                on_missing.headers.remove(CONTENT_LENGTH);
                assert_eq!(on_existing.headers, on_missing.headers, "{what}");
            }
        }
        assert_eq!(hits.get(), 0, "{placement}: a handler was reached");
    }

    // Positive controls: the reader is served, and the admin, who passes every
    // requirement, meets the router's own 405 and its `Allow`.
    for (placement, app) in &apps {
        send(app, bearer("GET", "/agents", &reader))
            .await
            .passed(200);
        let reply = send(app, bearer("DELETE", "/agents", &mint(SUPERADMIN))).await;
        reply.passed(405);
        assert_eq!(reply.header(ALLOW), Some("GET,HEAD"), "{placement}");
    }
    assert_eq!(hits.get(), 2);
}
