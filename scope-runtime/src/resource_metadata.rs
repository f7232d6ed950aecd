//! OAuth 2.0 Protected Resource Metadata (RFC 9728): the document that tells a client
//! (an MCP client, typically) which authorization servers issue tokens for this
//! resource and which scopes it knows, and the router that serves it.

use std::fmt;

use axum::Router;
use axum::body::Bytes;
use axum::routing::get;
use http::HeaderValue;
use http::header::{ACCESS_CONTROL_ALLOW_ORIGIN, CONTENT_TYPE};
use scope_grammar::{is_pchar, is_unreserved_or_sub_delim};
use serde::Serialize;

use crate::policy::Policy;

/// The well-known URI suffix of the document (RFC 9728 §3).
pub const WELL_KNOWN_PATH: &str = "/.well-known/oauth-protected-resource";

/// The bearer-token methods a [`ScopeLayer`](crate::ScopeLayer) accepts, in the
/// registered names of RFC 9728: the `Authorization` header only. (The optional cookie
/// source has no registered name, and form-body and query tokens are never read.)
const BEARER_METHODS: &[&str] = &["header"];

/// An RFC 9728 protected-resource metadata document, and where it is served.
///
/// Built with [`ProtectedResourceMetadata::builder`] from the resource identifier (the
/// URL clients use for this service). Merge [`router`](Self::router) into the
/// application, and give the document to
/// [`ScopeLayer::resource_metadata`](crate::ScopeLayer::resource_metadata) so that every
/// challenge points the client at [`metadata_url`](Self::metadata_url):
///
/// ```
/// use axum::Router;
/// use scope_runtime::{
///     scopes, JwtVerifier, Policy, ProtectedResourceMetadata, ScopeLayer, VerificationKey,
/// };
///
/// static POLICY: Policy = scopes! {
///     "POST /mcp" => ["mcp:tools"],
///     "GET /agents/{agent_id}" => any["agents:read", "agents:{agent_id}:read"],
/// };
///
/// let metadata = ProtectedResourceMetadata::builder("https://api.example.com/mcp")
///     .authorization_server("https://idp.example.com")
///     .scopes_from(&POLICY)
///     .resource_name("Agents API")
///     .build()?;
/// assert_eq!(
///     metadata.metadata_url(),
///     "https://api.example.com/.well-known/oauth-protected-resource/mcp",
/// );
/// assert_eq!(metadata.scopes_supported(), ["mcp:tools", "agents:read", "agents:*:read"]);
///
/// let verifier = JwtVerifier::builder()
///     .key(VerificationKey::hs256(b"your-secret-key-at-least-256-bits-long"))
///     .build()?;
/// let app: Router = Router::new()
///     .route("/mcp", axum::routing::post(|| async { "{}" }))
///     .merge(metadata.router()) // the one line; before `.layer(..)`
///     .layer(ScopeLayer::new(verifier, POLICY).resource_metadata(&metadata));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// The document, as served (`application/json`):
///
/// | member | value |
/// | --- | --- |
/// | `resource` | the resource identifier, exactly as given |
/// | `authorization_servers` | the issuer URLs given, in order (left out when none) |
/// | `scopes_supported` | see [`scopes_from`](ProtectedResourceMetadataBuilder::scopes_from) (left out when empty) |
/// | `bearer_methods_supported` | `["header"]` |
/// | `resource_name`, `resource_documentation` | when given |
///
/// **Mounting.** Merge [`router`](Self::router) into the application *before* the
/// layer is applied, and give the layer the document with
/// [`ScopeLayer::resource_metadata`](crate::ScopeLayer::resource_metadata): the layer
/// then lets `GET`/`HEAD` of exactly [`well_known_path`](Self::well_known_path) through
/// without a token, whatever the policy says, while the fallback and every other route
/// stay guarded. The same holds when the layer wraps the whole router as one service.
/// (Merging it *after* `.layer(..)` also leaves it public, but when the application has
/// no fallback of its own, axum's merge then keeps the document router's unguarded
/// default fallback: unknown paths would answer 404 to anonymous callers instead of the
/// layer's 401.)
#[derive(Clone, Serialize)]
pub struct ProtectedResourceMetadata {
    resource: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    authorization_servers: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    scopes_supported: Vec<String>,
    bearer_methods_supported: &'static [&'static str],
    #[serde(skip_serializing_if = "Option::is_none")]
    resource_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    resource_documentation: Option<String>,
    #[serde(skip)]
    metadata_url: String,
    #[serde(skip)]
    well_known_path: String,
}

