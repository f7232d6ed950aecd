//! Tests of JWT verification. Tokens are minted with `jsonwebtoken::encode`; the
//! asymmetric keys are the test-only fixtures of `tests/fixtures/`.

use std::time::{Duration, Instant};

use http::{HeaderMap, StatusCode};
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{EncodingKey, Header, encode, get_current_timestamp};
use serde_json::{Value, json};

use super::json::b64_decode;
use super::*;
use crate::error::{AuthError, InvalidTokenReason as R};

const SECRET: &[u8] = b"test-secret-0123456789-0123456789-0123456789-0123456789-0123456789";
const OTHER_SECRET: &[u8] = b"another-secret-0123456789-0123456789-0123456789-0123456789-012345";

// `RSA_PRIVATE`, `RSA_PUBLIC`, `RSA1024_PUBLIC`, `EC256_PRIVATE`, ..., `ED_PUBLIC`.
include!("../../tests/fixtures/keys.rs");

fn now() -> u64 {
    get_current_timestamp()
}

fn claims() -> Value {
    json!({ "sub": "user-1", "exp": now() + 3600, "scopes": ["app:read"] })
}

fn header(alg: Algorithm, kid: Option<&str>) -> Header {
    let mut header = Header::new(alg.backend());
    header.kid = kid.map(str::to_owned);
    header
}

fn mint(alg: Algorithm, key: &EncodingKey, kid: Option<&str>, claims: &Value) -> String {
    encode(&header(alg, kid), claims, key).expect("mint token")
}

fn hmac_token(alg: Algorithm, secret: &[u8], claims: &Value) -> String {
    mint(alg, &EncodingKey::from_secret(secret), None, claims)
}

fn verifier(key: VerificationKey) -> JwtVerifier {
    JwtVerifier::builder().key(key).build().expect("verifier")
}

/// A builder holding only the HS256 key `SECRET`, for a test to change one setting.
fn hs256_builder() -> JwtVerifierBuilder {
    JwtVerifier::builder().key(VerificationKey::hs256(SECRET).expect("key"))
}

fn hs256_verifier() -> JwtVerifier {
    hs256_builder().build().expect("verifier")
}

fn reason(result: Result<VerifiedClaims, AuthError>) -> AuthError {
    result.expect_err("token must be refused")
}

#[track_caller]
fn assert_accepted(v: &JwtVerifier, token: &str) {
    if let Err(err) = v.verify_token(token) {
        panic!("token refused: {err:?}");
    }
}

/// Asserts that `v` refuses `token` as an invalid token, for `expected`.
#[track_caller]
fn assert_refused(v: &JwtVerifier, token: &str, expected: R) {
    assert_eq!(
        reason(v.verify_token(token)),
        AuthError::InvalidToken(expected)
    );
}

fn b64url(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// `message.signature`, the signature HS256 over `message` with `SECRET`: a genuinely
/// signed token of whatever `message` holds.
fn hs256_signed(message: &str) -> String {
    let key = EncodingKey::from_secret(SECRET);
    let signature =
        jsonwebtoken::crypto::sign(message.as_bytes(), &key, Algorithm::HS256.backend())
            .expect("sign");
    format!("{message}.{signature}")
}

/// A token with arbitrary header and payload JSON, signed with HS256 and `SECRET`.
fn hand_signed(header: &Value, payload: &Value) -> String {
    let header = b64url(header.to_string().as_bytes());
    let payload = b64url(payload.to_string().as_bytes());
    hs256_signed(&format!("{header}.{payload}"))
}

// ---------------------------------------------------------------- HMAC

#[test]
fn hmac_algorithms_verify() {
    for alg in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512] {
        let v = verifier(VerificationKey::hmac(alg, SECRET).expect("key"));
        let claims = v
            .verify_token(&hmac_token(alg, SECRET, &claims()))
            .expect("valid token");
        assert_eq!(claims.subject(), Some("user-1"));
        assert_eq!(claims.scopes(), ["app:read"]);
    }
}

#[test]
fn wrong_secret_is_bad_signature() {
    let token = hmac_token(Algorithm::HS256, OTHER_SECRET, &claims());
    assert_refused(&hs256_verifier(), &token, R::BadSignature);
}

#[test]
fn tampered_payload_is_bad_signature() {
    let token = hmac_token(Algorithm::HS256, SECRET, &claims());
    let mut parts: Vec<&str> = token.split('.').collect();
    let forged = b64url(
        json!({"sub": "admin", "exp": now() + 3600, "scopes": ["app:superadmin"]})
            .to_string()
            .as_bytes(),
    );
    parts[1] = &forged;
    assert_refused(&hs256_verifier(), &parts.join("."), R::BadSignature);
}

#[test]
fn header_alg_other_than_pinned_is_refused() {
    // Same secret, but the key is pinned to HS256.
    for alg in [Algorithm::HS384, Algorithm::HS512] {
        let token = hmac_token(alg, SECRET, &claims());
        assert_refused(&hs256_verifier(), &token, R::AlgorithmNotAllowed);
    }
}

// ---------------------------------------------------------------- time claims

#[test]
fn expired_token() {
    let token = hmac_token(
        Algorithm::HS256,
        SECRET,
        &json!({"sub": "u", "exp": now() - 120}),
    );
    let err = reason(hs256_verifier().verify_token(&token));
    assert_eq!(err, AuthError::Expired);
    assert_eq!(err.status(), StatusCode::UNAUTHORIZED);
}

