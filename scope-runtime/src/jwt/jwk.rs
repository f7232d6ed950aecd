//! Keys from JWKs (RFC 7517): one JWK, or every verification key of a JWK Set.

use jsonwebtoken::DecodingKey;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyOperations, PublicKeyUse};
use serde_json::Value;

use super::algorithm::{Algorithm, Family};
use super::key_checks::expect_family;
use super::{KeyError, VerificationKey};

/// JSON text as a value; a syntax error is reported by its position only, because
/// serde_json's messages may quote parts of the input (key material).
fn parse_value(json: &str) -> Result<Value, KeyError> {
    serde_json::from_str(json).map_err(|err| KeyError::InvalidJson {
        line: err.line(),
        column: err.column(),
    })
}

/// The JWS algorithm names that are encryption algorithms (RFC 7518 §4.1), so a JWK
/// naming one is said to be an encryption key rather than an unknown one.
const ENCRYPTION_ALGORITHMS: &[&str] = &[
    "RSA1_5",
    "RSA-OAEP",
    "RSA-OAEP-256",
    "RSA-OAEP-384",
    "RSA-OAEP-512",
    "A128KW",
    "A192KW",
    "A256KW",
    "dir",
    "ECDH-ES",
    "ECDH-ES+A128KW",
    "ECDH-ES+A192KW",
    "ECDH-ES+A256KW",
    "A128GCMKW",
    "A192GCMKW",
    "A256GCMKW",
    "PBES2-HS256+A128KW",
    "PBES2-HS384+A192KW",
    "PBES2-HS512+A256KW",
];

/// A JWK from its JSON value, with its `alg` read by this crate rather than by the
/// JWK library, which does not know every registered name (RFC 9864's `Ed25519`).
pub(crate) fn jwk_of(mut value: Value) -> Result<(Jwk, Option<Algorithm>), KeyError> {
    let alg = match value
        .as_object_mut()
        .and_then(|object| object.remove("alg"))
    {
        None | Some(Value::Null) => None,
        Some(Value::String(name)) => match Algorithm::from_name(&name) {
            Some(alg) => Some(alg),
            None if ENCRYPTION_ALGORITHMS.contains(&name.as_str()) => {
                return Err(KeyError::UnsupportedJwk("`alg` is an encryption algorithm"));
            }
            None => {
                return Err(KeyError::UnsupportedJwk(
                    "`alg` is not a supported JWS signature algorithm",
                ));
            }
        },
        Some(_) => return Err(KeyError::InvalidKey("`alg` is not a string")),
    };
    let jwk = serde_json::from_value(value).map_err(|_| KeyError::InvalidKey("not a valid JWK"))?;
    Ok((jwk, alg))
}

impl VerificationKey {
    /// A key from the JSON text of one JWK (RFC 7517). The JWK's `kid` becomes the key
    /// id.
    ///
    /// The algorithm is the JWK's `alg` when present; otherwise the default of the key
    /// type: `RS256` for `RSA`, `ES256`/`ES384` for `EC` P-256/P-384, `EdDSA` for `OKP`
    /// Ed25519, `HS256` for `oct`. Use [`from_jwk_json_with_alg`](Self::from_jwk_json_with_alg)
    /// to pin another one (e.g. `PS256` for an RSA key without `alg`).
    ///
    /// Refused ([`KeyError::UnsupportedJwk`]): `use: "enc"` keys, `key_ops` without
    /// `verify`, encryption algorithms, unknown key types, curves other than P-256,
    /// P-384 and Ed25519.
    pub fn from_jwk_json(json: &str) -> Result<Self, KeyError> {
        let (jwk, own_alg) = jwk_of(parse_value(json)?)?;
        Self::from_jwk(&jwk, own_alg, None)
    }

    /// Like [`from_jwk_json`](Self::from_jwk_json) with the algorithm pinned by the
    /// caller. If the JWK has an `alg` of its own, it must be the same
    /// ([`KeyError::AlgorithmMismatch`] otherwise).
    pub fn from_jwk_json_with_alg(json: &str, alg: Algorithm) -> Result<Self, KeyError> {
        let (jwk, own_alg) = jwk_of(parse_value(json)?)?;
        Self::from_jwk(&jwk, own_alg, Some(alg))
    }

    /// Every signature-verification key of the JSON text of a JWKS (`{"keys": [...]}`,
    /// e.g. an identity provider's `jwks_uri` document), read as
    /// [`parse_jwks`](crate::parse_jwks) reads it with the default RSA algorithms
    /// ([`DEFAULT_RSA_ALGORITHMS`](crate::DEFAULT_RSA_ALGORITHMS)).
    ///
    /// Keys that are not for signature verification or not supported (`use: "enc"`,
    /// `key_ops` without `verify`, encryption algorithms, unsupported key types or
    /// curves) are skipped (logged at `warn`, with the reason). A supported key that is
    /// broken (bad base64url, RSA modulus too short, point not on the curve...) is an
    /// error: fix the configuration rather than silently losing a key. A set with no
    /// usable key is [`KeyError::NoUsableKeys`].
    pub fn from_jwks_json(json: &str) -> Result<Vec<Self>, KeyError> {
        let rules = super::jwks::ReadRules {
            rsa_algorithms: super::jwks::DEFAULT_RSA_ALGORITHMS,
            strict: true,
            max_keys: usize::MAX,
        };
        super::jwks::read_jwks(json.as_bytes(), rules)
    }

    /// The key of one JWK: its own `alg` (read by [`jwk_of`]) and the `requested` one
    /// must agree; without either, the key type's default.
    pub(crate) fn from_jwk(
        jwk: &Jwk,
        own_alg: Option<Algorithm>,
        requested: Option<Algorithm>,
    ) -> Result<Self, KeyError> {
        Self::jwk_impl(jwk, own_alg, requested)
    }

    fn jwk_impl(
        jwk: &Jwk,
        own_alg: Option<Algorithm>,
        requested: Option<Algorithm>,
    ) -> Result<Self, KeyError> {
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
            (Some(jwk_alg), Some(req)) if jwk_alg.verifies_as() != req.verifies_as() => {
                return Err(KeyError::AlgorithmMismatch {
                    jwk: jwk_alg,
                    requested: req,
                });
            }
            (_, Some(alg)) | (Some(alg), None) => alg,
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
                    key_kind: Family::Ec.key_kind(),
                });
            }
        }
        let key = DecodingKey::from_jwk(jwk)
            .map_err(|_| KeyError::InvalidKey("invalid base64url key parameters in JWK"))?;
        let mut key = Self::checked(alg, key)?;
        key.kid = common.key_id.clone();
        Ok(key)
    }
}