impl ProtectedResourceMetadata {
    /// Starts a document for the resource identifier `resource`: an absolute `https://`
    /// URL (`http://` only for `localhost` and loopback addresses), without a fragment or
    /// a query. Checked by [`build`](ProtectedResourceMetadataBuilder::build).
    pub fn builder(resource: impl Into<String>) -> ProtectedResourceMetadataBuilder {
        ProtectedResourceMetadataBuilder {
            resource: resource.into(),
            authorization_servers: Vec::new(),
            scopes_supported: Vec::new(),
            resource_name: None,
            resource_documentation: None,
        }
    }

    /// The resource identifier (`resource`).
    pub fn resource(&self) -> &str {
        &self.resource
    }

    /// The issuer URLs of the authorization servers (`authorization_servers`).
    pub fn authorization_servers(&self) -> &[String] {
        &self.authorization_servers
    }

    /// The scopes listed (`scopes_supported`).
    pub fn scopes_supported(&self) -> &[String] {
        &self.scopes_supported
    }

    /// The bearer-token methods listed (`bearer_methods_supported`): `["header"]`.
    pub fn bearer_methods_supported(&self) -> &[&'static str] {
        self.bearer_methods_supported
    }

    /// The absolute URL the document is served at (RFC 9728 §3.1): the well-known suffix
    /// inserted between the authority and the path of the resource identifier, e.g.
    /// `https://api.example.com/.well-known/oauth-protected-resource/mcp` for
    /// `https://api.example.com/mcp`. This is the `resource_metadata` of the challenges.
    pub fn metadata_url(&self) -> &str {
        &self.metadata_url
    }

    /// The path [`router`](Self::router) serves the document at, e.g.
    /// `/.well-known/oauth-protected-resource/mcp`.
    pub fn well_known_path(&self) -> &str {
        &self.well_known_path
    }

    /// The document as JSON text.
    pub fn to_json(&self) -> String {
        // Strings, string lists and options only: serialising cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// A router serving `GET` (and `HEAD`) [`well_known_path`](Self::well_known_path)
    /// with the document as `application/json`, for `Router::merge`. The body is
    /// serialised once, here. It also sends `Access-Control-Allow-Origin: *`: the
    /// document is public, and browser-based clients read it cross-origin.
    pub fn router<S>(&self) -> Router<S>
    where
        S: Clone + Send + Sync + 'static,
    {
        let body = Bytes::from(self.to_json());
        Router::new().route(
            &self.well_known_path,
            get(move || {
                let body = body.clone();
                async move {
                    (
                        [
                            (CONTENT_TYPE, HeaderValue::from_static("application/json")),
                            (ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*")),
                        ],
                        body,
                    )
                }
            }),
        )
    }
}

impl fmt::Debug for ProtectedResourceMetadata {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProtectedResourceMetadata")
            .field("resource", &self.resource)
            .field("authorization_servers", &self.authorization_servers)
            .field("scopes_supported", &self.scopes_supported)
            .field("metadata_url", &self.metadata_url)
            .finish_non_exhaustive()
    }
}

/// The builder of a [`ProtectedResourceMetadata`].
#[derive(Clone, Debug)]
#[must_use = "call `build` to get the document"]
pub struct ProtectedResourceMetadataBuilder {
    resource: String,
    authorization_servers: Vec<String>,
    scopes_supported: Vec<String>,
    resource_name: Option<String>,
    resource_documentation: Option<String>,
}

impl ProtectedResourceMetadataBuilder {
    /// Adds the issuer URL of an authorization server whose tokens the resource accepts
    /// (the `iss` the verifier requires, or the OpenID Connect issuer it discovers keys
    /// from). Checked like the resource identifier: an issuer has no query or fragment
    /// either (RFC 8414 §2).
    pub fn authorization_server(mut self, issuer: impl Into<String>) -> Self {
        self.authorization_servers.push(issuer.into());
        self
    }

