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

mod common;

use std::convert::Infallible;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::extract::Path;
use axum::handler::Handler;
use axum::response::Response;
use axum::routing::{any, get, post};
use common::*;
use http::header::{ALLOW, CONTENT_LENGTH, WWW_AUTHENTICATE};
use http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use jsonwebtoken::Algorithm;
use scope_runtime::{Policy, ScopeLayer, Unmapped, scopes};
use serde_json::json;
use tower::util::BoxCloneService;
use tower::{Layer as _, Service, ServiceExt};
use tower_http::services::ServeDir;

// ====================================================================== harness

/// A service under test when its type varies: a `Router`, or `ScopeLayer` around one.
type App = BoxCloneService<Request<Body>, Response, Infallible>;

/// Sends one request through a clone of `app`; the reply and every response header.
async fn exchange<S>(app: &S, request: Request<Body>) -> (Reply, HeaderMap)
where
    S: Service<Request<Body>, Response = Response, Error = Infallible> + Clone,
{
    let response = app
        .clone()
        .oneshot(request)
        .await
        .unwrap_or_else(|never| match never {});
    let (parts, body) = response.into_parts();
    let www_authenticate = parts
        .headers
        .get(WWW_AUTHENTICATE)
        .map(|v| v.to_str().expect("ASCII challenge").to_owned());
    let body = body.collect().await.expect("body").to_bytes();
    let reply = Reply {
        status: parts.status,
        www_authenticate,
        body,
    };
    (reply, parts.headers)
}

/// [`exchange`] without the headers.
async fn call<S>(app: &S, request: Request<Body>) -> Reply
where
    S: Service<Request<Body>, Response = Response, Error = Infallible> + Clone,
{
    exchange(app, request).await.0
}

/// Two tokens the layer must never get as far as reading on a refused spelling: a
/// forgery holding `scopes` and something that is not a JWT at all.
fn invalid_tokens(scopes: &[&str]) -> [String; 2] {
    let forged = hmac_token(
        Algorithm::HS256,
        OTHER_SECRET.as_bytes(),
        r#"{"alg":"HS256","typ":"JWT"}"#,
        &payload("user-1", scopes, 3600),
    );
    [forged, "not-a-jwt".to_owned()]
}

/// What every refused spelling starts its description with; the rest names the class
/// and is not pinned here.
const BAD_PATH: &str = "Invalid request path: ";

/// 400 `invalid_request` for the path itself: `{"detail": D}` with `D` starting with
/// [`BAD_PATH`], and exactly the challenge that carries `D` as its description.
fn assert_bad_path(reply: &Reply, what: &str) {
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{what}: {reply:?}");
    let body = reply.json();
    let detail = body["detail"]
        .as_str()
        .unwrap_or_else(|| panic!("{what}: no detail: {reply:?}"))
        .to_owned();
    assert_eq!(body, json!({ "detail": detail }), "{what}: {reply:?}");
    assert!(
        detail.starts_with(BAD_PATH) && detail.len() > BAD_PATH.len(),
        "{what}: the detail does not name a path class: {reply:?}"
    );
    assert_eq!(
        reply.www_authenticate.as_deref(),
        Some(
            format!(
                r#"Bearer error="invalid_request", error_description="{}""#,
                detail.replace('\\', "\\\\")
            )
            .as_str()
        ),
        "{what}: {reply:?}"
    );
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
        let reply = call(app, bearer(method, path, &mint(scopes))).await;
        assert_bad_path(&reply, &format!("{method} {path} with {scopes:?}"));
    }
    let reply = call(app, anonymous(method, path)).await;
    assert_bad_path(&reply, &format!("anonymous {method} {path}"));
    for token in invalid_tokens(holders.last().copied().unwrap_or_default()) {
        let reply = call(app, bearer(method, path, &token)).await;
        assert_bad_path(&reply, &format!("{method} {path} with token {token:?}"));
    }
}

/// The values a handler's extractor saw, in order: what a handler would have acted on.
#[derive(Clone, Default, Debug)]
struct Seen(Arc<Mutex<Vec<String>>>);

impl Seen {
    fn push(&self, value: String) {
        self.0.lock().expect("not poisoned").push(value);
    }

    fn all(&self) -> Vec<String> {
        self.0.lock().expect("not poisoned").clone()
    }
}

