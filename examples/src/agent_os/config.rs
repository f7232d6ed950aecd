//! Where the server's settings come from: the seed's defaults, overridden by the
//! environment, and the verifier those settings ask for.

use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;

use scope_runtime::{JwksFile, JwksUrl, JwtVerifier, RemoteJwks, VerificationKey};
use serde_json::{Value, json};

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
    /// An OpenID Connect issuer whose discovery document names the JWKS; its tokens'
    /// `iss` must be this issuer (`JWT_OIDC_ISSUER`).
    pub oidc_issuer: Option<String>,
    /// The `iss` tokens must carry (`JWT_ISSUER`); when unset, the OIDC issuer's.
    pub issuer: Option<String>,
    /// The audiences of which a token's `aud` must name one (`JWT_AUDIENCE`, a
    /// comma-separated list); empty: tokens must carry no `aud`.
    pub audiences: Vec<String>,
    /// Whether tokens must be RFC 9068 access tokens, `typ: at+jwt`
    /// (`JWT_REQUIRE_AT_JWT=true`).
    pub require_at_jwt: bool,
    /// The resource identifier of this server, the URL clients use for it
    /// (`JWT_RESOURCE`): when set, the RFC 9728 protected-resource metadata document is
    /// served and every challenge points at it.
    pub resource: Option<String>,
    /// The issuer URLs of the authorization servers listed in that document
    /// (`JWT_AUTHORIZATION_SERVERS`, comma-separated); when empty, the issuer tokens
    /// must come from ([`Config::required_issuer`]).
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
            oidc_issuer: None,
            issuer: None,
            audiences: Vec::new(),
            require_at_jwt: false,
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
            .field("oidc_issuer", &self.oidc_issuer)
            .field("issuer", &self.issuer)
            .field("audiences", &self.audiences)
            .field("require_at_jwt", &self.require_at_jwt)
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
    /// `JWT_JWKS_FILE`, `JWT_JWKS_URL`, `JWT_OIDC_ISSUER`, `JWT_ISSUER`, `JWT_AUDIENCE`
    /// (comma-separated, blanks around each trimmed), `JWT_REQUIRE_AT_JWT` (`true` or
    /// `false`), `JWT_RESOURCE`, `JWT_AUTHORIZATION_SERVERS` (a comma-separated list;
    /// empty items are dropped).
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
        if let Some(issuer) = env_var("JWT_OIDC_ISSUER")? {
            self.oidc_issuer = Some(non_empty("JWT_OIDC_ISSUER", issuer)?);
        }
        if let Some(issuer) = env_var("JWT_ISSUER")? {
            self.issuer = Some(non_empty("JWT_ISSUER", issuer)?);
        }
        if let Some(list) = env_var("JWT_AUDIENCE")? {
            self.audiences = list
                .split(',')
                .map(|audience| non_empty("JWT_AUDIENCE", audience.trim().to_owned()))
                .collect::<Result<_, _>>()?;
        }
        if let Some(flag) = env_var("JWT_REQUIRE_AT_JWT")? {
            self.require_at_jwt = match flag.trim() {
                "true" | "1" => true,
                "false" | "0" | "" => false,
                _ => return Err(ConfigError::NotABoolean("JWT_REQUIRE_AT_JWT", flag)),
            };
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

    /// Whether tokens are verified with the HS256 secret (no JWKS file, URL or OIDC
    /// issuer is configured): only then do the printed seed tokens work.
    pub fn uses_secret(&self) -> bool {
        self.jwks_file.is_none() && self.jwks_url.is_none() && self.oidc_issuer.is_none()
    }

    /// The `iss` tokens must carry: `JWT_ISSUER`, else `JWT_OIDC_ISSUER`, else none.
    pub fn required_issuer(&self) -> Option<&str> {
        self.issuer.as_deref().or(self.oidc_issuer.as_deref())
    }

    /// What `GET /config` and the banner say about verification: where the keys come
    /// from and which claims are checked (never the secret).
    pub fn authentication(&self) -> Value {
        let keys = if self.uses_secret() {
            json!({ "hs256_secret": "JWT_VERIFICATION_KEY" })
        } else {
            let mut keys = serde_json::Map::new();
            if let Some(path) = &self.jwks_file {
                keys.insert("jwks_file".into(), json!(path.display().to_string()));
            }
            if let Some(url) = &self.jwks_url {
                keys.insert("jwks_url".into(), json!(url));
            }
            if let Some(issuer) = &self.oidc_issuer {
                keys.insert("oidc_issuer".into(), json!(issuer));
            }
            Value::Object(keys)
        };
        json!({
            "keys": keys,
            "issuer": self.required_issuer(),
            "audience": self.audiences,
            "token_type": if self.require_at_jwt { "at+jwt" } else { "any" },
        })
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
    /// The named environment variable (or an item of its list) is empty.
    Empty(&'static str),
    /// The named environment variable is not `true` or `false` (the value is kept).
    NotABoolean(&'static str, String),
    /// `JWT_ISSUER` and `JWT_OIDC_ISSUER` name different issuers (the discovered keys
    /// belong to the OIDC issuer, so its tokens carry its `iss`).
    IssuerConflict,
}

/// `value`, unless it is empty.
fn non_empty(name: &'static str, value: String) -> Result<String, ConfigError> {
    if value.is_empty() {
        Err(ConfigError::Empty(name))
    } else {
        Ok(value)
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::EmptySecret => f.write_str("JWT_VERIFICATION_KEY is set but empty"),
            ConfigError::InvalidPort(port) => write!(f, "PORT is not a port number: {port:?}"),
            ConfigError::NotUnicode(name) => write!(f, "{name} is not valid Unicode"),
            ConfigError::Empty(name) => write!(f, "{name} is set but empty (or has an empty item)"),
            ConfigError::NotABoolean(name, value) => {
                write!(f, "{name} must be `true` or `false`, not {value:?}")
            }
            ConfigError::IssuerConflict => f.write_str(
                "JWT_ISSUER and JWT_OIDC_ISSUER differ: the discovered keys are the OIDC \
                 issuer's, so set only JWT_OIDC_ISSUER",
            ),
        }
    }
}

impl std::error::Error for ConfigError {}

/// The verifier the configuration asks for (see [`verifier_and_sources`]).
pub fn verifier(config: &Config) -> Result<JwtVerifier, Box<dyn std::error::Error + Send + Sync>> {
    Ok(verifier_and_sources(config)?.0)
}

/// The verifier the configuration asks for, and the JWKS URL sources it started: the
/// keys of `JWT_JWKS_FILE`, `JWT_JWKS_URL` and `JWT_OIDC_ISSUER`'s discovery (tokens
/// matched by `kid`; URLs fetched in the background), or, with none set, the HS256
/// secret of the seed; the issuer ([`Config::required_issuer`]), audiences and token
/// type required as configured. With a URL or an OIDC issuer, call it inside a Tokio
/// runtime.
pub fn verifier_and_sources(
    config: &Config,
) -> Result<(JwtVerifier, Vec<RemoteJwks>), Box<dyn std::error::Error + Send + Sync>> {
    if let (Some(issuer), Some(oidc)) = (&config.issuer, &config.oidc_issuer)
        && issuer != oidc
    {
        return Err(ConfigError::IssuerConflict.into());
    }
    let mut builder = JwtVerifier::builder();
    let mut sources = Vec::new();
    if let Some(path) = &config.jwks_file {
        builder = builder.keys(JwksFile::new(path).load()?);
    }
    if let Some(url) = &config.jwks_url {
        sources.push(JwksUrl::new(url.as_str()).start()?);
    }
    if let Some(issuer) = &config.oidc_issuer {
        sources.push(JwksUrl::from_issuer(issuer.as_str()).start()?);
    }
    for source in &sources {
        builder = builder.jwks(source.clone());
    }
    if config.uses_secret() {
        builder = builder.key(VerificationKey::hs256(config.jwt_secret.as_bytes()));
    }
    if let Some(issuer) = config.required_issuer() {
        builder = builder.issuer(issuer);
    }
    for audience in &config.audiences {
        builder = builder.audience(audience.as_str());
    }
    builder = builder.require_access_token_type(config.require_at_jwt);
    Ok((builder.build()?, sources))
}
