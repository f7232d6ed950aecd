//! Asymmetric algorithms through the layer, and algorithm-confusion attempts.

mod common;

use axum::Router;
use common::*;
use jsonwebtoken::{Algorithm, EncodingKey};
use scope_runtime::{JwtVerifier, Policy, ScopeLayer, VerificationKey, scopes};
use serde_json::json;

static POLICY: Policy = scopes! {
    "GET /agents" => ["app:read"],
};

fn keyed_app(key: VerificationKey) -> (Router, Hits) {
    app(&["/agents"], ScopeLayer::new(verifier(key), POLICY))
}

fn read_claims() -> serde_json::Value {
    claims(json!({ "scopes": ["app:read"] }))
}

/// Signs a token with `alg` and `private`, and checks it passes the layer holding
/// `public`, and that a token without the scope is refused with 403.
async fn assert_verifies(alg: Algorithm, private: &EncodingKey, public: VerificationKey) {
    let (app, hits) = keyed_app(public);
    let token = sign(alg, private, &read_claims());
    assert_ok(&send(&app, bearer("GET", "/agents", &token)).await);
    assert_eq!(hits.count(), 1, "{alg:?}");
    let unscoped = sign(alg, private, &claims(json!({})));
    assert_insufficient(
        &send(&app, bearer("GET", "/agents", &unscoped)).await,
        &["app:read"],
    );
    assert_eq!(hits.count(), 1, "{alg:?}");
}

fn rsa_private() -> EncodingKey {
    EncodingKey::from_rsa_pem(RSA_PRIVATE.as_bytes()).expect("RSA private key")
}

#[tokio::test]
async fn rs256_token_verifies_with_rsa_public_key() {
    let public = VerificationKey::rsa_pem(Algorithm::RS256, RSA_PUBLIC).expect("key");
    assert_verifies(Algorithm::RS256, &rsa_private(), public).await;
}

#[tokio::test]
async fn ps256_token_verifies_with_rsa_public_key() {
    let public = VerificationKey::rsa_pem(Algorithm::PS256, RSA_PUBLIC).expect("key");
    assert_verifies(Algorithm::PS256, &rsa_private(), public).await;
}

#[tokio::test]
async fn es256_token_verifies_with_p256_public_key() {
    let private = EncodingKey::from_ec_pem(EC256_PRIVATE.as_bytes()).expect("EC key");
    let public = VerificationKey::ec_pem(Algorithm::ES256, EC256_PUBLIC).expect("key");
    assert_verifies(Algorithm::ES256, &private, public).await;
}

#[tokio::test]
async fn es384_token_verifies_with_p384_public_key() {
    let private = EncodingKey::from_ec_pem(EC384_PRIVATE.as_bytes()).expect("EC key");
    let public = VerificationKey::ec_pem(Algorithm::ES384, EC384_PUBLIC).expect("key");
    assert_verifies(Algorithm::ES384, &private, public).await;
}

#[tokio::test]
async fn eddsa_token_verifies_with_ed25519_public_key() {
    let private = EncodingKey::from_ed_pem(ED_PRIVATE.as_bytes()).expect("Ed25519 key");
    let public = VerificationKey::ed_pem(ED_PUBLIC).expect("key");
    assert_verifies(Algorithm::EdDSA, &private, public).await;
}

#[tokio::test]
async fn rs256_token_against_ps256_pinned_key_is_refused() {
    let (app, hits) =
        keyed_app(VerificationKey::rsa_pem(Algorithm::PS256, RSA_PUBLIC).expect("key"));
    let token = sign(Algorithm::RS256, &rsa_private(), &read_claims());
    assert_invalid_token(
        &send(&app, bearer("GET", "/agents", &token)).await,
        "algorithm not allowed",
    );
    assert_eq!(hits.count(), 0);
}

#[tokio::test]
async fn tampered_es256_token_is_bad_signature() {
    // A genuine ES256 signature over other claims.
    let private = EncodingKey::from_ec_pem(EC256_PRIVATE.as_bytes()).expect("EC key");
    let (app, hits) =
        keyed_app(VerificationKey::ec_pem(Algorithm::ES256, EC256_PUBLIC).expect("key"));
    let token = sign(Algorithm::ES256, &private, &claims(json!({})));
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    parts[1] = b64url(read_claims().to_string().as_bytes());
    assert_invalid_token(
        &send(&app, bearer("GET", "/agents", &parts.join("."))).await,
        "signature does not match",
    );
    assert_eq!(hits.count(), 0);
}

