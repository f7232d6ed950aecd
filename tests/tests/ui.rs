//! trybuild UI suites: every compile error of `scopes!` and `#[require_scopes]` (README,
//! "The DSL: `scopes!`" and "Compile errors"), with its snapshot, and compile-and-run
//! cases for every grammar feature.
//!
//! Regenerate snapshots with `TRYBUILD=overwrite cargo test -p scope-policy-tests --test ui`,
//! then read every `.stderr` as a user would.

/// Each mistake in a `scopes!` invocation is a compile error that names it and points at
/// it.
#[test]
fn scopes_fail() {
    trybuild::TestCases::new().compile_fail("ui/scopes/fail/*.rs");
}

/// Every feature of the grammar compiles, and the policy it builds decides as documented.
#[test]
fn scopes_pass() {
    trybuild::TestCases::new().pass("ui/scopes/pass/*.rs");
}

/// Each misuse of `#[require_scopes]` is a compile error that names it.
#[test]
fn require_scopes_fail() {
    trybuild::TestCases::new().compile_fail("ui/require_scopes/fail/*.rs");
}

/// `#[require_scopes]` handlers compile with extractors, `pub`, `debug_handler` and the
/// policy layer.
#[test]
fn require_scopes_pass() {
    trybuild::TestCases::new().pass("ui/require_scopes/pass/*.rs");
}
