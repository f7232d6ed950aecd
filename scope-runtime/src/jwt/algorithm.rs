//! The JWS signature algorithms this crate verifies.
//!
//! This is the crate's own type, not the JWT library's: the public API names no type of
//! `jsonwebtoken`, so the backend can change or be upgraded without breaking users.

use std::fmt;

/// A JWS signature algorithm (RFC 7518), as named in a token's `alg` header.
///
/// Every [`VerificationKey`](crate::VerificationKey) is pinned to one; `none` is not an
/// algorithm here and never verifies.
///
/// ```
/// use scope_runtime::Algorithm;
///
/// assert_eq!(Algorithm::from_name("ES256"), Some(Algorithm::ES256));
/// assert_eq!(Algorithm::ES256.name(), "ES256");
/// assert_eq!(Algorithm::from_name("none"), None);
/// assert_eq!(Algorithm::from_name("es256"), None, "names are case-sensitive");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Algorithm {
    /// HMAC with SHA-256.
    HS256,
    /// HMAC with SHA-384.
    HS384,
    /// HMAC with SHA-512.
    HS512,
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RS256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RS384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RS512,
    /// RSASSA-PSS with SHA-256.
    PS256,
    /// RSASSA-PSS with SHA-384.
    PS384,
    /// RSASSA-PSS with SHA-512.
    PS512,
    /// ECDSA with P-256 and SHA-256.
    ES256,
    /// ECDSA with P-384 and SHA-384.
    ES384,
    /// EdDSA with Ed25519, under its polymorphic name (RFC 8037).
    EdDSA,
    /// EdDSA with Ed25519, under its fully-specified name (RFC 9864). The same
    /// signature as [`EdDSA`](Self::EdDSA) over an Ed25519 key: a key pinned to either
    /// accepts tokens that name either (see [`Algorithm::verifies_as`]).
    Ed25519,
}

/// The kinds of key, each usable with its own algorithms only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Family {
    Hmac,
    Rsa,
    Ec,
    Ed,
}

impl Family {
    /// The kind of key, for error messages (`algorithm RS256 cannot be used with an
    /// HMAC secret`).
    pub(crate) const fn key_kind(self) -> &'static str {
        match self {
            Family::Hmac => "an HMAC secret",
            Family::Rsa => "an RSA key",
            Family::Ec => "an EC key",
            Family::Ed => "an Ed25519 key",
        }
    }
}

impl Algorithm {
    /// Every algorithm, in the order of RFC 7518, then RFC 9864's `Ed25519`.
    pub const ALL: [Algorithm; 13] = [
        Algorithm::HS256,
        Algorithm::HS384,
        Algorithm::HS512,
        Algorithm::RS256,
        Algorithm::RS384,
        Algorithm::RS512,
        Algorithm::PS256,
        Algorithm::PS384,
        Algorithm::PS512,
        Algorithm::ES256,
        Algorithm::ES384,
        Algorithm::EdDSA,
        Algorithm::Ed25519,
    ];

    /// The name used in the `alg` header and in JWKs.
    pub const fn name(self) -> &'static str {
        match self {
            Algorithm::HS256 => "HS256",
            Algorithm::HS384 => "HS384",
            Algorithm::HS512 => "HS512",
            Algorithm::RS256 => "RS256",
            Algorithm::RS384 => "RS384",
            Algorithm::RS512 => "RS512",
            Algorithm::PS256 => "PS256",
            Algorithm::PS384 => "PS384",
            Algorithm::PS512 => "PS512",
            Algorithm::ES256 => "ES256",
            Algorithm::ES384 => "ES384",
            Algorithm::EdDSA => "EdDSA",
            Algorithm::Ed25519 => "Ed25519",
        }
    }

    /// The signature check this algorithm names: itself, except that `Ed25519` and
    /// `EdDSA` both name EdDSA over Ed25519 (the only EdDSA curve this crate verifies),
    /// so a key pinned to one verifies tokens that name the other. Never crosses key
    /// families.
    ///
    /// ```
    /// use scope_runtime::Algorithm;
    ///
    /// assert_eq!(Algorithm::Ed25519.verifies_as(), Algorithm::EdDSA.verifies_as());
    /// assert_ne!(Algorithm::RS256.verifies_as(), Algorithm::PS256.verifies_as());
    /// ```
    pub const fn verifies_as(self) -> Algorithm {
        match self {
            Algorithm::Ed25519 => Algorithm::EdDSA,
            other => other,
        }
    }

    /// The algorithm of an `alg` name, exactly as registered (case-sensitive); `None`
    /// for `none` and every unknown name.
    pub fn from_name(name: &str) -> Option<Algorithm> {
        Algorithm::ALL.into_iter().find(|alg| alg.name() == name)
    }

    pub(crate) const fn family(self) -> Family {
        match self {
            Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => Family::Hmac,
            Algorithm::RS256
            | Algorithm::RS384
            | Algorithm::RS512
            | Algorithm::PS256
            | Algorithm::PS384
            | Algorithm::PS512 => Family::Rsa,
            Algorithm::ES256 | Algorithm::ES384 => Family::Ec,
            Algorithm::EdDSA | Algorithm::Ed25519 => Family::Ed,
        }
    }

    /// The same algorithm for jsonwebtoken (its RustCrypto verifiers; tests; the
    /// signing of `test_util`).
    #[cfg(any(test, feature = "test-util", not(feature = "aws-lc-rs")))]
    pub(crate) const fn backend(self) -> jsonwebtoken::Algorithm {
        match self {
            Algorithm::HS256 => jsonwebtoken::Algorithm::HS256,
            Algorithm::HS384 => jsonwebtoken::Algorithm::HS384,
            Algorithm::HS512 => jsonwebtoken::Algorithm::HS512,
            Algorithm::RS256 => jsonwebtoken::Algorithm::RS256,
            Algorithm::RS384 => jsonwebtoken::Algorithm::RS384,
            Algorithm::RS512 => jsonwebtoken::Algorithm::RS512,
            Algorithm::PS256 => jsonwebtoken::Algorithm::PS256,
            Algorithm::PS384 => jsonwebtoken::Algorithm::PS384,
            Algorithm::PS512 => jsonwebtoken::Algorithm::PS512,
            Algorithm::ES256 => jsonwebtoken::Algorithm::ES256,
            Algorithm::ES384 => jsonwebtoken::Algorithm::ES384,
            Algorithm::EdDSA | Algorithm::Ed25519 => jsonwebtoken::Algorithm::EdDSA,
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::Algorithm;

    /// Our names are the backend's names, so a JWK's `alg` and a token's `alg` mean the
    /// same algorithm to us and to the signature check.
    #[test]
    fn names_and_backend_agree() {
        for alg in Algorithm::ALL {
            assert_eq!(Algorithm::from_name(alg.name()), Some(alg));
            // The backend knows RFC 9864's name under the polymorphic one only.
            let backend_name = alg.verifies_as().name();
            assert_eq!(
                backend_name.parse::<jsonwebtoken::Algorithm>().ok(),
                Some(alg.backend())
            );
            assert_eq!(alg.to_string(), alg.name());
        }
        for name in ["none", "None", "hs256", "ES512", "RSA-OAEP", ""] {
            assert_eq!(Algorithm::from_name(name), None, "{name}");
        }
    }
}
