fn main() {
    let _ = scope_runtime::scopes! {
        "GET\t/agents" => ["app:read"],
    };
}
