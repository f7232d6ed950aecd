//! The test-only keys of `tests/fixtures/` (see the README there) and verifiers holding
//! them.

use scope_runtime::JwtVerifierBuilder;
use scope_runtime::{JwtVerifier, VerificationKey};

/// The HS256 secret of [`hs256_verifier`] and of the tokens of [`super::tokens`].
pub(crate) const SECRET: &[u8] = b"layer-tests-secret-0123456789-0123456789-0123456789";
/// Another secret: tokens signed with it have a bad signature.
pub(crate) const OTHER_SECRET: &[u8] = b"some-other-secret-0123456789-0123456789-0123456789";

// `RSA_PRIVATE`, `RSA_PUBLIC`, `EC256_PRIVATE`, ..., `ED_PUBLIC`.
include!("../fixtures/keys.rs");

/// A verifier holding only the HS256 key [`SECRET`].
pub(crate) fn hs256_verifier() -> JwtVerifier {
    hs256_builder().build().expect("verifier")
}

/// A builder holding only the HS256 key [`SECRET`], for a test to change one setting.
pub(crate) fn hs256_builder() -> JwtVerifierBuilder {
    JwtVerifier::builder().key(VerificationKey::hs256(SECRET).expect("HS256 key"))
}

/// A verifier holding only `key`, default settings.
pub(crate) fn verifier(key: VerificationKey) -> JwtVerifier {
    JwtVerifier::builder().key(key).build().expect("verifier")
}
