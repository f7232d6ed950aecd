//! Token forgery: signatures that are not the issuer's, algorithm confusion (`none`,
//! HS/RS, other HMAC sizes), `kid` tricks, tampered bytes. No forgery verifies.

use jsonwebtoken::Algorithm;
use scope_policy_tests::mirror::{Call, Seed, mirror_with};
use scope_policy_tests::refusal::Refusal;
use scope_policy_tests::reply::{Reply, send};
use scope_policy_tests::requests::bearer;
use scope_policy_tests::seed::{BASIC, POWER, RUN, SUPERADMIN, run_as};
use scope_policy_tests::tokens::{
    OTHER_SECRET, RSA_PUBLIC, SECRET, b64, forged, hmac_token, mint, mint_lifetime, parts, payload,
    rs256_token, signed,
};
use scope_runtime::{JwtVerifier, VerificationKey};
use serde_json::json;

/// `alg: none` in any casing, with or without a signature, never verifies.
#[tokio::test]
async fn token_alg_none_any_casing() {
    let seed = Seed::new();
    let claims = payload("user-1", POWER, 3600);
    for alg in [
        "none",
        "None",
        "NONE",
        "nOnE",
        "none ",
        " none",
        "none\u{0}",
    ] {
        let header = json!({ "alg": alg, "typ": "JWT" }).to_string();
        let unsigned = format!("{}.{}.", b64(&header), b64(&claims));
        // The same header and claims with a genuine HS256 signature over them.
        let signed_none = signed(&header, &claims);
        for token in [unsigned, signed_none] {
            seed.token_invalid(&token, "algorithm not allowed").await;
        }
    }
    // No signature part at all.
    let two_parts = format!("{}.{}", b64(r#"{"alg":"none"}"#), b64(&claims));
    seed.token_invalid(&two_parts, "malformed token").await;
    seed.untouched().await;
}

/// HS/RS key confusion: the RSA public key used as an HMAC secret never verifies,
/// whatever the `kid` says; an RS256 token never verifies against an HMAC secret.
#[tokio::test]
async fn token_hs_rs_key_confusion() {
    // A service that trusts one RSA key (RS256) only.
    let (rs_only, rs_hits) = mirror_with(JwtVerifier::builder().key(VerificationKey::rsa_pem(
        scope_runtime::Algorithm::RS256,
        RSA_PUBLIC,
    )));
    // A service that trusts an HMAC secret (kid `hs`) and the RSA key (kid `rs`).
    let (mixed, mixed_hits) = mirror_with(
        JwtVerifier::builder()
            .key(VerificationKey::hs256(SECRET).map(|k| k.with_kid("hs")))
            .key(
                VerificationKey::rsa_pem(scope_runtime::Algorithm::RS256, RSA_PUBLIC)
                    .map(|k| k.with_kid("rs")),
            ),
    );
    let claims = payload("user-1", SUPERADMIN, 3600);
    let claims_json = serde_json::from_str(&claims).expect("claims");
    let pem = RSA_PUBLIC.as_bytes();
    let pem_trimmed = RSA_PUBLIC.trim().as_bytes();
    for alg in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512] {
        let name = format!("{alg:?}");
        for key in [pem, pem_trimmed] {
            for kid in [None, Some("rs"), Some("hs")] {
                let header = match kid {
                    Some(kid) => json!({ "alg": name, "kid": kid }),
                    None => json!({ "alg": name }),
                }
                .to_string();
                let token = hmac_token(alg, key, &header, &claims);
                // The RSA key of `rs_only` has no kid, so it is the one candidate
                // whatever the kid says, and it only takes RS256.
                send(&rs_only, bearer("GET", "/agents", &token))
                    .await
                    .invalid_token("algorithm not allowed");
                let expected = match (alg, kid) {
                    // Only the HMAC secret takes HS256, and the PEM is not that secret.
                    (Algorithm::HS256, None | Some("hs")) => "signature does not match",
                    _ => "algorithm not allowed",
                };
                send(&mixed, bearer("GET", "/agents", &token))
                    .await
                    .invalid_token(expected);
            }
        }
    }
    // An RS256 token against the seed's HMAC-only verifier.
    let seed = Seed::new();
    let rs = rs256_token(None, &claims_json);
    seed.token_invalid(&rs, "algorithm not allowed").await;
    seed.untouched().await;
    assert_eq!(rs_hits.get() + mixed_hits.get(), 0);
    // The positive control: a genuine RS256 token passes both.
    send(&rs_only, bearer("GET", "/agents", &rs))
        .await
        .passed(200);
    let rs_kid = rs256_token(Some("rs"), &claims_json);
    send(&mixed, bearer("GET", "/agents", &rs_kid))
        .await
        .passed(200);
}

/// The algorithm is pinned per key: another HMAC size with the same secret, a lower-case
/// name, a padded name, a missing or non-string `alg` never verify.
#[tokio::test]
async fn token_unpinned_algorithms() {
    let seed = Seed::new();
    let claims = payload("user-1", SUPERADMIN, 3600);
    for alg in [Algorithm::HS384, Algorithm::HS512] {
        let header = json!({ "alg": format!("{alg:?}"), "typ": "JWT" }).to_string();
        let token = hmac_token(alg, SECRET.as_bytes(), &header, &claims);
        seed.token_invalid(&token, "algorithm not allowed").await;
    }
    for alg in [
        "hs256", "Hs256", "HS256 ", "HS-256", "", "RS256", "ES256", "EdDSA", "XS256",
    ] {
        let token = signed(&json!({ "alg": alg }).to_string(), &claims);
        seed.token_invalid(&token, "algorithm not allowed").await;
    }
    for header in [
        r#"{"typ":"JWT"}"#,
        r#"{"alg":256}"#,
        r#"{"alg":["HS256"]}"#,
        r#"{"alg":null}"#,
        r#"{"alg":{"name":"HS256"}}"#,
        r#"{}"#,
        r#"[]"#,
        r#""HS256""#,
    ] {
        let token = signed(header, &claims);
        seed.token_invalid(&token, "malformed token").await;
    }
    // Two `alg` members: whichever one is read, the token is refused.
    for header in [
        r#"{"alg":"none","alg":"HS256"}"#,
        r#"{"alg":"HS256","alg":"none"}"#,
        r#"{"alg":"HS512","alg":"HS256"}"#,
    ] {
        let token = signed(header, &claims);
        seed.check(|| run_as(&token), |r| refused_as_invalid_token(r, header))
            .await;
    }
    // `crit` extensions are not understood, so refused (RFC 7515 §4.1.11).
    let token = signed(r#"{"alg":"HS256","crit":["exp"]}"#, &claims);
    seed.token_invalid(&token, "unsupported critical header")
        .await;
    seed.untouched().await;
}

/// `kid` tricks: unknown ids, traversal and injection strings, ids of the wrong type,
/// the id of a key pinned to another algorithm.
#[tokio::test]
async fn token_kid_tricks() {
    let (app, hits) = mirror_with(
        JwtVerifier::builder()
            .key(VerificationKey::hs256(SECRET).map(|k| k.with_kid("2024-01")))
            .key(VerificationKey::hs256(OTHER_SECRET).map(|k| k.with_kid("2024-02")))
            .key(
                VerificationKey::rsa_pem(scope_runtime::Algorithm::RS256, RSA_PUBLIC)
                    .map(|k| k.with_kid("rsa")),
            ),
    );
    let claims = payload("user-1", SUPERADMIN, 3600);
    let header = |kid: serde_json::Value| json!({ "alg": "HS256", "kid": kid }).to_string();
    let mut cases = Vec::new();
    for kid in [
        "unknown",
        "",
        "../../../../dev/null",
        "/dev/null",
        "' OR '1'='1",
        "2024-01\u{0}",
        "2024-01 ",
        "2024-1",
        "2024-01/../2024-02",
        "*",
    ] {
        cases.push((signed(&header(json!(kid)), &claims), "unknown key id"));
    }
    for kid in [
        json!(1),
        json!(true),
        json!(["2024-01"]),
        json!({ "kid": "2024-01" }),
    ] {
        cases.push((signed(&header(kid), &claims), "malformed token"));
    }
    // The id of the RSA key on an HS256 token: that key only takes RS256.
    cases.push((
        signed(&header(json!("rsa")), &claims),
        "algorithm not allowed",
    ));
    // The id of the other secret: only that key is tried.
    cases.push((
        signed(&header(json!("2024-02")), &claims),
        "signature does not match",
    ));
    // The id of the RSA key with the RSA public key as HMAC secret.
    let rsa_as_secret = hmac_token(
        Algorithm::HS256,
        RSA_PUBLIC.as_bytes(),
        &header(json!("rsa")),
        &claims,
    );
    cases.push((rsa_as_secret, "algorithm not allowed"));
    for (token, description) in &cases {
        send(&app, bearer("GET", "/agents", token))
            .await
            .invalid_token(description);
    }
    assert_eq!(hits.get(), 0);
    // Controls: the right id, and `kid: null` (as absent: every key is a candidate).
    for kid in [json!("2024-01"), serde_json::Value::Null] {
        let token = signed(&header(kid), &claims);
        send(&app, bearer("GET", "/agents", &token))
            .await
            .passed(200);
    }
    assert_eq!(hits.get(), 2);
}

/// Tampered payloads and signatures: every change to the signed bytes is a bad
/// signature (or a malformed token), never a pass.
#[tokio::test]
async fn token_tampered_payload_or_signature() {
    let seed = Seed::new();
    let basic = mint(BASIC);
    let [h, p, s] = parts(&basic);
    let superadmin_claims = b64(payload("user-1", SUPERADMIN, 3600));
    let power_claims = b64(payload("user-1", POWER, 3600));
    let [_, _, other_sig] = parts(&mint(POWER));
    let mut flipped = s.clone().into_bytes();
    flipped[0] = if flipped[0] == b'A' { b'B' } else { b'A' };
    let flipped = String::from_utf8(flipped).expect("ASCII");
    for token in [
        format!("{h}.{superadmin_claims}.{s}"),
        format!("{h}.{power_claims}.{s}"),
        format!("{h}.{p}.{other_sig}"),
        format!("{h}.{p}.{flipped}"),
        format!("{h}.{p}.{}", &s[..s.len() - 1]),
        format!("{h}.{p}.{}", &s[..10]),
        format!("{h}.{p}.{s}{s}"),
        format!("{h}.{p}A.{s}"),
        forged(SUPERADMIN),
    ] {
        seed.token_refused(&token, |r| {
            let either =
                ["signature does not match", "malformed token"].map(Refusal::invalid_token);
            assert_eq!(r.status.as_u16(), 401, "{token}: {r:?}");
            assert!(
                either
                    .iter()
                    .any(|e| r.challenge() == Some(e.challenge.as_str())),
                "{token}: {r:?}"
            );
        })
        .await;
    }
    // The exact answers of the plain cases.
    let token = format!("{h}.{superadmin_claims}.{s}");
    seed.token_invalid(&token, "signature does not match").await;
    let token = format!("{h}.{p}.");
    seed.token_invalid(&token, "signature does not match").await;
    seed.untouched().await;
}

/// Expired and forged tokens on every route of the seed.
#[tokio::test]
async fn token_expired_and_forged_everywhere() {
    let seed = Seed::new();
    let expired = mint_lifetime(SUPERADMIN, -120);
    let forgery = forged(SUPERADMIN);
    for (method, path) in [
        ("GET", "/agents"),
        ("GET", "/agents/research-agent"),
        ("POST", RUN),
        ("GET", "/sessions"),
        ("GET", "/sessions/session-1"),
        ("GET", "/memories"),
        ("POST", "/memories"),
        ("GET", "/config"),
        ("GET", "/me"),
        ("GET", "/unknown"),
        ("DELETE", "/agents/x"),
    ] {
        seed.check_all([Call::new(method, path, Some(&expired))], Reply::expired)
            .await;
        seed.check_all([Call::new(method, path, Some(&forgery))], |r| {
            r.invalid_token("signature does not match")
        })
        .await;
    }
    seed.untouched().await;
}

/// A 401 `invalid_token`, whatever its description: for tokens whose reason depends on
/// which of two duplicate members a parser reads.
#[track_caller]
fn refused_as_invalid_token(reply: &Reply, what: &str) {
    assert_eq!(reply.status.as_u16(), 401, "{what}: {reply:?}");
    let challenge = reply.challenge().unwrap_or_default();
    assert!(
        challenge.starts_with(r#"Bearer error="invalid_token""#),
        "{what}: {reply:?}"
    );
}
