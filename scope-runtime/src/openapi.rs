//! OpenAPI security from the policy (feature `utoipa`): a bearer security scheme, and
//! each operation's `security` taken from the rule that decides it.

use std::fmt;

use scope_grammar::{Method, RouteKey, route_rules};
use utoipa::Modify;
use utoipa::openapi::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};

use crate::coverage::{Coverage, RouteKeyError};
use crate::layer::Unmapped;
use crate::policy::{Policy, Requirement, Rule};

/// The name [`OpenApiSecurity`] gives its security scheme unless told otherwise.
pub const DEFAULT_SCHEME_NAME: &str = "bearer";

/// Writes a [`Policy`] into an OpenAPI document (utoipa's [`OpenApi`]): a bearer
/// security scheme (HTTP `bearer`, `bearerFormat: JWT`, named
/// [`DEFAULT_SCHEME_NAME`] unless [`scheme_name`](Self::scheme_name) says otherwise) and
/// the `security` of every operation, from the rule that decides that operation's
/// requests. Made by [`Policy::openapi_security`].
///
/// | rule | the operation's `security` |
/// | --- | --- |
/// | `["a", "b"]` | `[{"bearer": ["a", "b"]}]`: one requirement, every scope |
/// | `any["a", "b"]` | `[{"bearer": ["a"]}, {"bearer": ["b"]}]`: one of the alternatives |
/// | `[]` | `[{"bearer": []}]`: a valid token, no scope |
/// | `public` | `[]`: none, which overrides a document-wide `security` |
/// | `optional` | `[{"bearer": []}, {}]`: a valid token, or none (OpenAPI's optional security) |
/// | no rule | as [`unmapped`](Self::unmapped) says (by default left as it was) |
///
/// Scope templates (`agents:{agent_id}:run`) are listed as written: OpenAPI has no way
/// to say that `{agent_id}` is filled from the request path, so a reader must know
/// this policy's convention. The admin scope of the
/// [`ScopeLayer`](crate::ScopeLayer) passes every requirement and is listed nowhere,
/// as in the layer's challenges.
///
/// **Paths.** An operation is found by its path template, read as an axum 0.8 route
/// (`{name}` and `{*name}` captures) and matched against the rules exactly as
/// [`Policy::coverage`] matches routes: the rule that decides the requests whose capture
/// values no literal rule names. OpenAPI paths are relative to the document's server
/// URL, while the policy's patterns are full paths from the outermost router: when the
/// documented API is nested (`Router::nest("/api", ..)`) or served under a server URL
/// with a path, say so with [`path_prefix`](Self::path_prefix).
///
/// **What it cannot say.** When a literal rule decides some values of an operation's
/// capture (`GET /users/root` beside `GET /users/*`), the operation gets the security
/// of the general rule and the report lists the others
/// ([`OpenApiReport::other_rules`]). Paths it cannot read as routes are left as they
/// were and reported too. [`apply`](Self::apply) returns the report; used as a
/// [`Modify`] (`#[openapi(modifiers(..))]`), which cannot return it, an incomplete
/// report is logged with `tracing` at `warn` level.
///
/// ```
/// use scope_runtime::{scopes, Policy};
/// use utoipa::openapi::{OpenApi, path::{HttpMethod, Operation}};
///
/// static POLICY: Policy = scopes! {
///     "GET /agents"                  => ["app:read"],
///     "POST /agents/{agent_id}/runs" => any["app:run", "agents:{agent_id}:run"],
///     "GET /health"                  => public,
/// };
///
/// let mut doc = OpenApi::default();
/// for (path, method) in [
///     ("/agents", HttpMethod::Get),
///     ("/agents/{agent_id}/runs", HttpMethod::Post),
///     ("/health", HttpMethod::Get),
/// ] {
///     doc.paths.add_path_operation(path, vec![method], Operation::default());
/// }
/// let report = POLICY.openapi_security().apply(&mut doc);
/// assert!(report.is_complete(), "{report}");
///
/// let json = serde_json::to_value(&doc).unwrap();
/// assert_eq!(
///     json["components"]["securitySchemes"]["bearer"],
///     serde_json::json!({ "type": "http", "scheme": "bearer", "bearerFormat": "JWT" }),
/// );
/// assert_eq!(
///     json["paths"]["/agents/{agent_id}/runs"]["post"]["security"],
///     serde_json::json!([{ "bearer": ["app:run"] }, { "bearer": ["agents:{agent_id}:run"] }]),
/// );
/// assert_eq!(json["paths"]["/health"]["get"]["security"], serde_json::json!([]));
/// ```
///
/// With utoipa's derive, the same as a modifier (a `static`: the derive takes a name):
///
/// ```
/// use scope_runtime::{scopes, OpenApiSecurity, Policy};
/// use utoipa::OpenApi;
///
/// static POLICY: Policy = scopes! { "GET /health" => public };
/// static SECURITY: OpenApiSecurity = POLICY.openapi_security();
///
/// #[utoipa::path(get, path = "/health", responses((status = 200, description = "OK")))]
/// async fn health() {}
///
/// #[derive(OpenApi)]
/// #[openapi(paths(health), modifiers(&SECURITY))]
/// struct ApiDoc;
///
/// let doc = serde_json::to_value(ApiDoc::openapi()).unwrap();
/// assert_eq!(doc["paths"]["/health"]["get"]["security"], serde_json::json!([]));
/// assert_eq!(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
/// ```
#[derive(Clone, Debug)]
pub struct OpenApiSecurity {
    policy: Policy,
    scheme_name: &'static str,
    unmapped: Unmapped,
    path_prefix: &'static str,
}

