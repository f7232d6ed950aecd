//! Claims: `exp`, `nbf`, `iat`, `iss`, `aud` and the scopes claim missing, of the wrong
//! JSON type, expired, duplicated, or looking like the real thing. A token whose claims
//! are not exactly right grants nothing.

use http::StatusCode;
use scope_policy_tests::mirror::{Seed, mirror_with, seed_verifier};
use scope_policy_tests::reply::{Reply, send};
use scope_policy_tests::requests::bearer;
use scope_policy_tests::seed::{RUN_SCOPES, run_as};
use scope_policy_tests::tokens::{now, payload, signed_payload};
use serde_json::json;

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
        seed.token_invalid(&token, description).await;
    }
    for exp in [
        (t - 120).to_string(),
        "0".to_owned(),
        "-1".to_owned(),
        "1".to_owned(),
        format!("{}.5", t - 120),
    ] {
        let token = signed_payload(&claims(&format!(r#","exp":{exp}"#)));
        seed.token_refused(&token, Reply::expired).await;
    }
    // Refused, whatever the reason: numbers JSON parsers cannot hold (a merely huge
    // `exp` such as 2^64 is a far-future date, the issuer's call, and is accepted), and
    // two `exp` members, one expired, whichever is read.
    let mut unreadable = Vec::new();
    for exp in ["1e999", "-1e999", "1e400", "-1e400"] {
        unreadable.push(claims(&format!(r#","exp":{exp}"#)));
    }
    for (a, b) in [(t - 3600, t + 3600), (t + 3600, t - 3600)] {
        unreadable.push(claims(&format!(r#","exp":{a},"exp":{b}"#)));
    }
    for payload in &unreadable {
        let token = signed_payload(payload);
        seed.check(
            || run_as(&token),
            |r| assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{payload}: {r:?}"),
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
        seed.token_invalid(&token, &expected).await;
    }
    seed.untouched().await;
}

/// The verified-token cache remembers a token, never its verdict on time: a token that
/// passed once is refused as soon as it expires (here with a zero leeway).
#[tokio::test]
async fn token_cache_rechecks_expiry() {
    let (app, hits) = mirror_with(seed_verifier().leeway(std::time::Duration::ZERO));
    let exp = now() + 2;
    let token = signed_payload(&format!(
        r#"{{"sub":"u","scopes":["app:superadmin"],"exp":{exp}}}"#
    ));
    // Verified, then served from the cache.
    for _ in 0..2 {
        send(&app, bearer("GET", "/agents", &token))
            .await
            .passed(200);
    }
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
        seed_verifier()
            .issuer("https://issuer.test")
            .audience("agent-os"),
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
    seed.token_invalid(&token, "audience mismatch").await;
    seed.untouched().await;
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
