//! `agent_os` with `JWT_JWKS_FILE` / `JWT_JWKS_URL`: tokens are verified by `kid` with the
//! JWKS keys, and the seed's HS256 secret no longer opens anything.

use axum::Router;
use axum::routing::get;
use http::StatusCode;
use jsonwebtoken::EncodingKey;
use scope_policy_examples::agent_os::{self, Config, DEFAULT_JWT_SECRET};
use scope_policy_tests::reply::send;
use scope_policy_tests::requests::bearer;
use scope_policy_tests::server::serve;
use scope_policy_tests::tokens::{claims, library_hs256, rs256_token_with, rsa_private_key};

/// The JWKS and its private key, kept together: `jwks/jwks.json` lists this RSA key as
/// `rsa-1`.
const FIXTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../scope-runtime/tests/fixtures"
);

fn rsa_key() -> EncodingKey {
    let pem = std::fs::read_to_string(format!("{FIXTURES}/rsa_private.pem")).expect("fixture");
    rsa_private_key(&pem)
}

/// An RS256 token of the identity provider's user, valid ten minutes.
fn rs256(kid: &str, scopes: &[&str]) -> String {
    rs256_token_with(&rsa_key(), Some(kid), &claims("idp-user", scopes, 600))
}

/// The status of `GET /agents` with `token`.
async fn status(app: &Router, token: &str) -> StatusCode {
    send(app, bearer("GET", "/agents", token)).await.status
}

#[tokio::test]
async fn jwks_file_keys_verify_tokens_by_kid() {
    let config = Config {
        jwks_file: Some(format!("{FIXTURES}/jwks/jwks.json").into()),
        ..Config::default()
    };
    let app = agent_os::router(&config);
    // With a JWKS configured, the seed's HS256 secret verifies nothing.
    let seed_secret = library_hs256(DEFAULT_JWT_SECRET, &claims("idp-user", &["app:read"], 600));
    for (token, expected, what) in [
        (
            rs256("rsa-1", &["app:read"]),
            StatusCode::OK,
            "the key's own kid",
        ),
        (
            rs256("ec-p256", &["app:read"]),
            StatusCode::UNAUTHORIZED,
            "the right key under another kid",
        ),
        (
            rs256("nope", &["app:read"]),
            StatusCode::UNAUTHORIZED,
            "a kid the file does not have",
        ),
        (
            rs256("rsa-1", &[]),
            StatusCode::FORBIDDEN,
            "a missing scope",
        ),
        (seed_secret, StatusCode::UNAUTHORIZED, "the seed's secret"),
    ] {
        assert_eq!(status(&app, &token).await, expected, "{what}");
    }
}

#[tokio::test]
async fn jwks_url_keys_verify_tokens_by_kid() {
    let jwks = std::fs::read_to_string(format!("{FIXTURES}/jwks/jwks.json")).expect("fixture");
    let provider = serve(Router::new().route("/jwks", get(move || async move { jwks }))).await;
    let config = Config {
        jwks_url: Some(provider.url("/jwks")),
        ..Config::default()
    };
    let app = agent_os::router(&config);
    let good = rs256("rsa-1", &["app:read"]);
    // The first fetch runs in the background: poll until it has landed (bounded).
    let mut last = StatusCode::UNAUTHORIZED;
    for _ in 0..100 {
        last = status(&app, &good).await;
        if last == StatusCode::OK {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(last, StatusCode::OK);
}
