fn main() {
    let _ = scope_runtime::scopes! {
        "GET /café" => ["app:read"],
    };
}
