//! Keys from a JWKS: the file reader and the reading rules shared with the URL source
//! (`jwks/`). The user-facing story is the crate documentation's "Keys from a JWKS".

use std::fmt;
#[cfg(feature = "jwks-url")]
use std::future::Future;
use std::io::Read as _;
use std::path::{Path, PathBuf};
#[cfg(feature = "jwks-url")]
use std::pin::Pin;
use std::sync::Arc;

use jsonwebtoken::jwk::AlgorithmParameters;
use serde_json::Value;

use super::algorithm::Family;
use super::jwk::jwk_of;
use super::keys::SkippedKey;
use super::{Algorithm, KeyError, VerificationKey};

#[cfg(feature = "jwks-url")]
mod fetch;
#[cfg(feature = "jwks-url")]
mod shared;
#[cfg(feature = "jwks-url")]
mod task;
#[cfg(feature = "jwks-url")]
mod url;

#[cfg(feature = "jwks-url")]
pub use shared::{JwksStatus, RemoteJwks};
#[cfg(feature = "jwks-url")]
pub use url::{
    DEFAULT_FETCH_TIMEOUT, DEFAULT_MAX_BODY_SIZE, DEFAULT_MAX_FETCHES_PER_MINUTE, DEFAULT_MAX_KEYS,
    DEFAULT_MIN_REFRESH_INTERVAL, DEFAULT_REFRESH_INTERVAL, DEFAULT_RETRY_BACKOFF, JwksUrl,
};

/// The algorithms an RSA key without its own `alg` is pinned to by default: the whole
/// RSA family, `RS256`, `RS384`, `RS512`, `PS256`, `PS384`, `PS512` (providers publish
/// RSA keys without `alg` and sign with PKCS#1 v1.5 or PSS). A token is only checked
/// with the key pinned to its own `alg`, so this costs no extra signature check.
pub const DEFAULT_RSA_ALGORITHMS: &[Algorithm] = &[
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
];

/// Whether a JWKS key may be pinned to `alg`: never an HMAC algorithm, because a
/// shared secret is never taken from a JWKS (a JWKS is usually public).
pub(crate) fn usable_from_jwks(alg: Algorithm) -> bool {
    alg.family() != Family::Hmac
}

/// The largest JWKS file [`JwksFile::load`] reads: 1 MiB.
pub const MAX_JWKS_FILE_SIZE: u64 = 1024 * 1024;

