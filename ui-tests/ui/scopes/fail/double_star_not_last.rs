fn main() {
    let _ = scope_runtime::scopes! {
        "GET /admin/**/users" => ["app:admin"],
    };
}
