//! RED TEAM: attacks on the identity-provider code (RSA JWKs without `alg`, RFC 9864
//! `Ed25519`, several issuers chosen by `iss`, RFC 9068 `typ`, the verified-token
//! cache), run as real tokens through the real verifier and, where it matters, a real
//! axum router behind `ScopeLayer`.
//!
//! Every test here is an attack. A test that passes is an attack the code defeats,
//! kept as a regression test: its assertions fail if the defence goes away. A test
//! marked `RED TEAM FINDING` reproduces a bug (see its comment for the proposed fix).

mod common;

use std::time::Instant;

use jsonwebtoken::EncodingKey;
use jsonwebtoken::jwk::{AlgorithmParameters, Jwk};
use scope_runtime::{
    Algorithm, AuthError, DEFAULT_RSA_ALGORITHMS, InvalidTokenReason, Issuer, JwtVerifier,
    KeyError, ScopeLayer, VerificationKey, VerifiedClaims, parse_jwks,
};
use serde_json::{Value, json};

use common::{
    AGENTS_API, EC256_PRIVATE, ED_PRIVATE, OTHER_SECRET, RSA_PRIVATE, RSA_PUBLIC, SECRET, app,
    assert_invalid_token, assert_ok, b64url, bearer, claims, hand_signed_with, send,
};

// ------------------------------------------------------------------------ helpers

fn rsa() -> EncodingKey {
    EncodingKey::from_rsa_pem(RSA_PRIVATE.as_bytes()).expect("rsa")
}

fn ed() -> EncodingKey {
    EncodingKey::from_ed_pem(ED_PRIVATE.as_bytes()).expect("ed")
}

fn ec256() -> EncodingKey {
    EncodingKey::from_ec_pem(EC256_PRIVATE.as_bytes()).expect("ec")
}

fn reason(result: Result<VerifiedClaims, AuthError>) -> InvalidTokenReason {
    match result {
        Err(AuthError::InvalidToken(reason)) => reason,
        other => panic!("expected an invalid_token refusal, got {other:?}"),
    }
}

/// The public JWK of a private key, as a provider publishes it: no `alg`.
fn public_jwk(key: &EncodingKey, alg: jsonwebtoken::Algorithm, kid: &str) -> Value {
    let jwk = Jwk::from_encoding_key(key, alg).expect("jwk");
    match jwk.algorithm {
        AlgorithmParameters::RSA(p) => json!({"kty": "RSA", "kid": kid, "n": p.n, "e": p.e}),
        AlgorithmParameters::EllipticCurve(p) => {
            json!({"kty": "EC", "crv": "P-256", "kid": kid, "x": p.x, "y": p.y})
        }
        AlgorithmParameters::OctetKeyPair(p) => {
            json!({"kty": "OKP", "crv": "Ed25519", "kid": kid, "x": p.x})
        }
        _ => unreachable!("no secrets here"),
    }
}

fn rsa_jwk(kid: &str) -> Value {
    public_jwk(&rsa(), jsonwebtoken::Algorithm::RS256, kid)
}

fn jwks_keys(keys: &[Value]) -> Vec<VerificationKey> {
    parse_jwks(json!({ "keys": keys }).to_string(), DEFAULT_RSA_ALGORITHMS).expect("jwks")
}

/// A token whose header and payload are exactly these JSON texts (duplicate members,
/// escapes...), signed by `key` with `alg`.
fn raw_signed(header: &str, payload: &str, key: &EncodingKey, alg: Algorithm) -> String {
    let _ = common::hs256_verifier(); // installs the crypto provider
    let input = format!(
        "{}.{}",
        b64url(header.as_bytes()),
        b64url(payload.as_bytes())
    );
    let backend: jsonwebtoken::Algorithm = alg.verifies_as().name().parse().expect("alg");
    let signature = jsonwebtoken::crypto::sign(input.as_bytes(), key, backend).expect("sign");
    format!("{input}.{signature}")
}

fn exp() -> u64 {
    common::now() + 3600
}

/// Sends `GET /me` (any valid token) through a real router behind a `ScopeLayer`
/// holding `verifier`, and asserts the 401 `invalid_token` with `description`, the
/// handler never reached.
async fn assert_layer_refuses(verifier: &JwtVerifier, token: &str, description: &str) {
    let (app, hits) = app(&["/me"], ScopeLayer::new(verifier.clone(), AGENTS_API));
    assert_invalid_token(&send(&app, bearer("GET", "/me", token)).await, description);
    assert_eq!(hits.count(), 0, "refused, yet the handler was reached");
}

async fn assert_layer_accepts(verifier: &JwtVerifier, token: &str) {
    let (app, hits) = app(&["/me"], ScopeLayer::new(verifier.clone(), AGENTS_API));
    assert_ok(&send(&app, bearer("GET", "/me", token)).await);
    assert_eq!(hits.count(), 1);
}

