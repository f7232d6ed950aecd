//! Nested routers, catch-alls and `**`, on the lab: the layer decides on the full path
//! from the root of the outermost router, and a catch-all's value is the catch-all's.

use axum::Router;
use axum::routing::get;
use http::StatusCode;
use scope_policy_tests::lab::{LAB_REALM, LabLayer, lab};
use scope_policy_tests::record::{Hits, counted};
use scope_policy_tests::refusal::Refusal;
use scope_policy_tests::reply::send;
use scope_policy_tests::requests::{anonymous, bearer, with_token};
use scope_policy_tests::seed::POWER;
use scope_policy_tests::tokens::{SECRET, hs256, mint};
use scope_runtime::{PathClass, Policy, ScopeLayer, scopes};

/// The lab's refusal of the kind `refusal` (its challenges name its realm).
fn in_lab(refusal: Refusal) -> Refusal {
    refusal.in_realm(LAB_REALM)
}

/// A layer on a nested router still matches the full path (`OriginalUri`), not the path
/// the outer router shortened: `/v1/users` is protected although `/users` is public.
#[tokio::test]
async fn path_nested_router_sees_the_full_path() {
    let users = mint(&["users:read"]);
    for placement in [LabLayer::NestedV1, LabLayer::Top] {
        let (app, hits) = lab(placement);
        // The shortened path would be `/users`, public in the policy.
        for (request, refusal) in [
            (anonymous("GET", "/v1/users"), Refusal::missing()),
            (anonymous("GET", "/v1/users/7"), Refusal::missing()),
            (
                bearer("GET", "/v1/admin/x", &users),
                Refusal::forbidden(&["admin"]),
            ),
            (
                bearer("DELETE", "/v1/users/7", &users),
                Refusal::forbidden(&["users:admin"]),
            ),
        ] {
            send(&app, request).await.refused(&in_lab(refusal));
        }
        assert_eq!(hits.protected(), 0, "{placement:?}");
        // `/v1/v1/users` shortens to `/v1/users`, a protected rule; the full path is
        // unmapped. On top, the layer denies it; on the nested router only, the nested
        // router has no route for it and axum hands it to the OUTER fallback, which that
        // layer does not cover: why the layer belongs on the outermost router.
        let reply = send(&app, bearer("GET", "/v1/v1/users", &users)).await;
        match placement {
            LabLayer::Top => {
                reply.refused(&in_lab(Refusal::unmapped()));
                assert_eq!(hits.fallback.get(), 0);
            }
            LabLayer::NestedV1 => {
                reply.passed(200);
                assert_eq!(hits.fallback.get(), 1);
            }
        }

        // The positive controls.
        for path in ["/v1/users", "/v1/users/7"] {
            send(&app, bearer("GET", path, &users)).await.passed(200);
        }
        send(&app, anonymous("GET", "/users")).await.passed(200);
        assert_eq!(hits.protected.get(), 2, "{placement:?}");
        assert_eq!(hits.public.get(), 1, "{placement:?}");
    }

    // Twice nested: `/api/v2/items/{*rest}` is matched on the full path.
    let (app, hits) = lab(LabLayer::Top);
    let items = mint(&["items:read"]);
    for (request, refusal) in [
        (anonymous("GET", "/api/v2/items/a/b"), Refusal::missing()),
        (
            bearer("GET", "/api/v2/items/a/b", &mint(POWER)),
            Refusal::forbidden(&["items:read"]),
        ),
    ] {
        send(&app, request).await.refused(&in_lab(refusal));
    }
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
    let reader = mint(&["files:read"]);
    for (request, refusal) in [
        (bearer("GET", "/files", &reader), Refusal::unmapped()),
        (anonymous("GET", "/files"), Refusal::missing()),
        (bearer("GET", "/files/", &reader), Refusal::unmapped()),
        (anonymous("GET", "/files/"), Refusal::missing()),
        // The catch-all's scope is the catch-all's, whatever the tail names.
        (
            bearer("PUT", "/files/a", &reader),
            Refusal::forbidden(&["files:write"]),
        ),
        (bearer("DELETE", "/files/a", &reader), Refusal::unmapped()),
    ] {
        send(&app, request).await.refused(&in_lab(refusal));
    }
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
        for token in [None, Some(reader.as_str())] {
            send(&app, with_token("GET", path, token))
                .await
                .refused(&in_lab(Refusal::bad_path(class)));
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
    static STATIC_POLICY: Policy = scopes! {
        "GET /static/**"       => public,
        "GET /assets/{*path}"  => public,
    };
    let (fallback, routes) = (Hits::default(), Hits::default());
    let fallback_hits = fallback.clone();
    let app: Router = Router::new()
        .route("/static/{*path}", get(counted("static", &routes)))
        .route("/assets/{*path}", get(|| async {}))
        .fallback(move || async move {
            fallback_hits.hit();
            StatusCode::NOT_FOUND
        })
        .layer(ScopeLayer::new(hs256(SECRET), STATIC_POLICY));
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
