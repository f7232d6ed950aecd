fn main() {
    let _ = scope_runtime::scopes! {
        "GTE /agents" => ["app:read"],
    };
}
