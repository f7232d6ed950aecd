//! The kit's tokens against the real verifier, the real JWKS readers and a real router.

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::routing::get;

use super::{BearerExt as _, SigningKey, TestIdp, call};
use crate::{
    Algorithm, AuthError, InvalidTokenReason, JwksFile, JwtVerifier, KeyError, Policy, ScopeLayer,
    VerifiedClaims, scopes,
};

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("scope-test-util-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[test]
fn every_algorithm_verifies_and_another_providers_key_does_not() {
    for alg in Algorithm::ALL {
        let idp = TestIdp::new(SigningKey::test(alg));
        let verifier = idp.verifier().expect("verifier");
        let token = idp.token().subject("user-1").scopes(["app:read"]).sign();
        let claims = verifier
            .verify_token(&token)
            .unwrap_or_else(|err| panic!("{alg:?}: {err}"));
        assert_eq!(claims.subject(), Some("user-1"), "{alg:?}");
        assert!(claims.has_scope("app:read"), "{alg:?}");

        // Same algorithm, same kid, another key: the signature check refuses it, both
        // ways round.
        let attacker = TestIdp::new(SigningKey::attacker(alg));
        let forged = attacker.token().scopes(["app:read"]).sign();
        assert_eq!(
            verifier.verify_token(&forged).unwrap_err(),
            AuthError::InvalidToken(InvalidTokenReason::BadSignature),
            "{alg:?}"
        );
        assert!(
            attacker.verifier().unwrap().verify_token(&token).is_err(),
            "{alg:?}"
        );
    }
}

#[test]
fn expired_and_not_yet_valid_tokens_are_refused() {
    let idp = TestIdp::new(SigningKey::test(Algorithm::ES384));
    let verifier = idp.verifier().unwrap();
    assert!(verifier.verify_token(&idp.token().sign()).is_ok());
    assert_eq!(
        verifier
            .verify_token(&idp.token().expired().sign())
            .unwrap_err(),
        AuthError::Expired
    );
    assert!(
        verifier
            .verify_token(&idp.token().not_yet_valid().sign())
            .is_err()
    );
    assert!(
        verifier
            .verify_token(&idp.token().without_expiry().sign())
            .is_err()
    );
}

#[test]
fn issuer_and_audience_are_put_in_tokens_and_required() {
    let idp = TestIdp::rs256()
        .with_issuer("https://idp.test")
        .with_audience("agents-api");
    let verifier = idp.verifier().unwrap();
    let claims = verifier.verify_token(&idp.token().sign()).unwrap();
    assert_eq!(claims.issuer(), Some("https://idp.test"));
    assert!(
        verifier
            .verify_token(&idp.token().audience("other-api").sign())
            .is_err()
    );
    assert!(
        verifier
            .verify_token(&idp.token().issuer("https://evil.test").sign())
            .is_err()
    );
    // The same key without the provider's settings: no `iss`, no `aud`.
    assert!(
        verifier
            .verify_token(&idp.keys()[0].token().sign())
            .is_err()
    );
}

#[test]
fn scopes_go_to_the_claim_and_form_asked_for() {
    let idp = TestIdp::hs256();
    let token = idp
        .token()
        .scopes(["a:read", "b:write"])
        .scopes_claim("scp")
        .space_delimited();
    assert_eq!(token.claims()["scp"], "a:read b:write");
    let verifier = idp.builder().scopes_claim("scp").build().unwrap();
    let claims = verifier.verify_token(&token.sign()).unwrap();
    assert!(claims.has_scope("a:read") && claims.has_scope("b:write"));

    let array = idp.token().scopes(["a:read"]).claim("tenant", "acme");
    assert_eq!(array.claims()["scopes"], serde_json::json!(["a:read"]));
    let claims = idp.verifier().unwrap().verify_token(&array.sign()).unwrap();
    assert_eq!(claims.get("tenant"), Some(&serde_json::json!("acme")));
}

#[test]
fn header_typ_and_kid_can_be_chosen() {
    let idp = TestIdp::rs256();
    let verifier = idp
        .builder()
        .require_access_token_type(true)
        .build()
        .unwrap();
    assert!(
        verifier.verify_token(&idp.token().sign()).is_err(),
        "typ JWT"
    );
    assert!(
        verifier
            .verify_token(&idp.token().typ("at+jwt").sign())
            .is_ok()
    );

    // A key id the verifier does not hold: refused (its only key has another kid).
    let plain = idp.verifier().unwrap();
    assert!(
        plain
            .verify_token(&idp.token().kid("unknown").sign())
            .is_err()
    );
}

#[test]
fn callers_own_keys_are_checked_when_built() {
    let pem = include_str!("keys/test_p256.pem");
    let key = SigningKey::from_pem(Algorithm::ES256, pem)
        .unwrap()
        .with_kid("mine");
    let idp = TestIdp::new(key);
    assert_eq!(idp.verification_keys()[0].kid(), Some("mine"));
    assert!(
        idp.verifier()
            .unwrap()
            .verify_token(&idp.token().sign())
            .is_ok()
    );

    assert!(
        SigningKey::from_pem(Algorithm::ES384, pem).is_err(),
        "P-256 for ES384"
    );
    assert!(matches!(
        SigningKey::from_pem(Algorithm::RS256, "not a key"),
        Err(KeyError::InvalidPem { .. })
    ));
    assert!(matches!(
        SigningKey::from_pem(Algorithm::HS256, pem),
        Err(KeyError::WrongAlgorithm { .. })
    ));
    assert_eq!(
        SigningKey::hmac(Algorithm::HS256, "").unwrap_err(),
        KeyError::EmptySecret
    );
    let own = TestIdp::new(SigningKey::hmac(Algorithm::HS512, "my own secret").unwrap());
    assert!(
        own.verifier()
            .unwrap()
            .verify_token(&own.token().sign())
            .is_ok()
    );
    assert!(
        TestIdp::hs256()
            .verifier()
            .unwrap()
            .verify_token(&own.token().sign())
            .is_err()
    );
}

#[test]
fn the_jwks_file_verifies_every_asymmetric_key() {
    let algs = [
        Algorithm::RS256,
        Algorithm::PS512,
        Algorithm::ES256,
        Algorithm::ES384,
        Algorithm::EdDSA,
    ];
    let mut idp = TestIdp::new(SigningKey::test(Algorithm::HS256));
    for alg in algs {
        idp = idp.with_key(SigningKey::test(alg));
    }
    let jwks = idp.jwks();
    assert_eq!(
        jwks["keys"].as_array().unwrap().len(),
        algs.len(),
        "no HMAC secret"
    );
    let path = temp_dir("file").join("jwks.json");
    let file = idp.write_jwks(&path).unwrap();
    let verifier = JwtVerifier::builder()
        .keys(file.load().unwrap())
        .build()
        .unwrap();
    for key in &idp.keys()[1..] {
        let token = idp.token_with(key).sign();
        assert!(
            verifier.verify_token(&token).is_ok(),
            "{:?}",
            key.algorithm()
        );
        let forged = idp
            .token_with(&SigningKey::attacker(key.algorithm()))
            .sign();
        assert!(
            verifier.verify_token(&forged).is_err(),
            "{:?}",
            key.algorithm()
        );
    }
    // The HMAC key is not in the file.
    assert!(verifier.verify_token(&idp.token().sign()).is_err());
    let _ = std::fs::remove_file(JwksFile::new(&path).path());
}

static POLICY: Policy = scopes! {
    "GET /agents" => ["agents:read"],
    "GET /health" => public,
};

async fn agents(claims: VerifiedClaims) -> String {
    claims.subject().unwrap_or("").to_owned()
}

#[tokio::test]
async fn calls_through_a_router_behind_the_layer() {
    let idp = TestIdp::new(SigningKey::test(Algorithm::EdDSA));
    let app: Router = Router::new()
        .route("/agents", get(agents))
        .route("/health", get(|| async { "ok" }))
        .layer(ScopeLayer::new(idp.verifier().unwrap(), POLICY));
    let get = |token: Option<String>| {
        let mut req = Request::get("/agents");
        if let Some(token) = token {
            req = req.bearer(&token);
        }
        req.body(Body::empty()).unwrap()
    };

    let ok = idp.token().subject("alice").scopes(["agents:read"]).sign();
    let response = call(&app, get(Some(ok))).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.text(), "alice");

    let other = idp.token().scopes(["agents:write"]).sign();
    let response = call(&app, get(Some(other))).await.unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(
        response
            .www_authenticate()
            .unwrap()
            .contains("insufficient_scope")
    );

    let response = call(&app, get(None)).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let expired = idp.token().scopes(["agents:read"]).expired().sign();
    let response = call(&app, get(Some(expired))).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(
        response
            .www_authenticate()
            .unwrap()
            .contains("invalid_token")
    );

    let health = Request::get("/health").body(Body::empty()).unwrap();
    assert_eq!(call(&app, health).await.unwrap().text(), "ok");
}