/// Why JWKS keys could not be loaded, or a JWKS source not started.
///
/// The messages never contain key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JwksError {
    /// The JWKS file could not be read.
    #[error("cannot read the JWKS file {}: {kind}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        kind: std::io::ErrorKind,
    },
    /// The JWKS file is larger than [`MAX_JWKS_FILE_SIZE`].
    #[error("the JWKS file {} is larger than {MAX_JWKS_FILE_SIZE} bytes", path.display())]
    FileTooLarge {
        /// The file.
        path: PathBuf,
    },
    /// The JWKS is not valid JSON of the right shape, holds a broken key, or holds no
    /// usable key.
    #[error("invalid JWKS: {0}")]
    Key(#[from] KeyError),
    /// An algorithm given as an RSA algorithm is not one (`RS*` or `PS*`).
    #[error("{0:?} is not an RSA signature algorithm")]
    NotRsaAlgorithm(Algorithm),
    #[cfg(feature = "jwks-url")]
    /// The JWKS URL (or issuer) is not a usable absolute `https://` (or loopback
    /// `http://`) URL.
    #[error("invalid JWKS URL: {0}")]
    InvalidUrl(&'static str),
    #[cfg(feature = "jwks-url")]
    /// A plain `http://` URL for a host that is not a loopback address. Keys fetched
    /// without TLS can be replaced by anyone on the path; use `https://` (or allow it
    /// explicitly with `JwksUrl::allow_plain_http`).
    #[error("plain http:// is only allowed for loopback hosts; use https://")]
    PlainHttp,
    #[cfg(feature = "jwks-url")]
    /// A setting of the JWKS source is out of range.
    #[error("invalid JWKS source setting: {0}")]
    Config(&'static str),
    #[cfg(feature = "jwks-url")]
    /// A JWKS URL source was started outside of a Tokio runtime.
    #[error("a JWKS URL source must be started inside a Tokio runtime")]
    NoRuntime,
    #[cfg(feature = "jwks-url")]
    /// The TLS client could not be set up (no root certificate, invalid PEM, ...).
    #[error("TLS setup failed: {0}")]
    Tls(&'static str),
}

/// How a JWKS document is read (shared by files and URLs).
#[derive(Debug, Clone, Copy)]
pub(crate) struct ReadRules<'a> {
    /// The algorithms of an RSA key without `alg`.
    pub(crate) rsa_algorithms: &'a [Algorithm],
    /// A broken supported key is an error (files) rather than skipped (URLs).
    pub(crate) strict: bool,
    /// At most this many JWKs are used; the rest are ignored (with a warning).
    pub(crate) max_keys: usize,
}

pub(crate) fn check_rsa_algorithms(algs: &[Algorithm]) -> Result<(), JwksError> {
    match algs.iter().find(|alg| alg.family() != Family::Rsa) {
        Some(&alg) => Err(JwksError::NotRsaAlgorithm(alg)),
        None => Ok(()),
    }
}

/// The verification keys of one JWK: its own `alg` pins it; without one, the
/// algorithms of its family (RSA: `rsa_algorithms`; EC: its curve's; Ed25519: EdDSA,
/// which verifies tokens naming `EdDSA` or `Ed25519`). Empty: nothing to use.
fn keys_of(value: Value, rsa_algorithms: &[Algorithm]) -> Result<Vec<VerificationKey>, KeyError> {
    let (jwk, own_alg) = jwk_of(value)?;
    match &jwk.algorithm {
        AlgorithmParameters::OctetKey(_) => Err(KeyError::UnsupportedJwk(
            "symmetric (`oct`) keys are not taken from a JWKS",
        )),
        AlgorithmParameters::RSA(_) if own_alg.is_none() => rsa_algorithms
            .iter()
            .map(|&alg| VerificationKey::from_jwk(&jwk, None, Some(alg)))
            .collect(),
        _ => VerificationKey::from_jwk(&jwk, own_alg, None).map(|key| vec![key]),
    }
}

/// The longest `jwks_uri` quoted back in an error.
const MAX_QUOTED_URL: usize = 256;

/// Reads the verification keys of a JWKS document. Every skipped entry is logged at
/// `warn` with its reason (and listed in [`KeyError::NoUsableKeys`] when none is left).
pub(crate) fn read_jwks(
    json: &[u8],
    rules: ReadRules<'_>,
) -> Result<Vec<VerificationKey>, KeyError> {
    let document: Value = serde_json::from_slice(json).map_err(|err| KeyError::InvalidJson {
        line: err.line(),
        column: err.column(),
    })?;
    let entries = match document {
        Value::Object(mut object) => match object.remove("keys") {
            Some(Value::Array(entries)) => entries,
            Some(_) => return Err(KeyError::InvalidKey("the JWKS's `keys` is not an array")),
            // The usual mistake: the provider's discovery document given where its
            // JWKS was expected.
            None => match object.get("jwks_uri") {
                Some(Value::String(uri)) => {
                    return Err(KeyError::DiscoveryDocument {
                        jwks_uri: uri.chars().take(MAX_QUOTED_URL).collect(),
                    });
                }
                _ => return Err(KeyError::InvalidKey("not a JWKS: no `keys` array")),
            },
        },
        _ => return Err(KeyError::InvalidKey("not a JWKS: not a JSON object")),
    };
    let mut keys = Vec::new();
    let mut skipped = Vec::new();
    let mut used = 0usize;
    for value in entries {
        let kid = value.get("kid").and_then(Value::as_str).map(str::to_owned);
        match keys_of(value, rules.rsa_algorithms) {
            Ok(found) if found.is_empty() => {
                let why = "RSA key without `alg` and no RSA algorithm configured";
                tracing::warn!(?kid, why, "JWKS key skipped");
                skipped.push(SkippedKey::new(kid, why));
            }
            Ok(found) => {
                if used == rules.max_keys {
                    tracing::warn!(
                        max_keys = rules.max_keys,
                        "JWKS holds more keys than allowed; the rest are ignored"
                    );
                    break;
                }
                used += 1;
                keys.extend(found);
            }
            Err(KeyError::UnsupportedJwk(why)) => {
                tracing::warn!(?kid, why, "JWKS key skipped");
                skipped.push(SkippedKey::new(kid, why));
            }
            Err(err) if rules.strict => {
                return Err(KeyError::InJwks {
                    kid,
                    reason: Box::new(err),
                });
            }
            Err(err) => {
                tracing::warn!(?kid, error = %err, "JWKS key skipped: unusable");
                skipped.push(SkippedKey::new(kid, &err.to_string()));
            }
        }
    }
    if keys.is_empty() {
        return Err(KeyError::NoUsableKeys { skipped });
    }
    Ok(keys)
}

/// Reads the verification keys of a JWKS document (its JSON text), as [`JwksFile`]
/// does: strictly, RSA keys without `alg` pinned to each of `rsa_algorithms`
/// ([`DEFAULT_RSA_ALGORITHMS`], the whole RSA family, is the usual choice). See the [crate
/// documentation](crate#keys-from-a-jwks) for which keys are used.
///
/// ```
/// use scope_runtime::{Algorithm, DEFAULT_RSA_ALGORITHMS, JwksError, parse_jwks};
///
/// let json = r#"{"keys": [
///     {"kty": "OKP", "crv": "Ed25519", "kid": "ed-1", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},
///     {"kty": "oct", "kid": "secret", "k": "c2VjcmV0"}
/// ]}"#;
/// let keys = parse_jwks(json, DEFAULT_RSA_ALGORITHMS)?;
/// assert_eq!(keys.len(), 1); // the symmetric key is not used
/// assert_eq!(keys[0].algorithm(), Algorithm::EdDSA);
/// # Ok::<(), JwksError>(())
/// ```
pub fn parse_jwks(
    json: impl AsRef<[u8]>,
    rsa_algorithms: &[Algorithm],
) -> Result<Vec<VerificationKey>, JwksError> {
    check_rsa_algorithms(rsa_algorithms)?;
    let rules = ReadRules {
        rsa_algorithms,
        strict: true,
        max_keys: usize::MAX,
    };
    Ok(read_jwks(json.as_ref(), rules)?)
}

/// A JWKS file, read once (Agno's `jwks_file`, env `JWT_JWKS_FILE` in the examples).
///
/// [`load`](Self::load) returns the keys for
/// [`JwtVerifierBuilder::keys`](super::JwtVerifierBuilder::keys); tokens are then
/// matched to them by `kid` (see [`JwtVerifier::verify_token`](super::JwtVerifier::verify_token)).
/// The file is read at most [`MAX_JWKS_FILE_SIZE`] bytes far, and strictly (see the
/// [crate documentation](crate#keys-from-a-jwks)). To pick up a rotated file, build a new verifier (or
/// serve the JWKS over HTTP and use `JwksUrl`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct JwksFile {
    path: PathBuf,
    rsa_algorithms: Vec<Algorithm>,
}

impl JwksFile {
    /// The JWKS file at `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            rsa_algorithms: DEFAULT_RSA_ALGORITHMS.to_vec(),
        }
    }

    /// The algorithms an RSA key **without** `alg` is pinned to (each gives one
    /// [`VerificationKey`]). Default [`DEFAULT_RSA_ALGORITHMS`] (`RS*` and `PS*`). Must all be
    /// `RS*`/`PS*` ([`JwksError::NotRsaAlgorithm`] from [`load`](Self::load)); empty
    /// means such keys are skipped.
    pub fn rsa_algorithms(mut self, algs: impl IntoIterator<Item = Algorithm>) -> Self {
        self.rsa_algorithms = algs.into_iter().collect();
        self
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads the file and returns its verification keys.
    ///
    /// Errors: the file cannot be read ([`JwksError::Io`]) or is too large
    /// ([`JwksError::FileTooLarge`]); invalid JSON, a broken key or no usable key
    /// ([`JwksError::Key`]); a non-RSA algorithm in
    /// [`rsa_algorithms`](Self::rsa_algorithms).
    pub fn load(&self) -> Result<Vec<VerificationKey>, JwksError> {
        check_rsa_algorithms(&self.rsa_algorithms)?;
        let io = |err: std::io::Error| JwksError::Io {
            path: self.path.clone(),
            kind: err.kind(),
        };
        let file = std::fs::File::open(&self.path).map_err(io)?;
        let mut json = Vec::new();
        file.take(MAX_JWKS_FILE_SIZE + 1)
            .read_to_end(&mut json)
            .map_err(io)?;
        if json.len() as u64 > MAX_JWKS_FILE_SIZE {
            return Err(JwksError::FileTooLarge {
                path: self.path.clone(),
            });
        }
        let keys = parse_jwks(&json, &self.rsa_algorithms)?;
        tracing::debug!(path = %self.path.display(), keys = keys.len(), "JWKS file loaded");
        Ok(keys)
    }
}

/// Keys that change while a verifier runs (a JWKS URL). The verifier reads them on
/// every request; both calls are cheap and never wait on a fetch.
pub(crate) trait DynamicKeys: fmt::Debug + Send + Sync {
    /// The keys as they are now (a pointer copy).
    fn current(&self) -> Arc<[VerificationKey]>;
    /// A token named a `kid` that none of the verifier's keys has: the source may
    /// fetch again (rate-limited by the source). Returns at once.
    fn unknown_kid(&self);
    /// What a request refused for want of a key may wait on: the end (success or
    /// failure) of the fetch running now, or of the one about to start because a token
    /// just asked for it. `None` when no fetch runs and the rate limit holds the next
    /// one back: the request is refused at once.
    #[cfg(feature = "jwks-url")]
    fn fetch_wait(&self) -> Option<Pin<Box<dyn Future<Output = ()> + Send>>>;
    /// How many times the keys were replaced so far: changes whenever
    /// [`current`](Self::current) may have changed, for the verified-token cache to
    /// invalidate what was verified with older keys. Bumped *after* the keys are
    /// swapped: read it *before* [`current`](Self::current).
    #[cfg(feature = "cache")]
    fn generation(&self) -> u64;
}