#[tokio::test]
async fn hs256_token_keyed_with_the_rsa_public_pem_is_refused() {
    let (app, hits) =
        keyed_app(VerificationKey::rsa_pem(Algorithm::RS256, RSA_PUBLIC).expect("key"));
    let forged = sign(
        Algorithm::HS256,
        &EncodingKey::from_secret(RSA_PUBLIC.as_bytes()),
        &read_claims(),
    );
    assert_invalid_token(
        &send(&app, bearer("GET", "/agents", &forged)).await,
        "algorithm not allowed",
    );
    assert_eq!(hits.count(), 0);
}

#[tokio::test]
async fn hs256_token_keyed_with_the_ec_public_pem_is_refused() {
    let (app, hits) =
        keyed_app(VerificationKey::ec_pem(Algorithm::ES256, EC256_PUBLIC).expect("key"));
    let forged = sign(
        Algorithm::HS256,
        &EncodingKey::from_secret(EC256_PUBLIC.as_bytes()),
        &read_claims(),
    );
    assert_invalid_token(
        &send(&app, bearer("GET", "/agents", &forged)).await,
        "algorithm not allowed",
    );
    assert_eq!(hits.count(), 0);
}

#[tokio::test]
async fn rs256_header_against_hs256_only_verifier_is_refused() {
    let (app, hits) = app(&["/agents"], ScopeLayer::new(hs256_verifier(), POLICY));
    // A real RS256 token.
    let token = sign(Algorithm::RS256, &rsa_private(), &read_claims());
    assert_invalid_token(
        &send(&app, bearer("GET", "/agents", &token)).await,
        "algorithm not allowed",
    );
    // An HS256-signed token relabelled RS256.
    let header = json!({ "alg": "RS256", "typ": "JWT" });
    let valid = token_with_scopes(&["app:read"]);
    let signature = valid.rsplit('.').next().expect("signature");
    let relabelled = hand_built(&header, &read_claims(), signature);
    assert_invalid_token(
        &send(&app, bearer("GET", "/agents", &relabelled)).await,
        "algorithm not allowed",
    );
    assert_eq!(hits.count(), 0);
}

#[tokio::test]
async fn alg_none_in_any_casing_is_refused() {
    let (app, hits) = app(&["/agents"], ScopeLayer::new(hs256_verifier(), POLICY));
    for alg in ["none", "None", "NONE", "nOnE"] {
        for signature in ["", "AAAA"] {
            let token = hand_built(
                &json!({ "alg": alg, "typ": "JWT" }),
                &read_claims(),
                signature,
            );
            assert_invalid_token(
                &send(&app, bearer("GET", "/agents", &token)).await,
                "algorithm not allowed",
            );
        }
    }
    assert_eq!(hits.count(), 0);
}

#[tokio::test]
async fn alg_none_is_refused_by_asymmetric_verifiers_too() {
    let verifier = JwtVerifier::builder()
        .key(VerificationKey::rsa_pem(Algorithm::RS256, RSA_PUBLIC).expect("key"))
        .key(VerificationKey::ed_pem(ED_PUBLIC).expect("key"))
        .build()
        .expect("verifier");
    let (app, hits) = app(&["/agents"], ScopeLayer::new(verifier, POLICY));
    let token = hand_built(&json!({ "alg": "none" }), &read_claims(), "");
    assert_invalid_token(
        &send(&app, bearer("GET", "/agents", &token)).await,
        "algorithm not allowed",
    );
    assert_eq!(hits.count(), 0);
}

