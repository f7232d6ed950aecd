fn main() {
    let _ = scope_runtime::scopes! {
        "GET /a|b" => ["app:read"],
    };
}