    /// Adds the scopes `policy` names, in declaration order, each once:
    ///
    /// * a fixed scope as written;
    /// * a scope template in its wildcard form, every `{capture}` replaced by `*`
    ///   (`agents:{agent_id}:run` → `agents:*:run`): the template itself is no scope a
    ///   client can ask for, and one filled with a value stands for one resource among
    ///   unknown many, while the wildcard form is the one scope that passes the rule for
    ///   every value;
    /// * `public` and `[]` rules name none.
    ///
    /// The layer's admin scope is not added (the admin scope is the layer's, not the
    /// policy's): MCP clients ask for every scope listed when a challenge names none,
    /// and the bypass is not one to hand out that way. Add scopes of your own with
    /// [`scope`](Self::scope).
    pub fn scopes_from(mut self, policy: &Policy) -> Self {
        for rule in policy.rules() {
            for scope in rule.requirement().scopes() {
                let listed = if scope.is_template() {
                    wildcard_form(scope.as_str())
                } else {
                    scope.as_str().to_owned()
                };
                self = self.scope(listed);
            }
        }
        self
    }

    /// Adds one scope to `scopes_supported` (nothing when it is already listed).
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        let scope = scope.into();
        if !self.scopes_supported.contains(&scope) {
            self.scopes_supported.push(scope);
        }
        self
    }

    /// A human-readable name of the resource (`resource_name`).
    pub fn resource_name(mut self, name: impl Into<String>) -> Self {
        self.resource_name = Some(name.into());
        self
    }

    /// The URL of the resource's documentation for developers
    /// (`resource_documentation`).
    pub fn resource_documentation(mut self, url: impl Into<String>) -> Self {
        self.resource_documentation = Some(url.into());
        self
    }

    /// The document, once the resource identifier and every authorization server are
    /// checked ([`ResourceMetadataError`] names the first one that is not acceptable).
    pub fn build(self) -> Result<ProtectedResourceMetadata, ResourceMetadataError> {
        let (origin, path) =
            split_url(&self.resource).map_err(|problem| ResourceMetadataError::Resource {
                url: self.resource.clone(),
                problem,
            })?;
        for issuer in &self.authorization_servers {
            split_url(issuer).map_err(|problem| ResourceMetadataError::AuthorizationServer {
                url: issuer.clone(),
                problem,
            })?;
        }
        // Only the slash that is the whole path goes: `https://a.example/` is served at
        // the bare well-known path, `https://a.example/mcp/` at `.../mcp/`.
        let suffix = if path == "/" { "" } else { path };
        let well_known_path = format!("{WELL_KNOWN_PATH}{suffix}");
        Ok(ProtectedResourceMetadata {
            metadata_url: format!("{origin}{well_known_path}"),
            well_known_path,
            resource: self.resource,
            authorization_servers: self.authorization_servers,
            scopes_supported: self.scopes_supported,
            bearer_methods_supported: BEARER_METHODS,
            resource_name: self.resource_name,
            resource_documentation: self.resource_documentation,
        })
    }
}

/// `agents:{agent_id}:run` → `agents:*:run`.
fn wildcard_form(template: &str) -> String {
    let mut out = String::with_capacity(template.len());
    let mut in_capture = false;
    for c in template.chars() {
        match c {
            '{' => {
                in_capture = true;
                out.push('*');
            }
            '}' => in_capture = false,
            _ if !in_capture => out.push(c),
            _ => {}
        }
    }
    out
}

/// Splits an acceptable URL into its origin (`scheme://authority`) and its path (empty
/// or starting with `/`), or says what makes it unacceptable.
fn split_url(url: &str) -> Result<(&str, &str), UrlProblem> {
    let (scheme, rest) = url.split_once("://").ok_or(UrlProblem::NotAbsolute)?;
    let https = match scheme {
        "https" => true,
        "http" => false,
        _ => return Err(UrlProblem::Scheme),
    };
    if url.contains('#') {
        return Err(UrlProblem::Fragment);
    }
    if url.contains('?') {
        return Err(UrlProblem::Query);
    }
    let authority_len = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_len);
    if authority.is_empty() {
        return Err(UrlProblem::NoHost);
    }
    if authority.contains('@') {
        return Err(UrlProblem::UserInfo);
    }
    if !authority.bytes().all(is_authority_byte) {
        return Err(UrlProblem::Character);
    }
    let host = host_of(authority)?;
    if !https && !is_loopback(host) {
        return Err(UrlProblem::PlainHttp);
    }
    if !is_path(path) {
        return Err(UrlProblem::Character);
    }
    // The layer lets the well-known path through by exact match, after its path guard:
    // a spelling the guard refuses, or that the router reads otherwise, could never be
    // served.
    if path.contains('%')
        || path.split('/').skip(1).any(|s| matches!(s, "." | ".."))
        || path.contains("//")
    {
        return Err(UrlProblem::Path);
    }
    Ok((&url[..scheme.len() + 3 + authority_len], path))
}

