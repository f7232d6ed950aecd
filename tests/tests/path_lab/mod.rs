//! The lab shared by the path-confusion property (`tests/tests/path_confusion_property.rs`)
//! and its fuzz target (`fuzz/fuzz_targets/path_confusion.rs`): a real axum router over a
//! fixed pool of routes (captures, catch-alls, a trailing slash, `nest`, `nest_service`
//! of a router and of `ServeDir`), fixed policies over those routes, tokens, raw path
//! mutations, and the oracle.
//!
//! The oracle never looks at the request path. It takes what the serving code actually
//! received (the handler's route and its `Path` values, or the file `ServeDir` sent),
//! rebuilds the one canonical full path of that resource, asks the reference matcher of
//! `scope-grammar` which rule governs it, and checks that the caller satisfied it.
//!
//! A capture handler can be reached with values whose canonical spelling the router
//! serves elsewhere: axum compares raw bytes, so `/api/users/%6De` reaches `{id}` with
//! `me` while `/api/users/me` is a literal route of its own. The oracle therefore sends
//! the canonical path through the same router without the layer; when another route (or
//! nothing) serves it, the rule is that of the handler's own route for values no literal
//! names, not the rule of the literal route that the canonical path spells.
// The proptest and the fuzz target each use a part of the lab.
#![allow(dead_code)]

use scope_runtime::__private::fixed as scope;
use std::collections::HashMap;
use std::convert::Infallible;
use std::fmt;
use std::future::{Ready, ready};
use std::path::PathBuf;
use std::sync::mpsc::{Sender, channel};
use std::sync::{Mutex, OnceLock};

use axum::Extension;
use axum::Router;
use axum::body::Body;
use axum::extract::Path;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, MethodRouter, get, post};
use http::header::{AUTHORIZATION, CONTENT_LENGTH};
use http::{Method, Request, StatusCode, Uri};
use http_body_util::BodyExt;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use scope_grammar::{OTHER_SLOT, RouteKey, reference_lookup, slot_of};
use scope_runtime::{
    JwtVerifier, Policy, Requirement, Rule, ScopeLayer, Unmapped, VerificationKey, scopes,
};
use tower::{Layer as _, ServiceExt as _};

// ------------------------------------------------------------------------ keys, tokens

/// The HS256 secret of the lab's verifier.
pub(crate) const SECRET: &str = "path-confusion-secret-that-is-at-least-256-bits-long";
/// Tokens signed with this one are forgeries.
const OTHER_SECRET: &str = "attacker-secret-that-is-at-least-256-bits-long!!";
/// The layer's admin scope.
pub(crate) const ADMIN_SCOPE: &str = "admin";
/// The scopes a token may hold (`c` is named by no rule: a distractor).
pub(crate) const SCOPES: [&str; 3] = ["a", "b", "c"];

/// What the request carries in `Authorization`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Token {
    /// No `Authorization` header.
    Missing,
    /// `Bearer` followed by something that is not a JWT.
    Garbage,
    /// A well-formed token signed with another secret.
    Forged,
    /// A valid token holding the scopes of [`SCOPES`] whose bits are set (bit 0 = `a`).
    Scopes(u8),
    /// A valid token holding the admin scope only.
    Admin,
}

impl Token {
    /// Whether the layer's verifier accepts it.
    pub(crate) fn is_valid(self) -> bool {
        matches!(self, Token::Scopes(_) | Token::Admin)
    }

    /// The scopes a verified token holds (none for the others).
    pub(crate) fn scopes(self) -> Vec<&'static str> {
        match self {
            Token::Scopes(mask) => SCOPES
                .iter()
                .enumerate()
                .filter(|(i, _)| mask & (1 << i) != 0)
                .map(|(_, s)| *s)
                .collect(),
            Token::Admin => vec![ADMIN_SCOPE],
            _ => Vec::new(),
        }
    }

    /// The `Authorization` value, minted once per kind of token.
    fn header_value(self) -> Option<&'static str> {
        // Slots 0-7: the scope masks; then the admin token, the forgery, the garbage.
        static MINTED: OnceLock<Vec<String>> = OnceLock::new();
        let minted = MINTED.get_or_init(|| {
            let _ = verifier(); // installs jsonwebtoken's crypto provider
            (0..8)
                .map(|mask| mint(SECRET, &Token::Scopes(mask).scopes()))
                .chain([
                    mint(SECRET, &[ADMIN_SCOPE]),
                    mint(OTHER_SECRET, &["a", "b"]),
                    "not-a-jwt".to_owned(),
                ])
                .map(|token| format!("Bearer {token}"))
                .collect()
        });
        let slot = match self {
            Token::Missing => return None,
            Token::Scopes(mask) => usize::from(mask & 7),
            Token::Admin => 8,
            Token::Forged => 9,
            Token::Garbage => 10,
        };
        Some(&minted[slot])
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Token::Missing => f.write_str("no token"),
            Token::Garbage => f.write_str("a malformed token"),
            Token::Forged => f.write_str("a token signed with another secret"),
            Token::Scopes(_) | Token::Admin => write!(f, "a valid token with {:?}", self.scopes()),
        }
    }
}

