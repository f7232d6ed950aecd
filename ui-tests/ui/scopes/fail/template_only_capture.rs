fn main() {
    let _ = scope_runtime::scopes! {
        "GET /scopes/{scope}" => ["{scope}"],
    };
}
