fn main() {
    let _ = scope_runtime::scopes! {
        "GET /agents" => 42,
    };
}
