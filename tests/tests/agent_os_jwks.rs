//! `agent_os` with `JWT_JWKS_FILE` / `JWT_JWKS_URL`: tokens are verified by `kid` with the
//! JWKS keys, and the seed's HS256 secret no longer opens anything. The identity
//! provider is scope-runtime's test kit: its JWKS written to a file, or served on
//! loopback.

use std::time::Duration;

use axum::Router;
use http::StatusCode;
use scope_policy_examples::agent_os::{self, Config, DEFAULT_JWT_SECRET};
use scope_policy_tests::files::TempDir;
use scope_policy_tests::reply::send;
use scope_policy_tests::requests::bearer;
use scope_runtime::Algorithm;
use scope_runtime::test_util::{SigningKey, TestIdp};

/// The provider: an RSA key `rsa-1` (the one that signs) and an EC key `ec-p256`.
fn provider() -> TestIdp {
    TestIdp::new(SigningKey::test(Algorithm::RS256).with_kid("rsa-1"))
        .with_key(SigningKey::test(Algorithm::ES256).with_kid("ec-p256"))
}

/// An RS256 token of the identity provider's user, valid ten minutes, naming `kid`.
fn rs256(idp: &TestIdp, kid: &str, scopes: &[&str]) -> String {
    idp.token()
        .subject("idp-user")
        .scopes(scopes.iter().copied())
        .expires_in(Duration::from_secs(600))
        .kid(kid)
        .sign()
}

/// The status of `GET /agents` with `token`.
async fn status(app: &Router, token: &str) -> StatusCode {
    send(app, bearer("GET", "/agents", token)).await.status
}

#[tokio::test]
async fn jwks_file_keys_verify_tokens_by_kid() {
    let idp = provider();
    let dir = TempDir::new("agent-os-jwks");
    let file = idp
        .write_jwks(dir.path().join("jwks.json"))
        .expect("JWKS file");
    let config = Config {
        jwks_file: Some(file.path().to_owned()),
        ..Config::default()
    };
    let app = agent_os::router(&config);
    // With a JWKS configured, the seed's HS256 secret verifies nothing.
    let seed = SigningKey::hmac(Algorithm::HS256, DEFAULT_JWT_SECRET).expect("secret");
    let seed_secret = idp
        .token_with(&seed)
        .subject("idp-user")
        .scopes(["app:read"])
        .sign();
    let forged = idp
        .token_with(&SigningKey::attacker(Algorithm::RS256))
        .scopes(["app:read"])
        .kid("rsa-1")
        .sign();
    for (token, expected, what) in [
        (
            rs256(&idp, "rsa-1", &["app:read"]),
            StatusCode::OK,
            "the key's own kid",
        ),
        (
            rs256(&idp, "ec-p256", &["app:read"]),
            StatusCode::UNAUTHORIZED,
            "the right key under another kid",
        ),
        (
            rs256(&idp, "nope", &["app:read"]),
            StatusCode::UNAUTHORIZED,
            "a kid the file does not have",
        ),
        (
            rs256(&idp, "rsa-1", &[]),
            StatusCode::FORBIDDEN,
            "a missing scope",
        ),
        (
            forged,
            StatusCode::UNAUTHORIZED,
            "another RSA key under its kid",
        ),
        (seed_secret, StatusCode::UNAUTHORIZED, "the seed's secret"),
    ] {
        assert_eq!(status(&app, &token).await, expected, "{what}");
    }
}

#[tokio::test]
async fn jwks_url_keys_verify_tokens_by_kid() {
    let idp = provider();
    let server = idp.serve_jwks().await.expect("loopback JWKS");
    let config = Config {
        jwks_url: Some(server.jwks_url()),
        ..Config::default()
    };
    let app = agent_os::router(&config);
    let good = rs256(&idp, "rsa-1", &["app:read"]);
    // The first fetch runs in the background: poll until it has landed (bounded).
    let mut last = StatusCode::UNAUTHORIZED;
    for _ in 0..100 {
        last = status(&app, &good).await;
        if last == StatusCode::OK {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(last, StatusCode::OK);
    let other_key = rs256(&idp, "ec-p256", &["app:read"]);
    assert_eq!(status(&app, &other_key).await, StatusCode::UNAUTHORIZED);
}
