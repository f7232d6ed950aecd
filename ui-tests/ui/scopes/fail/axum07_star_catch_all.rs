fn main() {
    let _ = scope_runtime::scopes! {
        "GET /files/*rest" => ["files:read"],
    };
}
