// `scopes!{...}`, `scopes!(...)` and `scopes![...]` are the same macro.
use scope_runtime::{scopes, Policy};

static BRACKETS: Policy = scopes!["GET /b" => ["s"]];
static PARENS: Policy = scopes!("GET /p" => ["s"]);

fn main() {
    let braces = scopes! { "GET /c" => ["s"] };
    let parens = scopes!("GET /p" => ["s"], "GET /q" => public);
    let brackets = scopes!["GET /b" => ["s"]];
    assert_eq!(braces.lookup_str("GET", "/c").unwrap().key(), "GET /c");
    assert_eq!(parens.lookup_str("GET", "/q").unwrap().key(), "GET /q");
    assert_eq!(brackets.lookup_str("GET", "/b").unwrap().key(), "GET /b");
    assert_eq!(BRACKETS.lookup_str("GET", "/b").unwrap().key(), "GET /b");
    assert_eq!(PARENS.lookup_str("GET", "/p").unwrap().key(), "GET /p");
}
