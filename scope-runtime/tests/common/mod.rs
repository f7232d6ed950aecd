//! Helpers shared by the integration tests of `scope-runtime`, one job a module:
//!
//! - [`logs`]: capturing what is logged;
//! - [`provider`]: an identity provider on loopback serving a JWKS and a discovery
//!   document;
//! - [`keys`]: the test-only keys of `tests/fixtures/` and verifiers holding them;
//! - [`tokens`]: minting tokens, well-formed or forged;
//! - [`requests`]: building requests with or without an `Authorization` header;
//! - [`app`]: the agents API policy, a router behind a layer, counting handler entries;
//! - [`replies`]: sending a request, collecting the reply and checking refusals;
//! - [`routes`]: what a route needs, checked by a whole exchange of requests.
//!
//! Every test binary uses a different subset of these helpers.
#![allow(dead_code, unused_imports)]

pub(crate) mod app;
pub(crate) mod keys;
pub(crate) mod logs;
pub(crate) mod provider;
pub(crate) mod replies;
pub(crate) mod requests;
pub(crate) mod routes;
pub(crate) mod tokens;

pub(crate) use app::*;
pub(crate) use keys::*;
pub(crate) use logs::*;
pub(crate) use provider::*;
pub(crate) use replies::*;
pub(crate) use requests::*;
pub(crate) use routes::*;
pub(crate) use tokens::*;
