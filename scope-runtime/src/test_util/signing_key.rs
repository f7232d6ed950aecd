//! Signing keys: the fixed test-only keys embedded in the crate, or the caller's own.

use std::fmt;
use std::sync::Arc;

use jsonwebtoken::EncodingKey;
use jsonwebtoken::jwk::Jwk;
use serde_json::{Value, json};

use crate::jwt::ensure_crypto_provider;
use crate::{Algorithm, JwksError, KeyError, VerificationKey, parse_jwks};

/// The HMAC secret of [`SigningKey::test`] for `HS256`/`HS384`/`HS512`. Test-only and
/// public.
pub const TEST_HMAC_SECRET: &str =
    "scope-runtime-test-util-hmac-secret-PUBLIC-never-use-outside-tests-0123456789";
/// The HMAC secret of [`SigningKey::attacker`]: a different secret, whose tokens are
/// forgeries to a verifier of [`TEST_HMAC_SECRET`]. Test-only and public.
pub const ATTACKER_HMAC_SECRET: &str =
    "scope-runtime-test-util-ATTACKER-secret-PUBLIC-never-use-outside-tests-98765";

// The embedded private keys: PKCS#8 PEM made with `openssl genpkey`. They are public
// (they ship with the source), so a token they sign proves nothing outside a test.
const TEST_RSA: &str = include_str!("keys/test_rsa2048.pem");
const TEST_P256: &str = include_str!("keys/test_p256.pem");
const TEST_P384: &str = include_str!("keys/test_p384.pem");
const TEST_ED25519: &str = include_str!("keys/test_ed25519.pem");
const ATTACKER_RSA: &str = include_str!("keys/attacker_rsa2048.pem");
const ATTACKER_P256: &str = include_str!("keys/attacker_p256.pem");
const ATTACKER_P384: &str = include_str!("keys/attacker_p384.pem");
const ATTACKER_ED25519: &str = include_str!("keys/attacker_ed25519.pem");

/// A private key that signs test tokens, pinned to one [`Algorithm`], with a key id.
///
/// **The keys of [`test`](Self::test) and [`attacker`](Self::attacker) are fixed and
/// public** (they ship with this crate's source code): anyone can sign tokens with
/// them. They are for tests only; never configure a real service with them. Bring a key
/// of your own with [`hmac`](Self::hmac) or [`from_pem`](Self::from_pem).
///
/// The key's public half is ready as a [`VerificationKey`]
/// ([`verification_key`](Self::verification_key)) and, for RSA, EC and Ed25519 keys, as
/// a public JWK ([`public_jwk`](Self::public_jwk)). Cloning is cheap (an `Arc`).
/// `Debug` shows the algorithm and the key id, never the key.
///
/// ```
/// use scope_runtime::Algorithm;
/// use scope_runtime::test_util::SigningKey;
///
/// let key = SigningKey::test(Algorithm::ES256);
/// assert_eq!(key.kid(), "test-es256");
/// assert_eq!(key.public_jwk().unwrap()["crv"], "P-256");
/// let token = key.token().subject("user-1").scopes(["app:read"]).sign();
/// assert_eq!(token.split('.').count(), 3);
/// ```
#[derive(Clone)]
pub struct SigningKey {
    inner: Arc<Inner>,
    kid: String,
}

struct Inner {
    alg: Algorithm,
    encoding: EncodingKey,
    /// The public JWK without `kid` (set per clone), `None` for an HMAC secret.
    jwk: Option<serde_json::Map<String, Value>>,
    /// The public half, without `kid` (set when asked for).
    verification: VerificationKey,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("alg", &self.inner.alg)
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

/// The default key id: `test-` and the algorithm's name in lower case (`test-rs256`).
fn default_kid(alg: Algorithm) -> String {
    format!("test-{}", alg.name().to_ascii_lowercase())
}

impl SigningKey {
    /// The fixed test-only key for `alg`, key id `test-<alg>` (`test-rs256`): the secret
    /// [`TEST_HMAC_SECRET`] for `HS*`, one RSA 2048 key for every `RS*`/`PS*`, a P-256
    /// key for `ES256`, a P-384 key for `ES384`, an Ed25519 key for `EdDSA` and
    /// `Ed25519` (its tokens say `"alg": "EdDSA"`, which a key pinned to either
    /// verifies). **Public: for tests only.**
    pub fn test(alg: Algorithm) -> SigningKey {
        Self::embedded(
            alg,
            TEST_HMAC_SECRET,
            [TEST_RSA, TEST_P256, TEST_P384, TEST_ED25519],
        )
    }

    /// Another fixed test-only key of the same kind as [`test(alg)`](Self::test), with
    /// the **same key id**: its tokens are forgeries that name the real key, so a
    /// verifier trusting [`test(alg)`](Self::test) picks that key and refuses them on
    /// the signature. **Public: for tests only.**
    pub fn attacker(alg: Algorithm) -> SigningKey {
        Self::embedded(
            alg,
            ATTACKER_HMAC_SECRET,
            [ATTACKER_RSA, ATTACKER_P256, ATTACKER_P384, ATTACKER_ED25519],
        )
    }

    fn embedded(alg: Algorithm, secret: &str, [rsa, p256, p384, ed]: [&str; 4]) -> SigningKey {
        let made = match alg {
            Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => Self::hmac(alg, secret),
            Algorithm::ES256 => Self::from_pem(alg, p256),
            Algorithm::ES384 => Self::from_pem(alg, p384),
            Algorithm::EdDSA | Algorithm::Ed25519 => Self::from_pem(alg, ed),
            _ => Self::from_pem(alg, rsa),
        };
        // The embedded keys are constants of this crate, checked by its tests for every
        // algorithm: failing here is a bug of the crate, not of the caller's input.
        made.expect("the embedded test keys are valid")
    }

