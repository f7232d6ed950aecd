//! Route coverage of a policy: the routes no rule covers and the rules no route reaches.

use std::fmt;

use scope_grammar::{Method, RouteKey};

use crate::policy::{Policy, Rule};

/// What [`Policy::coverage`] found: the routes some of whose requests no rule decides
/// (denied under [`Unmapped::Deny`](crate::Unmapped::Deny), so usually a forgotten
/// rule), and the rules that decide no request any route serves (usually a typo, such
/// as `/agent/*` for `/agents/{id}`).
///
/// Its `Display` is the list a person reads; empty when [`Coverage::is_complete`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Coverage {
    uncovered_routes: Vec<String>,
    unreached_rules: Vec<&'static Rule>,
}

impl Coverage {
    /// Every route covered and every rule reached.
    pub fn is_complete(&self) -> bool {
        self.uncovered_routes.is_empty() && self.unreached_rules.is_empty()
    }

    /// The routes with no rule for some of their requests, as `"METHOD /path"` (one
    /// entry per method).
    pub fn uncovered_routes(&self) -> &[String] {
        &self.uncovered_routes
    }

    /// The rules no route reaches, in declaration order.
    pub fn unreached_rules(&self) -> &[&'static Rule] {
        &self.unreached_rules
    }
}

impl fmt::Display for Coverage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.uncovered_routes.is_empty() {
            writeln!(
                f,
                "routes with no rule (denied under Unmapped::Deny, whatever the token):"
            )?;
            for route in &self.uncovered_routes {
                writeln!(f, "  {route}")?;
            }
        }
        if !self.unreached_rules.is_empty() {
            writeln!(f, "rules that no route reaches:")?;
            for rule in &self.unreached_rules {
                writeln!(f, "  {rule}")?;
            }
        }
        Ok(())
    }
}

/// A route key [`Policy::coverage`] could not read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("route `{route}`: {message}")]
pub struct RouteKeyError {
    route: String,
    message: String,
}

impl RouteKeyError {
    /// The error of `route`, whose parse found `errors`.
    pub(crate) fn new(route: &str, errors: &[scope_grammar::GrammarError]) -> RouteKeyError {
        RouteKeyError {
            route: route.to_owned(),
            message: errors
                .iter()
                .map(|e| e.message())
                .collect::<Vec<_>>()
                .join("; "),
        }
    }
}

impl Policy {
    /// Compares the policy with the routes a router serves, each written as a key,
    /// `"METHOD /path"` with axum's `{name}` and `{*name}` captures (`*` for a route
    /// that serves every method, e.g. `any(..)`), with full paths as the layer sees
    /// them. Run it in a test, or at start-up before serving.
    ///
    /// A route is covered when, for each of its methods, a request with capture values
    /// that no literal rule names finds a rule. A rule is reached when some request that
    /// a route serves is decided by it. `HEAD` is left out: axum serves it with the
    /// `GET` handler.
    ///
    /// ```
    /// use scope_runtime::{scopes, Policy};
    ///
    /// static POLICY: Policy = scopes! {
    ///     "GET /agents"         => ["app:read"],
    ///     "GET /agent/*"        => ["app:read"], // a typo
    ///     "POST /agents/*/runs" => ["app:run"],
    /// };
    /// let coverage = POLICY
    ///     .coverage(["GET /agents", "GET /agents/{agent_id}", "POST /agents/{agent_id}/runs"])
    ///     .unwrap();
    /// assert!(!coverage.is_complete());
    /// assert_eq!(coverage.uncovered_routes(), ["GET /agents/{agent_id}"]);
    /// assert_eq!(coverage.unreached_rules()[0].key(), "GET /agent/*");
    /// assert_eq!(
    ///     coverage.to_string(),
    ///     "routes with no rule (denied under Unmapped::Deny, whatever the token):\n  \
    ///      GET /agents/{agent_id}\n\
    ///      rules that no route reaches:\n  \"GET /agent/*\" => [\"app:read\"]\n",
    /// );
    /// ```
    pub fn coverage<'a>(
        &self,
        routes: impl IntoIterator<Item = &'a str>,
    ) -> Result<Coverage, RouteKeyError> {
        let route_keys = routes
            .into_iter()
            .map(|route| {
                RouteKey::parse(route).map_err(|errors| RouteKeyError::new(route, &errors))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(self.coverage_of_keys(&self.rule_keys(), &route_keys))
    }

    /// The keys of the rules, parsed, in declaration order.
    pub(crate) fn rule_keys(&self) -> Vec<RouteKey> {
        self.rules()
            .iter()
            .map(|rule| RouteKey::parse(rule.key()).expect("the keys of a policy parse"))
            .collect()
    }

    /// [`Policy::coverage`] of routes already parsed; `rule_keys` are
    /// [`Policy::rule_keys`].
    pub(crate) fn coverage_of_keys(
        &self,
        rule_keys: &[RouteKey],
        route_keys: &[RouteKey],
    ) -> Coverage {
        let found = scope_grammar::coverage(rule_keys, route_keys);
        let uncovered_routes = found
            .uncovered_routes
            .iter()
            .flat_map(|(index, methods)| {
                let key = &route_keys[*index];
                let path = key.path.as_str();
                let all = methods.len() == Method::ALL.len() - 1;
                let listed: Vec<String> = if all {
                    vec![format!("* {path}")]
                } else {
                    methods.iter().map(|m| format!("{m} {path}")).collect()
                };
                listed
            })
            .collect();
        let unreached_rules = found
            .unreached_rules
            .iter()
            .map(|&index| &self.rules()[index])
            .collect();
        Coverage {
            uncovered_routes,
            unreached_rules,
        }
    }
}
