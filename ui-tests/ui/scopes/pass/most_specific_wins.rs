// The most specific pattern wins, segment by segment from the left: literal > `*`/`{x}` >
// `{*x}` > `**`; declaration order never matters; a more specific path beats a named method.
use scope_runtime::scopes;

fn main() {
    let p = scopes! {
        "* /**"                 => ["root-any"],
        "GET /agents/{*rest}"   => ["catch-all"],
        "GET /agents/**"        => ["rest"],
        "GET /agents/*/runs"    => ["one-runs"],
        "GET /agents/*/*"       => ["one-one"],
        "GET /agents/special/*" => ["special-one"],
        "GET /agents/*"         => ["one"],
        "* /agents/special"     => ["special-any-method"],
    };
    let scope = |m: &str, path: &str| p.lookup_str(m, path).unwrap().requirement().scopes()[0];
    assert_eq!(scope("GET", "/agents/a"), "one");
    assert_eq!(scope("GET", "/agents/special"), "special-any-method");
    assert_eq!(scope("GET", "/agents/special/runs"), "special-one");
    assert_eq!(scope("GET", "/agents/a/runs"), "one-runs");
    assert_eq!(scope("GET", "/agents/a/b"), "one-one");
    assert_eq!(scope("GET", "/agents/a/b/c"), "catch-all");
    assert_eq!(scope("GET", "/agents"), "rest");
    assert_eq!(scope("GET", "/other"), "root-any");
    assert_eq!(scope("POST", "/agents/a"), "root-any");
}
