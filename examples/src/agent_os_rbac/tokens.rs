//! The tokens `agent_os_rbac` prints at start-up: one per way of holding the agents'
//! scopes, minted with the configured secret as the seed's are.

use crate::agent_os::{SeedToken, User, mint_tokens};

/// The users of the walkthrough: label, heading, `sub`, scopes.
const USERS: [User; 4] = [
    (
        "RESEARCH_READER_TOKEN",
        "Research Reader (agents:research-agent:read: one agent)",
        "research_reader",
        &["agents:research-agent:read"],
    ),
    (
        "RUNNER_TOKEN",
        "Runner (agents:*:run: runs every agent, reads none)",
        "runner",
        &["agents:*:run"],
    ),
    (
        "READER_TOKEN",
        "Reader (agents:read: reads every agent, runs none)",
        "reader",
        &["agents:read"],
    ),
    (
        "ADMIN_TOKEN",
        "Admin (agent_os:admin - bypasses all)",
        "admin",
        &["agent_os:admin"],
    ),
];

/// Mints the walkthrough's four tokens (one-agent reader, wildcard runner, global
/// reader, admin), HS256-signed with `secret`, valid 24 hours from now.
pub fn example_tokens(secret: &[u8]) -> Result<Vec<SeedToken>, jsonwebtoken::errors::Error> {
    mint_tokens(&USERS, secret)
}