/// An HS256 token valid for ten years (a fuzzing session must not see them expire).
fn mint(secret: &str, scopes: &[&str]) -> String {
    let now = jsonwebtoken::get_current_timestamp();
    let claims = serde_json::json!({
        "sub": "path-confusion",
        "scopes": scopes,
        "exp": now + 10 * 365 * 24 * 3600,
    });
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("HS256 token")
}

fn verifier() -> JwtVerifier {
    static VERIFIER: OnceLock<JwtVerifier> = OnceLock::new();
    VERIFIER
        .get_or_init(|| {
            JwtVerifier::builder()
                .key(VerificationKey::hs256(SECRET))
                .build()
                .expect("verifier")
        })
        .clone()
}

// ------------------------------------------------------------------------ policies

// Rule literals use only `[a-z0-9.-]`, and `:` in `/files/meta:acl`: a sub-delim that a
// path carries unescaped, beside the `/files/{name}` route, so that `%3A` spells a value
// of the capture that reads as the literal once decoded.

/// A public catch-all with stricter rules beneath it, in every part of the pool.
static CATCH_ALL_PUBLIC: Policy = scopes! {
    "* /api/**"                  => public,
    "POST /api/users/*/promote"  => ["a"],
    "DELETE /api/users/root"     => ["a", "b"],
    "GET /api/users/me"          => [],
    "GET /docs/{*path}"          => public,
    "GET /docs/internal/{*path}" => ["a"],
    "GET /static/**"             => public,
    "GET /static/private/**"     => ["a"],
    "GET /v1/**"                 => public,
    "* /v1/admin"                => ["a"],
    "GET /n/**"                  => public,
    "GET /n/a"                   => ["b"],
    "GET /a/**"                  => public,
    "GET /a/*/b/root"            => ["a"],
};

/// `*` rules with stricter literal values beside them.
static WILDCARD_VS_LITERAL: Policy = scopes! {
    "GET /api/users"               => public,
    "POST /api/users"              => ["b"],
    "GET /api/users/*"             => [],
    "DELETE /api/users/*"          => ["a"],
    "GET /api/users/root"          => ["b"],
    "DELETE /api/users/root"       => ["a", "b"],
    "GET /api/users/me"            => public,
    "POST /api/users/*/promote"    => ["a"],
    "POST /api/users/root/promote" => ["a", "b"],
    "GET /files/*"                 => public,
    "DELETE /files/*"              => ["a"],
    "GET /files/secret.txt"        => ["a"],
    "GET /files/meta:acl"          => public,
    "DELETE /files/meta:acl"       => public,
    "GET /a/*/b/*"                 => public,
    "GET /a/x/b/*"                 => ["b"],
    "GET /a/*/b/root"              => ["a"],
    "GET /n/*"                     => public,
    "POST /n/*"                    => ["a"],
    "GET /n/root"                  => ["a", "b"],
    "GET /v1/x/*"                  => public,
    "GET /v1/x/root"               => ["a"],
};

/// A public static tree with private subtrees and files.
static STATIC_TREE: Policy = scopes! {
    "GET /static/**"                 => public,
    "GET /static/pub.txt"            => public,
    "GET /static/secret.txt"         => ["b"],
    "GET /static/private/**"         => ["a"],
    "GET /static/private/secret.txt" => ["a", "b"],
    "GET /static/private/deep/**"    => ["b"],
    "GET /docs/{*path}"              => [],
    "GET /docs/private/{*path}"      => ["a"],
};

/// Rules on the prefixes of `nest` and `nest_service`.
static NEST_PREFIXES: Policy = scopes! {
    "GET /v1"        => ["a"],
    "GET /v1/**"     => public,
    "* /v1/admin"    => ["a", "b"],
    "GET /v1/x/*"    => public,
    "GET /v1/x/root" => ["a"],
    "GET /n"         => public,
    "GET /n/**"      => [],
    "GET /n/a"       => ["a"],
    "* /n/*"         => ["b"],
};

/// Only strict literal rules: everything else is unmapped (open under `Unmapped::Allow`).
static LITERALS_ONLY: Policy = scopes! {
    "DELETE /api/users/root"       => ["a"],
    "POST /api/users/root/promote" => ["a"],
    "GET /docs/internal/{*path}"   => ["a"],
    "GET /static/private/**"       => ["a"],
    "GET /static/secret.txt"       => ["b"],
    "* /v1/admin"                  => ["a"],
    "GET /files/secret.txt"        => ["b"],
    "GET /t/"                      => ["a"],
    "GET /n/a"                     => ["a"],
    "GET /a/x/b/y"                 => ["a", "b"],
};

/// Trailing slashes, the root and `**` matching nothing.
static TRAILING_AND_ROOT: Policy = scopes! {
    "GET /"           => public,
    "GET /**"         => [],
    "GET /t/"         => ["a"],
    "GET /t/**"       => public,
    "GET /n"          => ["a"],
    "GET /n/"         => public,
    "GET /files/*"    => ["b"],
    "GET /files/*/**" => public,
    "GET /v1"         => ["b"],
    "GET /v1/"        => public,
    "GET /docs/**"    => public,
    "GET /docs/*"     => ["a"],
};

