//! What real identity providers publish and issue: RSA keys without `alg` (signing
//! with PKCS#1 v1.5 or PSS), RFC 9864's `Ed25519`, RFC 9068 access tokens (`typ`),
//! several issuers at once (each with its own keys, chosen by `iss`), and the
//! configuration mistakes they lead to, each named in one line.

mod common;

use jsonwebtoken::EncodingKey;
use scope_runtime::{
    Algorithm, AuthError, ConfigError, DEFAULT_RSA_ALGORITHMS, InvalidTokenReason, Issuer,
    JwtVerifier, KeyError, VerificationKey, VerifiedClaims, parse_jwks,
};
use serde_json::{Value, json};

use common::{
    ED_PRIVATE, ED_PUBLIC, OTHER_SECRET, RSA_PRIVATE, SECRET, b64url, claims, hand_signed_with,
};

fn rsa() -> EncodingKey {
    EncodingKey::from_rsa_pem(RSA_PRIVATE.as_bytes()).expect("rsa")
}

fn ed() -> EncodingKey {
    EncodingKey::from_ed_pem(ED_PRIVATE.as_bytes()).expect("ed")
}

/// A token with exactly this header (`alg` included), signed by `key` with `signature`.
fn token(header: Value, claims: &Value, key: &EncodingKey, signature: Algorithm) -> String {
    hand_signed_with(&header, claims, key, signature)
}

fn reason(result: Result<VerifiedClaims, AuthError>) -> InvalidTokenReason {
    match result {
        Err(AuthError::InvalidToken(reason)) => reason,
        other => panic!("expected an invalid_token refusal, got {other:?}"),
    }
}

/// The public JWK of the RSA fixture, without `alg`, as providers publish it.
fn rsa_jwk(kid: &str) -> Value {
    use jsonwebtoken::jwk::{AlgorithmParameters, Jwk};
    let jwk = Jwk::from_encoding_key(&rsa(), jsonwebtoken::Algorithm::RS256).expect("jwk");
    let AlgorithmParameters::RSA(params) = jwk.algorithm else {
        unreachable!("an RSA key")
    };
    json!({"kty": "RSA", "use": "sig", "kid": kid, "n": params.n, "e": params.e})
}

/// The public `x` of the Ed25519 fixture.
fn ed_jwk_x() -> String {
    use jsonwebtoken::jwk::{AlgorithmParameters, Jwk};
    let jwk = Jwk::from_encoding_key(&ed(), jsonwebtoken::Algorithm::EdDSA).expect("jwk");
    let AlgorithmParameters::OctetKeyPair(params) = jwk.algorithm else {
        unreachable!("an OKP key")
    };
    params.x
}

#[test]
fn an_rsa_key_without_alg_verifies_its_whole_family_and_nothing_else() {
    let jwks = json!({ "keys": [rsa_jwk("rsa-1")] }).to_string();
    let keys = parse_jwks(&jwks, DEFAULT_RSA_ALGORITHMS).expect("jwks");
    let verifier = JwtVerifier::builder().keys(keys).build().expect("verifier");
    for alg in [
        Algorithm::RS256,
        Algorithm::RS384,
        Algorithm::RS512,
        Algorithm::PS256,
        Algorithm::PS384,
        Algorithm::PS512,
    ] {
        let header = json!({"alg": alg.name(), "typ": "JWT", "kid": "rsa-1"});
        let signed = token(header, &claims(json!({})), &rsa(), alg);
        assert!(verifier.verify_token(&signed).is_ok(), "{alg}");
    }
    // Another family never: the EdDSA key of the same `kid` is not there, and the
    // public key is never an HMAC secret.
    for alg in [Algorithm::ES256, Algorithm::EdDSA, Algorithm::HS256] {
        let header = json!({"alg": alg.name(), "kid": "rsa-1"});
        let forged = format!(
            "{}.{}.{}",
            b64url(header.to_string().as_bytes()),
            b64url(claims(json!({})).to_string().as_bytes()),
            b64url(b"not a signature")
        );
        assert_eq!(
            reason(verifier.verify_token(&forged)),
            InvalidTokenReason::AlgorithmNotAllowed,
            "{alg}"
        );
    }
}

