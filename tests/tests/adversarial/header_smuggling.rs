//! Credentials smuggled in headers: bytes that are not text, two `Authorization`
//! headers, a token in a header and a cookie, other schemes. Each is refused as the
//! malformed request it is, never read into something that verifies.

use axum::body::Body;
use http::header::{AUTHORIZATION, COOKIE};
use scope_policy_tests::mirror::{Seed, mirror_with, seed_verifier};
use scope_policy_tests::reply::{Reply, send};
use scope_policy_tests::requests::{header_value, request, with_authorization};
use scope_policy_tests::seed::{AgentOs, BASIC, RUN, SUPERADMIN, run_with_authorization};
use scope_policy_tests::tokens::mint;
use scope_runtime::TokenSource;

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
    let malformed = |r: &Reply| r.invalid_request("Malformed Authorization header");
    for v in &values {
        seed.check(|| run_with_authorization(v), malformed).await;
        seed.check(|| with_authorization("GET", "/agents", v), malformed)
            .await;
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
                    .append(AUTHORIZATION, header_value(first.as_bytes()));
                req.headers_mut()
                    .append(AUTHORIZATION, header_value(second.as_bytes()));
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
        seed_verifier().token_source(TokenSource::HeaderOrCookie("access_token".into())),
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
    let controls = [
        (None, format!("access_token=\"{good}\"")),
        (
            Some("Basic dXNlcg==".into()),
            format!("access_token={good}"),
        ),
    ];
    for (auth, cookie) in controls {
        send(&app, with(auth, &[cookie])).await.passed(200);
    }
    assert_eq!(hits.get(), 2);
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
        seed.check(|| run_with_authorization(v.as_bytes()), Reply::not_bearer)
            .await;
    }
    seed.check(|| AgentOs::run(RUN, None), Reply::missing).await;
    seed.untouched().await;
    for v in [
        format!("bearer {good}"),
        format!("BEARER   {good}"),
        format!(" Bearer {good} "),
    ] {
        seed.os
            .send(run_with_authorization(v.as_bytes()))
            .await
            .passed(200);
    }
}
