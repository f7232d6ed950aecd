//! Verification keys: HMAC secrets, RSA / EC / Ed25519 public keys from PEM, each with
//! its algorithm pinned server-side (keys from JWKs are built in `jwk.rs`, and every
//! key is checked by `key_checks.rs`).

use std::fmt;
use std::sync::Arc;

use jsonwebtoken::DecodingKey;

use super::algorithm::{Algorithm, Family};
use super::crypto::PreparedKey;
use super::key_checks::{ensure_crypto_provider, expect_family, reject_private_pem, validate};

/// Why a [`VerificationKey`] could not be built.
///
/// The messages never contain key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The algorithm cannot be used with this kind of key (e.g. `RS256` for an HMAC
    /// secret, `ES384` for a P-256 key).
    #[error("algorithm {alg:?} cannot be used with {key_kind}")]
    WrongAlgorithm {
        /// The requested algorithm.
        alg: Algorithm,
        /// The kind of key that was given.
        key_kind: &'static str,
    },
    /// An HMAC secret must not be empty.
    #[error("the HMAC secret is empty")]
    EmptySecret,
    /// A private key was given where a public key is expected. Verification only needs
    /// the public key; keep the private key out of the verifying service.
    #[error("a private key was given where a public key is expected")]
    PrivateKey,
    /// The PEM text could not be read as a public key of the expected type.
    #[error("not a PEM-encoded {expected} public key")]
    InvalidPem {
        /// The expected key type (`RSA`, `EC`, `Ed25519`).
        expected: &'static str,
    },
    /// The key was read but is not acceptable (what is wrong is said, not the key).
    #[error("invalid key: {0}")]
    InvalidKey(&'static str),
    /// The JWK cannot be used to verify JWS signatures (encryption key, unsupported key
    /// type, curve or algorithm). In a JWKS such keys are skipped, not an error.
    #[error("unsupported JWK: {0}")]
    UnsupportedJwk(&'static str),
    /// The JWK's `alg` differs from the algorithm the caller asked for.
    #[error("the JWK is pinned to {jwk:?} but {requested:?} was requested")]
    AlgorithmMismatch {
        /// The JWK's own `alg`.
        jwk: Algorithm,
        /// The algorithm the caller asked for.
        requested: Algorithm,
    },
    /// The JWK / JWKS text is not valid JSON of the right shape.
    #[error("invalid JWK/JWKS JSON (line {line}, column {column})")]
    InvalidJson {
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
    },
    /// A JWKS holds no key usable for signature verification; `skipped` says why each
    /// of its entries was not used.
    #[error(
        "the JWKS holds no key usable for signature verification{}",
        SkippedKey::list(skipped)
    )]
    NoUsableKeys {
        /// The entries that were skipped, with the reason.
        skipped: Vec<SkippedKey>,
    },
    /// A key of a JWKS read strictly (a file) is broken: `kid` says which.
    #[error("the JWKS key {}: {reason}", SkippedKey::name(kid.as_deref()))]
    InJwks {
        /// The key's `kid`, if it has one.
        kid: Option<String>,
        /// What is wrong with it.
        reason: Box<KeyError>,
    },
    /// The document is an OpenID Connect discovery document (it has a `jwks_uri`), not
    /// a JWKS: the issuer's URL was given where its JWKS URL was expected.
    #[error(
        "this is an OpenID Connect discovery document, not a JWKS: use its `jwks_uri` \
         ({jwks_uri}) as the JWKS URL, or discover the keys from the issuer"
    )]
    DiscoveryDocument {
        /// The document's `jwks_uri` (at most 256 characters).
        jwks_uri: String,
    },
}

/// A JWKS entry that was not used, and why (in [`KeyError::NoUsableKeys`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedKey {
    /// The entry's `kid`, if it has one.
    pub kid: Option<String>,
    /// Why it was not used.
    pub reason: String,
}

impl SkippedKey {
    pub(crate) fn new(kid: Option<String>, reason: &str) -> SkippedKey {
        SkippedKey {
            kid,
            reason: reason.to_owned(),
        }
    }

    /// `kid "a"`, or `without kid`.
    fn name(kid: Option<&str>) -> String {
        match kid {
            Some(kid) => format!("kid {kid:?}"),
            None => "without kid".to_owned(),
        }
    }

