//! The tower layer: read the path, look up the rules, authenticate, enforce.
//!
//! [`ScopeLayer`] (the builder and `tower_layer::Layer`) wraps a service in a
//! [`ScopeService`], whose responses are [`ScopeFuture`]s. The decision itself (path
//! guard, readings of the path, rules, token, scopes) is a pure function of the
//! configuration and the request head, kept apart from that plumbing in `decide.rs`.

mod decide;
mod future;
mod scope_layer;
mod service;

use std::sync::Arc;

use crate::error::{BodyHook, ChallengeParams, Misconfiguration};
use crate::guard::PathGuard;
use crate::jwt::{JwtVerifier, VerifiedClaims};
use crate::policy::{Policy, Requirement};

pub use future::ScopeFuture;
pub use scope_layer::ScopeLayer;
pub use service::ScopeService;

/// What the layer does with a request that no rule of the policy matches.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Unmapped {
    /// Authenticate, then answer 403 `insufficient_scope` without a `scope` attribute
    /// (the admin scope still passes, but is not named). The default: a route someone
    /// forgot to map is closed, not open.
    #[default]
    Deny,
    /// Any verified token passes, as if the rule were `[]`.
    Authenticated,
    /// Pass without authentication, as if the rule were `public`.
    Allow,
}

/// Shared, immutable configuration of one layer.
pub(crate) struct LayerConfig {
    pub(crate) verifier: JwtVerifier,
    pub(crate) policy: Option<Policy>,
    pub(crate) admin_scope: Option<Box<str>>,
    pub(crate) unmapped: Unmapped,
    pub(crate) realm: Option<Box<str>>,
    pub(crate) resource_metadata: Option<Box<str>>,
    /// The path the metadata document is served at: `GET` and `HEAD` of exactly this
    /// path pass without a token, whatever the policy says.
    pub(crate) metadata_path: Option<Box<str>>,
    pub(crate) guard: PathGuard,
    /// The body of every refusal, when not the default `{"detail": "..."}`.
    pub(crate) refusal_body: Option<BodyHook>,
}

impl LayerConfig {
    /// Whether `claims` hold the admin scope, which passes every requirement.
    pub(crate) fn is_admin(&self, claims: &VerifiedClaims) -> bool {
        self.admin_scope
            .as_deref()
            .is_some_and(|admin| claims.has_scope(admin))
    }

    /// Whether `claims` pass `requirement` on a request whose decoded path is `path`
    /// (the admin scope passes everything).
    pub(crate) fn satisfies(
        &self,
        claims: &VerifiedClaims,
        requirement: &Requirement,
        path: &[u8],
    ) -> bool {
        self.is_admin(claims) || requirement.is_met(claims.scopes(), path)
    }

    /// The params every challenge of this layer carries beside the refusal's own.
    pub(crate) fn challenge_params(&self) -> ChallengeParams<'_> {
        ChallengeParams {
            realm: self.realm.as_deref(),
            resource_metadata: self.resource_metadata.as_deref(),
        }
    }

    /// Whether handlers' own refusals need this configuration to write their answer
    /// (their challenge's params, or the refusal-body hook).
    pub(crate) fn needs_context(&self) -> bool {
        self.realm.is_some() || self.resource_metadata.is_some() || self.refusal_body.is_some()
    }
}

/// The layer's configuration as seen by handlers (for `#[require_scopes]`): inserted
/// into the request extensions next to the [`VerifiedClaims`].
#[derive(Clone)]
pub(crate) struct AuthContext(pub(crate) Arc<LayerConfig>);

/// Why the layer let a request through without claims, left on the request as a mark so
/// that an extractor asking for claims can tell a misconfigured route from a missing
/// layer. Each reason is its own zero-sized type in the extensions: inserting one
/// allocates nothing beyond the map axum's router already allocates for `OriginalUri`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PassedWithout {
    /// The rule is `public`.
    Public,
    /// The rule is `optional` and the request carried no bearer token.
    Optional,
    /// No rule, and [`Unmapped::Allow`].
    Unmapped,
    /// The protected-resource metadata document's path.
    Metadata,
}

mod mark {
    #[derive(Clone, Copy)]
    pub(super) struct Public;
    #[derive(Clone, Copy)]
    pub(super) struct Optional;
    #[derive(Clone, Copy)]
    pub(super) struct Unmapped;
    #[derive(Clone, Copy)]
    pub(super) struct Metadata;
}

impl PassedWithout {
    /// Leaves the mark of `self` on a request.
    pub(crate) fn mark(self, extensions: &mut http::Extensions) {
        match self {
            Self::Public => extensions.insert(mark::Public).map(drop),
            Self::Optional => extensions.insert(mark::Optional).map(drop),
            Self::Unmapped => extensions.insert(mark::Unmapped).map(drop),
            Self::Metadata => extensions.insert(mark::Metadata).map(drop),
        };
    }

    /// The mark a layer left on a request, if any.
    pub(crate) fn of(extensions: &http::Extensions) -> Option<PassedWithout> {
        if extensions.get::<mark::Public>().is_some() {
            Some(Self::Public)
        } else if extensions.get::<mark::Optional>().is_some() {
            Some(Self::Optional)
        } else if extensions.get::<mark::Unmapped>().is_some() {
            Some(Self::Unmapped)
        } else if extensions.get::<mark::Metadata>().is_some() {
            Some(Self::Metadata)
        } else {
            None
        }
    }

    /// The misconfiguration of a handler needing claims on a request passed so.
    pub(crate) fn misconfiguration(passed: Option<PassedWithout>) -> Misconfiguration {
        match passed {
            None => Misconfiguration::NoLayer,
            Some(Self::Public) => Misconfiguration::PublicRule,
            Some(Self::Optional) => Misconfiguration::OptionalWithoutToken,
            Some(Self::Unmapped) => Misconfiguration::UnmappedAllowed,
            Some(Self::Metadata) => Misconfiguration::MetadataDocument,
        }
    }
}
