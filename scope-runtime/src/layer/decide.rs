//! The decision for one request: a pure function of the layer's configuration and the
//! request's method, full path and headers.

use super::{LayerConfig, Unmapped};
use crate::error::AuthError;
use crate::jwt::VerifiedClaims;
use crate::policy::{Requirement, Rule, with_readings};

/// What the layer decided for one request, before calling the inner service.
pub(super) enum Decision {
    /// Pass without authentication (`public`, or unmapped under `allow`).
    Pass,
    /// Pass with these verified claims.
    PassAuthenticated(VerifiedClaims),
    /// Answer this error.
    Refuse(AuthError),
}

/// The rule (if any) and the requirement that one reading of the path gives.
type Reading = (Option<&'static Rule>, Requirement);

pub(super) fn decide(
    config: &LayerConfig,
    method: &http::Method,
    path: &str,
    headers: &http::HeaderMap,
) -> (Decision, Option<&'static Rule>) {
    // Before anything else, the token included: a spelling the serving code may read
    // differently from the policy has no trustworthy rule.
    if let Err(class) = config.guard.check(path) {
        return (
            Decision::Refuse(AuthError::InvalidRequest(class.detail())),
            None,
        );
    }
    let Some(policy) = &config.policy else {
        let authenticated = (None, Requirement::AllOf(&[]));
        return authorize(config, headers, [Some(authenticated), None, None, None]);
    };
    // Every reading of the path that the serving code may use must be allowed; the
    // method's matcher slot is the same for all of them.
    let slot = scope_grammar::slot_of(method.as_str());
    let readings = with_readings(path.as_bytes(), |decoded, routed| {
        let reading = |path: &[u8]| match policy.lookup_slot(slot, path) {
            Some(rule) => (Some(rule), rule.requirement()),
            None => match config.unmapped {
                Unmapped::Allow => (None, Requirement::Public),
                Unmapped::Authenticated => (None, Requirement::AllOf(&[])),
                Unmapped::Deny => (None, Requirement::AnyOf(&[])),
            },
        };
        // What `Path` and `ServeDir` see: the values handlers get.
        let primary = reading(decoded);
        // What axum's router compares route literals with: an escaped literal
        // (`/reports/%73ummary`) is routed past the literal route, to a capture beside it.
        let router = (routed != decoded)
            .then(|| reading(routed))
            .filter(|r| r.0 != primary.0);
        // `nest_service` and `ServeDir` serve `/x/` as they serve `/x`, and nothing in
        // the request tells them from a route of its own: the rule written for `/x`
        // binds `/x/` too (when there is one). axum marks the `/v1` and `/v1/` of a
        // `nest_service` with a `MatchedPath` just like a `.route()`.
        let also = |path: &[u8]| {
            policy
                .lookup_slot(slot, path)
                .filter(|rule| Some(*rule) != primary.0)
                .map(|rule| (Some(rule), rule.requirement()))
        };
        let (slashless, index) = match decoded {
            [rest @ .., b'/'] if !rest.is_empty() => {
                // `ServeDir` answers a directory path with its `index.html` (by
                // default): the file's rule binds the directory path too.
                let index = with_index_html(decoded, |path| also(path));
                (also(rest), index)
            }
            _ => (None, None),
        };
        [Some(primary), router, slashless, index]
    });
    authorize(config, headers, readings)
}

/// Calls `f` with `directory` (a decoded path ending in `/`) followed by `index.html`.
fn with_index_html<R>(directory: &[u8], f: impl FnOnce(&[u8]) -> R) -> R {
    const INDEX: &[u8] = b"index.html";
    let mut inline = [0u8; 256];
    let len = directory.len() + INDEX.len();
    if len <= inline.len() {
        inline[..directory.len()].copy_from_slice(directory);
        inline[directory.len()..len].copy_from_slice(INDEX);
        return f(&inline[..len]);
    }
    f(&[directory, INDEX].concat())
}

/// Authenticates (unless every reading is `public`) and checks each reading; the first
/// reading is the one traced.
fn authorize(
    config: &LayerConfig,
    headers: &http::HeaderMap,
    readings: [Option<Reading>; 4],
) -> (Decision, Option<&'static Rule>) {
    let traced = readings[0].and_then(|r| r.0);
    if readings
        .iter()
        .flatten()
        .all(|r| r.1 == Requirement::Public)
    {
        return (Decision::Pass, traced);
    }
    let claims = match config.verifier.verify_headers(headers) {
        Ok(claims) => claims,
        Err(error) => return (Decision::Refuse(error), traced),
    };
    for (rule, requirement) in readings.into_iter().flatten() {
        if !config.satisfies(&claims, &requirement) {
            return (Decision::Refuse(insufficient(rule, requirement)), rule);
        }
    }
    (Decision::PassAuthenticated(claims), traced)
}

/// The 403 for a reading the caller does not satisfy.
fn insufficient(rule: Option<&Rule>, requirement: Requirement) -> AuthError {
    // Unmapped under `deny`: no scope is named. Only the admin scope would have passed,
    // and its name is not advertised to every authenticated caller.
    let (required, any_of) = match rule {
        Some(_) => (
            requirement
                .scopes()
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
            matches!(requirement, Requirement::AnyOf(_)),
        ),
        None => (Vec::new(), false),
    };
    AuthError::InsufficientScope { required, any_of }
}
