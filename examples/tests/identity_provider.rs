//! `agent_os` configured by its environment alone against an OpenID provider on
//! loopback (discovery document and JWKS served by this test, RS256/PS256 access tokens
//! as providers issue them: `typ: at+jwt`, `scope` a string, `aud` the resource, the
//! RSA key published without `alg`). The real binary is run, as a user runs it.

use std::process::Stdio;
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode, get_current_timestamp};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

const FIXTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../scope-runtime/tests/fixtures"
);
const AUDIENCE: &str = "urn:agent-os";

fn rsa_key() -> EncodingKey {
    let pem = std::fs::read_to_string(format!("{FIXTURES}/rsa_private.pem")).expect("fixture");
    EncodingKey::from_rsa_pem(pem.as_bytes()).expect("rsa")
}

/// The provider's public key as it publishes it: no `alg`.
fn rsa_jwk() -> Value {
    use jsonwebtoken::jwk::{AlgorithmParameters, Jwk};
    let jwk = Jwk::from_encoding_key(&rsa_key(), Algorithm::RS256).expect("jwk");
    let AlgorithmParameters::RSA(params) = jwk.algorithm else {
        unreachable!("an RSA key")
    };
    json!({"kty": "RSA", "use": "sig", "kid": "idp-1", "n": params.n, "e": params.e})
}

/// An OpenID provider's two documents on loopback; returns its issuer (no trailing `/`).
async fn provider() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let issuer = format!("http://{}", listener.local_addr().expect("addr"));
    let discovery = json!({
        "issuer": issuer,
        "jwks_uri": format!("{issuer}/jwks"),
        "token_endpoint": format!("{issuer}/token"),
    });
    let jwks = json!({ "keys": [rsa_jwk()] });
    let app = Router::new()
        .route(
            "/.well-known/openid-configuration",
            get(move || async move { axum::Json(discovery) }),
        )
        .route("/jwks", get(move || async move { axum::Json(jwks) }));
    tokio::spawn(async move { axum::serve(listener, app).await });
    issuer
}

/// An access token of `issuer` as providers issue them.
fn access_token(issuer: &str, alg: Algorithm, typ: &str, aud: &str, scope: &str) -> String {
    let mut header = Header::new(alg);
    header.typ = Some(typ.to_owned());
    header.kid = Some("idp-1".to_owned());
    let now = get_current_timestamp();
    let claims = json!({
        "iss": issuer, "sub": "client-1", "aud": aud, "scope": scope,
        "iat": now, "exp": now + 600, "client_id": "client-1", "jti": "j1",
    });
    encode(&header, &claims, &rsa_key()).expect("mint")
}

/// The `agent_os` binary under `env` (and nothing inherited of `JWT_*`), with what it
/// printed on stdout and its log lines on stderr until it listens; `None` for the
/// address if it exited first.
struct Server {
    child: Child,
    url: Option<String>,
    stdout: String,
    log: Vec<String>,
}

async fn start(env: &[(&str, &str)]) -> Server {
    let mut command = Command::new(env!("CARGO_BIN_EXE_agent_os"));
    for (name, _) in std::env::vars() {
        if name.starts_with("JWT_") {
            command.env_remove(name);
        }
    }
    command
        .env("HOST", "127.0.0.1")
        .env("PORT", "0")
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let mut child = command.spawn().expect("agent_os runs");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr")).lines();
    let mut log = Vec::new();
    let mut url = None;
    let read = async {
        while let Ok(Some(line)) = stderr.next_line().await {
            let plain = strip_ansi(&line);
            if let Some(at) = plain.find("address=") {
                let address = plain[at + "address=".len()..].split_whitespace().next();
                url = address.map(|a| format!("http://{a}"));
                log.push(plain);
                break;
            }
            log.push(plain);
        }
    };
    tokio::time::timeout(Duration::from_secs(20), read)
        .await
        .expect("agent_os starts within 20 s");
    // Keep draining its log, so that it never writes into a closed pipe.
    tokio::spawn(async move {
        while let Ok(Some(line)) = stderr.next_line().await {
            eprintln!("agent_os: {line}");
        }
    });
    // The banner is printed before the server listens: it is all in the pipe.
    let mut stdout = String::new();
    if let Some(mut out) = child.stdout.take() {
        use tokio::io::AsyncReadExt as _;
        let mut buf = vec![0u8; 64 * 1024];
        let read = tokio::time::timeout(Duration::from_millis(500), out.read(&mut buf)).await;
        if let Ok(Ok(n)) = read {
            stdout = String::from_utf8_lossy(&buf[..n]).into_owned();
        }
        tokio::spawn(async move { while matches!(out.read(&mut buf).await, Ok(1..)) {} });
    }
    Server {
        child,
        url,
        stdout,
        log,
    }
}

fn strip_ansi(line: &str) -> String {
    let mut out = String::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

async fn call(method: &str, url: &str, token: Option<&str>) -> (u16, Value) {
    let client = reqwest::Client::new();
    let mut request = match method {
        "POST" => client.post(url).form(&[("message", "Search for news")]),
        _ => client.get(url),
    };
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("answer");
    let status = response.status().as_u16();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body)
}

