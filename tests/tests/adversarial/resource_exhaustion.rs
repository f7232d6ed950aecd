//! Tokens built to cost the verifier: over the length cap, deeply nested JSON, thousands
//! of dots. Each is refused cheaply, before or while it is decoded, never by a crash.

use scope_policy_tests::mirror::Seed;
use scope_policy_tests::seed::SUPERADMIN;
use scope_policy_tests::tokens::{mint, now, parts, payload, signed, signed_payload};

/// Tokens above the cap (8 KiB) are refused before any decoding; large but legal ones
/// are merely malformed.
#[tokio::test]
async fn token_huge() {
    let seed = Seed::new();
    let over = "a".repeat(8 * 1024 + 1);
    seed.token_invalid(&over, "token too long").await;
    let mega = format!("{}.{}.{}", "a".repeat(1 << 19), "b".repeat(1 << 19), "c");
    seed.token_invalid(&mega, "token too long").await;
    // A genuine signature over a payload that makes the token 9 KiB: still too long.
    let padding = "x".repeat(9 * 1024);
    let big = signed_payload(&format!(
        r#"{{"sub":"u","scopes":["app:superadmin"],"exp":{},"pad":"{padding}"}}"#,
        now() + 3600
    ));
    seed.token_invalid(&big, "token too long").await;
    // Exactly the cap: read, and refused for what it is.
    let at_cap = "a".repeat(8 * 1024);
    seed.token_invalid(&at_cap, "malformed token").await;
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
        seed.token_invalid(&token, "malformed token").await;
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
    seed.token_invalid(&token, "malformed token").await;
    let body = format!(
        r#"{{"sub":"u","scopes":["app:superadmin"],"exp":{},"x":{deep}}}"#,
        now() + 3600
    );
    let token = signed_payload(&body);
    assert!(token.len() <= 8 * 1024, "{}", token.len());
    seed.token_invalid(&token, "malformed token").await;
    seed.untouched().await;
}