/// A handler that counts its entries and answers `name`. It has no extractor, so no
/// extractor's refusal can hide that the route was reached.
fn counted(name: &'static str, hits: &Hits) -> impl Handler<((),), ()> {
    let hits = hits.clone();
    move || async move {
        hits.hit();
        name
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
    call(&app, bearer("POST", "/api/users/42/promote", &user))
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
    call(
        &app,
        bearer("POST", "/api/users/42/promote", &mint(&["api:admin"])),
    )
    .await
    .passed(200);
    assert_eq!(promote.get(), 1);
    call(&app, bearer("GET", "/api/users/42", &user))
        .await
        .passed(200);
    call(&app, bearer("GET", "/api/users/", &user))
        .await
        .passed(200);
    assert_eq!(rest.get(), 2);
    call(&app, anonymous("GET", "/api/users/42"))
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
    call(&app, anonymous("POST", "/agents/7/runs"))
        .await
        .missing();
    call(&app, bearer("POST", "/agents/7/runs", &mint(&["app:read"])))
        .await
        .forbidden(&["app:run"]);
    assert_eq!(runs.get(), 0);
    call(&app, bearer("POST", "/agents/7/runs", &mint(&["app:run"])))
        .await
        .passed(200);
    assert_eq!(runs.get(), 1);
    call(&app, anonymous("GET", "/about")).await.passed(200);
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
    let deleted = Seen::default();
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
        call(&app, bearer("DELETE", path, &writer))
            .await
            .forbidden(&["users:admin"]);
        call(&app, anonymous("DELETE", path)).await.missing();
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
        call(&app, bearer("DELETE", path, &writer))
            .await
            .passed(200);
    }
    // The admin deletes root. An escaped spelling is held to both its readings: the
    // value the handler gets (`root`: `users:admin`) and the path axum's router compared
    // (`%72oot` is no literal for it: `users:write`).
    call(
        &app,
        bearer("DELETE", "/users/root", &mint(&["users:admin"])),
    )
    .await
    .passed(200);
    call(
        &app,
        bearer("DELETE", "/users/%72oot", &mint(&["users:admin"])),
    )
    .await
    .forbidden(&["users:write"]);
    call(
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
    let read = Seen::default();
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
        call(&app, anonymous("GET", path)).await.missing();
        call(&app, bearer("GET", path, &mint(&["docs:read"])))
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
    call(&app, anonymous("GET", "/docs/guide/intro"))
        .await
        .passed(200);
    let internal = mint(&["docs:internal"]);
    for path in ["/docs/internal/secret", "/docs/%69nternal/secret"] {
        call(&app, bearer("GET", path, &internal)).await.passed(200);
    }
    assert_eq!(
        read.all(),
        ["guide/intro", "internal/secret", "internal/secret"]
    );
}

// ====================================================================== static files, nested services

const SECRET_FILE: &[u8] = b"the private file: not for anonymous eyes\n";
const PUBLIC_FILE: &[u8] = b"the public file\n";

/// A directory for `ServeDir`: `private/secret.txt` and `pub.txt`, removed on drop.
struct Files {
    root: PathBuf,
}

impl Files {
    fn new(name: &str) -> Files {
        let root = std::env::temp_dir().join(format!("scope-policy-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("private")).expect("create the directory");
        std::fs::write(root.join("private/secret.txt"), SECRET_FILE).expect("write");
        std::fs::write(root.join("pub.txt"), PUBLIC_FILE).expect("write");
        Files { root }
    }

    /// `nest_service("/static", ServeDir)` behind `ScopeLayer` with `policy`.
    fn app(&self, policy: Policy) -> Router {
        Router::new()
            .nest_service("/static", ServeDir::new(&self.root))
            .layer(ScopeLayer::new(hs256(SECRET), policy))
    }
}

impl Drop for Files {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// The private file is recognised by its body, whatever the status.
#[track_caller]
fn assert_not_served(reply: &Reply) {
    assert!(
        reply.body != SECRET_FILE,
        "the private file was served: {reply:?}"
    );
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
    let files = Files::new("serve-dir-spellings");
    let app = files.app(STATIC);
    let private = mint(&["files:private"]);

    // The legitimate spellings, decided by the private rule.
    let reply = call(&app, anonymous("GET", "/static/private/secret.txt")).await;
    assert_not_served(&reply);
    reply.missing();
    // Decoded, `%70rivate` is `private`: the same rule.
    for path in [
        "/static/%70rivate/secret.txt",
        "/static/%70%72%69%76%61%74%65/secret.txt",
    ] {
        let reply = call(&app, anonymous("GET", path)).await;
        assert_not_served(&reply);
        reply.missing();
        let reply = call(&app, bearer("GET", path, &mint(&["files:read"]))).await;
        assert_not_served(&reply);
        reply.forbidden(&["files:private"]);
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
        let reply = call(&app, anonymous("GET", path)).await;
        assert_not_served(&reply);
        assert_spelling_refused(&app, "GET", path, &[&["files:read"], &["files:private"]]).await;
    }

    // Positive controls: public files are public, and the private file is served to its
    // scope, in either spelling of the segment.
    let reply = call(&app, anonymous("GET", "/static/pub.txt")).await;
    reply.passed(200);
    assert_eq!(&reply.body[..], PUBLIC_FILE);
    for path in ["/static/private/secret.txt", "/static/%70rivate/secret.txt"] {
        let reply = call(&app, bearer("GET", path, &private)).await;
        reply.passed(200);
        assert_eq!(&reply.body[..], SECRET_FILE);
    }
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
    let files = Files::new("serve-dir-trailing-slash");
    let app = files.app(FILE);

    for path in ["/static/private/secret.txt", "/static/private/secret.txt/"] {
        let reply = call(&app, anonymous("GET", path)).await;
        assert_not_served(&reply);
        reply.missing();
        let reply = call(&app, bearer("GET", path, &mint(&["files:read"]))).await;
        assert_not_served(&reply);
        reply.forbidden(&["files:private"]);
    }

    // Positive controls: the scope reads the file with or without the slash; other files
    // are public.
    let private = mint(&["files:private"]);
    for path in ["/static/private/secret.txt", "/static/private/secret.txt/"] {
        let reply = call(&app, bearer("GET", path, &private)).await;
        reply.passed(200);
        assert_eq!(&reply.body[..], SECRET_FILE);
    }
    let reply = call(&app, anonymous("GET", "/static/pub.txt")).await;
    reply.passed(200);
    assert_eq!(&reply.body[..], PUBLIC_FILE);
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
        call(&app, anonymous("GET", "/v1/admin")).await.missing();
        call(&app, bearer("GET", "/v1/admin", &user))
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
        call(&app, bearer("GET", "/v1/admin", &mint(&["v1:admin"])))
            .await
            .passed(200);
        assert_eq!(hits.admin.get(), 1, "{placement:?}");
        call(&app, bearer("GET", "/v1", &user)).await.passed(200);
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
            call(&app, anonymous("GET", path)).await.missing();
            call(&app, bearer("GET", path, &mint(&["v1:user"])))
                .await
                .forbidden(&["v1:root"]);
            let [forged, _] = invalid_tokens(&["v1:root"]);
            call(&app, bearer("GET", path, &forged))
                .await
                .invalid_token("signature does not match");
        }
        assert_spelling_refused(&app, "GET", "/v1//", &[&["v1:user"], &["v1:root"]]).await;
        assert_eq!(hits.root.get(), 0, "{placement:?}: the inner / was reached");

        // Positive controls: the scope reaches the inner `/` through both spellings, and
        // unmapped routes really are open.
        let root = mint(&["v1:root"]);
        for path in ["/v1", "/v1/"] {
            call(&app, bearer("GET", path, &root)).await.passed(200);
        }
        assert_eq!(hits.root.get(), 2, "{placement:?}");
        call(&app, anonymous("GET", "/v1/admin")).await.passed(200);
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
    let router = || {
        Router::new()
            .route("/agents", get(counted("agents", &hits)))
            .route("/agents/{id}", get(counted("agent", &hits)))
    };
    let layer = || ScopeLayer::new(hs256(SECRET), AGENTS).admin_scope(ADMIN_SCOPE);
    let apps: [(&str, App); 2] = [
        (
            "Router::layer",
            BoxCloneService::new(router().layer(layer())),
        ),
        (
            "around the router",
            BoxCloneService::new(layer().layer(router())),
        ),
    ];
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
                let make = |path| match token {
                    None => anonymous(method, path),
                    Some(token) => bearer(method, path, token),
                };
                let (on_existing, mut existing_headers) = exchange(app, make(existing)).await;
                let (on_missing, mut missing_headers) = exchange(app, make(missing)).await;
                let what = format!("{placement}, {who}: {method} {existing} vs {missing}");
                for (headers, path) in [(&existing_headers, existing), (&missing_headers, missing)]
                {
                    let allow = headers.get_all(ALLOW).iter().collect::<Vec<_>>();
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
                existing_headers.remove(CONTENT_LENGTH);
                missing_headers.remove(CONTENT_LENGTH);
                assert_eq!(existing_headers, missing_headers, "{what}");
            }
        }
        assert_eq!(hits.get(), 0, "{placement}: a handler was reached");
    }

    // Positive controls: the reader is served, and the admin, who passes every
    // requirement, meets the router's own 405 and its `Allow`.
    for (placement, app) in &apps {
        call(app, bearer("GET", "/agents", &reader))
            .await
            .passed(200);
        let (reply, headers) = exchange(app, bearer("DELETE", "/agents", &mint(SUPERADMIN))).await;
        reply.passed(405);
        assert_eq!(
            headers.get(ALLOW).map(|v| v.as_bytes()),
            Some(&b"GET,HEAD"[..]),
            "{placement}"
        );
    }
    assert_eq!(hits.get(), 2);
}
