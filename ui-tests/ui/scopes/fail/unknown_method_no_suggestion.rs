fn main() {
    let _ = scope_runtime::scopes! {
        "FROBNICATE /agents" => ["app:read"],
    };
}
