//! Where the server's settings come from: the seed's defaults, overridden by the
//! environment, and the verifier those settings ask for.

use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;

use scope_runtime::{JwksFile, JwksUrl, JwtVerifier, VerificationKey};

use super::{DEFAULT_HOST, DEFAULT_JWT_SECRET, DEFAULT_PORT};

/// Server configuration. `Debug` never shows the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct Config {
    /// The HS256 secret tokens are verified with (`JWT_VERIFICATION_KEY`).
    pub jwt_secret: String,
    /// The host name or IP address to listen on (`HOST`).
    pub host: String,
    /// The TCP port to listen on (`PORT`).
    pub port: u16,
    /// A JWKS file whose keys verify tokens, chosen by `kid` (`JWT_JWKS_FILE`).
    pub jwks_file: Option<PathBuf>,
    /// A JWKS URL, fetched at start and refreshed in the background (`JWT_JWKS_URL`).
    pub jwks_url: Option<String>,
    /// The resource identifier of this server, the URL clients use for it
    /// (`JWT_RESOURCE`): when set, the RFC 9728 protected-resource metadata document is
    /// served and every challenge points at it.
    pub resource: Option<String>,
    /// The issuer URLs of the authorization servers listed in that document
    /// (`JWT_AUTHORIZATION_SERVERS`, comma-separated).
    pub authorization_servers: Vec<String>,
}

impl Default for Config {
    /// The seed's defaults: [`DEFAULT_JWT_SECRET`], [`DEFAULT_HOST`], [`DEFAULT_PORT`].
    fn default() -> Self {
        Config {
            jwt_secret: DEFAULT_JWT_SECRET.to_owned(),
            host: DEFAULT_HOST.to_owned(),
            port: DEFAULT_PORT,
            jwks_file: None,
            jwks_url: None,
            resource: None,
            authorization_servers: Vec::new(),
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("jwt_secret", &"<redacted>")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("jwks_file", &self.jwks_file)
            .field("jwks_url", &self.jwks_url)
            .field("resource", &self.resource)
            .field("authorization_servers", &self.authorization_servers)
            .finish()
    }
}

impl Config {
    /// The defaults, overridden by the environment variables `JWT_VERIFICATION_KEY`,
    /// `HOST` and `PORT` (see [`Config::overridden_by_env`]).
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::default().overridden_by_env()
    }

    /// `self`, with each field whose environment variable is set replaced by its value:
    /// `JWT_VERIFICATION_KEY` (must not be empty), `HOST`, `PORT` (a port number),
    /// `JWT_JWKS_FILE`, `JWT_JWKS_URL`, `JWT_RESOURCE`, `JWT_AUTHORIZATION_SERVERS` (a
    /// comma-separated list; empty items are dropped).
    pub fn overridden_by_env(mut self) -> Result<Config, ConfigError> {
        if let Some(secret) = env_var("JWT_VERIFICATION_KEY")? {
            if secret.is_empty() {
                return Err(ConfigError::EmptySecret);
            }
            self.jwt_secret = secret;
        }
        if let Some(host) = env_var("HOST")? {
            self.host = host;
        }
        if let Some(port) = env_var("PORT")? {
            self.port = port
                .trim()
                .parse()
                .map_err(|_| ConfigError::InvalidPort(port))?;
        }
        if let Some(path) = env_var("JWT_JWKS_FILE")? {
            self.jwks_file = Some(path.into());
        }
        if let Some(url) = env_var("JWT_JWKS_URL")? {
            self.jwks_url = Some(url);
        }
        if let Some(resource) = env_var("JWT_RESOURCE")? {
            self.resource = Some(resource);
        }
        if let Some(servers) = env_var("JWT_AUTHORIZATION_SERVERS")? {
            self.authorization_servers = servers
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
        }
        Ok(self)
    }

    /// The URL clients use to reach the server, e.g. `http://localhost:7777`
    /// (loopback and unspecified addresses are shown as `localhost`, as in the seed).
    pub fn base_url(&self) -> String {
        let host = match self.host.parse::<IpAddr>() {
            Ok(ip) if ip.is_loopback() || ip.is_unspecified() => "localhost".to_owned(),
            Ok(IpAddr::V6(ip)) => format!("[{ip}]"),
            _ => self.host.clone(),
        };
        format!("http://{host}:{}", self.port)
    }
}

/// Reads one environment variable: `Ok(None)` when unset.
fn env_var(name: &'static str) -> Result<Option<String>, ConfigError> {
    match std::env::var(name) {
        Ok(value) => Ok(Some(value)),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => Err(ConfigError::NotUnicode(name)),
    }
}

/// Why [`Config::from_env`] failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError {
    /// `JWT_VERIFICATION_KEY` is set but empty.
    EmptySecret,
    /// `PORT` is not a port number (the value is kept).
    InvalidPort(String),
    /// The named environment variable is not valid Unicode.
    NotUnicode(&'static str),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::EmptySecret => f.write_str("JWT_VERIFICATION_KEY is set but empty"),
            ConfigError::InvalidPort(port) => write!(f, "PORT is not a port number: {port:?}"),
            ConfigError::NotUnicode(name) => write!(f, "{name} is not valid Unicode"),
        }
    }
}

impl std::error::Error for ConfigError {}

/// The verifier the configuration asks for: the keys of `JWT_JWKS_FILE` and/or
/// `JWT_JWKS_URL` (tokens matched by `kid`; the URL is fetched in the background), or,
/// with neither set, the HS256 secret of the seed. With a URL, call it inside a Tokio
/// runtime.
pub fn verifier(config: &Config) -> Result<JwtVerifier, Box<dyn std::error::Error + Send + Sync>> {
    let mut builder = JwtVerifier::builder();
    if let Some(path) = &config.jwks_file {
        builder = builder.keys(JwksFile::new(path).load()?);
    }
    if let Some(url) = &config.jwks_url {
        builder = builder.jwks(JwksUrl::new(url.as_str()).start()?);
    }
    if config.jwks_file.is_none() && config.jwks_url.is_none() {
        builder = builder.key(VerificationKey::hs256(config.jwt_secret.as_bytes()));
    }
    Ok(builder.build()?)
}
