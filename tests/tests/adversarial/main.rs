//! Adversarial suite: the ways authorization layers keep failing, one attack class per
//! module, against the seed (`agent_os::router`, exactly what the binary serves) and
//! against routers of our own whose handlers count their entries.
//!
//! - The seed cannot be instrumented, so "the handler was not reached" is shown twice
//!   (`scope_policy_tests::mirror::Seed`): by its state (a denied run or memory post must
//!   not create a session or a memory) and by a counting mirror with the seed's routes,
//!   policy, admin scope and verifier.
//! - The lab (`scope_policy_tests::lab`) adds what the seed lacks: nested routers,
//!   catch-alls, a public root route whose path is the tail of a protected nested one, a
//!   realm, and a layer placed on a nested router.
//! - Requests go in-process, built from raw `http::Uri`s (no normalisation). What
//!   `http::Uri` refuses to build goes over a real TCP socket, written by hand, to pin
//!   down what hyper does with it.
//!
//! Every refusal is checked exactly: status, the whole `WWW-Authenticate` value and the
//! `{"detail": ...}` body. The modules are one test binary, linked once.

/// Claims that are missing, of the wrong type, expired, or look alike.
mod claims;
/// Forged signatures, algorithm confusion, `kid` tricks, tampering.
mod forgery;
/// Credentials smuggled in headers: bytes, duplicates, cookies, schemes.
mod header_smuggling;
/// Tokens that are not well-formed JWTs.
mod malformed_tokens;
/// The method that is checked is the method that is routed.
mod methods;
/// Nested routers, catch-alls and `**`, on the lab.
mod nesting_and_catch_alls;
/// Path spellings the seed's router and the policy could read differently.
mod path_spellings;
/// Requests written by hand on a TCP socket, for what `http` refuses to build.
mod raw_tcp;
/// Tokens built to cost the verifier: huge, deeply nested, full of dots.
mod resource_exhaustion;
