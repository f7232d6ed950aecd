//! The seed cannot be instrumented, so "no handler was reached" is shown twice: by the
//! seed's state (a denied run or memory post creates nothing) and by a counting mirror,
//! a router with the seed's routes, policy, admin scope and verifier whose handlers
//! (fallbacks included) only count their entries. [`Seed`] sends every request to both.

use axum::Router;
use axum::body::Body;
use axum::routing::{get, post};
use http::Request;
use scope_policy_examples::agent_os;
use scope_runtime::JwtVerifierBuilder;
use scope_runtime::{JwtVerifier, PathClass, ScopeLayer, VerificationKey};

use crate::record::{Hits, counted};
use crate::reply::{Reply, send};
use crate::requests::{bearer, with_token};
use crate::seed::{ADMIN_SCOPE, AgentOs, memory_as, run_as};
use crate::tokens::SECRET;

/// The counting mirror of the seed, with the seed's verifier (HS256, [`SECRET`]).
pub fn seed_mirror() -> (Router, Hits) {
    mirror_with(seed_verifier())
}

/// The seed's verifier, still open to more settings: one HS256 key, [`SECRET`].
pub fn seed_verifier() -> JwtVerifierBuilder {
    JwtVerifier::builder().key(VerificationKey::hs256(SECRET))
}

/// [`seed_mirror`] with the verifier `verifier` builds (other keys, key ids, issuer,
/// audience, cookies, leeway).
pub fn mirror_with(verifier: JwtVerifierBuilder) -> (Router, Hits) {
    let verifier = verifier.build().expect("a valid verifier configuration");
    let hits = Hits::default();
    let count = || counted("reached", &hits);
    let router = Router::new()
        .route("/agents", get(count()))
        .route("/agents/{agent_id}", get(count()))
        .route("/agents/{agent_id}/runs", post(count()))
        .route("/sessions", get(count()))
        .route("/sessions/{session_id}", get(count()))
        .route("/memories", get(count()).post(count()))
        .route("/config", get(count()))
        .route("/me", get(count()))
        .route("/health", get(count()))
        .fallback(count())
        .method_not_allowed_fallback(count())
        .layer(ScopeLayer::new(verifier, agent_os::POLICY).admin_scope(ADMIN_SCOPE));
    (router, hits)
}

/// The seed and its counting mirror, side by side: every request goes to both.
pub struct Seed {
    /// The seed.
    pub os: AgentOs,
    /// Its counting mirror.
    pub mirror: Router,
    /// The mirror's handler entries.
    pub hits: Hits,
}

impl Seed {
    /// A fresh seed and a fresh mirror.
    pub fn new() -> Seed {
        let (mirror, hits) = seed_mirror();
        Seed {
            os: AgentOs::new(),
            mirror,
            hits,
        }
    }

    /// Sends `make()` to the seed and to the mirror; `expect` checks both answers.
    pub async fn check(&self, make: impl Fn() -> Request<Body>, expect: impl Fn(&Reply)) {
        expect(&self.os.send(make()).await);
        expect(&send(&self.mirror, make()).await);
    }

    /// Sends each of `calls` to both; `expect` checks every answer.
    pub async fn check_all<'a>(
        &self,
        calls: impl IntoIterator<Item = Call<'a>>,
        expect: impl Fn(&Reply),
    ) {
        for call in calls {
            self.check(|| call.request(), &expect).await;
        }
    }

    /// Checks that `token` is refused the same way on a run, a memory post and a read.
    pub async fn token_refused(&self, token: &str, expect: impl Fn(&Reply)) {
        self.check(|| run_as(token), &expect).await;
        self.check(|| memory_as(token), &expect).await;
        self.check(|| bearer("GET", "/agents", token), &expect)
            .await;
    }

    /// [`Seed::token_refused`] as an invalid token: a 401 `invalid_token` described as
    /// `description`, on a run, a memory post and a read.
    pub async fn token_invalid(&self, token: &str, description: &str) {
        self.token_refused(token, |r| r.invalid_token(description))
            .await;
    }

    /// Requests no rule maps: each of `with_token` is refused as unmapped, each of
    /// `without_token` as missing its token (the layer asks for one before it looks for
    /// a rule), and then no handler ran and nothing was created ([`Seed::untouched`]).
    pub async fn unmapped<'a>(
        &self,
        with_token: impl IntoIterator<Item = Call<'a>>,
        without_token: impl IntoIterator<Item = Call<'a>>,
    ) {
        self.check_all(with_token, Reply::unmapped).await;
        self.check_all(without_token, Reply::missing).await;
        self.untouched().await;
    }

    /// Each of `calls` is refused as a request-path spelling of `class` (400, before any
    /// rule or token is looked at), and then no handler ran and nothing was created
    /// ([`Seed::untouched`]).
    pub async fn bad_path<'a>(&self, calls: impl IntoIterator<Item = Call<'a>>, class: PathClass) {
        self.check_all(calls, |r| r.bad_path(class)).await;
        self.untouched().await;
    }

    /// No handler of the mirror ran and the seed created nothing.
    pub async fn untouched(&self) {
        assert_eq!(self.hits.get(), 0, "a handler of the mirror was reached");
        assert_eq!(
            self.os.state().await,
            (0, 0),
            "a denied request created state"
        );
    }
}

impl Default for Seed {
    fn default() -> Self {
        Self::new()
    }
}

/// One request to the seed, described so that [`Seed`] can build it once per server.
#[derive(Clone, Copy, Debug)]
pub struct Call<'a> {
    method: &'a str,
    path: &'a str,
    token: Option<&'a str>,
    run: bool,
}

impl<'a> Call<'a> {
    /// `METHOD path`, with `Authorization: Bearer <token>` when a token is given.
    pub fn new(method: &'a str, path: &'a str, token: Option<&'a str>) -> Call<'a> {
        Call {
            method,
            path,
            token,
            run: false,
        }
    }

    /// `GET path` with `Authorization: Bearer <token>`.
    pub fn get(path: &'a str, token: &'a str) -> Call<'a> {
        Call::new("GET", path, Some(token))
    }

    /// `GET path` without credentials.
    pub fn anonymous(path: &'a str) -> Call<'a> {
        Call::new("GET", path, None)
    }

    /// A run (`POST path`, urlencoded `message=hi`) with `Authorization: Bearer <token>`:
    /// what creates a session and a memory when it passes.
    pub fn run(path: &'a str, token: &'a str) -> Call<'a> {
        Call {
            run: true,
            ..Call::new("POST", path, Some(token))
        }
    }

    /// The request, built anew.
    pub fn request(&self) -> Request<Body> {
        if self.run {
            let authorization = self.token.map(|token| format!("Bearer {token}"));
            AgentOs::run(self.path, authorization.as_deref())
        } else {
            with_token(self.method, self.path, self.token)
        }
    }
}
