fn main() {
    let _ = scope_runtime::scopes! {
        "GET /projects/:id" => ["projects:read"],
    };
}
