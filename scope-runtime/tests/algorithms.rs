//! Asymmetric algorithms through the layer, and algorithm-confusion attempts.

mod common;

use axum::Router;
use common::*;
use jsonwebtoken::EncodingKey;
use scope_runtime::{Algorithm, JwtVerifier, Policy, ScopeLayer, VerificationKey, scopes};
use serde_json::{Value, json};

static POLICY: Policy = scopes! {
    "GET /agents" => ["app:read"],
};

fn verifier_app(verifier: &JwtVerifier) -> (Router, Hits) {
    app(&["/agents"], ScopeLayer::new(verifier.clone(), POLICY))
}

fn read_claims() -> Value {
    claims(json!({ "scopes": ["app:read"] }))
}

/// Signs a token with `alg` and `private`, and checks it passes the layer holding
/// `public`, and that a token without the scope is refused with 403.
async fn assert_verifies(alg: Algorithm, private: &EncodingKey, public: VerificationKey) {
    let (app, hits) = verifier_app(&verifier(public));
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

/// Checks that `token` is refused by the layer holding `verifier` as `invalid_token`
/// with `description`, and never reaches the handler.
async fn assert_refused_by(verifier: &JwtVerifier, token: &str, description: &str) {
    let (app, hits) = verifier_app(verifier);
    let reply = send(&app, bearer("GET", "/agents", token)).await;
    assert_invalid_token(&reply, description);
    assert_eq!(hits.count(), 0, "{token}");
}

fn rsa_private() -> EncodingKey {
    EncodingKey::from_rsa_pem(RSA_PRIVATE.as_bytes()).expect("RSA private key")
}

fn ec256_private() -> EncodingKey {
    EncodingKey::from_ec_pem(EC256_PRIVATE.as_bytes()).expect("EC key")
}

/// The RSA public key of the fixtures, pinned to `alg`.
fn rsa_public(alg: Algorithm) -> VerificationKey {
    VerificationKey::rsa_pem(alg, RSA_PUBLIC).expect("key")
}

fn ec256_public() -> VerificationKey {
    VerificationKey::ec_pem(Algorithm::ES256, EC256_PUBLIC).expect("key")
}

/// An HS256 token keyed with `secret`: with a public key's bytes, a key-confusion
/// forgery.
fn hs256_keyed_with(secret: &[u8]) -> String {
    sign(
        Algorithm::HS256,
        &EncodingKey::from_secret(secret),
        &read_claims(),
    )
}

#[tokio::test]
async fn rs256_token_verifies_with_rsa_public_key() {
    let public = rsa_public(Algorithm::RS256);
    assert_verifies(Algorithm::RS256, &rsa_private(), public).await;
}

#[tokio::test]
async fn ps256_token_verifies_with_rsa_public_key() {
    let public = rsa_public(Algorithm::PS256);
    assert_verifies(Algorithm::PS256, &rsa_private(), public).await;
}

#[tokio::test]
async fn es256_token_verifies_with_p256_public_key() {
    assert_verifies(Algorithm::ES256, &ec256_private(), ec256_public()).await;
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
    let token = sign(Algorithm::RS256, &rsa_private(), &read_claims());
    let ps256_only = verifier(rsa_public(Algorithm::PS256));
    assert_refused_by(&ps256_only, &token, "algorithm not allowed").await;
}

#[tokio::test]
async fn tampered_es256_token_is_bad_signature() {
    // A genuine ES256 signature over other claims.
    let token = sign(Algorithm::ES256, &ec256_private(), &claims(json!({})));
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    parts[1] = b64url(read_claims().to_string().as_bytes());
    let tampered = parts.join(".");
    assert_refused_by(
        &verifier(ec256_public()),
        &tampered,
        "signature does not match",
    )
    .await;
}

#[tokio::test]
async fn hs256_token_keyed_with_the_rsa_public_pem_is_refused() {
    let forged = hs256_keyed_with(RSA_PUBLIC.as_bytes());
    let rs256 = verifier(rsa_public(Algorithm::RS256));
    assert_refused_by(&rs256, &forged, "algorithm not allowed").await;
}

#[tokio::test]
async fn hs256_token_keyed_with_the_ec_public_pem_is_refused() {
    let forged = hs256_keyed_with(EC256_PUBLIC.as_bytes());
    assert_refused_by(&verifier(ec256_public()), &forged, "algorithm not allowed").await;
}

#[tokio::test]
async fn rs256_header_against_hs256_only_verifier_is_refused() {
    // A real RS256 token.
    let token = sign(Algorithm::RS256, &rsa_private(), &read_claims());
    assert_refused_by(&hs256_verifier(), &token, "algorithm not allowed").await;
    // An HS256-signed token relabelled RS256.
    let header = json!({ "alg": "RS256", "typ": "JWT" });
    let valid = token_with_scopes(&["app:read"]);
    let signature = valid.rsplit('.').next().expect("signature");
    let relabelled = hand_built(&header, &read_claims(), signature);
    assert_refused_by(&hs256_verifier(), &relabelled, "algorithm not allowed").await;
}

#[tokio::test]
async fn alg_none_in_any_casing_is_refused() {
    for alg in ["none", "None", "NONE", "nOnE"] {
        for signature in ["", "AAAA"] {
            let header = json!({ "alg": alg, "typ": "JWT" });
            let token = hand_built(&header, &read_claims(), signature);
            assert_refused_by(&hs256_verifier(), &token, "algorithm not allowed").await;
        }
    }
}

#[tokio::test]
async fn alg_none_is_refused_by_asymmetric_verifiers_too() {
    let verifier = JwtVerifier::builder()
        .key(rsa_public(Algorithm::RS256))
        .key(VerificationKey::ed_pem(ED_PUBLIC).expect("key"))
        .build()
        .expect("verifier");
    let token = hand_built(&json!({ "alg": "none" }), &read_claims(), "");
    assert_refused_by(&verifier, &token, "algorithm not allowed").await;
}

#[tokio::test]
async fn missing_or_non_string_alg_is_refused() {
    let (app, hits) = verifier_app(&hs256_verifier());
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
        .key(rsa_public(Algorithm::RS256))
        .key(ec256_public())
        .build()
        .expect("verifier");
    let (app, hits) = verifier_app(&verifier);
    for token in [
        token_with_scopes(&["app:read"]),
        sign(Algorithm::RS256, &rsa_private(), &read_claims()),
        sign(Algorithm::ES256, &ec256_private(), &read_claims()),
    ] {
        assert_ok(&send(&app, bearer("GET", "/agents", &token)).await);
    }
    assert_eq!(hits.count(), 3);
    // HS256 keyed with the RSA public key: the HS256 key is tried and does not match.
    let forged = hs256_keyed_with(RSA_PUBLIC.as_bytes());
    assert_refused_by(&verifier, &forged, "signature does not match").await;
}

#[tokio::test]
async fn every_other_spelling_of_a_valid_token_is_refused() {
    // Changing any single character of any part, including the unused low bits of the
    // last base64url character (non-canonical encodings), must not yield a token that
    // still passes.
    let (app, hits) = verifier_app(&hs256_verifier());
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

#[tokio::test]
async fn embedded_jwk_header_is_not_trusted() {
    let header = json!({
        "alg": "HS256",
        "typ": "JWT",
        "jwk": { "kty": "oct", "k": b64url(OTHER_SECRET) },
    });
    let forged = hand_signed(&header, &read_claims(), OTHER_SECRET);
    assert_refused_by(&hs256_verifier(), &forged, "signature does not match").await;
    // The same header signed with the configured secret verifies: only the key differs.
    let (app, _hits) = verifier_app(&hs256_verifier());
    let genuine = hand_signed(&header, &read_claims(), SECRET);
    assert_ok(&send(&app, bearer("GET", "/agents", &genuine)).await);
}

#[tokio::test]
async fn crit_header_is_refused_even_when_the_signature_is_valid() {
    let header = json!({ "alg": "HS256", "typ": "JWT", "crit": ["exp"], "exp": 1 });
    let token = hand_signed(&header, &read_claims(), SECRET);
    assert_refused_by(&hs256_verifier(), &token, "unsupported critical header").await;
}