#[test]
fn leeway_applies_to_exp_and_nbf() {
    let v = hs256_verifier();
    let within = json!({"exp": now() - 10, "nbf": now() + 10});
    assert_accepted(&v, &hmac_token(Algorithm::HS256, SECRET, &within));

    let strict = hs256_builder()
        .leeway(Duration::ZERO)
        .build()
        .expect("verifier");
    let expired = json!({"exp": now() - 10});
    assert_eq!(
        reason(strict.verify_token(&hmac_token(Algorithm::HS256, SECRET, &expired))),
        AuthError::Expired
    );
}

#[test]
fn nbf_in_future() {
    let token = hmac_token(
        Algorithm::HS256,
        SECRET,
        &json!({"exp": now() + 3600, "nbf": now() + 600}),
    );
    assert_refused(&hs256_verifier(), &token, R::NotYetValid);
}

#[test]
fn missing_exp() {
    let token = hmac_token(Algorithm::HS256, SECRET, &json!({"sub": "u"}));
    assert_refused(&hs256_verifier(), &token, R::MissingClaim("exp"));
    let lax = hs256_builder()
        .require_exp(false)
        .build()
        .expect("verifier");
    assert_accepted(&lax, &token);
    // A present `exp` is still checked.
    let expired = hmac_token(Algorithm::HS256, SECRET, &json!({"exp": now() - 3600}));
    assert_eq!(reason(lax.verify_token(&expired)), AuthError::Expired);
}

#[test]
fn claims_of_the_wrong_type() {
    let lax = hs256_builder()
        .require_exp(false)
        .build()
        .expect("verifier");
    let exp = now() + 3600;
    let cases = [
        (json!({"exp": exp.to_string()}), "exp"),
        (json!({"exp": exp, "nbf": "0"}), "nbf"),
        (json!({"exp": exp, "iat": "0"}), "iat"),
        (json!({"exp": exp, "iss": 1}), "iss"),
        (json!({"exp": exp, "sub": 42}), "sub"),
        (json!({"exp": exp, "aud": 1}), "aud"),
        (json!({"exp": exp, "aud": ["a", 1]}), "aud"),
        (json!({"exp": exp, "jti": []}), "jti"),
        (json!({"exp": true}), "exp"),
    ];
    for (claims, name) in cases {
        let token = hmac_token(Algorithm::HS256, SECRET, &claims);
        assert_eq!(
            reason(hs256_verifier().verify_token(&token)),
            AuthError::InvalidToken(R::WrongClaimType(name)),
            "{claims}"
        );
        assert_eq!(
            reason(lax.verify_token(&token)),
            AuthError::InvalidToken(R::WrongClaimType(name)),
            "{claims} (exp not required)"
        );
    }
}

// ---------------------------------------------------------------- iss / aud

fn iss_aud_verifier() -> JwtVerifier {
    hs256_builder()
        .issuer("https://issuer.example")
        .audience("api")
        .build()
        .expect("verifier")
}

#[test]
fn issuer_and_audience() {
    let v = iss_aud_verifier();
    let exp = now() + 3600;
    let ok = [
        json!({"exp": exp, "iss": "https://issuer.example", "aud": "api"}),
        json!({"exp": exp, "iss": "https://issuer.example", "aud": ["other", "api"]}),
    ];
    for claims in ok {
        assert!(
            v.verify_token(&hmac_token(Algorithm::HS256, SECRET, &claims))
                .is_ok(),
            "{claims}"
        );
    }
    let refused = [
        (json!({"exp": exp, "aud": "api"}), R::BadIssuer),
        (
            json!({"exp": exp, "iss": "https://evil.example", "aud": "api"}),
            R::BadIssuer,
        ),
        (
            json!({"exp": exp, "iss": "https://issuer.example"}),
            R::BadAudience,
        ),
        (
            json!({"exp": exp, "iss": "https://issuer.example", "aud": "web"}),
            R::BadAudience,
        ),
        (
            json!({"exp": exp, "iss": "https://issuer.example", "aud": []}),
            R::BadAudience,
        ),
        (
            json!({"exp": exp, "iss": "https://issuer.example", "aud": ["web", "app"]}),
            R::BadAudience,
        ),
    ];
    for (claims, expected) in refused {
        assert_eq!(
            reason(v.verify_token(&hmac_token(Algorithm::HS256, SECRET, &claims))),
            AuthError::InvalidToken(expected),
            "{claims}"
        );
    }
}

#[test]
fn several_issuers_and_audiences() {
    let v = hs256_builder()
        .issuer("a")
        .issuer("b")
        .audience("x")
        .audience("y")
        .build()
        .expect("verifier");
    let exp = now() + 3600;
    for (iss, aud) in [("a", "x"), ("b", "y")] {
        let claims = json!({"exp": exp, "iss": iss, "aud": aud});
        assert_accepted(&v, &hmac_token(Algorithm::HS256, SECRET, &claims));
    }
}

#[test]
fn aud_present_but_not_configured_is_refused() {
    let token = hmac_token(
        Algorithm::HS256,
        SECRET,
        &json!({"exp": now() + 3600, "aud": "api"}),
    );
    assert_refused(&hs256_verifier(), &token, R::BadAudience);
    // `iss` without a configured issuer is not checked.
    let token = hmac_token(
        Algorithm::HS256,
        SECRET,
        &json!({"exp": now() + 3600, "iss": "anyone"}),
    );
    assert_accepted(&hs256_verifier(), &token);
}

// ---------------------------------------------------------------- alg: none, confusion

