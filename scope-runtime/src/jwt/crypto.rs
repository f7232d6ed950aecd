//! The signature check. Each key is prepared for the crypto backend once, when it is
//! built, so that a token pays for the check alone.
//!
//! The backend is a cargo feature:
//! - `aws-lc-rs` (the default): aws-lc-rs's parsed keys (`ParsedPublicKey`,
//!   `hmac::Key`). An RSA key's modulus, an EC key's point and an HMAC key's padded
//!   blocks are computed once per key, not per token. On the project's machine it was
//!   the fastest verifier on crates.io for RSA, ES384 and EdDSA, and level with ring
//!   for ES256 (BENCHMARKS.md, "Cold tokens").
//! - `rust-crypto`: jsonwebtoken's RustCrypto provider, pure Rust, for targets without
//!   a C compiler. It reads the key at every check. With both features, aws-lc-rs is
//!   used.

use jsonwebtoken::DecodingKey;

use super::algorithm::Algorithm;
#[cfg(feature = "aws-lc-rs")]
use super::key_checks::strip_zeros;

#[cfg(not(any(feature = "aws-lc-rs", feature = "rust-crypto")))]
compile_error!(
    "scope-runtime needs a crypto backend: enable its `aws-lc-rs` feature (the default) \
     or `rust-crypto` (pure Rust)"
);

/// The longest signature any accepted key makes: RSA-4096 (512 bytes). Longer ones
/// are decoded on the heap only to tell a malformed one from a wrong one.
const MAX_SIGNATURE_LEN: usize = 512;

/// A signature in the token was not base64url.
pub(super) struct MalformedSignature;

/// The decoded signature of one token: decoded once, checked against each candidate
/// key.
pub(super) struct Signature {
    bytes: [u8; MAX_SIGNATURE_LEN],
    len: usize,
}

impl Signature {
    /// Decodes the token's third part (strict base64url, as for the header and claims).
    /// `Ok(None)` for a signature longer than any key makes: it matches no key.
    pub(super) fn decode(encoded: &str) -> Result<Option<Signature>, MalformedSignature> {
        use base64::Engine as _;
        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let mut signature = Signature {
            bytes: [0; MAX_SIGNATURE_LEN],
            len: 0,
        };
        match engine.decode_slice(encoded, &mut signature.bytes) {
            Ok(len) => {
                signature.len = len;
                Ok(Some(signature))
            }
            Err(base64::DecodeSliceError::OutputSliceTooSmall) => match engine.decode(encoded) {
                Ok(_) => Ok(None),
                Err(_) => Err(MalformedSignature),
            },
            Err(base64::DecodeSliceError::DecodeError(_)) => Err(MalformedSignature),
        }
    }

    fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

/// A key ready for the backend.
pub(crate) struct PreparedKey(Backend);

#[cfg(feature = "aws-lc-rs")]
enum Backend {
    // Boxed: aws-lc's HMAC context is 1.2 KB inline, a parsed public key a pointer.
    Hmac(Box<aws_lc_rs::hmac::Key>),
    Public(aws_lc_rs::signature::ParsedPublicKey),
}

#[cfg(not(feature = "aws-lc-rs"))]
struct Backend {
    key: DecodingKey,
    alg: jsonwebtoken::Algorithm,
}

impl PreparedKey {
    /// Prepares `key` (already checked by `key_checks`) for `alg`; the error says why
    /// the backend refuses it, without key material.
    #[cfg(feature = "aws-lc-rs")]
    pub(super) fn new(key: &DecodingKey, alg: Algorithm) -> Result<PreparedKey, &'static str> {
        use aws_lc_rs::{hmac, signature as lc};
        use jsonwebtoken::DecodingKeyKind;

