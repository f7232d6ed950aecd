//! The decision for one request: a pure function of the layer's configuration and the
//! request's method, full path and headers.

use super::{LayerConfig, PassedWithout, Unmapped};
use crate::error::AuthError;
use crate::jwt::VerifiedClaims;
use crate::policy::{Policy, Requirement, Rule, with_readings};

/// What the layer decided for one request, before calling the inner service.
pub(super) enum Decision {
    /// Pass without claims, for this reason.
    Pass(PassedWithout),
    /// Pass with these verified claims.
    PassAuthenticated(VerifiedClaims),
    /// Answer this error.
    Refuse(AuthError),
}

/// The rule (if any) and the requirement that one reading of the path gives, and the
/// decoded path its scope templates are filled from.
type Reading<'p> = (Option<&'static Rule>, Requirement, &'p [u8]);

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
    // The document the challenges point at must be readable without the token the
    // client is about to go and get.
    if config.metadata_path.as_deref() == Some(path)
        && (method == http::Method::GET || method == http::Method::HEAD)
    {
        return (Decision::Pass(PassedWithout::Metadata), None);
    }
    let Some(policy) = &config.policy else {
        let authenticated = (None, Requirement::AllOf(&[]), path.as_bytes());
        return authorize(config, headers, [Some(authenticated), None, None, None]);
    };
    // Every reading of the path that the serving code may use must be allowed; the
    // method's matcher slot is the same for all of them.
    let slot = scope_grammar::slot_of(method.as_str());
    with_readings(path.as_bytes(), |decoded, routed| {
        // `fill` is the decoded path the rule's templates take their values from.
        let reading = |path: &[u8], fill| match policy.lookup_slot(slot, path) {
            Some(rule) => (Some(rule), rule.requirement(), fill),
            None => match config.unmapped {
                Unmapped::Allow => (None, Requirement::Public, fill),
                Unmapped::Authenticated => (None, Requirement::AllOf(&[]), fill),
                Unmapped::Deny => (None, Requirement::AnyOf(&[]), fill),
            },
        };
        // What `Path` and `ServeDir` see: the values handlers get.
        let primary = reading(decoded, decoded);
        // What axum's router compares route literals with: an escaped literal
        // (`/reports/%73ummary`) is routed past the literal route, to a capture beside it.
        // Both readings split the path at the same `/`s (the router's decodes `%2F`
        // too), and the handler of that route gets the decoded values.
        let router = (routed != decoded)
            .then(|| reading(routed, decoded))
            .filter(|r| r.0 != primary.0);
        // `nest_service` and `ServeDir` serve `/x/` as they serve `/x`, and nothing in
        // the request tells them from a route of its own: the rule written for `/x`
        // binds `/x/` too (when there is one). axum marks the `/v1` and `/v1/` of a
        // `nest_service` with a `MatchedPath` just like a `.route()`.
        fn also<'p>(
            policy: &Policy,
            slot: usize,
            primary: Option<&'static Rule>,
            path: &'p [u8],
        ) -> Option<Reading<'p>> {
            policy
                .lookup_slot(slot, path)
                .filter(|rule| Some(*rule) != primary)
                .map(|rule| (Some(rule), rule.requirement(), path))
        }
        match decoded {
            [rest @ .., b'/'] if !rest.is_empty() => {
                // `ServeDir` answers a directory path with its `index.html` (by
                // default): the file's rule binds the directory path too.
                with_index_html(decoded, |index| {
                    let (slashless, index) = (
                        also(policy, slot, primary.0, rest),
                        also(policy, slot, primary.0, index),
                    );
                    let readings = [Some(primary), router, slashless, index];
                    authorize(config, headers, readings)
                })
            }
            _ => authorize(config, headers, [Some(primary), router, None, None]),
        }
    })
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

/// Authenticates (unless every reading is `public`, or `public` and `optional` without a
/// token) and checks each reading; the first reading is the one traced.
fn authorize(
    config: &LayerConfig,
    headers: &http::HeaderMap,
    readings: [Option<Reading<'_>>; 4],
) -> (Decision, Option<&'static Rule>) {
    let traced = readings[0].and_then(|r| r.0);
    let (mut needs_token, mut optional) = (false, false);
    for reading in readings.iter().flatten() {
        match reading.1 {
            Requirement::Public => {}
            Requirement::Optional => optional = true,
            Requirement::AllOf(_) | Requirement::AnyOf(_) => needs_token = true,
        }
    }
    if !needs_token && !optional {
        // A rule that says `public`, or no rule under `Unmapped::Allow`.
        let passed = match traced {
            Some(_) => PassedWithout::Public,
            None => PassedWithout::Unmapped,
        };
        return (Decision::Pass(passed), traced);
    }
    let claims = match config.verifier.verify_headers(headers) {
        Ok(claims) => claims,
        // `optional` (where no reading needs more): no bearer token at all is an
        // anonymous request, served without claims. Another scheme (`Basic`, from a
        // proxy in front) is not a bearer token either; a bearer token that does not
        // verify is refused as on any other route, so that a client never mistakes a
        // broken token for an anonymous visit.
        Err(AuthError::MissingToken | AuthError::NotBearer) if !needs_token => {
            return (Decision::Pass(PassedWithout::Optional), traced);
        }
        Err(error) => return (Decision::Refuse(error), traced),
    };
    let admin = config.is_admin(&claims);
    if !admin {
        for (rule, requirement, fill) in readings.into_iter().flatten() {
            if !requirement.is_met(claims.scopes(), fill) {
                return (
                    Decision::Refuse(insufficient(rule, requirement, fill)),
                    rule,
                );
            }
        }
    }
    (
        Decision::PassAuthenticated(claims.with_admin(admin)),
        traced,
    )
}

/// The 403 for a reading the caller does not satisfy: templates are named filled with
/// the values of `fill`.
fn insufficient(rule: Option<&Rule>, requirement: Requirement, fill: &[u8]) -> AuthError {
    // Unmapped under `deny`: no scope is named. Only the admin scope would have passed,
    // and its name is not advertised to every authenticated caller.
    let (required, any_of) = match rule {
        Some(_) => (
            requirement
                .scopes()
                .iter()
                .map(|s| s.filled(fill).into_owned())
                .collect(),
            matches!(requirement, Requirement::AnyOf(_)),
        ),
        None => (Vec::new(), false),
    };
    AuthError::InsufficientScope { required, any_of }
}
