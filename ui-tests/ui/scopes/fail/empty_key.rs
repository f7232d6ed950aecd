fn main() {
    let _ = scope_runtime::scopes! {
        "" => ["app:read"],
    };
}