#[test]
fn alg_none_never_verifies() {
    let payload = b64url(claims().to_string().as_bytes());
    let v = hs256_verifier();
    for alg in ["none", "None", "NONE", "nOnE"] {
        let header = b64url(json!({"alg": alg, "typ": "JWT"}).to_string().as_bytes());
        for token in [
            format!("{header}.{payload}."),
            format!("{header}.{payload}.c2ln"),
        ] {
            let err = reason(v.verify_token(&token));
            assert_eq!(
                err,
                AuthError::InvalidToken(R::AlgorithmNotAllowed),
                "{alg}"
            );
            assert_eq!(err.status(), StatusCode::UNAUTHORIZED);
            assert_eq!(err.error_code(), Some("invalid_token"));
        }
        // Without the trailing dot it is not even a JWS.
        assert_refused(&v, &format!("{header}.{payload}"), R::Malformed);
    }
}

#[test]
fn unknown_or_miscased_alg_names_are_refused() {
    let v = hs256_verifier();
    for alg in ["hs256", "HS256 ", "RS1", "", "ES512"] {
        let token = hand_signed(&json!({"alg": alg}), &claims());
        assert_eq!(
            reason(v.verify_token(&token)),
            AuthError::InvalidToken(R::AlgorithmNotAllowed),
            "{alg:?}"
        );
    }
}

#[test]
fn rsa_public_key_as_hmac_secret_is_refused() {
    let v = verifier(VerificationKey::rsa_pem(crate::Algorithm::RS256, RSA_PUBLIC).expect("key"));
    let token = hmac_token(Algorithm::HS256, RSA_PUBLIC.as_bytes(), &claims());
    assert_refused(&v, &token, R::AlgorithmNotAllowed);
    // Same with the PEM's DER bytes or the whole PEM with a trailing newline stripped.
    let token = hmac_token(
        Algorithm::HS256,
        RSA_PUBLIC.trim_end().as_bytes(),
        &claims(),
    );
    assert_refused(&v, &token, R::AlgorithmNotAllowed);
}

// ---------------------------------------------------------------- kid

/// A verifier holding an HS256 key for each `(secret, kid)`, in that order.
fn hs256_keys(keys: &[(&[u8], Option<&str>)]) -> JwtVerifier {
    let keys = keys.iter().map(|&(secret, kid)| {
        let key = VerificationKey::hs256(secret).expect("key");
        match kid {
            Some(kid) => key.with_kid(kid),
            None => key,
        }
    });
    JwtVerifier::builder().keys(keys).build().expect("verifier")
}

/// Checks each `(secret, kid, refusal)`: a token HS256-signed with `secret` whose header
/// names `kid` is refused by `v` for `refusal`, or accepted where that is `None`.
#[track_caller]
fn assert_kid_outcomes(v: &JwtVerifier, cases: &[(&[u8], Option<&str>, Option<R>)]) {
    for &(secret, kid, refusal) in cases {
        let key = EncodingKey::from_secret(secret);
        let result = v.verify_token(&mint(Algorithm::HS256, &key, kid, &claims()));
        let expected = refusal.map(AuthError::InvalidToken);
        assert_eq!(result.err(), expected, "kid {kid:?}");
    }
}

#[test]
fn kid_selects_the_key() {
    let v = hs256_keys(&[(SECRET, Some("k1")), (OTHER_SECRET, Some("k2"))]);
    assert_kid_outcomes(
        &v,
        &[
            (SECRET, Some("k1"), None),
            (OTHER_SECRET, Some("k2"), None),
            // A token naming the other key's kid does not verify.
            (SECRET, Some("k2"), Some(R::BadSignature)),
            (OTHER_SECRET, Some("k1"), Some(R::BadSignature)),
            (SECRET, Some("k3"), Some(R::UnknownKeyId)),
            // No kid: every key is a candidate.
            (OTHER_SECRET, None, None),
        ],
    );
}

#[test]
fn kid_falls_back_to_keys_without_kid() {
    let v = hs256_keys(&[(SECRET, None), (OTHER_SECRET, Some("k2"))]);
    assert_kid_outcomes(
        &v,
        &[
            // Unknown kid: the key without kid is tried.
            (SECRET, Some("zzz"), None),
            // Known kid: only that key.
            (SECRET, Some("k2"), Some(R::BadSignature)),
            (OTHER_SECRET, Some("k2"), None),
        ],
    );
}

#[test]
fn kid_must_be_a_string() {
    let token = hand_signed(&json!({"alg": "HS256", "kid": 1}), &claims());
    assert_refused(&hs256_verifier(), &token, R::Malformed);
    // `null` is the same as no kid.
    let token = hand_signed(&json!({"alg": "HS256", "kid": null}), &claims());
    assert_accepted(&hs256_verifier(), &token);
}

#[test]
fn rotation_without_kid_tries_every_key() {
    let v = hs256_keys(&[(OTHER_SECRET, None), (SECRET, None)]);
    for secret in [SECRET, OTHER_SECRET] {
        assert_accepted(&v, &hmac_token(Algorithm::HS256, secret, &claims()));
    }
}

// ---------------------------------------------------------------- malformed input

#[test]
fn too_long_is_refused_before_decoding() {
    let v = hs256_builder().max_token_len(64).build().expect("verifier");
    let token = hmac_token(Algorithm::HS256, SECRET, &claims());
    assert!(token.len() > 64);
    assert_refused(&v, &token, R::TooLong);
    // The default cap is 8 KiB.
    let big = "a".repeat(DEFAULT_MAX_TOKEN_LEN + 1);
    assert_refused(&hs256_verifier(), &big, R::TooLong);
    let padding = "x".repeat(9000);
    let token = hmac_token(
        Algorithm::HS256,
        SECRET,
        &json!({"exp": now() + 60, "pad": padding}),
    );
    assert_refused(&hs256_verifier(), &token, R::TooLong);
}

