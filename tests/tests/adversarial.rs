//! Adversarial suite: the ways authorization layers keep failing, one class at
//! a time, against the seed (`agent_os::router`, exactly what the binary serves) and
//! against routers of our own whose handlers count their entries.
//!
//! - The seed cannot be instrumented, so "the handler was not reached" is shown twice:
//!   by its state (a denied run or memory post must not create a session or a memory:
//!   at the end the superadmin lists both, and a fresh seed has none) and by
//!   [`seed_mirror`], the seed's
//!   routes, policy, admin scope and verifier with handlers (and fallbacks) that count
//!   their entries.
//! - The lab ([`lab`]) adds what the seed lacks: nested routers (`Router::nest`, twice
//!   nested too), catch-alls (`{*path}`), a public root route whose path is the tail of
//!   a protected nested one, a realm, and a layer placed on a nested router.
//! - Requests go in-process with `tower::ServiceExt::oneshot`, built from raw
//!   `http::Uri`s (no normalisation). What `http::Uri` refuses to build goes over a real
//!   TCP socket, written by hand, to `axum::serve` on 127.0.0.1:0, to pin down what
//!   hyper does with it.
//!
//! Every refusal is checked exactly: status, the whole `WWW-Authenticate` value and the
//! `{"detail": ...}` body.

mod common;

use axum::Router;
use axum::body::Body;
use common::*;
use http::header::{AUTHORIZATION, COOKIE};
use http::{Request, StatusCode};
use jsonwebtoken::Algorithm;
use scope_runtime::PathClass;
use scope_runtime::{JwtVerifier, TokenSource, VerificationKey};
use serde_json::json;

// ====================================================================== harness

/// The seed and its counting mirror, side by side: every request goes to both.
struct Seed {
    os: AgentOs,
    mirror: Router,
    hits: Hits,
}

impl Seed {
    fn new() -> Seed {
        let (mirror, hits) = seed_mirror();
        Seed {
            os: AgentOs::new(),
            mirror,
            hits,
        }
    }

    /// Sends `make()` to the seed and to the mirror; `expect` checks both answers.
    async fn check(&self, make: impl Fn() -> Request<Body>, expect: impl Fn(&Reply)) {
        let os = self.os.send(make()).await;
        expect(&os);
        let mirror = send(&self.mirror, make()).await;
        expect(&mirror);
    }

    /// No handler of the mirror ran and the seed created nothing.
    async fn untouched(&self) {
        assert_eq!(self.hits.get(), 0, "a handler of the mirror was reached");
        assert_eq!(
            self.os.state().await,
            (0, 0),
            "a denied request created state"
        );
    }
}

const RUN: &str = "/agents/research-agent/runs";
const RUN_SCOPES: &[&str] = &["app:run", "app:execute"];

/// A run (`message=hi`) carrying `Authorization: Bearer <token>`.
fn run_as(token: &str) -> Request<Body> {
    AgentOs::run(RUN, Some(&format!("Bearer {token}")))
}