#[tokio::test]
async fn the_loopback_server_serves_the_jwks_and_discovery() {
    let idp = TestIdp::new(SigningKey::test(Algorithm::ES256));
    let server = idp.serve_jwks().await.unwrap();
    assert!(server.url().starts_with("http://127.0.0.1:"));
    let body = fetch(&server.jwks_url()).await;
    let served: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(served, idp.jwks());
    let discovery: serde_json::Value =
        serde_json::from_str(&fetch(&format!("{}{}", server.url(), super::DISCOVERY_PATH)).await)
            .unwrap();
    assert_eq!(discovery["jwks_uri"], server.jwks_url());
    assert_eq!(discovery["issuer"], server.issuer());

    let url = server.jwks_url();
    drop(server);
    tokio::time::sleep(Duration::from_millis(50)).await;
    let addr = url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "stopped on drop"
    );
}

/// A plain HTTP/1.0 GET over a TCP stream (std's, on a blocking thread): the body.
async fn fetch(url: &str) -> String {
    use std::io::{Read as _, Write as _};
    let rest = url.trim_start_matches("http://").to_owned();
    tokio::task::spawn_blocking(move || {
        let (addr, path) = rest.split_at(rest.find('/').unwrap());
        let mut stream = std::net::TcpStream::connect(addr).unwrap();
        let request = format!("GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n");
        stream.write_all(request.as_bytes()).unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.0 200"), "{answer}");
        answer.split("\r\n\r\n").nth(1).unwrap().to_owned()
    })
    .await
    .unwrap()
}