impl Policy {
    /// What writes this policy into an OpenAPI document: see [`OpenApiSecurity`]. A
    /// `const fn`, as are its settings, so that it can be a `static` for utoipa's
    /// `#[openapi(modifiers(&NAME))]`, which takes a name only.
    pub const fn openapi_security(&self) -> OpenApiSecurity {
        OpenApiSecurity {
            policy: *self,
            scheme_name: DEFAULT_SCHEME_NAME,
            unmapped: Unmapped::Deny,
            path_prefix: "",
        }
    }
}

impl OpenApiSecurity {
    /// The name of the security scheme, under `components.securitySchemes` and in every
    /// requirement ([`DEFAULT_SCHEME_NAME`] by default). A scheme of that name already in
    /// the document is replaced.
    pub const fn scheme_name(mut self, name: &'static str) -> Self {
        self.scheme_name = name;
        self
    }

    /// What the operations that no rule decides get: give the
    /// [`ScopeLayer::unmapped`](crate::ScopeLayer::unmapped) setting of the layer.
    ///
    /// - [`Unmapped::Deny`] (the default, as in the layer): the operation is left as it
    ///   was. The layer refuses it to everyone but the admin scope, which OpenAPI
    ///   cannot say without naming that scope; it is a forgotten rule, listed by
    ///   [`OpenApiReport::uncovered_operations`].
    /// - [`Unmapped::Authenticated`]: `[{"bearer": []}]`, as for `[]`.
    /// - [`Unmapped::Allow`]: `[]`, as for `public`.
    pub const fn unmapped(mut self, unmapped: Unmapped) -> Self {
        self.unmapped = unmapped;
        self
    }

    /// The path the document's paths are relative to, from the root of the outermost
    /// router the layer guards (`""` by default): `"/api"` when the documented router
    /// is nested at `/api`, or when the document's server URL ends in `/api`. A
    /// trailing `/` is ignored.
    pub const fn path_prefix(mut self, prefix: &'static str) -> Self {
        self.path_prefix = prefix;
        self
    }

    /// The `security` of an operation that `requirement` decides: one requirement object
    /// per alternative, each naming the scopes it needs (see the table of
    /// [`OpenApiSecurity`]).
    ///
    /// ```
    /// use scope_runtime::{scopes, Policy};
    /// static POLICY: Policy = scopes! { "GET /me" => [] };
    /// let security = POLICY.openapi_security().security_of(POLICY.rules()[0].requirement());
    /// assert_eq!(serde_json::to_string(&security).unwrap(), r#"[{"bearer":[]}]"#);
    /// ```
    pub fn security_of(&self, requirement: Requirement) -> Vec<SecurityRequirement> {
        let name = self.scheme_name;
        let scopes = |scopes: &[crate::Scope]| {
            scopes
                .iter()
                .map(|s| s.as_str().to_owned())
                .collect::<Vec<_>>()
        };
        // The one place a requirement becomes OpenAPI security.
        match requirement {
            Requirement::Public => Vec::new(),
            // OpenAPI's optional security: the bearer, or the empty requirement (none).
            Requirement::Optional => vec![
                SecurityRequirement::new(name, Vec::<String>::new()),
                SecurityRequirement::default(),
            ],
            Requirement::AllOf(all) => vec![SecurityRequirement::new(name, scopes(all))],
            Requirement::AnyOf(any) => any
                .iter()
                .map(|s| SecurityRequirement::new(name, [s.as_str()]))
                .collect(),
        }
    }

