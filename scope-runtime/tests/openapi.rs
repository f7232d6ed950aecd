//! The OpenAPI security written from a policy (feature `utoipa`): field by field, and
//! read back by another OpenAPI 3.1 implementation.

use serde_json::{Value, json};
use utoipa::openapi::path::{HttpMethod, Operation};
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::{OpenApi, OpenApiBuilder};

use scope_runtime::{Policy, Unmapped, scopes};

/// Every kind of requirement, a template, a literal rule beside a general one, and a rule
/// that no operation below reaches.
static POLICY: Policy = scopes! {
    "GET /agents"                  => ["app:read"],
    "POST /agents/*/runs"          => ["app:run", "app:execute"],
    "GET /agents/{agent_id}"       => any["agents:read", "agents:{agent_id}:read"],
    "GET /me"                      => [],
    "GET /health"                  => public,
    "GET /home"                    => optional,
    "DELETE /users/*"              => ["users:delete"],
    "DELETE /users/root"           => ["root:delete"],
    "GET /forgotten"               => ["never:used"],
};

/// The operations of the document: one per rule but the last, and one no rule decides.
const OPERATIONS: &[(&str, HttpMethod)] = &[
    ("/agents", HttpMethod::Get),
    ("/agents/{agent_id}/runs", HttpMethod::Post),
    ("/agents/{agent_id}", HttpMethod::Get),
    ("/me", HttpMethod::Get),
    ("/health", HttpMethod::Get),
    ("/home", HttpMethod::Get),
    ("/users/{user_id}", HttpMethod::Delete),
    ("/unmapped", HttpMethod::Get),
];

/// A document with [`OPERATIONS`] and a document-wide `security`, which `public` must
/// override.
fn document() -> OpenApi {
    let mut doc = OpenApiBuilder::new()
        .security(Some([SecurityRequirement::new("bearer", ["global"])]))
        .build();
    for (path, method) in OPERATIONS {
        doc.paths
            .add_path_operation(*path, vec![method.clone()], Operation::default());
    }
    doc
}

fn security(json: &Value, path: &str, method: &str) -> Value {
    json["paths"][path][method]["security"].clone()
}

#[test]
fn every_requirement_kind_field_by_field() {
    let mut doc = document();
    let report = POLICY.openapi_security().apply(&mut doc);
    let json = serde_json::to_value(&doc).unwrap();

    assert_eq!(
        json["components"]["securitySchemes"],
        json!({ "bearer": { "type": "http", "scheme": "bearer", "bearerFormat": "JWT" } }),
    );
    // The document-wide security is the user's: left alone.
    assert_eq!(json["security"], json!([{ "bearer": ["global"] }]));
    assert_eq!(
        security(&json, "/agents", "get"),
        json!([{ "bearer": ["app:read"] }])
    );
    assert_eq!(
        security(&json, "/agents/{agent_id}/runs", "post"),
        json!([{ "bearer": ["app:run", "app:execute"] }]),
    );
    assert_eq!(
        security(&json, "/agents/{agent_id}", "get"),
        json!([{ "bearer": ["agents:read"] }, { "bearer": ["agents:{agent_id}:read"] }]),
    );
    assert_eq!(security(&json, "/me", "get"), json!([{ "bearer": [] }]));
    // Explicitly none: present and empty, so that the global security does not apply.
    assert_eq!(
        json["paths"]["/health"]["get"].get("security"),
        Some(&json!([]))
    );
    // Optional security: a token (no scope), or the empty requirement.
    assert_eq!(
        security(&json, "/home", "get"),
        json!([{ "bearer": [] }, {}])
    );
    assert_eq!(
        security(&json, "/users/{user_id}", "delete"),
        json!([{ "bearer": ["users:delete"] }]),
    );
    // No rule, `Unmapped::Deny`: left as it was (no `security` of its own).
    assert_eq!(json["paths"]["/unmapped"]["get"].get("security"), None);

    assert!(!report.is_complete());
    assert_eq!(report.uncovered_operations(), ["GET /unmapped"]);
    let unreached: Vec<&str> = report.unreached_rules().iter().map(|r| r.key()).collect();
    assert_eq!(unreached, ["GET /forgotten"]);
    let others: Vec<(&str, &str)> = report
        .other_rules()
        .iter()
        .map(|(operation, rule)| (operation.as_str(), rule.key()))
        .collect();
    assert_eq!(others, [("DELETE /users/{user_id}", "DELETE /users/root")]);
    assert!(report.unreadable().is_empty());
    assert_eq!(
        report.to_string(),
        "operations with no rule (as `unmapped` says):\n  GET /unmapped\n\
         rules that no operation reaches:\n  \"GET /forgotten\" => [\"never:used\"]\n\
         operations that other rules decide for some values:\n  \
         DELETE /users/{user_id}: \"DELETE /users/root\" => [\"root:delete\"]\n",
    );
}

#[test]
fn unmapped_operations_follow_the_layer_setting() {
    for (unmapped, expected) in [
        (Unmapped::Authenticated, Some(json!([{ "bearer": [] }]))),
        (Unmapped::Allow, Some(json!([]))),
        (Unmapped::Deny, None),
    ] {
        let mut doc = document();
        let report = POLICY.openapi_security().unmapped(unmapped).apply(&mut doc);
        let json = serde_json::to_value(&doc).unwrap();
        let got = json["paths"]["/unmapped"]["get"].get("security").cloned();
        assert_eq!(got, expected, "{unmapped:?}");
        // Reported whatever the setting: a rule is missing.
        assert_eq!(report.uncovered_operations(), ["GET /unmapped"]);
    }
}