/// Open by default with a few guarded routes.
static MOSTLY_OPEN: Policy = scopes! {
    "* /**"                      => public,
    "GET /api/users/{id}"        => [],
    "DELETE /api/users/{id}"     => ["a"],
    "GET /docs/internal/{*path}" => ["b"],
    "GET /static/private/**"     => [],
    "GET /v1/admin"              => ["b"],
    "GET /a/{x}/b/{y}"           => any["a", "b"],
};

/// Every route of the pool mapped, with its own axum spelling.
static EVERY_ROUTE: Policy = scopes! {
    "GET /"                        => public,
    "GET /api/users"               => ["a"],
    "POST /api/users"              => ["a", "b"],
    "GET /api/users/{id}"          => ["a"],
    "DELETE /api/users/{id}"       => ["a", "b"],
    "GET /api/users/me"            => [],
    "POST /api/users/{id}/promote" => ["b"],
    "GET /docs/{*path}"            => ["a"],
    "GET /files/{name}"            => ["b"],
    "DELETE /files/{name}"         => ["a", "b"],
    "GET /files/meta:acl"          => public,
    "GET /a/{x}/b/{y}"             => ["a"],
    "GET /t/"                      => [],
    "GET /n"                       => public,
    "GET /n/a"                     => ["a"],
    "GET /n/{id}"                  => ["b"],
    "POST /n/{id}"                 => ["a", "b"],
    "GET /v1"                      => public,
    "GET /v1/admin"                => ["a", "b"],
    "DELETE /v1/admin"             => ["a", "b"],
    "GET /v1/x/{id}"               => ["a"],
    "GET /static/{*path}"          => public,
    "GET /static/private/{*path}"  => ["a", "b"],
};

/// The fixed policies, by name.
pub(crate) static POLICIES: [(&str, &Policy); 8] = [
    ("catch_all_public", &CATCH_ALL_PUBLIC),
    ("wildcard_vs_literal", &WILDCARD_VS_LITERAL),
    ("static_tree", &STATIC_TREE),
    ("nest_prefixes", &NEST_PREFIXES),
    ("literals_only", &LITERALS_ONLY),
    ("trailing_and_root", &TRAILING_AND_ROOT),
    ("mostly_open", &MOSTLY_OPEN),
    ("every_route", &EVERY_ROUTE),
];

/// The policy named `name` in [`POLICIES`].
pub(crate) fn policy_named(name: &str) -> Policy {
    *POLICIES
        .iter()
        .find(|(n, _)| *n == name)
        .unwrap_or_else(|| panic!("no policy {name}"))
        .1
}

/// The requirements variants draw from.
const REQUIREMENTS: [Requirement; 7] = [
    Requirement::Public,
    Requirement::Optional,
    Requirement::AllOf(&[]),
    Requirement::AllOf(&[scope("a")]),
    Requirement::AllOf(&[scope("b")]),
    Requirement::AllOf(&[scope("a"), scope("b")]),
    Requirement::AnyOf(&[scope("a"), scope("b")]),
];

/// Policy `index` of [`POLICIES`] with its rules' requirements redrawn (variant 0 is the
/// policy as written).
///
/// `scopes!` only takes literals, so a variant keeps the keys and the generated matcher of
/// the written policy (reached through `Policy::lookup_str`) and swaps the requirements
/// with the constructor the macro expands to. The rule slices are leaked, once per
/// variant: at most 8 × 255 of them.
pub(crate) fn policy_variant(index: usize, variant: u8) -> Policy {
    let index = index % POLICIES.len();
    let base = POLICIES[index].1;
    if variant == 0 {
        return *base;
    }
    type Variants = Mutex<HashMap<(usize, u8), &'static [Rule]>>;
    static VARIANTS: OnceLock<Variants> = OnceLock::new();
    let mut variants = VARIANTS
        .get_or_init(Default::default)
        .lock()
        .expect("variants lock");
    let rules = *variants.entry((index, variant)).or_insert_with(|| {
        let mut state = (index as u64) << 8 | u64::from(variant);
        let rules: Vec<Rule> = base
            .rules()
            .iter()
            .map(|rule| {
                // splitmix64: any fixed mixing would do, as long as it is reproducible.
                state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
                let mut z = state;
                z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
                z ^= z >> 31;
                let requirement = REQUIREMENTS[(z % REQUIREMENTS.len() as u64) as usize];
                scope_runtime::__private::rule(
                    rule.key(),
                    rule.method(),
                    rule.pattern(),
                    requirement,
                )
            })
            .collect();
        Vec::leak(rules)
    });
    scope_runtime::__private::policy(rules, MATCHERS[index])
}

type Matcher = fn(usize, &[u8]) -> Option<u16>;

/// The generated matcher of `POLICIES[I]`, through its public lookup.
const MATCHERS: [Matcher; 8] = [
    via::<0>, via::<1>, via::<2>, via::<3>, via::<4>, via::<5>, via::<6>, via::<7>,
];