const A: &str = "https://a.example";
const B: &str = "https://b.example";

/// Two issuers that both call their key `k1`: A publishes an RSA key without `alg`
/// (a JWKS), B holds an HS256 secret (OTHER_SECRET) and requires RFC 9068 tokens.
fn two_issuers() -> JwtVerifier {
    JwtVerifier::builder()
        .trusted_issuer(
            Issuer::new(A)
                .keys(jwks_keys(&[rsa_jwk("k1")]))
                .audience("api-a"),
        )
        .trusted_issuer(
            Issuer::new(B)
                .key(VerificationKey::hs256(OTHER_SECRET).map(|k| k.with_kid("k1")))
                .audience("api-b")
                .require_access_token_type(true),
        )
        .build()
        .expect("verifier")
}

// -------------------------------------------------------- algorithm confusion

/// The classic: the RSA public key (PEM text, DER, JWK text, modulus) used as an HMAC
/// secret under HS256, against a JWK without `alg` (pinned to every RSA algorithm, and
/// to nothing else). Also through issuer B, which *does* hold an HMAC key of the same
/// `kid`: issuer A's token must never reach it.
#[tokio::test]
async fn rsa_public_key_as_hmac_secret_against_a_jwk_without_alg() {
    use base64::Engine as _;
    let jwk = rsa_jwk("k1");
    let n = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(jwk["n"].as_str().expect("n"))
        .expect("n");
    let secrets: Vec<Vec<u8>> = vec![
        RSA_PUBLIC.as_bytes().to_vec(),
        RSA_PUBLIC.trim().as_bytes().to_vec(),
        jwk.to_string().into_bytes(),
        n,
    ];
    let lone = JwtVerifier::builder()
        .keys(jwks_keys(std::slice::from_ref(&jwk)))
        .build()
        .expect("verifier");
    let several = two_issuers();
    for secret in &secrets {
        let key = EncodingKey::from_secret(secret);
        for kid in [Some("k1"), None, Some("unknown")] {
            let mut header = json!({"alg": "HS256", "typ": "at+jwt"});
            if let Some(kid) = kid {
                header["kid"] = json!(kid);
            }
            let payload = claims(json!({"iss": A, "aud": "api-a"}));
            let forged = hand_signed_with(&header, &payload, &key, Algorithm::HS256);
            let expected = if kid == Some("unknown") {
                "unknown key id"
            } else {
                "algorithm not allowed"
            };
            assert_layer_refuses(&lone, &forged, expected).await;
            assert_layer_refuses(&several, &forged, expected).await;
        }
    }
}

/// RFC 9864's `Ed25519` header, and `EdDSA`, against RSA and EC keys of the same `kid`
/// (they never reach an Ed25519 check), and the reverse.
#[tokio::test]
async fn cross_family_headers_never_reach_another_familys_key() {
    let verifier = JwtVerifier::builder()
        .keys(jwks_keys(&[
            rsa_jwk("shared"),
            public_jwk(&ec256(), jsonwebtoken::Algorithm::ES256, "shared"),
        ]))
        .build()
        .expect("verifier");
    let payload = claims(json!({}));
    for (alg, key, signature) in [
        ("Ed25519", ed(), Algorithm::EdDSA),
        ("EdDSA", ed(), Algorithm::EdDSA),
        ("ES384", ec256(), Algorithm::ES256),
        ("HS256", EncodingKey::from_secret(SECRET), Algorithm::HS256),
        ("none", EncodingKey::from_secret(SECRET), Algorithm::HS256),
        ("NONE", EncodingKey::from_secret(SECRET), Algorithm::HS256),
        ("ed25519", ed(), Algorithm::EdDSA),
        ("Ed448", ed(), Algorithm::EdDSA),
        ("RS256 ", rsa(), Algorithm::RS256),
    ] {
        for kid in [json!("shared"), Value::Null] {
            let mut header = json!({"alg": alg});
            if !kid.is_null() {
                header["kid"] = kid.clone();
            }
            let forged = hand_signed_with(&header, &payload, &key, signature);
            assert_eq!(
                reason(verifier.verify_token(&forged)),
                InvalidTokenReason::AlgorithmNotAllowed,
                "{alg} kid {kid}"
            );
        }
    }
    // The controls: the right family verifies.
    for (alg, key) in [("RS256", rsa()), ("PS512", rsa()), ("ES256", ec256())] {
        let signature = Algorithm::from_name(alg).expect("alg");
        let signed = hand_signed_with(
            &json!({"alg": alg, "kid": "shared"}),
            &payload,
            &key,
            signature,
        );
        assert_layer_accepts(&verifier, &signed).await;
    }
    // An Ed25519 key never verifies an ES256 or RS256 header either.
    let ed_only = JwtVerifier::builder()
        .keys(jwks_keys(&[public_jwk(
            &ed(),
            jsonwebtoken::Algorithm::EdDSA,
            "ed",
        )]))
        .build()
        .expect("verifier");
    for (alg, key, signature) in [
        ("ES256", ec256(), Algorithm::ES256),
        ("RS256", rsa(), Algorithm::RS256),
    ] {
        let forged = hand_signed_with(&json!({"alg": alg}), &payload, &key, signature);
        assert_layer_refuses(&ed_only, &forged, "algorithm not allowed").await;
    }
}

