//! `agent_os` with `JWT_JWKS_FILE` / `JWT_JWKS_URL`: tokens are verified by `kid` with the
//! JWKS keys, and the seed's HS256 secret no longer opens anything.

use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Body;
use http::{Request, StatusCode};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use scope_policy_examples::agent_os::{self, Config, DEFAULT_JWT_SECRET};
use serde_json::json;
use tower::ServiceExt;

const FIXTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../scope-runtime/tests/fixtures"
);

fn token(alg: Algorithm, key: &EncodingKey, kid: Option<&str>, scopes: &[&str]) -> String {
    let exp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs()
        + 600;
    let mut header = Header::new(alg);
    header.kid = kid.map(str::to_owned);
    let claims = json!({ "sub": "idp-user", "scopes": scopes, "exp": exp });
    jsonwebtoken::encode(&header, &claims, key).expect("encode")
}

fn rsa_key() -> EncodingKey {
    let pem = std::fs::read(format!("{FIXTURES}/rsa_private.pem")).expect("fixture");
    EncodingKey::from_rsa_pem(&pem).expect("rsa key")
}

async fn status(app: &axum::Router, token: &str) -> StatusCode {
    let request = Request::get("/agents")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .expect("request");
    app.clone()
        .oneshot(request)
        .await
        .expect("infallible")
        .status()
}

#[tokio::test]
async fn jwks_file_keys_verify_tokens_by_kid() {
    let config = Config {
        jwks_file: Some(format!("{FIXTURES}/jwks/jwks.json").into()),
        ..Config::default()
    };
    let app = agent_os::router(&config);
    let rsa = rsa_key();
    assert_eq!(
        status(
            &app,
            &token(Algorithm::RS256, &rsa, Some("rsa-1"), &["app:read"])
        )
        .await,
        StatusCode::OK
    );
    // The right key under another kid, a kid the file does not have, a missing scope.
    assert_eq!(
        status(
            &app,
            &token(Algorithm::RS256, &rsa, Some("ec-p256"), &["app:read"])
        )
        .await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        status(
            &app,
            &token(Algorithm::RS256, &rsa, Some("nope"), &["app:read"])
        )
        .await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        status(&app, &token(Algorithm::RS256, &rsa, Some("rsa-1"), &[])).await,
        StatusCode::FORBIDDEN
    );
    // With a JWKS configured, the seed's HS256 secret verifies nothing.
    let hs = EncodingKey::from_secret(DEFAULT_JWT_SECRET.as_bytes());
    assert_eq!(
        status(&app, &token(Algorithm::HS256, &hs, None, &["app:read"])).await,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn jwks_url_keys_verify_tokens_by_kid() {
    let jwks = std::fs::read_to_string(format!("{FIXTURES}/jwks/jwks.json")).expect("fixture");
    let provider =
        axum::Router::new().route("/jwks", axum::routing::get(move || async move { jwks }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/jwks", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, provider).await });

    let config = Config {
        jwks_url: Some(url),
        ..Config::default()
    };
    let app = agent_os::router(&config);
    let good = token(Algorithm::RS256, &rsa_key(), Some("rsa-1"), &["app:read"]);
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