    /// ` (kid "a": why; kid "b": why)`, or nothing for an empty list.
    fn list(skipped: &[SkippedKey]) -> String {
        let mut out = String::new();
        for (i, entry) in skipped.iter().enumerate() {
            out.push_str(if i == 0 { " (" } else { "; " });
            out.push_str(&SkippedKey::name(entry.kid.as_deref()));
            out.push_str(": ");
            out.push_str(&entry.reason);
        }
        if !skipped.is_empty() {
            out.push(')');
        }
        out
    }
}

/// One key a [`JwtVerifier`](super::JwtVerifier) accepts signatures from.
///
/// Every key has its algorithm **pinned** when it is built: a token is only checked
/// against the keys whose pinned algorithm equals the token's `alg` header, so the
/// token can never choose how it is verified (no `alg: none`, no RSA-public-key-as-HMAC-
/// secret confusion). A key may carry a key id ([`with_kid`](Self::with_kid)) to be
/// selected by the token's `kid` header.
///
/// Keys are validated when built (so a bad key fails at start-up, not per request):
/// HMAC secrets must not be empty (shorter than the hash output is allowed but logged
/// as a warning, RFC 7518 §3.2); RSA moduli must be 2048 to 4096 bits; EC points must
/// lie on the algorithm's curve; Ed25519 keys must not be of small order (against such
/// a key one signature verifies every token); PEM inputs must be public keys.
///
/// ```
/// use scope_runtime::{Algorithm, VerificationKey};
///
/// let hs = VerificationKey::hs256("your-secret-key-at-least-256-bits-long")?.with_kid("2024-01");
/// assert_eq!(hs.algorithm(), Algorithm::HS256);
/// assert_eq!(hs.kid(), Some("2024-01"));
///
/// let pem = "-----BEGIN PUBLIC KEY-----
/// MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=
/// -----END PUBLIC KEY-----";
/// let ed = VerificationKey::ed_pem(pem)?;
/// assert_eq!(ed.algorithm(), Algorithm::EdDSA);
/// // Debug output never shows key material.
/// assert!(!format!("{hs:?}").contains("secret"));
/// # Ok::<(), scope_runtime::KeyError>(())
/// ```
#[derive(Clone)]
pub struct VerificationKey {
    pub(crate) alg: Algorithm,
    pub(crate) kid: Option<String>,
    /// Prepared for the backend once; shared by the clones (a JWK without `alg` is
    /// one key per algorithm of its family, each prepared for its own).
    pub(crate) key: Arc<PreparedKey>,
}

impl fmt::Debug for VerificationKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerificationKey")
            .field("alg", &self.alg)
            .field("kid", &self.kid)
            .field("key", &"[redacted]")
            .finish()
    }
}

mod sealed {
    #[allow(unreachable_pub)] // the usual sealed-trait pattern
    pub trait Sealed {}
    impl Sealed for super::VerificationKey {}
    impl Sealed for Result<super::VerificationKey, super::KeyError> {}
}

/// What [`JwtVerifierBuilder::key`](super::JwtVerifierBuilder::key) accepts: a
/// [`VerificationKey`], or the `Result` of one of its constructors (an `Err` then makes
/// [`build`](super::JwtVerifierBuilder::build) fail with
/// [`ConfigError::Key`](super::ConfigError::Key)), so both
/// `.key(VerificationKey::hs256(secret)?)` and `.key(VerificationKey::hs256(secret))`
/// work. Sealed: not implementable outside this crate.
pub trait IntoVerificationKey: sealed::Sealed {
    /// The key, or why it could not be built.
    fn into_verification_key(self) -> Result<VerificationKey, KeyError>;
}

impl IntoVerificationKey for VerificationKey {
    fn into_verification_key(self) -> Result<VerificationKey, KeyError> {
        Ok(self)
    }
}

impl IntoVerificationKey for Result<VerificationKey, KeyError> {
    fn into_verification_key(self) -> Result<VerificationKey, KeyError> {
        self
    }
}

