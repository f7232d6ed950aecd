// `[...]` (all of), `[]` (any valid token), `any[...]` (one of), `public` (no token),
// `optional` (no token, or a valid one).
use scope_runtime::{scopes, Requirement};

fn main() {
    let p = scopes! {
        "POST /agents/*/runs" => ["app:run", "app:execute"],
        "GET /me"             => [],
        "GET /reports"        => any["reports:read", "app:admin"],
        "GET /health"         => public,
        "GET /home"           => optional,
        "GET /weird"          => ["x!#$%&'()*+,-./;<=>?@[]^_`|~", "UPPER:case"],
    };
    let req = |m: &str, path: &str| p.lookup_str(m, path).unwrap().requirement();
    assert!(matches!(req("POST", "/agents/a/runs"), Requirement::AllOf(_)));
    assert_eq!(req("POST", "/agents/a/runs").scopes(), ["app:run", "app:execute"]);
    assert_eq!(req("GET", "/me"), Requirement::AllOf(&[]));
    assert!(matches!(req("GET", "/reports"), Requirement::AnyOf(_)));
    assert_eq!(req("GET", "/reports").scopes(), ["reports:read", "app:admin"]);
    assert_eq!(req("GET", "/health"), Requirement::Public);
    assert_eq!(req("GET", "/home"), Requirement::Optional);
    assert_eq!(req("GET", "/home").scopes(), [] as [&str; 0]);
    assert_eq!(req("GET", "/home").to_string(), "optional");
    assert_eq!(
        req("GET", "/weird").scopes(),
        ["x!#$%&'()*+,-./;<=>?@[]^_`|~", "UPPER:case"]
    );

    let held = ["app:run"];
    let has = |s: &str| held.contains(&s);
    assert!(!req("POST", "/agents/a/runs").is_satisfied_by(has));
    assert!(req("GET", "/me").is_satisfied_by(has));
    assert!(!req("GET", "/reports").is_satisfied_by(has));
    assert!(req("GET", "/reports").is_satisfied_by(|s| s == "app:admin"));
    assert_eq!(req("GET", "/reports").to_string(), r#"any["reports:read", "app:admin"]"#);
}