#[tokio::test]
async fn missing_or_non_string_alg_is_refused() {
    let (app, hits) = app(&["/agents"], ScopeLayer::new(hs256_verifier(), POLICY));
    for header in [
        json!({ "typ": "JWT" }),
        json!({ "alg": null }),
        json!({ "alg": ["HS256"] }),
    ] {
        let token = hand_built(&header, &read_claims(), "AAAA");
        let reply = send(&app, bearer("GET", "/agents", &token)).await;
        assert_eq!(reply.status.as_u16(), 401, "{header}");
        assert!(
            reply
                .www_authenticate()
                .is_some_and(|v| v.starts_with(r#"Bearer error="invalid_token""#)),
            "{header}"
        );
    }
    assert_eq!(hits.count(), 0);
}

#[tokio::test]
async fn several_keys_each_verify_their_own_algorithm() {
    let verifier = JwtVerifier::builder()
        .key(VerificationKey::hs256(SECRET).expect("key"))
        .key(VerificationKey::rsa_pem(Algorithm::RS256, RSA_PUBLIC).expect("key"))
        .key(VerificationKey::ec_pem(Algorithm::ES256, EC256_PUBLIC).expect("key"))
        .build()
        .expect("verifier");
    let (app, hits) = app(&["/agents"], ScopeLayer::new(verifier, POLICY));
    let ec = EncodingKey::from_ec_pem(EC256_PRIVATE.as_bytes()).expect("EC key");
    for token in [
        token_with_scopes(&["app:read"]),
        sign(Algorithm::RS256, &rsa_private(), &read_claims()),
        sign(Algorithm::ES256, &ec, &read_claims()),
    ] {
        assert_ok(&send(&app, bearer("GET", "/agents", &token)).await);
    }
    assert_eq!(hits.count(), 3);
    // HS256 keyed with the RSA public key: the HS256 key is tried and does not match.
    let forged = sign(
        Algorithm::HS256,
        &EncodingKey::from_secret(RSA_PUBLIC.as_bytes()),
        &read_claims(),
    );
    assert_invalid_token(
        &send(&app, bearer("GET", "/agents", &forged)).await,
        "signature does not match",
    );
    assert_eq!(hits.count(), 3);
}

#[tokio::test]
async fn every_other_spelling_of_a_valid_token_is_refused() {
    // Changing any single character of any part, including the unused low bits of the
    // last base64url character (non-canonical encodings), must not yield a token that
    // still passes.
    let (app, hits) = app(&["/agents"], ScopeLayer::new(hs256_verifier(), POLICY));
    let valid = token_with_scopes(&["app:read"]);
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let dots: Vec<usize> = valid.match_indices('.').map(|(i, _)| i).collect();
    // The last character of the header, of the payload and of the signature.
    for at in [dots[0] - 1, dots[1] - 1, valid.len() - 1] {
        for &c in alphabet {
            let mut bytes = valid.clone().into_bytes();
            if bytes[at] == c {
                continue;
            }
            bytes[at] = c;
            let forged = String::from_utf8(bytes).expect("ASCII");
            let reply = send(&app, bearer("GET", "/agents", &forged)).await;
            assert_eq!(reply.status.as_u16(), 401, "{forged}");
        }
    }
    assert_eq!(hits.count(), 0);
    assert_ok(&send(&app, bearer("GET", "/agents", &valid)).await);
}

/// A token with an arbitrary JOSE header, genuinely HS256-signed with `secret`.
fn hs256_with_header(header: &serde_json::Value, secret: &[u8]) -> String {
    let unsigned = format!(
        "{}.{}",
        b64url(header.to_string().as_bytes()),
        b64url(read_claims().to_string().as_bytes())
    );
    let _ = hs256_verifier(); // installs the crypto provider
    let signature = jsonwebtoken::crypto::sign(
        unsigned.as_bytes(),
        &EncodingKey::from_secret(secret),
        Algorithm::HS256,
    )
    .expect("sign");
    format!("{unsigned}.{signature}")
}

#[tokio::test]
async fn embedded_jwk_header_is_not_trusted() {
    let (app, hits) = app(&["/agents"], ScopeLayer::new(hs256_verifier(), POLICY));
    let header = json!({
        "alg": "HS256",
        "typ": "JWT",
        "jwk": { "kty": "oct", "k": b64url(OTHER_SECRET) },
    });
    let forged = hs256_with_header(&header, OTHER_SECRET);
    assert_invalid_token(
        &send(&app, bearer("GET", "/agents", &forged)).await,
        "signature does not match",
    );
    assert_eq!(hits.count(), 0);
    // The same header signed with the configured secret verifies: only the key differs.
    let genuine = hs256_with_header(&header, SECRET);
    assert_ok(&send(&app, bearer("GET", "/agents", &genuine)).await);
}

#[tokio::test]
async fn crit_header_is_refused_even_when_the_signature_is_valid() {
    let (app, hits) = app(&["/agents"], ScopeLayer::new(hs256_verifier(), POLICY));
    let header = json!({ "alg": "HS256", "typ": "JWT", "crit": ["exp"], "exp": 1 });
    let token = hs256_with_header(&header, SECRET);
    assert_invalid_token(
        &send(&app, bearer("GET", "/agents", &token)).await,
        "unsupported critical header",
    );
    assert_eq!(hits.count(), 0);
}