fn via<const I: usize>(slot: usize, rest: &[u8]) -> Option<u16> {
    let base = POLICIES[I].1;
    // A generated matcher receives the decoded path; `lookup_str` decodes what it is
    // given, so hand it the same bytes encoded (every byte but `/` and the unreserved).
    let mut path = String::from("/");
    for &b in rest {
        if b == b'/' || b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            path.push(char::from(b));
        } else {
            path.push_str(&format!("%{b:02X}"));
        }
    }
    let rule = base.lookup_str(method_of_slot(slot), &path)?;
    let index = base.rules().iter().position(|r| std::ptr::eq(r, rule))?;
    Some(u16::try_from(index).expect("few rules"))
}

/// A method name whose matcher slot is `slot`.
fn method_of_slot(slot: usize) -> &'static str {
    const NAMES: [&str; 9] = [
        "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT",
    ];
    if slot == OTHER_SLOT {
        return "X-OTHER";
    }
    NAMES
        .into_iter()
        .find(|name| slot_of(name) == slot)
        .expect("a standard method for every slot but the last")
}

// ------------------------------------------------------------------------ the router

/// What served a request, as the serving code itself saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Served {
    /// A handler: its full route pattern and the `Path` values it extracted.
    Handler {
        /// The full route, e.g. `/v1/x/{id}` (for the inner `/` of a nest, the prefix).
        route: &'static str,
        /// What `Path<Vec<(String, String)>>` gave.
        values: Vec<(String, String)>,
    },
    /// A file of the static directory, by its relative path.
    File(&'static str),
}

impl fmt::Display for Served {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Served::Handler { route, values } => {
                write!(f, "handler `{route}` with Path values {values:?}")
            }
            Served::File(name) => write!(f, "static file `{name}`"),
        }
    }
}

/// The files of the static directory; each one's content is its own relative path, and
/// their lengths differ (a HEAD answer has no body, only a `Content-Length`).
pub(crate) const FILES: [&str; 4] = [
    "pub.txt",
    "secret.txt",
    "private/secret.txt",
    "private/deep/inner.txt",
];

/// The static directory. One fixed directory for every process: it is built aside and
/// renamed into place, so that a concurrent run never reads a half-written file, and runs
/// leave one directory behind, not one each.
fn static_dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let complete = |dir: &std::path::Path| {
            FILES
                .iter()
                .all(|file| std::fs::read(dir.join(file)).is_ok_and(|b| b == file.as_bytes()))
        };
        let dir = std::env::temp_dir().join("scope-policy-path-confusion-1");
        if !complete(&dir) {
            let staging = dir.with_extension(std::process::id().to_string());
            for file in FILES {
                let path = staging.join(file);
                std::fs::create_dir_all(path.parent().expect("a parent")).expect("static dir");
                std::fs::write(&path, file).expect("static file");
            }
            // Fails when another process got there first: its tree is the same.
            if std::fs::rename(&staging, &dir).is_err() {
                let _ = std::fs::remove_dir_all(&staging);
            }
            assert!(complete(&dir), "{} lacks the lab's files", dir.display());
        }
        dir
    })
}

/// A handler of a route without captures.
fn fixed(route: &'static str) -> impl FnOnce() -> Ready<Response> + Clone + Send + Sync + 'static {
    move || ready(reached(route, Vec::new()))
}

/// A handler of a route with captures: it reports what `Path` gave it (a value `Path`
/// refuses, invalid UTF-8, is answered 400 before the handler runs).
fn captures(
    route: &'static str,
) -> impl FnOnce(Path<Vec<(String, String)>>) -> Ready<Response> + Clone + Send + Sync + 'static {
    move |Path(values): Path<Vec<(String, String)>>| ready(reached(route, values))
}

fn reached(route: &'static str, values: Vec<(String, String)>) -> Response {
    (
        Extension(Served::Handler { route, values }),
        "reached a handler",
    )
        .into_response()
}

/// `GET`, or `GET` and the given other methods, all served by `handler`.
fn get_and<H, T>(handler: H, also: MethodFilter) -> MethodRouter
where
    H: axum::handler::Handler<T, ()>,
    T: 'static,
{
    get(handler.clone()).on(also, handler)
}

/// The pool of routes, served by a real router (no layer yet).
pub(crate) fn router() -> Router {
    let nested = Router::new()
        .route("/", get(fixed("/n")))
        .route("/a", get(fixed("/n/a")))
        .route("/{id}", get_and(captures("/n/{id}"), MethodFilter::POST));
    let service = Router::new()
        .route("/", get(fixed("/v1")))
        .route("/admin", get_and(fixed("/v1/admin"), MethodFilter::DELETE))
        .route("/x/{id}", get(captures("/v1/x/{id}")));
    let files =
        tower_http::services::ServeDir::new(static_dir()).append_index_html_on_directories(false);
    Router::new()
        .route("/", get(fixed("/")))
        .route(
            "/api/users",
            get_and(fixed("/api/users"), MethodFilter::POST),
        )
        .route(
            "/api/users/{id}",
            get_and(captures("/api/users/{id}"), MethodFilter::DELETE),
        )
        .route("/api/users/me", get(fixed("/api/users/me")))
        .route(
            "/api/users/{id}/promote",
            post(captures("/api/users/{id}/promote")),
        )
        .route("/docs/{*path}", get(captures("/docs/{*path}")))
        .route(
            "/files/{name}",
            get_and(captures("/files/{name}"), MethodFilter::DELETE),
        )
        .route("/files/meta:acl", get(fixed("/files/meta:acl")))
        .route("/a/{x}/b/{y}", get(captures("/a/{x}/b/{y}")))
        .route("/t/", get(fixed("/t/")))
        .nest("/n", nested)
        .nest_service("/v1", service)
        .nest_service("/static", files)
}

