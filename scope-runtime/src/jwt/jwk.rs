//! Keys from JWKs (RFC 7517): one JWK, or every verification key of a JWK Set.

use jsonwebtoken::DecodingKey;
use jsonwebtoken::jwk::{
    AlgorithmParameters, EllipticCurve, Jwk, JwkSet, KeyOperations, PublicKeyUse,
};

use super::algorithm::{Algorithm, Family};
use super::key_checks::expect_family;
use super::{KeyError, VerificationKey};

/// A JWK or a JWK Set from JSON text; a syntax error is reported by its position only,
/// because serde_json's messages may quote parts of the input (key material).
fn parse<T: serde::de::DeserializeOwned>(json: &str) -> Result<T, KeyError> {
    serde_json::from_str(json).map_err(|err| KeyError::InvalidJson {
        line: err.line(),
        column: err.column(),
    })
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
        Self::from_jwk(&parse(json)?)
    }

    /// Like [`from_jwk_json`](Self::from_jwk_json) with the algorithm pinned by the
    /// caller. If the JWK has an `alg` of its own, it must be the same
    /// ([`KeyError::AlgorithmMismatch`] otherwise).
    pub fn from_jwk_json_with_alg(json: &str, alg: Algorithm) -> Result<Self, KeyError> {
        Self::from_jwk_with_alg(&parse(json)?, alg)
    }

    /// Every signature-verification key of the JSON text of a JWKS (`{"keys": [...]}`,
    /// e.g. an identity provider's `jwks_uri` document), each built as
    /// [`from_jwk_json`](Self::from_jwk_json) does.
    ///
    /// Keys that are not for signature verification or not supported (`use: "enc"`,
    /// `key_ops` without `verify`, encryption algorithms, unsupported key types or
    /// curves) are skipped (logged at `debug`). A supported key that is broken (bad
    /// base64url, RSA modulus too short, point not on the curve...) is an error: fix the
    /// configuration rather than silently losing a key. A set with no usable key is
    /// [`KeyError::NoUsableKeys`].
    pub fn from_jwks_json(json: &str) -> Result<Vec<Self>, KeyError> {
        Self::from_jwks(&parse(json)?)
    }

    pub(crate) fn from_jwk(jwk: &Jwk) -> Result<Self, KeyError> {
        Self::jwk_impl(jwk, None)
    }

    pub(crate) fn from_jwk_with_alg(jwk: &Jwk, alg: Algorithm) -> Result<Self, KeyError> {
        Self::jwk_impl(jwk, Some(alg))
    }

    pub(crate) fn from_jwks(set: &JwkSet) -> Result<Vec<Self>, KeyError> {
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
            Some(ka) => Some(
                jsonwebtoken::Algorithm::try_from(ka)
                    .ok()
                    .and_then(Algorithm::from_backend)
                    .ok_or(KeyError::UnsupportedJwk(
                        "`alg` is not a supported JWS signature algorithm",
                    ))?,
            ),
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
