//! Verification keys: HMAC secrets, RSA / EC / Ed25519 public keys (PEM, JWK, JWKS),
//! each with its algorithm pinned server-side.

use std::fmt;
use std::sync::Once;

use jsonwebtoken::jwk::{
    AlgorithmParameters, EllipticCurve, Jwk, JwkSet, KeyOperations, PublicKeyUse,
};
use jsonwebtoken::{Algorithm, AlgorithmFamily, DecodingKey, DecodingKeyKind};

/// Makes sure `jsonwebtoken` has a process-wide crypto provider, so verification can
/// never hit its "no provider" panic.
///
/// `scope-runtime` enables only jsonwebtoken's pure-Rust `rust_crypto` backend, which
/// jsonwebtoken selects on its own; but if another crate of the application also
/// enables the `aws_lc_rs` backend, jsonwebtoken cannot choose and would panic on first
/// use. Installing the RustCrypto provider explicitly removes that failure mode. If the
/// application installed a provider of its own before, that choice is kept.
pub(crate) fn ensure_crypto_provider() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        // `Err` means a provider is already installed: keep it.
        let _ = jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER.install_default();
    });
}

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
    /// A JWKS holds no key usable for signature verification.
    #[error("the JWKS holds no key usable for signature verification")]
    NoUsableKeys,
}

