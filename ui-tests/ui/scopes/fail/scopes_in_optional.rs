fn main() {
    let _ = scope_runtime::scopes! {
        "GET /home" => optional["app:read"],
    };
}
