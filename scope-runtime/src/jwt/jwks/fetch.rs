//! The bounded HTTP GET of a JWKS URL source: hyper's HTTP/1 client over rustls
//! (`aws-lc-rs` provider, the system's root certificates plus any given ones), one overall
//! timeout, a body-size cap enforced while reading, no redirects, no connection pool.

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use http::header::{ACCEPT, CONTENT_LENGTH, USER_AGENT};
use http::uri::Scheme;
use http::{Request, Uri};
use http_body_util::{BodyExt as _, Empty, LengthLimitError, Limited};
use hyper::body::Bytes;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject as _;

use super::JwksError;
use crate::jwt::KeyError;

/// Why one fetch failed (logged, and kept as the source's `last_error`).
#[derive(Debug)]
pub(super) enum FetchError {
    /// No complete answer within the timeout.
    Timeout(Duration),
    /// The answer's status is not 2xx (redirects are not followed).
    Status(u16),
    /// The body (or its announced length) exceeds the cap.
    TooLarge(usize),
    /// Connection, TLS or protocol failure (the error chain's text).
    Transport(String),
    /// The OIDC discovery document is not usable.
    Discovery(&'static str),
    /// The discovery document's `issuer` is not the configured issuer (OpenID Connect
    /// Discovery requires them to be identical).
    IssuerMismatch {
        configured: String,
        /// At most 256 characters of it.
        published: String,
    },
    /// The document is not a usable JWKS.
    Jwks(KeyError),
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Timeout(t) => write!(f, "no complete answer within {t:?}"),
            Self::Status(code) => write!(f, "HTTP status {code}"),
            Self::TooLarge(max) => write!(f, "body larger than {max} bytes"),
            Self::Transport(text) => write!(f, "request failed: {text}"),
            Self::Discovery(why) => write!(f, "unusable OpenID Connect discovery document: {why}"),
            Self::IssuerMismatch {
                configured,
                published,
            } => {
                write!(
                    f,
                    "the discovery document's issuer is {published:?}, not the configured \
                     {configured:?}"
                )?;
                if configured.trim_end_matches('/') == published.trim_end_matches('/') {
                    f.write_str(
                        " (only the trailing `/` differs): configure the issuer exactly as \
                         the provider writes it",
                    )?;
                }
                Ok(())
            }
            Self::Jwks(err) => write!(f, "unusable JWKS: {err}"),
        }
    }
}

/// The text of an error and its sources, e.g. `client error (Connect): tcp connect
/// error: Connection refused (os error 111)`.
fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(err) = source {
        let next = err.to_string();
        if !text.ends_with(&next) {
            text.push_str(": ");
            text.push_str(&next);
        }
        source = err.source();
    }
    text
}

