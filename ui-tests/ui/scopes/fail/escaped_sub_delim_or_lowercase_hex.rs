// axum's router compares raw paths: a rule literal must be spelled as the route is, with
// sub-delims, `:` and `@` unescaped and escapes in upper-case hex.
fn main() {
    let _ = scope_runtime::scopes! {
        "GET /files/upload%3Astatus" => ["files:read"],
        "GET /caf%c3%a9" => ["menu:read"],
    };
}
