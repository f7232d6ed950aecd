//! Test support of scope-policy's workspace-level tests (`tests/tests/`): the servers
//! under test, the tokens they trust, the requests sent to them, and the assertions on
//! what comes back. Each module has one job:
//!
//! | module | its job |
//! | --- | --- |
//! | [`tokens`] | secrets, keys, and minting tokens (byte for byte, or as a JWT library does) |
//! | [`seed`] | the `agent_os` example as served, its users' scopes, runs and memory posts |
//! | [`mirror`] | the seed's counting mirror, and [`mirror::Seed`], which sends to both |
//! | [`lab`] | a router with nested routers, catch-alls and a realm, counting its handlers |
//! | [`placement`] | the two documented placements of the layer, as one service type |
//! | [`record`] | handler-entry counters and logs of what handlers received |
//! | [`requests`] | in-process requests with a raw method and request target |
//! | [`reply`] | reading a response whole, and asserting on it |
//! | [`refusal`] | the layer's refusals, status, challenge and detail, written out once |
//! | [`server`] | a router served on a loopback port |
//! | [`client`] | a served router and a `reqwest` client for it, sending what `curl` sends |
//! | [`walkthrough`] | the README's walkthrough tables as data, rows checked against replies |
//! | [`raw_http`] | a hand-written HTTP/1.1 client, for bytes `http` refuses to build |
//! | [`files`] | temporary directories for `ServeDir` |

pub mod client;
pub mod files;
pub mod lab;
pub mod mirror;
pub mod placement;
pub mod raw_http;
pub mod record;
pub mod refusal;
pub mod reply;
pub mod requests;
pub mod seed;
pub mod server;
pub mod tokens;
pub mod walkthrough;
