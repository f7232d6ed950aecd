//! trybuild UI suites: every compile error of `scopes!` and `#[require_scopes]` (README,
//! "The DSL: `scopes!`" and "Compile errors"), with its snapshot, and compile-and-run
//! cases for every grammar feature.
//!
//! Regenerate snapshots with `TRYBUILD=overwrite cargo test -p scope-policy-ui-tests --test ui`,
//! then read every `.stderr` as a user would.

/// All four suites in one `TestCases`, so trybuild builds its project once:
///
/// - `scopes/fail`: each mistake in a `scopes!` invocation is a compile error that names
///   it and points at it;
/// - `scopes/pass`: every feature of the grammar compiles, and the policy it builds
///   decides as documented;
/// - `require_scopes/fail`: each misuse of `#[require_scopes]` is a compile error that
///   names it;
/// - `require_scopes/pass`: `#[require_scopes]` handlers compile with extractors, `pub`,
///   `debug_handler` and the policy layer.
#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("ui/scopes/fail/*.rs");
    cases.pass("ui/scopes/pass/*.rs");
    cases.compile_fail("ui/require_scopes/fail/*.rs");
    cases.pass("ui/require_scopes/pass/*.rs");
}
