fn main() {
    let _ = scope_runtime::scopes! {
        "POST /agents/*/runs" => ["app:run", "app:execute", "app:run"],
    };
}