/// A `POST /memories` carrying `Authorization: Bearer <token>`.
fn memory_as(token: &str) -> Request<Body> {
    request("POST", "/memories")
        .header(AUTHORIZATION, format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(Body::from(r#"{"memory":"m"}"#))
        .expect("request")
}

/// Checks that a token is refused the same way on a run, a memory post and a read.
async fn token_refused(seed: &Seed, token: &str, expect: impl Fn(&Reply)) {
    seed.check(|| run_as(token), &expect).await;
    seed.check(|| memory_as(token), &expect).await;
    seed.check(|| bearer("GET", "/agents", token), &expect)
        .await;
}

// ====================================================================== paths

/// A trailing slash is another route for axum, so it is another (unmapped) rule: denied,
/// except for the admin scope, which then meets the router's fallback (404), not the
/// handler of the slash-less route.
#[tokio::test]
async fn path_trailing_slash() {
    let seed = Seed::new();
    let power = mint(POWER);
    let admin = mint(ADMIN);
    seed.check(|| bearer("GET", "/agents/", &power), Reply::unmapped)
        .await;
    seed.check(|| bearer("GET", "/sessions/", &admin), Reply::unmapped)
        .await;
    seed.check(
        || bearer("GET", "/agents/research-agent/", &power),
        Reply::unmapped,
    )
    .await;
    seed.check(
        || {
            AgentOs::run(
                "/agents/research-agent/runs/",
                Some(&format!("Bearer {power}")),
            )
        },
        Reply::unmapped,
    )
    .await;
    seed.check(|| anonymous("GET", "/health/"), Reply::missing)
        .await;
    seed.untouched().await;

    // The router agrees: with the admin scope, `/agents/` is the fallback's 404.
    let superadmin = mint(SUPERADMIN);
    let reply = seed.os.send(bearer("GET", "/agents/", &superadmin)).await;
    reply.passed(404);
    assert_eq!(reply.json(), json!({ "detail": "Not Found" }));
}

/// `//`: axum routes an empty segment to a `{x}` capture (`/agents//runs` is a run of
/// the agent `""`), a catch-all keeps it, `nest_service` and `ServeDir` drop it. Refused
/// before any rule or token: 400, an invalid token included, a public path included.
#[tokio::test]
async fn path_double_slashes() {
    use scope_runtime::PathClass::EmptySegment;
    let seed = Seed::new();
    let power = mint(POWER);
    let admin = mint(ADMIN);
    for path in ["//agents", "/agents//", "//", "/agents/research-agent//"] {
        seed.check(|| bearer("GET", path, &power), |r| r.bad_path(EmptySegment))
            .await;
    }
    for path in ["//sessions", "/sessions//", "/sessions//session-1"] {
        seed.check(|| bearer("GET", path, &admin), |r| r.bad_path(EmptySegment))
            .await;
    }
    for path in [
        "/agents//runs",
        "//agents/research-agent/runs",
        "/agents/research-agent//runs",
        "/agents//research-agent/runs",
    ] {
        seed.check(
            || AgentOs::run(path, Some(&format!("Bearer {power}"))),
            |r| r.bad_path(EmptySegment),
        )
        .await;
        seed.check(
            || AgentOs::run(path, Some("Bearer not-a-token")),
            |r| r.bad_path(EmptySegment),
        )
        .await;
    }
    seed.check(
        || anonymous("GET", "//health"),
        |r| r.bad_path(EmptySegment),
    )
    .await;
    seed.untouched().await;
}

/// Percent-encoded letters are the letters for `Path` and `ServeDir`, and other bytes
/// for axum's router, which compares raw paths: a request is held to the rule of each
/// reading. `/%61gents` is `/agents` decoded, and for the router no route (unmapped).
#[tokio::test]
async fn path_percent_encoded_letters() {
    let seed = Seed::new();
    let basic = mint(BASIC);
    let power = mint(POWER);
    for path in ["/%61gents", "/agent%73", "/%61%67%65%6E%74%73"] {
        // Two readings, both held: decoded, the `/agents` rule; as axum's router
        // compares it, no route literal and no rule (its fallback would answer), so
        // denied like any unmapped path, even with `app:read`.
        seed.check(|| anonymous("GET", path), Reply::missing).await;
        seed.check(
            || bearer("GET", path, &mint(&["app:run"])),
            |r| r.forbidden(&["app:read"]),
        )
        .await;
        seed.check(|| bearer("GET", path, &basic), Reply::unmapped)
            .await;
    }
    // Case is kept: `%41GENTS` is `AGENTS`, no rule.
    seed.check(|| bearer("GET", "/%41GENTS", &basic), Reply::unmapped)
        .await;
    seed.check(
        || bearer("GET", "/%73essions", &basic),
        |r| r.forbidden(&["app:admin"]),
    )
    .await;
    seed.check(
        || {
            AgentOs::run(
                "/agents/research-agent/%72uns",
                Some(&format!("Bearer {basic}")),
            )
        },
        |r| r.forbidden(&["app:run", "app:execute"]),
    )
    .await;
    // `/health` is public, but `/%68ealth` is no route for axum's router: unmapped.
    seed.check(|| anonymous("GET", "/%68ealth"), Reply::missing)
        .await;
    // With every scope of the decoded rule, the router's reading is still unmapped.
    seed.check(
        || {
            AgentOs::run(
                "/%61gents/research-agent/runs",
                Some(&format!("Bearer {power}")),
            )
        },
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
    seed.check(
        || anonymous("GET", "/agents/%72esearch-agent"),
        Reply::missing,
    )
    .await;
}

/// Encoded slashes and dots: `Path` decodes `%2F` into a `/` that axum did not route
/// on (`/agents/a%2Fruns` is the agent `a/runs`), `ServeDir` reads it as a separator, and
/// `%2e%2e` decodes to `..`. Refused before any rule or token: 400.
#[tokio::test]
async fn path_encoded_slashes_and_dots() {
    use scope_runtime::PathClass::{DotSegment, EncodedSlash};
    let seed = Seed::new();
    let basic = mint(BASIC);
    let power = mint(POWER);
    let admin = mint(ADMIN);
    for path in [
        "/agents/research-agent%2Fruns",
        "/agents/research-agent%2fruns",
        "/agents%2Fresearch-agent%2Fruns",
    ] {
        seed.check(
            || AgentOs::run(path, Some(&format!("Bearer {power}"))),
            |r| r.bad_path(EncodedSlash),
        )
        .await;
    }
    for path in [
        "/agents/%2e%2e/sessions",
        "/agents/%2E%2E/sessions",
        "/agents/x/%2e%2e/%2e%2e/sessions",
        "/%2e%2e/sessions",
        "/agents/.%2e/sessions",
    ] {
        seed.check(|| bearer("GET", path, &basic), |r| r.bad_path(DotSegment))
            .await;
    }
    seed.check(
        || bearer("GET", "/sessions%2F", &admin),
        |r| r.bad_path(EncodedSlash),
    )
    .await;
    for path in ["/agents/..%2Fsessions", "/agents/%2E%2E%2Fsessions"] {
        seed.check(|| anonymous("GET", path), |r| r.bad_path(EncodedSlash))
            .await;
    }
    seed.untouched().await;
}

/// Dot segments: clients and proxies resolve them, `ServeDir` skips `.`, axum routes
/// `/sessions/.` to `/sessions/{session_id}` with the id `.`. Refused before any rule or
/// token: 400. A dot inside a segment (`a.b`, `...`) is an ordinary byte.
#[tokio::test]
async fn path_dot_segments() {
    use scope_runtime::PathClass::DotSegment;
    let seed = Seed::new();
    let basic = mint(BASIC);
    let power = mint(POWER);
    let admin = mint(ADMIN);
    for path in [
        "/agents/../sessions",
        "/agents/./../sessions",
        "/./sessions",
        "/agents/research-agent/../../sessions",
        "/health/../sessions",
    ] {
        seed.check(|| bearer("GET", path, &basic), |r| r.bad_path(DotSegment))
            .await;
    }
    seed.check(
        || bearer("GET", "/sessions/.", &admin),
        |r| r.bad_path(DotSegment),
    )
    .await;
    for path in [
        "/agents/research-agent/runs/..",
        "/agents/research-agent/./runs",
        "/agents/../agents/research-agent/runs",
    ] {
        seed.check(
            || AgentOs::run(path, Some(&format!("Bearer {power}"))),
            |r| r.bad_path(DotSegment),
        )
        .await;
    }
    seed.check(
        || anonymous("GET", "/health/.."),
        |r| r.bad_path(DotSegment),
    )
    .await;
    seed.check(|| anonymous("GET", "/health/."), |r| r.bad_path(DotSegment))
        .await;
    seed.untouched().await;
    // Dots inside a segment are bytes of an id: the `/agents/*` rule, an unknown agent.
    for path in ["/agents/...", "/agents/a.b", "/agents/.x"] {
        seed.check(|| anonymous("GET", path), Reply::missing).await;
        seed.os.send(bearer("GET", path, &basic)).await.passed(404);
    }
}

/// `;` parameters are bytes of the segment (no Tomcat-style stripping on either side).
#[tokio::test]
async fn path_semicolon_parameters() {
    let seed = Seed::new();
    let power = mint(POWER);
    let admin = mint(ADMIN);
    seed.check(
        || bearer("GET", "/sessions;jsessionid=1", &admin),
        Reply::unmapped,
    )
    .await;
    seed.check(|| bearer("GET", "/sessions;/x", &admin), Reply::unmapped)
        .await;
    seed.check(
        || {
            AgentOs::run(
                "/agents;x=1/research-agent/runs",
                Some(&format!("Bearer {power}")),
            )
        },
        Reply::unmapped,
    )
    .await;
    seed.check(
        || {
            AgentOs::run(
                "/agents/research-agent/runs;x",
                Some(&format!("Bearer {power}")),
            )
        },
        Reply::unmapped,
    )
    .await;
    seed.check(|| anonymous("GET", "/health;x=1"), Reply::missing)
        .await;
    seed.untouched().await;

    // Inside the `*` of a run, `;x` is part of the agent id: the run rule applies, the
    // agent does not exist, and nothing is created.
    let reply = seed
        .os
        .send(AgentOs::run(
            "/agents/research-agent;x/runs",
            Some(&format!("Bearer {power}")),
        ))
        .await;
    reply.passed(404);
    assert_eq!(seed.os.state().await, (0, 0));
}

/// Paths are case-sensitive for the policy and for axum.
#[tokio::test]
async fn path_case() {
    let seed = Seed::new();
    let basic = mint(BASIC);
    let admin = mint(ADMIN);
    let power = mint(POWER);
    for path in ["/AGENTS", "/Agents", "/agents/RESEARCH-AGENT/RUNS"] {
        seed.check(|| bearer("GET", path, &basic), Reply::unmapped)
            .await;
    }
    for path in ["/SESSIONS", "/Sessions", "/CONFIG"] {
        seed.check(|| bearer("GET", path, &admin), Reply::unmapped)
            .await;
    }
    seed.check(
        || {
            AgentOs::run(
                "/agents/research-agent/RUNS",
                Some(&format!("Bearer {power}")),
            )
        },
        Reply::unmapped,
    )
    .await;
    seed.check(|| anonymous("GET", "/HEALTH"), Reply::missing)
        .await;
    seed.untouched().await;
    let reply = seed
        .os
        .send(bearer("GET", "/AGENTS", &mint(SUPERADMIN)))
        .await;
    reply.passed(404);
}

/// Encoded NUL, CR, LF and other control characters: refused before any rule or token
/// (400), so no handler, log line or forwarded request ever holds them.
#[tokio::test]
async fn path_encoded_nul_cr_lf() {
    use scope_runtime::PathClass::ControlCharacter;
    let seed = Seed::new();
    let power = mint(POWER);
    let admin = mint(ADMIN);
    for path in [
        "/sessions%00",
        "/sessions%0d%0a",
        "/sessions%0A",
        "/sessions%00/x",
        "/agents/x%0D%0ASet-Cookie:%20a=b",
        "/agents/%7F",
    ] {
        seed.check(
            || bearer("GET", path, &admin),
            |r| r.bad_path(ControlCharacter),
        )
        .await;
    }
    for path in ["/health%00", "/health%0d%0aX-Admin:%201", "/agents/%00"] {
        seed.check(|| anonymous("GET", path), |r| r.bad_path(ControlCharacter))
            .await;
    }
    for path in [
        "/agents/research-agent/runs%00",
        "/agents/research-agent%00/runs",
        "/agents/research-agent%00/runs/x",
    ] {
        seed.check(
            || AgentOs::run(path, Some(&format!("Bearer {power}"))),
            |r| r.bad_path(ControlCharacter),
        )
        .await;
    }
    seed.untouched().await;
}

/// A layer on a nested router still matches the full path (`OriginalUri`), not the path
/// the outer router shortened: `/v1/users` is protected although `/users` is public.
#[tokio::test]
async fn path_nested_router_sees_the_full_path() {
    let users = signed_payload(&payload("u", &["users:read"], 3600));
    for placement in [LabLayer::NestedV1, LabLayer::Top] {
        let (app, hits) = lab(placement);
        // The shortened path would be `/users`, public in the policy.
        for path in ["/v1/users", "/v1/users/7"] {
            send(&app, anonymous("GET", path)).await.refused(
                401,
                &lab_challenge(""),
                "Authorization header missing",
            );
        }
        send(&app, bearer("GET", "/v1/admin/x", &users))
            .await
            .refused(
                403,
                &lab_challenge(r#"error="insufficient_scope", scope="admin""#),
                "Insufficient permissions. Required scope(s): admin",
            );
        send(&app, bearer("DELETE", "/v1/users/7", &users))
            .await
            .refused(
                403,
                &lab_challenge(r#"error="insufficient_scope", scope="users:admin""#),
                "Insufficient permissions. Required scope(s): users:admin",
            );
        assert_eq!(hits.protected(), 0, "{placement:?}");
        // `/v1/v1/users` shortens to `/v1/users`, a protected rule; the full path is
        // unmapped. On top, the layer denies it; on the nested router only, the nested
        // router has no route for it and axum hands it to the OUTER fallback, which that
        // layer does not cover: why the layer belongs on the outermost router.
        let reply = send(&app, bearer("GET", "/v1/v1/users", &users)).await;
        match placement {
            LabLayer::Top => {
                reply.refused(
                    403,
                    &lab_challenge(r#"error="insufficient_scope""#),
                    UNMAPPED_DETAIL,
                );
                assert_eq!(hits.fallback.get(), 0);
            }
            LabLayer::NestedV1 => {
                reply.passed(200);
                assert_eq!(hits.fallback.get(), 1);
            }
        }

        // The positive controls.
        send(&app, bearer("GET", "/v1/users", &users))
            .await
            .passed(200);
        send(&app, bearer("GET", "/v1/users/7", &users))
            .await
            .passed(200);
        send(&app, anonymous("GET", "/users")).await.passed(200);
        assert_eq!(hits.protected.get(), 2, "{placement:?}");
        assert_eq!(hits.public.get(), 1, "{placement:?}");
    }

    // Twice nested: `/api/v2/items/{*rest}` is matched on the full path.
    let (app, hits) = lab(LabLayer::Top);
    let items = signed_payload(&payload("u", &["items:read"], 3600));
    send(&app, anonymous("GET", "/api/v2/items/a/b"))
        .await
        .refused(401, &lab_challenge(""), "Authorization header missing");
    send(&app, bearer("GET", "/api/v2/items/a/b", &mint(POWER)))
        .await
        .refused(
            403,
            &lab_challenge(r#"error="insufficient_scope", scope="items:read""#),
            "Insufficient permissions. Required scope(s): items:read",
        );
    assert_eq!(hits.protected(), 0);
    send(&app, bearer("GET", "/api/v2/items/a/b", &items))
        .await
        .passed(200);
    assert_eq!(hits.protected.get(), 1);
}

/// Catch-alls: `{*path}` needs at least one byte after the slash, for the policy as for
/// axum; another route's prefix inside it stays in it.
#[tokio::test]
async fn path_catch_alls() {
    let (app, hits) = lab(LabLayer::Top);
    let reader = signed_payload(&payload("u", &["files:read"], 3600));
    let unmapped = || {
        (
            403,
            lab_challenge(r#"error="insufficient_scope""#),
            UNMAPPED_DETAIL,
        )
    };
    for path in ["/files", "/files/"] {
        let (status, challenge, detail) = unmapped();
        send(&app, bearer("GET", path, &reader))
            .await
            .refused(status, &challenge, detail);
        send(&app, anonymous("GET", path)).await.refused(
            401,
            &lab_challenge(""),
            "Authorization header missing",
        );
    }
    // The catch-all's scope is the catch-all's, whatever the tail names.
    send(&app, bearer("PUT", "/files/a", &reader))
        .await
        .refused(
            403,
            &lab_challenge(r#"error="insufficient_scope", scope="files:write""#),
            "Insufficient permissions. Required scope(s): files:write",
        );
    let (status, challenge, detail) = unmapped();
    send(&app, bearer("DELETE", "/files/a", &reader))
        .await
        .refused(status, &challenge, detail);
    // A catch-all's value is handed to the handler decoded and as it is: dot segments,
    // empty segments and encoded slashes in it would be read one way by the policy and
    // another by whatever the handler does with the value. Refused, with or without
    // the scope.
    for (path, class) in [
        ("/files/../v1/admin/x", PathClass::DotSegment),
        ("/files/%2e%2e/v1/admin/x", PathClass::DotSegment),
        ("/files//x", PathClass::EmptySegment),
        ("/files/a%2Fb", PathClass::EncodedSlash),
    ] {
        for token in [None, Some(&reader)] {
            let request = match token {
                None => anonymous("GET", path),
                Some(token) => bearer("GET", path, token),
            };
            let detail = class.detail();
            send(&app, request).await.refused(
                400,
                &lab_challenge(&format!(
                    r#"error="invalid_request", error_description="{detail}""#
                )),
                detail,
            );
        }
    }
    assert_eq!(hits.protected(), 0);
    // With the scope, the catch-all's own handler is reached (never /v1/admin's).
    for path in ["/files/a", "/files/v1/admin/x", "/files/a/b/", "/files/%61"] {
        send(&app, bearer("GET", path, &reader)).await.passed(200);
    }
    assert_eq!(hits.protected.get(), 4);
    assert_eq!(hits.fallback.get(), 0);
}

/// `**` matches zero segments, so `/static/**` covers `/static` itself, which axum's
/// `/static/{*path}` does not route: a `public` `**` rule lets the bare prefix reach the
/// fallback without a token. Documented semantics (README, "Matching"); the safe spelling for a
/// catch-all route is `{*path}`, which matches what axum routes.
#[tokio::test]
async fn path_double_star_covers_the_bare_prefix() {
    static STATIC_POLICY: scope_runtime::Policy = scope_runtime::scopes! {
        "GET /static/**"       => public,
        "GET /assets/{*path}"  => public,
    };
    let fallback = Hits::default();
    let routes = Hits::default();
    let (f, r) = (fallback.clone(), routes.clone());
    let app: Router = Router::new()
        .route(
            "/static/{*path}",
            axum::routing::get(move || async move {
                r.hit();
            }),
        )
        .route("/assets/{*path}", axum::routing::get(|| async {}))
        .fallback(move || async move {
            f.hit();
            StatusCode::NOT_FOUND
        })
        .layer(scope_runtime::ScopeLayer::new(hs256(SECRET), STATIC_POLICY));
    send(&app, anonymous("GET", "/static/app.js"))
        .await
        .passed(200);
    // The bare prefix: public by `**`, routed to the fallback by axum.
    send(&app, anonymous("GET", "/static")).await.passed(404);
    assert_eq!((routes.get(), fallback.get()), (1, 1));
    // `{*path}` agrees with axum: the bare prefix is unmapped, so authentication first.
    for path in ["/assets", "/assets/"] {
        send(&app, anonymous("GET", path)).await.missing();
    }
    assert_eq!(fallback.get(), 1);
}

/// Unknown routes never meet the fallback without the admin scope.
#[tokio::test]
async fn path_unknown_routes_and_fallback() {
    let seed = Seed::new();
    let admin = mint(ADMIN);
    for path in [
        "/unknown",
        "/admin",
        "/.env",
        "/agents/x/y/z",
        "/agents/x/runs/y",
        "/",
    ] {
        seed.check(|| bearer("GET", path, &admin), Reply::unmapped)
            .await;
        seed.check(|| anonymous("GET", path), Reply::missing).await;
    }
    seed.untouched().await;
}

// ====================================================================== methods

/// `HEAD` uses the `GET` rule of the same path (axum serves it with the GET handler).
#[tokio::test]
async fn method_head_uses_the_get_rule() {
    let seed = Seed::new();
    seed.check(
        || bearer("HEAD", "/sessions", &mint(BASIC)),
        |r| r.forbidden(&["app:admin"]),
    )
    .await;
    seed.check(|| anonymous("HEAD", "/agents"), Reply::missing)
        .await;
    seed.check(
        || bearer("HEAD", "/agents", &mint(BASIC)),
        |r| {
            // No body on HEAD answers, the GET rule's decision all the same.
            r.passed(200);
            assert!(r.body.is_empty(), "{r:?}");
        },
    )
    .await;
    assert_eq!(seed.hits.get(), 1);
    // A HEAD on a POST-only route has no GET rule to borrow: unmapped.
    seed.check(|| bearer("HEAD", RUN, &mint(POWER)), Reply::unmapped)
        .await;
    seed.check(|| anonymous("HEAD", "/health"), |r| r.passed(200))
        .await;
    assert_eq!(seed.hits.get(), 2);
    assert_eq!(seed.os.state().await, (0, 0));
}

/// Methods are case-sensitive; lower-case and unknown methods only meet `*` rules (the
/// seed has none), so they are unmapped.
#[tokio::test]
async fn method_lowercase_and_unknown() {
    let seed = Seed::new();
    let basic = mint(BASIC);
    let power = mint(POWER);
    let admin = mint(ADMIN);
    for method in [
        "get", "Get", "PROPFIND", "FOO", "OPTIONS", "TRACE", "PUT", "DELETE",
    ] {
        seed.check(|| bearer(method, "/agents", &basic), Reply::unmapped)
            .await;
        seed.check(|| bearer(method, "/sessions", &admin), Reply::unmapped)
            .await;
        seed.check(|| anonymous(method, "/health"), Reply::missing)
            .await;
    }
    for method in ["post", "Post", "PUT", "PATCH", "GET"] {
        seed.check(
            || {
                let mut req = AgentOs::run(RUN, Some(&format!("Bearer {power}")));
                *req.method_mut() = http::Method::from_bytes(method.as_bytes()).expect("method");
                req
            },
            Reply::unmapped,
        )
        .await;
    }
    seed.untouched().await;
    // With the admin scope the router itself refuses the method (405), it does not
    // treat `get` as `GET`.
    let reply = seed
        .os
        .send(bearer("get", "/agents", &mint(SUPERADMIN)))
        .await;
    reply.passed(405);
}

/// Method-override headers and parameters are honoured by nobody: the method that is
/// checked is the method that is routed.
#[tokio::test]
async fn method_override_headers_are_ignored() {
    let seed = Seed::new();
    let basic = mint(BASIC);
    let power = mint(POWER);
    let admin = mint(ADMIN);
    let overrides = [
        "x-http-method-override",
        "x-http-method",
        "x-method-override",
    ];
    for header in overrides {
        // A basic user's run pretending to be a read.
        seed.check(
            || {
                let mut req = AgentOs::run(RUN, Some(&format!("Bearer {basic}")));
                req.headers_mut().insert(header, value(b"GET"));
                req
            },
            |r| r.forbidden(RUN_SCOPES),
        )
        .await;
        // A read of the runs URL pretending to be a run: GET there is unmapped.
        seed.check(
            || {
                request("GET", RUN)
                    .header(AUTHORIZATION, format!("Bearer {power}"))
                    .header(header, "POST")
                    .body(Body::empty())
                    .expect("request")
            },
            Reply::unmapped,
        )
        .await;
        // A POST on a GET-only route pretending to be a GET.
        seed.check(
            || {
                request("POST", "/sessions")
                    .header(AUTHORIZATION, format!("Bearer {admin}"))
                    .header(header, "GET")
                    .body(Body::empty())
                    .expect("request")
            },
            Reply::unmapped,
        )
        .await;
    }
    seed.check(
        || {
            AgentOs::run(
                &format!("{RUN}?_method=GET"),
                Some(&format!("Bearer {basic}")),
            )
        },
        |r| r.forbidden(RUN_SCOPES),
    )
    .await;
    seed.untouched().await;
}

// ====================================================================== tokens

/// `alg: none` in any casing, with or without a signature, never verifies.
#[tokio::test]
async fn token_alg_none_any_casing() {
    let seed = Seed::new();
    let claims = payload("user-1", POWER, 3600);
    for alg in [
        "none",
        "None",
        "NONE",
        "nOnE",
        "none ",
        " none",
        "none\u{0}",
    ] {
        let header = json!({ "alg": alg, "typ": "JWT" }).to_string();
        let unsigned = format!("{}.{}.", b64(&header), b64(&claims));
        // The same header and claims with a genuine HS256 signature over them.
        let signed_none = signed(&header, &claims);
        for token in [unsigned, signed_none] {
            token_refused(&seed, &token, |r| r.invalid_token("algorithm not allowed")).await;
        }
    }
    // No signature part at all.
    let two_parts = format!("{}.{}", b64(r#"{"alg":"none"}"#), b64(&claims));
    token_refused(&seed, &two_parts, |r| r.invalid_token("malformed token")).await;
    seed.untouched().await;
}

/// HS/RS key confusion: the RSA public key used as an HMAC secret never verifies,
/// whatever the `kid` says; an RS256 token never verifies against an HMAC secret.
#[tokio::test]
async fn token_hs_rs_key_confusion() {
    // A service that trusts one RSA key (RS256) only.
    let (rs_only, rs_hits) = mirror_with(
        JwtVerifier::builder()
            .key(VerificationKey::rsa_pem(
                scope_runtime::Algorithm::RS256,
                RSA_PUBLIC,
            ))
            .build()
            .expect("verifier"),
    );
    // A service that trusts an HMAC secret (kid `hs`) and the RSA key (kid `rs`).
    let (mixed, mixed_hits) = mirror_with(
        JwtVerifier::builder()
            .key(VerificationKey::hs256(SECRET).map(|k| k.with_kid("hs")))
            .key(
                VerificationKey::rsa_pem(scope_runtime::Algorithm::RS256, RSA_PUBLIC)
                    .map(|k| k.with_kid("rs")),
            )
            .build()
            .expect("verifier"),
    );
    let claims = payload("user-1", SUPERADMIN, 3600);
    let pem = RSA_PUBLIC.as_bytes();
    let pem_trimmed = RSA_PUBLIC.trim().as_bytes();
    for alg in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512] {
        let name = format!("{alg:?}");
        for key in [pem, pem_trimmed] {
            for kid in [None, Some("rs"), Some("hs")] {
                let header = match kid {
                    Some(kid) => json!({ "alg": name, "kid": kid }),
                    None => json!({ "alg": name }),
                }
                .to_string();
                let token = hmac_token(alg, key, &header, &claims);
                // The RSA key of `rs_only` has no kid, so it is the one candidate
                // whatever the kid says, and it only takes RS256.
                send(&rs_only, bearer("GET", "/agents", &token))
                    .await
                    .invalid_token("algorithm not allowed");
                let expected = match (alg, kid) {
                    // Only the HMAC secret takes HS256, and the PEM is not that secret.
                    (Algorithm::HS256, None | Some("hs")) => "signature does not match",
                    _ => "algorithm not allowed",
                };
                send(&mixed, bearer("GET", "/agents", &token))
                    .await
                    .invalid_token(expected);
            }
        }
    }
    // An RS256 token against the seed's HMAC-only verifier.
    let seed = Seed::new();
    let rs = rs256_token(None, &serde_json::from_str(&claims).expect("claims"));
    token_refused(&seed, &rs, |r| r.invalid_token("algorithm not allowed")).await;
    seed.untouched().await;
    assert_eq!(rs_hits.get() + mixed_hits.get(), 0);
    // The positive control: a genuine RS256 token passes both.
    send(&rs_only, bearer("GET", "/agents", &rs))
        .await
        .passed(200);
    let rs_kid = rs256_token(Some("rs"), &serde_json::from_str(&claims).expect("claims"));
    send(&mixed, bearer("GET", "/agents", &rs_kid))
        .await
        .passed(200);
}

/// The algorithm is pinned per key: another HMAC size with the same secret, a lower-case
/// name, a padded name, a missing or non-string `alg` never verify.
#[tokio::test]
async fn token_unpinned_algorithms() {
    let seed = Seed::new();
    let claims = payload("user-1", SUPERADMIN, 3600);
    for alg in [Algorithm::HS384, Algorithm::HS512] {
        let header = json!({ "alg": format!("{alg:?}"), "typ": "JWT" }).to_string();
        let token = hmac_token(alg, SECRET.as_bytes(), &header, &claims);
        token_refused(&seed, &token, |r| r.invalid_token("algorithm not allowed")).await;
    }
    for alg in [
        "hs256", "Hs256", "HS256 ", "HS-256", "", "RS256", "ES256", "EdDSA", "XS256",
    ] {
        let token = signed(&json!({ "alg": alg }).to_string(), &claims);
        token_refused(&seed, &token, |r| r.invalid_token("algorithm not allowed")).await;
    }
    for header in [
        r#"{"typ":"JWT"}"#,
        r#"{"alg":256}"#,
        r#"{"alg":["HS256"]}"#,
        r#"{"alg":null}"#,
        r#"{"alg":{"name":"HS256"}}"#,
        r#"{}"#,
        r#"[]"#,
        r#""HS256""#,
    ] {
        let token = signed(header, &claims);
        token_refused(&seed, &token, |r| r.invalid_token("malformed token")).await;
    }
    // Two `alg` members: whichever one is read, the token is refused.
    for header in [
        r#"{"alg":"none","alg":"HS256"}"#,
        r#"{"alg":"HS256","alg":"none"}"#,
        r#"{"alg":"HS512","alg":"HS256"}"#,
    ] {
        let token = signed(header, &claims);
        seed.check(
            || run_as(&token),
            |r| {
                assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{header}: {r:?}");
                let challenge = r.www_authenticate.as_deref().unwrap_or_default();
                assert!(
                    challenge.starts_with(r#"Bearer error="invalid_token""#),
                    "{r:?}"
                );
            },
        )
        .await;
    }
    // `crit` extensions are not understood, so refused (RFC 7515 §4.1.11).
    let token = signed(r#"{"alg":"HS256","crit":["exp"]}"#, &claims);
    token_refused(&seed, &token, |r| {
        r.invalid_token("unsupported critical header")
    })
    .await;
    seed.untouched().await;
}

/// `kid` tricks: unknown ids, traversal and injection strings, ids of the wrong type,
/// the id of a key pinned to another algorithm.
#[tokio::test]
async fn token_kid_tricks() {
    let (app, hits) = mirror_with(
        JwtVerifier::builder()
            .key(VerificationKey::hs256(SECRET).map(|k| k.with_kid("2024-01")))
            .key(VerificationKey::hs256(OTHER_SECRET).map(|k| k.with_kid("2024-02")))
            .key(
                VerificationKey::rsa_pem(scope_runtime::Algorithm::RS256, RSA_PUBLIC)
                    .map(|k| k.with_kid("rsa")),
            )
            .build()
            .expect("verifier"),
    );
    let claims = payload("user-1", SUPERADMIN, 3600);
    let header = |kid: serde_json::Value| json!({ "alg": "HS256", "kid": kid }).to_string();
    for kid in [
        "unknown",
        "",
        "../../../../dev/null",
        "/dev/null",
        "' OR '1'='1",
        "2024-01\u{0}",
        "2024-01 ",
        "2024-1",
        "2024-01/../2024-02",
        "*",
    ] {
        let token = signed(&header(json!(kid)), &claims);
        send(&app, bearer("GET", "/agents", &token))
            .await
            .invalid_token("unknown key id");
    }
    for kid in [
        json!(1),
        json!(true),
        json!(["2024-01"]),
        json!({ "kid": "2024-01" }),
    ] {
        let token = signed(&header(kid), &claims);
        send(&app, bearer("GET", "/agents", &token))
            .await
            .invalid_token("malformed token");
    }
    // The id of the RSA key on an HS256 token: that key only takes RS256.
    let token = signed(&header(json!("rsa")), &claims);
    send(&app, bearer("GET", "/agents", &token))
        .await
        .invalid_token("algorithm not allowed");
    // The id of the other secret: only that key is tried.
    let token = signed(&header(json!("2024-02")), &claims);
    send(&app, bearer("GET", "/agents", &token))
        .await
        .invalid_token("signature does not match");
    // The id of the RSA key with the RSA public key as HMAC secret.
    let token = hmac_token(
        Algorithm::HS256,
        RSA_PUBLIC.as_bytes(),
        &header(json!("rsa")),
        &claims,
    );
    send(&app, bearer("GET", "/agents", &token))
        .await
        .invalid_token("algorithm not allowed");
    assert_eq!(hits.get(), 0);
    // Controls: the right id, and `kid: null` (as absent: every key is a candidate).
    for kid in [json!("2024-01"), serde_json::Value::Null] {
        let token = signed(&header(kid), &claims);
        send(&app, bearer("GET", "/agents", &token))
            .await
            .passed(200);
    }
    assert_eq!(hits.get(), 2);
}

/// Tampered payloads and signatures: every change to the signed bytes is a bad
/// signature (or a malformed token), never a pass.
#[tokio::test]
async fn token_tampered_payload_or_signature() {
    let seed = Seed::new();
    let basic = mint(BASIC);
    let [h, p, s] = parts(&basic);
    let superadmin_claims = b64(payload("user-1", SUPERADMIN, 3600));
    let power_claims = b64(payload("user-1", POWER, 3600));
    let [_, _, other_sig] = parts(&mint(POWER));
    let mut flipped = s.clone().into_bytes();
    flipped[0] = if flipped[0] == b'A' { b'B' } else { b'A' };
    let flipped = String::from_utf8(flipped).expect("ASCII");
    let forged = hmac_token(
        Algorithm::HS256,
        OTHER_SECRET.as_bytes(),
        r#"{"alg":"HS256","typ":"JWT"}"#,
        &payload("user-1", SUPERADMIN, 3600),
    );
    for token in [
        format!("{h}.{superadmin_claims}.{s}"),
        format!("{h}.{power_claims}.{s}"),
        format!("{h}.{p}.{other_sig}"),
        format!("{h}.{p}.{flipped}"),
        format!("{h}.{p}.{}", &s[..s.len() - 1]),
        format!("{h}.{p}.{}", &s[..10]),
        format!("{h}.{p}.{s}{s}"),
        format!("{h}.{p}A.{s}"),
        forged,
    ] {
        token_refused(&seed, &token, |r| {
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{token}: {r:?}");
            let challenge = r.www_authenticate.as_deref().unwrap_or_default();
            assert!(
                challenge == r#"Bearer error="invalid_token", error_description="signature does not match""#
                    || challenge == r#"Bearer error="invalid_token", error_description="malformed token""#,
                "{token}: {r:?}"
            );
        })
        .await;
    }
    // The exact answers of the plain cases.
    let token = format!("{h}.{superadmin_claims}.{s}");
    token_refused(&seed, &token, |r| {
        r.invalid_token("signature does not match")
    })
    .await;
    let token = format!("{h}.{p}.");
    token_refused(&seed, &token, |r| {
        r.invalid_token("signature does not match")
    })
    .await;
    seed.untouched().await;
}

/// `exp` and `nbf` missing or of the wrong JSON type, and the edges of time.
#[tokio::test]
async fn token_exp_nbf_missing_or_wrong_type() {
    let seed = Seed::new();
    let t = now();
    let claims = |extra: &str| format!(r#"{{"sub":"u","scopes":["app:superadmin"]{extra}}}"#);
    let cases: Vec<(String, &str)> = vec![
        (claims(""), "missing required claim `exp`"),
        (claims(r#","exp":null"#), "claim `exp` has the wrong type"),
        (
            claims(&format!(r#","exp":"{}""#, t + 3600)),
            "claim `exp` has the wrong type",
        ),
        (claims(r#","exp":true"#), "claim `exp` has the wrong type"),
        (
            claims(&format!(r#","exp":{},"nbf":"0""#, t + 3600)),
            "claim `nbf` has the wrong type",
        ),
        (
            claims(&format!(r#","exp":{},"nbf":null"#, t + 3600)),
            "claim `nbf` has the wrong type",
        ),
        (
            claims(&format!(r#","exp":{},"iat":"now""#, t + 3600)),
            "claim `iat` has the wrong type",
        ),
        (
            claims(&format!(r#","exp":{},"nbf":{}"#, t + 3600, t + 600)),
            "token not yet valid (nbf)",
        ),
        (
            format!(
                r#"{{"sub":7,"scopes":["app:superadmin"],"exp":{}}}"#,
                t + 3600
            ),
            "claim `sub` has the wrong type",
        ),
        (
            format!(
                r#"{{"jti":[],"scopes":["app:superadmin"],"exp":{}}}"#,
                t + 3600
            ),
            "claim `jti` has the wrong type",
        ),
    ];
    for (payload, description) in &cases {
        let token = signed_payload(payload);
        token_refused(&seed, &token, |r| r.invalid_token(description)).await;
    }
    for exp in [
        (t - 120).to_string(),
        "0".to_owned(),
        "-1".to_owned(),
        "1".to_owned(),
        format!("{}.5", t - 120),
    ] {
        let token = signed_payload(&claims(&format!(r#","exp":{exp}"#)));
        token_refused(&seed, &token, Reply::expired).await;
    }
    // Numbers JSON parsers cannot hold: refused, whatever the reason. (A merely huge
    // `exp` such as 2^64 is a far-future date, the issuer's call, and is accepted.)
    for exp in ["1e999", "-1e999", "1e400", "-1e400"] {
        let token = signed_payload(&claims(&format!(r#","exp":{exp}"#)));
        seed.check(
            || run_as(&token),
            |r| {
                assert_eq!(r.status, StatusCode::UNAUTHORIZED, "exp {exp}: {r:?}");
            },
        )
        .await;
    }
    // Two `exp` members, one expired: refused whichever is read.
    for (a, b) in [(t - 3600, t + 3600), (t + 3600, t - 3600)] {
        let token = signed_payload(&claims(&format!(r#","exp":{a},"exp":{b}"#)));
        seed.check(
            || run_as(&token),
            |r| {
                assert_eq!(
                    r.status,
                    StatusCode::UNAUTHORIZED,
                    "exp {a} then {b}: {r:?}"
                );
            },
        )
        .await;
    }
    seed.untouched().await;

    // Controls: within the 30 s leeway both ways.
    let token = signed_payload(&claims(&format!(r#","exp":{},"nbf":{}"#, t - 10, t + 10)));
    seed.os.send(run_as(&token)).await.passed(200);
    assert_eq!(seed.os.state().await, (1, 1));
}

/// A registered time claim that is an array or an object is refused, but as a
/// "claim `exp` has the wrong type", like a string, `null` or `true` there (it once was
/// "malformed token": jsonwebtoken reports it as a JSON error).
#[tokio::test]
async fn token_exp_array_or_object_reason() {
    let seed = Seed::new();
    let t = now() + 3600;
    for (extra, claim) in [
        (format!(r#""exp":[{t}]"#), "exp"),
        (format!(r#""exp":{{"at":{t}}}"#), "exp"),
        (format!(r#""exp":{t},"nbf":[0]"#), "nbf"),
        (format!(r#""exp":{t},"iat":{{}}"#), "iat"),
    ] {
        let token = signed_payload(&format!(r#"{{"scopes":["app:superadmin"],{extra}}}"#));
        let expected = format!("claim `{claim}` has the wrong type");
        token_refused(&seed, &token, |r| r.invalid_token(&expected)).await;
    }
    seed.untouched().await;
}

/// The verified-token cache remembers a token, never its verdict on time: a token that
/// passed once is refused as soon as it expires (here with a zero leeway).
#[tokio::test]
async fn token_cache_rechecks_expiry() {
    let (app, hits) = mirror_with(
        JwtVerifier::builder()
            .key(VerificationKey::hs256(SECRET))
            .leeway(std::time::Duration::ZERO)
            .build()
            .expect("verifier"),
    );
    let exp = now() + 2;
    let token = signed_payload(&format!(
        r#"{{"sub":"u","scopes":["app:superadmin"],"exp":{exp}}}"#
    ));
    send(&app, bearer("GET", "/agents", &token))
        .await
        .passed(200);
    send(&app, bearer("GET", "/agents", &token))
        .await
        .passed(200);
    while now() <= exp {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    send(&app, bearer("GET", "/agents", &token)).await.expired();
    send(&app, run_as(&token)).await.expired();
    assert_eq!(hits.get(), 2);
}

/// `iss` and `aud`: required once configured, compared exactly, of the right type; an
/// `aud` the service did not ask for is refused.
#[tokio::test]
async fn token_iss_and_aud() {
    let (app, hits) = mirror_with(
        JwtVerifier::builder()
            .key(VerificationKey::hs256(SECRET))
            .issuer("https://issuer.test")
            .audience("agent-os")
            .build()
            .expect("verifier"),
    );
    let t = now() + 3600;
    let with = |extra: &str| {
        signed_payload(&format!(
            r#"{{"sub":"u","scopes":["app:superadmin"],"exp":{t}{extra}}}"#
        ))
    };
    let good_iss = r#","iss":"https://issuer.test""#;
    let good_aud = r#","aud":"agent-os""#;
    let cases = [
        (good_aud.to_owned(), "issuer mismatch"),
        (
            format!(r#"{good_aud},"iss":"https://issuer.test/""#),
            "issuer mismatch",
        ),
        (
            format!(r#"{good_aud},"iss":"https://ISSUER.test""#),
            "issuer mismatch",
        ),
        (format!(r#"{good_aud},"iss":"""#), "issuer mismatch"),
        (
            format!(r#"{good_aud},"iss":["https://issuer.test"]"#),
            "claim `iss` has the wrong type",
        ),
        (
            format!(r#"{good_aud},"iss":null"#),
            "claim `iss` has the wrong type",
        ),
        (good_iss.to_owned(), "audience mismatch"),
        (format!(r#"{good_iss},"aud":"other""#), "audience mismatch"),
        (
            format!(r#"{good_iss},"aud":"agent-os ""#),
            "audience mismatch",
        ),
        (format!(r#"{good_iss},"aud":[]"#), "audience mismatch"),
        (
            format!(r#"{good_iss},"aud":["other"]"#),
            "audience mismatch",
        ),
        (
            format!(r#"{good_iss},"aud":1"#),
            "claim `aud` has the wrong type",
        ),
        (
            format!(r#"{good_iss},"aud":["agent-os",1]"#),
            "claim `aud` has the wrong type",
        ),
        (
            format!(r#"{good_iss},"aud":{{"agent-os":true}}"#),
            "claim `aud` has the wrong type",
        ),
    ];
    for (extra, description) in &cases {
        send(&app, bearer("GET", "/agents", &with(extra)))
            .await
            .invalid_token(description);
    }
    assert_eq!(hits.get(), 0);
    for extra in [
        format!("{good_iss}{good_aud}"),
        format!(r#"{good_iss},"aud":["other","agent-os"]"#),
    ] {
        send(&app, bearer("GET", "/agents", &with(&extra)))
            .await
            .passed(200);
    }
    // The seed configures no audience: a token meant for someone else is refused.
    let seed = Seed::new();
    let token = signed_payload(&format!(
        r#"{{"sub":"u","scopes":["app:superadmin"],"exp":{t},"aud":"other-service"}}"#
    ));
    token_refused(&seed, &token, |r| r.invalid_token("audience mismatch")).await;
    seed.untouched().await;
}

/// Tokens above the cap (8 KiB) are refused before any decoding; large but legal ones
/// are merely malformed.
#[tokio::test]
async fn token_huge() {
    let seed = Seed::new();
    let over = "a".repeat(8 * 1024 + 1);
    token_refused(&seed, &over, |r| r.invalid_token("token too long")).await;
    let mega = format!("{}.{}.{}", "a".repeat(1 << 19), "b".repeat(1 << 19), "c");
    token_refused(&seed, &mega, |r| r.invalid_token("token too long")).await;
    // A genuine signature over a payload that makes the token 9 KiB: still too long.
    let padding = "x".repeat(9 * 1024);
    let big = signed_payload(&format!(
        r#"{{"sub":"u","scopes":["app:superadmin"],"exp":{},"pad":"{padding}"}}"#,
        now() + 3600
    ));
    token_refused(&seed, &big, |r| r.invalid_token("token too long")).await;
    // Exactly the cap: read, and refused for what it is.
    let at_cap = "a".repeat(8 * 1024);
    token_refused(&seed, &at_cap, |r| r.invalid_token("malformed token")).await;
    seed.untouched().await;
}

/// Any number of dots other than two is malformed, and costs no more than splitting.
#[tokio::test]
async fn token_many_dots() {
    let seed = Seed::new();
    let [h, p, s] = parts(&mint(SUPERADMIN));
    for token in [
        format!("{h}.{p}.{s}.{s}"),
        format!("{h}.{p}.{s}."),
        format!(".{h}.{p}.{s}"),
        format!("{h}..{p}.{s}"),
        format!("{h}.{p}"),
        h.clone(),
        ".".repeat(2),
        ".".repeat(3),
        ".".repeat(4000),
        format!("{h}.{}", ".".repeat(4000)),
        format!("{h}.{p}.{s}{}", ".x".repeat(1000)),
    ] {
        token_refused(&seed, &token, |r| r.invalid_token("malformed token")).await;
    }
    seed.untouched().await;
}

/// Bad base64 and bad JSON in the parts; characters outside RFC 6750's `b64token` are
/// a malformed header (400).
#[tokio::test]
async fn token_bad_base64() {
    let seed = Seed::new();
    let [h, p, s] = parts(&mint(SUPERADMIN));
    let std_b64 = |part: &str| part.replace('-', "+").replace('_', "/");
    for token in [
        // Standard (not url-safe) alphabet and padding in the header part.
        format!("{}+/.{p}.{s}", &h[..h.len() - 2]),
        format!("{h}.{p}.{s}=="),
        // A header that is not JSON, or not an object.
        format!("{}.{p}.{s}", b64("not json")),
        format!("{}.{p}.{s}", b64("[\"HS256\"]")),
        format!("{}.{p}.{s}", b64(r#"{"alg":"HS256""#)),
        format!("{}.{p}.{s}", b64(b"\xff\xfe{}")),
        // A single base64 character is never a whole byte.
        format!("A.{p}.{s}"),
    ] {
        token_refused(&seed, &token, |r| r.invalid_token("malformed token")).await;
    }
    // The same claims in the standard alphabet: other bytes, so other signed bytes.
    if std_b64(&p) != p || std_b64(&s) != s {
        let token = format!("{h}.{}.{}", std_b64(&p), std_b64(&s));
        token_refused(&seed, &token, |r| {
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{r:?}");
        })
        .await;
    }
    // A genuine signature over a payload that is not a JSON object.
    for body in ["not json", "[]", "\"exp\"", "{\"exp\":1", "null"] {
        let token = hmac_token(
            Algorithm::HS256,
            SECRET.as_bytes(),
            r#"{"alg":"HS256"}"#,
            body,
        );
        token_refused(&seed, &token, |r| r.invalid_token("malformed token")).await;
    }
    // Outside `b64token`: the header is malformed before any token is read.
    for token in [
        format!("{h}.{p}.{s}!"),
        format!("{h}.{p}.{s}%3D"),
        format!("{h},{p},{s}"),
        format!("\"{h}.{p}.{s}\""),
        format!("{h}.{p}.{s}=x"),
        format!("{h}.{p} .{s}"),
        // `=` is only allowed at the very end of a b64token.
        format!("{h}==.{p}.{s}"),
        format!("{h}=.{p}.{s}"),
    ] {
        token_refused(&seed, &token, |r| {
            r.invalid_request("Malformed Authorization header")
        })
        .await;
    }
    seed.untouched().await;
}

/// Deeply nested JSON in the header or the claims (within the length cap) is refused as
/// malformed: parsers stop at their depth limit, nothing overflows the stack.
#[tokio::test]
async fn token_deeply_nested_json() {
    let seed = Seed::new();
    let deep = format!("{}{}", "[".repeat(2000), "]".repeat(2000));
    let claims = payload("u", SUPERADMIN, 3600);
    let header = format!(r#"{{"alg":"HS256","x":{deep}}}"#);
    let token = signed(&header, &claims);
    assert!(token.len() <= 8 * 1024, "{}", token.len());
    token_refused(&seed, &token, |r| r.invalid_token("malformed token")).await;
    let body = format!(
        r#"{{"sub":"u","scopes":["app:superadmin"],"exp":{},"x":{deep}}}"#,
        now() + 3600
    );
    let token = signed_payload(&body);
    assert!(token.len() <= 8 * 1024, "{}", token.len());
    token_refused(&seed, &token, |r| r.invalid_token("malformed token")).await;
    seed.untouched().await;
}

/// Non-UTF-8 and control bytes in the `Authorization` header: a malformed request, never
/// a lossy conversion into something that verifies.
#[tokio::test]
async fn token_non_utf8_headers() {
    let seed = Seed::new();
    let good = mint(SUPERADMIN);
    let values: Vec<Vec<u8>> = vec![
        b"Bearer \xff\xfe".to_vec(),
        [b"Bearer ".as_slice(), good.as_bytes(), b"\xc3\xa9"].concat(),
        [b"Bearer \xc2\xa0".as_slice(), good.as_bytes()].concat(),
        [b"Bearer\xa0".as_slice(), good.as_bytes()].concat(),
        [b"B\xe9arer ".as_slice(), good.as_bytes()].concat(),
        [b"Bearer ".as_slice(), good.as_bytes(), b"\t\x80"].concat(),
        [b"Bearer\t".as_slice(), good.as_bytes()].concat(),
        [
            b"Bearer ".as_slice(),
            &good.as_bytes()[..10],
            b"\t",
            &good.as_bytes()[10..],
        ]
        .concat(),
    ];
    for v in &values {
        for path in [RUN, "/agents"] {
            seed.check(
                || {
                    let mut req = AgentOs::run(path, None);
                    if path == "/agents" {
                        *req.method_mut() = http::Method::GET;
                    }
                    req.headers_mut().insert(AUTHORIZATION, value(v));
                    req
                },
                |r| r.invalid_request("Malformed Authorization header"),
            )
            .await;
        }
    }
    seed.untouched().await;
}

/// Two `Authorization` headers are one request too many, whatever they hold.
#[tokio::test]
async fn token_duplicate_authorization_headers() {
    let seed = Seed::new();
    let good = format!("Bearer {}", mint(SUPERADMIN));
    let pairs: [(&str, &str); 4] = [
        (&good, &good),
        ("Basic dXNlcjpwYXNz", &good),
        (&good, "Bearer x.y.z"),
        ("", &good),
    ];
    for (first, second) in pairs {
        seed.check(
            || {
                let mut req = AgentOs::run(RUN, None);
                req.headers_mut()
                    .append(AUTHORIZATION, value(first.as_bytes()));
                req.headers_mut()
                    .append(AUTHORIZATION, value(second.as_bytes()));
                req
            },
            |r| r.invalid_request("Two Authorization headers"),
        )
        .await;
    }
    seed.untouched().await;
}

/// With `TokenSource::HeaderOrCookie`, a token in both places (even the same one), or
/// the cookie twice, is an invalid request; a malformed cookie too.
#[tokio::test]
async fn token_in_header_and_cookie() {
    let (app, hits) = mirror_with(
        JwtVerifier::builder()
            .key(VerificationKey::hs256(SECRET))
            .token_source(TokenSource::HeaderOrCookie("access_token".into()))
            .build()
            .expect("verifier"),
    );
    let good = mint(SUPERADMIN);
    let with = |auth: Option<String>, cookies: &[String]| {
        let mut builder = request("GET", "/agents");
        if let Some(auth) = auth {
            builder = builder.header(AUTHORIZATION, auth);
        }
        for c in cookies {
            builder = builder.header(COOKIE, c.as_str());
        }
        builder.body(Body::empty()).expect("request")
    };
    let both = "Token found in both the Authorization header and a cookie";
    let cases: Vec<(Option<String>, Vec<String>, &str)> = vec![
        (
            Some(format!("Bearer {good}")),
            vec![format!("access_token={good}")],
            both,
        ),
        (
            Some(format!("Bearer {good}")),
            vec![format!("theme=dark; access_token={}", mint(BASIC))],
            both,
        ),
        (
            None,
            vec![format!("access_token={good}; access_token={good}")],
            "Token cookie sent more than once",
        ),
        (
            None,
            vec![
                format!("access_token={good}"),
                format!("access_token={good}"),
            ],
            "Token cookie sent more than once",
        ),
        (
            None,
            vec![format!("access_token={good} x")],
            "Malformed token cookie",
        ),
        (
            None,
            vec![format!("access_token={good},")],
            "Malformed token cookie",
        ),
    ];
    for (auth, cookies, description) in &cases {
        send(&app, with(auth.clone(), cookies))
            .await
            .invalid_request(description);
    }
    // An empty cookie counts as absent; an unrelated cookie name is no token.
    for cookie in [
        "access_token=",
        "access_token=\"\"",
        "xaccess_token=a.b.c",
        "access_tokenx=a.b.c",
    ] {
        send(&app, with(None, &[cookie.to_owned()])).await.missing();
    }
    assert_eq!(hits.get(), 0);
    // Controls: the cookie alone, and a non-Bearer header beside the cookie.
    send(&app, with(None, &[format!("access_token=\"{good}\"")]))
        .await
        .passed(200);
    send(
        &app,
        with(
            Some("Basic dXNlcg==".into()),
            &[format!("access_token={good}")],
        ),
    )
    .await
    .passed(200);
    assert_eq!(hits.get(), 2);
}

/// A scopes claim of the wrong JSON type grants nothing (and does not fall back to the
/// next claim name).
#[tokio::test]
async fn token_scopes_claim_wrong_type() {
    let seed = Seed::new();
    let t = now() + 3600;
    for scopes in [
        r#""scopes":{"app:run":true,"app:execute":true}"#,
        r#""scopes":["app:run","app:execute",1]"#,
        r#""scopes":[["app:run","app:execute"]]"#,
        r#""scopes":[{"0":"app:run"},"app:execute"]"#,
        r#""scopes":7"#,
        r#""scopes":true"#,
        r#""scopes":null,"scope":"app:run app:execute""#,
        r#""scopes":[],"scope":"app:run app:execute""#,
        r#""scopes":"","scp":["app:run","app:execute"]"#,
        r#""scopes":"app:run,app:execute""#,
        r#""scopes":"app:run\tapp:execute""#,
        r#""scopes":["app:run app:execute"]"#,
        r#""Scopes":["app:run","app:execute"]"#,
        r#""scopes ":["app:run","app:execute"]"#,
        r#""scopes":["app:superadmin",null]"#,
    ] {
        let token = signed_payload(&format!(r#"{{"sub":"u","exp":{t},{scopes}}}"#));
        seed.check(|| run_as(&token), |r| r.forbidden(RUN_SCOPES))
            .await;
    }
    seed.untouched().await;
    // Controls: each documented form passes.
    for scopes in [
        r#""scopes":["app:run","app:execute"]"#,
        r#""scopes":"app:run app:execute""#,
        r#""scope":"  app:run   app:execute ""#,
        r#""scp":["","app:run","app:execute"]"#,
    ] {
        let token = signed_payload(&format!(r#"{{"sub":"u","exp":{t},{scopes}}}"#));
        seed.os.send(run_as(&token)).await.passed(200);
    }
    assert_eq!(seed.os.state().await, (4, 4));
}

/// Look-alike scopes are other scopes: exact, case-sensitive comparison, for the
/// required scope and for the admin scope.
#[tokio::test]
async fn token_look_alike_scopes() {
    let seed = Seed::new();
    let look_alikes = [
        "admin",
        "app:admin:read",
        "app:administrator",
        "app:admin2",
        "App:Admin",
        "APP:ADMIN",
        "app:admin ",
        " app:admin",
        "app:admin\u{0}",
        "app:admin\t",
        "app:admin\n",
        "\u{430}pp:admin",
        "app\u{ff1a}admin",
        "app:*",
        "*",
        "app:",
        "app:admin,app:read",
        "app:superadmin2",
        "app:superadmi",
        "superadmin",
        "app:super admin",
        "app:superadmin:read",
        "APP:SUPERADMIN",
    ];
    for scope in look_alikes {
        let token = signed_payload(&payload("u", &[scope, "app:read"], 3600));
        seed.check(
            || bearer("GET", "/sessions", &token),
            |r| r.forbidden(&["app:admin"]),
        )
        .await;
        seed.check(|| run_as(&token), |r| r.forbidden(RUN_SCOPES))
            .await;
        // The same as one space-delimited string (where a space is a separator, so
        // ` app:admin` there IS `app:admin`: those are left out).
        if scope.contains(' ') {
            continue;
        }
        let token = signed_payload(
            &json!({ "sub": "u", "exp": now() + 3600, "scope": format!("{scope} app:read") })
                .to_string(),
        );
        seed.check(
            || bearer("GET", "/sessions", &token),
            |r| r.forbidden(&["app:admin"]),
        )
        .await;
    }
    seed.untouched().await;
    let token = signed_payload(&payload("u", &["app:admin"], 3600));
    seed.os
        .send(bearer("GET", "/sessions", &token))
        .await
        .passed(200);
}

/// Empty strings everywhere: header, scheme, token, parts, claims, scopes, kid, alg.
#[tokio::test]
async fn token_empty_strings() {
    let seed = Seed::new();
    for v in ["", " ", "Bearer", "Bearer ", "Bearer    ", "bearer\t"] {
        seed.check(
            || {
                let mut req = AgentOs::run(RUN, None);
                req.headers_mut().insert(AUTHORIZATION, value(v.as_bytes()));
                req
            },
            |r| r.invalid_request("Malformed Authorization header"),
        )
        .await;
    }
    for token in ["..", "...", ".a.", "a..", "..a"] {
        token_refused(&seed, token, |r| r.invalid_token("malformed token")).await;
    }
    let t = now() + 3600;
    for (header, payload, description) in [
        (
            r#"{"alg":""}"#,
            format!(r#"{{"exp":{t}}}"#),
            "algorithm not allowed",
        ),
        (
            r#"{"alg":"HS256"}"#,
            "{}".to_owned(),
            "missing required claim `exp`",
        ),
    ] {
        let token = signed(header, &payload);
        token_refused(&seed, &token, |r| r.invalid_token(description)).await;
    }
    for scopes in [
        r#""scopes":"""#,
        r#""scopes":[""]"#,
        r#""scopes":["",""]"#,
        r#""scopes":" ""#,
    ] {
        let token = signed_payload(&format!(r#"{{"sub":"","exp":{t},{scopes}}}"#));
        seed.check(|| run_as(&token), |r| r.forbidden(RUN_SCOPES))
            .await;
    }
    seed.untouched().await;
    // An empty `kid` on a key without id is no id trick: the key takes it, as any.
    let token = signed(
        r#"{"alg":"HS256","kid":""}"#,
        &format!(r#"{{"sub":"","exp":{t},"scopes":["app:run","app:execute"]}}"#),
    );
    seed.os.send(run_as(&token)).await.passed(200);
}

/// Other schemes and spellings of `Bearer`.
#[tokio::test]
async fn token_schemes() {
    let seed = Seed::new();
    let good = mint(SUPERADMIN);
    for v in [
        format!("Basic {good}"),
        format!("Token {good}"),
        format!("Bearerx {good}"),
        format!("JWT {good}"),
        good.clone(),
    ] {
        seed.check(
            || {
                let mut req = AgentOs::run(RUN, None);
                req.headers_mut().insert(AUTHORIZATION, value(v.as_bytes()));
                req
            },
            Reply::not_bearer,
        )
        .await;
    }
    seed.check(|| AgentOs::run(RUN, None), Reply::missing).await;
    seed.untouched().await;
    for v in [
        format!("bearer {good}"),
        format!("BEARER   {good}"),
        format!(" Bearer {good} "),
    ] {
        let mut req = AgentOs::run(RUN, None);
        req.headers_mut().insert(AUTHORIZATION, value(v.as_bytes()));
        seed.os.send(req).await.passed(200);
    }
}

/// Expired and forged tokens on every route of the seed.
#[tokio::test]
async fn token_expired_and_forged_everywhere() {
    let seed = Seed::new();
    let expired = mint_lifetime(SUPERADMIN, -120);
    let forged = hmac_token(
        Algorithm::HS256,
        OTHER_SECRET.as_bytes(),
        r#"{"alg":"HS256","typ":"JWT"}"#,
        &payload("superadmin", SUPERADMIN, 3600),
    );
    for (method, path) in [
        ("GET", "/agents"),
        ("GET", "/agents/research-agent"),
        ("POST", RUN),
        ("GET", "/sessions"),
        ("GET", "/sessions/session-1"),
        ("GET", "/memories"),
        ("POST", "/memories"),
        ("GET", "/config"),
        ("GET", "/me"),
        ("GET", "/unknown"),
        ("DELETE", "/agents/x"),
    ] {
        seed.check(|| bearer(method, path, &expired), Reply::expired)
            .await;
        seed.check(
            || bearer(method, path, &forged),
            |r| r.invalid_token("signature does not match"),
        )
        .await;
    }
    seed.untouched().await;
}

// ====================================================================== raw TCP

/// What `http::Uri` refuses to build, and header bytes a client can still send: written
/// by hand on a TCP socket to `axum::serve`. hyper refuses the unparseable with 400 (or
/// 431 for oversized heads) before any service runs; everything else meets the layer.
#[tokio::test]
async fn raw_tcp_requests() {
    let os = AgentOs::new();
    let served = serve(os.router.clone()).await;
    let (mirror, hits) = seed_mirror();
    let served_mirror = serve(mirror).await;
    let basic = mint(BASIC);
    let power = mint(POWER);
    let unmapped = UNMAPPED_CHALLENGE;
    let run_scopes = r#"Bearer error="insufficient_scope", scope="app:run app:execute""#;
    let admin_scope = r#"Bearer error="insufficient_scope", scope="app:admin""#;
    let malformed =
        r#"Bearer error="invalid_request", error_description="Malformed Authorization header""#;

    let power_line = auth_line(&power);
    let basic_line = auth_line(&basic);
    let run_body_headers: [&[u8]; 3] = [
        &power_line,
        b"Content-Type: application/x-www-form-urlencoded",
        b"Content-Length: 10",
    ];
    let post_run = |target: &[u8], headers: &[&[u8]]| {
        let mut req = raw_request(b"POST", target, headers);
        req.extend_from_slice(b"message=hi");
        req
    };

    // (request bytes, check)
    type Check = Box<dyn Fn(&RawReply)>;
    let rejected =
        |status: u16| -> Check { Box::new(move |r: &RawReply| r.rejected_by_hyper(status)) };
    let refused = |status: u16, challenge: &'static str| -> Check {
        Box::new(move |r: &RawReply| r.refused(status, challenge))
    };
    let big_header = [b"Authorization: Bearer ".as_slice(), &vec![b'a'; 1 << 20]].concat();
    let many_headers: Vec<Vec<u8>> = (0..200)
        .map(|i| format!("X-H{i}: v").into_bytes())
        .collect();
    let many_refs: Vec<&[u8]> = many_headers.iter().map(Vec::as_slice).collect();
    let cases: Vec<(&str, Vec<u8>, Check)> = vec![
        // Raw bytes in the request target.
        (
            "NUL in path",
            post_run(b"/agents/research-agent\0/runs", &run_body_headers),
            rejected(400),
        ),
        (
            "CR in path",
            post_run(b"/agents/research-agent\r/runs", &run_body_headers),
            rejected(400),
        ),
        (
            "LF in path",
            raw_request(b"GET", b"/sessions\n/x", &[&basic_line]),
            rejected(400),
        ),
        (
            "space in path",
            raw_request(b"GET", b"/sessions /x", &[&basic_line]),
            rejected(400),
        ),
        (
            "tab in path",
            raw_request(b"GET", b"/sessions\t/x", &[&basic_line]),
            rejected(400),
        ),
        (
            "non-ASCII in path",
            raw_request(b"GET", b"/sessions\xff", &[&basic_line]),
            rejected(400),
        ),
        // http accepts UTF-8 (not other bytes above 0x7F): raw bytes, no rule.
        (
            "UTF-8 in path",
            post_run(
                "/agents/research-agent/r\u{fc}ns".as_bytes(),
                &run_body_headers,
            ),
            refused(403, unmapped),
        ),
        (
            "DEL in path",
            raw_request(b"GET", b"/sessions\x7f", &[&basic_line]),
            rejected(400),
        ),
        // Request-target forms other than origin-form.
        (
            "asterisk form",
            raw_request(b"OPTIONS", b"*", &[&basic_line]),
            refused(403, unmapped),
        ),
        (
            "asterisk form, anonymous",
            raw_request(b"OPTIONS", b"*", &[]),
            refused(401, "Bearer"),
        ),
        (
            "absolute form",
            raw_request(b"GET", b"http://127.0.0.1/sessions", &[&basic_line]),
            refused(403, admin_scope),
        ),
        (
            "absolute form, other host",
            raw_request(b"GET", b"http://admin.internal/sessions", &[&basic_line]),
            refused(403, admin_scope),
        ),
        (
            "absolute form, run",
            post_run(
                b"http://127.0.0.1/agents/research-agent/runs",
                &[
                    &basic_line,
                    b"Content-Type: application/x-www-form-urlencoded",
                    b"Content-Length: 10",
                ],
            ),
            refused(403, run_scopes),
        ),
        (
            "authority form",
            raw_request(b"CONNECT", b"127.0.0.1:1", &[&power_line]),
            refused(403, unmapped),
        ),
        (
            "fragment",
            raw_request(b"GET", b"/sessions#/../agents", &[&basic_line]),
            refused(403, admin_scope),
        ),
        (
            "query only",
            raw_request(b"GET", b"/sessions?/../agents", &[&basic_line]),
            refused(403, admin_scope),
        ),
        (
            "backslashes",
            raw_request(b"GET", b"/agents\\..\\sessions", &[&basic_line]),
            refused(
                400,
                r#"Bearer error="invalid_request", error_description="Invalid request path: backslash (\\ or %5C)""#,
            ),
        ),
        (
            "lower-case method",
            post_run(b"/agents/research-agent/runs", &run_body_headers)
                .iter()
                .enumerate()
                .map(|(i, &b)| if i < 4 { b.to_ascii_lowercase() } else { b })
                .collect(),
            refused(403, unmapped),
        ),
        // Header bytes.
        (
            "obs-text in Authorization",
            raw_request(b"GET", b"/agents", &[b"Authorization: Bearer \xff\xfe"]),
            refused(400, malformed),
        ),
        (
            "two Authorization lines",
            raw_request(b"GET", b"/agents", &[&power_line, &basic_line]),
            refused(
                400,
                r#"Bearer error="invalid_request", error_description="Two Authorization headers""#,
            ),
        ),
        (
            "obs-fold",
            raw_request(
                b"GET",
                b"/sessions",
                &[b"Authorization: Bearer", format!(" {basic}").as_bytes()],
            ),
            rejected(400),
        ),
        (
            "NUL in a header",
            raw_request(
                b"GET",
                b"/agents",
                &[[
                    b"Authorization: Bearer ".as_slice(),
                    basic.as_bytes(),
                    b"\0",
                ]
                .concat()
                .as_slice()],
            ),
            rejected(400),
        ),
        (
            "space before colon",
            raw_request(
                b"GET",
                b"/agents",
                &[format!("Authorization : Bearer {basic}").as_bytes()],
            ),
            rejected(400),
        ),
        (
            "1 MiB header",
            raw_request(b"GET", b"/agents", &[&big_header]),
            rejected(431),
        ),
        (
            "200 headers",
            raw_request(b"GET", b"/agents", &many_refs),
            rejected(431),
        ),
        (
            "HTTP/1.0",
            b"GET /sessions HTTP/1.0\r\n"
                .iter()
                .copied()
                .chain(basic_line.iter().copied())
                .chain(*b"\r\n\r\n")
                .collect(),
            refused(403, admin_scope),
        ),
    ];
    for target in [served.addr, served_mirror.addr] {
        for (label, bytes, check) in &cases {
            let reply = raw_http(target, bytes).await;
            eprintln!(
                "{label}: {:?} {:?}",
                reply.status,
                reply.header("www-authenticate")
            );
            check(&reply);
        }
    }
    assert_eq!(hits.get(), 0, "a handler of the mirror was reached");
    assert_eq!(os.state().await, (0, 0));

    // Controls over the same sockets: lower-case header names and no space after the
    // colon are fine HTTP; the run goes through once.
    let reply = raw_http(
        served.addr,
        &post_run(
            b"/agents/research-agent/runs",
            &[
                format!("authorization:bearer {power}").as_bytes(),
                b"content-type: application/x-www-form-urlencoded",
                b"content-length: 10",
            ],
        ),
    )
    .await;
    assert_eq!(reply.status, Some(200), "{reply:?}");
    assert_eq!(os.state().await, (1, 1));
}
