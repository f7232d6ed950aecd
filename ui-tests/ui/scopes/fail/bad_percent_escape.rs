fn main() {
    let _ = scope_runtime::scopes! {
        "GET /a%2" => ["app:read"],
        "GET /a%zz/b" => ["app:read"],
    };
}
