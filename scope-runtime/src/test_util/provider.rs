//! The test identity provider: keys, issuer and audience, and what trusts them.

use std::io;
use std::path::PathBuf;

use serde_json::{Value, json};

use super::{SigningKey, TokenBuilder};
use crate::{Algorithm, ConfigError, JwksFile, JwtVerifier, JwtVerifierBuilder, VerificationKey};

/// A test identity provider: one or more [`SigningKey`]s, and optionally the issuer
/// and audience its tokens carry.
///
/// It mints tokens ([`token`](Self::token)) and gives what trusts them: a
/// [`JwtVerifier`] ([`verifier`](Self::verifier), or [`builder`](Self::builder) to add
/// settings), the [`VerificationKey`]s, and its public JWKS as JSON, as a file
/// ([`write_jwks`](Self::write_jwks)) or on a loopback URL
/// ([`serve_jwks`](Self::serve_jwks)).
///
/// ```
/// use scope_runtime::Algorithm;
/// use scope_runtime::test_util::{SigningKey, TestIdp};
///
/// let idp = TestIdp::new(SigningKey::test(Algorithm::ES256))
///     .with_issuer("https://idp.test")
///     .with_audience("agents-api");
/// let verifier = idp.verifier()?;
///
/// let token = idp.token().subject("user-1").scopes(["app:read"]).sign();
/// let claims = verifier.verify_token(&token)?;
/// assert!(claims.has_scope("app:read"));
///
/// // Expired, or signed by another key: refused.
/// assert!(verifier.verify_token(&idp.token().expired().sign()).is_err());
/// let attacker = TestIdp::new(SigningKey::attacker(Algorithm::ES256)).with_issuer("https://idp.test");
/// assert!(verifier.verify_token(&attacker.token().sign()).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct TestIdp {
    keys: Vec<SigningKey>,
    issuer: Option<String>,
    audience: Option<String>,
}

impl TestIdp {
    /// A provider signing with `key` (more with [`with_key`](Self::with_key)); no
    /// issuer, no audience.
    pub fn new(key: SigningKey) -> TestIdp {
        TestIdp {
            keys: vec![key],
            issuer: None,
            audience: None,
        }
    }

    /// A provider with the test-only HS256 secret ([`SigningKey::test`]).
    pub fn hs256() -> TestIdp {
        TestIdp::new(SigningKey::test(Algorithm::HS256))
    }

    /// A provider with the test-only RSA key, for RS256 ([`SigningKey::test`]).
    pub fn rs256() -> TestIdp {
        TestIdp::new(SigningKey::test(Algorithm::RS256))
    }

    /// Adds a key: the verifier trusts it too, and it is published in the JWKS (unless
    /// it is an HMAC secret). [`token`](Self::token) keeps signing with the first key;
    /// [`token_with`](Self::token_with) picks another.
    pub fn with_key(mut self, key: SigningKey) -> TestIdp {
        self.keys.push(key);
        self
    }

    /// The issuer: the `iss` of its tokens, and the one its verifier requires.
    pub fn with_issuer(mut self, issuer: impl Into<String>) -> TestIdp {
        self.issuer = Some(issuer.into());
        self
    }

    /// The audience: the `aud` of its tokens, and the one its verifier requires.
    pub fn with_audience(mut self, audience: impl Into<String>) -> TestIdp {
        self.audience = Some(audience.into());
        self
    }

    /// Its keys, the first one signing [`token`](Self::token)'s tokens.
    pub fn keys(&self) -> &[SigningKey] {
        &self.keys
    }

    /// Its issuer, if set.
    pub fn issuer(&self) -> Option<&str> {
        self.issuer.as_deref()
    }

    /// Its audience, if set.
    pub fn audience(&self) -> Option<&str> {
        self.audience.as_deref()
    }

    /// A token signed with the first key, with the provider's `iss` and `aud` (when
    /// set) beside the [`TokenBuilder`]'s defaults.
    pub fn token(&self) -> TokenBuilder {
        self.token_with(&self.keys[0])
    }

    /// [`token`](Self::token), signed with `key` (one of this provider's, or any other:
    /// with a key it does not trust, a forgery that names its issuer).
    pub fn token_with(&self, key: &SigningKey) -> TokenBuilder {
        let mut token = key.token();
        if let Some(iss) = &self.issuer {
            token = token.issuer(iss.clone());
        }
        if let Some(aud) = &self.audience {
            token = token.audience(aud.clone());
        }
        token
    }

    /// The public halves of its keys, each with its `kid`.
    pub fn verification_keys(&self) -> Vec<VerificationKey> {
        self.keys.iter().map(SigningKey::verification_key).collect()
    }

    /// A verifier builder trusting its keys, requiring its issuer and audience when
    /// set; add settings before [`build`](JwtVerifierBuilder::build).
    pub fn builder(&self) -> JwtVerifierBuilder {
        let mut builder = JwtVerifier::builder().keys(self.verification_keys());
        if let Some(iss) = &self.issuer {
            builder = builder.issuer(iss.clone());
        }
        if let Some(aud) = &self.audience {
            builder = builder.audience(aud.clone());
        }
        builder
    }

    /// [`builder`](Self::builder), built with the default settings.
    ///
    /// Errors: [`ConfigError::EmptyIssuer`] if the issuer was set to `""`.
    pub fn verifier(&self) -> Result<JwtVerifier, ConfigError> {
        self.builder().build()
    }

    /// Its public JWKS, `{"keys": [...]}`: the [`SigningKey::public_jwk`] of every
    /// RSA, EC and Ed25519 key (HMAC secrets are never published; a JWKS of only
    /// HMAC keys is empty, and a verifier refuses it).
    pub fn jwks(&self) -> Value {
        let keys: Vec<Value> = self
            .keys
            .iter()
            .filter_map(SigningKey::public_jwk)
            .collect();
        json!({ "keys": keys })
    }

    /// Writes [`jwks`](Self::jwks) to `path` (creating or replacing the file) and
    /// returns the [`JwksFile`] that reads it.
    ///
    /// ```
    /// use scope_runtime::test_util::TestIdp;
    ///
    /// let idp = TestIdp::rs256();
    /// # let dir = std::env::temp_dir().join(format!("test-util-doc-{}", std::process::id()));
    /// # std::fs::create_dir_all(&dir)?;
    /// let file = idp.write_jwks(dir.join("jwks.json"))?;
    /// let verifier = scope_runtime::JwtVerifier::builder().keys(file.load()?).build()?;
    /// assert!(verifier.verify_token(&idp.token().sign()).is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn write_jwks(&self, path: impl Into<PathBuf>) -> io::Result<JwksFile> {
        let path = path.into();
        std::fs::write(&path, self.jwks().to_string())?;
        Ok(JwksFile::new(path))
    }

    /// Serves [`jwks`](Self::jwks) (and an OpenID Connect discovery document) on
    /// `http://127.0.0.1:<free port>`, for `JwksUrl`; see [`JwksServer`](super::JwksServer).
    /// Must be called inside a Tokio runtime.
    pub async fn serve_jwks(&self) -> io::Result<super::JwksServer> {
        super::JwksServer::start(self.jwks()).await
    }
}