        let rsa: &'static lc::RsaParameters = match alg {
            Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => {
                let hash = match alg {
                    Algorithm::HS256 => hmac::HMAC_SHA256,
                    Algorithm::HS384 => hmac::HMAC_SHA384,
                    _ => hmac::HMAC_SHA512,
                };
                let secret = key.try_get_as_bytes().map_err(|_| "not an HMAC secret")?;
                return Ok(PreparedKey(Backend::Hmac(Box::new(hmac::Key::new(
                    hash, secret,
                )))));
            }
            Algorithm::ES256 | Algorithm::ES384 | Algorithm::EdDSA | Algorithm::Ed25519 => {
                let (params, what): (&'static dyn lc::VerificationAlgorithm, _) = match alg {
                    Algorithm::ES256 => (
                        &lc::ECDSA_P256_SHA256_FIXED,
                        "EC public key not on the algorithm's curve",
                    ),
                    Algorithm::ES384 => (
                        &lc::ECDSA_P384_SHA384_FIXED,
                        "EC public key not on the algorithm's curve",
                    ),
                    _ => (&lc::ED25519, "not a valid Ed25519 public key"),
                };
                let bytes = key.try_get_as_bytes().map_err(|_| what)?;
                let parsed = lc::ParsedPublicKey::new(params, bytes).map_err(|_| what)?;
                return Ok(PreparedKey(Backend::Public(parsed)));
            }
            Algorithm::RS256 => &lc::RSA_PKCS1_2048_8192_SHA256,
            Algorithm::RS384 => &lc::RSA_PKCS1_2048_8192_SHA384,
            Algorithm::RS512 => &lc::RSA_PKCS1_2048_8192_SHA512,
            Algorithm::PS256 => &lc::RSA_PSS_2048_8192_SHA256,
            Algorithm::PS384 => &lc::RSA_PSS_2048_8192_SHA384,
            Algorithm::PS512 => &lc::RSA_PSS_2048_8192_SHA512,
        };
        let parsed = match key.kind() {
            DecodingKeyKind::RsaModulusExponent { n, e } => lc::RsaPublicKeyComponents {
                n: strip_zeros(n),
                e: strip_zeros(e),
            }
            .to_parsed_public_key(rsa),
            DecodingKeyKind::SecretOrDer(der) => lc::ParsedPublicKey::new(rsa, der),
        };
        parsed
            .map(|parsed| PreparedKey(Backend::Public(parsed)))
            .map_err(|_| "not an RSA public key")
    }

    /// Prepares `key` (already checked by `key_checks`) for `alg`; the error says why
    /// the backend refuses it, without key material.
    #[cfg(not(feature = "aws-lc-rs"))]
    pub(super) fn new(key: &DecodingKey, alg: Algorithm) -> Result<PreparedKey, &'static str> {
        let prepared = PreparedKey(Backend {
            key: key.clone(),
            alg: alg.backend(),
        });
        // RustCrypto reads the key at every check: read it once now, so a key it cannot
        // use is refused at start-up rather than at every request. An empty signature
        // over an empty message is `Ok(false)` when the key loads.
        let provider = &jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER;
        match (provider.verifier_factory)(&prepared.0.alg, &prepared.0.key) {
            Ok(_) => Ok(prepared),
            Err(_) => Err(match alg.family() {
                super::algorithm::Family::Hmac => "not an HMAC secret",
                super::algorithm::Family::Rsa => "not an RSA public key",
                super::algorithm::Family::Ec => "EC public key not on the algorithm's curve",
                super::algorithm::Family::Ed => "not a valid Ed25519 public key",
            }),
        }
    }

    /// Whether `signature` is this key's signature of `message`. Constant-time in the
    /// backend for HMAC.
    pub(super) fn verify(&self, message: &[u8], signature: &Signature) -> bool {
        let signature = signature.as_bytes();
        #[cfg(feature = "aws-lc-rs")]
        match &self.0 {
            Backend::Hmac(key) => aws_lc_rs::hmac::verify(key, message, signature).is_ok(),
            Backend::Public(key) => key.verify_sig(message, signature).is_ok(),
        }
        #[cfg(not(feature = "aws-lc-rs"))]
        {
            let provider = &jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER;
            match (provider.verifier_factory)(&self.0.alg, &self.0.key) {
                Ok(verifier) => verifier.verify(message, &signature.to_vec()).is_ok(),
                Err(_) => false,
            }
        }
    }
}
