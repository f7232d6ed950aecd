//! trybuild UI suites: every compile error of `scopes!` and `#[require_scopes]` (SPEC §2,
//! §3), with its snapshot, and compile-and-run cases for every grammar feature.
//!
//! Regenerate snapshots with `TRYBUILD=overwrite cargo test -p scope-policy-tests --test ui`,
//! then read every `.stderr` as a user would.

#[test]
fn scopes_fail() {
    trybuild::TestCases::new().compile_fail("ui/scopes/fail/*.rs");
}

#[test]
fn scopes_pass() {
    trybuild::TestCases::new().pass("ui/scopes/pass/*.rs");
}

#[test]
fn require_scopes_fail() {
    trybuild::TestCases::new().compile_fail("ui/require_scopes/fail/*.rs");
}

#[test]
fn require_scopes_pass() {
    trybuild::TestCases::new().pass("ui/require_scopes/pass/*.rs");
}
