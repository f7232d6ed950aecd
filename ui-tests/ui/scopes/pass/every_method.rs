// Every method name of the grammar, and `*` for any method (including non-standard ones).
use scope_runtime::{scopes, Method, MethodFilter};

fn main() {
    let p = scopes! {
        "GET /m"     => ["get"],
        "HEAD /m"    => ["head"],
        "POST /m"    => ["post"],
        "PUT /m"     => ["put"],
        "PATCH /m"   => ["patch"],
        "DELETE /m"  => ["delete"],
        "OPTIONS /m" => ["options"],
        "TRACE /m"   => ["trace"],
        "CONNECT /m" => ["connect"],
        "* /any"     => ["any"],
    };
    for (method, scope) in [
        ("GET", "get"),
        ("HEAD", "head"),
        ("POST", "post"),
        ("PUT", "put"),
        ("PATCH", "patch"),
        ("DELETE", "delete"),
        ("OPTIONS", "options"),
        ("TRACE", "trace"),
        ("CONNECT", "connect"),
    ] {
        let rule = p.lookup_str(method, "/m").unwrap();
        assert_eq!(rule.key(), format!("{method} /m"));
        assert_eq!(rule.requirement().scopes(), &[scope]);
        // `*` covers every method, standard or not.
        assert_eq!(p.lookup_str(method, "/any").unwrap().key(), "* /any");
    }
    assert_eq!(p.lookup_str("PROPFIND", "/any").unwrap().key(), "* /any");
    // Methods are case-sensitive at run time too, and unknown methods only match `*`.
    assert!(p.lookup_str("get", "/m").is_none());
    assert!(p.lookup_str("PROPFIND", "/m").is_none());
    assert_eq!(p.rules()[0].method(), MethodFilter::Only(Method::Get));
    assert_eq!(p.rules()[9].method(), MethodFilter::Any);
    assert_eq!(p.rules().len(), 10);
}