#[test]
fn ed25519_is_accepted_beside_eddsa_in_tokens_and_in_jwks() {
    let payload = claims(json!({}));
    let eddsa = token(json!({"alg": "EdDSA"}), &payload, &ed(), Algorithm::EdDSA);
    let ed25519 = token(
        json!({"alg": "Ed25519"}),
        &payload,
        &ed(),
        Algorithm::Ed25519,
    );

    let pem = JwtVerifier::builder()
        .key(VerificationKey::ed_pem(ED_PUBLIC))
        .build()
        .expect("verifier");
    for jwk_alg in [None, Some("EdDSA"), Some("Ed25519")] {
        let mut jwk = json!({"kty": "OKP", "crv": "Ed25519", "kid": "ed", "x": ed_jwk_x()});
        if let Some(alg) = jwk_alg {
            jwk["alg"] = json!(alg);
        }
        let keys = parse_jwks(json!({ "keys": [jwk] }).to_string(), DEFAULT_RSA_ALGORITHMS)
            .expect("the JWK is used, whatever its EdDSA name");
        assert_eq!(keys.len(), 1);
        let from_jwks = JwtVerifier::builder().keys(keys).build().expect("verifier");
        for verifier in [&pem, &from_jwks] {
            assert!(verifier.verify_token(&eddsa).is_ok(), "{jwk_alg:?} EdDSA");
            assert!(
                verifier.verify_token(&ed25519).is_ok(),
                "{jwk_alg:?} Ed25519"
            );
        }
    }
    // The name changes nothing else: a bad signature is still one.
    let mut tampered = ed25519.clone();
    tampered.truncate(tampered.len() - 4);
    tampered.push_str("AAAA");
    assert_eq!(
        reason(pem.verify_token(&tampered)),
        InvalidTokenReason::BadSignature
    );
    // And an `Ed25519` JWK on an RSA key is a key of the wrong family.
    let mut wrong = rsa_jwk("r");
    wrong["alg"] = json!("Ed25519");
    assert!(matches!(
        VerificationKey::from_jwk_json(&wrong.to_string()),
        Err(KeyError::WrongAlgorithm { .. })
    ));
}

#[test]
fn an_access_token_type_can_be_required() {
    let verifier = |require| {
        JwtVerifier::builder()
            .key(VerificationKey::hs256(SECRET))
            .require_access_token_type(require)
            .build()
            .expect("verifier")
    };
    let key = EncodingKey::from_secret(SECRET);
    let with_typ = |typ: Value| {
        let mut header = json!({"alg": "HS256"});
        if !typ.is_null() {
            header["typ"] = typ;
        }
        token(header, &claims(json!({})), &key, Algorithm::HS256)
    };
    let (strict, lenient) = (verifier(true), verifier(false));
    for typ in [
        "at+jwt",
        "AT+JWT",
        "application/at+jwt",
        "Application/AT+JWT",
    ] {
        assert!(strict.verify_token(&with_typ(json!(typ))).is_ok(), "{typ}");
    }
    for typ in [
        json!("JWT"),
        json!("application/jwt"),
        json!(null),
        json!(1),
    ] {
        let signed = with_typ(typ.clone());
        assert_eq!(
            reason(strict.verify_token(&signed)),
            InvalidTokenReason::NotAccessToken,
            "{typ}"
        );
        assert!(
            lenient.verify_token(&signed).is_ok(),
            "default accepts {typ}"
        );
    }
}

/// Two providers that both call their key `k1`: a token is checked with the keys of
/// the issuer its `iss` names, never with the other's.
#[test]
fn several_issuers_each_with_their_own_keys_audience_and_claims() {
    let verifier = JwtVerifier::builder()
        .trusted_issuer(
            Issuer::new("https://a.example")
                .key(VerificationKey::hs256(SECRET).map(|k| k.with_kid("k1")))
                .audience("api-a"),
        )
        .trusted_issuer(
            Issuer::new("https://b.example/")
                .key(VerificationKey::hs256(OTHER_SECRET).map(|k| k.with_kid("k1")))
                .audience("api-b")
                .scopes_claim("scp")
                .require_access_token_type(true),
        )
        .build()
        .expect("verifier");
    let a_key = EncodingKey::from_secret(SECRET);
    let b_key = EncodingKey::from_secret(OTHER_SECRET);
    let header = json!({"alg": "HS256", "kid": "k1"});
    let at_jwt = json!({"alg": "HS256", "kid": "k1", "typ": "at+jwt"});
    let a_claims = claims(json!({"iss": "https://a.example", "aud": "api-a", "scopes": ["x"]}));
    let b_claims = claims(json!({"iss": "https://b.example/", "aud": "api-b", "scp": "y z"}));

    let a = verifier
        .verify_token(&token(header.clone(), &a_claims, &a_key, Algorithm::HS256))
        .expect("issuer a");
    assert_eq!(a.scopes(), ["x"]);
    let b = verifier
        .verify_token(&token(at_jwt.clone(), &b_claims, &b_key, Algorithm::HS256))
        .expect("issuer b");
    assert_eq!(b.scopes(), ["y", "z"], "b's own scopes claim");

    // a's key with b's `iss`: b's key is the only one tried.
    assert_eq!(
        reason(verifier.verify_token(&token(at_jwt.clone(), &b_claims, &a_key, Algorithm::HS256))),
        InvalidTokenReason::BadSignature
    );
    // Each issuer's own audience and token type.
    let b_with_a_aud = claims(json!({"iss": "https://b.example/", "aud": "api-a"}));
    assert_eq!(
        reason(verifier.verify_token(&token(at_jwt, &b_with_a_aud, &b_key, Algorithm::HS256))),
        InvalidTokenReason::BadAudience
    );
    assert_eq!(
        reason(verifier.verify_token(&token(header.clone(), &b_claims, &b_key, Algorithm::HS256))),
        InvalidTokenReason::NotAccessToken
    );
    // An unknown issuer, no issuer, and the trailing-slash near miss: refused before
    // any key is tried.
    for iss in [
        json!("https://c.example"),
        json!(null),
        json!("https://b.example"),
    ] {
        let mut unknown = a_claims.clone();
        match &iss {
            Value::Null => drop(unknown.as_object_mut().expect("object").remove("iss")),
            _ => unknown["iss"] = iss.clone(),
        }
        assert_eq!(
            reason(verifier.verify_token(&token(
                header.clone(),
                &unknown,
                &a_key,
                Algorithm::HS256
            ))),
            InvalidTokenReason::BadIssuer,
            "{iss}"
        );
    }
}

