//! The layer's refusals, written out once: for each kind, the status, the whole
//! `WWW-Authenticate` value and the `{"detail": ...}` text a client must get.

use scope_runtime::PathClass;

/// What the layer answers when it refuses a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// The status code: 400, 401 or 403.
    pub status: u16,
    /// The whole `WWW-Authenticate` value.
    pub challenge: String,
    /// The text of the JSON body `{"detail": ...}`.
    pub detail: String,
}

impl Refusal {
    fn new(status: u16, challenge: impl Into<String>, detail: impl Into<String>) -> Refusal {
        Refusal {
            status,
            challenge: challenge.into(),
            detail: detail.into(),
        }
    }

    /// A `Bearer` challenge carrying `error` and, when given, an `error_description`
    /// (as an HTTP quoted string: `\` and `"` escaped).
    fn bearer(error: &str, description: Option<&str>) -> String {
        match description {
            None => format!(r#"Bearer error="{error}""#),
            Some(text) => {
                let quoted = text.replace('\\', "\\\\").replace('"', "\\\"");
                format!(r#"Bearer error="{error}", error_description="{quoted}""#)
            }
        }
    }

    /// 401, a plain `Bearer` challenge: no token at all.
    pub fn missing() -> Refusal {
        Refusal::new(401, "Bearer", "Authorization header missing")
    }

    /// 401, a plain `Bearer` challenge: credentials of another scheme than Bearer.
    pub fn not_bearer() -> Refusal {
        Refusal::new(
            401,
            "Bearer",
            "Authorization header does not carry a Bearer token",
        )
    }

    /// 400 `invalid_request` described as `description`.
    pub fn invalid_request(description: &str) -> Refusal {
        Refusal::new(
            400,
            Refusal::bearer("invalid_request", Some(description)),
            description,
        )
    }

    /// 400 `invalid_request` for a request-path spelling of `class`, refused before any
    /// rule is looked up or any token read (docs/matching.md, rule 0).
    pub fn bad_path(class: PathClass) -> Refusal {
        Refusal::invalid_request(class.detail())
    }

    /// 401 `invalid_token` described as `description`.
    pub fn invalid_token(description: &str) -> Refusal {
        Refusal::new(
            401,
            Refusal::bearer("invalid_token", Some(description)),
            format!("Invalid token: {description}"),
        )
    }

    /// 401 for a token past its `exp`.
    pub fn expired() -> Refusal {
        Refusal::new(
            401,
            Refusal::bearer("invalid_token", Some("The access token expired")),
            "Token has expired",
        )
    }

    /// 403 `insufficient_scope` naming `scopes`, all of them required.
    pub fn forbidden(scopes: &[&str]) -> Refusal {
        Refusal::insufficient(scopes, scopes, "")
    }

    /// 403 `insufficient_scope` naming `scopes`, any one of which would do (an
    /// `any[...]` requirement, templates filled): the challenge asks for the first.
    pub fn forbidden_any(scopes: &[&str]) -> Refusal {
        Refusal::insufficient(&scopes[..scopes.len().min(1)], scopes, "one of ")
    }

    /// 403 `insufficient_scope` naming `advertised` in the challenge, and `scopes` in the
    /// detail after `lead` (`"one of "` for an `any[...]`).
    fn insufficient(advertised: &[&str], scopes: &[&str], lead: &str) -> Refusal {
        Refusal::new(
            403,
            format!(
                r#"Bearer error="insufficient_scope", scope="{}""#,
                advertised.join(" ")
            ),
            format!(
                "Insufficient permissions. Required scope(s): {lead}{}",
                scopes.join(", ")
            ),
        )
    }

    /// 403 for a route no rule maps, under `Unmapped::Deny`: `insufficient_scope`
    /// naming no scope (only the admin scope would pass, and its name is not
    /// advertised).
    pub fn unmapped() -> Refusal {
        Refusal::new(
            403,
            Refusal::bearer("insufficient_scope", None),
            "Insufficient permissions. No rule grants access to this route",
        )
    }

    /// The same refusal from a layer configured with `.realm(realm)`: the challenge
    /// names the realm first.
    pub fn in_realm(mut self, realm: &str) -> Refusal {
        let rest = self
            .challenge
            .strip_prefix("Bearer")
            .expect("a Bearer challenge");
        let rest = rest.strip_prefix(' ').map(|r| format!(", {r}"));
        self.challenge = format!(r#"Bearer realm="{realm}"{}"#, rest.as_deref().unwrap_or(""));
        self
    }
}