/// `true` for `localhost` and loopback IP literals (`127.0.0.0/8`, `[::1]`).
fn is_loopback(host: &str) -> bool {
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Parses and checks a JWKS / issuer URL: absolute, `https`, or `http` for a loopback
/// host (or any host when `allow_plain_http`), no credentials.
pub(super) fn check_url(text: &str, allow_plain_http: bool) -> Result<Uri, JwksError> {
    let uri: Uri = text
        .parse()
        .map_err(|_| JwksError::InvalidUrl("not a valid URL"))?;
    let authority = uri
        .authority()
        .ok_or(JwksError::InvalidUrl("not an absolute URL with a host"))?;
    if authority.as_str().contains('@') {
        return Err(JwksError::InvalidUrl(
            "credentials in the URL are not supported",
        ));
    }
    if authority.host().is_empty() {
        return Err(JwksError::InvalidUrl("not an absolute URL with a host"));
    }
    match uri.scheme() {
        Some(scheme) if *scheme == Scheme::HTTPS => Ok(uri),
        Some(scheme) if *scheme == Scheme::HTTP => {
            if allow_plain_http || is_loopback(authority.host()) {
                Ok(uri)
            } else {
                Err(JwksError::PlainHttp)
            }
        }
        _ => Err(JwksError::InvalidUrl(
            "the scheme must be https (or http on loopback)",
        )),
    }
}

/// The rustls client configuration: the `aws-lc-rs` provider, safe default protocol
/// versions, the system's roots (when `native_roots`) plus `extra_pem` roots.
pub(super) fn tls_config(
    native_roots: bool,
    extra_pem: &[Vec<u8>],
    need_roots: bool,
) -> Result<rustls::ClientConfig, JwksError> {
    let mut roots = rustls::RootCertStore::empty();
    if native_roots {
        let loaded = rustls_native_certs::load_native_certs();
        for err in &loaded.errors {
            tracing::debug!(error = %err, "loading a system root certificate failed");
        }
        let (added, ignored) = roots.add_parsable_certificates(loaded.certs);
        tracing::debug!(added, ignored, "system root certificates loaded");
    }
    for pem in extra_pem {
        let mut count = 0usize;
        for cert in CertificateDer::pem_slice_iter(pem) {
            let cert = cert.map_err(|_| JwksError::Tls("invalid PEM certificate"))?;
            roots
                .add(cert)
                .map_err(|_| JwksError::Tls("unusable root certificate"))?;
            count += 1;
        }
        if count == 0 {
            return Err(JwksError::Tls("no certificate in the given PEM text"));
        }
    }
    if need_roots && roots.is_empty() {
        return Err(JwksError::Tls(
            "no root certificate: install the system's CA certificates or add one with \
             add_root_certificate_pem",
        ));
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|_| JwksError::Tls("no usable TLS protocol version"))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

/// One HTTP(S) client with the source's limits.
pub(super) struct Fetcher {
    client: Client<HttpsConnector<HttpConnector>, Empty<Bytes>>,
    timeout: Duration,
    max_body_size: usize,
}

impl Fetcher {
    pub(super) fn new(tls: rustls::ClientConfig, timeout: Duration, max_body_size: usize) -> Self {
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .build();
        let client = Client::builder(TokioExecutor::new())
            // A fetch every few minutes gains nothing from keeping connections open.
            .pool_max_idle_per_host(0)
            .build(connector);
        Self {
            client,
            timeout,
            max_body_size,
        }
    }

    /// `GET uri`: the whole body, within the timeout and the size cap.
    pub(super) async fn get(&self, uri: &Uri, accept: &'static str) -> Result<Bytes, FetchError> {
        let request = Request::get(uri.clone())
            .header(ACCEPT, accept)
            .header(
                USER_AGENT,
                concat!("scope-runtime/", env!("CARGO_PKG_VERSION")),
            )
            .body(Empty::new())
            .map_err(|err| FetchError::Transport(chain(&err)))?;
        let max = self.max_body_size;
        let exchange = async {
            let response = self
                .client
                .request(request)
                .await
                .map_err(|err| FetchError::Transport(chain(&err)))?;
            if !response.status().is_success() {
                return Err(FetchError::Status(response.status().as_u16()));
            }
            let announced = response
                .headers()
                .get(CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok());
            if announced.is_some_and(|len| len > max as u64) {
                return Err(FetchError::TooLarge(max));
            }
            // Read at most `max` bytes, chunk by chunk: a larger body is cut off, not
            // buffered.
            match Limited::new(response.into_body(), max).collect().await {
                Ok(collected) => Ok(collected.to_bytes()),
                Err(err) if err.is::<LengthLimitError>() => Err(FetchError::TooLarge(max)),
                Err(err) => Err(FetchError::Transport(chain(&*err))),
            }
        };
        tokio::time::timeout(self.timeout, exchange)
            .await
            .map_err(|_| FetchError::Timeout(self.timeout))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_policy() {
        /// What `check_url` answers, by the kind of error only.
        #[derive(Debug, PartialEq)]
        enum Verdict {
            Usable,
            PlainHttp,
            InvalidUrl,
        }
        let verdict = |url: &str, allow_plain_http: bool| match check_url(url, allow_plain_http) {
            Ok(_) => Verdict::Usable,
            Err(JwksError::PlainHttp) => Verdict::PlainHttp,
            Err(JwksError::InvalidUrl(_)) => Verdict::InvalidUrl,
            Err(other) => panic!("{url}: unexpected {other:?}"),
        };
        let cases = [
            ("https://idp.example.com/jwks", false, Verdict::Usable),
            ("http://127.0.0.1:8080/jwks", false, Verdict::Usable),
            ("http://127.1.2.3/jwks", false, Verdict::Usable),
            ("http://[::1]:8080/jwks", false, Verdict::Usable),
            ("http://localhost/jwks", false, Verdict::Usable),
            ("http://idp.example.com/jwks", false, Verdict::PlainHttp),
            ("http://10.0.0.1/jwks", false, Verdict::PlainHttp),
            ("http://idp.example.com/jwks", true, Verdict::Usable),
            ("ftp://idp.example.com/jwks", true, Verdict::InvalidUrl),
            ("/jwks", false, Verdict::InvalidUrl),
            (
                "https://user:pw@idp.example.com/jwks",
                false,
                Verdict::InvalidUrl,
            ),
            ("not a url", false, Verdict::InvalidUrl),
            // "localhost.evil.example" is not loopback.
            (
                "http://localhost.evil.example/jwks",
                false,
                Verdict::PlainHttp,
            ),
        ];
        for (url, allow_plain_http, expected) in cases {
            assert_eq!(verdict(url, allow_plain_http), expected, "{url}");
        }
    }

    #[test]
    fn extra_roots_must_be_certificates() {
        assert_eq!(
            tls_config(false, &[b"not a pem".to_vec()], true).err(),
            Some(JwksError::Tls("no certificate in the given PEM text"))
        );
        assert!(matches!(
            tls_config(false, &[], true),
            Err(JwksError::Tls(_))
        ));
        assert!(tls_config(false, &[], false).is_ok());
    }
}