#[cfg(feature = "jwks-url")]
mod jwks_url {
    use super::*;
    use crate::JwksUrl;

    #[tokio::test]
    async fn the_loopback_jwks_url_verifies() {
        let idp = TestIdp::new(SigningKey::test(Algorithm::RS256));
        let server = idp.serve_jwks().await.unwrap();
        let jwks = JwksUrl::new(server.jwks_url()).start().unwrap();
        assert!(jwks.wait_until_ready(Duration::from_secs(5)).await);
        let verifier = JwtVerifier::builder().jwks(jwks).build().unwrap();
        assert!(verifier.verify_token(&idp.token().sign()).is_ok());
        let forged = TestIdp::new(SigningKey::attacker(Algorithm::RS256))
            .token()
            .sign();
        assert!(verifier.verify_token(&forged).is_err());
    }

    #[tokio::test]
    async fn discovery_through_the_issuer_verifies() {
        let keys = TestIdp::new(SigningKey::test(Algorithm::EdDSA));
        let server = keys.serve_jwks().await.unwrap();
        let idp = keys.with_issuer(server.issuer());
        let jwks = JwksUrl::from_issuer(server.issuer()).start().unwrap();
        assert!(jwks.wait_until_ready(Duration::from_secs(5)).await);
        let verifier = JwtVerifier::builder()
            .jwks(jwks)
            .issuer(server.issuer())
            .build()
            .unwrap();
        assert!(verifier.verify_token(&idp.token().sign()).is_ok());
    }
}