impl KeyError {
    fn json(err: &serde_json::Error) -> Self {
        // Only the position: serde_json messages may quote parts of the input.
        Self::InvalidJson {
            line: err.line(),
            column: err.column(),
        }
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
/// lie on the algorithm's curve; PEM inputs must be public keys.
///
/// ```
/// use scope_runtime::jwt::{Algorithm, VerificationKey};
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
/// # Ok::<(), scope_runtime::jwt::KeyError>(())
/// ```
#[derive(Clone)]
pub struct VerificationKey {
    pub(crate) alg: Algorithm,
    pub(crate) kid: Option<String>,
    pub(crate) key: DecodingKey,
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

const fn family_name(family: AlgorithmFamily) -> &'static str {
    match family {
        AlgorithmFamily::Hmac => "an HMAC secret",
        AlgorithmFamily::Rsa => "an RSA key",
        AlgorithmFamily::Ec => "an EC key",
        AlgorithmFamily::Ed => "an Ed25519 key",
    }
}

fn expect_family(alg: Algorithm, family: AlgorithmFamily) -> Result<(), KeyError> {
    if alg.family() == family {
        Ok(())
    } else {
        Err(KeyError::WrongAlgorithm {
            alg,
            key_kind: family_name(family),
        })
    }
}

fn reject_private_pem(pem: &[u8]) -> Result<(), KeyError> {
    if pem
        .windows(b"PRIVATE KEY".len())
        .any(|w| w == b"PRIVATE KEY")
    {
        Err(KeyError::PrivateKey)
    } else {
        Ok(())
    }
}

/// Strips leading zero bytes of a big-endian unsigned integer.
fn strip_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[start..]
}

/// Checks RSA public key components: modulus 2048..=4096 bits, odd exponent in
/// `3..=2^33-1` (the bounds the RSA backend accepts).
fn check_rsa_components(n: &[u8], e: &[u8]) -> Result<(), KeyError> {
    let n = strip_zeros(n);
    let bits = match n.first() {
        Some(&first) => (n.len() - 1) * 8 + (8 - first.leading_zeros() as usize),
        None => 0,
    };
    if bits < 2048 {
        return Err(KeyError::InvalidKey("RSA modulus shorter than 2048 bits"));
    }
    if bits > 4096 {
        return Err(KeyError::InvalidKey("RSA modulus longer than 4096 bits"));
    }
    let e = strip_zeros(e);
    if e.len() > 8 {
        return Err(KeyError::InvalidKey("RSA public exponent out of range"));
    }
    let exponent = e.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
    if exponent < 3 || exponent % 2 == 0 || exponent > (1u64 << 33) - 1 {
        return Err(KeyError::InvalidKey("RSA public exponent out of range"));
    }
    Ok(())
}

/// Builds the backend verifier once, so a key that the backend cannot load is refused
/// now instead of failing every request.
fn check_loadable(key: &DecodingKey, alg: Algorithm, what: &'static str) -> Result<(), KeyError> {
    ensure_crypto_provider();
    // An empty signature over an empty message: `Ok(false)` when the key loads.
    match jsonwebtoken::crypto::verify("", b"", key, alg) {
        Ok(_) => Ok(()),
        Err(_) => Err(KeyError::InvalidKey(what)),
    }
}

/// Validates a decoding key for `alg` (family already checked).
fn validate(key: &DecodingKey, alg: Algorithm) -> Result<(), KeyError> {
    match alg.family() {
        AlgorithmFamily::Hmac => {
            let secret = key
                .try_get_as_bytes()
                .map_err(|_| KeyError::InvalidKey("not an HMAC secret"))?;
            if secret.is_empty() {
                return Err(KeyError::EmptySecret);
            }
            let min = match alg {
                Algorithm::HS384 => 48,
                Algorithm::HS512 => 64,
                _ => 32,
            };
            if secret.len() < min {
                tracing::warn!(
                    ?alg,
                    len = secret.len(),
                    min,
                    "HMAC secret shorter than the hash output (RFC 7518 §3.2); use a longer random secret"
                );
            }
            Ok(())
        }
        AlgorithmFamily::Rsa => match key.kind() {
            DecodingKeyKind::RsaModulusExponent { n, e } => check_rsa_components(n, e),
            DecodingKeyKind::SecretOrDer(der) => {
                let parse = jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER
                    .key_utils
                    .rsa_pub_components_from_public_key;
                let (n, e) =
                    parse(der).map_err(|_| KeyError::InvalidKey("not an RSA public key"))?;
                check_rsa_components(&n, &e)
            }
        },
        AlgorithmFamily::Ec => {
            check_loadable(key, alg, "EC public key not on the algorithm's curve")
        }
        AlgorithmFamily::Ed => {
            // The backend slices the first 32 bytes without checking: check first.
            match key.try_get_as_bytes() {
                Ok(bytes) if bytes.len() == 32 => {}
                _ => return Err(KeyError::InvalidKey("Ed25519 public key must be 32 bytes")),
            }
            check_loadable(key, alg, "not a valid Ed25519 public key")
        }
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
    fn checked(alg: Algorithm, key: DecodingKey) -> Result<Self, KeyError> {
        validate(&key, alg)?;
        Ok(Self {
            alg,
            kid: None,
            key,
        })
    }

    /// An HMAC secret for `HS256`, `HS384` or `HS512` (the raw bytes of the secret,
    /// e.g. Agno's `JWT_VERIFICATION_KEY` string as UTF-8).
    ///
    /// Errors: [`KeyError::WrongAlgorithm`] for a non-HMAC algorithm,
    /// [`KeyError::EmptySecret`].
    pub fn hmac(alg: Algorithm, secret: impl AsRef<[u8]>) -> Result<Self, KeyError> {
        expect_family(alg, AlgorithmFamily::Hmac)?;
        Self::checked(alg, DecodingKey::from_secret(secret.as_ref()))
    }

    /// Shorthand for [`hmac(Algorithm::HS256, secret)`](Self::hmac).
    pub fn hs256(secret: impl AsRef<[u8]>) -> Result<Self, KeyError> {
        Self::hmac(Algorithm::HS256, secret)
    }

    /// An RSA public key in PEM (`BEGIN PUBLIC KEY` or `BEGIN RSA PUBLIC KEY`) for
    /// `RS256/384/512` or `PS256/384/512`.
    pub fn rsa_pem(alg: Algorithm, pem: impl AsRef<[u8]>) -> Result<Self, KeyError> {
        expect_family(alg, AlgorithmFamily::Rsa)?;
        let pem = pem.as_ref();
        reject_private_pem(pem)?;
        let key =
            DecodingKey::from_rsa_pem(pem).map_err(|_| KeyError::InvalidPem { expected: "RSA" })?;
        Self::checked(alg, key)
    }

    /// An EC public key in PEM (`BEGIN PUBLIC KEY`): P-256 for `ES256`, P-384 for
    /// `ES384`.
    pub fn ec_pem(alg: Algorithm, pem: impl AsRef<[u8]>) -> Result<Self, KeyError> {
        expect_family(alg, AlgorithmFamily::Ec)?;
        let pem = pem.as_ref();
        reject_private_pem(pem)?;
        let key =
            DecodingKey::from_ec_pem(pem).map_err(|_| KeyError::InvalidPem { expected: "EC" })?;
        Self::checked(alg, key)
    }

    /// An Ed25519 public key in PEM (`BEGIN PUBLIC KEY`), for `EdDSA`.
    pub fn ed_pem(pem: impl AsRef<[u8]>) -> Result<Self, KeyError> {
        let pem = pem.as_ref();
        reject_private_pem(pem)?;
        let key = DecodingKey::from_ed_pem(pem).map_err(|_| KeyError::InvalidPem {
            expected: "Ed25519",
        })?;
        Self::checked(Algorithm::EdDSA, key)
    }

    /// A public key in PEM for any asymmetric algorithm: dispatches to
    /// [`rsa_pem`](Self::rsa_pem), [`ec_pem`](Self::ec_pem) or
    /// [`ed_pem`](Self::ed_pem) by the algorithm's family. HMAC algorithms are refused
    /// (a PEM text is not a shared secret; use [`hmac`](Self::hmac)).
    pub fn from_pem(alg: Algorithm, pem: impl AsRef<[u8]>) -> Result<Self, KeyError> {
        match alg.family() {
            AlgorithmFamily::Rsa => Self::rsa_pem(alg, pem),
            AlgorithmFamily::Ec => Self::ec_pem(alg, pem),
            AlgorithmFamily::Ed => Self::ed_pem(pem),
            AlgorithmFamily::Hmac => Err(KeyError::WrongAlgorithm {
                alg,
                key_kind: "a PEM public key",
            }),
        }
    }

    /// A key from a JWK (RFC 7517). The JWK's `kid` becomes the key id.
    ///
    /// The algorithm is the JWK's `alg` when present; otherwise the default of the key
    /// type: `RS256` for `RSA`, `ES256`/`ES384` for `EC` P-256/P-384, `EdDSA` for `OKP`
    /// Ed25519, `HS256` for `oct`. Use [`from_jwk_with_alg`](Self::from_jwk_with_alg)
    /// to pin another one (e.g. `PS256` for an RSA key without `alg`).
    ///
    /// Refused ([`KeyError::UnsupportedJwk`]): `use: "enc"` keys, `key_ops` without
    /// `verify`, encryption algorithms, unknown key types, curves other than P-256,
    /// P-384 and Ed25519.
    pub fn from_jwk(jwk: &Jwk) -> Result<Self, KeyError> {
        Self::jwk_impl(jwk, None)
    }

    /// Like [`from_jwk`](Self::from_jwk) with the algorithm pinned by the caller. If the
    /// JWK has an `alg` of its own, it must be the same
    /// ([`KeyError::AlgorithmMismatch`] otherwise).
    pub fn from_jwk_with_alg(jwk: &Jwk, alg: Algorithm) -> Result<Self, KeyError> {
        Self::jwk_impl(jwk, Some(alg))
    }

    /// [`from_jwk`](Self::from_jwk) from the JSON text of one JWK.
    pub fn from_jwk_json(json: &str) -> Result<Self, KeyError> {
        let jwk: Jwk = serde_json::from_str(json).map_err(|e| KeyError::json(&e))?;
        Self::from_jwk(&jwk)
    }

    /// Every signature-verification key of a JWKS (e.g. an identity provider's
    /// `jwks_uri` document), each built with [`from_jwk`](Self::from_jwk).
    ///
    /// Keys that are not for signature verification or not supported (`use: "enc"`,
    /// `key_ops` without `verify`, encryption algorithms, unsupported key types or
    /// curves) are skipped (logged at `debug`). A supported key that is broken (bad
    /// base64url, RSA modulus too short, point not on the curve...) is an error: fix the
    /// configuration rather than silently losing a key. A set with no usable key is
    /// [`KeyError::NoUsableKeys`].
    pub fn from_jwks(set: &JwkSet) -> Result<Vec<Self>, KeyError> {
        let mut keys = Vec::with_capacity(set.keys.len());
        for jwk in &set.keys {
            match Self::from_jwk(jwk) {
                Ok(key) => keys.push(key),
                Err(KeyError::UnsupportedJwk(why)) => {
                    tracing::debug!(kid = ?jwk.common.key_id, why, "JWKS key skipped");
                }
                Err(err) => return Err(err),
            }
        }
        if keys.is_empty() {
            return Err(KeyError::NoUsableKeys);
        }
        Ok(keys)
    }

    /// [`from_jwks`](Self::from_jwks) from the JSON text of a JWKS (`{"keys": [...]}`).
    pub fn from_jwks_json(json: &str) -> Result<Vec<Self>, KeyError> {
        let set: JwkSet = serde_json::from_str(json).map_err(|e| KeyError::json(&e))?;
        Self::from_jwks(&set)
    }

    fn jwk_impl(jwk: &Jwk, requested: Option<Algorithm>) -> Result<Self, KeyError> {
        let common = &jwk.common;
        if common.public_key_use == Some(PublicKeyUse::Encryption) {
            return Err(KeyError::UnsupportedJwk("encryption key (`use: enc`)"));
        }
        if let Some(ops) = &common.key_operations
            && !ops.contains(&KeyOperations::Verify)
        {
            return Err(KeyError::UnsupportedJwk(
                "`key_ops` does not include `verify`",
            ));
        }
        let own_alg = match common.key_algorithm {
            None => None,
            Some(ka) => Some(Algorithm::try_from(ka).map_err(|_| {
                KeyError::UnsupportedJwk("`alg` is not a supported JWS signature algorithm")
            })?),
        };
        let default_alg = match &jwk.algorithm {
            AlgorithmParameters::RSA(_) => Algorithm::RS256,
            AlgorithmParameters::EllipticCurve(p) => match p.curve {
                EllipticCurve::P256 => Algorithm::ES256,
                EllipticCurve::P384 => Algorithm::ES384,
                _ => return Err(KeyError::UnsupportedJwk("unsupported EC curve")),
            },
            AlgorithmParameters::OctetKeyPair(p) => match p.curve {
                EllipticCurve::Ed25519 => Algorithm::EdDSA,
                _ => return Err(KeyError::UnsupportedJwk("unsupported OKP curve")),
            },
            AlgorithmParameters::OctetKey(_) => Algorithm::HS256,
            _ => return Err(KeyError::UnsupportedJwk("unsupported key type")),
        };
        let alg = match (own_alg, requested) {
            (Some(jwk_alg), Some(req)) if jwk_alg != req => {
                return Err(KeyError::AlgorithmMismatch {
                    jwk: jwk_alg,
                    requested: req,
                });
            }
            (Some(alg), _) | (None, Some(alg)) => alg,
            (None, None) => default_alg,
        };
        expect_family(alg, default_alg.family())?;
        if let AlgorithmParameters::EllipticCurve(p) = &jwk.algorithm {
            let curve_alg = match p.curve {
                EllipticCurve::P256 => Algorithm::ES256,
                _ => Algorithm::ES384,
            };
            if alg != curve_alg {
                return Err(KeyError::WrongAlgorithm {
                    alg,
                    key_kind: family_name(AlgorithmFamily::Ec),
                });
            }
        }
        let key = DecodingKey::from_jwk(jwk)
            .map_err(|_| KeyError::InvalidKey("invalid base64url key parameters in JWK"))?;
        let mut key = Self::checked(alg, key)?;
        key.kid = common.key_id.clone();
        Ok(key)
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