#[tokio::test]
async fn the_walkthrough_holds_with_a_providers_access_tokens_configured_by_environment() {
    let issuer = provider().await;
    let server = start(&[
        ("JWT_OIDC_ISSUER", issuer.as_str()),
        ("JWT_AUDIENCE", "https://other.example, urn:agent-os"),
        ("JWT_REQUIRE_AT_JWT", "true"),
        ("JWT_RESOURCE", "http://localhost:7777"),
    ])
    .await;
    let url = server.url.clone().expect("agent_os listens");
    // RFC 9728: the document names the provider as the authorization server (no
    // `JWT_AUTHORIZATION_SERVERS` needed), and challenges point at it.
    let metadata: Value = reqwest::get(format!("{url}/.well-known/oauth-protected-resource"))
        .await
        .expect("answer")
        .json()
        .await
        .expect("json");
    assert_eq!(metadata["resource"], json!("http://localhost:7777"));
    assert_eq!(metadata["authorization_servers"], json!([issuer]));
    let anonymous = reqwest::get(format!("{url}/agents")).await.expect("answer");
    assert_eq!(
        anonymous.headers()["www-authenticate"],
        "Bearer resource_metadata=\"http://localhost:7777/.well-known/oauth-protected-resource\""
    );
    assert!(
        server
            .log
            .iter()
            .any(|l| l.contains("JWKS keys loaded") && l.contains("idp-1")),
        "{:?}",
        server.log
    );
    // The banner says what is checked, and prints no token that would be refused.
    assert!(!server.stdout.contains("eyJ"), "{}", server.stdout);
    assert!(
        server.stdout.contains(&format!("issuer:     {issuer}")),
        "{}",
        server.stdout
    );
    assert!(
        server.stdout.contains("token type: at+jwt required"),
        "{}",
        server.stdout
    );

    let token = |alg, scope| access_token(&issuer, alg, "at+jwt", AUDIENCE, scope);
    let basic = token(Algorithm::PS256, "app:read");
    let power = token(Algorithm::RS256, "app:read app:run app:execute");
    let admin = token(Algorithm::PS512, "app:admin app:read app:run app:execute");
    let superadmin = token(Algorithm::RS384, "app:superadmin");
    let runs = format!("{url}/agents/research-agent/runs");
    for (method, path, token, expected) in [
        ("GET", format!("{url}/agents"), Some(&basic), 200),
        ("POST", runs.clone(), Some(&basic), 403),
        ("POST", runs.clone(), Some(&power), 200),
        ("GET", format!("{url}/sessions"), Some(&basic), 403),
        ("GET", format!("{url}/sessions"), Some(&admin), 200),
        ("GET", format!("{url}/config"), Some(&superadmin), 200),
        ("GET", format!("{url}/agents"), None, 401),
    ] {
        let (status, body) = call(method, &path, token.map(String::as_str)).await;
        assert_eq!(status, expected, "{method} {path}: {body}");
    }
    // `/config` tells the truth about verification.
    let (_, config) = call("GET", &format!("{url}/config"), Some(&superadmin)).await;
    assert_eq!(
        config["authentication"],
        json!({
            "keys": {"oidc_issuer": issuer},
            "issuer": issuer,
            "audience": ["https://other.example", "urn:agent-os"],
            "token_type": "at+jwt",
        })
    );
    assert!(!config.to_string().contains("HS256"), "{config}");

    // What the environment requires is enforced.
    for (token, detail) in [
        (
            access_token(&issuer, Algorithm::RS256, "JWT", AUDIENCE, "app:read"),
            "Invalid token: token type is not at+jwt",
        ),
        (
            access_token(&issuer, Algorithm::RS256, "at+jwt", "urn:else", "app:read"),
            "Invalid token: audience mismatch",
        ),
        (
            access_token(
                &format!("{issuer}/"),
                Algorithm::RS256,
                "at+jwt",
                AUDIENCE,
                "app:read",
            ),
            "Invalid token: issuer mismatch",
        ),
    ] {
        let (status, body) = call("GET", &format!("{url}/agents"), Some(&token)).await;
        assert_eq!((status, &body["detail"]), (401, &json!(detail)));
    }
    drop(server.child);
}

/// Each mistake a user makes pointing `agent_os` at a provider is named in one line at
/// start, and the server still starts.
#[tokio::test]
async fn configuration_mistakes_are_named_at_start() {
    let issuer = provider().await;
    let with_slash = format!("{issuer}/");
    let discovery_url = format!("{issuer}/.well-known/openid-configuration");
    for (env, expected) in [
        (
            [("JWT_OIDC_ISSUER", with_slash.as_str())],
            "only the trailing `/` differs",
        ),
        (
            [("JWT_JWKS_URL", discovery_url.as_str())],
            "this is an OpenID Connect discovery document, not a JWKS: use its `jwks_uri`",
        ),
    ] {
        let server = start(&env).await;
        assert!(
            server.url.is_some(),
            "the server starts anyway: {:?}",
            server.log
        );
        let named: Vec<&String> = server
            .log
            .iter()
            .filter(|l| l.contains("ERROR") && l.contains(expected))
            .collect();
        assert_eq!(named.len(), 1, "{env:?}: {:?}", server.log);
    }
}

/// A key no algorithm can use stops the server at start with one line that names it.
#[tokio::test]
async fn an_unusable_key_stops_the_start_with_one_line() {
    let dir = std::env::temp_dir().join(format!("agent-os-bad-jwks-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("jwks.json");
    let jwks =
        json!({"keys": [{"kty": "EC", "crv": "P-256", "kid": "bad", "x": "AAAA", "y": "AAAA"}]});
    std::fs::write(&path, jwks.to_string()).expect("write");
    let server = start(&[("JWT_JWKS_FILE", path.to_str().expect("utf-8 path"))]).await;
    assert_eq!(server.url, None, "it does not start: {:?}", server.log);
    let errors: Vec<&String> = server.log.iter().filter(|l| l.contains("ERROR")).collect();
    assert_eq!(errors.len(), 1, "{:?}", server.log);
    assert!(
        errors[0].contains(
            "cannot start: invalid JWKS: the JWKS key kid \"bad\": invalid key: EC public key \
             not on the algorithm's curve"
        ),
        "{errors:?}"
    );
}