    /// Adds the security scheme to `doc` and sets the `security` of each of its
    /// operations; returns what does not match between the policy and the document.
    pub fn apply(&self, doc: &mut OpenApi) -> OpenApiReport {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            self.scheme_name,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
        let prefix = self.path_prefix.trim_end_matches('/');
        let rule_keys = self.policy.rule_keys();
        let mut routes = Vec::new();
        let mut other_rules = Vec::new();
        let mut unreadable = Vec::new();
        for (path, item) in doc.paths.paths.iter_mut() {
            let operations = [
                (Method::Get, &mut item.get),
                (Method::Put, &mut item.put),
                (Method::Post, &mut item.post),
                (Method::Delete, &mut item.delete),
                (Method::Options, &mut item.options),
                (Method::Head, &mut item.head),
                (Method::Patch, &mut item.patch),
                (Method::Trace, &mut item.trace),
            ];
            for (method, operation) in operations {
                let Some(operation) = operation else { continue };
                let route = format!("{method} {prefix}{path}");
                let key = match RouteKey::parse(&route) {
                    Ok(key) => key,
                    Err(errors) => {
                        unreadable.push(RouteKeyError::new(&route, &errors));
                        continue;
                    }
                };
                let found = route_rules(&rule_keys, &key, method);
                let rules = self.policy.rules();
                let requirement = match found.generic {
                    Some(index) => Some(rules[index].requirement()),
                    None => self.unmapped_requirement(),
                };
                if let Some(requirement) = requirement {
                    operation.security = Some(self.security_of(requirement));
                }
                other_rules.extend(found.others.iter().map(|&i| (route.clone(), &rules[i])));
                routes.push(key);
            }
        }
        let coverage = self.policy.coverage_of_keys(&rule_keys, &routes);
        OpenApiReport {
            coverage,
            other_rules,
            unreadable,
        }
    }

    /// The requirement the layer applies to a request no rule decides, when OpenAPI can
    /// say it.
    fn unmapped_requirement(&self) -> Option<Requirement> {
        match self.unmapped {
            Unmapped::Deny => None,
            Unmapped::Authenticated => Some(Requirement::AllOf(&[])),
            Unmapped::Allow => Some(Requirement::Public),
        }
    }
}

impl Modify for OpenApiSecurity {
    fn modify(&self, openapi: &mut OpenApi) {
        let report = self.apply(openapi);
        if !report.is_complete() {
            tracing::warn!("the OpenAPI document and the scope policy differ:\n{report}");
        }
    }
}

/// What [`OpenApiSecurity::apply`] found: the operations no rule decides, the rules no
/// operation reaches, the operations some of whose values other rules decide, and the
/// paths it could not read.
///
/// Its `Display` is the list a person reads; empty when
/// [`is_complete`](Self::is_complete).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenApiReport {
    coverage: Coverage,
    other_rules: Vec<(String, &'static Rule)>,
    unreadable: Vec<RouteKeyError>,
}

impl OpenApiReport {
    /// Every operation decided by one rule and every rule reached, every path read.
    pub fn is_complete(&self) -> bool {
        self.coverage.is_complete() && self.other_rules.is_empty() && self.unreadable.is_empty()
    }

    /// The operations with no rule, as `"METHOD /path"` (the path prefixed as
    /// [`OpenApiSecurity::path_prefix`] says): what [`Coverage::uncovered_routes`] is
    /// for routes.
    pub fn uncovered_operations(&self) -> &[String] {
        self.coverage.uncovered_routes()
    }

    /// The rules no operation of the document reaches, in declaration order.
    pub fn unreached_rules(&self) -> &[&'static Rule] {
        self.coverage.unreached_rules()
    }

    /// `(operation, rule)`: a rule that decides some values of the operation's captures
    /// (a literal rule beside a general one) and whose requirement its `security`
    /// therefore does not show.
    pub fn other_rules(&self) -> &[(String, &'static Rule)] {
        &self.other_rules
    }

    /// The operations whose path is not an axum route (left as they were).
    pub fn unreadable(&self) -> &[RouteKeyError] {
        &self.unreadable
    }
}

impl fmt::Display for OpenApiReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let uncovered = self.uncovered_operations();
        if !uncovered.is_empty() {
            writeln!(f, "operations with no rule (as `unmapped` says):")?;
            for operation in uncovered {
                writeln!(f, "  {operation}")?;
            }
        }
        let unreached = self.unreached_rules();
        if !unreached.is_empty() {
            writeln!(f, "rules that no operation reaches:")?;
            for rule in unreached {
                writeln!(f, "  {rule}")?;
            }
        }
        if !self.other_rules.is_empty() {
            writeln!(f, "operations that other rules decide for some values:")?;
            for (operation, rule) in &self.other_rules {
                writeln!(f, "  {operation}: {rule}")?;
            }
        }
        if !self.unreadable.is_empty() {
            writeln!(
                f,
                "operations whose path is not a route (left as they were):"
            )?;
            for error in &self.unreadable {
                writeln!(f, "  {error}")?;
            }
        }
        Ok(())
    }
}