/// Where the layer sits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Placement {
    /// `router.layer(ScopeLayer::..)`: around every route and the fallback.
    RouterLayer,
    /// `ScopeLayer::..layer(router)`: one service around the whole router.
    Wrapped,
}

/// One guarded application.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Setup {
    /// A label for messages (the policy's name and variant).
    pub(crate) name: &'static str,
    /// The variant of the policy (0: as written).
    pub(crate) variant: u8,
    pub(crate) policy: Policy,
    pub(crate) unmapped: Unmapped,
    pub(crate) placement: Placement,
}

impl Setup {
    /// Policy `index` of [`POLICIES`], variant `variant`.
    pub(crate) fn new(
        index: usize,
        variant: u8,
        unmapped: Unmapped,
        placement: Placement,
    ) -> Setup {
        Setup {
            name: POLICIES[index % POLICIES.len()].0,
            variant,
            policy: policy_variant(index, variant),
            unmapped,
            placement,
        }
    }

    fn layer(&self) -> ScopeLayer {
        ScopeLayer::new(verifier(), self.policy)
            .admin_scope(ADMIN_SCOPE)
            .unmapped(self.unmapped)
    }

    /// The application: the pool's router guarded by the layer.
    pub(crate) fn app(&self) -> App {
        match self.placement {
            Placement::RouterLayer => App::Layered(router().layer(self.layer())),
            Placement::Wrapped => App::Wrapped(self.layer().layer(router())),
        }
    }
}

/// The two shapes of a guarded application, and the router without the layer (what the
/// oracle asks which route serves a canonical path).
#[derive(Clone)]
pub(crate) enum App {
    Layered(Router),
    Wrapped(scope_runtime::ScopeService<Router>),
    Bare(Router),
}

impl App {
    async fn call(&self, request: Request<Body>) -> Response {
        let response: Result<Response, Infallible> = match self {
            App::Layered(router) => router.clone().oneshot(request).await,
            App::Wrapped(service) => service.clone().oneshot(request).await,
            App::Bare(router) => router.clone().oneshot(request).await,
        };
        let Ok(response) = response;
        response
    }
}

// ------------------------------------------------------------------------ requests

/// One request: method, raw path (as sent on the wire), token.
#[derive(Clone, Debug)]
pub(crate) struct Probe {
    pub(crate) method: Method,
    pub(crate) path: String,
    pub(crate) token: Token,
}

/// What came back.
#[derive(Clone, Debug)]
pub(crate) struct Outcome {
    pub(crate) status: StatusCode,
    pub(crate) served: Option<Served>,
}

/// Sends `probe` to `app`; `None` when `http::Uri` refuses the path (no HTTP/1 server
/// built on `http` would pass such a request to a service either).
pub(crate) async fn send(app: &App, probe: &Probe) -> Option<Outcome> {
    let uri = Uri::try_from(probe.path.as_str()).ok()?;
    let mut request = Request::builder().method(probe.method.clone()).uri(uri);
    if let Some(value) = probe.token.header_value() {
        request = request.header(AUTHORIZATION, value);
    }
    let request = request.body(Body::empty()).expect("request");
    let response = app.call(request).await;
    let status = response.status();
    let handler = response.extensions().get::<Served>().cloned();
    let length = response
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    let body = response
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let file = || {
        if status != StatusCode::OK {
            return None;
        }
        FILES.into_iter().find(|name| {
            if probe.method == Method::HEAD {
                body.is_empty() && length == Some(name.len())
            } else {
                body == name.as_bytes()
            }
        })
    };
    let served = handler.or_else(|| file().map(Served::File));
    Some(Outcome { status, served })
}

// ------------------------------------------------------------------------ paths

/// Valid paths of the pool (each reaches a handler or a file with the right method).
pub(crate) const PLAIN_PATHS: [&str; 27] = [
    "/",
    "/api/users",
    "/api/users/root",
    "/api/users/42",
    "/api/users/me",
    "/api/users/root/promote",
    "/api/users/42/promote",
    "/docs/readme",
    "/docs/internal/secret",
    "/docs/private/x/y",
    "/files/secret.txt",
    "/files/pub.txt",
    "/files/meta:acl",
    "/a/x/b/y",
    "/a/x/b/root",
    "/t/",
    "/n",
    "/n/a",
    "/n/root",
    "/v1",
    "/v1/",
    "/v1/admin",
    "/v1/x/root",
    "/static/pub.txt",
    "/static/secret.txt",
    "/static/private/secret.txt",
    "/static/private/deep/inner.txt",
];

/// Segments paths are assembled from.
pub(crate) const SEGMENTS: [&str; 25] = [
    "api",
    "users",
    "root",
    "me",
    "promote",
    "docs",
    "internal",
    "private",
    "deep",
    "inner.txt",
    "secret.txt",
    "pub.txt",
    "files",
    "meta:acl",
    "a",
    "b",
    "x",
    "y",
    "t",
    "n",
    "v1",
    "admin",
    "static",
    "42",
    "",
];