impl VerificationKey {
    pub(super) fn checked(alg: Algorithm, key: DecodingKey) -> Result<Self, KeyError> {
        ensure_crypto_provider();
        validate(&key, alg)?;
        let key = PreparedKey::new(&key, alg).map_err(KeyError::InvalidKey)?;
        Ok(Self {
            alg,
            kid: None,
            key: Arc::new(key),
        })
    }

    /// An HMAC secret for `HS256`, `HS384` or `HS512` (the raw bytes of the secret,
    /// e.g. Agno's `JWT_VERIFICATION_KEY` string as UTF-8).
    ///
    /// Errors: [`KeyError::WrongAlgorithm`] for a non-HMAC algorithm,
    /// [`KeyError::EmptySecret`].
    pub fn hmac(alg: Algorithm, secret: impl AsRef<[u8]>) -> Result<Self, KeyError> {
        expect_family(alg, Family::Hmac)?;
        Self::checked(alg, DecodingKey::from_secret(secret.as_ref()))
    }

    /// Shorthand for [`hmac(Algorithm::HS256, secret)`](Self::hmac).
    pub fn hs256(secret: impl AsRef<[u8]>) -> Result<Self, KeyError> {
        Self::hmac(Algorithm::HS256, secret)
    }

    /// An RSA public key in PEM (`BEGIN PUBLIC KEY` or `BEGIN RSA PUBLIC KEY`) for
    /// `RS256/384/512` or `PS256/384/512`.
    pub fn rsa_pem(alg: Algorithm, pem: impl AsRef<[u8]>) -> Result<Self, KeyError> {
        let parse = DecodingKey::from_rsa_pem;
        Self::public_pem(alg, Family::Rsa, pem.as_ref(), parse, "RSA")
    }

    /// An EC public key in PEM (`BEGIN PUBLIC KEY`): P-256 for `ES256`, P-384 for
    /// `ES384`.
    pub fn ec_pem(alg: Algorithm, pem: impl AsRef<[u8]>) -> Result<Self, KeyError> {
        let parse = DecodingKey::from_ec_pem;
        Self::public_pem(alg, Family::Ec, pem.as_ref(), parse, "EC")
    }

    /// An Ed25519 public key in PEM (`BEGIN PUBLIC KEY`), for `EdDSA`.
    pub fn ed_pem(pem: impl AsRef<[u8]>) -> Result<Self, KeyError> {
        let parse = DecodingKey::from_ed_pem;
        Self::public_pem(Algorithm::EdDSA, Family::Ed, pem.as_ref(), parse, "Ed25519")
    }

    /// A public key of `family` (`expected` in errors) read from PEM by `parse`, pinned
    /// to `alg`, which must be of that family.
    fn public_pem(
        alg: Algorithm,
        family: Family,
        pem: &[u8],
        parse: fn(&[u8]) -> jsonwebtoken::errors::Result<DecodingKey>,
        expected: &'static str,
    ) -> Result<Self, KeyError> {
        expect_family(alg, family)?;
        reject_private_pem(pem)?;
        let key = parse(pem).map_err(|_| KeyError::InvalidPem { expected })?;
        Self::checked(alg, key)
    }

    /// A public key in PEM for any asymmetric algorithm: dispatches to
    /// [`rsa_pem`](Self::rsa_pem), [`ec_pem`](Self::ec_pem) or
    /// [`ed_pem`](Self::ed_pem) by the algorithm's family. HMAC algorithms are refused
    /// (a PEM text is not a shared secret; use [`hmac`](Self::hmac)).
    pub fn from_pem(alg: Algorithm, pem: impl AsRef<[u8]>) -> Result<Self, KeyError> {
        match alg.family() {
            Family::Rsa => Self::rsa_pem(alg, pem),
            Family::Ec => Self::ec_pem(alg, pem),
            Family::Ed => Self::ed_pem(pem),
            Family::Hmac => Err(KeyError::WrongAlgorithm {
                alg,
                key_kind: "a PEM public key",
            }),
        }
    }

    /// Sets the key id matched against the token's `kid` header.
    #[must_use]
    pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
        self.kid = Some(kid.into());
        self
    }

    /// The algorithm pinned on this key.
    pub fn algorithm(&self) -> Algorithm {
        self.alg
    }

    /// The key id, if any.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }
}
