fn main() {
    let _ = scope_runtime::scopes! {
        "/agents" => ["app:read"],
    };
}