/// Replacements of a `/` inside a path.
pub(crate) const SLASH_FORMS: [&str; 5] = ["%2F", "%2f", "%5C", "%5c", "\\"];
/// Dot segments (inserted whole, each followed by a `/`).
pub(crate) const DOT_FORMS: [&str; 8] =
    [".", "..", "%2e", "%2E", "%2e%2e", ".%2E", "zz/..", "%2e."];
/// Insertions inside a segment.
pub(crate) const INSERTS: [&str; 4] = ["%25", "%00", "%", "%zz"];
/// Literal routes beside a capture route of the same parent (`/api/users/{id}`,
/// `/n/{id}`, `/files/{name}`): an escape in the last segment reaches the capture with a
/// value that decodes to the literal.
pub(crate) const LITERALS_BESIDE_CAPTURES: [&str; 3] = ["/api/users/me", "/n/a", "/files/meta:acl"];

/// One change to a path. Positions count candidates (slashes, characters) and wrap
/// around; a mutation with no candidate changes nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mutation {
    /// Doubles the `at`-th `/`.
    DoubleSlash(usize),
    /// Percent-encodes the `at`-th character a segment carries unescaped (unreserved,
    /// sub-delims, `:`, `@`), in upper- or lower-case hex.
    Escape { at: usize, lower: bool },
    /// The same, among the characters of the last segment only: on a literal route beside
    /// a capture, the escape routes to the capture.
    EscapeLast { at: usize, lower: bool },
    /// Replaces the `at`-th `/` after the first by one of [`SLASH_FORMS`].
    Slash { at: usize, with: &'static str },
    /// Inserts one of [`DOT_FORMS`] as a segment after the `at`-th `/`.
    Dot { at: usize, with: &'static str },
    /// Inserts one of [`INSERTS`] before the `at`-th character after the first.
    Insert { at: usize, with: &'static str },
    /// Empties the `at`-th segment.
    EmptySegment(usize),
    /// Appends a `/`.
    TrailingSlash,
    /// Cuts the path just after the `at`-th `/`.
    Truncate(usize),
}

impl Mutation {
    /// A mutation from two bytes (for the fuzzer).
    pub(crate) fn decode(op: u8, at: u8) -> Mutation {
        let at_usize = usize::from(at);
        let pick = |forms: &[&'static str]| forms[at_usize % forms.len()];
        match op % 8 {
            0 => Mutation::DoubleSlash(at_usize),
            1 if op & 0x40 != 0 => Mutation::EscapeLast {
                at: at_usize,
                lower: op & 0x80 != 0,
            },
            1 => Mutation::Escape {
                at: at_usize,
                lower: op & 0x80 != 0,
            },
            2 => Mutation::Slash {
                at: at_usize >> 3,
                with: pick(&SLASH_FORMS),
            },
            3 => Mutation::Dot {
                at: at_usize >> 3,
                with: pick(&DOT_FORMS),
            },
            4 => Mutation::Insert {
                at: at_usize >> 2,
                with: pick(&INSERTS),
            },
            5 => Mutation::EmptySegment(at_usize),
            6 => Mutation::TrailingSlash,
            _ => Mutation::Truncate(at_usize),
        }
    }

    /// Applies the mutation to `path` (which starts with `/`).
    pub(crate) fn apply(self, path: &mut String) {
        let slashes: Vec<usize> = path.match_indices('/').map(|(i, _)| i).collect();
        let nth = |at: usize, from: usize| {
            let candidates = slashes.get(from..).unwrap_or_default();
            (!candidates.is_empty()).then(|| candidates[at % candidates.len()])
        };
        match self {
            Mutation::DoubleSlash(at) => {
                if let Some(i) = nth(at, 0) {
                    path.insert(i, '/');
                }
            }
            Mutation::Escape { at, lower } => escape(path, 0, at, lower),
            Mutation::EscapeLast { at, lower } => {
                let from = path.rfind('/').map_or(0, |i| i + 1);
                escape(path, from, at, lower);
            }
            Mutation::Slash { at, with } => {
                if let Some(i) = nth(at, 1) {
                    path.replace_range(i..i + 1, with);
                }
            }
            Mutation::Dot { at, with } => {
                if let Some(i) = nth(at, 0) {
                    path.insert_str(i + 1, &format!("{with}/"));
                }
            }
            Mutation::Insert { at, with } => {
                let positions: Vec<usize> = path
                    .char_indices()
                    .map(|(i, _)| i)
                    .skip(1)
                    .chain([path.len()])
                    .collect();
                let i = positions[at % positions.len()];
                path.insert_str(i, with);
            }
            Mutation::EmptySegment(at) => {
                if let Some(i) = nth(at, 0) {
                    let end = path[i + 1..].find('/').map_or(path.len(), |j| i + 1 + j);
                    path.replace_range(i + 1..end, "");
                }
            }
            Mutation::TrailingSlash => path.push('/'),
            Mutation::Truncate(at) => {
                if let Some(i) = nth(at, 0) {
                    path.truncate(i + 1);
                }
            }
        }
    }
}

/// Percent-encodes the `at`-th (wrapping) character of `path[from..]` that a segment
/// carries unescaped; nothing when there is none.
fn escape(path: &mut String, from: usize, at: usize, lower: bool) {
    let candidates: Vec<(usize, u8)> = path
        .bytes()
        .enumerate()
        .skip(from)
        .filter(|&(_, b)| is_pchar(b))
        .collect();
    if !candidates.is_empty() {
        let (i, b) = candidates[at % candidates.len()];
        let escaped = if lower {
            format!("%{b:02x}")
        } else {
            format!("%{b:02X}")
        };
        path.replace_range(i..i + 1, &escaped);
    }
}

/// `/` + the segments joined by `/`.
pub(crate) fn join(segments: &[&str]) -> String {
    format!("/{}", segments.join("/"))
}

// ------------------------------------------------------------------------ the oracle

/// Bytes a canonical path keeps as they are: what RFC 3986 lets a segment carry
/// unescaped (`pchar` but `%`). axum compares these bytes as they are, so the canonical
/// spelling of a value is the one a literal route of the same bytes would match.
fn is_pchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@".contains(&b)
}

fn encode(value: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(value.len());
    for &b in value.as_bytes() {
        if is_pchar(b) || (keep_slash && b == b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A value for an empty `{x}` capture: one that `*` matches and no rule literal is.
pub(crate) const EMPTY_STANDIN: &str = "zzempty";
/// The value of every capture when the canonical path is served by another route: one
/// that `*` and `{*x}` match and no rule literal is.
pub(crate) const FRESH_STANDIN: &str = "zzfresh";

/// The canonical full path of what was served: the route's literals as they are, each
/// `{x}` value minimally percent-encoded (`/` included), each `{*x}` value the same with
/// `/` kept; for a file, `/static/` and its relative path.
pub(crate) fn canonical(served: &Served) -> String {
    let (route, values) = match served {
        Served::File(name) => return format!("/static/{name}"),
        Served::Handler { route, values } => (route, values),
    };
    rebuild(route, values)
}

/// `route` with each capture replaced by [`FRESH_STANDIN`]: the path of the route for
/// values no literal names.
pub(crate) fn fresh(route: &str) -> String {
    let values = route[1..]
        .split('/')
        .filter_map(|segment| {
            let name = segment.strip_prefix('{')?.strip_suffix('}')?;
            let name = name.strip_prefix('*').unwrap_or(name);
            Some((name.to_owned(), FRESH_STANDIN.to_owned()))
        })
        .collect::<Vec<_>>();
    rebuild(route, &values)
}

fn rebuild(route: &str, values: &[(String, String)]) -> String {
    let value_of = |name: &str| {
        values
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("route {route} got no value for `{name}`: {values:?}"))
    };
    let segments: Vec<String> = route[1..]
        .split('/')
        .map(|segment| {
            if let Some(name) = segment.strip_prefix("{*").and_then(|s| s.strip_suffix('}')) {
                encode(value_of(name), true)
            } else if let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                match value_of(name) {
                    "" => EMPTY_STANDIN.to_owned(),
                    value => encode(value, false),
                }
            } else {
                segment.to_owned()
            }
        })
        .collect();
    format!("/{}", segments.join("/"))
}

/// What the lab's router without the layer serves for `method` on `path` (`None`: no
/// handler and no file).
///
/// One thread owns that router and a runtime of its own, so that the oracle runs alike
/// outside a runtime (the proptest, the fuzz target) and inside one (async tests).
pub(crate) fn bare_serves(method: &Method, path: &str) -> Option<Served> {
    type Ask = (Method, String, Sender<Option<Served>>);
    static WORKER: OnceLock<Sender<Ask>> = OnceLock::new();
    let worker = WORKER.get_or_init(|| {
        let (asks, queue) = channel::<Ask>();
        std::thread::Builder::new()
            .name("path-lab-bare-router".to_owned())
            .spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("tokio runtime");
                let app = App::Bare(router());
                for (method, path, reply) in queue {
                    let probe = Probe {
                        method,
                        path,
                        token: Token::Missing,
                    };
                    let outcome = rt.block_on(send(&app, &probe));
                    let _ = reply.send(outcome.and_then(|o| o.served));
                }
            })
            .expect("the bare router's thread");
        asks
    });
    let (reply, answer) = channel();
    worker
        .send((method.clone(), path.to_owned(), reply))
        .expect("the bare router's thread runs");
    answer.recv().expect("the bare router answers")
}

/// The path whose rule governs what was served, and, when it is not the canonical path,
/// why.
#[derive(Clone, Debug)]
pub(crate) struct OraclePath {
    pub(crate) path: String,
    pub(crate) note: Option<String>,
}

/// The path the oracle looks the rule up for: the canonical path of what was served,
/// unless a capture handler was reached with values whose canonical spelling the router
/// (without the layer) serves by another route, or not at all. The values then reached
/// this handler through a spelling the router reads differently from its decoded form,
/// and the rule written for the canonical path belongs to another route; what governs
/// the handler is the rule of its own route for values no literal names.
pub(crate) fn oracle_path(method: &Method, served: &Served) -> OraclePath {
    let path = canonical(served);
    let route = match served {
        Served::Handler { route, .. } if route.contains('{') => *route,
        _ => return OraclePath { path, note: None },
    };
    let by_canonical = bare_serves(method, &path);
    if let Some(Served::Handler { route: other, .. }) = &by_canonical
        && *other == route
    {
        return OraclePath { path, note: None };
    }
    let note = format!(
        "the canonical path {path} is served by {} without the layer, not by `{route}`",
        by_canonical
            .as_ref()
            .map_or_else(|| "nothing".to_owned(), ToString::to_string),
    );
    OraclePath {
        path: fresh(route),
        note: Some(note),
    }
}

/// The oracle's rule for what was served, with the path it was looked up for.
pub(crate) fn oracle_rule(
    policy: &Policy,
    method: &Method,
    served: &Served,
) -> (OraclePath, Option<&'static Rule>) {
    let path = oracle_path(method, served);
    let rule = reference_rule(policy, method, &path.path);
    (path, rule)
}

/// The rule of `policy` that governs `method` on `path`, by the reference matcher.
pub(crate) fn reference_rule(
    policy: &Policy,
    method: &Method,
    path: &str,
) -> Option<&'static Rule> {
    let keys: Vec<RouteKey> = policy
        .rules()
        .iter()
        .map(|rule| RouteKey::parse(rule.key()).expect("a rule key of scopes! parses"))
        .collect();
    reference_lookup(&keys, method.as_str(), path.as_bytes()).map(|i| &policy.rules()[i])
}