/// The host of `host[:port]` or `[v6][:port]`.
fn host_of(authority: &str) -> Result<&str, UrlProblem> {
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let end = v6.find(']').ok_or(UrlProblem::NoHost)?;
        (&authority[..end + 2], &v6[end + 1..])
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host, port),
            None => (authority, ""),
        }
    };
    if host.is_empty() {
        return Err(UrlProblem::NoHost);
    }
    let port = port.strip_prefix(':').unwrap_or(port);
    if !port.bytes().all(|b| b.is_ascii_digit()) || (port.is_empty() && authority.ends_with(':')) {
        return Err(UrlProblem::Port);
    }
    Ok(host)
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host == "[::1]"
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// RFC 3986 `reg-name`, IP literals and a port: unreserved, sub-delims, `%`, `:`, `[`,
/// `]`.
fn is_authority_byte(b: u8) -> bool {
    is_unreserved_or_sub_delim(b) || matches!(b, b'%' | b':' | b'[' | b']')
}

/// An RFC 3986 `path-abempty` of `pchar`s. Braces are not among them, so the path is
/// also a literal axum route (no capture can sneak in).
fn is_path(path: &str) -> bool {
    (path.is_empty() || path.starts_with('/'))
        && path
            .bytes()
            .all(|b| is_pchar(b) || matches!(b, b'/' | b'%'))
}

/// Why a URL given to [`ProtectedResourceMetadataBuilder`] was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum UrlProblem {
    /// Not an absolute URL (`scheme://host...`).
    NotAbsolute,
    /// A scheme other than `https` (or `http`).
    Scheme,
    /// `http://` for a host that is not `localhost` or a loopback address.
    PlainHttp,
    /// A fragment (`#...`): RFC 9728 forbids one.
    Fragment,
    /// A query (`?...`): the well-known URL is served by path, so a query could not be
    /// told apart.
    Query,
    /// No host.
    NoHost,
    /// A port that is not a number.
    Port,
    /// User information (`user@host`).
    UserInfo,
    /// A character a URL may not hold there (space, non-ASCII, braces, ...).
    Character,
    /// A path with a percent-escape, an empty segment (`//`) or a dot segment (`.`,
    /// `..`): spellings that request paths are refused for or read otherwise.
    Path,
}

impl fmt::Display for UrlProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            UrlProblem::NotAbsolute => "is not an absolute URL",
            UrlProblem::Scheme => "does not use the https scheme (`https://`, lower case)",
            UrlProblem::PlainHttp => "uses http for a host that is not loopback (use https)",
            UrlProblem::Fragment => "has a fragment",
            UrlProblem::Query => "has a query",
            UrlProblem::NoHost => "has no host",
            UrlProblem::Port => "has a port that is not a number",
            UrlProblem::UserInfo => "has user information",
            UrlProblem::Character => "holds a character a URL may not hold there",
            UrlProblem::Path => {
                "has a percent-escape, an empty segment or a dot segment in its path"
            }
        })
    }
}

