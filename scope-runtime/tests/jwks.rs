//! Keys from a JWKS: a file (always built) and a URL (crate feature `jwks-url`: the
//! `url` module), against a real identity provider on loopback whose JWKS rotates.
//!
//! The keys are the test-only fixtures of `tests/fixtures/` and
//! `tests/fixtures/jwks/` (see the README there); tokens are minted with jsonwebtoken.

mod common;

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use jsonwebtoken::{AlgorithmFamily, EncodingKey, Header, encode, get_current_timestamp};
use scope_runtime::{
    Algorithm, AuthError, DEFAULT_RSA_ALGORITHMS, InvalidTokenReason, JwksError, JwksFile,
    JwtVerifier, KeyError, MAX_JWKS_FILE_SIZE, VerifiedClaims, parse_jwks,
};
use serde_json::{Value, json};

use common::{EC256_PRIVATE, EC384_PRIVATE, ED_PRIVATE, RSA_PRIVATE, RSA_PUBLIC, b64url};

/// The second RSA key: the key a provider rotates in.
const RSA2_PRIVATE: &str = include_str!("fixtures/jwks/rsa2_private.pem");

/// A provider-like JWKS: `rsa-1` (RS256), `ec-p256` (no `alg`), `ec-p384` (ES384),
/// `ed25519` (EdDSA), plus an encryption key, a symmetric key and a key of an unknown
/// type, which must all be ignored.
const JWKS_JSON: &str = include_str!("fixtures/jwks/jwks.json");
const JWK_RSA1: &str = include_str!("fixtures/jwks/rsa-1.jwk.json");
const JWK_RSA2: &str = include_str!("fixtures/jwks/rsa-2.jwk.json");
const JWK_RSA_NOALG: &str = include_str!("fixtures/jwks/rsa-noalg.jwk.json");
const JWK_RSA_ENC: &str = include_str!("fixtures/jwks/rsa-enc.jwk.json");

fn jwk(json: &str) -> Value {
    serde_json::from_str(json).expect("JWK fixture")
}

/// `{"keys": [...]}` of the given JWK fixtures.
fn jwks_of(keys: &[&str]) -> String {
    json!({ "keys": keys.iter().map(|k| jwk(k)).collect::<Vec<_>>() }).to_string()
}

fn claims() -> Value {
    json!({ "sub": "user-1", "exp": get_current_timestamp() + 3600, "scopes": ["app:read"] })
}

/// A token signed with `private_pem` (or, for HMAC algorithms, with its bytes as the
/// secret) under `alg`, with `kid` in the header.
fn mint(alg: Algorithm, private_pem: &str, kid: Option<&str>) -> String {
    let alg = common::minting(alg);
    let key = match alg.family() {
        AlgorithmFamily::Hmac => EncodingKey::from_secret(private_pem.as_bytes()),
        AlgorithmFamily::Rsa => EncodingKey::from_rsa_pem(private_pem.as_bytes()).expect("rsa"),
        AlgorithmFamily::Ec => EncodingKey::from_ec_pem(private_pem.as_bytes()).expect("ec"),
        AlgorithmFamily::Ed => EncodingKey::from_ed_pem(private_pem.as_bytes()).expect("ed"),
    };
    let mut header = Header::new(alg);
    header.kid = kid.map(str::to_owned);
    encode(&header, &claims(), &key).expect("mint")
}

fn refused(result: Result<VerifiedClaims, AuthError>) -> InvalidTokenReason {
    match result {
        Err(AuthError::InvalidToken(reason)) => reason,
        other => panic!("expected an invalid_token refusal, got {other:?}"),
    }
}

/// Every supported key type, signed with the private key of each JWK of `JWKS_JSON`.
fn each_key_type() -> [(&'static str, Algorithm, &'static str); 4] {
    [
        ("rsa-1", Algorithm::RS256, RSA_PRIVATE),
        ("ec-p256", Algorithm::ES256, EC256_PRIVATE),
        ("ec-p384", Algorithm::ES384, EC384_PRIVATE),
        ("ed25519", Algorithm::EdDSA, ED_PRIVATE),
    ]
}

