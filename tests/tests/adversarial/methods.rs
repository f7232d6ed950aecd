//! Method confusion: the method that is checked is the method that is routed, whatever
//! its case, and whatever a header or a parameter claims it is.

use axum::body::Body;
use http::{Method, Request};
use scope_policy_tests::mirror::{Call, Seed};
use scope_policy_tests::reply::Reply;
use scope_policy_tests::requests::{bearer, header_value};
use scope_policy_tests::seed::{ADMIN, BASIC, POWER, RUN, RUN_SCOPES, run_at};
use scope_policy_tests::tokens::mint;

/// `HEAD` uses the `GET` rule of the same path (axum serves it with the GET handler).
#[tokio::test]
async fn method_head_uses_the_get_rule() {
    let seed = Seed::new();
    let (basic, power) = (mint(BASIC), mint(POWER));
    seed.check_all([Call::new("HEAD", "/sessions", Some(&basic))], |r| {
        r.forbidden(&["app:admin"])
    })
    .await;
    seed.check_all([Call::new("HEAD", "/agents", None)], Reply::missing)
        .await;
    seed.check_all([Call::new("HEAD", "/agents", Some(&basic))], |r| {
        // No body on HEAD answers, the GET rule's decision all the same.
        r.passed(200);
        assert!(r.body.is_empty(), "{r:?}");
    })
    .await;
    assert_eq!(seed.hits.get(), 1);
    // A HEAD on a POST-only route has no GET rule to borrow: unmapped.
    seed.check_all([Call::new("HEAD", RUN, Some(&power))], Reply::unmapped)
        .await;
    seed.check_all([Call::new("HEAD", "/health", None)], |r| r.passed(200))
        .await;
    assert_eq!(seed.hits.get(), 2);
    assert_eq!(seed.os.state().await, (0, 0));
}

/// `request` with its method replaced by `method`, spelled exactly so.
fn with_method(mut request: Request<Body>, method: &str) -> Request<Body> {
    *request.method_mut() = Method::from_bytes(method.as_bytes()).expect("a method token");
    request
}

/// Methods are case-sensitive; lower-case and unknown methods only meet `*` rules (the
/// seed has none), so they are unmapped.
#[tokio::test]
async fn method_lowercase_and_unknown() {
    let seed = Seed::new();
    let (basic, power, admin) = (mint(BASIC), mint(POWER), mint(ADMIN));
    for method in [
        "get", "Get", "PROPFIND", "FOO", "OPTIONS", "TRACE", "PUT", "DELETE",
    ] {
        let calls = [
            Call::new(method, "/agents", Some(&basic)),
            Call::new(method, "/sessions", Some(&admin)),
        ];
        seed.unmapped(calls, [Call::new(method, "/health", None)])
            .await;
    }
    // A run's body and token, under another method.
    for method in ["post", "Post", "PUT", "PATCH", "GET"] {
        seed.check(|| with_method(run_at(RUN, &power), method), Reply::unmapped)
            .await;
    }
    seed.untouched().await;
    // With the admin scope the router itself refuses the method (405), it does not
    // treat `get` as `GET`.
    seed.os.as_superadmin("get", "/agents").await.passed(405);
}

/// `request` claiming, in the header `name`, to be a `method`.
fn overridden(mut request: Request<Body>, name: &'static str, method: &str) -> Request<Body> {
    request
        .headers_mut()
        .insert(name, header_value(method.as_bytes()));
    request
}

/// Method-override headers and parameters are honoured by nobody: the method that is
/// checked is the method that is routed.
#[tokio::test]
async fn method_override_headers_are_ignored() {
    let seed = Seed::new();
    let (basic, power, admin) = (mint(BASIC), mint(POWER), mint(ADMIN));
    let overrides = [
        "x-http-method-override",
        "x-http-method",
        "x-method-override",
    ];
    for header in overrides {
        // A basic user's run pretending to be a read.
        seed.check(
            || overridden(run_at(RUN, &basic), header, "GET"),
            |r| r.forbidden(RUN_SCOPES),
        )
        .await;
        // A read of the runs URL pretending to be a run: GET there is unmapped.
        seed.check(
            || overridden(bearer("GET", RUN, &power), header, "POST"),
            Reply::unmapped,
        )
        .await;
        // A POST on a GET-only route pretending to be a GET.
        seed.check(
            || overridden(bearer("POST", "/sessions", &admin), header, "GET"),
            Reply::unmapped,
        )
        .await;
    }
    let with_parameter = format!("{RUN}?_method=GET");
    seed.check_all([Call::run(&with_parameter, &basic)], |r| {
        r.forbidden(RUN_SCOPES)
    })
    .await;
    seed.untouched().await;
}
