//! axum extractors for handlers behind a [`ScopeLayer`](crate::ScopeLayer), and the guard
//! `#[require_scopes]` inserts.

use std::marker::PhantomData;

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::response::{IntoResponse, Response};
use http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::{AuthError, BodyHook, ChallengeParams};
use crate::jwt::VerifiedClaims;
use crate::layer::{AuthContext, PassedWithout};
use crate::policy::Requirement;
use crate::template::Scope;

/// Extracting [`VerifiedClaims`] in a handler behind the layer.
///
/// A handler that asks for them where no layer authenticated the request is a bug of the
/// server, answered `500 Internal Server Error` (and logged at `ERROR`, target
/// `scope_runtime`) with a detail saying what is wrong: no `ScopeLayer` in front of the
/// handler, or a layer that let the request through without a token (a `public` rule, an
/// `optional` rule called without one, or no rule under `Unmapped::Allow`). The claims are never made up; take
/// `Option<VerifiedClaims>` on routes that may be called without a token.
impl<S: Send + Sync> FromRequestParts<S> for VerifiedClaims {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<VerifiedClaims>() {
            Some(claims) => Ok(claims.clone()),
            None => Err(missing_claims(parts)),
        }
    }
}

/// `Option<VerifiedClaims>`: `None` on routes the layer let through without a token.
///
/// On an `optional` rule it is `Some` exactly when the request carried a valid token (an
/// invalid one never reaches the handler); on a `public` rule it is always `None`, since
/// the token is not read there.
impl<S: Send + Sync> OptionalFromRequestParts<S> for VerifiedClaims {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(parts.extensions.get::<VerifiedClaims>().cloned())
    }
}

/// The params the layer that let `parts` through adds to its challenges (none without a
/// layer).
fn challenge_params(parts: &Parts) -> ChallengeParams<'_> {
    parts
        .extensions
        .get::<AuthContext>()
        .map(|c| c.0.challenge_params())
        .unwrap_or_default()
}

/// The layer's refusal-body hook (none without a layer, or with the default body).
fn body_hook(parts: &Parts) -> Option<&BodyHook> {
    parts
        .extensions
        .get::<AuthContext>()
        .and_then(|c| c.0.refusal_body.as_ref())
}

/// The 500 of a handler that needs claims on a request no layer authenticated.
fn missing_claims(parts: &Parts) -> Response {
    let passed = PassedWithout::of(&parts.extensions);
    let misconfiguration = PassedWithout::misconfiguration(passed);
    let path = match parts.extensions.get::<axum::extract::OriginalUri>() {
        Some(axum::extract::OriginalUri(uri)) => uri.path(),
        None => parts.uri.path(),
    };
    let rule = match passed {
        None => "(no ScopeLayer)",
        Some(PassedWithout::Public) => "public",
        Some(PassedWithout::Optional) => "optional (no token)",
        Some(PassedWithout::Unmapped) => "(unmapped, Unmapped::Allow)",
        Some(PassedWithout::Metadata) => "(protected-resource metadata)",
    };
    tracing::error!(
        target: "scope_runtime",
        method = %parts.method, path, rule,
        "{}", misconfiguration.detail()
    );
    misconfiguration.response(body_hook(parts))
}

/// The verified token's full claim set, deserialized into your own type.
///
/// ```
/// use scope_runtime::Claims;
///
/// #[derive(serde::Deserialize)]
/// struct MyClaims {
///     sub: String,
///     tenant: String,
/// }
///
/// async fn handler(Claims(claims): Claims<MyClaims>) -> String {
///     format!("{} of {}", claims.sub, claims.tenant)
/// }
/// # let _: axum::routing::MethodRouter = axum::routing::get(handler);
/// ```
///
/// A token whose claims do not fit the type is answered 401 `invalid_token`; no verified
/// token at all is a server misconfiguration, answered 500 as for [`VerifiedClaims`].
#[derive(Clone, Debug)]
pub struct Claims<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Claims<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let claims =
            <VerifiedClaims as FromRequestParts<S>>::from_request_parts(parts, state).await?;
        claims.deserialize::<T>().map(Claims).map_err(|_| {
            AuthError::InvalidToken(crate::error::InvalidTokenReason::ClaimsShape)
                .response_with(challenge_params(parts), body_hook(parts))
        })
    }
}

/// The scope list of one `#[require_scopes]` handler, carried by a generated marker type.
pub trait ScopeList {
    /// The scopes the handler requires (all of them; fixed scopes only).
    const SCOPES: &'static [Scope];
}

/// The guard `#[require_scopes(...)]` adds as a handler's first argument: succeeds when
/// the layer verified a token holding every scope of `L` (or the layer's admin scope).
///
/// No verified token: 500, a server misconfiguration (as for [`VerifiedClaims`]).
/// Missing scopes: 403 `insufficient_scope` naming them, in the layer's refusal body.
pub struct RequireScopes<L: ScopeList>(PhantomData<L>);

impl<L: ScopeList> std::fmt::Debug for RequireScopes<L> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("RequireScopes").field(&L::SCOPES).finish()
    }
}

impl<S: Send + Sync, L: ScopeList> FromRequestParts<S> for RequireScopes<L> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let Some(claims) = parts.extensions.get::<VerifiedClaims>() else {
            return Err(missing_claims(parts));
        };
        let requirement = Requirement::AllOf(L::SCOPES);
        // The attribute holds no template, so no path fills one.
        let (passes, params) = match parts.extensions.get::<AuthContext>() {
            Some(AuthContext(config)) => (
                config.satisfies(claims, &requirement, b"/"),
                config.challenge_params(),
            ),
            None => (
                requirement.is_satisfied_by(|s| claims.has_scope(s)),
                ChallengeParams::default(),
            ),
        };
        if passes {
            return Ok(RequireScopes(PhantomData));
        }
        tracing::info!(
            target: "scope_runtime",
            path = parts.uri.path(),
            subject = claims.subject().unwrap_or(""),
            outcome = "forbidden",
            required = %L::SCOPES.iter().map(Scope::as_str).collect::<Vec<_>>().join(" "),
            "request denied by #[require_scopes]"
        );
        let error = AuthError::InsufficientScope {
            required: L::SCOPES.iter().map(|s| s.as_str().to_owned()).collect(),
            any_of: false,
        };
        Err(error
            .response_with(params, body_hook(parts))
            .into_response())
    }
}