    /// Your own HMAC secret for `HS256`, `HS384` or `HS512`, key id `test-<alg>`.
    ///
    /// Errors: [`KeyError::WrongAlgorithm`] for another algorithm,
    /// [`KeyError::EmptySecret`].
    pub fn hmac(alg: Algorithm, secret: impl AsRef<[u8]>) -> Result<SigningKey, KeyError> {
        let secret = secret.as_ref();
        let verification = VerificationKey::hmac(alg, secret)?;
        Ok(SigningKey::new(
            alg,
            EncodingKey::from_secret(secret),
            None,
            verification,
        ))
    }

    /// Your own private key in PEM for an asymmetric algorithm, key id `test-<alg>`:
    /// RSA (`BEGIN PRIVATE KEY` or `BEGIN RSA PRIVATE KEY`, 2048 to 4096 bits) for
    /// `RS*`/`PS*`, EC P-256 for `ES256` and P-384 for `ES384` (PKCS#8, `BEGIN PRIVATE
    /// KEY`), Ed25519 (PKCS#8) for `EdDSA`/`Ed25519`.
    ///
    /// Errors: [`KeyError::WrongAlgorithm`] for an HMAC algorithm (use
    /// [`hmac`](Self::hmac)), [`KeyError::InvalidPem`] for text that is not a private
    /// key of the algorithm's kind, or a [`KeyError`] of the public key the
    /// verifier would refuse (a short RSA modulus, a P-384 key for `ES256`, ...).
    pub fn from_pem(alg: Algorithm, pem: impl AsRef<[u8]>) -> Result<SigningKey, KeyError> {
        ensure_crypto_provider();
        let pem = pem.as_ref();
        let (encoding, expected) = match alg {
            Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => {
                return Err(KeyError::WrongAlgorithm {
                    alg,
                    key_kind: "a PEM private key",
                });
            }
            Algorithm::ES256 | Algorithm::ES384 => (EncodingKey::from_ec_pem(pem), "EC private"),
            Algorithm::EdDSA | Algorithm::Ed25519 => {
                (EncodingKey::from_ed_pem(pem), "Ed25519 private")
            }
            _ => (EncodingKey::from_rsa_pem(pem), "RSA private"),
        };
        let invalid = KeyError::InvalidPem { expected };
        let encoding = encoding.map_err(|_| invalid.clone())?;
        // The public half, as jsonwebtoken derives it from the private key; reading it
        // back through the crate's own strict JWKS reader gives the verifier's key and
        // applies every check a real provider's key passes.
        let jwk = Jwk::from_encoding_key(&encoding, alg.backend()).map_err(|_| invalid.clone())?;
        let Ok(Value::Object(mut jwk)) = serde_json::to_value(jwk) else {
            return Err(invalid);
        };
        jwk.insert("alg".to_owned(), Value::from(alg.name()));
        jwk.insert("use".to_owned(), Value::from("sig"));
        let jwks = json!({ "keys": [Value::Object(jwk.clone())] }).to_string();
        let verification = match parse_jwks(jwks, &[]) {
            Ok(mut keys) if keys.len() == 1 => keys.remove(0),
            Ok(_) => return Err(invalid),
            Err(JwksError::Key(KeyError::InJwks { reason, .. })) => return Err(*reason),
            Err(JwksError::Key(err)) => return Err(err),
            Err(_) => return Err(invalid),
        };
        // A key can pass the public checks and still fail to sign (a PEM whose private
        // half the backend refuses): find out now, not in the middle of a test.
        jsonwebtoken::crypto::sign(b"probe", &encoding, alg.backend())
            .map_err(|_| invalid.clone())?;
        Ok(SigningKey::new(alg, encoding, Some(jwk), verification))
    }

    fn new(
        alg: Algorithm,
        encoding: EncodingKey,
        jwk: Option<serde_json::Map<String, Value>>,
        verification: VerificationKey,
    ) -> SigningKey {
        SigningKey {
            inner: Arc::new(Inner {
                alg,
                encoding,
                jwk,
                verification,
            }),
            kid: default_kid(alg),
        }
    }

    /// The same key under another key id (the `kid` of its tokens, its JWK and its
    /// verification key).
    #[must_use]
    pub fn with_kid(mut self, kid: impl Into<String>) -> SigningKey {
        self.kid = kid.into();
        self
    }

    /// The algorithm this key signs with.
    pub fn algorithm(&self) -> Algorithm {
        self.inner.alg
    }

    /// The key id its tokens name in their `kid` header.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public half, pinned to [`algorithm`](Self::algorithm), with the key id
    /// (for an HMAC key: the secret itself, as a verifier needs it).
    pub fn verification_key(&self) -> VerificationKey {
        self.inner.verification.clone().with_kid(self.kid.clone())
    }

    /// The public JWK (`kty`, the key's parameters, `kid`, `alg`, `"use": "sig"`);
    /// `None` for an HMAC secret, which is never published in a JWKS.
    pub fn public_jwk(&self) -> Option<Value> {
        let mut jwk = self.inner.jwk.clone()?;
        jwk.insert("kid".to_owned(), Value::from(self.kid.clone()));
        Some(Value::Object(jwk))
    }

    /// A token builder for this key alone (no `iss`, no `aud`); see
    /// [`TokenBuilder`](super::TokenBuilder).
    pub fn token(&self) -> super::TokenBuilder {
        super::TokenBuilder::new(self.clone())
    }

    pub(super) fn encoding(&self) -> &EncodingKey {
        &self.inner.encoding
    }
}