/// Checks a verifier holding the keys of `JWKS_JSON`: each key type verifies by `kid`,
/// the right `kid` with the wrong key fails, an unknown `kid` fails, the encryption key
/// is not used, HS256 forged with the RSA public key fails.
fn check_provider_keys(verifier: &JwtVerifier) {
    use Algorithm::{ES256, HS256, RS256};
    use InvalidTokenReason::{AlgorithmNotAllowed, BadSignature, UnknownKeyId};

    for (kid, alg, private) in each_key_type() {
        let token = mint(alg, private, Some(kid));
        let verified = verifier
            .verify_token(&token)
            .unwrap_or_else(|err| panic!("{kid} ({alg:?}) refused: {err}"));
        assert_eq!(verified.subject(), Some("user-1"));
        assert!(verified.has_scope("app:read"));
    }
    let hmac_secret = "a-symmetric-secret-that-must-not-come-from-a-jwks";
    // (alg, signing key or secret, kid, the reason of the refusal)
    let refusals = [
        // The right kid, the wrong key (same key type).
        (RS256, RSA2_PRIVATE, Some("rsa-1"), BadSignature),
        // The right kid, another key type's key: its alg is not the one pinned on `rsa-1`.
        (ES256, EC256_PRIVATE, Some("rsa-1"), AlgorithmNotAllowed),
        // An unknown kid.
        (RS256, RSA_PRIVATE, Some("no-such-key"), UnknownKeyId),
        // `rsa-enc` is the same RSA key as `rsa-1`, published for encryption: not used.
        (RS256, RSA_PRIVATE, Some("rsa-enc"), UnknownKeyId),
        // The symmetric key of the JWKS is not used either.
        (HS256, hmac_secret, Some("hmac"), UnknownKeyId),
        // HS256 forged with the RSA public key (PEM, or the JWK's JSON) as the secret.
        (HS256, RSA_PUBLIC, Some("rsa-1"), AlgorithmNotAllowed),
        (HS256, RSA_PUBLIC, None, AlgorithmNotAllowed),
        (HS256, JWK_RSA1, Some("rsa-1"), AlgorithmNotAllowed),
        (HS256, JWK_RSA1, None, AlgorithmNotAllowed),
    ];
    for (alg, key, kid, reason) in refusals {
        let token = mint(alg, key, kid);
        let result = verifier.verify_token(&token);
        assert_eq!(refused(result), reason, "{alg:?} token, kid {kid:?}");
    }
    // `alg: none` never verifies.
    let signed = mint(RS256, RSA_PRIVATE, Some("rsa-1"));
    let payload = signed.split('.').nth(1).expect("payload");
    let none_header = json!({ "alg": "none", "kid": "rsa-1" }).to_string();
    let none = format!("{}.{payload}.", b64url(none_header.as_bytes()));
    assert_eq!(refused(verifier.verify_token(&none)), AlgorithmNotAllowed);
}

// ------------------------------------------------------------------------ files

static FILE_COUNTER: AtomicUsize = AtomicUsize::new(0);

/// Writes `contents` to a fresh temporary file.
fn temp_file(contents: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("scope-runtime-jwks-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(format!(
        "jwks-{}.json",
        FILE_COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::write(&path, contents).expect("write temp file");
    path
}

#[test]
fn file_each_key_type_by_kid() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/jwks/jwks.json");
    let keys = JwksFile::new(&path).load().expect("load the JWKS file");
    let summary: Vec<(Option<&str>, Algorithm)> =
        keys.iter().map(|k| (k.kid(), k.algorithm())).collect();
    assert_eq!(
        summary,
        [
            (Some("rsa-1"), Algorithm::RS256),
            (Some("ec-p256"), Algorithm::ES256), // no `alg`: the curve decides
            (Some("ec-p384"), Algorithm::ES384),
            (Some("ed25519"), Algorithm::EdDSA),
        ]
    );
    let verifier = JwtVerifier::builder().keys(keys).build().expect("verifier");
    check_provider_keys(&verifier);
}

#[test]
fn file_rsa_key_without_alg_uses_the_configured_algorithms() {
    let path = temp_file(jwks_of(&[JWK_RSA_NOALG]).as_bytes());
    let rs256 = mint(Algorithm::RS256, RSA2_PRIVATE, Some("rsa-noalg"));
    let ps256 = mint(Algorithm::PS256, RSA2_PRIVATE, Some("rsa-noalg"));
    let rs512 = mint(Algorithm::RS512, RSA2_PRIVATE, Some("rsa-noalg"));

    // Default: the RSA family (how providers publish RSA keys and sign with PSS).
    let keys = JwksFile::new(&path).load().expect("load");
    assert_eq!(keys.len(), 6);
    let verifier = JwtVerifier::builder().keys(keys).build().expect("verifier");
    for alg in DEFAULT_RSA_ALGORITHMS {
        let token = mint(*alg, RSA2_PRIVATE, Some("rsa-noalg"));
        assert!(verifier.verify_token(&token).is_ok(), "{alg}");
    }
    // Never across families: the RSA public key as an HMAC secret.
    let public = jwk(JWK_RSA_NOALG);
    let forged = mint(Algorithm::HS256, &public.to_string(), Some("rsa-noalg"));
    assert_eq!(
        refused(verifier.verify_token(&forged)),
        InvalidTokenReason::AlgorithmNotAllowed
    );

    // Configured: RS256 and PS256 only.
    let keys = JwksFile::new(&path)
        .rsa_algorithms([Algorithm::RS256, Algorithm::PS256])
        .load()
        .expect("load");
    assert_eq!(keys.len(), 2);
    let verifier = JwtVerifier::builder().keys(keys).build().expect("verifier");
    assert!(verifier.verify_token(&rs256).is_ok());
    assert!(verifier.verify_token(&ps256).is_ok());
    assert_eq!(
        refused(verifier.verify_token(&rs512)),
        InvalidTokenReason::AlgorithmNotAllowed
    );

    // A published `alg` wins over the configured algorithms.
    let path = temp_file(jwks_of(&[JWK_RSA2]).as_bytes());
    let keys = JwksFile::new(&path)
        .rsa_algorithms([Algorithm::PS512])
        .load()
        .expect("load");
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].algorithm(), Algorithm::RS256);

    // Only RSA algorithms can be configured for RSA keys.
    assert_eq!(
        JwksFile::new(&path)
            .rsa_algorithms([Algorithm::ES256])
            .load()
            .err(),
        Some(JwksError::NotRsaAlgorithm(Algorithm::ES256))
    );
}