/// Keys the token brings itself (`jwk`, `jku`, `x5u`, `x5c`) are never trusted.
#[tokio::test]
async fn keys_named_by_the_token_are_never_used() {
    let verifier = JwtVerifier::builder()
        .keys(jwks_keys(&[public_jwk(
            &ec256(),
            jsonwebtoken::Algorithm::ES256,
            "real",
        )]))
        .build()
        .expect("verifier");
    // The attacker's own Ed25519 key, embedded, signs the token.
    let attacker = public_jwk(&ed(), jsonwebtoken::Algorithm::EdDSA, "evil");
    for header in [
        json!({"alg": "EdDSA", "jwk": attacker}),
        json!({"alg": "Ed25519", "jwk": attacker, "kid": "evil"}),
        json!({"alg": "EdDSA", "jku": "https://evil.example/jwks"}),
        json!({"alg": "EdDSA", "x5u": "https://evil.example/cert"}),
    ] {
        let forged = hand_signed_with(&header, &claims(json!({})), &ed(), Algorithm::EdDSA);
        let result = verifier.verify_token(&forged);
        assert!(
            matches!(
                result,
                Err(AuthError::InvalidToken(
                    InvalidTokenReason::AlgorithmNotAllowed | InvalidTokenReason::UnknownKeyId
                ))
            ),
            "{header}: {result:?}"
        );
    }
}

// ---------------------------------------------------------------- iss confusion

/// A's token checked with B's key of the same `kid`, and the reverse; a `kid` that
/// only the other issuer has; a kid-less key of one issuer as the other's fallback.
#[tokio::test]
async fn a_token_is_only_ever_checked_with_its_own_issuers_keys() {
    let verifier = two_issuers();
    let b_secret = EncodingKey::from_secret(OTHER_SECRET);
    let at = json!({"alg": "HS256", "kid": "k1", "typ": "at+jwt"});
    // Signed by B's secret, claiming A: A has no HMAC key at all.
    let a_claims = claims(json!({"iss": A, "aud": "api-a"}));
    let forged = hand_signed_with(&at, &a_claims, &b_secret, Algorithm::HS256);
    assert_layer_refuses(&verifier, &forged, "algorithm not allowed").await;
    // Signed by A's RSA key, claiming B: B has no RSA key.
    let b_claims = claims(json!({"iss": B, "aud": "api-b"}));
    let at_rs = json!({"alg": "RS256", "kid": "k1", "typ": "at+jwt"});
    let forged = hand_signed_with(&at_rs, &b_claims, &rsa(), Algorithm::RS256);
    assert_layer_refuses(&verifier, &forged, "algorithm not allowed").await;
    // The controls.
    assert_layer_accepts(
        &verifier,
        &hand_signed_with(&at, &b_claims, &b_secret, Algorithm::HS256),
    )
    .await;
    assert_layer_accepts(
        &verifier,
        &hand_signed_with(&at_rs, &a_claims, &rsa(), Algorithm::RS256),
    )
    .await;

    // Kid-less fallbacks stay within their issuer: B's key has no kid here, and a
    // token claiming A with a kid A does not know is not checked with it.
    let fallback = JwtVerifier::builder()
        .trusted_issuer(
            Issuer::new(A).key(VerificationKey::hs256(SECRET).map(|k| k.with_kid("a1"))),
        )
        .trusted_issuer(Issuer::new(B).key(VerificationKey::hs256(OTHER_SECRET)))
        .build()
        .expect("verifier");
    let claims_a = claims(json!({"iss": A}));
    let forged = hand_signed_with(
        &json!({"alg": "HS256", "kid": "whatever"}),
        &claims_a,
        &b_secret,
        Algorithm::HS256,
    );
    assert_layer_refuses(&fallback, &forged, "unknown key id").await;
    let forged = hand_signed_with(
        &json!({"alg": "HS256"}),
        &claims_a,
        &b_secret,
        Algorithm::HS256,
    );
    assert_layer_refuses(&fallback, &forged, "signature does not match").await;
}