/// Whether a caller with `token` passes `rule` (or, `None`, an unmapped route).
pub(crate) fn may_pass(rule: Option<&Rule>, unmapped: Unmapped, token: Token) -> bool {
    let scopes = token.scopes();
    let admin = scopes.contains(&ADMIN_SCOPE);
    let has = |s: &str| scopes.contains(&s);
    match rule.map(Rule::requirement) {
        Some(Requirement::Public) => true,
        // No token passes anonymously; any token presented must verify.
        Some(Requirement::Optional) => token == Token::Missing || token.is_valid(),
        Some(Requirement::AllOf(list)) => {
            token.is_valid() && (admin || list.iter().all(|s| has(s.as_str())))
        }
        Some(Requirement::AnyOf(list)) => {
            token.is_valid() && (admin || list.iter().any(|s| has(s.as_str())))
        }
        None => match unmapped {
            Unmapped::Allow => true,
            Unmapped::Authenticated => token.is_valid(),
            Unmapped::Deny => admin,
        },
    }
}

fn describe_rule(rule: Option<&Rule>, unmapped: Unmapped) -> String {
    match rule {
        Some(rule) => rule.to_string(),
        None => format!("no rule (unmapped: {unmapped:?})"),
    }
}

/// `ServeDir` answers 500 when the file system refuses a name longer than 255 bytes
/// (`ENAMETOOLONG`), whoever asks: its own answer to a request the policy let through,
/// not a decision of the layer.
fn serve_dir_name_too_long(path: &str) -> bool {
    let path = raw_path(path);
    path.starts_with("/static/")
        && scope_grammar::decode(path.as_bytes())
            .split(|&b| b == b'/')
            .any(|segment| segment.len() > 255)
}