#[test]
fn file_errors_are_reported() {
    let missing = std::env::temp_dir().join("scope-runtime-no-such-jwks.json");
    assert!(matches!(
        JwksFile::new(&missing).load(),
        Err(JwksError::Io {
            kind: std::io::ErrorKind::NotFound,
            ..
        })
    ));
    assert!(matches!(
        JwksFile::new(temp_file(b"<html>not json</html>")).load(),
        Err(JwksError::Key(KeyError::InvalidJson { .. }))
    ));
    assert!(matches!(
        JwksFile::new(temp_file(br#"{"no_keys": []}"#)).load(),
        Err(JwksError::Key(KeyError::InvalidKey(_)))
    ));
    // Only keys that are not for signature verification: the error says why each
    // was skipped, in one line.
    let only_enc = JwksFile::new(temp_file(jwks_of(&[JWK_RSA_ENC]).as_bytes())).load();
    let Err(JwksError::Key(KeyError::NoUsableKeys { skipped })) = &only_enc else {
        panic!("expected no usable keys, got {only_enc:?}");
    };
    assert_eq!(skipped.len(), 1);
    assert_eq!(
        only_enc.as_ref().err().map(ToString::to_string).as_deref(),
        Some(
            "invalid JWKS: the JWKS holds no key usable for signature verification \
             (kid \"rsa-enc\": `alg` is an encryption algorithm)"
        )
    );
    assert_eq!(
        JwksFile::new(temp_file(br#"{"keys": []}"#)).load().err(),
        Some(JwksError::Key(KeyError::NoUsableKeys { skipped: vec![] }))
    );
    // A broken supported key is an error in a file (strict), naming the key: a modulus
    // cut in half.
    let mut short = jwk(JWK_RSA1);
    let n = short["n"].as_str().expect("n").to_owned();
    short["n"] = Value::String(n[..n.len() / 2].to_owned());
    let text = json!({ "keys": [jwk(JWK_RSA2), short] }).to_string();
    let err = JwksFile::new(temp_file(text.as_bytes())).load();
    assert!(matches!(
        &err,
        Err(JwksError::Key(KeyError::InJwks { reason, .. })) if matches!(**reason, KeyError::InvalidKey(_))
    ));
    assert_eq!(
        err.err().map(|e| e.to_string()).as_deref(),
        Some(
            "invalid JWKS: the JWKS key kid \"rsa-1\": invalid key: invalid base64url key parameters in JWK"
        )
    );
    // Larger than the file cap.
    let mut big = jwks_of(&[JWK_RSA1]).into_bytes();
    big.resize(MAX_JWKS_FILE_SIZE as usize + 1, b' ');
    assert!(matches!(
        JwksFile::new(temp_file(&big)).load(),
        Err(JwksError::FileTooLarge { .. })
    ));
    // The messages say what is wrong, never the key.
    let err = JwksFile::new(temp_file(text.as_bytes()))
        .load()
        .unwrap_err();
    assert!(!err.to_string().contains(&n[..20]));
}

#[test]
fn parse_jwks_text() {
    let keys = parse_jwks(JWKS_JSON, DEFAULT_RSA_ALGORITHMS).expect("parse");
    assert_eq!(keys.len(), 4);
    let verifier = JwtVerifier::builder().keys(keys).build().expect("verifier");
    check_provider_keys(&verifier);
}

// ------------------------------------------------------------------------- URLs

#[cfg(feature = "jwks-url")]
mod url {
    use std::io::Write as _;
    use std::net::TcpListener as StdListener;
    use std::sync::Arc;
    use std::sync::atomic::AtomicBool;
    use std::time::{Duration, Instant};

    use axum::Router;
    use axum::body::Body;
    use axum::routing::get;
    use http::header::AUTHORIZATION;
    use http::{Request, StatusCode};
    use scope_runtime::{JwksUrl, RemoteJwks};
    use scope_runtime::{Policy, ScopeLayer, scopes};
    use tower::ServiceExt as _;

    use super::*;

    /// A token whose header names `kid` and `RS256`, with a junk signature: refused before
    /// any signature is computed when no key has that `kid`.
    fn junk_token(kid: &str) -> String {
        common::hand_built(&json!({ "alg": "RS256", "kid": kid }), &claims(), "c2ln")
    }

    use common::{Answer, Provider};

    /// A source fetching at most once per `min_refresh`, and every `refresh` unasked.
    fn refreshing(url: &str, min_refresh: Duration, refresh: Duration) -> JwksUrl {
        JwksUrl::new(url)
            .min_refresh_interval(min_refresh)
            .refresh_interval(refresh)
    }

    /// A source with short intervals for tests: at most one fetch per 100 ms.
    fn fast(url: &str) -> JwksUrl {
        refreshing(url, Duration::from_millis(100), Duration::from_secs(60))
            .timeout(Duration::from_millis(500))
    }

    async fn started(source: JwksUrl) -> RemoteJwks {
        let source = source.start().expect("start the JWKS source");
        assert!(
            source.wait_until_ready(Duration::from_secs(5)).await,
            "no keys: {:?}",
            source.status()
        );
        source
    }

    fn verifier_of(source: &RemoteJwks) -> JwtVerifier {
        JwtVerifier::builder()
            .jwks(source.clone())
            .build()
            .expect("verifier")
    }

    /// Polls `check` every 10 ms for up to 5 s.
    async fn eventually(mut check: impl FnMut() -> bool) -> bool {
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if check() {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        check()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn url_each_key_type_by_kid() {
        let provider = Provider::start(Answer::Json(JWKS_JSON.to_owned())).await;
        let source = started(fast(&provider.url())).await;
        let status = source.status();
        assert_eq!(status.key_ids, ["rsa-1", "ec-p256", "ec-p384", "ed25519"]);
        assert_eq!(status.successful_fetches, 1);
        check_provider_keys(&verifier_of(&source));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn url_keys_combine_with_static_keys() {
        let provider = Provider::start(Answer::Json(jwks_of(&[JWK_RSA2]))).await;
        let source = started(fast(&provider.url())).await;
        let secret = "a-static-hs256-secret-of-at-least-32-bytes";
        let verifier = JwtVerifier::builder()
            .key(scope_runtime::VerificationKey::hs256(secret))
            .jwks(source)
            .build()
            .expect("verifier");
        assert!(
            verifier
                .verify_token(&mint(Algorithm::HS256, secret, None))
                .is_ok()
        );
        assert!(
            verifier
                .verify_token(&mint(Algorithm::RS256, RSA2_PRIVATE, Some("rsa-2")))
                .is_ok()
        );
        // Without kid, every key pinned to the token's alg is tried.
        assert!(
            verifier
                .verify_token(&mint(Algorithm::RS256, RSA2_PRIVATE, None))
                .is_ok()
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn rotation_by_kid() {
        let provider = Provider::start(Answer::Json(jwks_of(&[JWK_RSA1]))).await;
        let source = started(fast(&provider.url())).await;
        let verifier = verifier_of(&source);
        let old = mint(Algorithm::RS256, RSA_PRIVATE, Some("rsa-1"));
        let new = mint(Algorithm::RS256, RSA2_PRIVATE, Some("rsa-2"));
        assert!(verifier.verify_token(&old).is_ok());
        assert_eq!(provider.requests(), 1);

        // The provider rotates: rsa-2 in, rsa-1 out.
        provider.set(Answer::Json(jwks_of(&[JWK_RSA2])));
        // The first token with the new kid is refused at once, and asks for a fetch.
        assert_eq!(
            refused(verifier.verify_token(&new)),
            InvalidTokenReason::UnknownKeyId
        );
        // Later ones see the new key.
        assert!(eventually(|| verifier.verify_token(&new).is_ok()).await);
        // One fetch for the unknown kid (a second one may follow, 100 ms later, for
        // the refusals that arrived while it ran).
        assert!(
            (2..=3).contains(&provider.requests()),
            "{}",
            provider.requests()
        );
        assert_eq!(source.status().key_ids, ["rsa-2"]);
        // The key rotated out is refused.
        assert_eq!(
            refused(verifier.verify_token(&old)),
            InvalidTokenReason::UnknownKeyId
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn periodic_refresh_picks_up_rotation() {
        let provider = Provider::start(Answer::Json(jwks_of(&[JWK_RSA1]))).await;
        let every_200_ms = refreshing(
            &provider.url(),
            Duration::from_millis(50),
            Duration::from_millis(200),
        );
        let source = started(every_200_ms).await;
        provider.set(Answer::Json(jwks_of(&[JWK_RSA2])));
        // No token asks: the periodic refresh alone brings rsa-2.
        assert!(eventually(|| source.status().key_ids == ["rsa-2"]).await);
        assert_eq!(source.status().unknown_kid_requests, 0);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn unknown_kid_never_waits_for_the_fetch() {
        let provider = Provider::start(Answer::Json(jwks_of(&[JWK_RSA1]))).await;
        let source = started(fast(&provider.url()).timeout(Duration::from_secs(3))).await;
        let verifier = verifier_of(&source);
        let new = mint(Algorithm::RS256, RSA2_PRIVATE, Some("rsa-2"));
        // The provider now takes 1 s to answer.
        provider.set(Answer::Slow(Duration::from_secs(1), jwks_of(&[JWK_RSA2])));
        let start = Instant::now();
        let mut slowest = Duration::ZERO;
        let mut refusals = 0;
        loop {
            let before = Instant::now();
            let result = verifier.verify_token(&new);
            if result.is_ok() {
                break;
            }
            slowest = slowest.max(before.elapsed());
            refusals += 1;
            assert_eq!(refused(result), InvalidTokenReason::UnknownKeyId);
            assert!(
                start.elapsed() < Duration::from_secs(5),
                "rsa-2 never arrived"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let waited = start.elapsed();
        eprintln!(
            "unknown kid during a 1 s fetch: {refusals} refusals, slowest verify {slowest:?}, key after {waited:?}"
        );
        assert!(waited >= Duration::from_millis(900), "the fetch took 1 s");
        assert!(refusals > 10);
        assert!(
            slowest < Duration::from_millis(500),
            "a verify waited: {slowest:?}"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn kid_flood_makes_a_bounded_number_of_fetches() {
        let provider = Provider::start(Answer::Json(jwks_of(&[JWK_RSA1]))).await;
        let min_interval = Duration::from_millis(200);
        let began = Instant::now();
        let source = started(refreshing(
            &provider.url(),
            min_interval,
            Duration::from_secs(60),
        ))
        .await;
        let verifier = verifier_of(&source);
        let start = Instant::now();
        let mut sent = 0u64;
        while start.elapsed() < Duration::from_secs(1) {
            for _ in 0..100 {
                let token = junk_token(&format!("flood-{sent}"));
                assert_eq!(
                    refused(verifier.verify_token(&token)),
                    InvalidTokenReason::UnknownKeyId
                );
                sent += 1;
            }
            tokio::task::yield_now().await;
        }
        let elapsed = start.elapsed();
        // Let a fetch that is due finish.
        tokio::time::sleep(min_interval + Duration::from_millis(100)).await;
        // Fetches start at least `min_interval` apart, the first one after `began`.
        let bound = 1 + began.elapsed().as_millis() / min_interval.as_millis();
        let fetches = provider.requests();
        eprintln!(
            "kid flood: {sent} unknown kids in {elapsed:?} -> {fetches} fetches (min interval {min_interval:?}, bound {bound})"
        );
        assert!(fetches >= 2, "the flood did ask for a fetch");
        assert!(fetches as u128 <= bound, "{fetches} fetches > {bound}");
        assert_eq!(source.status().unknown_kid_requests, sent);
        // The real key still works.
        let ok = mint(Algorithm::RS256, RSA_PRIVATE, Some("rsa-1"));
        assert!(verifier.verify_token(&ok).is_ok());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn kid_flood_with_default_interval_costs_no_extra_fetch() {
        let provider = Provider::start(Answer::Json(jwks_of(&[JWK_RSA1]))).await;
        let source = started(JwksUrl::new(provider.url())).await;
        let verifier = verifier_of(&source);
        for i in 0..10_000 {
            let token = junk_token(&format!("flood-{i}"));
            assert!(verifier.verify_token(&token).is_err());
            if i % 500 == 0 {
                tokio::task::yield_now().await;
            }
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        eprintln!(
            "kid flood, default 5 s interval: 10000 unknown kids -> {} fetch(es)",
            provider.requests()
        );
        assert_eq!(provider.requests(), 1, "only the fetch at start");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn garbage_from_the_provider_keeps_the_last_good_keys() {
        let provider = Provider::start(Answer::Json(jwks_of(&[JWK_RSA1]))).await;
        let source = started(fast(&provider.url()).max_body_size(16 * 1024)).await;
        let verifier = verifier_of(&source);
        let good = mint(Algorithm::RS256, RSA_PRIVATE, Some("rsa-1"));
        assert!(verifier.verify_token(&good).is_ok());

        let mut broken_key = jwk(JWK_RSA2);
        broken_key["n"] = Value::String("AQAB".into());
        let cases = [
            (
                Answer::Json("<html>Bad gateway</html>".into()),
                "unusable JWKS",
            ),
            (Answer::Json(r#"{"keys": "nope"}"#.into()), "unusable JWKS"),
            (Answer::Json(r#"{"keys": []}"#.into()), "no key usable"),
            (Answer::Json(jwks_of(&[JWK_RSA_ENC])), "no key usable"),
            (
                Answer::Json(json!({ "keys": [broken_key] }).to_string()),
                "no key usable",
            ),
            (Answer::Status(500), "HTTP status 500"),
            (Answer::Status(302), "HTTP status 302"),
            (
                Answer::Json(" ".repeat(64 * 1024)),
                "larger than 16384 bytes",
            ),
            (
                Answer::Slow(Duration::from_secs(2), jwks_of(&[JWK_RSA2])),
                "no complete answer within",
            ),
        ];
        for (answer, expected) in cases {
            let failed = source.status().failed_fetches;
            provider.set(answer.clone());
            // An unknown kid asks for a fetch.
            let _ = verifier.verify_token(&junk_token("rotated?"));
            // Failed fetches are retried every `min_refresh_interval`: wait for one
            // that saw this answer.
            let seen = eventually(|| {
                let status = source.status();
                status.failed_fetches > failed
                    && status.last_error.is_some_and(|e| e.contains(expected))
            })
            .await;
            let status = source.status();
            assert!(seen, "{answer:?}: {:?}", status.last_error);
            assert_eq!(status.key_ids, ["rsa-1"], "{answer:?}: keys changed");
            assert!(verifier.verify_token(&good).is_ok(), "{answer:?}");
        }
        // A good document again: replaced.
        provider.set(Answer::Json(jwks_of(&[JWK_RSA2])));
        let new = mint(Algorithm::RS256, RSA2_PRIVATE, Some("rsa-2"));
        let _ = verifier.verify_token(&new);
        assert!(eventually(|| verifier.verify_token(&new).is_ok()).await);
        assert!(source.status().last_error.is_none());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_endless_body_is_cut_at_the_cap() {
        // A raw provider that streams a chunked body until the client hangs up.
        let listener = StdListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        let written = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&written);
        std::thread::spawn(move || {
            let Ok((mut stream, _)) = listener.accept() else {
                return;
            };
            read_request(&mut stream);
            let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
            if stream.write_all(head.as_bytes()).is_err() {
                return;
            }
            let chunk = format!("{:x}\r\n{}\r\n", 16 * 1024, " ".repeat(16 * 1024));
            // Up to 1 GiB; the client stops reading long before.
            for _ in 0..65_536 {
                if stream.write_all(chunk.as_bytes()).is_err() {
                    return;
                }
                counter.fetch_add(16 * 1024, Ordering::SeqCst);
            }
        });
        let source = JwksUrl::new(format!("http://{addr}/jwks"))
            .max_body_size(64 * 1024)
            .timeout(Duration::from_secs(3))
            .start()
            .expect("start");
        let start = Instant::now();
        assert!(eventually(|| source.status().failed_fetches == 1).await);
        let error = source.status().last_error.unwrap_or_default();
        eprintln!(
            "endless body: refused after {:?} ({error}); the provider wrote {} KiB before the client hung up",
            start.elapsed(),
            written.load(Ordering::SeqCst) / 1024
        );
        assert!(error.contains("larger than 65536 bytes"), "{error}");
        assert!(
            start.elapsed() < Duration::from_secs(3),
            "cut by the cap, not the timeout"
        );
        assert!(source.keys().is_empty());
    }

    fn read_request(stream: &mut impl std::io::Read) {
        let mut request = Vec::new();
        let mut buf = [0u8; 1024];
        while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < 16 * 1024 {
            match stream.read(&mut buf) {
                Ok(0) | Err(_) => return,
                Ok(n) => request.extend_from_slice(&buf[..n]),
            }
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn provider_down_at_start_then_up() {
        // A free port with nothing listening on it.
        let port = StdListener::bind("127.0.0.1:0")
            .expect("bind")
            .local_addr()
            .expect("addr")
            .port();
        let url = format!("http://127.0.0.1:{port}/jwks");
        let source = fast(&url)
            .start()
            .expect("start does not need the provider");
        let verifier = verifier_of(&source);
        let token = mint(Algorithm::RS256, RSA_PRIVATE, Some("rsa-1"));
        assert_eq!(
            refused(verifier.verify_token(&token)),
            InvalidTokenReason::UnknownKeyId
        );
        let no_kid = mint(Algorithm::RS256, RSA_PRIVATE, None);
        assert_eq!(
            refused(verifier.verify_token(&no_kid)),
            InvalidTokenReason::UnknownKeyId
        );
        assert!(eventually(|| source.status().failed_fetches >= 2).await);
        assert!(source.status().last_error.is_some());
        assert!(!source.wait_until_ready(Duration::from_millis(50)).await);

        // The provider comes up on that port.
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("bind the provider's port");
        let _provider = Provider::serve(listener, Answer::Json(jwks_of(&[JWK_RSA1])));
        assert!(source.wait_until_ready(Duration::from_secs(5)).await);
        assert!(verifier.verify_token(&token).is_ok());
        assert!(verifier.verify_token(&no_kid).is_ok());
    }

    static POLICY: Policy = scopes! {
        "GET /agents" => ["app:read"],
    };

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn through_the_layer_401_until_the_key_arrives() {
        let provider = Provider::start(Answer::Json(jwks_of(&[JWK_RSA1]))).await;
        // Right after the fetch at start, the 1 s spacing holds a token's fetch back: the
        // first request is refused at once rather than waiting for it.
        let source =
            started(fast(&provider.url()).min_refresh_interval(Duration::from_secs(1))).await;
        let app: Router = Router::new()
            .route("/agents", get(|| async { "[]" }))
            .layer(ScopeLayer::new(verifier_of(&source), POLICY));
        let call = |token: String| {
            let app = app.clone();
            async move {
                let request = Request::get("/agents")
                    .header(AUTHORIZATION, format!("Bearer {token}"))
                    .body(Body::empty())
                    .expect("request");
                app.oneshot(request).await.expect("infallible")
            }
        };
        let old = mint(Algorithm::RS256, RSA_PRIVATE, Some("rsa-1"));
        let new = mint(Algorithm::RS256, RSA2_PRIVATE, Some("rsa-2"));
        assert_eq!(call(old.clone()).await.status(), StatusCode::OK);
        provider.set(Answer::Json(jwks_of(&[JWK_RSA2])));
        let refused = call(new.clone()).await;
        assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
        let challenge = refused.headers()["www-authenticate"]
            .to_str()
            .expect("ascii");
        assert!(challenge.contains("unknown key id"), "{challenge}");
        let deadline = Instant::now() + Duration::from_secs(5);
        while call(new.clone()).await.status() != StatusCode::OK {
            assert!(
                Instant::now() < deadline,
                "the rotated-in key never arrived"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(call(old).await.status(), StatusCode::UNAUTHORIZED);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn discovery_finds_the_jwks_uri() {
        let provider = Provider::start(Answer::Json(JWKS_JSON.to_owned())).await;
        // An issuer with a trailing slash, as Auth0's: the discovery document is at
        // `{issuer without the slash}/.well-known/openid-configuration`.
        let issuer = format!("http://{}/", provider.addr());
        provider.set_discovery(
            json!({ "issuer": issuer, "jwks_uri": provider.url(), "token_endpoint": "x" })
                .to_string(),
        );
        let source =
            started(JwksUrl::from_issuer(issuer).min_refresh_interval(Duration::from_millis(100)))
                .await;
        assert_eq!(provider.requests(), 2, "discovery, then the JWKS");
        check_provider_keys(&verifier_of(&source));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn discovery_refuses_another_issuer() {
        let provider = Provider::start(Answer::Json(JWKS_JSON.to_owned())).await;
        provider.set_discovery(
            json!({ "issuer": "https://evil.example", "jwks_uri": provider.url() }).to_string(),
        );
        let source = JwksUrl::from_issuer(format!("http://{}", provider.addr()))
            .min_refresh_interval(Duration::from_millis(100))
            .start()
            .expect("start");
        assert!(eventually(|| source.status().failed_fetches >= 1).await);
        let error = source.status().last_error.unwrap_or_default();
        assert!(error.contains("issuer"), "{error}");
        assert!(source.keys().is_empty());
        // The JWKS itself was never fetched.
        assert_eq!(provider.requests(), source.status().failed_fetches as usize);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn dropping_the_source_stops_fetching() {
        let provider = Provider::start(Answer::Json(jwks_of(&[JWK_RSA1]))).await;
        let every_20_ms = Duration::from_millis(20);
        let source = started(refreshing(&provider.url(), every_20_ms, every_20_ms)).await;
        let verifier = verifier_of(&source);
        assert!(eventually(|| provider.requests() >= 3).await);
        drop(source);
        // The verifier still holds the source: fetching goes on.
        let before = provider.requests();
        assert!(eventually(|| provider.requests() > before).await);
        drop(verifier);
        tokio::time::sleep(Duration::from_millis(50)).await;
        let after = provider.requests();
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(provider.requests(), after, "the task stopped");
    }

    #[test]
    fn settings_are_checked() {
        // Outside a Tokio runtime.
        assert_eq!(
            JwksUrl::new("https://idp.example/jwks").start().err(),
            Some(JwksError::NoRuntime)
        );
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let _guard = rt.enter();
        let start = |url: JwksUrl| url.native_roots(false).start().err();
        assert_eq!(
            start(JwksUrl::new("http://idp.example/jwks")),
            Some(JwksError::PlainHttp)
        );
        assert!(matches!(
            start(JwksUrl::new("idp.example/jwks")),
            Some(JwksError::InvalidUrl(_))
        ));
        assert_eq!(
            start(JwksUrl::from_issuer("http://idp.example")),
            Some(JwksError::PlainHttp)
        );
        assert!(matches!(
            start(JwksUrl::new("http://127.0.0.1:1/jwks").min_refresh_interval(Duration::ZERO)),
            Some(JwksError::Config(_))
        ));
        assert!(matches!(
            start(
                JwksUrl::new("http://127.0.0.1:1/jwks")
                    .min_refresh_interval(Duration::from_secs(60))
                    .refresh_interval(Duration::from_secs(30))
            ),
            Some(JwksError::Config(_))
        ));
        assert!(matches!(
            start(JwksUrl::new("http://127.0.0.1:1/jwks").timeout(Duration::ZERO)),
            Some(JwksError::Config(_))
        ));
        assert!(matches!(
            start(JwksUrl::new("http://127.0.0.1:1/jwks").max_body_size(0)),
            Some(JwksError::Config(_))
        ));
        assert_eq!(
            start(JwksUrl::new("http://127.0.0.1:1/jwks").rsa_algorithms([Algorithm::EdDSA])),
            Some(JwksError::NotRsaAlgorithm(Algorithm::EdDSA))
        );
        // https without any root certificate.
        assert!(matches!(
            start(JwksUrl::new("https://idp.example/jwks")),
            Some(JwksError::Tls(_))
        ));
        // Allowed explicitly.
        assert!(
            JwksUrl::new("http://idp.example/jwks")
                .allow_plain_http(true)
                .start()
                .is_ok()
        );
    }

    // ------------------------------------------------------------------ HTTPS

    const TLS_CA: &str = include_str!("fixtures/jwks/tls_ca.pem");
    const TLS_SERVER_CERT: &str = include_str!("fixtures/jwks/tls_server.pem");
    const TLS_SERVER_KEY: &str = include_str!("fixtures/jwks/tls_server_key.pem");

    /// A blocking rustls server on loopback answering every request with `body`;
    /// serves at most `max` connections. Returns the port and the number of requests
    /// that completed a TLS handshake.
    fn https_provider(body: String, max: usize) -> (u16, Arc<AtomicUsize>) {
        use rustls::pki_types::pem::PemObject as _;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};

        let certs: Vec<CertificateDer<'static>> =
            CertificateDer::pem_slice_iter(TLS_SERVER_CERT.as_bytes())
                .collect::<Result<_, _>>()
                .expect("server certificate");
        let key = PrivateKeyDer::from_pem_slice(TLS_SERVER_KEY.as_bytes()).expect("server key");
        let config = Arc::new(
            rustls::ServerConfig::builder_with_provider(Arc::new(
                rustls::crypto::aws_lc_rs::default_provider(),
            ))
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .expect("server config"),
        );
        let listener = StdListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let served = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&served);
        let stop = Arc::new(AtomicBool::new(false));
        std::thread::spawn(move || {
            for stream in listener.incoming().take(max) {
                if stop.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(tcp) = stream else { continue };
                let _ = tcp.set_read_timeout(Some(Duration::from_secs(2)));
                let Ok(conn) = rustls::ServerConnection::new(Arc::clone(&config)) else {
                    continue;
                };
                let mut tls = rustls::StreamOwned::new(conn, tcp);
                read_request(&mut tls);
                if tls.conn.is_handshaking() {
                    continue;
                }
                counter.fetch_add(1, Ordering::SeqCst);
                let response = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = tls.write_all(response.as_bytes());
                tls.conn.send_close_notify();
                let _ = tls.flush();
            }
        });
        (port, served)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn https_with_a_private_ca() {
        let (port, served) = https_provider(JWKS_JSON.to_owned(), 4);
        let source = started(
            JwksUrl::new(format!("https://localhost:{port}/jwks"))
                .native_roots(false)
                .add_root_certificate_pem(TLS_CA),
        )
        .await;
        assert_eq!(served.load(Ordering::SeqCst), 1);
        check_provider_keys(&verifier_of(&source));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn https_refuses_an_untrusted_certificate() {
        let (port, served) = https_provider(JWKS_JSON.to_owned(), 4);
        // Trusting only the server's own certificate (not its CA): the chain does not
        // verify.
        let source = JwksUrl::new(format!("https://127.0.0.1:{port}/jwks"))
            .min_refresh_interval(Duration::from_secs(30))
            .native_roots(false)
            .add_root_certificate_pem(TLS_SERVER_CERT)
            .start()
            .expect("start");
        assert!(eventually(|| source.status().failed_fetches >= 1).await);
        let error = source.status().last_error.unwrap_or_default();
        eprintln!("untrusted certificate: {error}");
        assert!(error.to_lowercase().contains("certificate"), "{error}");
        assert!(source.keys().is_empty());
        assert_eq!(served.load(Ordering::SeqCst), 0);
    }
}