/// `iss` of every wrong type, spelled near a configured issuer, or absent: never
/// accepted, even when validly signed by that issuer's key.
#[tokio::test]
async fn iss_variants_never_select_an_issuer() {
    let verifier = two_issuers();
    let header = json!({"alg": "RS256", "kid": "k1"});
    let sign = |payload: &Value| hand_signed_with(&header, payload, &rsa(), Algorithm::RS256);
    for iss in [
        json!([A]),
        json!([A, B]),
        json!(1),
        json!(null),
        json!({"iss": A}),
        json!(true),
    ] {
        let token = sign(&claims(json!({"iss": iss, "aud": "api-a"})));
        assert_eq!(
            reason(verifier.verify_token(&token)),
            InvalidTokenReason::WrongClaimType("iss"),
            "{iss}"
        );
    }
    for iss in [
        "https://a.example/",
        "https://A.example",
        "HTTPS://a.example",
        " https://a.example",
        "https://a.example ",
        "https://a.example\n",
        "https://a.example\u{0}",
        "https://a.example\u{200b}",
        "https://а.example", // Cyrillic а
        "https://a.example/.",
        "https://a.example#",
        "",
    ] {
        let token = sign(&claims(json!({"iss": iss, "aud": "api-a"})));
        assert_layer_refuses(&verifier, &token, "issuer mismatch").await;
    }
    let mut no_iss = claims(json!({"aud": "api-a"}));
    no_iss.as_object_mut().expect("object").remove("iss");
    assert_layer_refuses(&verifier, &sign(&no_iss), "issuer mismatch").await;
    // JSON escapes are the same string (the issuer signed it): accepted, as it should.
    let escaped = raw_signed(
        r#"{"alg":"RS256","kid":"k1"}"#,
        &format!(
            r#"{{"iss":"https:\/\/a.exampl\u0065","aud":"api-a","exp":{}}}"#,
            exp()
        ),
        &rsa(),
        Algorithm::RS256,
    );
    assert_layer_accepts(&verifier, &escaped).await;
}