#[test]
fn scheme_name_and_path_prefix() {
    static NESTED: Policy = scopes! {
        "GET /api/agents" => ["app:read"],
        "GET /agents"     => ["not:this:one"],
    };
    let mut doc = OpenApi::default();
    doc.paths
        .add_path_operation("/agents", vec![HttpMethod::Get], Operation::default());
    let report = NESTED
        .openapi_security()
        .scheme_name("jwt")
        .path_prefix("/api/")
        .apply(&mut doc);
    let json = serde_json::to_value(&doc).unwrap();
    assert_eq!(
        json["components"]["securitySchemes"]["jwt"]["scheme"],
        "bearer"
    );
    assert_eq!(json["components"]["securitySchemes"].get("bearer"), None);
    assert_eq!(
        security(&json, "/agents", "get"),
        json!([{ "jwt": ["app:read"] }])
    );
    let unreached: Vec<&str> = report.unreached_rules().iter().map(|r| r.key()).collect();
    assert_eq!(unreached, ["GET /agents"]);
}

#[test]
fn paths_that_are_not_routes_are_reported_and_left_alone() {
    let mut doc = OpenApi::default();
    for path in ["/files/{name}.json", "agents", "/health"] {
        doc.paths
            .add_path_operation(path, vec![HttpMethod::Get], Operation::default());
    }
    let report = POLICY.openapi_security().apply(&mut doc);
    let json = serde_json::to_value(&doc).unwrap();
    assert_eq!(
        json["paths"]["/files/{name}.json"]["get"].get("security"),
        None
    );
    assert_eq!(json["paths"]["agents"]["get"].get("security"), None);
    assert_eq!(security(&json, "/health", "get"), json!([]));
    let unreadable: Vec<String> = report.unreadable().iter().map(|e| e.to_string()).collect();
    assert_eq!(unreadable.len(), 2, "{unreadable:?}");
    assert!(
        unreadable[0].starts_with("route `GET /files/{name}.json`: "),
        "{unreadable:?}"
    );
    assert!(
        unreadable[1].starts_with("route `GET agents`: "),
        "{unreadable:?}"
    );
}

/// The document read back by another OpenAPI 3.1 implementation (`oas3`): its version,
/// the scheme as a typed HTTP bearer scheme, and every requirement naming a declared
/// scheme.
#[test]
fn an_oas3_reader_accepts_the_document() {
    let mut doc = document();
    POLICY.openapi_security().apply(&mut doc);
    let text = doc.to_pretty_json().unwrap();
    let spec = oas3::from_json(&text).expect("an OpenAPI 3.1 document");
    let version = spec
        .validate_version()
        .expect("a supported OpenAPI version");
    assert_eq!((version.major, version.minor), (3, 1));

    let components = spec.components.as_ref().expect("components");
    let Some(oas3::spec::ObjectOrReference::Object(scheme)) =
        components.security_schemes.get("bearer")
    else {
        panic!("no bearer scheme: {:?}", components.security_schemes);
    };
    let oas3::spec::SecurityScheme::Http {
        scheme,
        bearer_format,
        ..
    } = scheme
    else {
        panic!("not an HTTP scheme: {scheme:?}");
    };
    assert_eq!(scheme, "bearer");
    assert_eq!(bearer_format.as_deref(), Some("JWT"));

    let mut read = Vec::new();
    for (path, method, operation) in spec.operations() {
        for requirement in &operation.security {
            for name in requirement.0.keys() {
                assert!(
                    components.security_schemes.contains_key(name),
                    "{method} {path}: undeclared scheme {name}",
                );
            }
        }
        let scopes: Vec<Vec<String>> = operation
            .security
            .iter()
            // The empty requirement (OpenAPI's "no security needed") as one marker.
            .map(|r| match r.0.get("bearer") {
                Some(scopes) => scopes.clone(),
                None => vec!["(none)".to_owned()],
            })
            .collect();
        read.push((format!("{method} {path}"), scopes));
    }
    read.sort();
    let strings = |s: &[&[&str]]| -> Vec<Vec<String>> {
        s.iter()
            .map(|r| r.iter().map(|s| (*s).to_owned()).collect())
            .collect()
    };
    let mut expected = vec![
        ("GET /agents".to_owned(), strings(&[&["app:read"]])),
        (
            "POST /agents/{agent_id}/runs".to_owned(),
            strings(&[&["app:run", "app:execute"]]),
        ),
        (
            "GET /agents/{agent_id}".to_owned(),
            strings(&[&["agents:read"], &["agents:{agent_id}:read"]]),
        ),
        ("GET /me".to_owned(), strings(&[&[]])),
        ("GET /health".to_owned(), strings(&[])),
        ("GET /home".to_owned(), strings(&[&[], &["(none)"]])),
        (
            "DELETE /users/{user_id}".to_owned(),
            strings(&[&["users:delete"]]),
        ),
        ("GET /unmapped".to_owned(), strings(&[])),
    ];
    expected.sort();
    assert_eq!(read, expected);
}
