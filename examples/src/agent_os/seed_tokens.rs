//! The four tokens the seed prints at start-up, minted with the configured secret so
//! the walkthrough's curl lines work as printed; `agent_os_rbac` mints its own users'
//! tokens the same way ([`mint_tokens`]).

use std::fmt;

use jsonwebtoken::{EncodingKey, Header};
use serde::Serialize;

/// One of the tokens an example prints at start-up (the seed prints four).
#[derive(Clone, PartialEq, Eq)]
pub struct SeedToken {
    /// The shell variable of the seed's walkthrough, e.g. `BASIC_TOKEN`.
    pub label: &'static str,
    /// The heading the seed prints above the token, e.g. `Basic User (app:read only)`.
    pub description: &'static str,
    /// The `sub` claim.
    pub subject: &'static str,
    /// The `scopes` claim.
    pub scopes: &'static [&'static str],
    /// The signed JWT.
    pub token: String,
}

impl fmt::Debug for SeedToken {
    /// Leaves the token out: it is a credential.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SeedToken")
            .field("label", &self.label)
            .field("subject", &self.subject)
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

/// A user an example prints a token for: label, heading, `sub`, scopes.
pub(crate) type User = (
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
);

/// The seed's users.
const SEED_USERS: [User; 4] = [
    (
        "BASIC_TOKEN",
        "Basic User (app:read only)",
        "user_123",
        &["app:read"],
    ),
    (
        "POWER_TOKEN",
        "Power User (app:read, app:run, app:execute)",
        "user_456",
        &["app:read", "app:run", "app:execute"],
    ),
    (
        "ADMIN_TOKEN",
        "Admin (app:admin + all permissions)",
        "admin_789",
        &["app:admin", "app:read", "app:run", "app:execute"],
    ),
    (
        "SUPERADMIN_TOKEN",
        "Super Admin (app:superadmin - bypasses all)",
        "superadmin",
        &["app:superadmin"],
    ),
];

/// How long the printed tokens are valid: 24 hours, as in the seed.
const SEED_TOKEN_LIFETIME_SECS: u64 = 24 * 60 * 60;

/// The claims of a printed token, serialized as PyJWT would (`exp` as seconds).
#[derive(Serialize)]
struct SeedClaims<'a> {
    sub: &'a str,
    scopes: &'a [&'a str],
    exp: u64,
}

/// Mints the seed's four tokens (basic, power, admin, superadmin), HS256-signed with
/// `secret`, valid 24 hours from now, with the seed's `sub` and `scopes` claims.
pub fn seed_tokens(secret: &[u8]) -> Result<Vec<SeedToken>, jsonwebtoken::errors::Error> {
    mint_tokens(&SEED_USERS, secret)
}

/// A token for each of `users`, HS256-signed with `secret`, valid 24 hours from now.
pub(crate) fn mint_tokens(
    users: &[User],
    secret: &[u8],
) -> Result<Vec<SeedToken>, jsonwebtoken::errors::Error> {
    let key = EncodingKey::from_secret(secret);
    let exp = jsonwebtoken::get_current_timestamp() + SEED_TOKEN_LIFETIME_SECS;
    users
        .iter()
        .map(|&(label, description, subject, scopes)| {
            let claims = SeedClaims {
                sub: subject,
                scopes,
                exp,
            };
            let token = jsonwebtoken::encode(&Header::default(), &claims, &key)?;
            Ok(SeedToken {
                label,
                description,
                subject,
                scopes,
                token,
            })
        })
        .collect()
}