/// Why [`ProtectedResourceMetadataBuilder::build`] refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ResourceMetadataError {
    /// The resource identifier is not acceptable.
    #[error("the resource identifier {url:?} {problem}")]
    Resource {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        problem: UrlProblem,
    },
    /// An authorization server's issuer URL is not acceptable.
    #[error("the authorization server {url:?} {problem}")]
    AuthorizationServer {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        problem: UrlProblem,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(resource: &str) -> Result<ProtectedResourceMetadata, ResourceMetadataError> {
        ProtectedResourceMetadata::builder(resource).build()
    }

    fn problem(resource: &str) -> UrlProblem {
        match build(resource) {
            Err(ResourceMetadataError::Resource { problem, .. }) => problem,
            other => panic!("{resource}: {other:?}"),
        }
    }

    #[test]
    fn well_known_urls() {
        for (resource, url) in [
            (
                "https://api.example.com",
                "https://api.example.com/.well-known/oauth-protected-resource",
            ),
            (
                "https://api.example.com/",
                "https://api.example.com/.well-known/oauth-protected-resource",
            ),
            (
                "https://api.example.com/mcp",
                "https://api.example.com/.well-known/oauth-protected-resource/mcp",
            ),
            (
                "https://api.example.com:8443/v1/mcp/",
                "https://api.example.com:8443/.well-known/oauth-protected-resource/v1/mcp/",
            ),
            (
                "http://localhost:7777",
                "http://localhost:7777/.well-known/oauth-protected-resource",
            ),
            (
                "http://127.0.0.1:7777/mcp",
                "http://127.0.0.1:7777/.well-known/oauth-protected-resource/mcp",
            ),
            (
                "http://[::1]:7777",
                "http://[::1]:7777/.well-known/oauth-protected-resource",
            ),
        ] {
            let metadata = build(resource).expect(resource);
            assert_eq!(metadata.metadata_url(), url, "{resource}");
            assert_eq!(metadata.resource(), resource);
            assert!(url.ends_with(metadata.well_known_path()));
        }
    }

    #[test]
    fn unacceptable_resource_identifiers() {
        for (resource, expected) in [
            ("api.example.com/mcp", UrlProblem::NotAbsolute),
            ("/mcp", UrlProblem::NotAbsolute),
            ("", UrlProblem::NotAbsolute),
            ("ftp://api.example.com", UrlProblem::Scheme),
            ("HTTPS://api.example.com", UrlProblem::Scheme),
            ("http://api.example.com/mcp", UrlProblem::PlainHttp),
            ("http://10.0.0.1/mcp", UrlProblem::PlainHttp),
            ("https://api.example.com/mcp#top", UrlProblem::Fragment),
            ("https://api.example.com/#", UrlProblem::Fragment),
            ("https://api.example.com/mcp?tenant=a", UrlProblem::Query),
            ("https:///mcp", UrlProblem::NoHost),
            ("https://:443/mcp", UrlProblem::NoHost),
            ("https://user@api.example.com", UrlProblem::UserInfo),
            ("https://api.example.com/a b", UrlProblem::Character),
            ("https://api.example.com/{id}", UrlProblem::Character),
            ("https://api.example.com/caf\u{e9}", UrlProblem::Character),
            ("https://api.example.com/\"", UrlProblem::Character),
            ("https://api.example.com/a%20b", UrlProblem::Path),
            ("https://api.example.com/a//b", UrlProblem::Path),
            ("https://api.example.com/a/../b", UrlProblem::Path),
            ("https://api.example.com/./b", UrlProblem::Path),
            ("https://api.example.com:port", UrlProblem::Port),
            ("https://api.example.com:/", UrlProblem::Port),
            ("https://[::1/", UrlProblem::NoHost),
        ] {
            assert_eq!(problem(resource), expected, "{resource:?}");
        }
        let error = build("http://api.example.com/mcp").unwrap_err();
        assert_eq!(
            error.to_string(),
            "the resource identifier \"http://api.example.com/mcp\" uses http for a host \
             that is not loopback (use https)"
        );
    }

    #[test]
    fn unacceptable_authorization_servers() {
        let error = ProtectedResourceMetadata::builder("https://api.example.com")
            .authorization_server("https://idp.example.com")
            .authorization_server("https://idp.example.com#x")
            .build()
            .unwrap_err();
        assert_eq!(
            error,
            ResourceMetadataError::AuthorizationServer {
                url: "https://idp.example.com#x".into(),
                problem: UrlProblem::Fragment,
            }
        );
    }

    #[test]
    fn wildcard_forms() {
        assert_eq!(wildcard_form("agents:{agent_id}:run"), "agents:*:run");
        assert_eq!(wildcard_form("{a}:{b}"), "*:*");
        assert_eq!(wildcard_form("t:{a}x"), "t:*x");
    }
}
