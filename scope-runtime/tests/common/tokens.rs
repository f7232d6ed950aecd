//! Minting tokens: valid HS256 tokens with chosen claims, tokens with a bad signature,
//! and tokens assembled by hand for headers that jsonwebtoken's `Header` cannot carry.

use jsonwebtoken::{EncodingKey, Header, encode, get_current_timestamp};
use scope_runtime::Algorithm;
use serde_json::{Value, json};

use super::keys::{OTHER_SECRET, SECRET, hs256_verifier};

pub(crate) fn now() -> u64 {
    get_current_timestamp()
}

/// `{"sub": "user-1", "exp": now + 1 h}` with the members of `extra` added (or replaced).
pub(crate) fn claims(extra: Value) -> Value {
    let mut claims = json!({ "sub": "user-1", "exp": now() + 3600 });
    if let (Value::Object(base), Value::Object(extra)) = (&mut claims, extra) {
        base.extend(extra);
    }
    claims
}

/// The signing library's name for one of our algorithms: tokens are minted with
/// jsonwebtoken, whose types the crate's API does not expose.
pub(crate) fn minting(alg: Algorithm) -> jsonwebtoken::Algorithm {
    alg.name()
        .parse()
        .expect("every algorithm of ours is one of jsonwebtoken's")
}

/// Signs `claims` with `alg` and `key` (header: `alg` and `typ` only).
pub(crate) fn sign(alg: Algorithm, key: &EncodingKey, claims: &Value) -> String {
    sign_with_header(&Header::new(minting(alg)), key, claims)
}

/// Signs `claims` with the given header.
pub(crate) fn sign_with_header(header: &Header, key: &EncodingKey, claims: &Value) -> String {
    install_crypto_provider();
    encode(header, claims, key).expect("mint token")
}

/// An HS256 token signed with [`SECRET`] carrying exactly `claims` (no `sub` or `exp`
/// added).
pub(crate) fn token_with_claims(claims: &Value) -> String {
    sign(Algorithm::HS256, &EncodingKey::from_secret(SECRET), claims)
}

/// An HS256 token signed with [`SECRET`] carrying [`claims`]`(extra)`.
pub(crate) fn token(extra: Value) -> String {
    token_with_claims(&claims(extra))
}

/// A valid HS256 token whose `scopes` claim is `scopes` (a JSON array).
pub(crate) fn token_with_scopes(scopes: &[&str]) -> String {
    token(json!({ "scopes": scopes }))
}

/// A valid HS256 token without any scopes claim.
pub(crate) fn token_without_scopes() -> String {
    token(json!({}))
}

/// A token like [`token`]`(extra)` but signed with [`OTHER_SECRET`]: its signature does
/// not match.
pub(crate) fn forged_token(extra: Value) -> String {
    sign(
        Algorithm::HS256,
        &EncodingKey::from_secret(OTHER_SECRET),
        &claims(extra),
    )
}

pub(crate) fn b64url(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The base64url encoding of `value` as JSON text.
fn b64url_json(value: &Value) -> String {
    b64url(value.to_string().as_bytes())
}

/// `b64url(header).b64url(payload).signature`, built by hand (no signing).
pub(crate) fn hand_built(header: &Value, payload: &Value, signature: &str) -> String {
    format!(
        "{}.{}.{signature}",
        b64url_json(header),
        b64url_json(payload)
    )
}

/// Like [`hand_built`], with a genuine HS256 signature by `secret`: for a JOSE header
/// that jsonwebtoken's `Header` cannot carry (`crit`, an embedded `jwk`, ...).
pub(crate) fn hand_signed(header: &Value, payload: &Value, secret: &[u8]) -> String {
    let key = EncodingKey::from_secret(secret);
    hand_signed_with(header, payload, &key, Algorithm::HS256)
}

/// Like [`hand_signed`], signed by `key` with `signature` (whatever the header says:
/// e.g. RFC 9864's `alg: Ed25519`, which jsonwebtoken's `Header` cannot name).
pub(crate) fn hand_signed_with(
    header: &Value,
    payload: &Value,
    key: &EncodingKey,
    signature: Algorithm,
) -> String {
    let signing_input = format!("{}.{}", b64url_json(header), b64url_json(payload));
    install_crypto_provider();
    let signature = jsonwebtoken::crypto::sign(
        signing_input.as_bytes(),
        key,
        minting(signature.verifies_as()),
    )
    .expect("sign");
    format!("{signing_input}.{signature}")
}

/// Building a verifier installs the crate's crypto provider, which jsonwebtoken needs
/// before it is used directly.
fn install_crypto_provider() {
    let _ = hs256_verifier();
}
