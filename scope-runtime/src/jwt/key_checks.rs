//! The checks every key passes when it is built, so that a key the backend would
//! refuse, or a weak one, fails at start-up rather than on every request.

use std::sync::Once;

use jsonwebtoken::{DecodingKey, DecodingKeyKind};

use super::KeyError;
use super::algorithm::{Algorithm, Family};

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

pub(super) fn expect_family(alg: Algorithm, family: Family) -> Result<(), KeyError> {
    if alg.family() == family {
        Ok(())
    } else {
        Err(KeyError::WrongAlgorithm {
            alg,
            key_kind: family.key_kind(),
        })
    }
}

pub(super) fn reject_private_pem(pem: &[u8]) -> Result<(), KeyError> {
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
    match jsonwebtoken::crypto::verify("", b"", key, alg.backend()) {
        Ok(_) => Ok(()),
        Err(_) => Err(KeyError::InvalidKey(what)),
    }
}

/// Validates a decoding key for `alg` (family already checked).
pub(super) fn validate(key: &DecodingKey, alg: Algorithm) -> Result<(), KeyError> {
    match alg.family() {
        Family::Hmac => {
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
        Family::Rsa => match key.kind() {
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
        Family::Ec => check_loadable(key, alg, "EC public key not on the algorithm's curve"),
        Family::Ed => {
            // The backend slices the first 32 bytes without checking: check first.
            match key.try_get_as_bytes() {
                Ok(bytes) if bytes.len() == 32 => {}
                _ => return Err(KeyError::InvalidKey("Ed25519 public key must be 32 bytes")),
            }
            check_loadable(key, alg, "not a valid Ed25519 public key")
        }
    }
}
