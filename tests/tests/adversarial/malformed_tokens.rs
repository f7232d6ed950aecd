//! Tokens that are not well-formed JWTs: bad base64, bad JSON, characters outside
//! `b64token`, empty strings in every place. Each is refused for what it is.

use http::StatusCode;
use jsonwebtoken::Algorithm;
use scope_policy_tests::mirror::Seed;
use scope_policy_tests::seed::{RUN_SCOPES, SUPERADMIN, run_as, run_with_authorization};
use scope_policy_tests::tokens::{
    SECRET, b64, hmac_token, mint, now, parts, signed, signed_payload,
};

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
        seed.token_invalid(&token, "malformed token").await;
    }
    // The same claims in the standard alphabet: other bytes, so other signed bytes.
    if std_b64(&p) != p || std_b64(&s) != s {
        let token = format!("{h}.{}.{}", std_b64(&p), std_b64(&s));
        seed.token_refused(&token, |r| {
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
        seed.token_invalid(&token, "malformed token").await;
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
        seed.token_refused(&token, |r| {
            r.invalid_request("Malformed Authorization header")
        })
        .await;
    }
    seed.untouched().await;
}

/// Empty strings everywhere: header, scheme, token, parts, claims, scopes, kid, alg.
#[tokio::test]
async fn token_empty_strings() {
    let seed = Seed::new();
    for v in ["", " ", "Bearer", "Bearer ", "Bearer    ", "bearer\t"] {
        seed.check(
            || run_with_authorization(v.as_bytes()),
            |r| r.invalid_request("Malformed Authorization header"),
        )
        .await;
    }
    for token in ["..", "...", ".a.", "a..", "..a"] {
        seed.token_invalid(token, "malformed token").await;
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
        seed.token_invalid(&token, description).await;
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
