// Two expansions in one scope do not clash, and neither clashes with user items of the
// names a careless expansion might use.
#![allow(dead_code, non_camel_case_types, non_upper_case_globals)]

use scope_runtime::scopes;

struct Option;
struct Some;
const __SCOPE_RULES: u8 = 0;
fn __scope_match() {}
fn __scope_node_0() {}
mod core {}

fn main() {
    let a = scopes! {
        "GET /a"   => ["a"],
        "GET /a/*" => ["a:item"],
    };
    let b = scopes! {
        "GET /b"        => ["b"],
        "POST /b/{id}"  => ["b:write"],
        "* /b/**"       => ["b:any"],
    };
    assert_eq!(a.lookup_str("GET", "/a/1").unwrap().key(), "GET /a/*");
    assert!(a.lookup_str("GET", "/b").is_none());
    assert_eq!(b.lookup_str("POST", "/b/1").unwrap().key(), "POST /b/{id}");
    assert_eq!(b.lookup_str("GET", "/b/1").unwrap().key(), "* /b/**");
    assert!(b.lookup_str("GET", "/a").is_none());
    let _ = (Option, Some, __SCOPE_RULES, __scope_match, __scope_node_0);
}
