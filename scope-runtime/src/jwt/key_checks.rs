//! The checks every key passes when it is built, so that a key the backend would
//! refuse, or a weak one, fails at start-up rather than on every request.

use std::sync::Once;

use jsonwebtoken::{DecodingKey, DecodingKeyKind};

use super::KeyError;
use super::algorithm::{Algorithm, Family};

/// Makes sure `jsonwebtoken` has a process-wide crypto provider, the one of this
/// crate's backend, so that nothing that goes through jsonwebtoken's provider (the
/// RustCrypto backend's checks, the RSA key reader below, an application's own
/// `jsonwebtoken::encode`) can hit its "no provider" panic.
///
/// jsonwebtoken chooses a provider by itself only when exactly one of its backends is
/// enabled; with both (say, `rust-crypto` next to the default, or another crate of the
/// application enabling the other one), it would panic on first use. If the
/// application installed a provider of its own before, that choice is kept.
pub(crate) fn ensure_crypto_provider() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        // `Err` means a provider is already installed: keep it.
        let _ = PROVIDER.install_default();
    });
}

/// jsonwebtoken's provider for this crate's backend.
#[cfg(feature = "aws-lc-rs")]
static PROVIDER: &jsonwebtoken::crypto::CryptoProvider =
    &jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER;
#[cfg(not(feature = "aws-lc-rs"))]
static PROVIDER: &jsonwebtoken::crypto::CryptoProvider =
    &jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER;

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

/// Strips leading zero bytes of a big-endian unsigned integer (a JWK's `n` may carry
/// one; aws-lc-rs refuses it).
pub(super) fn strip_zeros(bytes: &[u8]) -> &[u8] {
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

/// Validates a decoding key for `alg` (family already checked); what the backend
/// itself refuses is refused when the key is prepared (`PreparedKey::new`).
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
                // (`VerificationKey::checked` installed the provider.)
                let parse = PROVIDER.key_utils.rsa_pub_components_from_public_key;
                let (n, e) =
                    parse(der).map_err(|_| KeyError::InvalidKey("not an RSA public key"))?;
                check_rsa_components(&n, &e)
            }
        },
        // Whether the point is on the curve is the backend's check (`PreparedKey::new`).
        Family::Ec => Ok(()),
        Family::Ed => {
            // The backend slices the first 32 bytes without checking: check first.
            match key.try_get_as_bytes() {
                Ok(bytes) if bytes.len() == 32 => {
                    if is_small_order_ed25519(bytes) {
                        return Err(KeyError::InvalidKey(
                            "Ed25519 public key of small order (a weak key: one signature \
                             would verify every token)",
                        ));
                    }
                }
                _ => return Err(KeyError::InvalidKey("Ed25519 public key must be 32 bytes")),
            }
            Ok(())
        }
    }
}

/// The `y` coordinates (little-endian, canonical) of the Ed25519 points of small order
/// (1, 2, 4, 8): 1 (the identity), p - 1 (order 2), 0 (order 4), and the two `y` of
/// the order-8 points.
const SMALL_ORDER_Y: [[u8; 32]; 5] = [
    [
        0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00,
    ],
    [
        0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0x7f,
    ],
    [0x00; 32],
    [
        0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98,
        0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53,
        0xfc, 0x05,
    ],
    [
        0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67,
        0x0f, 0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac,
        0x03, 0x7a,
    ],
];

/// Whether a 32-byte Ed25519 public key is a point of small order. Against such a key
/// the backend's (non-strict) EdDSA check accepts one fixed signature (R the identity,
/// S = 0) for every message, or for one message in eight: a forgery for any claims.
///
/// A point has small order exactly when its `y` is one of [`SMALL_ORDER_Y`] (bit 255,
/// the sign of `x`, only chooses between `P` and `-P`, of the same order). `y` is read
/// modulo p, as the backend reads it, so the non-canonical spellings `y + p` (of 0 and
/// 1) are caught too.
fn is_small_order_ed25519(bytes: &[u8]) -> bool {
    let Ok(bytes) = <[u8; 32]>::try_from(bytes) else {
        return false;
    };
    let mut y = bytes;
    y[31] &= 0x7f;
    // p = 2^255 - 19 is `ed ff .. ff 7f`: y >= p only for these 19 spellings.
    let at_least_p = y[0] >= 0xed && y[1..31].iter().all(|&b| b == 0xff) && y[31] == 0x7f;
    if at_least_p {
        let low = y[0] - 0xed;
        y = [0; 32];
        y[0] = low;
    }
    SMALL_ORDER_Y.contains(&y)
}

#[cfg(test)]
mod tests {
    use super::is_small_order_ed25519;

    #[test]
    fn small_order_ed25519_keys() {
        let with = |low: u8, high: u8| {
            let mut bytes = [0u8; 32];
            bytes[0] = low;
            bytes[31] = high;
            bytes
        };
        let p_plus = |k: u8| {
            let mut bytes = [0xffu8; 32];
            bytes[0] = 0xed + k;
            bytes[31] = 0x7f;
            bytes
        };
        for weak in [
            with(1, 0),    // identity
            with(1, 0x80), // identity, sign bit set
            with(0, 0),    // order 4
            with(0, 0x80),
            p_plus(0), // y = p, i.e. 0
            p_plus(1), // y = p + 1, i.e. 1
        ] {
            assert!(is_small_order_ed25519(&weak), "{weak:02x?}");
        }
        let mut signed = p_plus(1);
        signed[31] |= 0x80;
        assert!(is_small_order_ed25519(&signed));
        // The fixture's public key and a near miss are not.
        assert!(!is_small_order_ed25519(&with(2, 0)));
        assert!(!is_small_order_ed25519(&p_plus(2)));
        let fixture = [
            0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7, 0xd5, 0x4b, 0xfe, 0xd3, 0xc9, 0x64,
            0x07, 0x3a, 0x0e, 0xe1, 0x72, 0xf3, 0xda, 0xa6, 0x23, 0x25, 0xaf, 0x02, 0x1a, 0x68,
            0xf7, 0x07, 0x51, 0x1a,
        ];
        assert!(!is_small_order_ed25519(&fixture));
    }
}