/// The property for one request: no 5xx (but see [`serve_dir_name_too_long`]), and whatever was served, the caller satisfied
/// the rule for it. `Err` explains the violation.
pub(crate) fn check(setup: &Setup, probe: &Probe, outcome: &Outcome) -> Result<(), String> {
    let context = || {
        let layer_rule = setup.policy.lookup(&probe.method, raw_path(&probe.path));
        format!(
            "  policy: {} (variant {}), unmapped: {:?}, layer: {:?}\n{}  request: {} {}\n  token: {}\n  status: {}\n  reached: {}\n  the layer's rule for the raw path: {}",
            setup.name,
            setup.variant,
            setup.unmapped,
            setup.placement,
            indent(&setup.policy.to_string()),
            probe.method,
            probe.path,
            probe.token,
            outcome.status,
            outcome
                .served
                .as_ref()
                .map_or_else(|| "nothing".to_owned(), ToString::to_string),
            describe_rule(layer_rule, setup.unmapped),
        )
    };
    if outcome.status.is_server_error() && !serve_dir_name_too_long(&probe.path) {
        return Err(format!("a 5xx answer\n{}", context()));
    }
    let Some(served) = &outcome.served else {
        return Ok(());
    };
    let (path, rule) = oracle_rule(&setup.policy, &probe.method, served);
    if may_pass(rule, setup.unmapped, probe.token) {
        return Ok(());
    }
    let looked_up = match &path.note {
        None => format!("canonical path of what was served: {}", path.path),
        Some(note) => format!(
            "{note}\n  so the rule is looked up for the route's own path: {}",
            path.path
        ),
    };
    Err(format!(
        "served to a caller the rule for it refuses\n{}\n  {looked_up}\n  the oracle's rule: {} (refuses {})",
        context(),
        describe_rule(rule, setup.unmapped),
        probe.token,
    ))
}

/// The path part of a raw request target (what `Uri::path()` gives).
fn raw_path(target: &str) -> &str {
    target.split(['?', '#']).next().unwrap_or(target)
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("    {l}\n")).collect()
}
