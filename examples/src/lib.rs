//! Runnable example servers of `scope-policy`.
//!
//! * [`agent_os`]: the seed, Agno's "Custom Scope Mappings" AgentOS ported to Rust: one
//!   [`scopes!`](scope_runtime::scopes) policy enforced by a
//!   [`ScopeLayer`](scope_runtime::ScopeLayer) on the whole router.
//!   Run it with `cargo run -p scope-policy-examples --bin agent_os`.
//! * [`agent_os_rbac`]: the same AgentOS under Agno's default per-resource model:
//!   scope templates (`agents:{agent_id}:read`), `*` for every agent, and a listing
//!   filtered to what the token may read.
//!   Run it with `cargo run -p scope-policy-examples --bin agent_os_rbac`.
//! * [`attribute_only`]: no policy; an authentication-only layer and
//!   [`#[require_scopes]`](scope_runtime::require_scopes) on the handlers.
//!   Run it with `cargo run -p scope-policy-examples --bin attribute_only`.
//!
//! [`support`] holds what the binaries do around serving (logging, graceful shutdown).
//!
//! The routers live in this library so that the end-to-end tests serve exactly what
//! the binaries serve.

pub mod agent_os;
pub mod agent_os_rbac;
pub mod attribute_only;
pub mod support;

mod api;
