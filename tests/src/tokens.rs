//! Tokens: the secrets and keys the servers under test trust, and every way a test mints
//! a token, byte for byte (what an attacker writes) or as a JWT library writes it (what an
//! identity provider sends). Ordinary valid tokens and forgeries come from
//! scope-runtime's test kit ([`scope_runtime::test_util`]); the byte-exact ones are made
//! here.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use scope_runtime::test_util::{SigningKey, TestIdp};
use scope_runtime::{JwtVerifier, VerificationKey};
use serde_json::{Value, json};

/// The HS256 secret every server of these tests is configured with. It is not the
/// example's default, so a test that passes shows the server uses its configuration.
pub const SECRET: &str = "scope-policy-tests-secret-that-is-at-least-256-bits-long";
/// Another secret: tokens signed with it are forgeries.
pub const OTHER_SECRET: &str = "attacker-secret-that-is-at-least-256-bits-long!!";

/// A test-only RSA 2048 private key (the same key as `scope-runtime/tests/fixtures/`).
pub const RSA_PRIVATE: &str = include_str!("../fixtures/rsa_private.pem");
/// The public half of [`RSA_PRIVATE`].
pub const RSA_PUBLIC: &str = include_str!("../fixtures/rsa_public.pem");

/// The identity provider of the servers under test: HS256 with [`SECRET`].
pub fn idp() -> TestIdp {
    TestIdp::new(
        SigningKey::hmac(scope_runtime::Algorithm::HS256, SECRET).expect("the HS256 secret"),
    )
}

/// An identity provider no server trusts: HS256 with [`OTHER_SECRET`].
pub fn attacker_idp() -> TestIdp {
    TestIdp::new(
        SigningKey::hmac(scope_runtime::Algorithm::HS256, OTHER_SECRET).expect("the HS256 secret"),
    )
}

/// Seconds since the Unix epoch, the clock `exp` and `nbf` are read against.
pub fn now() -> i64 {
    jsonwebtoken::get_current_timestamp() as i64
}

/// A verifier holding one HS256 `secret`, default settings.
pub fn hs256(secret: &str) -> JwtVerifier {
    JwtVerifier::builder()
        .key(VerificationKey::hs256(secret))
        .build()
        .expect("verifier")
}

/// jsonwebtoken needs its crypto provider before it signs anything; building any
/// verifier installs it.
fn ensure_provider() {
    let _ = JwtVerifier::builder()
        .key(VerificationKey::hs256(SECRET))
        .build();
}

/// Base64url without padding, the encoding of every part of a compact JWS.
pub fn b64(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// `{"sub": sub, "scopes": [...], "exp": now + lifetime}` (a negative `lifetime`:
/// expired).
pub fn claims(sub: &str, scopes: &[&str], lifetime: i64) -> Value {
    json!({ "sub": sub, "scopes": scopes, "exp": now() + lifetime })
}

/// [`claims`] as JSON text, for the functions that sign exact text.
pub fn payload(sub: &str, scopes: &[&str], lifetime: i64) -> String {
    claims(sub, scopes, lifetime).to_string()
}

/// Signs `header.payload`, both given as exact JSON text, with the HMAC `key`: the
/// token holds these bytes and no others.
pub fn hmac_token(alg: Algorithm, key: &[u8], header: &str, payload: &str) -> String {
    ensure_provider();
    let input = format!("{}.{}", b64(header), b64(payload));
    let signature =
        jsonwebtoken::crypto::sign(input.as_bytes(), &EncodingKey::from_secret(key), alg)
            .expect("HMAC signature");
    format!("{input}.{signature}")
}

/// An HS256 token with the exact header and payload text, signed with [`SECRET`].
pub fn signed(header: &str, payload: &str) -> String {
    hmac_token(Algorithm::HS256, SECRET.as_bytes(), header, payload)
}

/// A token with the exact payload text and the header PyJWT writes,
/// `{"alg":"HS256","typ":"JWT"}`, signed with [`SECRET`].
pub fn signed_payload(payload: &str) -> String {
    signed(r#"{"alg":"HS256","typ":"JWT"}"#, payload)
}

/// A valid HS256 token (one hour) of `user-1` holding `scopes`, signed with [`SECRET`]
/// by [`idp`].
pub fn mint(scopes: &[&str]) -> String {
    mint_lifetime(scopes, 3600)
}

/// [`mint`] with `exp` = now + `lifetime` (negative: expired).
pub fn mint_lifetime(scopes: &[&str], lifetime: i64) -> String {
    idp()
        .token()
        .subject("user-1")
        .scopes(scopes.iter().copied())
        .expires_at(now() + lifetime)
        .sign()
}

/// A well-formed token of `user-1` holding `scopes`, signed with [`OTHER_SECRET`] by
/// [`attacker_idp`]: a forgery.
pub fn forged(scopes: &[&str]) -> String {
    attacker_idp()
        .token()
        .subject("user-1")
        .scopes(scopes.iter().copied())
        .sign()
}

/// A token as `jsonwebtoken::encode` writes it: `header`, the claims as serde writes
/// them, signed with `key`.
pub fn encoded(header: &Header, key: &EncodingKey, claims: &Value) -> String {
    ensure_provider();
    jsonwebtoken::encode(header, claims, key).expect("a JWT")
}

/// An HS256 token as a JWT library writes it, signed with `secret`.
pub fn library_hs256(secret: &str, claims: &Value) -> String {
    encoded(
        &Header::new(Algorithm::HS256),
        &EncodingKey::from_secret(secret.as_bytes()),
        claims,
    )
}

/// An RS256 token signed with [`RSA_PRIVATE`], with the key id `kid` when given.
pub fn rs256_token(kid: Option<&str>, claims: &Value) -> String {
    rs256_token_with(&rsa_private_key(RSA_PRIVATE), kid, claims)
}

/// An RS256 token signed with `key`, with the key id `kid` when given.
pub fn rs256_token_with(key: &EncodingKey, kid: Option<&str>, claims: &Value) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = kid.map(str::to_owned);
    encoded(&header, key, claims)
}

/// The signing key of an RSA private key in PEM.
pub fn rsa_private_key(pem: &str) -> EncodingKey {
    EncodingKey::from_rsa_pem(pem.as_bytes()).expect("an RSA private key")
}

/// The three parts of a compact JWS: header, payload, signature (base64url).
pub fn parts(token: &str) -> [String; 3] {
    let mut it = token.split('.').map(str::to_owned);
    [
        it.next().expect("header"),
        it.next().expect("payload"),
        it.next().expect("signature"),
    ]
}