#[test]
fn issuer_configuration_mistakes_are_named() {
    let key = || VerificationKey::hs256(SECRET);
    let err = |builder: scope_runtime::JwtVerifierBuilder| builder.build().err();
    assert_eq!(
        err(JwtVerifier::builder()
            .trusted_issuer(Issuer::new("https://a").key(key()))
            .trusted_issuer(Issuer::new("https://a").key(key()))),
        Some(ConfigError::DuplicateIssuer("https://a".into()))
    );
    assert_eq!(
        err(JwtVerifier::builder()
            .key(key())
            .trusted_issuer(Issuer::new("https://a").key(key()))),
        Some(ConfigError::KeysWithoutIssuer)
    );
    assert_eq!(
        err(JwtVerifier::builder().trusted_issuer(Issuer::new("https://a"))),
        Some(ConfigError::IssuerWithoutKeys("https://a".into()))
    );
    assert_eq!(
        err(JwtVerifier::builder()
            .trusted_issuer(Issuer::new("https://a").key(key()))
            .trusted_issuer(Issuer::new("https://b"))),
        Some(ConfigError::IssuerWithoutKeys("https://b".into()))
    );
    assert_eq!(
        err(JwtVerifier::builder().trusted_issuer(Issuer::new("").key(key()))),
        Some(ConfigError::EmptyIssuer)
    );
    // The builder's own keys with an issuer, beside a trusted issuer: fine.
    assert!(
        JwtVerifier::builder()
            .key(key())
            .issuer("https://own")
            .trusted_issuer(Issuer::new("https://a").key(key()))
            .build()
            .is_ok()
    );
}

#[test]
fn a_discovery_document_given_as_a_jwks_says_so() {
    let discovery = json!({
        "issuer": "https://idp.example",
        "jwks_uri": "https://idp.example/jwks",
        "token_endpoint": "https://idp.example/token",
    });
    let err = parse_jwks(discovery.to_string(), DEFAULT_RSA_ALGORITHMS).expect_err("not a JWKS");
    assert_eq!(
        err.to_string(),
        "invalid JWKS: this is an OpenID Connect discovery document, not a JWKS: use its \
         `jwks_uri` (https://idp.example/jwks) as the JWKS URL, or discover the keys from \
         the issuer"
    );
}

#[test]
fn a_skipped_jwk_is_a_warning_with_its_reason() {
    let logs = common::Captured::default();
    let subscriber = logs.subscriber(tracing::Level::WARN);
    let jwks = json!({"keys": [
        rsa_jwk("good"),
        {"kty": "EC", "crv": "P-521", "kid": "p521", "x": "AAAA", "y": "AAAA"},
        {"kty": "RSA", "kid": "oaep", "alg": "RSA-OAEP", "n": "AQAB", "e": "AQAB"},
    ]});
    let keys = tracing::subscriber::with_default(subscriber, || {
        parse_jwks(jwks.to_string(), DEFAULT_RSA_ALGORITHMS).expect("jwks")
    });
    assert_eq!(
        keys.len(),
        DEFAULT_RSA_ALGORITHMS.len(),
        "only `good`, once per RSA alg"
    );
    let text = logs.text();
    let warnings: Vec<&str> = text.lines().filter(|l| l.contains("WARN")).collect();
    assert_eq!(warnings.len(), 2, "{text}");
    assert!(warnings[0].contains("p521") && warnings[0].contains("unsupported EC curve"));
    assert!(warnings[1].contains("oaep") && warnings[1].contains("encryption algorithm"));
}