#[test]
fn many_dots_are_malformed_quickly() {
    let v = hs256_builder()
        .max_token_len(1 << 20)
        .build()
        .expect("verifier");
    let start = Instant::now();
    for token in [
        ".".repeat(10_000),
        format!("a{}", ".a".repeat(10_000)),
        "eyJhbGciOiJIUzI1NiJ9.".repeat(2_000),
    ] {
        assert_refused(&v, &token, R::Malformed);
    }
    assert!(start.elapsed() < Duration::from_secs(1));
    // With the default cap, 10 000 dots are simply too long.
    assert_refused(&hs256_verifier(), &".".repeat(10_000), R::TooLong);
}

#[test]
fn garbage_is_malformed() {
    let v = hs256_verifier();
    let good = hmac_token(Algorithm::HS256, SECRET, &claims());
    let mut parts = good.split('.');
    let (h, p, s) = (
        parts.next().expect("h"),
        parts.next().expect("p"),
        parts.next().expect("s"),
    );
    let not_json = b64url(b"not json");
    let array = b64url(b"[1,2]");
    let cases = [
        String::new(),
        "abc".to_owned(),
        "a.b".to_owned(),
        "a.b.c.d".to_owned(),
        "..".to_owned(),
        format!(".{p}.{s}"),
        format!("{h}..{s}"),
        format!("{h}.{p}.{s}.{s}"),
        format!("{h}=.{p}.{s}"),
        format!("{h}.{p}.{s}==="),
        format!("{h}.{p}.{s}!"),
        format!("{not_json}.{p}.{s}"),
        format!("{array}.{p}.{s}"),
        format!("{}.{p}.{s}", b64url(br#"{"typ":"JWT"}"#)),
        format!("{}.{p}.{s}", b64url(br#"{"alg":256}"#)),
        format!("{h}.{not_json}.{s}"),
        "\u{e9}.\u{e9}.\u{e9}".to_owned(),
    ];
    for token in cases {
        let err = reason(v.verify_token(&token));
        assert!(
            matches!(err, AuthError::InvalidToken(R::Malformed | R::BadSignature)),
            "{token:?}: {err:?}"
        );
        assert_eq!(err.status(), StatusCode::UNAUTHORIZED);
    }
    // A payload that is valid JSON but not an object, correctly signed.
    let token = hand_signed(&json!({"alg": "HS256"}), &json!([1, 2, 3]));
    assert_refused(&v, &token, R::Malformed);
    // An empty signature with a real header.
    assert_refused(&v, &format!("{h}.{p}."), R::BadSignature);
}

#[test]
fn overlong_signatures_are_wrong_or_malformed_never_read_past() {
    // Longer than any key's signature (RSA-4096 makes 512 bytes): refused as a wrong
    // signature when it is base64url, as malformed when it is not.
    let v = hs256_verifier();
    let token = hmac_token(Algorithm::HS256, SECRET, &claims());
    let signed = &token[..token.rfind('.').expect("three parts")];
    for len in [513, 600, 4000] {
        let long = b64url(&vec![0xa5; len]);
        assert_refused(&v, &format!("{signed}.{long}"), R::BadSignature);
        assert_refused(&v, &format!("{signed}.{long}!"), R::Malformed);
    }
    // 512 bytes, the longest accepted length, is read and found wrong.
    assert_refused(
        &v,
        &format!("{signed}.{}", b64url(&[7; 512])),
        R::BadSignature,
    );
}

#[test]
fn crit_header_is_refused() {
    let token = hand_signed(
        &json!({"alg": "HS256", "crit": ["exp"], "exp": 1}),
        &claims(),
    );
    assert_refused(&hs256_verifier(), &token, R::UnsupportedCriticalHeader);
}

#[test]
fn deeply_nested_claims_do_not_overflow() {
    let deep = format!("{}1{}", "[".repeat(5_000), "]".repeat(5_000));
    let payload = b64url(format!(r#"{{"exp":1,"x":{deep}}}"#).as_bytes());
    let header = b64url(br#"{"alg":"HS256"}"#);
    let token = hs256_signed(&format!("{header}.{payload}"));
    let v = hs256_builder()
        .max_token_len(1 << 20)
        .build()
        .expect("verifier");
    assert_refused(&v, &token, R::Malformed);
}

// ---------------------------------------------------------------- asymmetric keys

#[test]
fn rsa_pss_ec_and_eddsa_with_pem_keys() {
    let rsa = EncodingKey::from_rsa_pem(RSA_PRIVATE.as_bytes()).expect("rsa");
    let rsa_algorithms = Algorithm::ALL
        .into_iter()
        .filter(|alg| alg.family() == algorithm::Family::Rsa);
    for alg in rsa_algorithms {
        let v = verifier(VerificationKey::rsa_pem(alg, RSA_PUBLIC).expect("key"));
        let token = mint(alg, &rsa, None, &claims());
        assert_eq!(
            v.verify_token(&token).expect("valid").subject(),
            Some("user-1"),
            "{alg:?}"
        );
    }

    let ec256 = EncodingKey::from_ec_pem(EC256_PRIVATE.as_bytes()).expect("ec256");
    let v = verifier(VerificationKey::ec_pem(crate::Algorithm::ES256, EC256_PUBLIC).expect("key"));
    assert_accepted(&v, &mint(Algorithm::ES256, &ec256, None, &claims()));

    let ec384 = EncodingKey::from_ec_pem(EC384_PRIVATE.as_bytes()).expect("ec384");
    let v = verifier(VerificationKey::ec_pem(crate::Algorithm::ES384, EC384_PUBLIC).expect("key"));
    assert_accepted(&v, &mint(Algorithm::ES384, &ec384, None, &claims()));

    let ed = EncodingKey::from_ed_pem(ED_PRIVATE.as_bytes()).expect("ed");
    let v = verifier(VerificationKey::ed_pem(ED_PUBLIC).expect("key"));
    let token = mint(Algorithm::EdDSA, &ed, None, &claims());
    assert_accepted(&v, &token);
    // Via the generic constructor as well.
    let v = verifier(VerificationKey::from_pem(crate::Algorithm::EdDSA, ED_PUBLIC).expect("key"));
    assert_accepted(&v, &token);
}

#[test]
fn mixed_key_types_each_verify_their_tokens() {
    let v = JwtVerifier::builder()
        .key(VerificationKey::hs256(SECRET).expect("hs"))
        .key(VerificationKey::rsa_pem(crate::Algorithm::RS256, RSA_PUBLIC).expect("rsa"))
        .key(VerificationKey::ec_pem(crate::Algorithm::ES256, EC256_PUBLIC).expect("ec"))
        .key(VerificationKey::ed_pem(ED_PUBLIC).expect("ed"))
        .build()
        .expect("verifier");
    let rsa = EncodingKey::from_rsa_pem(RSA_PRIVATE.as_bytes()).expect("rsa");
    let ec = EncodingKey::from_ec_pem(EC256_PRIVATE.as_bytes()).expect("ec");
    let ed = EncodingKey::from_ed_pem(ED_PRIVATE.as_bytes()).expect("ed");
    for token in [
        hmac_token(Algorithm::HS256, SECRET, &claims()),
        mint(Algorithm::RS256, &rsa, None, &claims()),
        mint(Algorithm::ES256, &ec, None, &claims()),
        mint(Algorithm::EdDSA, &ed, None, &claims()),
    ] {
        assert_accepted(&v, &token);
    }
    // PS256 is signed with the right RSA key, but no key is pinned to PS256.
    assert_refused(
        &v,
        &mint(Algorithm::PS256, &rsa, None, &claims()),
        R::AlgorithmNotAllowed,
    );
}

#[test]
fn ec_signature_of_another_key_is_bad_signature() {
    let other = EncodingKey::from_ec_pem(EC256_PRIVATE.as_bytes()).expect("ec");
    let v = verifier(VerificationKey::ec_pem(crate::Algorithm::ES256, EC256_PUBLIC).expect("key"));
    let token = mint(Algorithm::ES256, &other, None, &claims());
    let mut parts: Vec<&str> = token.split('.').collect();
    let short_sig = b64url(&[1, 2, 3]);
    parts[2] = &short_sig;
    assert_refused(&v, &parts.join("."), R::BadSignature);
}

// ---------------------------------------------------------------- key construction

#[test]
fn key_constructors_refuse_bad_keys() {
    assert!(matches!(
        VerificationKey::hmac(crate::Algorithm::RS256, SECRET),
        Err(KeyError::WrongAlgorithm { .. })
    ));
    assert!(matches!(
        VerificationKey::hs256(b""),
        Err(KeyError::EmptySecret)
    ));
    assert!(matches!(
        VerificationKey::rsa_pem(crate::Algorithm::ES256, RSA_PUBLIC),
        Err(KeyError::WrongAlgorithm { .. })
    ));
    assert!(matches!(
        VerificationKey::rsa_pem(crate::Algorithm::RS256, RSA_PRIVATE),
        Err(KeyError::PrivateKey)
    ));
    assert!(matches!(
        VerificationKey::ec_pem(crate::Algorithm::ES256, EC256_PRIVATE),
        Err(KeyError::PrivateKey)
    ));
    assert!(matches!(
        VerificationKey::ed_pem(ED_PRIVATE),
        Err(KeyError::PrivateKey)
    ));
    assert!(matches!(
        VerificationKey::rsa_pem(crate::Algorithm::RS256, RSA1024_PUBLIC),
        Err(KeyError::InvalidKey(_))
    ));
    assert!(matches!(
        VerificationKey::rsa_pem(crate::Algorithm::RS256, EC256_PUBLIC),
        Err(KeyError::InvalidPem { .. } | KeyError::InvalidKey(_))
    ));
    assert!(matches!(
        VerificationKey::ec_pem(crate::Algorithm::ES256, EC384_PUBLIC),
        Err(KeyError::InvalidKey(_))
    ));
    assert!(matches!(
        VerificationKey::ec_pem(crate::Algorithm::ES384, EC256_PUBLIC),
        Err(KeyError::InvalidKey(_))
    ));
    assert!(matches!(
        VerificationKey::ec_pem(crate::Algorithm::ES256, RSA_PUBLIC),
        Err(KeyError::InvalidPem { .. })
    ));
    assert!(matches!(
        VerificationKey::ed_pem(EC256_PUBLIC),
        Err(KeyError::InvalidPem { .. })
    ));
    assert!(matches!(
        VerificationKey::ed_pem("not a pem"),
        Err(KeyError::InvalidPem { .. })
    ));
    assert!(matches!(
        VerificationKey::from_pem(crate::Algorithm::HS256, RSA_PUBLIC),
        Err(KeyError::WrongAlgorithm { .. })
    ));
}

#[test]
fn key_debug_and_errors_hide_material() {
    let key = VerificationKey::hs256(SECRET).expect("key").with_kid("k1");
    let debug = format!("{key:?}");
    assert!(debug.contains("HS256") && debug.contains("k1"), "{debug}");
    assert!(!debug.contains("test-secret"), "{debug}");

    let v = JwtVerifier::builder().key(key).build().expect("verifier");
    let debug = format!("{v:?}");
    assert!(!debug.contains("test-secret"), "{debug}");

    let err = VerificationKey::from_jwk_json(r#"{"kty":"oct","k":"!!!secret!!!"}"#)
        .expect_err("bad base64");
    assert!(!err.to_string().contains("secret"), "{err}");
    let err = VerificationKey::from_jwk_json(r#"{"kty":"RSA","n":5,"e":"AQAB-secret"}"#)
        .expect_err("unsupported shape");
    assert!(!err.to_string().contains("secret"), "{err}");
    let err = VerificationKey::from_jwk_json(r#"{"kty":"oct","k":"secret-"#).expect_err("bad json");
    assert!(matches!(err, KeyError::InvalidJson { .. }));
    assert!(!err.to_string().contains("secret"), "{err}");
}

// ---------------------------------------------------------------- JWK / JWKS

fn jwk_json(key: &EncodingKey, alg: Algorithm, kid: &str) -> Value {
    let mut jwk = serde_json::to_value(Jwk::from_encoding_key(key, alg.backend()).expect("jwk"))
        .expect("json");
    jwk["kid"] = json!(kid);
    jwk["use"] = json!("sig");
    jwk
}

#[test]
fn rsa_jwk_with_leading_zero_bytes_verifies() {
    // RFC 7518 forbids leading zeros in `n` and `e`, yet some providers write them; the
    // value is the same number, and aws-lc-rs would refuse the bytes as they are.
    let rsa = EncodingKey::from_rsa_pem(RSA_PRIVATE.as_bytes()).expect("rsa");
    let mut jwk = jwk_json(&rsa, Algorithm::RS256, "k1");
    for member in ["n", "e"] {
        let bytes = b64_decode(jwk[member].as_str().expect("base64url")).expect("decodes");
        jwk[member] = json!(b64url(&[&[0, 0][..], &bytes].concat()));
    }
    let key = VerificationKey::from_jwk_json(&jwk.to_string()).expect("key");
    let token = mint(Algorithm::RS256, &rsa, Some("k1"), &claims());
    assert_accepted(&verifier(key), &token);
}

#[test]
fn jwk_keys_verify() {
    let rsa = EncodingKey::from_rsa_pem(RSA_PRIVATE.as_bytes()).expect("rsa");
    let ec = EncodingKey::from_ec_pem(EC256_PRIVATE.as_bytes()).expect("ec");
    let ed = EncodingKey::from_ed_pem(ED_PRIVATE.as_bytes()).expect("ed");
    let cases = [
        (&rsa, Algorithm::RS256),
        (&ec, Algorithm::ES256),
        (&ed, Algorithm::EdDSA),
    ];
    for (encoding, alg) in cases {
        let json = jwk_json(encoding, alg, "kid-1").to_string();
        let key = VerificationKey::from_jwk_json(&json).expect("jwk");
        assert_eq!(key.algorithm(), alg);
        assert_eq!(key.kid(), Some("kid-1"));
        let v = verifier(key);
        assert!(
            v.verify_token(&mint(alg, encoding, Some("kid-1"), &claims()))
                .is_ok(),
            "{alg:?}"
        );
    }
}

#[test]
fn jwk_algorithm_rules() {
    let rsa = EncodingKey::from_rsa_pem(RSA_PRIVATE.as_bytes()).expect("rsa");
    let mut jwk = jwk_json(&rsa, Algorithm::RS256, "r");
    // No `alg`: RSA defaults to RS256, or the caller pins one.
    jwk.as_object_mut().expect("object").remove("alg");
    let parsed = jwk.to_string();
    assert_eq!(
        VerificationKey::from_jwk_json(&parsed)
            .expect("key")
            .algorithm(),
        Algorithm::RS256
    );
    let ps = VerificationKey::from_jwk_json_with_alg(&parsed, Algorithm::PS256).expect("key");
    assert_eq!(ps.algorithm(), Algorithm::PS256);
    assert_accepted(
        &verifier(ps),
        &mint(Algorithm::PS256, &rsa, Some("r"), &claims()),
    );
    assert!(matches!(
        VerificationKey::from_jwk_json_with_alg(&parsed, Algorithm::ES256),
        Err(KeyError::WrongAlgorithm { .. })
    ));
    // The JWK's own `alg` wins over nothing, and conflicts with a different request.
    jwk["alg"] = json!("RS512");
    let parsed = jwk.to_string();
    assert_eq!(
        VerificationKey::from_jwk_json(&parsed)
            .expect("key")
            .algorithm(),
        Algorithm::RS512
    );
    assert!(matches!(
        VerificationKey::from_jwk_json_with_alg(&parsed, Algorithm::RS256),
        Err(KeyError::AlgorithmMismatch { .. })
    ));
    // An `alg` of another family.
    jwk["alg"] = json!("ES256");
    let parsed = jwk.to_string();
    assert!(matches!(
        VerificationKey::from_jwk_json(&parsed),
        Err(KeyError::WrongAlgorithm { .. })
    ));
    // Encryption algorithm / use.
    jwk["alg"] = json!("RSA-OAEP");
    let parsed = jwk.to_string();
    assert!(matches!(
        VerificationKey::from_jwk_json(&parsed),
        Err(KeyError::UnsupportedJwk(_))
    ));
    jwk["alg"] = json!("RS256");
    jwk["use"] = json!("enc");
    let parsed = jwk.to_string();
    assert!(matches!(
        VerificationKey::from_jwk_json(&parsed),
        Err(KeyError::UnsupportedJwk(_))
    ));
    jwk.as_object_mut().expect("object").remove("use");
    jwk["key_ops"] = json!(["encrypt"]);
    let parsed = jwk.to_string();
    assert!(matches!(
        VerificationKey::from_jwk_json(&parsed),
        Err(KeyError::UnsupportedJwk(_))
    ));
}

#[test]
fn jwk_broken_keys_are_errors_not_panics() {
    // Ed25519 `x` too short: the backend would slice out of bounds.
    for json in [
        r#"{"kty":"OKP","crv":"Ed25519","x":"AAAA"}"#,
        r#"{"kty":"OKP","crv":"Ed25519","x":""}"#,
        r#"{"kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA"}"#,
        r#"{"kty":"RSA","n":"AQAB","e":"AQAB"}"#,
        r#"{"kty":"oct","k":""}"#,
    ] {
        assert!(VerificationKey::from_jwk_json(json).is_err(), "{json}");
    }
    for json in [
        r#"{"kty":"EC","crv":"P-521","x":"AAAA","y":"AAAA"}"#,
        r#"{"kty":"OKP","crv":"X25519","x":"AAAA"}"#,
        r#"{"kty":"weird"}"#,
    ] {
        assert!(
            matches!(
                VerificationKey::from_jwk_json(json),
                Err(KeyError::UnsupportedJwk(_))
            ),
            "{json}"
        );
    }
}

#[test]
fn oct_jwk() {
    let json = json!({"kty": "oct", "k": b64url(SECRET), "kid": "h1", "alg": "HS512"}).to_string();
    let key = VerificationKey::from_jwk_json(&json).expect("oct");
    assert_eq!(key.algorithm(), Algorithm::HS512);
    assert_accepted(
        &verifier(key),
        &mint(
            Algorithm::HS512,
            &EncodingKey::from_secret(SECRET),
            Some("h1"),
            &claims(),
        ),
    );
}

#[test]
fn jwks_skips_encryption_and_unsupported_keys() {
    let rsa = EncodingKey::from_rsa_pem(RSA_PRIVATE.as_bytes()).expect("rsa");
    let ec = EncodingKey::from_ec_pem(EC256_PRIVATE.as_bytes()).expect("ec");
    let mut enc = jwk_json(&rsa, Algorithm::RS256, "enc-key");
    enc["use"] = json!("enc");
    enc.as_object_mut().expect("object").remove("alg");
    let jwks = json!({
        "keys": [
            jwk_json(&rsa, Algorithm::RS256, "rsa-1"),
            enc,
            jwk_json(&ec, Algorithm::ES256, "ec-1"),
            {"kty": "EC", "crv": "P-521", "kid": "p521", "x": "AAAA", "y": "AAAA"},
        ]
    })
    .to_string();
    let keys = VerificationKey::from_jwks_json(&jwks).expect("jwks");
    let kids: Vec<_> = keys.iter().map(|k| k.kid().unwrap_or_default()).collect();
    assert_eq!(kids, ["rsa-1", "ec-1"]);

    let v = JwtVerifier::builder().keys(keys).build().expect("verifier");
    assert_accepted(&v, &mint(Algorithm::RS256, &rsa, Some("rsa-1"), &claims()));
    assert_accepted(&v, &mint(Algorithm::ES256, &ec, Some("ec-1"), &claims()));
    assert_refused(
        &v,
        &mint(Algorithm::RS256, &rsa, Some("enc-key"), &claims()),
        R::UnknownKeyId,
    );

    assert_eq!(
        VerificationKey::from_jwks_json(r#"{"keys": []}"#).map(|k| k.len()),
        Err(KeyError::NoUsableKeys { skipped: vec![] })
    );
    assert!(matches!(
        VerificationKey::from_jwks_json("{"),
        Err(KeyError::InvalidJson { .. })
    ));
    // A broken supported key is an error.
    assert!(
        VerificationKey::from_jwks_json(r#"{"keys": [{"kty":"OKP","crv":"Ed25519","x":"AAAA"}]}"#)
            .is_err()
    );
}

// ---------------------------------------------------------------- builder

#[test]
fn builder_errors() {
    assert_eq!(
        JwtVerifier::builder().build().map(drop_verifier),
        Err(ConfigError::NoKeys)
    );
    assert_eq!(
        hs256_builder()
            .leeway(Duration::from_secs(61))
            .build()
            .map(drop_verifier),
        Err(ConfigError::LeewayTooLarge {
            leeway: Duration::from_secs(61)
        })
    );
    assert!(hs256_builder().leeway(MAX_LEEWAY).build().is_ok());
    assert_eq!(
        hs256_builder().max_token_len(0).build().map(drop_verifier),
        Err(ConfigError::ZeroMaxTokenLen)
    );
    assert_eq!(
        hs256_builder().scopes_claim("").build().map(drop_verifier),
        Err(ConfigError::EmptyScopesClaim)
    );
}

fn drop_verifier(_: JwtVerifier) {}

#[test]
fn verifier_is_cheap_clone_send_sync() {
    fn assert_send_sync<T: Send + Sync + Clone + 'static>() {}
    assert_send_sync::<JwtVerifier>();
    assert_send_sync::<VerificationKey>();
    let v = hs256_verifier();
    let clone = v.clone();
    assert!(std::sync::Arc::ptr_eq(&v.inner, &clone.inner));
}

// ---------------------------------------------------------------- scopes through the verifier

#[test]
fn scopes_claim_shapes() {
    let v = hs256_verifier();
    let exp = now() + 3600;
    let cases: [(Value, &[&str]); 8] = [
        (json!({"exp": exp, "scopes": ["a", "b"]}), &["a", "b"]),
        (json!({"exp": exp, "scopes": "a b"}), &["a", "b"]),
        (json!({"exp": exp, "scope": "a  b"}), &["a", "b"]),
        (json!({"exp": exp, "scp": ["a"]}), &["a"]),
        (
            json!({"exp": exp, "scopes": ["a"], "scope": "b", "scp": ["c"]}),
            &["a"],
        ),
        (json!({"exp": exp, "scopes": 1, "scope": "b"}), &[]),
        (json!({"exp": exp, "scopes": ["", "a", ""]}), &["a"]),
        (json!({"exp": exp, "scopes": ["a", false]}), &[]),
    ];
    for (claims, expected) in cases {
        let verified = v
            .verify_token(&hmac_token(Algorithm::HS256, SECRET, &claims))
            .expect("valid");
        assert_eq!(verified.scopes(), expected, "{claims}");
    }
}

#[test]
fn configured_scopes_claim() {
    let v = hs256_builder()
        .scopes_claim("permissions")
        .build()
        .expect("verifier");
    let claims = json!({"exp": now() + 3600, "permissions": ["read:x"], "scopes": ["a"]});
    let verified = v
        .verify_token(&hmac_token(Algorithm::HS256, SECRET, &claims))
        .expect("valid");
    assert_eq!(verified.scopes(), ["read:x"]);
}

#[test]
fn typed_claims() {
    #[derive(serde::Deserialize)]
    struct Mine {
        sub: String,
        org: String,
    }
    let claims = json!({"exp": now() + 3600, "sub": "u9", "org": "acme"});
    let verified = hs256_verifier()
        .verify_token(&hmac_token(Algorithm::HS256, SECRET, &claims))
        .expect("valid");
    let mine: Mine = verified.deserialize().expect("typed");
    assert_eq!((mine.sub.as_str(), mine.org.as_str()), ("u9", "acme"));
    assert_eq!(verified.claims()["org"], "acme");
}

// ---------------------------------------------------------------- headers end to end

use super::source::tests::headers as auth_headers;

#[test]
fn verify_headers_cases() {
    let v = hs256_verifier();
    let token = hmac_token(Algorithm::HS256, SECRET, &claims());
    for scheme in ["Bearer", "bearer", "BEARER"] {
        let value = format!("{scheme} {token}");
        assert!(v.verify_headers(&auth_headers(&[value.as_bytes()])).is_ok());
    }
    assert_eq!(
        reason(v.verify_headers(&HeaderMap::new())),
        AuthError::MissingToken
    );
    assert_eq!(
        reason(v.verify_headers(&auth_headers(&[b"Basic dXNlcjpwYXNz"]))),
        AuthError::NotBearer
    );
    let bearer = format!("Bearer {token}");
    assert_eq!(
        reason(v.verify_headers(&auth_headers(&[bearer.as_bytes(), bearer.as_bytes()]))),
        AuthError::InvalidRequest("Two Authorization headers")
    );
    for bad in [
        &b"Bearer "[..],
        b"Bearer",
        b"Bearer a b",
        b"Bearer \xc3\xa9",
        b"Bearer tok\xffen",
    ] {
        let err = reason(v.verify_headers(&auth_headers(&[bad])));
        assert_eq!(
            err,
            AuthError::InvalidRequest("Malformed Authorization header"),
            "{bad:?}"
        );
        assert_eq!(err.status(), StatusCode::BAD_REQUEST);
    }
    assert_eq!(
        v.extract_token(&auth_headers(&[bearer.as_bytes()])),
        Ok(token.as_str())
    );
}

#[cfg(feature = "cookie")]
#[test]
fn cookie_sources() {
    use http::HeaderValue;
    use http::header::{AUTHORIZATION, COOKIE};
    let token = hmac_token(Algorithm::HS256, SECRET, &claims());
    let v = hs256_builder()
        .token_source(TokenSource::HeaderOrCookie("access_token".into()))
        .build()
        .expect("verifier");
    let mut headers = HeaderMap::new();
    headers.insert(
        COOKIE,
        HeaderValue::from_str(&format!("a=b; access_token={token}")).expect("cookie"),
    );
    assert!(v.verify_headers(&headers).is_ok());
    headers.insert(
        AUTHORIZATION,
        HeaderValue::from_str(&format!("Bearer {token}")).expect("auth"),
    );
    assert_eq!(
        reason(v.verify_headers(&headers)),
        AuthError::InvalidRequest("Token found in both the Authorization header and a cookie")
    );

    for bad in ["", "a b", "a;b", "tök"] {
        assert_eq!(
            hs256_builder()
                .token_source(TokenSource::Cookie(bad.into()))
                .build()
                .map(drop_verifier),
            Err(ConfigError::InvalidCookieName),
            "{bad:?}"
        );
    }
}