/// Two `iss` members (one per issuer), spelled plainly or with an escaped name, or two
/// `aud`/`exp`/`typ`/`alg` members: malformed, whichever member a last-wins parser
/// would have kept, and even though the signature is genuine.
#[tokio::test]
async fn duplicate_members_are_malformed() {
    let verifier = two_issuers();
    let exp = exp();
    let header = r#"{"alg":"RS256","kid":"k1"}"#;
    for payload in [
        format!(r#"{{"iss":"{B}","iss":"{A}","aud":"api-a","exp":{exp}}}"#),
        format!(r#"{{"iss":"{A}","iss":"{B}","aud":"api-a","exp":{exp}}}"#),
        format!(r#"{{"iss":"{B}","i\u0073s":"{A}","aud":"api-a","exp":{exp}}}"#),
        format!(r#"{{"iss":"{A}","aud":"api-b","\u0061ud":"api-a","exp":{exp}}}"#),
        format!(r#"{{"iss":"{A}","aud":"api-a","exp":1,"exp":{exp}}}"#),
    ] {
        let token = raw_signed(header, &payload, &rsa(), Algorithm::RS256);
        assert_layer_refuses(&verifier, &token, "malformed token").await;
    }
    let b_secret = EncodingKey::from_secret(OTHER_SECRET);
    let b_payload = format!(r#"{{"iss":"{B}","aud":"api-b","exp":{exp}}}"#);
    for header in [
        r#"{"alg":"HS256","kid":"k1","typ":"JWT","typ":"at+jwt"}"#,
        r#"{"alg":"HS256","kid":"k1","typ":"JWT","t\u0079p":"at+jwt"}"#,
        r#"{"alg":"none","alg":"HS256","kid":"k1","typ":"at+jwt"}"#,
        r#"{"alg":"HS256","kid":"zz","kid":"k1","typ":"at+jwt"}"#,
    ] {
        let token = raw_signed(header, &b_payload, &b_secret, Algorithm::HS256);
        assert_layer_refuses(&verifier, &token, "malformed token").await;
    }
    // The control.
    let token = raw_signed(
        r#"{"alg":"HS256","kid":"k1","typ":"at+jwt"}"#,
        &b_payload,
        &b_secret,
        Algorithm::HS256,
    );
    assert_layer_accepts(&verifier, &token).await;
}

/// One issuer's audiences, token type and scopes claim are never another's.
#[tokio::test]
async fn one_issuers_settings_are_not_honoured_for_another() {
    let verifier = JwtVerifier::builder()
        .trusted_issuer(
            Issuer::new(A)
                .keys(jwks_keys(&[rsa_jwk("k1")]))
                .audience("api-a"),
        )
        .trusted_issuer(
            Issuer::new(B)
                .keys(jwks_keys(&[rsa_jwk("k1")])) // the same key: a shared tenant
                .audience("api-b")
                .scopes_claim("scp")
                .require_access_token_type(true),
        )
        .build()
        .expect("verifier");
    let sign = |typ: &str, payload: Value| {
        hand_signed_with(
            &json!({"alg": "RS256", "kid": "k1", "typ": typ}),
            &claims(payload),
            &rsa(),
            Algorithm::RS256,
        )
    };
    // B's audience with A's iss, A's audience with B's iss.
    assert_eq!(
        reason(verifier.verify_token(&sign("at+jwt", json!({"iss": A, "aud": "api-b"})))),
        InvalidTokenReason::BadAudience
    );
    assert_eq!(
        reason(verifier.verify_token(&sign("at+jwt", json!({"iss": B, "aud": "api-a"})))),
        InvalidTokenReason::BadAudience
    );
    assert_eq!(
        reason(verifier.verify_token(&sign("at+jwt", json!({"iss": B, "aud": ["api-a", "x"]})))),
        InvalidTokenReason::BadAudience
    );
    // B's typ requirement with the same key, B's iss: an ID token of the shared tenant.
    assert_eq!(
        reason(verifier.verify_token(&sign("JWT", json!({"iss": B, "aud": "api-b"})))),
        InvalidTokenReason::NotAccessToken
    );
    // B reads `scp` only: a `scopes` claim grants B's tokens nothing.
    let b = verifier
        .verify_token(&sign(
            "at+jwt",
            json!({"iss": B, "aud": "api-b", "scopes": ["app:admin"], "scp": "app:read"}),
        ))
        .expect("b");
    assert_eq!(b.scopes(), ["app:read"]);
    // A reads the defaults: `scp` is read when `scopes` is absent only.
    let a = verifier
        .verify_token(&sign(
            "JWT",
            json!({"iss": A, "aud": "api-a", "scopes": ["x"], "scp": "y"}),
        ))
        .expect("a");
    assert_eq!(a.scopes(), ["x"]);
}

// ------------------------------------------------------------------- typ bypasses

/// RFC 9068 `typ` look-alikes, wrong types, and multibyte strings around the
/// `application/` prefix's length (a slicing panic would take the request down).
#[tokio::test]
async fn typ_lookalikes_are_refused_and_never_panic() {
    let verifier = JwtVerifier::builder()
        .key(VerificationKey::hs256(SECRET))
        .require_access_token_type(true)
        .build()
        .expect("verifier");
    let key = EncodingKey::from_secret(SECRET);
    let sign = |typ: Option<Value>| {
        let mut header = json!({"alg": "HS256"});
        if let Some(typ) = typ {
            header["typ"] = typ;
        }
        hand_signed_with(&header, &claims(json!({})), &key, Algorithm::HS256)
    };
    let refused = [
        json!("at+jwt\u{0}"),
        json!("at+jwt "),
        json!(" at+jwt"),
        json!("at+jwt\t"),
        json!("application/at+jwt; charset=utf-8"),
        json!("application/at+jwt;"),
        json!("application/ at+jwt"),
        json!("application//at+jwt"),
        json!("application/at+jwt/"),
        json!("app/at+jwt"),
        json!("text/at+jwt"),
        json!("at+jwt+jwt"),
        json!("jwt+at"),
        json!("at-jwt"),
        json!("at+jwk"),
        json!("aT+jwT\u{301}"),
        json!("at\u{ff0b}jwt"),       // fullwidth plus
        json!("ＡＴ+ＪＷＴ"),         // fullwidth letters (no Unicode folding)
        json!("applicatioé/at+jwt"),  // a 2-byte char across the prefix length
        json!("applicationé/at+jwt"), // byte 12 inside 'é'
        json!("applicati€at+jwt"),    // a 3-byte char across byte 12
        json!("ééééééat+jwt"),
        json!("application/"),
        json!("application"),
        json!(""),
        json!(["at+jwt"]),
        json!({"typ": "at+jwt"}),
        json!(1),
        json!(true),
        json!(null),
    ];
    for typ in refused {
        assert_eq!(
            reason(verifier.verify_token(&sign(Some(typ.clone())))),
            InvalidTokenReason::NotAccessToken,
            "{typ}"
        );
    }
    assert_layer_refuses(&verifier, &sign(None), "token type is not at+jwt").await;
    assert_layer_refuses(
        &verifier,
        &sign(Some(json!("applicationé/at+jwt"))),
        "token type is not at+jwt",
    )
    .await;
    for typ in [
        "at+jwt",
        "AT+jwt",
        "application/at+jwt",
        "APPLICATION/AT+JWT",
    ] {
        assert_layer_accepts(&verifier, &sign(Some(json!(typ)))).await;
    }
}

// ------------------------------------------------------------------ cache confusion

/// A token accepted (and cached) by one verifier is not thereby accepted by another
/// configuration; respellings of a cached token are not cache hits; a cached token
/// whose `exp` passes is refused.
#[tokio::test]
async fn the_cache_never_carries_a_verdict_beyond_its_token_and_configuration() {
    let lenient = JwtVerifier::builder()
        .trusted_issuer(
            Issuer::new(A)
                .keys(jwks_keys(&[rsa_jwk("k1")]))
                .audience("api-a"),
        )
        .build()
        .expect("verifier");
    let strict = JwtVerifier::builder()
        .trusted_issuer(
            Issuer::new(A)
                .keys(jwks_keys(&[rsa_jwk("k1")]))
                .audience("api-a")
                .require_access_token_type(true),
        )
        .build()
        .expect("verifier");
    let token = hand_signed_with(
        &json!({"alg": "PS256", "kid": "k1", "typ": "JWT"}),
        &claims(json!({"iss": A, "aud": "api-a"})),
        &rsa(),
        Algorithm::PS256,
    );
    for _ in 0..3 {
        assert_layer_accepts(&lenient, &token).await;
        assert_layer_accepts(&lenient.clone(), &token).await;
        assert_layer_refuses(&strict, &token, "token type is not at+jwt").await;
    }
    // Respellings of the cached token: padding, a fourth part, a changed last char of
    // the signature (non-canonical base64url), another `alg` in the header.
    let (input, signature) = token.rsplit_once('.').expect("three parts");
    let mut last = signature.to_owned();
    let tail = last.pop().expect("non-empty");
    let flipped = if tail == 'A' { 'B' } else { 'A' };
    for variant in [
        format!("{token}="),
        format!("{token}."),
        format!("{input}.{last}{flipped}"),
        format!("{input}.{signature}=="),
    ] {
        assert!(lenient.verify_token(&variant).is_err(), "{variant}");
    }
    let (_, rest) = token.split_once('.').expect("parts");
    let other_alg = format!(
        "{}.{rest}",
        b64url(
            json!({"alg": "RS256", "kid": "k1", "typ": "JWT"})
                .to_string()
                .as_bytes()
        )
    );
    assert_eq!(
        reason(lenient.verify_token(&other_alg)),
        InvalidTokenReason::BadSignature
    );
    // Expiry is checked at every hit: a token valid for 2 s (whole seconds: at least
    // 1 s from now, so the first check passes on a loaded machine), verified, then
    // checked again once it has expired.
    let short = hand_signed_with(
        &json!({"alg": "RS256", "kid": "k1"}),
        &json!({"iss": A, "aud": "api-a", "exp": common::now() + 2}),
        &rsa(),
        Algorithm::RS256,
    );
    let no_leeway = JwtVerifier::builder()
        .trusted_issuer(
            Issuer::new(A)
                .keys(jwks_keys(&[rsa_jwk("k1")]))
                .audience("api-a"),
        )
        .leeway(std::time::Duration::ZERO)
        .build()
        .expect("verifier");
    assert!(no_leeway.verify_token(&short).is_ok());
    std::thread::sleep(std::time::Duration::from_millis(3100));
    assert!(matches!(
        no_leeway.verify_token(&short),
        Err(AuthError::Expired)
    ));
}

// ------------------------------------------------------------------- JWK parsing

/// A JWKS entry can never become an HMAC key, whatever its `alg` says; broken or
/// hostile `alg` values are refused or skipped, never a panic, never a key of another
/// family.
#[test]
fn hostile_jwk_algs_never_give_an_hmac_or_cross_family_key() {
    let with = |mut jwk: Value, extra: Value| {
        if let (Value::Object(jwk), Value::Object(extra)) = (&mut jwk, extra) {
            jwk.extend(extra);
        }
        jwk
    };
    let rsa = rsa_jwk("r");
    let ec = public_jwk(&ec256(), jsonwebtoken::Algorithm::ES256, "e");
    let okp = public_jwk(&ed(), jsonwebtoken::Algorithm::EdDSA, "o");
    let hostile = [
        with(rsa.clone(), json!({"alg": "HS256"})),
        with(rsa.clone(), json!({"alg": "none"})),
        with(rsa.clone(), json!({"alg": 256})),
        with(rsa.clone(), json!({"alg": ["RS256"]})),
        with(rsa.clone(), json!({"alg": "RS256\u{301}"})),
        with(rsa.clone(), json!({"alg": "rs256"})),
        with(rsa.clone(), json!({"alg": "Ed25519"})),
        with(rsa.clone(), json!({"alg": "RS256", "use": "enc"})),
        with(rsa.clone(), json!({"key_ops": ["encrypt"]})),
        with(rsa.clone(), json!({"alg": "RSA-OAEP-256"})),
        with(ec.clone(), json!({"alg": "EdDSA"})),
        with(ec.clone(), json!({"alg": "ES384"})),
        with(ec.clone(), json!({"alg": "HS256"})),
        with(okp.clone(), json!({"alg": "ES256"})),
        with(okp.clone(), json!({"alg": "HS512"})),
        with(okp.clone(), json!({"crv": "X25519"})),
        json!({"kty": "oct", "k": "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA", "alg": "HS256"}),
        json!({"kty": "oct", "k": "c2VjcmV0", "alg": "RS256"}),
        json!({"kty": "RSA", "alg": "HS256", "k": "c2VjcmV0"}),
    ];
    for jwk in hostile {
        // Alone in a JWKS: refused (skipped, so no usable key; or an error).
        let alone = parse_jwks(json!({ "keys": [jwk] }).to_string(), DEFAULT_RSA_ALGORITHMS);
        assert!(alone.is_err(), "{jwk} gave {alone:?}");
        // Beside a good key: only the good key's keys, never an HMAC one.
        if let Ok(keys) = parse_jwks(
            json!({ "keys": [jwk, okp] }).to_string(),
            DEFAULT_RSA_ALGORITHMS,
        ) {
            assert_eq!(keys.len(), 1, "{jwk}");
            assert_eq!(keys[0].algorithm(), Algorithm::EdDSA, "{jwk}");
        }
        // One JWK: never an HMAC key either (the `oct` JWKs aside, which are secrets
        // given on purpose).
        if jwk["kty"] != "oct"
            && let Ok(key) = VerificationKey::from_jwk_json(&jwk.to_string())
        {
            panic!("{jwk} gave {key:?}");
        }
    }
    // An RSA JWK pinned by its own `alg` is that algorithm only.
    let keys = jwks_keys(&[with(rsa.clone(), json!({"alg": "PS384"}))]);
    assert_eq!(
        keys.iter().map(|k| k.algorithm()).collect::<Vec<_>>(),
        [Algorithm::PS384]
    );
    // And the HMAC ask of a caller is refused on a public key.
    assert!(matches!(
        VerificationKey::from_jwk_json_with_alg(&rsa.to_string(), Algorithm::HS256),
        Err(KeyError::WrongAlgorithm { .. })
    ));
}

// ------------------------------------------------------------ work amplification

/// RSA JWKs without `alg` give six keys each; a token without `kid` must still cost one
/// RSA check per JWK, not six. Timed against the same JWKs pinned to RS256 only (the
/// minimum of several rounds, so a busy machine slows both alike).
#[test]
fn rsa_keys_without_alg_do_not_multiply_signature_checks() {
    let jwks: Vec<Value> = (0..32).map(|i| rsa_jwk(&format!("k{i}"))).collect();
    let all = JwtVerifier::builder()
        .keys(jwks_keys(&jwks))
        .cache_capacity(0)
        .build()
        .expect("verifier");
    let rs256_only = JwtVerifier::builder()
        .keys(parse_jwks(json!({ "keys": jwks }).to_string(), &[Algorithm::RS256]).expect("jwks"))
        .cache_capacity(0)
        .build()
        .expect("verifier");
    // A bad signature, no kid: every RS256 key is tried.
    let header = json!({"alg": "RS256"});
    let one = hand_signed_with(&header, &claims(json!({"n": 1})), &rsa(), Algorithm::RS256);
    let two = hand_signed_with(&header, &claims(json!({"n": 2})), &rsa(), Algorithm::RS256);
    let (input, _) = one.rsplit_once('.').expect("parts");
    let (_, signature) = two.rsplit_once('.').expect("parts");
    let bad = format!("{input}.{signature}");
    let time = |verifier: &JwtVerifier| {
        (0..5)
            .map(|_| {
                let start = Instant::now();
                assert_eq!(
                    reason(verifier.verify_token(&bad)),
                    InvalidTokenReason::BadSignature
                );
                start.elapsed()
            })
            .min()
            .expect("rounds")
    };
    let (pinned, unpinned) = (time(&rs256_only), time(&all));
    assert!(
        unpinned < pinned * 3,
        "{unpinned:?} with the whole family vs {pinned:?} pinned to RS256"
    );
}

// ------------------------------------------------------------ weak Ed25519 keys

/// RED TEAM FINDING: a small-order Ed25519 public key (here the identity point) is
/// accepted as a verification key, and then one fixed signature (R = identity, S = 0)
/// verifies *any* token: the backend's EdDSA check is the non-strict one. The crate
/// promises that weak keys fail at start-up (RSA under 2048 bits does); a JWKS entry
/// (or PEM) with such a key must be refused when the key is built.
///
/// Proposed fix: in `key_checks::validate`, refuse Ed25519 keys of small order
/// (`ed25519_dalek::VerifyingKey::is_weak`, or the five small-order `y` values).
#[tokio::test]
async fn a_small_order_ed25519_key_is_refused_at_start_up() {
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let jwk = json!({"kty": "OKP", "crv": "Ed25519", "kid": "weak", "x": b64url(&identity)});
    let built = VerificationKey::from_jwk_json(&jwk.to_string());
    let jwks = parse_jwks(json!({ "keys": [jwk] }).to_string(), DEFAULT_RSA_ALGORITHMS);
    if let Ok(key) = built {
        // Show what the key allows: a token forged for any claims.
        let verifier = JwtVerifier::builder().key(key).build().expect("verifier");
        let mut signature = [0u8; 64];
        signature[0] = 1; // R = identity, S = 0
        for alg in ["EdDSA", "Ed25519"] {
            let forged = common::hand_built(
                &json!({"alg": alg, "kid": "weak"}),
                &claims(json!({"sub": "anyone", "scopes": ["app:admin"]})),
                &b64url(&signature),
            );
            let verdict = verifier.verify_token(&forged);
            assert!(
                verdict.is_err(),
                "a small-order key verified a forged {alg} token: {verdict:?}"
            );
        }
        panic!("a small-order Ed25519 key was accepted");
    }
    assert!(jwks.is_err(), "{jwks:?}");
    // Every small-order point, under each spelling the backend accepts: order 2
    // (y = p - 1), order 4 (y = 0), order 8, the identity with its sign bit set, and the
    // non-canonical y = p (0) and y = p + 1 (1).
    let hex = |s: &str| -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
            .collect()
    };
    for weak in [
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0000000000000000000000000000000000000000000000000000000000000080",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
        "0100000000000000000000000000000000000000000000000000000000000080",
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    ] {
        let jwk = json!({"kty": "OKP", "crv": "Ed25519", "x": b64url(&hex(weak))});
        assert!(
            VerificationKey::from_jwk_json(&jwk.to_string()).is_err(),
            "small-order key {weak} accepted"
        );
    }
    // The control: a genuine key still loads.
    let good = public_jwk(&ed(), jsonwebtoken::Algorithm::EdDSA, "good");
    assert!(VerificationKey::from_jwk_json(&good.to_string()).is_ok());
}

// -------------------------------------------------------------- log flooding

/// RED TEAM FINDING: the trailing-`/` hint (`iss` differs from a configured issuer only
/// by a trailing `/`) is logged at WARN *before any signature is checked*, so anyone
/// can write one WARN line per request, with 8 KiB of text of their choosing, for free
/// (no key needed: the signature below is garbage). Every other refusal is at DEBUG.
///
/// Proposed fix: the hint at WARN once per verifier (it names a configuration
/// mistake: once is enough to fix it), at DEBUG after that.
#[test]
fn unsigned_tokens_cannot_flood_the_warn_log() {
    let verifier = two_issuers();
    let logs = common::Captured::default();
    let subscriber = logs.subscriber(tracing::Level::WARN);
    tracing::subscriber::with_default(subscriber, || {
        for i in 0..50 {
            let forged = common::hand_built(
                &json!({"alg": "RS256"}),
                &claims(json!({"iss": format!("{A}/"), "n": i})),
                "garbage",
            );
            assert_eq!(
                reason(verifier.verify_token(&forged)),
                InvalidTokenReason::BadIssuer
            );
        }
    });
    let text = logs.text();
    let warnings: Vec<&str> = text.lines().filter(|l| l.contains("WARN")).collect();
    // The hint itself is kept: once, naming both spellings.
    assert_eq!(
        warnings.len(),
        1,
        "WARN lines from 50 unsigned tokens:\n{text}"
    );
    assert!(
        warnings[0].contains("trailing `/`") && warnings[0].contains("https://a.example/"),
        "{text}"
    );
}

// ------------------------------------------------------- configuration confusion

/// Settings given to the builder itself apply to its own issuer only. With trusted
/// issuers and no own keys, a builder-level audience, token type or scopes claim must
/// make the build fail, never be silently dropped (the partner's tokens would then
/// pass without the audience the operator believes is checked). Nor may an HMAC
/// algorithm be given for RSA keys without `alg`.
#[test]
fn builder_level_settings_beside_trusted_issuers_fail_closed() {
    let partner = || Issuer::new(B).key(VerificationKey::hs256(OTHER_SECRET));
    for builder in [
        JwtVerifier::builder()
            .audience("api")
            .trusted_issuer(partner()),
        JwtVerifier::builder()
            .require_access_token_type(true)
            .trusted_issuer(partner()),
        JwtVerifier::builder()
            .scopes_claim("scp")
            .trusted_issuer(partner()),
        JwtVerifier::builder().issuer(A).trusted_issuer(partner()),
    ] {
        let built = builder.clone().build();
        assert!(built.is_err(), "{builder:?} built {built:?}");
    }
    let jwks = json!({ "keys": [rsa_jwk("k1")] }).to_string();
    for algs in [
        &[Algorithm::HS256][..],
        &[Algorithm::RS256, Algorithm::HS512],
        &[Algorithm::EdDSA],
    ] {
        assert!(parse_jwks(&jwks, algs).is_err(), "{algs:?}");
    }
}

/// A builder-level audience beside trusted issuers applies to nothing: the build
/// fails, naming that mistake (it once said `NoKeys`, which named the wrong one).
#[test]
fn builder_level_audience_beside_trusted_issuers_is_named() {
    let built = JwtVerifier::builder()
        .audience("api")
        .trusted_issuer(Issuer::new(B).key(VerificationKey::hs256(OTHER_SECRET)))
        .build();
    assert_eq!(
        built.err(),
        Some(scope_runtime::ConfigError::SettingsWithoutKeys)
    );
}
